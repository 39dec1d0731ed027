"""A nurse's question is timed on the station's clock, so a tablet clock that runs fast does
not take every fresh question for an expired one (it was dropped with an INFO line only).
The station's clock is read from its presence messages; a question really delivered late
(after an outage) still counts as expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from beckon.bedside.service import QUESTION_TIMEOUT_S, BedsideService, question_time_left
from beckon.config import BedsideConfig, BedsideSettings
from beckon.messaging import protocol as p
from beckon.messaging.outbox import open_outbox

TABLET_AHEAD = timedelta(seconds=125)  # the tablet's clock is two minutes fast
QUESTION_ID = p.new_request_id()


def station_time() -> datetime:
    return datetime.now(UTC) - TABLET_AHEAD


def bedside(tmp_path: Path) -> BedsideService:
    """A bedside as its thread has it once running (its outbox open), fed messages directly."""
    service = BedsideService(
        BedsideSettings(BedsideConfig("gh", "icu", "12", outbox=str(tmp_path / "o.db")))
    )
    service.outbox = open_outbox(tmp_path / "o.db")
    return service


def hear(service: BedsideService, topic: str, msg: p.Message) -> None:
    service._on_message(topic, p.encode(msg))


def presence(service: BedsideService) -> None:
    status = p.StationStatus("gh", "icu", "station", True, station_time().isoformat())
    hear(service, p.Topics.station_status("gh", "icu", "station"), status)


def question(asked: datetime) -> p.Question:
    return p.Question(QUESTION_ID, "gh", "icu", "12", "Are you in pain?", "Kim", asked.isoformat())


def test_the_time_left_counts_on_the_stations_clock() -> None:
    asked = station_time().isoformat()
    assert question_time_left(asked) <= 0  # on the fast tablet's own clock: "expired"
    left = question_time_left(asked, -TABLET_AHEAD.total_seconds())
    assert QUESTION_TIMEOUT_S - 2 < left <= QUESTION_TIMEOUT_S


def test_a_fresh_question_is_shown_on_a_tablet_whose_clock_is_fast(tmp_path: Path) -> None:
    service = bedside(tmp_path)
    presence(service)
    hear(service, service.address.topic("question"), question(station_time()))
    assert service.question is not None and service.question.id == QUESTION_ID


def test_a_question_delivered_after_it_expired_is_still_not_shown(tmp_path: Path) -> None:
    service = bedside(tmp_path)
    presence(service)
    late = station_time() - timedelta(seconds=QUESTION_TIMEOUT_S + 5)
    hear(service, service.address.topic("question"), question(late))
    assert service.question is None
