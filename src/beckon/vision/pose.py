"""Head angles from MediaPipe's facial transformation matrix, relative to the patient's neutral.

Why relative: MediaPipe's canonical face is not aligned with a "looking straight ahead" head
(a frontal photo reads about +16 degrees of pitch), and patients rest with their head turned
or tilted on a pillow. Gestures are therefore measured against each patient's own resting
rotation, ``R_rel = R_neutral.T @ R``, which is the head's motion expressed in its own frame.

Sign conventions (left/right are the PATIENT's own; the camera image is not mirrored), checked
on re-rendered photos in ``tests/vision/test_signs.py``:

* pitch > 0 when the patient lowers the chin (looks down); < 0 when looking up;
* yaw < 0 when the patient turns to their own right (the nose moves to the image's left);
* roll < 0 when the patient tilts toward their own left shoulder (the top of the head moves
  to the image's right).
"""

from __future__ import annotations

import logging
import math
from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Angles:
    """Head rotation as Euler angles in degrees (see the module docstring for the signs)."""

    pitch: float
    yaw: float
    roll: float


def rotation_from_matrix(matrix: npt.ArrayLike) -> Matrix:
    """The 3x3 rotation part of a 4x4 (or 3x3) transformation, re-orthonormalised.

    MediaPipe's matrix can carry a small scale; projecting onto the nearest rotation keeps the
    Euler formulas exact and ``R.T`` a true inverse.
    """
    m = np.asarray(matrix, dtype=np.float64)
    if m.shape not in ((4, 4), (3, 3)):
        raise ValueError(f"expected a 4x4 or 3x3 matrix, got shape {m.shape}")
    return nearest_rotation(m[:3, :3])


def nearest_rotation(m: npt.ArrayLike) -> Matrix:
    """The rotation closest to ``m`` in the Frobenius norm (SVD projection)."""
    u, _, vt = np.linalg.svd(np.asarray(m, dtype=np.float64))
    d = np.sign(np.linalg.det(u @ vt)) or 1.0
    return np.asarray(u @ np.diag([1.0, 1.0, d]) @ vt, dtype=np.float64)


def angles_from_rotation(r: npt.ArrayLike) -> Angles:
    """Pitch, yaw, roll in degrees: the ZYX decomposition ``R = Rz(roll) @ Ry(yaw) @ Rx(pitch)``."""
    m = np.asarray(r, dtype=np.float64)
    pitch = math.atan2(m[2, 1], m[2, 2])
    yaw = math.asin(max(-1.0, min(1.0, -m[2, 0])))
    roll = math.atan2(m[1, 0], m[0, 0])
    return Angles(math.degrees(pitch), math.degrees(yaw), math.degrees(roll))


def rotation_from_angles(pitch: float, yaw: float, roll: float) -> Matrix:
    """The inverse of :func:`angles_from_rotation` (degrees in, ``Rz @ Ry @ Rx`` out)."""
    p, y, r = (math.radians(a) for a in (pitch, yaw, roll))
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return np.asarray(rz @ ry @ rx, dtype=np.float64)


def relative_rotation(neutral: npt.ArrayLike, r: npt.ArrayLike) -> Matrix:
    """``R_neutral.T @ R``: the rotation away from neutral, in the head's own frame."""
    return np.asarray(np.asarray(neutral).T @ np.asarray(r), dtype=np.float64)


def relative_angles(neutral: npt.ArrayLike, r: npt.ArrayLike) -> Angles:
    """Euler angles of :func:`relative_rotation` in degrees."""
    return angles_from_rotation(relative_rotation(neutral, r))


def mean_rotation(rotations: list[Matrix] | npt.NDArray[np.float64]) -> Matrix:
    """The chordal L2 mean of rotations: the arithmetic mean projected back onto SO(3).

    For the small spread of a resting head this equals the geodesic mean to well below the
    landmark noise, and it needs no iteration.
    """
    stack = np.asarray(rotations, dtype=np.float64)
    if stack.ndim != 3 or stack.shape[1:] != (3, 3) or len(stack) == 0:
        raise ValueError("mean_rotation needs a non-empty stack of 3x3 matrices")
    return nearest_rotation(stack.mean(axis=0))


@dataclass(frozen=True, slots=True)
class NeutralParams:
    """How the neutral pose is learned.

    ``duration_s`` of good frames is about one second: long enough to average out landmark
    jitter, short enough that a patient is ready almost at once. A window whose robust spread
    exceeds ``max_spread_deg`` on any axis (the patient was moving) is not accepted; the window
    slides on until the head is steady.
    """

    duration_s: float = 1.0
    min_frames: int = 8
    min_quality: float = 0.5
    max_spread_deg: float = 1.5
    noise_floor_deg: float = 0.1


@dataclass(frozen=True, slots=True)
class NeutralResult:
    """The learned neutral rotation and the resting jitter measured around it (robust std)."""

    rotation: Matrix
    noise: Angles
    t: float
    frames: int


def _robust_std(values: npt.NDArray[np.float64]) -> float:
    """1.4826 x median absolute deviation: the std of Gaussian noise, ignoring outliers."""
    med = float(np.median(values))
    return 1.4826 * float(np.median(np.abs(values - med)))


class NeutralPose:
    """Learns the patient's resting head rotation from the first steady second, then stays fixed.

    Feed every observation to :meth:`update`; once :attr:`ready` is true, :meth:`relative`
    gives angles against the neutral pose. :meth:`reset` forgets it (e.g. after the bed was
    moved or another person sits in front of the tablet).
    """

    def __init__(self, params: NeutralParams | None = None) -> None:
        self.params = params or NeutralParams()
        self._samples: deque[tuple[float, Matrix]] = deque()
        self._result: NeutralResult | None = None

    @property
    def ready(self) -> bool:
        """True once the neutral rotation is known."""
        return self._result is not None

    @property
    def result(self) -> NeutralResult | None:
        """The neutral rotation and resting noise, or None while still learning."""
        return self._result

    @property
    def rotation(self) -> Matrix | None:
        """The neutral rotation matrix, or None while still learning."""
        return None if self._result is None else self._result.rotation

    def reset(self) -> None:
        """Forget the neutral pose and start learning again from the next good frame."""
        self._samples.clear()
        self._result = None
        logger.info("neutral head pose reset; learning again")

    def set(self, rotation: npt.ArrayLike, noise: Angles | None = None) -> None:
        """Fix the neutral pose directly (e.g. from a saved per-patient profile)."""
        floor = self.params.noise_floor_deg
        self._result = NeutralResult(
            rotation=nearest_rotation(rotation),
            noise=noise or Angles(floor, floor, floor),
            t=0.0,
            frames=0,
        )
        self._samples.clear()

    def update(self, t: float, rotation: Matrix | None, quality: float) -> bool:
        """Offer one frame's absolute rotation; returns True when the neutral just got fixed.

        Frames without a face or below ``min_quality`` break the window: the neutral pose must
        come from one continuous steady stretch.
        """
        if self._result is not None:
            return False
        p = self.params
        if rotation is None or quality < p.min_quality:
            self._samples.clear()
            return False
        self._samples.append((t, rotation))
        while self._samples and t - self._samples[0][0] > p.duration_s:
            self._samples.popleft()
        span = t - self._samples[0][0]
        # The window is full when it covers duration_s up to one frame interval.
        if len(self._samples) < p.min_frames or span < p.duration_s * 0.9:
            return False
        rotations = np.stack([r for _, r in self._samples])
        mean = mean_rotation(rotations)
        rel = np.array(
            [(a.pitch, a.yaw, a.roll) for a in (relative_angles(mean, r) for r in rotations)]
        )
        spread = [_robust_std(rel[:, i]) for i in range(3)]
        if max(spread) > p.max_spread_deg:
            logger.debug("neutral window too unsteady (%s); sliding on", np.round(spread, 2))
            return False
        noise = Angles(*(max(p.noise_floor_deg, s) for s in spread))
        self._result = NeutralResult(rotation=mean, noise=noise, t=t, frames=len(rotations))
        neutral = angles_from_rotation(mean)
        logger.info(
            "neutral head pose fixed at t=%.2fs from %d frames: pitch %.1f yaw %.1f roll %.1f deg;"
            " resting noise %.2f/%.2f/%.2f deg",
            t,
            len(rotations),
            neutral.pitch,
            neutral.yaw,
            neutral.roll,
            noise.pitch,
            noise.yaw,
            noise.roll,
        )
        self._samples.clear()
        return True

    def relative(self, rotation: Matrix) -> Angles | None:
        """Angles of ``rotation`` against the neutral pose, or None while still learning."""
        if self._result is None:
            return None
        return relative_angles(self._result.rotation, rotation)
