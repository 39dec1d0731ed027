"""``bedside.inputs`` decides whether the screen counts: without "touch" a tap sends nothing."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from beckon.bedside import events as ev
from beckon.bedside.events import BedsideEvent
from beckon.bedside.service import AnswerQuestion, BedsideService, Submit
from beckon.config import load_bedside
from beckon.messaging.outbox import open_outbox


def a_bedside(tmp_path: Path, inputs: list[str]) -> BedsideService:
    outbox = open_outbox(tmp_path / "outbox.sqlite3")
    settings = load_bedside(
        None,
        {
            "bedside.site": "gh",
            "bedside.unit": "icu",
            "bedside.bed": "1",
            "bedside.inputs": inputs,
            "bedside.outbox": str(tmp_path / "outbox.sqlite3"),
        },
    )
    return BedsideService(settings, outbox=outbox)


def test_a_touch_request_is_ignored_and_logged_when_touch_is_not_an_input(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bedside = a_bedside(tmp_path, ["gesture"])
    events: list[BedsideEvent] = []
    bedside.listeners.append(events.append)
    with caplog.at_level(logging.WARNING, "beckon.bedside.service"):
        bedside.handle(Submit("water", "touch"))
        bedside.handle(AnswerQuestion("yes", "touch"))
    assert not any(isinstance(e, ev.RequestSaved) for e in events)
    assert "ignored a request by touch: bedside.inputs is ['gesture']" in caplog.text
    assert "ignored an answer by touch" in caplog.text
    assert bedside.takes("gesture") and bedside.takes("voice") and not bedside.takes("touch")


def test_touch_counts_by_default_and_sends_the_request(tmp_path: Path) -> None:
    bedside = a_bedside(tmp_path, ["gesture", "touch"])
    events: list[BedsideEvent] = []
    bedside.listeners.append(events.append)
    bedside.handle(Submit("water", "touch"))
    assert bedside.outbox is not None and len(bedside.outbox) == 1
    assert [e.intent for e in events if isinstance(e, ev.RequestSaved)] == ["water"]
