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

    Three ways, from the most to the least precise, and one check:

    * a **steady window**: ``duration_s`` of good frames (about one second: long enough to
      average out landmark jitter, short enough that a patient is ready almost at once) whose
      robust spread stays under ``max_spread_deg`` on every axis;
    * a **running estimate**: restless, agitated or trembling patients may never hold still
      for a second, so once a face has been seen for ``running_after_s`` without a steady
      window, the pose the head dwelt at most over the last ``running_window_s`` is taken (a
      mode, see ``mode_radius_deg``: sway stays around it, nods, glances and held gestures lie
      outside it). Any tracked face counts here, however small or turned: a poor view lowers
      the detectors' confidence and is shown on screen, it must not leave the patient
      "calibrating";
    * **drift**: once known, the neutral follows the median pose of the last
      ``drift_window_s`` with a time constant of ``drift_tau_s``, from the frames near it
      (``drift_share``: an excursion in progress does not pull it), but only while that median
      is within ``drift_max_deg`` of it (a patient sinking into the pillow, not one who looks
      at a visitor);
    * the **check of a first pose that was a gesture** (``verify_s``, ``switch_ratio``);
    * **re-anchoring** (``reanchor_s``): a pose the head dwells at, still, for twice as long as
      any held gesture lasts becomes the neutral at once (a patient who settled differently).

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
    verify_s: float = 12.0
    """For this long after the first neutral was fixed, it may move to another pose the head
    dwells at (see ``switch_ratio``): a patient whose first steady second was a held turn
    (never seen at rest before) would otherwise have every later gesture read against the
    turn, and the way back to rest read as the opposite gesture. Later, only slow drift is
    followed."""
    replace_max_deg: float = 5.0
    """A steady window replaces a running median only within this of it: a held turn is
    steady too, and must not become the neutral pose. Poses closer than this are one pose."""
    mode_radius_deg: float = 4.0
    """Frames within this of a pose (on every axis) dwell at it: wider than idle sway (1 to 3
    degrees), narrower than the smallest held gesture (8 degrees). The resting pose is found as
    the pose with the most frames around it, not as a median: a median of a head that holds
    gestures half of the time falls between rest and gesture, and a mode does not."""
    switch_ratio: float = 1.2
    """During ``verify_s``, another dwelling pose replaces the neutral when its dwell (frames
    within ``mode_radius_deg`` over the last ``drift_window_s``) times a frontal gain is this
    many times the neutral's dwell and it is at least ``frontal_margin_deg`` more frontal. The
    gain is ``exp(d / frontal_scale_deg)`` for a pose ``d`` degrees more frontal in
    ``|yaw| + |roll|``, capped at ``frontal_cap``: the tablet is set up facing the patient, so
    between two poses held about as long, the more frontal one is the rest; but the rest is
    where the head dwells most, so the prior only breaks near ties, and it helps no pose the
    head already came back from to the neutral (``excursion_max_s``). Any other pose (a look up
    or down: the camera's height makes absolute pitch meaningless; a pose less frontal than the
    neutral) must dwell ``dominance_ratio`` times as long: a patient who rested for a second
    and then held a look for three is still at rest."""
    dominance_ratio: float = 3.0
    frontal_margin_deg: float = 5.0
    final_ratio: float = 1.5
    """Once, at the end of ``verify_s``, a dwelling pose further than ``drift_max_deg`` from
    the neutral (beyond what drift follows: not a posture change) that scored this many times
    the neutral's over the last ``drift_window_s`` replaces it: a first look up or down (no
    frontal prior helps there) is corrected here at the latest."""
    frontal_scale_deg: float = 15.0
    excursion_max_s: float = 4.0
    """A pose the head went to from the neutral and came back from to the neutral within this
    (the longest held gesture, 3 s, and its ramps) was a gesture made from it: the frontal
    prior no longer helps it (see ``frontal_cap``). A patient resting turned from the camera
    who turns toward it and back, again and again, has not moved his rest there. Nor does the
    prior help a pose the head is still at, less than this after leaving the neutral for it:
    whether it comes back is what tells a first hold toward the camera from a camera that came
    on mid-turn, so a true frontal rest is taken this much later (and the gestures made
    meanwhile are read again, ``EngineParams.replay_s``)."""
    under_way_ratio: float = 0.9
    """While the head is still at a more frontal pose it went to from the neutral less than
    ``excursion_max_s`` ago, that pose needs this share of the neutral's dwell (not
    ``switch_ratio / frontal_cap``): a patient resting turned from the camera who holds a
    first turn toward it for longer than 0.6 times the rest before it had that turn taken for
    the rest, and every later turn read backwards. Not when the pose is where the head was
    first seen before it moved to the first neutral (``origin``): a first gesture begun at
    the first frame, whose rest the head comes back to."""
    under_way_turn_min_s: float = 4.0
    """A more frontal pose the head turned to (in yaw) from the neutral, and is still at, is
    not taken for the rest before it has been dwelt at this long, as long as a held gesture
    lasts (``HoldParams.max_hold_s``, ramps aside): a held turn ends within it, a rest does
    not. The dwell ratios (``under_way_ratio``) alone cannot tell a first turn toward the
    camera from a camera that came on mid-turn, since the two are the same sequence with the
    roles swapped: `hopper`'s off-axis clip (rest 21 degrees, a first turn of 16 toward the
    camera held 2.6 s after 2.4 s of rest) was taken for the rest at 0.96 of the rest's dwell,
    the next turn was lost and the way back read as a turn the other way until the check at
    ``verify_s`` (session 9). Turns only, where a tablet to one side of the bed makes a
    turned rest common; a first tilt keeps the ratios (a camera that came on mid-tilt and saw
    only 2.7 s of rest before the next tilt, ``test_a_tilt_held_from_the_first_frame_...``).
    What it costs: a camera that came on mid-turn and sees less than this of rest before the
    next turn keeps the turn as the neutral until the check at ``verify_s``. 4 s, not 3 s
    (session 19): a first turn toward the camera held up to 3 s dwells near its pose longer
    than 3 s once its ramps are counted, so it was taken for the rest and every later turn
    read backwards; 4 s covers a 3 s hold and its ramps."""
    origin_return_ratio: float = 0.55
    """A first neutral the head went to from where it was first seen (``origin``) and came
    back from to the origin within ``excursion_max_s`` of leaving it was a first gesture
    begun at the first frame, made from the rest: the origin then needs only this many times
    the neutral's dwell (like a frontal rival, ``switch_ratio``), not ``dominance_ratio``,
    whichever way it lies. Found on a patient resting turned from the camera whose first look
    up or down began at the first frame: no frontal prior helps pitch, so the look stood as the
    neutral until the check at ``verify_s`` and every look before it read backwards (the
    same on frontal faces' looks, and on a first turn away from the camera).

    How soon the rest is taken also decides whether that first gesture is heard: the engine
    reads its kept frames again at the correction (``EngineParams.replay_s``, 5 s), and the
    gesture counts only if the rest before it is among them (an excursion under way at the
    first kept frame is no gesture) and it ended at most ``EngineParams.replay_max_age_s``
    (1.5 s) before. At 0.6, a first look held about 3 s was corrected 5.1 to 5.4 s after the
    first frame: the look's start was no longer among the kept frames, and it had ended 1.5 s
    or more before (session 31: `hopper` off-axis, `lps11` turned, 30 fps). 0.55 takes the
    rest about 0.2 s sooner, within both. Not lower: at 0.45 a 15 fps clip's rest was taken
    from 17 frames, 0.6 s after its first look ended, and the look read again against that
    estimate fell 0.01 s short of the minimum hold (the later, surer estimate found it 1.53 s
    after, too late to report)."""
    frontal_cap: float = 2.0
    """The most the frontal prior may weigh: a more frontal rival needs at least
    ``switch_ratio / frontal_cap`` of the neutral's dwell however frontal it is. The prior
    breaks near ties; it must not let a turn toward the camera, held for a second or two by
    a patient resting turned from it (a tablet to one side of the bed), beat the rest the
    head keeps coming back to."""
    check_every_s: float = 0.2
    """How often the dwelling poses are compared during ``verify_s`` (cheap: absolute angles
    are kept per frame)."""
    lost_gap_s: float = 1.0
    """A face missing this long starts the running-median clock again."""
    drift_window_s: float = 10.0
    drift_tau_s: float = 30.0
    drift_max_deg: float = 8.0
    drift_every_s: float = 1.0
    drift_share: float = 0.5
    """Drift follows the frames near the neutral (within ``mode_radius_deg``) while they are
    at least this share of the window, so a held gesture in progress (an excursion) never
    pulls the neutral toward itself; a posture change that outlasts it is followed through
    the median of the whole window as before."""
    reanchor_s: float = 8.0
    """**Re-anchoring**: once the first-pose check is over (``verify_s``), a pose the head has
    dwelt at, still, for the whole of this long becomes the neutral at once (its version
    grows, so the held detectors start again from it). Twice the longest held gesture
    (``max_hold_s``: 4 s, ramps included): a deliberate hold is never learned away, and the
    held detectors already ignore any excursion half this long. Why: drift alone follows a
    posture change with ``drift_tau_s``, and a patient who settles a few degrees from the
    calibrated rest (the bed raised, the pillow moved) sits meanwhile near or over a held
    gesture's bar; the "gesture" held past its maximum blocks that detector until the signal
    falls back under its release bar, which the slow drift may take half a minute or more to
    bring, or never (`pkgface`'s `franck`: sitting 7 to 11 degrees to his left of a neutral
    fixed at 0.92 s, `turn_left` was ignored at 22.8 s and blocked until 34 s, session 11)."""
    reanchor_share: float = 0.85
    """Still means: at least this share of the frames of the last ``reanchor_s`` lie within
    ``mode_radius_deg`` of their median pose on every axis (sway and jitter stay inside it;
    a glance or a gesture of a second may lie outside), ..."""
    reanchor_still_s: float = 1.0
    """...and all of the frames of the last this long do (the head is at the pose now: never
    in the middle of a gesture, whose way back would be read against the new neutral)."""
    reanchor_trend_deg: float = 1.0
    """...and the median poses of the first and the second half of the window lie within this
    of each other on every axis: a head still on its way (a posture sinking by 8 degrees over
    ten seconds stays within the dwell box of its median) is not settled yet, and a neutral
    taken halfway along is stale again at once (`franck`: taken at 17.8 s during a slow turn
    of 8 degrees, it was 3.4 degrees short of the rest he settled at, and his next movement,
    7 degrees, read as a 10-degree turn)."""
    reanchor_min_deg: float = 4.0
    """The pose must lie further than this from the neutral on some axis (``mode_radius_deg``:
    outside the neutral's own dwell): closer ones are sway around it, which drift follows,
    and the held detectors' release bar (half of 8 degrees) is still within reach."""
    reanchor_max_deg: float = 12.0
    """...and no further than this on every axis (``drift_max_deg`` plus ``mode_radius_deg``:
    the changes drift follows, only sooner): a posture (a pillow, a raised bed) moves the head
    by a few degrees to about 11 (`franck`: 7 to 11); a head turned further for long is looking
    at something (a visitor, the television) and comes back to its rest, and a glance back to
    that rest must not read as a turn."""


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


def _returned_excursions(
    ts: npt.NDArray[np.float64], here: npt.NDArray[np.bool_], longest_s: float
) -> npt.NDArray[np.bool_]:
    """Frames of runs away from the neutral (``here`` false) that began and ended at it and
    lasted at most ``longest_s``: held gestures made from it, not a rest of their own."""
    out = np.zeros(len(here), dtype=bool)
    start: int | None = None
    for i, at in enumerate(here):
        if not at and start is None:
            start = i
        elif at and start is not None:
            if start > 0 and ts[i] - ts[start - 1] <= longest_s:
                out[start:i] = True
            start = None
    return out


def _excursion_under_way(
    ts: npt.NDArray[np.float64], here: npt.NDArray[np.bool_], longest_s: float
) -> npt.NDArray[np.bool_]:
    """Frames of the run away from the neutral (``here`` false) still going on at the last
    frame, if it began at the neutral at most ``longest_s`` ago: it may yet be a held gesture
    made from the neutral (see :func:`_returned_excursions`)."""
    out = np.zeros(len(here), dtype=bool)
    if len(here) == 0 or here[-1]:
        return out
    at = np.flatnonzero(here)
    if len(at) == 0:
        return out  # never at the neutral in the window: not an excursion from it
    last = int(at[-1])
    if ts[-1] - ts[last] <= longest_s:
        out[last + 1 :] = True
    return out


def _mostly_yaw(move: npt.NDArray[np.float64]) -> bool:
    """A move (pitch, yaw, roll degrees) that is more a turn than a tilt or a look."""
    return abs(float(move[1])) > max(abs(float(move[0])), abs(float(move[2])))


def dwelling_poses(
    angles: npt.NDArray[np.float64], radius: float, candidates: int = 48
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """For each of up to ``candidates`` frames (evenly picked), which frames of ``angles``
    ((N, 3) pitch, yaw, roll) lie within ``radius`` of it on every axis.

    Returns the candidate poses (C, 3) and the membership matrix (C, N): how long the head
    dwelt near each pose, for :meth:`NeutralPose` to pick the resting pose as a mode.
    """
    n = len(angles)
    idx = np.unique(np.linspace(0, n - 1, min(n, candidates)).round().astype(int))
    cands = angles[idx]
    near = np.max(np.abs(angles[None, :, :] - cands[:, None, :]), axis=2) <= radius
    return cands, near


class NeutralPose:
    """Learns the patient's resting head rotation and keeps it (see :class:`NeutralParams`).

    Feed every observation to :meth:`update`; once :attr:`ready` is true, :meth:`relative`
    gives angles against the neutral pose. :meth:`reset` forgets it (e.g. after the bed was
    moved or another person sits in front of the tablet). :attr:`version` grows whenever the
    neutral is replaced (not when it drifts), so that users of its noise, and the held-gesture
    detectors measuring against it, can start again.
    """

    def __init__(self, params: NeutralParams | None = None) -> None:
        self.params = params or NeutralParams()
        self._samples: deque[tuple[float, Matrix]] = deque()
        self._recent: deque[tuple[float, Matrix, tuple[float, float, float]]] = deque()
        self._seen_since: float | None = None
        self._last_seen: float | None = None
        self._last_drift_t = -math.inf
        self._last_check_t = -math.inf
        self._last_reanchor_t = -math.inf
        self._first_t: float | None = None
        self._final_done = False
        self._result: NeutralResult | None = None
        self._origin: npt.NDArray[np.float64] | None = None
        self._origin_left: float | None = None
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
        self._first_t = None
        self._final_done = False
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
        if self.version == 0 or self._first_t is None:
            self._origin = self._first_pose(result)
            self._origin_left = self._last_at(self._origin)
        else:
            self._origin_left = None  # the first neutral is gone: origin_return_ratio is moot
        self._result = result
        self.version += 1
        self._samples.clear()
        if self._first_t is None:
            self._first_t = result.t

    def _first_pose(self, result: NeutralResult) -> npt.NDArray[np.float64] | None:
        """The pose the head was first seen at (pitch, yaw, roll), if it was further than
        ``drift_max_deg`` from the first neutral: the head moved from there to it."""
        if result.source == "preset" or not self._recent:
            return None
        first = np.array(self._recent[0][2])
        a = angles_from_rotation(result.rotation)
        if np.max(np.abs(first - (a.pitch, a.yaw, a.roll))) <= self.params.drift_max_deg:
            return None
        return first

    def _last_at(self, pose: npt.NDArray[np.float64] | None) -> float | None:
        """Time of the last frame seen within ``mode_radius_deg`` of ``pose`` (None if none)."""
        if pose is None:
            return None
        for ts, _, a in reversed(self._recent):
            if np.max(np.abs(np.array(a) - pose)) <= self.params.mode_radius_deg:
                return ts
        return None

    def _back_at_origin(
        self,
        ts: npt.NDArray[np.float64],
        angles: npt.NDArray[np.float64],
        current: npt.NDArray[np.float64],
    ) -> npt.NDArray[np.float64] | None:
        """Where the head dwells at the origin (the median of its frames there), if it came
        back to it within ``excursion_max_s`` of leaving it for the first neutral (see
        ``origin_return_ratio``) and that pose lies further than ``drift_max_deg`` from the
        neutral (a first gesture is at least that large: a signer's head moving 5 to 8 degrees
        at rest is not one, and moving the neutral that far reads as a swing); else None."""
        p = self.params
        if self._origin is None or self._origin_left is None:
            return None
        at = np.max(np.abs(angles - self._origin), axis=1) <= p.mode_radius_deg
        back = ts[at & (ts > self._origin_left)]
        if len(back) == 0 or back[0] - self._origin_left > p.excursion_max_s:
            return None
        home = np.asarray(np.median(angles[at], axis=0), dtype=np.float64)
        if np.max(np.abs(home - current)) <= p.drift_max_deg:
            return None
        return home

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
        a = angles_from_rotation(rotation)
        self._recent.append((t, rotation, (a.pitch, a.yaw, a.roll)))
        horizon = max(p.running_window_s, p.drift_window_s, p.reanchor_s)
        while self._recent and t - self._recent[0][0] > horizon:
            self._recent.popleft()
        if self._result is not None and self._switch(t):
            return True
        if self._result is not None and self._reanchor(t):
            return True
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

    def _frames(
        self, t: float, seconds: float
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Rotations (N, 3, 3) and absolute angles (N, 3) of the last ``seconds``."""
        chosen = [(r, a) for ts, r, a in self._recent if t - ts <= seconds]
        if not chosen:
            return np.empty((0, 3, 3)), np.empty((0, 3))
        return np.stack([r for r, _ in chosen]), np.array([a for _, a in chosen])

    def _times(self, t: float, seconds: float) -> npt.NDArray[np.float64]:
        """Times of the frames of :meth:`_frames`, in the same order."""
        return np.array([ts for ts, _, _ in self._recent if t - ts <= seconds])

    def _centre(self, rotations: npt.NDArray[np.float64]) -> Matrix:
        """The median pose of ``rotations`` (which lie close together)."""
        centre = mean_rotation(rotations)
        median = np.median(_relative_stack(centre, rotations), axis=0)
        return nearest_rotation(centre @ rotation_from_angles(*median))

    def _running(self, t: float, seconds: float) -> bool:
        """The pose the head dwelt at most over the last ``seconds``, for a head that never held
        still (a mode: sway stays around it, held gestures and nods lie outside it)."""
        p = self.params
        rotations, angles = self._frames(t, seconds)
        if len(rotations) < p.min_frames:
            return False
        current = self._result
        if current is not None:
            # A refinement: around the current neutral while the head dwells there (a held
            # gesture in progress must not pull it away); poses elsewhere are _switch's job.
            a = angles_from_rotation(current.rotation)
            members = np.max(np.abs(angles - (a.pitch, a.yaw, a.roll)), axis=1) <= (
                p.mode_radius_deg
            )
            if members.sum() < p.min_frames:
                return False
        else:
            _, near = dwelling_poses(angles, p.mode_radius_deg)
            members = near[int(np.argmax(near.sum(axis=1)))]
        neutral = self._centre(rotations[members])
        rel = _relative_stack(neutral, rotations)
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
        result = NeutralResult(
            rotation=neutral, noise=noise, t=t, frames=len(rotations), source="running"
        )
        if current is None:
            self._fix(result)
            self._log("running median (no steady window came)", t, len(rotations))
        else:
            self._result = result  # a refinement: same version, noise users need not change
        return True

    def _frontal_gain(
        self, current: npt.NDArray[np.float64], rival: npt.NDArray[np.float64]
    ) -> float:
        """What the frontal prior multiplies a rival's dwell by (see ``frontal_cap``): 1 unless
        the rival is at least ``frontal_margin_deg`` more frontal than the neutral."""
        p = self.params
        frontal = abs(current[1]) + abs(current[2]) - abs(rival[1]) - abs(rival[2])
        if frontal < p.frontal_margin_deg:
            return 1.0
        return min(p.frontal_cap, math.exp(frontal / p.frontal_scale_deg))

    def _switch(self, t: float) -> bool:
        """During ``verify_s`` after the first neutral: move to a better dwelling pose."""
        p = self.params
        result = self._result
        if result is None or result.source == "preset" or self._first_t is None:
            return False
        final = t - self._first_t > p.verify_s
        if (final and self._final_done) or t - self._last_check_t < p.check_every_s:
            return False
        self._last_check_t = t
        self._final_done = final
        rotations, angles = self._frames(t, p.drift_window_s)
        if len(angles) < p.min_frames:
            return False
        a = angles_from_rotation(result.rotation)
        current = np.array((a.pitch, a.yaw, a.roll))
        here = np.max(np.abs(angles - current), axis=1) <= p.mode_radius_deg
        cands, near = dwelling_poses(angles, p.mode_radius_deg)
        # Only poses further than drift follows: closer ones are a posture, not a gesture.
        away = np.max(np.abs(cands - current), axis=1) > p.drift_max_deg
        if not away.any():
            return False
        # The frontal prior helps no pose the head already came back from to the neutral
        # within excursion_max_s: that was a gesture made from the neutral, not the rest.
        ts = self._times(t, p.drift_window_s)
        returned = _returned_excursions(ts, here, p.excursion_max_s)
        # Nor a pose the head went to from the neutral less than excursion_max_s ago and is
        # still at: a held gesture toward the camera (from a rest turned from it) and a camera
        # that came on during a turn away (the head now back at its frontal rest) differ only
        # in whether the head comes back, so the prior waits to see.
        under_way = _excursion_under_way(ts, here, p.excursion_max_s)
        if self._origin is not None:
            # The head came from there to the first neutral: the rest it returns to.
            under_way &= np.max(np.abs(angles - self._origin), axis=1) > p.mode_radius_deg
        gain = np.array(
            [
                1.0
                if (n & returned).any()
                else min(p.switch_ratio / p.under_way_ratio, self._frontal_gain(current, c))
                if (n & under_way).any()
                else self._frontal_gain(current, c)
                for c, n in zip(cands, near, strict=True)
            ]
        )
        dwell = near.sum(axis=1).astype(float)
        ratio = np.where(gain > 1.0, p.switch_ratio, p.dominance_ratio)
        # The head came back to where it was first seen: the first neutral was a gesture.
        home = self._back_at_origin(ts, angles, current)
        if home is not None:
            at_home = np.max(np.abs(cands - home), axis=1) <= p.mode_radius_deg
            ratio = np.where(at_home, np.minimum(ratio, p.origin_return_ratio), ratio)
        if final:
            ratio = np.minimum(ratio, p.final_ratio)
        # How many times the neutral's dwell each rival's dwell is, against what it needs.
        scores = dwell * gain / ratio
        scores[~away] = -1.0
        best = int(np.argmax(scores))
        mine = float(here.sum())
        # The rival must have been dwelt at for a steady window's time at least: a glance
        # toward the screen while signing with the head turned is not the rest.
        frame_s = (t - self._recent[0][0]) / max(1, len(self._recent) - 1)
        dwell_s = float(near[best].sum()) * frame_s
        if scores[best] <= mine or near[best].sum() < p.min_frames:
            return False
        if dwell_s < p.duration_s:
            return False
        if (
            gain[best] > 1.0
            and (near[best] & under_way).any()
            and dwell_s < p.under_way_turn_min_s
            and _mostly_yaw(cands[best] - current)
        ):
            return False  # a turn toward the camera under way: it may yet come back
        members = near[best]
        rotation = self._centre(rotations[members])
        self._fix(
            replace(result, rotation=rotation, t=t, frames=int(members.sum()), source="running")
        )
        self._log(
            "pose the head dwells at (the first estimate was a gesture)", t, int(members.sum())
        )
        return True

    def _reanchor(self, t: float) -> bool:
        """Move the neutral at once to a pose the head has dwelt at, still, for
        ``reanchor_s`` (see there); True when it did."""
        p = self.params
        result = self._result
        if result is None or self._first_t is None or self._seen_since is None:
            return False
        if result.source != "preset" and t - self._first_t <= p.verify_s:
            return False  # the first-pose check's time (_switch)
        if t - self._last_reanchor_t < p.check_every_s:
            return False
        self._last_reanchor_t = t
        # The face seen all along (a lost face starts the clock again).
        if t - self._seen_since < p.reanchor_s:
            return False
        rotations, angles = self._frames(t, p.reanchor_s)
        if len(angles) < p.min_frames:
            return False
        ts = self._times(t, p.reanchor_s)
        pose = np.median(angles, axis=0)
        near = np.max(np.abs(angles - pose), axis=1) <= p.mode_radius_deg
        if near.mean() < p.reanchor_share or not near[ts >= t - p.reanchor_still_s].all():
            return False
        half = ts < t - p.reanchor_s / 2
        if half.all() or not half.any():
            return False
        trend = np.median(angles[~half], axis=0) - np.median(angles[half], axis=0)
        if float(np.max(np.abs(trend))) > p.reanchor_trend_deg:
            return False  # still on its way
        offset = self.offset_deg(np.median(angles[near], axis=0))
        if offset is None or offset <= p.reanchor_min_deg or offset > p.reanchor_max_deg:
            return False
        self._fix(
            replace(result, rotation=self._centre(rotations[near]), t=t, frames=int(near.sum()))
        )
        self._log(
            f"pose held still for {p.reanchor_s:.0f} s, {offset:.1f} deg away", t, int(near.sum())
        )
        return True

    def _drift(self, t: float) -> None:
        """Follow slow posture changes (see :class:`NeutralParams`)."""
        p = self.params
        result = self._result
        if result is None or t - self._last_drift_t < p.drift_every_s or not self._recent:
            return
        dt = min(t - self._last_drift_t, 5.0 * p.drift_every_s)
        self._last_drift_t = t
        if t - self._recent[0][0] < 0.8 * p.drift_window_s:
            return
        rotations, angles = self._frames(t, p.drift_window_s)
        a = angles_from_rotation(result.rotation)
        here = np.max(np.abs(angles - (a.pitch, a.yaw, a.roll)), axis=1) <= p.mode_radius_deg
        if here.sum() >= p.drift_share * len(angles):
            rotations = rotations[here]  # an excursion in progress does not count
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

    def offset_deg(self, angles: npt.ArrayLike) -> float | None:
        """How far a head pose (absolute pitch, yaw, roll in degrees, as
        :func:`angles_from_rotation` gives them) is from the rest: the largest absolute
        difference of its Euler angles from the neutral's; None while still learning.

        The one measure of "away from the rest": re-anchoring takes a still pose within
        ``reanchor_max_deg`` of it as the new rest (``_reanchor``) and
        :class:`~beckon.vision.away.AwayFromRest` says a rest past it. With two measures (this
        and the relative rotation's angles) a rest pitched 25 degrees and turned 12.5-13 was
        neither re-anchored nor told (rev45a, 11.3-11.8 relative)."""
        if self._result is None:
            return None
        a = angles_from_rotation(self._result.rotation)
        return float(
            np.max(np.abs(np.asarray(angles, dtype=np.float64) - (a.pitch, a.yaw, a.roll)))
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
