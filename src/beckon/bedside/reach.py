"""When a patient's calls cannot get through: the rule the window shows, speaks and sounds,
and the window-less bedside logs for IT.

A patient who cannot press a button or call out depends on the tablet; when its calls cannot
reach the nurses, the patient (and any visitor) must know, to get help another way.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import time

from beckon.bedside.events import BedsideEvent
from beckon.bedside.timeline import Timeline

log = logging.getLogger(__name__)

RECEIPT_ALARM_S = 60.0
"""Default seconds a request may wait for the station's receipt before the bedside alarms."""
ALARM_REPEAT_S = 60.0


class ReachWatch:
    """Tells the patient, in words, speech and a local alarm, when calls cannot get through.

    A patient who cannot press a button or call out depends on this tablet: when its calls
    cannot reach the nurses the patient (and any visitor) must hear it, so they can get help
    another way. ``check`` returns what to say or sound now: "unreachable" once when calls stop
    getting through, "no_receipt" when a request has had no receipt for ``receipt_alarm_s``
    (repeated every ``repeat_s`` while it lasts).
    """

    def __init__(
        self, receipt_alarm_s: float = RECEIPT_ALARM_S, repeat_s: float = ALARM_REPEAT_S
    ) -> None:
        self.receipt_alarm_s = receipt_alarm_s
        self.repeat_s = repeat_s
        self._was_unreachable = False
        self._last_alarm: float | None = None

    def check(self, timeline: Timeline, now: float) -> list[str]:
        out: list[str] = []
        unreachable = timeline.unreachable
        if unreachable and not self._was_unreachable:
            out.append("unreachable")
        self._was_unreachable = unreachable
        if timeline.without_receipt(now, self.receipt_alarm_s):
            if self._last_alarm is None or now - self._last_alarm >= self.repeat_s:
                self._last_alarm = now
                out.append("no_receipt")
        else:
            self._last_alarm = None
        return out


class ReachLog:
    """The window-less bedside's ReachWatch: the same rule, said in the log for IT.

    ``beckon bedside --headless`` has no screen or speaker, so ``bedside.receipt_alarm_s``
    would mean nothing there; this puts it in the journal instead. ``follow`` is a service
    listener (the service's thread) and only queues; ``check`` runs on the caller's loop.
    """

    def __init__(self, receipt_alarm_s: float = RECEIPT_ALARM_S) -> None:
        self.timeline = Timeline()
        self.watch = ReachWatch(receipt_alarm_s)
        self._events: queue.SimpleQueue[BedsideEvent] = queue.SimpleQueue()

    def follow(self, e: BedsideEvent) -> None:
        self._events.put(e)

    def check(self, now: float | None = None) -> list[str]:
        """Apply what the service emitted, log what the patient would be told, return its keys."""
        with contextlib.suppress(queue.Empty):
            while True:
                self.timeline.apply(self._events.get_nowait())
        now = time.monotonic() if now is None else now
        said = self.watch.check(self.timeline, now)
        for key in said:
            if key == "unreachable":
                log.error("calls cannot reach the nurses: no broker or no station service")
            else:
                late = self.timeline.without_receipt(now, self.watch.receipt_alarm_s)
                log.critical(
                    "NO RECEIPT: %s made here %.0f s ago not confirmed by any station "
                    "(bedside.receipt_alarm_s = %g); check the broker and the station service",
                    ", ".join(f"{t.intent} ({t.request_id})" for t in late),
                    now - min(t.created for t in late),
                    self.watch.receipt_alarm_s,
                )  # fmt: skip
        return said
