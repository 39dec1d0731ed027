"""Heartbeats are repeats of a presence already published at QoS 1: the broker must not queue
them for a subscriber that is away. A station back after an hour would otherwise read every
bed's stale heartbeats before the calls (and past ``max_queued_messages`` Mosquitto drops new
messages); a tablet off for a day would read a day of station heartbeats."""

from __future__ import annotations

import queue
import time
from pathlib import Path
from typing import Any

import pytest

from beckon.bedside import service as bedside_module
from beckon.config import BrokerConfig
from beckon.lab.rig import Rig
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Message, MqttLink
from beckon.station import service as station_module

pytestmark = pytest.mark.mqtt


def away_subscriber(url: str, topic: str) -> None:
    """Make a persistent session subscribed to ``topic``, then leave it (the session stays)."""
    link = MqttLink(BrokerConfig(url=url), "beckon-test-away", [topic], persistent=True)
    assert link.start(wait_s=10)
    time.sleep(0.3)  # the subscription is acknowledged
    link.stop()


def back(url: str, topic: str, listen_s: float = 1.5) -> list[Message]:
    """Come back to the session and collect what the broker kept (and sends now)."""
    got: queue.Queue[Any] = queue.Queue()
    link = MqttLink(BrokerConfig(url=url), "beckon-test-away", [topic], events=got)
    assert link.start(wait_s=10)
    time.sleep(listen_s)
    link.stop()
    out: list[Message] = []
    while not got.empty():
        item = got.get()
        if isinstance(item, Message) and item.topic == topic:
            out.append(item)
    return out


class Watcher:
    """A live subscriber that counts the heartbeats (not retained) sent on ``topic``: the tests
    wait for ten of them, not for a fixed time, to know the broker had heartbeats to keep."""

    def __init__(self, url: str, topic: str) -> None:
        self.topic = topic
        self.events: queue.Queue[Any] = queue.Queue()
        self.link = MqttLink(BrokerConfig(url=url), "beckon-test-watcher", [topic],
                             persistent=False, events=self.events)  # fmt: skip
        self.beats = 0
        assert self.link.start(wait_s=10)

    def wait_beats(self, n: int, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while self.beats < n and time.monotonic() < deadline:
            try:
                item = self.events.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(item, Message) and item.topic == self.topic and not item.retained:
                self.beats += 1
        self.link.stop()
        return self.beats >= n


def test_bed_heartbeats_are_not_queued_for_an_absent_station(
    mosquitto: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bedside_module, "HEARTBEAT_S", 0.1)
    rig = Rig(mosquitto.url, tmp_path, "gh", "icu")
    topic = p.BedAddress("gh", "icu", "5").topic("status")
    away_subscriber(mosquitto.url, topic)
    watcher = Watcher(mosquitto.url, topic)
    try:
        rig.run(rig.bedside("5"))
        assert watcher.wait_beats(10), "heartbeats went out while the station was away"
    finally:
        rig.close()
    kept = back(mosquitto.url, topic)
    # The retained presence (once queued at QoS 1, once again on subscribing) and the bed's
    # "offline" when it stopped; never the heartbeats.
    assert 1 <= len(kept) <= 4, [m.retained for m in kept]


def test_station_heartbeats_are_not_queued_for_an_absent_bed(
    mosquitto: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(station_module, "HEARTBEAT_S", 0.1)
    rig = Rig(mosquitto.url, tmp_path, "gh", "icu")
    topic = p.Topics.station_status("gh", "icu", "desk")
    away_subscriber(mosquitto.url, topic)
    watcher = Watcher(mosquitto.url, topic)
    try:
        rig.serve(rig.station({"station.name": "desk"}))
        assert watcher.wait_beats(10), "heartbeats went out while the bed was away"
    finally:
        rig.close()
    kept = back(mosquitto.url, topic)
    assert 1 <= len(kept) <= 4, [m.retained for m in kept]
    assert kept[-1].retained, "the last presence is still retained for newcomers"


def test_heartbeats_leave_nothing_behind_in_the_link(mosquitto: Any) -> None:
    """paho can report a QoS 0 message written before ``publish`` has noted it: the note then
    stayed for good, about 220 an hour per bed (a soak of an hour). Only QoS 1 messages, whose
    acknowledgement can refuse them, are noted, and each goes with its acknowledgement."""
    from tests.helpers.rig import wait_until

    link = MqttLink(BrokerConfig(url=mosquitto.url), "beckon-test-beats", [])
    assert link.start(wait_s=10)
    try:
        for i in range(300):
            link.publish("beckon/v1/gh/icu/bed/12/status", b"{}", qos=0)
            if i % 10 == 0:
                link.publish("beckon/v1/gh/icu/bed/12/status", b"{}", qos=1)
        assert wait_until(lambda: not link._in_flight, timeout=10), len(link._in_flight)
        # The race itself, made certain: a QoS 0 message whose "written" comes before the
        # note (here: never) must leave no note.
        from itertools import count
        from types import SimpleNamespace

        mids = count(100_000)
        assert link._client is not None
        link._client.publish = lambda *a, **k: SimpleNamespace(mid=next(mids), rc=0)  # type: ignore[method-assign,assignment]
        link.publish("beckon/v1/gh/icu/bed/12/status", b"{}", qos=0)
        assert link._in_flight == {}
    finally:
        link.stop()
