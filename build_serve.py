"""The static server of ``build.py serve`` and of the tests: the site's files with the MIME types Pyodide needs."""

from __future__ import annotations

import functools
import http.server
import os


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the MIME types Pyodide needs (module scripts, streaming wasm)."""

    extensions_map = dict(
        http.server.SimpleHTTPRequestHandler.extensions_map,
        **{
            ".mjs": "text/javascript",
            ".js": "text/javascript",
            ".wasm": "application/wasm",
            ".json": "application/json",
            ".whl": "application/zip",
            ".zip": "application/zip",
        },
    )

    def log_message(self, format, *args):  # noqa: A002 (signature from the base class)
        if os.environ.get("CLEANLENS_SERVER_LOG"):
            super().log_message(format, *args)


def make_server(directory, port=0, host="127.0.0.1"):
    """A threading static server for `directory` on host:port (0 = any free port)."""
    handler = functools.partial(SiteHandler, directory=str(directory))
    return http.server.ThreadingHTTPServer((host, port), handler)
