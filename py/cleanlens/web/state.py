"""The explorer's state: what the user chose and what the engine computed (pure; no DOM).

The browser glue (:mod:`cleanlens.web.app`) turns events into calls on
:class:`ExplorerState` and renders what it derives; tests drive it directly.

Data flow (docs/architecture.md): dataset -> labels (the user may change them) ->
out-of-sample probabilities (slow, once per labelling: :class:`Training`) ->
confident learning for the current sliders (fast: :meth:`ExplorerState.analysis`).
The analysis always uses the labels the probabilities were trained on; labels
changed since then make the results *stale* until the user retrains.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import compress, filterfalse, repeat
from operator import eq, getitem
from urllib.parse import parse_qsl, urlencode

from cleanlens import __version__, rank, report
from cleanlens.confident import (
    CATEGORIES,
    DEFAULT_CLASS_PERCENTILE,
    DEFAULT_OOD_PERCENTILE,
    RULES,
    ConfidentLearning,
    labelling_warnings,
)
from cleanlens.crossval import DEFAULT_C, DEFAULT_FOLDS, DEFAULT_GAMMA
from cleanlens.errors import CleanlensError
from cleanlens.scoring import SWEEP_PERCENTILES, Sweep, score, sweep, truly_wrong
from cleanlens.sliders import EXCLUDED, PERCENTILES, iter_slider_index

QUALITY_METHOD = rank.DEFAULT_METHOD
"""The label quality score the page ranks by (:mod:`cleanlens.rank`)."""
CENTER_TABS = ("joint", "scatter", "table", "sweep")
RESULT_TABS = ("label_issue", "ood", "unconfident", "cell")
ENGINE_LIMITS = {"svm_C": (1e-4, 1e5), "svm_gamma": (1e-6, 1e2), "n_folds": (2, 10)}
"""The range the page accepts for each engine setting (C and gamma of the RBF SVM, cross-validation folds)."""
ENGINE_DEFAULTS = {"svm_C": DEFAULT_C, "svm_gamma": DEFAULT_GAMMA, "n_folds": DEFAULT_FOLDS}
ENGINE_KEYS = {"svm_C": "C", "svm_gamma": "gamma", "n_folds": "folds"}
"""Engine setting -> its name in the URL fragment and in a training's ``info`` (and the export's audit)."""


def _first_index(values, predicate):
    """The first index of ascending `values` where the monotone `predicate` holds (len(values) if none)."""
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if predicate(values[mid]):
            hi = mid
        else:
            lo = mid + 1
    return lo


def training_info(result, sklearn_importable=False):
    """How a cross-validation's probabilities were made, as the page shows and saves it (a dict).

    ``result``: a :class:`~cleanlens.crossval.CVResult`; ``sklearn_importable``: whether the page could have
    used scikit-learn (the read-out says why the built-in engine ran).
    """
    return {
        "engine": result.engine,
        "engine_version": result.versions.get("scikit-learn", f"cleanlens {__version__}"),
        "C": result.C,
        "gamma": result.gamma,
        "folds": result.n_folds,
        "seed": result.seed,
        "seconds": result.seconds,
        "sklearn_importable": sklearn_importable,
    }


class TrainingError(CleanlensError):
    """The current labels and decisions leave nothing to train on; the message says why."""


class Training:
    """One finished cross-validation run: the labels it saw, what it left out, what it produced.

    Besides the results it holds each trained item's label quality score (``quality``: cleanlab's
    :data:`QUALITY_METHOD`, None for excluded items) and the items ordered by it, worst first
    (``quality_order``), computed once.

    ``labels``: N labels at the start of the run (all items); ``excluded``: the
    items left out of it; ``probabilities``: N rows, ``None`` for excluded items;
    ``info``: how they were made (engine, seed, ...); ``truth``: the dataset's
    true labels, if known (for scores). The confident-learning results are
    computed on the other items and reported with the dataset's item indices:
    at integer slider positions from a :class:`~cleanlens.sliders.SliderIndex`
    (O(K²) per position), otherwise by ``ConfidentLearning.categorize``.

    Build it with :meth:`steps` (a generator that yields between chunks of work
    and returns the training, so a browser stays responsive at N = 100,000) or
    directly (the same, run to the end).
    """

    def __init__(self, labels, probabilities, info, excluded=frozenset(), truth=None):
        for _ in self._setup(labels, probabilities, info, excluded, truth):
            pass

    @classmethod
    def steps(cls, labels, probabilities, info, excluded=frozenset(), truth=None):
        self = cls.__new__(cls)
        yield from self._setup(labels, probabilities, info, excluded, truth)
        return self

    def _setup(self, labels, probabilities, info, excluded, truth):
        self.labels, self.probabilities, self.info = list(labels), probabilities, dict(info)
        self.excluded = frozenset(excluded)
        self.active = list(filterfalse(self.excluded.__contains__, range(len(self.labels))))
        if not self.active:
            raise TrainingError("every item is excluded: include some items again to analyse them")
        everything = len(self.active) == len(self.labels)
        rows = self.probabilities if everything else [self.probabilities[i] for i in self.active]
        given = self.labels if everything else [self.labels[i] for i in self.active]
        self.learner = yield from ConfidentLearning.steps(given, rows, len(rows[0]), validated=True)
        scores = yield from rank.iter_label_quality_scores(
            given, rows, QUALITY_METHOD, confident_thresholds=self.learner.cleanlab_thresholds
        )
        order = yield from rank.iter_label_quality_order(scores)
        self.quality_order = order if everything else [self.active[j] for j in order]
        """The trained items by label quality, worst first (ties by index)."""
        if everything:
            self.quality = scores
        else:
            self.quality = [None] * len(self.labels)
            for i, score in zip(self.active, scores):
                self.quality[i] = score
        wrong = None if truth is None else truly_wrong(self.labels, truth)
        self.index = yield from iter_slider_index(self.learner, self.active, len(self.labels), wrong)
        self._truth = truth
        confidences = list(map(getitem, rows, given))
        if everything:
            self.self_confidence = confidences
        else:
            self.self_confidence = [None] * len(self.labels)
            for i, s in zip(self.active, confidences):
                self.self_confidence[i] = s
        self._order = {}
        self._bins = {}

    def categorize(self, q_class, q_ood, rule):
        """The categorisation at the given percentiles, indexed by dataset item (excluded items: EXCLUDED)."""
        if self.index is not None and q_class in PERCENTILES and q_ood in PERCENTILES:
            return self.index.categorize(q_class, q_ood, rule)
        result = self.learner.categorize(q_class, q_ood, rule=rule)
        if not self.excluded:
            return result
        n, active = len(self.labels), self.active
        categories, suggested = [EXCLUDED] * n, [None] * n
        for j, i in enumerate(active):
            categories[i], suggested[i] = result.categories[j], result.suggested[j]
        joint_ids = [[[active[j] for j in cell] for cell in row] for row in result.joint_ids]
        return replace(
            result,
            categories=categories,
            suggested=suggested,
            joint_ids=joint_ids,
            counts=dict(result.counts, excluded=len(self.excluded)),
        )

    def score(self, q_class, q_ood, rule):
        """The score of the flagged items against the truly wrong ones (excluded items left out), or None."""
        if self._truth is None:
            return None
        if self.index is not None and q_class in PERCENTILES and q_ood in PERCENTILES:
            return self.index.score(q_class, q_ood, rule)
        excluded = self.excluded
        wrong = [i for i in truly_wrong(self.labels, self._truth) if i not in excluded]
        return score(self.categorize(q_class, q_ood, rule).flagged, wrong)

    def sweep(self):
        """Scores over the threshold grid (:func:`cleanlens.scoring.sweep`), or None without the truth."""
        if self._truth is None:
            return None
        if self.index is None:
            return sweep(self.learner, [self._truth[i] for i in self.active])
        grid = list(SWEEP_PERCENTILES)
        return Sweep(
            grid,
            grid,
            [[self.index.score(qc, qo) for qo in grid] for qc in grid],
            [self.index.score(0, qo, "cleanlab") for qo in grid],
        )

    def histogram(self, k, lo, n_bins):
        """Counts of class k's self-confidences in ``n_bins`` equal bins over [lo, 1] (cached per training).

        Value v falls in bin ``int((v - lo) / (1 - lo) * n_bins)``, clipped to 0..n_bins-1; the values are sorted,
        so each bin edge is found by bisection (O(n_bins log N), not O(N)).
        """
        key = (k, lo, n_bins)
        if key not in self._bins:
            span = (1.0 - lo) or 1.0
            values = self.learner.sorted_self_confidences[k]
            bin_of = lambda v: max(0, min(n_bins - 1, int((v - lo) / span * n_bins)))  # noqa: E731
            # ends[b]: how many values fall in bins 0..b (bin_of is non-decreasing in v)
            ends = [_first_index(values, lambda v, b=b: bin_of(v) > b) for b in range(n_bins)]
            self._bins[key] = [ends[0]] + [ends[b] - ends[b - 1] for b in range(1, n_bins)]
        return self._bins[key]


@dataclass
class ExplorerState:
    """Everything the explorer shows, as plain data.

    Attributes are the user's choices; :meth:`analysis` and the helpers derive
    the rest. ``labels`` are the current (possibly edited) given labels.
    """

    dataset: object
    labels: list = None
    training: Training | None = None
    q_class: int = DEFAULT_CLASS_PERCENTILE
    q_ood: int = DEFAULT_OOD_PERCENTILE
    rule: str = "percentile"
    seed: int = 0
    selected: int | None = None
    """The pinned item: the one the Why? panel's actions apply to (chosen by a click or Enter)."""
    preview: int | None = None
    """The item under the pointer or keyboard focus, shown in the Why? panel without being pinned."""
    cell: tuple | None = None
    filter_class: int | None = None
    filter_category: str | None = None
    sort: str = "quality"
    center_tab: str = "joint"
    result_tab: str = "label_issue"
    table_sort: tuple = ("index", True)
    sweep_metric: str = "f1"
    svm_C: float = DEFAULT_C
    """The engine settings the next training uses (:data:`ENGINE_DEFAULTS`, :meth:`set_engine`)."""
    svm_gamma: float = DEFAULT_GAMMA
    n_folds: int = DEFAULT_FOLDS
    layout: list | None = None
    """A 2-D position per item computed in the page (PCA of the features) when the dataset has none."""
    layout_note: str = ""
    decisions: dict = field(default_factory=dict)
    bulk: dict = field(default_factory=dict, repr=False)
    """The last "Accept all": item -> (label, decision) before it, for :meth:`undo_bulk`."""
    source_name: str = ""
    source_sha256: str = ""
    given_probabilities: list | None = None
    """Probabilities mode: the probabilities from the user's file (nothing is trained; 'Train' re-analyses)."""
    is_demo: bool = True
    unexported: bool = False
    """True once the user changed a label or made a decision since the last export (or since loading)."""
    touched: set = field(default_factory=set, repr=False)
    """Items whose label the user changed at some point (the labels that differ from the given ones are among them)."""
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.labels is None:
            self.labels = list(self.dataset.given)
        self.has_images = any(self.dataset.images)

    # ----------------------------------------------------------------- user actions

    def set_class_percentile(self, q):
        """Move the class slider; the OOD percentile follows down to keep q_ood <= q_class."""
        self.q_class = _clamp_percentile(q)
        self.q_ood = min(self.q_ood, self.q_class)

    def set_ood_percentile(self, q):
        """Move the OOD slider; the class percentile follows up to keep q_ood <= q_class."""
        self.q_ood = _clamp_percentile(q)
        self.q_class = max(self.q_class, self.q_ood)

    def set_rule(self, rule):
        if rule not in RULES:
            raise ValueError(f"unknown threshold rule {rule!r}; expected one of {RULES}")
        self.rule = rule

    def relabel(self, item, label):
        """Give item a new label (0..K-1). Returns True if it changed."""
        if not 0 <= label < len(self.dataset.classes):
            raise ValueError(f"label {label} out of range for {len(self.dataset.classes)} classes")
        changed = self.labels[item] != label
        self.labels[item] = label
        if changed:
            self.touched.add(item)
            self.unexported = True
        return changed

    def accept(self, item):
        """Accept the suggested label of item (the current results'); returns False if there is none."""
        result = self.analysis()
        if result is None or result.suggested[item] is None:
            return False
        self.relabel(item, result.suggested[item])
        self.decisions[item] = "accept"
        self.unexported = True
        return True

    def accept_all(self):
        """Accept the suggestion of every label issue without a decision; one step :meth:`undo_bulk` takes back.

        Items the user kept, excluded or already accepted are left alone. Returns the items changed.
        """
        result = self.analysis()
        issues = [] if result is None else [i for i in result.label_issues if i not in self.decisions]
        self.bulk = {i: (self.labels[i], None) for i in issues}
        for i in issues:
            self.accept(i)
        return issues

    def undo_bulk(self):
        """Take back the last :meth:`accept_all`; returns the items restored."""
        restored = list(self.bulk)
        for i, (label, decision) in self.bulk.items():
            self.relabel(i, label)
            if decision is None:
                self.decisions.pop(i, None)
            else:
                self.decisions[i] = decision
        self.bulk = {}
        self.unexported = True
        return restored

    def pending_issues(self):
        """How many label issues "Accept all" would change (those without a decision)."""
        result = self.analysis()
        if result is None:
            return 0
        if not self.decisions:
            return result.counts["label_issue"]
        return sum(1 for i in result.iter_items("label_issue") if i not in self.decisions)

    def keep(self, item):
        """Keep the original given label (undoing an edit), and record that the user checked it."""
        self.relabel(item, self.dataset.given[item])
        self.decisions[item] = "keep"
        self.unexported = True

    def exclude(self, item):
        """Mark item as out of distribution: it is left out of the next training and the export says so."""
        self.decisions[item] = "exclude"
        self.unexported = True

    def undo(self, item):
        """Forget the decision on item and restore its original label."""
        self.decisions.pop(item, None)
        self.relabel(item, self.dataset.given[item])
        self.unexported = True

    def label_changes(self):
        """``{item: label}`` for every item whose current label differs from its given label."""
        given = self.dataset.given
        return {i: self.labels[i] for i in sorted(self.touched) if self.labels[i] != given[i]}

    @property
    def excluded(self):
        return frozenset(i for i, d in self.decisions.items() if d == "exclude")

    def finish_training(self, labels, probabilities, info, excluded=frozenset()):
        """Store a finished run: trained on `labels` (a copy taken when it started) without the `excluded` items.

        ``probabilities`` has a row for every item, ``None`` for excluded ones.
        """
        for _ in self.finish_training_steps(labels, probabilities, info, excluded):
            pass

    def finish_training_steps(self, labels, probabilities, info, excluded=frozenset()):
        """:meth:`finish_training` as a generator that yields between chunks of work (for the browser)."""
        training = yield from Training.steps(labels, probabilities, info, excluded, self.dataset.truth)
        self.training = training
        self.seed = info.get("seed", self.seed)
        self._cache.clear()

    # ----------------------------------------------------------------- derived

    @property
    def stale(self):
        """True if the labels or the excluded items changed since the probabilities were computed."""
        return self.training is not None and (
            self.training.labels != self.labels or self.training.excluded != self.excluded
        )

    @property
    def can_train(self):
        return self.training is None or self.stale or self.engine_changed

    @property
    def engine_changed(self):
        """True if the engine settings differ from those the shown results were trained with (never for
        probabilities from a file, which are not trained)."""
        if self.training is None or self.given_probabilities is not None:
            return False
        info = self.training.info
        return any(key in info and info[key] != getattr(self, name) for name, key in ENGINE_KEYS.items())

    def set_engine(self, name, value):
        """Set an engine setting (``svm_C``, ``svm_gamma`` or ``n_folds``) from a number or text; raises
        ValueError with a readable message when it is not a number in :data:`ENGINE_LIMITS`."""
        lo, hi = ENGINE_LIMITS[name]
        try:
            number = int(str(value).strip()) if name == "n_folds" else float(str(value).strip())
        except ValueError:
            raise ValueError(f"{ENGINE_KEYS[name]} must be a number") from None
        if not lo <= number <= hi:
            raise ValueError(f"{ENGINE_KEYS[name]} must be between {lo:g} and {hi:g}")
        setattr(self, name, number)

    def adopt_engine(self, info):
        """Take the engine settings a training was made with (a restored session's, or the built results')."""
        for name, key in ENGINE_KEYS.items():
            if isinstance(info.get(key), (int, float)):
                setattr(self, name, int(info[key]) if name == "n_folds" else float(info[key]))

    def map_layout(self):
        """The 2-D positions the Map draws: the dataset's own, or those computed in the page, or None."""
        return self.dataset.layout if self.dataset.layout is not None else self.layout

    def analysis(self):
        """Confident learning at the current sliders and rule (cached per setting), or None before training."""
        if self.training is None:
            return None
        key = (self.q_class, self.q_ood, self.rule)
        if key not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = self.training.categorize(self.q_class, self.q_ood, rule=self.rule)
        return self._cache[key]

    def sweep(self):
        """Scores over the percentile grid for the trained labels (cached per training), or None without truth."""
        if self.training is None or self.dataset.truth is None:
            return None
        if "sweep" not in self._cache:
            self._cache["sweep"] = self.training.sweep()
        return self._cache["sweep"]

    def score(self):
        """The score of the current results against the known errors of the trained labels, or None."""
        if self.training is None:
            return None
        return self.training.score(self.q_class, self.q_ood, self.rule)

    def known_errors(self):
        """Items, not excluded, whose *current* label is wrong by the dataset's ground truth (empty if unknown)."""
        excluded = self.excluded
        return [i for i in self.dataset.known_errors(self.labels) if i not in excluded]

    def visible_items(self):
        """Indices shown in the dataset panel under the current filter and sort (a list; cached per view)."""
        result = self.analysis()
        key = (
            "visible",
            self.filter_class,
            self.filter_category,
            self.sort,
            tuple(self.labels) if self.sort == "given" else None,
            (self.q_class, self.q_ood, self.rule) if self.filter_category else None,
        )
        if key in self._cache:
            return self._cache[key]
        n = len(self.labels)
        if self.filter_category is not None and result is not None:
            if self.filter_category == "excluded":
                items = sorted(self.training.excluded)
            else:
                items = list(result.iter_items(self.filter_category))
        elif self.filter_category is not None:
            items = []  # nothing has a category before training
        else:
            items = range(n)
        if self.filter_class is not None:
            labels = self.labels
            items = list(compress(items, map(eq, map(labels.__getitem__, items), repeat(self.filter_class))))
        if self.sort == "given":
            items = sorted(items, key=lambda i: (self.labels[i], i))
        elif self.sort in ("quality", "quality-desc") and self.training is not None:
            order = self.training.quality_order + sorted(self.training.excluded)  # no score: last
            if len(items) < n:
                keep = set(items)
                order = [i for i in order if i in keep]
            items = order[::-1] if self.sort == "quality-desc" else order
        self._cache[key] = items = list(items)
        return items

    def table_order(self):
        """The trained items in the probability table's sort order (``table_sort``: column, ascending).

        Columns: ``index``, ``id``, ``given`` (the trained label), ``quality`` (label quality score),
        ``p<k>`` (probability of class k),
        ``suggested`` and ``category`` (these two follow the sliders); ties are broken by index.
        Cached per training, sort and (for the last two) slider position.
        """
        column, ascending = self.table_sort
        result = self.analysis()
        dynamic = column in ("suggested", "category")
        key = ("table", column, ascending, (self.q_class, self.q_ood, self.rule) if dynamic else None)
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

    def export(self, kind, now=None, *, probabilities=False, method=None):
        """The findings and fixes as ``(file name, text)``; needs a training (:mod:`cleanlens.report`).

        ``kind``: ``csv`` (the rows, plain CSV), ``json`` (audit and rows) or ``audit`` (the audit of the
        CSV export, its second download); file names from :func:`cleanlens.report.export_file_name`.
        ``probabilities``: add the ``p_<class>`` columns. ``method``: the label quality score
        (:data:`cleanlens.rank.METHODS`; default ``self_confidence``). ``csv`` and ``json`` clear
        :attr:`unexported`.
        """
        from cleanlens import rank

        method = method or rank.DEFAULT_METHOD
        name = report.export_file_name(self.source_name, kind)
        training, result = self.training, self.analysis()
        audit = report.audit_header(
            self.dataset, result, training.info, self.source_name, self.source_sha256, now, method
        )
        if kind == "audit":
            return name, report.audit_to_json(audit, report.export_file_name(self.source_name, "csv"))
        scores = [None] * len(self.labels)
        learner = training.learner
        for i, value in zip(training.active, rank.label_quality_scores(learner.labels, learner.probabilities, method)):
            scores[i] = value
        rows = report.export_rows(
            self.dataset, result, scores, self.labels, self.decisions, training.probabilities if probabilities else None
        )
        self.unexported = False
        return name, report.to_csv(rows) if kind == "csv" else report.to_json(audit, rows)

    # ----------------------------------------------------------------- shareable view (URL fragment)

    def to_fragment(self):
        """The view as a URL fragment (without '#'): sliders, rule, seed, engine settings (C, gamma, folds; not for
        probabilities from a file), selected item and cell, tabs."""
        parts = {"class": self.q_class, "ood": self.q_ood, "rule": self.rule, "seed": self.seed}
        if self.given_probabilities is None:
            parts.update(C=f"{self.svm_C:g}", gamma=f"{self.svm_gamma:g}", folds=self.n_folds)
        if not self.is_demo:
            parts["data"] = "own"
        if self.selected is not None:
            parts["item"] = self.dataset.ids[self.selected]
        if self.cell is not None:
            parts["cell"] = f"{self.cell[0]}-{self.cell[1]}"
        parts["view"] = self.center_tab
        parts["results"] = self.result_tab
        return urlencode(parts)

    def apply_fragment(self, fragment):
        """Restore what a fragment from :meth:`to_fragment` says; returns notes on what could not be applied.

        Unknown keys and malformed values are ignored (with a note), never fatal:
        a shared link must not break the page.
        """
        notes = []
        values = dict(parse_qsl(fragment.lstrip("#"), keep_blank_values=False))
        k = len(self.dataset.classes)

        def integer(key, lo, hi):
            try:
                value = int(values[key])
            except (KeyError, ValueError):
                if key in values:
                    notes.append(f"ignored {key}={values[key]!r} (not a whole number)")
                return None
            if not lo <= value <= hi:
                notes.append(f"ignored {key}={value} (expected {lo}..{hi})")
                return None
            return value

        if values.get("data") == "own" and self.is_demo:
            notes.append(
                "this link was made with the sender's own data file, which links never carry: "
                "load that file (Your data) to see it with these settings"
            )
        q_class, q_ood = integer("class", 0, 100), integer("ood", 0, 100)
        if q_class is not None:
            self.q_class = q_class
        if q_ood is not None:
            self.q_ood = q_ood
        self.q_ood = min(self.q_ood, self.q_class)
        if values.get("rule") in RULES:
            self.rule = values["rule"]
        seed = integer("seed", 0, 2**31 - 1)
        if seed is not None:
            self.seed = seed
        for name, key in ENGINE_KEYS.items():
            if key in values:
                try:
                    self.set_engine(name, values[key])
                except ValueError as exc:
                    notes.append(f"ignored {key}={values[key]!r} ({exc})")
        if "item" in values and not (values.get("data") == "own" and self.is_demo):
            try:
                self.selected = self.dataset.ids.index(values["item"])
            except ValueError:
                notes.append(f"no image with id {values['item']!r} in this dataset")
        if "cell" in values:
            try:
                g, s = (int(x) for x in values["cell"].split("-"))
                if not (0 <= g < k and 0 <= s < k):
                    raise ValueError
                self.cell = (g, s)
            except ValueError:
                notes.append(f"ignored cell={values['cell']!r}")
        if values.get("view") in CENTER_TABS:
            self.center_tab = values["view"]
        if values.get("results") in RESULT_TABS:
            self.result_tab = values["results"]
        return notes

    def warnings(self):
        """Plain sentences about labellings that make the results meaningless or weak (for the current labels)."""
        names = self.dataset.classes
        return [w.message for w in labelling_warnings(self.labels, len(names), DEFAULT_FOLDS, names)]


def _clamp_percentile(q):
    return max(0, min(100, int(q)))
