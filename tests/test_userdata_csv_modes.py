"""cleanlens.userdata.csv_modes: a CSV as probabilities or as features, and automatic mode."""

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanlens.dataset import OOD
from cleanlens.userdata import (
    MAX_CLASSES,
    load_files,
)

from .test_userdata import (
    EMB_CSV,
    LABELS,
    PROB_CSV,
    PROBS,
    csv_bytes,
    demo_json,
    error,
)


def test_csv_probabilities_with_class_names():
    result = load_files([("scores.csv", PROB_CSV)])
    assert result.mode == "probabilities"
    assert result.source_name == "scores.csv"
    assert result.source_sha256 == hashlib.sha256(PROB_CSV).hexdigest()
    dataset = result.dataset
    assert dataset.classes == ["cat", "dog", "bear"]
    assert dataset.ids == ["a", "b", "c", "d", "e"]
    assert dataset.given == LABELS
    assert dataset.features is None and dataset.truth is None
    assert result.probabilities == PROBS


def test_csv_probabilities_prefix_integer_labels_truth_and_default_ids():
    data = csv_bytes(
        " Label , truth, p_cat , p_dog ,p_bear",
        "0,0,0.8,0.1,0.1",
        "",
        "1,OOD,0.2,0.7,0.1",
        "2,1,0.1,0.1,0.8",
        "1,1,0.6,0.3,0.1",
        "2,2,0.3,0.3,0.4",
    )
    result = load_files([("p.csv", data)])
    assert result.mode == "probabilities"
    assert result.dataset.classes == ["cat", "dog", "bear"]
    assert result.dataset.given == LABELS
    assert result.dataset.truth == [0, OOD, 1, 1, 2]
    assert result.dataset.ids == ["0", "1", "2", "3", "4"]


def test_csv_labels_are_full_prefixed_headers():
    data = csv_bytes("label,p_a,p_b", "p_a,0.9,0.1", "p_b,0.2,0.8")
    assert load_files([("p.csv", data)]).dataset.classes == ["p_a", "p_b"]


def test_csv_sums_and_renormalise():
    data = csv_bytes("label,cat,dog", "cat,0.5,0.3", "dog,0.2,0.8", "dog,0.1,0.1")
    exc = error([("p.csv", data)], mode="probabilities")
    assert exc.renormalizable
    assert str(exc).startswith("p.csv: line 2: probabilities sum to 0.8, not 1 (tolerance 0.001); 2 rows do not sum")
    result = load_files([("p.csv", data)], mode="probabilities", renormalize=True)
    assert np.allclose(result.probabilities, [[0.625, 0.375], [0.2, 0.8], [0.5, 0.5]], rtol=0, atol=1e-15)
    # Auto mode uses the column names (rule a) even when the sums are off, so the user is offered renormalising.
    assert error([("p.csv", data)]).renormalizable


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["label,cat,dog", "cat,0.5,0.5", "dog,0.2"], "p.csv: line 3 has 2 columns, the header has 3"),
        (["label,cat,p_dog", "cat,0.5,0.5", "dog,abc,0.5"], "p.csv: line 3, column 2 ('cat'): not a number: 'abc'"),
        (
            ["label,cat,dog", "cat,0.5,", "dog,0.5,0.5"],
            "p.csv: line 2, column 3 ('dog'): empty value, expected a number",
        ),
        (["label,cat,dog", "cat,0.5,0.5", "dog,nan,0.5"], "p.csv: line 3, column 2 ('cat'): not finite: 'nan'"),
        (["label,cat,dog", "cat,0.5,0.5", "dog,0.5,-inf"], "p.csv: line 3, column 3 ('dog'): not finite: '-inf'"),
        (
            ["label,cat,dog", "cat,1.5,-0.5", "dog,0.5,0.5"],
            "p.csv: line 2, column 3 ('dog'): negative probability: -0.5",
        ),
        (
            ["label,cat,dog,bear", "cat,0.5,0.5,0", "dgo,0.5,0.5,0", "bear,0,0,1"],
            "p.csv: line 3, column 1 ('label'): unknown label 'dgo'; expected one of 'cat', 'dog', 'bear' (the "
            "probability columns)",
        ),
        (
            ["label,cat,dog", "0,0.5,0.5", "2,0.5,0.5", "1,0.5,0.5"],
            "p.csv: line 3, column 1 ('label'): unknown label '2'; expected a class index 0..1 or one of 'cat', 'dog'",
        ),
        (
            ["label,truth,cat,dog", "cat,cat,0.5,0.5", "dog,dgo,0.5,0.5"],
            "p.csv: line 3, column 2 ('truth'): unknown true label 'dgo'; expected one of 'cat', 'dog' or 'OOD'",
        ),
        (
            ["label,cat,dog,bear", "cat,0.5,0.5,0", "dog,0.5,0.5,0"],
            "p.csv: class 'bear' (column 4) has no items: every class needs at least one item labelled with it",
        ),
        (["label,cat", "cat,1"], "p.csv: line 1: probabilities mode needs at least two probability columns"),
        (["label,cat,cat", "cat,0.5,0.5"], "p.csv: line 1: columns 2 and 3 are both named 'cat'"),
        (["label,cat,", "cat,0.5,0.5"], "p.csv: line 1, column 3: empty header"),
        (["label,cat,OOD", "cat,0.5,0.5"], "p.csv: line 1, column 3: 'OOD' is reserved for the truth column"),
        (["label,p_cat,p_OOD", "cat,0.5,0.5"], "p.csv: line 1, column 3 ('p_OOD'): 'OOD' is reserved"),
        (["label,cat,dog", "cat,0.5,0.5", ",0.5,0.5"], "p.csv: line 3, column 1 ('label'): empty label"),
    ],
)
def test_csv_probability_errors(lines, expected):
    exc = error([("p.csv", csv_bytes(*lines))], mode="probabilities")
    assert str(exc).startswith(expected), str(exc)
    assert not exc.renormalizable


def test_csv_embeddings_with_id_truth_image():
    result = load_files([("emb.csv", EMB_CSV)])
    assert result.mode == "embeddings"
    assert result.probabilities is None
    dataset = result.dataset
    assert dataset.classes == ["cat", "dog"]
    assert dataset.ids == ["a", "b", "c", "d", "e", "f"]
    assert dataset.given == [0, 1, 0, 1, 0, 1]
    assert dataset.truth == [0, 1, OOD, 0, 0, 1]
    assert dataset.features == [[0.1, 0.2], [1.0, 1.1], [0.2, 0.1], [1.2, 0.9], [0.0, 0.3], [0.9, 1.0]]
    assert dataset.images == ["static/demo/a.png", None, "data:image/png;base64,iVBORw0KGgo=", None, None, None]
    assert result.warnings == ["1 image URL was ignored (only data:image/… URIs and paths on this site are allowed)"]
    assert dataset.provenance == {"source": "emb.csv", "sha256": hashlib.sha256(EMB_CSV).hexdigest()}


def test_csv_embedding_classes_sorted_numerically_or_as_text():
    rows = [f"{label},{i}" for i, label in enumerate(["10", "2", "2", "10", "-1", "2"])]
    assert load_files([("e.csv", csv_bytes("label,x", *rows))]).dataset.classes == ["-1", "2", "10"]
    rows = [f"{label},{i}" for i, label in enumerate(["b", "a", "B", "b", "a"])]
    assert load_files([("e.csv", csv_bytes("label,x", *rows))]).dataset.classes == ["B", "a", "b"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["label,x", "cat,1", "cat,2", "cat,3", "cat,4", "cat,5"], "e.csv: only one class ('cat') in the label column"),
        (["label,x", "cat,1", "dog,2", "cat,3", "dog,4"], "e.csv: 4 items; embeddings mode needs at least 5"),
        (
            ["id,label,x", "x1,cat,1", "x2,dog,2", "x1,cat,3", "x4,dog,4", "x5,cat,5"],
            "e.csv: line 4: duplicate id 'x1' (first on line 2)",
        ),
        (["id,label,x", "x1,cat,1", " ,dog,2"], "e.csv: line 3, column 1 ('id'): empty id"),
        (
            ["label,truth,x", "cat,cat,1", "dog,bear,2", "cat,cat,3", "dog,dog,4", "cat,cat,5"],
            "e.csv: line 3, column 2 ('truth'): unknown true label 'bear'; expected one of 'cat', 'dog' (the "
            "labels) or 'OOD'",
        ),
        (["label,truth,x", "cat,,1"], "e.csv: line 2, column 2 ('truth'): empty truth"),
        (
            ["label,x", "cat,1", "OOD,2", "dog,3", "cat,4", "dog,5"],
            "e.csv: line 3, column 1 ('label'): 'OOD' is reserved",
        ),
        (
            ["label,given,x", "cat,cat,1"],
            "e.csv: line 1: columns 1 ('label') and 2 ('given') are both the label column",
        ),
        (["name,x", "cat,1"], "e.csv: line 1: no 'label' (or 'given') column in the header"),
        (
            ["label;x", "cat;1"],
            "e.csv: line 1: no 'label' (or 'given') column in the header; the first line must be a header",
        ),
        (["label,id", "cat,1"], "e.csv: line 1: no numeric columns"),
        (["label,x"], "e.csv: has a header but no rows"),
        (["label,x", "", " , "], "e.csv: has a header but no rows"),
    ],
)
def test_csv_embedding_errors(lines, expected):
    exc = error([("e.csv", csv_bytes(*lines))], mode="embeddings")
    assert str(exc).startswith(expected), str(exc)


def test_csv_too_many_classes_in_embeddings_mode():
    rows = [f"c{i},{i}" for i in range(MAX_CLASSES + 1)]
    exc = error([("e.csv", csv_bytes("label,x", *rows))])
    assert str(exc) == f"e.csv: {MAX_CLASSES + 1} distinct labels (classes); at most {MAX_CLASSES} are supported"


def test_auto_mode_rule_b_integer_labels_and_probability_values():
    data = csv_bytes("label,a,b,c", "0,0.8,0.1,0.1", "1,0.2,0.7,0.1", "2,0.1,0.1,0.8", "1,0.6,0.3,0.1", "2,0.3,0.3,0.4")
    result = load_files([("p.csv", data)])
    assert result.mode == "probabilities"
    assert result.dataset.classes == ["a", "b", "c"]
    assert result.dataset.given == LABELS


def test_auto_mode_picks_embeddings_otherwise_and_mode_can_be_forced():
    # Integer labels with K numeric columns, but the values are not probabilities: embeddings.
    data = csv_bytes("label,a,b", "0,0.5,2", "1,0.5,0.5", "0,0.5,0.5", "1,0.5,0.5", "0,0.5,0.5")
    assert load_files([("p.csv", data)]).mode == "embeddings"
    # Names that match the labels: probabilities; forced to embeddings, the columns become features.
    result = load_files([("p.csv", PROB_CSV)], mode="embeddings")
    assert result.mode == "embeddings"
    assert result.dataset.features == PROBS
    assert result.dataset.classes == ["bear", "cat", "dog"]
    # An embeddings file forced into probabilities mode fails with a probabilities message.
    exc = error([("emb.csv", EMB_CSV)], mode="probabilities")
    assert str(exc).startswith(
        "emb.csv: line 2, column 2 ('label'): unknown label 'cat'; expected a class index 0..1 or one of 'x1', 'x2'"
    )


def test_auto_mode_feature_columns_named_like_some_labels_stay_embeddings():
    rows = [f"{i % 3},{i},{i * 2},{i * 3},{i * 4}" for i in range(6)]
    result = load_files([("e.csv", csv_bytes("label,0,1,2,3", *rows))])
    assert result.mode == "embeddings"


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=3, max_size=3), min_size=3, max_size=30)
)
def test_valid_probability_csvs_round_trip(rows):
    rows = [[x / sum(row) for x in row] for row in rows]
    labels = [i % 3 for i in range(len(rows))]
    lines = ["label,a,b,c"] + [f"{'abc'[g]}," + ",".join(repr(x) for x in row) for g, row in zip(labels, rows)]
    result = load_files([("p.csv", csv_bytes(*lines))], mode="probabilities")
    assert result.dataset.given == labels
    assert result.probabilities == rows


def test_auto_mode_notes():
    assert load_files([("p.csv", PROB_CSV)]).notes == [
        "Read as predicted probabilities: the labels are the names of the 3 numeric columns."
    ]
    data = csv_bytes("label,a,b,c", "0,0.8,0.1,0.1", "1,0.2,0.7,0.1", "2,0.1,0.1,0.8", "1,0.6,0.3,0.1", "2,0.3,0.3,0.4")
    assert load_files([("p.csv", data)]).notes == [
        "Read as predicted probabilities: the labels are column indices 0..2 and every value is in [0, 1]."
    ]
    assert load_files([("e.csv", EMB_CSV)]).notes == [
        "Read as features (embeddings mode): line 3, column 6 holds 1.1, outside [0, 1], so the values are not "
        "probabilities."
    ]
    rows = [f"{'xy'[i % 2]},{0.1 * i},{0.2}" for i in range(6)]
    assert load_files([("e.csv", csv_bytes("label,a,b", *rows))]).notes == [
        "Read as features (embeddings mode): the labels are neither the names of the 2 numeric columns "
        "nor column indices 0..1, and the values on line 2 sum to 0.2, not 1."
    ]
    rows = [f"{'xy'[i % 2]},{i}" for i in range(6)]
    assert load_files([("e.csv", csv_bytes("label,a", *rows))]).notes == [
        "Read as features (embeddings mode): there is only one numeric column."
    ]
    assert load_files([("p.csv", PROB_CSV)], mode="probabilities").notes == []
    assert load_files([("d.json", demo_json())]).notes == []


def test_auto_mode_offers_renormalising_probability_like_rows():
    data = csv_bytes("label,a,b,c", "0,0.8,0.1,0.3", "1,0.2,0.7,0.1", "2,0.1,0.1,0.8", "1,0.6,0.3,0.1", "2,0.3,0.3,0.4")
    exc = error([("p.csv", data)])
    assert exc.renormalizable
    assert str(exc) == (
        "p.csv: line 2: probabilities sum to 1.2, not 1 (tolerance 0.001); 1 row does not sum to 1: renormalise to "
        "load "
        "them anyway (automatic mode: read as predicted probabilities: the labels are column indices 0..2 and every "
        "value is in [0, 1]; choose embeddings mode if these are features)"
    )
    result = load_files([("p.csv", data)], renormalize=True)
    assert result.mode == "probabilities" and result.probabilities[0] == pytest.approx(
        [0.8 / 1.2, 0.1 / 1.2, 0.3 / 1.2]
    )
    assert load_files([("p.csv", data)], mode="embeddings").mode == "embeddings"


@pytest.mark.parametrize(
    ("label", "mode"),
    [
        ("1.5", "probabilities"),
        ("cat", "probabilities"),
        ("1.5", "auto"),
        ("cat", "auto"),
        ("7", "auto"),
        ("-1", "auto"),
    ],
)
def test_the_label_at_fault_is_blamed(label, mode):
    rows = ["0,0.8,0.1,0.1", "1,0.2,0.7,0.1", f"{label},0.1,0.1,0.8", "1,0.6,0.3,0.1", "2,0.3,0.3,0.4"]
    message = str(error([("p.csv", csv_bytes("label,a,b,c", *rows))], mode=mode))
    assert message.startswith(
        f"p.csv: line 4, column 1 ('label'): unknown label '{label}'; expected a class index 0..2 or one of 'a', "
        "'b', 'c'"
    ), message


def test_mixed_label_kinds_blame_the_rarer_kind():
    rows = ["0,0.8,0.1,0.1", "1,0.2,0.7,0.1", "c,0.1,0.1,0.8", "1,0.6,0.3,0.1", "2,0.3,0.3,0.4"]
    assert str(error([("p.csv", csv_bytes("label,a,b,c", *rows))], mode="probabilities")) == (
        "p.csv: line 4, column 1 ('label'): label 'c' is a class name, but other labels are column indices "
        "(e.g. '0' on line 2): use one kind for every label"
    )
