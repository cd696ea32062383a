"""cleanlens.issues.LabelIssues: the page's entry point to cleanlab's rules, on lists and in steps."""

from cleanlab.count import num_label_issues
from cleanlab.dataset import overall_label_health_score

from cleanlens import counting
from cleanlens.issues import FILTERS, LabelIssues

from .cleanlab_support import make_inputs, quietly


def run(steps):
    """``(value, number of yields)`` of a step generator."""
    yields = 0
    while True:
        try:
            next(steps)
            yields += 1
        except StopIteration as stop:
            return stop.value, yields


def test_steps_and_answers():
    labels, probs = make_inputs(30_000, 6, "float32", "continuous", seed=9)
    issues, yields = run(LabelIssues.steps(labels.tolist(), probs.tolist(), 6, dtype="float32"))
    assert yields >= 2 * 30_000 // counting.CHUNK
    for filter_by in FILTERS:
        mask, yields = run(issues.iter_find_label_issues(filter_by))
        assert len(mask) == 30_000 and yields >= 1
        assert issues.find_label_issues(filter_by) == mask  # kept: the second time costs nothing
    ranked = issues.find_label_issues(return_indices_ranked_by="self_confidence")
    assert sorted(ranked) == [i for i, x in enumerate(issues.find_label_issues()) if x]
    assert issues.num_label_issues() == quietly(num_label_issues, labels, probs)
    summary, yields = run(issues.iter_health([f"c{c}" for c in range(6)]))
    assert yields >= 3 and summary.n_items == 30_000
    assert summary.score == quietly(overall_label_health_score, labels, probs, verbose=False)
    assert [row["Class Name"] for row in summary.classes] == [f"c{row['Class Index']}" for row in summary.classes]


def test_answers_are_not_shared_between_callers():
    labels, probs = make_inputs(200, 3, seed=1)
    issues = LabelIssues.compute(labels.tolist(), probs.tolist())
    first = issues.find_label_issues()
    first[0] = not first[0]
    assert issues.find_label_issues() != first
