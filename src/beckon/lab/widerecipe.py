"""The widened gesture recipe: the whole human range, split into a tune part and a score part.

Why: the first recipe (:func:`beckon.lab.benchdata.recipe`) had one face size, nods at 0.7 to
1.4 Hz and a still start, and the same recipe trained the model, tuned the thresholds and
scored them. A perfect score on it said little. Here every performance draws its own
conditions from the ranges people actually show:

* nods and shakes at 0.5 to 3.5 Hz (log-uniform), 1.5 to 4 cycles, 3 to 25 degrees;
* held gestures held 0.4 to 3 s; long blinks 1 to 3 s;
* faces 70 to 90 px wide (a tablet about 1 m away), about 100 px, or the photo's own ~170 px;
* 10, 15 or 30 frames per second;
* a still start, or none (the clip starts in the middle of the gesture);
* idle sway and tremor between gestures, or a still head; lighting from dim to bright.

``part="tune"`` and ``part="score"`` draw from the same ranges with different seeds, so no
clip of the score part was ever seen while tuning thresholds or training the model; faces in
:data:`beckon.lab.benchdata.SCORE_ONLY_FACES` appear only in the score part. Of those,
``hopper`` (since session 4) and ``obama`` (since session 8, a photo of a head itself turned
from the camera) are studied clip by clip and reported apart from the held-out
``luispedro``, whose clips nobody reads. The clips are
evaluated as an *uncalibrated* bedside would run them: the default profile, and the neutral
pose learned on line from the clip itself (so calibration speed is measured too).

Size: with five performances per clip each miss cost 0.1 to 0.2 F1, and two minutes of
negatives could not show 0.1 false events per minute. So nods and shakes get
:data:`CLIPS_PER_GESTURE` clips per face (20 performances, each clip with its own face size,
frame rate, onset, idle movement and lighting), held gestures two, and the negatives run about
ten minutes per face (about 40 minutes over both parts). The first clip of each gesture and
the first two negatives keep the seeds and names of the first widened recipe, so their cached
observations are reused. Observations are cached like the first recipe's.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Sequence
from typing import Literal

from beckon.lab import benchdata, synthetic
from beckon.lab.benchdata import ACTIVITIES, ClipSpec, Effects, Label, Script
from beckon.lab.synthetic import HeadPose, Segment

Part = Literal["tune", "score"]

PART_SEEDS = {"tune": 7, "score": 11}
PART_FACES: dict[str, tuple[str, ...]] = {
    "tune": ("astronaut_mirror",),
    # Append only: a face's place in this tuple is part of its clips' seeds (and cache keys).
    # hopper was the held-out face until session 4; luispedro is held out since then; obama
    # (session 8) is a studied face whose photo is itself turned from the camera.
    "score": ("astronaut", "hopper", "luispedro", "obama"),
}
PERFORMANCES = 5
"""Performances of one gesture per positive clip."""

CLIPS_PER_GESTURE = {"nod": 4, "shake": 4}
"""Positive clips per face for each gesture (others: :data:`HELD_CLIPS`)."""
HELD_CLIPS = 2
NEGATIVES_PER_FACE = {"tune": 10, "score": 10}
"""About a minute each: 10 min on the tune face, 30 min on the three score faces."""

FACE_SIZES = (("70-90px", 78.0), ("90-120px", 105.0), ("native", 0.0))
FPS_CHOICES = (10.0, 15.0, 30.0)
FPS_WEIGHTS = (0.45, 0.35, 0.2)
"""30 fps costs three times the rendering of 10 fps: fewer such clips, still enough to see."""


def speed_bucket(hz: float) -> str:
    """Condition bucket of an oscillation's frequency."""
    if hz < 1.0:
        return "0.5-1Hz"
    if hz < 2.0:
        return "1-2Hz"
    return "2-3.5Hz"


def face_bucket(face_px: float) -> str:
    return next(name for name, px in FACE_SIZES if px == face_px)


def _log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def oscillation(gesture: str, rng: random.Random) -> tuple[list[Segment], dict[str, str]]:
    """One nod or shake with drawn speed, cycles and amplitude (and the way back to rest)."""
    hz = _log_uniform(rng, 0.5, 3.5)
    cycles = rng.choice([1.5, 2.0, 2.0, 3.0, 4.0])
    # Faster swings are smaller: nobody shakes 25 degrees at 3.5 Hz.
    top = 25.0 if hz < 1.5 else max(8.0, 25.0 - 6.0 * (hz - 1.5))
    amp = _log_uniform(rng, 3.0, top)
    if gesture == "nod":
        segs: list[Segment] = [synthetic.nod(cycles, amp, hz)]
        if cycles % 1:  # a one-sided nod of 1.5 cycles ends chin down: come back up
            segs.append(synthetic.move_to(HeadPose(), 0.5 / hz))
    else:
        segs = [synthetic.shake(cycles, amp, hz)]
    cond = {"speed": speed_bucket(hz), "amplitude": "3-6deg" if amp < 6 else "6-25deg"}
    return segs, cond


def held_gesture(gesture: str, rng: random.Random) -> tuple[list[Segment], dict[str, str]]:
    """One held gesture with a drawn hold (0.4 to 3 s; long blinks 1 to 3 s) and size."""
    hold_s = rng.uniform(1.0, 3.0) if gesture == "long_blink" else rng.uniform(0.4, 3.0)
    amp = rng.uniform(0.8, 1.5)
    speed = rng.uniform(0.7, 1.6)
    segs = benchdata.gesture_segments(gesture, 1.0, rng, amp=amp, speed=speed, hold_s=hold_s)
    return segs, {"hold": "0.4-1s" if hold_s < 1.0 else "1-3s"}


class _Restless:
    """Between gestures: still, swaying, or trembling, per clip."""

    def __init__(self, rng: random.Random) -> None:
        self.kind = rng.choice(["still", "still", "sway", "tremor"])
        self.rng = rng

    def rest(self, s: Script, seconds: float) -> None:
        r = self.rng
        if self.kind == "sway":
            s.add(
                synthetic.together(
                    synthetic.still(seconds),
                    synthetic.wobble("pitch", seconds, r.uniform(1.0, 3.0), r.uniform(0.15, 0.4)),
                    synthetic.wobble("yaw", seconds, r.uniform(1.0, 3.0), r.uniform(0.1, 0.3)),
                )
            )
        elif self.kind == "tremor":
            s.rest(seconds, tremor=r.uniform(0.3, 1.0))
        else:
            s.rest(seconds)


def _look(rng: random.Random) -> tuple[Effects, str]:
    brightness = rng.choice([0.45, 0.7, 1.0, 1.0, 1.2])
    effects = Effects(
        noise_sigma=rng.uniform(1.5, 5.0),
        flicker=rng.choice([0.0, 0.0, 0.02]),
        brightness=brightness,
    )
    return effects, "dim" if brightness < 0.6 else "normal"


def _clip_conditions(rng: random.Random) -> tuple[float, float, dict[str, str]]:
    _, face_px = rng.choice(FACE_SIZES)
    fps = rng.choices(FPS_CHOICES, FPS_WEIGHTS)[0]
    return face_px, fps, {"face": face_bucket(face_px), "fps": f"{fps:.0f}fps"}


def positive_clip(
    face: str,
    gesture: str,
    seed: int,
    part: Part,
    variant: int = 0,
    rest: tuple[float, float, float] | None = None,
) -> ClipSpec:
    """``PERFORMANCES`` performances of one gesture, each with its own drawn conditions.

    ``variant`` numbers a gesture's further clips on the same face (names end ``-2``, ``-3``).
    ``rest`` (pitch, yaw, roll) makes the head rest turned from the camera (see
    :func:`off_axis_clips`); the clip is then named ``.../off-axis/...``.
    """
    rng = random.Random(seed)
    face_px, fps, cond = _clip_conditions(rng)
    effects, light = _look(rng)
    cond["light"] = light
    idle = _Restless(rng)
    cond["idle"] = idle.kind
    onset = rng.choice(["rest", "rest", "none"])
    cond["onset"] = onset
    s = Script(rng)
    if onset == "rest":
        idle.rest(s, rng.uniform(1.5, 3.0))
    per_label: list[tuple[tuple[str, str], ...]] = []
    for _ in range(PERFORMANCES):
        if gesture in ("nod", "shake"):
            segs, extra = oscillation(gesture, rng)
        else:
            segs, extra = held_gesture(gesture, rng)
        s.add(*segs, label=gesture)
        per_label.append(tuple(sorted(extra.items())))
        idle.rest(s, rng.uniform(2.2, 3.2))
    folder = f"{face}/off-axis" if rest is not None else face
    name = f"wide-{part}/{folder}/{gesture}" + (f"-{variant + 1}" if variant else "")
    if rest is not None:
        cond["rest"] = rest_bucket(rest)
    spec = _wide_clip(name, face, "positive", s, effects, seed, fps, face_px, cond, rest=rest)
    _LABEL_CONDITIONS[name] = per_label
    return spec


def _wide_clip(
    name: str,
    face: str,
    kind: str,
    s: Script,
    effects: Effects,
    seed: int,
    fps: float,
    face_px: float,
    cond: dict[str, str],
    activities: Sequence[Label] = (),
    rest: tuple[float, float, float] | None = None,
) -> ClipSpec:
    """A clip of the widened recipe from its finished script: every clip of a face is one
    patient, ``{face}-wide``, and carries its conditions sorted (they are part of its cache
    key, so one spelling keeps every kind of clip's key stable). Only a positive clip carries
    its script's labels: a negative or tremor clip is scored for false events alone."""
    labels = tuple(s.labels) if kind == "positive" else ()
    return ClipSpec(
        name,
        face,
        f"{face}-wide",
        kind,
        tuple(s.segments),
        labels,
        effects,
        seed,
        fps=fps,
        activities=tuple(activities),
        face_px=face_px,
        conditions=tuple(sorted(cond.items())),
        rest=rest,
    )


_LABEL_CONDITIONS: dict[str, list[tuple[tuple[str, str], ...]]] = {}


def label_conditions(clip: ClipSpec, index: int) -> dict[str, str]:
    """Conditions of one labelled performance: the clip's and the performance's own."""
    out = dict(clip.conditions)
    per = _LABEL_CONDITIONS.get(clip.name)
    if per is not None and index < len(per):
        out.update(dict(per[index]))
    return out


def _tremor(s: Script, scale: float) -> None:
    """4 to 7 Hz tremor, small, for a few seconds on both axes: never a nod or a shake."""
    r = s.rng
    seconds = r.uniform(3.0, 6.0)
    s.add(
        synthetic.together(
            synthetic.wobble("pitch", seconds, r.uniform(1.0, 3.0), r.uniform(4.0, 7.0)),
            synthetic.wobble("yaw", seconds, r.uniform(0.5, 2.0), r.uniform(4.0, 7.0)),
        )
    )
    s.rest(r.uniform(0.8, 1.5))


NEGATIVE_ACTIVITIES = {**ACTIVITIES, "tremor": _tremor}


def negative_clip(
    face: str,
    seed: int,
    part: Part,
    seconds: float = 60.0,
    rest: tuple[float, float, float] | None = None,
) -> ClipSpec:
    """About a minute of everyday movement (talking, coughing, looking around, tremor...),
    from a rest turned from the camera if ``rest`` is given (see :func:`off_axis_clips`)."""
    rng = random.Random(seed)
    face_px, fps, cond = _clip_conditions(rng)
    effects, light = _look(rng)
    cond["light"] = light
    s = Script(rng)
    s.rest(rng.uniform(0.0, 2.0))
    names = list(NEGATIVE_ACTIVITIES)
    activities: list[Label] = []
    while s.t < seconds:
        name = rng.choice(names)
        start = s.t
        NEGATIVE_ACTIVITIES[name](s, 1.0)
        activities.append(Label(name, start, s.t))
        s.rest(rng.uniform(0.5, 2.0), tremor=rng.choice([0.0, 0.0, 0.4]))
    if rest is not None:
        cond["rest"] = rest_bucket(rest)
    folder = f"{face}/off-axis" if rest is not None else face
    name = f"wide-{part}/{folder}/negative-{seed % 1000}"
    return _wide_clip(
        name, face, "negative", s, effects, seed, fps, face_px, cond, activities, rest
    )


def clips_per_gesture(gesture: str) -> int:
    return CLIPS_PER_GESTURE.get(gesture, HELD_CLIPS)


def wide_recipe(
    part: Part, faces: Sequence[str] | None = None, negatives_per_face: int | None = None
) -> list[ClipSpec]:
    """Every clip of one part: the positive clips per gesture and face, then the negatives.

    Seeds: clip ``k`` of gesture ``gi`` on face ``fi`` uses ``base + fi*1000 + k*100 + gi``,
    negative ``ni`` uses ``base + fi*1000 + 500 + ni`` (so ``k`` < 5 and ``ni`` < 500).
    """
    n_neg = NEGATIVES_PER_FACE[part] if negatives_per_face is None else negatives_per_face
    base = PART_SEEDS[part] * 100_000
    chosen = tuple(faces) if faces is not None else PART_FACES[part]
    if part == "tune" and set(chosen) & set(benchdata.SCORE_ONLY_FACES):
        raise ValueError("score faces (held out or studied) never appear in the tune part")
    pos: list[ClipSpec] = []
    neg: list[ClipSpec] = []
    for fi, face in enumerate(chosen):
        for gi, g in enumerate(benchdata.GESTURE_ORDER):
            for k in range(clips_per_gesture(g)):
                pos.append(positive_clip(face, g, base + fi * 1000 + k * 100 + gi, part, k))
        for ni in range(n_neg):
            neg.append(negative_clip(face, base + fi * 1000 + 500 + ni, part))
    off = off_axis_clips(part, chosen) if faces is None else []
    trembling = tremor_clips(part, chosen) if faces is None else []
    turned = turned_photo_clips(part) if faces is None else []
    frontal = frontal_photo_clips(part) if faces is None else []
    return pos + neg + off + trembling + turned + frontal


# ---------------------------------------------------------------- a rest turned from the camera

OFF_AXIS_FACES: dict[str, tuple[str, ...]] = {"tune": ("astronaut_mirror",), "score": ("hopper",)}
"""Faces that also rest turned from the camera in a part (appended after its other clips):
the tune face, and the studied score face (never the held-out one)."""
OFF_AXIS_YAW: dict[str, tuple[float, float]] = {"tune": (15.0, 25.0), "score": (22.0, 32.0)}
"""How far the rest is turned, as rendered (MediaPipe reads a rendered turn of a frontal
photo about a quarter short: 17 degrees read as 12, so the score part's 22 to 32 read as
about 16 to 24, like the held-out face's real turned photo)."""
OFF_AXIS_GESTURES = (
    "turn_left",
    "turn_right",
    "look_up",
    "look_down",
    "long_blink",
    "brow_raise",
)
"""What a turned rest makes hard: turns toward the camera (a first one looks like a camera
that came on mid-turn), looks measured about a turned head, and the far eye and brow, which
the camera sees foreshortened."""
OFF_AXIS_SIDES = (1.0, -1.0)
"""One clip per gesture with the head resting to the patient's left, one to the right: each
turn gesture is then made once toward the camera and once away from it."""
OFF_AXIS_NEGATIVES = 2
OFF_AXIS_SEED = 50_000
"""Seed offset of the off-axis clips within a part (the other clips use under 5,000)."""


def rest_bucket(rest: tuple[float, float, float]) -> str:
    """Condition bucket of a resting orientation: which side, and whether it is also tipped."""
    pitch, yaw, _ = rest
    side = "yaw+" if yaw > 0 else "yaw-"
    return side + ("pitched" if abs(pitch) >= 5 else "")


def off_axis_rest(
    seed: int, side: float, yaw_range: tuple[float, float] = OFF_AXIS_YAW["tune"]
) -> tuple[float, float, float]:
    """A resting orientation ``yaw_range`` degrees to one side (a tablet beside the bed), half
    of them also tipped up or down by 5 to 10 degrees (the camera above or below the eyes)."""
    rng = random.Random(seed * 7919 + 13)
    yaw = side * rng.uniform(*yaw_range)
    pitch = rng.choice([0.0, 1.0]) * rng.choice([-1.0, 1.0]) * rng.uniform(5.0, 10.0)
    return (round(pitch, 1) + 0.0, round(yaw, 1), 0.0)  # + 0.0: no "-0.0" in the key


def off_axis_clips(part: Part, faces: Sequence[str]) -> list[ClipSpec]:
    """Clips of a patient whose head rests turned from the camera (see ``OFF_AXIS_*``).

    Seeds: ``base + OFF_AXIS_SEED + fi*1000 + si*100 + gi`` for gesture ``gi`` with the rest
    on side ``si``, ``base + OFF_AXIS_SEED + fi*1000 + 500 + ni`` for negative ``ni``.
    """
    base = PART_SEEDS[part] * 100_000 + OFF_AXIS_SEED
    out: list[ClipSpec] = []
    for fi, face in enumerate(faces):
        if face not in OFF_AXIS_FACES[part]:
            continue
        for si, side in enumerate(OFF_AXIS_SIDES):
            for gi, g in enumerate(OFF_AXIS_GESTURES):
                seed = base + fi * 1000 + si * 100 + gi
                rest = off_axis_rest(seed, side, OFF_AXIS_YAW[part])
                out.append(positive_clip(face, g, seed, part, si, rest))
        for ni in range(OFF_AXIS_NEGATIVES):
            seed = base + fi * 1000 + 500 + ni
            side = OFF_AXIS_SIDES[ni % len(OFF_AXIS_SIDES)]
            rest = off_axis_rest(seed, side, OFF_AXIS_YAW[part])
            out.append(negative_clip(face, seed, part, rest=rest))
    return out


# ---------------------------------------------------------------- a trembling patient

TREMOR_FACES: dict[str, tuple[str, ...]] = {"tune": ("astronaut_mirror",), "score": ()}
"""Faces that also get tremor negatives (appended after every other clip of the part, session
6): the tune face only, so the rule against tremor is checked on MediaPipe's readings of
rendered frames, not only on pose traces."""
TREMOR_FPS = (10.0, 10.0, 15.0)
"""One tremor negative per entry, at this frame rate: at 10 fps a 4.5 to 5.5 Hz tremor
aliases near the Nyquist rate and a 6.5 to 7 Hz one to 3 to 3.5 Hz (see
``beckon.vision.gestures._Flips``), the hard case."""
TREMOR_SEED = 60_000
"""Seed offset of the tremor clips within a part (the off-axis clips use 50,000 to 51,999)."""


def tremor_clip(face: str, seed: int, part: Part, fps: float, seconds: float = 40.0) -> ClipSpec:
    """About 40 s of a trembling patient: bursts of a 4 to 7 Hz tremor of 3 to 8 degrees peak
    to peak (larger than the recipe's other tremor), 2.5 to 6 s long, on pitch, yaw or both,
    with 1.5 to 3 s of rest between them. Never a nod or a shake."""
    rng = random.Random(seed)
    _, face_px = rng.choice(FACE_SIZES)
    effects, light = _look(rng)
    cond = {"face": face_bucket(face_px), "fps": f"{fps:.0f}fps", "light": light}
    s = Script(rng)
    s.rest(rng.uniform(1.5, 3.0))
    activities: list[Label] = []
    while s.t < seconds:
        start = s.t
        length = rng.uniform(2.5, 6.0)
        hz = rng.uniform(4.0, 7.0)
        pp = rng.uniform(3.0, 8.0)
        axes = rng.choice(["pitch", "yaw", "both"])
        parts = [synthetic.still(length)]
        if axes in ("pitch", "both"):
            parts.append(synthetic.wobble("pitch", length, pp, hz))
        if axes in ("yaw", "both"):
            scale = 0.7 if axes == "both" else 1.0
            parts.append(synthetic.wobble("yaw", length, pp * scale, hz * rng.uniform(0.95, 1.05)))
        s.add(synthetic.together(*parts))
        activities.append(Label("tremor", start, s.t))
        s.rest(rng.uniform(1.5, 3.0))
    name = f"wide-{part}/{face}/tremor-{seed % 1000}"
    return _wide_clip(name, face, "negative", s, effects, seed, fps, face_px, cond, activities)


def tremor_clips(part: Part, faces: Sequence[str]) -> list[ClipSpec]:
    """Tremor negatives (see :func:`tremor_clip`); seed ``base + TREMOR_SEED + fi*1000 + n``."""
    base = PART_SEEDS[part] * 100_000 + TREMOR_SEED
    return [
        tremor_clip(face, base + fi * 1000 + n, part, fps)
        for fi, face in enumerate(faces)
        if face in TREMOR_FACES[part]
        for n, fps in enumerate(TREMOR_FPS)
    ]


# ---------------------------------------------------------------- a photo turned and tipped

TURNED_PHOTO_FACES: dict[str, tuple[str, ...]] = {
    "tune": (),
    # Append only: a face's place here is part of its clips' seeds (and cache keys).
    "score": ("obama_mirror", "lacamoire_mirror", "lps2_mirror", "lps11"),
}
"""Studied faces rendered resting turned to the patient's right and tipped chin up, so that
MediaPipe reads the rest at about -21 to -23 degrees of yaw and -9 to -11 of pitch: the
situation of the held-out ``luispedro`` (yaw -21.8, pitch -10), on faces that may be studied
clip by clip. ``obama_mirror`` (session 8, second round), whose *photo* already rests turned
(yaw about -17), from :data:`TURNED_PHOTO_REST`; the session 10 faces, frontal photos of other
people, from :data:`TURNED_PHOTO_RESTS`. Appended after every other clip of the score part,
so every cached clip keeps its key."""
TURNED_PHOTO_REST = (-13.0, -6.0, 0.0)
"""Rest (pitch, yaw, roll) as rendered on top of the photo's own turn: chin up, further to
the patient's right (MediaPipe reads a rendered turn about a quarter short)."""
TURNED_PHOTO_RESTS: dict[str, tuple[float, float, float]] = {
    "lacamoire_mirror": (-24.0, -22.0, 0.0),
    "lps2_mirror": (-26.0, -27.0, 0.0),
    "lps11": (-23.0, -22.0, 0.0),
}
"""Rests of the faces added in session 10, whose photos face the camera (MediaPipe yaw -7.1,
-1.3 and -1.9; pitch 2.8 to 9.5): turned and tipped further, each chosen on one rendered frame
so that MediaPipe reads the rest at about -21 degrees of yaw and -9 to -11 of pitch, as it
reads ``luispedro``'s photo (a rendered chin-up tip reads about half its size on these
photos). Faces not listed use :data:`TURNED_PHOTO_REST`."""
TURNED_PHOTO_GESTURES = OFF_AXIS_GESTURES
TURNED_PHOTO_CLIPS = 2
"""Clips per gesture (five performances each), as the other held gestures get."""
TURNED_PHOTO_NEGATIVES = 2
TURNED_PHOTO_SEED = 70_000
"""Seed offset within a part (off-axis clips use 50,000 to 51,999, tremor 60,000 to 60,999)."""


def turned_photo_clips(part: Part) -> list[ClipSpec]:
    """Held gestures, long blinks and brow raises, and two minutes of negatives, on the
    :data:`TURNED_PHOTO_FACES` from :data:`TURNED_PHOTO_REST` (no nods or shakes: the photo's
    turn is not what they miss). Named ``wide-PART/FACE/turned/...``.

    Seeds: ``base + TURNED_PHOTO_SEED + fi*1000 + k*100 + gi`` for clip ``k`` of gesture
    ``gi``, ``base + TURNED_PHOTO_SEED + fi*1000 + 500 + ni`` for negative ``ni``.
    """
    base = PART_SEEDS[part] * 100_000 + TURNED_PHOTO_SEED
    out: list[ClipSpec] = []
    for fi, face in enumerate(TURNED_PHOTO_FACES[part]):
        rest = TURNED_PHOTO_RESTS.get(face, TURNED_PHOTO_REST)
        for k in range(TURNED_PHOTO_CLIPS):
            for gi, g in enumerate(TURNED_PHOTO_GESTURES):
                seed = base + fi * 1000 + k * 100 + gi
                clip = positive_clip(face, g, seed, part, k, rest)
                out.append(_renamed(clip, "/off-axis/", "/turned/"))
        for ni in range(TURNED_PHOTO_NEGATIVES):
            seed = base + fi * 1000 + 500 + ni
            out.append(
                _renamed(negative_clip(face, seed, part, rest=rest), "/off-axis/", "/turned/")
            )
    return out


def _renamed(clip: ClipSpec, old: str, new: str) -> ClipSpec:
    name = clip.name.replace(old, new)
    if clip.name in _LABEL_CONDITIONS:
        _LABEL_CONDITIONS[name] = _LABEL_CONDITIONS[clip.name]
    return dataclasses.replace(clip, name=name)


# ---------------------------------------------------------------- the same people facing the camera

FRONTAL_PHOTO_FACES: dict[str, tuple[str, ...]] = {
    "tune": (),
    "score": ("lacamoire_mirror", "lps2_mirror", "lps11"),
}
"""The session 10 studied faces also as their photos face the camera (no rest rotation): one
clip of every gesture (nods and shakes too) and a minute of negatives each, so that what they
miss from the turned rest can be told from what they miss anyway. Appended after every
other clip of the score part. Append only (a face's place is part of its seeds)."""
FRONTAL_PHOTO_NEGATIVES = 1
FRONTAL_PHOTO_SEED = 80_000
"""Seed offset within a part (turned photos use 70,000 to 73,999)."""


def frontal_photo_clips(part: Part) -> list[ClipSpec]:
    """One clip of each gesture and :data:`FRONTAL_PHOTO_NEGATIVES` negatives per
    :data:`FRONTAL_PHOTO_FACES` face, resting as the photo faces. Named
    ``wide-PART/FACE/frontal/...``; seeds ``base + FRONTAL_PHOTO_SEED + fi*1000 + gi`` and
    ``... + 500 + ni``."""
    base = PART_SEEDS[part] * 100_000 + FRONTAL_PHOTO_SEED
    out: list[ClipSpec] = []
    for fi, face in enumerate(FRONTAL_PHOTO_FACES[part]):
        for gi, g in enumerate(benchdata.GESTURE_ORDER):
            clip = positive_clip(face, g, base + fi * 1000 + gi, part)
            out.append(_renamed(clip, f"/{face}/", f"/{face}/frontal/"))
        for ni in range(FRONTAL_PHOTO_NEGATIVES):
            clip = negative_clip(face, base + fi * 1000 + 500 + ni, part)
            out.append(_renamed(clip, f"/{face}/", f"/{face}/frontal/"))
    return out
