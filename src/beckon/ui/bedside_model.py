"""What the bedside window shows and says, decided in plain Python (no Qt, so it is tested).

The window renders; this module decides: each request's timeline (saved, sent, received by the
station, acknowledged by a named nurse, resolved), the offline message, the camera's state
(off, starting, on, slow, lost) from the times frames arrive, what the microphone is doing, and
which events deserve a spoken prompt. Texts are keys; the Qt layer translates them.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, assert_never

from beckon.bedside import events as ev
from beckon.bedside.events import BedsideEvent
from beckon.intents import CANCEL_REQUEST, Intent
from beckon.messaging.protocol import CLOSED_STATES, REQUEST_STATES, is_backwards, parse_iso

log = logging.getLogger(__name__)

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
        if self.state in ("saved", "sent") and self.waiting_offline:
            return "saved_offline"
        if self.state in ("saved", "sent") and self.station_away:
            return "station_away"  # it said "Sending your request…" while nobody had it
        if self.state in ("saved", "sent"):
            return "sending"
        return self.state


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
            case ev.RequestSaved(intent=intent, request_id=rid, created_at=created_at):
                track = RequestTrack(
                    rid,
                    intent,
                    waiting_offline=self.online is False,
                    station_away=self.station_online is False,
                )
                if created_at:  # one saved before a restart keeps its own time
                    with contextlib.suppress(ValueError):
                        track.made_at = parse_iso(created_at)
                        age = (datetime.now(UTC) - track.made_at).total_seconds()
                        track.created -= max(0.0, age)  # the no-receipt alarm counts from it
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
                for t in self.tracks:
                    if t.state in ("saved", "sent") and t.waiting_offline == online:
                        t.waiting_offline = not online
                        changed = True
                return changed
            case ev.StationChanged(online=online):
                changed = self.station_online != online
                self.station_online = online
                for t in self.tracks:
                    if t.state in ("saved", "sent") and t.station_away == online:
                        t.station_away = not online
                        changed = True
                return changed
            case (
                ev.MenuChanged()
                | ev.AlreadyAsked()
                | ev.CancelAsked()
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
        if state not in ("saved", "sent"):
            track.waiting_offline = False
        track.updated = time.monotonic()
        return True

    @property
    def unreachable(self) -> bool:
        """Calls cannot reach the nurses now: no broker, or the station service is away."""
        return self.online is False or self.station_online is False

    def without_receipt(self, now: float, limit_s: float) -> list[RequestTrack]:
        """Requests made here that no station has confirmed for ``limit_s`` seconds."""
        return [
            t for t in self.tracks if t.state in ("saved", "sent") and now - t.created >= limit_s
        ]

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
    if isinstance(e, ev.RequestSaved | ev.AlreadyAsked | ev.CancelAsked):
        return e.intent
    return ""


def spoken_words(e: BedsideEvent, intents: Mapping[str, Intent], language: str) -> str:
    """How a prompt names its intent: a chosen request is said as the catalog's sentence for
    the people in the room ("I would like some water, please."), so visitors hear what the
    patient asked for; the menu names the intent by its label ("" for what the catalog does
    not have, such as the sleep entry: the window names those)."""
    spec = intents.get(spoken_intent(e))
    if spec is None:
        return ""
    if isinstance(e, ev.RequestSaved):
        return spec.room_phrase(language)
    return spec.label(language)


def prompt_for(e: BedsideEvent, intent_label: str, calibrating: bool = False) -> Prompt | None:
    """What to say aloud for a bedside event, for patients who cannot read the screen.

    The menu speaks only the offered item (the patient answers it); states speak the steps
    that matter to the patient (received, someone is coming, done); nothing technical. While
    the calibration wizard runs, the menu is silent: its instructions must be heard alone.
    """
    if calibrating and isinstance(e, ev.MenuChanged):
        return None
    match e:
        case ev.MenuChanged(menu=menu):
            if menu.stage == "question":
                return Prompt("question", (menu.question,))
            if menu.stage == "offering" and menu.highlighted:
                return Prompt("offer", (intent_label,))
            confirm = menu.confirm_with[:1] or ("nod",)  # the gesture to name
            if menu.stage == "confirming" and menu.highlighted == CANCEL_REQUEST:
                return Prompt("confirm_cancel", (intent_label, *confirm))
            if menu.stage == "confirming" and menu.highlighted:
                return Prompt("confirm", (intent_label, *confirm))
            if menu.stage == "asleep":
                return Prompt("asleep", confirm)
            if menu.stage == "scale" and menu.level is not None:
                return Prompt("scale", (str(menu.level),))
            return None
        case ev.RequestSaved(restored=False):
            return Prompt("chosen", (intent_label,))
        case ev.AlreadyAsked():
            return Prompt("already_asked", (intent_label,))
        case ev.CancelAsked():
            return Prompt("cancel_asked", (intent_label,))
        case ev.StateChanged(state="received"):
            return Prompt("received")
        case ev.StateChanged(state="acknowledged", by=by):
            return Prompt("acknowledged", (by or "",))
        case ev.StateChanged(state="resolved"):
            return Prompt("resolved")
        case ev.StateChanged(state="cancelled"):
            return Prompt("cancelled")  # shown as "Cancelled." but never said
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
    frozen: bool = False
    """Lost because the picture stopped changing: the camera is opened again (``reopen``)."""


def reopen_if_frozen(state: CameraState, host: Any) -> None:
    """A frozen live camera is closed and opened again by the host (a stuck capture device
    often recovers on reopening); the station sees ``camera_lost`` meanwhile."""
    if state.frozen:
        host.reopen_camera(state.detail)


FROZEN_AFTER_S = 10.0
"""Seconds of an unchanged picture from a live camera before it counts as lost (frozen)."""


class CameraMonitor:
    """Knows from the times frames arrive whether the camera is on, slow or lost.

    ``frame()`` is called on the vision thread for every frame: it only appends a time under a
    lock. The window polls ``state()`` a few times a second, which also notices the absence of
    frames, something no frame event could report.

    A live camera's picture always changes a little (sensor noise); the very same picture for
    ``frozen_after_s`` is a frozen driver or capture device, and a patient nodding at it is not
    seen: that is "lost" too. Off (None) for video files, whose still scenes repeat exactly.
    """

    def __init__(
        self,
        slow_fps: float = 8.0,
        lost_after_s: float = 2.0,
        start_grace_s: float = 8.0,
        clock: Any = time.monotonic,
        frozen_after_s: float | None = FROZEN_AFTER_S,
    ) -> None:
        self.frozen_after_s = frozen_after_s
        self._picture: bytes = b""
        self._picture_since = 0.0
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
        """A (re)start. The last error stands until a frame arrives: a camera that fails
        again seconds after each retry must not look healthy ("starting") between tries, or
        the station's ``camera_lost`` flickers off every 10 s. The last picture stands too: a
        camera reopened because its picture froze, and frozen again, is still lost from its
        first frame (it showed "on" for 10 s of every 20, and the station no fault)."""
        with self._lock:
            self._started = self.clock()
            self._times.clear()

    def stopped(self, error: str = "") -> None:
        with self._lock:
            self._started = None
            self._error = error

    def frame(self, frame: Any = None) -> None:
        now = self.clock()
        picture = _sample(frame) if self.frozen_after_s is not None else b""
        with self._lock:
            self._times.append(now)
            self._error = ""
            self.latest = frame
            if picture != self._picture or not picture:
                self._picture, self._picture_since = picture, now

    def state(self) -> CameraState:
        now = self.clock()
        with self._lock:
            times = list(self._times)
            started, error = self._started, self._error
        if started is None:
            return CameraState("lost", detail=error) if error else CameraState("off")
        if not times or times[-1] < started:
            if error:
                return CameraState("lost", detail=error)
            if now - started < self.start_grace_s:
                return CameraState("starting")
            return CameraState("lost", detail="no frames")
        if now - times[-1] > self.lost_after_s:
            return CameraState("lost", detail="no frames")
        with self._lock:
            frozen_for = now - self._picture_since if self._picture else 0.0
        if self.frozen_after_s is not None and frozen_for >= self.frozen_after_s:
            return CameraState(
                "lost", detail=f"the same picture for {frozen_for:.0f} s", frozen=True
            )
        recent = [t for t in times if now - t <= 2.0]
        fps = (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 1 else 0.0
        if len(recent) > 1 and fps < self.slow_fps and now - started > 2.0:
            return CameraState("slow", fps)
        return CameraState("on", fps)


def _sample(frame: Any) -> bytes:
    """A few hundred pixels of a frame (a vision ``Frame`` or its RGB array), enough to tell a
    live picture from a frozen one."""
    image = getattr(frame, "rgb", frame)
    try:
        return bytes(image[::37, ::29].tobytes())
    except (AttributeError, TypeError):
        return b""


@dataclass(frozen=True)
class MicState:
    """``kind``: off, starting, listening, heard, error (the microphone), failed (the speech
    recogniser: a model or engine fault, which a new microphone would not fix); ``text`` what
    was heard (on screen only, never sent), ``note`` e.g. which recogniser runs."""

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
        from beckon.voice.audio import AudioError

        kind = "error" if isinstance(worker.error, AudioError) else "failed"
        return MicState(kind, note=str(worker.error))
    if worker.finished.is_set():
        return MicState("off", note=worker.note)
    if not worker.ready.is_set():
        return MicState("starting", note=worker.note)
    if last_heard is not None and now - last_heard[0] < 4.0:
        return MicState("heard", last_heard[1], worker.note)
    return MicState("listening", note=worker.note)


# ---------------------------------------------------------------- staff-only controls


SCAN_PRESETS = (2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
"""Seconds per offer staff can choose at the bed (slower for a tired patient)."""
PAUSE_PRESETS = (1.0, 2.0, 3.0, 5.0, 8.0)
"""Seconds the menu rests after a choice (longer for patients whose gestures linger)."""


def next_preset(current: float, presets: tuple[float, ...]) -> float:
    """The next preset above ``current``, back to the first after the last: one button that
    staff press until the value suits the patient."""
    return next((p for p in presets if p > current + 1e-9), presets[0])


class StaffLock:
    """Staff-only controls (calibrate, camera view) open after a long press, for a while.

    A patient's stray touch or a visitor's tap must not start a calibration that changes the
    patient's gestures, nor show the camera picture. A long press (``hold_s``) on the staff
    button opens the controls for ``open_s``; then they lock again by themselves.
    """

    def __init__(self, hold_s: float = 3.0, open_s: float = 120.0, clock: Any = time.monotonic):
        self.hold_s = hold_s
        self.open_s = open_s
        self.clock = clock
        self._pressed_at: float | None = None
        self._open_until = 0.0

    def press(self) -> None:
        self._pressed_at = self.clock()

    def release(self) -> bool:
        """The press ends; returns whether it was long enough (and so unlocked)."""
        pressed, self._pressed_at = self._pressed_at, None
        if pressed is not None and self.clock() - pressed >= self.hold_s:
            self._open_until = self.clock() + self.open_s
            return True
        return False

    def poll(self) -> bool:
        """Whether the controls are open now (a press held long enough opens them at once)."""
        if self._pressed_at is not None and self.clock() - self._pressed_at >= self.hold_s:
            self._open_until = self.clock() + self.open_s
        return self.clock() < self._open_until

    def unlock(self) -> None:
        """Open without a press (the screenshot tool and the nurse command line)."""
        self._open_until = self.clock() + self.open_s

    def lock(self) -> None:
        self._open_until = 0.0


# ---------------------------------------------------------------- speech that helps


QUIET_AFTER_ROUNDS = 2
"""Full rounds of spoken offers with no gesture before the menu stops speaking them."""

_PATIENT_ACTS = (
    ev.IntentSelected,
    ev.OfferDeclined,
    ev.PointerMoved,
    ev.ConfirmNeeded,
    ev.CancelAsked,
    ev.QuestionAnswered,
    ev.QuestionAsked,
)


SAME_NEWS_S = 3.0
"""The same spoken news about requests (done, received) again within this many seconds is
not said again: it is about several requests at once."""


class PromptPolicy:
    """Which prompts are worth saying aloud, so speech helps rather than wears people out.

    - Offers are not spoken while the camera sees no face: nobody is there to answer.
    - After ``quiet_after_rounds`` full rounds of offers with no gesture, offers are no longer
      spoken (the highlight keeps moving on screen); the patient's next gesture, a face that
      comes back into view or a nurse's question makes the menu speak again.
    - A request's state is spoken only when it changed on this screen for a request this screen
      already showed, so after a restart the retained states of old requests are not announced;
      the same news for several requests at once is said once ("Your request is done." four
      times in a row, for requests closed while the tablet was off).
    """

    def __init__(
        self,
        quiet_after_rounds: int = QUIET_AFTER_ROUNDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quiet_after_rounds = quiet_after_rounds
        self.face_in_view: bool | None = None  # None: no camera to tell
        self.unanswered_offers = 0
        self._clock = clock
        self._last_news: tuple[Prompt, float] | None = None

    def face(self, in_view: bool | None) -> None:
        if in_view and self.face_in_view is not True:
            self.unanswered_offers = 0  # someone is (back) in front of the tablet
        self.face_in_view = in_view

    def prompt(
        self,
        e: BedsideEvent,
        intent_label: str,
        *,
        items: int,
        changed: bool = True,
        known: bool = True,
        calibrating: bool = False,
    ) -> Prompt | None:
        if isinstance(e, _PATIENT_ACTS):
            self.unanswered_offers = 0
        if isinstance(e, ev.StateChanged) and not (changed and known):
            return None
        said = prompt_for(e, intent_label, calibrating)
        if isinstance(e, ev.StateChanged) and said is not None:
            now, last = self._clock(), self._last_news
            if last is not None and last[0] == said and now - last[1] < SAME_NEWS_S:
                return None
            self._last_news = (said, now)
        if said is None or said.key != "offer":
            return said
        if self.face_in_view is False:
            return None
        if self.unanswered_offers >= self.quiet_after_rounds * max(1, items):
            return None
        self.unanswered_offers += 1
        return said


# ---------------------------------------------------------------- calls that cannot get through

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


def tile_columns(items: int, width: int, min_w: int, height: int = 0, min_h: int = 0) -> int:
    """Columns of the request tiles: three at most (two for four items, a square), fewer when
    the tiles would be narrower than ``min_w``, more when ``height`` leaves rows lower than
    ``min_h`` (as when notices take room at a large font scale on a small screen)."""
    if items <= 0:
        return 1
    most = min(2 if items == 4 else 3, items)

    def fit(columns: int) -> float:
        rows = -(-items // columns)
        wide = width / columns / max(1, min_w)
        high = height / rows / max(1, min_h) if height and min_h else 1.0
        return min(wide, high, 1.0)

    columns = most
    while columns > 1 and width < columns * min_w:
        columns -= 1
    best = max(range(1, most + 1), key=lambda c: (fit(c), c == columns))
    return best if fit(best) > fit(columns) else columns


# ---------------------------------------------------------------- device faults for the station

NO_FACE_FAULT_S = 30.0
"""Seconds without a face in view before the station is told (a patient turning away for a
moment is not a fault; a camera that cannot see the patient is)."""

POOR_VIEW_FAULT_S = 30.0
"""Seconds of a poor view (face too small, turned or cut off) before the station is told:
detection goes on with lower confidence, but a tablet left too far away needs a nurse."""


@dataclass(frozen=True, slots=True)
class FaceView:
    """What the face pill says: is a face there, is it ready, and the fix for a poor view.

    ``hint`` is the vision pipeline's ``FaceStatus.hint`` (move_closer, face_screen,
    center_face), kept only while a face is found: a small or turned face still works, with
    lower confidence, so the screen names the fix instead of silently detecting less."""

    state: str  # no_face, calibrating, ready
    hint: str | None = None

    @property
    def tone(self) -> str:
        """ok (ready, good view), warn (calibrating or a poor view), bad (no face)."""
        if self.state == "no_face":
            return "bad"
        return "ok" if self.state == "ready" and self.hint is None else "warn"


LIGHT_HINTS = ("too_dark", "too_bright")
"""Hints about the picture's light, which stand with or without a face."""


def face_view(state: str | None, hint: str | None) -> FaceView:
    """The face pill's view of the latest FaceStatus (None: nothing reported yet)."""
    state = state or "no_face"
    return FaceView(state, hint if state != "no_face" or hint in LIGHT_HINTS else None)


class DeviceWatch:
    """Which device faults the bed reports to the station (``BedStatus.faults``)."""

    def __init__(
        self, no_face_s: float = NO_FACE_FAULT_S, poor_view_s: float = POOR_VIEW_FAULT_S
    ) -> None:
        self.no_face_s = no_face_s
        self.poor_view_s = poor_view_s
        self._face_missing_since: float | None = None
        self._poor_view_since: float | None = None

    def faults(
        self,
        camera: CameraState,
        uses_camera: bool,
        face_state: str | None,
        mic: MicState,
        sound: bool,
        now: float,
        face_hint: str | None = None,
    ) -> tuple[str, ...]:
        """``face_hint``: the pipeline's FaceStatus.hint; held ``poor_view_s`` with a face in
        view it becomes ``poor_view`` (the station sees a tablet that needs moving). A hint
        about the light is reported as itself (``too_dark``, ``too_bright``), with or without
        a face, instead of ``poor_view`` or ``no_face``: the station told a nurse to move the
        tablet of a bed whose room was dark."""
        light = face_hint if face_hint in LIGHT_HINTS else None
        out: list[str] = []
        if uses_camera:
            if camera.kind == "lost":
                out.append("camera_lost")
            elif camera.kind == "off":
                out.append("camera_off")
            seeing = camera.kind in ("on", "slow")
            if seeing and face_state in (None, "no_face"):
                if self._face_missing_since is None:
                    self._face_missing_since = now
                if now - self._face_missing_since >= self.no_face_s:
                    out.append(light or "no_face")
            else:
                self._face_missing_since = None
            if seeing and face_state not in (None, "no_face") and face_hint is not None:
                if self._poor_view_since is None:
                    self._poor_view_since = now
                if now - self._poor_view_since >= self.poor_view_s:
                    out.append(light or "poor_view")
            else:
                self._poor_view_since = None
        if mic.kind == "error":
            out.append("mic_error")
        elif mic.kind == "failed":
            out.append("voice_error")
        if not sound:
            out.append("no_sound")
        return tuple(out)


class HeadlessDevices:
    """The window-less bedside's device faults, by the window's own rules (CameraMonitor,
    DeviceWatch): ``beckon bedside --headless`` told the station of no camera or face fault
    at all. ``attach`` before the host starts; ``check`` from the caller's loop returns the
    faults when they changed (post them as ``DeviceFaults``), else None."""

    def __init__(self) -> None:
        self.camera = CameraMonitor()
        self.devices = DeviceWatch()
        # (state, hint), written on the vision thread and read by ``check``: one tuple, so a
        # reader never pairs one picture's state with another's hint.
        self._face: tuple[str | None, str | None] = (None, None)
        self._reported: tuple[str, ...] = ()

    def attach(self, host: Any) -> None:
        if host.camera is not None and host.camera.is_file:
            self.camera.frozen_after_s = None  # a video's still scenes repeat exactly
        host.on_frame = self.camera.frame
        host.on_camera_started = self.camera.started
        host.on_camera_stopped = self._stopped
        host.also_on_face(self._face_seen)

    def _face_seen(self, status: Any) -> None:
        self._face = (status.state, status.hint)

    def _stopped(self, error: str) -> None:
        self._face = (None, None)
        self.camera.stopped(error)

    def check(self, host: Any, now: float | None = None) -> tuple[str, ...] | None:
        now = time.monotonic() if now is None else now
        mic = mic_state(host.voice, None, now)
        camera = self.camera.state()
        reopen_if_frozen(camera, host)
        face, hint = self._face
        faults = self.devices.faults(camera, host.camera is not None, face, mic, True, now, hint)
        if faults == self._reported:
            return None
        self._reported = faults
        return faults
