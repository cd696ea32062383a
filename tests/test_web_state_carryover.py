"""New probabilities loaded on top of a session: decisions carried over by id or position, refused with a
reason for other items or classes, checked against the new analysis, kept in the saved session."""

import dataclasses

from cleanlens.web import render, session
from cleanlens.web.state import ExplorerState, carryover

from .test_web_state import probabilities_for, tiny_dataset


def file_state(data, sha, name="new.csv"):
    probs = probabilities_for(data.given)
    state = ExplorerState(data, source_name=name, source_sha256=sha, given_probabilities=probs, is_demo=False)
    return state


def worked_on():
    old = file_state(tiny_dataset(), "old", "old.csv")
    old.work.decide(0, "accept", 1)
    old.work.decide(1, "keep")
    old.work.decide(6, "accept", 2)
    return old


def test_decisions_are_carried_by_id_even_reordered_and_fixes_in_the_file_are_no_changes():
    old = worked_on()
    data = tiny_dataset()
    order = list(reversed(range(len(data.ids))))
    fixed = [old.work.labels[i] for i in order]  # the exported fixed labels, rows reversed
    new_data = dataclasses.replace(data, ids=[data.ids[i] for i in order], given=fixed)
    new = file_state(new_data, "new")
    assert carryover.wants_carry(old, new)
    carried = carryover.carry(old, new)
    n = len(order)
    assert carried.by_id and carried.decisions == 3 and carried.source == "old.csv"
    assert carried.accepted == {n - 1: 1, n - 7: 2}
    assert new.work.decisions == {n - 1: "accept", n - 2: "keep", n - 7: "accept"}
    assert new.work.label_changes() == {}  # the fixes are the new file's labels: marks only


def test_a_fix_not_in_the_new_files_labels_stays_a_change_and_is_not_checked():
    old = worked_on()
    new = file_state(tiny_dataset(), "new")  # the original labels again, by position when ids are rows
    new.dataset.row_ids = True
    carried = carryover.carry(old, new)
    assert not carried.by_id and new.work.label_changes() == {0: 1, 6: 2}
    assert carryover.fix_check(carried, new.dataset.given, flagged=set()) == (0, 0, 2)


def test_fix_check_counts_agreeing_and_still_flagged_fixes():
    carried = carryover.CarryOver("a.csv", 3, {0: 1, 2: 0, 5: 2})
    given = [1, 0, 0, 0, 0, 2]
    assert carryover.fix_check(carried, given, flagged={2}) == (2, 1, 0)
    text = carryover.sentence(carried, 6, given, {2})
    assert text == (
        "New probabilities for the same 6 items (matched by position): your 3 decisions on a.csv are kept as "
        "marks on this file's analysis, which is of this file's labels. 2 of your 3 accepted fixes now agree "
        "with the model; 1 is still flagged."
    )
    assert "Checking your 3 accepted fixes" in carryover.sentence(carried, 6, given, None)


def test_other_items_or_classes_are_refused_with_the_reason_and_the_new_state_is_untouched():
    old = worked_on()
    fewer = tiny_dataset(n_per_class=5)
    assert "has 15 items, the previous one 18" in carryover.carry(old, file_state(fewer, "n"))
    renamed = file_state(tiny_dataset(classes=("a", "b", "z")), "c")
    assert "the classes differ" in carryover.carry(old, renamed) and not renamed.work.decisions
    other_ids = dataclasses.replace(tiny_dataset(), ids=[f"y{i}" for i in range(18)])
    assert "18 of the previous ids are not in the new file" in carryover.carry(old, file_state(other_ids, "i"))


def test_nothing_is_carried_from_the_same_file_the_demo_or_no_work():
    old = worked_on()
    assert not carryover.wants_carry(old, file_state(tiny_dataset(), "old"))  # Start over on the same file
    assert not carryover.wants_carry(file_state(tiny_dataset(), "x"), file_state(tiny_dataset(), "y"))
    assert not carryover.wants_carry(ExplorerState(tiny_dataset()), file_state(tiny_dataset(), "y"))


def test_the_carry_over_survives_the_saved_session_and_is_said_in_the_page():
    old = worked_on()
    new = file_state(tiny_dataset(), "new")
    new.carried = carryover.carry(old, new)
    record = session.to_record(new, key="probabilities:new", kind="files", revision=1, tab="t")
    fresh = file_state(tiny_dataset(), "new")
    assert session.apply(record, fresh) == []
    assert fresh.carried == new.carried and fresh.work.decisions == new.work.decisions
    assert "your 3 decisions on old.csv are kept" in render.carried_over_note(fresh)
    damaged = dict(record, carried={"accepted": {"99": 1}, "source": "x", "decisions": 1})
    fresh = file_state(tiny_dataset(), "new")
    assert session.apply(damaged, fresh) == ["what was carried over from the previous file was not readable"]
    assert render.carried_over_note(fresh) == ""


def test_the_read_out_says_which_labels_features_were_trained_on():
    state = ExplorerState(tiny_dataset())
    labels = list(state.dataset.given)
    state.finish_training(labels, probabilities_for(labels), {"engine": "builtin", "seed": 0})
    assert render.trained_on(state) == "Trained on the given labels."
    labels[0] = 1
    state.finish_training(labels, probabilities_for(labels), {"engine": "builtin", "seed": 0}, frozenset({3}))
    assert render.trained_on(state) == "Trained on your labels: 1 changed by you, 1 left out."
    assert file_state(tiny_dataset(), "p").training is None and render.trained_on(file_state(tiny_dataset(), "p")) == ""
