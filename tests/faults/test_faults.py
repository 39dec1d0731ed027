"""Faults around real processes: each test breaks something while simulated bedsides (the real
BedsideService and outbox, ``beckon.lab.simbed``) make calls, then asserts that every request a
bed saved is stored exactly once and every bed's state converges (outbox empty, each request
seen at least as received)."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from beckon.errors import EX_CONFIG
from beckon.messaging import protocol as p
from tests.helpers.faults import (
    REPO,
    CutProxy,
    Proc,
    ProdBroker,
    outbox_count,
    saved_ids,
    serving,
    spawn,
    start_beds,
    start_serving_station,
    start_station,
    station_toml,
    stored,
    wait_until,
)

pytestmark = [pytest.mark.faults, pytest.mark.mqtt]

BEDS = ["1", "2", "3", "4"]


def assert_converged(db: Path, folder: Path, *beds: Proc, timeout: float = 40) -> None:
    """Every saved request stored exactly once; every outbox empty; every bed saw each of its
    requests as received (or later)."""

    def submitted() -> bool:
        return all(any(e["event"] == "submitted" for e in b.lines()) for b in beds)

    assert wait_until(submitted, timeout), "the beds did not finish submitting"
    assert saved_ids(*beds), "no bed saved a request"

    def done() -> bool:
        # Read again each time: "submitted" means posted to the bedsides, which save each
        # request a moment later (on a busy machine, some after the first look).
        ids = saved_ids(*beds)
        seen = {e["id"] for b in beds for e in b.lines() if e["event"] == "state"}
        return (
            Counter(r[0] for r in stored(db)) == Counter(ids)
            and outbox_count(folder) == 0
            and seen >= set(ids)
        )

    assert wait_until(done, timeout, step=0.2), (
        f"{len(saved_ids(*beds))} saved, {len(stored(db))} stored, "
        f"{outbox_count(folder)} in outboxes"
    )


@dataclass(frozen=True)
class _Burst:
    config: Path
    station: Proc
    beds: Proc
    db: Path


def _mid_burst(
    broker: ProdBroker, tmp_path: Path, procs: list[Proc], every: str, stored_at_least: int
) -> _Burst:
    """A serving station and BEDS each making 15 calls ``every`` seconds apart, returned once
    the station has stored ``stored_at_least`` of them: the moment these tests break
    something."""
    config = station_toml(broker, tmp_path)
    station = start_serving_station(config, tmp_path, procs)
    beds = start_beds(broker, tmp_path, BEDS, "beds", "--requests", "15", "--every", every)
    procs.append(beds)
    db = tmp_path / "station-desk.sqlite3"
    assert wait_until(lambda: len(stored(db)) >= stored_at_least, 30)
    return _Burst(config, station, beds, db)


def test_station_killed_during_a_burst_loses_and_doubles_nothing(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    burst = _mid_burst(prod_broker, tmp_path, procs, every="0.05", stored_at_least=10)
    burst.station.kill()  # mid-burst
    again = start_station(burst.config, tmp_path, "station2")
    procs.append(again)
    assert_converged(burst.db, tmp_path, burst.beds)


@pytest.mark.parametrize("persistence", [True, False], ids=["persistent", "no-persistence"])
def test_broker_restart_during_a_burst(
    tmp_path: Path, procs: list[Proc], persistence: bool
) -> None:
    broker = ProdBroker(tmp_path / "broker", BEDS, persistence=persistence).setup()
    broker.start()
    try:
        burst = _mid_burst(broker, tmp_path, procs, every="0.1", stored_at_least=8)
        broker.stop(signal.SIGKILL if not persistence else signal.SIGTERM)
        time.sleep(1.0)
        broker.start()
        assert_converged(burst.db, tmp_path, burst.beds)
        # After the restart the station announced itself again, so every bed knows it.
        assert serving(burst.station) or burst.station.popen.poll() is None
    finally:
        broker.stop()


@pytest.mark.window  # both ends notice within 19 s of the cut
def test_a_network_cut_is_noticed_within_15_s_and_owed_calls_follow_the_path_back(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    """The bed reaches the broker through a proxy that holds every byte while cut (no FIN, no
    RST: TCP keeps believing). Heartbeats make both ends notice; the call made during the cut
    is stored soon after the path returns, not after the resend back-off."""
    config = station_toml(prod_broker, tmp_path)
    station = start_serving_station(config, tmp_path, procs)
    proxy = CutProxy(prod_broker.plain_port)
    try:
        url = f"mqtt://127.0.0.1:{proxy.port}"
        bed = start_beds(prod_broker, tmp_path, ["5"], "bed5", "--requests", "1",
                         "--start-after", "8", url=url)  # fmt: skip
        procs.append(bed)

        def station_seen(detail: str) -> bool:
            return any(e["event"] == "station" and e["detail"] == detail for e in bed.lines())

        assert wait_until(lambda: station_seen("online"), 20), bed.stderr()[-2000:]
        assert wait_until(lambda: "bed general/icu-3/5 is online" in station.stderr(), 10)
        proxy.cut()
        cut_at = time.monotonic()
        # Both ends notice within 15 s (plus the one-second check and process scheduling).
        assert wait_until(lambda: station_seen("offline"), 20), bed.lines()[-3:]
        bed_noticed = time.monotonic() - cut_at
        assert wait_until(lambda: "DEVICE FAULT: bed general/icu-3/5" in station.stderr(), 20)
        station_noticed = time.monotonic() - cut_at
        assert bed_noticed < 19 and station_noticed < 19, (bed_noticed, station_noticed)
        db = tmp_path / "station-desk.sqlite3"
        assert wait_until(lambda: saved_ids(bed), 15)  # the patient asked during the cut
        assert stored(db) == []
        proxy.heal()
        healed_at = time.monotonic()
        assert_converged(db, tmp_path, bed, timeout=30)
        assert time.monotonic() - healed_at < 30
        assert wait_until(lambda: station_seen("online") and bed.lines()[-1:], 5)
    finally:
        proxy.close()


def test_bedside_killed_with_a_request_in_its_outbox_sends_it_after_restart(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    first = start_beds(prod_broker, tmp_path, ["6"], "bed6a", "--requests", "1")
    procs.append(first)
    assert wait_until(lambda: saved_ids(first), 20), first.stderr()[-2000:]
    assert outbox_count(tmp_path) == 1
    first.kill()  # no station yet: the request is only on the tablet's disk
    config = station_toml(prod_broker, tmp_path)
    station = start_station(config, tmp_path)
    procs.append(station)
    again = start_beds(prod_broker, tmp_path, ["6"], "bed6b", "--exit-when-done")
    procs.append(again)
    db = tmp_path / "station-desk.sqlite3"
    assert wait_until(lambda: [r[0] for r in stored(db)] == saved_ids(first), 30)
    assert wait_until(lambda: outbox_count(tmp_path) == 0, 20)
    assert again.popen.wait(30) == 0


def test_a_second_station_with_the_same_name_refuses_instead_of_splitting_calls(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    config = station_toml(prod_broker, tmp_path)
    station = start_serving_station(config, tmp_path, procs)
    twin_db = tmp_path / "twin.sqlite3"
    (tmp_path / "twin").mkdir()
    twin_config = station_toml(prod_broker, tmp_path / "twin", db=twin_db)
    twin = start_station(twin_config, tmp_path, "twin")
    procs.append(twin)
    assert twin.popen.wait(30) == EX_CONFIG  # not restarted by systemd
    assert "DUPLICATE STATION" in twin.stderr()
    beds = start_beds(prod_broker, tmp_path, BEDS[:2], "beds", "--requests", "3")
    procs.append(beds)
    db = tmp_path / "station-desk.sqlite3"
    assert_converged(db, tmp_path, beds)
    assert stored(twin_db) == []
    assert station.popen.poll() is None


def test_a_twin_started_during_a_burst_takes_no_call_away_from_the_running_station(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    """The broker hands the twin the station's session (one user, one client id); during its
    1.5 s start-up check it stored and receipted calls into its own database, and the running
    station never had them. Now it holds them until it knows it is alone, and exits."""
    config = station_toml(prod_broker, tmp_path)
    start_serving_station(config, tmp_path, procs)
    beds = start_beds(prod_broker, tmp_path, BEDS, "beds", "--requests", "60", "--every", "0.05")
    procs.append(beds)
    twin_db = tmp_path / "twin.sqlite3"
    (tmp_path / "twin").mkdir()
    twin_config = station_toml(prod_broker, tmp_path / "twin", db=twin_db)
    assert wait_until(lambda: len(stored(tmp_path / "station-desk.sqlite3")) >= 20, 30)
    for round_ in range(3):
        twin = start_station(twin_config, tmp_path, f"twin{round_}")
        procs.append(twin)
        assert twin.popen.wait(30) == EX_CONFIG, twin.stderr()[-2000:]
        assert "DUPLICATE STATION" in twin.stderr()
    assert stored(twin_db) == []
    assert_converged(tmp_path / "station-desk.sqlite3", tmp_path, beds, timeout=90)


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_full_disk_stops_the_station_loudly_and_nothing_is_lost(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    """A file-size limit stands in for a full disk. The station must say so on its status
    topic and exit non-zero (for systemd), not announce itself online while storing nothing;
    what it could not store waits in the bedsides' outboxes until a station can."""
    config = station_toml(prod_broker, tmp_path)
    db = tmp_path / "station-desk.sqlite3"
    station_args = ["-m", "beckon", "station", "--headless", "--config", str(config)]
    full = subprocess.Popen(
        [sys.executable, *station_args],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "full.err").open("wb"),
        preexec_fn=lambda: _limit_file_size(160_000),
    )
    try:
        beds = start_beds(
            prod_broker, tmp_path, BEDS, "beds", "--requests", "40", "--every", "0.05"
        )
        procs.append(beds)
        assert full.wait(90) == 1
    finally:
        if full.poll() is None:
            full.kill()
    err = (tmp_path / "full.err").read_text()
    assert "STATION FAULT" in err and "cannot be written" in err, err[-2000:]
    # The station wrote online: false with the fault and disconnected cleanly, so the fault is
    # what remains retained (not the last will's plain "offline").
    status = _retained_station_status(prod_broker)
    assert status is not None and not status.online, status
    assert status.fault and "cannot be written" in status.fault, (status, prod_broker.log()[-3000:])
    # A station with room stores what is owed, each call once.
    station = start_station(config, tmp_path, "station-ok")
    procs.append(station)
    assert_converged(db, tmp_path, beds, timeout=60)


def _retained_station_status(broker: ProdBroker) -> p.StationStatus | None:
    import paho.mqtt.subscribe as subscribe

    from tests.helpers.faults import CONSOLE_USER, SITE, UNIT

    msg = subscribe.simple(
        p.Topics.station_status(SITE, UNIT, "desk"),
        hostname="127.0.0.1",
        port=broker.plain_port,
        auth={"username": CONSOLE_USER, "password": broker.passwords[CONSOLE_USER]},
        client_id="ignored",
    )
    assert msg is not None
    return p.decode_as(msg.payload, p.StationStatus)


def test_a_tablet_whose_disk_fills_says_so_and_still_sends_each_call_once(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    """A file-size limit stands in for the tablet's full disk. Calls it cannot save are sent at
    once without the outbox (one plain MQTT chance rather than none), the patient's screen
    shows a storage fault, and the station sees "storage" in the bed's status."""
    config = station_toml(prod_broker, tmp_path)
    start_serving_station(config, tmp_path, procs)
    outboxes = tmp_path / "outboxes"
    outboxes.mkdir()
    beds = subprocess.Popen(
        [sys.executable, "-m", "beckon.lab.simbed", "--broker", prod_broker.url, "--beds", "7",
         "--outbox-dir", str(outboxes), "--password-dir", str(prod_broker.password_dir),
         "--requests", "10", "--every", "0.3", "--start-after", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=lambda: _limit_file_size(40_000),
    )  # fmt: skip
    db = tmp_path / "station-desk.sqlite3"
    try:
        assert wait_until(lambda: len(stored(db)) >= 10, 60), stored(db)
        assert "storage" in _retained_bed_faults(prod_broker, "7")
    finally:
        beds.terminate()
        out, err = beds.communicate(timeout=30)
    events = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    saved = [e["id"] for e in events if e["event"] == "request_saved"]
    assert len(saved) == 10
    assert Counter(r[0] for r in stored(db)) == Counter(saved), "each call stored once"
    faults = [e["detail"] for e in events if e["event"] == "fault"]
    assert any("cannot save requests" in f for f in faults), faults
    assert "STORAGE FAULT" in err.decode(), err.decode()[-2000:]


def _retained_bed_faults(broker: ProdBroker, bed: str) -> tuple[str, ...]:
    import paho.mqtt.subscribe as subscribe

    from tests.helpers.faults import CONSOLE_USER, SITE, UNIT

    msg = subscribe.simple(
        p.BedAddress(SITE, UNIT, bed).topic("status"),
        hostname="127.0.0.1",
        port=broker.plain_port,
        auth={"username": CONSOLE_USER, "password": broker.passwords[CONSOLE_USER]},
        client_id="ignored",
    )
    assert msg is not None
    return p.decode_as(msg.payload, p.BedStatus).faults or ()


def test_a_corrupt_station_database_is_moved_aside_and_a_fresh_one_started(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    db = tmp_path / "station-desk.sqlite3"
    db.write_bytes(b"this is not a database at all" * 200)
    config = station_toml(prod_broker, tmp_path)
    station = start_serving_station(config, tmp_path, procs)
    assert "corrupt" in station.stderr() and "Traceback" not in station.stderr()
    kept = list(tmp_path.glob("station-desk.sqlite3.corrupt-*"))
    assert kept and kept[0].read_bytes().startswith(b"this is not")
    beds = start_beds(prod_broker, tmp_path, BEDS[:1], "beds", "--requests", "2")
    procs.append(beds)
    assert_converged(db, tmp_path, beds)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_missing_password_file_is_a_clear_error_not_a_silent_process(
    prod_broker: ProdBroker, tmp_path: Path
) -> None:
    config = station_toml(prod_broker, tmp_path)
    config.write_text(config.read_text().replace(str(prod_broker.password_dir), "/nonexistent"))
    done = spawn(["-m", "beckon", "station", "--headless", "--config", str(config)],
                 tmp_path, "nopw")  # fmt: skip
    # 78 (EX_CONFIG): restarting cannot make the file appear, so systemd does not loop on it.
    assert done.popen.wait(30) == 78
    assert "password_file" in done.stderr() and "Traceback" not in done.stderr()
