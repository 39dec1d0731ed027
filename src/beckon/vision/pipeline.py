"""Frames in, gesture events out: FaceTracker + NeutralPose + the gesture engine.

The pipeline is the one object the bedside, ``beckon replay`` and ``beckon bench vision`` use.
It also keeps what those need besides events: per-frame timings (total and inside MediaPipe)
and a :class:`FaceStatus` (no face / learning the neutral pose / ready) for the bedside screen.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from beckon.closing import Closing
from beckon.profile import GestureProfile
from beckon.vision.absence import AbsenceWatch, broken_by_gap
from beckon.vision.away import AwayFromRest
from beckon.vision.engine import GestureEngine, Verifier
from beckon.vision.engine_params import EngineParams
from beckon.vision.face import FaceHint, FaceObservation, FaceTracker
from beckon.vision.frames import Frame
from beckon.vision.gestures import GestureEvent
from beckon.vision.handwatch import HandWatch
from beckon.vision.lighting import light_hint
from beckon.vision.pose import Angles, NeutralParams, NeutralPose, angles_from_rotation
from beckon.vision.smallface import SmallFaceParams
from beckon.vision.viewquality import QualityParams

logger = logging.getLogger(__name__)

FaceState = Literal["no_face", "calibrating", "ready"]


@dataclass(frozen=True, slots=True)
class FaceStatus:
    """What the bedside shows about the camera view: is a face there, is it ready for gestures."""

    t: float
    found: bool
    calibrated: bool
    quality: float
    hint: FaceHint | None = None
    """How to improve a poor view ("move the tablet closer", "face the screen"): detection goes
    on with lower confidence, and the bedside shows the fix (``ui.strings.face_hint_text``).
    ``away_from_rest`` while ``ready``: the head rests far from the learned rest, where only
    nods and shakes work (:mod:`beckon.vision.away`)."""
    view_hint: FaceHint | None = None
    """The view's own hint where ``away_from_rest`` took its place (``face_screen``: the face
    looks turned past the view's limit), else None. The patient's words say the rest (turning
    back is what he can do, and nods and shakes work either way), but a tablet knocked aside
    looks the same from the camera, so the station is still told ``poor_view``
    (:attr:`device_hint`): replaced, it no longer heard "move the tablet" (rev45a2)."""

    @property
    def device_hint(self) -> FaceHint | None:
        """The hint the bed's device watch reports to the station (``DeviceWatch.faults``)."""
        return self.view_hint or self.hint

    @property
    def state(self) -> FaceState:
        """``no_face``, ``calibrating`` (face seen, neutral pose not learned yet) or ``ready``."""
        if not self.found:
            return "no_face"
        return "ready" if self.calibrated else "calibrating"


@dataclass(frozen=True, slots=True)
class FrameTiming:
    """Wall time for one frame: the whole vision path, and the part inside MediaPipe."""

    t: float
    total_ms: float
    mediapipe_ms: float


@dataclass(frozen=True, slots=True)
class TimingStats:
    """Summary of per-frame timings, in milliseconds."""

    frames: int
    median_total_ms: float
    p95_total_ms: float
    median_mediapipe_ms: float
    mean_total_ms: float

    @property
    def mediapipe_share(self) -> float:
        """Median MediaPipe time over median total time (0..1)."""
        return self.median_mediapipe_ms / self.median_total_ms if self.median_total_ms else 0.0


def summarize_timings(timings: Iterable[FrameTiming]) -> TimingStats:
    """Median, 95th percentile and mean of per-frame timings."""
    items = list(timings)
    if not items:
        return TimingStats(0, 0.0, 0.0, 0.0, 0.0)
    total = np.array([x.total_ms for x in items])
    mp_ms = np.array([x.mediapipe_ms for x in items])
    return TimingStats(
        frames=len(items),
        median_total_ms=float(np.median(total)),
        p95_total_ms=float(np.percentile(total, 95)),
        median_mediapipe_ms=float(np.median(mp_ms)),
        mean_total_ms=float(total.mean()),
    )


class VisionPipeline(Closing):
    """Turns frames into :class:`GestureEvent` s for one patient.

    If the face is lost for longer than ``relearn_after_s`` (the patient left, the tablet was
    moved), the neutral pose is learned again (from the next steady second, or from the running
    median of a restless head within a few seconds). ``on_status`` is called whenever the
    :attr:`FaceStatus` state or hint changes; a hint must persist ``hint_after_s`` to show
    (and to go away), so a face near a limit does not make the screen flicker. A calibrated
    ``profile`` brings the patient's thresholds, neutral pose and resting face; ``verifier`` is
    the sequence model. ``small_face`` tunes (or turns off) the second look in a crop when the
    full frame shows no face (:mod:`beckon.vision.smallface`). ``hand_model`` (the hand
    landmarker bundle, optional) turns on the hand gate (:mod:`beckon.vision.handgate`): an
    event whose window had a hand over the face is dropped; without it the gate is off.
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        profile: GestureProfile | None = None,
        verifier: Verifier | None = None,
        neutral: NeutralParams | None = None,
        quality: QualityParams | None = None,
        relearn_after_s: float = 10.0,
        hint_after_s: float = 1.0,
        engine: EngineParams | None = None,
        on_status: Callable[[FaceStatus], None] | None = None,
        max_timings: int = 10_000,  # 11 min at 15 fps: a bedside kept 13 MB it never read
        small_face: SmallFaceParams | None = None,
        hand_model: str | Path | None = None,
    ) -> None:
        self.profile = profile or GestureProfile()
        self.neutral = NeutralPose(neutral)
        cal = self.profile.calibration
        self._preset: tuple[npt.NDArray[np.float64], Angles | None] | None = None
        if cal.has_neutral:
            noise = Angles(*cal.noise) if any(cal.noise) else None
            self._preset = (np.array(cal.neutral_rotation, dtype=float).reshape(3, 3), noise)
            self.neutral.set(*self._preset)
        # A face elsewhere than the patient's is taken once the patient has been gone as long
        # as it takes to relearn the neutral pose: one rule for "a new patient or a moved tablet".
        self.tracker = FaceTracker(
            model_path,
            neutral=self.neutral,
            quality=quality,
            small_face=small_face,
            keep_s=relearn_after_s,
        )
        params = engine or EngineParams()
        self.hand_watch: HandWatch | None = None
        if hand_model is not None and params.hands.enabled:
            from beckon.vision.hands import HandFinder

            self.hand_watch = HandWatch(
                HandFinder(hand_model),
                params.hands,
                # as far back as an event may be reported late: replayed or held back
                max(params.replay_s, params.held_back_max_s),
            )
            logger.info("hand gate on: events with a hand over the face are dropped")
        else:
            logger.info("hand gate off (no hand model): a hand over the face is not checked")
        self.engine = GestureEngine(
            self.profile, params, verifier, hands=self.hand_watch, view=self.tracker.quality_params
        )
        self.absence = AbsenceWatch(relearn_after_s)
        self.away = AwayFromRest(self.neutral.params)
        self._last_frame_t: float | None = None
        self.on_status = on_status
        self.timings: deque[FrameTiming] = deque(maxlen=max_timings)
        self.last_observation: FaceObservation | None = None
        self._status = FaceStatus(t=0.0, found=False, calibrated=False, quality=0.0)
        self.hint_after_s = hint_after_s
        self._hint: FaceHint | None = None
        self._hint_candidate: tuple[FaceHint | None, float] = (None, 0.0)

    def close(self) -> None:
        """Release MediaPipe."""
        self.tracker.close()
        if self.hand_watch is not None:
            self.hand_watch.close()

    @property
    def status(self) -> FaceStatus:
        """The face status after the last frame."""
        return self._status

    def stats(self) -> TimingStats:
        """Timing summary over the frames processed so far."""
        return summarize_timings(self.timings)

    def process(self, frame: Frame) -> list[GestureEvent]:
        """Observe one frame; returns the gestures that completed on it (usually none)."""
        start = time.perf_counter()
        obs = self.tracker.observe(frame)
        if self.hand_watch is not None:
            self.hand_watch.push(frame.t, frame.rgb, obs.face_points)
        events = self.take(obs, light_hint(frame.rgb))
        total_ms = (time.perf_counter() - start) * 1000.0
        self.timings.append(FrameTiming(frame.t, total_ms, self.tracker.last_mediapipe_ms))
        return events

    def take(self, obs: FaceObservation, light: FaceHint | None = None) -> list[GestureEvent]:
        """One frame's observation (measured against :attr:`neutral`) through the face status,
        the relearning and the gesture engine; returns the gestures that completed on it.

        :meth:`process` after MediaPipe; split out so that tests can feed pose traces built
        with :func:`beckon.vision.face.observation` through the bedside's own path."""
        self.last_observation = obs
        self._track_face(obs, light)
        if broken_by_gap(self._last_frame_t, obs.t):
            logger.info("no picture for %.1f s: gestures in progress dropped",
                        obs.t - (self._last_frame_t or 0.0))  # fmt: skip
            self.engine = self.engine.fresh()
        self._last_frame_t = obs.t
        # The neutral's measured jitter is not given to the engine: see
        # GestureParams.quiet_noise_deg (the benchmark scores the engine exactly so).
        return self.engine.update(obs)

    def relearn_neutral(self) -> None:
        """Staff said the patient's rest has changed (repositioned, pillow moved, bed raised):
        learn the neutral pose again from the next frames, as after a long absence.

        From the pose alone a patient resting 15 degrees or more away from the neutral looks
        like one watching something aside, which must not become the rest
        (``NeutralParams.reanchor_max_deg``), so such a rest is never re-fixed by itself and
        every held gesture and expression is lost there (gest41b); the nurse who moved the
        patient knows. The gesture engine starts afresh (gestures in progress are dropped),
        the face status goes back to "calibrating", and a calibrated neutral pose is
        forgotten for this pipeline: it is the rest staff just said no longer holds (a later
        long absence relearns from the face, not from it; the bedside host starts every later
        camera of the run without it). The calibrated resting expression (``Calibration.rest``,
        the blink, jaw and brow scores at rest that expression gestures are measured above) is
        kept: it is the patient's face, which a new pillow or a raised bed does not change,
        and relearning it would need the nurse's calibration. Call it on the vision thread,
        between frames (the bedside's :class:`~beckon.bedside.vision_worker.VisionWorker`
        does); harmless with no face in view: the neutral is learned when one comes."""
        logger.debug("learning the neutral pose again (staff: the patient was repositioned)")
        self._preset = None
        self.neutral.reset()
        self.away.reset()
        self.engine = self.engine.fresh()

    def run(self, frames: Iterable[Frame]) -> Iterator[GestureEvent]:
        """Process every frame of a source (or any iterable of frames), yielding events."""
        for frame in frames:
            yield from self.process(frame)

    def _rest_offset(self, obs: FaceObservation) -> float | None:
        """How far this frame's head is from the learned rest, by re-anchoring's measure
        (:meth:`NeutralPose.offset_deg`); None without a face or a neutral."""
        if not obs.found or obs.rotation is None:
            return None
        a = angles_from_rotation(obs.rotation)
        return self.neutral.offset_deg((a.pitch, a.yaw, a.roll))

    def _stable_hint(self, obs: FaceObservation, light: FaceHint | None) -> FaceHint | None:
        """The view hint once it has held ``hint_after_s``: the picture's light first (with or
        without a face: a dark room hides the face), then the face's own (only with a face)."""
        if not obs.found and light is None:
            self._hint = None
            self._hint_candidate = (None, obs.t)
            return None
        wanted = light or obs.hint
        candidate, since = self._hint_candidate
        if wanted != candidate:
            self._hint_candidate = (wanted, obs.t)
        elif wanted != self._hint and obs.t - since >= self.hint_after_s:
            self._hint = wanted
        return self._hint

    def _track_face(self, obs: FaceObservation, light: FaceHint | None = None) -> None:
        """Update the face status, and relearn the neutral pose after a long absence."""
        if self.absence.update(obs.t, obs.found, self.neutral.ready):
            if self._preset is not None:
                # Staff calibrated this patient: the first steady second after coming back
                # (perhaps turned) is a worse neutral than theirs. Drift adaptation follows.
                logger.info("face lost for %.0f s: back to the calibrated neutral pose",
                            self.absence.relearn_after_s)  # fmt: skip
                self.neutral.set(*self._preset)
            else:
                logger.info("face lost for %.0f s: relearning the neutral pose",
                            self.absence.relearn_after_s)  # fmt: skip
                self.neutral.reset()
            self.engine = self.engine.fresh()
        hint = self._stable_hint(obs, light)
        view_hint: FaceHint | None = None
        if self.away.update(obs, self._rest_offset(obs)) and hint in (None, "face_screen"):
            # Turned past the view's limit because the head rests far from its rest: "turn
            # back to where you were resting" is the patient's fix, and names what is lost;
            # the station still hears face_screen's poor_view (``FaceStatus.view_hint``).
            view_hint, hint = hint, "away_from_rest"
        status = FaceStatus(
            t=obs.t,
            found=obs.found,
            calibrated=self.neutral.ready,
            quality=obs.quality,
            hint=hint,
            view_hint=view_hint,
        )
        changed = status.state != self._status.state or status.hint != self._status.hint
        changed = changed or status.view_hint != self._status.view_hint
        self._status = status
        if changed:
            logger.info("face status: %s (hint %s) at t=%.2f", status.state, status.hint, status.t)
            if self.on_status is not None:
                self.on_status(status)
