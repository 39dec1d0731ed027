"""What the nurse-station window shows, decided in plain Python (no Qt, so it is unit-tested).

The window is a view of the unit queue the station service publishes. Here: the order of the
rows (priority, then age), their colours (priority and escalation), the age text, which changes
deserve a sound or a flash (a new request, an escalation, a bed that went offline), and the
series of the response-time chart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Literal

from beckon.intents import Intent
from beckon.messaging import protocol as p
from beckon.station.lifecycle import DONE_BY

PRIORITY_RANK = {name: rank for rank, name in enumerate(reversed(p.PRIORITIES))}
"""Most urgent first: the wire protocol's PRIORITIES are listed least urgent first."""
FLASH_S = 10.0  # a new or escalated row flashes this long
REMIND_EMERGENCY_S = 30.0  # an unacknowledged emergency sounds again this often
REMIND_CALL_S = 60.0  # any other unacknowledged call chimes again this often


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
    """Emergencies nobody has taken first, then calls nobody has taken that are overdue
    (escalated), then the rest: most urgent priority first; within a priority those nobody has
    acknowledged yet, then the one waiting longest. Acknowledged emergencies (a nurse is on the
    way; only the bedside clears them, so they pile up) sorted above a new one nobody had
    taken; an overdue routine call sorted below every acknowledged urgent one, out of view."""

    def group(v: p.RequestView) -> int:
        waiting = v.state == "received"
        return 0 if waiting and v.priority == "emergency" else 1 if waiting and v.escalation else 2

    return sorted(
        views,
        key=lambda v: (
            group(v), PRIORITY_RANK.get(v.priority, 3), v.state != "received", v.created_at, v.id,
        ),
    )  # fmt: skip


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


def request_label(intents: dict[str, Intent], view: p.RequestView, language: str) -> str:
    """A call's text on its row: the intent, and the 0-10 number the patient chose with it
    ("I am in pain: 7/10"), so the nurse knows how bad before walking over."""
    label = intent_label(intents, view.intent, language)
    return label if view.level is None else f"{label}: {view.level}/10"


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


def outranks(new: Alert, shown: Alert | None) -> bool:
    """Whether ``new`` may replace ``shown`` on the banner while it is still up: loud before
    soft, an emergency before anything else; among equals the newer. A routine call's
    escalation ("Still waiting: bed 30, Move me") replaced an emergency at level 3."""
    if shown is None:
        return True
    rank = (new.loud, new.priority == "emergency")
    return rank >= (shown.loud, shown.priority == "emergency")


def most_urgent(alerts: list[Alert]) -> Alert:
    """The alert of a batch the banner shows: loud before soft, then the highest escalation
    level, then an emergency, then the latest. It showed the latest ("New request: bed 15, I am
    cold") while eight emergencies of the same burst waited."""
    return max(
        enumerate(alerts),
        key=lambda item: (item[1].loud, item[1].level, item[1].priority == "emergency", item[0]),
    )[1]


@dataclass
class SoundGate:
    """At most one alert sound per ``gap_s``, unless it is more urgent than the last one (loud
    after soft, a higher escalation level: each level has its own sound). A burst of 50 calls
    in 2 s played the sound 50 times (50 overlapping players with the paplay fallback), which
    tells a nurse nothing more than one."""

    gap_s: float = 2.0
    _last: float = -math.inf
    _last_urgency: tuple[bool, int] = (False, 0)

    def allow(self, loud: bool, now: float, level: int = 0) -> bool:
        urgency = (loud, level)
        if now - self._last >= self.gap_s or urgency > self._last_urgency:
            self._last, self._last_urgency = now, urgency
            return True
        return False


def escalation_sound(alerts: list[Alert]) -> int:
    """The escalation level whose sound plays for these alerts (the highest that escalated),
    or 0 when none escalated: each level has its own sound, so the desk hears how far up
    the chain a call has gone."""
    return max((a.level for a in alerts if a.kind == "escalated"), default=0)


@dataclass
class AlertTracker:
    """Compares each queue with the one before and says what is new.

    The first queue a window receives is the baseline: a window that opens (or reconnects)
    does not ring for every call already on the screen; those rows are coloured anyway.
    """

    previous: p.UnitQueue | None = None
    flash_until: dict[str, float] = field(default_factory=dict)
    last_reminder: float = 0.0
    last_chime: float | None = None

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

    def chime_due(self, now: float) -> bool:
        """Any call nobody acknowledged chimes again every REMIND_CALL_S, as nurses expect of a
        nurse call: a call is silenced by acknowledging it, not by waiting."""
        if self.previous is None:
            return False
        waiting = any(
            v.priority != "emergency" and v.state == "received" for v in self.previous.requests
        )
        if not waiting:
            self.last_chime = None
            return False
        if self.last_chime is None:
            self.last_chime = now  # the "new request" alert has just sounded
            return False
        if now - self.last_chime >= REMIND_CALL_S:
            self.last_chime = now
            return True
        return False


# ---------------------------------------------------------------- nurse in room


def beds_with_nurse(queue: p.UnitQueue | None) -> list[str]:
    """Beds where a nurse marked "nurse in room" at the bed's own screen (where that bed's
    emergency can be cleared), in bed order; empty when nobody is in a room."""
    if queue is None:
        return []
    return sorted(queue.present_beds, key=lambda b: (len(b), b))


def silent_stations(heard: dict[str, float], now: float) -> list[str]:
    """Stations that said they serve but have not been heard for ``PRESENCE_FRESH_S`` (each
    heartbeats every 5 s). Either the station hangs with its connection up (its last will
    never fires) or this window's own link broke without a word (TCP keep-alive notices in
    a minute): calls are not arriving either way. ``heard``: name -> monotonic time."""
    return sorted(name for name, at in heard.items() if now - at > p.PRESENCE_FRESH_S)


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


def intent_bars(
    stats: p.UnitStats, intents: dict[str, Intent], language: str, p90: bool = False
) -> list[Bar]:
    """Median (or, with ``p90``, 90th-percentile) response time per request type, in the
    nurse's language."""
    return [
        Bar(
            intent_label(intents, s.intent, language),
            s.p90_response_s if p90 else s.median_response_s,
            s.requests,
            s.answered,
        )
        for s in stats.by_intent
    ]


def hour_bars(stats: p.UnitStats, tz: tzinfo | None = None, p90: bool = False) -> list[Bar]:
    """Median (or 90th-percentile) response time per clock hour, in local time (``14:00``)."""
    bars = []
    for h in stats.by_hour:
        local = p.parse_iso(h.hour).astimezone(tz)
        value = h.p90_response_s if p90 else h.median_response_s
        bars.append(Bar(local.strftime("%H:00"), value, h.requests, h.answered))
    return bars


LABEL_STEPS = (1, 2, 3, 4, 6, 8, 12)
"""Every how many columns the hour chart may label: divisors of 24, so labelled hours keep a
regular rhythm (every hour, every other hour, every three hours...)."""


def label_step(count: int, column_w: float, text_w: float, gap: float = 10.0) -> int:
    """Every how many columns a label fits whole: the smallest step whose span holds the
    widest label and a gap. 0: not even one label fits (then none is drawn rather than a
    clipped "4:0")."""
    for step in LABEL_STEPS:
        if step <= max(count, 1) and step * column_w >= text_w + gap:
            return step
    return 0


def label_boxes(
    count: int, axis_x: float, column_w: float, text_w: float, width: float, gap: float = 10.0
) -> list[tuple[int, float]]:
    """Which columns get a label and where its box (``text_w`` wide) starts: every
    ``label_step`` columns, centred under its column, moved (never shrunk) to stay inside
    ``0..width``; a label that would then touch the one before it is left out."""
    step = label_step(count, column_w, text_w, gap)
    boxes: list[tuple[int, float]] = []
    for i in range(0, count, step) if step else ():
        centre = axis_x + (i + 0.5) * column_w
        left = max(0.0, min(centre - text_w / 2, width - text_w))
        if boxes and left < boxes[-1][1] + text_w + gap / 2:
            continue
        boxes.append((i, left))
    return boxes


def slow_calls(
    stats: p.UnitStats, intents: dict[str, Intent], language: str, tz: tzinfo | None = None
) -> list[tuple[str, str, str, bool]]:
    """The slowest calls as (wait, intent, local time, answered), slowest first: the calls a
    median hides, above all the ones nobody answered."""
    return [
        (
            seconds_text(c.wait_s),
            intent_label(intents, c.intent, language),
            p.parse_iso(c.received_at).astimezone(tz).strftime("%H:%M"),
            c.answered,
        )
        for c in stats.slowest
    ]


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


# ---------------------------------------------------------------- actions sent while offline

ARRIVAL_GRACE_S = 20.0
"""Seconds after the window is back online within which a queued action must show in the
unit queue; after that the nurse is told it did not arrive."""


@dataclass
class PendingAction:
    request_id: str
    action: str
    what: str  # "Bed 12, Water": for the message
    at: float


@dataclass(frozen=True)
class DoneFirst:
    """A nurse's action the queue shows done by someone else: ``state`` by ``by``."""

    what: str  # "Bed 12, Water"
    state: str
    by: str


GONE_WAIT_S = 10.0
"""How long an action whose call left the queue waits for the bed's state to say who closed
it (``CallsClosed``; the station sends both at once) before it is forgotten."""


class OwnActions:
    """This window's acknowledgements and resolutions until their call is seen done: when it
    is done by someone else (both nurses pressed at once and the station took the other's
    first, or the patient cancelled), the nurse is told, not left believing her own went
    through."""

    def __init__(self) -> None:
        self._actions: dict[tuple[str, str], tuple[str, str]] = {}  # (id, action) -> (nurse, what)
        self._gone: dict[str, float] = {}  # request id -> when it left the queue

    def add(self, request_id: str, action: str, nurse: str, what: str) -> None:
        self._actions[(request_id, action)] = (nurse, what)

    def settle(self, queue: p.UnitQueue, now: float) -> list[DoneFirst]:
        """Forget the actions whose call the queue shows done; those done by someone else are
        returned, once each. An action whose call left the queue waits ``GONE_WAIT_S`` for
        :meth:`closed` to say how, then is forgotten."""
        views = {v.id: v for v in queue.requests}
        first: list[DoneFirst] = []
        for (request_id, action), (nurse, what) in list(self._actions.items()):
            view = views.get(request_id)
            if view is None:
                since = self._gone.setdefault(request_id, now)
                if now - since >= GONE_WAIT_S:
                    del self._actions[(request_id, action)]
                    self._gone.pop(request_id, None)
                continue
            if view.state not in DONE_BY[action]:
                continue  # not done yet
            del self._actions[(request_id, action)]
            if view.by and view.by != nurse:
                first.append(DoneFirst(what, view.state, view.by))
        return first

    def closed(self, views: Iterable[p.RequestView]) -> list[DoneFirst]:
        """Closed calls as their beds' states list them: the actions on them are done; those
        someone else closed are returned, once each."""
        first: list[DoneFirst] = []
        for view in views:
            for action in ("acknowledge", "resolve"):
                mine = self._actions.pop((view.id, action), None)
                if mine is None:
                    continue
                nurse, what = mine
                if view.by != nurse and not any(f.what == what for f in first):
                    first.append(DoneFirst(what, view.state, view.by or "?"))
            self._gone.pop(view.id, None)
        return first


class PendingActions:
    """Nurse actions queued while the window was offline, until the queue shows them done.

    The feed sends a queued command again until the queue shows it done (see
    :class:`beckon.station.feed.StationFeed`); should that still fail (the station service is
    down for good), the window neither claims "not sent" nor trusts "queued": it watches the
    queue and says plainly when an action did not arrive.
    """

    def __init__(self, grace_s: float = ARRIVAL_GRACE_S) -> None:
        self.grace_s = grace_s
        self.pending: list[PendingAction] = []
        self.online_since: float | None = None

    def add(self, request_id: str, action: str, what: str, now: float) -> None:
        self.pending.append(PendingAction(request_id, action, what, now))

    def connection(self, online: bool, now: float) -> None:
        self.online_since = now if online else None

    def settle(self, queue: p.UnitQueue) -> None:
        """Forget the actions the queue shows done (or whose request left the queue)."""
        states = {v.id: v.state for v in queue.requests}
        self.pending = [
            a
            for a in self.pending
            if a.request_id in states and states[a.request_id] not in DONE_BY[a.action]
        ]

    def lost(self, now: float) -> list[PendingAction]:
        """Actions that have not arrived ``grace_s`` after the link came back (each once)."""
        if self.online_since is None:
            return []
        lost = [a for a in self.pending if now - max(a.at, self.online_since) > self.grace_s]
        self.pending = [a for a in self.pending if a not in lost]
        return lost


# ---------------------------------------------------------------- the station's own faults

SYSTEM_GRACE_S = 8.0
"""Seconds after start-up before a missing broker or station service counts as a fault."""
SYSTEM_REPEAT_S = 20.0
"""While the station cannot receive calls, the alarm sounds again this often."""


class SystemWatch:
    """Whether this station window can be trusted to show calls, and when to sound about it.

    Calls only appear here if the window reaches the broker and a station service of the unit
    is online. Losing either is the worst failure a nurse call can have (calls are silently
    missed), so it is a full-width banner and a repeating alarm until it is back. A missing
    sound device is a fault too: the nurse must know that alarms are silent.
    """

    def __init__(
        self,
        started: float,
        grace_s: float = SYSTEM_GRACE_S,
        repeat_s: float = SYSTEM_REPEAT_S,
    ) -> None:
        self.started = started
        self.grace_s = grace_s
        self.repeat_s = repeat_s
        self._last_sound: float | None = None

    def faults(
        self, connected: bool | None, stations: dict[str, bool], sound: bool, now: float
    ) -> list[str]:
        """Keys of the current faults: ``broker_lost``, ``station_lost``, ``no_sound``."""
        out: list[str] = []
        settled = now - self.started >= self.grace_s
        if connected is False or (connected is None and settled):
            out.append("broker_lost")
        elif not any(stations.values()) and (stations or settled):
            out.append("station_lost")
        if not sound:
            out.append("no_sound")
        return out

    def sound_due(self, faults: list[str], now: float) -> bool:
        """Whether to sound the alarm now: at once when calls stop arriving, then every
        ``repeat_s`` until they arrive again."""
        if not any(f in ("broker_lost", "station_lost") for f in faults):
            self._last_sound = None
            return False
        if self._last_sound is None or now - self._last_sound >= self.repeat_s:
            self._last_sound = now
            return True
        return False


# ---------------------------------------------------------------- questions


def question_status(q: p.QuestionView, now: datetime, ttl_s: float) -> str:
    """``yes``/``no`` once answered; ``expired`` when nobody answered within the bedside's own
    time limit (the bedside has stopped asking, so the station must not say "waiting");
    else ``waiting``."""
    if q.answer is not None:
        return q.answer
    if (now - p.parse_iso(q.asked_at)).total_seconds() >= ttl_s:
        return "expired"
    return "waiting"


def clock_text(stamp: str, tz: tzinfo | None = None) -> str:
    """``14:05``: a wire timestamp in the station's local time."""
    return p.parse_iso(stamp).astimezone(tz).strftime("%H:%M")


# ---------------------------------------------------------------- bed board

BACKLOG_WARN_S = p.BACKLOG_STUCK_S
backlog_stuck = p.backlog_stuck  # the one rule, shared with `beckon doctor station`


@dataclass(frozen=True)
class BedBoardRow:
    """One bed on the station's bed board. Each device column is a ``(tone, code)`` pair:
    tone ok / warn / bad / off for the colour (note: calm, a note about the patient such as
    ``away_from_rest``), code for the words (``strings.board_text``).
    ``None`` values were not reported (a bed running older software)."""

    bed: str
    online: bool
    camera: tuple[str, str]
    face: tuple[str, str]
    mic: tuple[str, str]
    voice: tuple[str, str]
    backlog: tuple[str, str]
    software: str
    faults: tuple[str, ...]
    """The bed's device faults (not its ``PATIENT_NOTES``) plus ``backlog`` when its calls are
    stuck: the fault lines."""
    waiting: int | None = None
    waiting_s: int | None = None


def bed_board_row(
    bed: str,
    online: bool,
    faults: tuple[str, ...] = (),
    software: str = "",
    voice: str | None = None,
    backlog: int | None = None,
    backlog_age_s: int | None = None,
) -> BedBoardRow:
    """What the board shows for one bed's latest status (the values of ``BedHealth``)."""
    if not online:
        off = ("off", "unknown")
        return BedBoardRow(bed, False, off, off, off, off, off, software, ())
    f = set(faults)
    camera = (
        ("bad", "camera_lost")
        if "camera_lost" in f
        else ("warn", "camera_off")
        if "camera_off" in f
        else ("ok", "ok")
    )
    if camera[0] != "ok":
        face = ("off", "unknown")
    elif "too_dark" in f or "too_bright" in f:
        face = ("warn", "too_dark" if "too_dark" in f else "too_bright")
    elif "no_face" in f:
        face = ("warn", "no_face")
    elif "poor_view" in f:
        face = ("warn", "poor_view")
    elif "away_from_rest" in f:  # a note about the patient, not a fault (``PATIENT_NOTES``)
        face = ("note", "away_from_rest")
    else:
        face = ("ok", "ok")
    mic = ("bad", "mic_error") if "mic_error" in f else ("ok", "ok")
    if voice is None:
        voice_cell = ("off", "unknown")
    elif voice == "failed":
        voice_cell = ("bad", "failed")
    elif voice == "starting":
        voice_cell = ("warn", "starting")
    elif voice == "off":
        voice_cell = ("off", "off")
    else:
        voice_cell = ("ok", voice)
    stuck = backlog_stuck(backlog, backlog_age_s)
    if backlog is None:
        backlog_cell = ("off", "unknown")
    elif stuck:
        backlog_cell = ("bad", "stuck")
    elif backlog:
        backlog_cell = ("warn", "sending")
    else:
        backlog_cell = ("ok", "ok")
    return BedBoardRow(
        bed,
        True,
        camera,
        face,
        mic,
        voice_cell,
        backlog_cell,
        software,
        (*p.device_faults(faults), *(("backlog",) if stuck else ())),
        backlog,
        backlog_age_s,
    )


def bed_sort_key(bed: str) -> tuple[int, int, str]:
    """Bed 2 before bed 10; names that are not numbers after the numbers."""
    return (0, int(bed), "") if bed.isdigit() else (1, 0, bed)


NamePlace = Literal["first_line", "tabs", "tight_tabs", "own_line"]
"""Where the nurse's name goes (``StationWindow._place_name``): beside the title and the
status chips; beside the tabs; beside the tabs with their padding tightened and the field
alone (no "Your name:" before it); or on a line of its own under the chips."""


@dataclass(frozen=True)
class NameRoom:
    """The widths (px) that decide where the nurse's name goes, measured by the window."""

    room: int  # the window's width inside its margins
    first_line: int  # the title and the status chips, each with its gap after it
    tabs: int  # the tab bar with its usual padding
    tight_tabs: int  # the tab bar with its tabs' sides tightened
    name: int  # "Your name:" and the field
    field: int  # the field alone at its narrowest
    gap: int  # between two widgets on a line


def place_name(r: NameRoom) -> NamePlace:
    """The first of these that fits: beside the chips, beside the tabs, beside tightened tabs
    (the field alone, as wide as the room left, never below ``field``), else a line of its own.
    At font scale 2 on a 1280 x 800 screen in English the four tabs ("Questions" has its own
    there) took 1160 of 1244 px and the name needed 711: its own line took 100 px from the
    calls. Tightened tabs take 904 and leave the field 316."""
    if r.first_line + r.name <= r.room:
        return "first_line"
    if r.tabs + 2 * r.gap + r.name <= r.room:
        return "tabs"
    if r.tight_tabs + 2 * r.gap + r.field <= r.room:
        return "tight_tabs"
    return "own_line"


def tight_name_width(r: NameRoom, wanted: int) -> int:
    """The field's width beside tightened tabs: what it would like, or the room left."""
    return max(r.field, min(wanted, r.room - r.tight_tabs - 2 * r.gap))
