"""cleanlens.arrays_io: sources, the .npy header and chunked rows, the chunked CSV record reader."""

import io

import numpy as np
import pytest

from cleanlens import arrays_io
from cleanlens.arrays_io import (
    MAX_COLUMNS,
    MAX_FIELD_CHARS,
    MAX_RECORD_CHARS,
    NPY_MAX_HEADER_BYTES,
    CsvRecords,
    InputError,
    as_source,
    iter_npy_rows,
    open_source,
    parse_npy,
    read_npy_header,
)


def npy(array, version=None):
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array)
    else:
        np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


def npy_with_header(header, body=b"", version=1):
    """A .npy file with this header text (padded as numpy pads it)."""
    raw = header.encode("latin1")
    prefix = 10 if version == 1 else 12
    raw += b" " * (63 - (prefix + len(raw)) % 64) + b"\n"
    size = len(raw).to_bytes(2 if version == 1 else 4, "little")
    return b"\x93NUMPY" + bytes([version, 0]) + size + raw + body


class CountingSource:
    """A source that records every read (start, end)."""

    def __init__(self, data):
        self.data = bytes(data)
        self.size = len(self.data)
        self.reads = []

    def read(self, start, end):
        self.reads.append((start, end))
        return self.data[start:end]


# --- sources -----------------------------------------------------------------------------


def test_bytes_sources_are_zero_copy_and_objects_pass_through():
    data = bytearray(b"hello world")
    source = as_source(data)
    assert source.size == 11
    view = source.read(6, 11)
    assert isinstance(view, memoryview) and bytes(view) == b"world"
    data[6] = ord("W")
    assert bytes(view) == b"World"  # a view, not a copy
    counting = CountingSource(b"abc")
    assert as_source(counting) is counting
    assert as_source(memoryview(b"xyz")).size == 3


def test_open_source(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"0123456789")
    with open_source(path) as source:
        assert source.size == 10 and source.read(3, 6) == b"345"
    with pytest.raises(InputError, match="missing.npy: cannot read"):
        with open_source(tmp_path / "missing.npy"):
            pass
    with pytest.raises(InputError, match=f"{tmp_path.name}: cannot read: Is a directory"):
        with open_source(tmp_path):
            pass


# --- .npy header --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ("(-1,)", "a.npy: bad .npy header: shape (-1,) has a negative size"),
        ("(60.0,)", "a.npy: bad .npy header: shape (60.0,) is not a tuple of whole numbers"),
        ("('60',)", "a.npy: bad .npy header: shape ('60',) is not a tuple of whole numbers"),
        ("(True, 3)", "a.npy: bad .npy header: shape (True, 3) is not a tuple of whole numbers"),
        ("[60]", "a.npy: bad .npy header: shape [60] is not a tuple of whole numbers"),
        ("(10**100,)", "a.npy: unreadable .npy header"),  # literal_eval refuses expressions
        ("(10000000000000000000000, 3)", "a.npy: truncated: 0 data bytes, expected 240,000,000,000,000,000,000,000"),
    ],
)
def test_npy_header_shapes_are_checked_before_reading_data(shape, message):
    source = CountingSource(npy_with_header(f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}"))
    with pytest.raises(InputError) as info:
        read_npy_header(source, "a.npy")
    assert str(info.value).startswith(message)
    assert all(end <= 128 for _, end in source.reads)  # only the header was read


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "{'descr': '<f8', 'shape': (3,), }",
            "expected the keys 'descr', 'fortran_order' and 'shape', got 'descr', 'shape'",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}",
            "got 'descr', 'fortran_order', 'shape', 'x'",
        ),
        ("[1, 2]", "unreadable .npy header: expected the keys"),
        ("{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }", "'fortran_order' is 0, not True or False"),
        ("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }", "unsupported dtype [('a', '<f8')]"),
        ("{'descr': '<f16', 'fortran_order': False, 'shape': (3,), }", "unsupported dtype '<f16'"),
        ("{'descr': '<U5', 'fortran_order': False, 'shape': (3,), }", "unsupported dtype '<U5'"),
        ("{'descr': '<f8', 'fortran_order': False, 'shape': " + "(" * 300 + ")" * 300 + "}", "unreadable .npy header"),
        ("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), ", "unreadable .npy header"),
    ],
)
def test_npy_header_errors(header, message):
    with pytest.raises(InputError, match="^a.npy: ") as info:
        read_npy_header(as_source(npy_with_header(header)), "a.npy")
    assert message in str(info.value)


def test_npy_header_length_limit_and_truncation():
    def exactly(length):  # a version 2 header of exactly `length` bytes
        text = "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }"
        raw = (text + " " * (length - len(text) - 1) + "\n").encode()
        return b"\x93NUMPY\x02\x00" + length.to_bytes(4, "little") + raw + bytes(8)

    header = read_npy_header(as_source(exactly(NPY_MAX_HEADER_BYTES)), "a.npy")
    assert header.shape == (1,) and header.offset == NPY_MAX_HEADER_BYTES + 12
    with pytest.raises(InputError, match="^a.npy: .npy header of 10,001 bytes; at most 10,000 are accepted$"):
        read_npy_header(as_source(exactly(NPY_MAX_HEADER_BYTES + 1)), "a.npy")
    bomb = b"\x93NUMPY\x02\x00" + (2**32 - 1).to_bytes(4, "little") + b"{"
    with pytest.raises(InputError, match="^a.npy: .npy header of 4,294,967,295 bytes"):
        read_npy_header(as_source(bomb), "a.npy")
    data = npy(np.arange(4.0))
    with pytest.raises(InputError, match="a.npy: truncated .npy header"):
        read_npy_header(as_source(data[:40]), "a.npy")
    with pytest.raises(InputError, match="a.npy: truncated: 31 data bytes, expected 32 for shape \\(4,\\)"):
        read_npy_header(as_source(data[:-1]), "a.npy")
    with pytest.raises(InputError, match="not a .npy file"):
        read_npy_header(as_source(b"\x93NUMPY\x01"), "a.npy")
    with pytest.raises(InputError, match="unsupported .npy format version 9"):
        read_npy_header(as_source(b"\x93NUMPY\x09\x00" + bytes(100)), "a.npy")


@pytest.mark.parametrize("version", [(1, 0), (2, 0), (3, 0)])
def test_npy_versions(version):
    assert parse_npy(npy(np.array([1.5, 2.5]), version)) == ((2,), [1.5, 2.5])


@pytest.mark.parametrize("fortran", [False, True])
def test_iter_npy_rows_in_small_chunks_matches_numpy(fortran):
    array = np.arange(35, dtype="<f4").reshape(7, 5) / 3
    array = np.asfortranarray(array) if fortran else array
    source = CountingSource(npy(array))
    header = read_npy_header(source, "p.npy")
    chunks = list(iter_npy_rows(source, header, 5, chunk_bytes=2 * 5 * 4))
    rows = [row for chunk in chunks for row in chunk]
    assert rows == array.tolist()
    if not fortran:
        assert [len(c) for c in chunks] == [2, 2, 2, 1]
        assert max(end - start for start, end in source.reads[2:]) == 40  # after magic and header


def test_parse_npy_three_dimensions_fortran():
    array = np.asfortranarray(np.arange(24).reshape(2, 3, 4))
    assert parse_npy(npy(array)) == ((2, 3, 4), array.ravel().tolist())


# --- CSV records ----------------------------------------------------------------------------


def records(data, name="t.csv"):
    """The records whose cells are not all blank (blank ones may or may not be skipped by the reader)."""
    return [
        (first, last, cells)
        for first, last, cells in CsvRecords(as_source(data), name)
        if any(c.strip() for c in cells)
    ]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 1 << 20])
def test_csv_records_are_the_same_at_any_chunk_size(monkeypatch, chunk):
    monkeypatch.setattr(arrays_io, "CHUNK_BYTES", chunk)
    data = '\ufeffa,b\r\n"x\r\ny",é€😀\r\r , \rlast,"q""uote"\n"\n\n , \n"\n\n\n7'.encode()
    assert records(data) == [
        (1, 1, ["a", "b"]),
        (2, 3, ["x\r\ny", "é€😀"]),
        (6, 6, ["last", 'q"uote']),
        (7, 10, ["\n\n , \n"]),
        (13, 13, ["7"]),
    ]


@pytest.mark.parametrize("chunk", [3, 1 << 18])
def test_csv_blank_lines_cost_no_python_work_per_line(monkeypatch, chunk):
    monkeypatch.setattr(arrays_io, "CHUNK_BYTES", chunk)
    blank4 = b"\n" + b" , \r\n" + b",,\r" + b"\t\n"  # four blank lines (\n, \r\n, \r, \n)
    data = b"a,b\n" + blank4 * 5 + b"1,2\n" + b" \n" * 7 + b"x,y"
    assert records(data) == [(1, 1, ["a", "b"]), (22, 22, ["1", "2"]), (30, 30, ["x", "y"])]
    if chunk > 3:
        reps = 16_000
        many = b"label,x\n" + blank4 * reps + b"a,1\n"  # 64,000 blank lines
        lines, result = python_lines_run(lambda: records(many))
        assert result[-1] == (2 + 4 * reps, 2 + 4 * reps, ["a", "1"])
        assert lines < 2_000, lines  # Python lines executed: far fewer than the file's lines (C-speed skipping)


def test_csv_records_sha256_and_bytes_read(monkeypatch):
    import hashlib

    monkeypatch.setattr(arrays_io, "CHUNK_BYTES", 4)
    data = b"a,b\n1,2\n3,4\n"
    digest = hashlib.sha256()
    reader = CsvRecords(as_source(data), "t.csv", digest)
    assert len(list(reader)) == 3
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest() and reader.bytes_read == len(data)


@pytest.mark.parametrize("chunk", [3, 1 << 20])
def test_csv_text_errors_name_the_place(monkeypatch, chunk):
    monkeypatch.setattr(arrays_io, "CHUNK_BYTES", chunk)
    with pytest.raises(InputError, match=r"^t.csv: not UTF-8 text \(byte 7\): save it as a UTF-8 CSV file$"):
        records(b"abc,de\n\xff\n")
    with pytest.raises(InputError, match=r"^t.csv: not UTF-8 text \(byte 4\)"):
        records("abc,é".encode()[:-1] + b"x")
    with pytest.raises(InputError, match="^t.csv: contains NUL characters"):
        records(b"a,b\n1,\x002\n")


def test_csv_field_limit():
    ok = b"a," + b"x" * MAX_FIELD_CHARS + b"\n"
    assert len(records(ok)[0][2][1]) == MAX_FIELD_CHARS
    with pytest.raises(InputError, match="^t.csv: line 1: a value is longer than 131,072 characters$"):
        records(b"a," + b"x" * (MAX_FIELD_CHARS + 1) + b"\n")
    with pytest.raises(InputError, match="^t.csv: line 2: a value is longer than 131,072 characters$"):
        records(b"a\n" + b"x" * (10 * 2**20) + b"\n")  # a 10 MB value, refused before the line ends


def test_csv_column_limit_at_and_past():
    at = (",".join(["1"] * MAX_COLUMNS) + "\n").encode()
    assert len(records(at)[0][2]) == MAX_COLUMNS
    with pytest.raises(InputError, match="^t.csv: line 1: 10,005 columns; at most 10,004 are supported$"):
        records((",".join(["1"] * (MAX_COLUMNS + 1)) + "\n").encode())


def test_csv_a_huge_header_is_refused_after_one_record_length():
    header = ("label," + ",".join(f"f{j}" for j in range(2_000_000)) + "\n").encode()  # 16 MB
    source = CountingSource(header)
    with pytest.raises(InputError, match="^t.csv: line 1: more than 10,004 columns; at most 10,004 are supported$"):
        list(CsvRecords(source, "t.csv"))
    assert source.reads[-1][1] <= 2 * arrays_io.CHUNK_BYTES + MAX_RECORD_CHARS


def test_csv_record_limit():
    values = ",".join(["1234567890"] * 9_000)  # 98,999 characters, 9,000 columns
    per_line = values + "\n"
    at = (per_line * 1).encode()
    assert len(records(at)) == 1
    quoted = '"' + "x" * 100_000 + '",' * 1
    many = (quoted + "\n") * 20  # one record? no: each line is a record; a multi-line record follows
    assert len(records(many.encode())) == 20
    multi_line = ",".join(['"a\nb"'] * 3000)  # one record of 3,000 two-line values
    assert len(records((multi_line + "\n").encode())) == 1
    too_long = ",".join(['"' + "y" * 1000 + "\n" + "z" * 1000 + '"'] * 600)  # 1.2 M characters in one record
    with pytest.raises(InputError, match=r"^t.csv: line \d+: a record longer than 1,048,576 characters$"):
        records((too_long + "\n").encode())
    one_line = "x" * (MAX_RECORD_CHARS + 10) + "\n"
    with pytest.raises(InputError, match="^t.csv: line 1: a value is longer than"):
        records(one_line.encode())
    spaced = ("1," * MAX_RECORD_CHARS) + "\n"  # 2 MiB: longer than a record and a chunk
    with pytest.raises(InputError, match="^t.csv: line 1: more than 10,004 columns; at most 10,004 are supported"):
        records(spaced.encode())


def record_of(length, quoted, ending):
    """One CSV record of exactly ``length`` characters (without its line end): values of up to 100,000."""
    cells = ['"q"' if quoted else "q"]
    size = len(cells[0])
    while size < length:
        cells.append("x" * min(length - size - 1, 100_000))
        size += 1 + len(cells[-1])
    return ",".join(cells) + ending


@pytest.mark.parametrize("quoted", [False, True], ids=["unquoted", "quoted"])
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r", ""], ids=["LF", "CRLF", "CR", "last-line"])
@pytest.mark.parametrize("before", [2, 262_143], ids=["short-header", "chunk-after-the-CR"])
def test_csv_record_limit_at_and_past_exactly(quoted, ending, before):
    """A record of MAX_RECORD_CHARS characters (its line end not counted) is read; one more is refused.

    Before: without quotes a record was refused only if a chunk boundary fell after its first
    MAX_RECORD_CHARS characters (records up to a chunk longer were read); with quotes its line end was
    counted (a record of exactly the limit was refused). ``before``: the header's length with its line
    end; 262,143 puts a chunk boundary just after the CR of a CRLF ending the record at the limit.
    """
    header = ("h" * 99 + ",") * (before // 100) + "h" * (before % 100 - 1) + "\n"
    after = "y\n" if ending else ""  # a record without a line end is the file's last
    at = (header + record_of(MAX_RECORD_CHARS, quoted, ending) + after).encode()
    assert [len(cells) for _, _, cells in records(at)][1:] == [12] + [1] * bool(after)
    past = (header + record_of(MAX_RECORD_CHARS + 1, quoted, ending) + after).encode()
    with pytest.raises(InputError, match="^t.csv: line 2: a record longer than 1,048,576 characters$"):
        records(past)


def test_csv_blank_records_limit_at_and_past():
    # the header is a record with data: one blank record besides it is allowed
    at = b"a\n" + b'""\n' * (arrays_io.MAX_BLANK_RECORDS + 1) + b"1\n"
    assert records(at)[-1] == (arrays_io.MAX_BLANK_RECORDS + 3,) * 2 + (["1"],)
    with pytest.raises(
        InputError,
        match=r"^t.csv: line 100003: more than 100,000 empty records \(besides one per row\); remove the empty lines$",
    ):
        records(b"a\n" + b'""\n' * (arrays_io.MAX_BLANK_RECORDS + 2) + b"1\n")
    assert records(b"a\n" + b" ,\n" * (2 * arrays_io.MAX_BLANK_RECORDS) + b"1\n")[-1][2] == [
        "1"
    ]  # skipped, not counted


def test_a_blank_record_after_every_row_is_read():
    """csv.writer through a text file on Windows writes \\r\\r\\n: a blank record after each row."""
    rows = 2 * arrays_io.MAX_BLANK_RECORDS
    text = b"a,b\r\r\n" + b"1,2\r\r\n" * rows
    read = records(text)
    assert sum(1 for _, _, cells in read if cells == ["1", "2"]) == rows


def python_lines_run(function):
    """``(lines, result)``: how many lines of cleanlens code ran while ``function()`` ran, and its result.

    Counting work instead of timing it: a loop with a Python step per input line shows as at least one line
    per input line, whatever the machine's speed.
    """
    import sys

    count = [0]

    def trace(frame, event, arg):
        if "cleanlens" not in frame.f_code.co_filename:
            return None
        if event == "line":
            count[0] += 1
        return trace

    sys.settrace(trace)
    try:
        result = function()
    finally:
        sys.settrace(None)
    return count[0], result
