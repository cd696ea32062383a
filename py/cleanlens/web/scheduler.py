"""Long work without freezing the page (browser only): step generators driven with pauses for the browser,
and Python's garbage collector kept out of the way.

Long work (reading files, training, building the analysis) is written as generators that yield every few
milliseconds (:mod:`cleanlens.steps`). :func:`drive` runs one to its end and lets the browser handle input
and paint every :data:`YIELD_EVERY` seconds.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import js
from pyodide.ffi import create_once_callable

from cleanlens.steps import Cancelled

YIELD_EVERY = 0.03
"""Seconds of work between two chances for the browser to handle input and paint. The generators this
module drives yield every few milliseconds, so no task runs much longer than this."""
_GC_HOLDS = [0]  # drives running (the collector is back on when none is)


async def pause() -> None:
    """Let the browser handle input and paint: ``scheduler.yield()`` where the browser has it, else a new task."""
    scheduler = getattr(js, "scheduler", None)
    if scheduler is not None and hasattr(scheduler, "yield"):
        await getattr(scheduler, "yield")()
        return

    def wait(resolve: Any, reject: Any) -> None:
        js.setTimeout(resolve, 0)

    await js.Promise.new(create_once_callable(wait))


async def drive(
    steps: Generator[Any, None, Any],
    progress: Callable[[Any], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    every: float | None = None,
) -> Any:
    """Run a generator to its end, pausing for the browser every ``every`` seconds (default :data:`YIELD_EVERY`;
    0 pauses after every step, for generators that already yield by time); return its value.

    ``progress(value)`` is called with each value the generator yields that is not None; ``cancelled()``,
    if given, is checked at every pause and raises :class:`~cleanlens.crossval.Cancelled` when true.

    Python's cyclic garbage collector is held off meanwhile: with 100,000 rows in memory one full collection
    takes 150-300 ms in Pyodide, a frozen tab; this work makes little cyclic garbage (see :func:`settle`).
    """
    with collector_held():
        last = time.perf_counter()
        while True:
            try:
                value = next(steps)
            except StopIteration as stop:
                return stop.value
            if progress is not None and value is not None:
                progress(value)
            if time.perf_counter() - last >= (YIELD_EVERY if every is None else every):
                await pause()
                if cancelled is not None and cancelled():
                    steps.close()
                    raise Cancelled()
                last = time.perf_counter()


@contextmanager
def collector_held() -> Iterator[None]:
    """Python's cyclic garbage collector off meanwhile (back on when no one holds it): long work makes little
    cyclic garbage, and one full collection walks every row in memory (150-300 ms at 100,000 rows in Pyodide)."""
    _GC_HOLDS[0] += 1
    gc.disable()
    try:
        yield
    finally:
        _GC_HOLDS[0] -= 1
        if not _GC_HOLDS[0]:
            gc.enable()


def settle() -> None:
    """After data was loaded and analysed: move everything alive now out of the collector's sight.

    ``gc.freeze()``: the dataset and results live as long as the data is open, and later collections
    (during slider steps) need not walk them. Data that is dropped is still freed by reference counting;
    :func:`unsettle` hands it back to the collector before other data is opened.
    """
    gc.freeze()


def unsettle() -> None:
    gc.unfreeze()


def throttled(every: float) -> Callable[[], bool]:
    """A clock that says True at most once per ``every`` seconds (progress updates cost a repaint each)."""
    last = [-every]

    def due() -> bool:
        now = time.perf_counter()
        if now - last[0] < every:
            return False
        last[0] = now
        return True

    return due
