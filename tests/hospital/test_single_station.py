"""With SQLite, a second station service for the same unit refuses to start, with the reason:
another name online on the broker, or the same database held on this machine; the station
window serving the unit itself (``--serve``) refuses the same way."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from beckon import instance
from beckon.background import Background
from beckon.bedside import events as ev
from beckon.bedside.service import Submit
from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.doctor.remote import SUBACK_WAIT_S
from beckon.errors import EX_CONFIG, BeckonError
from beckon.lab.rig import Rig
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Connected
from beckon.station.events import RequestChanged
from beckon.station.exclusive import (
    DatabaseLock,
    StationClaim,
    refuse_second_station,
)
from beckon.station.service import (
    PROBE_LOSSES,
    PROBE_S,
    StationService,
    probe_suback_wait,
)
from beckon.station.store import RequestStore
from tests.helpers.hospital import wait
from tests.helpers.rig import Recorder, bedside_for, send_raw
from tests.helpers.slow_suback import SubackDelayProxy
from tests.helpers.systemd import restarts

SHORT_HOLD_OFF_S = (1, 2)
"""The waits of a lone station holding back behind a link that drops its connections (the
product's HOLD_OFF_S runs 3, 6, 12, ... s, each waited out in real time). Whole seconds, as
paho's reconnect delay takes them; what these tests assert does not depend on their length.
The twins' test keeps HOLD_OFF_S: its first step must outlast the other twin's hold."""


def settings(
    url: str, tmp_path: Path, name: str, unit: str = "icu", keepalive: int = 5
) -> StationSettings:
    return StationSettings(
        StationConfig("gh", (unit,), name=name, database=str(tmp_path / f"{name}.sqlite3")),
        BrokerConfig(url=url, keepalive=keepalive),
    )


def config_file(url: str, tmp_path: Path, name: str, database: Path) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'[station]\nsite = "gh"\nunits = ["icu"]\nname = "{name}"\ndatabase = "{database}"\n'
        f'[broker]\nurl = "{url}"\nkeepalive = 5\n'
    )
    return path


@pytest.mark.mqtt
def test_a_second_station_for_a_unit_refuses_to_start(
    mosquitto: Any, tmp_path: Path, beckon_cmd: list[str]
) -> None:
    first = StationService(settings(mosquitto.url, tmp_path, "desk"))
    with Background(first.run, "station"):
        assert first.ready.wait(15)
        database = tmp_path / "other.sqlite3"
        done = subprocess.run(
            [*beckon_cmd, "station", "--headless", "--config",
             str(config_file(mosquitto.url, tmp_path, "desk2", database))],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        # Two services set up for one unit: not restarted (it exited 2, and systemd started it
        # again every 2 s, logging the same refusal every 5.5 s for as long as desk ran).
        assert done.returncode == EX_CONFIG, done.stderr
        assert not restarts("beckon-station.service", done.returncode)
        assert (
            "SECOND STATION: another station service already serves this unit: desk on gh/icu"
            in done.stderr
        )  # the doctor's word for a unit stopped with 78
        assert "PostgreSQL" in done.stderr
        assert not database.exists()  # refused before touching its database
        # A station for another unit is not affected.
        refuse_second_station(settings(mosquitto.url, tmp_path, "desk3", unit="ward-2"))
    # Once the first has stopped (its presence says offline), the second may start.
    refuse_second_station(settings(mosquitto.url, tmp_path, "desk2"))


def test_the_same_database_cannot_be_served_twice_on_one_machine(tmp_path: Path) -> None:
    database = tmp_path / "station.sqlite3"
    assert instance.holder(database) is None  # never started here: no lock file
    held = DatabaseLock(database)
    try:
        assert instance.holder(database) == str(os.getpid())  # what `beckon doctor` asks
        with pytest.raises(BeckonError, match=r"another station service \(pid \d+\)"):
            DatabaseLock(database)
    finally:
        held.release()
    assert instance.holder(database) is None
    DatabaseLock(database).release()  # free again once released (or its holder died)


def test_a_data_folder_the_service_cannot_use_is_a_configuration_error_named_once(
    tmp_path: Path, beckon_cmd: list[str]
) -> None:
    """A traceback and exit 1 on every start (Restart=always looped on it); the usual cause
    is files left by a run as root, the same on every restart: exit 78, one line."""
    blocked = tmp_path / "state"
    blocked.write_text("a file where the data folder should be")
    config = config_file("mqtt://127.0.0.1:1", tmp_path, "desk", blocked / "s.sqlite3")
    done = subprocess.run(
        [*beckon_cmd, "station", "--headless", "--config", str(config)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 78, done.stderr
    assert "Traceback" not in done.stderr
    assert f"cannot use {blocked / 's.sqlite3'}" in done.stderr
    assert f"chown -R beckon: {blocked}" in done.stderr


def test_a_killed_holder_frees_the_database(tmp_path: Path) -> None:
    database = tmp_path / "station.sqlite3"
    holder = subprocess.Popen(
        [
            "python3",
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a'); "
            "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
            str(database) + ".lock",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(BeckonError):
            DatabaseLock(database)
        assert instance.holder(database) == "unknown"  # held, no pid written
        holder.kill()
        holder.wait(10)
        assert instance.holder(database) is None
        DatabaseLock(database).release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)


def test_the_window_serving_the_unit_refuses_a_database_served_on_this_machine(
    tmp_path: Path, beckon_cmd: list[str]
) -> None:
    """``beckon station --serve`` (one desk: the window with the service inside) takes the
    headless service's lock, so it cannot be a second service on the same database (two
    queues that drift apart) and the doctor knows it runs. Refused before any window."""
    database = tmp_path / "desk.sqlite3"
    config = config_file("mqtt://127.0.0.1:9", tmp_path, "desk", database)
    held = DatabaseLock(database)  # what a running station service holds
    try:
        done = subprocess.run(
            [*beckon_cmd, "station", "--serve", "--config", str(config)],
            env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        held.release()
    assert done.returncode == 2, done.stderr
    assert f"another station service (pid {os.getpid()})" in done.stderr
    assert "systemctl stop beckon-station" in done.stderr


def test_a_window_whose_station_service_stops_gives_the_unit_up_at_once(
    tmp_path: Path, beckon_cmd: list[str]
) -> None:
    """The service inside a ``--serve`` window stops on a fault (here its database cannot be
    opened: the path is a folder) while the windows stay open as viewers: the lock goes at
    once, so the unit is not held by a service that no longer runs, and the log says why."""
    database = tmp_path / "desk.sqlite3"
    database.mkdir()
    config = config_file("mqtt://127.0.0.1:9", tmp_path, "desk", database)
    log = tmp_path / "window.log"
    window = subprocess.Popen(
        [*beckon_cmd, "station", "--serve", "--no-sound", "--config", str(config)],
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while b"no longer serve it" not in log.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert b"no longer serve it" in log.read_bytes(), log.read_text()
        assert window.poll() is None  # the windows stay open
        assert instance.holder(database) is None  # and the unit is free
    finally:
        window.terminate()
        window.wait(30)


@pytest.mark.mqtt
def test_a_station_with_a_broker_user_checks_for_a_second_station_on_its_own_connection(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With a broker user the check before connecting is skipped (it would log in as the
    station and take its session over); the service's start-up probe refuses instead."""
    first = StationService(settings(mosquitto.url, tmp_path, "desk"))
    second_settings = settings(mosquitto.url, tmp_path, "desk2")
    second_settings = StationSettings(
        second_settings.station, BrokerConfig(url=mosquitto.url, username="desk2", keepalive=5)
    )
    with Background(first.run, "station"):
        assert first.ready.wait(15)
        claim = StationClaim(second_settings)  # no broker check here: it has a user
        try:
            second = StationService(second_settings)
            stop = threading.Event()
            runner = threading.Thread(target=second.run, args=(stop,), daemon=True)
            runner.start()
            runner.join(30)
            assert not runner.is_alive(), "the second station kept serving"
        finally:
            claim.release()
    assert second.fault == "duplicate" and second.exit_code == EX_CONFIG
    assert not second.ready.is_set()  # it never announced itself
    assert "SECOND STATION: station service desk already serves gh/icu" in caplog.text


def leftover_presence(port: int, name: str, at: datetime) -> None:
    """An "online" presence the broker kept from a run that is gone (no last will reached it:
    broker and station lost power together)."""
    status = p.StationStatus("gh", "icu", name, True, p.to_iso(at), "0badc0de")
    send_raw(port, p.Topics.station_status("gh", "icu", name), p.encode(status), retain=True)


@pytest.mark.mqtt
@pytest.mark.parametrize("name", ["desk", "old-desk"])
def test_a_presence_stamped_in_the_future_does_not_keep_a_station_from_starting(
    mosquitto: Any, tmp_path: Path, name: str
) -> None:
    """The host came back with its clock an hour behind (a dead clock battery), so the last
    heartbeat the broker kept looks as if it came from the future: every start was refused
    as a duplicate or second station, in a loop, until that hour had passed."""
    leftover_presence(mosquitto.port, name, datetime.now(UTC) + timedelta(hours=1))
    station = StationService(settings(mosquitto.url, tmp_path, "desk"))
    with Background(station.run, "station"):
        assert station.ready.wait(15), "the station never served"
        assert station.fault is None


@pytest.mark.mqtt
def test_a_stale_presence_of_another_station_does_not_refuse_the_start(
    mosquitto: Any, tmp_path: Path
) -> None:
    leftover_presence(mosquitto.port, "old-desk", datetime.now(UTC) - timedelta(days=1))
    refuse_second_station(settings(mosquitto.url, tmp_path, "desk"))  # does not raise


def test_a_presence_is_serving_only_when_fresh_either_way() -> None:
    now = datetime.now(UTC)

    def status(at: datetime, online: bool = True, fault: str | None = None) -> p.StationStatus:
        return p.StationStatus("gh", "icu", "desk", online, p.to_iso(at), "1", fault)

    assert status(now - timedelta(seconds=5)).serving(now)
    assert status(now + timedelta(seconds=5)).serving(now)  # a few seconds of clock skew
    assert not status(now - timedelta(seconds=60)).serving(now)
    assert not status(now + timedelta(seconds=60)).serving(now)
    assert not status(now, online=False).serving(now)
    assert not status(now, fault="database").serving(now)


@pytest.mark.mqtt
@pytest.mark.parametrize(("fresh_s", "waits"), [(15.0, True), (10.0, False)])
def test_a_shorter_presence_fresh_s_shortens_the_wait_for_a_dead_stations_presence(
    mosquitto: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    fresh_s: float,
    waits: bool,
) -> None:
    """``station.presence_fresh_s`` is how long after its stamp the check before connecting
    waits out a presence heard NOT refreshed (a station that died without its last will): a
    presence 12 s old is waited out for the 3.5 s it still has by 15 s, not at all by 10.
    It still counts as heard by both: only the wait is shorter."""
    leftover_presence(mosquitto.port, "old-desk", datetime.now(UTC) - timedelta(seconds=12))
    base = settings(mosquitto.url, tmp_path, "desk")
    station = StationConfig(
        "gh", ("icu",), name="desk", database=base.station.database, presence_fresh_s=fresh_s
    )
    with caplog.at_level(logging.WARNING, logger="beckon.station.exclusive"):
        refuse_second_station(
            StationSettings(station, base.broker), listen_s=0.5, refresh_listen_s=0.5
        )  # does not raise
    said = [r for r in caplog.records if "has not refreshed its presence" in r.getMessage()]
    assert len(said) == 1, caplog.text
    assert isinstance(said[0].args, tuple)
    wait_s = said[0].args[-1]
    assert isinstance(wait_s, float)
    assert (wait_s > 0.5) is waits, caplog.text


def test_a_running_station_with_a_skewed_clock_is_judged_by_15_s_whatever_presence_fresh_s(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The freshness window is also the clock difference tolerated between two stations
    (``serving`` compares either way). Judged by a ``station.presence_fresh_s`` of 10, a
    running station whose clock was 12 s behind looked stopped: a second station served beside
    it, and a serving one raised no SECOND STATION alarm (review rev47t). Both keep
    PRESENCE_FRESH_S: the starting station's probe hears it, the serving one reports the split."""
    now = datetime.now(UTC)
    behind = p.StationStatus("gh", "icu", "desk", True, p.to_iso(now - timedelta(seconds=12)), "1")
    config = StationConfig(
        "gh", ("icu",), name="desk2", database=str(tmp_path / "s.db"), presence_fresh_s=10.0
    )
    starting = StationService(StationSettings(config))
    starting.handle(Connected("icu"))  # the start-up probe begins
    with caplog.at_level(logging.INFO, logger="beckon.station.service"):
        starting._check_twin(behind)
    assert "heard desk on gh/icu serving" in caplog.text, caplog.text
    serving = StationService(StationSettings(config))
    serving.handle(Connected("icu"))
    serving._probes.clear()  # past its start-up probe: serving
    serving._served = True
    serving._check_twin(behind)
    assert serving.split_by == ["desk on gh/icu"]


# ---------------------------------------------------------------- a broker slow to subscribe

SUBACK_HOLD_S = 4.0
"""How late the proxy lets the broker's SUBACK reach the second station: more than twice the
start-up probe (PROBE_S, 1.5 s) and four times the pre-start check's listen (1 s), so counted from
CONNACK or SUBSCRIBE either window ends long before the first station's presence can arrive,
whatever the machine's speed; far below the waits for a SUBACK (the doctor's 10 s, and the
station's: its keep-alive, 10 s in that test)."""


@pytest.mark.mqtt
def test_a_second_station_is_refused_when_the_broker_confirms_the_subscription_late(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Both the check before starting (``refuse_second_station``, the doctor's probe) and the
    service's own start-up probe listened from their SUBSCRIBE or CONNACK: with the broker's
    SUBACK late, the first station's retained presence came after they had decided nobody
    served the unit, and the second station started beside it, splitting the unit's calls
    between two databases. Both now count from the SUBACK."""
    assert SUBACK_HOLD_S > 2 * PROBE_S and SUBACK_HOLD_S + 5 < SUBACK_WAIT_S
    assert probe_suback_wait(10) > SUBACK_HOLD_S + 5
    first = StationService(settings(mosquitto.url, tmp_path, "desk"))
    proxy = SubackDelayProxy(mosquitto.port, SUBACK_HOLD_S).start()
    slow = f"mqtt://127.0.0.1:{proxy.port}"
    try:
        with Background(first.run, "station"):
            assert first.ready.wait(15)
            with pytest.raises(BeckonError, match="already serves this unit: desk on gh/icu"):
                refuse_second_station(settings(slow, tmp_path, "desk2"))
            assert proxy.held.is_set()
            # With a broker user the service's own probe decides (no check before starting).
            second_settings = StationSettings(
                settings(slow, tmp_path, "desk2").station,
                # The probe waits for a SUBACK one keep-alive at most (probe_suback_wait).
                BrokerConfig(url=slow, username="desk2", keepalive=10),
            )
            claim = StationClaim(second_settings)
            try:
                second = StationService(second_settings)
                runner = threading.Thread(target=second.run, args=(threading.Event(),))
                runner.daemon = True
                runner.start()
                runner.join(30)
                assert not runner.is_alive(), "the second station kept serving"
            finally:
                claim.release()
    finally:
        proxy.stop()
    assert second.fault == "duplicate" and not second.ready.is_set()
    assert "SECOND STATION: station service desk already serves gh/icu" in caplog.text


@pytest.mark.mqtt
def test_a_lone_station_serves_when_the_broker_never_confirms_in_time(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A broker that holds the SUBACK (and the PINGRESP queued behind it) longer than the
    keep-alive: paho drops each connection after two silent intervals. The probe waited up to
    30 s for the SUBACK and counted every loss meanwhile as a twin's, so after three the lone
    station stopped as DUPLICATE STATION (exit 1), having never served. It now waits one
    keep-alive at most, serves with a warning, and keeps serving through the drops that follow.
    With keepalive 3 it serves by 3 + PROBE_S = 4.5 s, before paho's first drop (two silent
    intervals, 6 s); were a drop first on a slow machine, the next connection serves (the probe
    keeps its wait across it). Losses before serving: test_a_lone_station_cut_before_serving_..."""
    keepalive = 3
    proxy = SubackDelayProxy(mosquitto.port, hold_s=120).start()  # longer than the test
    service = StationService(
        settings(f"mqtt://127.0.0.1:{proxy.port}", tmp_path, "desk", keepalive=keepalive)
    )
    try:
        with caplog.at_level(logging.INFO), Background(service.run, "station"):
            assert service.ready.wait(15), "the station never served"
            # Connections lost to the keep-alive at least as often as PROBE_LOSSES: the test
            # waits for the connection after them, or for the station's stop.
            assert wait(
                lambda: (
                    service.fault is not None or service.links["icu"].connections > PROBE_LOSSES
                ),
                timeout=60,
            )
            assert service.fault is None, "stopped as a duplicate with no twin"
            assert wait(service.ready.is_set), "serving again after the last reconnect"
    finally:
        proxy.stop()
    assert proxy.held.is_set()
    assert "subscriptions are not confirmed" in caplog.text
    assert "DUPLICATE STATION" not in caplog.text


@pytest.mark.mqtt
def test_a_lone_station_cut_before_serving_serves_and_counts_no_twin(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A broker that never confirms the subscription and drops every connection 2.5 s after
    accepting it, away 2 s each time (a reconnection 3 s later, with paho's back-off). Each loss
    comes seconds after the CONNACK: no twin's doing (a twin throws a station off within about
    a second), so none counts, though PROBE_LOSSES and more come before the station serves. The
    probe ended during each gap with nothing announced and the next connection began the wait
    again, so the station never served (review rev41e); it now keeps the probe open with no
    connection and serves on a connection after the wait, counted from its first connection.
    Keepalive 20 (paho never pings in a 2.5 s connection): the wait spans three cuts or more."""
    keepalive, cut_s, down_s = 20, 2.5, 2.0
    assert cut_s > PROBE_S + 0.5 and PROBE_LOSSES * (cut_s + 3) < probe_suback_wait(keepalive)
    proxy = SubackDelayProxy(mosquitto.port, hold_s=120, cut_after_s=cut_s, down_s=down_s)
    proxy.start()
    service = StationService(
        settings(f"mqtt://127.0.0.1:{proxy.port}", tmp_path, "desk", keepalive=keepalive)
    )
    try:
        with caplog.at_level(logging.INFO), Background(service.run, "station"):
            assert service.ready.wait(90), f"never served (fault {service.fault})"
    finally:
        proxy.stop()
    assert service.fault is None
    # Logged only for a loss while the probe was open and the station had never served.
    assert caplog.text.count("no twin's doing, the probe goes on") >= PROBE_LOSSES
    assert "DUPLICATE STATION" not in caplog.text


@pytest.mark.mqtt
def test_a_station_heard_before_the_check_was_cut_off_still_counts(
    mosquitto: Any, tmp_path: Path
) -> None:
    """The check before starting shares the doctor's probe; since the probe fails a check
    whose anonymous connection is closed during the window, the check threw away what it had
    heard and called the broker unreachable, so a second station could start beside a serving
    one on the demo's anonymous broker. The serving station's retained presence arrives right
    after the SUBACK, long before the cut 1 s after it (timed from the SUBACK, not the accept,
    so a loaded machine cannot put the cut ahead of it); it still refuses the start.
    The proxy lets new connections through after its cut, and the check makes none of its
    own inside a window: it reconnected a second later (paho) while its window ran on, one more
    client on the broker."""
    first = StationService(settings(mosquitto.url, tmp_path, "desk"))
    with Background(first.run, "station"):
        assert first.ready.wait(15)
        proxy = SubackDelayProxy(
            mosquitto.port, hold_s=0.0, cut_after_s=1.0, cut_only=1, cut_from="suback"
        ).start()
        try:
            with pytest.raises(BeckonError, match="desk on gh/icu"):
                refuse_second_station(
                    settings(f"mqtt://127.0.0.1:{proxy.port}", tmp_path, "desk2"), listen_s=4.0
                )
        finally:
            proxy.stop()
        assert proxy.held.is_set() and proxy.cuts == 1
        # Two CONNECTs, both the check's own: the cut look, then (a presence was heard) the
        # look for its refresh past one heartbeat. paho reconnecting inside the cut look's
        # window would have made a third.
        assert proxy.accepted == 2


@pytest.mark.mqtt
@pytest.mark.parametrize("cut_side", ["both", "client"], ids=["both-sides", "client-side-only"])
def test_a_lone_station_behind_a_broker_dropping_every_connection_says_it_may_be_the_broker(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture, cut_side: str
) -> None:
    """A broker (or network) that drops every connection soon after the SUBACK, with no
    station but this one: each loss comes within PROBE_S of the SUBACK, as a twin's would, and
    Mosquitto 2.0.11 says nothing of a take-over even under MQTT 5. The lone station stopped
    as DUPLICATE STATION (exit 1 after 3 connections, under MQTT 5 and 3.1.1 alike), and
    systemd started it again every 2 s: a crash loop. It now keeps running without serving,
    spacing its tries, and says why: a twin or the broker or the network, and how the
    broker's log tells them apart.

    ``client-side-only``: a firewall or NAT resetting only the station's side, the broker
    keeping the old connection. Its log then says "Client ... already connected, closing old
    connection" at every reconnect of this lone station, the line the first fix gave as a
    twin's mark (review rev42r); what tells a twin is a second address in its "New client
    connected from ..." lines, and here there is one. The cut comes 0.5 s after the SUBACK
    (not a time from the accept), so a loaded machine cannot move it out of PROBE_S."""
    proxy = SubackDelayProxy(
        mosquitto.port,
        hold_s=0.0,
        cut_after_s=0.5,
        cut_from="suback",
        cut_side="client" if cut_side == "client" else "both",
    ).start()
    service = StationService(
        settings(f"mqtt://127.0.0.1:{proxy.port}", tmp_path, "desk"),
        hold_off_steps=SHORT_HOLD_OFF_S,
    )
    try:
        with caplog.at_level(logging.INFO), Background(service.run, "station") as runner:
            assert wait(lambda: service.fault is not None or proxy.cuts >= PROBE_LOSSES + 2, 60), (
                "still probing"
            )
            assert service.fault is None, "stopped"
            assert runner.alive and not service.ready.is_set()
            assert service.not_serving is not None
    finally:
        proxy.stop()
    said = caplog.text
    assert "STATION NOT SERVING" in said and "DUPLICATE STATION" not in said
    assert "STATION NOT SERVING YET: connection lost again" in said
    assert "the same client id (beckon-station.gh.desk.icu: the same station name)" in said
    assert "or the broker or the network drops every connection that soon" in said
    assert "from a second IP address, a twin on another machine" in said
    assert "from this station's address alone, the broker or the network" in said
    if cut_side == "client":
        mosquitto.stop()  # its log (stdout) is written out when it exits
        broker_log = mosquitto.log.read_text()
        old = "Client beckon-station.gh.desk.icu already connected, closing old connection"
        assert broker_log.count(old) >= PROBE_LOSSES - 1, broker_log
        came_from = {
            line.split(" connected from ")[1].split(":")[0]
            for line in broker_log.splitlines()
            if "New client connected from" in line
        }
        assert came_from == {"127.0.0.1"}, broker_log  # one address: no twin


@pytest.mark.mqtt
def test_a_lone_station_behind_a_flapping_link_serves_once_it_holds_and_gets_each_call_once(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A link that drops every connection 0.5 s after the broker's SUBACK for a while, then
    holds. The lone station stopped as DUPLICATE STATION after its third connection (exit 1:
    under systemd a loop). It now keeps running without serving; a bed's calls made meanwhile
    wait (the bed sees no station: its screen says so); once a connection holds PROBE_S
    past its SUBACK the station serves, and each call is stored once and confirmed to the bed."""
    keepalive = 3
    proxy = SubackDelayProxy(mosquitto.port, hold_s=0.0, cut_after_s=0.5, cut_from="suback")
    proxy.start()
    rig = Rig(f"mqtt://127.0.0.1:{proxy.port}", tmp_path)
    database = tmp_path / "station.sqlite3"
    station = StationService(
        rig.station_settings({"station.database": str(database), "broker.keepalive": keepalive}),
        hold_off_steps=SHORT_HOLD_OFF_S,
    )
    bedside = bedside_for(mosquitto.url, tmp_path / "outbox.sqlite3")
    seen = Recorder()
    bedside.listeners.append(seen)
    received: list[str] = []  # the station's "received" changes: a call stored and receipted

    def on_station(event: object) -> None:
        if isinstance(event, RequestChanged) and event.change == "received":
            received.append(event.view.id)

    station.listeners.append(on_station)

    def sent() -> int:
        with seen.lock:
            return sum(isinstance(e, ev.RequestSent) for e in seen.events)

    try:
        with (
            caplog.at_level(logging.INFO),
            Background(station.run, "station") as runner,
            Background(bedside.run, "bedside"),
        ):
            # Past the losses that stopped it before (da6b0c2: DUPLICATE STATION, exit 1).
            assert wait(lambda: station.fault is not None or proxy.cuts > PROBE_LOSSES, 60)
            assert station.fault is None, "stopped"
            bedside.post(Submit("water", "gesture"))
            bedside.post(Submit("nurse", "gesture"))
            assert wait(lambda: sent() >= 2, 30)  # published; they wait in its outbox
            cuts = proxy.cuts
            assert wait(lambda: proxy.cuts >= cuts + 2 or station.fault is not None, 60)
            # Still holding back: nothing stored, nothing confirmed, the bed sees no station.
            assert station.fault is None and runner.alive
            assert not station.ready.is_set() and station.not_serving is not None
            assert RequestStore(database).count() == 0
            assert "received" not in bedside.states.values() and bedside.waiting == 2
            assert bedside.station_online is not True
            proxy.cut_after_s = None  # the link holds from the next connection on
            assert station.ready.wait(120), f"never served (fault {station.fault})"
            assert wait(lambda: set(bedside.states.values()) == {"received"}, 30)
            assert wait(lambda: bedside.waiting == 0, 30)
            assert station.not_serving is None and station.status_text() == "serving"
    finally:
        proxy.stop()
    assert station.fault is None
    assert sorted(received) == sorted(bedside.states) and len(received) == 2  # each call once
    store = RequestStore(database)
    assert sorted(v.id for v in store.open_requests()) == sorted(bedside.states)
    assert "STATION SERVING: a connection held 1.5 s past the broker's confirmation" in caplog.text
    assert "DUPLICATE STATION" not in caplog.text


@pytest.mark.mqtt
def test_two_twins_started_together_one_stops_and_the_other_serves(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Two station services with one name (one client id) started at once on Mosquitto
    2.0.11: each throws the other off as it connects. Both held back for ever (review rev43r:
    no fault, not served after 120 s, their waits stuck at 2 and 4 s, shorter than the hold,
    as only losses within PROBE_S raised them). Every loss before a connection has held now
    lengthens the wait, with a random share: one stays away long enough for the other to
    serve, then hears its presence and stops as DUPLICATE STATION (exit 78)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    twins = [
        StationService(settings(mosquitto.url, tmp_path / side, "desk", keepalive=5))
        for side in ("a", "b")
    ]
    with (
        caplog.at_level(logging.INFO),
        Background(twins[0].run, "a") as a,
        Background(twins[1].run, "b") as b,
    ):
        assert wait(lambda: any(t.fault is not None for t in twins), 240), "neither stopped"
        stopped = next(t for t in twins if t.fault is not None)
        other = next(t for t in twins if t is not stopped)
        assert wait(lambda: not (a.alive and b.alive), 30)
        assert other.ready.wait(60), f"the other never served: {other.not_serving}"
        assert other.fault is None and other.not_serving is None
    assert stopped.fault == "duplicate" and stopped.exit_code == EX_CONFIG
    assert not stopped.ready.is_set()
    assert "DUPLICATE STATION" in caplog.text


@pytest.mark.mqtt
def test_a_held_back_station_serves_on_a_link_dropping_every_few_seconds(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A link that drops each connection 0.5 s after the SUBACK until the lone station holds
    back, then 3 s after it (keep-alive 5). The hold was one keep-alive, so the station never
    served (review rev43r: not served after 90 s and 18 connections; the default keep-alive
    30 s was the same on a link dropping every 10 to 29 s; a restart's fresh probe served).
    The hold is now what rules out a twin, PROBE_S past the SUBACK: it serves."""
    proxy = SubackDelayProxy(mosquitto.port, hold_s=0.0, cut_after_s=0.5, cut_from="suback")
    proxy.start()
    station = StationService(
        settings(f"mqtt://127.0.0.1:{proxy.port}", tmp_path, "desk", keepalive=5)
    )
    try:
        with caplog.at_level(logging.INFO), Background(station.run, "station"):
            assert wait(lambda: station.not_serving is not None or station.fault is not None, 60)
            assert station.fault is None and not station.ready.is_set()
            proxy.cut_after_s = 3.0
            assert station.ready.wait(120), f"never served: {station.not_serving}"
    finally:
        proxy.stop()
    assert station.fault is None and station.not_serving is None
    assert "DUPLICATE STATION" not in caplog.text
