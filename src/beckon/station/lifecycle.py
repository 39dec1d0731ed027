"""The request lifecycle, as plain rules with no storage or messaging in them.

    created (bedside) -> received (station) -> acknowledged -> resolved
                                    \\______________\\_______-> cancelled (from the bedside only)

A nurse may resolve without acknowledging first (they were already in the room). Closed
requests (resolved, cancelled) never change again, so a late or repeated message cannot reopen
a call that a nurse has finished.
"""

from __future__ import annotations

from dataclasses import replace

from beckon.messaging.protocol import (
    CLOSED_STATES,
    OPEN_STATES,
    RequestState,
    RequestView,
    StateChange,
)

__all__ = ["CLOSED_STATES", "DONE_BY", "OPEN_STATES", "LifecycleError", "can_move", "move"]

_ALLOWED: dict[str, frozenset[str]] = {
    "created": frozenset({"received"}),
    "received": frozenset({"acknowledged", "resolved", "cancelled"}),
    "acknowledged": frozenset({"resolved", "cancelled"}),
    "resolved": frozenset(),
    "cancelled": frozenset(),
}

MAX_HISTORY = 20

DONE_BY: dict[str, tuple[str, ...]] = {
    "acknowledge": ("acknowledged", "resolved", "cancelled"),
    "resolve": ("resolved", "cancelled"),
}
"""The states that show a nurse action has taken effect (or can no longer): a window that sent
one watches the queue for them before it stops waiting."""


class LifecycleError(ValueError):
    """A change that the lifecycle does not allow (for example acknowledging a resolved call)."""


def can_move(current: str, new: str) -> bool:
    return new in _ALLOWED.get(current, frozenset())


def move(view: RequestView, new: RequestState, at: str, by: str | None) -> RequestView:
    """The request after a change of state, with the change appended to its history."""
    if not can_move(view.state, new):
        raise LifecycleError(f"request {view.id} is {view.state}; it cannot become {new}")
    history = (*view.history, StateChange(new, at, by))[-MAX_HISTORY:]
    # A new state restarts the escalation clock (an acknowledged call reminds on its own timer).
    return replace(view, state=new, updated_at=at, by=by or view.by, history=history, escalation=0)


def resolvable_remotely(priority: str) -> bool:
    """Emergency calls are cleared at the bedside only (a nurse-call promise): someone must be
    in the room. A console or the CLI may acknowledge them, never resolve them."""
    return priority != "emergency"


def why_not_cleared_at_bed(
    request_bed: tuple[str, str, str], from_bed: tuple[str, str, str], nurse_present: bool
) -> str | None:
    """The one rule for clearing a call at the bed (``NurseAtBed`` "clear"): it must come from
    the topic of the request's own bed (the broker lets only that bed write it) while a nurse
    has marked "nurse in room" there. None when allowed, otherwise why not, for the log."""
    if request_bed != from_bed:
        return f"it belongs to bed {'/'.join(request_bed)}, not {'/'.join(from_bed)}"
    if not nurse_present:
        return "no nurse has marked presence at that bed"
    return None
