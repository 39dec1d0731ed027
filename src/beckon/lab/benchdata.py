"""Labelled synthetic gesture footage: the recipe, rendering, and a cache of observations.

Why synthetic: there is no public video of bedside patients making these gestures, and a
benchmark must be regenerated anywhere from the repo alone. Real face photos that packages
ship (:mod:`beckon.lab.faces`) are re-rendered at scripted head poses and expressions
(:mod:`beckon.lab.synthetic`), so MediaPipe runs on real-looking pixels and the ground truth
is exact.

The recipe has *patients*: a face at a movement scale ("normal", or "small" for patients who
nod 3 to 5 degrees). Each patient gets a calibration clip (rest, then each gesture twice), one
clip of positives per gesture (several amplitudes and speeds, normal blinks and tremor mixed
in), and blocks of hard negatives (looking around, glancing down, talking, coughing, yawning,
drifting, camera noise, low light, occlusion, leaving the frame). Faces listed in
``SCORE_ONLY_FACES`` never appear in training.

Rendering plus MediaPipe costs ~20 ms a frame, so the per-frame observations of every clip
are cached (``.npz``, keyed by a hash of the clip's recipe, renderer version and model), and
the detectors and the sequence model then run on the cache in seconds.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from beckon import paths
from beckon.lab import synthetic
from beckon.lab.synthetic import HeadPose, Segment
from beckon.vision import calibration
from beckon.vision.calibration import CALIBRATION_REST_S

logger = logging.getLogger(__name__)

RENDER_VERSION = 4
"""Bump when the renderer or the recipe code changes what a clip looks like."""

FPS = 10.0
"""Benchmark footage frame rate: a third of a webcam's, which cuts the rendering time (on two
shared cores, ~70 minutes of footage at 30 fps would take hours); the detectors work in
seconds, not frames, and the speed figures are measured separately at 30 fps."""

TRAIN_FACES = ("astronaut", "astronaut_mirror")
HELD_OUT_FACES = ("luispedro",)
"""Faces held out since session 4: scored only, and only as aggregate figures with the final
code of a round; nobody reads their per-clip results or traces, so they stay a clean measure of
faces the detectors were never tuned on."""
STUDIED_FACES = ("hopper", "obama", "obama_mirror", "lacamoire_mirror", "lps2_mirror", "lps11")
"""Faces that were held out, then studied clip by clip (hopper from session 4, once
``luispedro`` took its place), or added to be studied (``obama`` from session 8: a photo of a
head itself turned from the camera, see :mod:`beckon.lab.faces`; ``obama_mirror`` from the
second round of session 8: the same photo mirrored, turned to the patient's right as the
held-out face is, in :func:`beckon.lab.widerecipe.turned_photo_clips` only): still never in
training or the tune part, but scored apart from the held-out faces because their misses
have shaped the rules. Session 10 added three more people (:data:`NEW_STUDIED_FACES`).
Append only."""
NEW_STUDIED_FACES = ("lacamoire_mirror", "lps2_mirror", "lps11")
"""Studied faces added in session 10 (see :mod:`beckon.lab.faces`; rendered only in
:func:`beckon.lab.widerecipe.turned_photo_clips`): reported in a table of their own, so the
first studied faces' table stays comparable with earlier sessions'."""
SCORE_ONLY_FACES = (*STUDIED_FACES, *HELD_OUT_FACES)
"""Faces that never train the model nor appear in the tune part."""
CLASSIC_FACES = ("hopper", "astronaut")
"""The first recipe's faces (fixed: a patient's index is part of its clips' seeds)."""
SCALES = {"normal": 1.0, "small": 0.4}

BLENDSHAPES_KEPT = (
    "eyeBlinkLeft",
    "eyeBlinkRight",
    "eyeSquintLeft",
    "eyeSquintRight",
    "jawOpen",
    "mouthClose",
    "browInnerUp",
    "browOuterUpLeft",
    "browOuterUpRight",
    "browDownLeft",
    "browDownRight",
)


@dataclass(frozen=True)
class Effects:
    """What happens to a clip's pixels after rendering."""

    noise_sigma: float = 2.0
    flicker: float = 0.0
    brightness: float = 1.0
    occluder: tuple[float, float, float, float] | None = None
    """A fixed rectangle over part of the face, in face-box units (x0, y0, x1, y1)."""


@dataclass(frozen=True)
class Label:
    """One gesture performed in a clip, from its start to its end (seconds)."""

    gesture: str
    start: float
    end: float


@dataclass(frozen=True)
class ClipSpec:
    """One clip of the recipe: who, what (script + labels), how it looks, and its role."""

    name: str
    face: str
    patient: str
    kind: str  # "calibration", "positive" or "negative"
    segments: tuple[Segment, ...]
    labels: tuple[Label, ...]
    effects: Effects = field(default_factory=Effects)
    seed: int = 0
    fps: float = FPS
    activities: tuple[Label, ...] = ()
    """Negatives: what the patient was doing when (for reading false events; not labels)."""
    face_px: float = 0.0
    """Face width to render at (the whole picture is zoomed out around the face; a tablet
    further away); 0 keeps the photo's own size."""
    conditions: tuple[tuple[str, str], ...] = ()
    """Condition buckets for the per-condition report, e.g. (("face", "70-90px"), ...)."""
    rest: tuple[float, float, float] | None = None
    """The patient's resting orientation (pitch, yaw, roll degrees) relative to the photo's,
    for a head that rests turned from the camera; the script moves from it. None: the photo's
    own orientation (every clip made before this field existed)."""

    @property
    def duration(self) -> float:
        return synthetic.script_duration(self.segments)

    def key(self, model_sha: str = "") -> str:
        """Hash of everything that decides the observations (not the name or labels)."""
        parts: tuple[Any, ...] = (
            RENDER_VERSION,
            self.face,
            self.segments,
            self.effects,
            self.seed,
            self.fps,
        )
        if self.face_px:
            parts = (*parts, ("face_px", self.face_px))
        if self.rest is not None:  # appended only when set: older clips keep their keys
            parts = (*parts, ("rest", self.rest))
        return hashlib.sha256((repr(parts) + model_sha).encode()).hexdigest()[:20]


# ---------------------------------------------------------------- script building


class Script:
    """Appends segments and records labels at their times."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.segments: list[Segment] = []
        self.labels: list[Label] = []
        self.pose = HeadPose()

    @property
    def t(self) -> float:
        return synthetic.script_duration(self.segments)

    def add(self, *segments: Segment, label: str | None = None) -> None:
        start = self.t
        for seg in segments:
            self.segments.append(seg)
        if label:
            self.labels.append(Label(label, start, self.t))

    def rest(self, seconds: float, blinks: bool = True, tremor: float = 0.0) -> None:
        """Hold still for ``seconds``, with a normal blink every few seconds."""
        left = seconds
        while left > 1e-6:
            chunk = min(left, self.rng.uniform(2.5, 5.0))
            if blinks and chunk >= 1.2:
                b = self.rng.uniform(0.12, 0.35)
                before = self.rng.uniform(0.3, chunk - b - 0.3)
                self._still(before, tremor)
                self.add(blink(b))
                self._still(chunk - before - b, tremor)
            else:
                self._still(chunk, tremor)
            left -= chunk

    def _still(self, seconds: float, tremor: float) -> None:
        if seconds <= 0:
            return
        if tremor:
            self.add(
                synthetic.together(
                    synthetic.still(seconds),
                    synthetic.wobble("pitch", seconds, tremor, self.rng.uniform(4.0, 6.0)),
                    synthetic.wobble("yaw", seconds, tremor * 0.5, self.rng.uniform(4.0, 6.0)),
                )
            )
        else:
            self.add(synthetic.still(seconds))


def blink(seconds: float, closure: float = 1.0) -> Segment:
    """An involuntary blink: both eyes close and open again in ``seconds``."""
    return synthetic.together(
        synthetic.Oscillation(seconds, "eye_left", closure, 1.0 / seconds, one_sided=True),
        synthetic.Oscillation(seconds, "eye_right", closure, 1.0 / seconds, one_sided=True),
    )


def hold(target: HeadPose, ramp: float, seconds: float, back: float | None = None) -> list[Segment]:
    """Move to ``target``, hold, and come back to rest."""
    return [
        synthetic.move_to(target, ramp),
        synthetic.still(seconds),
        synthetic.move_to(HeadPose(), ramp if back is None else back),
    ]


BASE = {
    # Typical amplitude of each gesture for a "normal" patient: degrees, or expression units.
    "nod": 10.0,
    "shake": 16.0,
    "tilt_left": 14.0,
    "tilt_right": 14.0,
    "turn_left": 18.0,
    "turn_right": 18.0,
    "look_up": 12.0,
    "look_down": 14.0,
    "long_blink": 1.0,
    "mouth_open": 0.85,
    "brow_raise": 0.9,
}

_HELD_POSE = {
    "tilt_left": ("roll", -1.0),
    "tilt_right": ("roll", 1.0),
    "turn_left": ("yaw", 1.0),
    "turn_right": ("yaw", -1.0),
    "look_up": ("pitch", -1.0),
    "look_down": ("pitch", 1.0),
}


def gesture_segments(
    gesture: str,
    scale: float,
    rng: random.Random,
    *,
    amp: float = 1.0,
    speed: float = 1.0,
    hold_s: float = 1.2,
) -> list[Segment]:
    """One performance of ``gesture``: ``amp`` and ``speed`` scale the patient's typical one."""
    a = BASE[gesture] * amp
    if gesture in ("nod", "shake"):
        a *= scale
        cycles = rng.choice([2, 2, 3])
        hz = (1.0 if gesture == "nod" else 0.9) * speed
        seg = synthetic.nod(cycles, a, hz) if gesture == "nod" else synthetic.shake(cycles, a, hz)
        return [seg]
    ramp = rng.uniform(0.25, 0.45) / speed
    if gesture in _HELD_POSE:
        channel, sign = _HELD_POSE[gesture]
        target = HeadPose().offset(channel, sign * a * scale)  # type: ignore[arg-type]
        return hold(target, ramp, hold_s)
    face_scale = 1.0 if scale >= 1.0 else 0.85
    value = min(1.0, a * face_scale)
    if gesture == "long_blink":
        target = HeadPose(eye_left=value, eye_right=value)
        return hold(target, min(ramp, 0.15), hold_s)
    if gesture == "mouth_open":
        return hold(HeadPose(jaw=value), ramp, hold_s)
    if gesture == "brow_raise":
        return hold(HeadPose(brow=value), ramp, hold_s)
    raise ValueError(f"unknown gesture {gesture!r}")


# ---------------------------------------------------------------- the recipe

GESTURE_ORDER = tuple(BASE)


def calibration_plan() -> list[Label]:
    """The standard calibration timeline as labels (see :func:`calibration.calibration_plan`)."""
    return [Label(t.gesture, t.start, t.end) for t in calibration.calibration_plan()]


def calibration_clip(face: str, patient: str, scale: float, seed: int) -> ClipSpec:
    """The patient follows :func:`calibration_plan` at their typical size."""
    rng = random.Random(seed)
    s = Script(rng)
    s.rest(CALIBRATION_REST_S, blinks=False)
    for take in calibration_plan():
        segs = gesture_segments(take.gesture, scale, rng, hold_s=1.2)
        if take.gesture in ("nod", "shake"):
            segs = (
                [synthetic.nod(2, BASE["nod"] * scale, 1.0)]
                if take.gesture == "nod"
                else [synthetic.shake(2, BASE["shake"] * scale, 0.9)]
            )
        s.add(synthetic.still(0.2), *segs)
        s.add(synthetic.still(max(0.0, take.end - s.t)))
    return ClipSpec(
        f"{patient}/calibration",
        face,
        patient,
        "calibration",
        tuple(s.segments),
        tuple(calibration_plan()),
        Effects(noise_sigma=2.0),
        seed,
    )


VARIANTS = [
    # (amplitude, speed, hold) relative to the patient's typical gesture
    (1.0, 1.0, 1.2),
    (0.7, 0.8, 1.0),
    (1.3, 1.4, 1.6),
    (0.9, 0.7, 2.2),
]


def positive_clip(face: str, patient: str, scale: float, gesture: str, seed: int) -> ClipSpec:
    """Four performances of one gesture (varied size, speed, hold) between rests."""
    rng = random.Random(seed)
    s = Script(rng)
    s.rest(2.0, blinks=False)
    tremor = rng.choice([0.0, 0.3])
    for amp, speed, hold_s in VARIANTS:
        s.add(
            *gesture_segments(gesture, scale, rng, amp=amp, speed=speed, hold_s=hold_s),
            label=gesture,
        )
        s.rest(rng.uniform(2.6, 3.6), tremor=tremor)
    effects = Effects(noise_sigma=rng.uniform(1.5, 3.5), flicker=rng.choice([0.0, 0.01]))
    return ClipSpec(
        f"{patient}/{gesture}",
        face,
        patient,
        "positive",
        tuple(s.segments),
        tuple(s.labels),
        effects,
        seed,
    )


def _look_around(s: Script, scale: float) -> None:
    r = s.rng
    for _ in range(r.randint(2, 4)):
        target = HeadPose(
            pitch=r.uniform(-8, 10), yaw=r.choice([-1, 1]) * r.uniform(8, 24), roll=r.uniform(-5, 5)
        )
        s.add(synthetic.move_to(target, r.uniform(1.0, 2.2)))
        s.rest(r.uniform(3.2, 6.0))
    s.add(synthetic.move_to(HeadPose(), r.uniform(1.0, 2.0)))


def _glance_down(s: Script, scale: float) -> None:
    r = s.rng
    for _ in range(r.randint(1, 3)):
        pose = HeadPose(pitch=r.uniform(5, 12), eye_left=0.35, eye_right=0.35)
        s.add(*hold(pose, r.uniform(0.15, 0.25), r.uniform(0.05, 0.3)))
        s.rest(r.uniform(1.0, 2.5))


def _talk(s: Script, scale: float) -> None:
    r = s.rng
    seconds = r.uniform(3.0, 8.0)
    s.add(
        synthetic.together(
            synthetic.wobble("jaw", seconds, r.uniform(0.3, 0.6), r.uniform(3.0, 5.0)),
            synthetic.Oscillation(seconds, "jaw", 0.25, r.uniform(0.4, 0.8), one_sided=True),
            synthetic.wobble("brow", seconds, r.uniform(0.2, 0.5), r.uniform(0.8, 2.0)),
            synthetic.wobble("pitch", seconds, r.uniform(0.5, 1.5), r.uniform(1.2, 2.5)),
            synthetic.wobble("yaw", seconds, r.uniform(0.8, 2.0), r.uniform(0.5, 1.3)),
        )
    )
    s.rest(r.uniform(0.8, 2.0))


def _cough(s: Script, scale: float) -> None:
    r = s.rng
    for _ in range(r.randint(2, 4)):
        jerk = HeadPose(
            pitch=r.uniform(5, 10),
            yaw=r.uniform(-3, 3),
            roll=r.uniform(-3, 3),
            jaw=0.5,
            eye_left=0.6,
            eye_right=0.6,
        )
        s.add(
            synthetic.move_to(jerk, r.uniform(0.1, 0.15)),
            synthetic.move_to(HeadPose(), r.uniform(0.2, 0.3)),
        )
        s.rest(r.uniform(0.1, 0.3), blinks=False)
    s.rest(r.uniform(1.0, 2.0))


def _yawn(s: Script, scale: float) -> None:
    r = s.rng
    pose = HeadPose(pitch=-r.uniform(4, 8), jaw=1.0, eye_left=0.4, eye_right=0.4, brow=0.3)
    s.add(*hold(pose, r.uniform(0.8, 1.2), r.uniform(3.2, 4.5), back=r.uniform(0.8, 1.2)))
    s.rest(r.uniform(1.0, 2.0))


def _drift(s: Script, scale: float) -> None:
    r = s.rng
    target = HeadPose(pitch=r.uniform(-6, 8), yaw=r.uniform(-8, 8), roll=r.uniform(-6, 6))
    seconds = r.uniform(8.0, 14.0)
    s.add(synthetic.move_to(target, seconds))
    s.rest(r.uniform(2.0, 4.0))
    s.add(synthetic.move_to(HeadPose(), seconds))


def _leave(s: Script, scale: float) -> None:
    r = s.rng
    side = r.choice([-1, 1])
    s.add(synthetic.move_to(HeadPose(shift_x=side * r.uniform(0.5, 0.7)), r.uniform(0.8, 1.5)))
    s.add(synthetic.still(r.uniform(1.0, 3.0)))
    s.add(synthetic.hidden(r.uniform(0.5, 2.0)))
    s.add(synthetic.move_to(HeadPose(), r.uniform(0.8, 1.5)))
    s.rest(r.uniform(1.0, 2.0))


def _fidget(s: Script, scale: float) -> None:
    """Small, irregular head movements (settling on the pillow), on all axes at once.

    Their size follows the patient's range of motion (half of it at least): a patient who can
    turn the head only 5 degrees does not fidget by 5 degrees either.
    """
    r = s.rng
    k = max(0.5, min(1.0, scale))
    for _ in range(r.randint(2, 4)):
        target = HeadPose(
            pitch=k * r.uniform(-4, 4), yaw=k * r.uniform(-5, 5), roll=k * r.uniform(-4, 4)
        )
        s.add(synthetic.move_to(target, r.uniform(0.4, 1.0)))
        s.rest(r.uniform(0.3, 1.5))
    s.add(synthetic.move_to(HeadPose(), r.uniform(0.5, 1.0)))
    s.rest(r.uniform(1.0, 2.0))


ACTIVITIES: dict[str, Callable[[Script, float], None]] = {
    "look_around": _look_around,
    "glance_down": _glance_down,
    "talk": _talk,
    "cough": _cough,
    "yawn": _yawn,
    "drift": _drift,
    "leave": _leave,
    "fidget": _fidget,
}

NEGATIVE_LOOKS = [
    ("plain", Effects(noise_sigma=2.0)),
    ("noisy", Effects(noise_sigma=6.0, flicker=0.03)),
    ("low_light", Effects(noise_sigma=3.0, brightness=0.35)),
    ("mask", Effects(noise_sigma=2.0, occluder=(0.05, 0.68, 0.95, 1.1))),
    ("side_occluded", Effects(noise_sigma=2.0, occluder=(-0.1, 0.2, 0.3, 0.9))),
    ("plain2", Effects(noise_sigma=3.0)),
    ("noisy2", Effects(noise_sigma=4.5, flicker=0.02)),
    ("low_light2", Effects(noise_sigma=4.0, brightness=0.5)),
]


def negative_clip(
    face: str,
    patient: str,
    scale: float,
    look: str,
    effects: Effects,
    seed: int,
    seconds: float = 52.0,
) -> ClipSpec:
    """About ``seconds`` of everyday movement that must not become a gesture."""
    rng = random.Random(seed)
    s = Script(rng)
    s.rest(2.0, blinks=False)
    names = list(ACTIVITIES)
    activities: list[Label] = []
    while s.t < seconds:
        name = rng.choice(names)
        start = s.t
        ACTIVITIES[name](s, scale)
        activities.append(Label(name, start, s.t))
        s.rest(rng.uniform(0.5, 2.0), tremor=rng.choice([0.0, 0.0, 0.4]))
    return ClipSpec(
        f"{patient}/negative-{look}",
        face,
        patient,
        "negative",
        tuple(s.segments),
        (),
        effects,
        seed,
        activities=tuple(activities),
    )


@dataclass(frozen=True)
class Patient:
    name: str
    face: str
    scale: float
    held_out: bool


def face_group(face: str) -> str:
    """Which report group a face's clips count in: ``held_out``, ``studied`` (score faces
    that have been studied clip by clip), ``new_studied`` (those added in session 10) or
    ``training_faces``. Faces of no list (real
    recordings) count as held out: no face of theirs ever trained anything."""
    if face in TRAIN_FACES:
        return "training_faces"
    if face in NEW_STUDIED_FACES:
        return "new_studied"
    return "studied" if face in STUDIED_FACES else "held_out"


def patients(faces: Sequence[str]) -> list[Patient]:
    return [
        Patient(f"{face}-{label}", face, scale, face in SCORE_ONLY_FACES)
        for face in faces
        for label, scale in SCALES.items()
    ]


def recipe(
    faces: Sequence[str] = CLASSIC_FACES,
    seed: int = 0,
    negatives_per_patient: int = len(NEGATIVE_LOOKS),
) -> list[ClipSpec]:
    """Every clip of the benchmark (``seed=0``) or of a training set (another seed).

    Ordered calibration, positives, negatives, so that a partial cache is still usable.
    """
    cal: list[ClipSpec] = []
    pos: list[ClipSpec] = []
    neg: list[list[ClipSpec]] = []
    for pi, pat in enumerate(patients(faces)):
        base = seed * 100_000 + pi * 1000
        cal.append(calibration_clip(pat.face, pat.name, pat.scale, base))
        for gi, g in enumerate(GESTURE_ORDER):
            pos.append(positive_clip(pat.face, pat.name, pat.scale, g, base + 10 + gi))
        neg.append(
            [
                negative_clip(pat.face, pat.name, pat.scale, look, effects, base + 100 + ni)
                for ni, (look, effects) in enumerate(NEGATIVE_LOOKS[:negatives_per_patient])
            ]
        )
    interleaved = [c for group in zip(*neg, strict=True) for c in group]
    return cal + pos + interleaved


# ---------------------------------------------------------------- observing and caching


@dataclass
class Observed:
    """The cached per-frame output of MediaPipe on one clip."""

    t: npt.NDArray[np.float64]
    found: npt.NDArray[np.bool_]
    quality: npt.NDArray[np.float64]
    rotation: npt.NDArray[np.float64]  # (N, 3, 3), identity where not found
    blendshapes: npt.NDArray[np.float32]  # (N, len(BLENDSHAPES_KEPT))
    deformation: npt.NDArray[np.float64] | None = None
    """(N,) the face mesh's deformation (NaN where no face); None in entries cached before it
    was measured (the occlusion gate then never closes)."""
    in_crop: npt.NDArray[np.bool_] | None = None
    """(N,) the face was found only by the crop retry (:mod:`beckon.vision.smallface`); None
    in entries made without it."""

    def deformation_at(self, i: int) -> float | None:
        """Frame ``i``'s deformation, or None when not measured."""
        if self.deformation is None:
            return None
        value = float(self.deformation[i])
        return value if np.isfinite(value) else None

    def blendshape_dicts(self) -> Iterator[dict[str, float]]:
        for row in self.blendshapes:
            yield {k: float(v) for k, v in zip(BLENDSHAPES_KEPT, row, strict=True)}


def cache_dir(override: Path | None = None) -> Path:
    """Where observations are cached: ``--cache`` or ``$BECKON_HOME/cache/gestures``."""
    return override or paths.beckon_home() / "cache" / "gestures"


class _NoiseBank:
    """Camera noise drawn once per clip and re-used at random offsets.

    Drawing 640x480x3 Gaussian numbers for every frame cost more than rendering; sensor noise
    only has to be fresh from frame to frame, which random offsets into a bank give.
    """

    def __init__(self, shape: tuple[int, ...], sigma: float, rng: np.random.Generator) -> None:
        self.rng = rng
        self.shape = shape
        n = int(np.prod(shape))
        noise = np.clip(np.round(rng.normal(0.0, sigma, size=2 * n)), -127, 127).astype(np.int16)
        self.pos = np.clip(noise, 0, 255).astype(np.uint8)
        self.neg = np.clip(-noise, 0, 255).astype(np.uint8)

    def apply(self, frame: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        import cv2

        n = frame.size
        k = int(self.rng.integers(0, n))
        pos = self.pos[k : k + n].reshape(frame.shape)
        neg = self.neg[k : k + n].reshape(frame.shape)
        return np.asarray(cv2.subtract(cv2.add(frame, pos), neg), dtype=np.uint8)


def apply_effects(
    frame: npt.NDArray[np.uint8],
    effects: Effects,
    face_box: tuple[float, float, float, float],
    rng: np.random.Generator,
    bank: _NoiseBank | None = None,
) -> npt.NDArray[np.uint8]:
    """Occluder, low light and camera noise, in that order (noise is added by the sensor)."""
    import cv2

    out = frame
    if effects.occluder is not None:
        x0, y0, x1, y1 = face_box
        w, h = x1 - x0, y1 - y0
        a, b, c, d = effects.occluder
        out = out.copy()
        cv2.rectangle(
            out,
            (round(x0 + a * w), round(y0 + b * h)),
            (round(x0 + c * w), round(y0 + d * h)),
            (70, 110, 170),
            thickness=-1,
        )
    gain = effects.brightness
    if effects.flicker:
        gain *= 1.0 + float(rng.normal(0.0, effects.flicker))
    if gain != 1.0:
        out = np.asarray(cv2.convertScaleAbs(out, alpha=gain), dtype=np.uint8)
    if effects.noise_sigma:
        if bank is None:
            bank = _NoiseBank(out.shape, effects.noise_sigma, rng)
        out = bank.apply(out)
    return np.asarray(out, dtype=np.uint8)


def zoom_out(
    frame: npt.NDArray[np.uint8], factor: float, centre: tuple[float, float]
) -> npt.NDArray[np.uint8]:
    """The picture shrunk by ``factor`` about ``centre`` (x, y), as if the camera were further
    away; the uncovered border takes the picture's mean colour."""
    import cv2

    if factor >= 1.0:
        return frame
    h, w = frame.shape[:2]
    cx, cy = centre
    m = np.array([[factor, 0.0, cx * (1 - factor)], [0.0, factor, cy * (1 - factor)]])
    fill = tuple(int(c) for c in frame.reshape(-1, 3).mean(axis=0))
    return np.asarray(
        cv2.warpAffine(
            frame, m, (w, h), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
        ),
        dtype=np.uint8,
    )


def render_frames(spec: ClipSpec, rig: synthetic.FaceRig) -> Iterator[npt.NDArray[np.uint8]]:
    """The clip's frames, effects included (zoomed out first when ``face_px`` asks for it)."""
    rng = np.random.default_rng(spec.seed)
    lm = rig.landmarks
    box = (
        float(lm[:, 0].min()),
        float(lm[:, 1].min()),
        float(lm[:, 0].max()),
        float(lm[:, 1].max()),
    )
    factor = min(1.0, spec.face_px / rig.face_width_px) if spec.face_px else 1.0
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    if factor < 1.0:
        box = tuple(  # type: ignore[assignment]
            c + (v - c) * factor for v, c in zip(box, (*centre, *centre), strict=True)
        )
    bank = (
        _NoiseBank(rig.base.shape, spec.effects.noise_sigma, rng)
        if spec.effects.noise_sigma
        else None
    )
    rest = synthetic.rest_rotation(*spec.rest) if spec.rest is not None else None
    for pose in synthetic.build_poses(spec.segments, spec.fps):
        frame = rig.render(pose, rest)
        if factor < 1.0:
            frame = zoom_out(frame, factor, centre)
        yield apply_effects(frame, spec.effects, box, rng, bank)


def observe(
    spec: ClipSpec, model_path: Path, rig: synthetic.FaceRig, *, small_face: bool = True
) -> Observed:
    """Render the clip and run FaceLandmarker on every frame (no neutral pose needed), with
    the crop retry for frames without a face unless ``small_face`` is False."""
    from beckon.vision.face import FaceTracker
    from beckon.vision.frames import Frame
    from beckon.vision.smallface import SmallFaceParams

    ts, found, quality, rots, shapes, crop = [], [], [], [], [], []
    with FaceTracker(model_path, small_face=SmallFaceParams(enabled=small_face)) as tracker:
        for i, rgb in enumerate(render_frames(spec, rig)):
            obs = tracker.observe(Frame(i, i / spec.fps, rgb))
            ts.append(obs.t)
            found.append(obs.found)
            quality.append(obs.quality)
            rots.append(obs.rotation if obs.rotation is not None else np.eye(3))
            shapes.append([obs.blendshapes.get(k, 0.0) for k in BLENDSHAPES_KEPT])
            crop.append(tracker.found_in_crop)
    return Observed(
        np.array(ts),
        np.array(found, dtype=bool),
        np.array(quality),
        np.array(rots),
        np.array(shapes, dtype=np.float32).reshape(-1, len(BLENDSHAPES_KEPT)),
        in_crop=np.array(crop, dtype=bool) if small_face else None,
    )


SMALL_FACE_VERSION = 1
"""Part of the cache name of observations made with the crop retry for frames without a face
(:mod:`beckon.vision.smallface`); bump when the retry changes what it finds."""


def small_face_entry(base: Path) -> Path:
    """Where observations made with the crop retry are cached, beside ``base`` (without it).

    The retry only runs on frames where the full frame shows no face, so a clip whose every
    frame had a face is the same with or without it and keeps its one entry: turning the
    retry on re-observes only the clips with faceless frames, and the warm cache of the others
    stays as it is.
    """
    return base.with_name(f"{base.stem}-smallface{SMALL_FACE_VERSION}.npz")


def load_cached(base: Path, small_face: bool) -> Observed | None:
    """The cached observations of a clip for the retry setting, or None to observe it."""
    if small_face:
        entry = small_face_entry(base)
        got = _load(entry) if entry.is_file() else None
        if got is not None:
            return got
    got = _load(base) if base.is_file() else None
    if got is not None and small_face and not got.found.all():
        return None  # the retry would look again at its faceless frames
    return got


def save_cached(base: Path, obs: Observed, small_face: bool) -> None:
    """Cache observations: under ``base`` when they hold for both settings (every frame had
    a face in the full frame), else under the setting's own entry."""
    same_for_both = bool(obs.found.all()) and (obs.in_crop is None or not obs.in_crop.any())
    _save(base if same_for_both or not small_face else small_face_entry(base), obs)


def _model_sha(model_path: Path) -> str:
    return hashlib.sha256(model_path.read_bytes()).hexdigest()[:12]


def _load(path: Path) -> Observed | None:
    try:
        with np.load(path) as z:
            deformation = z["deformation"] if "deformation" in z.files else None
            in_crop = z["in_crop"] if "in_crop" in z.files else None
            return Observed(
                z["t"],
                z["found"],
                z["quality"],
                z["rotation"],
                z["blendshapes"],
                deformation,
                in_crop,
            )
    except (OSError, KeyError, ValueError):
        return None


def _save(path: Path, obs: Observed) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    arrays: dict[str, Any] = {
        "t": obs.t,
        "found": obs.found,
        "quality": obs.quality,
        "rotation": obs.rotation,
        "blendshapes": obs.blendshapes,
    }
    if obs.deformation is not None:
        arrays["deformation"] = obs.deformation
    if obs.in_crop is not None:
        arrays["in_crop"] = obs.in_crop
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


_RIGS: dict[str, synthetic.FaceRig] = {}


def _worker(args: tuple[ClipSpec, str, str, bool]) -> tuple[str, float]:
    spec, model, cache, small_face = args
    import cv2

    cv2.setNumThreads(1)
    from beckon.lab.faces import load_face

    model_path = Path(model)
    path = Path(cache) / f"{spec.key(_model_sha(model_path))}.npz"
    if load_cached(path, small_face) is not None:
        return spec.name, 0.0
    if spec.face not in _RIGS:
        _RIGS[spec.face] = synthetic.FaceRig(load_face(spec.face), model_path)
    obs = observe(spec, model_path, _RIGS[spec.face], small_face=small_face)
    save_cached(path, obs, small_face)
    return spec.name, spec.duration


def observe_all(
    clips: Sequence[ClipSpec],
    model_path: Path,
    cache: Path | None = None,
    *,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
    small_face: bool = True,
) -> dict[str, Observed]:
    """Observations of every clip, from the cache or rendered now (in ``workers`` processes);
    ``small_face``: with the crop retry for frames without a face (the product's default)."""
    folder = cache_dir(cache)
    folder.mkdir(parents=True, exist_ok=True)
    sha = _model_sha(model_path)
    cached = {c.name: load_cached(folder / f"{c.key(sha)}.npz", small_face) for c in clips}
    missing = [c for c in clips if cached[c.name] is None]
    if missing:
        from beckon.lab.faces import load_face

        for face in sorted({c.face for c in missing}):
            load_face(face)  # a face that cannot be loaded says what to install, here
        total = sum(c.duration for c in missing)
        say = progress or (lambda text: logger.info("%s", text))
        say(
            f"rendering and observing {len(missing)} clip(s), {total / 60:.1f} min of footage "
            f"({len(clips) - len(missing)} cached in {folder})"
        )
        jobs = [(c, str(model_path), str(folder), small_face) for c in missing]
        done = 0.0
        if workers > 1:
            ctx = multiprocessing.get_context("spawn")
            with ctx.Pool(workers) as pool:
                for name, seconds in pool.imap_unordered(_worker, jobs):
                    done += seconds
                    say(f"  {name}: done ({done / 60:.1f} of {total / 60:.1f} min)")
        else:
            for job in jobs:
                name, seconds = _worker(job)
                done += seconds
                say(f"  {name}: done ({done / 60:.1f} of {total / 60:.1f} min)")
    out: dict[str, Observed] = {}
    for c in clips:
        got = cached[c.name] or load_cached(folder / f"{c.key(sha)}.npz", small_face)
        if got is None:
            raise RuntimeError(f"cache entry for {c.name} is unreadable; delete {folder}")
        out[c.name] = got
    return out


def describe(clips: Sequence[ClipSpec]) -> dict[str, Any]:
    """Counts and minutes per kind, for the report."""
    out: dict[str, Any] = {}
    for kind in ("calibration", "positive", "negative"):
        chosen = [c for c in clips if c.kind == kind]
        out[kind] = {
            "clips": len(chosen),
            "minutes": round(sum(c.duration for c in chosen) / 60, 1),
            "labels": sum(len(c.labels) for c in chosen),
        }
    return out
