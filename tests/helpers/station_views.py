"""Station queue views for tests of the station window: request rows of given beds, priorities
and ages at a fixed moment ``T0``, and the unit queue holding them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from beckon.messaging import protocol as p

T0 = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def view(
    bed: str,
    priority: p.Priority = "routine",
    age_s: float = 60,
    state: p.RequestState = "received",
) -> p.RequestView:
    created = iso(T0 - timedelta(seconds=age_s))
    return p.RequestView(
        p.new_request_id(),
        "gh",
        "icu",
        bed,
        "water",
        priority,
        "touch",
        state,
        created,
        created,
    )


def queue(
    *views: p.RequestView,
    offline: tuple[str, ...] = (),
    questions: Sequence[p.QuestionView] = (),
) -> p.UnitQueue:
    return p.UnitQueue("gh", "icu", iso(T0), tuple(views), offline, tuple(questions))
