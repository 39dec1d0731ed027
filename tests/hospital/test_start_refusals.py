"""How a station service whose start is refused ends, and whether systemd starts it again.

Two services set up for one unit (SECOND STATION, found before connecting or by the start-up
probe) or a window logging in twice as one user cannot be fixed by a restart: they exit 78,
which the shipped units do not restart. A lock that frees when its holder stops (another
station service on this machine using the database; another program's write transaction on
it) is waited for, quietly, and the station starts as soon as it is free; only after
``LOCK_WAIT_S`` does it exit 2, which the unit restarts. Each of them exited 2 before, and
under ``Restart=always`` with ``RestartSec=2`` logged the same refusal every 3.7 to 10.4 s for
as long as it lasted. Real processes: the CLI, Mosquitto, SQLite."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.config import LOCK_WAIT_S, BrokerConfig, StationConfig, StationSettings
from beckon.doctor.run import check_station_service
from beckon.errors import EX_CONFIG
from beckon.instance import InstanceHeld
from beckon.messaging import protocol as p
from beckon.station.exclusive import DatabaseLock, stations_heard, take_station_lock
from tests.helpers.faults import Proc, serving, spawn
from tests.helpers.polling import wait_until
from tests.helpers.ports import free_port
from tests.helpers.rig import send_raw
from tests.helpers.systemd import restarts, start_timeout_s

STATION_UNIT = "beckon-station.service"
WAITING = "waiting up to 45 s for it to"


def station_config(
    tmp_path: Path,
    url: str,
    database: Path,
    name: str = "desk",
    metrics: str = "",
    presence_fresh_s: float = p.PRESENCE_FRESH_S,
) -> Path:
    """Station ``name`` for gh/icu; ``presence_fresh_s`` as ``station.presence_fresh_s``."""
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'[station]\nsite = "gh"\nunits = ["icu"]\nname = "{name}"\ndatabase = "{database}"\n'
        f'metrics = "{metrics}"\npresence_fresh_s = {presence_fresh_s}\n'
        f'[broker]\nurl = "{url}"\nkeepalive = 5\n'
    )
    return path


def start_station(tmp_path: Path, config: Path) -> Proc:
    return spawn(["-m", "beckon", "station", "--headless", "--config", str(config)], tmp_path, "s")


@pytest.mark.mqtt
def test_a_station_waits_for_another_station_service_here_to_stop_then_serves(
    mosquitto: Any, tmp_path: Path
) -> None:
    """Another station service on this machine holds the database (a station run by hand):
    the unit's station says so once and starts as soon as that one stops, without a restart.
    It exited 2 at once, and systemd started it again every 2 s, one refusal every 3.9 s."""
    database = tmp_path / "desk.sqlite3"
    held = DatabaseLock(database)  # what the other station service holds
    station = start_station(tmp_path, station_config(tmp_path, mosquitto.url, database))
    try:
        try:
            assert wait_until(lambda: WAITING in station.stderr(), 60), station.stderr()
            time.sleep(3.0)  # several tries of the lock meanwhile
            assert station.popen.poll() is None, station.stderr()  # still waiting, not exited
        finally:
            held.release()  # the other one stops
        assert wait_until(lambda: serving(station), 30), station.stderr()
        said = station.stderr()
        assert said.count(f"another station service (pid {os.getpid()})") == 1, said
        assert "systemctl stop beckon-station" in said  # the fix, with the wait
    finally:
        assert station.stop() == 0, station.stderr()


@pytest.mark.mqtt
def test_a_station_waits_for_another_programs_transaction_on_its_database_then_serves(
    mosquitto: Any, tmp_path: Path
) -> None:
    """A sqlite3 shell left in a transaction (or a backup tool) holds the database's write
    lock at start: the station says so once and starts when the transaction ends. It exited
    2 after SQLite's 5 s busy wait, restarted every 10.4 s, each start logging it again.

    Meanwhile the health endpoint and the doctor name the lock: they said "main loop not
    running; broker not connected", and the doctor sent IT to look for a twin, the broker or
    the network. The endpoint names the database from its first answer, within SQLite's own
    busy wait before the first refusal, where it still said "broker not connected"."""
    database = tmp_path / "desk.sqlite3"
    sqlite3.connect(database).close()
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # the other program's lock
    metrics = f"127.0.0.1:{free_port()}"
    station = start_station(
        tmp_path, station_config(tmp_path, mosquitto.url, database, metrics=metrics)
    )

    def health() -> list[str] | None:
        """The problems the endpoint names; None while it does not answer yet."""
        try:
            urllib.request.urlopen(f"http://{metrics}/health", timeout=5)
        except urllib.error.HTTPError as answer:
            problems: list[str] = json.loads(answer.read())["problems"]
            return problems
        except OSError:
            return None
        return []

    opening: list[list[str]] = []  # answers within SQLite's busy wait (before WAITING)

    def named_or_refused() -> bool:
        problems = health()
        if WAITING in station.stderr():
            return True
        if problems and f"opening the database {database}" in problems[0]:
            opening.append(problems)
        return bool(opening)

    try:
        try:
            assert wait_until(named_or_refused, 60), station.stderr()
            assert opening and len(opening[0]) == 1, station.stderr()  # the database, alone
            assert wait_until(lambda: WAITING in station.stderr(), 60), station.stderr()
            problems = health()
            assert problems is not None and len(problems) == 1, problems
            assert "is locked by another program" in problems[0], problems
            check = check_station_service(metrics, str(station.popen.pid))
            assert check.outcome == "fail"
            assert "is locked by another program" in check.detail, check.detail
            assert "broker not connected" not in check.detail
            assert "twin" not in check.fix, check.fix
            time.sleep(6.0)  # past SQLite's own 5 s busy wait again: still waiting, not exited
            assert station.popen.poll() is None, station.stderr()
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert wait_until(lambda: serving(station), 30), station.stderr()
        said = station.stderr()
        assert said.count("is locked by another program") == 1, said
        assert "end the other program" in said
    finally:
        assert station.stop() == 0, station.stderr()


def test_a_lock_held_past_the_wait_ends_with_a_status_the_unit_restarts(
    tmp_path: Path, beckon_cmd: list[str]
) -> None:
    """Given up on, the lock's holder may still stop later: the unit must start the station
    again then (a unit stopped with 78 would have no station until someone starts it). The
    real CLI's mapping of a lock held (InstanceHeld) to its exit status, through the window's
    ``--serve``, which waits for no lock: the headless service's LOCK_WAIT_S (45 s) ends in the
    same InstanceHeld (the next test) and the same ``main``."""
    database = tmp_path / "desk.sqlite3"
    holder = subprocess.Popen(
        ["python3", "-c",
         "import fcntl, sys, time; f = open(sys.argv[1], 'a'); f.write('4242'); f.flush(); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(240)",
         str(database) + ".lock"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = subprocess.run(
            [*beckon_cmd, "station", "--serve", "--config",
             str(station_config(tmp_path, f"mqtt://127.0.0.1:{free_port()}", database))],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )  # fmt: skip
    finally:
        holder.kill()
        holder.wait(10)
    assert "another station service (pid 4242)" in done.stderr
    assert done.returncode == 2, done.stderr
    assert restarts(STATION_UNIT, done.returncode), done.returncode


def test_the_wait_for_a_lock_ends_in_the_holders_refusal(tmp_path: Path) -> None:
    """Past its wait, a station gives up with the holder's InstanceHeld (exit 2 above)."""
    database = tmp_path / "desk.sqlite3"
    held = DatabaseLock(database)
    try:
        began = time.monotonic()
        cfg = StationConfig("gh", ("icu",), database=str(database))
        with pytest.raises(InstanceHeld, match="another station service"):
            take_station_lock(cfg, threading.Event(), wait_s=1.0)
        assert time.monotonic() - began >= 1.0
    finally:
        held.release()


def publish_dead_presence(port: int, ahead_s: float = 0.0) -> None:
    """Station ``desk``'s last presence, left retained on the broker by a station that lost
    power at once (no last will), stamped by its own clock ``ahead_s`` ahead of this one."""
    at = p.to_iso(datetime.now(UTC) + timedelta(seconds=ahead_s))
    status = p.StationStatus("gh", "icu", "desk", True, at, "deadbeef")
    send_raw(port, p.Topics.station_status("gh", "icu", "desk"), p.encode(status), retain=True)


@pytest.mark.mqtt
def test_a_dead_station_whose_clock_ran_ahead_does_not_keep_the_next_one_off_for_good(
    mosquitto: Any, tmp_path: Path
) -> None:
    """Station A loses power (its TCP connection stays open, its last will does not fire) and
    station B of another name starts at once: A's retained presence is fresh but never
    refreshed. B exited 78 at once as SECOND STATION, which the unit does not restart: the
    unit was left with no station at all. With A's PC clock 12 s ahead, B's wait for that
    presence to go stale was measured by A's stamp and capped at 16 s, so the presence was
    still fresh by B's clock when it ended: B's start-up probe then stopped with 78 at 27 s.
    B now waits until the presence is stale by its own clock, then serves.

    Here B waits out that presence until 10 s after its stamp (``station.presence_fresh_s``),
    not 15, and A's clock is 9.5 s ahead: B connects about 20 s after the presence; its
    start-up probe, which judges by 15 s whatever the setting (review rev47t), still hears it
    and listens 6.5 s for a refresh that does not come, then serves. Every other test keeps
    15 s."""
    publish_dead_presence(mosquitto.port, ahead_s=9.5)
    config = station_config(
        tmp_path, mosquitto.url, tmp_path / "b.sqlite3", "desk2", presence_fresh_s=10.0
    )
    b = start_station(tmp_path, config)
    try:
        assert wait_until(lambda: serving(b) or b.popen.poll() is not None, 90), b.stderr()
        assert b.popen.poll() is None, (b.popen.returncode, b.stderr())
        assert "has not refreshed its presence" in b.stderr()
        assert "stale by this machine's clock" in b.stderr()
    finally:
        assert b.stop() == 0, b.stderr()


@pytest.mark.mqtt
def test_a_serving_station_that_hears_another_serve_its_unit_says_the_calls_are_split(
    mosquitto: Any, tmp_path: Path
) -> None:
    """Once serving, a station never looked at another station name's presence again: after
    a stall past PRESENCE_FRESH_S (another station started meanwhile) two stations served one
    SQLite unit, each with its own queue, and nothing said so. Now each heartbeat of the
    other is a CRITICAL line, and the health endpoint names it."""
    metrics = f"127.0.0.1:{free_port()}"
    b = start_station(
        tmp_path,
        station_config(tmp_path, mosquitto.url, tmp_path / "b.sqlite3", "desk2", metrics),
    )
    try:
        assert wait_until(lambda: serving(b), 60), b.stderr()
        publish_dead_presence(mosquitto.port)  # a heartbeat of station desk, serving icu
        split = "SECOND STATION: station service desk publishes for gh/icu too"
        assert wait_until(lambda: split in b.stderr(), 10), b.stderr()
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(f"http://{metrics}/health", timeout=5)
        problems = json.loads(answer.value.read())["problems"]
        assert "SECOND STATION serving this unit too: desk on gh/icu" in problems, problems
        doctor = check_station_service(metrics, "4242")  # names the split, not a broker fault
        assert doctor.outcome == "fail" and "calls are split" in doctor.detail, doctor
        assert "stop one of the two" in doctor.fix, doctor
        assert b.popen.poll() is None  # stopping here could stop both
        # IT stops the other one (its presence goes offline): the split is over at once, not
        # PRESENCE_FRESH_S later, so a doctor run right after the fix passes.
        offline = p.StationStatus("gh", "icu", "desk", False, p.now_iso(), "deadbeef")
        send_raw(mosquitto.port, p.Topics.station_status("gh", "icu", "desk"), p.encode(offline))
        assert wait_until(lambda: check_station_service(metrics, "4242").outcome == "pass", 5), (
            check_station_service(metrics, "4242")
        )
    finally:
        assert b.stop() == 0, b.stderr()


@pytest.mark.mqtt
def test_a_station_window_serving_stops_at_once_on_sigterm_while_it_waits_for_a_dead_station(
    mosquitto: Any, tmp_path: Path
) -> None:
    """``beckon station --serve`` waiting for a dead station's presence to go stale: a
    SIGTERM was acted on only after the wait, once the windows were built and the service had
    connected (3.9 s after the signal). It now ends the wait at once, with nothing built."""
    publish_dead_presence(mosquitto.port)
    window = spawn(
        ["-m", "beckon", "station", "--serve", "--config",
         str(station_config(tmp_path, mosquitto.url, tmp_path / "b.sqlite3", "desk2"))],
        tmp_path, "w", env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    try:
        assert wait_until(lambda: "has not refreshed its presence" in window.stderr(), 60), (
            window.stderr()
        )
        sent = time.monotonic()
        window.popen.send_signal(signal.SIGTERM)
        status = window.popen.wait(30)
        took = time.monotonic() - sent
    finally:
        window.kill()
    assert status == 0, window.stderr()
    assert took < 2.0, (took, window.stderr())
    assert "connected to" not in window.stderr()


def test_a_stop_during_the_wait_ends_it_at_once(tmp_path: Path) -> None:
    database = tmp_path / "desk.sqlite3"
    held = DatabaseLock(database)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    try:
        began = time.monotonic()
        cfg = StationConfig("gh", ("icu",), database=str(database))
        assert take_station_lock(cfg, stop, wait_s=LOCK_WAIT_S) is None
        assert time.monotonic() - began < 5.0
    finally:
        held.release()


def test_the_station_unit_gives_both_waits_time_before_killing_a_start() -> None:
    """READY=1 comes after the waits: with systemd's default 90 s start timeout a station that
    waited for both locks was killed as a failed start just as it could serve."""
    assert start_timeout_s(STATION_UNIT) >= 2 * LOCK_WAIT_S + 30


@pytest.mark.mqtt
def test_a_serving_station_that_hears_a_twin_of_its_own_name_fails_its_health_too(
    mosquitto: Any, tmp_path: Path
) -> None:
    """A twin of the same name (another instance) serving side by side logged DUPLICATE
    STATION at every heartbeat, but the health check passed and `beckon doctor` said the
    station serves its unit (review rev44r3). Now the health fails and the doctor says to stop
    one; the twin's presence going offline ends it at once."""
    metrics = f"127.0.0.1:{free_port()}"
    b = start_station(
        tmp_path,
        station_config(tmp_path, mosquitto.url, tmp_path / "b.sqlite3", "desk2", metrics),
    )
    topic = p.Topics.station_status("gh", "icu", "desk2")
    try:
        assert wait_until(lambda: serving(b), 60), b.stderr()
        twin = p.StationStatus("gh", "icu", "desk2", True, p.now_iso(), "feedbeef")
        send_raw(mosquitto.port, topic, p.encode(twin))
        assert wait_until(lambda: "DUPLICATE STATION" in b.stderr(), 10), b.stderr()
        doctor = check_station_service(metrics, "4242")
        assert doctor.outcome == "fail" and "instance feedbeef" in doctor.detail, doctor
        assert "stop one of the two" in doctor.fix, doctor
        gone = p.StationStatus("gh", "icu", "desk2", False, p.now_iso(), "feedbeef")
        send_raw(mosquitto.port, topic, p.encode(gone))
        assert wait_until(lambda: check_station_service(metrics, "4242").outcome == "pass", 5), (
            check_station_service(metrics, "4242")
        )
        assert b.popen.poll() is None  # stopping here could stop both
    finally:
        assert b.stop() == 0, b.stderr()


UNITS3 = ("icu", "icu2", "icu3")


def user_config(
    tmp_path: Path, url: str, name: str = "desk", units: tuple[str, ...] = UNITS3
) -> Path:
    """Station ``name`` for ``units`` with a broker user: one connection, one last will (the
    first unit's); the tests' broker takes any user."""
    (tmp_path / "pw").write_text("pw\n", encoding="utf-8")
    path = tmp_path / f"{name}-user.toml"
    path.write_text(
        f'[station]\nsite = "gh"\nunits = {json.dumps(list(units))}\nname = "{name}"\n'
        f'database = "{tmp_path / name}.sqlite3"\n[broker]\nurl = "{url}"\n'
        f'username = "station-{name}"\npassword_file = "{tmp_path / "pw"}"\nkeepalive = 5\n'
    )
    return path


def presences(port: int) -> dict[str, p.StationStatus]:
    """Unit -> the retained presence of station desk there, as a watcher sees it now."""
    settings = StationSettings(
        StationConfig("gh", UNITS3, name="watch"), BrokerConfig(f"mqtt://127.0.0.1:{port}")
    )
    return {s.unit: s for s in stations_heard(settings, 1.0) if s.name == "desk"}


@pytest.mark.mqtt
def test_a_multi_unit_station_killed_outright_serves_every_unit_again_when_restarted(
    mosquitto: Any, tmp_path: Path
) -> None:
    """kill -9 (or the out-of-memory killer) of a station of three units with a broker user:
    its one connection's last will says offline for icu only; icu2 and icu3 keep its "online"
    presence, 0 to 5 s old. The run systemd starts 2 s later took that for a running twin:
    DUPLICATE STATION, exit 78, never restarted: no station on any of the three units (review
    rev44L; measured on s45 with real processes). Not refreshed, it is a leftover: the new run
    serves every unit and its own presence replaces the dead one's."""
    config = user_config(tmp_path, mosquitto.url)
    a = start_station(tmp_path, config)
    b: Proc | None = None
    try:
        assert wait_until(lambda: serving(a), 60), a.stderr()
        assert wait_until(lambda: len(presences(mosquitto.port)) == 3, 10)
        time.sleep(1.0)  # a heartbeat or not: the leftover is 0 to 5 s old either way
        a.kill()
        left = presences(mosquitto.port)
        assert left["icu3"].serving(), left  # what made the next run stop
        time.sleep(2.0)  # RestartSec=2
        b = spawn(["-m", "beckon", "station", "--headless", "--config", str(config)], tmp_path, "b")
        assert wait_until(lambda: serving(b) or b.popen.poll() is not None, 60), b.stderr()
        assert b.popen.poll() is None, (b.popen.returncode, b.stderr()[-3000:])
        assert "did not refresh its presence" in b.stderr()
        mine = re.findall(r"station desk \(instance (\w+)\) is serving", b.stderr())[0]
        now = presences(mosquitto.port)
        assert {u: (s.instance, s.serving()) for u, s in now.items()} == {
            u: (mine, True) for u in UNITS3
        }, now
    finally:
        a.kill()
        if b is not None:
            assert b.stop() == 0, b.stderr()


@pytest.mark.mqtt
def test_a_station_with_a_broker_user_serves_after_another_name_died_without_its_will(
    mosquitto: Any, tmp_path: Path
) -> None:
    """With a broker user the only check is the start-up probe's, and it stopped with 78 on
    any fresh presence of another station for the unit: a station started within 15 s of
    another's power cut (its presence online, never refreshed) stayed stopped for good. The
    probe now asks what the check before connecting asks: a refreshed presence."""
    publish_dead_presence(mosquitto.port)  # station desk on icu, fresh, never refreshed
    b = start_station(tmp_path, user_config(tmp_path, mosquitto.url, "desk2", ("icu",)))
    try:
        assert wait_until(lambda: serving(b) or b.popen.poll() is not None, 60), b.stderr()
        assert b.popen.poll() is None, (b.popen.returncode, b.stderr()[-3000:])
        assert "desk on gh/icu announced itself serving but did not refresh" in b.stderr()
    finally:
        assert b.stop() == 0, b.stderr()


@pytest.mark.mqtt
def test_a_twin_that_stops_leaves_every_request_queued_for_the_running_station_to_it(
    mosquitto: Any, tmp_path: Path
) -> None:
    """A same-name twin takes the running station's broker session over (one user, one client
    id), and the broker hands it the requests queued for that session. paho acknowledged them,
    the twin held them through its start-up probe and stopped as DUPLICATE STATION: gone until
    the bed resent them (review rev45r: 2 to 12 of 37 never reached the running station). A bed
    here that never resends: every request it sent during the twin's start reaches the running
    station, and none the twin."""
    config = user_config(tmp_path, mosquitto.url, units=("icu",))
    (tmp_path / "twin").mkdir()
    twin_config = user_config(tmp_path / "twin", mosquitto.url, units=("icu",))
    a = start_station(tmp_path, config)
    sent: list[str] = []
    done = threading.Event()

    def bed() -> None:  # one request every 0.2 s, QoS 1, never resent
        client = paho.Client(CallbackAPIVersion.VERSION2, client_id="test-bed")
        client.connect("127.0.0.1", mosquitto.port)
        client.loop_start()
        while not done.wait(0.2):
            req = p.Request(p.new_request_id(), "gh", "icu", "bed1", "water", "routine", "touch",
                            p.now_iso())  # fmt: skip
            client.publish(p.BedAddress("gh", "icu", "bed1").topic("request"), p.encode(req), 1)
            sent.append(req.id)
        client.disconnect()
        client.loop_stop()

    sender = threading.Thread(target=bed)
    try:
        assert wait_until(lambda: serving(a), 60), a.stderr()
        sender.start()
        twin = start_station(tmp_path / "twin", twin_config)
        assert twin.popen.wait(60) == EX_CONFIG, twin.stderr()[-3000:]
        assert "DUPLICATE STATION" in twin.stderr()
        done.set()
        sender.join()

        def stored(db: Path) -> set[str]:
            with sqlite3.connect(db) as con:
                return {row[0] for row in con.execute("select id from requests")}

        db = tmp_path / "desk.sqlite3"
        assert wait_until(lambda: set(sent) <= stored(db), 10), set(sent) - stored(db)
        assert stored(tmp_path / "twin" / "desk.sqlite3").isdisjoint(sent)
        assert a.popen.poll() is None, a.stderr()[-3000:]
    finally:
        done.set()
        if sender.is_alive():
            sender.join()
        assert a.stop() == 0, a.stderr()
