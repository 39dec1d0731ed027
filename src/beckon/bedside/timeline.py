"""The patient's requests as the bedside follows them: saved, sent, received by the station,
acknowledged by a named nurse, resolved or cancelled.

Plain Python on the bedside service's events. The window shows this timeline; the window-less
bedside keeps one too, so that ``reach.ReachLog`` can say in the log when a call has no receipt.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, assert_never

from beckon.bedside import events as ev
from beckon.bedside.events import BedsideEvent
from beckon.intents import Intent
from beckon.messaging.protocol import CLOSED_STATES, REQUEST_STATES, is_backwards, parse_iso

TRACK_STATES = ("saved", "sent", *REQUEST_STATES[1:])
"""The request states as the patient follows them: the bedside's "created" splits into saved
(on disk) and sent (published); the rest are the request's own states, in their order."""
STEPS = TRACK_STATES[:-1]  # the timeline's steps; cancelled replaces resolved at the end
MAX_TRACKS = 5
"""The patient's own recent messages on the timeline, newest first: the newest step by step,
the ones before it as one line each with their time and state."""
FINISHED_STATES = CLOSED_STATES


@dataclass
class RequestTrack:
    """One request as the patient follows it."""

    request_id: str
    intent: str
    state: str = "saved"  # saved, sent, received, acknowledged, resolved, cancelled
    by: str | None = None  # the nurse who acknowledged (never whoever acted last)
    waiting_offline: bool = False
    station_away: bool = False
    """Published, but the nurse station is not answering: no one has it yet."""
    updated: float = field(default_factory=time.monotonic)
    created: float = field(default_factory=time.monotonic)
    """When this tablet saved it (monotonic): the no-receipt alarm counts from it."""
    made_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    """When the patient asked, on the wall clock (shown as HH:MM in the tablet's time zone)."""

    def clock(self, tz: Any = None) -> str:
        """``14:05``: when the patient asked, in ``tz`` (default: the tablet's time zone)."""
        return self.made_at.astimezone(tz).strftime("%H:%M")

    @property
    def open(self) -> bool:
        return self.state not in FINISHED_STATES

    def steps(self) -> list[tuple[str, bool]]:
        """Each step of the timeline and whether it has happened. A cancelled request ends
        with a ``cancelled`` step instead of ``resolved``."""
        names = list(STEPS) if self.state != "cancelled" else [*STEPS[:3], "cancelled"]
        if self.state == "cancelled":
            reached = len(names)
        else:
            reached = STEPS.index(self.state) + 1 if self.state in STEPS else 1
        return [(name, i < reached) for i, name in enumerate(names)]

    def headline(self) -> str:
        """The one sentence to show in large type (a key: saved_offline, sending, received,
        acknowledged, resolved, cancelled)."""
        if self.unreceived and self.waiting_offline:
            return "saved_offline"
        if self.unreceived and self.station_away:
            return "station_away"  # it said "Sending your request…" while nobody had it
        if self.unreceived:
            return "sending"
        return self.state

    @property
    def unreceived(self) -> bool:
        """Saved or sent: the station has not said it has it yet, so a link or a station away
        is what the patient must be told about."""
        return self.state in ("saved", "sent")


def emergency_to_clear(tracks: list[RequestTrack], intents: Mapping[str, Intent]) -> str | None:
    """The request "Clear emergency" on the bed's staff menu clears: the newest emergency of
    this bed that the station holds open (received or acknowledged). None: nothing to clear."""
    for track in tracks:
        spec = intents.get(track.intent)
        emergency = spec is not None and spec.priority == "emergency"
        if emergency and track.state in ("received", "acknowledged"):
            return track.request_id
    return None


class Timeline:
    """Follows the bedside service's events and keeps the requests the patient sees."""

    def __init__(self) -> None:
        self.tracks: list[RequestTrack] = []  # newest first
        self.online: bool | None = None
        self.station_online: bool | None = None

    def get(self, request_id: str) -> RequestTrack | None:
        return next((t for t in self.tracks if t.request_id == request_id), None)

    def apply(self, e: BedsideEvent) -> bool:
        """Update from one event; returns whether anything visible changed."""
        match e:
            case ev.RequestSaved(
                intent=intent, request_id=rid, restored=restored, created_at=created_at
            ):
                track = RequestTrack(
                    rid,
                    intent,
                    waiting_offline=self.online is False,
                    station_away=self.station_online is False,
                )
                if created_at:  # "Asked at": when the patient chose it
                    with contextlib.suppress(ValueError):
                        track.made_at = parse_iso(created_at)
                        if restored:
                            track.created = self._saved_before_restart(track.made_at)
                self.tracks.insert(0, track)
                del self.tracks[MAX_TRACKS:]
                return True
            case ev.RequestSent(request_id=rid):
                return self._move(rid, "sent", None, "")
            case ev.StateChanged(request_id=rid, state=state, by=by, intent=intent):
                return self._move(rid, state, by, intent, e.created_at)
            case ev.ConnectionChanged(online=online):
                changed = online != self.online
                self.online = online
                return self._mark_unreceived("waiting_offline", away=not online) or changed
            case ev.StationChanged(online=online):
                changed = self.station_online != online
                self.station_online = online
                return self._mark_unreceived("station_away", away=not online) or changed
            case (
                ev.MenuChanged()
                | ev.AlreadyAsked()
                | ev.CancelAsked()
                | ev.IntentSelected()
                | ev.OfferDeclined()
                | ev.ConfirmNeeded()
                | ev.ConfirmTooSoon()
                | ev.SelectionCancelled()
                | ev.PointerMoved()
                | ev.QuestionAsked()
                | ev.QuestionAnswered()
                | ev.AnswerReceived()
                | ev.QuestionExpired()
                | ev.QuestionSetAside()
                | ev.SpokenRequestDropped()
                | ev.SpokenEmergencyBacked()
                | ev.Fault()
            ):
                return False
            case _:
                assert_never(e)

    @staticmethod
    def _saved_before_restart(made_at: datetime) -> float:
        """When a request restored after a restart was saved, on this run's monotonic clock,
        for the no-receipt alarm: its ``created_at`` is the best the timeline knows (the save
        time died with the old run), so the alarm does not start again at every restart. Only
        then: a new request's ``created_at`` may be dated back by a gesture reported late
        (``BedsideService.submit``'s ``late_s``, up to 9.86 s), and counted from it the alarm
        sounded "NO RECEIPT" as the request was saved (review rev48b: ``receipt_alarm_s`` 5, a
        call 5.66 s late) though the station had had no time to answer; ``receipt_alarm_s`` is
        how long a request may wait for its receipt once this tablet has it."""
        age = (datetime.now(UTC) - made_at).total_seconds()
        return time.monotonic() - max(0.0, age)

    def set_online(self, online: bool) -> bool:
        """The link's state as polled by the window (the service only reports changes)."""
        return self.apply(ev.ConnectionChanged(online))

    def _mark_unreceived(
        self, flag: Literal["waiting_offline", "station_away"], away: bool
    ) -> bool:
        """Set ``flag`` to ``away`` on every request the station has not received: one rule for
        the bed's own link and for the station, which each used to write this loop. Returns
        whether any request changed."""
        changed = False
        for track in self.tracks:
            if track.unreceived and getattr(track, flag) != away:
                setattr(track, flag, away)
                changed = True
        return changed

    def _move(
        self, request_id: str, state: str, by: str | None, intent: str, created_at: str = ""
    ) -> bool:
        track = self.get(request_id)
        if track is None:
            if not intent or state in FINISHED_STATES:
                return False  # an old request from the retained state: not on this screen
            track = RequestTrack(request_id, intent, state)
            if created_at:
                with contextlib.suppress(ValueError):  # else the arrival time stays
                    track.made_at = parse_iso(created_at)
            self.tracks.insert(0, track)
            del self.tracks[MAX_TRACKS:]
        if is_backwards(track.state, state, TRACK_STATES):
            return False  # never backwards
        track.state = state
        if by and state == "acknowledged":
            # The station's ``by`` is whoever acted last: once another nurse resolves the
            # request it names them, and "Acknowledged by" must not change to that name.
            track.by = by
        if not track.unreceived:
            track.waiting_offline = False
        track.updated = time.monotonic()
        return True

    @property
    def unreachable(self) -> bool:
        """Calls cannot reach the nurses now: no broker, or the station service is away."""
        return self.online is False or self.station_online is False

    def without_receipt(self, now: float, limit_s: float) -> list[RequestTrack]:
        """Requests made here that no station has confirmed for ``limit_s`` seconds."""
        return [t for t in self.tracks if t.unreceived and now - t.created >= limit_s]

    @property
    def offline_message(self) -> bool:
        """Show "not connected, your request is saved and will be sent"."""
        return self.online is False and any(t.open and t.unreceived for t in self.tracks)
