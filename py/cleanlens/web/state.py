"""The explorer's state: what the user chose and what the engine computed (pure; no DOM).

The browser glue (:mod:`cleanlens.web.app`) turns events into calls on
:class:`ExplorerState` and renders what it derives; tests drive it directly.

Data flow (DESIGN.md §4): dataset -> labels (the user may change them) ->
out-of-sample probabilities (slow, once per labelling: :class:`Training`) ->
confident learning for the current sliders (fast: :meth:`ExplorerState.analysis`).
The analysis always uses the labels the probabilities were trained on; labels
changed since then make the results *stale* until the user retrains.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlencode

from cleanlens import report
from cleanlens.confident import CATEGORIES, ConfidentLearning
from cleanlens.scoring import sweep

DEFAULT_CLASS_PERCENTILE = 50
DEFAULT_OOD_PERCENTILE = 15
RULES = ("percentile", "cleanlab")
CENTER_TABS = ("joint", "scatter", "table", "sweep")
RESULT_TABS = ("label_issue", "ood", "unconfident", "cell")


EXCLUDED = len(CATEGORIES)
"""Category code, beside the engine's four, of an item the user excluded from training."""


@dataclass
class Training:
    """One finished cross-validation run: the labels it saw, what it left out, what it produced.

    ``labels``: N labels at the start of the run (all items); ``excluded``: the
    items left out of it; ``probabilities``: N rows, ``None`` for excluded items.
    The confident-learning results are computed on the other items and
    reported with the dataset's item indices.
    """

    labels: list
    probabilities: list
    info: dict
    excluded: frozenset = frozenset()
    active: list = field(init=False, repr=False)
    learner: ConfidentLearning = field(init=False, repr=False)
    self_confidence: list = field(init=False, repr=False)

    def __post_init__(self):
        self.active = [i for i in range(len(self.labels)) if i not in self.excluded]
        if not self.active:
            raise ValueError("every item is excluded: include some items again to analyse them")
        n_classes = len(next(p for p in self.probabilities if p is not None))
        self.learner = ConfidentLearning([self.labels[i] for i in self.active],
                                         [self.probabilities[i] for i in self.active], n_classes=n_classes)
        self.self_confidence = [None] * len(self.labels)
        for i, row, g in zip(self.active, self.learner.probabilities, self.learner.labels):
            self.self_confidence[i] = row[g]

    def categorize(self, q_class, q_ood, rule):
        """The engine's :class:`~cleanlens.confident.Categorization`, indexed by dataset item (excluded: EXCLUDED)."""
        result = self.learner.categorize(q_class, q_ood, rule=rule)
        if not self.excluded:
            return result
        n, active = len(self.labels), self.active
        categories, suggested = [EXCLUDED] * n, [None] * n
        for j, i in enumerate(active):
            categories[i], suggested[i] = result.categories[j], result.suggested[j]
        joint_ids = [[[active[j] for j in cell] for cell in row] for row in result.joint_ids]
        return replace(result, categories=categories, suggested=suggested, joint_ids=joint_ids,
                       counts=dict(result.counts, excluded=len(self.excluded)))

    def truth(self, truth):
        """The dataset's truth restricted to the trained items (for the sweep)."""
        return [truth[i] for i in self.active]


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
    cell: tuple | None = None
    filter_class: int | None = None
    filter_category: str | None = None
    sort: str = "dataset"
    center_tab: str = "joint"
    result_tab: str = "label_issue"
    table_sort: tuple = ("index", True)
    sweep_metric: str = "f1"
    decisions: dict = field(default_factory=dict)
    source_name: str = ""
    source_sha256: str = ""
    given_probabilities: list | None = None
    """Probabilities mode: the probabilities from the user's file (nothing is trained; 'Train' re-analyses)."""
    is_demo: bool = True
    _cache: dict = field(default_factory=dict, repr=False)
    _sweep: object = field(default=None, repr=False)

    def __post_init__(self):
        if self.labels is None:
            self.labels = list(self.dataset.given)

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
        return changed

    def accept(self, item):
        """Accept the suggested label of item (the current results'); returns False if there is none."""
        result = self.analysis()
        if result is None or result.suggested[item] is None:
            return False
        self.relabel(item, result.suggested[item])
        self.decisions[item] = "accept"
        return True

    def accept_all(self):
        """Accept the suggestion of every label issue; returns the items changed."""
        result = self.analysis()
        issues = [] if result is None else [i for i in result.label_issues if self.decisions.get(i) != "exclude"]
        for i in issues:
            self.accept(i)
        return issues

    def keep(self, item):
        """Keep the original given label (undoing an edit), and record that the user checked it."""
        self.relabel(item, self.dataset.given[item])
        self.decisions[item] = "keep"

    def exclude(self, item):
        """Mark item as out of distribution: it is left out of the next training and the export says so."""
        self.decisions[item] = "exclude"

    def undo(self, item):
        """Forget the decision on item and restore its original label."""
        self.decisions.pop(item, None)
        self.relabel(item, self.dataset.given[item])

    @property
    def excluded(self):
        return frozenset(i for i, d in self.decisions.items() if d == "exclude")

    def finish_training(self, labels, probabilities, info, excluded=frozenset()):
        """Store a finished run: trained on `labels` (a copy taken when it started) without the `excluded` items.

        ``probabilities`` has a row for every item, ``None`` for excluded ones.
        """
        self.training = Training(list(labels), probabilities, dict(info), frozenset(excluded))
        self.seed = info.get("seed", self.seed)
        self._cache.clear()
        self._sweep = None

    # ----------------------------------------------------------------- derived

    @property
    def stale(self):
        """True if the labels or the excluded items changed since the probabilities were computed."""
        return self.training is not None and (self.training.labels != self.labels or self.training.excluded != self.excluded)

    @property
    def can_train(self):
        return self.training is None or self.stale

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
        if self._sweep is None:
            self._sweep = sweep(self.training.learner, self.training.truth(self.dataset.truth))
        return self._sweep

    def known_errors(self):
        """Items, not excluded, whose *current* label is wrong by the dataset's ground truth (empty if unknown)."""
        excluded = self.excluded
        return [i for i in self.dataset.known_errors(self.labels) if i not in excluded]

    def visible_items(self):
        """Indices shown in the dataset panel under the current filter and sort."""
        result = self.analysis()
        items = range(len(self.labels))
        if self.filter_class is not None:
            items = [i for i in items if self.labels[i] == self.filter_class]
        if self.filter_category is not None and result is not None:
            code = EXCLUDED if self.filter_category == "excluded" else CATEGORIES.index(self.filter_category)
            items = [i for i in items if result.categories[i] == code]
        items = list(items)
        if self.sort == "given":
            items.sort(key=lambda i: (self.labels[i], i))
        elif self.sort.startswith("confidence") and self.training is not None:
            conf = self.training.self_confidence
            items.sort(key=lambda i: (-1.0 if conf[i] is None else conf[i], i), reverse=self.sort.endswith("desc"))
        return items

    def export(self, kind, now=None):
        """The findings and fixes as ``(file name, text)``; kind is ``csv`` or ``json``. Needs a training."""
        result = self.analysis()
        rows = report.export_rows(self.dataset, result, self.training.self_confidence, self.labels, self.decisions)
        audit = report.audit_header(self.dataset, result, self.training.info, self.source_name, self.source_sha256, now)
        stem = (self.source_name.rsplit(".", 1)[0] or "cleanlens") + "-fixes"
        return (f"{stem}.csv", report.to_csv(audit, rows)) if kind == "csv" else (f"{stem}.json", report.to_json(audit, rows))

    # ----------------------------------------------------------------- shareable view (URL fragment)

    def to_fragment(self):
        """The view as a URL fragment (without '#'): sliders, rule, seed, selected item and cell, tabs."""
        parts = {"class": self.q_class, "ood": self.q_ood, "rule": self.rule, "seed": self.seed}
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
            notes.append("this link was made with the sender's own data file, which links never carry: "
                         "load that file (Your data) to see it with these settings")
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
        """Plain sentences about labellings that make the results meaningless or weak."""
        notes = []
        counts = self.dataset.class_counts(self.labels)
        names = self.dataset.classes
        present = [k for k, c in enumerate(counts) if c]
        if len(present) == 1:
            notes.append(f"Every image is labelled {names[present[0]]}: with a single class there is nothing to "
                         "confuse it with, so no label error can be found. Give some images other labels and train again.")
        else:
            for k, c in enumerate(counts):
                if c == 0:
                    notes.append(f"No image is labelled {names[k]}: that class gets no threshold, so nothing can be "
                                 f"suggested as {names[k]}.")
                elif c < 5:
                    notes.append(f"Only {c} image{'s' if c > 1 else ''} labelled {names[k]}: its thresholds rest on "
                                 "very few values.")
        return notes


def _clamp_percentile(q):
    return max(0, min(100, int(q)))
