"""What the doctor says when a unit's announce is owed and something worse is wrong too: the
worse thing, with its own fix; and when a station that served holds every unit's calls in a
re-check for a twin that goes on. The real StationService (not run: its links are stood in
for), the real StationMetrics, health endpoint and doctor check."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.doctor import Check
from beckon.doctor.run import check_station_service
from beckon.messaging.mqtt import Connected
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
        def hold_acks() -> None:  # a reconnect's probe holds the acknowledgements again
            return None

        self.service.links = {
            "icu": SimpleNamespace(connected=icu, hold_acks=hold_acks),  # type: ignore[dict-item]
            "ward": SimpleNamespace(connected=ward, hold_acks=hold_acks),  # type: ignore[dict-item]
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


def test_a_re_check_for_a_twin_holding_every_call_past_15_s_is_not_serving(desk: Desk) -> None:
    """A flapping icu link re-arms the re-check at each reconnect: no unit heartbeats, every
    call is held, the tablets say "no station" after 15 s, and the station said "serving",
    health ok, the doctor passing (review rev47s2, 120 s into one)."""
    desk.service._units.failed("ward")  # an owed announce too: the worse thing is told
    for _ in range(3):  # icu dropped and came back, twice during the re-check
        desk.service._on_connected(Connected("icu", 1))
    desk.service._probes["icu"].began = time.monotonic() - 10
    assert "re-checking" not in desk.service.status_text()  # 10 s: no alarm yet
    assert "ANNOUNCE FAILED" in desk.doctor().fix  # the owed announce's own fix, still

    desk.service._probes["icu"].began = time.monotonic() - 120
    check = desk.doctor()

    status = desk.service.status_text()
    assert status.startswith("not serving: re-checking for a twin for 120 s")
    assert "the calls of unit icu are held" in status and "unit icu keeps dropping" in status
    healthy, detail = desk.metrics.health()
    assert not healthy and detail["problems"] == [status]
    assert check.outcome == "fail" and "does not serve its unit" in check.detail
    assert "unit icu" in check.detail
    assert "STATION NOT SERVING" in check.fix and "ANNOUNCE FAILED" not in check.fix
