"""One unit's broker link re-checking for a twin holds that unit's calls only.

Without a broker user a station has one connection (one client id) per unit, and each
reconnect starts a check that no twin of the same name serves. That check held every unit's
calls and stopped every unit's heartbeat, so a flapping icu link left the healthy ward's
tablets saying "no station" and ward's calls waiting (reviews rev47s, rev47s2). The real
StationService on its own thread with a real Mosquitto, behind a proxy that makes icu's link
alone flap or fail (``FlapProxy``); the last test stands the links in to step the heartbeats
without waiting minutes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.doctor.run import check_station_service
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Connected
from beckon.metrics import Endpoint, StationMetrics
from beckon.station import service as service_module
from beckon.station.service import HEARTBEAT_S, PROBE_S, StationService
from beckon.station.store import RequestStore
from tests.helpers.desk_calls import send_call, stored_ids
from tests.helpers.flapping import FlapProxy
from tests.helpers.polling import wait_until

SITE = "gh"
UNITS = ("icu", "ward")
ICU = f"beckon-station.{SITE}.desk.icu"
LIFE_S = 0.3
"""How long each of icu's connections lives: accepted and confirmed, then shut well before its
check (PROBE_S after the SUBACK) can end, so every reconnect re-arms it (rev47s's flap)."""


class Desk:
    """The station of icu and ward behind the proxy, its presences as a tablet hears them, its
    database as a nurse's queue reads it, and its health endpoint."""

    def __init__(self, mosquitto: Any, tmp_path: Path) -> None:
        self.port = mosquitto.port
        self.proxy = FlapProxy(mosquitto.port).start()
        self.db = tmp_path / "desk.sqlite3"
        station = StationConfig(SITE, UNITS, name="desk", database=str(self.db))
        broker = BrokerConfig(url=f"mqtt://127.0.0.1:{self.proxy.port}", keepalive=5)
        self.service = StationService(StationSettings(station, broker))
        self.metrics = StationMetrics(self.service)
        self.endpoint = Endpoint("127.0.0.1:0", self.metrics.registry, self.metrics.health)
        self.presences: dict[str, list[float]] = {unit: [] for unit in UNITS}
        self.watcher = paho.Client(CallbackAPIVersion.VERSION2, client_id="test-recheck-watch")
        self.watcher.on_message = self._on_presence
        self.stop = threading.Event()
        self.runner = threading.Thread(target=self.service.run, args=(self.stop,), daemon=True)

    def _on_presence(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        if msg.payload and p.decode_as(bytes(msg.payload), p.StationStatus).online:
            self.presences[msg.topic.split("/")[3]].append(time.monotonic())

    def start(self) -> None:
        self.endpoint.start()
        self.watcher.connect("127.0.0.1", self.port)
        for unit in UNITS:
            self.watcher.subscribe(p.Topics.station_status(SITE, unit, "desk"), qos=0)
        self.watcher.loop_start()
        self.runner.start()
        assert wait_until(self.service.ready.is_set, 30)

    def close(self) -> None:
        self.stop.set()
        self.runner.join(15)
        self.endpoint.stop()
        self.watcher.disconnect()
        self.watcher.loop_stop()
        self.proxy.stop()


@pytest.fixture
def desk(mosquitto: Any, tmp_path: Path) -> Iterator[Desk]:
    desk = Desk(mosquitto, tmp_path)
    try:
        desk.start()
        yield desk
    finally:
        desk.close()


@pytest.mark.mqtt
def test_while_icus_link_flaps_ward_is_served_and_heartbeats(desk: Desk) -> None:
    """icu's link accepted and shut 0.3 s later, again and again: its check never ends. ward's
    call must be stored at once and ward's presence refreshed meanwhile (before: no ward
    presence and no ward call stored until the flap ended, the tablets saying "no station"
    from 15 s on); icu's call waits, then is stored once icu's link holds."""
    desk.proxy.flap_client(ICU, LIFE_S)
    flapping = time.monotonic()
    assert wait_until(lambda: desk.proxy.shut >= 3, 15)  # icu came back and was shut, thrice

    ward_call = send_call(desk.port, SITE, "ward", "1")
    icu_call = send_call(desk.port, SITE, "icu", "1")
    assert wait_until(lambda: ward_call in stored_ids(desk.db), 3), stored_ids(desk.db)
    assert icu_call not in stored_ids(desk.db)  # held by icu's check, which goes on
    assert wait_until(lambda: any(t > flapping for t in desk.presences["ward"]), HEARTBEAT_S + 1)
    assert not any(t > flapping + 1 for t in desk.presences["icu"])  # icu's tablets: no station

    desk.proxy.steady_client(ICU)
    steady = time.monotonic()
    assert wait_until(lambda: any(t > steady for t in desk.presences["icu"]), 15)
    assert wait_until(lambda: icu_call in stored_ids(desk.db), 5), stored_ids(desk.db)
    assert sorted(stored_ids(desk.db)) == sorted([ward_call, icu_call])  # each stored once


@pytest.mark.mqtt
def test_health_and_doctor_name_the_unit_whose_link_is_down(desk: Desk) -> None:
    """``broker_connected`` was all links or nothing: one unit's link down read "broker not
    connected" as if the whole station were off the broker, and the status said "serving".
    Now the health endpoint lists the units down and those served, the problem and the
    doctor name the unit, and ``broker_connected`` still means every link."""
    desk.proxy.cut_client(ICU)
    assert wait_until(lambda: desk.metrics.health()[1].get("units_down") == ["icu"], 10)

    healthy, detail = desk.metrics.health()
    assert not healthy and detail["broker_connected"] is False
    assert detail["units_serving"] == ["ward"]
    assert detail["problems"] == ["broker not connected for unit icu (the other units' "
                                  "connections are up)"]  # fmt: skip
    check = check_station_service(f"127.0.0.1:{desk.endpoint.port}", "4242")
    assert check.outcome == "fail", check
    assert "serves unit ward but does not serve all its units" in check.detail, check
    assert "unit icu" in check.detail and "STATION NOT SERVING" in check.fix
    assert desk.service.status_text().startswith("not serving unit icu: its broker connection")

    desk.proxy.restore_client(ICU)
    both = ["icu", "ward"]
    assert wait_until(lambda: desk.metrics.health()[1]["units_serving"] == both, 15)
    assert desk.metrics.health()[0], desk.metrics.health()


class Clock:
    """``time.monotonic`` set by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingStation(StationService):
    """A station whose links are stood in for and whose presences and announces are counted
    instead of published."""

    def __init__(self, tmp_path: Path) -> None:
        station = StationConfig(SITE, UNITS, database=str(tmp_path / "s.sqlite3"))
        super().__init__(StationSettings(station, BrokerConfig()))
        self._store = RequestStore(tmp_path / "s.sqlite3")  # opened by run(), not run here
        link = SimpleNamespace(
            connected=True,
            subscribed_at=0.0,
            keepalive=5,
            hold_acks=lambda: None,
            hold_off=lambda delay_s: None,
        )
        self.links = {unit: link for unit in UNITS}  # type: ignore[misc]
        self.presences: list[str] = []
        self.announces: list[str] = []

    def _publish_station_status(self, unit: str, online: bool, heartbeat: bool = False) -> None:
        self.presences.append(unit)

    def _announce_unit(self, unit: str) -> None:
        self.announces.append(unit)
        if unit == "ward":
            raise ValueError("injected announce fault")


def test_the_end_of_a_re_check_keeps_an_owed_announce_to_its_back_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ward's announce raised (a bug) and is retried 5 s later, then backing off. Every end of
    a check re-ran it at once, icu's too: a flapping icu retried ward's announce at each of its
    returns (review rev47s2, item 3). Now icu's check announces icu alone, and ward's own
    link coming back publishes ward's presence, its announce left to its back-off."""
    clock = Clock()
    monkeypatch.setattr(service_module.time, "monotonic", clock)
    station = CountingStation(tmp_path)
    for unit in UNITS:
        station.handle(Connected(unit, 1))
    clock.now += PROBE_S + 0.5
    station._heartbeat()  # the start-up check ends: ward's attempt 1 fails
    assert station.announces == ["icu", "ward"] and station.announce_owed == ["ward"]

    for unit in UNITS:  # icu's link comes back, then ward's: each checks, then is announced
        station.handle(Connected(unit, 2))
        clock.now += PROBE_S + 0.5  # both within one heartbeat (HEARTBEAT_S) of attempt 1
        station._heartbeat()

    assert station.announces == ["icu", "ward", "icu"]  # ward's waits for its heartbeat
    assert station.presences == ["ward"]  # its presence alone, at its link's return
    assert station.announce_owed == ["ward"]
