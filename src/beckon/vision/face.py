"""One face per frame through MediaPipe's FaceLandmarker, reduced to what gestures need.

:class:`FaceTracker` wraps the landmarker in VIDEO mode (it tracks between frames, which is
both faster and steadier than detecting every frame) and turns each result into a
:class:`FaceObservation`: head angles against the patient's neutral pose, the 52 blendshape
scores, and one quality number so that detectors can refuse to fire on a poor view.
"""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import mediapipe as mp
import numpy as np
import numpy.typing as npt
from mediapipe.tasks.python import vision as mp_vision
from mediapipe.tasks.python.core.base_options import BaseOptions

from beckon.closing import Closing
from beckon.modelstore import existing_model
from beckon.vision.choose import (
    PRIME_MAX_S,
    FaceBox,
    FaceChooser,
    around,
    face_box,
    nearest_middle,
)
from beckon.vision.frames import Frame
from beckon.vision.handgate import Points
from beckon.vision.native_log import QuietStart, load_landmarker
from beckon.vision.occlusion import FaceShape
from beckon.vision.pose import Matrix, NeutralPose, angles_from_rotation, rotation_from_matrix
from beckon.vision.smallface import SmallFaceFinder, SmallFaceParams
from beckon.vision.viewquality import QualityParams, frontal_share
from beckon.vision.viewquality import ramp as _ramp

logger = logging.getLogger(__name__)


FaceHint = Literal[
    "move_closer", "face_screen", "center_face", "too_dark", "too_bright", "away_from_rest"
]
"""What would improve the camera's view: move the tablet closer, turn the face to the screen,
bring the whole face into the picture, more light or less (:mod:`beckon.vision.lighting`);
or what would bring the held gestures back: the head rests far from the learned rest
(``away_from_rest``, :mod:`beckon.vision.away`: turn back, or staff relearn the rest).
The bedside shows it in words (``ui.strings``)."""


def view_hint(
    width_px: float, abs_yaw_deg: float, inside_share: float, params: QualityParams | None = None
) -> FaceHint | None:
    """The most useful fix for a poor view, or None when the view is good."""
    p = params or QualityParams()
    if inside_share < 0.95:
        return "center_face"
    if width_px < p.close_hint_px:
        return "move_closer"
    if abs_yaw_deg > p.frontal_deg:
        return "face_screen"
    return None


@dataclass(frozen=True, slots=True)
class FaceObservation:
    """What one frame says about the patient's face.

    ``pitch``/``yaw``/``roll`` are degrees relative to the neutral pose (None until it is
    known, or when no face was found); ``quality`` is 0 when no face was found.
    ``rotation`` is the absolute 3x3 head rotation from MediaPipe, kept for calibration.
    """

    t: float
    found: bool
    pitch: float | None = None
    yaw: float | None = None
    roll: float | None = None
    blendshapes: dict[str, float] = field(default_factory=dict)
    quality: float = 0.0
    face_width_px: float = 0.0
    rotation: Matrix | None = field(default=None, repr=False, compare=False)
    hint: FaceHint | None = None
    """How to improve a poor view (None when the view is good or no face was found)."""
    provisional: bool = False
    """The angles are against a provisional reference (the neutral pose is still being
    learned): good enough for nods and shakes, not for held gestures."""
    neutral_version: int = 0
    """:attr:`NeutralPose.version` the angles were measured against: when it changes, the
    neutral was replaced (not drifted), and a held gesture in progress was measured against
    the old one."""
    deformation: float | None = None
    """How far the face mesh bends from the face's own rigid shape, in eye spans
    (:mod:`beckon.vision.occlusion`: a hand over the face); None when not measured."""
    face_points: Points | None = field(default=None, compare=False, repr=False)
    """The face's landmarks (x, y normalised to the frame; None without a face): the hand gate
    (:mod:`beckon.vision.handgate`) takes the face's outline from them on the few frames it
    keeps (the array the tracker already has, not a copy)."""


def face_quality(
    landmarks_xy: npt.NDArray[np.float64],
    rotation: Matrix,
    image_size: tuple[int, int],
    params: QualityParams | None = None,
) -> tuple[float, float]:
    """(quality 0..1, face width in px) from normalised landmarks and the absolute rotation.

    ``image_size`` is (width, height) in pixels. See :func:`assess_view` for the hint too.
    """
    quality, width, _ = assess_view(landmarks_xy, rotation, image_size, params)
    return quality, width


def assess_view(
    landmarks_xy: npt.NDArray[np.float64],
    rotation: Matrix,
    image_size: tuple[int, int],
    params: QualityParams | None = None,
) -> tuple[float, float, FaceHint | None]:
    """(quality 0..1, face width in px, hint) from normalised landmarks and the rotation.

    Quality multiplies three ramps: face width, how frontal the head is (absolute yaw: a turned
    face loses its far-side landmarks; absolute pitch depends on the camera height and roll on
    the pillow, and neither hurts the landmarks much), and the share of landmarks inside the
    image. Presence is implied: MediaPipe only returns faces above its presence threshold.
    """
    p = params or QualityParams()
    xs = landmarks_xy[:, 0] * image_size[0]
    face_width = float(xs.max() - xs.min())
    size_term = _ramp(face_width, p.min_width_px, p.good_width_px)
    abs_yaw = abs(angles_from_rotation(rotation).yaw)
    frontal_term = frontal_share(abs_yaw, p)
    inside = (
        (landmarks_xy[:, 0] >= 0)
        & (landmarks_xy[:, 0] <= 1)
        & (landmarks_xy[:, 1] >= 0)
        & (landmarks_xy[:, 1] <= 1)
    )
    share = float(inside.mean())
    frame_term = _ramp(share, 0.8, 1.0)
    hint = view_hint(face_width, abs_yaw, share, p)
    return size_term * frontal_term * frame_term, face_width, hint


class FaceTracker(Closing):
    """MediaPipe FaceLandmarker in VIDEO mode, one face, blendshapes and matrix on; only a face
    that continues the patient's track counts (``keep_s``: how long a lost patient's place is
    kept from another face, :class:`~beckon.vision.choose.FaceChooser`).

    When a face is found with no track to continue (the start, or the patient gone ``keep_s``),
    a second landmarker asks for two faces on that picture, so that the chooser picks the
    patient's among them, not the one MediaPipe detected first: asked for one, it mostly takes
    the larger face, and a visitor leaning in beside the patient was followed. Asking for two on
    every frame costs 17% more; this costs one call when a track starts. Only when the face
    chosen is another than the one-face landmarker's is its result used, and the one-face
    landmarker is shown only the part of the picture around the patient
    (:func:`~beckon.vision.choose.around`) until it has found them there: on the whole
    picture it would go on following the visitor. With one face in view nothing changes.

    Use as a context manager (or call :meth:`close`): MediaPipe prints an error at exit for
    landmarkers left open. ``neutral`` learns the patient's resting pose from the observations;
    pass your own to share or preset it. ``small_face`` looks again in a crop when the full
    frame shows no face (:mod:`beckon.vision.smallface`: small faces turned from the camera);
    ``SmallFaceParams(enabled=False)`` turns that off.
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        neutral: NeutralPose | None = None,
        quality: QualityParams | None = None,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        small_face: SmallFaceParams | None = None,
        keep_s: float = 10.0,
    ) -> None:
        path = existing_model(model_path, "Face landmarker")
        options = mp_vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=mp_vision.RunningMode.VIDEO,
            num_faces=1,  # two cost every frame 17% more: only while searching, below
            min_face_detection_confidence=min_detection_confidence,
            min_face_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        # Every face in view, when a track starts (see _search); IMAGE mode: used one frame at
        # a time, with minutes between, it has no track of its own to keep.
        search = replace(options, running_mode=mp_vision.RunningMode.IMAGE, num_faces=2)
        small = small_face or SmallFaceParams()
        self.small_face: SmallFaceFinder | None = None
        with ExitStack() as loaded:  # one that fails to load: those before it are closed
            self._landmarker: Any = load_landmarker(
                mp_vision.FaceLandmarker.create_from_options, options, path, "face landmarker"
            )
            loaded.callback(QuietStart.close, self._landmarker)
            self._searcher: Any = load_landmarker(
                mp_vision.FaceLandmarker.create_from_options, search, path, "face landmarker"
            )
            loaded.callback(QuietStart.close, self._searcher)
            if small.enabled:
                self.small_face = SmallFaceFinder(
                    path,
                    small,
                    min_detection_confidence=min_detection_confidence,
                    min_presence_confidence=min_presence_confidence,
                    min_tracking_confidence=min_tracking_confidence,
                )
            loaded.pop_all()  # all loaded: close() releases them
        self._quiet = QuietStart()
        self._quiet_search = QuietStart()
        self._primed = True
        """False from when the two-face search took another face than the one-face
        landmarker's until that landmarker has found it (shown only the part around it), the
        crop has found it, :data:`~beckon.vision.choose.PRIME_MAX_S` have passed, or the track
        is gone."""
        self._priming_from = 0.0  # when _primed last went False
        self.found_in_crop = False
        """Whether the last frame's face was found only by the crop (:attr:`small_face`)."""
        self.chooser = FaceChooser(keep_s)
        """Which face in view is the patient's (:mod:`beckon.vision.choose`)."""
        self.neutral = neutral if neutral is not None else NeutralPose()
        self.quality_params = quality or QualityParams()
        self.shape = FaceShape()
        """The face's own rigid mesh, for each frame's deformation (a hand over the face)."""
        self._last_ts_ms = -1
        self._closed = False
        self.last_mediapipe_ms = 0.0
        """Wall time spent inside ``detect_for_video`` for the last frame (benchmarking)."""

    def close(self) -> None:
        """Release the landmarkers; safe to call twice. Each is closed even when one closed
        before it raises (the error is raised after)."""
        if self._closed:
            return
        self._closed = True
        with ExitStack() as graphs:
            if self.small_face is not None:
                graphs.callback(self.small_face.close)
            graphs.callback(QuietStart.close, self._searcher)
            graphs.callback(QuietStart.close, self._landmarker)

    def _timestamp_ms(self, t: float) -> int:
        """MediaPipe needs strictly increasing timestamps: nudge repeats forward by 1 ms."""
        ts = round(t * 1000.0)
        if ts <= self._last_ts_ms:
            ts = self._last_ts_ms + 1
        self._last_ts_ms = ts
        return ts

    def _search(
        self, image: Any, result: Any, faces: list[Points], size: tuple[int, int]
    ) -> tuple[Any, list[Points]]:
        """With no track, the one-face landmarker found ``faces`` (its ``result``): ask for
        two, and when another face is the patient's (:func:`~beckon.vision.choose.nearest_middle`)
        take the two-face result instead and have the one-face landmarker find that face
        (:attr:`_primed`). With one face in view the one-face result stands, unchanged: the
        landmarker's path, and so the cached observations of the benchmark, stay as they were."""
        both = self._quiet_search(self._searcher.detect, image)
        found = _faces(both)
        if len(found) < 2:
            return result, faces
        boxes = [face_box(f, size) for f in found]
        patient = boxes[nearest_middle(boxes, size)]
        taken = face_box(faces[0], size)
        if abs(taken.x - patient.x) + abs(taken.y - patient.y) < 0.5 * patient.width:
            return result, faces
        logger.info(
            "two faces in view and no track: the one nearer the middle (%.0f px wide at x=%.0f) "
            "taken, not MediaPipe's first (%.0f px at x=%.0f)",
            patient.width,
            patient.x,
            taken.width,
            taken.x,
        )
        self._primed = False
        return both, found

    def observe(self, frame: Frame) -> FaceObservation:
        """Run the landmarker on one frame and describe the face it found (if any)."""
        if self._closed:
            raise RuntimeError("FaceTracker is closed")
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame.rgb))
        ts = self._timestamp_ms(frame.t)
        start = time.perf_counter()
        size = (frame.width, frame.height)
        last = self.chooser.last if self.chooser.tracking(frame.t, size) else None
        if last is None or frame.t - self._priming_from > PRIME_MAX_S:
            self._primed = True  # no track to prime for, or masked long enough: the whole picture
        shown = image
        if last is not None and not self._primed:
            shown = mp.Image(image_format=mp.ImageFormat.SRGB, data=_only(frame.rgb, last))
        result = self._quiet(self._landmarker.detect_for_video, shown, ts)
        self.found_in_crop = False
        blendshapes: dict[str, float] = {}
        faces = _faces(result)
        if faces and last is None:
            result, faces = self._search(image, result, faces, size)
            if not self._primed:
                self._priming_from = frame.t
        pick = self.chooser.choose([face_box(f, size) for f in faces], frame.t, size)
        if pick is not None and last is not None:
            self._primed = True  # the one-face landmarker follows the patient
        if pick is not None:
            matrix = result.facial_transformation_matrixes[pick]
            points = faces[pick]
            if result.face_blendshapes and len(result.face_blendshapes) > pick:
                blendshapes = {
                    c.category_name: float(c.score) for c in result.face_blendshapes[pick]
                }
            if self.small_face is not None:
                self.small_face.seen(points, frame.width, frame.t)
        else:
            # No face, or only someone else (a visitor, whom MediaPipe now follows because the
            # patient's face was hidden for a moment): look again in a crop around the
            # patient's last place, and take what it finds only if it continues the patient.
            found = None
            if self.small_face is not None:
                found = self.small_face.find(frame.rgb, frame.t, ts)
            if found is not None and (
                self.chooser.choose([face_box(found.points, size)], frame.t, size) is None
            ):
                found = None
            if found is None:
                self.last_mediapipe_ms = (time.perf_counter() - start) * 1000.0
                return observation(self.neutral, frame.t, None, 0.0, {})
            matrix, points, blendshapes = found.matrix, found.points, found.blendshapes
            self.found_in_crop = True
            self._primed = True  # the crop follows the patient; the track keeps a visitor out
        self.last_mediapipe_ms = (time.perf_counter() - start) * 1000.0

        rotation = rotation_from_matrix(matrix)
        landmarks = points[:, :2]
        quality, width_px, hint = assess_view(
            landmarks, rotation, (frame.width, frame.height), self.quality_params
        )
        # Pixels on all three axes (MediaPipe's depth is in the x scale).
        deformation = self.shape.measure(frame.t, points * (frame.width, frame.height, frame.width))
        return observation(
            self.neutral,
            frame.t,
            rotation,
            quality,
            blendshapes,
            width_px=width_px,
            hint=hint,
            deformation=deformation,
            face_points=landmarks,
        )


def _faces(result: Any) -> list[Points]:
    """The landmarks (N x 3, normalised) of each face in a landmarker's ``result`` that has
    its transformation matrix."""
    return [
        np.array([(lm.x, lm.y, lm.z) for lm in face], dtype=np.float64)
        for face in result.face_landmarks or ()
    ][: len(result.facial_transformation_matrixes or ())]


def _only(rgb: npt.NDArray[np.uint8], face: FaceBox) -> npt.NDArray[np.uint8]:
    """``rgb`` with everything but the part around ``face`` (:func:`around`) a plain grey."""
    x0, y0, x1, y1 = around(face, (rgb.shape[1], rgb.shape[0]))
    out = np.full_like(rgb, 127)
    out[y0:y1, x0:x1] = rgb[y0:y1, x0:x1]
    return out


def observation(
    neutral: NeutralPose,
    t: float,
    rotation: Matrix | None,
    quality: float,
    blendshapes: dict[str, float],
    *,
    width_px: float = 0.0,
    hint: FaceHint | None = None,
    deformation: float | None = None,
    face_points: Points | None = None,
) -> FaceObservation:
    """One frame's observation: feeds ``neutral`` and measures the head against it.

    Shared by the live tracker and by the benchmark's replays of cached MediaPipe output, so
    both learn the neutral pose the same way. ``rotation=None`` means no face.
    """
    neutral.update(t, rotation, quality)
    if rotation is None:
        return FaceObservation(t=t, found=False)
    rel = neutral.relative(rotation)
    provisional = rel is None
    if rel is None:
        rel = neutral.provisional(rotation)
    return FaceObservation(
        t=t,
        found=True,
        pitch=None if rel is None else rel.pitch,
        yaw=None if rel is None else rel.yaw,
        roll=None if rel is None else rel.roll,
        blendshapes=blendshapes,
        quality=quality,
        face_width_px=width_px,
        rotation=rotation,
        hint=hint,
        provisional=provisional and rel is not None,
        neutral_version=neutral.version,
        deformation=deformation,
        face_points=face_points,
    )
