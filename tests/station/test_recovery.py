"""A station that died between storing a change and publishing it leaves nothing stale: what
the database says reaches the beds when the station comes back, or when the command repeats."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.background import Background
from beckon.bedside import events as ev
from beckon.messaging import protocol as p
from beckon.station.store import RequestStore
from tests.helpers.rig import (
    recorded_bedside,
    request_received,
    send_raw,
    serving_station,
    station_and_bedside,
    station_for,
    wait_until,
)

pytestmark = pytest.mark.mqtt


def committed_behind_the_stations_back(db: Path, request_id: str, state: str) -> None:
    """What a station that died right after its commit leaves: the change stored, unpublished."""
    store = RequestStore(db)
    try:
        store.change(request_id, state, by="Nurse Kim")  # type: ignore[arg-type]
    finally:
        store.close()


def test_a_change_stored_by_a_station_that_died_reaches_the_bed_when_it_is_back(
    mosquitto: Any, tmp_path: Path
) -> None:
    db = tmp_path / "station.sqlite3"
    bedside, seen = recorded_bedside(mosquitto.url, tmp_path / "outbox.sqlite3")
    with Background(bedside.run, "bedside"):
        with serving_station(mosquitto.url, db):
            request_id = request_received(bedside, seen)
        committed_behind_the_stations_back(db, request_id, "acknowledged")
        assert seen.states(request_id)[-1] == "received"

        with serving_station(mosquitto.url, db, "station-again"):
            assert wait_until(lambda: "acknowledged" in seen.states(request_id)), seen.events


def test_a_repeated_command_the_station_refuses_still_sends_the_bed_its_state(
    mosquitto: Any, tmp_path: Path
) -> None:
    db = tmp_path / "station.sqlite3"
    station = station_for(mosquitto.url, db)
    bedside, seen = recorded_bedside(mosquitto.url, tmp_path / "outbox.sqlite3")
    with Background(station.run, "station"), Background(bedside.run, "bedside"):
        assert station.ready.wait(10)
        request_id = request_received(bedside, seen)
        committed_behind_the_stations_back(db, request_id, "resolved")
        # The broker redelivers the nurse's command: "already resolved", refused, and yet
        # the bed must now hear that it was.
        cmd = p.nurse_command("resolve", request_id, "Nurse Kim")
        send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(cmd))
        assert wait_until(lambda: "resolved" in seen.states(request_id)), seen.events


def retained(port: int, topic: str, wait_s: float = 1.5) -> bytes | None:
    """The retained message the broker holds on ``topic`` (None: none, or an empty one)."""
    got: list[bytes] = []
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="test-retained")
    client.on_message = lambda _c, _u, msg: got.append(bytes(msg.payload)) if msg.retain else None
    client.connect("127.0.0.1", port)
    client.subscribe(topic, qos=1)
    client.loop_start()
    time.sleep(wait_s)
    client.disconnect()
    client.loop_stop()
    return got[-1] if got and got[-1] else None


def test_open_calls_survive_a_station_database_moved_aside(mosquitto: Any, tmp_path: Path) -> None:
    """The bed had its receipt long ago and will never send the call again: the call message
    the broker retains is the last copy, and the new database adopts it."""
    db = tmp_path / "station.sqlite3"
    bedside, seen = recorded_bedside(mosquitto.url, tmp_path / "outbox.sqlite3")
    with Background(bedside.run, "bedside"):
        with serving_station(mosquitto.url, db):
            request_id = request_received(bedside, seen)
            cmd = p.nurse_command("acknowledge", request_id, "Nurse Kim")
            send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(cmd))
            assert wait_until(lambda: "acknowledged" in seen.states(request_id))
        assert wait_until(lambda: bedside.waiting == 0)
        for leftover in tmp_path.glob("station.sqlite3*"):
            leftover.unlink()
        db.write_bytes(b"not a database any more" * 200)  # moved aside at the next start

        with serving_station(mosquitto.url, db, "station-again") as again:
            assert wait_until(lambda: request_id in again._open["icu"], 10)
    store = RequestStore(db)
    view = store.get(request_id)
    assert view is not None and view.state == "acknowledged" and view.by == "Nurse Kim"
    assert view.intent == "water" and view.bed == "12"
    assert [e[0] for e in store.events(request_id)] == ["received", "acknowledged"]
    call = retained(mosquitto.port, p.Topics.call("gh", "icu", request_id))
    assert call is not None, "the call is still on the nurses' screens"
    assert list(tmp_path.glob("station.sqlite3.corrupt-*")), "the damaged file was kept"


def test_a_call_the_database_has_closed_is_still_emptied(mosquitto: Any, tmp_path: Path) -> None:
    db = tmp_path / "station.sqlite3"
    station = station_for(mosquitto.url, db)
    bedside, seen = recorded_bedside(mosquitto.url, tmp_path / "outbox.sqlite3")
    topic = ""
    with Background(station.run, "station"), Background(bedside.run, "bedside"):
        assert station.ready.wait(10)
        request_id = request_received(bedside, seen)
        topic = p.Topics.call("gh", "icu", request_id)
        open_call = retained(mosquitto.port, topic)
        assert open_call is not None
        cmd = p.nurse_command("resolve", request_id, "Nurse Kim")
        send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(cmd))
        assert wait_until(lambda: "resolved" in seen.states(request_id))
        # A stale copy of the open call comes back (say, a bridge replaying it).
        send_raw(mosquitto.port, topic, open_call, retain=True)
        assert wait_until(lambda: retained(mosquitto.port, topic, 0.5) is None, 10)
    view = RequestStore(db).get(request_id)
    assert view is not None and view.state == "resolved"


def test_an_answer_to_a_question_the_database_lost_is_still_confirmed(
    mosquitto: Any, tmp_path: Path
) -> None:
    """Unconfirmed, the bed sent it again for ever and its board showed calls not arriving."""
    from beckon.bedside.service import Gesture

    with station_and_bedside(mosquitto.url, tmp_path) as (_, bedside, seen):
        # A question from before the database was restored: the bed has it, the store not.
        lost = p.Question(
            p.new_request_id(), "gh", "icu", "12", "Are you cold?", "Kim", p.now_iso()
        )
        send_raw(mosquitto.port, p.BedAddress("gh", "icu", "12").topic("question"), p.encode(lost))
        assert wait_until(lambda: any(isinstance(e, ev.QuestionAsked) for e in seen.events))
        bedside.post(Gesture("nod", 1.0, 0.9))
        assert wait_until(lambda: any(isinstance(e, ev.AnswerReceived) for e in seen.events))
        assert wait_until(lambda: bedside.waiting == 0)


def test_a_cancel_for_a_request_the_station_never_stored_is_confirmed_once_overdue(
    mosquitto: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bed sends a request before its cancel, so a cancel still unmatched after a while
    means the station lost the request (an older backup). Unconfirmed, the tablet sent it again
    every five minutes for ever; confirmed too early, a request still on its way would be
    shown to nobody."""
    from beckon.bedside import service as bedside_service
    from beckon.bedside.service import CancelRequest
    from beckon.station import service as station_service

    monkeypatch.setattr(station_service, "UNKNOWN_CANCEL_AFTER_S", 2.0)
    monkeypatch.setattr(bedside_service, "RESEND_AFTER_S", 0.5)
    with station_and_bedside(mosquitto.url, tmp_path) as (_, bedside, seen):
        lost = p.new_request_id()
        posted = time.monotonic()
        bedside.post(CancelRequest(lost))
        assert wait_until(lambda: "cancelled" in seen.states(lost), 20), seen.events
        assert time.monotonic() - posted >= 2.0, "confirmed before the request could arrive"
        assert wait_until(lambda: bedside.waiting == 0)
    assert RequestStore(tmp_path / "station.sqlite3").get(lost) is None
