"""Waiting for something another thread or process does, without a fixed sleep."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(check: Callable[[], object], timeout: float = 15.0, step: float = 0.05) -> bool:
    """Whether ``check`` came true within ``timeout`` seconds, asked every ``step`` seconds and
    once more at the end (a machine busy past the deadline still gets its last look)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return bool(check())
