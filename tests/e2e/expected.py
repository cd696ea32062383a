"""What the page must show, computed by the same engine under CPython."""

from functools import lru_cache
from pathlib import Path

from cleanlens.confident import CATEGORIES, ConfidentLearning
from cleanlens.crossval import out_of_sample_probabilities
from cleanlens.dataset import load_dataset
from cleanlens.flagged import RULE as FLAGGING_RULE
from cleanlens.flagged import categorize_flagged_lists
from cleanlens.issues import DEFAULT_FILTER, LabelIssues
from cleanlens.web import BUILTIN_EMBEDDING_ROWS, DEMO_DATASET, SKLEARN_EMBEDDING_ROWS, SKLEARN_FEATURE_VALUES
from cleanlens.web.state.view import ENGINE_RULES, OWN_DATA_RULE

ROOT = Path(__file__).resolve().parents[2]
PAGE_LIMITS = {"max_embedding_rows": SKLEARN_EMBEDDING_ROWS, "max_feature_values": SKLEARN_FEATURE_VALUES}
"""The page's limits for features: scikit-learn's, which its training worker loads on demand."""


def page_engine(n_items):
    """The engine the page trains ``n_items`` with when scikit-learn was not loaded before (the tests' browsers ask
    to save data: conftest.SAVE_DATA): built-in up to its limit, scikit-learn (loaded on demand) above."""
    return "builtin" if n_items <= BUILTIN_EMBEDDING_ROWS else "sklearn"


COUNT_IDS = {
    "correct": "count-correct",
    "label_issue": "count-label-issues",
    "ood": "count-ood",
    "unconfident": "count-unconfident",
}


@lru_cache(maxsize=1)
def demo():
    return load_dataset(ROOT / DEMO_DATASET)


@lru_cache(maxsize=8)
def _probabilities(labels, seed):
    data = demo()
    return out_of_sample_probabilities(
        data.features, list(labels), len(data.classes), engine="builtin", seed=seed
    ).probabilities


def categorize(labels=None, q_class=50, q_ood=15, rule="percentile", seed=0):
    """The engine's Categorization for the demo with these labels (default: as given) and settings."""
    labels = tuple(demo().given if labels is None else labels)
    learner = ConfidentLearning(list(labels), _probabilities(labels, seed), len(demo().classes))
    return learner.categorize(q_class, q_ood, rule=rule)


def own_categorize(given, probabilities, n_classes, q_class=50, q_ood=15, rule=OWN_DATA_RULE, filter_by=DEFAULT_FILTER):
    """The engine's Categorization of loaded data as the page shows it under its ``rule`` (default: the one your
    own data opens with, cleanlab's ``find_label_issues`` with ``filter_by``; the class percentile then unused)."""
    given = list(given)
    learner = ConfidentLearning(given, probabilities, n_classes)
    if rule == FLAGGING_RULE:
        flagged = LabelIssues.compute(given, probabilities, n_classes).find_label_issues(filter_by)
        return categorize_flagged_lists(learner, flagged, q_ood)
    return learner.categorize(q_class, q_ood, rule=ENGINE_RULES[rule])


def page_counts(page):
    return {name: int(page.get_by_test_id(testid).inner_text()) for name, testid in COUNT_IDS.items()}


def assert_page_matches(page, result):
    """The four counts and every confident-joint cell on the page equal the engine's."""
    assert page_counts(page) == {name: result.counts[name] for name in CATEGORIES}
    k = len(result.joint)
    for g in range(k):
        for s in range(k):
            text = page.get_by_test_id(f"joint-cell-{g}-{s}").inner_text().strip()
            assert text.split()[0] == str(result.joint[g][s]), (g, s, text)


def sweep(labels=None, seed=0):
    """The engine's threshold sweep for the demo (trained labels and seed as given)."""
    from cleanlens.scoring import sweep as run_sweep

    labels = tuple(demo().given if labels is None else labels)
    learner = ConfidentLearning(list(labels), _probabilities(labels, seed), len(demo().classes))
    return run_sweep(learner, demo().truth)
