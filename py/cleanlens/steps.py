"""Step generators: long work in steps, so that a browser can pause between them (pure).

A *step generator* does long work in steps. Between two steps it yields a progress value (a float in
[0, 1], a :class:`cleanlens.crossval.Progress`, or ``None`` when it reports no fraction); its result is
its return value, the ``value`` of the ``StopIteration`` that ends it. The engine's step generators
(``iter_*`` functions) take ``due``, a callable returning True when the caller wants control back, and
yield only then; where they pause never changes their result. Each has a plain function beside it that
runs it with :func:`drain`.

The helpers here compose them:

- :func:`drain`: run one to its end and return its result (optionally passing every yield to a callback);
- :func:`relay`: yield what it yields, converted, and call a function each time it is resumed;
- :func:`scaled`: map a sub-task's progress x in [0, 1] into the range ``start + share * x`` of its caller;
- :func:`monotone`: progress that never goes back and never exceeds 1;
- :func:`cancellable`: stop it when the caller says so (below);
- :func:`collect`: every value it yields, with its result (for tests and benchmarks).

Cancellation, one convention: whoever resumes a step generator decides whether to go on. It is given
``cancelled``, a callable without arguments returning True once the work is no longer wanted, and checks
it each time it resumes the generator after a pause; when it returns True the generator is closed and
:class:`Cancelled` is raised to the caller. Step generators themselves never check for cancellation:
abandoning one (not resuming it, or closing it) is always safe. :func:`cancellable` applies this to a
generator; the page's driver (``cleanlens.web.app.drive``) applies it at its own pauses.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

Y = TypeVar("Y")
Z = TypeVar("Z")
R = TypeVar("R")

Steps = Generator[Y, Any, R]
"""A step generator yielding ``Y`` and returning ``R``."""
Due = Callable[[], bool]
"""The ``due`` of an engine step generator: True when the caller wants control back (it then yields)."""


class Cancelled(Exception):
    """The caller stopped a step generator before its end (see the module's convention).

    Not a :class:`~cleanlens.errors.CleanlensError`: it reports no problem with an input, only that the
    work is no longer wanted (other data was opened, say), so nothing is shown to the user.
    """


def drain(steps: Iterator[Y], progress: Callable[[Y], object] | None = None) -> Any:
    """Run the generator ``steps`` to its end and return its return value.

    ``progress``, if given, is called with every value it yields; otherwise the values are ignored.

    >>> def count_to(n):
    ...     for i in range(n):
    ...         yield i / n
    ...     return n
    >>> drain(count_to(3))
    3
    >>> seen = []
    >>> drain(count_to(2), seen.append), seen
    (2, [0.0, 0.5])
    """
    try:
        if progress is None:
            while True:
                next(steps)
        else:
            while True:
                progress(next(steps))
    except StopIteration as stop:
        return stop.value


def relay(
    steps: Iterator[Y], convert: Callable[[Y], Z] | None = None, resumed: Callable[[], object] | None = None
) -> Steps[Z, R]:
    """A step generator that runs ``steps``, yielding ``convert(x)`` for each x it yields (x itself without
    ``convert``) and calling ``resumed()`` each time it is resumed after such a yield; its return value is
    that of ``steps``.

    ``resumed`` may raise (e.g. :class:`Cancelled`); ``steps`` is then closed and the exception passes on.

    >>> drain(relay(iter([1, 2]), str), print)
    1
    2
    """
    while True:
        try:
            x = next(steps)
        except StopIteration as stop:
            return stop.value
        yield x if convert is None else convert(x)
        if resumed is not None:
            try:
                resumed()
            except BaseException:
                close = getattr(steps, "close", None)  # a generator; a plain iterator has nothing to close
                if close is not None:
                    close()
                raise


def scaled(steps: Steps[float, R], start: float, share: float) -> Steps[float, R]:
    """A step generator that runs ``steps``, yielding ``start + share * x`` for each progress x it yields, and
    returns its return value: a sub-task's progress [0, 1] mapped into ``[start, start + share]``.

    >>> def halves():
    ...     yield 0.5
    ...     yield 1.0
    ...     return "done"
    >>> collect(scaled(halves(), 0.2, 0.4))
    ([0.4, 0.6000000000000001], 'done')
    """
    return relay(steps, lambda x: start + share * x)


def monotone(steps: Steps[float, R]) -> Steps[float, R]:
    """A step generator that runs ``steps`` and yields its progress made non-decreasing and at most 1.0 (each
    value is the largest so far, starting from 0.0); returns its return value.

    For progress computed as sums of fractions, whose rounding may step back by an ulp.

    >>> collect(monotone(iter([0.3, 0.2, 0.7, 1.2])))
    ([0.3, 0.3, 0.7, 1.0], None)
    """
    last = 0.0

    def clamp(x: float) -> float:
        nonlocal last
        last = min(1.0, max(last, x))
        return last

    return relay(steps, clamp)


def cancellable(steps: Steps[Y, R], cancelled: Callable[[], bool]) -> Steps[Y, R]:
    """A step generator that runs ``steps`` and, each time it is resumed after a yield, stops it (closes it and
    raises :class:`Cancelled`) if ``cancelled()`` returns True; otherwise yields and returns what it does.

    >>> stop = []
    >>> run = cancellable(iter([1, 2, 3]), lambda: bool(stop))
    >>> next(run), next(run)
    (1, 2)
    >>> stop.append(True)
    >>> next(run)
    Traceback (most recent call last):
    ...
    cleanlens.steps.Cancelled
    """

    def check() -> None:
        if cancelled():
            raise Cancelled()

    return relay(steps, resumed=check)


def collect(steps: Steps[Y, R]) -> tuple[list[Y], R]:
    """Run ``steps`` to its end: ``(values, result)``, the list of the values it yielded and its return value."""
    values: list[Y] = []
    result = drain(steps, values.append)
    return values, result
