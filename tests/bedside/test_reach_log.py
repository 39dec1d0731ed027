"""The window-less bedside says in its log what the window would tell the patient: a request
no station has confirmed within ``bedside.receipt_alarm_s``, and calls that cannot get through."""

from __future__ import annotations

import logging

import pytest

from beckon.bedside import events as ev
from beckon.bedside.reach import ReachLog


def test_a_request_without_a_receipt_is_logged_critical_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reach = ReachLog(receipt_alarm_s=60.0)
    reach.follow(ev.ConnectionChanged(online=True))
    reach.follow(ev.RequestSaved("water", "r-1"))
    reach.follow(ev.RequestSent("r-1"))
    assert reach.check() == []
    start = reach.timeline.tracks[0].created
    with caplog.at_level(logging.WARNING, "beckon.bedside.reach"):
        assert reach.check(start + 59.0) == []
        assert reach.check(start + 61.0) == ["no_receipt"]
        assert reach.check(start + 90.0) == []  # said again a minute later, not every tick
        assert reach.check(start + 122.0) == ["no_receipt"]
    lines = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert len(lines) == 2
    assert "NO RECEIPT: water (r-1) made here 61 s ago" in lines[0].getMessage()


def test_a_receipt_ends_it_and_a_lost_broker_is_an_error(caplog: pytest.LogCaptureFixture) -> None:
    reach = ReachLog(receipt_alarm_s=60.0)
    reach.follow(ev.ConnectionChanged(online=True))
    reach.follow(ev.RequestSaved("pain", "r-2"))
    assert reach.check() == []
    start = reach.timeline.tracks[0].created
    reach.follow(ev.StateChanged("r-2", "received", None, "pain"))
    with caplog.at_level(logging.WARNING, "beckon.bedside.reach"):
        assert reach.check(start + 300.0) == []
        reach.follow(ev.ConnectionChanged(online=False))
        assert reach.check(start + 301.0) == ["unreachable"]
    assert "calls cannot reach the nurses" in caplog.text
    assert "NO RECEIPT" not in caplog.text
