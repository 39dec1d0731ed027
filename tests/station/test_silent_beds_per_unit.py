"""A bed silent for 15 s is offline even while another unit's broker connection is down. The
connections are stood in for (their ``connected`` flag), as in test_silent_beds.py: the rule is
the station's own bookkeeping, checked without waiting 15 s of wall time."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Connected
from beckon.station.service import SILENT_AFTER_S, StationService

ICU_BED = p.BedAddress("gh", "icu", "5")
WARD_BED = p.BedAddress("gh", "ward", "7")


def test_a_silent_bed_is_offline_while_only_another_units_connection_is_down(
    tmp_path: Path,
) -> None:
    """Without a broker user each unit has its own connection. While any was down the station
    took itself for cut off from every bed and called none offline: a ward tablet that died
    during icu's outage stayed "online" until icu's connection came back, 15 s and more late.
    Now only the beds of the unit whose connection is down get their grace again."""
    units = ("icu", "ward")
    station = StationConfig("gh", units, database=str(tmp_path / "s.sqlite3"))
    service = StationService(StationSettings(station, BrokerConfig()))
    down, up = SimpleNamespace(connected=False), SimpleNamespace(connected=True)
    service.links = {"icu": down, "ward": up}  # type: ignore[dict-item]
    marked: list[Any] = []
    service._set_bed_online = lambda bed, online, at: marked.append((bed, online))  # type: ignore[method-assign]
    for bed in (ICU_BED, WARD_BED):
        service._bed_seen[bed] = time.monotonic() - SILENT_AFTER_S - 5

    service._check_silent_beds()

    assert marked == [(WARD_BED, False)]
    assert time.monotonic() - service._bed_seen[ICU_BED] < SILENT_AFTER_S


def test_no_bed_is_offline_while_its_links_probe_holds_the_beds_statuses(tmp_path: Path) -> None:
    """A probe (the check for a twin after a link connects) holds that link's messages, the
    beds' statuses among them, and it can outlast 15 s: a flapping link re-arms it at each
    connection. Judging the beds by their link alone called 3 healthy ward beds offline
    during a 32 s icu flap, when one probe held every unit's (review rev47s). While its
    link's probe runs a bed gets its grace again."""
    station = StationConfig("gh", ("icu", "ward"), database=str(tmp_path / "s.sqlite3"))
    service = StationService(StationSettings(station, BrokerConfig()))
    up = SimpleNamespace(connected=True, hold_acks=lambda: None)
    service.links = {"icu": up, "ward": up}  # type: ignore[dict-item]
    service._served = True
    service.handle(Connected("ward"))  # ward's link reconnected: its probe begins
    marked: list[Any] = []
    service._set_bed_online = lambda bed, online, at: marked.append((bed, online))  # type: ignore[method-assign]
    service._bed_seen[WARD_BED] = time.monotonic() - SILENT_AFTER_S - 5

    service._check_silent_beds()

    assert marked == []
    assert time.monotonic() - service._bed_seen[WARD_BED] < SILENT_AFTER_S
