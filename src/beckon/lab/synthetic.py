"""Synthetic head-gesture clips from one real face photo, for the demo, tests and benchmarks.

Why: the bedside demo must run without a camera, and the vision tests need frames whose head
motion is known exactly. Drawing a cartoon would not exercise MediaPipe; instead we re-render a
real photo at scripted head poses:

1. run FaceLandmarker (IMAGE mode) on the photo once to get its 478 3D landmarks;
2. for each frame, rotate those landmarks about a head centre behind the face by the scripted
   pitch/yaw/roll (orthographic projection);
3. warp the photo triangle by triangle from the original landmark positions to the rotated ones.
   A ring of fixed anchors around the face and a fixed border keep the background in place and
   let the skin, hair and neck stretch smoothly. All triangles are drawn into one index map (far
   triangles first, so the near side of the face wins), from which a dense ``cv2.remap`` is
   built: one remap per frame instead of a thousand small warps.

Rotations follow the conventions of :mod:`beckon.vision.pose`: a scripted ``HeadPose`` reads back
from MediaPipe as the same relative angles (pitch > 0 chin down, yaw < 0 turning to the
patient's own right, roll < 0 tilting toward the patient's own left shoulder; camera not
mirrored, so the patient's right is the image's left).

Scripts are lists of segments (:func:`still`, :func:`nod`, :func:`shake`, :func:`move_to`, ...),
each continuing from the pose where the previous one ended; :func:`build_poses` samples them at a
frame rate. Amplitudes are peak-to-peak swings in degrees.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

import cv2
import mediapipe as mp
import numpy as np
import numpy.typing as npt
from mediapipe.tasks.python import vision as mp_vision
from mediapipe.tasks.python.core.base_options import BaseOptions

from beckon.errors import BeckonError
from beckon.modelstore import existing_model
from beckon.vision.native_log import native_stderr_to_log
from beckon.vision.pose import rotation_from_angles

logger = logging.getLogger(__name__)

RGBImage = npt.NDArray[np.uint8]
Axis = Literal["pitch", "yaw", "roll"]

DEFAULT_FPS = 30.0
"""Frame rate of rendered clips unless told otherwise (a typical webcam)."""

# ---------------------------------------------------------------------------------------------
# Head poses and scripts


Channel = Literal["pitch", "yaw", "roll", "eye_left", "eye_right", "jaw", "brow", "shift_x"]
"""Everything a script can move: head angles, expressions and where the face is in the frame."""

CHANNELS: tuple[Channel, ...] = (
    "pitch",
    "yaw",
    "roll",
    "eye_left",
    "eye_right",
    "jaw",
    "brow",
    "shift_x",
)


@dataclass(frozen=True, slots=True)
class HeadPose:
    """A head rotation relative to the photo's own pose, in degrees, plus the face's expression.

    ``eye_left``/``eye_right`` close the patient's own left/right eye (0 open, 1 shut), ``jaw``
    opens the mouth (0 closed, 1 wide), ``brow`` raises the eyebrows (0 rest, 1 fully raised),
    ``shift_x`` moves the whole face sideways by that share of the frame width (1 = out of
    view). ``visible=False`` shows no face at all.
    """

    pitch: float = 0.0
    yaw: float = 0.0
    roll: float = 0.0
    visible: bool = True
    eye_left: float = 0.0
    eye_right: float = 0.0
    jaw: float = 0.0
    brow: float = 0.0
    shift_x: float = 0.0

    def get(self, channel: Channel) -> float:
        """The value of one channel."""
        return float(getattr(self, channel))

    def offset(self, axis: Channel, degrees: float) -> HeadPose:
        """This pose with ``degrees`` (or expression units) added on one channel."""
        return replace(self, **cast(dict[str, Any], {axis: self.get(axis) + degrees}))

    def plus(self, other: HeadPose) -> HeadPose:
        """Channel-wise sum (``visible`` from self)."""
        return replace(
            self, **cast(dict[str, Any], {c: self.get(c) + other.get(c) for c in CHANNELS})
        )

    def blend(self, other: HeadPose, a: float) -> HeadPose:
        """``(1 - a) * self + a * other`` on every channel (``visible`` from other)."""
        values = {c: self.get(c) + a * (other.get(c) - self.get(c)) for c in CHANNELS}
        return HeadPose(visible=other.visible, **values)

    @property
    def expression(self) -> tuple[float, float, float, float]:
        """(eye_left, eye_right, jaw, brow), clipped to 0..1 as the renderer uses them."""
        return tuple(  # type: ignore[return-value]
            min(1.0, max(0.0, v)) for v in (self.eye_left, self.eye_right, self.jaw, self.brow)
        )


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of a script; subclasses say how the pose moves from where it started."""

    duration_s: float

    def pose_at(self, t: float, start: HeadPose) -> HeadPose:
        """Pose ``t`` seconds into the segment, which began at ``start``."""
        return start

    def end_pose(self, start: HeadPose) -> HeadPose:
        """Pose at the end of the segment (where the next one starts)."""
        return self.pose_at(self.duration_s, start)


@dataclass(frozen=True, slots=True)
class Still(Segment):
    """Hold the current pose."""


@dataclass(frozen=True, slots=True)
class Hidden(Segment):
    """No face in view (the patient turned away or left the bed); the pose is kept."""

    def pose_at(self, t: float, start: HeadPose) -> HeadPose:
        return replace(start, visible=False)

    def end_pose(self, start: HeadPose) -> HeadPose:
        return replace(start, visible=True)


@dataclass(frozen=True, slots=True)
class MoveTo(Segment):
    """Move smoothly (cosine ease) to ``target``."""

    target: HeadPose = HeadPose()

    def pose_at(self, t: float, start: HeadPose) -> HeadPose:
        if self.duration_s <= 0:
            return self.target
        a = 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, t / self.duration_s)))
        return start.blend(self.target, a)


@dataclass(frozen=True, slots=True)
class Oscillation(Segment):
    """A periodic swing on one axis, ``amplitude_deg`` peak to peak, ending where it started.

    ``one_sided`` swings go from the start to ``start + amplitude`` and back (a nod: down and up
    again); otherwise the swing is centred on the start (a shake: right-left-right).
    """

    axis: Channel = "pitch"
    amplitude_deg: float = 10.0
    hz: float = 1.0
    one_sided: bool = False

    def pose_at(self, t: float, start: HeadPose) -> HeadPose:
        phase = 2.0 * math.pi * self.hz * min(max(t, 0.0), self.duration_s)
        if self.one_sided:
            value = 0.5 * self.amplitude_deg * (1.0 - math.cos(phase))
        else:
            value = 0.5 * self.amplitude_deg * math.sin(phase)
        return start.offset(self.axis, value)


@dataclass(frozen=True, slots=True)
class Together(Segment):
    """Several movements at once (their offsets add up), e.g. a nod while turning."""

    parts: tuple[Segment, ...] = ()

    def pose_at(self, t: float, start: HeadPose) -> HeadPose:
        pose = start
        for part in self.parts:
            pose = pose.plus(part.pose_at(min(t, part.duration_s), HeadPose()))
        return pose


def still(seconds: float) -> Segment:
    """Hold still for ``seconds``."""
    return Still(seconds)


def hidden(seconds: float) -> Segment:
    """No face in view for ``seconds``."""
    return Hidden(seconds)


def move_to(pose: HeadPose, seconds: float = 0.6) -> Segment:
    """Move to ``pose`` (relative to the photo's own pose) in ``seconds``."""
    return MoveTo(seconds, pose)


def turn(yaw_deg: float, seconds: float = 0.6) -> Segment:
    """Turn to ``yaw_deg`` (negative = toward the patient's own right), keeping pitch and roll 0."""
    return MoveTo(seconds, HeadPose(yaw=yaw_deg))


def tilt(roll_deg: float, seconds: float = 0.6) -> Segment:
    """Tilt to ``roll_deg`` (negative = toward the patient's own left shoulder)."""
    return MoveTo(seconds, HeadPose(roll=roll_deg))


def look(pitch_deg: float, seconds: float = 0.6) -> Segment:
    """Look down (positive) or up (negative) to ``pitch_deg``."""
    return MoveTo(seconds, HeadPose(pitch=pitch_deg))


def nod(cycles: float = 2, amplitude_deg: float = 12.0, hz: float = 1.0) -> Segment:
    """Nod "yes": chin down by ``amplitude_deg`` and back up, ``cycles`` times at ``hz``."""
    return Oscillation(cycles / hz, "pitch", amplitude_deg, hz, one_sided=True)


def shake(cycles: float = 2, amplitude_deg: float = 20.0, hz: float = 1.0) -> Segment:
    """Shake "no": yaw swings ``amplitude_deg`` peak to peak around the current pose."""
    return Oscillation(cycles / hz, "yaw", amplitude_deg, hz, one_sided=False)


def wobble(axis: Channel, seconds: float, amplitude_deg: float, hz: float) -> Segment:
    """A centred oscillation on any axis for ``seconds`` (tremor, sway, rolling the head)."""
    return Oscillation(seconds, axis, amplitude_deg, hz, one_sided=False)


def together(*parts: Segment) -> Segment:
    """Run ``parts`` at the same time; lasts as long as the longest."""
    return Together(max((p.duration_s for p in parts), default=0.0), tuple(parts))


@dataclass(frozen=True, slots=True)
class Scheduled:
    """Where a segment falls in a script, in seconds from the start."""

    segment: Segment
    start_s: float
    end_s: float


def schedule(segments: Sequence[Segment]) -> list[Scheduled]:
    """Start and end time of each segment (tests use the end of a gesture as ground truth)."""
    out: list[Scheduled] = []
    t = 0.0
    for seg in segments:
        out.append(Scheduled(seg, t, t + seg.duration_s))
        t += seg.duration_s
    return out


def script_duration(segments: Sequence[Segment]) -> float:
    """Total length of a script in seconds."""
    return sum(seg.duration_s for seg in segments)


def build_poses(
    segments: Sequence[Segment], fps: float = DEFAULT_FPS, start: HeadPose | None = None
) -> list[HeadPose]:
    """Sample a script at ``fps``: frame ``i`` shows the pose at ``t = i / fps``."""
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    plan = schedule(segments)
    starts: list[HeadPose] = []
    pose = start or HeadPose()
    for item in plan:
        starts.append(pose)
        pose = item.segment.end_pose(pose)
    n = round(script_duration(segments) * fps)
    poses: list[HeadPose] = []
    k = 0
    for i in range(n):
        t = i / fps
        while k < len(plan) - 1 and t >= plan[k].end_s:
            k += 1
        poses.append(plan[k].segment.pose_at(t - plan[k].start_s, starts[k]))
    return poses


def demo_segments() -> list[Segment]:
    """What ``beckon demo`` shows: 2 s still, a clear nod (2 x 12 degrees at 1 Hz), 2 s still."""
    return [still(2.0), nod(cycles=2, amplitude_deg=12.0, hz=1.0), still(2.0)]


def demo_script(fps: float = DEFAULT_FPS) -> list[HeadPose]:
    """The demo's poses, one per frame at ``fps`` (``len(poses) / fps`` seconds long)."""
    return build_poses(demo_segments(), fps)


def nod_and_shake_segments() -> list[Segment]:
    """A "yes" then a "no", each followed by rest: the integration tests' and bench's clip."""
    return [
        still(2.0),
        nod(cycles=2, amplitude_deg=12.0, hz=1.0),
        still(2.0),
        shake(cycles=2, amplitude_deg=20.0, hz=1.0),
        still(2.0),
    ]


# ---------------------------------------------------------------------------------------------
# The demo face


def load_demo_face() -> RGBImage:
    """The packaged demo photo (a crop of NASA's public-domain astronaut portrait), as RGB."""
    data = resources.files("beckon.lab").joinpath("data", "face.jpg").read_bytes()
    bgr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise BeckonError(
            "The packaged demo face (beckon/lab/data/face.jpg) cannot be decoded",
            "reinstall Beckon",
        )
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)


def fit_image(image: RGBImage, size: tuple[int, int]) -> RGBImage:
    """Scale and centre-crop ``image`` to fill ``size`` = (width, height) without distortion."""
    width, height = size
    h, w = image.shape[:2]
    scale = max(width / w, height / h)
    nw, nh = max(width, round(w * scale)), max(height, round(h * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(image, (nw, nh), interpolation=interp)
    x0, y0 = (nw - width) // 2, (nh - height) // 2
    return np.ascontiguousarray(resized[y0 : y0 + height, x0 : x0 + width])


def detect_landmarks(image: RGBImage, model_path: str | Path) -> npt.NDArray[np.float64]:
    """The 478 landmarks of the one face in ``image`` as pixels (x, y, z; z grows away)."""
    options = mp_vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=mp_vision.RunningMode.IMAGE,
        num_faces=1,
    )
    with native_stderr_to_log():
        landmarker = mp_vision.FaceLandmarker.create_from_options(options)
    with landmarker:
        result = landmarker.detect(
            mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))
        )
    if not result.face_landmarks:
        raise BeckonError(
            "No face found in the photo to animate",
            "use a well-lit, frontal photo where the face is at least 100 px wide",
        )
    h, w = image.shape[:2]
    # MediaPipe's z uses roughly the scale of x, so multiply it by the width as well.
    return np.array([(p.x * w, p.y * h, p.z * w) for p in result.face_landmarks[0]])


# ---------------------------------------------------------------------------------------------
# The renderer

# MediaPipe's pose matrix lives in an OpenGL-style camera frame (x right, y up, z toward the
# viewer); image landmarks have y down and z away. Conjugating by this flips between the two.
_GL_TO_IMAGE = np.diag([1.0, -1.0, -1.0])


def _triangulate(points: npt.NDArray[np.float64], rect: tuple[int, int, int, int]) -> np.ndarray:
    """Delaunay triangles (as index triples) of 2D ``points`` inside ``rect`` (x, y, w, h)."""
    subdiv = cv2.Subdiv2D(rect)
    lookup: dict[tuple[float, float], int] = {}
    for i, (x, y) in enumerate(points):
        key = (float(np.float32(x)), float(np.float32(y)))
        if key in lookup:
            continue
        lookup[key] = i
        subdiv.insert((float(x), float(y)))
    triangles = []
    for tri in subdiv.getTriangleList():
        keys = [(float(np.float32(tri[j])), float(np.float32(tri[j + 1]))) for j in (0, 2, 4)]
        if all(k in lookup for k in keys):
            triangles.append([lookup[k] for k in keys])
    return np.array(triangles, dtype=np.int64)


# The outline of MediaPipe's face mesh, in order around the face.
# fmt: off
_FACE_OVAL = [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
]
# fmt: on


def _rig_triangles(
    points: npt.NDArray[np.float64], n_face: int, rect: tuple[int, int, int, int]
) -> np.ndarray:
    """Triangles of the face mesh inside the face outline, and of outline + anchors outside it.

    Triangulating everything at once would join anchors to points inside the (slightly
    concave) outline, whose larger motion then folds the skin over the background in a jagged
    edge; keeping the two sets apart makes the face outline a clean seam.
    """
    oval = points[_FACE_OVAL].astype(np.float32).reshape(-1, 1, 2)

    def inside(tri: np.ndarray) -> np.ndarray:
        centroids = points[tri].mean(axis=1)
        return np.array(
            [cv2.pointPolygonTest(oval, (float(x), float(y)), False) >= 0 for x, y in centroids],
            dtype=bool,
        )

    inner = _triangulate(points[:n_face], rect)
    inner = inner[inside(inner)]
    outer_ids = np.array(_FACE_OVAL + list(range(n_face, len(points))))
    outer = outer_ids[_triangulate(points[outer_ids], rect)]
    outer = outer[~inside(outer)]
    return np.vstack([inner, outer])


# Landmark groups of MediaPipe's face mesh that the expressions move ("left"/"right" are the
# patient's own, as in MediaPipe's FACEMESH_LEFT_EYE / FACEMESH_RIGHT_EYE).
# fmt: off
_EYES = {
    "right": {
        "upper": [33, 246, 161, 160, 159, 158, 157, 173, 133],
        "lower": [33, 7, 163, 144, 145, 153, 154, 155, 133],
        "crease": [247, 30, 29, 27, 28, 56, 190, 113, 225, 224, 223, 222, 221, 189],
        "iris": [468, 469, 470, 471, 472],
    },
    "left": {
        "upper": [263, 466, 388, 387, 386, 385, 384, 398, 362],
        "lower": [263, 249, 390, 373, 374, 380, 381, 382, 362],
        "crease": [467, 260, 259, 257, 258, 286, 414, 342, 445, 444, 443, 442, 441, 413],
        "iris": [473, 474, 475, 476, 477],
    },
}
_BROWS = [
    156, 70, 63, 105, 66, 107, 55, 193, 35, 124, 46, 53, 52, 65,
    383, 300, 293, 334, 296, 336, 285, 417, 265, 353, 276, 283, 282, 295,
]
_LIPS_UPPER_INNER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
_LIPS_LOWER_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308]
_LIPS_UPPER = [*_LIPS_UPPER_INNER, 61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291]
_LIPS_LOWER = [95, 88, 178, 87, 14, 317, 402, 318, 324, 146, 91, 181, 84, 17, 314, 405, 321, 375]
# fmt: on
_MOUTH_COLOUR = (45, 18, 22)


def _deform(lm: npt.NDArray[np.float64], expression: tuple[float, float, float, float]) -> None:
    """Move eyelid, jaw and brow landmarks of a frontal face in place (pixels, y down).

    The warp then stretches the skin with them: a closing upper lid drags the lid skin over the
    eye, an opening jaw pulls the chin and lower lip down (the gap is painted dark by
    :meth:`FaceRig.render`), raised brows stretch the skin above the eyes. MediaPipe's
    blendshapes come from the landmarks it finds on those pixels, so the deformation has to be
    visible, not only geometric.
    """
    eye_left, eye_right, jaw, brow = expression
    face_h = float(lm[:, 1].max() - lm[:, 1].min())
    for side, closure in (("left", eye_left), ("right", eye_right)):
        if closure <= 0:
            continue
        g = _EYES[side]
        lower = lm[g["lower"], :2]
        order = np.argsort(lower[:, 0])
        lx, ly = lower[order, 0], lower[order, 1]
        # Close onto a line a little above the lower lid, as a real lid does.
        lift = 0.004 * face_h
        for i in g["upper"][1:-1] + g["iris"]:
            lm[i, 1] += closure * (np.interp(lm[i, 0], lx, ly) - lift - lm[i, 1])
        for i in g["lower"][1:-1]:
            lm[i, 1] += closure * 0.3 * (np.interp(lm[i, 0], lx, ly) - lift - lm[i, 1])
        drop = closure * 0.02 * face_h
        for i in g["crease"]:
            lm[i, 1] += drop
    if brow > 0:
        lift = brow * 0.055 * face_h
        brow_y = float(lm[_BROWS, 1].mean())
        eye_y = float(lm[[159, 386], 1].mean())
        top = float(lm[:, 1].min())
        for i in range(len(lm)):
            y = lm[i, 1]
            if i in _BROWS:
                lm[i, 1] -= lift
            elif brow_y < y < eye_y:  # between brow and eye: stretched part way
                lm[i, 1] -= lift * (eye_y - y) / (eye_y - brow_y) * 0.8
            elif top <= y <= brow_y:  # forehead: lifted less toward the hairline
                lm[i, 1] -= lift * (0.4 + 0.6 * (y - top) / max(1.0, brow_y - top))
    if jaw > 0:
        drop = jaw * 0.16 * face_h
        corner_y = float(lm[[61, 291], 1].mean())
        chin_y = float(lm[152, 1])
        centre_x = float(lm[[61, 291], 0].mean())
        half_w = 0.5 * float(lm[:, 0].max() - lm[:, 0].min())
        lower_lips = set(_LIPS_LOWER)
        upper_lips = set(_LIPS_UPPER)
        for i in range(len(lm)):
            if i in upper_lips:
                continue
            x, y = lm[i, 0], lm[i, 1]
            if i not in lower_lips and y <= corner_y:
                continue
            vertical = (
                1.0
                if i in lower_lips
                else min(1.0, 0.6 + 0.4 * (y - corner_y) / (chin_y - corner_y))
            )
            sideways = max(0.25, 1.0 - (abs(x - centre_x) / half_w) ** 2)
            lm[i, 1] += drop * vertical * sideways


class FaceRig:
    """A photo prepared for re-rendering at any head pose (landmarks, anchors, triangulation).

    Building a rig runs FaceLandmarker once (~0.1 s); each :meth:`render` then costs a few
    milliseconds of NumPy and one ``cv2.remap`` over the region around the face.
    """

    def __init__(
        self,
        face_rgb: RGBImage,
        model_path: str | Path,
        size: tuple[int, int] = (640, 480),
        *,
        ring_scale: float = 1.6,
        centre_depth: float = 0.75,
    ) -> None:
        path = existing_model(model_path, "Face landmarker")
        self.size = size
        self.base = fit_image(np.asarray(face_rgb, dtype=np.uint8), size)
        width, height = size
        self.landmarks = detect_landmarks(self.base, path)
        lm = self.landmarks
        lo, hi = lm[:, :2].min(axis=0), lm[:, :2].max(axis=0)
        face_w, face_h = hi - lo
        centre2d = (lo + hi) / 2.0
        self.face_width_px = float(face_w)
        # The head turns about a point behind the face (neck and skull), not about the nose:
        # that is what makes a turned face shift and foreshorten like a real one.
        self.head_centre = np.array(
            [centre2d[0], centre2d[1] + 0.15 * face_h, lm[:, 2].min() + centre_depth * face_w]
        )

        # Fixed anchors: an ellipse around the face and the border of the region we re-render.
        angles = np.linspace(0.0, 2.0 * math.pi, 32, endpoint=False)
        radius = 0.5 * ring_scale * np.array([face_w, face_h])
        ring = centre2d + np.stack([np.cos(angles), np.sin(angles)], axis=1) * radius
        margin = 0.25 * radius
        x0, y0 = np.floor(np.maximum(ring.min(axis=0) - margin, 0)).astype(int)
        x1, y1 = np.ceil(np.minimum(ring.max(axis=0) + margin, [width - 1, height - 1])).astype(int)
        self.roi = (int(x0), int(y0), int(x1 - x0 + 1), int(y1 - y0 + 1))
        ring = np.clip(ring, [x0 + 1, y0 + 1], [x1 - 1, y1 - 1])
        border = []
        for s in np.linspace(0.0, 1.0, 9):
            border += [
                (x0 + s * (x1 - x0), y0),
                (x0 + s * (x1 - x0), y1),
                (x0, y0 + s * (y1 - y0)),
                (x1, y0 + s * (y1 - y0)),
            ]
        fixed = np.unique(np.vstack([ring, np.array(border)]), axis=0)
        self._n_face = len(lm)
        self._src = np.vstack([lm[:, :2], fixed])
        # Anchors are "far" so that triangles touching them are drawn before the face.
        self._far_z = float(lm[:, 2].max() + face_w)
        self._triangles = _rig_triangles(
            self._src, self._n_face, (int(x0), int(y0), int(x1 - x0 + 2), int(y1 - y0 + 2))
        )
        # Source triangles as homogeneous 3x3 blocks, for the per-triangle affine maps.
        tri_src = self._src[self._triangles]  # (K, 3, 2)
        self._src_area = _signed_area(tri_src)
        self._tri_src_xy = np.transpose(tri_src, (0, 2, 1))  # (K, 2, 3)
        ys, xs = np.mgrid[y0 : y1 + 1, x0 : x1 + 1]
        self._grid_x = xs.astype(np.float32)
        self._grid_y = ys.astype(np.float32)
        self._mean_colour = tuple(int(c) for c in self.base.reshape(-1, 3).mean(axis=0))
        logger.debug(
            "face rig: face %.0f x %.0f px, %d triangles, region %s",
            face_w,
            face_h,
            len(self._triangles),
            self.roi,
        )

    def project(
        self, pose: HeadPose, rest: npt.NDArray[np.float64] | None = None
    ) -> npt.NDArray[np.float64]:
        """Image positions (x, y, z) of the 478 landmarks with the head at ``pose``.

        ``rest`` (a 3x3 rotation, see :func:`rest_rotation`) is the patient's resting
        orientation relative to the photo's: ``pose`` is then moved from that rest, in the
        head's own frame (a patient resting turned 20 degrees who looks up tips the head about
        its own ear-to-ear axis), as :func:`beckon.vision.pose.relative_rotation` reads it.
        """
        r_gl = rotation_from_angles(pose.pitch, pose.yaw, pose.roll)
        if rest is not None:
            r_gl = rest @ r_gl
        r_img = _GL_TO_IMAGE @ r_gl @ _GL_TO_IMAGE
        lm = self.landmarks
        expression = pose.expression
        if any(expression):
            lm = lm.copy()
            _deform(lm, expression)
        return np.asarray((lm - self.head_centre) @ r_img.T + self.head_centre)

    def render(self, pose: HeadPose, rest: npt.NDArray[np.float64] | None = None) -> RGBImage:
        """The photo with the head at ``pose`` (a flat background if ``pose.visible`` is false),
        moved from the resting orientation ``rest`` if given (see :meth:`project`)."""
        if not pose.visible:
            return np.full_like(self.base, self._mean_colour, dtype=np.uint8)
        moved = self.project(pose, rest)
        dst = self._src.copy()
        dst[: self._n_face] = moved[:, :2]
        z = np.full(len(dst), self._far_z)
        z[: self._n_face] = moved[:, 2]

        tri_dst = dst[self._triangles]  # (K, 3, 2)
        area = _signed_area(tri_dst)
        # Drop triangles that folded over (the far side of a turned face) or vanished.
        keep = np.abs(area) > 1e-3
        depth = z[self._triangles].mean(axis=1)
        order = [int(k) for k in np.argsort(-depth) if keep[k]]

        x0, y0, w, h = self.roi
        index = np.full((h, w), -1, dtype=np.int32)
        pts = np.round((tri_dst - [x0, y0]) * 16.0).astype(np.int32)
        for k in order:
            cv2.fillConvexPoly(index, pts[k], k, lineType=cv2.LINE_8, shift=4)

        # Affine map per triangle from destination to source: A = S_src @ inv(D_dst).
        homog = np.concatenate([np.transpose(tri_dst, (0, 2, 1)), np.ones((len(area), 1, 3))], 1)
        safe = keep[:, None, None] * homog + (~keep)[:, None, None] * np.eye(3)
        affine = self._tri_src_xy @ np.linalg.inv(safe)  # (K, 2, 3)
        affine[~keep] = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
        affine = np.concatenate([affine, [[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]]).astype(np.float32)
        a = affine[index]  # index -1 picks the identity appended last
        map_x = a[..., 0, 0] * self._grid_x + a[..., 0, 1] * self._grid_y + a[..., 0, 2]
        map_y = a[..., 1, 0] * self._grid_x + a[..., 1, 1] * self._grid_y + a[..., 1, 2]
        patch = cv2.remap(
            self.base, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101
        )
        out = self.base.copy()
        out[y0 : y0 + h, x0 : x0 + w] = patch
        if pose.jaw > 0.03:
            mouth = np.vstack([moved[_LIPS_UPPER_INNER, :2], moved[_LIPS_LOWER_INNER[::-1], :2]])
            cv2.fillPoly(
                out, [np.round(mouth * 16).astype(np.int32)], _MOUTH_COLOUR, cv2.LINE_AA, shift=4
            )
        if pose.shift_x:
            dx = pose.shift_x * out.shape[1]
            shift = np.array([[1.0, 0.0, dx], [0.0, 1.0, 0.0]], dtype=np.float32)
            out = cv2.warpAffine(  # type: ignore[assignment]
                out,
                shift,
                (out.shape[1], out.shape[0]),
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=self._mean_colour,
            )
        return out


def rest_rotation(pitch: float, yaw: float, roll: float) -> npt.NDArray[np.float64]:
    """A resting orientation (degrees, :mod:`beckon.vision.pose` signs) for
    :meth:`FaceRig.render`: a patient whose head rests turned from the camera (a tablet to one
    side of the bed) in a clip whose script is written relative to that rest."""
    return rotation_from_angles(pitch, yaw, roll)


def _signed_area(tri: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Twice the signed area of each triangle in a (K, 3, 2) array."""
    d1 = tri[:, 1] - tri[:, 0]
    d2 = tri[:, 2] - tri[:, 0]
    return np.asarray(d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0])


def add_camera_noise(
    image: RGBImage, sigma: float, rng: np.random.Generator, flicker: float = 0.0
) -> RGBImage:
    """Sensor noise (Gaussian, ``sigma`` grey levels) and optional brightness flicker."""
    out = image.astype(np.float32)
    if flicker:
        out *= 1.0 + rng.normal(0.0, flicker)
    if sigma:
        out += rng.standard_normal(size=image.shape, dtype=np.float32) * np.float32(sigma)
    return np.clip(out, 0, 255).astype(np.uint8)


def render_clip(
    face_rgb: RGBImage,
    poses: Iterable[HeadPose],
    size: tuple[int, int] = (640, 480),
    *,
    model_path: str | Path | None = None,
    noise_sigma: float = 0.0,
    flicker: float = 0.0,
    seed: int = 0,
) -> Iterator[RGBImage]:
    """Frames (RGB, ``size`` = width x height) of ``face_rgb`` at each pose in turn.

    ``model_path`` defaults to the installed face landmarker; ``noise_sigma`` adds camera
    noise so detectors see realistic landmark jitter.
    """
    if model_path is None:
        from beckon.modelstore import require_model

        model_path = require_model("face_landmarker")
    rig = FaceRig(face_rgb, model_path, size)
    rng = np.random.default_rng(seed)
    for pose in poses:
        frame = rig.render(pose)
        if noise_sigma or flicker:
            frame = add_camera_noise(frame, noise_sigma, rng, flicker)
        yield frame


def write_video(path: str | Path, frames: Iterable[RGBImage], fps: float = DEFAULT_FPS) -> int:
    """Write RGB frames to an MPEG-4 (mp4v) file; returns the number of frames written."""
    out_path = Path(path)
    writer: cv2.VideoWriter | None = None
    count = 0
    try:
        for rgb in frames:
            if writer is None:
                h, w = rgb.shape[:2]
                fourcc = cv2.VideoWriter.fourcc(*"mp4v")
                writer = cv2.VideoWriter(str(out_path), fourcc, float(fps), (w, h))
                if not writer.isOpened():
                    raise BeckonError(
                        f"Cannot write video {out_path}",
                        "check the folder exists and is writable, and the name ends in .mp4",
                    )
            writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
            count += 1
    finally:
        if writer is not None:
            writer.release()
    logger.info("wrote %d frames to %s", count, out_path)
    return count
