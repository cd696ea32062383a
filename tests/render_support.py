"""Helpers of the render tests (tests/test_web_render_*.py): a trained tiny state, hostile text, and the
rendered HTML as a tree to query (the standard library's html.parser; tags must be balanced)."""

from html.parser import HTMLParser

from cleanlens.web.state import ExplorerState

from .test_web_state import probabilities_for, tiny_dataset

HOSTILE = "<img src=x onerror=alert(1)>"
"""Text that would run script if a renderer forgot to escape it (a class name, an id, a file name)."""
HOSTILE_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"

INFO = {
    "engine": "builtin",
    "engine_version": "cleanlens 0",
    "C": 10.0,
    "gamma": 0.03,
    "folds": 5,
    "seed": 0,
    "seconds": 0.5,
}
"""The ``info`` of a training with the built-in engine, as :func:`cleanlens.web.state.training_info` makes it."""

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def trained(data=None, engine=None, **fields):
    """An ExplorerState of ``data`` (default: :func:`tiny_dataset`, 3 classes of 6 items, item 0 truly a "b"),
    trained on its given labels with :func:`probabilities_for`; ``fields`` passed to the state, ``engine``
    (``{setting: value}``) set on its engine settings first.

    With the default sliders the tiny dataset has 10 correct items, 1 label issue (item 0: labelled a,
    suggested b), 2 out of distribution (9, 14) and 5 unconfident (3, 4, 7, 8, 13).
    """
    data = data or tiny_dataset()
    state = ExplorerState(data, **fields)
    for name, value in (engine or {}).items():
        state.set_engine(name, value)
    state.finish_training(list(data.given), probabilities_for(data.given, k=len(data.classes)), dict(INFO))
    return state


class Element:
    """An element of parsed HTML: ``tag``, ``attrs`` (a dict; a bare attribute has the value None), children."""

    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        """The text inside, entities decoded, whitespace collapsed."""
        return " ".join(self._raw().split())

    def _raw(self):
        return "".join(c if isinstance(c, str) else c._raw() for c in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, **attrs):
        """Descendants with this tag (any if None) and these attributes: ``data_testid="run"`` matches
        ``data-testid="run"``, ``class_="x"`` a class among the element's classes, True any value."""
        found = []
        for element in self.iter():
            if tag is not None and element.tag != tag:
                continue
            if all(element.has(name, value) for name, value in attrs.items()):
                found.append(element)
        return found

    def find(self, tag=None, **attrs):
        """The only matching descendant (an AssertionError if there are none or several)."""
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag or '*'} {attrs}>"
        return found[0]

    def has(self, name, value=True):
        name = name.rstrip("_").replace("_", "-")
        if name not in self.attrs:
            return False
        if value is True:
            return True
        if name == "class":
            return value in (self.attrs[name] or "").split()
        return self.attrs[name] == value

    def __getitem__(self, name):
        return self.attrs[name]

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#root", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):  # <rect .../> in SVG
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        assert tag not in VOID, f"</{tag}>"
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html):
    """The HTML as a tree of :class:`Element` under a root; every element must be closed, in order."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> is not closed"
    return builder.root


def disabled(element):
    return "disabled" in element.attrs
