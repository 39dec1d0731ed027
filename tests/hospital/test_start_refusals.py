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

import os
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from beckon.config import StationConfig
from beckon.instance import InstanceHeld
from beckon.station.exclusive import LOCK_WAIT_S, DatabaseLock, take_station_lock
from tests.helpers.faults import Proc, serving, spawn
from tests.helpers.polling import wait_until
from tests.helpers.systemd import restarts, start_timeout_s

STATION_UNIT = "beckon-station.service"
WAITING = "waiting up to 45 s for it to"


def station_config(tmp_path: Path, url: str, database: Path, name: str = "desk") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'[station]\nsite = "gh"\nunits = ["icu"]\nname = "{name}"\ndatabase = "{database}"\n'
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
    2 after SQLite's 5 s busy wait, restarted every 10.4 s, each start logging it again."""
    database = tmp_path / "desk.sqlite3"
    sqlite3.connect(database).close()
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # the other program's lock
    station = start_station(tmp_path, station_config(tmp_path, mosquitto.url, database))
    try:
        try:
            assert wait_until(lambda: WAITING in station.stderr(), 60), station.stderr()
            time.sleep(6.0)  # past SQLite's own 5 s busy wait: still waiting, not exited
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
    tmp_path: Path,
) -> None:
    """Given up on, the lock's holder may still stop later: the unit must start the station
    again then (a unit stopped with 78 would have no station until someone starts it)."""
    database = tmp_path / "desk.sqlite3"
    holder = subprocess.Popen(
        ["python3", "-c",
         "import fcntl, sys, time; f = open(sys.argv[1], 'a'); f.write('4242'); f.flush(); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
         str(database) + ".lock"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        began = time.monotonic()
        with pytest.raises(InstanceHeld, match=r"another station service \(pid 4242\)"):
            take_station_lock(StationConfig("gh", ("icu",), database=str(database)),
                              threading.Event(), wait_s=1.5)  # fmt: skip
        assert time.monotonic() - began >= 1.5  # waited, then gave up
    finally:
        holder.kill()
        holder.wait(10)
    assert restarts(STATION_UNIT, 2)  # the CLI's status for it (tests: another station here)


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
