"""The tablet's camera and microphone as the bedside watches them, and the device faults it
reports to the station (``BedStatus.faults``).

Plain Python, shared by the window and ``beckon bedside --headless`` (``HeadlessDevices``), so
both tell the station of the same faults by the same rules.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal, Protocol

# ---------------------------------------------------------------- camera and microphone


CameraKind = Literal["off", "starting", "on", "slow", "lost"]
MicKind = Literal["off", "starting", "listening", "heard", "error", "failed"]


@dataclass(frozen=True)
class CameraState:
    """``kind``: off (no camera used), starting, on, slow, lost; ``fps`` measured."""

    kind: CameraKind
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

    kind: MicKind
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

        kind: MicKind = "error" if isinstance(worker.error, AudioError) else "failed"
        return MicState(kind, note=str(worker.error))
    if worker.finished.is_set():
        return MicState("off", note=worker.note)
    if not worker.ready.is_set():
        return MicState("starting", note=worker.note)
    if last_heard is not None and now - last_heard[0] < 4.0:
        return MicState("heard", last_heard[1], worker.note)
    return MicState("listening", note=worker.note)


# ---------------------------------------------------------------- device faults for the station

NO_FACE_FAULT_S = 30.0
"""Seconds without a face in view before the station is told (a patient turning away for a
moment is not a fault; a camera that cannot see the patient is)."""

POOR_VIEW_FAULT_S = 30.0
"""Seconds of a poor view (face too small, turned or cut off) before the station is told:
detection goes on with lower confidence, but a tablet left too far away needs a nurse."""


LIGHT_HINTS = ("too_dark", "too_bright")
"""Hints about the picture's light, which stand with or without a face."""

AWAY_FROM_REST = "away_from_rest"
"""The hint (and fault) of a head resting far from its learned rest (``beckon.vision.away``):
the view is fine, so "move the tablet" (``poor_view``) would send a nurse to the wrong fix."""


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
        tablet of a bed whose room was dark. ``away_from_rest`` (the head rests where only
        nods and shakes work) is reported as itself too, after the same ``poor_view_s``: a
        quiet bed whose patient was repositioned, or watches something aside."""
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
            # A frame without a face that still carries the away hint (the pipeline holds it
            # through a miss shorter than the face's lost gap) keeps the note and its grace
            # time: restarted at each miss, with a miss every < 30 s the station never saw it
            # (rev45a2).
            held = face_state == "no_face" and face_hint == AWAY_FROM_REST
            if seeing and face_hint is not None and (face_state not in (None, "no_face") or held):
                if self._poor_view_since is None:
                    self._poor_view_since = now
                if now - self._poor_view_since >= self.poor_view_s:
                    away = AWAY_FROM_REST if face_hint == AWAY_FROM_REST else None
                    out.append(light or away or "poor_view")
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
        self._face = (status.state, status.device_hint)

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
