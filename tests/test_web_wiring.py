"""cleanlens.web.wiring: declarations next to handlers, and the dispatcher that finds them."""

import types

import pytest

from cleanlens.web.changes import LABELS, THRESHOLDS, changed
from cleanlens.web.wiring import Binding, Dispatcher, Event, bindings_in, on


class Panel:
    def __init__(self):
        self.calls = []

    @on("click", "go")
    def go(self, event):
        self.calls.append(("go", event.item))
        return changed(LABELS, items=[event.item])

    @on("keydown", keys=("Escape",))
    @on("click", "stop")
    def stop(self, event):
        self.calls.append(("stop", event.key))

    @on("click")
    def anything(self, event):
        self.calls.append(("any", event.action))

    def not_bound(self, event):  # no declaration: never called
        raise AssertionError


def test_methods_are_found_with_their_bindings_in_source_order():
    panel = Panel()
    found = bindings_in(panel)
    assert [(b.kind, b.action, handler.__name__) for b, handler in found] == [
        ("click", "go", "go"),
        ("click", "stop", "stop"),
        ("keydown", None, "stop"),
        ("click", None, "anything"),
    ]


def test_dispatch_calls_every_matching_handler_and_unites_their_changes():
    panel = Panel()
    dispatcher = Dispatcher(bindings_in(panel))
    changes = dispatcher.dispatch(Event("click", action="go", data={"i": "4"}))
    assert changes == changed(LABELS, items=[4])
    assert panel.calls == [("go", 4), ("any", "go")]
    dispatcher.dispatch(Event("keydown", key="Enter"))
    assert panel.calls[-1] == ("any", "go")  # Enter is not a key stop takes
    dispatcher.dispatch(Event("keydown", key="Escape"))
    assert panel.calls[-1] == ("stop", "Escape")
    assert set(dispatcher.kinds) == {"click", "keydown"}
    assert dispatcher.actions("click") and not dispatcher.actions("keydown")


def test_module_handlers_take_the_state_first():
    module = types.ModuleType("handlers")

    @on("input", "slider")
    def slide(state, event):
        state.append(event.integer())
        return changed(THRESHOLDS)

    module.slide = slide
    state = []
    dispatcher = Dispatcher(bindings_in(module, lambda: state))
    assert dispatcher.dispatch(Event("input", action="slider", value="35")) == changed(THRESHOLDS)
    assert state == [35]
    with pytest.raises(ValueError, match="need the state"):
        bindings_in(module)


def test_a_binding_matches_its_action_and_keys():
    assert Binding("keydown", "tab", ("ArrowLeft",)).matches("tab", "ArrowLeft")
    assert not Binding("keydown", "tab", ("ArrowLeft",)).matches("tab", "Enter")
    assert not Binding("click", "tab").matches("other", None)
    assert Binding("click").matches(None, None)
