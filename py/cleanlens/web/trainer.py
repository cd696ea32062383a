"""Training in the page (browser only): cross-validation (or, for probabilities from a file, the analysis) of
the current labels, one run at a time, with progress; and the map's layout for data brought without one.

The engine's step generators run through :func:`cleanlens.web.scheduler.drive`, so the page keeps handling
input. A run works on a copy of the labels: relabelling meanwhile makes its results stale, never lost. Opening
other data stops it (:meth:`Trainer.stop`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import js

from cleanlens import layout
from cleanlens.crossval import CrossValError, Progress, iter_out_of_sample_probabilities, sklearn_available
from cleanlens.steps import Cancelled
from cleanlens.tuning import iter_tune
from cleanlens.web import BUILTIN_EMBEDDING_ROWS, render, worker_client
from cleanlens.web.changes import Changes
from cleanlens.web.dom import document, element, set_stage, set_state
from cleanlens.web.saving import Keeper
from cleanlens.web.scheduler import collector_held, drive, pause, settle, throttled
from cleanlens.web.state import ExplorerState, TrainingError, training_info
from cleanlens.web.wiring import Event, on

PROGRESS_EVERY = 0.25
"""Seconds between two updates of the training progress bar and stage (each costs the next frame a repaint)."""
DETERMINISM_TOLERANCE = 1e-9
"""The largest difference allowed between results trained here and those computed when the site was built."""


def _all_items(labels: list[int], active: list[int], result: Any, where: str) -> tuple[list, dict]:
    """``(probabilities, info)`` of a cross-validation of the ``active`` items: a row per item (None if left out);
    ``where``: "worker" or "page"."""
    js.performance.mark("cleanlens:computed")  # (benchmarks: the training, before the page shows its results)
    info = dict(training_info(result, sklearn_available()), where=where)
    probabilities = [None] * len(labels)
    for i, row in zip(active, result.probabilities):
        probabilities[i] = row
    return probabilities, info


def differs(expected: Sequence, probabilities: Sequence, tolerance: float = DETERMINISM_TOLERANCE) -> float | None:
    """The largest difference between two sets of probability rows if it exceeds ``tolerance``, else None."""
    worst = max(
        (abs(a - b) for row_a, row_b in zip(expected, probabilities) for a, b in zip(row_a, row_b)), default=0.0
    )
    return worst if worst > tolerance or len(expected) != len(probabilities) else None


class Trainer:
    """Runs trainings for the state of ``state_of()``.

    ``apply(changes)``: redraw after a change; ``spawn(coroutine)``: run a background task with the page's
    error handling; ``keeper``: the session store (results are kept so a reload need not train again).
    """

    def __init__(
        self,
        state_of: Callable[[], ExplorerState],
        apply: Callable[[Changes], None],
        spawn: Callable[[Coroutine], Any],
        keeper: Keeper,
    ) -> None:
        self.state_of = state_of
        self.apply = apply
        self.spawn = spawn
        self.keeper = keeper
        self.generation = 0  # bumped by stop(): a running training for older data ends at its next pause
        self.task = None
        self.layout_task = None

    # ------------------------------------------------------------------ controls

    @on("click", "train")
    def train_clicked(self, event: Event) -> None:
        self.start(save=True)

    @on("click", "tune")
    def tune(self, event: Event) -> None:
        """Choose C and gamma by out-of-fold log loss (:mod:`cleanlens.tuning`), then show that training."""
        self.start(save=True, tune=True)

    @on("click", "cancel-training")
    def cancel_training(self, event: Event) -> None:
        """Stop a running training or Tune: the previous results stay."""
        self.spawn(self.stop())

    @on("click", "reseed")
    def reseed(self, event: Event) -> None:
        self.start(seed=self.state_of().engine.seed + 1, save=True)

    @on("change", "engine-setting")
    def engine_setting(self, event: Event) -> Changes:
        """An engine setting was typed: kept if valid (Train then uses it), else explained and the old one kept."""
        return self.state_of().type_engine(event.data["name"], event.value)

    @on("change", "filter-by")
    def filter_by(self, event: Event) -> None:
        """cleanlab's ``filter_by`` for the find-label-issues rule: computed (in steps) the first time it is chosen."""
        self.spawn(self._choose_filter(event.value))

    async def _choose_filter(self, filter_by: str) -> None:
        state = self.state_of()
        if state.training is not None and not state.training.prepared(filter_by):
            set_stage(f"Finding label issues with cleanlab's filter_by={filter_by}…")
            await drive(state.training.iter_prepare(filter_by))
            set_stage("")
        if state is self.state_of():
            self.apply(state.set_filter_by(filter_by))

    @on("click", "accept-all")
    def accept_all(self, event: Event) -> None:
        """Open Accept all's plan, computed (in steps) the first time for this rule."""
        self.spawn(self._open_plan())

    async def _open_plan(self) -> None:
        state = self.state_of()
        if state.training is None:
            return
        if state.plan() is None:
            set_stage("Working out what Accept all would change…")
            await drive(state.iter_plan())
            set_stage("")
        if state is self.state_of():
            self.apply(state.open_accept_all())
            target = document.querySelector('[data-testid="accept-summary"]')
            if target is not None:
                target.focus()  # (a screen reader reads what Accept all will do)

    @on("click", "engine-defaults")
    def engine_defaults(self, event: Event) -> None:
        self.apply(self.state_of().reset_engine())
        document.querySelector('[data-testid="engine-defaults"]').focus()

    # ------------------------------------------------------------------ runs

    def start(
        self,
        seed: int | None = None,
        save: bool = False,
        inputs: tuple[list[int], frozenset[int]] | None = None,
        expected: Sequence | None = None,
        tune: bool = False,
    ) -> None:
        """Start :meth:`run` as a background task (one at a time); see there for the arguments."""
        if not self.state_of().running:
            self.task = self.spawn(self.run(seed, save, inputs, expected, tune))

    async def stop(self) -> None:
        """Stop a running training (it ends at its next pause) and wait for it."""
        self.generation += 1
        task = self.task
        if task is not None and not task.done():
            try:
                await task
            except Exception:  # noqa: BLE001 (its own handler has reported it)
                pass

    async def run(
        self,
        seed: int | None = None,
        save: bool = False,
        inputs: tuple[list[int], frozenset[int]] | None = None,
        expected: Sequence | None = None,
        tune: bool = False,
    ) -> None:
        """Cross-validate (or, for probabilities from a file, analyse) the current labels, yielding to the browser.
        ``tune``: choose C and gamma first (Tune); the engine settings then take the chosen ones.

        ``save``: save the session when done (a training the user asked for; the first one of a dataset is
        not work to keep). ``inputs``: ``(labels, excluded)`` to train on instead of the current ones (to
        recompute a restored session's results: the same inputs and seed give the same results). ``expected``:
        the probabilities this training must reproduce (those computed when the site was built): a difference
        is a determinism bug, reported in the page and the console.
        """
        state = self.state_of()
        if state.running:
            return
        generation = self.generation
        self.apply(state.set_running(True))
        labels, excluded = inputs or (list(state.labels), state.excluded)
        seed = state.engine.seed if seed is None else seed

        def cancelled() -> bool:
            return generation != self.generation

        changes = Changes()
        try:
            if state.given_probabilities is not None:  # probabilities mode: nothing to train, analyse the labels
                probabilities = [None if i in excluded else row for i, row in enumerate(state.given_probabilities)]
                info = {"engine": "file", "source": state.source_name, "seed": seed}
            else:
                probabilities, info = await self._cross_validate(state, labels, excluded, seed, cancelled, tune)
                if tune:
                    state.engine.adopt(info)
            changes = await drive(
                state.finish_training_steps(labels, probabilities, info, excluded), cancelled=cancelled
            )
            mismatch = None if expected is None else differs(expected, probabilities)
            if mismatch is not None:  # the same inputs must give the same results, here as at build time
                changes = changes | state.results_differ(mismatch)
                js.console.error(
                    f"cleanlens: the results trained here differ from those computed when the site was "
                    f"built, by up to {mismatch:.3g}"
                )
        except Cancelled:  # other data was opened meanwhile (it has its own results), or the user cancelled
            if state is self.state_of():
                set_state("ready")
                set_stage("")
                self.apply(state.set_running(False))
            else:
                state.set_running(False)
            return
        except (CrossValError, TrainingError) as exc:  # unusable labelling: say why, keep the previous results
            changes = state.training_failed(str(exc))
        set_state("ready")
        self.apply(changes | state.set_running(False))
        settle()
        js.performance.mark("cleanlens:trained")
        if state.notices.training is None:
            if state.given_probabilities is None:  # a reload then shows these results without training again
                await self.keeper.keep_results(self.keeper.key, state.training)
            if save:
                self.keeper.schedule(state)

    async def _cross_validate(
        self,
        state: ExplorerState,
        labels: list[int],
        excluded: frozenset[int],
        seed: int,
        cancelled: Callable[[], bool],
        tune: bool = False,
    ) -> tuple[list, dict]:
        """Run the cross-validation, showing progress; return ``(probabilities, info)`` (all items).

        It runs in the training worker (:mod:`cleanlens.web.worker_client`), whichever engine; on this page's
        thread only if the worker cannot start, in slices of computing time with the browser's turn after each.
        """
        set_state("training")
        set_stage("Training…")
        dataset, engine = state.dataset, state.engine
        active = [i for i in range(len(labels)) if i not in excluded]
        features, active_labels = [dataset.features[i] for i in active], [labels[i] for i in active]
        show_progress = self._progress_shower()
        client = worker_client.client
        if client.status["state"] != "failed":
            client.start()
            settings = {"C": engine.svm_C, "gamma": engine.svm_gamma, "folds": engine.n_folds, "seed": seed}
            try:
                with collector_held():
                    result = await client.train(
                        features, active_labels, len(dataset.classes), settings, show_progress, pause, cancelled, tune
                    )
                return _all_items(labels, active, result, "worker")
            except worker_client.WorkerUnavailable:
                self.apply(state.set_worker_status(client.status))  # the read-out says so; train here instead
        if len(active) > BUILTIN_EMBEDDING_ROWS:
            raise CrossValError(
                f"{len(active):,} items need scikit-learn in a worker (the built-in engine trains at most "
                f"{BUILTIN_EMBEDDING_ROWS:,}), and the worker could not start: {client.status.get('reason')}"
            )
        if tune:
            steps = iter_tune(features, active_labels, len(dataset.classes), n_folds=engine.n_folds, seed=seed)

            def progress(step: Any) -> None:
                if step is not None:  # (the first pauses, while gamma's scale is computed, say nothing)
                    show_progress(Progress("tune", step.cell, step.n_cells, step.fraction))

            found = await drive(steps, progress, cancelled, every=0.0)
            return _all_items(labels, active, found.result, "page")
        steps = iter_out_of_sample_probabilities(
            features,
            active_labels,
            len(dataset.classes),
            seed=seed,
            C=engine.svm_C,
            gamma=engine.svm_gamma,
            n_folds=engine.n_folds,
        )
        result = await drive(steps, show_progress, cancelled, every=0.0)
        return _all_items(labels, active, result, "page")

    @staticmethod
    def _progress_shower() -> Callable[[Any], None]:
        """A progress callback for the progress bar and the status line, touching the DOM only every
        :data:`PROGRESS_EVERY` seconds (each change costs the next frame a repaint: ~14 ms in Chromium with
        1,000 tiles on the page, 2026-11-28)."""
        due = throttled(PROGRESS_EVERY)
        shown = [""]

        def show(step: Any) -> None:
            if not due():
                return
            progress = element("progress")
            if progress is not None:
                progress.value = step.fraction
            if step.stage == "loading":
                text = render.engine_status(worker_client.client.status).capitalize()
            elif step.stage == "tune":
                text = f"Tuning C and γ: setting {step.fold + 1} of {step.n_folds}…"
            else:
                text = f"Training: {step.fold} of {step.n_folds} folds done…"
            if text != shown[0]:
                set_stage(text)
                shown[0] = text

        return show

    async def restore(self, labels: list[int], excluded: frozenset[int], info: dict) -> bool:
        """Show the saved results without training again: True if they could be restored."""
        state = self.state_of()
        if state.given_probabilities is not None:
            probabilities = [None if i in excluded else row for i, row in enumerate(state.given_probabilities)]
        else:
            probabilities = await self.keeper.results(
                self.keeper.key, labels, excluded, info, len(state.dataset.classes)
            )
            if probabilities is None:
                return False
        try:
            await drive(state.finish_training_steps(labels, probabilities, info, excluded))
        except TrainingError:
            return False
        return True

    # ------------------------------------------------------------------ the map of features

    def ensure_layout(self) -> None:
        """Compute the map of data brought without one (PCA of its features) in the background, once."""
        state = self.state_of()
        if (
            state.map_layout() is not None
            or state.given_probabilities is not None
            or not state.dataset.features
            or (self.layout_task is not None and not self.layout_task.done())
        ):
            return
        self.layout_task = self.spawn(self._compute_layout(state))

    async def _compute_layout(self, state: ExplorerState) -> None:
        started = time.perf_counter()
        result = await drive(layout.iter_pca(state.dataset.features))
        seconds = time.perf_counter() - started
        share = sum(result.explained)
        changes = state.set_layout(
            result.positions,
            f"the first two principal components of your {result.dimensions} standardised features "
            f"({share:.0%} of their variance), computed here in {seconds:.2f} s",
        )
        if state is self.state_of():
            self.apply(changes)
