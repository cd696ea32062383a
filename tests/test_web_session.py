"""cleanlens.web.session: the saved session round-trips, and a damaged or foreign record never breaks the page."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens.web import session
from cleanlens.web.state import ENGINE_DEFAULTS, ENGINE_KEYS, ENGINE_LIMITS, ExplorerState

from .test_web_state import probabilities_for, tiny_dataset


def worked_on():
    """A state after some work: relabels, decisions, a view, a training on edited labels."""
    data = tiny_dataset()
    state = ExplorerState(data, source_name="fashion3.json", source_sha256="abc")
    state.finish_training(list(data.given), probabilities_for(data.given), {"engine": "builtin", "seed": 0})
    state.relabel(1, 2)
    state.relabel(4, 0)
    state.relabel(4, data.given[4])  # changed and changed back
    state.finish_training(
        list(state.labels), probabilities_for(state.labels), {"engine": "builtin", "seed": 3}, excluded={7}
    )
    state.relabel(2, 1)
    state.keep(5)
    state.exclude(7)
    state.set_class_percentile(70)
    state.set_ood_percentile(20)
    state.set_rule("confident-joint")
    state.view.selected = 3
    state.view.cell = (0, 1)
    state.view.result_tab = "cell"
    state.view.center_tab = "table"
    state.view.table_sort = ("p1", False)
    state.view.filter_class = 2
    state.view.sort = "quality-desc"
    state.set_engine("svm_C", "10")
    state.set_engine("n_folds", 3)
    return state


def restored(record):
    data = tiny_dataset()
    fresh = ExplorerState(data, source_name="fashion3.json", source_sha256="abc")
    session.check(record, fresh, "demo")
    notes = session.apply(record, fresh)
    return fresh, notes


def test_a_session_round_trips_through_json():
    state = worked_on()
    record = json.loads(json.dumps(session.to_record(state, key="demo", kind="demo", revision=4, tab="t1")))
    fresh, notes = restored(record)
    assert notes == []
    assert fresh.labels == state.labels
    assert fresh.work.decisions == state.work.decisions
    assert fresh.work.unexported
    for name in session.VIEW:
        assert getattr(fresh.view, name) == getattr(state.view, name), name
    assert fresh.engine == state.engine
    labels, excluded, info = session.training_of(record, fresh)
    assert labels == state.training.labels and excluded == {7} and info["seed"] == 3
    # the restored state saves the same record again (trained labels included)
    fresh.finish_training(labels, probabilities_for(labels), info, excluded)
    again = session.to_record(fresh, key="demo", kind="demo", revision=5, tab="t1")
    assert again["labels"] == record["labels"] and again["training"] == record["training"]


def test_export_clears_the_unexported_flag_and_a_change_sets_it():
    state = worked_on()
    state.export("csv")
    assert not state.work.unexported
    assert not session.to_record(state, key="demo", kind="demo", revision=1, tab="t")["unexported"]
    state.keep(2)
    assert state.work.unexported


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format": 0}, "another version"),
        ({"key": "embeddings:zzz"}, "other data"),
        ({"sha256": "other"}, "other data"),
        ({"items": 999}, "size does not match"),
    ],
)
def test_records_of_other_formats_or_data_are_refused(change, message):
    record = dict(session.to_record(worked_on(), key="demo", kind="demo", revision=1, tab="t"), **change)
    with pytest.raises(session.SessionError, match=message):
        session.check(record, ExplorerState(tiny_dataset(), source_sha256="abc"), "demo")


def test_parts_that_do_not_fit_are_left_out_with_a_note():
    record = session.to_record(worked_on(), key="demo", kind="demo", revision=1, tab="t")
    record["labels"] = {"1": 2, "99": 0, "x": 1, "3": 7, "5": True}
    record["decisions"] = {"5": "keep", "6": "delete"}
    record["view"] = dict(
        record["view"], q_class=101, rule="magic", cell=[0, 9], table_sort=["p9", True], svm_gamma="fast", n_folds=1
    )
    fresh, notes = restored(record)
    assert fresh.labels[1] == 2 and fresh.work.decisions == {5: "keep"}
    assert fresh.view.q_class == 50 and fresh.view.rule == "percentile" and fresh.view.cell is None
    text = " ".join(notes)
    assert fresh.engine.svm_gamma == ENGINE_DEFAULTS["svm_gamma"] and fresh.engine.n_folds == ENGINE_DEFAULTS["n_folds"]
    for part in ("4 saved labels", "1 saved decisions", "q class", "rule", "cell", "table order", "gamma", "folds"):
        assert part in text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["labels", "decisions", "view", "training", "unexported"]), json_values),
    st.dictionaries(st.sampled_from([*session.VIEW, "seed", *ENGINE_KEYS]), json_values),
)
def test_any_damaged_record_restores_something_or_is_refused_never_crashes(fields, view):
    record = session.to_record(worked_on(), key="demo", kind="demo", revision=1, tab="t")
    record.update(fields)
    if isinstance(record.get("view"), dict):
        record["view"].update(view)
    fresh = ExplorerState(tiny_dataset(), source_name="fashion3.json", source_sha256="abc")
    session.check(record, fresh, "demo")
    notes = session.apply(record, fresh)
    assert all(isinstance(n, str) for n in notes)
    assert 0 <= fresh.view.q_ood <= fresh.view.q_class <= 100
    assert all(0 <= label < 3 for label in fresh.labels)
    for name, (lo, hi) in ENGINE_LIMITS.items():
        assert lo <= getattr(fresh.engine, name) <= hi
    trained = session.training_of(record, fresh)
    assert trained is None or len(trained[0]) == len(fresh.labels)
