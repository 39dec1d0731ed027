"""A unit's queue as windows and the CLI see it, assembled from the station's retained messages.

The station publishes each open request as its own retained ``call/{id}`` message and a small
retained ``queue`` summary (how many are open, offline beds, recent questions), so no message
grows with the number of open calls. A reader subscribes to both and keeps the pieces here; it
has the whole queue once it holds as many calls as the summary says are open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from beckon.messaging import protocol as p

log = logging.getLogger(__name__)


def subscriptions(site: str, unit: str) -> list[str]:
    """Calls first, then the summary: retained messages arrive in subscription order, so the
    summary that completes the picture comes last."""
    return [p.Topics.call_filter(site, unit), p.Topics.unit(site, unit, "queue")]


def closed_calls(state: p.BedState) -> tuple[p.RequestView, ...]:
    """The closed calls a bed's retained state still lists, with who closed them (``by``) and
    how: once a call has left the queue (its call message emptied), the one place a console
    or window can learn that a colleague resolved it or the patient cancelled it."""
    return tuple(view for view in state.requests if view.state in p.CLOSED_STATES)


@dataclass
class QueueAssembler:
    site: str
    unit: str
    summary: p.QueueSummary | None = None
    calls: dict[str, p.RequestView] = field(default_factory=dict)
    _updated: str = ""
    _again: dict[str, p.RequestView] | None = None  # calls heard since ``resubscribed``

    def resubscribed(self) -> None:
        """The link came back with a clean session: the broker now sends every retained call
        again, but never says which were emptied while the reader was away. Those heard from
        now until the summary arrives (it comes after the calls) replace the old set then; a
        call resolved or cancelled meanwhile showed as waiting for good."""
        self._again = {}

    def apply(self, topic: str, payload: bytes) -> bool:
        """Take one message of the unit's call or queue topics; returns whether it was one.
        An empty payload on a call topic is the station emptying a closed request."""
        prefix = p.Topics.call_filter(self.site, self.unit)[:-1]
        if topic.startswith(prefix):
            request_id = topic[len(prefix) :]
            if not payload:
                self.calls.pop(request_id, None)
                if self._again is not None:
                    self._again.pop(request_id, None)
                return True
            try:
                call = p.decode_as(payload, p.Call)
            except p.ProtocolError as exc:
                log.warning("dropped message on %s: %s", topic, exc)
                return False
            if call.request.id != request_id:
                log.warning("dropped call %s on the topic of %s", call.request.id, request_id)
                return False
            self._updated = max(self._updated, call.at)
            if call.request.state in ("received", "acknowledged"):
                self.calls[request_id] = call.request
                if self._again is not None:
                    self._again[request_id] = call.request
            else:
                self.calls.pop(request_id, None)
                if self._again is not None:
                    self._again.pop(request_id, None)
            return True
        if topic == p.Topics.unit(self.site, self.unit, "queue"):
            try:
                self.summary = p.decode_as(payload, p.QueueSummary)
            except p.ProtocolError as exc:
                log.warning("dropped message on %s: %s", topic, exc)
                return False
            if self._again is not None:
                gone = self.calls.keys() - self._again.keys()
                if gone:
                    log.info("%d call(s) closed while this reader was away", len(gone))
                self.calls, self._again = self._again, None
            return True
        return False

    @property
    def complete(self) -> bool:
        """The summary has arrived and every open call it counts is here."""
        return self.summary is not None and len(self.calls) >= self.summary.open

    def snapshot(self) -> p.UnitQueue | None:
        """The queue as a window shows it (oldest first), or None before the first summary."""
        s = self.summary
        if s is None:
            return None
        views = sorted(self.calls.values(), key=lambda v: (v.created_at, v.id))
        return p.UnitQueue(
            s.site,
            s.unit,
            max(s.at, self._updated),
            tuple(views),
            s.offline_beds,
            s.questions,
            s.open,
            s.present_beds,
        )
