"""Loading the user's files: the checks every file gets, then dispatch by format (pure).

:func:`load_files` and :func:`iter_load_files` are the package's entry points; the contract is in the
package docstring (:mod:`cleanlens.userdata`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..arrays_io import BytesLike, InputError, Source, as_source, read_npy_header
from ..dataset import DatasetError
from ..steps import Steps, drain, monotone
from . import limits
from .common import LoadedData, UserDataError, extension, join_names
from .csv_modes import load_csv
from .json_file import load_json
from .limits import Caps, megabytes
from .npy_pair import load_npy_pair

MODES = ("auto", "probabilities", "embeddings")
ACCEPTED = (
    "one .csv file, one .json file (demo format), or two .npy files (labels and pred_probs) "
    "with an optional class names file (.txt or .json)"
)


def load_files(
    files: Sequence[tuple[str, BytesLike | Source]],
    *,
    mode: str = "auto",
    renormalize: bool = False,
    max_embedding_rows: int = limits.MAX_EMBEDDING_ROWS,
    max_file_bytes: int = limits.MAX_FILE_BYTES,
    class_names: Sequence[str] | None = None,
    max_feature_values: int = limits.MAX_FEATURE_VALUES,
) -> LoadedData:
    """Validate the user's files and return them as data: :func:`iter_load_files` run to the end.

    Parameters
    ----------
    files : list of (str, bytes-like or source)
        Each file's name and contents (or an object with ``size`` and ``read(start, end)``).
    mode : {"auto", "probabilities", "embeddings"}
    renormalize : bool
        Divide probability rows by their sum instead of refusing rows that do not sum to 1.
    max_embedding_rows, max_file_bytes, max_feature_values : int
        Limits (see the module constants).
    class_names : list of str, optional
        Names for the K classes of ``.npy`` data.

    Returns
    -------
    LoadedData
        ``dataset`` (a :class:`~cleanlens.dataset.Dataset`), ``probabilities`` (N rows of K floats, or None
        for features), ``mode``, ``notes`` and ``warnings``.

    Raises
    ------
    UserDataError
        For any unusable input, with one line naming the file and the place.

    Examples
    --------
    >>> loaded = load_files([("mine.csv", b"label,cat,dog\\ncat,0.9,0.1\\ndog,0.3,0.7\\n")])
    >>> loaded.mode, loaded.dataset.classes, loaded.dataset.given, loaded.probabilities
    ('probabilities', ['cat', 'dog'], [0, 1], [[0.9, 0.1], [0.3, 0.7]])
    >>> load_files([("mine.csv", b"label,cat,dog\\ncat,0.9,0.3\\ndog,0.2,0.8\\n")])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cleanlens.userdata.UserDataError: mine.csv: line 2: probabilities sum to 1.2, not 1 ...
    """
    steps = iter_load_files(
        files, mode=mode, renormalize=renormalize, max_embedding_rows=max_embedding_rows,
        max_file_bytes=max_file_bytes, class_names=class_names, max_feature_values=max_feature_values,
    )  # fmt: skip
    return drain(steps)


def iter_load_files(
    files: Sequence[tuple[str, BytesLike | Source]],
    *,
    mode: str = "auto",
    renormalize: bool = False,
    max_embedding_rows: int = limits.MAX_EMBEDDING_ROWS,
    max_file_bytes: int = limits.MAX_FILE_BYTES,
    class_names: Sequence[str] | None = None,
    max_feature_values: int = limits.MAX_FEATURE_VALUES,
) -> Steps[float, LoadedData]:
    """Validate dropped files step by step (a generator), so the browser tab stays responsive.

    ``files``: a list of ``(name, data)``, ``data`` bytes-like (bytes,
    bytearray or memoryview) or a source: an object with ``size`` (int) and
    ``read(start, end) -> bytes``. ``mode``: ``"auto"``, ``"probabilities"``
    or ``"embeddings"``. ``max_embedding_rows``: the row limit of the
    training engine in use. ``class_names``: None (or empty), or a list of
    str naming the classes of a ``.npy`` pair (in column order).
    ``max_file_bytes`` and ``max_feature_values`` default to
    :data:`~cleanlens.userdata.MAX_FILE_BYTES` and :data:`~cleanlens.userdata.MAX_FEATURE_VALUES` (the command line
    lifts them, with the row limit).

    Yields progress values, floats from 0.0 to 1.0, non-decreasing: 0.0 first,
    then one after at most :data:`~cleanlens.userdata.STEP_WORK` units of work, 1.0 last. The
    result, a :class:`LoadedData`, is the generator's return value: the
    ``value`` of the ``StopIteration`` that ends it. Raises
    :class:`UserDataError` (during iteration) for unusable files, and
    nothing else for any input; ``ValueError`` for an unknown ``mode``.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    try:
        caps = Caps(max_embedding_rows, max_file_bytes, max_feature_values)
        # non-decreasing, whatever rounding did to the steps' fractions
        result = yield from monotone(_load(files, mode, renormalize, caps, class_names or None))
    except UserDataError:
        raise
    except InputError as exc:
        raise UserDataError(str(exc)) from None
    except DatasetError as exc:
        raise UserDataError(str(exc)) from None
    except (RecursionError, MemoryError) as exc:  # defensive: every limit above should prevent these
        names = " + ".join(str(name) for name, _ in files) or "the files"
        what = "too deeply nested" if isinstance(exc, RecursionError) else "too large for the memory available"
        raise UserDataError(f"{names}: this file is {what}") from None
    return result


def _load(files, mode, renormalize, caps, class_names):
    files = [(str(name), as_source(data)) for name, data in files]
    if isinstance(class_names, str):
        raise ValueError("class_names must be a list of str, not one str")
    kind = _kind(files)
    for name, source in files:
        if source.size > caps.file_bytes:
            raise UserDataError(
                f"{name}: the file is too large: {megabytes(source.size)}; the limit is {megabytes(caps.file_bytes)}"
            )
        if not source.size:
            raise UserDataError(f"{name}: the file is empty")
    if class_names is not None and kind != "npy":
        raise UserDataError(
            f"{join_names(files)}: class names can only be given for .npy files (CSV and JSON files name their classes)"
        )
    if kind == "npy" and len(files) == 1:
        name, source = files[0]
        shape = read_npy_header(source, name).shape
        other = (
            "the labels .npy file, shape (N,)"
            if len(shape) == 2 and shape[1] > 1
            else "the pred_probs .npy file, shape (N, K)"
        )
        raise UserDataError(f"{name}: probabilities mode needs two .npy files, labels and pred_probs: add {other}")
    yield 0.0
    if kind == "npy":
        if mode == "embeddings":
            raise UserDataError(
                f"{join_names(files)}: .npy files hold labels and probabilities; embeddings mode needs a .csv or "
                ".json file"
            )
        result = yield from load_npy_pair(files, renormalize, class_names)
    elif kind == "json":
        if mode == "probabilities":
            raise UserDataError(
                f"{files[0][0]}: a .json file holds embeddings; probabilities mode needs a .csv file or two .npy files"
            )
        result = yield from load_json(*files[0], caps)
    else:
        result = yield from load_csv(*files[0], mode, renormalize, caps)
    yield 1.0
    return result


def _kind(files):
    """``"npy"``, ``"csv"`` or ``"json"`` from the extensions, or a "wrong file type" error.

    For ``"npy"`` the files are reordered so that a class names file, if any, is last.
    """
    if not files:
        raise UserDataError(f"no file given: choose {ACCEPTED}")
    extensions = [extension(name) for name, _ in files]
    for (name, _), ext in zip(files, extensions):
        if ext not in ("npy", "csv", "json", "txt"):
            raise UserDataError(f"{name}: wrong file type; accepted: {ACCEPTED}")
    if extensions == ["csv"] or extensions == ["json"]:
        return extensions[0]
    npys = extensions.count("npy")
    others = [i for i, ext in enumerate(extensions) if ext != "npy"]
    if npys == len(files) and npys <= 2:
        return "npy"  # one alone is refused after the size check, saying which other file is needed
    if npys == 2 and len(others) == 1 and extensions[others[0]] in ("txt", "json"):
        files.append(files.pop(others[0]))
        return "npy"
    raise UserDataError(f"{join_names(files)}: wrong combination of files; accepted: {ACCEPTED}")
