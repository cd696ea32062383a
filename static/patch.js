// Patches a region of the page to new HTML in place, instead of replacing it (innerHTML).
//
// The page's Python renders each region to an HTML string (cleanlens.web.render); this turns the
// nodes already on screen into that HTML with the fewest changes: text, attributes and classes of
// the nodes that stay, and only the nodes that differ inserted, moved or removed. The browser then
// restyles, lays out and repaints only what changed, and keyboard focus, scroll positions and open
// <details> stay where they were. A DOM utility, no app logic: window.cleanlensPatch(node, html[, outer]).
//
// Children are matched by key (id, else data-key, else data-i with the tag name), otherwise by
// position and tag name. Attributes the page sets outside rendering (PRESERVED) are left alone.
(function () {
  "use strict";
  const PRESERVED = new Set(["aria-describedby", "data-tour-target", "open"]);

  const keyOf = (node) => {
    if (node.nodeType !== 1) return null;
    const id = node.getAttribute("id");
    if (id) return "#" + id;
    const key = node.getAttribute("data-key");
    if (key !== null) return node.nodeName + "~" + key;
    const item = node.getAttribute("data-i");
    return item === null ? null : node.nodeName + "@" + item;
  };

  const sameKind = (a, b) => a.nodeType === b.nodeType && a.nodeName === b.nodeName && keyOf(a) === keyOf(b);

  function patchAttributes(old, next) {
    const wanted = next.attributes;
    for (let i = 0; i < wanted.length; i++) {
      const { name, value } = wanted[i];
      if (old.getAttribute(name) !== value) {
        old.setAttribute(name, value);
        // a form control's live value follows its new attribute (the attribute alone is only its default)
        if (name === "value" && "value" in old && old.value !== value) old.value = value;
        if (name === "checked") old.checked = true;
      }
    }
    const had = old.attributes;
    for (let i = had.length - 1; i >= 0; i--) {
      const name = had[i].name;
      if (!next.hasAttribute(name) && !PRESERVED.has(name)) {
        old.removeAttribute(name);
        if (name === "checked") old.checked = false;
      }
    }
  }

  function patchNode(old, next) {
    if (old.isEqualNode(next)) return; // (native, and it stops at the first difference: most of a region stays)
    if (old.nodeType !== 1) {
      if (old.nodeValue !== next.nodeValue) old.nodeValue = next.nodeValue;
      return;
    }
    patchAttributes(old, next);
    patchChildren(old, next);
    if (old.nodeName === "SELECT") {
      const chosen = next.querySelector("option[selected]");
      const value = chosen ? chosen.value : (old.options[0] || {}).value;
      if (value !== undefined && old.value !== value) old.value = value;
    }
  }

  function patchChildren(old, next) {
    let keyed = null; // key -> old child not yet matched, built on the first keyed mismatch
    let cursor = old.firstChild;
    let incoming = next.firstChild;
    while (incoming) {
      const following = incoming.nextSibling;
      if (cursor && sameKind(cursor, incoming)) {
        if (keyed !== null) keyed.delete(keyOf(cursor));
        patchNode(cursor, incoming);
        cursor = cursor.nextSibling;
      } else {
        const key = keyOf(incoming);
        let match = null;
        if (key !== null) {
          if (keyed === null) {
            keyed = new Map();
            for (let node = cursor; node; node = node.nextSibling) {
              const k = keyOf(node);
              if (k !== null && !keyed.has(k)) keyed.set(k, node);
            }
          }
          match = keyed.get(key) || null;
          if (match && match.nodeName !== incoming.nodeName) match = null;
        }
        if (match) {
          keyed.delete(key);
          if (match === cursor) cursor = cursor.nextSibling;
          else old.insertBefore(match, cursor);
          patchNode(match, incoming);
        } else {
          old.insertBefore(incoming, cursor); // (moves it out of the template)
        }
      }
      incoming = following;
    }
    while (cursor) {
      const after = cursor.nextSibling;
      old.removeChild(cursor);
      cursor = after;
    }
  }

  // outer: html is the target element itself (its attributes too), not its content
  window.cleanlensPatch = function (target, html, outer) {
    const template = document.createElement("template");
    template.innerHTML = html;
    if (outer) patchNode(target, template.content.firstElementChild);
    else patchChildren(target, template.content);
  };
})();
