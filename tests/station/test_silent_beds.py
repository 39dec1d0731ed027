"""A bed silent for 15 s is offline; a station cut off from the broker does not say so of
every bed. The broker connections are stood in for (their ``connected`` flag): the rule is
the station's own bookkeeping, checked without waiting 15 s of wall time."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.messaging import protocol as p
from beckon.station.service import SILENT_AFTER_S, StationService

BED = p.BedAddress("gh", "icu", "5")


def station(tmp_path: Path, connected: bool) -> tuple[StationService, list[Any]]:
    service = StationService(
        StationSettings(
            StationConfig("gh", ("icu",), database=str(tmp_path / "s.sqlite3")), BrokerConfig()
        )
    )
    service.links = {"icu": SimpleNamespace(connected=connected)}  # type: ignore[dict-item]
    marked: list[Any] = []
    service._set_bed_online = lambda bed, online, at: marked.append((bed, online))  # type: ignore[method-assign]
    service._bed_seen[BED] = time.monotonic() - SILENT_AFTER_S - 5
    return service, marked


def test_a_bed_silent_too_long_is_offline(tmp_path: Path) -> None:
    service, marked = station(tmp_path, connected=True)
    service._check_silent_beds()
    assert marked == [(BED, False)]


def test_a_station_cut_off_from_the_broker_calls_no_bed_offline(tmp_path: Path) -> None:
    service, marked = station(tmp_path, connected=False)
    service._check_silent_beds()
    assert marked == []
    # Back on the broker: the bed has its full grace again before it counts as silent.
    service.links["icu"].connected = True  # type: ignore[misc]
    service._check_silent_beds()
    assert marked == []
    assert time.monotonic() - service._bed_seen[BED] < SILENT_AFTER_S
