"""A station that keeps losing its connection during its start-up probe is being thrown off by a
twin with the same MQTT user, and stops; one broker outage during the probe is not that.

The service is driven with its link events directly (no broker): the rule is about counting."""

from __future__ import annotations

from pathlib import Path

from beckon.config import StationConfig, StationSettings
from beckon.messaging.mqtt import Connected, Disconnected
from beckon.station.service import PROBE_LOSSES, StationService

UNITS = ("icu", "ward3", "ward4")


def probing_station(tmp_path: Path) -> StationService:
    station = StationConfig("gh", UNITS, database=str(tmp_path / "s.db"))
    service = StationService(StationSettings(station))
    for unit in UNITS:
        service.handle(Connected(unit))  # the start-up probe begins
    return service


def test_one_outage_during_the_probe_of_a_three_unit_station_is_no_twin(tmp_path: Path) -> None:
    """Each unit's link lost its connection once: counted together that was three losses, and
    the station stopped with DUPLICATE STATION (exit 1) for having started during an outage."""
    service = probing_station(tmp_path)
    for unit in UNITS:
        service.handle(Disconnected(unit))
    assert service.fault is None


def test_a_link_thrown_off_again_and_again_during_the_probe_is_a_twin(tmp_path: Path) -> None:
    service = probing_station(tmp_path)
    for _ in range(PROBE_LOSSES - 1):
        service.handle(Disconnected("icu"))
        service.handle(Connected("icu"))
    assert service.fault is None
    service.handle(Disconnected("icu"))
    assert service.fault == "duplicate"
