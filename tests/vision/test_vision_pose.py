"""Head-angle math: Euler angles from matrices, neutral-relative angles, the neutral estimator."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from beckon.vision.pose import (
    Angles,
    NeutralParams,
    NeutralPose,
    angles_from_rotation,
    mean_rotation,
    relative_angles,
    rotation_from_angles,
    rotation_from_matrix,
)


def _close(a: Angles, pitch: float, yaw: float, roll: float, tol: float = 1e-6) -> None:
    assert a.pitch == pytest.approx(pitch, abs=tol)
    assert a.yaw == pytest.approx(yaw, abs=tol)
    assert a.roll == pytest.approx(roll, abs=tol)


def test_single_axis_rotations_give_the_documented_formulas() -> None:
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    rx = np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    ry = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    rz = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    _close(angles_from_rotation(rx), 30, 0, 0)
    _close(angles_from_rotation(ry), 0, 30, 0)
    _close(angles_from_rotation(rz), 0, 0, 30)
    _close(angles_from_rotation(rx.T), -30, 0, 0)


@pytest.mark.parametrize("angles", [(10, -20, 5), (-35, 40, -60), (0.5, 0.1, -0.2), (80, 0, 0)])
def test_angles_round_trip(angles: tuple[float, float, float]) -> None:
    _close(angles_from_rotation(rotation_from_angles(*angles)), *angles)


def test_4x4_matrix_with_scale_and_translation() -> None:
    m = np.eye(4)
    m[:3, :3] = 1.07 * rotation_from_angles(16, -8, 3)  # MediaPipe's matrix carries a scale
    m[:3, 3] = [-5.0, 22.7, -70.0]
    r = rotation_from_matrix(m)
    assert np.allclose(r @ r.T, np.eye(3), atol=1e-9)
    _close(angles_from_rotation(r), 16, -8, 3)
    with pytest.raises(ValueError):
        rotation_from_matrix(np.eye(2))


def test_relative_angles_are_in_the_heads_own_frame() -> None:
    neutral = rotation_from_angles(16, -5, 4)  # a patient resting with the head turned
    turned = neutral @ rotation_from_angles(0, 10, 0)
    _close(relative_angles(neutral, turned), 0, 10, 0)
    nodded = neutral @ rotation_from_angles(-12, 0, 0)
    _close(relative_angles(neutral, nodded), -12, 0, 0)
    _close(relative_angles(neutral, neutral), 0, 0, 0)
    # Absolute angles would have said something quite different.
    assert angles_from_rotation(turned).pitch == pytest.approx(16, abs=3)


def test_mean_rotation_recovers_the_centre_of_noisy_rotations() -> None:
    rng = np.random.default_rng(3)
    centre = rotation_from_angles(12, -7, 2)
    samples = [centre @ rotation_from_angles(*rng.normal(0, 1.0, 3)) for _ in range(200)]
    mean = mean_rotation(samples)
    _close(relative_angles(centre, mean), 0, 0, 0, tol=0.3)
    assert np.allclose(mean @ mean.T, np.eye(3), atol=1e-9)
    with pytest.raises(ValueError):
        mean_rotation([])


def _feed(
    neutral: NeutralPose,
    centre: np.ndarray,
    seconds: float,
    t0: float = 0.0,
    fps: float = 30.0,
    jitter: float = 0.2,
    quality: float = 1.0,
    seed: int = 0,
) -> float | None:
    """Feed steady frames; returns the time at which the neutral pose got fixed, if it did."""
    rng = np.random.default_rng(seed)
    fixed_at = None
    for i in range(round(seconds * fps)):
        t = t0 + i / fps
        r = centre @ rotation_from_angles(*rng.normal(0, jitter, 3))
        if neutral.update(t, r, quality) and fixed_at is None:
            fixed_at = t
    return fixed_at


def test_neutral_pose_is_learned_from_about_one_steady_second() -> None:
    centre = rotation_from_angles(16, 4, -3)
    neutral = NeutralPose()
    assert neutral.relative(centre) is None
    fixed_at = _feed(neutral, centre, 2.0, jitter=0.25)
    assert fixed_at is not None and 0.85 <= fixed_at <= 1.1
    assert neutral.ready and neutral.rotation is not None and neutral.result is not None
    _close(relative_angles(centre, neutral.rotation), 0, 0, 0, tol=0.2)
    # The measured resting noise is close to the injected jitter.
    assert 0.12 <= neutral.result.noise.pitch <= 0.45
    # Once fixed it does not move, even if the head does.
    before = neutral.rotation.copy()
    _feed(neutral, rotation_from_angles(30, 20, 0), 1.5, t0=2.0)
    assert np.array_equal(neutral.rotation, before)
    rel = neutral.relative(centre @ rotation_from_angles(0, -15, 0))
    assert rel is not None and rel.yaw == pytest.approx(-15, abs=0.3)


def test_neutral_pose_waits_for_a_steady_head_and_good_frames() -> None:
    # The steady window alone (the running median is tested below).
    neutral = NeutralPose(NeutralParams(duration_s=1.0, running_after_s=math.inf))
    # Moving head (big jitter): not accepted.
    assert _feed(neutral, np.eye(3), 1.5, jitter=4.0) is None
    # Low-quality frames: not accepted.
    assert _feed(neutral, np.eye(3), 1.5, t0=2.0, quality=0.2) is None
    assert not neutral.ready
    # A lost face in the middle breaks the window.
    _feed(neutral, np.eye(3), 0.6, t0=4.0)
    neutral.update(4.6, None, 0.0)
    assert not neutral.ready
    fixed_at = _feed(neutral, np.eye(3), 1.5, t0=4.7)
    assert fixed_at is not None and fixed_at >= 4.7 + 0.85


def test_neutral_pose_reset_and_set() -> None:
    neutral = NeutralPose()
    _feed(neutral, np.eye(3), 1.5)
    assert neutral.ready
    neutral.reset()
    assert not neutral.ready and neutral.relative(np.eye(3)) is None
    neutral.set(rotation_from_angles(10, 0, 0))
    rel = neutral.relative(rotation_from_angles(10, 0, 0))
    assert rel is not None
    _close(rel, 0, 0, 0)


def _restless(
    neutral: NeutralPose, centre: np.ndarray, seconds: float, t0: float = 0.0, fps: float = 15.0
) -> float | None:
    """A patient who never holds still: sway, tremor and a nod now and then, never a steady
    second. Returns when the neutral pose got fixed."""
    rng = np.random.default_rng(5)
    fixed_at = None
    for i in range(round(seconds * fps)):
        t = t0 + i / fps
        pitch = 3.0 * math.sin(2 * math.pi * 0.7 * t) + 1.0 * math.sin(2 * math.pi * 5.0 * t)
        yaw = 4.0 * math.sin(2 * math.pi * 0.4 * t + 1.0)
        if 3.0 <= t % 6.0 <= 4.0:
            pitch += 8.0 * (1 - math.cos(2 * math.pi * 2.0 * t)) / 2  # a brisk nod
        r = centre @ rotation_from_angles(pitch + rng.normal(0, 0.3), yaw, rng.normal(0, 0.3))
        if neutral.update(t, r, 0.9) and fixed_at is None:
            fixed_at = t
    return fixed_at


def test_a_patient_who_never_holds_still_gets_a_neutral_pose_within_seconds() -> None:
    centre = rotation_from_angles(14, -6, 3)
    neutral = NeutralPose()
    fixed_at = _restless(neutral, centre, 8.0)
    assert fixed_at is not None and fixed_at <= 3.5
    assert neutral.result is not None and neutral.result.source == "running"
    # The median sits near the resting pose, not at the extremes of the movement.
    assert neutral.rotation is not None
    _close(relative_angles(centre, neutral.rotation), 0, 0, 0, tol=2.5)
    # The jitter estimate stays small, so the swing thresholds do not grow with the sway.
    assert max(neutral.result.noise.pitch, neutral.result.noise.yaw) <= 0.5


def test_a_tiny_or_turned_face_still_gets_a_neutral_pose() -> None:
    neutral = NeutralPose()
    # Quality 0.1: too poor for the steady window, but the face is tracked.
    _feed(neutral, rotation_from_angles(5, 30, 0), 4.0, quality=0.1)
    assert neutral.ready and neutral.result is not None
    assert neutral.result.source == "running"


def test_a_steady_window_replaces_a_running_median() -> None:
    centre = rotation_from_angles(10, 0, 0)
    neutral = NeutralPose()
    _restless(neutral, centre, 4.0)
    assert neutral.result is not None and neutral.result.source == "running"
    version = neutral.version
    _feed(neutral, centre, 1.5, t0=4.0)
    assert neutral.result.source == "steady" and neutral.version == version + 1
    assert neutral.rotation is not None
    _close(relative_angles(centre, neutral.rotation), 0, 0, 0, tol=0.6)


def test_neutral_follows_slow_posture_drift_but_not_a_glance() -> None:
    neutral = NeutralPose()
    _feed(neutral, np.eye(3), 2.0)
    assert neutral.result is not None and neutral.result.source == "steady"
    # Sinking into the pillow: 5 degrees of pitch, held for a minute.
    _feed(neutral, rotation_from_angles(5, 0, 0), 60.0, t0=2.0, fps=10.0)
    assert neutral.rotation is not None
    rel = relative_angles(neutral.rotation, rotation_from_angles(5, 0, 0))
    assert abs(rel.pitch) < 1.5  # most of the drift followed
    # Looking at a visitor 25 degrees away for 20 s does not move the neutral.
    before = neutral.rotation.copy()
    _feed(neutral, rotation_from_angles(5, 25, 0), 20.0, t0=62.0, fps=10.0)
    assert abs(relative_angles(before, neutral.rotation).yaw) < 1.0


def _feed_wave(
    neutral: NeutralPose,
    angles_at: Callable[[float], tuple[float, float, float]],
    seconds: float,
    t0: float = 0.0,
    fps: float = 15.0,
) -> None:
    rng = np.random.default_rng(1)
    for i in range(round(seconds * fps)):
        t = t0 + i / fps
        p, y, r = angles_at(t)
        neutral.update(t, rotation_from_angles(*(np.array([p, y, r]) + rng.normal(0, 0.2, 3))), 0.9)


def test_a_first_steady_second_that_was_a_tilt_gives_way_to_the_frontal_rest() -> None:
    neutral = NeutralPose()
    # Tilted 14 degrees for 3 s from the first frame, then resting facing the screen.
    _feed_wave(neutral, lambda t: (8.0, 0.0, -14.0 if t < 3.0 else 0.0), 3.0)
    assert neutral.rotation is not None
    assert angles_from_rotation(neutral.rotation).roll == pytest.approx(-14.0, abs=1.0)
    version = neutral.version
    _feed_wave(neutral, lambda t: (8.0, 0.0, 0.0), 3.0, t0=3.0)
    assert neutral.version > version  # replaced (then refined by a steady window)
    _close(angles_from_rotation(neutral.rotation), 8.0, 0.0, 0.0, tol=0.6)


def test_a_first_look_is_not_replaced_by_a_short_rest() -> None:
    # A short rest, then a look up held three times as long: no more frontal, not dominant.
    neutral = NeutralPose()
    _feed_wave(neutral, lambda t: (8.0, 0.0, 0.0) if t < 1.2 else (-4.0, 0.0, 0.0), 4.5)
    assert neutral.rotation is not None
    assert angles_from_rotation(neutral.rotation).pitch == pytest.approx(8.0, abs=0.6)


def test_long_holds_half_of_the_time_do_not_move_the_neutral() -> None:
    neutral = NeutralPose()
    _feed_wave(neutral, lambda t: (8.0, 0.0, 0.0), 14.0)  # past the first check period
    start = neutral.rotation
    assert start is not None

    def turns(t: float) -> tuple[float, float, float]:
        return (8.0, 14.0 if t % 5.0 < 3.0 else 0.0, 0.0)  # 3 s turns, 2 s rests

    _feed_wave(neutral, turns, 60.0, t0=14.0)
    assert neutral.rotation is not None
    assert abs(relative_angles(start, neutral.rotation).yaw) < 0.5


def test_a_new_posture_held_still_becomes_the_neutral_at_once() -> None:
    # After the first-pose check (12 s), the patient settles 7 degrees to one side with 4 of
    # tilt and stays there: drift alone (30 s time constant) would leave him near a turn's
    # bar for half a minute; re-anchoring moves the neutral there once he has sat still for
    # twice as long as any held gesture lasts, in one step (a new version, so the held
    # detectors start again from it).
    neutral = NeutralPose()
    _feed(neutral, np.eye(3), 15.0, fps=15.0)
    assert neutral.version == 1
    posture = rotation_from_angles(0.0, 7.0, -4.0)
    _feed(neutral, posture, 6.0, t0=15.0, fps=15.0, seed=1)
    assert neutral.version == 1  # a held gesture lasts up to 4 s: not yet
    _feed(neutral, posture, 4.0, t0=21.0, fps=15.0, seed=2)
    assert neutral.version == 2 and neutral.rotation is not None
    _close(relative_angles(posture, neutral.rotation), 0, 0, 0, tol=0.3)


def test_a_head_still_on_its_way_or_looking_far_away_is_not_re_anchored() -> None:
    neutral = NeutralPose()
    _feed(neutral, np.eye(3), 15.0, fps=15.0)
    # Sinking by 10 degrees over 12 s: within 4 degrees of its median over any 8 s, but not
    # settled; re-anchoring waits for it to stop, and then takes where it stopped.
    for i in range(180):
        t = 15.0 + i / 15.0
        neutral.update(t, rotation_from_angles(0.8 * (t - 15.0), 0.0, 0.0), 1.0)
    assert neutral.version == 1
    sunk = rotation_from_angles(0.8 * 179 / 15.0, 0.0, 0.0)
    _feed(neutral, sunk, 10.0, t0=27.0, fps=15.0)
    assert neutral.version == 2 and neutral.rotation is not None
    _close(relative_angles(sunk, neutral.rotation), 0, 0, 0, tol=0.3)
    # Looking at a visitor 25 degrees away for 20 s: not a posture, the neutral stays.
    far = NeutralPose()
    _feed(far, np.eye(3), 15.0, fps=15.0)
    _feed(far, rotation_from_angles(0.0, 25.0, 0.0), 20.0, t0=15.0, fps=15.0)
    assert far.version == 1
