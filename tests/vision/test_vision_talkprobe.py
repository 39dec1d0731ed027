"""The talking probe (``beckon bench talking``): its talkers are drawn as measured, its parts
are apart by person, and a run repeats exactly."""

from __future__ import annotations

import re

import numpy as np
import pytest

from beckon.lab.talkprobe import (
    BANDS,
    FACES,
    GRID_HZ,
    ProbeParams,
    _bandpass,
    draw,
    load_talkers,
    run_one,
    run_seed,
)


def person(name: str) -> str:
    """One person's clips share a name up to ``_clip_N`` (andrew_clip_1 and _2)."""
    return re.sub(r"_clip_?\d+$", "", name)


def test_the_parts_hold_different_people_of_every_kind() -> None:
    tune, score = load_talkers("tune"), load_talkers("score")
    assert len(tune) >= 15 and len(score) >= 15
    assert {person(t.name) for t in tune}.isdisjoint(person(t.name) for t in score)
    for part in (tune, score):
        assert {t.kind for t in part} == {"talk", "words"}
        assert {t.name.split("/")[0] for t in part} == {"talkhead", "realnod2_talk", "lipread"}


def robust_std(x: np.ndarray) -> float:
    return float(1.4826 * np.median(np.abs(x - np.median(x))))


@pytest.mark.parametrize("name", ["realnod2_talk/stk_kristinoem", "talkhead/rt_2"])
def test_a_drawn_talker_moves_in_each_band_as_measured(name: str) -> None:
    """The draw keeps each band's measured spread (within the draw's own +-15 % and the
    noise of one minute), the coupled pitch bob included (rt_2's pitch follows its jaw)."""
    talker = next(t for t in load_talkers() if t.name == name)
    params = ProbeParams(rest_s=0.0, talk_s=60.0, after_s=0.0, spread=0.0)
    drawn = draw(talker, 3, FACES["large"], params)
    inside = (drawn.t > 1.0) & (drawn.t < 59.0)
    for axis in ("pitch", "yaw"):
        measured = getattr(talker, axis)
        for band, want in zip(BANDS, measured, strict=True):
            if band[0] < 0.5 or want < 0.1:
                continue  # a minute holds too few slow cycles to check the slowest band
            got = robust_std(_bandpass(getattr(drawn, axis), band)[inside])
            assert got == pytest.approx(want, rel=0.25), (axis, band)


def test_the_jaw_opens_at_the_measured_rate_and_stays_open_between_close_syllables() -> None:
    talker = next(t for t in load_talkers() if t.name == "realnod2_talk/stk_kristinoem")
    params = ProbeParams(rest_s=0.0, talk_s=60.0, after_s=0.0, spread=0.0)
    jaw = draw(talker, 5, FACES["large"], params).jaw
    rising = np.flatnonzero((jaw[1:-1] > jaw[:-2]) & (jaw[1:-1] >= jaw[2:]) & (jaw[1:-1] > 0.02))
    assert len(rising) / 60.0 == pytest.approx(talker.rate, rel=0.2)
    between = jaw[int(5 * GRID_HZ) : int(55 * GRID_HZ)]
    assert np.mean(between > 0) > 0.5  # open (partly) most of the time, not shut after each


def test_a_run_repeats_exactly_and_the_parts_never_share_a_seed() -> None:
    talker = load_talkers("tune")[0]
    params = ProbeParams(rest_s=1.0, talk_s=3.0, after_s=0.5)
    first = run_one(talker, 11, "small", 15.0, params)
    assert run_one(talker, 11, "small", 15.0, params) == first
    tune = {run_seed("tune", i, d, f, fps) for i in range(30) for d in range(5) for f in FACES
            for fps in (15.0, 30.0)}  # fmt: skip
    score = {run_seed("score", i, d, f, fps) for i in range(30) for d in range(5) for f in FACES
             for fps in (15.0, 30.0)}  # fmt: skip
    assert tune.isdisjoint(score)
