"""Per-patient calibration: rest, then each gesture a few times, to thresholds in a profile.

UI-free: a calibration screen (or a recorded calibration video) supplies the observations and
the *takes* (which gesture was asked for, from when to when); this module measures

* the neutral head pose and its resting jitter, from the rest before the first take;
* the resting score of each expression channel (blink, jaw, brow) and its jitter;
* for every gesture asked for, how far the patient actually moves: the swing (nod, shake),
  the excursion on the gesture's axis (turns, tilts, looks), or the rise above rest
  (expressions), as the median over the takes;

and sets each threshold to ``share`` (half) of that, never below a multiple of the measured
noise. A gesture the patient could not do (no clear movement in any take) is switched off and
reported, so that it can neither fire by accident nor be chosen for an action.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from beckon.errors import BeckonError
from beckon.profile import (
    FACE_HELD,
    GESTURES,
    HEAD_HELD,
    Calibration,
    GestureProfile,
    default_setting,
)
from beckon.vision.channels import CHANNEL_NAMES, channels
from beckon.vision.pose import (
    Angles,
    NeutralParams,
    NeutralPose,
    angles_from_rotation,
    relative_angles,
)

logger = logging.getLogger(__name__)


class CalibrationError(BeckonError):
    """Calibration could not measure something it needs (no steady rest, no face)."""


@dataclass(frozen=True, slots=True)
class Take:
    """The patient was asked for ``gesture`` between ``start`` and ``end`` (seconds)."""

    gesture: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class CalibrationParams:
    share: float = 0.5
    """Threshold = this share of the patient's median movement."""
    k_noise_deg: float = 6.0
    """...but at least this many times the resting jitter of the axis..."""
    min_deg: float = 1.2
    """...and at least this many degrees (landmark noise on real faces)."""
    k_noise_score: float = 6.0
    min_score: float = 0.03
    can_do_ratio: float = 1.6
    """A movement below this many times the lowest allowed threshold counts as 'cannot do'."""


@dataclass
class CalibrationResult:
    """The calibrated profile and what was measured, for the calibration screen and logs."""

    profile: GestureProfile
    measured: dict[str, float] = field(default_factory=dict)
    """Median movement per gesture (degrees or score above rest)."""
    disabled: list[str] = field(default_factory=list)
    """Gestures asked for but not seen: switched off."""

    def summary(self) -> dict[str, Any]:
        return {
            "neutral_noise_deg": list(self.profile.calibration.noise),
            "rest": self.profile.calibration.rest,
            "measured": {k: round(v, 3) for k, v in self.measured.items()},
            "thresholds": {g: round(self.profile.setting(g).threshold, 3) for g in self.measured},
            "disabled": self.disabled,
        }


def _robust_std(values: np.ndarray) -> float:
    med = float(np.median(values))
    return 1.4826 * float(np.median(np.abs(values - med)))


def calibrate(
    observations: Iterable[Any],
    takes: Sequence[Take],
    base: GestureProfile | None = None,
    params: CalibrationParams | None = None,
) -> CalibrationResult:
    """Calibrate from observations with absolute ``rotation`` (FaceObservation or cached).

    Each observation needs ``t``, ``found``, ``quality``, ``rotation`` (3x3, absolute) and
    ``blendshapes``. The rest window is everything before the first take.
    """
    p = params or CalibrationParams()
    profile = base or GestureProfile()
    obs = [o for o in observations if o.found and o.rotation is not None and o.quality >= 0.35]
    if not takes:
        raise CalibrationError("calibration needs at least one take", "ask for each gesture")
    first = min(tk.start for tk in takes)
    rest = [o for o in obs if o.t < first]
    # Calibration is a guided moment: it insists on a steady rest (no running median).
    neutral = NeutralPose(
        NeutralParams(duration_s=min(1.0, max(0.5, first * 0.5)), running_after_s=math.inf)
    )
    for o in rest:
        neutral.update(o.t, o.rotation, o.quality)
    if neutral.result is None:
        raise CalibrationError(
            f"no steady face in the first {first:.1f} s of calibration",
            "ask the patient to rest their head and look at the tablet, then start again",
        )
    nr = neutral.result
    rest_chans = np.array([[channels(o.blendshapes)[c] for c in CHANNEL_NAMES] for o in rest])
    rest_level = {c: float(np.median(rest_chans[:, i])) for i, c in enumerate(CHANNEL_NAMES)}
    rest_noise = {c: _robust_std(rest_chans[:, i]) for i, c in enumerate(CHANNEL_NAMES)}
    noise = {"pitch": nr.noise.pitch, "yaw": nr.noise.yaw, "roll": nr.noise.roll}

    def rel(o: Any) -> Angles:
        return relative_angles(nr.rotation, o.rotation)

    measured: dict[str, float] = {}
    disabled: list[str] = []
    by_gesture: dict[str, list[Take]] = {}
    for tk in takes:
        by_gesture.setdefault(tk.gesture, []).append(tk)
    for gesture, gtakes in by_gesture.items():
        peaks = []
        for tk in gtakes:
            window = [o for o in obs if tk.start <= o.t <= tk.end + 0.5]
            if len(window) < 3:
                continue
            peaks.append(_movement(gesture, window, rel, rest_level))
        if not peaks:
            disabled.append(gesture)
            continue
        size = float(np.median(peaks))
        measured[gesture] = size
        if gesture in FACE_HELD:
            floor = max(p.min_score, p.k_noise_score * rest_noise[FACE_HELD[gesture]])
        else:
            axis = {"nod": "pitch", "shake": "yaw"}.get(gesture) or HEAD_HELD[gesture][0]
            floor = max(p.min_deg, p.k_noise_deg * noise[axis])
        if size < p.can_do_ratio * floor:
            logger.warning(
                "calibration: %s not seen (moved %.2f, floor %.2f)", gesture, size, floor
            )
            disabled.append(gesture)
            profile = profile.with_gesture(gesture, enabled=False)
            continue
        threshold = max(floor, p.share * size)
        profile = profile.with_gesture(gesture, enabled=True, threshold=threshold)
    calibration = Calibration(
        neutral_rotation=tuple(float(v) for v in nr.rotation.reshape(-1)),
        noise=(nr.noise.pitch, nr.noise.yaw, nr.noise.roll),
        rest=rest_level,
    )
    profile = replace(profile, calibration=calibration)
    neutral_angles = angles_from_rotation(nr.rotation)
    logger.info(
        "calibrated: neutral pitch %.1f yaw %.1f roll %.1f; %s; disabled %s",
        neutral_angles.pitch,
        neutral_angles.yaw,
        neutral_angles.roll,
        {g: round(profile.setting(g).threshold, 3) for g in measured},
        disabled,
    )
    return CalibrationResult(profile, measured, disabled)


def _movement(gesture: str, window: list[Any], rel: Any, rest: dict[str, float]) -> float:
    """How far the patient moved for one take, in the units of the gesture's threshold."""
    if gesture in FACE_HELD:
        channel = FACE_HELD[gesture]
        values = np.array([channels(o.blendshapes)[channel] - rest[channel] for o in window])
        return float(np.percentile(values, 90))
    angles = [rel(o) for o in window]
    if gesture in ("nod", "shake"):
        axis = "pitch" if gesture == "nod" else "yaw"
        values = np.array([getattr(a, axis) for a in angles])
        return float(np.percentile(values, 95) - np.percentile(values, 5))
    axis, sign = HEAD_HELD[gesture]
    values = np.array([sign * getattr(a, axis) for a in angles])
    return float(np.percentile(values, 90))


def calibrate_video(
    video: Path,
    model_path: Path,
    out: Path,
    takes_file: Path | None = None,
    base_file: Path | None = None,
    name: str = "",
) -> CalibrationResult:
    """Calibrate from a recorded video and write the profile (``beckon calibrate``)."""
    from beckon.profile import load_profile, save_profile
    from beckon.vision.face import FaceTracker
    from beckon.vision.frames import VideoFileSource

    if takes_file is not None:
        try:
            raw = json.loads(Path(takes_file).read_text(encoding="utf-8"))
            takes = [Take(str(x["gesture"]), float(x["start"]), float(x["end"])) for x in raw]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CalibrationError(
                f"{takes_file}: cannot read the takes ({exc})",
                'expected [{"gesture": "nod", "start": 3.0, "end": 6.2}, ...]',
            ) from None
    else:
        takes = calibration_plan()
    base = load_profile(base_file) if base_file is not None else GestureProfile()
    if name:
        base = replace(base, name=name)
    with VideoFileSource(video) as source, FaceTracker(model_path) as tracker:
        observations = [tracker.observe(frame) for frame in source]
    result = calibrate(observations, takes, base)
    save_profile(result.profile, out)
    return result


CALIBRATION_REST_S = 3.0
"""Rest before the first take: the neutral pose and resting scores come from it."""
CALIBRATION_SLOT_S = 3.2
"""How long each take lasts: the prompt, the movement and the way back to rest."""
CALIBRATION_REPEATS = 2
"""Each gesture is asked for twice; thresholds use the median of the takes."""


def calibration_plan(gestures: Iterable[str] = GESTURES) -> list[Take]:
    """The standard calibration timeline: rest, then each gesture twice in fixed slots.

    Defined once here: the calibration screen prompts the patient on this timeline, and a
    calibration video recorded with it can be calibrated with no other information
    (``beckon calibrate VIDEO``); the benchmark's calibration clips follow it too.
    """
    out: list[Take] = []
    t = CALIBRATION_REST_S
    for g in gestures:
        for _ in range(CALIBRATION_REPEATS):
            out.append(Take(g, t, t + CALIBRATION_SLOT_S))
            t += CALIBRATION_SLOT_S
    return out


def default_takes(plan: Iterable[Any]) -> list[Take]:
    """Takes from any objects with ``gesture``, ``start`` and ``end`` (a plan, labels)."""
    return [Take(x.gesture, float(x.start), float(x.end)) for x in plan]


__all__ = [
    "CalibrationError",
    "CalibrationParams",
    "CalibrationResult",
    "Take",
    "calibrate",
    "calibration_plan",
    "default_setting",
    "default_takes",
]
