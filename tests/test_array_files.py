"""cleanlens.array_files: labels and probability matrices from .npy and CSV files, as lists or numpy arrays."""

import math

import numpy as np
import pytest

from cleanlens import array_files
from cleanlens.arrays_io import InputError

from .test_arrays_io import npy


def test_read_matrix_shape_and_labels(tmp_path):
    np.save(tmp_path / "empty.npy", np.zeros((0, 3)))
    assert array_files.read_matrix_shape(tmp_path / "empty.npy") == ([], (0, 3))
    np.save(tmp_path / "l.npy", np.zeros(0, dtype=int))
    assert array_files.read_labels(tmp_path / "l.npy") == []
    (tmp_path / "p.csv").write_text("a,b\n0.5,0.5\n0.25,0.75\n")
    assert array_files.read_matrix_shape(tmp_path / "p.csv") == ([[0.5, 0.5], [0.25, 0.75]], (2, 2))
    (tmp_path / "ragged.csv").write_text("0.5,0.5\n0.25\n")
    with pytest.raises(InputError, match="ragged.csv: line 2: 1 columns, expected 2"):
        array_files.read_matrix(tmp_path / "ragged.csv")
    assert math.isinf(array_files._number("1e999"))


# --- the numpy reading path of the command line (as_array=True) ----------------------------


@pytest.mark.parametrize("dtype", ["<f8", ">f8", "<f4", "<f2", "<i8", ">i4", "|u1", "<u8", "|b1"])
@pytest.mark.parametrize("fortran", [False, True])
def test_as_array_reads_what_the_pure_reader_reads(tmp_path, dtype, fortran):
    values = (np.arange(24).reshape(8, 3) % 4).astype(dtype)
    np.save(tmp_path / "m.npy", np.asfortranarray(values) if fortran else values)
    rows, shape = array_files.read_matrix_shape(tmp_path / "m.npy", as_array=True)
    assert (rows.tolist(), shape) == array_files.read_matrix_shape(tmp_path / "m.npy")
    assert rows.dtype == np.float64 and rows.flags.c_contiguous
    for labels in (values[:, 0], values[:, :1]):
        np.save(tmp_path / "l.npy", np.asfortranarray(labels) if fortran else labels)
        array = array_files.read_labels(tmp_path / "l.npy", as_array=True)
        assert array.ndim == 1 and [int(x) for x in array.tolist()] == array_files.read_labels(tmp_path / "l.npy")


@pytest.mark.parametrize(
    ("values", "allow_ood"),
    [
        (np.array([0.0, 1.0, 2.5]), False),
        (np.array([0.0, np.inf]), False),
        (np.array([0, -1, 2]), False),
        (np.array([0, -1, -2]), True),
        (np.array([0.0, -1.0, np.nan]), True),
    ],
)
def test_as_array_label_messages_are_the_pure_readers(tmp_path, values, allow_ood):
    np.save(tmp_path / "l.npy", values)
    with pytest.raises(InputError) as pure:
        array_files.read_labels(tmp_path / "l.npy", allow_ood)
    with pytest.raises(InputError) as array:
        array_files.read_labels(tmp_path / "l.npy", allow_ood, as_array=True)
    assert str(array.value) == str(pure.value)


def test_as_array_from_csv_and_header_checks_first(tmp_path):
    (tmp_path / "p.csv").write_text("a,b\n0.5,0.5\n1,0\n")
    rows, shape = array_files.read_matrix_shape(tmp_path / "p.csv", as_array=True)
    assert rows.tolist() == [[0.5, 0.5], [1.0, 0.0]] and shape == (2, 2)
    (tmp_path / "l.csv").write_text("label\n0\n99999999999999999999\n")  # beyond 64 bits: exact Python ints
    assert array_files.read_labels(tmp_path / "l.csv", as_array=True).tolist() == [0, 99999999999999999999]
    (tmp_path / "bad.npy").write_bytes(npy(np.zeros(3))[:-8])  # truncated: refused by our header checks
    with pytest.raises(InputError, match="^bad.npy: truncated"):
        array_files.read_labels(tmp_path / "bad.npy", as_array=True)
    np.save(tmp_path / "obj.npy", np.array([1, "a"], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="unsupported dtype"):
        array_files.read_labels(tmp_path / "obj.npy", as_array=True)
    np.save(tmp_path / "empty.npy", np.zeros((0, 3)))
    rows, shape = array_files.read_matrix_shape(tmp_path / "empty.npy", as_array=True)
    assert rows.shape == (0, 3) and shape == (0, 3)
