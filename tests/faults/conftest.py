"""Fault-test fixtures: a shipped-config broker per test, and cleanup of every process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.faults import Proc, ProdBroker

BEDS = [str(n) for n in range(1, 13)]


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    """Every process a test starts goes here, and is killed at the end whatever happened."""
    started: list[Proc] = []
    yield started
    for proc in started:
        proc.kill()


@pytest.fixture
def prod_broker(tmp_path: Path) -> Iterator[ProdBroker]:
    broker = ProdBroker(tmp_path / "broker", BEDS).setup()
    broker.start()
    yield broker
    broker.stop()
