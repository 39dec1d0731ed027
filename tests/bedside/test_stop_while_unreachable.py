"""A bedside whose broker is down stops when asked, not after its wait for the first
connection: the bedside window closed by SIGTERM while the broker was down waited those
seconds before its service thread ended (stop28 stress run, 7.4 s on a loaded machine)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from beckon.background import Background
from beckon.bedside import service as bedside_service
from beckon.bedside.service import BedsideService
from beckon.config import BedsideConfig, BedsideSettings, BrokerConfig
from tests.helpers.ports import free_port


def test_a_stop_ends_the_wait_for_an_unreachable_broker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Longer than any test waits: only the stop can end it.
    monkeypatch.setattr(bedside_service, "CONNECT_WAIT_S", 600.0)
    config = BedsideConfig("gh", "icu", "12", inputs=("touch",), outbox=str(tmp_path / "o.db"))
    broker = BrokerConfig(url=f"mqtt://127.0.0.1:{free_port()}")  # nobody listens
    service = BedsideService(BedsideSettings(config, broker))
    background = Background(service.run, "bedside").start()
    deadline = time.monotonic() + 30.0
    while service.link is None and time.monotonic() < deadline:  # waiting for the broker
        time.sleep(0.05)
    assert service.link is not None
    background.stop(timeout=30.0)
    assert not background.alive, "the service waited for the broker after the stop"
