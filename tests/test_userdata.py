"""Tests for cleanlens.userdata: loading the user's own files (npy pair, CSV, JSON) with specific errors."""

import hashlib
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanlens import userdata
from cleanlens.arrays_io import MAX_COLUMNS
from cleanlens.dataset import MAX_JSON_DEPTH, MAX_JSON_INT_DIGITS, MAX_JSON_STRING_BYTES, OOD
from cleanlens.userdata import (
    MAX_CLASS_NAMES_BYTES,
    MAX_CLASSES,
    MAX_FEATURE_VALUES,
    MAX_FILE_BYTES,
    MAX_PROBABILITY_ROWS,
    LoadedData,
    UserDataError,
    allowed_image,
    iter_load_files,
    load_files,
)

from .test_arrays_io import python_lines_run

ROOT = Path(__file__).resolve().parent.parent
DEMO_JSON = ROOT / "embeddings" / "fashion3.json"
HOSTILE = "<img src=x onerror=alert(1)>"


def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode()


def error(files, **kwargs):
    with pytest.raises(UserDataError) as info:
        load_files(files, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return info.value


PROBS = [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1], [0.3, 0.3, 0.4]]
LABELS = [0, 1, 2, 1, 2]

PROB_CSV = csv_bytes(
    "id,label,cat,dog,bear",
    "a,cat,0.8,0.1,0.1",
    "b,dog,0.2,0.7,0.1",
    "c,bear,0.1,0.1,0.8",
    "d,dog,0.6,0.3,0.1",
    "e,bear,0.3,0.3,0.4",
)

EMB_CSV = csv_bytes(
    "id,label,truth,image,x1,x2",
    "a,cat,cat,static/demo/a.png,0.1,0.2",
    "b,dog,dog,,1.0,1.1",
    'c,cat,OOD,"data:image/png;base64,iVBORw0KGgo=",0.2,0.1',
    "d,dog,cat,,1.2,0.9",
    "e,cat,cat,javascript:alert(1),0.0,0.3",
    "f,dog,dog,,0.9,1.0",
)


# --- .npy pairs ---------------------------------------------------------------------


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("float_dtype", ["f4", "f8"])
@pytest.mark.parametrize("int_dtype", ["i4", "i8"])
def test_npy_pair(order, float_dtype, int_dtype):
    labels = npy(np.array(LABELS, dtype=order + int_dtype))
    probs = npy(np.array(PROBS, dtype=order + float_dtype))
    result = load_files([("pred_probs.npy", probs), ("labels.npy", labels)])
    assert isinstance(result, LoadedData)
    assert result.mode == "probabilities"
    assert result.source_name == "labels.npy + pred_probs.npy"
    assert result.source_sha256 == hashlib.sha256(labels + probs).hexdigest()
    dataset = result.dataset
    assert dataset.classes == ["0", "1", "2"]
    assert dataset.ids == ["0", "1", "2", "3", "4"]
    assert dataset.given == LABELS
    assert dataset.features is None and dataset.truth is None and dataset.layout is None
    assert dataset.images == [None] * 5
    assert dataset.provenance["source"] == result.source_name
    expected = np.array(PROBS, dtype=order + float_dtype).astype(float).tolist()
    assert result.probabilities == expected
    assert result.warnings == []


def test_npy_labels_as_whole_floats_and_column_and_memoryview():
    labels = npy(np.array(LABELS, dtype=float).reshape(-1, 1))
    probs = npy(np.array(PROBS))
    result = load_files([("l.npy", memoryview(labels)), ("p.npy", bytearray(probs))])
    assert result.dataset.given == LABELS


def npy_files(labels=LABELS, probs=PROBS, label_dtype="i8"):
    return [("labels.npy", npy(np.array(labels, dtype=label_dtype))), ("pred_probs.npy", npy(np.array(probs)))]


@pytest.mark.parametrize(
    ("labels", "probs", "label_dtype", "expected"),
    [
        ([0, 1, 2, 1, 2.5], PROBS, "f8", "labels.npy: row 4: label 2.5 is not a whole number"),
        (
            [0, 1, 3, 1, 2],
            PROBS,
            "i8",
            "labels.npy: row 2: label 3 is not a class index 0..2 (pred_probs.npy has 3 columns)",
        ),
        ([0, 1, 2, 1], PROBS, "i8", "labels.npy has 4 rows but pred_probs.npy has 5"),
        (
            LABELS,
            [*PROBS[:3], [0.5, math.nan, 0.5], PROBS[4]],
            "i8",
            "pred_probs.npy: row 3, column 1: not finite: nan",
        ),
        (
            LABELS,
            [*PROBS[:3], [0.5, math.inf, 0.5], PROBS[4]],
            "i8",
            "pred_probs.npy: row 3, column 1: not finite: inf",
        ),
        (
            LABELS,
            [*PROBS[:2], [0.6, -0.1, 0.5], *PROBS[3:]],
            "i8",
            "pred_probs.npy: row 2, column 1: negative probability",
        ),
        (LABELS, [*PROBS[:2], [0.0, 0.0, 0.0], *PROBS[3:]], "i8", "pred_probs.npy: row 2: probabilities sum to 0"),
        ([0, 1, 1, 1, 1], PROBS, "i8", "class '2' (column 2 of pred_probs.npy) has no items"),
    ],
)
def test_npy_errors(labels, probs, label_dtype, expected):
    exc = error(npy_files(labels, probs, label_dtype))
    assert expected in str(exc)
    assert not exc.renormalizable


def test_npy_file_combinations():
    labels, probs = npy_files()
    assert "add the pred_probs .npy file" in str(error([labels]))
    assert "add the labels .npy file" in str(error([probs]))
    assert "both look like labels" in str(error([labels, ("l2.npy", labels[1])]))
    assert "both look like pred_probs" in str(error([probs, ("p2.npy", probs[1])]))
    assert "wrong combination" in str(error([labels, probs, ("x.npy", probs[1])]))
    assert "embeddings mode needs a .csv or .json" in str(error([labels, probs], mode="embeddings"))
    assert "shape (5, 3, 1)" in str(error([labels, ("p.npy", npy(np.zeros((5, 3, 1))))]))
    assert str(error([("labels.npy", b"PK\x03\x04 not npy"), probs])) == "labels.npy: not a .npy file (bad magic bytes)"
    assert str(error([("labels.npy", npy(np.zeros(0, dtype=int))), ("p.npy", npy(np.zeros((0, 3))))])) == (
        "labels.npy and p.npy have no rows (shapes (0,) and (0, 3)): there is nothing to analyse"
    )


def test_npy_sums_and_renormalise():
    probs = [[0.5, 0.3, 0.1], *PROBS[1:4], [2.0, 1.0, 1.0]]
    exc = error(npy_files(probs=probs))
    assert exc.renormalizable
    assert str(exc).startswith(
        "pred_probs.npy: row 0: probabilities sum to 0.9, not 1 (tolerance 0.001); 2 rows do not"
    )
    result = load_files(npy_files(probs=probs), renormalize=True)
    assert result.probabilities[0] == pytest.approx([5 / 9, 3 / 9, 1 / 9])
    assert result.probabilities[4] == pytest.approx([0.5, 0.25, 0.25])
    assert all(abs(math.fsum(row) - 1) < 1e-12 for row in result.probabilities)
    # A sum problem plus a fatal problem later: not renormalizable (renormalising would not help).
    exc = error(npy_files(labels=[0, 1, 1, 1, 1], probs=probs))
    assert not exc.renormalizable and "has no items" in str(exc)


def test_npy_limits(monkeypatch):
    k = MAX_CLASSES + 1
    probs = np.full((k, k), 1 / k)
    assert f"{k} columns (classes); at most {MAX_CLASSES}" in str(error(npy_files(list(range(k)), probs)))
    monkeypatch.setattr(userdata, "MAX_PROBABILITY_ROWS", 4)
    assert "pred_probs.npy: 5 rows; probabilities mode allows at most 4" in str(error(npy_files()))


# --- CSV, probabilities mode ------------------------------------------------------------


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


def test_csv_too_many_classes_fails_on_the_header():
    header = "label," + ",".join(f"c{j}" for j in range(MAX_CLASSES + 1))
    exc = error([("p.csv", csv_bytes(header, "c0," + ",".join(["0.5"] * (MAX_CLASSES + 1))))], mode="probabilities")
    assert (
        str(exc)
        == f"p.csv: line 1: {MAX_CLASSES + 1} probability columns (classes); at most {MAX_CLASSES} are supported"
    )


def test_csv_probability_row_limit(monkeypatch):
    monkeypatch.setattr(userdata, "MAX_PROBABILITY_ROWS", 4)
    assert str(error([("p.csv", PROB_CSV)], mode="probabilities")).startswith(
        "p.csv: more than 4 rows; probabilities mode allows at most 4"
    )


# --- CSV, embeddings mode --------------------------------------------------------------


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


def test_csv_semicolon_hint():
    assert "semicolon- or tab-separated" in str(error([("e.csv", csv_bytes("label;x", "cat;1"))]))


def test_csv_embedding_row_limit():
    rows = [f"{'cat' if i % 2 else 'dog'},{i}" for i in range(12)]
    exc = error([("e.csv", csv_bytes("label,x", *rows))], max_embedding_rows=10)
    assert str(exc).startswith("e.csv: 12 rows; embeddings mode allows at most 10 rows with the current engine")
    assert "scikit-learn" in str(exc) and "probabilities mode, up to 100,000 rows" in str(exc)
    exc = error([("e.csv", csv_bytes("label,x", *rows))], mode="embeddings", max_embedding_rows=10)
    assert str(exc).startswith("e.csv: more than 10 rows; embeddings mode allows at most 10 rows")


def test_csv_too_many_classes_in_embeddings_mode():
    rows = [f"c{i},{i}" for i in range(MAX_CLASSES + 1)]
    exc = error([("e.csv", csv_bytes("label,x", *rows))])
    assert str(exc) == f"e.csv: {MAX_CLASSES + 1} distinct labels (classes); at most {MAX_CLASSES} are supported"


def test_csv_line_numbers_count_physical_lines():
    data = b'\n\nid,label,x\n"multi\nline id",cat,1\n\ndog2,dog,zz\n'
    assert str(error([("e.csv", data)])) == "e.csv: line 7, column 3 ('x'): not a number: 'zz'"


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_csv_windows_and_old_mac_line_ends(newline):
    data = newline.join([b"label,x", b"cat,1", b"dog,2", b"cat,3", b"dog,zz", b""])
    assert str(error([("e.csv", data)])) == "e.csv: line 5, column 2 ('x'): not a number: 'zz'"


def test_csv_overlong_value():
    data = csv_bytes("label,image,x", "cat,data:image/png;base64," + "A" * 200_000 + ",1")
    assert str(error([("e.csv", data)])) == "e.csv: line 2: a value is longer than 131,072 characters"


# --- CSV automatic mode -------------------------------------------------------------------


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


def test_json_and_npy_modes_cannot_be_forced_otherwise():
    assert "probabilities mode needs a .csv file or two .npy files" in str(
        error([("d.json", DEMO_JSON.read_bytes())], mode="probabilities")
    )
    with pytest.raises(ValueError, match="unknown mode"):
        load_files([("p.csv", PROB_CSV)], mode="guess")


# --- JSON -----------------------------------------------------------------------------------


def demo_json(n=6, classes=("cat", "dog"), **extra):
    items = [
        {"id": f"i{i}", "image": None, "given": classes[i % len(classes)], "embedding": [i, i + 1.0]} for i in range(n)
    ]
    return json.dumps({"classes": list(classes), "items": items, **extra}).encode()


def test_json_demo_dataset():
    data = DEMO_JSON.read_bytes()
    result = load_files([("fashion3.json", data)])
    assert result.mode == "embeddings"
    assert result.probabilities is None
    assert result.source_sha256 == hashlib.sha256(data).hexdigest()
    assert len(result.dataset) == 300
    assert result.dataset.classes == json.loads(data)["classes"]
    assert result.dataset.images[0].startswith("static/demo/")
    assert result.warnings == []
    assert result.dataset.provenance["source"] == "fashion3.json"
    assert result.dataset.provenance["declared"] == json.loads(data)["provenance"]


def test_json_errors():
    assert str(error([("d.json", b"{not json")])).startswith("d.json: not valid JSON (line 1, column 2")
    assert str(error([("d.json", b"\xff\xfe{}")])).startswith("d.json: not UTF-8 text")
    assert str(error([("d.json", b"[]")])) == "d.json: expected a JSON object with 'classes' and 'items'"
    assert "d.json: 4 items; embeddings mode needs at least 5" in str(error([("d.json", demo_json(4))]))
    assert "only one class ('cat')" in str(error([("d.json", demo_json(6, ("cat",)))]))
    data = json.loads(demo_json(6))
    data["classes"].append("bear")
    assert "class 'bear' has no items" in str(error([("d.json", json.dumps(data).encode())]))
    many = [f"c{i}" for i in range(MAX_CLASSES + 1)]
    assert f"{MAX_CLASSES + 1} classes; at most {MAX_CLASSES}" in str(error([("d.json", demo_json(60, many))]))
    assert "d.json: 6 rows; embeddings mode allows at most 5" in str(
        error([("d.json", demo_json(6))], max_embedding_rows=5)
    )


def test_json_names_are_stripped():
    data = json.loads(demo_json(6, (" cat ", "dog")))
    data["items"][1]["id"] = " i1\t"
    result = load_files([("d.json", json.dumps(data).encode())])
    assert result.dataset.classes == ["cat", "dog"]
    assert result.dataset.ids[:2] == ["i0", "i1"]
    data["items"][1]["id"] = " i0"
    assert str(error([("d.json", json.dumps(data).encode())])) == (
        "d.json: item 1's id 'i0' is the same as item 0's id (ignoring surrounding spaces)"
    )
    data = json.loads(demo_json(6, (" ", "dog")))
    assert str(error([("d.json", json.dumps(data).encode())])) == "d.json: classes[0] is blank"


def test_json_image_filtering():
    data = json.loads(demo_json(6))
    data["items"][0]["image"] = "https://evil.example/x.png"
    data["items"][1]["image"] = "static/demo/b.png"
    data["items"][2]["image"] = "data:text/html,<script>alert(1)</script>"
    result = load_files([("d.json", json.dumps(data).encode())])
    assert result.dataset.images == [None, "static/demo/b.png", None, None, None, None]
    assert result.warnings == ["2 image URLs were ignored (only data:image/… URIs and paths on this site are allowed)"]


# --- files, sizes, sniffing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([], "no file given: choose one .csv file"),
        ([("data.xlsx", b"PK")], "data.xlsx: wrong file type; accepted: one .csv file, one .json file"),
        ([("README", b"x")], "README: wrong file type"),
        ([("a.csv", PROB_CSV), ("b.csv", PROB_CSV)], "a.csv + b.csv: wrong combination of files; accepted:"),
        ([("a.csv", b"")], "a.csv: the file is empty"),
        ([("a.csv", b" \n\t\n")], "a.csv: the file is empty"),
        ([("a.csv", b",,\n,\n")], "a.csv: the file is empty"),
        ([("a.csv", b"label,x\xff\n")], "a.csv: not UTF-8 text (byte 7)"),
        ([("a.csv", b"label,x\x00\n")], "a.csv: contains NUL characters"),
        ([("A.CSV", b"\xef\xbb\xbflabel,x\n")], "A.CSV: has a header but no rows"),
    ],
)
def test_file_level_errors(files, expected):
    assert str(error(files)).startswith(expected)


def test_file_size_limit_is_checked_before_parsing():
    exc = error([("big.npy", b"garbage" * 100), ("l.npy", b"")], max_file_bytes=500)
    assert str(exc) == "big.npy: the file is too large: 700 bytes; the limit is 500 bytes"
    exc = error([("big.csv", b"x" * (userdata.MAX_FILE_BYTES + 1))])
    assert str(exc) == "big.csv: the file is too large: 64.0 MiB (67,108,865 bytes); the limit is 64 MiB"


# --- image URLs and hostile text ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "http://evil.example/x.png",
        "https://evil.example/x.png",
        "//evil/x.png",
        "\\\\evil\\x.png",
        "/\\evil/x.png",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "a:b.png",
    ],
)
def test_disallowed_image_urls(url):
    assert allowed_image(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "data:image/png;base64,iVBORw0KGgo=",
        "DATA:image/svg+xml,<svg/>",
        "static/demo/a.png",
        "/static/a.png",
        "img/a b:c.png",
    ],
)
def test_allowed_image_urls(url):
    assert allowed_image(f"  {url} ") == url


def test_image_column_filtering_in_csv():
    urls = [
        "javascript:alert(1)",
        "http://evil.example/x.png",
        "//evil/x.png",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/png;base64,iVBORw0KGgo=",
        "static/demo/a.png",
    ]
    rows = [f'{"cat" if i % 2 else "dog"},"{url}",{i}' for i, url in enumerate(urls)]
    result = load_files([("e.csv", csv_bytes("label,image,x", *rows))])
    assert result.dataset.images == [None, None, None, None, "data:image/png;base64,iVBORw0KGgo=", "static/demo/a.png"]
    assert result.warnings == ["4 image URLs were ignored (only data:image/… URIs and paths on this site are allowed)"]


def test_hostile_text_is_kept_verbatim():
    header = f'id,label,"{HOSTILE}",<script>x</script>'
    rows = [f'"{HOSTILE}{i}","{HOSTILE}",0.9,0.1' if i % 2 else f"id{i},<script>x</script>,0.2,0.8" for i in range(4)]
    result = load_files([("p.csv", csv_bytes(header, *rows))])
    assert result.mode == "probabilities"
    assert result.dataset.classes == [HOSTILE, "<script>x</script>"]
    assert result.dataset.ids == ["id0", f"{HOSTILE}1", "id2", f"{HOSTILE}3"]
    exc = error([("p.csv", csv_bytes("label,a,b", f'"{HOSTILE}",0.5,0.5'))], mode="probabilities")
    assert f"unknown label {HOSTILE!r}" in str(exc)


# --- wide files, progress, robustness --------------------------------------------------------------


def test_ten_thousand_columns():
    header = "label," + ",".join(f"f{j}" for j in range(10_000))
    rows = [("cat," if i % 2 else "dog,") + ",".join(["0.25"] * 10_000) for i in range(20)]
    data = csv_bytes(header, *rows)
    assert "10,000 probability columns (classes); at most 50" in str(error([("w.csv", data)], mode="probabilities"))
    lines, result = python_lines_run(lambda: load_files([("w.csv", data)]))
    assert lines < 20 * 10_000, lines  # no Python step per value of a row (their conversion runs in C)
    assert result.mode == "embeddings"
    assert len(result.dataset.features[0]) == 10_000
    assert MAX_COLUMNS == 10_004  # 10,000 numbers and the label, id, truth and image columns


def test_progress_and_result():
    names = ["cat", "dog"]
    rows = [f"{names[i % 2]},{0.75 if i % 2 else 0.25},{0.25 if i % 2 else 0.75}" for i in range(12_000)]
    steps = iter_load_files([("p.csv", csv_bytes("label,dog,cat", *rows))])
    progress = []
    with pytest.raises(StopIteration) as stop:
        while True:
            progress.append(next(steps))
    assert progress[0] == 0.0 and progress[-1] == 1.0 and len(progress) >= 4
    assert progress == sorted(progress) and all(isinstance(p, float) for p in progress)
    result = stop.value.value
    assert isinstance(result, LoadedData) and result.mode == "probabilities" and len(result.dataset) == 12_000


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300), extension=st.sampled_from(["csv", "json", "npy"]))
def test_arbitrary_bytes_load_or_raise_user_data_error(data, extension):
    files = [(f"x.{extension}", data)] if extension != "npy" else [("a.npy", data), ("b.npy", npy(np.array(PROBS)))]
    try:
        result = load_files(files)
    except UserDataError as exc:
        assert "\n" not in str(exc)
    else:
        assert len(result.dataset) > 0


@settings(max_examples=100, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list('label,id,truth,image,cat,dog,0.5,1e3,nan,"\n ;x-OOD')), max_size=200),
    mode=st.sampled_from(["auto", "probabilities", "embeddings"]),
)
def test_arbitrary_csv_text_load_or_raise_user_data_error(text, mode):
    try:
        result = load_files([("x.csv", ("label,cat,dog\n" + text).encode())], mode=mode)
    except UserDataError as exc:
        assert "\n" not in str(exc)
    else:
        assert result.mode in ("probabilities", "embeddings")


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


# --- sources, limits at and past, class names, notes -------------------------------------------


class Source:
    """A source (size + read) that records its reads; ``size`` may exceed the data (for size checks only)."""

    def __init__(self, data, size=None):
        self.data = bytes(data)
        self.size = len(self.data) if size is None else size
        self.reads = []

    def read(self, start, end):
        self.reads.append((start, end))
        return self.data[start:end]


def test_sources_load_like_bytes():
    files = [("labels.npy", Source(npy(np.array(LABELS)))), ("pred_probs.npy", Source(npy(np.array(PROBS))))]
    assert load_files(files).probabilities == PROBS
    assert load_files([("s.csv", Source(PROB_CSV))]).dataset.classes == ["cat", "dog", "bear"]
    assert len(load_files([("d.json", Source(DEMO_JSON.read_bytes()))]).dataset) == 300


def test_file_size_limit_at_and_past_without_reading():
    head = demo_json(6)
    at = Source(head + b" " * (MAX_FILE_BYTES - len(head)))
    assert len(load_files([("d.json", at)]).dataset) == 6
    past = Source(head, size=MAX_FILE_BYTES + 1)
    assert (
        str(error([("d.json", past)]))
        == "d.json: the file is too large: 64.0 MiB (67,108,865 bytes); the limit is 64 MiB"
    )
    assert past.reads == []


def features_csv(rows, columns, value="1"):
    header = "label," + ",".join(f"f{j}" for j in range(columns))
    return csv_bytes(header, *[f"{'ab'[i % 2]}," + ",".join([value] * columns) for i in range(rows)])


def test_feature_values_limit_at_and_past():
    columns = 10_000
    rows = MAX_FEATURE_VALUES // columns
    result = load_files([("f.csv", features_csv(rows, columns))], max_embedding_rows=10**6)
    assert len(result.dataset) == rows and result.mode == "embeddings"
    exc = error([("f.csv", features_csv(rows + 1, columns))], max_embedding_rows=10**6)
    assert str(exc) == (
        f"f.csv: line {rows + 2}: more than {rows} rows of 10,000 features: at most {MAX_FEATURE_VALUES:,} feature "
        "values (rows × features) are supported; use fewer rows or fewer features"
    )

    # the same limit (here the caller's) in JSON, checked after parsing
    def items(n):
        rows = [{"id": str(i), "given": "ab"[i % 2], "embedding": [1] * 1000} for i in range(n)]
        return json.dumps({"classes": ["a", "b"], "items": rows}).encode()

    assert len(load_files([("d.json", items(5))], max_feature_values=5000).dataset) == 5
    assert str(error([("d.json", items(6))], max_feature_values=5000)).startswith(
        "d.json: 6 rows of 1,000 features: at most 5,000 feature values"
    )


def test_feature_columns_past_the_probability_limit_use_the_embedding_row_limit_from_the_header():
    data = features_csv(12, MAX_CLASSES + 1)
    exc = error([("f.csv", data)], max_embedding_rows=10)
    assert str(exc).startswith("f.csv: more than 10 rows; embeddings mode allows at most 10 rows")


def test_probability_rows_limit_at_and_past_in_npy_headers():
    at = [
        ("labels.npy", npy(np.zeros(MAX_PROBABILITY_ROWS, dtype="i1"))),
        ("p.npy", npy(np.full((MAX_PROBABILITY_ROWS, 2), 0.5, "f4"))),
    ]
    exc = error(at)  # loads every row, then finds class 1 unused
    assert "class '1' (column 1 of p.npy) has no items" in str(exc)
    labels = Source(npy(np.zeros(MAX_PROBABILITY_ROWS + 1, dtype="i1")))
    probs = Source(npy(np.full((MAX_PROBABILITY_ROWS + 1, 2), 0.5, "f4")))
    assert (
        str(error([("labels.npy", labels), ("p.npy", probs)]))
        == "p.npy: 100,001 rows; probabilities mode allows at most 100,000"
    )
    assert all(end <= 128 for _, end in labels.reads + probs.reads)  # headers only


def test_json_limits_at_and_past():
    def nested(depth):
        body = json.loads(demo_json(6))
        body["provenance"] = {"x": json.loads("[" * (depth - 1) + "]" * (depth - 1))}  # provenance adds one level
        return json.dumps(body).encode()

    assert load_files([("d.json", nested(MAX_JSON_DEPTH - 1))]).dataset.provenance["declared"]
    assert str(error([("d.json", nested(MAX_JSON_DEPTH))])) == "d.json: line 1: nested more than 100 levels deep"
    ok = json.loads(demo_json(6))
    ok["items"][0]["image"] = "data:image/png;base64," + "A" * (MAX_JSON_STRING_BYTES - 22)
    assert load_files([("d.json", json.dumps(ok).encode())]).dataset.images[0].endswith("A")
    ok["items"][0]["image"] += "A"
    assert str(error([("d.json", json.dumps(ok).encode())])) == "d.json: line 1: a string longer than 131,072 bytes"
    digits = "9" * MAX_JSON_INT_DIGITS
    text = demo_json(6).decode().replace("[0, 1.0]", f"[{digits}, 1.0]")
    assert load_files([("d.json", text.encode())]).dataset.features[0][0] == float(digits)
    text = demo_json(6).decode().replace("[0, 1.0]", f"[{digits}9, 1.0]")
    assert str(error([("d.json", text.encode())])) == (
        f"d.json: line 1, column {text.index(digits) + 1}: an integer of 309 digits is too large (at most 308 digits)"
    )


def test_class_names_limit_at_and_past():
    labels, probs = npy_files()
    names = "cat\ndog\nbear\n"
    at = names + " " * (MAX_CLASS_NAMES_BYTES - len(names))
    assert load_files([labels, probs, ("classes.txt", at.encode())]).dataset.classes == ["cat", "dog", "bear"]
    exc = error([labels, probs, ("classes.txt", (at + " ").encode())])
    assert str(exc) == "classes.txt: a class names file of 65,537 bytes; at most 65,536 are accepted"


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (("classes.txt", b"cat\r\ndog\rbear\n\n \n"), ["cat", "dog", "bear"]),
        (("names.TXT", "\ufeff cat \ndog\nbear".encode()), ["cat", "dog", "bear"]),
        (("classes.json", b'["cat", "dog", "bear"]'), ["cat", "dog", "bear"]),
        (("classes.txt", "кот\n犬\n🐻\n".encode()), ["кот", "犬", "🐻"]),
    ],
)
def test_class_names_files(file, expected):
    labels, probs = npy_files()
    for order in ([labels, probs, file], [file, probs, labels]):
        result = load_files(order)
        assert result.dataset.classes == expected
        assert result.source_name == "labels.npy + pred_probs.npy"
        assert result.source_sha256 == hashlib.sha256(labels[1] + probs[1]).hexdigest()


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (
            ("classes.txt", b"cat\ndog\n"),
            "classes.txt: 2 class names, but pred_probs.npy has 3 columns (classes): give one name per column",
        ),
        (("classes.txt", b"cat\n\nbear\n"), "classes.txt: line 2 is blank: every class needs a name"),
        (
            ("classes.txt", b"cat\ndog\n cat\n"),
            "classes.txt: line 3: 'cat' is also line 1: class names must be distinct",
        ),
        (("classes.txt", b"cat\nOOD\nbear\n"), "classes.txt: line 2: 'OOD' is reserved for out-of-distribution items"),
        (("classes.txt", b"cat\n\xff\nbear\n"), "classes.txt: not UTF-8 text (byte 4)"),
        (("classes.txt", b"cat\x00\ndog\nbear\n"), "classes.txt: contains NUL characters"),
        (("classes.json", b'{"a": 1}'), 'classes.json: expected a JSON list of class names, such as ["cat", "dog"]'),
        (("classes.json", b'["cat", 2, "bear"]'), "classes.json: item 1 is not a string: 2"),
        (("classes.json", b'["cat", "dog"'), "classes.json: not valid JSON (line 1"),
        (("classes.json", b"[" * 200 + b"]" * 200), "classes.json: line 1: nested more than 100 levels deep"),
        (("classes.txt", b""), "classes.txt: the file is empty"),
    ],
)
def test_class_names_file_errors(file, message):
    labels, probs = npy_files()
    assert str(error([labels, probs, file])).startswith(message)


def test_class_names_keyword():
    labels, probs = npy_files()
    assert load_files([labels, probs], class_names=[" cat", "dog ", "bear"]).dataset.classes == ["cat", "dog", "bear"]
    assert load_files([labels, probs], class_names=[]).dataset.classes == ["0", "1", "2"]
    assert str(error([labels, probs], class_names=["a", "b"])) == (
        "class names: 2 class names, but pred_probs.npy has 3 columns (classes): give one name per column"
    )
    assert str(error([labels, probs], class_names=["a", "a", "b"])) == (
        "class names: name 1: 'a' is also name 0: class names must be distinct"
    )
    assert "given twice" in str(error([labels, probs, ("c.txt", b"a\nb\nc\n")], class_names=["a", "b", "c"]))
    assert "class names can only be given for .npy files" in str(error([("p.csv", PROB_CSV)], class_names=["a"]))
    with pytest.raises(ValueError, match="class_names must be a list"):
        load_files([labels, probs], class_names="abc")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("a.npy", b""), ("b.npy", b""), ("c.npy", b"")], "a.npy + b.npy + c.npy: wrong combination of files"),
        ([("a.npy", b""), ("c.txt", b"")], "a.npy + c.txt: wrong combination of files"),
        ([("a.npy", b""), ("b.npy", b""), ("c.csv", b"")], "a.npy + b.npy + c.csv: wrong combination"),
        ([("a.csv", b""), ("c.txt", b"")], "a.csv + c.txt: wrong combination"),
        ([("c.txt", b"a")], "c.txt: wrong combination"),
    ],
)
def test_class_names_file_combinations(files, message):
    assert str(error(files)).startswith(message)


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


def test_npy_messages_for_the_table():
    labels, probs = npy_files()
    assert str(error(npy_files(labels=[0, 1, 2, 1, 3]))) == (
        "labels.npy: row 4: label 3 is not a class index 0..2 (pred_probs.npy has 3 columns)"
    )
    one = [("labels.npy", npy(np.array(LABELS))), ("pred_probs.npy", npy(np.ones((5, 1))))]
    assert str(error(one)) == (
        "pred_probs.npy: shape (5, 1): pred_probs needs one column per class, and at least 2 classes"
    )
    empty = [("labels.npy", npy(np.zeros(0, dtype=int))), ("pred_probs.npy", npy(np.zeros((0, 3))))]
    assert "have no rows" in str(error(empty))


def test_progress_steps_are_bounded_by_work():
    names = ["cat", "dog"]
    rows = [f"{names[i % 2]},{0.75 if i % 2 else 0.25},{0.25 if i % 2 else 0.75}" for i in range(30_000)]
    data = csv_bytes("label,dog,cat", *rows)
    steps = list(iter_load_files([("p.csv", data)]))
    # each record costs (columns + 8) work units: at least one yield per STEP_WORK / 11 rows
    assert len(steps) >= 30_000 * 11 // userdata.STEP_WORK
    assert steps == sorted(steps) and steps[0] == 0.0 and steps[-1] == 1.0


def test_the_row_index_pandas_writes_is_read_as_the_id():
    import pandas as pd

    frame = pd.DataFrame(PROBS, columns=["cat", "dog", "eel"], index=[10, 11, 12, 13, 14])
    frame.insert(0, "label", ["cat", "dog", "eel", "dog", "cat"])
    loaded = load_files([("frame.csv", frame.to_csv().encode())])
    assert loaded.mode == "probabilities"
    assert loaded.dataset.ids == ["10", "11", "12", "13", "14"]
    assert loaded.dataset.classes == ["cat", "dog", "eel"]
    features = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "label": ["a", "b"] * 3})
    assert load_files([("f.csv", features.to_csv().encode())], mode="embeddings").dataset.ids == [
        str(i) for i in range(6)
    ]
