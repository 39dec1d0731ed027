"""What a station not serving yet keeps of its unit's messages (``HeldMessages``): bounded,
where a list kept every heartbeat and resend while holding back for hours (review rev43r:
30 beds, about 21,600 messages an hour, replayed at once when it served)."""

from __future__ import annotations

import logging

import pytest

from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Message
from beckon.station.held import HeldMessages

BED = "beckon/gh/icu/bed/{}/{}"
R1, R2 = p.new_request_id(), p.new_request_id()


def request(bed: str, request_id: str) -> Message:
    req = p.Request(request_id, "gh", "icu", bed, "water", "routine", "touch", p.now_iso())
    return Message(BED.format(bed, "request"), p.encode(req))


def status(bed: str, text: bytes, retained: bool) -> Message:
    return Message(BED.format(bed, "status"), text, retained=retained)


def test_an_hour_of_heartbeats_and_resends_keeps_one_of_each() -> None:
    held = HeldMessages()
    first = request("1", R1)
    held.add(status("1", b"old", retained=True))
    held.add(first)
    for _ in range(720):  # an hour of one bed's heartbeats (5 s) and its resends
        held.add(status("1", b"beat", retained=False))
        held.add(request("1", R1))
    held.add(Message(BED.format("1", "cancel"), b"c1"))
    held.add(Message(BED.format("1", "cancel"), b"c1"))  # a resend
    held.add(request("2", R2))
    held.add(status("1", b"new", retained=True))  # the latest state, after the others
    out = held.take()
    assert [m.topic.rsplit("/", 1)[1] for m in out] == ["request", "cancel", "request", "status"]
    assert out[0] == first and out[-1].payload == b"new"
    assert held.take() == []


def test_over_the_limit_the_oldest_go_and_the_log_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    held = HeldMessages(limit=3)
    with caplog.at_level(logging.WARNING):
        for n in range(5):
            held.add(Message(BED.format(n, "answer"), b"a"))
    assert len(held) == 3
    assert [m.topic for m in held.take()] == [BED.format(n, "answer") for n in (2, 3, 4)]
    assert caplog.text.count("HELD MESSAGES OVER 3") == 1
    assert "2 dropped over the limit" in caplog.text


def test_a_bed_status_that_arrives_live_is_kept_as_its_latest() -> None:
    """The broker delivers a live status (a heartbeat, the last will "offline", a status naming
    device faults) with retain=0: dropped as a heartbeat, an offline bed stayed online until the
    silent-bed check (review rev43r2)."""
    held = HeldMessages()
    held.add(status("3", b"beat", retained=False))
    held.add(status("3", b'{"online":false}', retained=False))
    assert [(m.topic, m.payload) for m in held.take()] == [
        (BED.format("3", "status"), b'{"online":false}')
    ]
