"""Talking told from the jaw's flickers (beckon.vision.talking, EngineParams.talk_flickers).

The case from the wide bench: a small face turned from the camera talks after a calm second.
Its jaw score barely moves (rises of 0.01 to 0.04 at the syllable rate, far under the height
check's 0.1), and talking sways the head's yaw by about two degrees at 1 Hz. The calm second
lowered the shake bar to about two degrees, so the sway passed for shakes.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from beckon.lab.talkprobe import ProbeParams, load_talkers, run_one
from beckon.profile import Calibration, GestureProfile
from beckon.vision.engine import GestureEngine
from beckon.vision.engine_params import EngineParams
from beckon.vision.gestures import GestureEvent
from beckon.vision.talking import jaw_flickers
from tests.vision.traces import Patient, Wave, sine

SMALL_TURNED_QUALITY = 0.65
"""A 78 px face (quality from its width alone; turned 16 to 20 degrees is still frontal)."""


def syllables(start: float, seconds: float, rise: float, hz: float = 4.0) -> Wave:
    """A jaw that opens by ``rise`` and closes again ``hz`` times a second (talking), as a
    weak jaw score reads it: short bumps, closed most of the time."""

    def f(t: float) -> float:
        if not start <= t <= start + seconds:
            return 0.0
        phase = (t - start) * hz % 1.0
        return rise * math.sin(math.pi * phase / 0.4) ** 2 if phase < 0.4 else 0.0

    return f


def talker(sway_deg: float, jaw_rise: float, seconds: float = 8.0) -> Patient:
    """A calm 2 s, then talking for ``seconds``: yaw sways ``sway_deg`` at 1 Hz, pitch a
    little at 2 Hz, the jaw flickers by ``jaw_rise``."""
    return Patient(
        yaw=sine(2.0, seconds, sway_deg, 1.0),
        pitch=sine(2.0, seconds, 0.8, 2.0),
        jaw=syllables(2.0, seconds, jaw_rise),
        noise_deg=0.1,
        noise_score=0.001,
        quality=SMALL_TURNED_QUALITY,
    )


def calibrated() -> GestureProfile:
    """The default profile with the resting expression scores and the head's jitter known."""
    rest = {"blink": 0.05, "jaw": 0.02, "brow": 0.05}
    return replace(GestureProfile(), calibration=Calibration(noise=(0.2, 0.1, 0.1), rest=rest))


def run(patient: Patient, seconds: float, params: EngineParams | None = None) -> list[GestureEvent]:
    engine = GestureEngine(calibrated(), params=params)
    events: list[GestureEvent] = []
    for obs in patient.trace(seconds, seed=3, fps=15.0):
        events += engine.update(obs)
    return events


OLD = replace(EngineParams(), talk_flickers=10**6)
"""The engine before the flicker check (the jaw's height alone)."""


def test_jaw_flickers_counts_each_opening_once() -> None:
    closed = [0.0] * 5
    opening = [0.004, 0.012, 0.009, 0.013, 0.002]  # wavers near the band: one opening
    assert jaw_flickers(closed + opening + closed + opening + closed, 0.008, 3.0) == 2
    assert jaw_flickers(closed, 0.008, 3.0) == 0
    assert jaw_flickers([], 0.008, 3.0) == 0


def test_a_jitter_as_large_as_the_band_is_not_flickering() -> None:
    # A jaw score that jitters by 0.01 frame to frame (the traces' default noise) crosses an
    # absolute band of 0.008 all the time; the band follows the jitter of its lower half.
    jittery = [0.01 * ((i * 7919) % 13 - 6) / 6 + 0.01 for i in range(45)]
    assert jaw_flickers(jittery, 0.008, 3.0) == 0


@pytest.mark.parametrize("sway_deg", [2.2, 2.6])
def test_a_small_turned_face_swaying_while_it_talks_gives_no_shake(sway_deg: float) -> None:
    patient = talker(sway_deg, jaw_rise=0.025)
    # The engine without the flicker check took the sway for a shake (the jaw's height, 0.025,
    # is far under its 0.1): the test would fail on the old code.
    assert "shake" in [e.gesture for e in run(patient, 11.0, OLD)]
    assert [e.gesture for e in run(patient, 11.0)] == []


def test_a_real_shake_of_a_small_turned_face_is_still_found() -> None:
    patient = Patient(yaw=sine(2.0, 2.0, 8.0, 1.5), noise_deg=0.1, noise_score=0.001, quality=0.65)
    assert [e.gesture for e in run(patient, 6.0)] == ["shake"]


def test_a_shake_made_while_mouthing_no_is_still_found() -> None:
    # The jaw flickers, but the swings clear the full bar: a shake, not a talking sway.
    patient = Patient(
        yaw=sine(2.0, 2.0, 9.0, 1.5),
        jaw=syllables(1.8, 2.4, 0.025),
        noise_deg=0.1,
        noise_score=0.001,
        quality=SMALL_TURNED_QUALITY,
    )
    assert [e.gesture for e in run(patient, 6.0)] == ["shake"]


def test_a_calm_patients_small_shake_with_a_still_jaw_is_still_found() -> None:
    # The same 2.4 degree swings as the talking sway, with the jaw still: the calm patient's
    # lowered bar is what lets a weak patient answer, and it stays.
    patient = Patient(yaw=sine(2.0, 2.0, 2.4, 1.5), noise_deg=0.1, noise_score=0.001, quality=0.65)
    assert [e.gesture for e in run(patient, 6.0)] == ["shake"]


def test_a_measured_talkers_head_bob_with_a_normal_jaw_is_no_nod() -> None:
    """A guard from the talking probe of real talkers (beckon.lab.talkprobe, tune part): one
    talker drawn from StyleTalk's Kristi Noem clip (realnod2), 3 s silent, 20 s talking, 3 s
    silent, a large face at 15 fps. Her pitch bobs 3 to 5 degrees in 2 s while her jaw opens
    2.5 times a second by about 0.24. The jaw's height rule (``oscillation_jaw_share``) is what
    rejects her bobs: with it off, the same trace gives nods. A change to the jaw rules (a nod
    made while mouthing "yes") must keep this talker silent."""
    talker = next(t for t in load_talkers("tune") if t.name == "realnod2_talk/stk_kristinoem")
    params = ProbeParams()
    today = run_one(talker, 1100, "large", 15.0, params)
    assert [g for _, g in today.events if g in ("nod", "shake")] == []
    no_height_rule = replace(EngineParams(), oscillation_jaw_share=1e6)
    off = run_one(talker, 1100, "large", 15.0, params, lambda: GestureEngine(params=no_height_rule))
    assert "nod" in [g for _, g in off.events]


def test_a_talker_whose_last_syllables_stay_under_the_jaw_bar_gives_no_nod() -> None:
    """A guard from the talking probe's tune part: a LivePortrait driver talking (talkhead
    lp_d0; jaw 0.65 openings a second by about 0.2, read at half on a small face, 30 fps).
    She talks from 3 s on (openings of 0.09, 0.11, 0.12 at 9.3 to 11.6 s), says one more
    syllable under the height rule's bar (0.08 at 12.9 s) and bobs 3.3 degrees (13.0 to
    15.0 s) with one opening over it (0.13 at 14.0 s). Today the height rule drops the bob;
    a rule that keeps a nod made with one word said (one short stretch of openings over the
    bar) must still see the talking that runs up to it."""
    talker = next(t for t in load_talkers("tune") if t.name == "talkhead/lp_d0")
    run = run_one(talker, 23, "small", 30.0, ProbeParams())
    assert [g for _, g in run.events if g in ("nod", "shake")] == []
