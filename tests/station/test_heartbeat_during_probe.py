"""When the station's units heartbeat, and when an owed announce is tried again. The links are
stood in for (their ``connected`` flag and SUBACK time) and the heartbeats counted where they
are published: the rules are the station's own bookkeeping, checked heartbeat by heartbeat
without waiting minutes of wall time."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.messaging.mqtt import Connected
from beckon.station.service import HEARTBEAT_S, StationService
from beckon.station.store import RequestStore

UNITS = ("icu", "ward")


class CountingStation(StationService):
    """A station whose presences and announces are counted instead of published."""

    def __init__(self, tmp_path: Path) -> None:
        station = StationConfig("gh", UNITS, database=str(tmp_path / "s.sqlite3"))
        super().__init__(StationSettings(station, BrokerConfig()))
        self._store = RequestStore(tmp_path / "s.sqlite3")  # opened by run(), not run here
        link = SimpleNamespace(
            connected=True, subscribed_at=time.monotonic(), hold_acks=lambda: None
        )
        self.links = {unit: link for unit in UNITS}  # type: ignore[misc]
        self.presences: list[str] = []
        self.announces: list[str] = []
        self.failing = False

    def _publish_station_status(self, unit: str, online: bool, heartbeat: bool = False) -> None:
        self.presences.append(unit)

    def _announce_unit(self, unit: str) -> None:
        self.announces.append(unit)
        if self.failing:
            raise ValueError("injected announce fault")

    def beat(self) -> None:
        """One heartbeat, due now."""
        self._beat_due.clear()
        self._heartbeat()


def test_no_unit_heartbeats_while_its_links_probe_holds_its_requests(tmp_path: Path) -> None:
    """A probe after icu's link reconnects holds icu's requests, and a flapping link keeps it
    going. A unit heartbeating meanwhile showed its tablets a fresh station that took none of
    their calls: 4 presences in a 25 s flap, 0 of 4 calls stored (review rev47s). The probe's
    end announces its link's units afresh."""
    station = CountingStation(tmp_path)
    station._served = True
    station._units.serving.update(UNITS)
    station.beat()
    assert station.presences == list(UNITS)  # no probe: each unit heartbeats

    station.handle(Connected("icu", 2))
    station.beat()

    assert station.presences.count("icu") == 1, "icu heartbeated during its link's probe"
    assert station.presences.count("ward") == 2, "ward's link does not probe: it heartbeats"


def test_an_owed_announce_is_tried_again_after_5_10_20_40_then_every_60_s(
    tmp_path: Path,
) -> None:
    """Only a bug makes an announce raise, and a bug raises again: tried at every heartbeat it
    re-ran the unit's stats and republished its calls, queue and beds every 5 s without end.
    In between, the unit still heartbeats."""
    station = CountingStation(tmp_path)
    station.failing = True
    station._units.serving.add("icu")
    station._try_announce("ward")  # the announce at the probe's end: attempt 1
    beats_of_attempts = []
    for beat in range(1, 80):
        before = len(station.announces)
        station.beat()
        if len(station.announces) > before:
            beats_of_attempts.append(beat)

    gaps = [b - a for a, b in zip([0, *beats_of_attempts], beats_of_attempts, strict=False)]
    assert [gap * HEARTBEAT_S for gap in gaps[:6]] == [5, 10, 20, 40, 60, 60]
    assert station.presences.count("ward") + len(beats_of_attempts) == 79
    station.failing = False
    for _ in range(12):
        station.beat()
    assert station.announce_owed == []
