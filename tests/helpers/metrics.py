"""Reading a service's metrics endpoint as monitoring would."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


def health(port: int) -> tuple[int, dict[str, object]]:
    """The HTTP status and JSON of ``/health`` on 127.0.0.1:``port`` (503 is an answer too)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())
