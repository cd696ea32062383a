"""``cleanlens explore``: the page on your own arrays, served on 127.0.0.1, with the decisions coming back.

:func:`explore` (from Python or Jupyter) and ``python -m cleanlens explore --labels L --pred-probs P``
serve the built site (the one ``build.py dist`` writes, shipped inside the wheel as ``cleanlens/site``)
on 127.0.0.1 only, print one line with its address, open the browser (unless told not to) and serve until
Ctrl-C or :meth:`Exploration.close`.

The URL contract (docs/notebook.md)
-----------------------------------
The page is opened at ``/?explore=TOKEN``; TOKEN is random (:data:`TOKEN_BYTES` bytes, URL-safe base64) and
every data request must carry it in its path. The page (``cleanlens/web/explore_link.py``) then

- ``GET explore/TOKEN/manifest.json``: ``{"files": [names], "mode": "probabilities", "class_names":
  [K names] or null}``;
- ``GET explore/TOKEN/files/NAME`` for each name, and opens them through the "Your data" loader
  (:func:`cleanlens.userdata.iter_load_files`), exactly as files chosen in its dialog: a pair of ``.npy``
  files, or one CSV when the items have ids or images (columns ``id``, ``label``, ``p_<class>``,
  ``image``);
- ``GET explore/TOKEN/images/I``: item I's image (a file of the images folder; PNG, JPEG, GIF, WebP or
  BMP), when the CSV names one;
- ``POST explore/TOKEN/export`` with ``{"name": file name, "text": the export}`` each time the user
  exports CSV or JSON, so that :meth:`Exploration.decisions` and :meth:`Exploration.wait` see it.

Nothing else is served: the site's own files (``GET`` only, nothing outside its folder) and those
requests. A request with a wrong or missing token gets 403; any other path 404; a ``Host`` header other
than ``127.0.0.1:PORT`` or ``localhost:PORT`` 403 (a DNS-rebinding page cannot read the data either).
The data are checked by the page's own loader before the server starts (:func:`prepare`): what the page
would refuse (more than 100,000 rows, more than 50 classes, a class without items...) is refused at once,
with the page's one-line message.
"""

from __future__ import annotations

import base64
import csv
import hmac
import http.server
import io
import json
import mimetypes
import secrets
import sys
import threading
import time
import webbrowser
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import CleanlensError

TOKEN_BYTES = 24
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
}
"""Image files served, by extension (SVG is not: it can hold scripts)."""
MAX_EXPORT_BYTES = 512 * 1024 * 1024
"""The largest export the page may post back (a JSON export of 100,000 items is about 30 MB)."""
SITE_TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
              ".json": "application/json", ".whl": "application/zip", ".zip": "application/zip"}  # fmt: skip
"""Content types the runtime needs besides :mod:`mimetypes`' (module scripts, streaming wasm)."""
DECISION_EXPORTS = (".csv", ".json")


class ExploreError(CleanlensError):
    """The explorer cannot start: no built site, a port in use, unusable data (one line)."""


def find_site():
    """The built site: ``cleanlens/site`` inside the installed package, else ``dist/`` of this checkout."""
    package = Path(__file__).resolve().parent
    for folder in (package / "site", package.parent.parent / "dist"):
        if (folder / "index.html").is_file():
            return folder
    raise ExploreError(
        "the built site is missing: install the cleanlens wheel, or run `python3 build.py dist` in this checkout"
    )


# --- the data the page opens --------------------------------------------------------------------------


@dataclass
class Payload:
    """What the page fetches: ``files`` (name -> bytes), the ``mode``, typed ``class_names`` and images."""

    files: dict
    class_names: list | None = None
    images: list = field(default_factory=list)  # per item: a Path or None
    mode: str = "probabilities"

    def manifest(self):
        return {"files": list(self.files), "mode": self.mode, "class_names": self.class_names}


def prepare(labels, pred_probs, *, class_names=None, ids=None, images=None, token=""):
    """The :class:`Payload` for arrays, checked by the page's loader (a refusal raises its one-line message).

    ``labels`` (N,) and ``pred_probs`` (N, K) as :func:`cleanlens.find_issues` takes them; ``ids``: N ids;
    ``images``: a folder (each item's image is the file named by its id with an image extension) or N
    paths (None: no image), e.g. a DataFrame's ``image`` column. Without ids and images the page opens two
    ``.npy`` files (the probabilities in their own dtype), else one CSV.
    """
    import numpy as np

    from . import userdata
    from .api import _analyse, _options

    findings, item_ids = _analyse(labels, pred_probs, class_names, ids, "percentile", _options("percentile", {}))
    n, classes = findings.n_items, findings.classes
    names = list(classes) if class_names is not None else None
    pictures = _image_paths(images, item_ids or [str(i) for i in range(n)])
    if item_ids is None and not any(pictures):
        files = {"labels.npy": _npy(np.asarray(labels).astype(np.int64)), "pred_probs.npy": _npy(pred_probs)}
        payload = Payload(files, names, [])
    else:
        urls = [f"explore/{token}/images/{i}" if path else None for i, path in enumerate(pictures)]
        text = _csv(item_ids or [str(i) for i in range(n)], findings.items.given, classes, pred_probs, urls)
        payload = Payload({"data.csv": text.encode("utf-8")}, None, pictures)
    userdata.load_files(list(payload.files.items()), mode=payload.mode, class_names=payload.class_names)
    return payload


def _npy(array):
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def _csv(ids, given, classes, pred_probs, urls):
    """The page's probabilities CSV: ``id``, ``label`` (class name), ``p_<class>`` (exact float text), ``image``."""
    import numpy as np

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    with_images = any(urls)
    writer.writerow(["id", "label", *(f"p_{c}" for c in classes), *(["image"] if with_images else [])])
    rows = np.asarray(pred_probs, dtype=np.float64)
    for i, (item, g) in enumerate(zip(ids, given.tolist())):
        row = [item, classes[g], *map(repr, rows[i].tolist())]
        writer.writerow(row + ([urls[i] or ""] if with_images else []))
    return out.getvalue()


def _image_paths(images, ids):
    """Per item, its image file (a Path) or None; see :func:`prepare`."""
    if images is None:
        return [None] * len(ids)
    if isinstance(images, str | Path):
        folder = Path(images)
        if not folder.is_dir():
            raise ExploreError(f"{folder}: not a folder of images")
        by_stem = {}
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in IMAGE_TYPES and path.is_file():
                by_stem.setdefault(path.stem, path)
        found = [by_stem.get(i) for i in ids]
        if not any(found):
            raise ExploreError(f"{folder}: no image is named after an item's id (e.g. {ids[0]}.png)")
        return found
    paths = [None if p is None or p != p or p == "" else Path(p) for p in images]  # (p != p: NaN)
    if len(paths) != len(ids):
        raise ExploreError(f"images has {len(paths)} paths, expected {len(ids)} (one per item)")
    for path in paths:
        if path is not None and (path.suffix.lower() not in IMAGE_TYPES or not path.is_file()):
            raise ExploreError(f"{path}: not an image file ({', '.join(IMAGE_TYPES)})")
    return paths


# --- the server ---------------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    """The site's files and the token-guarded data; see the module docstring."""

    server_version = "cleanlens-explore"
    exploration: Exploration  # set on a subclass per server

    def log_message(self, format, *args):  # noqa: A002 (the base class's signature)
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        self._answer(send_body=True)

    def do_HEAD(self):  # noqa: N802
        self._answer(send_body=False)

    def do_POST(self):  # noqa: N802
        if not self._host_ok():
            return self._refuse(403)
        token, what, rest = self._explore_parts()
        if token is None or what != "export" or rest:
            return self._refuse(404)
        if not self.exploration.token_matches(token):
            return self._refuse(403)
        length = int(self.headers.get("Content-Length") or -1)
        if not 0 <= length <= MAX_EXPORT_BYTES or "json" not in (self.headers.get("Content-Type") or ""):
            return self._refuse(400)
        try:
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            self.exploration.received(str(body["name"]), str(body["text"]))
        except (ValueError, KeyError, TypeError):
            return self._refuse(400)
        self.send_response(204)
        self.end_headers()

    def do_PUT(self):  # noqa: N802
        self._refuse(405)

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT  # noqa: N815

    def _host_ok(self):
        port = self.server.server_address[1]
        return self.headers.get("Host") in (f"127.0.0.1:{port}", f"localhost:{port}")

    def _explore_parts(self):
        path = unquote(urlsplit(self.path).path)
        if not path.startswith("/explore/"):
            return None, None, None
        token, _, rest = path[len("/explore/") :].partition("/")
        what, _, rest = rest.partition("/")
        return token, what, rest

    def _answer(self, send_body):
        if not self._host_ok():
            return self._refuse(403)
        token, what, rest = self._explore_parts()
        if token is not None:
            if not self.exploration.token_matches(token):
                return self._refuse(403)
            found = self.exploration.data(what, rest)
        else:
            found = self.exploration.site_file(unquote(urlsplit(self.path).path))
        if found is None:
            return self._refuse(404)
        body, kind, private = found
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store" if private else "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _refuse(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Exploration:
    """A running explorer (returned by :func:`explore`): ``url``; :meth:`decisions`, :meth:`wait`, :meth:`close`.

    Also a context manager (``with cleanlens.explore(...) as e:`` closes it at the end).
    """

    def __init__(self, payload, site, token, port=0):
        self.payload, self.site, self.token = payload, Path(site).resolve(), token
        self._exports = []  # (name, text), oldest first
        self._waited = 0  # exports already returned by wait()
        self._changed = threading.Condition()
        handler = type("Handler", (_Handler,), {"exploration": self})
        try:
            self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError as exc:
            raise ExploreError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}") from None
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/?explore={token}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="cleanlens-explore", daemon=True)
        self._thread.start()

    def __repr__(self):
        state = "closed" if self._thread is None else "serving"
        return f"<cleanlens exploration {state} at {self.url}; {len(self._exports)} export(s) received>"

    def _repr_html_(self):
        return f'<a href="{self.url}" target="_blank" rel="noopener">Open Cleanlens on your data</a>'

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # requests (called from the server's threads)

    def token_matches(self, token):
        return hmac.compare_digest(token.encode("utf-8", "replace"), self.token.encode())

    def data(self, what, rest):
        """``(body, content type, private)`` for a data request, or None."""
        payload = self.payload
        if what == "manifest.json" and not rest:
            return json.dumps(payload.manifest()).encode(), "application/json", True
        if what == "files" and rest in payload.files:
            kind = "text/csv; charset=utf-8" if rest.endswith(".csv") else "application/octet-stream"
            return payload.files[rest], kind, True
        if what == "images" and rest.isdigit() and int(rest) < len(payload.images) and payload.images[int(rest)]:
            path = payload.images[int(rest)]
            try:
                return path.read_bytes(), IMAGE_TYPES[path.suffix.lower()], True
            except OSError:
                return None
        return None

    def site_file(self, path):
        """``(body, content type, private)`` for a file of the site, or None (nothing outside its folder)."""
        relative = path.lstrip("/")
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        try:
            target = (self.site / relative).resolve()
            target.relative_to(self.site)
        except (ValueError, OSError):
            return None
        if not target.is_file():
            return None
        kind = SITE_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return target.read_bytes(), kind, False

    def received(self, name, text):
        """An export posted by the page: kept for :meth:`decisions` (CSV and JSON exports; not the audit)."""
        if not name.endswith(DECISION_EXPORTS) or name.endswith("-audit.json"):
            return
        with self._changed:
            self._exports.append((name, text))
            self._changed.notify_all()

    # the user's side

    def decisions(self):
        """The user's last export as a DataFrame (the page's CSV columns, decisions included), or None.

        Columns ``id, given, suggested, category, is_label_issue, label_quality, decision, final_label``
        (:mod:`cleanlens.report`): text as the page wrote it, None for an empty cell.
        """
        with self._changed:
            last = self._exports[-1] if self._exports else None
        return None if last is None else export_frame(*last)

    def wait(self, timeout=None):
        """Block until the user exports (CSV or JSON) in the page; return :meth:`decisions`.

        An export made before this call and not yet returned by ``wait`` returns at once. ``timeout``
        (seconds): raise :class:`TimeoutError` when it passes first.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._exports) > self._waited, timeout):
                raise TimeoutError(f"no export from the page within {timeout} s")
            self._waited = len(self._exports)
        return self.decisions()

    def close(self):
        """Stop serving (the page keeps what it loaded)."""
        if self._thread is not None:
            self.server.shutdown()
            self.server.server_close()
            self._thread.join()
            self._thread = None


def export_frame(name, text):
    """A CSV or JSON export of the page (:mod:`cleanlens.report`) as a DataFrame of its rows."""
    import pandas as pd

    from .report import unneutralize

    if name.endswith(".json"):
        return pd.DataFrame(json.loads(text)["items"])
    rows = list(csv.DictReader(io.StringIO(text)))
    columns = list(rows[0]) if rows else []
    for row in rows:
        for key, value in row.items():
            if key == "is_label_issue":
                row[key] = value == "True"
            elif key == "label_quality" or key.startswith("p_"):
                row[key] = float(value) if value else float("nan")
            else:
                row[key] = unneutralize(value) if value else None
    return pd.DataFrame(rows, columns=columns)


def new_token():
    return base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).decode().rstrip("=")


def explore(labels, pred_probs, *, class_names=None, ids=None, images=None, port=0, open_browser=True, quiet=False):
    """Open the page on these arrays: serve it on 127.0.0.1 and return the running :class:`Exploration`.

    The page opens with its rule for your own data, cleanlab's ``find_label_issues`` (``prune_by_noise_rate``):
    the categories of ``find_issues(labels, pred_probs, rule="prune_by_noise_rate")``; its rule select
    offers the others.

    Parameters
    ----------
    labels, pred_probs, class_names, ids
        As for :func:`cleanlens.find_issues` (at most 100,000 items and 50 classes: the page's limits).
    images : str or Path or sequence, optional
        A folder whose files are named after the items' ids (``17.png``), or one path per item.
    port : int
        0 (default): any free port.
    open_browser : bool
        Open the page in the default browser (default True).
    quiet : bool
        Do not print the address (one line) on stdout.

    Returns
    -------
    Exploration
        ``.url``; ``.decisions()`` (the last export as a DataFrame), ``.wait()`` (until the user exports),
        ``.close()``.
    """
    site = find_site()
    token = new_token()
    payload = prepare(labels, pred_probs, class_names=class_names, ids=ids, images=images, token=token)
    exploration = Exploration(payload, site, token, port)
    if not quiet:
        print(f"Cleanlens is open on your data at {exploration.url}", flush=True)
    if open_browser:
        webbrowser.open(exploration.url)
    return exploration


# --- the command line -------------------------------------------------------------------------------


def add_arguments(p):
    p.add_argument("--labels", metavar="FILE", required=True, help="given labels (N,): .npy, CSV or Parquet")
    p.add_argument("--pred-probs", metavar="FILE", required=True, help="probabilities (N, K): .npy, CSV or Parquet")
    p.add_argument("--classes", metavar="FILE", help="class names: a .txt file (one per line) or a JSON list")
    p.add_argument(
        "--images",
        metavar="DIR",
        help="a folder of images named after the items' ids (0.png, 1.png, ...), or holding the files the "
        "labels Parquet file's 'image' column names",
    )
    p.add_argument("--no-browser", action="store_true", help="only print the address")
    p.add_argument("--port", type=int, default=0, help="default: any free port")


def run(args):
    """``cleanlens explore``: serve until Ctrl-C (exit status 0)."""
    from .cli_stream import open_inputs

    labels, table, _ = open_inputs(args.labels, args.pred_probs)
    pred_probs = _whole(table)
    ids, images = _item_columns(Path(args.labels))
    if images is not None:
        folder = Path(args.images) if args.images else Path(args.labels).parent
        images = [None if not name else folder / name for name in images]
    elif args.images:
        images = args.images
    exploration = explore(
        labels,
        pred_probs,
        class_names=_class_names(Path(args.classes), pred_probs.shape[1]) if args.classes else None,
        ids=ids,
        images=images,
        port=args.port,
        open_browser=not args.no_browser,
    )
    try:
        while True:  # short sleeps: a Ctrl-C the kernel hands to a server thread is seen at the next wake-up
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        exploration.close()
    print("Cleanlens explore stopped.", file=sys.stderr, flush=True)
    return 0


def _whole(table):
    import numpy as np

    blocks = [block for _, block in table.blocks()]
    return np.concatenate(blocks) if len(blocks) > 1 else blocks[0]


def _class_names(path, k):
    """K class names from a ``.txt`` (one per line) or ``.json`` (a list) file, as the page reads them."""
    from .arrays_io import open_source
    from .userdata.npy_pair import read_class_names

    with open_source(path) as source:
        return read_class_names(path.name, source, k, "pred_probs")


def _item_columns(path):
    """``(ids, images)`` from a Parquet labels file's ``id`` and ``image`` columns (each None if absent)."""
    from .tables import is_parquet

    if not is_parquet(path):
        return None, None
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path)
    names = {n.strip().lower(): n for n in table.schema_arrow.names}
    wanted = [names[c] for c in ("id", "image") if c in names]
    if not wanted:
        return None, None
    columns = table.read(columns=wanted)
    values = {c: columns.column(names[c]).to_pylist() for c in ("id", "image") if c in names}
    return values.get("id"), values.get("image")
