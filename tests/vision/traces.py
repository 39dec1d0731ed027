"""Synthetic observation traces for detector tests: angles and blendshapes as functions of time.

No MediaPipe: each frame is a FaceObservation whose relative angles and blendshape scores are
written by hand (plus noise), so the tests say exactly what the patient did.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from beckon.lab.talkprobe import REST_BLENDSHAPES
from beckon.vision.engine import GestureEngine
from beckon.vision.face import FaceObservation, observation
from beckon.vision.gestures import GestureEvent, PoseSample
from beckon.vision.pose import NeutralPose, rotation_from_angles

FPS = 30.0
Wave = Callable[[float], float]


def zero(_: float) -> float:
    return 0.0


def held(start: float, hold: float, value: float, ramp: float = 0.3) -> Wave:
    """Move to ``value`` in ``ramp`` s, hold ``hold`` s, come back in ``ramp`` s."""

    def f(t: float) -> float:
        if t < start or t > start + hold + 2 * ramp:
            return 0.0
        if t < start + ramp:
            return value * 0.5 * (1 - math.cos(math.pi * (t - start) / ramp))
        if t < start + ramp + hold:
            return value
        return value * 0.5 * (1 + math.cos(math.pi * (t - start - ramp - hold) / ramp))

    return f


def nodding(start: float, cycles: float, swing: float, hz: float) -> Wave:
    """Down by ``swing`` and back, ``cycles`` times (one-sided, like a nod)."""
    end = start + cycles / hz

    def f(t: float) -> float:
        if start <= t <= end:
            return 0.5 * swing * (1 - math.cos(2 * math.pi * hz * (t - start)))
        return 0.0

    return f


def sine(start: float, seconds: float, swing: float, hz: float) -> Wave:
    """A centred oscillation of ``swing`` peak to peak."""

    def f(t: float) -> float:
        if start <= t <= start + seconds:
            return 0.5 * swing * math.sin(2 * math.pi * hz * (t - start))
        return 0.0

    return f


def add(*waves: Wave) -> Wave:
    return lambda t: sum(w(t) for w in waves)


def glide(*points: tuple[float, float]) -> Wave:
    """Through each ``(t, value)`` in turn, easing in and out (half a cosine) between them;
    the first value before the first point and the last after the last."""

    def f(t: float) -> float:
        if t <= points[0][0]:
            return points[0][1]
        for (t0, v0), (t1, v1) in itertools.pairwise(points):
            if t <= t1:
                return v0 + (v1 - v0) * 0.5 * (1 - math.cos(math.pi * (t - t0) / (t1 - t0)))
        return points[-1][1]

    return f


def tremor(start: float, seconds: float, pp: float, hz: float, rng: np.random.Generator) -> Wave:
    """A tremor as patients have it: ``pp`` degrees peak to peak at about ``hz`` (its phase,
    size (+-15 %, slowly) and frequency (a few percent) wander), faded in and out over 0.3 s."""
    n = 400
    ts = np.linspace(0.0, seconds, n)
    f = np.clip(hz * (1 + 0.05 * np.cumsum(rng.normal(0, 1, n)) / math.sqrt(n)), 4.0, 7.0)
    phase = rng.uniform(0, 2 * math.pi) + 2 * math.pi * np.cumsum(f) * (seconds / n)
    size = 1 + 0.15 * np.sin(2 * math.pi * rng.uniform(0.2, 0.6) * ts + rng.uniform(0, 6.3))
    fade = np.clip(np.minimum(ts, seconds - ts) / 0.3, 0.0, 1.0)
    values = 0.5 * pp * size * fade * np.sin(phase)

    def wave(t: float) -> float:
        return float(np.interp(t - start, ts, values)) if start <= t <= start + seconds else 0.0

    return wave


def samples(
    seconds: float,
    fps: float,
    rng: np.random.Generator,
    pitch: Wave = zero,
    yaw: Wave = zero,
    noise: float = 0.2,
) -> list[PoseSample]:
    """The pose samples a detector reads, ``fps`` a second (no MediaPipe, no engine): each
    angle's wave plus Gaussian jitter, ``noise`` degrees of pitch and half that of yaw (pitch
    is MediaPipe's noisiest axis)."""
    out = []
    for i in range(round(seconds * fps)):
        t = i / fps
        p = pitch(t) + rng.normal(0, noise)
        y = yaw(t) + rng.normal(0, noise * 0.5)
        out.append(PoseSample(t=t, found=True, pitch=p, yaw=y))
    return out


@dataclass
class Patient:
    """What to draw: one wave per angle and per expression channel (added to the rest)."""

    pitch: Wave = zero
    yaw: Wave = zero
    roll: Wave = zero
    blink: Wave = zero
    jaw: Wave = zero
    brow: Wave = zero
    found: Callable[[float], bool] = field(default=lambda t: True)
    noise_deg: float = 0.2
    noise_score: float = 0.01
    quality: float = 1.0

    def trace(self, seconds: float, seed: int = 0, fps: float = FPS) -> list[FaceObservation]:
        rng = np.random.default_rng(seed)
        out = []
        for i in range(round(seconds * fps)):
            t = i / fps
            if not self.found(t):
                out.append(FaceObservation(t=t, found=False))
                continue
            p, y, r = (
                w(t) + rng.normal(0, self.noise_deg) for w in (self.pitch, self.yaw, self.roll)
            )
            b, j, w = self.blink(t), self.jaw(t), self.brow(t)
            rises = {
                "eyeBlinkLeft": b,
                "eyeBlinkRight": b,
                "jawOpen": j,
                "browInnerUp": w,
                "browOuterUpLeft": w,
                "browOuterUpRight": w,
            }
            # min/max rather than np.clip: the same values (every trace identical), far cheaper
            # (np.clip on one float was 6 % of a held-gesture test's CPU time).
            shapes = {
                name: min(
                    max(rest + rises[name] + float(rng.normal(0, self.noise_score)), 0.0), 1.0
                )
                for name, rest in REST_BLENDSHAPES.items()
            }
            out.append(
                FaceObservation(
                    t=t,
                    found=True,
                    pitch=p,
                    yaw=y,
                    roll=r,
                    blendshapes=shapes,
                    quality=self.quality,
                    rotation=rotation_from_angles(p, y, r),
                )
            )
        return out


CHANNELS = ("pitch", "yaw", "roll", "blink", "jaw", "brow")


def moving(channel: str, wave: Wave, noise_score: float = Patient.noise_score) -> Patient:
    """A patient moving the one channel a parametrized test names at run time: the typed form
    of ``Patient(**{channel: wave})``, which mypy cannot check against the fields."""
    if channel not in CHANNELS:
        raise ValueError(f"{channel!r} is not a channel; expected one of {CHANNELS}")
    patient = Patient(noise_score=noise_score)
    setattr(patient, channel, wave)
    return patient


def reported(patient: Patient, seconds: float, fps: float) -> list[tuple[float, GestureEvent]]:
    """(frame time it was reported on, event) of every event of a fresh engine, the neutral
    learned online; a frame ``patient.found`` says False has no face (``observation`` with no
    rotation, as the tracker gives it)."""
    neutral = NeutralPose()
    engine = GestureEngine()
    out: list[tuple[float, GestureEvent]] = []
    for o in patient.trace(seconds, seed=5, fps=fps):
        rotation = o.rotation if o.found else None
        obs = observation(neutral, o.t, rotation, o.quality, o.blendshapes)
        out += [(o.t, e) for e in engine.update(obs)]
    return out


HELD_TURN_PAST_REST = ((14.0, 0.0), (14.8, 14.0), (15.4, 14.0), (15.8, -7.0))
"""Yaw points of a held turn (out 14 degrees from 14.8 to 15.4 s) whose return swings past
rest the other way: the start of the missed-face, posture-shift and late-step traces."""
TURN_THEN_VISITOR = (*HELD_TURN_PAST_REST, (16.8, -7.0), (17.4, 15.0), (17.8, 15.0), (18.2, 0.0))
"""The held turn, past rest 1 s (maybe a posture shift undone), then out its own way 15
degrees (a visitor on that side) and back to rest by 18.2 s."""
