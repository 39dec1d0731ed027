"""Escalation: an unanswered call goes up one level per waiting period (shorter for higher
priorities), an accepted but unresolved one reminds again. Plain functions over fabricated views
and fixed datetimes, so no clock is involved.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from beckon.config import EscalationConfig
from beckon.messaging.protocol import RequestView, parse_iso
from beckon.station.escalation import (
    LEVEL_NAMES,
    MAX_LEVEL,
    Deadlines,
    Escalation,
    due,
    next_due,
)
from tests.helpers.request_views import ID, T0, a_view

CREATED = parse_iso(T0)
RULES = EscalationConfig(routine_s=300, urgent_s=120, emergency_s=30, reminder_after_ack_s=600)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def after(seconds: float) -> datetime:
    return CREATED + timedelta(seconds=seconds)


def levels(view: RequestView, seconds: float, rules: EscalationConfig = RULES) -> list[int]:
    return [e.level for e in due([view], after(seconds), rules)]


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, []),
        (299.999, []),
        (300, [1]),
        (599, [1]),
        (600, [2]),
        (900, [3]),
        (24 * 3600, [MAX_LEVEL]),
    ],
)
def test_an_unanswered_routine_call_rises_one_level_per_waiting_period(
    seconds: float, expected: list[int]
) -> None:
    assert levels(a_view(), seconds) == expected


@pytest.mark.parametrize(("priority", "limit"), [("urgent", 120), ("emergency", 30)])
def test_higher_priorities_escalate_sooner(priority: str, limit: float) -> None:
    view = a_view(priority=priority)
    assert levels(view, limit - 1) == []
    assert levels(view, limit) == [1]
    assert levels(view, 2 * limit) == [2]


def test_the_level_is_capped_at_max_level() -> None:
    assert levels(a_view(priority="emergency"), 1000 * 30) == [MAX_LEVEL]


def test_a_call_already_at_that_level_does_not_escalate_again() -> None:
    assert levels(a_view(escalation=1), 400) == []
    assert levels(a_view(escalation=MAX_LEVEL), 24 * 3600) == []


def test_a_call_at_level_one_rises_to_two_after_the_second_period() -> None:
    assert levels(a_view(escalation=1), 600) == [2]


def test_an_unanswered_call_says_it_was_not_acknowledged() -> None:
    assert due([a_view()], after(300), RULES) == [Escalation(ID, 1, "not acknowledged")]


def test_an_acknowledged_call_reminds_after_the_reminder_period_since_acknowledgement() -> None:
    acked = a_view(state="acknowledged", updated_at=iso(after(60)), by="Nurse Kim")
    assert due([acked], after(60 + 599), RULES) == []
    assert due([acked], after(60 + 600), RULES) == [
        Escalation(ID, 1, "acknowledged but not resolved")
    ]


def test_an_acknowledged_call_ignores_the_priority_limit() -> None:
    acked = a_view(state="acknowledged", priority="emergency", updated_at=iso(after(10)))
    assert due([acked], after(10 + 300), RULES) == []


@pytest.mark.parametrize("state", ["resolved", "cancelled", "created"])
def test_a_call_that_is_not_open_never_escalates(state: str) -> None:
    assert due([a_view(state=state)], after(24 * 3600), RULES) == []


def test_a_limit_of_zero_turns_escalation_off_for_that_priority() -> None:
    rules = EscalationConfig(routine_s=0)
    assert levels(a_view(), 24 * 3600, rules) == []
    assert levels(a_view(priority="urgent"), 120, rules) == [1]


def test_only_the_calls_that_are_due_are_returned_in_the_given_order() -> None:
    views = [
        a_view(id="00000001-0000-4000-8000-000000000001", priority="emergency"),
        a_view(id="00000002-0000-4000-8000-000000000002"),
        a_view(id="00000003-0000-4000-8000-000000000003", priority="urgent"),
        a_view(id="00000004-0000-4000-8000-000000000004", state="resolved"),
    ]
    found = due(views, after(150), RULES)
    assert [(e.request_id[:8], e.level) for e in found] == [("00000001", 3), ("00000003", 1)]


def test_a_call_from_the_future_does_not_escalate() -> None:
    assert levels(a_view(), -600) == []


def test_every_level_has_a_name_for_the_log() -> None:
    assert len(LEVEL_NAMES) >= MAX_LEVEL
    assert LEVEL_NAMES[0] == "primary nurse"


def test_the_waiting_period_starts_when_the_station_received_the_call() -> None:
    """A call that waited in an offline tablet's outbox does not escalate the moment it
    arrives: the station's own clock decides, the tablet's may be wrong."""
    from beckon.messaging.protocol import StateChange

    arrived = after(1000)
    view = a_view(
        history=(StateChange("created", iso(CREATED)), StateChange("received", iso(arrived)))
    )
    assert levels(view, 1000 + 10) == []
    assert levels(view, 1000 + 300) == [1]


# ---------------------------------------------------------------- deadlines (the 1 s check)


@pytest.mark.parametrize(
    "view",
    [
        a_view(),
        a_view(priority="emergency", escalation=1),
        a_view(priority="urgent", escalation=2),
        a_view(state="acknowledged", updated_at=iso(after(50))),
        a_view(state="acknowledged", updated_at=iso(after(50)), escalation=1),
    ],
)
def test_next_due_is_the_moment_due_first_raises_the_level(view: RequestView) -> None:
    when = next_due(view, RULES)
    assert when is not None
    just_before = when - timedelta(milliseconds=1)
    assert due([view], just_before, RULES) == []
    assert [e.level for e in due([view], when, RULES)] == [view.escalation + 1]


@pytest.mark.parametrize(
    "view",
    [a_view(state="resolved"), a_view(state="cancelled"), a_view(escalation=MAX_LEVEL)],
)
def test_a_call_that_can_escalate_no_more_has_no_deadline(view: RequestView) -> None:
    assert next_due(view, RULES) is None
    assert next_due(a_view(), replace(RULES, routine_s=0)) is None


def _numbered(n: int, **changes: Any) -> RequestView:
    return a_view(id=f"{n:08d}-0000-4000-8000-000000000000", **changes)


def test_deadlines_give_only_the_calls_that_are_due_soonest_first() -> None:
    """300 open calls made a second apart: at 320 s only the routine calls older than 300 s
    and the emergencies older than 30 s are due, exactly those ``due`` picks from all."""
    deadlines = Deadlines(RULES)
    views = [
        _numbered(n, created_at=iso(after(n)), updated_at=iso(after(n)),
                  priority="emergency" if n % 50 == 0 else "routine")
        for n in range(300)
    ]  # fmt: skip
    for view in views:
        deadlines.track(view)
    assert len(deadlines) == 300
    now = after(320)
    popped = deadlines.pop_due(now)
    assert sorted(popped) == sorted(e.request_id for e in due(views, now, RULES))
    assert len(popped) == 20 + 6  # routine 1..20, and every emergency (made by 250 s)
    assert popped[:2] == [views[0].id, views[50].id]  # soonest deadline first (30 s, 80 s)
    assert deadlines.pop_due(now) == []  # popped once, until tracked again
    assert len(deadlines) == 300 - len(popped)


def test_a_call_tracked_again_keeps_only_its_new_deadline() -> None:
    deadlines = Deadlines(RULES)
    view = a_view()
    deadlines.track(view)
    deadlines.track(replace(view, state="acknowledged", updated_at=iso(after(200))))
    assert deadlines.pop_due(after(300)) == []  # the old "not acknowledged" entry is stale
    assert deadlines.pop_due(after(800)) == [ID]  # the reminder after acknowledgement
    deadlines.track(a_view())
    deadlines.track(a_view(state="resolved"))
    assert deadlines.pop_due(after(24 * 3600)) == []
    assert len(deadlines) == 0
