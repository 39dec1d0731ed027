"""When an unanswered call escalates, and when an accepted one reminds again.

Nurse call practice: a call nobody accepts within a set time (shorter for higher priorities)
goes up a chain (primary nurse, charge nurse, unit); an accepted call that stays unresolved
reminds after a few minutes. Plain functions over request views, so they test without a clock.

``Deadlines`` keeps the open calls ordered by when each next escalates, so the station's check
every second asks the store only for the calls that are due: its work does not grow with the
number of open calls.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta

from beckon.config import EscalationConfig
from beckon.messaging.protocol import RequestView, parse_iso

MAX_LEVEL = 3
LEVEL_NAMES = ("primary nurse", "charge nurse", "whole unit", "whole unit")


REASONS = {"received": "not acknowledged", "acknowledged": "acknowledged but not resolved"}
"""Why an open call in each state escalates (told to the pager)."""


@dataclass(frozen=True)
class Escalation:
    request_id: str
    level: int
    reason: str


def due(views: list[RequestView], now: datetime, rules: EscalationConfig) -> list[Escalation]:
    """Requests whose escalation level should rise now.

    A received call escalates one level for every full waiting period since it arrived at the
    station (the station's clock, not the tablet's, which may be wrong); an acknowledged one
    once per reminder period since it was acknowledged.
    """
    result = []
    for view in views:
        if view.state == "received":
            limit = rules.limit_for(view.priority)
            waited = (now - parse_iso(_arrived_at(view))).total_seconds()
        elif view.state == "acknowledged":
            limit = rules.reminder_after_ack_s
            waited = (now - parse_iso(view.updated_at)).total_seconds()
        else:
            continue
        if limit <= 0:
            continue
        level = min(MAX_LEVEL, int(waited // limit))
        if level > view.escalation:
            result.append(Escalation(view.id, level, REASONS[view.state]))
    return result


def next_due(view: RequestView, rules: EscalationConfig) -> datetime | None:
    """When ``due`` will next raise this request's level; None if it never will (closed, at
    the top level, or escalation off for its priority). The same rule as ``due``, solved for
    the time: the level rises when a full waiting period more has passed."""
    if view.escalation >= MAX_LEVEL:
        return None
    if view.state == "received":
        limit, since = rules.limit_for(view.priority), _arrived_at(view)
    elif view.state == "acknowledged":
        limit, since = rules.reminder_after_ack_s, view.updated_at
    else:
        return None
    if limit <= 0:
        return None
    try:
        return parse_iso(since) + timedelta(seconds=limit * (view.escalation + 1))
    except (OverflowError, ValueError):  # near year 9999, or not a time: never, not a crash
        return None


class Deadlines:
    """Open requests keyed by their next escalation time (a heap with lazy deletion: a
    request tracked again, or closed, leaves its old entry behind, skipped when popped)."""

    def __init__(self, rules: EscalationConfig) -> None:
        self.rules = rules
        self._heap: list[tuple[datetime, str]] = []
        self._at: dict[str, datetime] = {}  # request id -> its current deadline

    def track(self, view: RequestView) -> None:
        """Call after every change of a request (stored, acknowledged, escalated, closed)."""
        when = next_due(view, self.rules)
        if when is None:
            self._at.pop(view.id, None)
            return
        if self._at.get(view.id) == when:
            return
        self._at[view.id] = when
        heapq.heappush(self._heap, (when, view.id))
        if len(self._heap) > 2 * len(self._at) + 1000:  # mostly stale entries: rebuild
            self._heap = [(at, request_id) for request_id, at in self._at.items()]
            heapq.heapify(self._heap)

    def pop_due(self, now: datetime) -> list[str]:
        """Ids of the requests whose deadline has come, soonest first; they are no longer
        tracked until ``track`` is called with their new state."""
        ids = []
        while self._heap and self._heap[0][0] <= now:
            when, request_id = heapq.heappop(self._heap)
            if self._at.get(request_id) == when:
                del self._at[request_id]
                ids.append(request_id)
        return ids

    def __len__(self) -> int:
        return len(self._at)


def _arrived_at(view: RequestView) -> str:
    """When the station received the request (its history says), else when it was made."""
    for change in view.history:
        if change.state == "received":
            return change.at
    return view.created_at
