"""A station about to stand by (PostgreSQL failover) ends its old broker sessions: one that once
served kept its persistent session, subscribed, for 24 hours; the broker queued all the unit's
traffic for it while it stood by (200 messages a minute at 150 beds) and it replayed thousands
of stale messages when it took over. Real Mosquitto; SQLite stands in for the store, which the
sessions do not depend on."""

from __future__ import annotations

import queue
import time
from pathlib import Path
from typing import Any

import pytest

from beckon.background import Background
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Message, MqttLink
from tests.helpers.rig import send_raw, station_for

pytestmark = pytest.mark.mqtt


def queued_for(station: Any, port: int) -> list[str]:
    """Topics the broker kept for the station's session: it resumes it and listens 2 s."""
    link = MqttLink(station.settings.broker, client_id=station._client_id("icu"),
                    subscriptions=[], persistent=True)  # fmt: skip
    got: list[str] = []
    assert link.start(5.0)
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            try:
                event = link.events.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(event, Message) and event.topic.endswith("/request"):
                got.append(event.topic)
    finally:
        link.stop()
    return got


def request() -> bytes:
    return p.encode(p.Request(p.new_request_id(), "gh", "icu", "12", "water", "routine",
                              "touch", p.now_iso()))  # fmt: skip


def test_the_old_session_is_gone_and_nothing_queued_for_it(mosquitto: Any, tmp_path: Path) -> None:
    station = station_for(mosquitto.url, tmp_path / "s.sqlite3")
    with Background(station.run, "station"):
        assert station.ready.wait(10)  # it served: its session is subscribed
    topic = p.BedAddress("gh", "icu", "12").topic("request")
    send_raw(mosquitto.port, topic, request())
    # Without forgetting, the broker keeps what arrives for the session (the check itself).
    assert queued_for(station, mosquitto.port) == [topic]
    send_raw(mosquitto.port, topic, request())
    station.forget_sessions()
    assert queued_for(station, mosquitto.port) == []
