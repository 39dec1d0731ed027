"""The gesture benchmark's recipe and scoring (the rendering itself is exercised elsewhere)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from beckon.lab import benchdata, synthetic
from beckon.lab.gesture_bench import MATCH_AFTER_S, Tally, match
from beckon.lab.train import training_clips
from beckon.profile import GESTURES
from beckon.vision.gestures import GestureEvent


@pytest.fixture(scope="module")
def recipe() -> list[benchdata.ClipSpec]:
    return benchdata.recipe()


def test_the_recipe_has_every_gesture_on_every_patient_and_30_minutes_of_negatives(
    recipe: list[benchdata.ClipSpec],
) -> None:
    described = benchdata.describe(recipe)
    assert described["negative"]["minutes"] >= 30.0
    for patient in {c.patient for c in recipe}:
        labels = [lb.gesture for c in recipe if c.patient == patient for lb in c.labels]
        assert set(labels) == set(GESTURES)
    assert {c.face for c in recipe} >= set(benchdata.HELD_OUT_FACES)
    assert all(not c.labels for c in recipe if c.kind == "negative")


def test_held_out_faces_never_reach_training() -> None:
    assert not {c.face for c in training_clips()} & set(benchdata.HELD_OUT_FACES)


def test_clip_keys_are_stable_and_depend_on_what_is_rendered(
    recipe: list[benchdata.ClipSpec],
) -> None:
    again = benchdata.recipe()
    assert [c.key() for c in recipe] == [c.key() for c in again]
    assert len({c.key() for c in recipe}) == len(recipe)
    assert recipe[0].key("model-a") != recipe[0].key("model-b")


def test_labels_fall_inside_their_clips(recipe: list[benchdata.ClipSpec]) -> None:
    for c in recipe:
        for lb in c.labels:
            assert 0.0 < lb.start < lb.end <= c.duration + 1e-6


def test_the_calibration_clip_follows_the_standard_plan() -> None:
    clip = benchdata.calibration_clip("astronaut", "p", 1.0, seed=1)
    assert list(clip.labels) == benchdata.calibration_plan()
    assert clip.duration == pytest.approx(clip.labels[-1].end, abs=0.05)


def test_negative_clips_record_what_the_patient_was_doing(
    recipe: list[benchdata.ClipSpec],
) -> None:
    negatives = [c for c in recipe if c.kind == "negative"]
    done = {a.gesture for c in negatives for a in c.activities}
    assert done == set(benchdata.ACTIVITIES)


def test_effects_darken_occlude_and_add_noise() -> None:
    frame = np.full((48, 64, 3), 200, dtype=np.uint8)
    rng = np.random.default_rng(0)
    low_light = benchdata.Effects(0.0, brightness=0.35)
    dark = benchdata.apply_effects(frame, low_light, (0, 0, 1, 1), rng)
    assert 60 <= dark.mean() <= 80
    masked = benchdata.apply_effects(
        frame, benchdata.Effects(0.0, occluder=(0.0, 0.5, 1.0, 1.0)), (0, 0, 63, 47), rng
    )
    assert (masked[40] != 200).all() and (masked[5] == 200).all()
    noisy = benchdata.apply_effects(frame, benchdata.Effects(4.0), (0, 0, 1, 1), rng)
    assert 2.0 < np.abs(noisy.astype(int) - 200).mean() < 5.0


def test_matching_events_to_performed_gestures() -> None:
    labels = [benchdata.Label("nod", 2.0, 4.0), benchdata.Label("turn_left", 8.0, 10.0)]
    events = [
        GestureEvent(4.3, "nod", 0.9),  # 0.3 s after the nod ended
        GestureEvent(4.5, "nod", 0.9),  # a second event for the same nod: false
        GestureEvent(10.0 + MATCH_AFTER_S + 0.1, "turn_left", 0.9),  # too late: false
        GestureEvent(6.0, "shake", 0.8),  # nothing performed: false
    ]
    pairs, false, missed = match(events, labels)
    assert [(e.t, lb.gesture) for e, lb in pairs] == [(4.3, "nod")]
    assert [e.gesture for e in false] == ["nod", "shake", "turn_left"]
    assert missed == [labels[1]]


def test_precision_recall_and_f1() -> None:
    t = Tally(tp=8, fp=1, fn=0)
    assert (t.precision, t.recall) == (pytest.approx(8 / 9), 1.0)
    assert t.f1 == pytest.approx(16 / 17)
    assert Tally().f1 == 1.0


def test_scripted_expressions_reach_the_renderer() -> None:
    blink = benchdata.gesture_segments("long_blink", 1.0, random.Random(0))
    poses = synthetic.build_poses([synthetic.still(0.2), *blink, synthetic.still(0.3)], 10.0)
    assert max(p.eye_left for p in poses) == pytest.approx(1.0)
    assert poses[-1].eye_left == pytest.approx(0.0, abs=1e-6)
