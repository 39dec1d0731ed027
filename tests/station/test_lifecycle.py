"""The request lifecycle: which changes are allowed, and what a change records.

    created -> received -> acknowledged -> resolved, and cancelled from received or acknowledged.
A nurse may resolve without acknowledging; closed requests never change again.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import product
from typing import Any

import pytest

from beckon.messaging.protocol import RequestState, RequestView, StateChange
from beckon.station import lifecycle
from beckon.station.lifecycle import LifecycleError, can_move, move
from tests.helpers import request_views
from tests.helpers.request_views import ID, T0

T1 = "2025-03-01T08:01:00.000Z"
T2 = "2025-03-01T08:02:00.000Z"

STATES: list[RequestState] = ["created", "received", "acknowledged", "resolved", "cancelled"]
ALLOWED: set[tuple[RequestState, RequestState]] = {
    ("created", "received"),
    ("received", "acknowledged"),
    ("received", "resolved"),
    ("received", "cancelled"),
    ("acknowledged", "resolved"),
    ("acknowledged", "cancelled"),
}
REFUSED = sorted(set(product(STATES, STATES)) - ALLOWED)


def a_view(state: RequestState = "received", **changes: Any) -> RequestView:
    view = request_views.a_view(
        state=state, history=(StateChange("created", T0), StateChange("received", T0))
    )
    return replace(view, **changes)


@pytest.mark.parametrize(("current", "new"), sorted(ALLOWED))
def test_these_changes_are_allowed(current: RequestState, new: RequestState) -> None:
    assert can_move(current, new)
    assert move(a_view(current), new, T1, "Nurse Kim").state == new


@pytest.mark.parametrize(("current", "new"), REFUSED)
def test_every_other_change_is_refused(current: RequestState, new: RequestState) -> None:
    assert not can_move(current, new)
    with pytest.raises(LifecycleError):
        move(a_view(current), new, T1, "Nurse Kim")


@pytest.mark.parametrize("closed", sorted(lifecycle.CLOSED_STATES))
@pytest.mark.parametrize("new", STATES)
def test_a_closed_request_never_changes_again(closed: RequestState, new: RequestState) -> None:
    with pytest.raises(LifecycleError, match=f"request {ID} is {closed}; it cannot become {new}"):
        move(a_view(closed), new, T1, "Nurse Kim")


def test_an_unknown_current_state_allows_nothing() -> None:
    assert not can_move("lost", "received")


def test_a_nurse_may_resolve_without_acknowledging_first() -> None:
    resolved = move(a_view("received"), "resolved", T1, "Nurse Kim")
    assert resolved.state == "resolved"
    assert [c.state for c in resolved.history] == ["created", "received", "resolved"]


def test_open_and_closed_states_do_not_overlap_and_cover_the_station_states() -> None:
    assert lifecycle.OPEN_STATES.isdisjoint(lifecycle.CLOSED_STATES)
    every_station_state = set(STATES) - {"created"}
    assert every_station_state == lifecycle.OPEN_STATES | lifecycle.CLOSED_STATES


def test_a_change_is_appended_to_the_history_with_who_and_when() -> None:
    acked = move(a_view(), "acknowledged", T1, "Nurse Kim")
    assert acked.history[-1] == StateChange("acknowledged", T1, "Nurse Kim")
    assert acked.history[:-1] == a_view().history


def test_a_change_sets_updated_at_and_by() -> None:
    acked = move(a_view(), "acknowledged", T1, "Nurse Kim")
    assert (acked.updated_at, acked.by) == (T1, "Nurse Kim")


def test_a_change_without_a_person_keeps_the_last_person_but_records_none() -> None:
    acked = move(a_view(), "acknowledged", T1, "Nurse Kim")
    cancelled = move(acked, "cancelled", T2, None)
    assert cancelled.by == "Nurse Kim"
    assert cancelled.history[-1] == StateChange("cancelled", T2, None)


def test_a_change_leaves_the_original_view_untouched() -> None:
    before = a_view()
    move(before, "acknowledged", T1, "Nurse Kim")
    assert before == a_view()


@pytest.mark.parametrize(
    ("current", "new"), [("received", "acknowledged"), ("acknowledged", "resolved")]
)
def test_a_change_restarts_the_escalation_clock(current: RequestState, new: RequestState) -> None:
    escalated = a_view(current, escalation=2)
    assert move(escalated, new, T1, "Nurse Kim").escalation == 0


def test_the_fields_that_describe_the_request_never_change() -> None:
    acked = move(a_view(), "acknowledged", T1, "Nurse Kim")
    for name in ("id", "site", "unit", "bed", "intent", "priority", "source", "created_at"):
        assert getattr(acked, name) == getattr(a_view(), name)


def test_the_history_keeps_only_the_latest_changes() -> None:
    long_history = tuple(StateChange("received", T0) for _ in range(lifecycle.MAX_HISTORY))
    acked = move(a_view(history=long_history), "acknowledged", T1, "Nurse Kim")
    assert len(acked.history) == lifecycle.MAX_HISTORY
    assert acked.history[-1] == StateChange("acknowledged", T1, "Nurse Kim")


def test_a_call_is_cleared_at_its_own_bed_only_while_a_nurse_is_present() -> None:
    from beckon.station.lifecycle import why_not_cleared_at_bed

    bed12, bed13 = ("gh", "icu", "12"), ("gh", "icu", "13")
    assert why_not_cleared_at_bed(bed12, bed12, nurse_present=True) is None
    assert "presence" in (why_not_cleared_at_bed(bed12, bed12, nurse_present=False) or "")
    assert "bed gh/icu/12" in (why_not_cleared_at_bed(bed12, bed13, nurse_present=True) or "")
