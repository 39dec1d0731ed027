"""Frames a hand disturbs: the face mesh bends while the head pose follows it.

Why: MediaPipe fits its face mesh even when a hand covers part of the face, and the head pose
it computes from that mesh then moves while the head does not (a signer's hand at the chin
or passing in front of the face reads as a 10 to 20 degree nod; a hand over the mouth while
the signer looks down reads as a long blink). A head is rigid: when it turns, all its
landmarks move together, so one camera fits them all. When part of the mesh is pulled by a
hand, no single camera does.

:class:`FaceShape` measures that, per frame: the face's own rigid mesh (the median of its
recent meshes, so it is this patient's face and not a template) is fitted to the frame's
landmarks by the best affine camera (weak perspective: any rotation, scale and shift, and the
depth axis's unknown scale), and the residual, in eye spans, is the frame's *deformation*.
Only landmarks no expression moves are used (nose, forehead, eye corners, cheekbones, the upper
outline; not the mouth, jaw, lids or brows).

:class:`OcclusionGate` turns it into a yes/no: a frame is unreliable when its deformation is
well above the face's own (a low quantile of the last seconds), beyond what the head's own
movement adds (the mesh is not quite rigid across poses: a brisk 30 degree shake of the ASL
clips doubles it, so the bar grows with the head's distance from its usual pose), and stays
so a moment after (the pose takes a few frames to come back). While frames are unreliable,
the gesture engine lets no gesture start from them (:class:`~beckon.vision.engine.GestureEngine`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

RIGID_LANDMARKS: tuple[int, ...] = (
    1, 4, 5, 6, 8, 9, 10, 151, 168, 195, 197,  # nose and forehead, on the midline
    33, 133, 362, 263,  # eye corners
    50, 116, 123, 280, 345, 352,  # cheekbones
    127, 234, 356, 454,  # temples and cheeks at the outline
    21, 54, 67, 103, 251, 284, 297, 332,  # the upper outline (forehead to temples)
)  # fmt: skip
"""MediaPipe face-mesh indices that expressions do not move. The outline's points slide along
the silhouette as the head turns (the gate allows for the head's distance from its usual
pose), but they are what a hand at the cheek or chin pulls: without them the gate saw only
one of the three hand-at-face false events of the ASL tune clips."""


def camera_residual(
    reference: npt.NDArray[np.float64], points_xy: npt.NDArray[np.float64]
) -> float:
    """How far ``points_xy`` (n, 2) are from the best affine-camera image of ``reference``
    (n, 3): root mean square distance, in pixels of ``points_xy``."""
    design = np.hstack([reference, np.ones((len(reference), 1))])
    solution, *_ = np.linalg.lstsq(design, points_xy, rcond=None)
    residual = design @ solution - points_xy
    return float(np.sqrt((residual**2).sum(axis=1).mean()))


def _similarity_align(
    points: npt.NDArray[np.float64], target: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``points`` moved onto ``target`` by the best rotation, scale and shift (Umeyama)."""
    mp, mt = points.mean(axis=0), target.mean(axis=0)
    a, b = points - mp, target - mt
    u, s, vt = np.linalg.svd(b.T @ a)
    d = np.diag([1.0, 1.0, float(np.sign(np.linalg.det(u @ vt)) or 1.0)])
    rot = u @ d @ vt
    scale = float((s * np.diag(d)).sum() / max((a**2).sum(), 1e-12))
    return np.asarray(scale * a @ rot.T + mt, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class ShapeParams:
    """How the face's own rigid mesh is learned."""

    window_s: float = 10.0
    """The mesh is the median of the meshes sampled over this many seconds (a hand at the
    face for less than half of them does not bend it)..."""
    every_s: float = 0.5
    """...one sample this often..."""
    first_every_s: float = 0.1
    """...and this often for the first ``window_s / every_s`` samples, so that a face first
    seen with a hand over it is not measured against that frame for long."""


class FaceShape:
    """The face's own rigid mesh, and how far each frame's landmarks depart from it."""

    def __init__(
        self, params: ShapeParams | None = None, landmarks: tuple[int, ...] = RIGID_LANDMARKS
    ) -> None:
        self.params = params or ShapeParams()
        self.landmarks = landmarks
        self._eyes = (landmarks.index(33), landmarks.index(263))
        self._samples: deque[tuple[float, npt.NDArray[np.float64]]] = deque()
        self._reference: npt.NDArray[np.float64] | None = None
        self._taken = 0
        self._last_sample_t = -math.inf

    def reset(self) -> None:
        """Forget the face (another person)."""
        self._samples.clear()
        self._reference = None
        self._taken = 0
        self._last_sample_t = -math.inf

    def measure(self, t: float, landmarks: npt.NDArray[np.float64]) -> float:
        """The frame's deformation in eye spans; ``landmarks`` (478, 3) in pixels (x, y and
        MediaPipe's depth in the x scale). Learns the mesh from the frame as well."""
        p = self.params
        points = np.asarray(landmarks, dtype=np.float64)[list(self.landmarks)]
        if self._reference is None:
            self._reference = points
        full = self._taken >= round(p.window_s / p.every_s)
        if t - self._last_sample_t >= (p.every_s if full else p.first_every_s):
            self._samples.append((t, _similarity_align(points, self._reference)))
            self._taken += 1
            self._last_sample_t = t
            while self._samples and self._samples[0][0] < t - p.window_s:
                self._samples.popleft()
            self._reference = np.median(np.stack([m for _, m in self._samples]), axis=0)
        span = float(np.linalg.norm(points[self._eyes[0], :2] - points[self._eyes[1], :2]))
        span = max(span, 1e-6)
        return camera_residual(self._reference, points[:, :2]) / span


@dataclass(frozen=True, slots=True)
class OcclusionParams:
    """When a frame's deformation says a hand (or anything) disturbs the face."""

    ratio: float = 2.5
    """Unreliable above this many times the face's own deformation..."""
    margin: float = 0.005
    """...and at least this much above it (eye spans; the still face's own is 0.002 to
    0.01 on the ASL clips)..."""
    per_deg: float = 1.5e-3
    """...plus this much per degree the head is beyond ``free_deg`` from its usual pose (the
    median pose of the last seconds' frames at rest, see :meth:`OcclusionGate.update`):
    MediaPipe's mesh is not quite rigid across poses (the outline's points
    slide along the silhouette): a brisk 30 degree shake of the ASL clips doubles the
    deformation, and the lab renderer's warped photo bends 0.013 at a 13 degree turn and
    0.009 at a 10 degree nod (its still face 0.0002). Without the allowance real shakes
    and rendered turns closed the gate."""
    free_deg: float = 5.0
    """Degrees from the usual pose that get no allowance: a hand at the chin tips
    MediaPipe's pose by a few degrees only, while it bends the mesh (see ``per_deg``). Also
    how near the reference a frame must be to count as at rest for the usual pose."""
    lag_s: float = 0.25
    """The allowance follows the furthest pose of this long: the mesh's bend lags the pose
    by a few frames (on the way back from a rendered nod's 10 degrees it was still 0.006
    at 6 degrees). Not longer: held 0.4 or 0.6 s it lets through a talker's bend as her head
    moves (talkhead ``lp_d9``, no hand), and her false shake with it; on the eleven tune sets
    before realnod2 the two real shakes it would un-gate were lost anyway (the journal,
    session 38, gest38d), and on realnod2 0.4 or 0.6 s changes nothing: ``rg_nope``'s first
    shake, cut at 2.40 s as her mesh bends near rest, is lost with the gate held open too (no
    settle before her second "nope"; fix38c)."""
    baseline_s: float = 10.0
    baseline_quantile: float = 0.3
    """The face's own deformation: this quantile of the last ``baseline_s`` seconds (low, so
    that a hand at the face for a while does not raise it)..."""
    baseline_floor: float = 0.0025
    """...and at least this (real faces' own is 0.002 to 0.01; the lab renderer's still face,
    a photo without jitter, 0.0002, which made every rendered movement look bent)..."""
    prior: float = 0.008
    """...taken as this before a second of frames was seen (a face first seen with a hand
    over it has no own level yet)."""
    hold_s: float = 0.2
    """A frame stays unreliable this long after the last disturbed one: the pose takes a few
    frames to come back when the hand leaves."""


class OcclusionGate:
    """Per frame: is the face undisturbed (True) or is a hand bending its mesh (False)?"""

    def __init__(self, params: OcclusionParams | None = None) -> None:
        self.params = params or OcclusionParams()
        self._recent: deque[tuple[float, float]] = deque()
        self._poses: deque[tuple[float, tuple[float, float, float]]] = deque()
        self._away: deque[tuple[float, float]] = deque()
        self._disturbed_t = -math.inf
        self.since: float | None = None
        """When the current unreliable stretch began (None while frames are reliable)."""

    def reset(self) -> None:
        """Forget the face's own level and pose (another person)."""
        self._recent.clear()
        self._poses.clear()
        self._away.clear()
        self._disturbed_t = -math.inf
        self.since = None

    def update(
        self, t: float, deformation: float | None, angles: tuple[float, float, float] | None
    ) -> bool:
        """Feed one frame (``deformation`` None: not measured, e.g. an old recording; angles
        in degrees against the neutral pose, or a provisional reference before it is known).
        Returns True when the frame is reliable.

        The usual pose is the median of the last seconds' frames at rest (within
        ``free_deg`` of the reference; the reference itself while there are none), not of all
        frames: a turn held for a few seconds dragged a median of all frames toward it, and the
        turn itself, or a second one from there, then had no allowance for the bend its pose
        adds (a real turn of nonsign ``dg_driving``, 11 degrees from the neutral, was allowed
        for 3; gnew ``lsm_acuerdo``'s 34 degree turn closed the gate as it swung back)."""
        p = self.params
        away = 0.0
        if angles is not None:
            if max(abs(a) for a in angles) <= p.free_deg:
                self._poses.append((t, angles))
            while self._poses and self._poses[0][0] < t - p.baseline_s:
                self._poses.popleft()
            median = (
                np.median(np.array([a for _, a in self._poses]), axis=0)
                if self._poses
                else np.zeros(3)
            )
            self._away.append((t, float(np.abs(np.asarray(angles) - median).max())))
            while self._away and self._away[0][0] < t - p.lag_s:
                self._away.popleft()
            away = max(0.0, max(a for _, a in self._away) - p.free_deg)
        if deformation is not None and math.isfinite(deformation):
            base = self._baseline(t)
            bar = max(p.ratio * base, base + p.margin) + p.per_deg * away
            if deformation > bar:
                self._disturbed_t = t
            self._recent.append((t, deformation))
            while self._recent and self._recent[0][0] < t - p.baseline_s:
                self._recent.popleft()
        reliable = t - self._disturbed_t > p.hold_s
        if reliable:
            self.since = None
        elif self.since is None:
            self.since = t
        return reliable

    def _baseline(self, t: float) -> float:
        p = self.params
        if not self._recent or t - self._recent[0][0] < 1.0:
            return p.prior
        values = np.fromiter((v for _, v in self._recent), dtype=float)
        return max(p.baseline_floor, float(np.quantile(values, p.baseline_quantile)))
