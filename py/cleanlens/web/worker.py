"""The training worker's Python side: cross-validation requests in, progress and results out, as plain data.

``static/worker.js`` runs Pyodide in a Web Worker, unpacks our package and hands every message from the page to
:meth:`Trainer.handle` (JavaScript objects converted to dicts, typed arrays to memoryviews); everything the trainer
posts goes back to the page. No ``js`` import: the same code runs under CPython in the tests.

Messages from the page (dicts):

- ``{"type": "train", "id": int, "features": buffer, "rows": N, "cols": D, "labels": buffer, "n_classes": K,
  "engine": "sklearn" | "builtin", "C": float, "gamma": float, "folds": int, "seed": int}``: cross-validate.
  ``features``: N x D float64, row-major; ``labels``: N int32. A new ``train`` supersedes a running one.
- ``{"type": "tune", "id": int, "features", "rows", "cols", "labels", "n_classes", "engine", "folds", "seed"}`` and
  optionally ``"cells": [[C, gamma], ...]``: Tune (:func:`cleanlens.tuning.iter_tune`; default its grid around
  gamma 'scale'). Like ``train``, it supersedes a running request and is cancelled the same way.
- ``{"type": "cancel", "id": int}``: stop that training (at its next pause).

Messages to the page (dicts, via ``post``):

- ``{"type": "progress", "id", "stage", "fold", "n_folds", "fraction"}``: a :class:`~cleanlens.crossval.Progress`;
- ``{"type": "result", "id", "probabilities": bytes, "engine", "versions", "C", "gamma", "folds", "seed",
  "seconds", "fold_items": bytes, "fold_sizes": bytes}``: the :class:`~cleanlens.crossval.CVResult`, its
  probabilities N x K float64 and its folds (every fold's items, concatenated, int32, and each fold's size, int32)
  as bytes;
- for ``tune``: ``{"type": "progress", "id", "stage": "tune", "fold": cell, "n_folds": cells, "fraction", "C",
  "gamma", "best": [C, gamma, log loss] or None}`` per pause, then ``{"type": "tuned", "id", "C", "gamma",
  "log_loss", "scores": [[C, gamma, log loss], ...]}`` followed by the chosen cell's ``result`` message (the
  same ``id``), so the page can show its probabilities without training again;
- ``{"type": "cancelled", "id"}``; ``{"type": "error", "id", "message", "kind": "input" | "internal"}`` (``input``:
  a :class:`~cleanlens.crossval.CrossValError`, whose message is for the user).

The trainer pauses (``await pause()``) every :data:`SLICE_SECONDS` of computing, so a ``cancel`` or a newer
``train`` is read within that time, or after the C call in progress (scikit-learn's ``fit`` of one fold cannot be
split: seconds at 20,000 rows; the page then restarts the worker, which is quicker: see
``cleanlens.web.worker_client``).
"""

from __future__ import annotations

import asyncio
import traceback
from array import array
from itertools import chain
from typing import TYPE_CHECKING, Any

from cleanlens.crossval import CrossValError, iter_out_of_sample_probabilities
from cleanlens.tuning import iter_tune

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from cleanlens.crossval import CVResult

SLICE_SECONDS = 0.1
"""Computing time between two pauses. Nothing waits for input in the worker; a pause only lets a ``cancel`` in,
and each costs a macrotask (a few ms at most), so slices are longer than the page's 20 ms."""
STACK_MODULES = ("numpy", "sklearn", "sklearn.svm", "sklearn.preprocessing", "threadpoolctl")
"""What the scikit-learn engine imports, imported once when the stack has been loaded (:func:`warm_up`)."""


def floats(buffer: bytes | memoryview | array) -> list[float]:
    """A buffer of float64 values (a memoryview, bytes or array) as a flat list of floats."""
    return memoryview(buffer).cast("B").cast("d").tolist()


def ints(buffer: bytes | memoryview | array) -> list[int]:
    """A buffer of int32 values as a list of ints."""
    return memoryview(buffer).cast("B").cast("i").tolist()


def rows(flat: list[float], n: int, d: int) -> list[list[float]]:
    """A flat list of ``n * d`` values as ``n`` lists of ``d``."""
    if len(flat) != n * d:
        raise CrossValError(f"{len(flat)} feature values for {n} rows of {d}")
    return [flat[i * d : (i + 1) * d] for i in range(n)]


def result_message(request_id: int, result: CVResult) -> dict[str, Any]:
    """The ``result`` message of a :class:`~cleanlens.crossval.CVResult` (probabilities and folds as bytes)."""
    return {
        "type": "result",
        "id": request_id,
        "probabilities": array("d", chain.from_iterable(result.probabilities)).tobytes(),
        "engine": result.engine,
        "versions": dict(result.versions),
        "C": result.C,
        "gamma": result.gamma,
        "folds": result.n_folds,
        "seed": result.seed,
        "seconds": result.seconds,
        "fold_items": array("i", chain.from_iterable(result.folds)).tobytes(),
        "fold_sizes": array("i", [len(fold) for fold in result.folds]).tobytes(),
    }


def warm_up() -> dict[str, str]:
    """Import the scikit-learn engine's modules (the first import takes seconds); return name -> version of
    scikit-learn, numpy and scipy. Raises ImportError if the stack is not there."""
    import importlib  # noqa: PLC0415

    modules = {name: importlib.import_module(name) for name in STACK_MODULES}
    import scipy  # noqa: PLC0415 (a dependency of scikit-learn: loaded with it)

    return {
        "scikit-learn": modules["sklearn"].__version__,
        "numpy": modules["numpy"].__version__,
        "scipy": scipy.__version__,
    }


def inputs(message: dict[str, Any]) -> tuple[list[list[float]], list[int], int]:
    """``(features, labels, n_classes)`` of a ``train`` or ``tune`` message."""
    features = rows(floats(message["features"]), int(message["rows"]), int(message["cols"]))
    return features, ints(message["labels"]), int(message["n_classes"])


async def _pause():
    await asyncio.sleep(0)


class Trainer:
    """Runs the page's training requests one at a time; the newest wins.

    ``post(message)`` sends a dict to the page; ``pause()`` is awaited between slices (default
    ``asyncio.sleep(0)``: in Pyodide a new macrotask, so the worker's message events run in between) of
    ``slice_seconds`` of computing (0: at every check, as the tests do).
    """

    def __init__(
        self,
        post: Callable[[dict[str, Any]], object],
        pause: Callable[[], Awaitable[object]] = _pause,
        slice_seconds: float = SLICE_SECONDS,
    ) -> None:
        self.post = post
        self.pause = pause
        self.slice_seconds = slice_seconds
        self.current = None  # the id of the training wanted now (None: none)
        self.tasks = set()

    def handle(self, message: dict[str, Any]) -> None:
        """Take one message from the page: start a training (superseding any other) or cancel one."""
        kind = message.get("type")
        if kind in ("train", "tune"):
            self.current = message["id"]
            task = asyncio.ensure_future(self.train(message) if kind == "train" else self.tune(message))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        elif kind == "cancel":
            if self.current == message.get("id"):
                self.current = None
        else:
            self.post(
                {"type": "error", "id": message.get("id"), "message": f"unknown message {kind!r}", "kind": "internal"}
            )

    async def train(self, message: dict[str, Any]) -> None:
        """Cross-validate one request, posting progress and then its result (or why not)."""

        def steps():
            return iter_out_of_sample_probabilities(
                *inputs(message),
                engine=message["engine"],
                C=float(message["C"]),
                gamma=float(message["gamma"]),
                n_folds=int(message["folds"]),
                seed=int(message["seed"]),
                slice_seconds=self.slice_seconds,
            )

        def progress(step):
            return {"stage": step.stage, "fold": step.fold, "n_folds": step.n_folds, "fraction": step.fraction}

        await self._run(message["id"], steps, progress, lambda result: [result_message(message["id"], result)])

    async def tune(self, message: dict[str, Any]) -> None:
        """Tune C and gamma for one request, posting progress, the search's answer and the chosen cell's result."""
        request_id = message["id"]

        def steps():
            cells = message.get("cells")
            return iter_tune(
                *inputs(message),
                None if cells is None else [(float(c), float(g)) for c, g in cells],
                engine=message["engine"],
                n_folds=int(message["folds"]),
                seed=int(message["seed"]),
                slice_seconds=self.slice_seconds,
            )

        def progress(step):
            best = None if step.best is None else list(step.best)
            cell = {"fold": step.cell, "n_folds": step.n_cells, "C": step.C, "gamma": step.gamma, "best": best}
            return {"stage": "tune", "fraction": step.fraction, **cell}

        def answer(found):
            scores = [list(cell) for cell in found.scores]
            tuned = {"C": found.C, "gamma": found.gamma, "log_loss": found.log_loss, "scores": scores}
            return [{"type": "tuned", "id": request_id, **tuned}, result_message(request_id, found.result)]

        await self._run(request_id, steps, progress, answer)

    async def _run(self, request_id, make_steps, progress, answer):
        """Drive the step generator ``make_steps()``: a ``progress`` message per pause, the ``answer(result)``
        messages at its end, ``cancelled`` when superseded, ``error`` when it fails."""
        try:
            steps = make_steps()
            while True:
                try:
                    step = next(steps)
                except StopIteration as stop:
                    result = stop.value
                    break
                self.post({"type": "progress", "id": request_id, **progress(step)})
                await self.pause()
                if self.current != request_id:
                    steps.close()
                    self.post({"type": "cancelled", "id": request_id})
                    return
            for reply in answer(result):
                self.post(reply)
        except CrossValError as exc:
            self.post({"type": "error", "id": request_id, "message": str(exc), "kind": "input"})
        except Exception as exc:  # noqa: BLE001 (a bug or no memory: the page must hear of it, not wait forever)
            text = f"{type(exc).__name__}: {exc}"
            print(traceback.format_exc())  # the worker's console
            self.post({"type": "error", "id": request_id, "message": " ".join(text.split())[:300], "kind": "internal"})
        finally:
            if self.current == request_id:
                self.current = None
