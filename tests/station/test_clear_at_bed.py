"""Emergencies are cleared at the bedside only: a nurse marks "nurse in room" at the bed's own
screen, then clears there. Real Mosquitto, real station service, real SQLite store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.background import Background
from beckon.bedside import events as ev
from beckon.bedside.service import ClearAtBed, NursePresence
from beckon.messaging import protocol as p
from beckon.station.events import RequestChanged, StationEvent
from beckon.station.service import StationService
from beckon.station.store import RequestStore
from tests.helpers.rig import (
    request_received,
    send_raw,
    serving_station,
    station_and_bedside,
    station_for,
    wait_until,
)

pytestmark = pytest.mark.mqtt

BED12 = p.BedAddress("gh", "icu", "12")
BED13 = p.BedAddress("gh", "icu", "13")


def _emergency(bed: p.BedAddress) -> p.Request:
    return p.Request(
        p.new_request_id(), bed.site, bed.unit, bed.bed, "emergency", "emergency", "touch",
        p.now_iso(),
    )  # fmt: skip


def _at_bed(bed: p.BedAddress, action: p.BedsideNurseAction, id: str | None = None) -> bytes:
    msg = p.NurseAtBed(
        p.new_request_id(), bed.site, bed.unit, bed.bed, action, "Nurse Kim", p.now_iso(), id
    )
    return p.encode(msg)


def _retained_queue(port: int) -> p.QueueSummary:
    """The unit's retained queue summary, read as a station window reads it."""
    got: list[p.QueueSummary] = []
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="test-queue-reader")
    client.on_message = lambda c, u, m: got.append(p.decode_as(bytes(m.payload), p.QueueSummary))
    client.connect("127.0.0.1", port)
    client.subscribe(p.Topics.unit("gh", "icu", "queue"), qos=1)
    client.loop_start()
    try:
        assert wait_until(lambda: bool(got), 5)
    finally:
        client.disconnect()
        client.loop_stop()
    return got[-1]


class _Changes:
    def __init__(self, station: StationService) -> None:
        self.seen: list[tuple[str, str]] = []
        station.listeners.append(self)

    def __call__(self, event: StationEvent) -> None:
        if isinstance(event, RequestChanged):
            self.seen.append((event.change, event.view.id))


@contextmanager
def _emergency_received(
    mosquitto: Any, folder: Path
) -> Iterator[tuple[StationService, _Changes, p.Request]]:
    """A station (``folder/station.sqlite3``) serving, with its request changes recorded, once
    it has received an emergency of bed 12; it stops after."""
    station = station_for(mosquitto.url, folder / "station.sqlite3")
    changes = _Changes(station)
    req = _emergency(BED12)
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        send_raw(mosquitto.port, req.address.topic("request"), p.encode(req))
        assert wait_until(lambda: ("received", req.id) in changes.seen)
        yield station, changes, req


def test_a_console_resolve_of_an_emergency_is_refused(mosquitto, tmp_path):
    with _emergency_received(mosquitto, tmp_path) as (_, changes, req):
        cmd = p.nurse_command("resolve", req.id, "Nurse Kim")
        send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(cmd))
        # An acknowledge sent after it is handled after it: the resolve was seen and refused.
        ack = p.nurse_command("acknowledge", req.id, "Nurse Kim")
        send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(ack))
        assert wait_until(lambda: ("acknowledged", req.id) in changes.seen)
    view = RequestStore(tmp_path / "station.sqlite3").get(req.id)
    assert view is not None and view.state == "acknowledged"
    assert ("resolved", req.id) not in changes.seen


def test_presence_then_clear_at_the_bed_resolves_the_emergency_exactly_once(mosquitto, tmp_path):
    nurse = BED12.topic("nurse")
    with _emergency_received(mosquitto, tmp_path) as (station, changes, req):
        # Without presence a clear is refused; presence then clear resolves it.
        send_raw(mosquitto.port, nurse, _at_bed(BED12, "clear", req.id))
        send_raw(mosquitto.port, nurse, _at_bed(BED12, "present"))
        assert wait_until(lambda: station.present_beds("icu") == ("12",))
        assert ("resolved", req.id) not in changes.seen
        for _ in range(3):  # a double tap or a resend changes nothing more
            send_raw(mosquitto.port, nurse, _at_bed(BED12, "clear", req.id))
        assert wait_until(lambda: ("resolved", req.id) in changes.seen)
        time.sleep(0.5)
    assert changes.seen.count(("resolved", req.id)) == 1
    events = RequestStore(tmp_path / "station.sqlite3").events(req.id)
    assert [(e[0], e[2]) for e in events] == [
        ("received", None),
        ("resolved", "Nurse Kim (at bed 12)"),
    ]
    assert all(e[1] for e in events)  # each change has its time


def test_nurse_in_room_is_visible_in_the_units_queue_summary(mosquitto, tmp_path):
    with serving_station(mosquitto.url, tmp_path / "station.sqlite3"):
        assert _retained_queue(mosquitto.port).present_beds == ()
        send_raw(mosquitto.port, BED12.topic("nurse"), _at_bed(BED12, "present"))
        assert wait_until(lambda: _retained_queue(mosquitto.port).present_beds == ("12",))
        send_raw(mosquitto.port, BED12.topic("nurse"), _at_bed(BED12, "absent"))
        assert wait_until(lambda: _retained_queue(mosquitto.port).present_beds == ())


def test_a_nurse_at_one_bed_cannot_clear_another_beds_emergency(mosquitto, tmp_path):
    """On a broker with the production ACL bed 13 cannot even publish on bed 12's topic
    (tests/deploy); here, without an ACL, the station's own rule refuses it too."""
    with _emergency_received(mosquitto, tmp_path) as (station, changes, req):
        send_raw(mosquitto.port, BED13.topic("nurse"), _at_bed(BED13, "present"))
        send_raw(mosquitto.port, BED13.topic("nurse"), _at_bed(BED13, "clear", req.id))
        # A message naming bed 12 on bed 13's topic is dropped as forged. Messages of one
        # topic are handled in order, so once it is dropped the clear before it was handled
        # (a request as the marker was handled first, before them: requests go first).
        send_raw(mosquitto.port, BED13.topic("nurse"), _at_bed(BED12, "clear", req.id))
        assert wait_until(lambda: station.dropped >= 1)
    assert ("resolved", req.id) not in changes.seen
    view = RequestStore(tmp_path / "station.sqlite3").get(req.id)
    assert view is not None and view.state == "received"


def test_a_nurse_at_the_bedside_screen_clears_its_emergency_through_the_bedside_service(
    mosquitto, tmp_path
):
    """The whole path: the bed calls an emergency, a console cannot resolve it, the nurse marks
    "nurse in room" on the bed's screen and clears it there; the tablet sees it resolved."""
    with station_and_bedside(mosquitto.url, tmp_path, connected=False) as (station, bedside, seen):
        rid = request_received(bedside, seen, "emergency", "touch")
        # Clearing before presence is refused by the tablet itself.
        bedside.post(ClearAtBed(rid, "Nurse Alex"))
        bedside.post(NursePresence("Nurse Alex"))
        assert wait_until(lambda: station.present_beds("icu") == ("12",))
        assert bedside.nurse_present == "Nurse Alex"
        assert "resolved" not in seen.states(rid)
        bedside.post(ClearAtBed(rid, "Nurse Alex"))
        assert wait_until(lambda: "resolved" in seen.states(rid)), seen.events
        resolved = next(
            e for e in seen.events if isinstance(e, ev.StateChanged) and e.state == "resolved"
        )
        assert resolved.by == "Nurse Alex (at bed 12)"
        bedside.post(NursePresence(None))
        assert wait_until(lambda: station.present_beds("icu") == ())
        assert bedside.nurse_present is None
