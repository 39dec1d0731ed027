"""Fixtures shared by the station tests."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@pytest.fixture
def pager() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A pager gateway stand-in: a real HTTP server that records every POSTed notice."""
    with _pager_server(refuse_first=0) as served:
        yield served


@pytest.fixture
def restarting_pager() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A pager gateway that answers its first two POSTs 503 (it is restarting), then
    records notices like ``pager``; only the recorded ones were delivered."""
    with _pager_server(refuse_first=2) as served:
        yield served


@contextlib.contextmanager
def _pager_server(refuse_first: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    refused = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            if refused[0] < refuse_first:
                refused[0] += 1
                self.send_response(503)
                self.end_headers()
                return
            received.append({"path": self.path, "type": self.headers["Content-Type"], "body": body})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/page", received
    finally:
        server.shutdown()
        server.server_close()
