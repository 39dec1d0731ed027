"""Every gesture detector on synthetic pose and blendshape traces (no MediaPipe).

Left and right are the patient's own: turning to the own left is positive yaw, tilting toward
the own left shoulder is negative roll, chin down is positive pitch (see beckon.vision.pose).
"""

from __future__ import annotations

import itertools

import pytest

from beckon.profile import GESTURES, GestureProfile
from beckon.vision.engine import GestureEngine
from beckon.vision.engine_params import EngineParams
from beckon.vision.face import FaceObservation, observation
from beckon.vision.gestures import GestureEvent, NodDetector, PoseSample
from beckon.vision.held import HoldDetector, HoldParams
from beckon.vision.pose import NeutralPose, relative_angles, rotation_from_angles
from tests.vision.traces import Patient, Wave, add, glide, held, moving, nodding, sine, zero


def calibrated(**thresholds: float) -> GestureProfile:
    """The default profile with resting expression scores known and some thresholds set."""
    profile = GestureProfile()
    for name, value in thresholds.items():
        profile = profile.with_gesture(name, threshold=value)
    from dataclasses import replace

    from beckon.profile import Calibration

    rest = {"blink": 0.05, "jaw": 0.02, "brow": 0.05}
    return replace(profile, calibration=Calibration(noise=(0.2, 0.1, 0.1), rest=rest))


EXPRESSIVE = dict(long_blink=0.2, mouth_open=0.2, brow_raise=0.15)


def run(
    patient: Patient, seconds: float, profile: GestureProfile | None = None, seed: int = 0
) -> list[GestureEvent]:
    engine = GestureEngine(profile or calibrated(**EXPRESSIVE))
    events: list[GestureEvent] = []
    for obs in patient.trace(seconds, seed):
        events += engine.update(obs)
    return events


def pitch_fed_to_the_nod_detector(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, float]]:
    """(time, pitch) of every found frame the engine feeds its nod detector, from now on."""
    seen: list[tuple[float, float]] = []
    update = NodDetector.update

    def spy(self: NodDetector, obs: PoseSample) -> GestureEvent | None:
        if obs.found and obs.pitch is not None:
            seen.append((obs.t, obs.pitch))
        return update(self, obs)

    monkeypatch.setattr(NodDetector, "update", spy)
    return seen


def names(events: list[GestureEvent]) -> list[str]:
    return [e.gesture for e in events]


# ---------------------------------------------------------------- each gesture


HELD_CASES = {
    "turn_left": Patient(yaw=held(2.0, 1.0, 15.0)),
    "turn_right": Patient(yaw=held(2.0, 1.0, -15.0)),
    "tilt_left": Patient(roll=held(2.0, 1.0, -12.0)),
    "tilt_right": Patient(roll=held(2.0, 1.0, 12.0)),
    "look_up": Patient(pitch=held(2.0, 1.0, -12.0)),
    "look_down": Patient(pitch=held(2.0, 1.0, 12.0)),
    "long_blink": Patient(blink=held(2.0, 1.2, 0.6, ramp=0.08)),
    "mouth_open": Patient(jaw=held(2.0, 1.2, 0.5)),
    "brow_raise": Patient(brow=held(2.0, 1.2, 0.4)),
}


@pytest.mark.parametrize("gesture", list(HELD_CASES))
def test_each_held_gesture_fires_once_shortly_after_it_ends(gesture: str) -> None:
    patient = HELD_CASES[gesture]
    events = run(patient, 6.0)
    assert names(events) == [gesture]
    ramp = 0.08 if gesture == "long_blink" else 0.3
    hold = 1.2 if gesture in ("long_blink", "mouth_open", "brow_raise") else 1.0
    end = 2.0 + 2 * ramp + hold
    assert end - 0.3 <= events[0].t <= end + 0.5
    assert 0.4 <= events[0].confidence <= 1.0


def test_a_nod_and_a_shake_are_recognised() -> None:
    events = run(Patient(pitch=nodding(2.0, 2, 10.0, 1.0), yaw=sine(6.0, 2.0, 16.0, 1.0)), 10.0)
    assert names(events) == ["nod", "shake"]


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("hz", [0.7, 1.2, 1.8])
def test_a_nod_made_straight_into_a_shake_gives_the_nod_then_the_shake(
    fps: float, hz: float
) -> None:
    # Issue 9's lost answer: two cycles of a 12 degree nod, then with no rest between two
    # cycles of a 14 degree shake at the same pace. The yaw begins to move while the nod
    # settles; the nod is reported all the same, before the shake, at its own time.
    end = 3.0 + 2 / hz
    patient = Patient(pitch=nodding(3.0, 2, 12.0, hz), yaw=sine(end, 2 / hz, 14.0, hz))
    events = _online(patient, end + 2 / hz + 3.0, fps=fps)
    assert names(events) == ["nod", "shake"]
    assert events[0].t == events[1].t  # reported with the shake that tells it (see below)


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("hz", [0.7, 1.2])
def test_a_shake_made_straight_into_a_nod_gives_the_shake_then_the_nod(
    fps: float, hz: float
) -> None:
    end = 3.0 + 2 / hz
    patient = Patient(yaw=sine(3.0, 2 / hz, 14.0, hz), pitch=nodding(end, 2, 12.0, hz))
    events = _online(patient, end + 2 / hz + 3.0, fps=fps)
    assert names(events) == ["shake", "nod"]
    assert events[0].t <= events[1].t  # at 0.7 Hz the nod's pitch is quiet as the shake settles


def test_a_nod_released_by_the_shake_after_it_is_reported_at_the_shakes_time() -> None:
    # Events go out in time order (the menu reads their times): the nod held back for the
    # shake is known only once the shake is complete, so it is reported then, at that time,
    # like a late event of the replay, just before the shake. With its own time it went out
    # seconds after a frame of a later time (a look reported meanwhile would go before it).
    end = 3.0 + 2 / 1.2
    patient = Patient(pitch=nodding(3.0, 2, 12.0, 1.2), yaw=sine(end, 2 / 1.2, 14.0, 1.2))
    neutral, engine = NeutralPose(), GestureEngine()
    reported: list[tuple[str, float, float]] = []
    for o in patient.trace(end + 2 / 1.2 + 3.0, seed=3, fps=15.0):
        rotation = o.rotation if o.found else None
        for e in engine.update(observation(neutral, o.t, rotation, o.quality, o.blendshapes)):
            reported.append((e.gesture, e.t, o.t))
    assert [g for g, _, _ in reported] == ["nod", "shake"]
    assert all(t == now for _, t, now in reported)


@pytest.mark.parametrize("fps", [10.0, 15.0])
def test_a_slow_nod_straight_into_a_shake_gives_the_nod_and_the_shake_and_no_look(
    fps: float,
) -> None:
    # At 0.5 Hz each dip of a 12 degree nod is held as long as a short look down. The nod is
    # held back until the shake tells it; its dips were its swings all the same (they went
    # out as looks down the moment the nod was held back, before the nod and the shake).
    end = 3.0 + 2 / 0.5
    patient = Patient(pitch=nodding(3.0, 2, 12.0, 0.5), yaw=sine(end, 2 / 0.5, 14.0, 0.5))
    assert names(_online(patient, end + 2 / 0.5 + 4.0, fps=fps)) == ["nod", "shake"]


def test_a_held_back_nod_is_reported_with_when_it_was_made() -> None:
    # Released with the shake, at the shake's time: the bedside applies it only to what was
    # on screen when it was made (``GestureEvent.made``), so it must say when that was.
    end = 3.0 + 2 / 0.5
    patient = Patient(pitch=nodding(3.0, 2, 12.0, 0.5), yaw=sine(end, 2 / 0.5, 14.0, 0.5))
    nod, shake = _online(patient, end + 2 / 0.5 + 4.0)
    assert (nod.gesture, shake.gesture) == ("nod", "shake")
    assert nod.t == shake.t and shake.made is None
    assert nod.made is not None and end - 0.5 < nod.made < end + 1.5 < shake.t


@pytest.mark.parametrize(("hz", "fps"), [(1.8, 10.0), (2.5, 10.0), (2.5, 15.0)])
@pytest.mark.parametrize("swing", [8.0, 14.0])
def test_a_brisk_nod_made_straight_into_a_shake_gives_both(
    hz: float, fps: float, swing: float
) -> None:
    # Two cycles of a brisk nod, then with no rest two cycles of a shake. The nod is held
    # back (the yaw moved as it settled); the shake's first leg is read from rest while the
    # chin still comes back up, so that return was in the shake's window and rejected it
    # ("pitch moved"), and the nod with it. The pitch until the nod came back is the nod's.
    end = 3.0 + 2 / hz
    patient = Patient(pitch=nodding(3.0, 2, swing, hz), yaw=sine(end, 2 / hz, swing, hz))
    assert names(_online(patient, end + 2 / hz + 3.0, fps=fps)) == ["nod", "shake"]


@pytest.mark.parametrize("fps", [10.0, 15.0])
def test_a_shake_after_a_held_back_nod_whose_pitch_moves_during_it_is_still_no_shake(
    fps: float,
) -> None:
    # The shake that releases a held-back nod reads the pitch only from when the nod came
    # back: a head that dips 8 degrees in the middle of that "shake" is circling, and
    # neither is a gesture.
    hz = 1.8
    end = 3.0 + 2 / hz
    dip = held(end + 0.45, 0.1, 8.0, ramp=0.15)
    patient = Patient(pitch=add(nodding(3.0, 2, 14.0, hz), dip), yaw=sine(end, 2 / hz, 14.0, hz))
    assert names(_online(patient, end + 2 / hz + 3.0, fps=fps)) == []


@pytest.mark.parametrize("fps", [10.0, 15.0])
@pytest.mark.parametrize("stays", [False, True])
def test_a_slow_nod_into_a_held_turn_gives_no_look_from_its_dips(fps: float, stays: bool) -> None:
    # The same nod, the head turning aside as it settles (held and back, or staying there):
    # no shake releases the nod, and its dips are no looks down for all that.
    end = 3.0 + 2 / 0.5
    yaw = glide((end, 0.0), (end + 0.4, 15.0)) if stays else held(end, 1.5, 20.0, ramp=0.4)
    patient = Patient(pitch=nodding(3.0, 2, 12.0, 0.5), yaw=yaw)
    assert names(_online(patient, end + 12.0, fps=fps)) == ([] if stays else ["turn_left"])


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("turn", ["none", "back", "stays"])
def test_a_slow_nod_dropped_for_the_jaw_gives_no_look_from_its_dip(fps: float, turn: str) -> None:
    # The same nod with the mouth open over its last second (a cough): the jaw drops it,
    # whether held back (the head turns aside as it settles) or not. Its first dip waited as
    # maybe a look down; it was the nod's swing all the same, and was let out as a look.
    end = 3.0 + 2 / 0.5
    yaw = {
        "none": zero,
        "back": held(end, 1.5, 20.0, ramp=0.4),
        "stays": glide((end, 0.0), (end + 0.4, 15.0)),
    }[turn]
    cough = held(end - 1.0, 1.0, 0.3, ramp=0.1)
    patient = Patient(pitch=nodding(3.0, 2, 12.0, 0.5), yaw=yaw, jaw=cough)
    assert names(_online(patient, end + 12.0, fps=fps)) == []


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_short_look_down_then_a_cough_is_still_a_look(fps: float) -> None:
    # A look down held 0.6 s, then a cough's bob with the mouth open: the nod detector reads
    # the look's down-and-up and the bob as one nod, which the jaw drops. The look waited on
    # that nod, which never dipped again before the jaw opened: the look was the patient's.
    patient = Patient(
        pitch=add(held(2.0, 0.6, 12.0), nodding(3.5, 1, 8.0, 1.5)),
        jaw=held(3.4, 0.77, 0.35, ramp=0.1),
    )
    events = _online(patient, 12.0, fps=fps)
    assert names(events) == ["look_down"]
    assert events[0].made_at == pytest.approx(3.4, abs=0.05)


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_short_look_down_whose_return_runs_into_a_cough_is_a_look(fps: float) -> None:
    # The same look, the cough's bob starting as the look's return ends (0.6 s after the
    # hold): the head stays under the release bar 0.28 s between them, over the 0.25 s
    # settle. At 30 fps a look; at 10 and 15 fps the frames saw 0.2 s of it and the look
    # went as an oscillation's repeat (review rev40c). The settle is read between the
    # crossings, as the plateau is.
    patient = Patient(
        pitch=add(held(2.0, 0.6, 12.0), nodding(3.2, 1, 8.0, 1.5)),
        jaw=held(3.1, 0.77, 0.35, ramp=0.1),
    )
    events = _online(patient, 12.0, fps=fps)
    assert names(events) == ["look_down"]
    assert events[0].made_at == pytest.approx(3.4, abs=0.05)


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_look_down_after_a_nod_dropped_for_the_jaw_is_still_a_look(fps: float) -> None:
    # The cough's nod is dropped; a look down begun 1.5 s after it ends is the patient's.
    end = 3.0 + 2 / 0.5
    cough = held(end - 1.0, 1.0, 0.3, ramp=0.1)
    patient = Patient(pitch=add(nodding(3.0, 2, 12.0, 0.5), held(end + 1.5, 1.0, 12.0)), jaw=cough)
    assert names(_online(patient, end + 8.0, fps=fps)) == ["look_down"]


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_shake_begun_in_a_nods_settle_that_starts_over_once_still_tells_the_nod(
    fps: float,
) -> None:
    # The yaw's first reversal comes fast (0.25 s), the next a second later: the shake
    # detector starts over there (irregular), and the shake goes on at 1.2 Hz. It is one
    # movement begun as the nod settled, seen moving from its first leg: it releases the nod.
    # (Timed from the restart, it came too late and the nod was lost at 10 fps.)
    end = 3.0 + 2 / 1.2
    points = [(end, 0.0), (end + 0.3, 10.0), (end + 0.55, -10.0)]
    t, sign = end + 1.55, 1
    for _ in range(5):
        points.append((t, sign * 14.0))
        t, sign = t + 0.42, -sign
    points.append((t - 0.12, 0.0))
    patient = Patient(pitch=nodding(3.0, 2, 12.0, 1.2), yaw=glide(*points))
    assert names(_online(patient, t + 4.0, fps=fps)) == ["nod", "shake"]


def test_a_released_nod_is_one_movement_with_what_was_reported_as_it_was_made() -> None:
    # Released seconds late, a nod is still the movement it was when it was made: a look
    # down reported 0.6 s before it was made is too close (the time of its release says
    # nothing of the movement).
    # When it was made is the event's own (``GestureEvent.made``), not a second record the
    # engine keeps (``_EventTimes`` held a copy; an event without it read as made when
    # reported).
    engine = GestureEngine()
    nod = GestureEvent(t=11.3, gesture="nod", confidence=0.9, made=7.6)
    assert engine._one_movement(nod, (7.0, "look_down", 7.0))
    assert not engine._one_movement(nod, (11.0, "look_down", 11.0))


class _ShakeOnly:
    """A sequence model that sees a shake in every window: it agrees with nothing else."""

    def set_profile(self, profile: GestureProfile) -> None:
        pass

    def push(self, obs: object, rest: object) -> None:
        pass

    def agrees(self, gesture: str) -> bool:
        return gesture == "shake"

    def rate(self, gesture: str, confidence: float) -> float:
        return confidence if gesture == "shake" else 0.0


def test_a_nod_released_by_a_shake_is_not_judged_by_the_sequence_model_on_the_shake() -> None:
    # Released once the shake is complete, the nod is reported then: the model's window then
    # holds the shake (judged itself), not the nod made seconds before.
    end = 3.0 + 2 / 1.2
    patient = Patient(pitch=nodding(3.0, 2, 12.0, 1.2), yaw=sine(end, 2 / 1.2, 14.0, 1.2))
    neutral, engine = NeutralPose(), GestureEngine(verifier=_ShakeOnly())
    events: list[GestureEvent] = []
    for o in patient.trace(end + 2 / 1.2 + 3.0, seed=3, fps=15.0):
        rotation = o.rotation if o.found else None
        events += engine.update(observation(neutral, o.t, rotation, o.quality, o.blendshapes))
    assert names(events) == ["nod", "shake"]
    assert events[0].confidence > 0.0


@pytest.mark.parametrize("sway", [2.0, 4.0, 8.0])
def test_a_nod_whose_settle_begins_a_long_sway_is_not_released_by_the_shake_that_ends_it(
    sway: float,
) -> None:
    # The yaw begins to sway as the nod settles, too slowly for a gesture (half periods of
    # 1.6 s: the shake detector starts over at each turn), for seconds, then a clean shake.
    # The sway is no next gesture begun while the nod settled, so the shake does not tell
    # the nod: only the shake is reported. (The shake's movement was once timed from the
    # sway's first leg, and the nod reported up to 31 s late.)
    end = 3.0 + 2 / 1.2
    points = [(end, 0.0), (end + 0.35, 8.0)]
    t, sign = end + 0.35, -1
    while t + 1.6 <= end + sway + 1e-9:
        t += 1.6
        points.append((t, sign * 8.0))
        sign = -sign
    shake_start = t + 0.3
    points.append((shake_start, 0.0))
    yaw = add(glide(*points), sine(shake_start, 2 / 1.2, 14.0, 1.2))
    patient = Patient(pitch=nodding(3.0, 2, 12.0, 1.2), yaw=yaw)
    assert names(_online(patient, shake_start + 2 / 1.2 + 3.0)) == ["shake"]


def test_a_nod_whose_settle_sees_the_head_turn_aside_and_stay_is_still_no_nod() -> None:
    # The same nod, the head turning 15 degrees aside as it settles and staying there (a
    # talking or signing head goes on moving like this after a small false "nod"): only a
    # shake that follows makes the nod a gesture of its own.
    end = 3.0 + 2 / 1.2
    patient = Patient(pitch=nodding(3.0, 2, 12.0, 1.2), yaw=glide((end, 0.0), (end + 0.4, 15.0)))
    assert "nod" not in names(_online(patient, end + 4.0))


def test_every_gesture_name_is_one_of_the_public_names() -> None:
    assert set(HELD_CASES) | {"nod", "shake"} == set(GESTURES)


# ---------------------------------------------------------------- what must not fire


def test_normal_blinks_are_ignored() -> None:
    blinks = add(*(held(1.5 + 1.7 * k, 0.1 + 0.03 * k, 0.6, ramp=0.05) for k in range(6)))
    assert run(Patient(blink=blinks), 12.0) == []


def test_talking_does_not_open_the_mouth_gesture_nor_nod() -> None:
    talking = Patient(
        jaw=add(sine(1.5, 6.0, 0.5, 4.0), held(1.5, 5.4, 0.2)),
        brow=sine(1.5, 6.0, 0.3, 1.5),
        pitch=sine(1.5, 6.0, 1.2, 2.0),
        yaw=sine(1.5, 6.0, 1.5, 0.7),
    )
    assert run(talking, 9.0) == []


# A "no" said or mouthed while shaking the head: the jaw opens once or twice (gest10's real
# signers: 0.21 and 0.27 above rest) during a shake of 3 or 4 reversals of about 30 degrees.
SAYING_NO = held(2.5, 0.15, 0.4, ramp=0.1)


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_shake_made_while_saying_no_is_a_shake(fps: float) -> None:
    shaking = Patient(yaw=sine(2.0, 1.5, 30.0, 1.33), jaw=SAYING_NO)
    assert names(_events(shaking, 7.0, fps)) == ["shake"]


def test_a_talker_turning_to_look_and_back_is_still_no_shake() -> None:
    # Out to one side, to the other and back: two reversals of 18 degrees, talking.
    turning = Patient(yaw=sine(2.0, 0.75, 18.0, 1.33), jaw=add(sine(1.5, 4.0, 0.5, 4.0)))
    assert "shake" not in names(run(turning, 7.0))


def test_a_small_shake_while_the_jaw_opens_is_still_talking() -> None:
    swaying = Patient(yaw=sine(2.0, 1.5, 8.0, 1.33), jaw=SAYING_NO)
    assert names(run(swaying, 7.0)) == []


def test_a_nod_while_the_jaw_opens_is_still_a_cough() -> None:
    # The nod's chin jerks with the mouth open are a cough's pattern: nods keep the jaw rule.
    coughing = Patient(pitch=nodding(2.0, 3, 10.0, 1.7), jaw=SAYING_NO)
    assert names(run(coughing, 7.0)) == []


def test_a_yawn_is_not_a_mouth_open_gesture() -> None:
    yawn = Patient(jaw=held(1.5, 4.0, 0.8, ramp=0.9), pitch=held(1.5, 4.0, -6.0, ramp=0.9))
    assert run(yawn, 9.0) == []


def test_a_quick_glance_is_not_a_look() -> None:
    assert run(Patient(pitch=held(2.0, 0.15, 10.0, ramp=0.15)), 5.0) == []


def test_looking_at_something_for_a_long_time_is_not_a_turn() -> None:
    assert run(Patient(yaw=held(1.5, 6.0, 20.0, ramp=1.0)), 11.0) == []


def test_a_diagonal_look_is_not_a_turn() -> None:
    assert run(Patient(yaw=held(1.5, 1.0, 15.0), pitch=held(1.5, 1.0, 12.0)), 5.0) == []


def test_tremor_and_slow_drift_make_no_events() -> None:
    drift = lambda t: 0.8 * t  # noqa: E731 - eight degrees over ten seconds
    tremor = Patient(pitch=add(sine(0.0, 10.0, 0.8, 5.0), drift), yaw=sine(0.0, 10.0, 0.6, 4.5))
    assert run(tremor, 10.0) == []


def test_no_event_while_the_face_is_lost() -> None:
    # Lost for 0.5 s in the middle of the hold: longer than a missed detection or two, which
    # the hold bridges (``held_bridge_s``; tests/vision/test_vision_missed_frame_mid_hold.py).
    lost = Patient(yaw=held(2.0, 1.0, 15.0), found=lambda t: not 2.5 <= t <= 3.0)
    assert run(lost, 6.0) == []


def test_no_event_from_a_poor_view() -> None:
    assert run(Patient(yaw=held(2.0, 1.0, 15.0), quality=0.3), 6.0) == []


def test_no_expression_event_with_the_head_turned_away() -> None:
    turned_blink = Patient(yaw=held(1.0, 3.0, 25.0, ramp=0.5), blink=held(2.0, 1.2, 0.6, 0.08))
    assert "long_blink" not in names(run(turned_blink, 8.0))


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_tilt_made_three_times_with_short_rests_is_three_tilts(fps: float) -> None:
    # Tilts of 15 degrees held 0.4 s with 0.4 s at rest between (0.6 s within the release
    # bar): each is judged 1.4 s after the one before, and the 1.5 s cooldown lost the
    # second and third (gest42b). The head rested between: three movements.
    tilts = add(*(held(2.0 + 1.4 * i, 0.4, -15.0) for i in range(3)))
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [e for o in Patient(roll=tilts).trace(9.0, fps=fps) for e in engine.update(o)]
    assert names(events) == ["tilt_left"] * 3


@pytest.mark.parametrize(("hold", "rest"), [(0.4, 0.5), (0.6, 0.5)])
@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_three_quick_turns_left_are_three_turns_and_no_shake(
    fps: float, hold: float, rest: float
) -> None:
    # Three 20 degree turns left, each held 0.4 or 0.6 s, 0.5 s at rest between: one or two
    # shakes ("next" at the bedside: a step the wrong way), the turns dropped as its swings
    # (gest42b). They stay on one side of rest and pause there: three turns.
    period = hold + 0.6 + rest
    turns = add(*(held(2.0 + period * i, hold, 20.0) for i in range(3)))
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [e for o in Patient(yaw=turns).trace(10.0, fps=fps) for e in engine.update(o)]
    assert names(events) == ["turn_left"] * 3


@pytest.mark.parametrize(("hold", "rest"), [(0.4, 0.5), (0.6, 0.5)])
@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_three_quick_turns_left_each_go_out_before_the_next_begins(
    fps: float, hold: float, rest: float
) -> None:
    # Why held turns repeated the same way need not wait on the shake detector: waiting
    # until it gave up, each came out after the next was made, and the bedside applied
    # only the first of them (gest43a). An order check: each turn is reported before the
    # head leaves rest for the next.
    period = hold + 0.6 + rest
    turns = add(*(held(2.0 + period * i, hold, 20.0) for i in range(3)))
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [e for o in Patient(yaw=turns).trace(10.0, fps=fps) for e in engine.update(o)]
    assert names(events) == ["turn_left"] * 3
    for i, e in enumerate(events[:-1]):
        assert e.t < 2.0 + period * (i + 1), (i, e)


def _repeated(levels: list[float], rest: float) -> Wave:
    """From rest at 3 s through ``levels`` (0: back at rest for ``rest`` s; else held 0.5 s
    there), each reached in 0.3 s, then back to rest."""
    points = [(3.0, 0.0)]
    t = 3.0
    for v in levels:
        dwell = rest if v == 0 else 0.5
        points += [(t + 0.3, v), (t + 0.3 + dwell, v)]
        t += 0.3 + dwell
    return glide(*points, (t + 0.3, 0.0))


@pytest.mark.parametrize("rest", [0.3, 0.5])
@pytest.mark.parametrize("past", [4.0, 6.0])
@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_two_turns_left_that_come_back_past_rest_are_two_turns_and_no_shake(
    fps: float, past: float, rest: float
) -> None:
    # Two 20 degree turns left, the second coming back 4 or 6 degrees past rest: the first
    # went out as the second left rest (one held gesture repeated, so far), then the same
    # movement completed as a shake and both were reported (review rev43a: 15 of 16 runs).
    # The verdict sticks: turns, no shake.
    yaw = _repeated([20.0, 0.0, 20.0, -past], rest)
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [e for o in Patient(yaw=yaw).trace(10.0, fps=fps) for e in engine.update(o)]
    assert names(events) == ["turn_left"] * 2


@pytest.mark.parametrize("rest", [0.3, 0.5])
@pytest.mark.parametrize("dip", [4.0, 10.0])
@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_two_looks_up_then_a_dip_are_two_looks_and_no_nod(
    fps: float, dip: float, rest: float
) -> None:
    # Two 15 degree looks up, then a dip of 4 or 10 degrees down on the way back: a look up
    # and a nod, which selects (review rev43a: 14 of 16 runs). Two looks.
    pitch = _repeated([-15.0, 0.0, -15.0, dip], rest)
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [e for o in Patient(pitch=pitch).trace(10.0, fps=fps) for e in engine.update(o)]
    assert names(events) == ["look_up"] * 2


@pytest.mark.parametrize("hold", [0.5, 0.8])
@pytest.mark.parametrize("hz", [1.5, 2.0])
@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_turn_then_a_shake_that_starts_the_same_way_is_still_a_shake(
    fps: float, hz: float, hold: float
) -> None:
    # A turn right, 0.5 s at rest, then a shake whose first swing is right: so far one turn
    # repeated (the turn goes out), but the movement swings on as a shake of its own after
    # that, and is not dropped with the verdict (review rev43a's p3).
    yaw = add(held(3.0, hold, -14.0), sine(3.0 + hold + 0.6 + 0.5, 2 / hz, -16.0, hz))
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [e for o in Patient(yaw=yaw).trace(10.0, fps=fps) for e in engine.update(o)]
    assert "shake" in names(events)


@pytest.mark.parametrize("dwell", [0.3, 0.45])
@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_a_weak_shake_from_a_turned_rest_is_a_shake(fps: float, dwell: float) -> None:
    # A weak patient resting turned right (12 degrees) shakes by swinging to 8 degrees left
    # and back twice, pausing at each end: every turning point lies on one side of where it
    # began, but the far ones are not out from the neutral: a shake (review rev43a: 4 of 16
    # found without the neutral check, 15 of 16 on s43; from 18 degrees s43 found half).
    leg, rest = 0.3 + dwell, -12.0
    points = [(2.5, 0.0), (3.0, rest), (4.5, rest)]
    for k in range(2):
        t = 4.5 + (2 * k + 1) * leg
        points += [(t - dwell, 8.0), (t, 8.0), (t + leg - dwell, rest), (t + leg, rest)]
    end = 4.5 + 4 * leg
    yaw = glide(*points, (end + 1.0, rest), (end + 1.5, 0.0))
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [e for o in Patient(yaw=yaw).trace(12.0, fps=fps) for e in engine.update(o)]
    assert "shake" in names(events)


@pytest.mark.parametrize(("hold", "rest"), [(0.4, 0.5), (0.6, 0.5)])
@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_two_quick_looks_up_are_two_looks_and_no_nod(fps: float, hold: float, rest: float) -> None:
    # Two 15 degree looks up with a short rest between were a nod: "select" on the request
    # on offer, one the patient never chose (gest42b). A nod dips down first.
    period = hold + 0.6 + rest
    looks = add(*(held(2.0 + period * i, hold, -15.0) for i in range(2)))
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [e for o in Patient(pitch=looks).trace(9.0, fps=fps) for e in engine.update(o)]
    assert names(events) == ["look_up"] * 2


@pytest.mark.parametrize("gap", [0.5, 1.0, 1.5])
@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_a_nod_made_after_two_quick_looks_up_is_heard(fps: float, gap: float) -> None:
    # Two looks up read as one look repeated were dropped as a nod, but their swings stayed in
    # the nod detector's background: a deliberate 10 degree nod 0.5 to 1.5 s later did not
    # stand out from them and was lost (review rev43a2: 15 of 16 -> 1 at 0.5 s, 16 -> 2 at
    # 1 s). The repeat ends the background window, as an event does.
    looks = add(held(2.0, 0.4, -15.0), held(3.4, 0.4, -15.0))
    nod = nodding(4.4 + gap, 2, 10.0, 1.5)
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [
        e for o in Patient(pitch=add(looks, nod)).trace(11.0, fps=fps) for e in engine.update(o)
    ]
    assert names(events) == ["look_up", "look_up", "nod"]


@pytest.mark.parametrize("gap", [0.5, 1.0, 1.5])
@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_a_shake_made_after_two_quick_turns_left_is_heard(fps: float, gap: float) -> None:
    # The same for a "no" after two turns left (review rev43a2: 32 of 32 -> 0 at 1 s).
    turns = add(held(2.0, 0.4, 20.0), held(3.4, 0.4, 20.0))
    shake = sine(4.4 + gap, 2 / 1.5, 16.0, 1.5)
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [
        e for o in Patient(yaw=add(turns, shake)).trace(11.0, fps=fps) for e in engine.update(o)
    ]
    assert names(events)[:2] == ["turn_left", "turn_left"]
    assert "shake" in names(events)


@pytest.mark.parametrize("gap", [1.0, 1.5])
@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_a_nod_made_after_one_look_up_is_heard(fps: float, gap: float) -> None:
    # A patient chooses with a look up (12 degrees, held 0.5 s) and confirms with a nod of
    # 9 degrees 1 to 1.5 s after the look came back. The look's swing out and back stayed in
    # the nod detector's background window and the nod did not stand out from it: lost
    # (review rev43a2: 0 of 16). The look ends that window, as an event does.
    look = held(2.0, 0.5, -12.0)
    nod = nodding(3.1 + gap, 2, 9.0, 1.0)
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [
        e for o in Patient(pitch=add(look, nod)).trace(11.0, fps=fps) for e in engine.update(o)
    ]
    assert names(events) == ["look_up", "nod"]


@pytest.mark.parametrize("gap", [1.5, 2.0])
@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_a_shake_made_after_one_turn_is_heard(fps: float, gap: float) -> None:
    # The same for a "no" 1.5 to 2 s after one turn left of 18 degrees (review rev43a2: 4 to
    # 12 of 32 found 1 to 1.5 s after).
    turn = held(2.0, 0.5, 18.0)
    shake = sine(3.1 + gap, 2.0, 16.0, 1.0)
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events = [
        e for o in Patient(yaw=add(turn, shake)).trace(11.0, fps=fps) for e in engine.update(o)
    ]
    assert names(events) == ["turn_left", "shake"]


@pytest.mark.parametrize("where", ["onset", "mid-rest"])
@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_three_tilts_with_a_face_lost_for_a_frame_between_are_three_tilts(
    fps: float, where: str
) -> None:
    # The three tilts above, with the face not found for one frame at each later tilt's onset
    # (the gate closes for a frame at a brisk movement's onset) or in the middle of the rest
    # before it. The gap is bridged, but it cleared the stay at rest, and the later tilts
    # met the cooldown again: two tilts (review rev42b, eng_a.py).
    lead = 0.05 if where == "onset" else -0.3
    frames = [2.0 + 1.4 * i + lead for i in (1, 2)]
    tilts = add(*(held(2.0 + 1.4 * i, 0.4, -15.0) for i in range(3)))
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    patient = Patient(roll=tilts, found=lambda t: all(abs(t - f) >= 0.5 / fps for f in frames))
    events = [e for o in patient.trace(9.0, fps=fps) for e in engine.update(o)]
    assert names(events) == ["tilt_left"] * 3


def test_one_long_gesture_is_one_event_and_a_cooldown_follows() -> None:
    hold = HoldDetector("turn_left", +1, HoldParams(enter=5.0, min_hold_s=0.3, cooldown_s=3.0))
    out = []
    wave = add(held(0.5, 0.6, 10.0, 0.2), held(2.1, 0.6, 10.0, 0.2), held(5.5, 0.6, 10.0, 0.2))
    for i in range(300):
        t = i / 30
        event = hold.update(t, wave(t), (0.0, 0.0))
        if event:
            out.append(round(event.t, 1))
    assert len(out) == 2 and out[1] > 5.5  # the second one fell in the cooldown


# ---------------------------------------------------------------- small movements


def test_a_small_nod_needs_calibration_or_a_measured_still_background() -> None:
    # From the first frame (no background measured yet): the default 4 degree threshold.
    small = Patient(pitch=nodding(0.3, 2, 3.5, 1.0), noise_deg=0.1)
    assert run(small, 5.0) == []
    assert names(run(small, 5.0, calibrated(nod=1.6))) == ["nod"]
    # After two still seconds the threshold has adapted to the quiet background (issue 9:
    # nods from 3 degrees).
    after_rest = Patient(pitch=nodding(2.0, 2, 3.5, 1.0), noise_deg=0.1)
    assert names(run(after_rest, 6.0)) == ["nod"]


def test_disabled_gestures_never_fire() -> None:
    profile = calibrated(**EXPRESSIVE).with_gesture("turn_left", enabled=False)
    assert run(HELD_CASES["turn_left"], 6.0, profile) == []


# ---------------------------------------------------------------- the whole human range

SHORT_LONG = {
    "turn_left": ("yaw", 15.0),
    "tilt_right": ("roll", 12.0),
    "look_down": ("pitch", 12.0),
    "look_up": ("pitch", -12.0),
    "mouth_open": ("jaw", 0.5),
    "brow_raise": ("brow", 0.4),
}


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("hold", [0.4, 3.0])
@pytest.mark.parametrize("gesture", list(SHORT_LONG))
def test_held_gestures_from_short_to_long_holds(gesture: str, hold: float, fps: float) -> None:
    channel, value = SHORT_LONG[gesture]
    patient = moving(channel, held(2.0, hold, value, ramp=0.25))
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events: list[GestureEvent] = []
    for obs in patient.trace(8.0, seed=1, fps=fps):
        events += engine.update(obs)
    assert names(events) == [gesture], (hold, fps)
    end = 2.0 + 0.5 + hold
    assert end - 0.3 <= events[0].t <= end + 0.6


@pytest.mark.parametrize("hold", [1.0, 3.0])
def test_long_blinks_from_one_to_three_seconds(hold: float) -> None:
    patient = Patient(blink=held(2.0, hold, 0.6, ramp=0.08))
    assert names(run(patient, 8.0)) == ["long_blink"]


def test_a_half_second_blink_is_still_a_normal_blink() -> None:
    assert run(Patient(blink=held(2.0, 0.35, 0.6, ramp=0.08)), 5.0) == []


def _online(patient: Patient, seconds: float, fps: float = 15.0) -> list[GestureEvent]:
    """Through the live path: the neutral pose is learned from the trace itself."""
    neutral = NeutralPose()
    engine = GestureEngine()
    events: list[GestureEvent] = []
    for o in patient.trace(seconds, seed=3, fps=fps):
        rotation = o.rotation if o.found else None
        events += engine.update(observation(neutral, o.t, rotation, o.quality, o.blendshapes))
    return events


def test_a_nod_in_the_first_second_before_any_neutral_pose_is_heard() -> None:
    # The patient answers at once, with no rest before: the neutral pose is not known yet.
    events = _online(Patient(pitch=nodding(0.0, 3, 10.0, 2.0)), 4.0)
    assert names(events) == ["nod"]
    assert events[0].t <= 2.5


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("stays_down", [True, False])
def test_a_nod_from_the_first_frame_with_the_head_down_is_heard(
    fps: float, stays_down: bool
) -> None:
    # gnew's stf_yes: the clip begins with the head 8 degrees down, nods on at once (three
    # cycles of 10 degrees at 1.7 Hz, further down and back), then either stays down where it
    # began or comes up to its neutral. The first neutral is fixed while or after it nods, so
    # the angles' reference moves under the movement; it is one nod either way.
    nod = nodding(0.2, 3, 10.0, 1.7)

    def pitch(t: float) -> float:
        down = 8.0 if stays_down else 8.0 * min(1.0, max(0.0, 1.0 - (t - 2.0) / 0.3))
        return down + nod(t)

    events = _online(Patient(pitch=pitch), 6.0, fps=fps)
    assert names(events) == ["nod"]


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_tremor_from_the_first_frame_is_no_nod(fps: float) -> None:
    # A head tremor (5 Hz, 2 degrees) from the first frame, while the neutral is learned and
    # fixed under it: no nod, no shake.
    tremor = Patient(pitch=sine(0.0, 6.0, 2.0, 5.0), yaw=sine(0.0, 6.0, 1.0, 5.0))
    assert _online(tremor, 6.0, fps=fps) == []


def test_a_restless_patient_is_heard_and_held_gestures_wait_for_the_neutral() -> None:
    sway = add(sine(0.0, 14.0, 3.0, 0.4), sine(0.0, 14.0, 1.0, 5.0))
    events = _online(
        Patient(pitch=add(sway, nodding(6.0, 2, 10.0, 1.5)), yaw=held(10.0, 1.0, 15.0)), 14.0
    )
    assert names(events) == ["nod", "turn_left"]


# ---------------------------------------------------------------- adaptive expression thresholds


@pytest.mark.parametrize("gesture", ["long_blink", "mouth_open", "brow_raise"])
def test_a_weak_expression_counts_once_the_resting_face_is_known(gesture: str) -> None:
    """Uncalibrated: a face whose expressions read weakly (0.15 above rest, under the 0.18 to
    0.2 defaults) gets a bar from its own steady resting scores, after about 20 s of rest."""
    channel = {"long_blink": "blink", "mouth_open": "jaw", "brow_raise": "brow"}[gesture]
    hold = 1.2
    weak = moving(channel, held(22.0, hold, 0.15, ramp=0.1), noise_score=0.005)
    assert names(run(weak, 26.0, GestureProfile())) == [gesture]
    # Straight away (no resting distribution yet) the default threshold holds, but for the
    # long blink (the emergency call): its bar is set as soon as the resting face is learned,
    # from the resting frames seen so far (EngineParams.blink_adapt_min_s).
    early = moving(channel, held(2.0, hold, 0.15, ramp=0.1), noise_score=0.005)
    expected = [gesture] if gesture == "long_blink" else []
    assert names(run(early, 6.0, GestureProfile())) == expected
    # A noisy face (a small face's scores jitter) keeps the default threshold. (Not for the
    # jaw in this trace: its resting score is 0.02, so the jitter is clipped at 0.)
    if channel != "jaw":
        noisy = moving(channel, held(22.0, hold, 0.15, ramp=0.1), noise_score=0.03)
        assert gesture not in names(run(noisy, 26.0, GestureProfile()))
    # A calibrated patient's measured threshold is kept.
    assert names(run(weak, 26.0, calibrated(**{gesture: 0.3}))) == []


def test_talking_after_a_long_rest_is_still_not_a_mouth_open() -> None:
    talk = add(*(held(20.0 + 0.35 * i, 0.05, 0.16, ramp=0.1) for i in range(12)))
    assert names(run(Patient(jaw=talk, noise_score=0.005), 28.0, GestureProfile())) == []


def test_a_mouth_opened_closed_part_way_and_opened_again_is_talking() -> None:
    # A signer mouthing "tienes" (signtune2 cm_cuantos_anos_tienes) and a talker's two
    # syllables (pkgface clm_cap13 at 12.5 s): the jaw opens, closes part way (under the start
    # bar, not under the release bar, so the detector sees one excursion) and opens again;
    # held long enough and steady enough, that was a mouth open.
    points = ((2.0, 0.0), (2.3, 0.30), (2.8, 0.30), (3.1, 0.13), (3.4, 0.32), (3.9, 0.32))
    twice = glide(*points, (4.2, 0.0))
    assert names(run(Patient(jaw=twice), 7.0)) == []
    # One opening that sags toward its end, as a tired patient's may, still counts.
    sagging = glide((2.0, 0.0), (2.3, 0.40), (2.8, 0.40), (3.6, 0.22), (3.9, 0.0))
    assert names(run(Patient(jaw=sagging), 7.0)) == ["mouth_open"]
    # A patient asked to open the mouth twice closes it between: each opening is heard.
    two = add(held(2.0, 1.0, 0.4), held(5.0, 1.0, 0.4))
    assert names(run(Patient(jaw=two), 9.0)) == ["mouth_open", "mouth_open"]


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_held_opening_that_wavers_within_its_plateau_is_heard(fps: float, seed: int) -> None:
    # Only a closing out of the plateau is talking. A weak jaw that sags by a quarter and is
    # pulled open again, and a jaw tremor of 4 Hz (0.08 peak to peak on a 0.3 opening), stay
    # within it: a patient's held opening (review rev37b: counting every dip lost these, 10 of
    # 10 at 30 fps, and a long hold's noise more often than a short one's).
    sag = glide(
        (2.0, 0.0), (2.3, 0.3), (2.8, 0.3), (3.3, 0.225), (3.6, 0.3), (4.1, 0.3), (4.4, 0.0)
    )
    tremor = add(held(2.0, 1.5, 0.3), sine(2.3, 1.5, 0.08, 4.0))
    for jaw in (sag, tremor):
        engine = GestureEngine(calibrated(**EXPRESSIVE))
        events: list[GestureEvent] = []
        for obs in Patient(jaw=jaw).trace(8.0, seed, fps=fps):
            events += engine.update(obs)
        assert names(events) == ["mouth_open"], (jaw is sag, names(events))


def _plateau_events(before: Patient, fps: float = 30.0) -> list[str]:
    """A turn whose plateau wobbles by 3 degrees, after ``before``'s idle movement."""
    params = HoldParams(enter=8.0, min_hold_s=0.4, plateau_share=0.9, sway_cap=3.0)
    hold = HoldDetector("turn_left", +1, params)
    out = []
    for o in before.trace(12.0, fps=fps):
        assert o.yaw is not None
        event = hold.update(o.t, o.yaw)
        if event is not None:
            out.append(event.gesture)
    return out


def test_a_swaying_head_may_hold_a_wobbling_plateau_a_still_one_may_not() -> None:
    # The same wobbling turn (14 +- 1.5 degrees at 1.5 Hz: never 0.4 s above 90 % of its
    # peak): after idle sway of 5 degrees it is a held turn, after a still rest it is not.
    wobble = add(held(6.0, 2.0, 14.0), sine(6.3, 2.0, 3.0, 1.5))
    swaying = Patient(yaw=add(sine(0.0, 5.9, 5.0, 0.3), wobble), noise_deg=0.1)
    still = Patient(yaw=wobble, noise_deg=0.1)
    assert _plateau_events(swaying) == ["turn_left"]
    assert _plateau_events(still) == []


def test_a_fidget_that_reads_as_raised_brows_is_not_a_brow_raise() -> None:
    # Turning and tilting the head by 4 degrees lifts MediaPipe's brow scores by about 0.15.
    fidget = Patient(yaw=held(3.0, 1.0, 4.0), roll=held(3.0, 1.0, -3.5), brow=held(3.0, 1.0, 0.25))
    assert run(fidget, 7.0) == []
    # A real brow raise tips the pitch a little (up to 3 degrees), not the yaw or roll.
    raise_ = Patient(pitch=held(3.0, 1.0, -2.5), brow=held(3.0, 1.0, 0.25))
    assert names(run(raise_, 7.0)) == ["brow_raise"]


def test_brows_raised_or_eyes_closed_while_talking_are_not_gestures() -> None:
    # Speakers lift their brows and close their eyes for emphasis (a real talking clip gave a
    # false brow raise); a patient who means the gesture keeps the mouth still.
    talking = add(held(2.6, 1.6, 0.15, ramp=0.1), sine(2.6, 1.8, 0.2, 4.0))
    brows = held(3.0, 1.0, 0.25)
    assert run(Patient(brow=brows, jaw=talking), 7.0) == []
    assert names(run(Patient(brow=brows), 7.0)) == ["brow_raise"]
    eyes = held(3.0, 1.2, 0.5, ramp=0.1)
    assert run(Patient(blink=eyes, jaw=talking), 7.0) == []
    assert names(run(Patient(blink=eyes), 7.0)) == ["long_blink"]


def test_an_expression_while_the_head_moves_a_lot_is_not_an_expression() -> None:
    # The eyelid score rising while the head turns 6 degrees is a pose echo, not a long blink.
    moving = Patient(yaw=held(3.1, 0.4, 6.0, ramp=0.3), blink=held(3.0, 1.2, 0.5, ramp=0.1))
    assert run(moving, 7.0) == []
    assert names(run(Patient(blink=held(3.0, 1.2, 0.5, ramp=0.1)), 7.0)) == ["long_blink"]


@pytest.mark.parametrize("gesture", ["turn_left", "turn_right"])
def test_a_small_turn_as_mediapipe_reads_it_is_a_turn(gesture: str) -> None:
    # A turn made at 12 to 14 degrees reads as 9 degrees on some faces: still a turn.
    sign = 1.0 if gesture == "turn_left" else -1.0
    events = run(Patient(yaw=held(2.0, 1.0, 9.0 * sign)), 6.0)
    assert names(events) == [gesture]


@pytest.mark.parametrize("sway", [2.0, 3.0])
def test_the_bottom_of_a_slow_nod_of_a_swaying_patient_is_no_look_down(sway: float) -> None:
    # A patient who sways (so a held pose may sway too) nods three times at 0.5 Hz. The
    # bottom of the second dip is long and flat enough for a look down, which waited only
    # 0.6 s for the nod detector while the nod still had a cycle to go. The look now waits
    # while the nod is under way, and goes when the nod fires.
    pitch = add(sine(0.0, 4.0, sway, 0.25), nodding(4.0, 3, 10.0, 0.5))
    patient = Patient(pitch=pitch, yaw=sine(0.0, 4.0, sway, 0.2))
    events = run(patient, 12.0, GestureProfile())
    assert names(events) == ["nod"]
    assert 10.0 <= events[0].t <= 11.2
    # A real look down of the same patient is still heard, soon after it ends.
    look = Patient(pitch=add(sine(0.0, 4.0, sway, 0.25), held(4.0, 1.0, 12.0)))
    events = run(look, 8.0, GestureProfile())
    assert names(events) == ["look_down"]
    assert events[0].t <= 4.0 + 1.6 + 0.8


# ---------------------------------------------------------------- one event per movement


def _events(patient: Patient, seconds: float, fps: float, seed: int = 0) -> list[GestureEvent]:
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    events: list[GestureEvent] = []
    for obs in patient.trace(seconds, seed, fps):
        events += engine.update(obs)
    return events


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_a_brisk_turn_begun_after_a_look_down_was_reported_is_a_gesture_of_its_own(
    fps: float, seed: int
) -> None:
    # A look down (held 0.6 s) is reported as the head settles; 0.15 s after that the
    # patient turns left, briskly (held 0.45 s). The two events come less than the event gap
    # (1 s) apart, but the turn began after the look was over: two gestures
    # (EngineParams.held_settle_gap_s). Before: the turn was dropped as too close.
    look = glide((0.0, 0.0), (2.0, 0.0), (2.15, 12.0), (2.75, 12.0), (2.9, 0.0))
    turn = glide((0.0, 0.0), (3.15, 0.0), (3.25, 12.0), (3.7, 12.0), (3.8, 0.0))
    events = _events(Patient(pitch=look, yaw=turn), 7.0, fps, seed)
    assert names(events) == ["look_down", "turn_left"]
    assert events[1].t - events[0].t < EngineParams().event_gap_s


@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_a_turn_begun_before_the_look_down_was_reported_is_still_one_movement(fps: float) -> None:
    # The same, with the turn under way 0.05 s sooner, as the look is being reported: the
    # head went from one to the other in one movement, which is one event.
    look = glide((0.0, 0.0), (2.0, 0.0), (2.15, 12.0), (2.75, 12.0), (2.9, 0.0))
    turn = glide((0.0, 0.0), (3.05, 0.0), (3.15, 12.0), (3.6, 12.0), (3.7, 0.0))
    assert names(_events(Patient(pitch=look, yaw=turn), 7.0, fps)) == ["look_down"]


def test_events_are_kept_apart_either_way_in_time_and_reported_in_time_order() -> None:
    # A held gesture waits while an oscillation of its axis is under way (defer_s), so it
    # may come to the arbitration after, or together with, a later event: a turn right
    # (20.84 s) that waited for the shake detector came out in the same frame as the turn
    # left of 22.00 s, which was more confident and went first, and the turn right was
    # dropped as "too close" (pkgface clm_cap12): its time was compared as if it came later.
    engine = GestureEngine()
    right = GestureEvent(20.84, "turn_right", 0.7)
    left = GestureEvent(22.00, "turn_left", 0.8)
    assert engine._arbitrate([left, right]) == [right, left]
    # 0.5 s either way of an event reported is the same movement, whichever comes first.
    assert engine._arbitrate([GestureEvent(21.5, "look_down", 0.9)]) == []
    assert engine._arbitrate([GestureEvent(20.34, "look_up", 0.9)]) == []
    # An event reported later but 1.2 s before the latest is a gesture of its own.
    late = GestureEvent(19.6, "look_up", 0.9)
    assert engine._arbitrate([late]) == [late]


def test_a_fresh_engine_for_a_new_face_carries_nothing_over_from_the_last() -> None:
    # When the face was gone long enough for the neutral pose to be relearned (maybe a new
    # patient), the engine starts again: an event reported for the last face no longer
    # keeps the next one apart. Before: reset() kept the reported events, so the first
    # gesture of the new face within event_gap_s of the last one's was dropped.
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    assert engine._arbitrate([GestureEvent(20.0, "nod", 0.9)]) != []
    assert engine._arbitrate([GestureEvent(20.5, "shake", 0.9)]) == []  # the same movement
    fresh = engine.fresh()
    assert fresh is not engine
    assert (fresh.profile, fresh.params, fresh.verifier, fresh.hands) == (
        engine.profile,
        engine.params,
        engine.verifier,
        engine.hands,
    )
    shake = GestureEvent(20.5, "shake", 0.9)
    assert fresh._arbitrate([shake]) == [shake]


def test_a_turn_swung_on_into_the_other_turn_over_a_gap_is_two_turns() -> None:
    # Left 12 degrees held 0.6 s, then briskly on through rest into a turn right, with the
    # frames unusable for 0.24 s as the head crosses rest (the occlusion gate closed there on
    # pkgface clm_cap12 at 15 and 10 fps, and dimmed). Both are turns: the first is judged
    # after the gap, and the second began after the first had come back, whenever the
    # first was reported. Before, the gap dropped the first; with it judged after the gap
    # and compared by its report time, the second was "too close" to it.
    yaw = glide(
        (0.0, 0.0), (2.0, 0.0), (2.3, 12.0), (2.9, 12.0), (3.3, 0.0), (3.6, -13.0),
        (4.4, -13.0), (4.7, 0.0), (7.0, 0.0),
    )  # fmt: skip
    assert names(run(Patient(yaw=yaw), 7.0)) == ["turn_left", "turn_right"]
    gap = Patient(yaw=yaw, found=lambda t: not 3.4 <= t < 3.64)
    assert names(run(gap, 7.0)) == ["turn_left", "turn_right"]


def test_a_corrected_resting_face_does_not_make_the_pitch_jump_to_seconds_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first steady second is mostly squinting (eyes at 0.6), so the resting face is
    # learned there and corrected half a second later to the open eyes of its first frames.
    # Against the new rest the eyes have been closed since 0.45 s; the head meanwhile pitched
    # down. The corrected rest's replay re-reads those frames, and the blink filter must not
    # take its state from them: it then held the pitch of the open eyes at 0.4 s, a jump of
    # about 3 degrees up that the nod detector read as a swing (fslsign cherry: 7 degrees, a nod).
    seen = pitch_fed_to_the_nod_detector(monkeypatch)
    engine = GestureEngine()
    fps = 15.0
    for i in range(round(3.0 * fps)):
        t = i / fps
        pitch = -6.0 * min(1.0, max(0.0, t - 1.0))  # down 6 degrees from 1 s to 2 s
        eyes = 0.0 if t < 0.45 else 0.6
        shapes = {"eyeBlinkLeft": eyes, "eyeBlinkRight": eyes}
        obs = FaceObservation(
            t=t, found=True, pitch=pitch, yaw=0.0, roll=0.0, blendshapes=shapes, quality=1.0,
            rotation=rotation_from_angles(pitch, 0.0, 0.0), neutral_version=1,
        )  # fmt: skip
        engine.update(obs)
    assert engine.rest is not None and engine.rest["blink"] < 0.1  # corrected to open eyes
    steps = [abs(b - a) for (_, a), (_, b) in itertools.pairwise(seen)]
    assert max(steps) < 1.0  # 0.4 degrees a frame, or held


@pytest.mark.parametrize(("pitch_in_view", "yaw_in_view"), [(13.0, False), (10.0, True)])
def test_a_turn_made_with_the_head_nearly_as_far_down_is_no_turn(
    pitch_in_view: float, yaw_in_view: bool
) -> None:
    # The head goes down first, then turns 15 degrees while it stays down, and both come
    # back (a signer: fslsign urinate, 14.7 aside and 14.0 down). From the bar on, the pitch
    # hardly moves, so the others-quiet rule lets it through; the turn must lead clearly
    # (EngineParams.held_lead_share, 0.8 of the turn against each threshold). Down 13 (0.87
    # of the turn) is no turn; down 10 (0.67, as real turns of the tune sets go) is one.
    patient = Patient(yaw=held(1.5, 0.8, 15.0), pitch=held(1.0, 1.9, pitch_in_view))
    assert names(run(patient, 6.0)) == (["turn_left"] if yaw_in_view else [])
    engine = GestureEngine(calibrated(**EXPRESSIVE), EngineParams(held_lead_share=1.0))
    before = [e for obs in patient.trace(6.0, 0) for e in engine.update(obs)]
    assert names(before) == ["turn_left"]  # the rule as it was: the other axis moved less


@pytest.mark.parametrize(("jump_deg", "nod_restarts"), [(5.0, True), (2.0, False)])
def test_a_neutral_replaced_a_nods_swing_away_in_pitch_restarts_the_nod_alone(
    jump_deg: float, nod_restarts: bool
) -> None:
    # Replacing the neutral moves every later angle at once. A jump along the nod's axis as
    # large as its full swing bar (4 degrees) is a phantom swing: the nod detector starts
    # over (a 4.6 degree replacement made the first leg of a signer's false nod, fslsign
    # banana), the shake detector, for which the pitch is the other axis, goes on; a smaller
    # jump restarts neither (reference_jump_deg, 8 degrees, restarts both).
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    nod, shake = (next(d for d in engine.oscillators if d.axis == a) for a in ("pitch", "yaw"))
    head = glide((0.0, 0.0), (1.0, 0.0), (1.3, 9.0), (1.6, 0.0))
    fps = 15.0
    for i in range(round(1.8 * fps)):
        t = i / fps
        replaced = t >= 1.7
        neutral = jump_deg if replaced else 0.0
        pitch, yaw = head(t), head(t)
        if replaced and i == round(1.7 * fps):
            assert nod.in_progress and shake.in_progress  # one swing each, under way
        obs = FaceObservation(
            t=t, found=True, pitch=pitch - neutral, yaw=yaw, roll=0.0, quality=1.0,
            rotation=rotation_from_angles(pitch, yaw, 0.0), neutral_version=2 if replaced else 1,
        )  # fmt: skip
        engine.update(obs)
    assert nod.in_progress is not nod_restarts
    assert shake.in_progress


@pytest.mark.parametrize(
    ("jump", "turned", "nod_restarts"),
    [
        ((0.0, 20.0, 0.0), 0.0, False),  # a turned rest re-fixed, the yaw still: carried
        ((5.0, 0.0, 0.0), 0.0, True),  # own axis, a whole swing: a phantom leg
        ((5.0, 20.0, 0.0), 0.0, True),  # the same with the turned rest
        ((0.0, 20.0, 9.0), 0.0, True),  # roll, which nothing carries
        ((0.0, 20.0, 0.0), 4.0, False),  # the yaw turned within the nod's own limit: carried
        ((0.0, 20.0, 0.0), 6.0, True),  # ... or beyond it (4.5 on a 9 degree swing): not
    ],
)
def test_a_nod_under_way_goes_on_across_a_neutral_re_fixed_aside_only_with_the_yaw_in_bounds(
    jump: tuple[float, float, float], turned: float, nod_restarts: bool
) -> None:
    # One swing of a nod is under way when the neutral is replaced by one ``jump`` (pitch,
    # yaw, roll) away. Along the yaw alone, the yaw having held still, the nod goes on (the
    # patient resting turned, session 40), and so it does when the yaw turned ``turned``
    # degrees during the nod within what the nod may move it anyway (session 41: carried, it
    # is judged as without the re-fix). It restarts, as before, when the jump is a whole
    # swing along the nod's own axis (it would make a phantom leg), has 8 degrees of roll
    # (which no detector reads or carries: a signer's false shake, signtune2), or when the
    # yaw turned beyond the nod's own limit (a turn, not cross-talk: nothing to carry on).
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    nod = next(d for d in engine.oscillators if d.axis == "pitch")
    head = glide((0.0, 0.0), (1.0, 0.0), (1.3, 9.0), (1.6, 0.0))
    turn = glide((0.0, 0.0), (1.2, 0.0), (1.5, turned))
    first, replaced_by = rotation_from_angles(0.0, 0.0, 0.0), rotation_from_angles(*jump)
    fps = 15.0
    for i in range(round(1.8 * fps)):
        t = i / fps
        replaced = t >= 1.7
        if replaced and i == round(1.7 * fps):
            assert nod.in_progress  # one swing, under way
        rotation = rotation_from_angles(head(t), turn(t), 0.0)
        seen = relative_angles(replaced_by if replaced else first, rotation)
        obs = FaceObservation(
            t=t, found=True, pitch=seen.pitch, yaw=seen.yaw, roll=seen.roll, quality=1.0,
            rotation=rotation, neutral_version=2 if replaced else 1,
        )  # fmt: skip
        engine.update(obs)
    assert nod.in_progress is not nod_restarts


@pytest.mark.parametrize("wait_s", [0.2, 0.5, 1.0])
@pytest.mark.parametrize(("axis", "jump_deg"), [("yaw", 3.0), ("yaw", 2.0), ("pitch", 3.0)])
def test_a_look_aside_after_a_small_neutral_replacement_is_held_not_an_oscillation(
    axis: str, jump_deg: float, wait_s: float
) -> None:
    # The head is still; its neutral is replaced by one a few degrees away along one axis
    # (under the full swing bar: nothing restarts), so every angle jumps by that much at once.
    # Then one turn (or look) of 12 degrees, held 0.3 s, and back. The swing that led to the
    # movement's start is looked up in the detector's history: read against the old neutral
    # while the start was carried into the new one, the jump was a phantom lead swing, the
    # turn a shake with two reversals that dropped the held turn (a look aside became "no").
    # (The look down was no nod before either: it guards the pitch side of the same lookup.)
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    at = 3.0 + wait_s
    head = glide((0.0, 0.0), (at, 0.0), (at + 0.5, 12.0), (at + 0.8, 12.0), (at + 1.3, 0.0))
    fps = 15.0
    events: list[GestureEvent] = []
    for i in range(round((at + 4.0) * fps)):
        t = i / fps
        replaced = t >= 3.0
        neutral = jump_deg if replaced else 0.0
        turn = head(t)
        pitch, yaw = (turn, 0.0) if axis == "pitch" else (0.0, turn)
        seen_pitch, seen_yaw = (pitch - neutral, yaw) if axis == "pitch" else (pitch, yaw - neutral)
        obs = FaceObservation(
            t=t, found=True, pitch=seen_pitch, yaw=seen_yaw, roll=0.0, quality=1.0,
            rotation=rotation_from_angles(pitch, yaw, 0.0), neutral_version=2 if replaced else 1,
        )  # fmt: skip
        events += engine.update(obs)
    got = names(events)
    assert "nod" not in got and "shake" not in got
    assert len(got) == 1


def test_a_neutral_replaced_during_a_blink_carries_the_pitch_the_blink_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # While the eyes are closed the nod detector is fed the pitch of their last open frame
    # (a blink drops the face's pitch by a few degrees). When the neutral is replaced during
    # the blink by one 3 degrees up, every angle read after it is 3 degrees lower and the
    # detectors' stored angles are carried; the held pitch must be carried too, or the nod
    # detector sees the head 3 degrees up for the rest of the blink, a phantom swing.
    seen = pitch_fed_to_the_nod_detector(monkeypatch)
    engine = GestureEngine(calibrated(**EXPRESSIVE))
    fps = 15.0
    for i in range(round(3.0 * fps)):
        t = i / fps
        replaced = t >= 2.1
        eyes = 0.9 if 2.0 <= t < 2.3 else 0.0
        pitch = -3.0 if replaced else 0.0  # the head is still; its neutral moved up 3 degrees
        obs = FaceObservation(
            t=t, found=True, pitch=pitch, yaw=0.0, roll=0.0, quality=1.0,
            blendshapes={"eyeBlinkLeft": eyes, "eyeBlinkRight": eyes},
            rotation=rotation_from_angles(0.0, 0.0, 0.0), neutral_version=2 if replaced else 1,
        )  # fmt: skip
        engine.update(obs)
    after = [p for t, p in seen if t >= 2.1]
    assert after and max(abs(p + 3.0) for p in after) < 0.5
