"""The PostgreSQL store against a real PostgreSQL server (Debian's packages, started by the test
setup): the same contract as the SQLite store, run on both; versioned migrations with a refused
downgrade; and failover between two real station processes through an advisory lock."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import psycopg
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.background import Background
from beckon.bedside.events import BedsideEvent, StateChanged
from beckon.bedside.service import BedsideService, Submit
from beckon.config import BedsideConfig, BedsideSettings, BrokerConfig
from beckon.messaging import protocol as p
from beckon.station.pgstore import SCHEMA_VERSION, Leadership, PostgresRequestStore
from beckon.station.store import RequestStore, StoreUnavailable
from tests.helpers.hospital import start_postgres, station_process, wait

BED = p.BedAddress("gh", "icu", "5")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RequestStore]:
    if request.param == "sqlite":
        made: RequestStore = RequestStore(tmp_path / "station.sqlite3")
    else:
        made = PostgresRequestStore(request.getfixturevalue("pg_url"))
    yield made
    made.close()


def _request(intent: str = "water", priority: p.Priority = "routine") -> p.Request:
    return p.Request(p.new_request_id(), "gh", "icu", "5", intent, priority, "touch", p.now_iso())


def test_both_stores_keep_the_same_lifecycle_audit_and_idempotent_receive(
    store: RequestStore,
) -> None:
    req = _request()
    view, new = store.receive(req)
    assert new and view.state == "received"
    again, new_again = store.receive(req)
    assert not new_again and again == view  # a resent request is stored once
    assert store.count() == 1
    acked = store.change(req.id, "acknowledged", by="Kim")
    assert (acked.state, acked.by) == ("acknowledged", "Kim")
    store.set_escalation(req.id, 1)
    done = store.change(req.id, "resolved", by="Kim")
    assert [h.state for h in done.history] == ["created", "received", "acknowledged", "resolved"]
    assert [(s, by) for s, _, by in store.events(req.id)] == [
        ("received", None),
        ("acknowledged", "Kim"),
        ("escalated:1", None),
        ("resolved", "Kim"),
    ]
    other = _request("pain", "urgent")
    store.receive(other)
    assert [v.id for v in store.open_requests("gh", "icu")] == [other.id]
    assert {v.id for v in store.for_bed(BED)} == {req.id, other.id}
    assert [v.id for v in store.find(other.id[:6])] == [other.id]
    rows = store.response_rows("gh", "icu", "2000-01-01T00:00:00Z")
    assert [(r.request_id, r.resolved_at is not None) for r in rows] == [
        (req.id, True),
        (other.id, False),
    ]
    with pytest.raises(Exception, match="resolved"):
        store.change(req.id, "acknowledged", by="Lee")  # the lifecycle is the same code

    q = p.Question(p.new_request_id(), "gh", "icu", "5", "In pain?", "Kim", p.now_iso())
    assert store.ask(q) is not None
    assert store.ask(q) is None  # the same ask again (a standby replaying): stored once
    answer = p.Answer(q.id, "gh", "icu", "5", "yes", "gesture", p.now_iso())
    first, is_new = store.answer(answer)
    assert is_new and first is not None and first.answer == "yes"
    assert store.answer(answer)[1] is False
    assert [x.id for x in store.questions("gh", "icu")] == [q.id]

    assert store.set_bed_online(BED, False, p.now_iso()) is True
    assert store.set_bed_online(BED, False, p.now_iso()) is False
    assert store.offline_beds("gh", "icu") == ["5"]
    assert store.bed_online(BED) is False


def test_both_stores_remember_which_escalation_levels_were_paged(store: RequestStore) -> None:
    req = _request("nurse", "urgent")
    store.receive(req)
    assert store.unpaged("gh", "icu") == []
    store.set_escalation(req.id, 1)
    assert [v.id for v in store.unpaged("gh", "icu")] == [req.id]
    store.set_paged(req.id, 1)
    assert store.unpaged("gh", "icu") == []
    store.set_escalation(req.id, 2)
    store.set_paged(req.id, 1)  # a late confirmation of the lower level changes nothing
    assert [v.escalation for v in store.unpaged("gh", "icu")] == [2]
    store.change(req.id, "resolved", by="Kim")
    assert store.unpaged("gh", "icu") == [], "a closed call is not paged"


def test_migrations_run_once_and_a_newer_schema_is_refused(pg_url: str) -> None:
    PostgresRequestStore(pg_url).close()
    PostgresRequestStore(pg_url).close()  # a second start finds the schema current
    with psycopg.connect(pg_url, autocommit=True) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version")]
        assert versions == list(range(1, SCHEMA_VERSION + 1))
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreUnavailable, match="newer than this Beckon understands"):
        PostgresRequestStore(pg_url)


def test_leadership_is_one_station_at_a_time(pg_url: str) -> None:
    first = Leadership(pg_url, "gh", ["icu", "ward-2"])
    second = Leadership(pg_url, "gh", ["icu"])
    other_unit = Leadership(pg_url, "gh", ["ward-9"])
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert other_unit.try_acquire()
        first.release()
        assert wait(second.try_acquire, 5)
    finally:
        for lead in (first, second, other_unit):
            lead.release()


def test_an_active_station_that_loses_its_lock_stops_instead_of_serving_beside_the_new_one(
    pg_url: str, tmp_path: Path
) -> None:
    """A DBA's pg_terminate_backend, or a firewall closing the idle lock connection, ended the
    session and its lock: the standby took over while this station went on serving, and the
    two emptied each other's calls. Now the service's loop notices and stops with a fault."""
    from beckon.config import StationConfig, StationSettings
    from beckon.station.exclusive import StationClaim
    from beckon.station.service import StationService

    settings = StationSettings(
        StationConfig("gh", ("icu",), name="desk-a", store=pg_url), BrokerConfig()
    )
    claim = StationClaim(settings)
    try:
        assert claim.wait_active(threading.Event())
        service = StationService(settings)
        claim.watch(service, every_s=0.0)
        beat = service.beats[-1]
        beat()
        assert service.fault is None, "the lock is held: nothing to say"
        with psycopg.connect(pg_url, autocommit=True) as conn:
            pids = [r[0] for r in conn.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            )]  # fmt: skip
            assert pids
            for pid in pids:
                conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        beat()
        assert service.fault is not None and "LEADERSHIP LOST" in service.fault
    finally:
        claim.release()


# ---------------------------------------------------------------- failover


class QueueWatch:
    """Records when each station publishes the unit's queue summary, and its presence."""

    def __init__(self, url: str) -> None:
        self.lock = threading.Lock()
        self.queues: list[tuple[float, p.QueueSummary]] = []
        self.online: dict[str, bool] = {}
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id="queue-watch")
        self.client.on_message = self._on_message
        host, port = url.removeprefix("mqtt://").split(":")
        self.client.connect(host, int(port))
        self.client.subscribe([(p.Topics.unit("gh", "icu", "queue"), 1),
                               (p.Topics.station_status("gh", "icu", "+"), 1)])  # fmt: skip
        self.client.loop_start()

    def _on_message(self, c: Any, u: Any, msg: paho.MQTTMessage) -> None:
        if not msg.payload:
            return
        decoded = p.decode(bytes(msg.payload))
        with self.lock:
            if isinstance(decoded, p.QueueSummary):
                self.queues.append((time.monotonic(), decoded))
            elif isinstance(decoded, p.StationStatus):
                self.online[decoded.name] = decoded.online

    def queues_after(self, t: float) -> list[p.QueueSummary]:
        with self.lock:
            return [q for at, q in self.queues if at > t]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.mark.mqtt
def test_a_standby_station_takes_over_within_10_s_of_kill_9(
    mosquitto: Any, pg_url: str, tmp_path: Path, beckon_cmd: list[str]
) -> None:
    watch = QueueWatch(mosquitto.url)
    active = station_process(beckon_cmd, tmp_path, "desk-a", mosquitto.url, pg_url)
    standby: subprocess.Popen[bytes] | None = None
    bed = BedsideService(
        BedsideSettings(
            BedsideConfig("gh", "icu", "5", inputs=("touch",), outbox=str(tmp_path / "o.db")),
            BrokerConfig(url=mosquitto.url),
        )
    )
    events: list[BedsideEvent] = []
    bed.listeners.append(events.append)

    def received() -> list[str]:
        return [
            e.request_id for e in events if isinstance(e, StateChanged) and e.state == "received"
        ]

    try:
        assert wait(lambda: watch.online.get("desk-a") is True, 30), (
            tmp_path / "desk-a.log"
        ).read_text()
        standby = station_process(beckon_cmd, tmp_path, "desk-b", mosquitto.url, pg_url)
        assert wait(lambda: b"standing by" in (tmp_path / "desk-b.log").read_bytes(), 30)
        assert "desk-b" not in watch.online  # a standby says nothing on the broker
        with Background(bed.run, "bedside"):
            bed.post(Submit("water", "touch"))
            assert wait(lambda: len(received()) == 1, 20)

            os.kill(active.pid, signal.SIGKILL)
            killed = time.monotonic()
            assert wait(lambda: bool(watch.queues_after(killed)), 15), (
                tmp_path / "desk-b.log"
            ).read_text()
            took_over_s = next(at for at, _ in watch.queues if at > killed) - killed
            assert took_over_s <= 10.0
            print(f"failover: kill -9 to the standby's queue in {took_over_s:.2f} s")
            assert wait(lambda: watch.online.get("desk-b") is True, 10)
            (queue,) = watch.queues_after(killed)[:1]
            assert queue.open == 1  # the open call is still there

            bed.post(Submit("nurse", "touch"))
            assert wait(lambda: len(received()) == 2, 20)
    finally:
        for proc in (active, standby):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(20)
        watch.close()
    with psycopg.connect(pg_url) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM requests ORDER BY created_at")]
    assert ids == received()  # nothing lost, nothing stored twice


@pytest.mark.mqtt
def test_a_postgresql_station_running_here_keeps_the_doctor_off_the_broker(
    mosquitto: Any,
    pg_url: str,
    tmp_path: Path,
    beckon_cmd: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The shipped broker binds client ids to usernames, so the doctor logging in with a
    running station's config would throw it off its unit. A PostgreSQL station has no database
    file here; it holds a lock of its own in the state folder, which the doctor sees. A second
    service with the same config on this machine (its own broker user), headless or in the
    window, refuses to start instead of standing by."""
    from beckon.cli import main

    def doctor() -> dict[str, dict[str, str]]:
        main(["doctor", "station", "--config", str(config), "--listen", "1", "--json"])
        return {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}

    watch = QueueWatch(mosquitto.url)
    # The second services give up on desk-a's lock after 1 s, not the shipped 45 s: the
    # refusal (status 2, the holder named) is the same, the wait is test_start_refusals'.
    station = station_process(
        beckon_cmd, tmp_path, "desk-a", mosquitto.url, pg_url, lock_wait_s=1.0
    )
    config = tmp_path / "desk-a.toml"
    try:
        assert wait(lambda: watch.online.get("desk-a") is True, 30), (
            tmp_path / "desk-a.log"
        ).read_text()
        checks = doctor()
        assert checks["store"]["outcome"] == "pass", checks
        assert {n: checks[n]["outcome"] for n in ("broker", "clock", "beds")} == dict.fromkeys(
            ("broker", "clock", "beds"), "skip"
        ), checks
        assert f"pid {station.pid}" in checks["broker"]["detail"]
        for how in ("--headless", "--serve"):
            second = subprocess.run(
                [*beckon_cmd, "station", how, "--config", str(config)],
                env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
                capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert second.returncode == 2, (how, second.stderr)
            assert f"another station service (pid {station.pid})" in second.stderr, how
        assert station.poll() is None and watch.online.get("desk-a") is True
    finally:
        if station.poll() is None:
            station.terminate()
            station.wait(20)
        watch.close()
    assert doctor()["broker"]["outcome"] == "pass"  # stopped: the doctor checks the broker


def test_the_doctor_checks_the_postgresql_store_without_migrating_it(pg_url: str) -> None:
    from beckon.doctor.remote import check_postgres

    fresh = check_postgres(pg_url)
    assert fresh.outcome == "pass" and "upgraded on start" in fresh.detail
    PostgresRequestStore(pg_url).close()
    assert "schema current" in check_postgres(pg_url).detail
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION + 1,))
    newer = check_postgres(pg_url)
    assert newer.outcome == "fail" and "upgrade Beckon" in newer.fix
    port = int(pg_url.split(":")[2].split("/")[0])
    gone = check_postgres(pg_url.replace(f":{port}/", f":{port + 1}/"))
    assert gone.outcome == "fail" and "station.store" in gone.fix


def test_a_station_whose_postgresql_server_goes_away_stops_and_says_so(
    mosquitto: Any, tmp_path: Path, beckon_cmd: list[str]
) -> None:
    """A lost PostgreSQL server is as fatal as SQLite's full disk: the station must not stay
    "online" while it cannot store a call. It stops with exit code 1 and names the store (not
    its password), so systemd restarts it or a standby takes the lock; bedsides keep their
    requests meanwhile."""
    server = start_postgres()  # its own server: stopping it leaves the shared one alone
    watch = QueueWatch(mosquitto.url)
    station: subprocess.Popen[bytes] | None = None
    try:
        url = server.new_database()
        station = station_process(beckon_cmd, tmp_path, "desk-a", mosquitto.url, url)
        log = tmp_path / "desk-a.log"
        assert wait(lambda: watch.online.get("desk-a") is True, 30), log.read_text()
        server.stop()
        # The station writes a health row every STORE_PING_S (5 s), so the loss shows soon.
        assert station.wait(30) == 1, log.read_text()
        text = log.read_text()
        assert "STATION FAULT: PostgreSQL store postgresql://beckon@127.0.0.1:" in text, text
        assert wait(lambda: watch.online.get("desk-a") is False, 10)
    finally:
        if station is not None and station.poll() is None:
            station.kill()
            station.wait(10)
        watch.close()
        with contextlib.suppress(RuntimeError):  # already stopped unless an assert came first
            server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.mark.mqtt
def test_a_request_postgresql_refuses_to_store_is_a_station_fault(
    pg_url: str, mosquitto: Any, tmp_path: Path
) -> None:
    """A write error of PostgreSQL's while requests arrive ended the station's loop with a
    traceback instead of a fault (only SQLite's errors were caught there). The request is not
    lost: the bed keeps it until a station stores it."""
    from beckon.lab.rig import Rig
    from tests.helpers.rig import send_raw

    station = Rig(mosquitto.url, tmp_path).station({"station.store": pg_url})
    PostgresRequestStore(pg_url).close()  # the schema, as the station makes it
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE requests ADD CONSTRAINT no_rows CHECK (false) NOT VALID")
    with Background(station.run, "station") as running:
        assert station.ready.wait(10)
        req = p.Request(p.new_request_id(), "gh", "icu", "12", "water", "routine", "touch",
                        p.now_iso())  # fmt: skip
        send_raw(mosquitto.port, p.BedAddress("gh", "icu", "12").topic("request"), p.encode(req))
        assert wait(lambda: station.fault is not None, 30)
    assert station.fault is not None and "cannot be written" in station.fault
    assert running.error is None, running.error
