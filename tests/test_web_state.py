"""cleanlens.web.state: the explorer's state transitions and derived views (no browser)."""

import pytest

from cleanlens.dataset import Dataset
from cleanlens.web.changes import LABELS, changed
from cleanlens.web.state import ExplorerState


def tiny_dataset(n_per_class=6, classes=("a", "b", "c")):
    given, truth, features = [], [], []
    for k in range(len(classes)):
        for j in range(n_per_class):
            given.append(k)
            truth.append(k)
            features.append([float(k), float(j)])
    truth[0] = 1  # item 0 is truly a "b"
    n = len(given)
    return Dataset(
        classes=list(classes),
        ids=[f"x{i}" for i in range(n)],
        images=[None] * n,
        given=given,
        features=features,
        truth=truth,
    )


def probabilities_for(labels, k=3, confident=0.8):
    rows = []
    for i, label in enumerate(labels):
        top = (label + (1 if i == 0 else 0)) % k
        row = [(1 - confident) / (k - 1)] * k
        row[top] = confident - 0.01 * (i % 5)
        total = sum(row)
        rows.append([p / total for p in row])
    return rows


@pytest.fixture
def state():
    data = tiny_dataset()
    s = ExplorerState(data)
    s.finish_training(list(data.given), probabilities_for(data.given), {"seed": 0})
    return s


def test_sliders_keep_ood_at_or_below_class():
    s = ExplorerState(tiny_dataset())
    s.set_class_percentile(10)
    assert (s.view.q_class, s.view.q_ood) == (10, 10)
    s.set_ood_percentile(70)
    assert (s.view.q_class, s.view.q_ood) == (70, 70)
    s.set_class_percentile(250)
    assert s.view.q_class == 100
    s.set_ood_percentile(-5)
    assert s.view.q_ood == 0


def test_relabel_marks_results_stale_and_enables_training(state):
    assert not state.stale and not state.can_train
    assert state.known_errors() == [0]
    assert state.relabel(0, 1) == changed(LABELS, items=[0])
    assert state.stale and state.can_train
    assert state.known_errors() == []
    assert not state.relabel(0, 1)
    with pytest.raises(ValueError):
        state.relabel(0, 3)


def test_analysis_uses_the_trained_labels_and_is_cached(state):
    first = state.analysis()
    state.relabel(5, 2)
    assert state.analysis() is first  # still the trained labels' result
    state.set_class_percentile(80)
    assert state.analysis() is not first
    assert state.analysis().class_percentile == 80


def test_visible_items_filter_and_sort(state):
    state.view.sort = "dataset"
    state.view.filter_class = 1
    assert state.visible_items() == [6, 7, 8, 9, 10, 11]
    state.view.filter_class = None
    state.view.filter_category = "label_issue"
    assert state.visible_items() == state.analysis().label_issues
    state.view.filter_category = None
    state.view.sort = "quality"  # the default: worst label quality first, ties by index
    order = state.visible_items()
    quality = state.training.quality
    assert order == sorted(range(len(quality)), key=lambda i: (quality[i], i))
    state.view.sort = "quality-desc"
    assert state.visible_items() == order[::-1]


def test_accept_all_leaves_decided_items_alone_and_is_one_undoable_step(state):
    issues = state.analysis().label_issues
    assert issues, "the fixture has a label issue"
    first = issues[0]
    state.keep(first)
    assert state.pending_issues() == len(issues) - 1
    changed = state.accept_all().items
    assert first not in changed and set(changed) == set(issues) - {first}
    assert state.work.decisions[first] == "keep" and state.labels[first] == state.dataset.given[first]
    assert all(state.work.decisions[i] == "accept" for i in changed)
    assert state.pending_issues() == 0
    assert state.undo_bulk().items == changed
    assert all(i not in state.work.decisions and state.labels[i] == state.dataset.given[i] for i in changed)
    assert state.work.decisions[first] == "keep"


def test_warnings_for_degenerate_labellings():
    s = ExplorerState(tiny_dataset())
    assert s.warnings() == []
    for i in range(len(s.labels)):
        s.relabel(i, 0)
    assert any("Every item is labelled a" in w for w in s.warnings())
    s = ExplorerState(tiny_dataset())
    for i in range(6, 12):
        s.relabel(i, 0)
    assert any("No item is labelled b" in w for w in s.warnings())


def test_unknown_rule_is_refused(state):
    with pytest.raises(ValueError):
        state.set_rule("median")


def test_fragment_round_trip(state):
    state.set_class_percentile(70)
    state.set_ood_percentile(20)
    state.set_rule("confident-joint")
    state.engine.seed = 4
    state.view.selected = 7
    state.view.cell = (1, 2)
    state.view.center_tab = "scatter"
    state.view.result_tab = "cell"
    fragment = state.to_fragment()
    other = ExplorerState(state.dataset)
    other.apply_link("#" + fragment)
    assert other.notices.link == []
    assert (other.view.q_class, other.view.q_ood, other.view.rule, other.engine.seed) == (70, 20, "confident-joint", 4)
    assert (other.view.selected, other.view.cell, other.view.center_tab, other.view.result_tab) == (
        7,
        (1, 2),
        "scatter",
        "cell",
    )


def test_bad_fragments_are_ignored_with_notes():
    s = ExplorerState(tiny_dataset())
    s.apply_link("class=abc&ood=300&item=nope&cell=9-9&rule=evil&view=<script>")
    notes = s.notices.link
    assert (s.view.q_class, s.view.q_ood, s.view.rule, s.view.selected, s.view.cell, s.view.center_tab) == (
        50,
        15,
        "percentile",
        None,
        None,
        "joint",
    )
    assert len(notes) == 4
    s.apply_link("class=10&ood=40")  # OOD above class is clamped
    assert (s.view.q_class, s.view.q_ood) == (10, 10)


def test_decisions_accept_keep_exclude_undo(state):
    result = state.analysis()
    issue = result.label_issues[0]
    assert state.accept(issue) and state.labels[issue] == result.suggested[issue]
    assert state.stale
    state.keep(issue)
    assert state.labels[issue] == state.dataset.given[issue] and state.work.decisions[issue] == "keep"
    state.exclude(3)
    assert state.excluded == {3} and state.stale
    state.undo(3)
    assert state.excluded == frozenset()
    correct = result.correct[0]
    assert state.accept(correct) and state.labels[correct] == state.dataset.given[correct]


def open_plan(state):
    """Accept all's plan for the current rule, computed and opened (as the page does in steps)."""
    for _ in state.iter_plan():
        pass
    state.open_accept_all()
    assert state.accept_open


def test_accept_all_of_all_listed_relabels_every_issue(state):
    issues = state.analysis().label_issues
    assert not state.accept_open and not state.accept_changes()  # nothing happens before the plan is open
    open_plan(state)
    assert state.choose_accept("all")
    assert sorted(i for i, _ in state.accept_changes()) == sorted(issues)  # the plan lists the rule's issues
    assert sorted(state.accept_all().items) == sorted(issues)
    assert not state.accept_open
    assert all(state.labels[i] == state.analysis().suggested[i] for i in issues)


def test_the_plan_closes_when_the_rule_moves_and_the_analysis_keeps_its_basis(state):
    before = state.analysis().counts
    open_plan(state)
    summary = state.accept_summary()
    assert summary.startswith("Accept all will change") and "the percentile rule" in summary
    state.set_class_percentile(state.view.q_class + 10)
    assert not state.accept_open  # another rule position: its own plan, asked afresh
    state.set_class_percentile(state.view.q_class - 10)
    open_plan(state)
    state.choose_accept("worst", 0)
    assert state.accept_changes() == [] and state.accepting.n == 0
    state.choose_accept("all")
    state.accept_all()
    assert state.analysis().counts == before  # decisions are marks: the counts never change basis


def test_training_without_excluded_items_reports_by_item(state):
    assert state.known_errors() == [0]
    state.exclude(2)
    state.exclude(0)  # the one truly wrong item: excluding it leaves no known error
    assert state.known_errors() == []
    labels = list(state.labels)
    probs = probabilities_for(labels)
    probs[2] = probs[0] = None
    state.finish_training(labels, probs, {"seed": 0}, state.excluded)
    result = state.analysis()
    assert result.categories[2] == result.categories[0] == 4 and result.suggested[2] is None
    assert result.counts["excluded"] == 2
    assert all(i not in cell for row in result.joint_ids for cell in row for i in (0, 2))
    assert sum(result.counts[c] for c in ("correct", "label_issue", "ood", "unconfident")) == len(labels) - 2
    assert not state.stale


def test_histogram_bins_equal_counting_each_value():
    import random

    from cleanlens.web.state import Training

    rng = random.Random(0)
    for trial in range(100):
        labels = [rng.randrange(3) for _ in range(rng.randint(1, 50))]
        rows = []
        for _ in labels:
            raw = [round(rng.random() ** rng.choice([1, 3, 8]), 1 if trial % 5 == 0 else 17) + 1e-9 for _ in range(3)]
            rows.append([x / sum(raw) for x in raw])
        training = Training(labels, rows, {})
        for k in range(3):
            for lo in (0.0, 0.1, 0.5, 0.9):
                expected = [0] * 30
                for v in training.learner.sorted_self_confidences[k]:
                    expected[max(0, min(29, int((v - lo) / ((1 - lo) or 1) * 30)))] += 1
                assert training.histogram(k, lo, 30) == expected


def test_a_decision_pins_the_next_undecided_item_of_the_results_list():
    from .render_support import trained

    state = trained()
    state.view.result_tab = "unconfident"
    order = list(state.result_list()[0])
    assert sorted(order) == [3, 4, 7, 8, 13]  # (render_support.trained's unconfident items) worst first
    state.select(order[0])
    state.decide_and_advance("keep", order[0])
    assert state.view.selected == order[1]
    state.decide_and_advance("exclude", order[2])  # the one after it is next, wherever the selection was
    assert state.view.selected == order[3]
    state.decide_and_advance("undo", order[3])  # undo stays
    assert state.view.selected == order[3]
    state.decide_and_advance("keep", order[-1])
    assert state.view.selected == order[1]  # from the top again, skipping decided items
    assert state.next_undecided(0) is None  # item 0 is not in this list
    for i in order:
        state.keep(i)
    assert state.next_undecided(order[0]) is None  # everything decided


def test_gamma_defaults_to_scale_for_features_of_your_own():
    from cleanlens.crossval import DEFAULT_GAMMA
    from cleanlens.tuning import scale_gamma

    data = tiny_dataset()
    own = ExplorerState(data, is_demo=False)
    assert own.engine.svm_gamma == own.engine.defaults()["svm_gamma"] == scale_gamma(data.features)
    assert own.set_engine("svm_gamma", 0.0123)
    assert own.reset_engine() and own.engine.svm_gamma == scale_gamma(data.features)
    assert ExplorerState(data).engine.svm_gamma == DEFAULT_GAMMA  # the demo keeps its 0.003


def test_engine_settings_in_the_url_read_back_exactly():
    from cleanlens.web.state.fragment import exact

    assert exact(0.003) == "0.003" and exact(1.0) == "1" and float(exact(1 / 13)) == 1 / 13
