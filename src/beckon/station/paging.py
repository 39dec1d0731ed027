"""Which escalation pages went out, and which to send again.

The hook (``beckon.station.hook``) tells, from its own thread, how each delivery ended. This
keeps the outcomes on a queue for the station's thread, which then records a confirmed page in
its store (``RequestStore.set_paged``) and sends a failed one again with back-off: a pager
gateway that was down for a minute no longer swallows the page of a call nobody answered.
Plain Python: no store, no MQTT, no clock of its own.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass

from beckon.station.hook import Channel, EscalationNotice

RETRY_AFTER_S = 15.0
RETRY_MAX_S = 120.0


@dataclass(frozen=True)
class Retry:
    """A page to send again once ``due`` (monotonic seconds), to the channels that failed."""

    notice: EscalationNotice
    channels: frozenset[Channel]
    attempts: int
    due: float


class Pages:
    def __init__(self) -> None:
        self._outcomes: queue.Queue[tuple[EscalationNotice, frozenset[Channel]]] = queue.Queue()
        self._retries: dict[str, Retry] = {}  # request id -> its next retry

    def delivered(self, notice: EscalationNotice, failed: frozenset[Channel]) -> None:
        """The hook's ``done`` callback; safe from any thread."""
        self._outcomes.put((notice, failed))

    def settle(self, now: float) -> list[EscalationNotice]:
        """Take the outcomes that arrived: returns the confirmed pages, and schedules a retry
        for each failed one (RETRY_AFTER_S, doubling up to RETRY_MAX_S)."""
        confirmed: list[EscalationNotice] = []
        while True:
            try:
                notice, failed = self._outcomes.get_nowait()
            except queue.Empty:
                return confirmed
            earlier = self._retries.get(notice.request_id)
            if earlier is not None and earlier.notice.level > notice.level:
                continue  # a higher level is being paged: this one is superseded
            if not failed:
                self._retries.pop(notice.request_id, None)
                confirmed.append(notice)
                continue
            again = earlier is not None and earlier.notice.level == notice.level
            attempts = earlier.attempts + 1 if earlier is not None and again else 1
            wait = min(RETRY_MAX_S, RETRY_AFTER_S * 2 ** (attempts - 1))
            self._retries[notice.request_id] = Retry(notice, failed, attempts, now + wait)

    def due(self, now: float) -> list[Retry]:
        """The retries whose time has come; they are no longer scheduled (a failure of the
        next attempt schedules them again, later)."""
        ready = [r for r in self._retries.values() if r.due <= now]
        for retry in ready:
            # Kept, with its count, until the attempt's outcome arrives (for the back-off).
            self._retries[retry.notice.request_id] = Retry(
                retry.notice, retry.channels, retry.attempts, float("inf")
            )
        return ready

    def forget(self, request_id: str) -> None:
        """The call closed or went up a level: its old page is not sent again."""
        self._retries.pop(request_id, None)

    def __len__(self) -> int:
        return len(self._retries)
