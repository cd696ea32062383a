"""cleanlens.flagged: the page's categories under find_label_issues, against the definitions item by item."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens.confident import CATEGORIES, CORRECT, LABEL_ISSUE, OOD, UNCONFIDENT, ConfidentLearning
from cleanlens.flagged import FlaggedTables, categorize_flagged, categorize_flagged_lists
from cleanlens.issues import LabelIssues
from cleanlens.sliders import slider_index

from .test_sliders import random_case


def by_definition(learner, flagged, q_ood):
    """(categories, suggested) from the module's definitions, item by item."""
    cleanlab = learner.categorize(50, q_ood, rule="cleanlab")
    categories, suggested = [], []
    for i, g in enumerate(learner.labels):
        c = cleanlab.suggested[i]
        if flagged[i]:
            categories.append(LABEL_ISSUE)
            suggested.append(learner.argmax[i])
        elif c == g:
            categories.append(CORRECT)
            suggested.append(g)
        else:
            below = all(p < t for p, t in zip(learner.probabilities[i], cleanlab.ood_thresholds))
            categories.append(OOD if c is None and below else UNCONFIDENT)
            suggested.append(None)
    return categories, suggested


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 100), st.sampled_from(["random", "cleanlab"]))
def test_categories_counts_joint_and_lists_follow_the_definitions(seed, q_ood, masks):
    labels, rows = random_case(seed, n=150, k=3, ties=seed % 4 == 0)
    learner = ConfidentLearning(labels, rows, 3)
    index = slider_index(learner)
    if masks == "cleanlab":
        flagged = LabelIssues.compute(labels, rows, 3).find_label_issues()
    else:
        rng = random.Random(seed)
        flagged = [rng.random() < 0.15 for _ in labels]
    result = categorize_flagged(index, FlaggedTables(index, flagged), q_ood)
    categories, suggested = by_definition(learner, flagged, q_ood)
    assert list(result.categories) == categories
    assert list(result.suggested) == suggested
    for code, name in enumerate(CATEGORIES):
        assert result.counts[name] == categories.count(code)
        assert result.items(name) == [i for i, c in enumerate(categories) if c == code]
    for g in range(3):
        for s in range(3):
            cell = [i for i in range(len(labels)) if labels[i] == g and suggested[i] == s]
            assert result.joint[g][s] == len(cell) == len(result.joint_ids[g][s])
            assert list(result.joint_ids[g][s]) == cell
    assert set(result.label_issues) == {i for i, f in enumerate(flagged) if f}


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 100))
def test_without_a_slider_index_the_lists_agree(seed, q_ood):
    labels, rows = random_case(seed, n=100, k=4)
    learner = ConfidentLearning(labels, rows, 4)
    index = slider_index(learner)
    flagged = LabelIssues.compute(labels, rows, 4).find_label_issues()
    fast = categorize_flagged(index, FlaggedTables(index, flagged), q_ood)
    slow = categorize_flagged_lists(learner, flagged, q_ood)
    assert list(fast.categories) == slow.categories and list(fast.suggested) == slow.suggested
    assert fast.counts == slow.counts and fast.joint == slow.joint
    assert [[list(c) for c in row] for row in fast.joint_ids] == slow.joint_ids
