"""Bed 12's request, as it leaves the bedside and as the station knows it, for the tests of the
protocol and of the station's rules (lifecycle, escalation): one request id, one creation time,
one bed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from beckon.messaging import protocol as p

ID = "0f8e4a36-5d8c-4c1b-9e0a-2b7f3c9d1a42"
T0 = "2025-03-01T08:00:00.000Z"
"""When the request was created (and, unless a test says otherwise, received)."""


def a_request(**changes: Any) -> p.Request:
    """Bed 12 of gh/icu asks for water by gesture (routine) at T0; ``changes`` replace any
    field."""
    req = p.Request(
        id=ID,
        site="gh",
        unit="icu",
        bed="12",
        intent="water",
        priority="routine",
        source="gesture",
        created_at=T0,
    )
    return replace(req, **changes)


def a_view(**changes: Any) -> p.RequestView:
    """That request as the station knows it: received at T0, not yet answered and without
    history; ``changes`` replace any field."""
    req = a_request()
    view = p.RequestView(
        req.id,
        req.site,
        req.unit,
        req.bed,
        req.intent,
        req.priority,
        req.source,
        "received",
        req.created_at,
        req.created_at,
    )
    return replace(view, **changes)
