"""What the nurse-station window shows, decided in plain Python (no Qt, so it is unit-tested).

The window is a view of the unit queue the station service publishes. Here: the order of the
rows (priority, then age), their colours (priority and escalation), the age text, which changes
deserve a sound or a flash (a new request, an escalation, a bed that went offline), and the
series of the response-time chart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from beckon.intents import Intent
from beckon.messaging import protocol as p

PRIORITY_RANK = {name: rank for rank, name in enumerate(reversed(p.PRIORITIES))}
"""Most urgent first: the wire protocol's PRIORITIES are listed least urgent first."""
FLASH_S = 10.0  # a new or escalated row flashes this long
REMIND_EMERGENCY_S = 30.0  # an unacknowledged emergency sounds again this often


@dataclass(frozen=True)
class RowColours:
    """Background, text and accent (left bar) colours of one queue row, as #rrggbb."""

    background: str
    text: str
    accent: str


# Calm, distinguishable colours: pale fills with a strong accent bar, so a unit full of
# routine calls does not look like an alarm, and an emergency still stands out at a glance.
_CALM = {
    "routine": RowColours("#eef3f8", "#10202e", "#5b7a99"),
    "urgent": RowColours("#fff3d6", "#2a1e00", "#c98a00"),
    "emergency": RowColours("#ffe1df", "#3a0000", "#c62828"),
}
_CALM_ESCALATED = {
    "routine": RowColours("#dce8f5", "#0a1622", "#2f5f8f"),
    "urgent": RowColours("#ffe2a3", "#241900", "#a86a00"),
    "emergency": RowColours("#ffc4bf", "#300000", "#a00000"),
}
_HIGH_CONTRAST = {
    "routine": RowColours("#000000", "#ffffff", "#ffffff"),
    "urgent": RowColours("#000000", "#ffd700", "#ffd700"),
    "emergency": RowColours("#000000", "#ff6e6e", "#ff6e6e"),
}
_ACKNOWLEDGED = RowColours("#f2f4f3", "#2d3a33", "#3f8f5f")
_ACKNOWLEDGED_HC = RowColours("#000000", "#9fffb0", "#9fffb0")


def row_colours(
    priority: str, escalation: int, state: str, high_contrast: bool = False
) -> RowColours:
    """Colour by priority; an escalated call gets a stronger tone; an acknowledged one, which
    a nurse owns already, is calm green until it escalates again (the reminder)."""
    if state == "acknowledged" and escalation == 0:
        return _ACKNOWLEDGED_HC if high_contrast else _ACKNOWLEDGED
    if high_contrast:
        return _HIGH_CONTRAST.get(priority, _HIGH_CONTRAST["routine"])
    table = _CALM_ESCALATED if escalation > 0 else _CALM
    return table.get(priority, table["routine"])


def sort_requests(views: Iterable[p.RequestView]) -> list[p.RequestView]:
    """Most urgent priority first; within a priority the one waiting longest first."""
    return sorted(views, key=lambda v: (PRIORITY_RANK.get(v.priority, 3), v.created_at, v.id))


def age_seconds(view: p.RequestView, now: datetime) -> float:
    """Seconds since the patient asked (bedside clock; NTP keeps it close to ours)."""
    return max(0.0, (now - p.parse_iso(view.created_at)).total_seconds())


def age_text(seconds: float) -> str:
    """``0:45``, ``12:03``, ``1:05:09``: digits read the same in every language."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def intent_label(intents: dict[str, Intent], code: str, language: str) -> str:
    """The request in the nurse's language, whatever language the patient used."""
    spec = intents.get(code)
    return spec.label(language) if spec else code


@dataclass(frozen=True)
class Alert:
    """Something the nurses must notice: ``kind`` is new, escalated, device_fault or answer."""

    kind: str
    bed: str
    request_id: str = ""
    intent: str = ""
    priority: str = ""
    level: int = 0
    detail: str = ""

    @property
    def audible(self) -> bool:
        """Answers only show; everything else also sounds."""
        return self.kind != "answer"

    @property
    def loud(self) -> bool:
        """The urgent sound: emergencies, escalations and device faults."""
        return self.priority == "emergency" or self.kind in ("escalated", "device_fault")


@dataclass
class AlertTracker:
    """Compares each queue with the one before and says what is new.

    The first queue a window receives is the baseline: a window that opens (or reconnects)
    does not ring for every call already on the screen; those rows are coloured anyway.
    """

    previous: p.UnitQueue | None = None
    flash_until: dict[str, float] = field(default_factory=dict)
    last_reminder: float = 0.0

    def update(self, current: p.UnitQueue, now: float) -> list[Alert]:
        before = self.previous
        self.previous = current
        if before is None:
            return []
        alerts: list[Alert] = []
        old = {v.id: v for v in before.requests}
        for v in current.requests:
            was = old.get(v.id)
            if was is None:
                alerts.append(Alert("new", v.bed, v.id, v.intent, v.priority, v.escalation))
            elif v.escalation > was.escalation:
                alerts.append(Alert("escalated", v.bed, v.id, v.intent, v.priority, v.escalation))
        for bed in current.offline_beds:
            if bed not in before.offline_beds:
                alerts.append(Alert("device_fault", bed))
        asked = {q.id: q for q in before.questions}
        for q in current.questions:
            prior = asked.get(q.id)
            if q.answer is not None and (prior is None or prior.answer is None):
                alerts.append(Alert("answer", q.bed, q.id, detail=q.answer))
        for alert in alerts:
            if alert.request_id and alert.kind != "answer":
                self.flash_until[alert.request_id] = now + FLASH_S
        return alerts

    def flashing(self, request_id: str, now: float) -> bool:
        return now < self.flash_until.get(request_id, 0.0)

    def reminder_due(self, now: float) -> bool:
        """An emergency nobody acknowledged sounds again every REMIND_EMERGENCY_S."""
        if self.previous is None:
            return False
        waiting = any(
            v.priority == "emergency" and v.state == "received" for v in self.previous.requests
        )
        if waiting and now - self.last_reminder >= REMIND_EMERGENCY_S:
            self.last_reminder = now
            return True
        return False


# ---------------------------------------------------------------- questions


def known_beds(queue: p.UnitQueue | None, extra: Iterable[str] = ()) -> list[str]:
    """Beds a nurse can ask: every bed seen in the queue, its questions or its faults."""
    beds = set(extra)
    if queue is not None:
        beds.update(v.bed for v in queue.requests)
        beds.update(queue.offline_beds)
        beds.update(q.bed for q in queue.questions)
    return sorted(beds, key=lambda b: (len(b), b))


# ---------------------------------------------------------------- history chart


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: ``value`` in seconds (None: nothing answered), ``count`` requests."""

    label: str
    value: float | None
    count: int
    answered: int


def intent_bars(stats: p.UnitStats, intents: dict[str, Intent], language: str) -> list[Bar]:
    """Median response time per request type, in the nurse's language."""
    return [
        Bar(intent_label(intents, s.intent, language), s.median_response_s, s.requests, s.answered)
        for s in stats.by_intent
    ]


def hour_bars(stats: p.UnitStats, tz: tzinfo | None = None) -> list[Bar]:
    """Median response time per clock hour, labelled in local time (``14:00``)."""
    bars = []
    for h in stats.by_hour:
        local = p.parse_iso(h.hour).astimezone(tz)
        bars.append(Bar(local.strftime("%H:00"), h.median_response_s, h.requests, h.answered))
    return bars


def nice_ceiling(values: Sequence[float | None]) -> float:
    """A round axis maximum above every value (at least one minute)."""
    top = max([v for v in values if v is not None] or [0.0])
    for step in (60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400):
        if top <= step:
            return float(step)
    return float(int(top // 86400 + 1) * 86400)


def axis_text(seconds: float) -> str:
    """Round axis labels: ``0``, ``30 s``, ``5 min``, ``2 h``."""
    if seconds <= 0:
        return "0"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def seconds_text(value: float | None) -> str:
    """``45 s``, ``3.5 min``, ``1.2 h``; a dash when there is nothing to show."""
    if value is None:
        return "–"
    if value < 90:
        return f"{value:.0f} s"
    if value < 5400:
        return f"{value / 60:.1f} min"
    return f"{value / 3600:.1f} h"
