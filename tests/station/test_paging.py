"""An escalation page goes out at least once: a pager gateway that fails is tried again, and a
level stored by a station that stopped before its page went out is paged when it is back.
Real stations on a real Mosquitto and a real HTTP pager on loopback; the back-off is shortened
so the tests do not wait minutes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beckon.background import Background
from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.lab.rig import Rig
from beckon.messaging import protocol as p
from beckon.station import paging
from beckon.station.hook import EscalationNotice
from beckon.station.paging import Pages
from beckon.station.service import StationService
from beckon.station.store import RequestStore
from tests.helpers.rig import send_raw, wait_until


def notice(level: int, request_id: str = "r-1") -> EscalationNotice:
    return EscalationNotice("gh", "icu", "12", request_id, "nurse", "urgent", level, "waited", "t")


def test_a_failed_page_is_tried_again_later_and_again_later_still() -> None:
    pages = Pages()
    pages.delivered(notice(1), frozenset({"url"}))
    assert pages.settle(now=100.0) == []
    assert pages.due(now=100.0 + paging.RETRY_AFTER_S - 1) == []
    (first,) = pages.due(now=100.0 + paging.RETRY_AFTER_S)
    assert first.channels == {"url"} and first.attempts == 1
    assert pages.due(now=1000.0) == [], "not twice while the attempt is under way"
    pages.delivered(notice(1), frozenset({"url"}))
    pages.settle(now=200.0)
    assert pages.due(now=200.0 + paging.RETRY_AFTER_S) == []  # the wait doubled
    (second,) = pages.due(now=200.0 + 2 * paging.RETRY_AFTER_S)
    assert second.attempts == 2
    pages.delivered(notice(1), frozenset())
    assert pages.settle(now=300.0) == [notice(1)] and len(pages) == 0


def test_a_page_for_a_higher_level_supersedes_a_lower_one_still_failing() -> None:
    pages = Pages()
    pages.delivered(notice(2), frozenset({"command"}))
    pages.delivered(notice(1), frozenset({"command"}))  # an older attempt's outcome, late
    pages.settle(now=0.0)
    (retry,) = pages.due(now=1000.0)
    assert retry.notice.level == 2


def test_a_database_from_before_paging_counts_its_levels_as_paged(tmp_path: Path) -> None:
    """Otherwise the upgrade would page every escalated open call again at its first start."""
    import sqlite3

    db = tmp_path / "station.sqlite3"
    store = RequestStore(db)
    req = p.Request(p.new_request_id(), "gh", "icu", "12", "nurse", "urgent", "voice", p.now_iso())
    store.receive(req)
    store.set_escalation(req.id, 2)
    store.close()
    with sqlite3.connect(db) as old:
        old.execute("ALTER TABLE requests DROP COLUMN paged")
    assert RequestStore(db).unpaged("gh", "icu") == []


def station_with_pager(
    tmp_path: Path, url: str, pager_url: str, routine_s: float = 3.0
) -> StationService:
    """Routine calls escalate after ``routine_s`` (the next level as long later), paging
    ``pager_url``."""
    return Rig(url, tmp_path).station(
        {
            "station.database": str(tmp_path / "station.sqlite3"),
            "escalation.routine_s": routine_s,
            "escalation.hook_url": pager_url,
        }
    )


def routine_call(port: int) -> p.Request:
    req = p.Request(p.new_request_id(), "gh", "icu", "12", "water", "routine", "voice", p.now_iso())
    send_raw(port, p.BedAddress("gh", "icu", "12").topic("request"), p.encode(req))
    return req


def all_paged(db: Path) -> bool:
    store = RequestStore(db)
    try:
        return store.unpaged("gh", "icu") == []
    finally:
        store.close()


@pytest.mark.mqtt
def test_a_pager_gateway_that_was_restarting_still_gets_the_page(
    mosquitto: Any,
    tmp_path: Path,
    restarting_pager: tuple[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(paging, "RETRY_AFTER_S", 0.2)
    pager_url, received = restarting_pager
    station = station_with_pager(tmp_path, mosquitto.url, pager_url)
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        req = routine_call(mosquitto.port)
        assert wait_until(lambda: len(received) >= 1, 30), "the page never arrived"
        assert wait_until(lambda: all_paged(tmp_path / "station.sqlite3"))
    first = received[0]["body"]
    assert (first["request_id"], first["level"]) == (req.id, 1)
    assert [r["body"]["level"] for r in received].count(1) == 1, "delivered once"


@pytest.mark.mqtt
def test_a_level_stored_by_a_station_that_stopped_before_paging_is_paged_when_it_is_back(
    mosquitto: Any, tmp_path: Path, pager: tuple[str, list[dict[str, Any]]]
) -> None:
    pager_url, received = pager
    db = tmp_path / "station.sqlite3"
    req = p.Request(p.new_request_id(), "gh", "icu", "12", "pain", "routine", "voice", p.now_iso())
    store = RequestStore(db)
    store.receive(req)
    store.set_escalation(req.id, 1)  # what a station killed before its hook ran leaves
    store.close()
    station = station_with_pager(tmp_path, mosquitto.url, pager_url, routine_s=300)
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        assert wait_until(lambda: len(received) == 1, 15), received
        assert wait_until(lambda: all_paged(db))
    body = received[0]["body"]
    assert (body["request_id"], body["level"]) == (req.id, 1)
    assert body["reason"] == "not acknowledged"
    again = station_with_pager(tmp_path, mosquitto.url, pager_url, routine_s=300)
    with Background(again.run, "station-again"):
        assert again.ready.wait(10)
        assert not wait_until(lambda: len(received) > 1, 3), "paged twice"


class PagerBug(StationService):
    """A station whose first page raises (a bug in paging): what review rev47s supposed."""

    def __init__(self, db: Path) -> None:
        station = StationConfig("gh", ("icu",), database=str(db))
        super().__init__(StationSettings(station, BrokerConfig()))
        self.paged: list[str] = []
        self.bug = True

    def _page(self, view: p.RequestView, reason: str) -> None:
        if self.bug:
            self.bug = False
            raise ValueError("injected paging fault")
        self.paged.append(view.id)


def test_unconfirmed_pages_cut_short_by_an_error_are_all_sent_at_the_retry(
    tmp_path: Path,
) -> None:
    """The unit was marked re-paged before its pages went out: when one raised, the announce's
    retry skipped the rest and said it went through, and those levels were never paged."""
    db = tmp_path / "station.sqlite3"
    store = RequestStore(db)
    ids = []
    for bed in ("1", "2"):
        req = p.Request(
            p.new_request_id(), "gh", "icu", bed, "pain", "routine", "voice", p.now_iso()
        )
        store.receive(req)
        store.set_escalation(req.id, 1)
        ids.append(req.id)
    station = PagerBug(db)
    station._store = store

    with pytest.raises(ValueError):
        station._page_unconfirmed("icu")
    station._page_unconfirmed("icu")

    assert sorted(station.paged) == sorted(ids)
    station._page_unconfirmed("icu")
    assert len(station.paged) == 2, "paged again at a later announce"
