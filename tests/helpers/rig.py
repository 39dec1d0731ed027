"""Services on a real broker for the end-to-end tests, built with the one-machine rig."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from beckon.background import Background
from beckon.bedside import events as ev
from beckon.bedside.events import BedsideEvent
from beckon.bedside.service import BedsideService, Submit
from beckon.lab.rig import Rig
from beckon.messaging.protocol import Source
from beckon.station.service import StationService
from tests.helpers.polling import wait_until


def station_for(url: str, db: Path) -> StationService:
    """A station service for site gh, unit icu, storing in ``db``."""
    return Rig(url, db.parent).station({"station.database": str(db)})


def bedside_for(url: str, outbox: Path, bed: str = "12") -> BedsideService:
    """Bed ``bed`` of gh/icu with its outbox at ``outbox`` and a short keepalive, so a lost
    connection is noticed within seconds."""
    return Rig(url, outbox.parent).bedside(
        bed, {"bedside.outbox": str(outbox), "broker.keepalive": 2}
    )


def unlinked_bedside(folder: Path) -> BedsideService:
    """Bed 12 of gh/icu as its thread has it once running (its outbox ``folder/o.db`` open)
    but with no broker link: fed messages and calls directly, on the test's thread."""
    from beckon.config import BedsideConfig, BedsideSettings
    from beckon.messaging.outbox import open_outbox

    config = BedsideConfig("gh", "icu", "12", outbox=str(folder / "o.db"))
    service = BedsideService(BedsideSettings(config))
    service.outbox = open_outbox(folder / "o.db")
    return service


class Recorder:
    """Collects a bedside service's events (they arrive on its thread)."""

    def __init__(self) -> None:
        self.events: list[BedsideEvent] = []
        self.lock = threading.Lock()

    def __call__(self, event: BedsideEvent) -> None:
        with self.lock:
            self.events.append(event)

    def states(self, request_id: str) -> list[str]:
        with self.lock:
            return [
                e.state
                for e in self.events
                if isinstance(e, ev.StateChanged) and e.request_id == request_id
            ]


def recorded_bedside(url: str, outbox: Path) -> tuple[BedsideService, Recorder]:
    """Bed 12 (``bedside_for``) with its events recorded from the start."""
    bedside = bedside_for(url, outbox)
    seen = Recorder()
    bedside.listeners.append(seen)
    return bedside, seen


def request_received(
    bedside: BedsideService, seen: Recorder, intent: str = "water", source: Source = "gesture"
) -> str:
    """The id of a request the patient makes now, once the bed has saved it and heard the
    station's receipt (the bed is running; ``seen`` records its events)."""
    bedside.post(Submit(intent, source))
    assert wait_until(lambda: any(isinstance(e, ev.RequestSaved) for e in seen.events)), seen.events
    request_id = next(e.request_id for e in seen.events if isinstance(e, ev.RequestSaved))
    assert wait_until(lambda: "received" in seen.states(request_id)), seen.events
    return request_id


@contextmanager
def serving_station(url: str, db: Path, name: str = "station") -> Iterator[StationService]:
    """A station (``station_for``) running in the background as ``name``, once it serves;
    it stops after."""
    station = station_for(url, db)
    with Background(station.run, name):
        assert station.ready.wait(10)
        yield station


@contextmanager
def station_and_bedside(
    url: str, folder: Path, connected: bool = True
) -> Iterator[tuple[StationService, BedsideService, Recorder]]:
    """A station (``folder/station.sqlite3``) and bed 12 (``folder/outbox.sqlite3``) running,
    the station serving and (unless ``connected`` is False: a request made while the bed is
    still connecting for the first time) the bed connected, the bed's events recorded; both
    stop after."""
    station = station_for(url, folder / "station.sqlite3")
    bedside, seen = recorded_bedside(url, folder / "outbox.sqlite3")
    with Background(station.run, "station"), Background(bedside.run, "bedside"):
        assert station.ready.wait(10)
        if connected:
            assert wait_until(lambda: bedside.link is not None and bedside.link.connected)
        yield station, bedside, seen


def send_raw(url_port: int, topic: str, payload: bytes, retain: bool = False) -> None:
    """Publish as a bare MQTT client would (a forged or repeated message)."""
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="test-raw")
    client.connect("127.0.0.1", url_port)
    client.loop_start()
    client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()
