"""cleanlens.userdata.csv_table: a CSV read into a table: header roles, rows, line numbers, row limits."""

import pytest

from cleanlens import userdata
from cleanlens.arrays_io import MAX_COLUMNS
from cleanlens.userdata import (
    MAX_CLASSES,
    load_files,
)

from .test_arrays_io import python_lines_run
from .test_userdata import (
    PROB_CSV,
    PROBS,
    csv_bytes,
    error,
)


def test_csv_too_many_classes_fails_on_the_header():
    header = "label," + ",".join(f"c{j}" for j in range(MAX_CLASSES + 1))
    exc = error([("p.csv", csv_bytes(header, "c0," + ",".join(["0.5"] * (MAX_CLASSES + 1))))], mode="probabilities")
    assert (
        str(exc)
        == f"p.csv: line 1: {MAX_CLASSES + 1} probability columns (classes); at most {MAX_CLASSES} are supported"
    )


def test_csv_probability_row_limit(monkeypatch):
    monkeypatch.setattr(userdata.limits, "MAX_PROBABILITY_ROWS", 4)
    assert str(error([("p.csv", PROB_CSV)], mode="probabilities")).startswith(
        "p.csv: more than 4 rows; probabilities mode allows at most 4"
    )


def test_csv_semicolon_hint():
    assert "semicolon- or tab-separated" in str(error([("e.csv", csv_bytes("label;x", "cat;1"))]))


def test_csv_embedding_row_limit():
    rows = [f"{'cat' if i % 2 else 'dog'},{i}" for i in range(12)]
    exc = error([("e.csv", csv_bytes("label,x", *rows))], max_embedding_rows=10)
    assert str(exc).startswith("e.csv: 12 rows; embeddings mode allows at most 10 rows with the current engine")
    assert "scikit-learn" in str(exc) and "probabilities mode, up to 100,000 rows" in str(exc)
    exc = error([("e.csv", csv_bytes("label,x", *rows))], mode="embeddings", max_embedding_rows=10)
    assert str(exc).startswith("e.csv: more than 10 rows; embeddings mode allows at most 10 rows")


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
