"""Stopping a worker whose thread is busy in a callback: shared by the vision and voice
worker tests, which check that such a thread hears nothing more once it is released."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest


def stop_while_busy(
    worker: Any, logger: str, release: threading.Event, caplog: pytest.LogCaptureFixture
) -> None:
    """``stop`` a worker whose thread is blocked (it must time out, stay alive and warn), then
    release the thread and wait for it to end."""
    with caplog.at_level(logging.WARNING, logger=logger):
        worker.stop(timeout=0.2)
    assert worker.alive
    assert "still busy" in caplog.text
    release.set()
    assert worker.finished.wait(60)
