"""What the doctor says when a unit's announce is owed and something worse is wrong too: the
worse thing, with its own fix. The real StationService (not run: its links are stood in for),
the real StationMetrics, health endpoint and doctor check."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.doctor import Check
from beckon.doctor.run import check_station_service
from beckon.metrics import Endpoint, StationMetrics
from beckon.station.service import StationService


class Desk:
    def __init__(self, tmp_path: Path) -> None:
        station = StationConfig("gh", ("icu", "ward"), name="desk", database=str(tmp_path / "s"))
        self.service = StationService(StationSettings(station, BrokerConfig()))
        self.service._served = True
        self.metrics = StationMetrics(self.service)
        self.endpoint = Endpoint("127.0.0.1:0", self.metrics.registry, self.metrics.health)
        self.links(icu=True, ward=True)

    def links(self, icu: bool, ward: bool) -> None:
        self.service.links = {
            "icu": SimpleNamespace(connected=icu),  # type: ignore[dict-item]
            "ward": SimpleNamespace(connected=ward),  # type: ignore[dict-item]
        }

    def doctor(self) -> Check:
        self.metrics._last_beat = time.monotonic()  # its loop is not run: it beat just now
        return check_station_service(f"127.0.0.1:{self.endpoint.port}", "4242")


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    desk = Desk(tmp_path)
    desk.endpoint.start()
    try:
        yield desk
    finally:
        desk.endpoint.stop()


def test_a_link_down_is_told_before_an_owed_announce(desk: Desk) -> None:
    """It said "serves, but broker not connected" with the fix for an announce bug."""
    desk.service._units.failed("ward")
    alone = desk.doctor()
    assert alone.outcome == "fail" and "unit ward failed" in alone.detail
    assert "ANNOUNCE FAILED" in alone.fix  # the owed announce alone gets its own fix

    desk.links(icu=False, ward=True)
    check = desk.doctor()

    assert check.outcome == "fail"
    assert "does not serve" in check.detail or "broker not connected" in check.detail
    assert "ANNOUNCE FAILED" not in check.fix and "STATION NOT SERVING" in check.fix


def test_a_second_station_is_told_before_an_owed_announce(desk: Desk) -> None:
    """The split calls got the announce fix (a restart), which does not stop them."""
    desk.service._split_seen["other on gh/ward"] = time.monotonic()
    desk.service._units.failed("ward")

    check = desk.doctor()

    assert check.outcome == "fail"
    assert "stop one of the two station services" in check.fix
