"""A unit's link that connects for the first time after the station serves is checked for a
twin before its requests are stored, as at any reconnect.

The station sorts each batch requests first, so a request that came in the same batch as its
link's first ``Connected`` was handled before that ``Connected`` began the link's check: a link
not connected since the station started did not count as down, and its first connection's
requests were stored and receipted while a twin might hold the unit (review rev48s2). The links
are stood in for (their ``connected`` flag, SUBACK time and what they publish) and the clock is
stepped by hand: which batch a broker's messages fall into cannot be chosen with a real one.
The store is real SQLite."""

from __future__ import annotations

import queue
from pathlib import Path
from types import SimpleNamespace

import pytest

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Connected, Message
from beckon.station import service as service_module
from beckon.station.service import PROBE_S, StationService
from beckon.station.store import RequestStore

SITE = "gh"
UNITS = ("icu", "ward")


class Clock:
    """``time.monotonic`` set by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class StoodInLink(SimpleNamespace):
    """One unit's broker link, connected, its subscriptions confirmed; what the station
    publishes on it is kept by topic."""

    def __init__(self) -> None:
        super().__init__(connected=True, subscribed_at=0.0, keepalive=5, subscribe_unsent=False)
        self.topics: list[str] = []

    def publish(self, topic: str, payload: bytes, retain: bool = False, qos: int = 1) -> None:
        self.topics.append(topic)

    def hold_acks(self) -> None:
        """Deferred acknowledgements are MqttLink's: nothing to defer here."""

    def hold_off(self, delay_s: float) -> None:
        """The reconnect delay is MqttLink's: nothing reconnects here."""

    def receipts(self) -> int:
        return sum(topic.endswith("/receipt") for topic in self.topics)


def ward_request() -> tuple[str, Message]:
    req = p.Request(p.new_request_id(), SITE, "ward", "3", "water", "routine", "touch",
                    p.now_iso())  # fmt: skip
    topic = p.BedAddress(SITE, "ward", "3").topic("request")
    return req.id, Message(topic, p.encode(req), link="ward")


def test_a_request_beside_its_links_first_connect_waits_for_that_links_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """icu's check ends and the station serves while ward's link has not connected yet. ward's
    first connection brings a request in the same batch as its ``Connected``: it waits for
    ward's check (before: stored and receipted at once, the check not begun), and once that
    check ends it is stored and receipted, once."""
    clock = Clock()
    monkeypatch.setattr(service_module.time, "monotonic", clock)
    config = StationConfig(SITE, UNITS, database=str(tmp_path / "s.sqlite3"))
    station = StationService(StationSettings(config, BrokerConfig()))
    station._store = RequestStore(tmp_path / "s.sqlite3")  # opened by run(), not run here
    station._open = {unit: {} for unit in UNITS}  # run() reads them from the empty store
    icu, ward = StoodInLink(), StoodInLink()
    station.links = {"icu": icu, "ward": ward}  # type: ignore[dict-item]
    station.handle(Connected("icu", 1))
    clock.now += PROBE_S + 0.5
    station._heartbeat()  # icu's start-up check ends: the station serves icu
    assert station.units_serving == ["icu"]

    request_id, request = ward_request()
    events: queue.Queue[object] = queue.Queue()
    events.put(Connected("ward", 1))
    events.put(request)
    for event in station._store_first(events, 0):
        assert isinstance(event, Connected)  # the request went first (``_next_batch``)
        station.handle(event)

    assert station.store.get(request_id) is None, "stored before ward's check began"
    assert ward.receipts() == 0
    assert "ward" not in station.units_serving  # its check runs

    clock.now += PROBE_S + 0.5
    station._heartbeat()  # ward's check ends with no twin heard: ward is served
    station._requeue_held(events)
    station._store_first(events, 0)

    assert station.units_serving == ["icu", "ward"]
    assert station.store.get(request_id) is not None
    assert ward.receipts() == 1
    assert station.announce_owed == []  # both announced, no fault in the stand-in
