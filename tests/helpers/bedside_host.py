"""A bedside service with no broker and a host supervised until a condition holds: shared by
the host's tests (tests/bedside/test_host*.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from beckon.bedside.host import BedsideHost
from beckon.bedside.service import BedsideService
from beckon.config import BedsideSettings, load_bedside
from tests.helpers.ports import free_port


def bed_12(tmp_path: Path, **overrides: str) -> BedsideSettings:
    """Bed 12 of gh/icu with its outbox in ``tmp_path``; ``overrides`` as dotted config keys."""
    return load_bedside(
        None,
        {
            "bedside.site": "gh",
            "bedside.unit": "icu",
            "bedside.bed": "12",
            "bedside.outbox": str(tmp_path / "outbox.sqlite3"),
            **overrides,
        },
    )


def a_service(tmp_path: Path) -> BedsideService:
    # nobody listens at that port: the host's tests need no broker
    return BedsideService(bed_12(tmp_path, **{"broker.url": f"mqtt://127.0.0.1:{free_port()}"}))


def supervise_until(host: BedsideHost, done: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not done():
        host.supervise()
        time.sleep(0.02)
    return done()
