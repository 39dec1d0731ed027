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
from dataclasses import dataclass, replace
from typing import Literal

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
    """How the neutral pose is learned and kept.

    Three ways, from the most to the least precise:

    * a **steady window**: ``duration_s`` of good frames (about one second: long enough to
      average out landmark jitter, short enough that a patient is ready almost at once) whose
      robust spread stays under ``max_spread_deg`` on every axis;
    * a **running median**: restless, agitated or trembling patients may never hold still for a
      second, so once a face has been seen for ``running_after_s`` without a steady window, the
      median pose over the last ``running_window_s`` is taken (a median ignores the swings of a
      nod or a glance as long as the head spends most of the time near its resting pose). Any
      tracked face counts here, however small or turned: a poor view lowers the detectors'
      confidence and is shown on screen, it must not leave the patient "calibrating";
    * **drift**: once known, the neutral follows the median pose of the last
      ``drift_window_s`` with a time constant of ``drift_tau_s``, but only while that median is
      within ``drift_max_deg`` of it (a patient sinking into the pillow, not one who looks at a
      visitor). Held gestures (at most a few seconds) barely move a ten-second median.

    A neutral from the running median keeps being replaced by a steady window when one comes.
    """

    duration_s: float = 1.0
    min_frames: int = 8
    min_quality: float = 0.35
    max_spread_deg: float = 1.5
    noise_floor_deg: float = 0.1
    running_after_s: float = 2.5
    running_window_s: float = 2.5
    running_noise_cap_deg: float = 0.5
    """The resting jitter of a moving head cannot be measured; its estimate is capped here
    (typical MediaPipe jitter is 0.1 to 0.3 degrees) so that the swing thresholds, which scale
    with the noise, do not grow with the patient's movements."""
    running_every_s: float = 2.5
    """While the neutral comes from the running median, it is estimated again this often, over
    all the frames of the last ``drift_window_s`` (a longer median is surer: a patient whose
    first move was a held turn is at rest for most of ten seconds)."""
    verify_s: float = 10.0
    """Once, this long after the first neutral was fixed, it is checked against the median of
    the last ``drift_window_s``: a patient whose first steady second was a held turn (never
    seen at rest before) gets the median instead. Later, only slow drift is followed."""
    replace_max_deg: float = 5.0
    """A steady window replaces a running median only within this of it: a held turn is
    steady too, and must not become the neutral pose."""
    lost_gap_s: float = 1.0
    """A face missing this long starts the running-median clock again."""
    drift_window_s: float = 10.0
    drift_tau_s: float = 30.0
    drift_max_deg: float = 8.0
    drift_every_s: float = 1.0


NeutralSource = Literal["steady", "running", "preset"]


@dataclass(frozen=True, slots=True)
class NeutralResult:
    """The learned neutral rotation and the resting jitter measured around it (robust std).

    ``source`` says how it was learned (see :class:`NeutralParams`).
    """

    rotation: Matrix
    noise: Angles
    t: float
    frames: int
    source: NeutralSource = "steady"


def _robust_std(values: npt.NDArray[np.float64]) -> float:
    """1.4826 x median absolute deviation: the std of Gaussian noise, ignoring outliers."""
    med = float(np.median(values))
    return 1.4826 * float(np.median(np.abs(values - med)))


def _relative_stack(centre: Matrix, rotations: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """(N, 3) pitch, yaw, roll of each rotation relative to ``centre``."""
    return np.array(
        [(a.pitch, a.yaw, a.roll) for a in (relative_angles(centre, r) for r in rotations)]
    )


class NeutralPose:
    """Learns the patient's resting head rotation and keeps it (see :class:`NeutralParams`).

    Feed every observation to :meth:`update`; once :attr:`ready` is true, :meth:`relative`
    gives angles against the neutral pose. :meth:`reset` forgets it (e.g. after the bed was
    moved or another person sits in front of the tablet). :attr:`version` grows whenever the
    neutral is replaced (not when it drifts), so that users of its noise can refresh it.
    """

    def __init__(self, params: NeutralParams | None = None) -> None:
        self.params = params or NeutralParams()
        self._samples: deque[tuple[float, Matrix]] = deque()
        self._recent: deque[tuple[float, Matrix]] = deque()
        self._seen_since: float | None = None
        self._last_seen: float | None = None
        self._last_drift_t = -math.inf
        self._result: NeutralResult | None = None
        self._verified = False
        self.version = 0

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
        self._recent.clear()
        self._seen_since = None
        self._last_seen = None
        self._result = None
        self._verified = False
        logger.info("neutral head pose reset; learning again")

    def set(self, rotation: npt.ArrayLike, noise: Angles | None = None) -> None:
        """Fix the neutral pose directly (e.g. from a saved per-patient profile)."""
        floor = self.params.noise_floor_deg
        self._fix(
            NeutralResult(
                rotation=nearest_rotation(rotation),
                noise=noise or Angles(floor, floor, floor),
                t=0.0,
                frames=0,
                source="preset",
            )
        )

    def _fix(self, result: NeutralResult) -> None:
        self._result = result
        self.version += 1
        self._samples.clear()

    def update(self, t: float, rotation: Matrix | None, quality: float) -> bool:
        """Offer one frame's absolute rotation; returns True when a neutral was just fixed.

        Frames without a face or below ``min_quality`` break the steady window: it must come
        from one continuous steady stretch. The running median and the drift use every frame
        with a face.
        """
        p = self.params
        if rotation is None:
            self._samples.clear()
            if self._last_seen is not None and t - self._last_seen >= p.lost_gap_s:
                self._seen_since = None
            return False
        if self._seen_since is None:
            self._seen_since = t
        self._last_seen = t
        self._recent.append((t, rotation))
        horizon = max(p.running_window_s, p.drift_window_s)
        while self._recent and t - self._recent[0][0] > horizon:
            self._recent.popleft()
        if self._result is not None and self._result.source != "running":
            self._drift(t)
            return False
        if quality >= p.min_quality and self._steady(t, rotation):
            return True
        if self._result is None and t - self._seen_since >= p.running_after_s:
            return self._running(t, p.running_window_s)
        if self._result is not None and t - self._result.t >= p.running_every_s:
            self._running(t, p.drift_window_s)
        return False

    def _steady(self, t: float, rotation: Matrix) -> bool:
        """Try the steady-window estimate with this frame; True when it fixed the neutral."""
        p = self.params
        self._samples.append((t, rotation))
        while self._samples and t - self._samples[0][0] > p.duration_s:
            self._samples.popleft()
        span = t - self._samples[0][0]
        # The window is full when it covers duration_s up to one frame interval.
        if len(self._samples) < p.min_frames or span < p.duration_s * 0.9:
            return False
        rotations = np.stack([r for _, r in self._samples])
        mean = mean_rotation(rotations)
        rel = _relative_stack(mean, rotations)
        spread = [_robust_std(rel[:, i]) for i in range(3)]
        # Robust spread, and no frame far out either: the tail of a movement would pull the
        # mean away from the resting pose.
        outlier = float(np.max(np.abs(rel - np.median(rel, axis=0))))
        if max(spread) > p.max_spread_deg or outlier > 3.0 * p.max_spread_deg:
            logger.debug("neutral window too unsteady (%s); sliding on", np.round(spread, 2))
            return False
        current = self._result
        if current is not None:
            offset = relative_angles(current.rotation, mean)
            if max(abs(offset.pitch), abs(offset.yaw), abs(offset.roll)) > p.replace_max_deg:
                logger.debug(
                    "steady window %.1f deg from the running median; kept the median",
                    max(abs(offset.pitch), abs(offset.yaw), abs(offset.roll)),
                )
                self._samples.clear()
                return False
        noise = Angles(*(max(p.noise_floor_deg, s) for s in spread))
        self._fix(NeutralResult(rotation=mean, noise=noise, t=t, frames=len(rotations)))
        self._log("steady window", t, len(rotations))
        return True

    def _window(self, t: float, seconds: float) -> npt.NDArray[np.float64]:
        return np.stack([r for ts, r in self._recent if t - ts <= seconds])

    def _running(self, t: float, seconds: float) -> bool:
        """The median pose over the last ``seconds``, for a head that never held still."""
        p = self.params
        rotations = self._window(t, seconds)
        if len(rotations) < p.min_frames:
            return False
        centre = mean_rotation(rotations)
        rel = _relative_stack(centre, rotations)
        median = np.median(rel, axis=0)
        neutral = centre @ rotation_from_angles(*median)
        # Jitter from frame-to-frame differences (smooth motion contributes little to them),
        # capped: see NeutralParams.running_noise_cap_deg.
        diffs = np.diff(rel, axis=0)
        noise = Angles(
            *(
                min(
                    p.running_noise_cap_deg,
                    max(p.noise_floor_deg, _robust_std(diffs[:, i]) / 1.4142),
                )
                for i in range(3)
            )
        )
        first = self._result is None
        result = NeutralResult(
            rotation=nearest_rotation(neutral),
            noise=noise,
            t=t,
            frames=len(rotations),
            source="running",
        )
        if first:
            self._fix(result)
            self._log("running median (no steady window came)", t, len(rotations))
        else:
            self._result = result  # a refinement: same version, noise users need not change
        return True

    def _verify(self, t: float) -> None:
        """The one check of a first neutral against a longer median (``verify_s``)."""
        p = self.params
        result = self._result
        if result is None or self._verified or result.source == "preset":
            return
        if t - result.t < p.verify_s or t - self._recent[0][0] < 0.8 * p.drift_window_s:
            return
        self._verified = True
        rotations = self._window(t, p.drift_window_s)
        median = np.median(_relative_stack(result.rotation, rotations), axis=0)
        if np.max(np.abs(median)) <= p.replace_max_deg:
            return
        rotation = nearest_rotation(result.rotation @ rotation_from_angles(*median))
        self._fix(replace(result, rotation=rotation, t=t, source="running"))
        self._log("longer median (the first estimate was off)", t, len(rotations))

    def _drift(self, t: float) -> None:
        """Follow slow posture changes (see :class:`NeutralParams`)."""
        p = self.params
        self._verify(t)
        result = self._result
        if result is None or t - self._last_drift_t < p.drift_every_s or not self._recent:
            return
        dt = min(t - self._last_drift_t, 5.0 * p.drift_every_s)
        self._last_drift_t = t
        if t - self._recent[0][0] < 0.8 * p.drift_window_s:
            return
        rotations = self._window(t, p.drift_window_s)
        median = np.median(_relative_stack(result.rotation, rotations), axis=0)
        if np.max(np.abs(median)) > p.drift_max_deg:
            return
        step = median * min(1.0, dt / p.drift_tau_s)
        rotation = nearest_rotation(result.rotation @ rotation_from_angles(*step))
        self._result = replace(result, rotation=rotation)

    def _log(self, how: str, t: float, frames: int) -> None:
        assert self._result is not None
        neutral = angles_from_rotation(self._result.rotation)
        noise = self._result.noise
        logger.info(
            "neutral head pose fixed from a %s at t=%.2fs (%d frames): pitch %.1f yaw %.1f "
            "roll %.1f deg; resting noise %.2f/%.2f/%.2f deg",
            how,
            t,
            frames,
            neutral.pitch,
            neutral.yaw,
            neutral.roll,
            noise.pitch,
            noise.yaw,
            noise.roll,
        )

    def relative(self, rotation: Matrix) -> Angles | None:
        """Angles of ``rotation`` against the neutral pose, or None while still learning."""
        if self._result is None:
            return None
        return relative_angles(self._result.rotation, rotation)

    def provisional(self, rotation: Matrix) -> Angles | None:
        """Angles against the first pose of the current stretch, while still learning.

        A nod or a shake is a pattern of reversals, which any fixed reference shows as well as
        the true neutral: with these, a patient who answers in the first seconds (before a
        neutral pose exists) is still heard. Held gestures need the true neutral.
        """
        if self._result is not None or not self._recent:
            return None
        return relative_angles(self._recent[0][1], rotation)
