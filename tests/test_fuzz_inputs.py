"""The loader's and the CLI's contract under random and hostile input, and the regression corpus.

Contract: for any bytes under any file names, :func:`cleanlens.userdata.iter_load_files`
yields non-decreasing progress floats in [0, 1] and returns a :class:`LoadedData` that is
consistent, or raises :class:`UserDataError` with a one-line message naming a given file;
nothing else. ``cleanlens find-issues`` exits 0, or 2 with exactly one stderr line
``cleanlens: error: ...``; never a traceback.

The fuzz tests (hypothesis) feed random bytes and mutations of valid ``.npy``, CSV and
JSON seeds, under random names and in random combinations. Their examples are bounded
(``max_examples`` below, no deadline) so the whole file runs in well under two minutes
on a 2-core machine (about 40 s: 10,523 loader and 1,213 CLI cases); ``FUZZ_SCALE=N``
(environment) multiplies them for a longer run with new random examples.

:func:`hostile_inputs` builds the issue's table of inputs (generated here, never
committed); the page's end-to-end tests (tests/e2e/test_hostile_files.py) use it too.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import random
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanlens.cli import main
from cleanlens.steps import collect
from cleanlens.userdata import LoadedData, UserDataError, allowed_image, iter_load_files

SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
# At scale 1 (CI) the examples are the same on every run (no flaky CI); larger runs explore new ones.
FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=SCALE == 1, database=None)


# --- seeds and the contract ---------------------------------------------------------------------


def npy_bytes(descr, shape, body, version=1):
    """A .npy file (numpy's layout) without numpy."""
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode("latin1")
    prefix = 10 if version == 1 else 12
    header += b" " * (63 - (prefix + len(header)) % 64) + b"\n"
    size = len(header).to_bytes(2 if version == 1 else 4, "little")
    return b"\x93NUMPY" + bytes([version, 0]) + size + header + body


def seed_npy_pair(n=6, k=3):
    rng = random.Random(n * 31 + k)
    labels = [i % k for i in range(n)]
    rows = []
    for _ in range(n):
        raw = [rng.random() + 0.01 for _ in range(k)]
        rows.extend(x / sum(raw) for x in raw)
    return [
        ("labels.npy", npy_bytes("<i8", (n,), struct.pack(f"<{n}q", *labels))),
        ("pred_probs.npy", npy_bytes("<f8", (n, k), struct.pack(f"<{n * k}d", *rows))),
    ]


SEED_PROB_CSV = (
    b'id,label,truth,cat,dog\na,cat,cat,0.9,0.1\nb,dog,OOD,0.2,0.8\n"c,1",dog,dog,0.4,0.6\nd,cat,dog,0.5,0.5\n'
)
SEED_EMB_CSV = (
    b'label,image,x1,x2\r\ncat,static/a.png,0.1,2\r\ndog,,1.5,-3\r\ncat,"data:image/png;base64,AA==",0.2,1e3\r\n'
    b"dog,javascript:x,1.1,0\r\ncat,,0.3,0.25\r\ndog,,9,9\r\n"
)
SEED_JSON = json.dumps(
    {
        "classes": ["cat", "dog"],
        "items": [
            {
                "id": f"i{i}",
                "image": None,
                "given": "cd"[i % 2] + ("at" if i % 2 == 0 else "og"),
                "truth": "OOD" if i == 3 else ["cat", "dog"][i % 2],
                "embedding": [i, -i * 0.5, 1e-3],
            }
            for i in range(6)
        ],
        "provenance": {"note": "seed"},
    }
).encode()
SEED_CLASSES = b"cat\ndog\nbear\n"
SEEDS = [
    [("p.csv", SEED_PROB_CSV)],
    [("e.csv", SEED_EMB_CSV)],
    [("d.json", SEED_JSON)],
    seed_npy_pair(),
    [*seed_npy_pair(), ("classes.txt", SEED_CLASSES)],
]


def check_contract(files, **kwargs):
    """Run the loader to the end and check the contract; return the LoadedData or the UserDataError."""
    names = [" ".join(str(name).split()) for name, _ in files]
    try:
        progress, result = collect(iter_load_files(files, **kwargs))
    except UserDataError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message and message == message.strip(), message
        assert any(name in message for name in names) or not files, (names, message)
        return exc
    assert all(isinstance(p, float) and 0.0 <= p <= 1.0 for p in progress)
    assert progress == sorted(progress) and progress[0] == 0.0 and progress[-1] == 1.0
    check_loaded(result)
    return result


def check_loaded(result):
    assert isinstance(result, LoadedData)
    data = result.dataset
    n, k = len(data.ids), len(data.classes)
    assert (
        n >= 1
        and 2 <= k <= 50
        and len(set(data.classes)) == k
        and all(isinstance(c, str) and c.strip() == c and c for c in data.classes)
    )
    assert len(set(data.ids)) == n and all(isinstance(i, str) and i for i in data.ids)
    assert len(data.given) == n and all(type(g) is int and 0 <= g < k for g in data.given)
    assert set(data.given) == set(range(k))  # every class has an item
    assert len(data.images) == n and all(url is None or allowed_image(url) == url for url in data.images)
    if data.truth is not None:
        assert len(data.truth) == n and all(type(t) is int and -1 <= t < k for t in data.truth)
    if result.mode == "probabilities":
        assert data.features is None and len(result.probabilities) == n
        for row in result.probabilities:
            assert len(row) == k and all(type(p) is float and p >= 0 for p in row)
            assert abs(math.fsum(row) - 1) <= 1e-3 + 1e-9
    else:
        assert result.mode == "embeddings" and result.probabilities is None and len(data.features) == n >= 5
        width = len(data.features[0])
        assert all(
            len(row) == width and all(type(x) is float and math.isfinite(x) for x in row) for row in data.features
        )
    assert len(result.source_sha256) == 64 and all(
        isinstance(s, str) and "\n" not in s for s in result.notes + result.warnings
    )


def test_seeds_are_valid():
    for files in SEEDS:
        assert isinstance(check_contract(files), LoadedData), files[0][0]


# --- mutations -------------------------------------------------------------------------------------


@st.composite
def mutated(draw, data):
    """``data`` with a few random edits: byte flips, insertions, deletions, truncation, duplication, splices."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate", "token"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[at:]
        elif op == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 64))] * draw(st.integers(1, 5))
        else:  # a token that means something to one of the parsers
            token = draw(
                st.sampled_from(
                    [
                        b",",
                        b"\n",
                        b"\r",
                        b'"',
                        b"\x00",
                        b"[",
                        b"]",
                        b"{",
                        b"}",
                        b"nan",
                        b"-inf",
                        b"1e400",
                        b"9" * 400,
                        b"OOD",
                        b"-1",
                        b"(-1,)",
                        b"(60.0,)",
                        b"('60',)",
                        b"'<f8'",
                        b"'|O'",
                        b"True",
                        b"\xef\xbb\xbf",
                        b"\xff\xfe",
                        b"label",
                        b"id",
                        b"truth",
                        b"image",
                        b"javascript:",
                        b"1.5",
                        b"\\u0000",
                        b"\xc3",
                    ]
                )
            )
            data[at:at] = token
    return bytes(data)


@st.composite
def mutated_files(draw):
    seed = draw(st.sampled_from(SEEDS))
    files = [(name, draw(mutated(data)) if draw(st.booleans()) else data) for name, data in seed]
    if all(data == dict(seed)[name] for name, data in files):
        name, data = files[0]
        files[0] = (name, draw(mutated(data)))
    if draw(st.integers(0, 9)) == 0:  # sometimes shuffle or rename
        draw(st.randoms()).shuffle(files)
    return files


@settings(FUZZ, max_examples=6000 * SCALE)
@given(
    files=mutated_files(),
    mode=st.sampled_from(["auto", "auto", "probabilities", "embeddings"]),
    renormalize=st.booleans(),
)
def test_mutated_seeds_keep_the_contract(files, mode, renormalize):
    check_contract(files, mode=mode, renormalize=renormalize, max_embedding_rows=50)


names = st.one_of(
    st.sampled_from(
        ["a.csv", "b.CSV", "c.json", "labels.npy", "p.npy", "classes.txt", "x.xlsx", "noext", ".csv", "a.b.npy"]
    ),
    st.text(min_size=0, max_size=20).map(lambda t: t + st_suffix(t)),
)


def st_suffix(text):
    return [".csv", ".json", ".npy", ".txt", ""][len(text) % 5]


@settings(FUZZ, max_examples=3000 * SCALE)
@given(
    files=st.lists(st.tuples(names, st.binary(max_size=400)), min_size=0, max_size=3),
    mode=st.sampled_from(["auto", "probabilities", "embeddings"]),
)
def test_random_bytes_under_random_names_keep_the_contract(files, mode):
    try:
        check_contract(files, mode=mode)
    except UserDataError as exc:  # only "no file given" has no file to name
        assert not files and str(exc).startswith("no file given")


@settings(FUZZ, max_examples=1500 * SCALE)
@given(
    shape=st.one_of(
        st.tuples(st.integers(-3, 12)),
        st.tuples(st.integers(-3, 12), st.integers(-3, 60)),
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
        st.tuples(st.sampled_from([60.0, "60", None, True, 2**70, [6]])),
        st.just(()),
    ),
    descr=st.sampled_from(["<f8", ">f4", "<f2", "|u1", "<i8", "|b1", "<c16", "|O", "<U3", "f8", "<f"]),
    extra=st.binary(max_size=64),
    labels_first=st.booleans(),
)
def test_npy_headers_keep_the_contract(shape, descr, extra, labels_first):
    count = math.prod(x for x in shape if type(x) is int and x > 0) if shape else 1
    body = bytes(min(count, 1000) * 8) + extra
    crafted = ("p.npy", npy_bytes(descr, shape, body))
    files = [seed_npy_pair()[0], crafted] if labels_first else [crafted, seed_npy_pair()[1]]
    check_contract(files)


# --- the CLI ----------------------------------------------------------------------------------------


def run_cli(argv):
    """``main(argv)`` in process; returns (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(a) for a in argv])
    return status, out.getvalue(), err.getvalue()


def check_cli(argv):
    status, out, err = run_cli(argv)
    assert status in (0, 2), (status, err)
    if status == 2:
        assert err.count("\n") == 1 and err.startswith("cleanlens: error: ") and out == "", err
        assert "Traceback" not in err and "internal error" not in err, err
    else:
        assert err == "" and out
    return status, err


@settings(FUZZ, max_examples=1200 * SCALE)
@given(
    files=mutated_files(),
    how=st.sampled_from(["pair", "dataset", "truth"]),
    ext=st.sampled_from([None, ".csv", ".npy", ".json"]),
)
def test_cli_keeps_the_contract(files, how, ext):
    with tempfile.TemporaryDirectory() as directory:
        paths = []
        for i, (name, data) in enumerate(files):
            path = Path(directory) / f"{i}{ext or Path(name).suffix or '.bin'}"
            path.write_bytes(data)
            paths.append(path)
        if how == "dataset":
            argv = ["find-issues", "--dataset", paths[0], "--engine", "builtin", "--folds", "2"]
        else:
            argv = ["find-issues", "--labels", paths[0], "--pred-probs", paths[-1]]
            if how == "truth":
                argv += ["--truth", paths[len(paths) // 2]]
        check_cli(argv)


# --- the regression corpus: the table -------------------------------------------------------------


def nested_json(depth=100_000):
    return b"[" * depth + b"]" * depth


def demo_with(mutate):
    data = json.loads(SEED_JSON)
    mutate(data)
    return json.dumps(data).encode()


def _huge_int_json(digits):
    """The JSON seed with a ``digits``-digit integer as item 0's first embedding value; and that value's column."""
    data = demo_with(lambda d: d["items"][0].update(embedding=["HUGE", 1.0, 2.0]))
    data = data.replace(b'"HUGE"', b"7" * digits)
    return data, data.index(b"7" * digits) + 1


def _prob_csv(label=None, first="0,0.8,0.1,0.1"):
    rows = [
        first,
        "1,0.2,0.7,0.1",
        f"{label},0.1,0.1,0.8" if label else "2,0.1,0.1,0.8",
        "1,0.6,0.3,0.1",
        "2,0.3,0.3,0.4",
    ]
    return ("label,a,b,c\n" + "\n".join(rows) + "\n").encode()


def _big_npy_pair(n=800_000, k=10):  # 6.4 MB + 64 MB
    return [
        ("labels.npy", npy_bytes("<i8", (n,), bytes(8 * n))),
        ("pred_probs.npy", npy_bytes("<f8", (n, k), struct.pack("<10d", *[0.1] * 10) * n)),
    ]


def _wide_csv(columns=2_000_000, rows=3):  # 41 MB
    values = ",".join(["0.5"] * columns)
    return (
        "label," + ",".join(f"f{j}" for j in range(columns)) + "\n" + "".join(f"a,{values}\n" for _ in range(rows))
    ).encode()


def _long_csv(rows=3_000_000):  # 60 MB: 3 million rows of 9 columns
    return b"label,x1,x2,x3,x4,x5,x6,x7,x8\n" + b"a,0.5,1,2,3,4,5,6,7\n" * rows


_PROBS = seed_npy_pair()[1]
_LABELS = seed_npy_pair()[0]
# case id -> () -> (files, mode, message): the table; each message is what the page and the CLI show
HOSTILE = {
    "npy-shape-negative": lambda: (
        [("labels.npy", npy_bytes("<i8", (-1,), b"")), _PROBS],
        "auto",
        "labels.npy: bad .npy header: shape (-1,) has a negative size",
    ),
    "npy-shape-float": lambda: (
        [("labels.npy", npy_bytes("<i8", (60.0,), bytes(480))), _PROBS],
        "auto",
        "labels.npy: bad .npy header: shape (60.0,) is not a tuple of whole numbers",
    ),
    "npy-shape-text": lambda: (
        [("labels.npy", npy_bytes("<i8", ("60",), bytes(480))), _PROBS],
        "auto",
        "labels.npy: bad .npy header: shape ('60',) is not a tuple of whole numbers",
    ),
    "json-given-list": lambda: (
        [("d.json", demo_with(lambda d: d["items"][0].update(given=["cat"])))],
        "auto",
        "d.json: item 0 (id 'i0'): unknown given label ['cat']; expected one of ['cat', 'dog']",
    ),
    "json-truth-object": lambda: (
        [("d.json", demo_with(lambda d: d["items"][1].update(truth={"a": 1})))],
        "auto",
        "d.json: item 1 (id 'i1'): unknown true label {'a': 1}; expected one of ['cat', 'dog'] or 'OOD'",
    ),
    "json-int-400-digits": lambda: (
        [("d.json", _huge_int_json(400)[0])],
        "auto",
        f"d.json: line 1, column {_huge_int_json(400)[1]}: an integer of 400 digits is too large (at most 308 digits)",
    ),
    "json-int-5000-digits": lambda: (
        [("d.json", _huge_int_json(5000)[0])],
        "auto",
        f"d.json: line 1, column {_huge_int_json(5000)[1]}: an integer of 5,000 digits is too "
        "large (at most 308 digits)",
    ),
    "json-nested-100000": lambda: (
        [("deep.json", nested_json())],
        "auto",
        "deep.json: line 1: nested more than 100 levels deep",
    ),
    "csv-2m-columns": lambda: (
        [("wide.csv", _wide_csv())],
        "auto",
        "wide.csv: line 1: more than 10,004 columns; at most 10,004 are supported",
    ),
    "csv-3m-rows": lambda: (
        [("long.csv", _long_csv())],
        "auto",
        "long.csv: more than 100,000 rows; at most 100,000 rows can be loaded",
    ),
    "npy-800k-rows": lambda: (
        _big_npy_pair(),
        "auto",
        "pred_probs.npy: 800,000 rows; probabilities mode allows at most 100,000",
    ),
    "csv-label-1.5": lambda: (
        [("p.csv", _prob_csv("1.5"))],
        "probabilities",
        "p.csv: line 4, column 1 ('label'): unknown label '1.5'; expected a class index 0..2 or one of 'a', 'b', 'c'",
    ),
    "csv-label-cat": lambda: (
        [("p.csv", _prob_csv("cat"))],
        "probabilities",
        "p.csv: line 4, column 1 ('label'): unknown label 'cat'; expected a class index 0..2 or one of 'a', 'b', 'c'",
    ),
    "csv-auto-sums": lambda: (
        [("p.csv", _prob_csv(first="0,0.8,0.1,0.3"))],
        "auto",
        "p.csv: line 2: probabilities sum to 1.2, not 1 (tolerance 0.001); 1 row does not sum to 1: "
        "renormalise to load them anyway (automatic mode: read as predicted probabilities: the labels "
        "are column indices 0..2",
    ),
    "npy-label-out-of-range": lambda: (
        [("labels.npy", npy_bytes("<i8", (6,), struct.pack("<6q", 0, 1, 2, 0, 1, 3))), _PROBS],
        "auto",
        "labels.npy: row 5: label 3 is not a class index 0..2 (pred_probs.npy has 3 columns)",
    ),
    "csv-10mb-field": lambda: (
        [("p.csv", b"label,a,b\ncat," + b"1" * (10 * 2**20) + b",0\n")],
        "auto",
        "p.csv: line 2: a value is longer than 131,072 characters",
    ),
    "npy-zero-rows": lambda: (
        [("labels.npy", npy_bytes("<i8", (0,), b"")), ("pred_probs.npy", npy_bytes("<f8", (0, 3), b""))],
        "auto",
        "labels.npy and pred_probs.npy have no rows (shapes (0,) and (0, 3)): there is nothing to analyse",
    ),
    "npy-one-class": lambda: (
        [_LABELS, ("pred_probs.npy", npy_bytes("<f8", (6, 1), struct.pack("<6d", *[1.0] * 6)))],
        "auto",
        "pred_probs.npy: shape (6, 1): pred_probs needs one column per class, and at least 2 classes",
    ),
}


def hostile_input(case):
    """``(files, mode, message)`` for one case of the issue's table (large files are built on demand)."""
    return HOSTILE[case]()


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_inputs_get_their_message(case):
    files, mode, message = hostile_input(case)
    exc = check_contract(files, mode=mode, max_embedding_rows=2000)
    assert isinstance(exc, UserDataError) and str(exc).startswith(message), str(exc)


CLI_CASES = {  # the table's inputs that the CLI reads: how it is given each
    "npy-shape-negative": "pair",
    "npy-shape-float": "pair",
    "npy-shape-text": "pair",
    "json-given-list": "dataset",
    "json-truth-object": "dataset",
    "json-int-400-digits": "dataset",
    "json-int-5000-digits": "dataset",
    "json-nested-100000": "dataset",
    "csv-2m-columns": "dataset",
    "npy-label-out-of-range": "pair",
    "csv-10mb-field": "dataset",
    "npy-zero-rows": "pair",
    "npy-one-class": "pair",
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_hostile_inputs_in_the_cli(case, tmp_path):
    files, _, message = hostile_input(case)
    for name, data in files:
        (tmp_path / name).write_bytes(data)
    if CLI_CASES[case] == "dataset":
        argv = ["find-issues", "--dataset", tmp_path / files[0][0]]
    else:
        argv = ["find-issues", "--labels", tmp_path / files[0][0], "--pred-probs", tmp_path / files[1][0]]
    status, err = check_cli(argv)
    assert status == 2 and err.startswith(f"cleanlens: error: {message}"), err
