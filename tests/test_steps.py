"""Step generators: draining, relaying, scaling, monotone progress, cancellation."""

import pytest

from cleanlens import crossval
from cleanlens.steps import Cancelled, cancellable, collect, drain, monotone, relay, scaled


def work(progress, result="done", log=None):
    """A step generator yielding ``progress`` one by one and returning ``result``; ``log`` records its end."""
    try:
        yield from progress
        return result
    finally:
        if log is not None:
            log.append("closed")


def test_drain_returns_the_result_and_passes_every_step_to_progress():
    assert drain(work([0.1, 0.5])) == "done"
    seen = []
    assert drain(work([0.1, None, 0.5]), seen.append) == "done" and seen == [0.1, None, 0.5]
    assert drain(work([], result=None)) is None


def test_scaled_maps_progress_into_its_share_and_keeps_the_result():
    values, result = collect(scaled(work([0.0, 0.5, 1.0]), 0.25, 0.5))
    assert values == [0.25, 0.5, 0.75] and result == "done"


def test_relay_converts_and_calls_resumed_after_each_yield():
    events = []
    steps = relay(work([1, 2]), lambda x: x * 10, lambda: events.append("resumed"))
    assert next(steps) == 10 and events == []
    assert next(steps) == 20 and events == ["resumed"]
    with pytest.raises(StopIteration) as stop:
        next(steps)
    assert stop.value.value == "done" and events == ["resumed", "resumed"]


def test_monotone_never_goes_back_and_stops_at_one():
    assert collect(monotone(work([0.2, 0.1, 0.6, 0.6 - 1e-16, 1.0 + 1e-15]))) == ([0.2, 0.2, 0.6, 0.6, 1.0], "done")


def test_cancellable_closes_the_work_and_raises_cancelled():
    log, wanted = [], [True]
    steps = cancellable(work([1, 2, 3], log=log), lambda: not wanted[0])
    assert next(steps) == 1 and next(steps) == 2
    wanted[0] = False
    with pytest.raises(Cancelled):
        next(steps)
    assert log == ["closed"]


def test_cancellable_runs_to_the_end_when_never_cancelled():
    assert collect(cancellable(work([1, 2]), lambda: False)) == ([1, 2], "done")


def test_cancelled_is_not_an_error_for_the_user_and_crossval_still_exports_it():
    from cleanlens.errors import CleanlensError

    assert not issubclass(Cancelled, CleanlensError)
    assert crossval.Cancelled is Cancelled
