"""Any unit whose broker link is down past PRESENCE_FRESH_S gets one CRITICAL line, whatever
took it down, and the per-unit gauge shows which unit is cut off.

Hospital IT alerts on CRITICAL lines. Before session 49 only a link lost during its own re-check
for a twin was said: a unit whose link never connected (the broker refusing its client, no
broker answering) or dropped while no check ran logged nothing at CRITICAL for its whole
outage, while the status, health and doctor said it was down; and ``beckon_broker_connected``
read 0 for the whole station when one unit's link was down.

The real StationService on its own thread, three units without a broker user (one link each)
behind ``ClientCutProxy``: icu's connections go to a real Mosquitto that refuses them (a CONNACK
with its reason code), er's are closed before any broker answers, ward's reach the real
Mosquitto and serve until they are cut."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.messaging import protocol as p
from beckon.metrics import StationMetrics
from beckon.station.service import StationService
from tests.helpers.client_cut import ClientCutProxy
from tests.helpers.polling import wait_until
from tests.helpers.refusing_broker import refusing_mosquitto

SITE = "gh"
UNITS = ("icu", "ward", "er")
ICU, WARD, ER = (f"beckon-station.{SITE}.desk.{unit}" for unit in UNITS)


class Desk:
    """The station of icu, ward and er behind the proxy, and its metrics."""

    def __init__(self, mosquitto: Any, refusing_port: int, tmp_path: Path) -> None:
        self.proxy = ClientCutProxy(mosquitto.port).start()
        self.proxy.route_client(ICU, refusing_port)
        self.proxy.cut_client(ER)
        station = StationConfig(SITE, UNITS, name="desk", database=str(tmp_path / "desk.sqlite3"))
        # The real PRESENCE_FRESH_S (the only test of it: the others use a short
        # ``not_serving_after_s``); paho's back-off capped at 1 s, so icu is admitted within a
        # second of its broker admitting it, not up to 16 s later.
        broker = BrokerConfig(
            url=f"mqtt://127.0.0.1:{self.proxy.port}", keepalive=5, reconnect_max_s=1
        )
        self.service = StationService(StationSettings(station, broker))
        self.metrics = StationMetrics(self.service)
        self.stop = threading.Event()
        self.runner = threading.Thread(target=self.service.run, args=(self.stop,), daemon=True)

    def gauge(self, unit: str) -> float | None:
        sample = self.metrics.registry.get_sample_value
        return sample("beckon_unit_broker_connected", {"unit": unit})

    def gauges(self) -> list[float | None]:
        """Per unit, as the service's loop last set them (its ``beats``)."""
        return [self.gauge(unit) for unit in UNITS]

    def close(self) -> None:
        self.stop.set()
        self.runner.join(15)
        self.proxy.stop()


@pytest.fixture
def desk(mosquitto: Any, tmp_path: Path) -> Iterator[Desk]:
    with refusing_mosquitto(tmp_path / "refusing") as refusing_port:
        desk = Desk(mosquitto, refusing_port, tmp_path)
        try:
            desk.runner.start()
            yield desk
        finally:
            desk.close()


def critical_lines(caplog: pytest.LogCaptureFixture, unit: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.CRITICAL and f"unit {unit} " in r.getMessage()
    ]


@pytest.mark.mqtt
def test_each_unit_down_past_presence_fresh_is_said_once_with_its_cause(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    """icu (refused by the broker) and er (no broker answers) never connect; ward serves and
    is then cut. About PRESENCE_FRESH_S after each unit stopped being served (icu and er: the
    station's start; ward: its loss), while its link is down, one CRITICAL line names it, how
    its outage came about and the cause its link saw, and not again at each reconnect
    attempt; icu's first serving ends its outage. ``beckon_broker_connected`` stays all
    links; the per-unit gauge names the unit cut off. Before: no CRITICAL line at all."""
    with caplog.at_level(logging.INFO, logger="beckon.station.service"):
        assert wait_until(lambda: desk.service.units_serving == ["ward"], 15)
        assert wait_until(lambda: desk.gauges() == [0.0, 1.0, 0.0], 5), desk.gauges()
        assert desk.metrics.registry.get_sample_value("beckon_broker_connected") == 0.0
        desk.proxy.cut_client(WARD)
        assert wait_until(lambda: desk.service.units_down == ["er", "icu", "ward"], 10)

        fresh = p.PRESENCE_FRESH_S
        assert wait_until(lambda: critical_lines(caplog, "icu"), fresh + 5)
        assert wait_until(lambda: critical_lines(caplog, "er"), 5)
        assert wait_until(lambda: critical_lines(caplog, "ward"), fresh + 5)
        assert desk.service.units_down == ["er", "icu", "ward"]  # said while they are down

        [icu] = critical_lines(caplog, "icu")
        assert icu.startswith("STATION NOT SERVING: unit icu for 1"), icu
        assert "not served since the station started" in icu, icu
        assert "the broker refuses it: Not authorized (" in icu, icu  # MQTT 5 or 3.1.1
        assert "password file and ACL" in icu, icu
        [er] = critical_lines(caplog, "er")
        assert "not served since the station started" in er, er
        assert "no broker answers" in er, er
        [ward] = critical_lines(caplog, "ward")
        assert "its broker connection is down (lost while serving" in ward, ward
        assert wait_until(lambda: desk.gauges() == [0.0, 0.0, 0.0], 5), desk.gauges()

        desk.proxy.restore_client(ICU)  # icu's broker admits it now
        assert wait_until(lambda: "icu" in desk.service.units_serving, 15)
        assert "STATION SERVING: unit icu, first served" in caplog.text
        assert wait_until(lambda: desk.gauge("icu") == 1.0, 5), desk.gauges()
    # icu's, er's and ward's links tried again and again meanwhile: one line each.
    lines = [critical_lines(caplog, u) for u in UNITS]
    assert [len(said) for said in lines] == [1, 1, 1], lines


def test_a_standby_station_exposes_no_per_unit_link_gauge(tmp_path: Path) -> None:
    """A PostgreSQL standby's loop does not run: it has no links to speak of, so no
    ``beckon_unit_broker_connected`` series, not 0 for every unit (an alert on 0 paged for
    every standby); the series appear with the loop's first beat (the test above)."""
    station = StationConfig(SITE, UNITS, name="desk", database=str(tmp_path / "desk.sqlite3"))
    service = StationService(StationSettings(station, BrokerConfig(url="mqtt://127.0.0.1:1")))
    metrics = StationMetrics(service, standing_by=lambda: True)
    sample = metrics.registry.get_sample_value
    assert [sample("beckon_unit_broker_connected", {"unit": u}) for u in UNITS] == [None] * 3
    assert metrics.health()[1]["standing_by"] is True
