"""Ordinary movements that are no nod or shake, and the real nods and shakes nearest them.

At the bedside a nod confirms ("yes") and a shake refuses ("no"). Session 50's review (rev50a,
docs/journal/gestures.md) found three ordinary movements read as one even when every frame is
seen: a glance whose return swings 40 % past rest before settling (a shake), a yawn or stretch
that sways on the head held back (a nod), and dozing off, the head dropping, jerking up and
dropping again (a nod). A nod is made from its rest and back to it
(``GestureParams.end_away_ratio``): the doze is dropped. The glance and the yawn are not yet:
every rule tried for them (session 51, gest51b: a one-cycle shake's outer legs; a sway's
centre over a swing from rest) lost real one-cycle lopsided shakes or nods made at a look with
no rest before (docs/journal/gestures.md), so their cases are strict expected failures that
name the open item. Pose traces through the detectors (and the engine, uncalibrated), also
with a few frames lost.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from beckon.vision.gestures import NodDetector, OscillationDetector, PoseSample, ShakeDetector
from tests.vision.traces import Patient, Wave, add, glide, nodding, reported, samples, sine

FPS = (10.0, 15.0, 30.0)
START = 3.0
"""Seconds at rest first: the detectors measure a calm background and lower their bar."""


def events(trace: list[PoseSample], lost: float = 0.0, seed: int = 0) -> list[str]:
    """The nods and shakes both detectors report; ``lost``: that share of the frames from
    ``START`` on read under the quality floor (a missed reading the detectors bridge)."""
    rng = np.random.default_rng([seed, 51])
    fed = [replace(s, quality=0.0) if s.t >= START and rng.random() < lost else s for s in trace]
    out = []
    det: OscillationDetector
    for det in (NodDetector(), ShakeDetector()):
        out += [e.gesture for s in fed if (e := det.update(s)) is not None]
    return out


def glance(size: float, over: float, hold: float = 0.2) -> Wave:
    """Out ``size`` degrees in 0.3 s, held ``hold`` s, back in 0.35 s swinging ``over`` of the
    way past rest, settling in 0.6 s."""
    out = START + 0.3
    back = out + hold + 0.35
    return glide(
        (START, 0.0), (out, size), (out + hold, size), (back, -over * size), (back + 0.6, 0.0)
    )


def yawn(back: float, sway: float, hz: float) -> Wave:
    """The head back (up: pitch negative) ``back`` degrees in 0.8 s, swaying ``sway`` peak to
    peak at ``hz`` for 1.5 s there, then back in 0.8 s."""
    held = glide((START, 0.0), (START + 0.8, -back), (START + 2.3, -back), (START + 3.1, 0.0))
    return add(held, sine(START + 0.6, 1.9, sway, hz))


def doze(drop: float, jerk: float) -> Wave:
    """The head drops ``drop`` degrees over 1 s, jerks up to ``jerk`` of it in 0.25 s, and
    drops again over 1.2 s, staying there."""
    return glide(
        (START, 0.0), (START + 1.0, drop), (START + 1.25, jerk * drop), (START + 2.45, drop)
    )


OPEN = "open (issue #9): no rule found that keeps the real gestures nearest it"
ORDINARY = {
    "glance 15 out, 40 % past rest": (None, glance(15.0, 0.4)),
    "glance 25 out, 40 % past rest": (None, glance(25.0, 0.4)),
    "glance 20 out, 60 % past rest, no hold": (None, glance(20.0, 0.6, hold=0.0)),
    "glance 20 the other way, 40 % past rest": (None, glance(-20.0, 0.4)),
    "yawn 15 back, 4 degree sway at 1.5 Hz": (yawn(15.0, 4.0, 1.5), None),
    "yawn 10 back, 6 degree sway at 2 Hz": (yawn(10.0, 6.0, 2.0), None),
    "doze 15, jerk up to 0.3": (doze(15.0, 0.3), None),
    "doze 20, jerk up to rest": (doze(20.0, 0.0), None),
}


def ordinary_trace(name: str, fps: float, seed: int) -> list[PoseSample]:
    pitch, yaw = ORDINARY[name]
    rng = np.random.default_rng([int(fps), seed])
    if pitch is not None:
        return samples(START + 7.0, fps, rng, pitch=pitch)
    assert yaw is not None
    return samples(START + 7.0, fps, rng, yaw=yaw)


@pytest.mark.xfail(strict=True, reason=OPEN)
@pytest.mark.parametrize("fps", FPS)
@pytest.mark.parametrize("name", list(ORDINARY))
def test_an_ordinary_movement_is_no_nod_or_shake(name: str, fps: float) -> None:
    # Seen whole, three draws; on s51 the glances were shakes, the yawns and dozes nods. With
    # 5 % of the frames lost at random where lost frames are bridged (14 fps and up; at 10 fps
    # a lost frame cuts the movement, and what follows starts over with no rest before: a
    # yawn's sway and return read from the cut can still be a nod, left open).
    got = []
    for seed in range(3):
        trace = ordinary_trace(name, fps, seed)
        got += [(seed, "whole", g) for g in events(trace)]
        if fps > 10.0:
            got += [(seed, "lost", g) for g in events(trace, lost=0.05, seed=seed)]
    assert got == []


@pytest.mark.xfail(strict=True, reason=OPEN)
@pytest.mark.parametrize("fps", (15.0, 30.0))
def test_through_the_engine_a_doze_gives_no_nod(fps: float) -> None:
    # An uncalibrated bedside: the neutral learned online over the rest before.
    start = 14.0
    patient = Patient(pitch=lambda t: doze(15.0, 0.3)(t - start + START))
    got = [e.gesture for _, e in reported(patient, start + 6.0, fps)]
    assert [g for g in got if g in ("nod", "shake")] == []


@pytest.mark.xfail(strict=True, reason=OPEN)
@pytest.mark.parametrize("fps", (15.0, 30.0))
def test_through_the_engine_the_glance_and_yawn_give_no_nod_or_shake(fps: float) -> None:
    start = 14.0
    moves = {
        "glance": Patient(yaw=lambda t: glance(20.0, 0.4)(t - start + START)),
        "yawn": Patient(pitch=lambda t: yawn(15.0, 4.0, 1.5)(t - start + START)),
    }
    got = {
        name: [e.gesture for _, e in reported(patient, start + 6.0, fps)]
        for name, patient in moves.items()
    }
    assert {name: [g for g in gs if g in ("nod", "shake")] for name, gs in got.items()} == {
        "glance": [],
        "yawn": [],
    }


def nearest_real(fps: float, seed: int) -> dict[str, tuple[str, list[PoseSample]]]:
    """The real nods and shakes nearest the ordinary movements: what each must still be."""
    rng = np.random.default_rng([int(fps), seed, 7])

    def pitch(wave: Wave) -> list[PoseSample]:
        return samples(START + 6.0, fps, rng, pitch=wave)

    def yaw(wave: Wave) -> list[PoseSample]:
        return samples(START + 6.0, fps, rng, yaw=wave)

    def lopsided(swing: float, hz: float, cycles: float, small: float) -> Wave:
        # Further one way than the other: the smaller side ``small`` of the larger.
        centred = sine(START, cycles / hz, swing, hz)
        return lambda t: centred(t) * (small if centred(t) < 0 else 1.0)

    looked_up = glide((0.0, -12.0))
    return {
        # Legs of a half, a whole and a half swing: the glance's shape, its sides even.
        "one-cycle shake, 20 degrees at 1.5 Hz": ("shake", yaw(sine(START, 1 / 1.5, 20.0, 1.5))),
        "one-cycle shake, smaller side 0.8": ("shake", yaw(lopsided(16.0, 1.5, 1.0, 0.8))),
        # The glance's legs exactly (1, 1.6, 0.6): what a rule for the glance lost (gest51b).
        "one-cycle shake, smaller side 0.6": ("shake", yaw(lopsided(16.0, 1.5, 1.0, 0.6))),
        # A nod at a look down reached 0.4 s before (no rest there): its swings ride on the
        # look, as a yawn's sway rides on the head held back (what a rule for the yawn lost).
        "nod at a look reached with no rest": (
            "nod",
            pitch(
                add(
                    glide(
                        (START - 0.4, 0.0), (START, 10.0), (START + 2.5, 10.0), (START + 2.9, 0.0)
                    ),
                    nodding(START, 2.0, 8.0, 1.0),
                )
            ),
        ),
        "brisk no of 1.5 cycles, smaller side 0.5": ("shake", yaw(lopsided(16.0, 2.5, 1.5, 0.5))),
        "shake of 2 cycles, smaller side 0.5": ("shake", yaw(lopsided(20.0, 1.0, 2.0, 0.5))),
        # A nod at a look held up 12 degrees (its rest): its swings about that rest.
        "nod at a look held up": ("nod", pitch(add(looked_up, nodding(START, 2.0, 8.0, 1.5)))),
        # One-sided, 1.5 cycles, ending down and coming back up after (the widened recipe's).
        "nod of 1.5 cycles, back up after": (
            "nod",
            pitch(
                add(
                    nodding(START, 1.5, 10.0, 1.5),
                    glide((START + 1.0, 0.0), (START + 1.01, 10.0), (START + 1.33, 0.0)),
                )
            ),
        ),
    }


@pytest.mark.parametrize("fps", FPS)
def test_the_real_nods_and_shakes_nearest_them_are_still_found(fps: float) -> None:
    got = {}
    for seed in range(3):
        for name, (gesture, trace) in nearest_real(fps, seed).items():
            got[name, seed] = events(trace) == [gesture]
    assert [k for k, ok in got.items() if not ok] == []
