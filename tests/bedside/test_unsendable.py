"""What a bed cannot send or should not take does not hold up what it can: a bad row in the
outbox is set aside (kept in a file for IT) instead of failing at every send ahead of the
patient's next call, and a message for another bed on this bed's topic is dropped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from beckon.background import Background
from beckon.bedside import events as ev
from beckon.bedside.service import Submit
from beckon.messaging import protocol as p
from beckon.messaging.outbox import open_outbox
from beckon.station.store import RequestStore
from tests.helpers.rig import bedside_for, send_raw, station_and_bedside, station_for, wait_until

BED_12 = p.BedAddress("gh", "icu", "12")


def request_for(bed: p.BedAddress) -> p.Request:
    return p.Request(p.new_request_id(), bed.site, bed.unit, bed.bed, "water", "routine",
                     "touch", p.now_iso())  # fmt: skip


@pytest.mark.mqtt
def test_a_bad_outbox_row_is_set_aside_and_the_calls_after_it_still_go(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outbox_path = tmp_path / "outbox.sqlite3"
    outbox = open_outbox(outbox_path)
    wildcard = request_for(BED_12)
    outbox.add(f"request:{wildcard.id}", "beckon/v1/gh/icu/bed/+/request", p.encode(wildcard))
    moved = request_for(p.BedAddress("gh", "icu", "13"))  # the tablet was moved to bed 12
    outbox.add(f"request:{moved.id}", BED_12.topic("request"), p.encode(moved))
    good = request_for(BED_12)
    outbox.add(f"request:{good.id}", BED_12.topic("request"), p.encode(good))
    outbox.close()

    station = station_for(mosquitto.url, tmp_path / "station.sqlite3")
    bedside = bedside_for(mosquitto.url, outbox_path)
    with Background(station.run, "station"), Background(bedside.run, "bedside"):
        assert station.ready.wait(10)
        assert wait_until(lambda: bedside.waiting == 0), "the good request was never confirmed"
    store = RequestStore(tmp_path / "station.sqlite3")
    assert store.get(good.id) is not None and store.count() == 1
    kept = outbox_path.with_name("outbox.sqlite3.set-aside.jsonl").read_text().splitlines()
    assert [json.loads(line)["key"] for line in kept] == [
        f"request:{wildcard.id}",
        f"request:{moved.id}",
    ]
    assert caplog.text.count("OUTBOX ROW SET ASIDE") == 2
    assert "names bed gh/icu/13, not this bed gh/icu/12" in caplog.text


@pytest.mark.mqtt
def test_a_question_for_another_bed_on_this_beds_topic_is_not_shown(
    mosquitto: Any, tmp_path: Path
) -> None:
    """Shown and answered, its answer named the other bed on this bed's topic: the station
    dropped it and the tablet sent it again for ever, with "calls not arriving" on its screen."""
    with station_and_bedside(mosquitto.url, tmp_path) as (_, bedside, seen):
        stray = p.Question(p.new_request_id(), "gh", "icu", "13", "Cold?", "Kim", p.now_iso())
        send_raw(mosquitto.port, BED_12.topic("question"), p.encode(stray))
        mine = p.Question(p.new_request_id(), "gh", "icu", "12", "Pain?", "Kim", p.now_iso())
        send_raw(mosquitto.port, BED_12.topic("question"), p.encode(mine))
        assert wait_until(lambda: any(isinstance(e, ev.QuestionAsked) for e in seen.events))
        bedside.post(Submit("water", "touch"))  # still takes calls
        assert wait_until(lambda: bedside.waiting == 0 and len(bedside.states) == 1)
    asked = [e.question_id for e in seen.events if isinstance(e, ev.QuestionAsked)]
    assert asked == [mine.id]
