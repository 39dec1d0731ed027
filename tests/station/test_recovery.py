"""A station that died between storing a change and publishing it leaves nothing stale: what
the database says reaches the beds when the station comes back, or when the command repeats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beckon.background import Background
from beckon.bedside import events as ev
from beckon.bedside.service import BedsideService, Submit
from beckon.messaging import protocol as p
from beckon.station.store import RequestStore
from tests.helpers.rig import Recorder, bedside_for, send_raw, station_for, wait_until

pytestmark = pytest.mark.mqtt


def received_request(bedside: BedsideService, seen: Recorder) -> str:
    bedside.post(Submit("water", "gesture"))
    assert wait_until(lambda: any(isinstance(e, ev.RequestSaved) for e in seen.events))
    request_id = next(e.request_id for e in seen.events if isinstance(e, ev.RequestSaved))
    assert wait_until(lambda: "received" in seen.states(request_id)), seen.events
    return request_id


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
    bedside = bedside_for(mosquitto.url, tmp_path / "outbox.sqlite3")
    seen = Recorder()
    bedside.listeners.append(seen)
    with Background(bedside.run, "bedside"):
        first = station_for(mosquitto.url, db)
        with Background(first.run, "station"):
            assert first.ready.wait(10)
            request_id = received_request(bedside, seen)
        committed_behind_the_stations_back(db, request_id, "acknowledged")
        assert seen.states(request_id)[-1] == "received"

        again = station_for(mosquitto.url, db)
        with Background(again.run, "station-again"):
            assert again.ready.wait(10)
            assert wait_until(lambda: "acknowledged" in seen.states(request_id)), seen.events


def test_a_repeated_command_the_station_refuses_still_sends_the_bed_its_state(
    mosquitto: Any, tmp_path: Path
) -> None:
    db = tmp_path / "station.sqlite3"
    station = station_for(mosquitto.url, db)
    bedside = bedside_for(mosquitto.url, tmp_path / "outbox.sqlite3")
    seen = Recorder()
    bedside.listeners.append(seen)
    with Background(station.run, "station"), Background(bedside.run, "bedside"):
        assert station.ready.wait(10)
        request_id = received_request(bedside, seen)
        committed_behind_the_stations_back(db, request_id, "resolved")
        # The broker redelivers the nurse's command: "already resolved", refused, and yet
        # the bed must now hear that it was.
        cmd = p.nurse_command("resolve", request_id, "Nurse Kim")
        send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(cmd))
        assert wait_until(lambda: "resolved" in seen.states(request_id)), seen.events
