"""`beckon station ack/resolve` during outages: the command is sent again until the station's
queue shows it done, and when that never happens the command says so and exits 1 instead of
leaving the nurse believing the call was answered. Real Mosquitto (the shipped configuration
on loopback), a real station process (frozen with SIGSTOP to play an unreachable one), a real
simulated bed, real SQLite files."""

from __future__ import annotations

import signal
import sqlite3
import threading
from pathlib import Path

import pytest

from beckon.messaging import protocol as p
from beckon.station.client import StationClient
from tests.helpers.faults import (
    SITE,
    UNIT,
    Proc,
    ProdBroker,
    console_cli,
    console_login,
    station_with_one_call,
    stored,
    wait_until,
)

pytestmark = [pytest.mark.faults, pytest.mark.mqtt]


def _station_with_a_shown_call(broker: ProdBroker, tmp_path: Path, procs: list[Proc]) -> tuple[
    Proc, Path, str
]:  # fmt: skip
    """``station_with_one_call``, once the unit's queue lists the call (as windows show it)."""
    station, db, request_id = station_with_one_call(broker, tmp_path, procs)
    with StationClient(console_login(broker), SITE, UNIT) as client:
        assert wait_until(lambda: request_id in {r.id for r in client.wait_queue(30).requests}, 30)
    return station, db, request_id


def _lose_the_stations_session(broker: ProdBroker, station: Proc, client: StationClient) -> None:
    """Freeze the station (unreachable), then restart the broker without persistence: what is
    sent now reaches no subscriber until the station runs again and subscribes anew."""
    station.popen.send_signal(signal.SIGSTOP)
    broker.stop(signal.SIGKILL)
    assert wait_until(lambda: not client.link.connected, 30)
    broker.start()
    assert wait_until(lambda: client.link.connected, 30)


def test_a_resolve_lost_in_a_broker_restart_is_sent_again_and_confirmed(
    tmp_path: Path, procs: list[Proc]
) -> None:
    """The broker restarts without persistence while the station is unreachable (frozen):
    the first copy of the command reaches no subscriber and is gone. The CLI sends it again
    when the station announces itself, and reports it done; the station applies it once."""
    broker = ProdBroker(tmp_path / "broker", ["1"], persistence=False).setup()
    broker.start()
    station, db, request_id = _station_with_a_shown_call(broker, tmp_path, procs)
    console = console_login(broker)
    outcome: list[object] = []
    try:
        with StationClient(console, SITE, UNIT) as client:
            client.wait_queue(30)
            _lose_the_stations_session(broker, station, client)

            def resolve() -> None:
                try:
                    outcome.append(client.send("resolve", request_id[:8], "Nurse Alex", 90))
                except Exception as exc:  # handed to the test thread
                    outcome.append(exc)

            sender = threading.Thread(target=resolve, daemon=True)
            sender.start()
            assert wait_until(lambda: client.sends >= 1 or outcome, 30)
            assert client.sends == 1, outcome
            assert stored(db)[0][2] == "received"
            station.popen.send_signal(signal.SIGCONT)
            sender.join(120)
        assert outcome and isinstance(outcome[0], p.RequestView), outcome
        assert outcome[0].state == "resolved"
        assert client.sends >= 2  # the first copy was lost with the broker's sessions
        assert stored(db)[0][2] == "resolved"
        assert station.stderr().count(f"request {request_id[:8]} resolved by Nurse Alex") == 1
    finally:
        station.popen.send_signal(signal.SIGCONT)
        broker.stop()


def test_a_question_lost_in_a_broker_restart_is_sent_again_and_asked_once(
    tmp_path: Path, procs: list[Proc]
) -> None:
    """As for a resolve: the first copy of `beckon station ask` reaches no subscriber (the
    broker restarted without persistence while the station was unreachable). It was never
    asked, and the console said only that the station did not confirm it. Now it is sent
    again until the queue lists it, and the station asks the bed once."""
    broker = ProdBroker(tmp_path / "broker", ["1"], persistence=False).setup()
    broker.start()
    station, db, _ = _station_with_a_shown_call(broker, tmp_path, procs)
    outcome: list[object] = []
    try:
        with StationClient(console_login(broker), SITE, UNIT) as client:
            client.wait_queue(30)
            _lose_the_stations_session(broker, station, client)

            def ask() -> None:
                try:
                    outcome.append(client.ask("1", "Are you in pain?", "Nurse Alex", 0, 90))
                except Exception as exc:  # handed to the test thread
                    outcome.append(exc)

            asker = threading.Thread(target=ask, daemon=True)
            asker.start()
            assert wait_until(lambda: client.sends >= 2 or outcome, 30), outcome
            assert questions(db) == [], "the station was frozen: nothing can have been asked"
            station.popen.send_signal(signal.SIGCONT)
            asker.join(120)
        assert outcome and isinstance(outcome[0], p.QuestionView), outcome
        assert questions(db) == [outcome[0].id]
        assert station.stderr().count("Nurse Alex asks bed") == 1
    finally:
        station.popen.send_signal(signal.SIGCONT)
        broker.stop()


def questions(db: Path) -> list[str]:
    """The ids of the questions a station database holds, read-only."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM questions")]


@pytest.mark.window  # the frozen station's presence still fresh
def test_a_command_the_station_never_confirms_fails_loudly_with_exit_1(
    tmp_path: Path, procs: list[Proc]
) -> None:
    broker = ProdBroker(tmp_path / "broker", ["1"]).setup()
    broker.start()
    station, db, request_id = _station_with_a_shown_call(broker, tmp_path, procs)
    try:
        station.popen.send_signal(signal.SIGSTOP)  # its last presence is still fresh
        cli = console_cli(
            broker, tmp_path / "station-desk.toml",
            "ack", request_id[:8], "--nurse", "Nurse Alex", "--timeout", "3",
        )  # fmt: skip
        assert cli.returncode == 1, cli.stderr
        assert "did not confirm 'acknowledge'" in cli.stderr
        assert "may not have been applied" in cli.stderr
        assert "Traceback" not in cli.stderr
        assert stored(db)[0][2] == "received"
        # The broker kept the command for the station's session: once the station runs
        # again it applies it, once (which is why the message says "may").
        station.popen.send_signal(signal.SIGCONT)
        assert wait_until(lambda: stored(db)[0][2] == "acknowledged", 60)
        assert wait_until(lambda: "acknowledged by Nurse Alex" in station.stderr(), 10)
        assert station.stderr().count(f"request {request_id[:8]} acknowledged by") == 1
    finally:
        station.popen.send_signal(signal.SIGCONT)
        broker.stop()
