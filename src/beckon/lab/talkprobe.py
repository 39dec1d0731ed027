"""A talking probe built from real talkers: does talking become nods, shakes or held gestures?

Why: talking must not become a request, and the synthetic talking the rules were judged on
(a sine bob of the head with the jaw shutting four times a second) was unlike real talkers:
their jaw opens about twice a second, irregularly, and stays partly open between syllables,
and their head moves in a broad band, not at one rate (docs/journal/gestures.md, session 39,
gest39d). Each talker here is one real talker of the talking tune sets, measured from the
bench's cached MediaPipe observations (``data/talkers.csv``):

* the head: the robust spread (1.4826 x MAD, degrees) of pitch, yaw and roll in five bands
  (:data:`BANDS`), after the clip's linear drift and MediaPipe's own jitter were taken off;
* the jaw: openings a second, the spread (CV) of the intervals between them, their rise
  (``jawOpen`` p90 - p10), how far it stays open between two close openings (``depth``);
* the pitch's coupling with the jaw (correlation and lag, 1 to 5 Hz), where the clip showed
  one above chance.

A run draws a fresh talker of those figures (coloured noise per band, syllables with gamma
intervals; :func:`draw`), puts a silent rest before and after (an idle sway of the talker's
slow bands only), and plays it at a frame rate through a new :class:`GestureEngine` with the
neutral pose learned online, as an uncalibrated bedside. Every event is false.

The talkers are split by person into a tune part (rules may be tuned on it, run by run) and a
score part (aggregates only), so that a later change can be judged on talkers it was not fitted
to. Only the CLI (``beckon bench talking``) and tests import this module.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

import numpy as np
import numpy.typing as npt

from beckon.vision.engine import GestureEngine
from beckon.vision.face import FaceObservation, observation
from beckon.vision.pose import NeutralPose, rotation_from_angles

Part = Literal["tune", "score"]
Array = npt.NDArray[np.float64]

BANDS: tuple[tuple[float, float], ...] = (
    (0.1, 0.5),
    (0.5, 1.0),
    (1.0, 2.0),
    (2.0, 3.0),
    (3.0, 5.0),
)
"""The head's bands (Hz): the slow sway, two of the talking bob, and two fast."""

GRID_HZ = 120.0
"""The rate a talker is drawn at; frames are read off it at any frame rate."""

REST_BLENDSHAPES = {
    "eyeBlinkLeft": 0.05,
    "eyeBlinkRight": 0.05,
    "jawOpen": 0.02,
    "browInnerUp": 0.05,
    "browOuterUpLeft": 0.05,
    "browOuterUpRight": 0.05,
}
"""A resting face's scores (the trace tests' too); talking adds to ``jawOpen``."""


@dataclass(frozen=True)
class Talker:
    """One real talker's measured head and jaw (a row of ``data/talkers.csv``)."""

    name: str
    """``set/clip`` of the tune set it was measured on."""
    part: Part
    kind: str
    """``talk`` (talking on), ``words`` (lipread: one word and silence around it)."""
    pitch: tuple[float, ...]
    """Robust spread per band of :data:`BANDS`, degrees (also ``yaw``, ``roll``)."""
    yaw: tuple[float, ...]
    roll: tuple[float, ...]
    rate: float
    """Jaw openings a second (prominence 0.02 on the 0.067 s smoothed score)."""
    cv: float
    """Spread (std over mean) of the intervals between openings; pauses included."""
    rise: float
    """The jaw's p90 - p10 over the clip (a syllable's height, before the face's scale)."""
    depth: float
    """Share of the lower of two close openings (under 0.8 s apart) the jaw stays open by."""
    couple: float
    """Correlation of the pitch's 1 to 5 Hz bob with the jaw's (0: none above chance)."""
    lag: float
    """The bob's lag behind the jaw, seconds (with ``couple``)."""
    clip_s: float
    clip_fps: float


@dataclass(frozen=True)
class Face:
    """How the camera sees the talker (as gest36b's sweep: a large frontal face and a small
    one of 70 to 90 px)."""

    pitch_noise: float
    """MediaPipe's frame-to-frame jitter, degrees (also ``yaw_noise``, ``roll_noise``)."""
    yaw_noise: float
    roll_noise: float
    quality: float
    jaw_scale: float
    """A small face's jaw score rises less (a 78 px face read 0.01 to 0.04 while talking)."""


FACES: dict[str, Face] = {
    "large": Face(0.25, 0.10, 0.10, 1.0, 1.0),
    "small": Face(0.35, 0.18, 0.15, 0.62, 0.5),
}


@dataclass(frozen=True)
class ProbeParams:
    """One run's timeline and the parts of the draw that were not measured."""

    rest_s: float = 3.0
    """Silence before the talking: the neutral pose and the calm bars are learned there."""
    talk_s: float = 20.0
    after_s: float = 3.0
    idle_share: float = 0.25
    """The idle sway: the talker's two slow bands times this (lipread's talkers, silent,
    moved their pitch 0.9 degrees peak to peak in 2 s against 5.2 talking)."""
    spread: float = 0.15
    """Each draw scales the head and the jaw by U(1 - spread, 1 + spread)."""
    jaw_noise: float = 0.004
    """``jawOpen``'s frame-to-frame jitter (other scores 0.01)."""
    fps: tuple[float, ...] = (15.0, 30.0)
    seeds: int = 3
    """Draws of each talker, face and frame rate."""


@dataclass(frozen=True)
class Drawn:
    """One drawn talker on the :data:`GRID_HZ` grid: time, head angles, the jaw's rise."""

    t: Array
    pitch: Array
    yaw: Array
    roll: Array
    jaw: Array


@dataclass(frozen=True)
class Run:
    talker: str
    face: str
    fps: float
    seed: int
    events: tuple[tuple[float, str], ...]
    """(event time, gesture) of every event: all false."""


@dataclass
class ProbeResult:
    part: str
    runs: list[Run] = field(default_factory=list)
    minutes: float = 0.0

    def by_kind(self) -> Counter[str]:
        return Counter(g for r in self.runs for _, g in r.events)

    def runs_with_event(self) -> int:
        return sum(1 for r in self.runs if r.events)


def load_talkers(part: Part | None = None) -> list[Talker]:
    """The measured talkers (one part, or all), in the table's order."""
    text = resources.files("beckon.lab.data").joinpath("talkers.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    talkers = [_talker(row) for row in rows]
    return [t for t in talkers if part is None or t.part == part]


def _talker(row: dict[str, str]) -> Talker:
    names = [f"{lo:g}-{hi:g}" for lo, hi in BANDS]

    def bands(axis: str) -> tuple[float, ...]:
        return tuple(float(row[f"{axis}_{n}"]) for n in names)

    part = row["part"]
    if part not in ("tune", "score"):
        raise ValueError(f"talker {row['name']}: part {part!r} is neither tune nor score")
    return Talker(
        name=row["name"],
        part="tune" if part == "tune" else "score",
        kind=row["kind"],
        pitch=bands("pitch"),
        yaw=bands("yaw"),
        roll=bands("roll"),
        **{k: float(row[k]) for k in ("rate", "cv", "rise", "depth", "couple", "lag")},
        clip_s=float(row["clip_s"]),
        clip_fps=float(row["clip_fps"]),
    )


def _band_noise(rng: np.random.Generator, n: int, band: tuple[float, float], std: float) -> Array:
    """Gaussian noise with its power only in ``band``, scaled to ``std``."""
    if std <= 0:
        return np.zeros(n)
    spectrum = np.fft.rfft(rng.normal(size=n))
    f = np.fft.rfftfreq(n, 1 / GRID_HZ)
    y = np.fft.irfft(np.where((f >= band[0]) & (f < band[1]), spectrum, 0), n)
    return np.asarray(y * (std / (y.std() + 1e-12)), dtype=np.float64)


def _bandpass(x: Array, band: tuple[float, float]) -> Array:
    spectrum = np.fft.rfft(x - x.mean())
    f = np.fft.rfftfreq(len(x), 1 / GRID_HZ)
    return np.asarray(np.fft.irfft(np.where((f >= band[0]) & (f < band[1]), spectrum, 0), len(x)))


def _syllables(
    rng: np.random.Generator, talker: Talker, t: Array, start: float, end: float, scale: float
) -> Array:
    """The jaw's rise over rest: openings from ``start`` to ``end`` with gamma intervals (mean
    1 / rate, the measured CV), each a raised cosine 0.12 to 0.3 s wide and rise x scale x
    U(0.5, 1.2) high; between two openings under 0.8 s apart the jaw stays open by ``depth``
    times the lower of them (a real jaw does not shut between syllables)."""
    jaw = np.zeros(len(t))
    rate = max(talker.rate, 0.2)
    cv = min(max(talker.cv, 0.2), 1.2)
    k = 1 / cv**2
    s = start + rng.uniform(0, 1 / rate)
    peaks: list[tuple[float, float, float]] = []
    while s < end:
        peaks.append((s, talker.rise * scale * rng.uniform(0.5, 1.2), rng.uniform(0.12, 0.3)))
        s += rng.gamma(k, 1 / (rate * k))
    for at, height, width in peaks:
        m = (t >= at - width / 2) & (t <= at + width / 2)
        bump = height * 0.5 * (1 + np.cos(2 * math.pi * (t[m] - at) / width))
        jaw[m] = np.maximum(jaw[m], bump)
    for (a, ha, _), (b, hb, _) in itertools.pairwise(peaks):
        if b - a < 0.8:
            m = (t >= a) & (t <= b)
            jaw[m] = np.maximum(jaw[m], talker.depth * min(ha, hb))
    return jaw


def draw(talker: Talker, seed: int, face: Face, params: ProbeParams) -> Drawn:
    """One fresh talker of ``talker``'s figures: silent rest, talking, silent after."""
    rng = np.random.default_rng(seed)
    total = params.rest_s + params.talk_s + params.after_s
    n = int(total * GRID_HZ) + 2
    t = np.arange(n) / GRID_HZ
    start, end = params.rest_s, params.rest_s + params.talk_s
    talking = (t >= start) & (t < end)
    amp = rng.uniform(1 - params.spread, 1 + params.spread)
    jaw_scale = face.jaw_scale * rng.uniform(1 - params.spread, 1 + params.spread)
    jaw = _syllables(rng, talker, t, start, end, jaw_scale)
    # the hand-over between idle and talking takes 0.5 s
    weight = np.clip(np.minimum(t - start + 0.25, end + 0.25 - t) / 0.5, 0, 1)
    axes: dict[str, Array] = {}
    for axis, spreads in (("pitch", talker.pitch), ("yaw", talker.yaw), ("roll", talker.roll)):
        talk = np.zeros(n)
        idle = np.zeros(n)
        for band, sd in zip(BANDS, spreads, strict=True):
            noise = _band_noise(rng, n, band, sd * amp)
            if axis == "pitch" and talker.couple and band[0] >= 1.0:
                locked = np.roll(_bandpass(jaw, band), round(talker.lag * GRID_HZ))
                locked = locked / (locked[talking].std() + 1e-12) * sd * amp
                c = talker.couple
                noise = math.sqrt(1 - c * c) * noise + c * locked
            talk += noise
            if band[1] <= 1.0:
                idle += params.idle_share * _band_noise(rng, n, band, sd * amp)
        axes[axis] = (1 - weight) * idle + weight * talk
    return Drawn(t, axes["pitch"], axes["yaw"], axes["roll"], jaw)


def observations(
    drawn: Drawn, face: Face, fps: float, seed: int, params: ProbeParams
) -> Iterator[FaceObservation]:
    """The drawn talker as the engine sees it: frames at ``fps`` with the face's jitter, the
    neutral pose learned online."""
    rng = np.random.default_rng(seed + 7)
    neutral = NeutralPose()
    total = params.rest_s + params.talk_s + params.after_s
    for i in range(int(total * fps)):
        t = i / fps
        pitch = np.interp(t, drawn.t, drawn.pitch) + rng.normal(0, face.pitch_noise)
        yaw = np.interp(t, drawn.t, drawn.yaw) + rng.normal(0, face.yaw_noise)
        roll = np.interp(t, drawn.t, drawn.roll) + rng.normal(0, face.roll_noise)
        jaw = float(np.interp(t, drawn.t, drawn.jaw))
        shapes = {
            name: float(
                np.clip(
                    rest
                    + (jaw if name == "jawOpen" else 0.0)
                    + rng.normal(0, params.jaw_noise if name == "jawOpen" else 0.01),
                    0,
                    1,
                )
            )
            for name, rest in REST_BLENDSHAPES.items()
        }
        rotation = rotation_from_angles(float(pitch), float(yaw), float(roll))
        yield observation(neutral, t, rotation, face.quality, shapes)


def run_one(
    talker: Talker,
    seed: int,
    face: str,
    fps: float,
    params: ProbeParams,
    engine: Callable[[], GestureEngine] = GestureEngine,
) -> Run:
    """One talker drawn once, played through a new engine."""
    looks = FACES[face]
    drawn = draw(talker, seed, looks, params)
    gestures = engine()
    events = tuple(
        (round(e.t, 2), e.gesture)
        for obs in observations(drawn, looks, fps, seed, params)
        for e in gestures.update(obs)
    )
    return Run(talker.name, face, fps, seed, events)


def run_seed(part: Part, index: int, draw_no: int, face: str, fps: float) -> int:
    """A run's seed: the parts never share one (score from 100000)."""
    base = 0 if part == "tune" else 100_000
    return base + index * 100 + draw_no * 10 + (face == "small") + 2 * (fps == 30.0)


def probe(
    part: Part,
    params: ProbeParams | None = None,
    talkers: Sequence[Talker] | None = None,
    engine: Callable[[], GestureEngine] = GestureEngine,
) -> ProbeResult:
    """Every talker of ``part`` x face x frame rate x draw through the engine."""
    params = params or ProbeParams()
    chosen = list(talkers) if talkers is not None else load_talkers(part)
    result = ProbeResult(part)
    for index, talker in enumerate(chosen):
        for face in FACES:
            for fps in params.fps:
                for draw_no in range(params.seeds):
                    seed = run_seed(part, index, draw_no, face, fps)
                    result.runs.append(run_one(talker, seed, face, fps, params, engine))
    length = params.rest_s + params.talk_s + params.after_s
    result.minutes = len(result.runs) * length / 60
    return result


def phase(t: float, params: ProbeParams) -> str:
    """When an event came: in the rest, the first 2 s of talking, later, or after."""
    if t < params.rest_s:
        return "rest"
    if t < params.rest_s + 2.0:
        return "talk<2s"
    if t < params.rest_s + params.talk_s:
        return "talk"
    return "after"


def summary(result: ProbeResult, params: ProbeParams | None = None) -> list[str]:
    """Lines for the console: false events by kind and when, and per talker on the tune
    part only (the score part is read in aggregate)."""
    params = params or ProbeParams()
    kinds = result.by_kind()
    lines = [
        f"talking probe, {result.part} part: {len({r.talker for r in result.runs})} talkers, "
        f"{len(result.runs)} runs, {result.minutes:.1f} min; "
        f"runs with a false event {result.runs_with_event()}",
        f"false events: {sum(kinds.values())} "
        + " ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
    ]
    when = Counter((g, phase(t, params)) for r in result.runs for t, g in r.events)
    lines.append("by when: " + ", ".join(f"{g} {p} {n}" for (g, p), n in sorted(when.items())))
    if result.part == "tune":
        per = Counter(r.talker for r in result.runs for _ in r.events)
        lines.append("by talker: " + ", ".join(f"{k} {v}" for k, v in sorted(per.items())))
    return lines
