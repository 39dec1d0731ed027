"""When an unanswered call escalates, and when an accepted one reminds again.

Nurse call practice: a call nobody accepts within a set time (shorter for higher priorities)
goes up a chain (primary nurse, charge nurse, unit); an accepted call that stays unresolved
reminds after a few minutes. Plain functions over request views, so they test without a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from beckon.config import EscalationConfig
from beckon.messaging.protocol import RequestView, parse_iso

MAX_LEVEL = 3
LEVEL_NAMES = ("primary nurse", "charge nurse", "whole unit", "whole unit")


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
            reason = "not acknowledged"
        elif view.state == "acknowledged":
            limit = rules.reminder_after_ack_s
            waited = (now - parse_iso(view.updated_at)).total_seconds()
            reason = "acknowledged but not resolved"
        else:
            continue
        if limit <= 0:
            continue
        level = min(MAX_LEVEL, int(waited // limit))
        if level > view.escalation:
            result.append(Escalation(view.id, level, reason))
    return result


def _arrived_at(view: RequestView) -> str:
    """When the station received the request (its history says), else when it was made."""
    for change in view.history:
        if change.state == "received":
            return change.at
    return view.created_at
