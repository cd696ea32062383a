"""Every limit of "Your data" that README.md and docs/your-data.md state, in the page: at the limit and one past.

For each limit one file is exactly at it and one is one past it, both made as users make their files
(``np.save``, ``DataFrame.to_csv``, ``json.dumps``, a hand edit). The test loads the file one past
first: it is refused with the limit's own message (the same line the CPython loader gives for that
file), and the data shown before (the demo) stays, tiles and counts. Then the file at the limit goes
through the same dialog and loads, with the counts the CPython engine gives for it.

Covered elsewhere: rows of probabilities, classes and rows of features in test_own_data_sizes.py;
the loader's own at/past checks in tests/test_userdata.py, test_arrays_io.py and test_dataset.py.
Not here: 20,000 rows of features, the limit with scikit-learn (tests/e2e/test_worker.py), and 2,000, the built-in
engine's for a page whose training worker could not start (there too).

Two cases found bugs, since fixed: ``json_integer`` (the file at the limit loaded, then training
overflowed: a feature of 1e308 squared to inf in the standardisation) and
``probability_rows_double_spaced`` (the blank line after every row that Windows text files get
counted as empty records, so 100,000 such rows were refused).
"""

import csv
import io
import json
import time
from dataclasses import dataclass, field

import numpy as np
import pytest

from cleanlens.arrays_io import MAX_COLUMNS, MAX_FIELD_CHARS, MAX_RECORD_CHARS, NPY_MAX_HEADER_BYTES
from cleanlens.dataset import MAX_JSON_DEPTH, MAX_JSON_INT_DIGITS, MAX_JSON_STRING_BYTES, JsonShape
from cleanlens.userdata import (
    MAX_CLASS_NAMES_BYTES,
    MAX_FILE_BYTES,
    MAX_PROBABILITY_ROWS,
    MIN_ITEMS,
    UserDataError,
    load_files,
)
from cleanlens.userdata.json_file import json_token_limit
from cleanlens.web import SKLEARN_FEATURE_VALUES

from .expected import PAGE_LIMITS, page_counts
from .test_hostile_files import refused
from .test_own_data import load, wait_loaded
from .test_own_data_sizes import LOAD_TIMEOUT, expected_counts, expected_trained_counts, wait_trained
from .userfiles import (
    blobs,
    demo_schema,
    features_csv,
    features_frame,
    npy_bytes,
    npy_pair,
    probabilities_csv,
    probabilities_frame,
    synthetic,
)

PROBLEMS = '[data-testid="byo-error"], [data-testid="internal-error"], [data-testid="training-error"]'


@dataclass
class Limit:
    """A file at a limit and one past it: ``(name, bytes)`` pairs as the dialog takes them."""

    at: list
    past: list
    says: str  # what the refusal of the file one past must say: the limit's own words
    mode: str = "auto"
    trained: int = 0  # the items trained here for a features file; 0: probabilities, shown as loaded
    check: object = field(default=None)  # more to check in the page once the file at the limit is shown


def wait_or_fail(page, selector, timeout=LOAD_TIMEOUT):
    """Wait until ``selector`` is in the page; fail at once with the page's words if it reports a problem."""
    page.locator(selector).or_(page.locator(PROBLEMS)).first.wait_for(state="attached", timeout=timeout)
    problem = page.locator(PROBLEMS)
    if problem.count():
        pytest.fail(f"the file at the limit was not shown; the page says: {problem.first.inner_text()[:500]}")


def on_disk(folder, files):
    folder.mkdir()
    for name, data in files:
        (folder / name).write_bytes(data)
    return [folder / name for name, _ in files]


def cpython_refusal(files, mode):
    with pytest.raises(UserDataError) as info:
        load_files(files, mode=mode, **PAGE_LIMITS)
    return str(info.value)


def image_check(length):
    """The page keeps item 0's image, a data: URI of ``length`` characters, and the browser decodes it."""

    def check(page):
        src = page.locator('#tiles li[data-i="0"] img').get_attribute("src")
        assert len(src) == length
        width = page.locator('#tiles li[data-i="0"] img').evaluate(
            "el => { const i = new Image(); i.src = el.src; return i.decode().then(() => i.naturalWidth); }"
        )
        assert width == 16

    return check


def svg_uri(length):
    """A 16 x 16 SVG thumbnail as a data: URI of exactly ``length`` characters (a comment pads it)."""
    head = "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='16' height='16'>"
    tail = "<rect width='16' height='16' fill='teal'/></svg>"
    return head + "<!--" + "x" * (length - len(head) - len(tail) - 7) + "-->" + tail


def pad_numbers(line, count, extra):
    """``line`` of CSV with ``extra`` zeros spread over the ends of its last ``count`` cells (fixed-point numbers)."""
    head, *values = line.rsplit(",", count)
    share, more = divmod(extra, count)
    return ",".join([head, *(v + "0" * (share + (j < more)) for j, v in enumerate(values))])


# --- the limits -------------------------------------------------------------------------------------


def file_size():
    """64 MiB: a to_csv of 100,000 x 10 probabilities (``float_format="%.62f"``), each row's last value padded
    with zeros to exactly MAX_FILE_BYTES; one more zero is one byte past, refused from its size before reading."""
    labels, probs = synthetic(MAX_PROBABILITY_ROWS, 10, seed=64)
    text = probabilities_csv(labels, probs, float_format="%.62f")[0][1].decode()
    header, *rows, end = text.split("\n")
    assert end == "" and len(rows) == MAX_PROBABILITY_ROWS
    share, more = divmod(MAX_FILE_BYTES - len(text), len(rows))
    at = "\n".join([header, *(row + "0" * (share + (i < more)) for i, row in enumerate(rows))]) + "\n"
    assert len(at) == MAX_FILE_BYTES
    past = at[:-1] + "0\n"
    return Limit([("pred_probs.csv", at.encode())], [("pred_probs.csv", past.encode())], "the file is too large")


def feature_values():
    """640,000 feature values (the page's limit: scikit-learn's, loaded on demand to train it): a features CSV of
    2,500 rows x 256 features; one row more is past."""
    d = 256
    n = SKLEARN_FEATURE_VALUES // d
    X, labels, _ = blobs(n + 1, d, seed=256)
    return Limit(
        features_csv(X[:n], labels[:n]),
        features_csv(X, labels),
        f"more than {n:,} rows of {d} features: at most {SKLEARN_FEATURE_VALUES:,} feature values",
        mode="embeddings",
        trained=n,
    )


def csv_columns():
    """10,004 columns: id, label, truth, image and 10,000 features (25 rows: 250,000 values); one feature more
    is past (10,005 columns, 250,025 values: only the columns are past a limit)."""

    def wide(features):
        X, labels, truth = blobs(25, features, seed=10)
        names = np.array(["ant", "bee", "cat"])
        frame = features_frame(X, names[labels])
        frame.insert(0, "id", [f"img{i:03d}" for i in range(25)])
        frame.insert(2, "truth", names[truth])
        frame.insert(3, "image", "")
        return [("wide.csv", frame.to_csv(index=False).encode())]

    at, past = wide(MAX_COLUMNS - 4), wide(MAX_COLUMNS - 3)
    assert at[0][1].index(b"\n") < past[0][1].index(b"\n")
    return Limit(
        at,
        past,
        f"line 1: {MAX_COLUMNS + 1:,} columns; at most {MAX_COLUMNS:,} are supported",
        trained=25,
        check=map_check,
    )


def map_check(page):
    """The Map of 10,000 features is computed in the page (from the 25 x 25 Gram matrix, not a covariance of
    10^8 entries) and drawn."""
    page.locator('[data-action="tab-center"][data-tab="scatter"]').click()
    wait_or_fail(page, "svg.scatter circle.pt")
    assert "principal components of your 10000 standardised features" in page.locator(".map-what").inner_text()


def csv_value():
    """131,072 characters in one CSV value: item 0's image, an SVG data: URI of that length (a to_csv of 120
    probability rows with an image column); one character more is past."""

    def with_image(length):
        labels, probs = synthetic(120, 3, seed=5)
        frame = probabilities_frame(labels, probs)
        frame.insert(1, "image", [svg_uri(length)] + [""] * 119)
        return [("thumbs.csv", frame.to_csv(index=False).encode())]

    return Limit(
        with_image(MAX_FIELD_CHARS),
        with_image(MAX_FIELD_CHARS + 1),
        f"line 2: a value is longer than {MAX_FIELD_CHARS:,} characters",
        check=image_check(MAX_FIELD_CHARS),
    )


def csv_record(quoted):
    """1,048,576 characters in one CSV record (its line end not counted): line 2 of a to_csv of 150 x 10
    probabilities (``float_format="%.17f"``) with its ten numbers padded with trailing zeros by hand; one zero
    more is past. ``quoted``: with an id column whose first value holds a comma (to_csv quotes it)."""

    def record(length):
        labels, probs = synthetic(150, 10, seed=9)
        frame = probabilities_frame(labels, probs)
        if quoted:
            frame.insert(0, "id", ["cat, left"] + [f"img{i}" for i in range(1, 150)])
        lines = frame.to_csv(index=False, float_format="%.17f").split("\n")
        lines[1] = pad_numbers(lines[1], 10, length - len(lines[1]))
        assert len(lines[1]) == length and ('"cat, left"' in lines[1]) == quoted
        return [("long_row.csv", "\n".join(lines).encode())]

    def make():
        return Limit(
            record(MAX_RECORD_CHARS),
            record(MAX_RECORD_CHARS + 1),
            f"line 2: a record longer than {MAX_RECORD_CHARS:,} characters",
        )

    make.__name__ = f"csv_record_{'quoted' if quoted else 'unquoted'}"
    return make


def csv_empty_records():
    """100,000 empty records besides one per record with data: a to_csv(quoting=csv.QUOTE_ALL) of 150
    probability rows (and its header: 151 records with data) followed by 100,151 rows of nothing as pandas
    writes them (``"",""…``: quoted empty values are records that count; blank lines are skipped); one more is
    past."""
    labels, probs = synthetic(150, 3, seed=1)
    frame = probabilities_frame(labels, probs)
    text = frame.to_csv(index=False, quoting=csv.QUOTE_ALL)

    def empties(n):
        empty = frame.iloc[:0].reindex(range(n))
        return empty.to_csv(index=False, header=False, quoting=csv.QUOTE_ALL)

    at = [("empty_rows.csv", (text + empties(100_000 + 151)).encode())]
    past = [("empty_rows.csv", (text + empties(100_001 + 151)).encode())]
    return Limit(at, past, "more than 100,000 empty records")


def probability_rows_double_spaced():
    """100,000 rows of probabilities in a CSV with an empty line after each line, as csv.writer (or to_csv with
    ``lineterminator="\\r\\n"``) writes in a file opened in text mode on Windows: "\\r\\r\\n" line ends, that
    spreadsheets show as blank rows. The docs say blank lines are skipped ("lines of only spaces and commas are
    skipped without cost"), so the file is at the rows limit, and 100,001 rows are past it.

    Failed before 2026-11-28's fix: these blank lines reach the csv module (the lines around them are long) and
    counted as empty records, so the file at the limit was refused ("more than 100,000 empty records"); now one
    blank record per row with data is allowed besides the limit.
    """

    def double_spaced(n):
        labels, probs = synthetic(n, 2, seed=2)
        text = probabilities_csv(labels, probs, lineterminator="\r\n")[0][1].decode()
        return [("windows.csv", text.replace("\n", "\r\n").encode())]

    n = MAX_PROBABILITY_ROWS
    return Limit(double_spaced(n), double_spaced(n + 1), f"more than {n:,} rows")


def json_file(change, n=60):
    """demo_schema(n) (a JSON file in the demo's schema) after ``change(data)``, as json.dumps writes it."""
    data = json.loads(demo_schema(n))
    change(data)
    return [("mine.json", json.dumps(data).encode())]


def json_nesting():
    """100 levels: the file's object (1), its provenance (2) and a chain of 98 objects in the provenance (a
    pipeline's nested settings: ``{"step": {"step": …}}``); one object more in the chain is past."""

    def nested(levels):
        def change(data):
            chain = {}
            for _ in range(levels - 3):
                chain = {"step": chain}
            data["provenance"]["pipeline"] = chain

        files = json_file(change)
        depth = deepest = 0
        for ch in files[0][1]:  # no string in these files holds a bracket
            depth += (ch in b"[{") - (ch in b"]}")
            deepest = max(deepest, depth)
        assert deepest == levels
        return files

    return Limit(
        nested(MAX_JSON_DEPTH),
        nested(MAX_JSON_DEPTH + 1),
        f"nested more than {MAX_JSON_DEPTH} levels deep",
        trained=60,
    )


def json_string():
    """131,072 bytes in one JSON string: item 0's image, an SVG data: URI (json.dumps escapes none of its
    characters); one byte more is past."""

    def image(length):
        def change(data):
            data["items"][0]["image"] = svg_uri(length)

        files = json_file(change)
        assert f'"{svg_uri(length)}"'.encode() in files[0][1]
        return files

    return Limit(
        image(MAX_JSON_STRING_BYTES),
        image(MAX_JSON_STRING_BYTES + 1),
        f"a string longer than {MAX_JSON_STRING_BYTES:,} bytes",
        trained=60,
        check=image_check(MAX_JSON_STRING_BYTES),
    )


def json_integer():
    """308 digits: the first feature of item 0 is the integer 99…9 (308 nines: 1e308, a float still holds it),
    where the loader's CPython tests put it; 309 digits is past.

    Failed before 2026-11-28's fix: the file at the limit loaded, then training raised OverflowError in
    svm.iter_standardize (``(x - mean) ** 2`` of 1e308; any feature beyond about 1.3e154 did) and the page
    showed "Something went wrong". Now such columns are scaled by their largest magnitude first
    (svm.mean_and_std, used by the map's PCA too; the scikit-learn engine does the same).
    """

    def integer(digits):
        def change(data):
            data["items"][0]["embedding"][0] = int("9" * digits)

        return json_file(change)

    return Limit(
        integer(MAX_JSON_INT_DIGITS),
        integer(MAX_JSON_INT_DIGITS + 1),
        f"an integer of {MAX_JSON_INT_DIGITS + 1} digits is too large (at most {MAX_JSON_INT_DIGITS} digits)",
        trained=60,
    )


def json_tokens():
    """The page's JSON token limit (strings, brackets, commas, colons; 1,920,000 with the training worker's
    640,000 feature values): the provenance holds a list of zeros (a log of per-step values; each zero after
    the first adds a comma) long enough to make the file exactly that; one more zero is past."""
    limit = json_token_limit(PAGE_LIMITS["max_feature_values"])

    def tokens(files):
        shape = JsonShape("count", max_tokens=10**9)
        shape.feed(files[0][1])
        return shape.tokens

    def history(zeros):
        return json_file(lambda data: data["provenance"].update(history=[0] * zeros))

    zeros = limit - tokens(history(1)) + 1
    at, past = history(zeros), history(zeros + 1)
    assert tokens(at) == limit and tokens(past) == limit + 1
    return Limit(at, past, f"more than {limit:,} values, brackets and separators", trained=60)


def class_names():
    """64 KiB: classes.txt naming the ten digits, one per line, with blank lines after them (ignored) to
    exactly MAX_CLASS_NAMES_BYTES, beside np.save's labels.npy and pred_probs.npy (2,000 x 10); one blank line
    more is past."""
    labels, probs = synthetic(2_000, 10, seed=12)
    names = "zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n"
    at = names + "\n" * (MAX_CLASS_NAMES_BYTES - len(names))

    def check(page):
        assert "seven" in page.locator("#tiles").inner_text() or page.locator("text=seven").count()

    return Limit(
        [*npy_pair(labels, probs), ("classes.txt", at.encode())],
        [*npy_pair(labels, probs), ("classes.txt", (at + "\n").encode())],
        f"a class names file of {MAX_CLASS_NAMES_BYTES + 1:,} bytes; at most {MAX_CLASS_NAMES_BYTES:,} are accepted",
        check=check,
    )


def npy_header():
    """10,000 bytes of .npy header: np.save's pred_probs.npy with its header padded with spaces (the format's own
    padding) to NPY_MAX_HEADER_BYTES, which np.load reads too; 10,001 is past (np.load refuses it as well).
    np.save never writes such a header (it pads to 64 bytes, and every header of an (N, K) array is short):
    only a hand-made file reaches this limit."""
    labels, probs = synthetic(2_000, 10, seed=13)
    saved = npy_bytes(probs)
    length = int.from_bytes(saved[8:10], "little")
    header = saved[10 : 10 + length].decode("latin1").rstrip()

    def padded(size):
        text = header + " " * (size - len(header) - 1) + "\n"
        return saved[:8] + size.to_bytes(2, "little") + text.encode("latin1") + saved[10 + length :]

    at, past = padded(NPY_MAX_HEADER_BYTES), padded(NPY_MAX_HEADER_BYTES + 1)
    assert np.array_equal(np.load(io.BytesIO(at)), probs)
    with pytest.raises(ValueError, match="Header info length"):
        np.load(io.BytesIO(past))
    return Limit(
        [("labels.npy", npy_bytes(labels)), ("pred_probs.npy", at)],
        [("labels.npy", npy_bytes(labels)), ("pred_probs.npy", past)],
        f".npy header of {NPY_MAX_HEADER_BYTES + 1:,} bytes; at most {NPY_MAX_HEADER_BYTES:,} are accepted",
    )


def min_items():
    """At least 5 items to train (one per cross-validation fold): a features CSV of 5 rows; 4 is past."""
    X, _, labels = blobs(MIN_ITEMS, 4, k=2, seed=5)
    return Limit(
        features_csv(X, labels),
        features_csv(X[:-1], labels[:-1]),
        f"{MIN_ITEMS - 1} items; embeddings mode needs at least {MIN_ITEMS}",
        trained=MIN_ITEMS,
    )


LIMITS = [
    file_size,
    feature_values,
    csv_columns,
    csv_value,
    csv_record(quoted=False),
    csv_record(quoted=True),
    csv_empty_records,
    probability_rows_double_spaced,
    json_nesting,
    json_string,
    json_integer,
    json_tokens,
    class_names,
    npy_header,
    min_items,
]


@pytest.mark.parametrize("make", LIMITS, ids=lambda make: make.__name__)
def test_at_the_limit_loads_and_one_past_is_refused(ready, tmp_path, make):
    limit = make()
    message = cpython_refusal(limit.past, limit.mode)  # the page must say the same
    (tmp_path / "past").mkdir()
    start = time.monotonic()
    refused(ready, limit.past, limit.mode, message, tmp_path / "past")  # the demo stays; the dialog closes
    refused_in = time.monotonic() - start
    at = on_disk(tmp_path / "at", limit.at)
    start = time.monotonic()
    load(ready, at, limit.mode)  # the same dialog, opened again
    if limit.trained:
        wait_or_fail(ready, f'#dataset-count:has-text("{limit.trained:,} items")')
        wait_or_fail(ready, '[data-testid="engine"]:has-text("seed")')
        wait_trained(ready, limit.trained)
    else:
        names = [name for name, _ in limit.at if name.endswith((".csv", ".npy"))]
        source = " + ".join(sorted(names, key=lambda name: name != "labels.npy"))
        wait_or_fail(ready, f'[data-testid="engine"]:has-text("{source}")')
        wait_loaded(ready, source)
    loaded_in = time.monotonic() - start
    size = max(len(data) for _, data in limit.at)
    print(f"{make.__name__}: one past refused in {refused_in:.1f} s; at the limit ({size:,} bytes) shown in "
          f"{loaded_in:.1f} s")  # fmt: skip
    if limit.trained:
        assert page_counts(ready) == expected_trained_counts(limit.at)
    else:
        assert page_counts(ready) == expected_counts(limit.at, mode=limit.mode)
    if limit.check is not None:
        limit.check(ready)
    assert limit.says in message, message  # the refusal was this limit's (checked last: see the double-spaced file)
