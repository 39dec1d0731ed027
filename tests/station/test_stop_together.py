"""A station stops its broker links together, not one after another.

Why: a link waits up to 2 s for a hung broker to close after its DISCONNECT, and a station
has one link per unit; stopped in turn, a station window serving three units took 13 s to
exit on SIGTERM while the broker hung (SIGSTOP), past the 10 s its caller waits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from beckon.background import Background
from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.messaging.mqtt import MqttLink
from beckon.station.service import StationService
from tests.helpers.ports import free_port

UNITS = ("icu", "ward2", "ward3")


def test_a_station_stops_the_links_of_all_its_units_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each link's stop waits until every link is stopping (or 20 s): one after another, the
    # first waits in vain.
    together = threading.Barrier(len(UNITS), timeout=20.0)
    alone: list[str] = []
    stop = MqttLink.stop

    def stop_when_all_are_stopping(link: MqttLink) -> None:
        try:
            together.wait()
        except threading.BrokenBarrierError:
            alone.append(link.client_id)
        stop(link)

    monkeypatch.setattr(MqttLink, "stop", stop_when_all_are_stopping)
    settings = StationSettings(
        StationConfig("gh", UNITS, database=str(tmp_path / "s.sqlite3")),
        BrokerConfig(url=f"mqtt://127.0.0.1:{free_port()}"),  # nobody listens: never connects
    )
    service = StationService(settings)
    background = Background(service.run, "station").start()
    deadline = time.monotonic() + 30.0
    while len(service.links) < len(UNITS) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(service.links) == len(UNITS)
    background.stop(timeout=60.0)
    assert not background.alive
    assert alone == [], f"links stopped one after another: {alone}"
