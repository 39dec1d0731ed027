"""A station window that was away (its link cut, then back with a clean session) shows what
the broker holds now: a call resolved or cancelled while it was away no longer shows as
waiting. The broker sends every retained call again but never says which were emptied, so the
calls heard again before the summary replace the old set."""

from __future__ import annotations

from beckon.config import BrokerConfig
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Connected, Disconnected, Message
from beckon.station.feed import StationFeed


def call(request_id: str, bed: str) -> Message:
    view = p.RequestView(request_id, "gh", "icu", bed, "water", "routine", "touch",
                         "received", p.now_iso(), p.now_iso())  # fmt: skip
    topic = p.Topics.call("gh", "icu", request_id)
    return Message(topic, p.encode(p.Call("gh", "icu", p.now_iso(), view)), retained=True)


def summary(open_calls: int) -> Message:
    queue = p.QueueSummary("gh", "icu", p.now_iso(), open_calls)
    return Message(p.Topics.unit("gh", "icu", "queue"), p.encode(queue), retained=True)


def shown(feed: StationFeed, *events: object) -> list[str]:
    snapshot = None
    for event in events:
        item = feed._decode(event)  # type: ignore[arg-type]
        if isinstance(item, p.UnitQueue):
            snapshot = item
    assert snapshot is not None
    return sorted(v.bed for v in snapshot.requests)  # made in the same millisecond: any order


def test_calls_closed_while_the_window_was_away_are_gone_when_it_is_back() -> None:
    feed = StationFeed(BrokerConfig(), "gh", "icu")
    first, second, third = p.new_request_id(), p.new_request_id(), p.new_request_id()
    before = shown(feed, Connected(), call(first, "1"), call(second, "2"), call(third, "3"),
                   summary(3))  # fmt: skip
    assert before == ["1", "2", "3"]
    # Away: bed 1 resolved, bed 2 cancelled; the broker emptied their retained calls.
    after = shown(feed, Disconnected(), Connected(), call(third, "3"), summary(1))
    assert after == ["3"]


def test_a_call_made_while_the_window_was_away_shows_when_it_is_back() -> None:
    feed = StationFeed(BrokerConfig(), "gh", "icu")
    first, later = p.new_request_id(), p.new_request_id()
    assert shown(feed, Connected(), call(first, "1"), summary(1)) == ["1"]
    after = shown(feed, Disconnected(), Connected(), call(first, "1"), call(later, "4"), summary(2))
    assert after == ["1", "4"]
