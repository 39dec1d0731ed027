"""A nurse's question is timed on the station's clock, so a tablet clock that runs fast does
not take every fresh question for an expired one (it was dropped with an INFO line only).
The station's clock is read from its presence messages; a question really delivered late
(after an outage) still counts as expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

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


def test_an_hour_fast_tablet_believes_two_agreeing_presences_and_reports_a_clock_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clock jump of an hour dropped every question as expired; one stale presence (a
    retained message from an hour ago) must still not be taken for a clock."""
    import beckon.bedside.service as service_module

    service = bedside(tmp_path)
    hour = timedelta(hours=1)
    topic = p.Topics.station_status("gh", "icu", "station")

    def presence_an_hour_behind() -> None:
        at = (datetime.now(UTC) - hour).isoformat()
        hear(service, topic, p.StationStatus("gh", "icu", "station", True, at))

    clock = [1000.0]
    monkeypatch.setattr(service_module.time, "monotonic", lambda: clock[0])
    presence_an_hour_behind()  # alone: perhaps a stale message
    assert service._station_ahead_s == 0.0 and "clock" not in status_faults(service)
    clock[0] += 5.0
    presence_an_hour_behind()  # five seconds later, the same gap: a clock
    assert abs(service._station_ahead_s + 3600) < 5
    assert "clock" in status_faults(service)
    asked = datetime.now(UTC) - hour
    hear(service, service.address.topic("question"), question(asked))
    assert service.question is not None and service.question.id == QUESTION_ID


def test_two_stale_presences_delivered_together_are_not_a_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import beckon.bedside.service as service_module

    service = bedside(tmp_path)
    topic = p.Topics.station_status("gh", "icu", "station")
    monkeypatch.setattr(service_module.time, "monotonic", lambda: 1000.0)
    for minutes in (60, 59):  # queued while away, delivered in the same instant
        at = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()
        hear(service, topic, p.StationStatus("gh", "icu", "station", True, at))
    assert service._station_ahead_s == 0.0 and "clock" not in status_faults(service)


def status_faults(service: BedsideService) -> tuple[str, ...]:
    return p.decode_as(service._status(True), p.BedStatus).faults or ()
