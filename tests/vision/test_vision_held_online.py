"""Held gestures and expressions through the live path (neutral pose and resting face learned
from the trace itself), in the corners where the neutral is hard to know: a gesture from the
first frame, idle sway, long holds, low frame rates."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from beckon.vision.engine import GestureEngine
from beckon.vision.face import observation
from beckon.vision.gestures import GestureEvent
from beckon.vision.pose import NeutralParams, NeutralPose, relative_angles, rotation_from_angles
from beckon.vision.viewquality import QualityParams, frontal_share
from tests.vision.traces import Patient, Wave, add, held, moving, nodding, sine


def _online(
    patient: Patient, seconds: float, fps: float = 15.0, seed: int = 3
) -> tuple[list[GestureEvent], NeutralPose]:
    neutral = NeutralPose()
    engine = GestureEngine()
    events: list[GestureEvent] = []
    for o in patient.trace(seconds, seed=seed, fps=fps):
        rotation = o.rotation if o.found else None
        events += engine.update(observation(neutral, o.t, rotation, o.quality, o.blendshapes))
    return events, neutral


def _names(events: list[GestureEvent]) -> list[str]:
    return [e.gesture for e in events]


def _from_start(seconds: float, value: float) -> Wave:
    """Already held at the first frame (the camera came on mid-gesture), back in 0.3 s."""
    back = held(-0.3, seconds, value)
    return lambda t: value if t < 0.3 else back(t)


def test_a_tilt_held_from_the_first_frame_does_not_become_the_neutral() -> None:
    # The first steady second is a tilt: the rest that follows must not read as a tilt the
    # other way, and the later tilts must be found.
    roll = add(_from_start(3.0, -14.0), held(6.0, 2.0, -14.0), held(11.5, 1.5, -14.0))
    events, neutral = _online(Patient(roll=roll), 16.0)
    assert _names(events) == ["tilt_left", "tilt_left"]
    assert events[0].t > 8.0
    assert neutral.rotation is not None


def test_a_turn_held_from_the_first_frame_during_sway() -> None:
    sway = sine(0.0, 20.0, 4.0, 0.3)
    # The rest after the first turn lasts 4.2 s, longer than a held turn with its ramps
    # (NeutralParams.under_way_turn_min_s), so it is taken for the neutral before the next turn.
    yaw = add(_from_start(2.5, 15.0), held(7.0, 2.0, 15.0), held(13.0, 2.5, 15.0))
    events, _ = _online(Patient(pitch=sway, yaw=yaw), 19.0)
    assert "turn_right" not in _names(events)
    assert _names(events)[-2:] == ["turn_left", "turn_left"]


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_turns_held_three_seconds_during_sway_are_each_one_turn(fps: float) -> None:
    # Sway of 4 to 5 degrees peak to peak on pitch and yaw between and during the holds: the
    # neutral must not follow the long holds, and the plateau is not flat.
    sway_p = sine(0.0, 30.0, 5.0, 0.3)
    sway_y = sine(0.0, 30.0, 4.0, 0.2)
    turns = add(*(held(start, 3.0, 15.0) for start in (5.0, 12.0, 19.0)))
    events, _ = _online(Patient(pitch=sway_p, yaw=add(sway_y, turns)), 26.0, fps=fps)
    assert _names(events) == ["turn_left"] * 3


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_long_looks_down_do_not_drag_the_neutral(fps: float) -> None:
    # Held 3 s out of every 5.5 s: the neutral must stay at rest, so each look is one look
    # down and no way back reads as a look up.
    looks = add(*(held(start, 3.0, 12.0) for start in (2.0, 7.5, 13.0, 18.5, 24.0)))
    events, _ = _online(Patient(pitch=looks), 29.0, fps=fps)
    assert _names(events) == ["look_down"] * 5


def test_a_look_after_one_second_of_rest_stays_a_look() -> None:
    # A short rest, then a long hold: the rest is still the rest (a look is no more frontal).
    looks = add(held(1.2, 3.0, -12.0), held(7.5, 2.0, -12.0))
    events, _ = _online(Patient(pitch=looks), 11.0)
    assert _names(events) == ["look_up", "look_up"]


@pytest.mark.parametrize("fps", [10.0, 15.0])
def test_brief_tilts_at_low_frame_rates(fps: float) -> None:
    tilts = add(held(2.0, 0.4, 12.0, ramp=0.25), held(6.0, 0.5, 12.0, ramp=0.25))
    events, _ = _online(Patient(roll=tilts), 9.0, fps=fps)
    assert _names(events) == ["tilt_right", "tilt_right"]


@pytest.mark.parametrize(
    ("gesture", "channel"),
    [("mouth_open", "jaw"), ("long_blink", "blink"), ("brow_raise", "brow")],
)
def test_an_expression_held_from_the_first_frame_is_not_the_resting_face(
    gesture: str, channel: str
) -> None:
    # The first second is an open mouth (or closed eyes, raised brows): the resting scores
    # learned from it are corrected once the face rests, and the later ones count.
    wave = add(_from_start(2.0, 0.5), held(6.0, 1.5, 0.5), held(11.0, 1.5, 0.5))
    events, _ = _online(moving(channel, wave), 15.0)
    assert _names(events) == [gesture, gesture]


def test_sway_tremor_and_looking_around_stay_silent() -> None:
    sway = sine(0.0, 40.0, 5.0, 0.25)
    tremor = sine(0.0, 40.0, 1.0, 5.5)
    # Looking around: slow sweeps to 25 degrees and back, out longer than any held gesture.
    around: Wave = lambda t: 25.0 * math.sin(2 * math.pi * 0.05 * t)  # noqa: E731
    events, _ = _online(Patient(pitch=add(sway, tremor), yaw=around), 40.0)
    assert events == []


def test_a_look_down_held_from_the_first_frame_is_corrected_within_the_check_period() -> None:
    # No frontal prior helps with pitch: the first neutral (a look down) stands until the end
    # of the check period, when the rest has clearly dwelt longer; then looks read right.
    looks = add(
        _from_start(2.0, 12.0), *(held(start, 1.5, 12.0) for start in (5.0, 10.0, 15.0, 19.0))
    )
    events, neutral = _online(Patient(pitch=looks), 23.0)
    late = [e.gesture for e in events if e.t > 14.5]
    assert late == ["look_down", "look_down"]
    assert neutral.rotation is not None


@pytest.mark.parametrize("fps", [10.0, 15.0])
def test_a_turn_made_while_the_neutral_is_still_being_learned_is_heard(fps: float) -> None:
    # No rest before: the patient turns 0.2 s after the camera finds the face, before any
    # steady second; the neutral comes from the rest after it, and the turn is then read
    # again against it (reported late, once, and not as a turn the other way).
    # (The oscillation detectors, fed angles whose reference moved twice during this turn,
    # may also report a shake here; that is theirs to fix, not asserted either way.)
    yaw = add(held(0.2, 1.0, 15.0), held(6.0, 1.5, 15.0))
    events, _ = _online(Patient(yaw=yaw), 10.0, fps=fps)
    held_events = [e for e in events if e.gesture not in ("nod", "shake")]
    assert _names(held_events) == ["turn_left", "turn_left"]
    assert held_events[0].t < 1.8 + 1.5  # within 1.5 s of the turn's end (0.2 + 1.0 + 2 ramps)


def test_a_tilt_made_before_a_wrong_first_neutral_is_corrected_is_heard() -> None:
    # The first steady second falls inside a long tilt begun from rest; when the neutral moves
    # to the pose the head dwells at, the tilt (begun from that rest) is heard.
    roll = add(held(0.2, 2.6, -14.0), held(7.0, 1.5, -14.0))
    events, _ = _online(Patient(roll=roll), 11.0)
    assert _names(events) == ["tilt_left", "tilt_left"]
    assert "tilt_right" not in _names(events)


@pytest.mark.parametrize(
    ("gesture", "channel"),
    [("mouth_open", "jaw"), ("long_blink", "blink"), ("brow_raise", "brow")],
)
def test_an_expression_begun_before_the_resting_face_is_known_is_heard(
    gesture: str, channel: str
) -> None:
    # The expression starts 1.5 s in, while the resting scores are still being learned (the
    # neutral pose needs a steady second, the resting face one more): read again once known.
    wave = add(held(1.5, 1.5, 0.5, ramp=0.1), held(7.0, 1.5, 0.5, ramp=0.1))
    events, _ = _online(moving(channel, wave), 11.0)
    assert _names(events) == [gesture, gesture]


def test_brows_that_drop_at_every_blink_are_not_raised_between_blinks() -> None:
    # A face whose brows read high at rest (0.55) and drop with every blink (MediaPipe couples
    # the two), blinking a third of the time (as a talker in the lipread clips does): the low
    # scores of the blinks are not the resting brow, so coming back from a blink is not a brow
    # raise; a real raise above the true rest still is.
    def blinking(t: float) -> float:
        if 8.5 <= t <= 11.8:
            return 0.0
        phase = t % 0.9
        return 1.0 if 0.4 <= phase <= 0.7 else 0.0

    brow = add(lambda t: 0.5 - 0.35 * blinking(t), held(9.0, 1.5, 0.3))
    events, _ = _online(Patient(brow=brow, blink=lambda t: 0.5 * blinking(t)), 15.0)
    assert _names(events) == ["brow_raise"]
    assert 10.5 <= events[0].t <= 12.5


def test_a_face_whose_closed_eyes_read_weakly_learns_its_long_blink_from_its_blinks() -> None:
    # Closed eyes read only 0.10 above rest on this face (MediaPipe's blink score saturates
    # low on some faces): the patient's normal blinks (0.2 s) show what closed reads as, and a
    # long blink is judged against that, while those normal blinks stay normal blinks.
    blinks = add(*(held(start, 0.05, 0.10, ramp=0.08) for start in (2.5, 5.0, 7.5, 13.5, 16.0)))
    blink = add(blinks, held(10.0, 1.5, 0.10, ramp=0.1))
    events, _ = _online(Patient(blink=blink, noise_score=0.005), 18.0)
    assert _names(events) == ["long_blink"]
    assert 11.7 <= events[0].t <= 13.5


def test_long_blinks_one_after_another_on_a_face_whose_closed_eyes_read_weakly() -> None:
    # Closed eyes read 0.12 above rest (under the default bar of 0.18) and the patient makes
    # no normal blink to measure it by: the bar comes from how steady the open eyes are. The
    # patient closes the eyes half of the time (five long blinks in 22 s): those frames are
    # not rest, so the bar must not rise with them. (The first long blink, under way while
    # the resting face is learned, is judged against the default bar and missed.)
    starts = ((1.5, 2.4), (6.0, 2.0), (10.0, 2.5), (14.5, 1.5), (18.0, 2.0))
    blink = add(*(held(start, hold, 0.12, ramp=0.1) for start, hold in starts))
    events, _ = _online(Patient(blink=blink, noise_score=0.004), 22.0, fps=10.0)
    assert _names(events) == ["long_blink"] * 4
    assert events[0].t > 8.0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("hz", [0.5, 0.55])
def test_the_swings_of_a_slow_nod_are_not_brief_looks_down(hz: float, seed: int) -> None:
    # At 0.5 Hz the bottom of each swing of a nod stays near its peak for 0.4 s, as long as a
    # brief look down; the nod is reported up to 2.2 s later, and its last swing may come
    # after it was reported. Those swings are the nod, not looks.
    pitch = add(nodding(3.0, 3.0, 10.0, hz), nodding(6.0 + 3.0 / hz, 3.0, 12.0, hz))
    events, _ = _online(Patient(pitch=pitch), 4.0 + 2 * (3.0 / hz + 3.0), seed=seed)
    assert "look_down" not in _names(events)


def test_a_brief_look_down_is_still_a_look_down() -> None:
    # Held half a second, then rest: one look down each (heard about a second later).
    looks = add(held(3.0, 0.5, 12.0), held(8.0, 0.6, 12.0), held(13.0, 2.0, 12.0))
    events, _ = _online(Patient(pitch=looks), 17.0)
    assert _names(events) == ["look_down"] * 3
    assert events[0].t < 3.0 + 0.5 + 0.6 + 1.5


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("start", [2.2, 2.6])
def test_a_weak_long_blink_made_as_soon_as_the_resting_face_is_learned_is_heard(
    start: float, fps: float
) -> None:
    # Closed eyes read 0.12 above rest (under the default bar of 0.18; the studied faces
    # whose eyes look half shut or that rest turned from the camera read 0.12 to 0.22). The
    # resting face is learned about 2 s in; a long blink of 1.5 s begun right after it is the
    # patient's first call and is judged against the bar of the open eyes seen so far, not
    # the default that applies until three seconds of them were seen.
    blink = held(start, 1.5, 0.12, ramp=0.1)
    events, _ = _online(Patient(blink=blink, noise_score=0.004), 9.0, fps=fps)
    assert _names(events) == ["long_blink"]
    assert start + 1.5 <= events[0].t <= start + 1.5 + 1.0


@pytest.mark.parametrize("start", [3.5, 4.0, 5.0])
def test_a_weak_long_blink_made_seconds_after_the_face_appeared_is_heard(start: float) -> None:
    # Closed eyes read 0.12 above rest (under the default bar): three seconds of open eyes
    # (30 frames at 10 fps) measure how steady they are, so a long blink of 1.2 s begun 3.5
    # to 5 s after the face appeared is judged against this face's own bar.
    blink = held(start, 1.2, 0.12, ramp=0.1)
    events, _ = _online(Patient(blink=blink, noise_score=0.004), 9.0, fps=10.0)
    assert _names(events) == ["long_blink"]


@pytest.mark.parametrize("seed", [0, 1, 4])
@pytest.mark.parametrize("fps", [10.0, 30.0])
@pytest.mark.parametrize("pitch", [5.0, 9.0, -9.0])
def test_a_weak_long_blink_with_the_head_tipping_long_after_the_early_bar_is_heard(
    pitch: float, fps: float, seed: int
) -> None:
    # Closed eyes read 0.15 above rest (under the default bar), and the head tips a little as
    # the eyes close. Six seconds in, the resting spread is long measured: the bar that tells
    # a pitch echoing the blink from a look (and the pitch's blink filter) is this face's own,
    # even when the early bar had already set the detector's to the same value.
    blink = held(6.0, 2.0, 0.15)
    events, _ = _online(Patient(blink=blink, pitch=held(6.2, 1.6, pitch)), 11.0, fps, seed)
    assert _names(events) == ["long_blink"]


def _const(value: float) -> Wave:
    return lambda _t: value


# A patient resting turned from the camera (a tablet to one side of the bed), performing as
# the bench clips do: a short rest first, then five holds of 0.5 to 3 s with 2.2 to 3.2 s of
# rest between them. A turn toward the camera is "more frontal" than the rest and must still
# not become the neutral pose (the way back would read as a turn the other way). (A first
# hold begun before any steady second of rest, or one held toward the camera for longer than
# 0.6 times the rest before it, stays ambiguous with a camera that came on mid-gesture: see
# NeutralParams.frontal_cap.)
_VALUES = {"turn_left": 18.0, "turn_right": -18.0, "look_up": -12.0, "look_down": 14.0}
_HOLDS = (1.2, 3.0, 2.5, 0.5, 2.0)


def _performances(start: float, value: float) -> tuple[Wave, float]:
    waves, t = [], start
    for hold, rest in zip(_HOLDS, (2.6, 2.2, 3.2, 2.4, 3.0), strict=True):
        waves.append(held(t, hold, value, ramp=0.35))
        t += hold + 0.7 + rest
    return add(*waves), t


@pytest.mark.parametrize("rest_yaw", [20.0, -20.0])
@pytest.mark.parametrize("gesture", ["turn_left", "turn_right"])
@pytest.mark.parametrize("onset", [2.5, 3.0])
def test_turns_of_a_patient_resting_turned_from_the_camera(
    rest_yaw: float, gesture: str, onset: float
) -> None:
    moves, end = _performances(onset, _VALUES[gesture])
    events, _ = _online(Patient(yaw=add(_const(rest_yaw), moves)), end)
    assert _names(events) == [gesture] * 5


@pytest.mark.parametrize(("rest_yaw", "rest_roll"), [(20.0, 0.0), (-20.0, 0.0), (15.0, 8.0)])
@pytest.mark.parametrize("gesture", ["look_up", "look_down"])
@pytest.mark.parametrize("onset", [1.5, 3.0])
def test_looks_of_a_patient_resting_turned_from_the_camera(
    rest_yaw: float, rest_roll: float, gesture: str, onset: float
) -> None:
    moves, end = _performances(onset, _VALUES[gesture])
    patient = Patient(pitch=moves, yaw=_const(rest_yaw), roll=_const(rest_roll))
    events, _ = _online(patient, end)
    assert _names(events) == [gesture] * 5


def _turns(start: float, value: float, holds: tuple[float, ...]) -> tuple[Wave, float]:
    waves, t = [], start
    for hold in holds:
        waves.append(held(t, hold, value, ramp=0.35))
        t += hold + 0.7 + 2.6
    return add(*waves), t + 2.0  # time for the last event (a turn waits for the shake detector)


@pytest.mark.parametrize("rest_yaw", [20.0, -20.0])
@pytest.mark.parametrize("first_hold", [1.6, 1.9])
def test_a_first_turn_toward_the_camera_held_nearly_as_long_as_the_rest_before_it(
    rest_yaw: float, first_hold: float
) -> None:
    # 2.5 s of rest turned 20 degrees from the camera, then a first turn toward it held 1.6 to
    # 1.9 s: more than 0.6 times the rest, so the frontal prior alone took the turn for the
    # rest, and the way back read as a turn the other way (NeutralParams.under_way_ratio).
    toward = -18.0 if rest_yaw > 0 else 18.0
    moves, end = _turns(2.5, toward, (first_hold, 1.0, 2.5, 0.8))
    events, _ = _online(Patient(yaw=add(_const(rest_yaw), moves)), end)
    gesture = "turn_right" if toward < 0 else "turn_left"
    assert _names(events) == [gesture] * 4


@pytest.mark.parametrize("fps", [10.0, 15.0])
@pytest.mark.parametrize("rest_yaw", [20.0, -20.0])
@pytest.mark.parametrize(("rest", "first_hold"), [(2.0, 2.4), (2.3, 2.2)])
def test_a_first_turn_toward_the_camera_held_longer_than_the_rest_before_it(
    fps: float, rest_yaw: float, rest: float, first_hold: float
) -> None:
    # hopper's off-axis clip: resting turned 20 degrees from the camera, a first turn toward
    # it held (with its ramps) longer than the rest before it. The dwell ratios took the turn
    # for the rest while the head was still there; the next turn was lost and the way back
    # read as a turn the other way (NeutralParams.under_way_turn_min_s).
    toward = -16.0 if rest_yaw > 0 else 16.0
    moves, end = _turns(rest, toward, (first_hold, 1.0, 2.5, 0.8))
    events, neutral = _online(Patient(yaw=add(_const(rest_yaw), moves)), end, fps=fps)
    gesture = "turn_right" if toward < 0 else "turn_left"
    assert _names(events) == [gesture] * 4
    assert neutral.rotation is not None


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("rest_yaw", [20.0, -20.0])
@pytest.mark.parametrize("rest", [2.0, 3.0])
def test_a_first_turn_toward_the_camera_held_three_seconds_is_a_turn(
    fps: float, rest_yaw: float, rest: float
) -> None:
    # The longest held gesture, 3 s, with 0.35 s ramps, as the first turn from a rest turned 20
    # degrees from the camera: the head dwells near the turn for more than 3 s, so with
    # under_way_turn_min_s at 3 s the turn was taken for the rest and all four turns read the
    # other way (three events, every one backwards).
    toward = -16.0 if rest_yaw > 0 else 16.0
    moves, end = _turns(rest, toward, (3.0, 1.0, 2.5, 0.8))
    events, _ = _online(Patient(yaw=add(_const(rest_yaw), moves)), end, fps=fps)
    gesture = "turn_right" if toward < 0 else "turn_left"
    assert _names(events) == [gesture] * 4


@pytest.mark.parametrize("rest_s", [4.5, 6.0])
def test_a_camera_that_came_on_mid_turn_still_takes_the_rest_that_follows(rest_s: float) -> None:
    # The other side of under_way_turn_min_s: the first pose was a turn away from a frontal
    # rest, and the rest that follows outlasts a held gesture: it is taken for the neutral
    # while the head is still there, and no turn back toward the camera is read.
    yaw = add(_from_start(2.5, 15.0), held(2.8 + rest_s, 2.0, 15.0), held(8.8 + rest_s, 1.5, 15.0))
    events, _ = _online(Patient(yaw=yaw), 13.0 + rest_s)
    assert _names(events) == ["turn_left", "turn_left"]


def test_a_camera_that_came_on_mid_turn_and_saw_a_short_rest_reads_right_after_the_check() -> None:
    # What under_way_turn_min_s costs: a camera that came on mid-turn and sees only 3.2 s of
    # rest before the next turn cannot tell that rest from a turn toward the camera, so the
    # first turn stays the neutral and the next turns read the other way; the check at
    # NeutralParams.verify_s takes the rest, and every turn after it reads right.
    turns = (held(start, 2.0, 15.0) for start in (6.0, 12.0, 18.0))
    events, neutral = _online(Patient(yaw=add(_from_start(2.5, 15.0), *turns)), 24.0)
    settled = [e for e in events if e.t > NeutralParams().verify_s + 3.0]
    assert {e.gesture for e in settled} == {"turn_left"}
    assert settled[-1].t > 18.0  # the last turn, made after the check, is found
    assert neutral.rotation is not None


def test_a_first_turn_begun_at_the_first_frame_from_a_frontal_rest_is_still_corrected() -> None:
    # The camera sees the rest (frontal) for a moment, then a first turn away held 2.8 s
    # becomes the first neutral. The head came from the rest to it (NeutralPose's origin), so
    # the rest it comes back to is taken at once, as before the under-way rule, and the first
    # turn is read again against it (without the origin: three turns of four).
    moves, end = _turns(0.05, 18.0, (2.8, 1.0, 2.5, 0.8))
    events, _ = _online(Patient(yaw=moves), end)
    assert _names(events) == ["turn_left"] * 4


@pytest.mark.parametrize("rest_yaw", [20.0, -20.0, 0.0])
@pytest.mark.parametrize("gesture", ["look_up", "look_down"])
@pytest.mark.parametrize("first_hold", [1.5, 3.0])
@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_a_first_look_begun_at_the_first_frame_is_corrected_when_the_head_comes_back(
    rest_yaw: float, gesture: str, first_hold: float, fps: float
) -> None:
    # The camera sees the rest (turned 20 degrees, or frontal) for a moment, then a first look
    # held 1.5 to 3 s becomes the first neutral. No frontal prior helps pitch: the rest had to
    # dwell 3 times as long as the look, so the look stood as the neutral until the check at
    # 12 s and every look before it read as the opposite look. The head came from the rest to
    # the look and back within 4 s (NeutralParams.origin_return_ratio): the rest is taken and
    # every later look reads right. The first look is read again against it, and heard, even
    # after a 3 s hold: the rest is taken while the look's start is still among the frames
    # kept (EngineParams.replay_s) and at most 1.5 s after the look ended
    # (EngineParams.replay_max_age_s). With the ratio at 0.6 the rest came too late for a 3 s
    # hold (three looks of four; session 31).
    moves, end = _turns(0.05, _VALUES[gesture], (first_hold, 1.0, 2.5, 0.8))
    events, _ = _online(Patient(pitch=moves, yaw=_const(rest_yaw)), end, fps=fps)
    assert _names(events) == [gesture] * 4


@pytest.mark.parametrize("rest_yaw", [20.0, -20.0])
def test_a_turn_away_whose_far_brow_reads_raised_is_not_an_expression_echo(
    rest_yaw: float,
) -> None:
    # Turning further from the camera, MediaPipe reads the far brow raised (0.17 to 0.25 above
    # rest on the off-axis clips), above the brow raise's adapted bar by more than the turn
    # passes its own: the turn was dropped as the echo of an expression. A brow raise never
    # counts with the head turned (brow_max_turn_deg), so it cannot explain the turn.
    away = 11.0 if rest_yaw > 0 else -11.0
    starts = (4.0, 9.0, 14.0)
    turns = add(*(held(s, 1.5, away) for s in starts))
    brows = add(*(held(s, 1.5, 0.25) for s in starts))
    patient = Patient(yaw=add(_const(rest_yaw), turns), brow=brows)
    events, _ = _online(patient, 18.0)
    gesture = "turn_left" if away > 0 else "turn_right"
    assert _names(events) == [gesture] * 3


def _far_eye_weak(patient: Patient, seconds: float, far: str, share: float) -> list[GestureEvent]:
    """Like :func:`_online`, with the far eye's blink rise read at ``share`` of the near's."""
    neutral = NeutralPose()
    engine = GestureEngine()
    events: list[GestureEvent] = []
    rest = 0.05
    for o in patient.trace(seconds, seed=5, fps=15.0):
        shapes = dict(o.blendshapes)
        if o.found:
            shapes[far] = rest + share * (shapes[far] - rest)
        rotation = o.rotation if o.found else None
        events += engine.update(observation(neutral, o.t, rotation, o.quality, shapes))
    return events


@pytest.mark.parametrize(("rest_yaw", "far"), [(18.0, "eyeBlinkLeft"), (-18.0, "eyeBlinkRight")])
def test_long_blinks_of_a_face_turned_from_the_camera_are_read_on_the_nearer_eye(
    rest_yaw: float, far: str
) -> None:
    # Resting 18 degrees to the patient's left, the left eye is the far one: closed, it read
    # about half of the near eye's score (0.23 against 0.38 on the off-axis clips). The less
    # closed eye (the frontal rule) stayed under the bar.
    blinks = add(*(held(s, 1.5, 0.25, ramp=0.1) for s in (5.0, 10.0, 15.0)))
    patient = Patient(yaw=_const(rest_yaw), blink=blinks)
    events = _far_eye_weak(patient, 19.0, far, 0.36)
    assert _names(events) == ["long_blink"] * 3


def test_one_eye_closing_on_a_turned_face_is_not_a_long_blink() -> None:
    # The nearer eye counts only as far as the far eye follows it: a wink is no blink.
    winks = add(*(held(s, 1.5, 0.5, ramp=0.1) for s in (5.0, 10.0)))
    patient = Patient(yaw=_const(18.0), blink=winks)
    events = _far_eye_weak(patient, 14.0, "eyeBlinkLeft", 0.0)
    assert events == []


@pytest.mark.parametrize(
    ("rest_yaw", "far"), [(20.0, "browOuterUpLeft"), (-20.0, "browOuterUpRight")]
)
def test_brow_raises_of_a_face_turned_from_the_camera_whose_far_brow_reads_noisy(
    rest_yaw: float, far: str
) -> None:
    # Resting 20 degrees to one side, MediaPipe reads the far outer brow raised at rest (0.18
    # against 0.05) and jittery (hopper's off-axis clips: its resting spread set the adapted
    # brow bar at the profile's 0.2, above the raise itself). The raise lifts the outer brows
    # by 0.2 and the inner one little (as on hopper). With the brows' maximum the bar stayed
    # at the raise's height; with the outer brows' mean on a turned face (vision.channels)
    # the far brow's noise counts half and every raise is heard.
    raises = add(*(held(s, 1.5, 0.2, ramp=0.15) for s in (7.0, 12.0, 17.0)))
    patient = Patient(yaw=_const(rest_yaw), brow=raises)
    neutral = NeutralPose()
    engine = GestureEngine()
    rng = np.random.default_rng(11)
    events: list[GestureEvent] = []
    for o in patient.trace(21.0, seed=5, fps=15.0):
        shapes = dict(o.blendshapes)
        if o.found:
            shapes[far] += 0.13 + float(rng.normal(0.0, 0.03))
            shapes["browInnerUp"] = 0.05 + 0.15 * (shapes["browInnerUp"] - 0.05)
        rotation = o.rotation if o.found else None
        events += engine.update(observation(neutral, o.t, rotation, o.quality, shapes))
    assert _names(events) == ["brow_raise"] * 3


def _view_quality(abs_yaw: float, at_rest: float = 0.62, rest_yaw: float = 17.0) -> float:
    """The view's quality as MediaPipe's frames gave it on a 78 px face resting turned 17
    degrees (the studied face ``obama``): 0.62 at rest, falling as the head turns further
    away (the face foreshortens and its far side hides) to 0.32 at 32 degrees."""
    return max(0.0, at_rest - 0.02 * max(0.0, abs_yaw - rest_yaw))


def _online_turned_view(patient: Patient, seconds: float, fps: float) -> list[GestureEvent]:
    """Like :func:`_online`, with each frame's quality taken from its absolute yaw."""
    neutral = NeutralPose()
    engine = GestureEngine()
    events: list[GestureEvent] = []
    for o in patient.trace(seconds, seed=7, fps=fps):
        quality = _view_quality(abs(float(o.yaw or 0.0)))
        rotation = o.rotation if o.found else None
        events += engine.update(observation(neutral, o.t, rotation, quality, o.blendshapes))
    return events


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("rest_yaw", [17.0, -17.0])
def test_a_turn_away_from_a_rest_turned_from_the_camera_is_not_lost_to_its_own_view(
    fps: float, rest_yaw: float
) -> None:
    # A small face resting turned 17 degrees turns 15 degrees further away: the view's quality
    # falls from 0.62 to 0.32, under the detectors' 0.35, while MediaPipe reads the held turn
    # steadily. The turn was dropped as "face lost or poor" (obama's turn_left, hopper's
    # off-axis turn_right); a held gesture begun on a good view now goes on down to 0.2
    # (EngineParams.held_min_quality).
    away = 15.0 if rest_yaw > 0 else -15.0
    starts = (3.5, 8.5, 13.5)
    turns = add(*(held(s, 1.5, away) for s in starts))
    events = _online_turned_view(Patient(yaw=add(_const(rest_yaw), turns)), 18.0, fps)
    gesture = "turn_left" if away > 0 else "turn_right"
    assert _names(events) == [gesture] * 3


def _small_turned_face_quality(abs_yaw: float, at_rest: float = 0.59) -> float:
    """The view's quality as MediaPipe's frames gave it on a 78 px face resting 22 degrees
    from the camera (the studied face ``hopper`` resting turned right): 0.59 at rest, its
    width foreshortening as the head turns further (the cosine), times the quality's own
    frontality factor: 0.15 at 42 degrees. ``at_rest`` 1.0: a 105 px face (``lps11``)."""
    width = at_rest * math.cos(math.radians(abs_yaw)) / math.cos(math.radians(22.0))
    return min(1.0, width) * frontal_share(abs_yaw)


def _online_small_turned_face(
    patient: Patient, seconds: float, fps: float, at_rest: float = 0.59
) -> list[GestureEvent]:
    """Like :func:`_online`, each frame's quality from its absolute yaw (the trace's yaw is
    absolute: the rest is part of it)."""
    neutral = NeutralPose()
    engine = GestureEngine()
    events: list[GestureEvent] = []
    for o in patient.trace(seconds, seed=7, fps=fps):
        quality = _small_turned_face_quality(abs(float(o.yaw or 0.0)), at_rest)
        rotation = o.rotation if o.found else None
        events += engine.update(observation(neutral, o.t, rotation, quality, o.blendshapes))
    return events


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("rest_yaw", [22.0, -22.0])
def test_a_small_face_turning_further_from_a_turned_rest_is_not_judged_poor_twice(
    fps: float, rest_yaw: float
) -> None:
    # A 78 px face resting 22 degrees from the camera turns 20 degrees further away: its
    # quality falls from 0.59 to 0.15, for its foreshortened width and again for its yaw,
    # under held_min_quality (0.2), while MediaPipe reads the held turn steadily (yaw
    # spread 0.16 degrees on the studied faces' plateaus at 40 to 45 degrees). The turn was
    # lost as "face lost or poor" (hopper's, lps2_mirror's, lps11's turns right, session
    # 37); the floor is now on the view apart from the head's frontality.
    away = 20.0 if rest_yaw > 0 else -20.0
    turns = add(*(held(s, 1.5, away) for s in (3.5, 8.5, 13.5)))
    patient = Patient(yaw=add(_const(rest_yaw), turns))
    events = _online_small_turned_face(patient, 18.0, fps)
    gesture = "turn_left" if away > 0 else "turn_right"
    assert _names(events) == [gesture] * 3


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("rest_yaw", [22.0, -22.0])
def test_a_turn_from_the_first_frame_away_from_a_turned_rest_is_found_again_on_a_low_view(
    fps: float, rest_yaw: float
) -> None:
    # The camera comes on as a patient resting 22 degrees from the camera turns 18 degrees
    # further away and holds it 2.6 s: the first neutral is the turn, replaced by the rest
    # once the head comes back, and the replay of the kept frames finds the turn. At 40
    # degrees a 105 px face reads quality 0.33 (lps11's first turn right, session 37): the
    # live frames carry a held turn down to held_min_quality, the replay stopped it at
    # min_quality (0.35), and the turn was lost.
    away = 18.0 if rest_yaw > 0 else -18.0
    turn = held(0.1, 2.6, away, ramp=0.35)
    patient = Patient(yaw=add(_const(rest_yaw), turn, held(8.0, 1.5, away)))
    events = _online_small_turned_face(patient, 12.0, fps, at_rest=1.0)
    gesture = "turn_left" if away > 0 else "turn_right"
    assert _names(events) == [gesture] * 2
    assert events[0].t < 5.0


@pytest.mark.parametrize("rest_yaw", [22.0, -22.0])
def test_a_turn_into_profile_still_ends_the_held_turn(rest_yaw: float) -> None:
    # The tracker's limit stays: a turn held past 50 degrees from the camera (the frontality
    # factor 0, the far side's landmarks gone) is no gesture, however good the face's size.
    away = 32.0 if rest_yaw > 0 else -32.0
    turns = add(*(held(s, 1.5, away) for s in (3.5, 8.5)))
    patient = Patient(yaw=add(_const(rest_yaw), turns))
    events = _online_small_turned_face(patient, 13.0, 15.0)
    assert not [e for e in events if e.gesture.startswith("turn")]


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("rest_yaw", [0.0, 30.0])
def test_a_held_turn_whose_face_leaves_the_frame_still_ends(fps: float, rest_yaw: float) -> None:
    # The held floor itself stays: taking the frontality out of the quality leaves the face's
    # size times its framing, and a face half out of the picture (framing 0.1) on the
    # plateau ends the turn at any rest (review rev37a: without the floor, these turns count).
    starts = (3.5, 8.5, 13.5)
    patient = Patient(yaw=add(_const(rest_yaw), *(held(s, 1.5, 15.0) for s in starts)))
    neutral, engine, events = NeutralPose(), GestureEngine(), []
    for o in patient.trace(18.0, seed=7, fps=fps):
        assert o.yaw is not None  # the face is in view on every frame of this trace
        out = any(s + 0.6 <= o.t <= s + 1.6 for s in starts)
        frontal = min(1.0, max(0.0, (50.0 - abs(o.yaw)) / 25.0))
        quality = (0.1 if out else 1.0) * frontal
        events += engine.update(observation(neutral, o.t, o.rotation, quality, o.blendshapes))
    assert not [e for e in events if e.gesture.startswith("turn")]


def test_the_held_floor_takes_out_the_frontality_the_tracker_put_in() -> None:
    # A tracker given other ramps (here: frontal only to 20 degrees, landmarks gone from 40)
    # must give the engine the same ones. A small face (size factor 0.4) resting 15 degrees
    # from the camera turns 23 further, to 38: the tracker's quality 0.4 x 0.1 = 0.04 is the
    # size 0.4 apart from frontality, well over the floor, and the turns are found. Taken
    # apart with the default ramps (frontality 0.48 at 38 degrees) the same quality reads as
    # a size of 0.08, under the floor, and both turns were lost.
    turns = add(*(held(s, 1.5, 23.0) for s in (3.5, 8.5)))
    patient = Patient(yaw=add(_const(15.0), turns))
    tracker_view = QualityParams(frontal_deg=20.0, away_deg=40.0)
    found = {}
    for name, view in (("same ramps", tracker_view), ("default ramps", QualityParams())):
        neutral, engine, events = NeutralPose(), GestureEngine(view=view), []
        for o in patient.trace(13.0, seed=3, fps=15.0):
            assert o.yaw is not None
            quality = 0.4 * frontal_share(o.yaw, tracker_view)
            events += engine.update(observation(neutral, o.t, o.rotation, quality, o.blendshapes))
        found[name] = _names(events)
    assert found == {"same ramps": ["turn_left"] * 2, "default ramps": []}


def test_a_turn_seen_only_on_a_poor_view_stays_silent() -> None:
    # The lower floor is for a gesture begun on a good view: a face whose view is poor all
    # along (quality 0.3, under min_quality) still gives no held gesture.
    turns = add(*(held(s, 1.5, 15.0) for s in (3.5, 8.5)))
    patient = Patient(yaw=turns, quality=0.3)
    events, _ = _online(patient, 13.0)
    assert not [e for e in events if e.gesture.startswith("turn")]


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_strong_brow_raises_that_tip_mediapipes_pitch_are_still_brow_raises(fps: float) -> None:
    # Raising the brows bends the forehead, which MediaPipe reads as the head tipping back:
    # 6 to 15 degrees of pitch per unit of rise on the rendered faces (the training face's
    # 0.5 raises tipped it 3.1 to 3.3 degrees within the excursion, over the brow raise's 3
    # degree head range, and were dropped). The raise's own echo no longer counts
    # (EngineParams.brow_pitch_echo_deg).
    raises = add(*(held(s, 1.5, 0.5) for s in (5.0, 10.0, 15.0)))
    patient = Patient(brow=raises, pitch=lambda t: -9.0 * raises(t))
    events, _ = _online(patient, 19.0, fps=fps)
    assert _names(events) == ["brow_raise"] * 3


def test_a_head_tipping_back_with_a_small_brow_rise_is_still_not_a_brow_raise() -> None:
    # Only the raise's own echo is taken out: a head that tips back 10 degrees while the brows
    # read 0.25 higher (MediaPipe reads a moving head's brows as raised) is head movement.
    rises = add(*(held(s, 1.5, 0.25) for s in (5.0, 10.0, 15.0)))
    patient = Patient(brow=rises, pitch=lambda t: -40.0 * rises(t))
    events, _ = _online(patient, 19.0)
    assert "brow_raise" not in _names(events)


@pytest.mark.parametrize("sway", [0.0, 2.0])
@pytest.mark.parametrize("fps", [10.0, 15.0])
def test_strong_brow_raises_whose_pitch_does_not_echo_them_are_still_brow_raises(
    sway: float, fps: float
) -> None:
    # The pitch echo of a brow raise varies by face: 8 to 15 degrees per unit of rise on the
    # frontal faces, 0 to 4 on the studied faces resting turned and chin up (session 10:
    # lacamoire_mirror, lps2_mirror, obama_mirror), whose raises read 0.4 to 0.66. Taking 6
    # degrees per unit out of a pitch that did not move put 3.2 to 4.4 degrees of phantom
    # range in the head-range check (3) and dropped 5 of lacamoire_mirror's 10 raises. The
    # pitch as read counts too (EngineParams.brow_pitch_echo_deg; the smaller range).
    raises = add(*(held(s, 1.5, 0.6) for s in (5.0, 10.0, 15.0)))
    patient = Patient(brow=raises, pitch=sine(0.0, 19.0, sway, 0.2))
    events, _ = _online(patient, 19.0, fps=fps)
    assert _names(events) == ["brow_raise"] * 3


def _resting_jitter(t: float) -> float:
    """A resting pitch that wanders by about 1.5 degrees peak to peak from the third second on
    (after the neutral and its noise were measured): a small, dim face's landmark jitter."""
    if t < 3.0:
        return 0.0
    return 0.4 * math.sin(2 * math.pi * 1.1 * t) + 0.35 * math.sin(2 * math.pi * 1.9 * t + 1.0)


@pytest.mark.parametrize("hold", [1.2, 1.7])
def test_a_look_is_not_kept_waiting_by_a_nod_detector_that_never_settles(hold: float) -> None:
    # A held look leaves the nod detector two turning points (up and back); a resting pitch
    # that jitters over its settle band (lps11's turned clips, a 78 px dim face: about 2
    # degrees against 0.9) never lets it settle, so the look waited for a nod that never
    # came, up to defer_max_s (8 s): past the end of the clip, 2.7 s later
    # (EngineParams.defer_turn_margin_s: no turning point for longer than a half period).
    looks = held(8.0, hold, -14.0)
    patient = Patient(pitch=add(looks, _resting_jitter))
    events, _ = _online(patient, 8.0 + hold + 0.6 + 2.7, fps=15.0)
    assert _names(events) == ["look_up"]


def _brows_from(
    rest: float, raises: Wave, seconds: float, noise: float, pitch: Wave | None = None
) -> list[GestureEvent]:
    """Brow raises on a face whose three brow scores rest at ``rest`` (clipped at 0 as
    MediaPipe's are), with ``noise`` of jitter (and the head's pitch, if given)."""
    patient = Patient(brow=raises) if pitch is None else Patient(brow=raises, pitch=pitch)
    neutral = NeutralPose()
    engine = GestureEngine()
    rng = np.random.default_rng(4)
    events: list[GestureEvent] = []
    for o in patient.trace(seconds, seed=6, fps=10.0):
        shapes = dict(o.blendshapes)
        if o.found:
            for name in ("browInnerUp", "browOuterUpLeft", "browOuterUpRight"):
                jitter = abs(float(rng.normal(0.0, noise))) if rest == 0.0 else rng.normal(0, noise)
                shapes[name] = float(np.clip(rest + raises(o.t) + jitter, 0.0, 1.0))
        rotation = o.rotation if o.found else None
        events += engine.update(observation(neutral, o.t, rotation, o.quality, shapes))
    return events


@pytest.mark.parametrize("rise", [0.09, 0.11])
def test_brow_raises_of_a_face_whose_brows_rest_at_zero_are_heard_though_they_read_small(
    rise: float,
) -> None:
    # obama_mirror (a photo turned to the patient's right and chin up, like the held-out
    # face): MediaPipe reads the brows at 0.001 at rest (spread 0.0001) and its raises 0.09
    # to 0.15 above that, under the adapted bar's 0.12 floor: 0 of 10 heard. A score clipped
    # at 0 at rest has no noise to guard against (EngineParams.zero_rest_floor_ratio).
    raises = add(*(held(s, 1.5, rise, ramp=0.2) for s in (7.0, 12.0, 17.0)))
    events = _brows_from(0.0, raises, 21.0, noise=0.0005)
    assert _names(events) == ["brow_raise"] * 3


@pytest.mark.parametrize("rise", [0.045, 0.055])
def test_the_weakest_brow_raises_read_on_a_face_whose_brows_rest_at_zero_are_heard(
    rise: float,
) -> None:
    # obama_mirror's two weakest raises on this render read 0.045 and 0.054 over a rest of
    # 0.001, under the zero-rest floor's old bar of 0.06 (0.3 of 0.2): both were lost. The
    # floor is now 0.2 of the profile's bar, 0.04 (EngineParams.zero_rest_floor_ratio).
    raises = add(*(held(s, 1.5, rise, ramp=0.2) for s in (7.0, 12.0, 17.0)))
    events = _brows_from(0.0, raises, 21.0, noise=0.0005)
    assert _names(events) == ["brow_raise"] * 3


def test_brows_waiting_a_little_over_a_zero_rest_are_no_brow_raise() -> None:
    # hopper (brows resting at 0.007) held them 0.03 to 0.036 over rest for a second before a
    # long blink: the highest level held outside a raise on a zero-rest face, under the bar
    # of 0.04 (at 0.03 it was a false brow raise).
    waits = add(*(held(s, 1.2, 0.035, ramp=0.2) for s in (7.0, 12.0, 17.0)))
    events = _brows_from(0.0, waits, 21.0, noise=0.0005)
    assert "brow_raise" not in _names(events)


def test_small_brow_rises_of_a_face_whose_brows_rest_above_zero_keep_the_old_floor() -> None:
    # The same small rises on brows resting at 0.05 with some jitter (the other faces rest at
    # 0.016 to 0.12) stay under the 0.12 floor, as before: only a zero rest lowers it.
    raises = add(*(held(s, 1.5, 0.09, ramp=0.2) for s in (7.0, 12.0, 17.0)))
    events = _brows_from(0.05, raises, 21.0, noise=0.004)
    assert "brow_raise" not in _names(events)


# The zero-rest floor from the moment the rest is learned (EngineParams.zero_rest_early):
# obama and obama_mirror raised their brows in their first seconds, 0.14 to 0.19 above a rest
# of 0.001, and those raises met the profile's bar of 0.2, as the spread that lowers it is
# measured only after 3 s of rest.


def test_a_brow_raise_in_the_first_seconds_of_a_face_whose_brows_rest_at_zero_is_heard() -> None:
    # The rest is learned by about 2 s; a raise of 0.15 begins right after it.
    raises = add(*(held(s, 1.4, 0.15, ramp=0.2) for s in (2.2, 8.0, 13.0)))
    events = _brows_from(0.0, raises, 17.0, noise=0.0005)
    assert _names(events) == ["brow_raise"] * 3


def test_a_brow_raise_under_way_while_the_rest_is_learned_is_heard_once_it_is_corrected() -> None:
    # The raise begins 0.2 s in and lasts past the first steady second, which becomes the
    # "rest"; once the true rest (zero) replaces it, the kept frames are read again.
    raises = add(held(0.2, 2.0, 0.15, ramp=0.1), held(8.0, 1.4, 0.15, ramp=0.2))
    events = _brows_from(0.0, raises, 12.0, noise=0.0005)
    assert _names(events) == ["brow_raise"] * 2


def test_a_brow_flicker_over_the_early_zero_rest_bar_does_not_take_a_look_up_for_its_echo() -> None:
    # hopper: one frame of the brows at 0.37 (brows resting at 0.007) while the head looked
    # up; against the early bar of 0.06 that "expression" rose 6 times its bar against the
    # look's 2.2, and the look was dropped as its echo. The early bar is the detector's only.
    flicker = held(3.2, 0.0, 0.3, ramp=0.1)
    look = held(2.8, 1.5, -17.0, ramp=0.2)
    events = _brows_from(0.0, flicker, 8.0, noise=0.0005, pitch=look)
    assert _names(events) == ["look_up"]


@pytest.mark.parametrize(("rest", "noise", "rise"), [(0.05, 0.004, 0.15), (0.0, 0.0005, 0.03)])
def test_early_brow_rises_stay_under_the_bar_unless_large_enough_on_a_zero_rest(
    rest: float, noise: float, rise: float
) -> None:
    # Brows resting above zero keep the profile's bar (0.2) until their spread is measured;
    # on a zero rest a rise of 0.03 stays under the floor (0.04).
    rises = held(2.2, 1.4, rise, ramp=0.2)
    events = _brows_from(rest, rises, 8.0, noise=noise)
    assert "brow_raise" not in _names(events)


# MediaPipe reads a look up from a neutral turned 17 to 24 degrees from the camera at 0.6 to
# 0.85 of its size (the studied faces obama and obama_mirror; frontal faces 0.94 to 1.06):
# looks up of 10 to 12 degrees peaked at 6.4 to 7.7, under the 8 degree bar, and were lost.
# The look up's bar follows the neutral's absolute yaw (EngineParams.look_turned_share).


def _steady(pitch: Wave, yaw: float) -> Patient:
    """A patient whose angles jitter 0.1 degrees: with the traces' usual 0.2, the plateau of a
    7.5 degree look (the time within 0.9 of its peak) breaks up at 30 fps whatever the bar."""
    return Patient(pitch=pitch, yaw=_const(yaw), noise_deg=0.1)


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("rest_yaw", [24.0, -24.0])
def test_looks_up_that_read_short_from_a_neutral_turned_from_the_camera_are_heard(
    fps: float, rest_yaw: float
) -> None:
    moves, end = _performances(2.5, -7.5)
    events, _ = _online(_steady(add(_const(-10.0), moves), rest_yaw), end, fps=fps)
    assert _names(events) == ["look_up"] * 5


@pytest.mark.parametrize("value", [-6.5, 6.5])
def test_the_same_short_looks_from_a_frontal_neutral_stay_under_the_bar(value: float) -> None:
    # Facing the camera the bar is the profile's: 6.5 degrees, under look_weak_share (0.85) of
    # it, is a small pitch movement, not a look, however long it is held (a look read at 7.4
    # to 7.9 counts when held 0.8 s: session 49, test_vision_weak_look). Looks down keep their
    # bar from a turned rest too (they read short on frontal faces as well, and a glance down
    # must not become a look).
    moves, end = _performances(2.5, value)
    events, _ = _online(_steady(moves, 0.0), end)
    assert not [e for e in events if e.gesture.startswith("look")]
    turned, _ = _online(_steady(moves, 24.0), end)
    assert value < 0 or not [e for e in turned if e.gesture.startswith("look")]


@pytest.mark.parametrize("value", [-7.5, 7.5])
def test_looks_read_at_7_5_degrees_from_a_frontal_neutral_count_only_when_held_long(
    value: float,
) -> None:
    # The weak-look trade pinned (session 49, review rev49c): 7.5 degrees is over
    # look_weak_share (0.85) of the 8 degree bar, so such a movement held 0.8 s or more and
    # back is a look, as a look MediaPipe reads short is; held 0.5 s it is not, and held 3 s
    # it is dropped by the look's maximum hold as before.
    moves, end = _performances(2.5, value)
    events, _ = _online(_steady(moves, 0.0), end)
    looks = [e for e in events if e.gesture.startswith("look")]
    assert len(looks) == sum(0.8 <= hold < 3.0 for hold in _HOLDS)
    assert {e.gesture for e in looks} == {"look_up" if value < 0 else "look_down"}


@pytest.mark.parametrize("rest_yaw", [24.0, -30.0])
def test_a_small_pitch_wobble_from_a_turned_neutral_is_still_no_look(rest_yaw: float) -> None:
    # The lower bar is 0.75 of the profile's at most: held pitch movements of 5 degrees, a
    # slow 4 degree sway and a brisk 6 degree wobble from a turned rest give no look.
    held_small = add(*(held(s, 1.5, v) for s, v in ((3.0, 5.0), (8.0, -5.0), (13.0, -5.0))))
    wobble = add(sine(17.0, 8.0, 4.0, 0.3), sine(27.0, 3.0, 6.0, 2.0))
    patient = Patient(pitch=add(held_small, wobble), yaw=_const(rest_yaw))
    events, _ = _online(patient, 32.0)
    assert not [e for e in events if e.gesture.startswith("look")]


@pytest.mark.parametrize("per_deg", [0.015, 0.02])
def test_a_look_up_that_raises_the_brow_score_is_a_look_up_not_a_brow_raise(
    per_deg: float,
) -> None:
    # MediaPipe's brow score follows the head's pitch on some faces: 0.020 to 0.024 per degree
    # of looking up on lps11 frontal (a child whose brows rest at 0.44; session 10, glook2), so
    # a 12 degree look rose 0.18 to 0.25, 1.3 to 1.8 times the brow bar. The looks were dropped
    # as "an expression rose more" and a held one became a brow raise. A brow raise's own echo
    # tips the pitch at most brow_look_floor_deg plus brow_look_echo_deg per unit of rise: a
    # look further up than that raised the brows, not the other way round.
    pitch = add(held(5.0, 2.5, -12.0), held(11.0, 2.5, -12.0), held(17.0, 2.5, -12.0))
    brows = _brows_from(0.44, lambda t: -per_deg * pitch(t), 22.0, 0.01, pitch=pitch)
    assert _names(brows) == ["look_up"] * 3


@pytest.mark.parametrize("echo", [0.0, 8.0, 15.0])
def test_brow_raises_with_a_still_or_echoing_pitch_are_still_brow_raises_on_such_a_face(
    echo: float,
) -> None:
    # The other side of the rule above: raises of 0.3 whose pitch stands still or echoes them
    # (8 to 15 degrees of chin-up per unit of rise on the frontal faces) stay brow raises.
    raises = add(*(held(s, 1.5, 0.3) for s in (5.0, 10.0, 15.0)))
    brows = _brows_from(0.44, raises, 19.0, 0.01, pitch=lambda t: -echo * raises(t))
    assert _names(brows) == ["brow_raise"] * 3


def _settle(start: float, seconds: float, value: float) -> Wave:
    """A change of posture: from 0 to ``value`` over ``seconds`` from ``start``, then kept."""

    def f(t: float) -> float:
        if t <= start:
            return 0.0
        if t >= start + seconds:
            return value
        return value * 0.5 * (1 - math.cos(math.pi * (t - start) / seconds))

    return f


def test_gestures_after_settling_into_a_new_posture_are_heard() -> None:
    # Like `franck` (pkgface): rest, then after the first-pose check the patient settles 7
    # degrees to his left with 4 of tilt (the pillow moved) and sways 3 degrees there, over
    # the turn's bar now and then. Read against the old rest, that posture is a turn held past
    # its maximum, and the detector stayed blocked until the slow drift brought it back under
    # its release bar; a turn to his right from the new posture read only 4 degrees. The
    # neutral moves to the posture once he has sat still there (re-anchoring), and the
    # gestures made from it are heard, the move into it is none.
    sway = sine(0.0, 60.0, 3.0, 0.2)
    posture_yaw = _settle(14.0, 3.0, 7.0)
    turns = add(held(28.0, 1.0, 11.0), held(34.0, 1.0, -11.0))
    yaw = add(sway, posture_yaw, turns)
    roll = _settle(14.0, 3.0, -4.0)
    look = held(40.0, 1.0, -11.0)
    events, neutral = _online(Patient(pitch=look, yaw=yaw, roll=roll), 45.0)
    assert _names(events) == ["turn_left", "turn_right", "look_up"]
    assert events[0].t > 28.0
    assert neutral.rotation is not None


def test_a_turn_held_longer_than_a_gesture_is_not_learned_as_the_rest() -> None:
    # A patient holds a turn 4 s (past the detector's maximum: no event), comes back, and
    # later turns briefly: the long hold did not become the neutral, so the brief turn is
    # still a turn and the way back from the long hold no turn the other way.
    yaw = add(held(15.0, 4.0, 14.0), held(24.0, 1.0, 14.0))
    events, neutral = _online(Patient(yaw=yaw), 28.0)
    assert _names(events) == ["turn_left"]
    assert events[0].t > 24.0
    assert neutral.version == 1


def test_a_glance_back_at_the_tablet_while_watching_television_is_no_turn() -> None:
    # Watching television 15 degrees to one side for 20 s is looking at something, not a new
    # posture: the neutral stays at the rest facing the tablet, so a 2 s glance back to it
    # (from a neutral re-anchored at the television, a turn held 2 s) is no gesture, nor is
    # turning to the television again.
    def toward(start: float, end: float) -> Wave:
        def f(t: float) -> float:
            on = min(1.0, max(0.0, (t - start) / 0.5)) - min(1.0, max(0.0, (t - end) / 0.5))
            return 15.0 * on

        return f

    yaw = add(toward(15.0, 35.0), toward(37.5, 60.0), sine(0.0, 50.0, 2.0, 0.2))
    events, neutral = _online(Patient(yaw=yaw), 50.0)
    assert events == []
    assert neutral.version == 1


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_blink_after_a_look_up_came_back_does_not_make_it_an_expression_echo(
    fps: float,
) -> None:
    # pkgface clm_cap12 at 24.1 s: a 13 degree look up, back in the resting band at 25.47 s and
    # a normal blink at 25.6 s while the event settled. The echo check read the blink (3.0 times
    # the long blink's bar against the look's 1.6) and dropped the look as "an expression rose
    # more". Only what rose while the head was out can have moved it.
    looks = add(held(4.0, 0.9, -13.0, ramp=0.2), held(10.0, 0.9, -13.0, ramp=0.2))
    blinks = add(held(5.32, 0.1, 0.5, ramp=0.05), held(11.32, 0.1, 0.5, ramp=0.05))
    events, _ = _online(Patient(pitch=looks, blink=blinks), 14.0, fps=fps)
    assert _names(events) == ["look_up"] * 2


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_look_up_with_the_lids_lowered_after_a_blink_is_heard(fps: float) -> None:
    # pkgface franck at 101.2 s: he blinks as he looks up 12 degrees, and his blink score then
    # stays 0.1 over its rest (lids lowered, eyes open) until he looks back. The blink filter
    # held the pitch at its last open-eyes value the whole time and the look never reached
    # the detector. Lowered lids past a normal blink's length, not shut, are no blink.
    looks = add(held(5.0, 1.4, -12.0, ramp=0.2), held(11.0, 1.4, -12.0, ramp=0.2))
    lids = add(
        held(5.0, 1.4, 0.1, ramp=0.2),
        held(11.0, 1.4, 0.1, ramp=0.2),
        held(5.0, 0.1, 0.5, ramp=0.05),
        held(11.0, 0.1, 0.5, ramp=0.05),
    )
    events, _ = _online(Patient(pitch=looks, blink=lids, noise_score=0.02), 15.0, fps=fps)
    assert _names(events) == ["look_up"] * 2


def _neutral_corrected_at(
    patient: Patient, seconds: float, wrong_pitch: float, corrected_at: float, fps: float = 15.0
) -> list[GestureEvent]:
    """The patient against a neutral pose that is wrong (the head pitched ``wrong_pitch``, as
    when the camera came on during a look) until ``corrected_at``, then right: each frame's
    angles are measured against the neutral in use, with its version, as ``NeutralPose``
    gives them, but with the moment of the correction chosen by the test."""
    wrong = rotation_from_angles(wrong_pitch, 0.0, 0.0)
    engine = GestureEngine()
    events: list[GestureEvent] = []
    for o in patient.trace(seconds, seed=3, fps=fps):
        assert o.rotation is not None
        right = o.t >= corrected_at
        a = relative_angles(np.eye(3) if right else wrong, o.rotation)
        obs = replace(o, pitch=a.pitch, yaw=a.yaw, roll=a.roll, neutral_version=2 if right else 1)
        events += engine.update(obs)
    return events


@pytest.mark.parametrize(
    ("ends_before_s", "heard"), [(0.5, True), (1.0, True), (2.0, False), (3.0, False)]
)
def test_a_gesture_found_again_is_reported_only_if_made_just_before_the_correction(
    ends_before_s: float, heard: bool
) -> None:
    # The bedside took a look down for the rest, so the real rest reads as a look up held
    # longer than any gesture (no event) and a look down as nothing. When the neutral is
    # corrected (at 10 s), the kept frames are read again (EngineParams.replay_s) and a look
    # down among them is found. Made a moment before, it is a patient who gestured while the
    # bedside was still learning: reported, late. Made seconds before (completed more than
    # EngineParams.replay_max_age_s before the correction), it is not reported: on real
    # footage such finds were a signer's movements and a talker's tilt that the live rules had
    # turned down, read again long after.
    corrected_at = 10.0
    look_down = held(corrected_at - ends_before_s - 1.6, 1.0, 12.0)  # 0.3 s ramps
    events = _neutral_corrected_at(Patient(pitch=look_down), 12.0, 12.0, corrected_at)
    if heard:
        assert _names(events) == ["look_down"]
        assert events[0].t == pytest.approx(corrected_at, abs=0.1)
    else:
        assert events == []


@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_a_shake_soon_after_the_neutral_was_corrected_is_not_measured_across_both(
    fps: float,
) -> None:
    # The head rests still; its neutral is read 3 degrees of yaw off until 2 s (version 1),
    # then right (version 2), and it shakes 4 degrees at 4 s. The engine tells the detectors
    # the reference moved, so the offset between the two neutrals is no background the shake
    # must stand out from (it stood 3 degrees; 1.5 x 3 > 4: the shake was lost).
    patient = Patient(yaw=sine(4.0, 1.0, 4.0, 2.0))
    wrong = rotation_from_angles(0.0, 3.0, 0.0)
    engine = GestureEngine()
    events: list[GestureEvent] = []
    for o in patient.trace(7.0, seed=3, fps=fps):
        assert o.rotation is not None
        right = o.t >= 2.0
        a = relative_angles(np.eye(3) if right else wrong, o.rotation)
        obs = replace(o, pitch=a.pitch, yaw=a.yaw, roll=a.roll, neutral_version=2 if right else 1)
        events += engine.update(obs)
    assert _names(events) == ["shake"]


@pytest.mark.parametrize(
    ("hold", "pause", "ramp", "fps", "seed"),
    [
        (0.4, 0.5, 0.45, 10.0, 0),
        (0.4, 0.7, 0.3, 15.0, 2),
        (0.6, 0.2, 0.45, 15.0, 0),
        (0.6, 0.7, 0.3, 30.0, 0),
        # Longer holds: lost before GestureParams.paused_hold_s (three looks down, no nod).
        (0.6, 0.35, 0.45, 10.0, 0),
        (0.6, 0.5, 0.45, 30.0, 1),
        (0.6, 0.7, 0.3, 15.0, 0),
        (0.6, 0.7, 0.45, 10.0, 1),
        (0.6, 0.7, 0.45, 30.0, 0),
    ],
)
def test_a_slow_nod_that_pauses_at_rest_between_dips_is_one_nod_and_no_look(
    hold: float, pause: float, ramp: float, fps: float, seed: int
) -> None:
    # A weak patient saying yes: three one-sided dips of 11 degrees, each held at the bottom
    # and followed by a pause at rest. Up to its second dip the first dip is a short look
    # down and its return; its turning points fall anywhere on the plateaus, so a half period
    # can read longer than the nod detector times and it starts over from the second dip's
    # far end, one reversal short of "under way": the look waiting for the nod was let
    # through, and the second dip's with it (OscillationDetector.restarted_under_way).
    # With longer holds the nod's rhythm is ramp + (hold + pause) / 2 (0.9 to 1.1 s, under
    # max_half_period_s), but timed at wherever the noise puts each plateau's extreme two
    # half periods read over 1.2 s, the detector started over twice and the nod was never
    # completed: three looks down instead. Between two holds the half period is timed
    # between their middles (GestureParams.paused_hold_s).
    period = hold + 2 * ramp + pause
    dips = add(*(held(4.0 + k * period, hold, 11.0, ramp=ramp) for k in range(3)))
    events, _ = _online(Patient(pitch=dips), 4.0 + 3 * period + 3.0, fps=fps, seed=seed)
    assert _names(events) == ["nod"]


@pytest.mark.parametrize("hold", [0.4, 0.6])
@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_short_look_down_as_deep_as_a_slow_nods_dip_is_still_a_look(
    hold: float, fps: float
) -> None:
    # The same dip alone, and again 3 s later: each is a look down, reported within a second
    # of its end (the nod detector forgets a movement after rest_reset_s of rest).
    looks = add(held(4.0, hold, 11.0, ramp=0.45), held(7.0 + hold, hold, 11.0, ramp=0.45))
    neutral = NeutralPose()
    engine = GestureEngine()
    reported: list[tuple[str, float, float]] = []
    for o in Patient(pitch=looks).trace(12.0, seed=1, fps=fps):
        rotation = o.rotation if o.found else None
        for e in engine.update(observation(neutral, o.t, rotation, o.quality, o.blendshapes)):
            reported.append((e.gesture, e.t, o.t))
    assert [g for g, _, _ in reported] == ["look_down", "look_down"]
    assert all(at - t <= 1.0 for _, t, at in reported)


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize(("cycles", "swing"), [(2.0, 25.0), (3.0, 16.0)])
def test_a_slow_large_nod_from_the_first_frame_survives_the_first_neutral_at_its_bottom(
    fps: float, cycles: float, swing: float
) -> None:
    # A 0.75 Hz nod begun with no rest before: the first neutral (the running median at
    # 2.5 s) falls at the bottom of the dips and is replaced a moment later by the rest the
    # nod began from. That is a jump of the whole swing from the first neutral, but none from
    # where the nod began: the nod goes on and is heard (lost on every run before session 36).
    events, _ = _online(Patient(pitch=nodding(0.0, cycles, swing, 0.75)), 8.0, fps)
    assert _names(events) == ["nod"]


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize(("hz", "cycles"), [(0.75, 3.0), (0.5, 2.0)])
def test_a_slow_large_shake_from_the_first_frame_outlasts_the_window_and_is_heard(
    fps: float, hz: float, cycles: float
) -> None:
    # A 25 degree shake begun with no rest before, longer than the detector's window of
    # reversals: its first neutral (the running median at 2.5 s) falls at a far end and is
    # replaced by the rest it began from while it is still under way. Its first turning
    # points have left the window by then; it is the same movement, begun in the reference
    # the new neutral is back near, so it goes on (before session 37 it started over and
    # was lost, or heard as a turn).
    events, _ = _online(Patient(yaw=sine(0.0, cycles / hz, 25.0, hz)), cycles / hz + 4.0, fps)
    assert _names(events) == ["shake"]


def _refixed_under(
    patient: Patient, seconds: float, fps: float, seed: int = 3
) -> tuple[list[str], list[float]]:
    """The events of an online run, and when the neutral was fixed or replaced."""
    neutral, engine = NeutralPose(), GestureEngine()
    names: list[str] = []
    fixed: list[float] = []
    version = 0
    for o in patient.trace(seconds, seed=seed, fps=fps):
        obs = observation(neutral, o.t, o.rotation, o.quality, o.blendshapes)
        names += _names(engine.update(obs))
        if obs.neutral_version != version:
            version = obs.neutral_version
            fixed.append(o.t)
    return names, fixed


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("rest_yaw", [15.0, 20.0, 25.0, -20.0])
def test_a_nod_made_while_the_neutral_is_fixed_anew_at_a_turned_rest_is_heard(
    fps: float, rest_yaw: float
) -> None:
    # The neutral is first fixed facing the tablet; the patient then rests turned (the bed at
    # an angle), and the pose dwelt at longer replaces it, a whole swing away in yaw, while a
    # nod is under way. The yaw held still over the nod: it moved nothing under it, and the
    # nod is heard (session 40; before, the nod detector restarted and the nod was lost, and
    # with no restart the jump read as a 20 degree turn during the nod and rejected it).
    patient = Patient(yaw=held(3.0, 60.0, rest_yaw), pitch=nodding(10.0, 2.0, 10.0, 1.0))
    names, fixed = _refixed_under(patient, 16.0, fps)
    assert 10.0 < fixed[1] < 12.0  # first replaced while the nod went on
    assert names == ["nod"]


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize(("swing", "cross_talk"), [(10.0, 0.4), (15.0, 0.4), (15.0, 0.3)])
def test_a_nod_with_yaw_cross_talk_made_while_the_neutral_is_fixed_anew_is_heard(
    fps: float, swing: float, cross_talk: float
) -> None:
    # As above, with the yaw following the nod by ``cross_talk`` of its swing (4 to 6
    # degrees: landmark cross-talk of a real face, or a nod made a little askew), begun
    # 1.2 s before the re-fix. The yaw moved, but within what the nod may move it anyway
    # (``_plain_other_limit``): carried, the nod is judged as without a re-fix. It was
    # restarted and lost (only a still yaw was carried; review rev40a's p5, fix40a).
    nod = nodding(9.5, 2.0, swing, 1.0)
    patient = Patient(yaw=add(held(3.0, 60.0, 20.0), lambda t: cross_talk * nod(t)), pitch=nod)
    names, fixed = _refixed_under(patient, 16.0, fps)
    assert 10.0 < fixed[1] < 11.5  # first replaced while the nod went on
    assert names == ["nod"]


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("rest_pitch", [15.0, 25.0])
def test_a_shake_made_while_the_neutral_is_fixed_anew_at_a_lowered_rest_is_heard(
    fps: float, rest_pitch: float
) -> None:
    # The same along the other axis: a patient who rests with the chin down shakes while
    # that rest replaces the first neutral; the pitch held still over the shake.
    patient = Patient(pitch=held(3.0, 60.0, rest_pitch), yaw=sine(9.6, 4.0 / 3.0, 6.0, 1.5))
    names, fixed = _refixed_under(patient, 16.0, fps)
    assert 9.6 < fixed[1] < 11.0  # first replaced while the shake went on
    assert names == ["shake"]


@pytest.mark.parametrize("start", [11.3, 11.5])
def test_a_small_nod_begun_between_a_turned_rests_refix_and_its_refinement_is_heard(
    start: float,
) -> None:
    # Resting turned 15 degrees and 3.5 lower, the patient bobs 4 degrees as the neutral is
    # fixed anew there (at 10.73 s; the bob goes on, carried), then nods 5 degrees, two
    # cycles at 1 Hz, from ``start``; the neutral is refined at 11.7 s while the nod is under
    # way. The nod's background is cut at the re-fix before it began, not lost to the
    # refinement after (review rev40a: only the latest time was kept, so the re-fix's jump
    # stood as a background the 5 degree nod did not stand out from, at 11.5 s).
    pitch = add(held(3.0, 60.0, -3.5), nodding(10.3, 1.0, 4.0, 2.0), nodding(start, 2.0, 5.0, 1.0))
    patient = Patient(yaw=held(3.0, 60.0, 15.0), pitch=pitch)
    names, fixed = _refixed_under(patient, 16.0, 30.0, seed=0)
    assert fixed[1] < start < fixed[2]  # re-fixed before the nod, refined under it
    assert names == ["nod"]


def test_a_replay_that_fails_part_way_gives_the_live_detectors_their_own_state_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The replay borrows the live blink filter and the record of the last good frame; an
    # error in one replayed frame must not leave the live frames reading the replay's.
    neutral, engine = NeutralPose(), GestureEngine()
    last = None
    for o in Patient().trace(4.0, seed=3, fps=15.0):
        last = observation(neutral, o.t, o.rotation, o.quality, o.blendshapes)
        engine.update(last)
    assert last is not None and neutral.rotation is not None
    live = (engine._good_head_t, engine._open_pitch, engine._closing_t)
    assert math.isfinite(live[0])

    def broken(*_: object, **__: object) -> list[GestureEvent]:
        raise RuntimeError("a frame the replay cannot read")

    monkeypatch.setattr(engine, "_feed_head", broken)
    with pytest.raises(RuntimeError):
        engine._replay(last.t, last, head=True, face=True)
    assert (engine._good_head_t, engine._open_pitch, engine._closing_t) == live
    # The detectors the replay fed part way start over, and the next gesture is found.
    monkeypatch.undo()
    events: list[GestureEvent] = []
    for o in Patient(pitch=nodding(6.0, 2.0, 10.0, 1.2)).trace(10.0, seed=3, fps=15.0):
        if o.t > last.t:
            obs = observation(neutral, o.t, o.rotation, o.quality, o.blendshapes)
            events += engine.update(obs)
    assert _names(events) == ["nod"]
