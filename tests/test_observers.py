"""A service's observers: one that raises is logged and never keeps the event from the others
(``beckon.observers.notify``, used by the bedside and station services, the station feed and
the voice worker)."""

from __future__ import annotations

import logging

import pytest

from beckon.observers import notify

log = logging.getLogger("beckon.test_observers")


def test_a_listener_that_raises_is_logged_and_the_next_still_gets_the_event(
    caplog: pytest.LogCaptureFixture,
) -> None:
    got: list[str] = []

    def broken(event: str) -> None:
        raise RuntimeError("a window that was closed")

    with caplog.at_level(logging.ERROR, logger=log.name):
        notify([got.append, broken, got.append], "saved", log, "bedside")
    assert got == ["saved", "saved"]
    [record] = caplog.records
    assert record.getMessage() == "bedside listener failed"
    assert record.exc_info is not None and "a window that was closed" in str(record.exc_info[1])


def test_no_listeners_is_nothing_to_do(caplog: pytest.LogCaptureFixture) -> None:
    notify([], "saved", log, "station")
    assert caplog.records == []
