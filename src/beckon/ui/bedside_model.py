"""What the bedside window shows and says, decided in plain Python (no Qt, so it is tested).

The window renders; this module decides: each request's timeline (saved, sent, received by the
station, acknowledged by a named nurse, resolved), the offline message, the camera's state
(off, starting, on, slow, lost) from the times frames arrive, what the microphone is doing, and
which events deserve a spoken prompt. Texts are keys; the Qt layer translates them.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol, assert_never

from beckon.bedside import events as ev
from beckon.bedside.events import BedsideEvent
from beckon.messaging.protocol import CLOSED_STATES, REQUEST_STATES, is_backwards

TRACK_STATES = ("saved", "sent", *REQUEST_STATES[1:])
"""The request states as the patient follows them: the bedside's "created" splits into saved
(on disk) and sent (published); the rest are the request's own states, in their order."""
STEPS = TRACK_STATES[:-1]  # the timeline's steps; cancelled replaces resolved at the end
MAX_TRACKS = 3  # requests shown on the timeline; the newest first
FINISHED_STATES = CLOSED_STATES


@dataclass
class RequestTrack:
    """One request as the patient follows it."""

    request_id: str
    intent: str
    state: str = "saved"  # saved, sent, received, acknowledged, resolved, cancelled
    by: str | None = None
    waiting_offline: bool = False
    updated: float = field(default_factory=time.monotonic)

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
        if self.state in ("saved", "sent") and self.waiting_offline:
            return "saved_offline"
        if self.state in ("saved", "sent"):
            return "sending"
        return self.state


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
            case ev.RequestSaved(intent=intent, request_id=rid):
                track = RequestTrack(rid, intent, waiting_offline=self.online is False)
                self.tracks.insert(0, track)
                del self.tracks[MAX_TRACKS:]
                return True
            case ev.RequestSent(request_id=rid):
                return self._move(rid, "sent", None, "")
            case ev.StateChanged(request_id=rid, state=state, by=by, intent=intent):
                return self._move(rid, state, by, intent)
            case ev.ConnectionChanged(online=online):
                changed = online != self.online
                self.online = online
                for t in self.tracks:
                    if t.state in ("saved", "sent") and t.waiting_offline == online:
                        t.waiting_offline = not online
                        changed = True
                return changed
            case ev.StationChanged(online=online):
                changed = self.station_online != online
                self.station_online = online
                return changed
            case (
                ev.MenuChanged()
                | ev.IntentSelected()
                | ev.OfferDeclined()
                | ev.ConfirmNeeded()
                | ev.SelectionCancelled()
                | ev.PointerMoved()
                | ev.QuestionAsked()
                | ev.QuestionAnswered()
                | ev.AnswerReceived()
                | ev.QuestionExpired()
                | ev.Fault()
            ):
                return False
            case _:
                assert_never(e)

    def set_online(self, online: bool) -> bool:
        """The link's state as polled by the window (the service only reports changes)."""
        return self.apply(ev.ConnectionChanged(online))

    def _move(self, request_id: str, state: str, by: str | None, intent: str) -> bool:
        track = self.get(request_id)
        if track is None:
            if not intent or state in FINISHED_STATES:
                return False  # an old request from the retained state: not on this screen
            track = RequestTrack(request_id, intent, state)
            self.tracks.insert(0, track)
            del self.tracks[MAX_TRACKS:]
        if is_backwards(track.state, state, TRACK_STATES):
            return False  # never backwards
        track.state = state
        if by:
            track.by = by
        if state not in ("saved", "sent"):
            track.waiting_offline = False
        track.updated = time.monotonic()
        return True

    @property
    def offline_message(self) -> bool:
        """Show "not connected, your request is saved and will be sent"."""
        return self.online is False and any(
            t.open and t.state in ("saved", "sent") for t in self.tracks
        )


# ---------------------------------------------------------------- spoken prompts


@dataclass(frozen=True)
class Prompt:
    """Something to say: a text key and its arguments (translated by the Qt layer)."""

    key: str
    args: tuple[str, ...] = ()


def spoken_intent(e: BedsideEvent) -> str:
    """The intent a spoken prompt names: the highlighted one for the menu, the chosen one for
    a new request, none otherwise."""
    if isinstance(e, ev.MenuChanged):
        return e.menu.highlighted or ""
    if isinstance(e, ev.RequestSaved):
        return e.intent
    return ""


def prompt_for(e: BedsideEvent, intent_label: str) -> Prompt | None:
    """What to say aloud for a bedside event, for patients who cannot read the screen.

    The menu speaks only the offered item (the patient answers it); states speak the steps
    that matter to the patient (received, someone is coming, done); nothing technical.
    """
    match e:
        case ev.MenuChanged(menu=menu):
            if menu.stage == "question":
                return Prompt("question", (menu.question,))
            if menu.stage == "offering" and menu.highlighted:
                return Prompt("offer", (intent_label,))
            if menu.stage == "confirming" and menu.highlighted:
                return Prompt("confirm", (intent_label,))
            return None
        case ev.RequestSaved():
            return Prompt("chosen", (intent_label,))
        case ev.StateChanged(state="received"):
            return Prompt("received")
        case ev.StateChanged(state="acknowledged", by=by):
            return Prompt("acknowledged", (by or "",))
        case ev.StateChanged(state="resolved"):
            return Prompt("resolved")
        case ev.ConnectionChanged(online=False, request_saved=True):
            return Prompt("saved_offline")
        case ev.QuestionAnswered(answer=answer):
            return Prompt("answered_" + ("yes" if answer == "yes" else "no"))
        case _:
            return None


# ---------------------------------------------------------------- camera and microphone


@dataclass(frozen=True)
class CameraState:
    """``kind``: off (no camera used), starting, on, slow, lost; ``fps`` measured."""

    kind: str
    fps: float = 0.0
    detail: str = ""


class CameraMonitor:
    """Knows from the times frames arrive whether the camera is on, slow or lost.

    ``frame()`` is called on the vision thread for every frame: it only appends a time under a
    lock. The window polls ``state()`` a few times a second, which also notices the absence of
    frames, something no frame event could report.
    """

    def __init__(
        self,
        slow_fps: float = 8.0,
        lost_after_s: float = 2.0,
        start_grace_s: float = 8.0,
        clock: Any = time.monotonic,
    ) -> None:
        self.slow_fps = slow_fps
        self.lost_after_s = lost_after_s
        self.start_grace_s = start_grace_s
        self.clock = clock
        self._times: deque[float] = deque(maxlen=120)
        self._lock = threading.Lock()
        self._started: float | None = None
        self._error = ""
        self.latest: Any = None  # the last frame, for the preview shown on demand

    def started(self) -> None:
        with self._lock:
            self._started = self.clock()
            self._error = ""
            self._times.clear()

    def stopped(self, error: str = "") -> None:
        with self._lock:
            self._started = None
            self._error = error

    def frame(self, frame: Any = None) -> None:
        now = self.clock()
        with self._lock:
            self._times.append(now)
            self.latest = frame

    def state(self) -> CameraState:
        now = self.clock()
        with self._lock:
            times = list(self._times)
            started, error = self._started, self._error
        if started is None:
            return CameraState("lost", detail=error) if error else CameraState("off")
        if not times or times[-1] < started:
            if now - started < self.start_grace_s:
                return CameraState("starting")
            return CameraState("lost", detail="no frames")
        if now - times[-1] > self.lost_after_s:
            return CameraState("lost", detail="no frames")
        recent = [t for t in times if now - t <= 2.0]
        fps = (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 1 else 0.0
        if len(recent) > 1 and fps < self.slow_fps and now - started > 2.0:
            return CameraState("slow", fps)
        return CameraState("on", fps)


@dataclass(frozen=True)
class MicState:
    """``kind``: off, starting, listening, heard, error; ``text`` what was heard (on screen
    only, never sent), ``note`` e.g. which recogniser runs."""

    kind: str
    text: str = ""
    note: str = ""


class VoiceStatus(Protocol):
    """What the window reads of a voice worker (``beckon.bedside.voice_worker.VoiceWorker``):
    its ``ready`` and ``finished`` events, its ``error`` and its ``note``."""

    ready: threading.Event
    finished: threading.Event
    error: BaseException | None
    note: str


def mic_state(
    worker: VoiceStatus | None, last_heard: tuple[float, str] | None, now: float
) -> MicState:
    """From a voice worker (or None) and the last utterance heard (time, transcript)."""
    if worker is None:
        return MicState("off")
    if worker.error is not None:
        return MicState("error", note=str(worker.error))
    if worker.finished.is_set():
        return MicState("off", note=worker.note)
    if not worker.ready.is_set():
        return MicState("starting", note=worker.note)
    if last_heard is not None and now - last_heard[0] < 4.0:
        return MicState("heard", last_heard[1], worker.note)
    return MicState("listening", note=worker.note)
