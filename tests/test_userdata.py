"""Tests for cleanlens.userdata: the public API (load_files, iter_load_files), files, sources, progress, robustness.

The helpers here (npy, csv_bytes, error, the sample files) are shared by the tests of the package's modules
(tests/test_userdata_*.py) and the page's end-to-end tests.
"""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanlens import userdata
from cleanlens.userdata import (
    MAX_FILE_BYTES,
    LoadedData,
    UserDataError,
    iter_load_files,
    load_files,
)

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


def test_json_and_npy_modes_cannot_be_forced_otherwise():
    assert "probabilities mode needs a .csv file or two .npy files" in str(
        error([("d.json", DEMO_JSON.read_bytes())], mode="probabilities")
    )
    with pytest.raises(ValueError, match="unknown mode"):
        load_files([("p.csv", PROB_CSV)], mode="guess")


def demo_json(n=6, classes=("cat", "dog"), **extra):
    items = [
        {"id": f"i{i}", "image": None, "given": classes[i % len(classes)], "embedding": [i, i + 1.0]} for i in range(n)
    ]
    return json.dumps({"classes": list(classes), "items": items, **extra}).encode()


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


def test_progress_steps_are_bounded_by_work():
    names = ["cat", "dog"]
    rows = [f"{names[i % 2]},{0.75 if i % 2 else 0.25},{0.25 if i % 2 else 0.75}" for i in range(30_000)]
    data = csv_bytes("label,dog,cat", *rows)
    steps = list(iter_load_files([("p.csv", data)]))
    # each record costs (columns + 8) work units: at least one yield per STEP_WORK / 11 rows
    assert len(steps) >= 30_000 * 11 // userdata.STEP_WORK
    assert steps == sorted(steps) and steps[0] == 0.0 and steps[-1] == 1.0


def test_the_package_keeps_the_public_names_of_the_module_it_was():
    before = (
        "ACCEPTED AUTO_TOLERANCE JSON_SCAN_BYTES MAX_CLASSES MAX_CLASS_NAMES_BYTES MAX_EMBEDDING_ROWS "
        "MAX_FEATURE_VALUES MAX_FILE_BYTES MAX_PROBABILITY_ROWS MIN_ITEMS MODES STEP_WORK LoadedData "
        "UserDataError allowed_image check_pair_shapes iter_load_files label_index load_files"
    ).split()
    assert sorted(userdata.__all__) == sorted(before) and all(hasattr(userdata, name) for name in before)
    assert UserDataError.__module__ == LoadedData.__module__ == "cleanlens.userdata"
