"""A signer's head bobbing once is no nod: the two-reversal rule (``min_outer_leg_ratio``).

Pose traces shaped like the false nods of real signing clips (the signtune and ASL tune sets,
docs/journal/gestures.md "A signer's single head bob"): the head leaves rest, comes back past it and
settles, which the zigzag reads as two reversals around one long swing. Each test also runs the
detector without the rule, where the same trace was a nod, so it fails on the old rules; and
nods with two reversals that are nods (one-sided 1.5 cycles, centred one cycle) stay found.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest

from beckon.vision.gestures import NOD_PARAMS, GestureEvent, NodDetector, PoseSample
from tests.vision.traces import Wave, nodding, sine

FPS = 20.0


def path(*points: tuple[float, float]) -> Wave:
    """Through ``points`` (t, degrees) with a smooth (half-cosine) move between each two,
    holding the first value before and the last after."""

    def f(t: float) -> float:
        if t <= points[0][0]:
            return points[0][1]
        for (t0, v0), (t1, v1) in itertools.pairwise(points):
            if t <= t1:
                u = (t - t0) / (t1 - t0)
                return v0 + (v1 - v0) * 0.5 * (1 - math.cos(math.pi * u))
        return points[-1][1]

    return f


def samples(seconds: float, pitch: Wave, *, seed: int = 0, fps: float = FPS) -> list[PoseSample]:
    rng = np.random.default_rng(seed)
    return [
        PoseSample(
            t=i / fps,
            found=True,
            pitch=pitch(i / fps) + rng.normal(0, 0.2),
            yaw=rng.normal(0, 0.1),
        )
        for i in range(round(seconds * fps))
    ]


def events(trace: list[PoseSample], *, rule: bool = True) -> list[GestureEvent]:
    params = NOD_PARAMS if rule else replace(NOD_PARAMS, min_outer_leg_ratio=None)
    det = NodDetector(params)
    det.set_noise(pitch=0.2, yaw=0.1)
    return [e for s in trace if (e := det.update(s)) is not None]


# The signer looks down at her hands (14 degrees, held 0.4 s), comes back up past rest to -6
# and settles at -4 (a real ISL clip: outer legs 0.10 of the swing).
LOOK_AND_BACK = path((1.6, 0.0), (2.05, 14.0), (2.45, 14.0), (3.25, -6.0), (3.8, -4.0))
# A small dip, then the head drops 23 degrees into a new posture and stays there (outer legs
# 0.15 and 0.2 of the swing).
DIP_THEN_POSTURE = path((1.6, 0.0), (2.1, -3.5), (2.9, 20.0), (3.8, 15.5))
# A slow bob while signing: up 5.5, back down to -0.5 and settles at 1.5 (ASL tune clip).
SMALL_BOB = path((1.6, 0.0), (2.1, 5.5), (2.6, -0.5), (3.1, 1.5))


@pytest.mark.parametrize(
    "name, wave",
    [("look and back", LOOK_AND_BACK), ("dip then posture", DIP_THEN_POSTURE), ("bob", SMALL_BOB)],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_excursion_past_rest_is_no_nod(name: str, wave: Wave, seed: int) -> None:
    trace = samples(7.0, wave, seed=seed)
    assert events(trace) == [], name
    # Without the rule the same movement was a nod: the rule is what drops it.
    assert [e.gesture for e in events(trace, rule=False)] == ["nod"], name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_nods_with_two_reversals_are_still_found(seed: int) -> None:
    # One-sided, 1.5 cycles, the head staying down at the end: every leg the same size.
    one_sided = samples(7.0, nodding(1.5, 1.5, 10.0, 1.5), seed=seed)
    assert [e.gesture for e in events(one_sided)] == ["nod"]
    # Centred, one cycle (up, down through rest, back): outer legs half the swing.
    centred = samples(7.0, sine(1.5, 1.0, 12.0, 1.0), seed=seed)
    assert [e.gesture for e in events(centred)] == ["nod"]
    # And the usual two-cycle nod (three reversals: the rule does not look at it).
    usual = samples(7.0, nodding(1.5, 2.0, 10.0, 1.5), seed=seed)
    assert [e.gesture for e in events(usual)] == ["nod"]
