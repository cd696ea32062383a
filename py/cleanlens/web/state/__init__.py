"""The explorer's state: the data, the user's work, the view, the engine settings, the notices and the
results (pure; no DOM).

Every change goes through a method of :class:`ExplorerState` that returns the
:class:`~cleanlens.web.changes.Changes` it made; the browser glue (:mod:`cleanlens.web.app`) hands them to
the screen, which re-renders what depends on them. Tests drive the state directly.

The state is made of four parts, each a plain dataclass:

- :class:`~.work.Work` (``state.work``): the labels as edited and the decisions;
- :class:`~.view.View` (``state.view``): sliders, rule, selection, filters, tabs;
- :class:`~.engine.EngineSettings` (``state.engine``): C, gamma, folds and seed of the next training;
- :class:`~.notices.Notices` (``state.notices``): what the page says above the panels;

plus the results (``state.training``, a :class:`~.training.Training`) and what is derived from them.

Data flow (docs/architecture.md): dataset -> labels (the user may change them) -> out-of-sample
probabilities (slow, once per labelling: :class:`Training`) -> confident learning for the current sliders
(fast: :meth:`ExplorerState.analysis`). The analysis always uses the labels the probabilities were trained on;
labels changed since then make the results *stale* until the user retrains.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from datetime import datetime
from itertools import compress, repeat
from operator import eq
from typing import Any

from cleanlens import rank, report
from cleanlens.confident import CATEGORIES, Categorization, labelling_warnings
from cleanlens.crossval import DEFAULT_FOLDS
from cleanlens.dataset import Dataset
from cleanlens.scoring import KindScores, Score, Sweep
from cleanlens.web.changes import (
    CELL,
    CENTER_TAB,
    DATA,
    DECISIONS,
    ENGINE,
    LABELS,
    LAYOUT,
    LIST,
    NOTHING,
    NOTICES,
    PREVIEW,
    RESULT_TAB,
    RESULTS,
    RULE,
    SELECTION,
    SWEEP_METRIC,
    TABLE_SORT,
    THRESHOLDS,
    TRAINING,
    Changes,
    changed,
)

from .accepting import AcceptChoice, Reviewing
from .carryover import CarryOver
from .engine import ENGINE_DEFAULTS, ENGINE_KEYS, ENGINE_LIMITS, EngineSettingError, EngineSettings
from .fragment import apply_fragment, to_fragment
from .health import DatasetHealth, dataset_health
from .notices import Notices
from .training import QUALITY_METHOD, Training, TrainingError, training_info
from .view import CATEGORY_FILTERS, CENTER_TABS, DEMO_RULE, METRICS, OWN_DATA_RULE, RESULT_TABS, RULES, SORTS, View
from .work import DECISIONS as DECISION_NAMES
from .work import Work

__all__ = [
    "CATEGORY_FILTERS",
    "CENTER_TABS",
    "DECISION_NAMES",
    "DatasetHealth",
    "ENGINE_DEFAULTS",
    "ENGINE_KEYS",
    "ENGINE_LIMITS",
    "METRICS",
    "QUALITY_METHOD",
    "RESULT_TABS",
    "RULES",
    "SORTS",
    "EngineSettingError",
    "EngineSettings",
    "ExplorerState",
    "Notices",
    "Training",
    "TrainingError",
    "View",
    "Work",
    "training_info",
]


class ExplorerState(Reviewing):
    """Everything the explorer shows, as plain data; see the module docstring.

    ``dataset``: the data (a :class:`~cleanlens.dataset.Dataset`); ``source_name``, ``source_sha256``: its file
    name(s) and hash; ``given_probabilities``: the probabilities of the user's file (N rows) in probabilities
    mode (nothing is trained then: "Train" re-analyses), else None; ``is_demo``: the demo dataset.
    """

    def __init__(
        self,
        dataset: Dataset,
        *,
        source_name: str = "",
        source_sha256: str = "",
        given_probabilities: Sequence[Sequence[float]] | None = None,
        is_demo: bool = True,
    ) -> None:
        self.dataset = dataset
        self.source_name, self.source_sha256 = source_name, source_sha256
        self.given_probabilities = given_probabilities
        self.is_demo = is_demo
        self.has_images = any(dataset.images)
        self.work = Work(dataset.given, len(dataset.classes))
        self.view = View(rule=DEMO_RULE if is_demo else OWN_DATA_RULE)
        own_features = not is_demo and given_probabilities is None and dataset.features
        self.engine = EngineSettings.for_features(dataset.features if own_features else None)
        """gamma defaults to scikit-learn's 'scale' for features of your own (the demo keeps 0.003)."""
        self.notices = Notices()
        self.training: Training | None = None
        self.running = False
        """True while a training (or re-analysis) runs."""
        self.worker: dict[str, Any] = {}
        """The training worker's status (:attr:`cleanlens.web.worker_client.WorkerClient.status`), for the
        engine read-out."""
        self.layout: list[tuple[float, float]] | None = None
        """A 2-D position per item computed in the page (PCA of the features) when the dataset has none."""
        self.layout_note = ""
        self.accepting: AcceptChoice | None = None
        """Accept all's open plan, or None (:mod:`.accepting`)."""
        self.carried: CarryOver | None = None
        """The decisions carried over from the previous file when this one was loaded on top (:mod:`.carryover`)."""
        self._cache: dict[Any, Any] = {}

    @property
    def labels(self) -> list[int]:
        """The current labels (N class indices): the work's, read-only here (change them with :meth:`relabel`)."""
        return self.work.labels

    # ----------------------------------------------------------------- the view

    def set_class_percentile(self, q: float) -> Changes:
        """Move the class slider; the OOD percentile follows down to keep q_ood <= q_class."""
        return changed(THRESHOLDS) if self.view.set_class_percentile(q) else NOTHING

    def set_ood_percentile(self, q: float) -> Changes:
        """Move the OOD slider; the class percentile follows up to keep q_ood <= q_class."""
        return changed(THRESHOLDS) if self.view.set_ood_percentile(q) else NOTHING

    def set_percentiles(self, q_class: int, q_ood: int) -> Changes:
        """Move both sliders (a cell of the threshold sweep)."""
        return self.set_class_percentile(q_class) | self.set_ood_percentile(q_ood)

    def set_rule(self, rule: str) -> Changes:
        """Choose the rule that flags label issues (one of :data:`~.view.RULES`)."""
        return changed(RULE, THRESHOLDS) if self.view.set_rule(rule) else NOTHING

    def set_filter_by(self, filter_by: str) -> Changes:
        """Choose cleanlab's ``filter_by`` for the ``find-label-issues`` rule (computed first if needed:
        :meth:`~.training.Training.iter_prepare`, which the page runs in steps)."""
        return changed(RULE, THRESHOLDS) if self.view.set_filter_by(filter_by) else NOTHING

    def select(self, item: int | None) -> Changes:
        """Pin ``item`` (a click or Enter): the Why? panel's actions apply to it. The preview ends."""
        if item == self.view.selected and self.view.preview is None:
            return NOTHING
        self.view.selected, self.view.preview = item, None
        return changed(SELECTION, PREVIEW)

    def show_preview(self, item: int | None) -> Changes:
        """Show ``item`` (pointed at or focused; None: none) in the Why? panel without pinning it."""
        preview = None if item == self.view.selected else item
        if preview == self.view.preview:
            return NOTHING
        self.view.preview = preview
        return changed(PREVIEW)

    def choose_cell(self, given: int, suggested: int) -> Changes:
        """Show the items of one cell of the confident joint in the results."""
        k = len(self.dataset.classes)
        if not (0 <= given < k and 0 <= suggested < k):
            raise ValueError(f"no cell ({given}, {suggested}) with {k} classes")
        self.view.cell, self.view.result_tab = (given, suggested), "cell"
        return changed(CELL, RESULT_TAB)

    def set_center_tab(self, tab: str) -> Changes:
        return self._set_choice("center_tab", tab, CENTER_TABS, CENTER_TAB)

    def set_result_tab(self, tab: str) -> Changes:
        if tab == "cell" and self.view.cell is None:
            return NOTHING
        return self._set_choice("result_tab", tab, RESULT_TABS, RESULT_TAB)

    def set_sweep_metric(self, metric: str) -> Changes:
        return self._set_choice("sweep_metric", metric, METRICS, SWEEP_METRIC)

    def set_sort(self, sort: str) -> Changes:
        return self._set_choice("sort", sort, SORTS, LIST)

    def set_filter_category(self, category: str | None) -> Changes:
        return self._set_choice("filter_category", category, (None, *CATEGORY_FILTERS), LIST)

    def set_filter_class(self, k: int | None) -> Changes:
        return self._set_choice("filter_class", k, (None, *range(len(self.dataset.classes))), LIST)

    def sort_table(self, column: str) -> Changes:
        """Sort the probability table by ``column`` (see :meth:`table_order`); again: the other way round."""
        self.view.sort_table_by(column)
        return changed(TABLE_SORT)

    def _set_choice(self, name: str, value: Any, allowed: Sequence[Any], aspect: str) -> Changes:
        if value not in allowed:
            raise ValueError(f"{name}: {value!r} is not one of {list(allowed)}")
        if getattr(self.view, name) == value:
            return NOTHING
        setattr(self.view, name, value)
        return changed(aspect)

    # ----------------------------------------------------------------- the user's work

    def relabel(self, item: int, label: int) -> Changes:
        """Give ``item`` a new label (0..K-1)."""
        return changed(LABELS, items=[item]) if self.work.relabel(item, label) else NOTHING

    def suggestion(self, item: int) -> int | None:
        """The label the current results suggest for ``item``, or None."""
        result = self.analysis()
        return None if result is None else result.suggested[item]

    def accept(self, item: int) -> Changes:
        """Accept the suggested label of ``item`` (the current results'); nothing if there is none."""
        label = self.suggestion(item)
        if label is None:
            return NOTHING
        self.work.decide(item, "accept", label)
        return changed(LABELS, DECISIONS, items=[item])

    def keep(self, item: int) -> Changes:
        """Keep the original given label (undoing an edit), and record that the user checked it."""
        self.work.decide(item, "keep", self.dataset.given[item])
        return changed(LABELS, DECISIONS, items=[item])

    def exclude(self, item: int) -> Changes:
        """Mark ``item`` as out of distribution: left out of the next training; the export says so."""
        self.work.decide(item, "exclude")
        return changed(DECISIONS, items=[item])

    def undo(self, item: int) -> Changes:
        """Forget the decision on ``item`` and restore its original label."""
        self.work.decide(item, None, self.dataset.given[item])
        return changed(LABELS, DECISIONS, items=[item])

    def label_changes(self) -> dict[int, int]:
        """``{item: label}`` for every item whose current label differs from its given label."""
        return self.work.label_changes()

    @property
    def excluded(self) -> frozenset[int]:
        return self.work.excluded

    # ----------------------------------------------------------------- engine settings and training

    def set_engine(self, name: str, value: object) -> Changes:
        """Set an engine setting (``svm_C``, ``svm_gamma`` or ``n_folds``) from a number or text; raises
        :class:`EngineSettingError` with a readable message when it is not a number in :data:`ENGINE_LIMITS`."""
        return changed(ENGINE) if self.engine.set(name, value) else NOTHING

    def type_engine(self, name: str, text: str) -> Changes:
        """The user typed an engine setting: use it if valid, else keep the old one and say why."""
        before = self.notices.engine
        try:
            changes = self.set_engine(name, text)
        except EngineSettingError as exc:
            self.notices.engine = (name, str(exc))
            return changed(NOTICES)
        self.notices.engine = None
        return changes | (changed(NOTICES) if before else NOTHING)

    def reset_engine(self) -> Changes:
        """The engine settings' defaults."""
        refused, self.notices.engine = self.notices.engine, None
        return (changed(ENGINE) if self.engine.reset() else NOTHING) | (changed(NOTICES) if refused else NOTHING)

    def set_worker_status(self, status: dict[str, Any]) -> Changes:
        """The training worker's status changed (starting, loading scikit-learn, ready, failed)."""
        if status == self.worker:
            return NOTHING
        self.worker = dict(status)
        return changed(TRAINING)

    def set_running(self, running: bool) -> Changes:
        """A training starts or ends."""
        if self.running == running:
            return NOTHING
        self.running = running
        return changed(TRAINING)

    def finish_training(
        self, labels: Sequence[int], probabilities: Sequence, info: dict, excluded: frozenset[int] = frozenset()
    ) -> Changes:
        """Store a finished run: trained on ``labels`` (a copy taken when it started) without the ``excluded``
        items. ``probabilities`` has a row for every item, ``None`` for excluded ones."""
        steps = self.finish_training_steps(labels, probabilities, info, excluded)
        while True:
            try:
                next(steps)
            except StopIteration as stop:
                return stop.value

    def finish_training_steps(
        self, labels: Sequence[int], probabilities: Sequence, info: dict, excluded: frozenset[int] = frozenset()
    ) -> Generator[None, None, Changes]:
        """:meth:`finish_training` as a generator that yields between chunks of work (for the browser)."""
        training = yield from Training.steps(labels, probabilities, info, excluded, self.dataset.truth)
        self.training = training
        seed, self.engine.seed = self.engine.seed, info.get("seed", self.engine.seed)
        self.notices.training = self.notices.determinism = None
        self._cache.clear()
        return changed(RESULTS) | (changed(ENGINE) if seed != self.engine.seed else NOTHING)

    def results_differ(self, worst: float) -> Changes:
        """The results trained here differ by up to ``worst`` from those computed when the site was built (a bug)."""
        self.notices.determinism = worst
        return changed(NOTICES)

    def training_failed(self, message: str) -> Changes:
        """The last training could not run (the previous results stay): say why."""
        self.notices.training = message
        return changed(NOTICES)

    def set_layout(self, positions: list[tuple[float, float]], note: str) -> Changes:
        """The map's positions computed in the page, and how."""
        self.layout, self.layout_note = positions, note
        return changed(LAYOUT)

    @property
    def stale(self) -> bool:
        """True if the labels or the excluded items changed since the probabilities were computed."""
        return self.training is not None and (
            self.training.labels != self.work.labels or self.training.excluded != self.work.excluded
        )

    @property
    def can_train(self) -> bool:
        """True if Train (features) can run: never again for probabilities from a file, whose analysis is of the
        file's labels (decisions are marks on it: new probabilities from a model trained on the fixed labels
        check them)."""
        if self.given_probabilities is not None:
            return self.training is None
        return self.training is None or self.stale or self.engine_changed

    @property
    def engine_changed(self) -> bool:
        """True if the engine settings differ from those the shown results were trained with (never for
        probabilities from a file, which are not trained)."""
        if self.training is None or self.given_probabilities is not None:
            return False
        return self.engine.differ_from(self.training.info)

    # ----------------------------------------------------------------- derived

    def map_layout(self) -> list[tuple[float, float]] | None:
        """The 2-D positions the Map draws: the dataset's own, or those computed in the page, or None."""
        return self.dataset.layout if self.dataset.layout is not None else self.layout

    def analysis(self) -> Categorization | None:
        """Confident learning at the current sliders and rule (cached per setting), or None before training."""
        if self.training is None:
            return None
        view = self.view
        key = (view.q_class, view.q_ood, view.rule, view.filter_by)
        if key not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = self.training.categorize(view.q_class, view.q_ood, view.rule, view.filter_by)
        return self._cache[key]

    def sweep(self) -> Sweep | None:
        """Scores over the percentile grid for the trained labels (cached per training), or None without truth."""
        if self.training is None or self.dataset.truth is None:
            return None
        if "sweep" not in self._cache:
            self._cache["sweep"] = self.training.sweep()
        return self._cache["sweep"]

    def health(self) -> DatasetHealth | None:
        """The Dataset health tab's numbers for the trained items (:mod:`.health`; computed with the training,
        cached), or None before training."""
        if self.training is None:
            return None
        if "health" not in self._cache:
            self._cache["health"] = dataset_health(self.training.health)
        return self._cache["health"]

    def score(self) -> Score | None:
        """The score of the current results against the known errors of the trained labels, or None."""
        if self.training is None:
            return None
        view = self.view
        return self.training.score(view.q_class, view.q_ood, view.rule, view.filter_by)

    def scores_by_kind(self) -> KindScores | None:
        """The current results' score by kind against the truth (label issues; OOD), or None."""
        if self.training is None:
            return None
        view = self.view
        return self.training.scores_by_kind(view.q_class, view.q_ood, view.rule, view.filter_by)

    def known_errors(self) -> list[int]:
        """Items, not excluded, whose *current* label is wrong by the dataset's ground truth (empty if unknown)."""
        excluded = self.work.excluded
        return [i for i in self.dataset.known_errors(self.work.labels) if i not in excluded]

    def visible_items(self) -> list[int]:
        """Indices shown in the dataset panel under the current filter and sort (a list; cached per view)."""
        view, labels = self.view, self.work.labels
        result = self.analysis()
        key = (
            "visible",
            view.filter_class,
            view.filter_category,
            view.sort,
            tuple(labels) if view.sort == "given" else None,
            (view.q_class, view.q_ood, view.rule, view.filter_by) if view.filter_category else None,
        )
        if key in self._cache:
            return self._cache[key]
        n = len(labels)
        if view.filter_category is not None and result is not None:
            if view.filter_category == "excluded":
                items = sorted(self.training.excluded)
            else:
                items = list(result.iter_items(view.filter_category))
        elif view.filter_category is not None:
            items = []  # nothing has a category before training
        else:
            items = range(n)
        if view.filter_class is not None:
            items = list(compress(items, map(eq, map(labels.__getitem__, items), repeat(view.filter_class))))
        if view.sort == "given":
            items = sorted(items, key=lambda i: (labels[i], i))
        elif view.sort in ("quality", "quality-desc") and self.training is not None:
            order = self.training.quality_order + sorted(self.training.excluded)  # no score: last
            if len(items) < n:
                keep = set(items)
                order = [i for i in order if i in keep]
            items = order[::-1] if view.sort == "quality-desc" else order
        self._cache[key] = items = list(items)
        return items

    def table_order(self) -> list[int]:
        """The trained items in the probability table's sort order (``view.table_sort``: column, ascending).

        Columns: ``index``, ``id``, ``given`` (the trained label), ``quality`` (label quality score),
        ``p<k>`` (probability of class k), ``suggested`` and ``category`` (these two follow the sliders); ties
        are broken by index. Cached per training, sort and (for the last two) slider position.
        """
        view = self.view
        column, ascending = view.table_sort
        result = self.analysis()
        dynamic = column in ("suggested", "category")
        position = (view.q_class, view.q_ood, view.rule, view.filter_by)
        key = ("table", column, ascending, position if dynamic else None)
        if key in self._cache:
            return self._cache[key]
        training = self.training
        active = training.active
        if column == "index":
            order = list(active)
        elif column == "id":
            ids = self.dataset.ids
            order = sorted(active, key=lambda i: (ids[i], i))
        elif column == "given":
            labels = training.labels
            order = sorted(active, key=lambda i: (labels[i], i))
        elif column == "quality":
            order = list(training.quality_order)
        elif column == "category":
            order = [i for name in CATEGORIES for i in result.iter_items(name)]  # codes ascending, then index
        elif column == "suggested":
            suggested = result.suggested
            order = sorted(active, key=lambda i: (-1 if suggested[i] is None else suggested[i], i))
        else:
            k = int(column[1:])
            probabilities = training.probabilities
            order = sorted(active, key=lambda i: (probabilities[i][k], i))
        if not ascending:
            order.reverse()
        self._cache[key] = order
        return order

    def export(
        self, kind: str, now: datetime | None = None, *, probabilities: bool = False, method: str | None = None
    ) -> tuple[str, str]:
        """The findings and fixes as ``(file name, text)``; needs a training (:mod:`cleanlens.report`).

        ``kind``: ``csv`` (the rows, plain CSV), ``json`` (audit and rows) or ``audit`` (the audit of the
        CSV export, its second download); file names from :func:`cleanlens.report.export_file_name`.
        ``probabilities``: add the ``p_<class>`` columns. ``method``: the label quality score
        (:data:`cleanlens.rank.METHODS`; default ``self_confidence``). ``csv`` and ``json`` clear
        ``work.unexported``.
        """
        method = method or rank.DEFAULT_METHOD
        name = report.export_file_name(self.source_name, kind)
        training, result = self.training, self.analysis()
        audit = report.audit_header(
            self.dataset, result, training.info, self.source_name, self.source_sha256, now, method
        )
        if kind == "audit":
            return name, report.audit_to_json(audit, report.export_file_name(self.source_name, "csv"))
        scores = [None] * len(self.work.labels)
        learner = training.learner
        for i, value in zip(training.active, rank.label_quality_scores(learner.labels, learner.probabilities, method)):
            scores[i] = value
        rows = report.export_rows(
            self.dataset,
            result,
            scores,
            self.work.labels,
            self.work.decisions,
            training.probabilities if probabilities else None,
        )
        self.work.unexported = False
        return name, report.to_csv(rows) if kind == "csv" else report.to_json(audit, rows)

    # ----------------------------------------------------------------- the URL fragment

    def to_fragment(self) -> str:
        """The view as a URL fragment (without '#'): see :func:`.fragment.to_fragment`."""
        return to_fragment(self)

    def apply_link(self, fragment: str) -> Changes:
        """Show the view a link's fragment asks for; what cannot be applied is noted (never fatal)."""
        self.notices.link = apply_fragment(self, fragment)
        return changed(DATA)

    def warnings(self) -> list[str]:
        """Plain sentences about labellings that make the results meaningless or weak (for the current labels)."""
        names = self.dataset.classes
        return [w.message for w in labelling_warnings(self.work.labels, len(names), DEFAULT_FOLDS, names)]
