"""What floats over the page (browser only): the popover that explains the image under the pointer or
keyboard focus, and the anchored tour. Where they go is computed by :mod:`cleanlens.web.placement`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js

from cleanlens.web import render
from cleanlens.web.changes import Changes
from cleanlens.web.dom import closest, document, element, matches_media, query, viewport
from cleanlens.web.placement import Rect, card_position, popover_position
from cleanlens.web.state import ExplorerState
from cleanlens.web.wiring import Event, on

ITEMS = '[data-action="select"], .thumbs [data-i]'
"""What the popover explains: the images of the grid, the results, the map, and the joint's thumbnails."""
ACTIONS = "#detail .decide"
"""The pinned item's buttons: the popover never covers them (the user is about to press one)."""


def rect_of(node: Any) -> Rect:
    box = node.getBoundingClientRect()
    return Rect(box.left, box.top, box.right, box.bottom)


class Popover:
    """Explains the image under the pointer (or focused from the keyboard) beside it (``role="tooltip"``): it
    takes no focus and changes no selection. Pointing at an image also previews it in the Why? panel.

    ``state_of()``: the state; ``apply(changes)``: redraw after the preview changed.
    """

    def __init__(self, state_of: Callable[[], ExplorerState], apply: Callable[[Changes], None]) -> None:
        self.state_of = state_of
        self.apply = apply
        self.target: Any = None  # the element explained (it has aria-describedby="pop")

    @on("mouseover")
    def hover(self, event: Event) -> None:
        """Pointing at an image previews it and explains it beside it; moving off the images shows the
        pinned one again."""
        target = closest(event.raw, ITEMS)
        i = None if target is None else int(target.getAttribute("data-i"))
        self.apply(self.state_of().show_preview(i))
        if target is not None and matches_media("(hover: hover)"):
            self.show(target, i)
        else:
            self.hide()

    @on("focusin")
    def focus(self, event: Event) -> None:
        """Focusing an image previews it; from the keyboard (``:focus-visible``) the popover explains it too."""
        target = closest(event.raw, '[data-action="select"]')
        i = None if target is None else int(target.getAttribute("data-i"))
        self.apply(self.state_of().show_preview(i))
        if target is not None and target.matches(":focus-visible"):
            self.show(target, i)
        elif target is None and self.target is not None and not self.target.matches(":hover"):
            self.hide()

    @on("focusout")
    def blur(self, event: Event) -> None:
        if self.target is not None and event.target == self.target and not self.target.matches(":hover"):
            self.hide()

    @on("keydown", keys=("Escape",))
    def escape(self, event: Event) -> None:
        self.hide()

    def show(self, target: Any, i: int) -> None:
        pop = document.getElementById("pop")
        state = self.state_of()
        pop.innerHTML = render.popover(state, state.analysis(), i)
        pop.hidden = False
        if self.target is not None and self.target != target:
            self.target.removeAttribute("aria-describedby")
        self.target = target
        if target.tagName != "circle":  # (an SVG point has its own title)
            target.setAttribute("aria-describedby", "pop")
        self.place()

    def place(self) -> None:
        """Put the popover beside its image (:func:`~cleanlens.web.placement.popover_position`)."""
        if self.target is None:
            return
        if not self.target.isConnected:
            self.hide()
            return
        pop = document.getElementById("pop")
        actions = query(ACTIONS)
        avoid = () if actions is None or actions.contains(self.target) else (rect_of(actions),)
        left, top = popover_position(rect_of(self.target), pop.offsetWidth, pop.offsetHeight, *viewport(), avoid)
        pop.style.left, pop.style.top = f"{left:.0f}px", f"{top:.0f}px"

    def hide(self) -> None:
        if self.target is not None:
            self.target.removeAttribute("aria-describedby")
            self.target = None
        pop = element("pop")
        if pop is not None:
            pop.hidden = True


class Tour:
    """The anchored tour (from the guide): each step rings a real part of the page and explains it in a card
    beside it. ← → move, Esc leaves; focus goes back to the Guide button.

    ``state_of()``: the state (the steps name the demo's own classes and categories); ``before()``: called
    when the tour starts (the popover hides).
    """

    def __init__(self, state_of: Callable[[], ExplorerState], before: Callable[[], None]) -> None:
        self.state_of = state_of
        self.before = before
        self.steps: list | None = None
        self.step = 0

    @property
    def open(self) -> bool:
        return self.steps is not None

    @on("click", "guide-open")
    def guide(self, event: Event) -> None:
        self.end(refocus=False)
        document.getElementById("guide").showModal()

    @on("click", "tour-start")
    def start(self, event: Event | None = None) -> None:
        guide = document.getElementById("guide")
        if guide.open:
            guide.close()
        self.before()
        state = self.state_of()
        self.steps = render.tour_steps(state, state.analysis())
        self.show(0)

    @on("click", "tour-next")
    def next(self, event: Event) -> None:
        self.show(self.step + 1)

    @on("click", "tour-back")
    def back(self, event: Event) -> None:
        self.show(self.step - 1)

    @on("keydown", keys=("ArrowRight", "ArrowLeft"))
    def arrows(self, event: Event) -> None:
        if self.open and closest(event.raw, "#tour") is not None:
            event.raw.preventDefault()
            self.show(self.step + (1 if event.key == "ArrowRight" else -1))

    @on("keydown", keys=("Escape",))
    def escape(self, event: Event) -> None:
        if self.open:
            event.raw.preventDefault()
            self.end()

    def show(self, n: int) -> None:
        self.step = n = max(0, min(n, len(self.steps) - 1))
        for node in document.querySelectorAll("[data-tour-target]"):
            node.removeAttribute("data-tour-target")
        anchor = query(self.steps[n][0])
        card = document.getElementById("tour")
        card.innerHTML = render.tour_card(self.steps, n)
        card.hidden = False
        document.getElementById("tour-ring").hidden = False
        if anchor is not None:
            anchor.setAttribute("data-tour-target", "")
            anchor.scrollIntoView(js.Object.fromEntries([["block", "nearest"], ["inline", "nearest"]]))
        self.place()
        card.querySelector('[data-testid="tour-next"]').focus()

    def place(self) -> None:
        """Ring the step's anchor and put the card beside it (:func:`~cleanlens.web.placement.card_position`)."""
        if not self.open:
            return
        anchor = query("[data-tour-target]")
        card, ring = document.getElementById("tour"), document.getElementById("tour-ring")
        if anchor is None:
            ring.hidden = True
        else:
            rect = rect_of(anchor)
            ring.style.left, ring.style.top = f"{rect.left - 4:.0f}px", f"{rect.top - 4:.0f}px"
            ring.style.width, ring.style.height = f"{rect.width + 8:.0f}px", f"{rect.height + 8:.0f}px"
        left, top = card_position(
            None if anchor is None else rect_of(anchor), card.offsetWidth, card.offsetHeight, *viewport()
        )
        card.style.left, card.style.top = f"{left:.0f}px", f"{top:.0f}px"

    @on("click", "tour-end")
    def end(self, event: Event | None = None, refocus: bool = True) -> None:
        """Close the tour; focus goes back to the Guide button (where the tour can be taken again)."""
        if not self.open:
            return
        self.steps = None
        for node in document.querySelectorAll("[data-tour-target]"):
            node.removeAttribute("data-tour-target")
        document.getElementById("tour").hidden = True
        document.getElementById("tour-ring").hidden = True
        if refocus:
            document.querySelector('[data-action="guide-open"]').focus()
