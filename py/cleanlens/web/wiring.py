"""Event wiring declared next to its handler, in the spirit of PyScript's ``@when`` and Textual's ``@on`` (pure).

A handler says which events it takes with :func:`on`::

    @on("input", "class-percentile")
    def class_percentile(state, event):
        return state.set_class_percentile(event.integer())

    class Tour:
        @on("keydown", keys=("Escape",))
        def leave(self, event): ...

``on(kind, action)`` takes DOM events of type ``kind`` coming from an element with ``data-action="action"``
(or from inside one); without ``action``, every event of that type; ``keys`` narrows ``keydown`` to those keys
(``event.key``). The page listens once per event type on the document and calls, in declaration order, every
handler whose binding matches (:class:`Dispatcher`). A handler gets an :class:`Event` (plain data, so pure
handlers are tested without a browser) and returns the :class:`~cleanlens.web.changes.Changes` it made to the
state, or None.

Handlers are functions of a module (``handler(state, event)``: :func:`bindings_in` binds them to the state) or
methods of an object (``handler(event)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from cleanlens.web.changes import NOTHING, Changes

Handler = Callable[["Event"], Changes | None]


@dataclass(frozen=True)
class Binding:
    """``kind``: the DOM event type; ``action``: the ``data-action`` it must come from (None: any element);
    ``keys``: for ``keydown``, the keys it takes (empty: any); ``prevent``: the page calls ``preventDefault()``
    when the handler runs (a key the handler uses must not also scroll the page)."""

    kind: str
    action: str | None = None
    keys: tuple[str, ...] = ()
    prevent: bool = False

    def matches(self, action: str | None, key: str | None) -> bool:
        return (self.action is None or self.action == action) and (not self.keys or key in self.keys)


@dataclass(frozen=True)
class Event:
    """What a handler learns of a DOM event.

    ``kind``: its type; ``action``: the ``data-action`` of the element it came from (or None); ``value``,
    ``checked``: that element's value and checked state; ``data``: its ``data-*`` attributes (``data-i`` as
    ``data["i"]``); ``key``: the key of a ``keydown``; ``target``, ``raw``: the element and the DOM event
    themselves (None outside the browser), for the few handlers that work on the page itself.
    """

    kind: str
    action: str | None = None
    value: str | None = None
    checked: bool = False
    data: Mapping[str, str] = field(default_factory=dict)
    key: str | None = None
    target: Any = None
    raw: Any = None

    def integer(self, name: str | None = None) -> int:
        """The element's value (or its ``data-<name>``) as a whole number."""
        return int(self.value if name is None else self.data[name])

    @property
    def item(self) -> int:
        """The item the element stands for (its ``data-i``)."""
        return int(self.data["i"])


def on(kind: str, action: str | None = None, *, keys: Iterable[str] = (), prevent: bool = False) -> Callable:
    """Declare that the decorated handler takes ``kind`` events from ``data-action="action"`` (see module)."""
    binding = Binding(kind, action, tuple(keys), prevent)

    def declare(handler: Callable) -> Callable:
        handler.__dict__.setdefault("bindings", []).append(binding)
        return handler

    return declare


def _declared(owner: object) -> Iterable[tuple[str, Callable]]:
    names = owner.__dict__ if isinstance(owner, ModuleType) else dir(type(owner))
    for name in names:
        member = getattr(owner, name, None)
        if callable(member) and getattr(member, "bindings", None):
            yield name, member


def bindings_in(owner: object, state_of: Callable[[], Any] | None = None) -> list[tuple[Binding, Handler]]:
    """The handlers ``owner`` declares with :func:`on`, with their bindings, in source order.

    ``owner``: an object (its methods) or a module (its functions, which take the state first: ``state_of()``
    gives it at each call).
    """
    found = []
    for _name, member in _declared(owner):
        code = getattr(member, "__code__", None) or getattr(getattr(member, "__func__", None), "__code__", None)
        line = code.co_firstlineno if code is not None else 0
        if isinstance(owner, ModuleType):
            if state_of is None:
                raise ValueError(f"{owner.__name__}: module handlers need the state (state_of)")
            handler = _with_state(member, state_of)
        else:
            handler = member
        for binding in member.bindings:
            found.append((line, binding, handler))
    found.sort(key=lambda entry: entry[0])
    return [(binding, handler) for _line, binding, handler in found]


def _with_state(function: Callable, state_of: Callable[[], Any]) -> Handler:
    def handler(event: Event) -> Changes | None:
        return function(state_of(), event)

    handler.__name__ = function.__name__
    return handler


class Dispatcher:
    """Every declared binding, by event type: :meth:`handlers` finds those an event calls."""

    def __init__(self, bindings: Iterable[tuple[Binding, Handler]]) -> None:
        self.by_kind: dict[str, list[tuple[Binding, Handler]]] = {}
        for binding, handler in bindings:
            self.by_kind.setdefault(binding.kind, []).append((binding, handler))

    @property
    def kinds(self) -> list[str]:
        """The event types some handler takes."""
        return list(self.by_kind)

    def actions(self, kind: str) -> bool:
        """True if some handler of ``kind`` events asks for a ``data-action`` (the page then looks it up)."""
        return any(binding.action is not None for binding, _ in self.by_kind.get(kind, ()))

    def handlers(self, kind: str, action: str | None, key: str | None = None) -> list[tuple[Binding, Handler]]:
        """The bindings and handlers an event of type ``kind`` from ``action`` (and ``key``) calls, in order."""
        return [(b, h) for b, h in self.by_kind.get(kind, ()) if b.matches(action, key)]

    def dispatch(self, event: Event) -> Changes:
        """Call every handler ``event`` matches; the union of the changes they made."""
        changes = NOTHING
        for _binding, handler in self.handlers(event.kind, event.action, event.key):
            changes = changes | (handler(event) or NOTHING)
        return changes
