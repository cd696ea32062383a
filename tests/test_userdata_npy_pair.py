"""cleanlens.userdata.npy_pair: two .npy files (labels, pred_probs) and class names."""

import hashlib
import math

import numpy as np
import pytest

from cleanlens import userdata
from cleanlens.userdata import (
    MAX_CLASS_NAMES_BYTES,
    MAX_CLASSES,
    MAX_PROBABILITY_ROWS,
    LoadedData,
    load_files,
)

from .test_userdata import (
    LABELS,
    PROB_CSV,
    PROBS,
    Source,
    error,
    npy,
)


def npy_files(labels=LABELS, probs=PROBS, label_dtype="i8"):
    return [("labels.npy", npy(np.array(labels, dtype=label_dtype))), ("pred_probs.npy", npy(np.array(probs)))]


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
    monkeypatch.setattr(userdata.limits, "MAX_PROBABILITY_ROWS", 4)
    assert "pred_probs.npy: 5 rows; probabilities mode allows at most 4" in str(error(npy_files()))


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
