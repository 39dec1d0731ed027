"""Runs the vision path on its own thread and hands gestures to the bedside service.

The camera loop must never wait for the network or the UI, and the bedside service must
never wait for a frame: the only thing they share is the service's inbox queue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beckon.bedside.service import FrameTick, Gesture, SourceEnded

if TYPE_CHECKING:
    from beckon.vision.gestures import GestureEvent

log = logging.getLogger(__name__)

TICK_S = 0.1  # how often the bedside hears the frames' clock


def reported(event: GestureEvent, frame_t: float) -> Gesture:
    """``event``, reported on the frame at ``frame_t``, as the bedside takes it: at that
    frame's time, with when it was made (``GestureEvent.made``) when that was earlier. A look
    deferred behind a nod of its axis keeps its own older ``t`` in the engine; posted with it,
    it moved the bedside's clock back and was applied to the menu of now as made then."""
    t = frame_t if event.made is not None else event.t
    return Gesture(event.gesture, t, event.confidence, event.made, event.face_back)


class VisionWorker:
    """Reads frames from ``source_spec`` (camera index or video file) until stopped or the
    video ends, and calls ``post(Gesture)`` for every gesture.

    ``on_frame`` (called with every frame) and ``on_status`` (the pipeline's FaceStatus on
    every change) let a window show the camera and face state; ``on_observation`` (every
    frame's FaceObservation) feeds the calibration wizard. They run on the vision thread, so
    they must only hand the value over (a lock, a Qt signal), never draw. ``profile`` is the
    patient's gesture profile; the shipped sequence model, when installed, vets the gestures.
    ``hand_gate``: drop gestures made with a hand over the face when the hand landmarker is
    installed (``beckon models fetch hand_landmarker``; without it the log says the gate is
    off). ``realtime``: play a video file at its own speed (a window, the demo); a camera is
    never paced (:class:`beckon.vision.frames.FilePacer` says why).
    """

    def __init__(
        self,
        model_path: Path,
        source_spec: str,
        post: Callable[[object], None],
        realtime: bool = False,
        on_frame: Callable[[Any], None] | None = None,
        on_status: Callable[[Any], None] | None = None,
        on_observation: Callable[[Any], None] | None = None,
        profile: Any = None,
        face_retry: bool = True,
        hand_gate: bool = True,
    ) -> None:
        self.model_path = model_path
        self.hand_gate = hand_gate
        self.face_retry = face_retry  # second look in a crop (``beckon.vision.smallface``)
        self.profile = profile  # the patient's GestureProfile (None: built-in defaults)
        self.on_frame = on_frame
        self.on_status = on_status
        self.on_observation = on_observation
        self.source_spec = source_spec
        self.post = post
        self.realtime = realtime
        self.finished = threading.Event()
        self.error: BaseException | None = None
        self.frames = 0
        self._stop = threading.Event()
        # Set on any thread (staff's "Patient repositioned: learn the rest again", through
        # BedsideHost.relearn_rest, or before start), taken on the vision thread between
        # frames: the pipeline is never touched from another thread.
        self._relearn = threading.Event()
        self._thread = threading.Thread(target=self._main, name="vision", daemon=True)

    def start(self) -> VisionWorker:
        self._thread.start()
        return self

    def request_stop(self, why: BaseException) -> None:
        """Stop at the next frame without waiting, reporting ``why`` as the error."""
        self.error = why
        self._stop.set()

    def request_relearn(self) -> None:
        """Ask the vision thread to learn the patient's rest again before its next frame
        (staff repositioned the patient: :meth:`VisionPipeline.relearn_neutral` says why).
        Safe from any thread, also before :meth:`start` (then taken before the first frame);
        asked twice before a frame, it relearns once. The host logs who asked."""
        log.debug("learn the rest again: asked of the vision thread")
        self._relearn.set()

    @property
    def relearn_pending(self) -> bool:
        """Whether a relearn was asked and the vision thread has not taken it yet (read by the
        tests: nothing else needs it)."""
        return self._relearn.is_set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop and wait up to ``timeout`` seconds.

        A camera driver can block a read for longer than that. The thread then lives on
        (it is a daemon), so its callbacks are detached here: a window that closes after
        ``stop`` hears nothing more from that thread once the call in flight returns.
        """
        self._stop.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning(
                "vision thread still busy %g s after stop (a camera read that blocks?); "
                "its callbacks are detached and it ends on its own",
                timeout,
            )
            self.on_frame = self.on_status = self.on_observation = None

    @property
    def alive(self) -> bool:
        """Whether the vision thread still runs (also after a ``stop`` that timed out)."""
        return self._thread.is_alive()

    def _status(self, status: Any) -> None:
        # Looked up at every call, so that a detached callback is never called again.
        on_status = self.on_status
        if on_status is not None:
            on_status(status)

    def _main(self) -> None:
        # Imported here so that commands which never touch the camera start fast.
        from beckon.vision.frames import open_source, pacer_for
        from beckon.vision.hands import installed_model
        from beckon.vision.pipeline import VisionPipeline
        from beckon.vision.sequence import default_verifier
        from beckon.vision.smallface import SmallFaceParams

        try:
            verifier = default_verifier(self.profile)
            hand_model = installed_model() if self.hand_gate else None
            with (
                open_source(self.source_spec) as source,
                VisionPipeline(
                    self.model_path,
                    profile=self.profile,
                    verifier=verifier,
                    on_status=self._status if self.on_status else None,
                    small_face=SmallFaceParams(enabled=self.face_retry),
                    hand_model=hand_model,
                ) as vision,
            ):
                # A file plays at its own speed when ``realtime``; a camera is never paced.
                pacer = pacer_for(source) if self.realtime else None
                last_tick = -TICK_S
                for frame in source:
                    if self._stop.is_set():
                        break
                    on_frame = self.on_frame  # read once: ``stop`` may detach it
                    if on_frame is not None:
                        on_frame(frame)
                    if pacer is not None:
                        pacer.wait(frame.t)
                    if self._relearn.is_set():
                        self._relearn.clear()  # a request after this is taken next frame
                        vision.relearn_neutral()
                    for event in vision.process(frame):
                        self.post(reported(event, frame.t))
                    on_observation = self.on_observation
                    if on_observation is not None:
                        on_observation(vision.last_observation)
                    if frame.t - last_tick >= TICK_S:
                        self.post(FrameTick(frame.t))
                        last_tick = frame.t
                    self.frames += 1
        except BaseException as exc:
            self.error = exc
            log.debug("vision stopped: %s", exc)  # the host says it (once, not every retry)
        finally:
            self.post(SourceEnded())
            self.finished.set()
