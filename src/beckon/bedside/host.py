"""The one supervisor of a bedside's threads: the service, the camera worker, the voice worker.

Why one class: ``beckon bedside --headless`` and the bedside window used to start, watch and
restart their workers each in their own way, and fixes landed on one side only (the window
never restarted a failed microphone, and its gestures kept going to the first voice worker).
Here both get the same rules:

- the service runs on its own thread; everything reaches it through its inbox;
- a camera or microphone that fails is retried every ``retry_s`` seconds, because requests
  already made still need delivering and touch may still work; a *file* that fails is not
  retried (it would fail the same way) and is reported in :attr:`BedsideHost.file_error`;
- gestures from the camera go through :func:`route_gestures` to the *current* voice worker,
  so a nod still answers a spoken request after the microphone was restarted;
- a nurse's question reaches the current voice worker as :class:`AnswerExpected` (and a
  replacement worker starts with it), so the recogniser listens for yes and no while the
  question waits.

The host is plain Python (no Qt): the window calls :meth:`supervise` from its poll timer, the
headless loop from its own; both then only display or log what the host reports.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beckon.background import Background
from beckon.bedside import events as ev
from beckon.bedside.echo import EchoGuard
from beckon.bedside.interaction import answer_for
from beckon.bedside.service import BedsideService, RestRelearned, VoiceEngine, VoiceProposal
from beckon.bedside.vision_worker import VisionWorker
from beckon.bedside.voice_worker import (
    AnswerExpected,
    VoiceListener,
    VoiceWorker,
    answer_expected,
    route_gestures,
)
from beckon.voice.dialogue import Closed, Prompt, Send

if TYPE_CHECKING:
    from beckon.vision.pipeline import FaceStatus

log = logging.getLogger(__name__)

RETRY_S = 10.0


@dataclass(frozen=True)
class CameraSpec:
    """Where the frames come from: a camera index or a video file, and the face model.
    ``realtime`` plays a file at its own speed (a window, the demo); ``is_file`` says a
    failure is final rather than a camera to retry."""

    model_path: Path
    source: str
    realtime: bool = True
    is_file: bool = False


@dataclass(frozen=True)
class MicSpec:
    """What the voice path listens to: the microphone, or ``audio`` (a WAV file)."""

    language: str
    audio: Path | None = None
    realtime: bool = True
    device: str | int | None = None
    """The microphone (``BedsideConfig.microphone_device``) when ``audio`` is None."""


CAMERA_REMIND_S = 600.0
"""A camera that keeps failing the same way is logged again this often (every retry at DEBUG)."""


WORKERS_STOP_S = 5.0
"""How long stopping waits for the camera and voice workers together (see BedsideHost.stop)."""


class BedsideHost:
    """Starts the service thread and keeps the workers running; see the module docstring.

    The callbacks run on the vision thread (``on_frame``, ``on_face``, ``on_observation``) and
    must only hand the value over; ``on_camera_started`` and ``on_camera_stopped`` (with the
    error text, "" when the source simply ended) run on the thread that calls :meth:`supervise`.
    ``voice_listeners`` are attached to every voice worker the host starts, the first and the
    replacements alike. ``intercept`` may take an item from the camera before the routing
    (the calibration wizard takes the gestures while it is open): it returns True when it did.
    """

    def __init__(
        self,
        service: BedsideService,
        camera: CameraSpec | None = None,
        mic: MicSpec | None = None,
        *,
        retry_s: float = RETRY_S,
        on_frame: Callable[[Any], None] | None = None,
        on_face: Callable[[FaceStatus], None] | None = None,
        on_observation: Callable[[Any], None] | None = None,
        on_camera_started: Callable[[], None] | None = None,
        on_camera_stopped: Callable[[str], None] | None = None,
    ) -> None:
        self.service = service
        self.camera = camera
        self.mic = mic
        self.retry_s = retry_s
        self.on_frame = on_frame
        self.on_face = on_face
        self.on_observation = on_observation
        self.on_camera_started = on_camera_started
        self.on_camera_stopped = on_camera_stopped
        self.intercept: Callable[[object], bool] | None = None
        # The first tells the service when a spoken request waits, so that its scanning
        # menu keeps quiet (each worker gets every listener, see _start_voice).
        self.voice_listeners: list[VoiceListener] = [self._on_voice_action]
        self.echo = EchoGuard()
        """Keeps the voice worker deaf while the tablet speaks; the window tells it when
        (``echo.follow``, :mod:`beckon.bedside.echo`). Headless, nothing speaks."""
        self.vision: VisionWorker | None = None
        self.voice: VoiceWorker | None = None
        self.file_error: str | None = None  # a video or sound file that could not be read
        self._background: Background | None = None
        self._vision_due = 0.0
        self._camera_said: tuple[str, float] | None = None  # the last camera error logged, when
        self._voice_due = 0.0
        self._failed_voice: VoiceWorker | None = None
        self._voice_reported: str | None = None
        self._answer = AnswerExpected(None)  # the latest question state, for new workers
        # Guards _answer and voice together: a question arriving (service thread) while the
        # microphone restarts went to the old worker and the new one stayed in "open" mode.
        self._answer_lock = threading.Lock()
        self.rest_relearned = False
        """Staff asked for the rest to be learned again in this run (:meth:`relearn_rest`):
        every camera started after that starts without the calibrated neutral."""
        self._cancels: tuple[str | None, str | None] = (None, None)  # "cancel" would take back
        # (intent, request id), as the menu's cancel entry says
        service.listeners.append(self._on_service_event)
        service.confirm_spoken_emergency = self._confirm_spoken_emergency

    # ------------------------------------------------------------ lifetime

    def start(self) -> BedsideHost:
        """Start the service thread and the workers."""
        if self._background is None:
            self._background = Background(self.service.run, "bedside").start()
        self.supervise()
        return self

    def stop(self) -> None:
        """Stop the workers, then the service (which handles what is queued, sends it and
        publishes "offline" on its way out).

        The workers share one wait of :data:`WORKERS_STOP_S`: a camera or microphone read
        that blocks held each for 10 s, so the service's own stop began 20 s late, when
        systemd (``TimeoutStopSec=20``) kills the process, and the request the patient
        confirmed last would not have been saved."""
        deadline = time.monotonic() + WORKERS_STOP_S
        for worker in (self.vision, self.voice):
            if worker is not None:
                worker.stop(max(0.1, deadline - time.monotonic()))
        self.vision = self.voice = None
        if self._background is not None:
            self._background.stop()
            self._background = None

    @property
    def service_alive(self) -> bool:
        return self._background is not None and self._background.alive

    @property
    def service_error(self) -> BaseException | None:
        return self._background.error if self._background is not None else None

    @property
    def started(self) -> bool:
        return self._background is not None

    # ------------------------------------------------------------ supervision

    def supervise(self, now: float | None = None) -> None:
        """One look at the workers: notice the ones that stopped, start the ones that are due.
        Call it a few times a second."""
        now = time.monotonic() if now is None else now
        self._watch_vision(now)
        self._watch_voice(now)
        if self.mic is not None and self._voice_wanted() and now >= self._voice_due:
            self._start_voice(now)
        if self.camera is not None and self.vision is None and now >= self._vision_due:
            self._start_vision()
        engine = self.voice_engine()
        if engine != self._voice_reported:
            self._voice_reported = engine
            self.service.post(VoiceEngine(engine))

    def voice_engine(self) -> str:
        """What the bed's status says of its speech recogniser: "off" (no voice input, or a
        sound file that ended), "starting", "failed" (waiting to retry), or the engine and
        language that run ("vosk:ko", "pocketsphinx:en")."""
        worker = self.voice
        if self.mic is None:
            return "off"
        if worker is None:
            return "failed" if self._voice_due > 0 else "starting"
        if worker.error is not None:
            return "failed"
        if worker.finished.is_set():
            return "off"
        if not worker.ready.is_set() or not worker.engine:
            return "starting"
        return f"{worker.engine}:{worker.language}".lower()[:40]

    def _watch_vision(self, now: float) -> None:
        worker = self.vision
        if worker is None or not worker.finished.is_set():
            return
        assert self.camera is not None
        self.vision = None
        if self.camera.is_file:
            # A file that ended stays ended; one that cannot be read would fail again.
            self._vision_due = float("inf")
            if worker.error is not None:
                self.file_error = f"vision stopped: {worker.error}"
            else:  # said nothing: the menu went on offering with no camera behind it
                log.warning("video %s ended: no more gestures are seen", self.camera.source)
        else:
            # A lost camera must not stop the bedside: say so, keep touch working, retry. The
            # same error again is said every CAMERA_REMIND_S, not at every retry (a tablet
            # without its camera wrote the same lines every 10 s).
            why = str(worker.error or "no more frames")
            said = self._camera_said
            again = (
                said is not None
                and said[0] == why
                and now - said[1] < CAMERA_REMIND_S
                and worker.frames == 0  # it never worked meanwhile
            )
            log.log(
                logging.DEBUG if again else logging.ERROR,
                "camera %s stopped (%s); retrying every %g s",
                self.camera.source,
                why,
                self.retry_s,
            )
            if not again:
                self._camera_said = (why, now)
            self._vision_due = now + self.retry_s
        if self.on_camera_stopped is not None:
            self.on_camera_stopped("" if worker.error is None else str(worker.error))

    def also_on_face(self, listener: Callable[[FaceStatus], None]) -> None:
        """Call ``listener`` with every face status too, after what ``on_face`` already does
        (metrics, the headless device watch). Before the camera starts: it is read then."""
        shown = self.on_face

        def on_face(status: FaceStatus) -> None:
            listener(status)
            if shown is not None:
                shown(status)

        self.on_face = on_face

    def relearn_rest(self, by: str = "staff") -> bool:
        """Staff repositioned the patient: learn the resting head pose again. Safe from the
        window's thread; ``by`` is who asked (the log's one line says so).

        Remembered for the rest of this run (:attr:`rest_relearned`): a running camera's
        worker relearns before its next frame, and every camera started after it (a frozen
        picture reopened, a camera error retried, or none running at this moment) starts
        without the profile's calibrated neutral, which is the rest staff just said no longer
        holds; otherwise a reopened camera showed "ready" on the stale rest from its first
        frame. A new process (a kiosk restart) learns it from the face as well: the service
        takes it out of the saved profile (``BedsideService.rest_relearned``). A choice
        awaiting confirmation is dropped (:class:`RestRelearned`). False with no camera
        configured (no rest to learn)."""
        if self.camera is None:
            log.info("%s asked to learn the rest again: no camera, nothing to learn", by)
            return False
        self.rest_relearned = True
        worker = self.vision
        running = worker is not None and not worker.stopping
        log.info(
            "%s asked to learn the patient's rest again (repositioned): %s",
            by,
            "at the camera's next frame" if running else "when the camera runs again",
        )
        if worker is not None and running:
            worker.request_relearn()
        self.service.post(RestRelearned(by))
        return True

    def reopen_camera(self, reason: str) -> None:
        """Close the live camera and open it again after ``retry_s`` (a frozen picture).
        Nothing for a file, or while a stop is already asked."""
        worker = self.vision
        if worker is None or self.camera is None or self.camera.is_file or worker.stopping:
            return
        log.error("camera %s: %s; opening it again", self.camera.source, reason)
        worker.request_stop(RuntimeError(f"{reason}; opening it again"))

    def _voice_wanted(self) -> bool:
        """No voice worker yet, or one that failed (kept until its replacement starts, so the
        window can show the microphone's error meanwhile)."""
        return self.voice is None or self.voice is self._failed_voice

    def _watch_voice(self, now: float) -> None:
        worker = self.voice
        if worker is None or worker is self._failed_voice:
            return
        if not worker.finished.is_set() or worker.error is None:
            return
        assert self.mic is not None
        # Its spoken request must not wait forever (rev46e). Ended before the worker is
        # marked failed: a long blink handled on the service thread in between found no
        # worker to take it as the emergency's yes, its "drop" closed the spoken emergency,
        # and the end then sent nothing (rev46e2). Now that blink is the dead worker's yes
        # (before) or the menu's "Emergency?" after it was sent (after).
        worker.end_proposal()
        self._failed_voice = worker
        if self.mic.audio is not None:
            self.file_error = f"voice stopped: {worker.error}"
            self._voice_due = float("inf")
            return
        log.error("microphone failed (%s); retrying in %g s", worker.error, self.retry_s)
        self._voice_due = now + self.retry_s

    def _start_vision(self) -> None:
        assert self.camera is not None
        if self.on_camera_started is not None:
            self.on_camera_started()
        self.vision = VisionWorker(
            self.camera.model_path,
            self.camera.source,
            self.post_from_camera,
            realtime=self.camera.realtime,
            on_frame=self.on_frame,
            on_status=self.on_face,
            on_observation=self.on_observation,
            profile=self.service.profile,
            face_retry=self.service.settings.bedside.face_retry,
        )
        if self.rest_relearned:  # taken before its first frame: never "ready" on the old rest
            self.vision.request_relearn()
        self.vision.start()

    def _start_voice(self, now: float) -> None:
        assert self.mic is not None
        try:
            worker = VoiceWorker(
                self.mic.language,
                self.service.post,
                source=self.mic.audio if self.mic.audio is not None else self.mic.device,
                policy=self.service.profile.voice,
                realtime=self.mic.realtime,
                echo=self.echo,
                # The patient's own yes and no gestures, from the menu of the moment.
                answers=lambda gesture: answer_for(gesture, self.service.menu.actions),
            )
        except Exception as exc:  # e.g. a catalog without this language: voice stays off
            log.error("voice input is off: %s", exc)
            self._voice_due = now + self.retry_s
            return
        worker.listeners.extend(self.voice_listeners)
        with self._answer_lock:
            worker.expect_answer(self._answer)
            worker.expect_cancel(*self._cancels)
            self.voice = worker.start()

    # ------------------------------------------------------------ routing

    def _on_service_event(self, event: object) -> None:
        """On the service thread: tell the voice worker when an answer is expected, and which
        request "cancel" would take back."""
        if isinstance(event, ev.MenuChanged):
            with self._answer_lock:
                self._cancels = (event.menu.cancels, event.menu.cancels_id)
                if self.voice is not None:
                    self.voice.expect_cancel(*self._cancels)
        if isinstance(event, ev.SpokenRequestDropped):
            with self._answer_lock:
                if self.voice is not None:
                    self.voice.drop_proposal()
        hint = answer_expected(event)
        if hint is None:
            return
        with self._answer_lock:
            self._answer = hint
            if self.voice is not None:
                self.voice.expect_answer(hint)

    def _confirm_spoken_emergency(self) -> bool:
        """On the service thread: the patient's emergency gesture while a spoken emergency
        seems to wait. Whether the current voice worker sent it as that yes; a failed one
        (not yet replaced) sends nothing, and the gesture then goes the menu's way."""
        with self._answer_lock:
            voice = None if self._voice_wanted() else self.voice
            return voice is not None and voice.confirm_emergency()

    def _on_voice_action(self, item: object) -> None:
        """On the voice thread: a spoken request began or ended waiting for yes or no."""
        if isinstance(item, Prompt):
            self.service.post(VoiceProposal(waiting=True, intent=item.intent))
        elif isinstance(item, Send | Closed):
            self.service.post(VoiceProposal(waiting=False))

    def post_from_camera(self, item: object) -> None:
        """On the vision thread: what the camera saw, to the wizard or the service. The voice
        worker is looked up per item, so a replaced microphone still gets its nods."""
        if self.intercept is not None and self.intercept(item):
            return
        voice = None if self._voice_wanted() else self.voice
        route_gestures(self.service.post, voice)(item)


__all__ = ["BedsideHost", "CameraSpec", "MicSpec"]
