"""A station that keeps losing its connection during its start-up probe is being thrown off by a
twin with the same MQTT user, and stops; one broker outage during the probe is not that.

The service is driven with its link events directly (no broker): the rule is about counting."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Connected, Disconnected
from beckon.station import service as service_module
from beckon.station.pgstore import open_configured_store
from beckon.station.service import (
    HOLD_OFF_JITTER,
    HOLD_OFF_S,
    PROBE_LOSSES,
    PROBE_S,
    PROBE_SUBACK_WAIT_S,
    StationService,
    probe_suback_wait,
)

UNITS = ("icu", "ward3", "ward4")


def probing_station(tmp_path: Path, username: str = "") -> StationService:
    """Named "station", anonymous unless ``username`` (then one link for the three units)."""
    station = StationConfig("gh", UNITS, database=str(tmp_path / "s.db"))
    service = StationService(StationSettings(station, BrokerConfig(username=username)))
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


TWIN = {
    "": "the same client id (beckon-station.gh.station.icu: the same station name)",
    "desk-gh": "the same MQTT user (desk-gh)",
}
"""What a twin shares with the station, anonymous or with a broker user: an anonymous one was
said to have "the same MQTT user (station)", its name, and told to give each its own user."""

REMEDY = {"": "its own name", "desk-gh": "its own name and MQTT user"}


@pytest.mark.parametrize("username", ["", "desk-gh"], ids=["anonymous", "with-a-user"])
def test_a_link_thrown_off_again_and_again_during_the_probe_holds_the_station_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, username: str
) -> None:
    """Counted by their timing alone (soon after the broker confirmed the connection, no
    "taken over" from the broker), the losses are a twin's doing or a broker that drops every
    connection that soon. The station stopped as DUPLICATE STATION (exit 1), and under
    systemd a lone station behind a flapping link was started and stopped every 7 s (session
    42). It now keeps running without serving (``not_serving``, systemd's status) and says
    why: both causes, and how the broker's log tells them apart: a twin connects from a
    second IP address. Not Mosquitto's "already connected, closing old connection", which
    comes at every reconnect of a lone station whose side of the connection a firewall or
    NAT reset (tests/hospital/test_single_station.py)."""
    service = probing_station(tmp_path, username)
    client_id = username or "beckon-station.gh.station.icu"
    for _ in range(PROBE_LOSSES - 1):
        service.handle(Disconnected("icu"))
        service.handle(Connected("icu"))
    assert service.fault is None and service.not_serving is None
    with caplog.at_level(logging.CRITICAL):
        service.handle(Disconnected("icu"))
    assert service.fault is None
    assert service.not_serving is not None
    assert service.status_text().startswith(f"not serving: {PROBE_LOSSES} broker connections")
    said = caplog.text
    assert "STATION NOT SERVING" in said and "DUPLICATE STATION" not in said
    assert "keeps running without taking the unit's calls" in said
    assert f"another station service with {TWIN[username]} is running" in said
    assert "or the broker or the network drops every connection that soon" in said
    assert "/var/log/mosquitto/mosquitto.log" in said
    assert f'"New client connected from ADDRESS:PORT as {client_id}"' in said
    assert "from a second IP address, a twin on another machine" in said
    assert f"give each station service {REMEDY[username]}" in said
    assert "from this station's address alone, the broker or the network" in said
    assert '"already connected, closing old connection" comes in both cases' in said
    if not username:
        assert "MQTT user" not in said


def test_a_twin_heard_while_holding_back_stops_the_station(tmp_path: Path) -> None:
    """Holding back is for ambiguous losses only: a twin's presence (another instance serving
    under this name) refreshed is unambiguous, and stops the station as before."""
    service = probing_station(tmp_path)
    for _ in range(PROBE_LOSSES):
        service.handle(Disconnected("icu"))
        service.handle(Connected("icu"))
    assert service.not_serving is not None and service.fault is None
    service._check_twin(twin_presence(seconds_ago=4.0))
    service._check_twin(twin_presence(seconds_ago=0.0))  # its next heartbeat
    assert service.fault == "duplicate"


def twin_presence(seconds_ago: float, unit: str = "icu") -> p.StationStatus:
    """A presence of another instance of "station", serving, stamped ``seconds_ago``."""
    at = p.to_iso(datetime.now(UTC) - timedelta(seconds=seconds_ago))
    return p.StationStatus("gh", unit, "station", True, at, "0badc0de")


def test_a_presence_of_another_instance_that_is_not_refreshed_is_no_twin(tmp_path: Path) -> None:
    """A station of three units with a broker user, killed outright, leaves its "online"
    presence on units 2 and 3 (its one connection's will covers unit 1). The run systemd
    started 2 s later took it for a twin and stopped with 78, never restarted (review
    rev44L). A twin is a presence refreshed (a newer stamp); the same stamp heard again (a
    reconnect), or the dead run's other units a few milliseconds apart, is not."""
    service = probing_station(tmp_path, username="desk")
    # The leftover is one retained message: built once, so its stamp is the same when heard
    # again. Built twice ("3 s ago" at each call), the stamps differed whenever the clock's
    # millisecond turned between the calls: a refresh by the rule (14 of 300 runs stopped as
    # DUPLICATE STATION at load 2.4; the product compares the message's own stamp).
    leftover = twin_presence(3.0, "ward3")
    service._check_twin(leftover)
    service._check_twin(twin_presence(2.999, "ward4"))  # the same heartbeat, unit 3
    service._check_twin(leftover)  # delivered again on a reconnect
    assert service.fault is None
    service._check_twin(twin_presence(0.0, "ward4"))  # alive after all
    assert service.fault == "duplicate"


def test_losses_long_after_connecting_while_the_suback_is_late_are_no_twin(tmp_path: Path) -> None:
    """The probe waits for the SUBACK now, up to many seconds: a loaded broker that drops the
    connection meanwhile (its PINGRESP queued behind the late SUBACK, a restart) threw the
    station off three times and it stopped as DUPLICATE STATION (exit 1) with no twin."""
    service = probing_station(tmp_path)
    for _ in range(PROBE_LOSSES + 1):
        service.handle(Disconnected("icu", settled_s=PROBE_S + 3.0))
        service.handle(Connected("icu"))
    assert service.fault is None


@pytest.mark.parametrize("username", ["", "desk-gh"], ids=["anonymous", "with-a-user"])
def test_a_take_over_is_a_twin_however_late(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, username: str
) -> None:
    """The broker's own word (MQTT 5 "session taken over"): someone else logs in as us."""
    service = probing_station(tmp_path, username)
    with caplog.at_level(logging.CRITICAL):
        for _ in range(PROBE_LOSSES):
            service.handle(Disconnected("icu", taken_over=True, settled_s=PROBE_S + 3.0))
            service.handle(Connected("icu"))
    assert service.fault == "duplicate"
    assert f"another station service with {TWIN[username]} is running" in caplog.text
    assert f"Give each station service {REMEDY[username]}" in caplog.text
    assert "drops every connection" not in caplog.text  # the broker said so: a twin


class Link:
    """What the probe reads of a link."""

    def __init__(self, keepalive: int = 60) -> None:
        self.connected = True
        self.subscribed_at: float | None = None
        self.keepalive = keepalive
        self.subscribe_unsent = False
        self.published: list[str] = []
        self.hold_offs: list[int] = []

    def hold_off(self, delay_s: int) -> None:
        self.hold_offs.append(delay_s)

    def hold_acks(self) -> None:
        """Deferring acknowledgements is the real link's (tests/hospital/test_probe_acks.py)."""

    @property
    def subscribed(self) -> bool:
        return self.subscribed_at is not None

    def publish(self, topic: str, payload: bytes, retain: bool = False, qos: int = 1) -> bool:
        self.published.append(topic)
        return True


def test_the_probe_window_counts_from_the_suback_itself(tmp_path: Path) -> None:
    """The window was pushed forward only at the service's ticks (every 0.5 s) while the
    SUBACK was pending, so it ended 1.0 to 1.5 s after the SUBACK, not PROBE_S as documented.
    It now ends PROBE_S after the SUBACK as the link noted it."""
    station = StationConfig("gh", ("icu",), database=str(tmp_path / "s.db"))
    service = StationService(StationSettings(station))
    link = Link()
    service.links = {"icu": link}  # type: ignore[dict-item]
    service.handle(Connected("icu"))
    start = service._probes["icu"].until
    service._count_probe_from_suback(start + 1.5)  # SUBACK pending: the window stays open
    link.subscribed_at = start + 1.9  # the SUBACK, between two ticks
    service._count_probe_from_suback(start + 2.0)
    assert service._probes["icu"].until == start + 1.9 + PROBE_S


class Clock:
    """``time.monotonic`` set by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def station_on_a_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keepalive: int = 10
) -> tuple[StationService, Link, Clock]:
    station = StationConfig("gh", ("icu",), database=str(tmp_path / "s.db"))
    service = StationService(StationSettings(station, BrokerConfig(keepalive=keepalive)))
    clock = Clock()
    monkeypatch.setattr(service_module.time, "monotonic", clock)
    service._store = open_configured_store(station.database_path(), station.store)
    service._open = {"icu": {}}
    link = Link(keepalive)
    service.links = {"icu": link}  # type: ignore[dict-item]
    return service, link, clock


TICK_S = 0.5  # the service loop's tick


def test_a_connection_lost_after_the_suback_wait_does_not_restart_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The broker never sends the SUBACK and drops each connection before the probe's window
    closes. The probe ended while the link was down (announcing nothing, serving nothing) and
    the next connection began a new probe with the full wait: the lone station never served
    (review rev41e, lapse_restart.py). Now the probe stays open while no link is connected and
    keeps its wait, so the next connection serves within PROBE_S and a tick."""
    service, link, clock = station_on_a_clock(tmp_path, monkeypatch)
    wait_s = probe_suback_wait(10)
    service.handle(Connected("icu"))
    began = clock.now
    while clock.now < began + wait_s + TICK_S:  # past the wait, the SUBACK still pending
        clock.now += TICK_S
        service._heartbeat()
    assert "icu" in service._probes and clock.now < service._probes["icu"].until
    link.connected = False
    service.handle(Disconnected("icu", settled_s=clock.now - began))
    clock.now = service._probes["icu"].until + TICK_S  # a tick after the window, the link down
    service._heartbeat()
    assert not service._served
    clock.now += 1.0
    link.connected = True
    service.handle(Connected("icu"))
    back = clock.now
    while not service._served and clock.now <= back + PROBE_S + TICK_S:
        clock.now += TICK_S
        service._heartbeat()
    assert service._served and service.ready.is_set()
    assert clock.now <= back + PROBE_S + TICK_S
    assert service.fault is None
    assert link.published  # its presence went out


def test_the_suback_wait_is_the_keepalive_the_broker_granted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An MQTT 5 broker may grant a shorter keep-alive than configured; paho pings at that
    interval, so the wait is that one, not the configured one."""
    service, link, clock = station_on_a_clock(tmp_path, monkeypatch, keepalive=60)
    link.keepalive = 4  # the broker's Server Keep Alive
    service.handle(Connected("icu"))
    began = clock.now
    while not service._served and clock.now < began + 30:
        clock.now += TICK_S
        service._heartbeat()
    assert service._served
    assert clock.now <= began + 4 + PROBE_S  # the window opened by the last tick inside it


def test_no_keepalive_waits_the_whole_suback_wait() -> None:
    """keepalive 0 (paho never pings) made the wait 0 s: no probe at all."""
    assert probe_suback_wait(0) == PROBE_SUBACK_WAIT_S
    assert probe_suback_wait(4) == 4.0


def steps(waits: list[int]) -> list[int]:
    """The HOLD_OFF_S steps of these waits, checking each one's random share."""
    found = [max(step for step in HOLD_OFF_S if step <= wait) for wait in waits]
    for wait, step in zip(waits, found, strict=True):
        assert step <= wait <= step * (1 + HOLD_OFF_JITTER)
    return found


def test_a_station_holding_back_serves_once_a_connection_holds_past_the_probe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After ambiguous losses each further loss before a connection has held spaces the tries
    more (HOLD_OFF_S with a random share, from the link's next loss on), a loss long after
    the CONNACK while the SUBACK is late too (it counted only within PROBE_S: two twins
    started together kept their waits at 2 and 4 s and never served, review rev43r). A
    connection that holds PROBE_S past its SUBACK serves, well short of the keep-alive (the
    hold was one keep-alive: a link dropping every 10 to 29 s never let it serve), and the
    link reconnects at its usual pace again."""
    service, link, clock = station_on_a_clock(tmp_path, monkeypatch, keepalive=30)

    def connect(suback: bool = True) -> float:
        link.connected = True
        link.subscribed_at = clock.now if suback else None
        service.handle(Connected("icu"))
        return clock.now

    def lose(began: float) -> None:
        link.connected = False
        service.handle(Disconnected("icu", settled_s=clock.now - began))
        clock.now += 1.0

    for _ in range(PROBE_LOSSES + 1):
        began = connect()
        clock.now += PROBE_S / 2
        lose(began)
    assert service.not_serving is not None
    assert steps(link.hold_offs) == list(HOLD_OFF_S[:2])
    began = connect(suback=False)
    while clock.now < began + 3 * PROBE_S:  # the SUBACK late: the probe waits for it
        clock.now += TICK_S
        service._heartbeat()
    assert not service._served
    lose(began)  # long after the CONNACK: one step more
    assert steps(link.hold_offs) == list(HOLD_OFF_S[:3]) and not service._served
    assert "the last after 4.5 s" in service.status_text()  # refreshed at each loss
    began = connect()
    while not service._served and clock.now < began + 30:
        clock.now += TICK_S
        service._heartbeat()
    assert service._served and service.ready.is_set()
    assert clock.now <= began + PROBE_S + TICK_S  # not the keep-alive (30 s)
    assert service.not_serving is None and service.status_text() == "serving"
    assert link.hold_offs[-1] == 1  # paho's usual reconnect again
    assert service.fault is None
