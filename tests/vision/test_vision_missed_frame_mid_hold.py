"""A frame MediaPipe misses in the hold or the return of a held turn, look or tilt does not
lose it, and a gap that hid a movement makes no held gesture.

One frame with no face, or one too poor to read (quality 0), while the head was still out
ended the excursion: the detector waited for rest again, and the turn a patient held for the
menu was lost (issue #9; review rev47a, miss.py: 72 of 144 runs). A gap of up to
``EngineParams.held_bridge_s`` is now a missed reading there too, as it already was at rest
and while settling (``HoldParams.bridge_s``), unless the frames either side of it show it hid
a movement: the head past the other way's entry bar after it, or the plateau left next to it
and found again after it (a nod's or shake's swing, whose detector the gap cleared). The
plateau must be seen whole on one side of the gap; the gap counts toward the maximum hold.
"""

from __future__ import annotations

import functools
import pickle

import numpy as np
import pytest

from beckon.vision.engine import GestureEngine
from beckon.vision.face import FaceObservation, observation
from beckon.vision.gestures import GestureEvent
from beckon.vision.held import HoldDetector, HoldParams
from beckon.vision.pose import NeutralPose
from tests.vision.traces import Patient, glide, held

S = 14.0
"""When the gestures begin: the neutral pose is learned online by then."""

GESTURES = [("yaw", "turn_left", 18.0), ("pitch", "look_down", 16.0), ("roll", "tilt_right", 16.0)]


@functools.cache
def _at_rest_until_s(fps: float) -> bytes:
    """A fresh engine and neutral fed the frames before S, and its events, pickled. Every run
    here is the same until S (the patient at rest, the noise drawn from seed 5, no gap before
    S), so this is computed once per rate and each run goes on from its own copy: 70 % of a
    run's frames fed once per rate instead of once per run (pickled: a copy in a third of
    deepcopy's time)."""
    neutral = NeutralPose()
    engine = GestureEngine()
    events: list[GestureEvent] = []
    for o in Patient().trace(S, seed=5, fps=fps):
        events += engine.update(observation(neutral, o.t, o.rotation, o.quality, o.blendshapes))
    return pickle.dumps((neutral, engine, events))


def _frame_key(o: FaceObservation) -> tuple[object, ...]:
    """What the engine reads of a frame, comparable (a rotation is a numpy array)."""
    rotation = None if o.rotation is None else tuple(o.rotation.ravel().tolist())
    return (o.t, o.found, rotation, o.quality, tuple(sorted(o.blendshapes.items())))


@functools.cache
def _rest_keys(fps: float) -> tuple[tuple[object, ...], ...]:
    """The frames before S that ``_at_rest_until_s`` fed, to check a run's own are the same."""
    return tuple(_frame_key(o) for o in Patient().trace(S, seed=5, fps=fps))


def _run(
    patient: Patient, seconds: float, fps: float, gaps: list[tuple[float, float]], kind: str
) -> list[GestureEvent]:
    """Every event of an engine whose neutral is learned online, going on at S from the
    shared start (``_at_rest_until_s``: asserted to be this patient's own frames before S, so
    the events are those of a fresh engine); frames in ``gaps`` (start, end) are ``no_face``
    (no rotation, as the tracker gives a missed detection), ``quality0`` (read, quality 0) or
    ``away`` (the head read 40 degrees from neutral on the yaw)."""
    assert all(a >= S for a, _ in gaps), "a gap before S would change the shared start"
    neutral: NeutralPose
    engine: GestureEngine
    events: list[GestureEvent]
    neutral, engine, events = pickle.loads(_at_rest_until_s(fps))
    far = Patient(noise_deg=0.0, yaw=lambda _: 40.0).trace(0.1, fps=10.0)[0].rotation
    frames = patient.trace(seconds, seed=5, fps=fps)
    start = round(S * fps)
    assert tuple(_frame_key(o) for o in frames[:start]) == _rest_keys(fps), (
        "this patient's frames before S differ from the shared start's"
    )
    for o in frames[start:]:
        rotation, quality = o.rotation, o.quality
        if any(a <= o.t < b for a, b in gaps):
            if kind == "no_face":
                rotation = None
            elif kind == "quality0":
                quality = 0.0
            else:
                rotation = far
        events += engine.update(observation(neutral, o.t, rotation, quality, o.blendshapes))
    return events


def _holding(axis: str, size: float, hold: float = 1.0) -> Patient:
    """Out ``size`` degrees on ``axis`` from 14 s in 0.3 s, held ``hold`` s, back in 0.3 s."""
    patient = Patient()
    setattr(patient, axis, held(S, hold, size))
    return patient


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("kind", ["no_face", "quality0"])
@pytest.mark.parametrize("where", [14.6, 15.0, 15.35, 15.5])
@pytest.mark.parametrize(("axis", "gesture", "size"), GESTURES)
def test_one_frame_missed_in_the_hold_or_the_return_does_not_lose_the_gesture(
    fps: float, kind: str, where: float, axis: str, gesture: str, size: float
) -> None:
    # Out by 14.3 s, held 1 s, back from 15.3 s to 15.6 s; the one frame at or after
    # ``where`` is missed: in the hold (14.6, 15.0 s) or in the return (15.35, 15.5 s). It
    # ended the excursion, and the gesture was lost (miss.py: every such run, at every rate).
    gap = (where, where + 1.0 / fps - 1e-6)
    events = _run(_holding(axis, size), 20.0, fps, [gap], kind)
    assert [e.gesture for e in events] == [gesture], events
    assert S + 1.3 < events[0].made_at < S + 2.2, events


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize(("axis", "gesture", "size"), GESTURES)
def test_a_frame_missed_in_the_hold_and_another_in_the_return_give_the_gesture_once(
    fps: float, axis: str, gesture: str, size: float
) -> None:
    gaps = [(S + 0.7, S + 0.7 + 1.0 / fps - 1e-6), (S + 1.4, S + 1.4 + 1.0 / fps - 1e-6)]
    events = _run(_holding(axis, size), 20.0, fps, gaps, "no_face")
    assert [e.gesture for e in events] == [gesture], events


@pytest.mark.parametrize("start", [14.0, 17.0])
def test_four_frames_missed_at_10_fps_are_bridged_whatever_the_clock_reads(start: float) -> None:
    # Four frames at 10 fps are 0.3 s from the first to the last, the longest gap bridged;
    # read on the clock, 0.3 came out 0.3000000000000007 at some times, and a 2 s turn was
    # found or lost by rounding (review rev46c, edge.py: 3 of 5 gap positions lost from 14 s).
    for k in range(5):
        gap_from = start + 0.3 + 0.8 + k * 0.1 - 0.001
        patient = Patient(yaw=held(start, 2.0, 14.0))
        events = _run(patient, start + 5.0, 10.0, [(gap_from, gap_from + 0.398)], "no_face")
        assert [e.gesture for e in events] == ["turn_left"], (k, events)


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_long_gap_or_a_head_seen_away_still_ends_the_hold(fps: float) -> None:
    # 1 s without a face (the patient left, or turned out of view) is no missed reading, and
    # neither is 0.2 s in which the head was read 40 degrees away: it was seen elsewhere.
    middle = S + 0.3 + 0.6
    patient = _holding("yaw", 14.0, 1.5)
    assert _run(patient, 20.0, fps, [(middle, middle + 0.2)], "no_face") != []
    assert _run(patient, 20.0, fps, [(middle - 0.3, middle + 0.7)], "no_face") == []
    assert _run(patient, 20.0, fps, [(middle, middle + 0.2)], "away") == []


@pytest.mark.parametrize(("fps", "swing"), [(10.0, 0.3), (15.0, 0.2), (15.0, 0.3), (30.0, 0.3)])
@pytest.mark.parametrize("kind", ["no_face", "quality0"])
def test_a_gap_hiding_the_head_crossing_rest_makes_no_held_gesture_of_the_way_it_left(
    fps: float, swing: float, kind: str
) -> None:
    # Left 0.6 s, across to the right 0.6 s, the crossing unseen: the frame after the gap is
    # past the other way's entry bar, so the head swung through rest unseen and the turn left
    # ends there, as a longer gap ends it. Bridged as a return, the gap made a turn left
    # ("previous") where the whole movement is a shake ("next"; review rev46c, probe.py).
    yaw = glide(
        (S, 0.0),
        (S + 0.3, 14.0),
        (S + 0.9, 14.0),
        (S + 0.9 + swing, -14.0),
        (S + 1.5 + swing, -14.0),
        (S + 1.8 + swing, 0.0),
    )
    assert [e.gesture for e in _run(Patient(yaw=yaw), S + 5.0, fps, [], kind)] == ["shake"]
    events = _run(Patient(yaw=yaw), S + 5.0, fps, [(S + 0.9, S + 0.9 + swing)], kind)
    assert "turn_left" not in [e.gesture for e in events], events


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize("bottom", [4.0, 6.0, 8.0])
@pytest.mark.parametrize(("axis", "whole"), [("yaw", "shake"), ("pitch", "nod")])
def test_a_gap_hiding_the_bottom_of_a_dip_between_two_holds_makes_no_held_gesture(
    fps: float, bottom: float, axis: str, whole: str
) -> None:
    # Out 14 degrees 0.5 s, back to ``bottom`` and out again for 0.5 s, the dip's bottom
    # unseen for 0.1 s: the plateau was left before the gap and found again after it, so the
    # gap hid a swing that the nod or shake detector, cleared by it, did not see. Either side
    # is a hold by itself: bridged as a hold, the dip made a held turn or look (gest46c's
    # dip.py, 18 of 18; seen whole it is a shake or a nod, or one held gesture at 10 fps).
    patient = Patient()
    dip = glide(
        (S, 0.0),
        (S + 0.3, 14.0),
        (S + 0.8, 14.0),
        (S + 1.0, bottom),
        (S + 1.2, 14.0),
        (S + 1.7, 14.0),
        (S + 2.0, 0.0),
    )
    setattr(patient, axis, dip)
    # Since session 50 the nod and shake detectors bridge the 0.1 s at 14 frames a second or
    # more (``GestureParams.bridge_s``): they read the dip as the shake or nod it is seen
    # whole; at 10 fps the gap still clears them. No held gesture either way.
    hidden = [e.gesture for e in _run(patient, S + 5.0, fps, [(S + 0.95, S + 1.05)], "no_face")]
    assert hidden == ([whole] if fps > 10.0 else [])
    if fps > 10.0 or bottom > 4.0:
        assert [e.gesture for e in _run(patient, S + 5.0, fps, [], "no_face")] == [whole]


def _feed(
    out_s: float, gap: tuple[float, float], min_hold_s: float = 0.6, jitter_s: float = 0.0
) -> int:
    """How many events one turn detector (bar 8 degrees, ``min_hold_s``, 3 s maximum, gaps of
    0.3 s bridged) gives at 10 fps: rest 1 s, out 14 degrees (a step) for ``out_s``, rest
    1.5 s; samples in ``gap`` (start, end) unreadable; each frame's time off by up to
    ``jitter_s`` either way (a live camera stamps a frame when it is read)."""
    detector = HoldDetector(
        "turn_left", 1, HoldParams(enter=8.0, min_hold_s=min_hold_s, bridge_s=0.3)
    )
    rng = np.random.default_rng(7)
    events = 0
    for i in range(round((2.5 + out_s) * 10.0)):
        nominal = i / 10.0
        value: float | None = 14.0 if 1.0 <= nominal < 1.0 + out_s - 1e-9 else 0.0
        if gap[0] <= nominal < gap[1]:
            value = None
        t = nominal + float(rng.uniform(-jitter_s, jitter_s))
        events += detector.update(t, value, (0.0, 0.0)) is not None
    return events


def test_the_hold_must_be_seen_whole_on_one_side_of_the_gap_and_the_gap_counts_to_the_maximum() -> (
    None
):
    # 0.2 s missing 0.4 s into the hold. Out 1.6 s: seen held 1 s after the gap, reported.
    # Out 1.0 s: held 0.4 s seen before the gap and 0.4 s after, under the 0.6 s minimum on
    # either side, so not reported, though it is with every frame seen (the gap may hide a
    # return and a second glance). Out 3.2 s is past the 3 s maximum, gap and all.
    assert _feed(1.6, (1.4, 1.6)) == 1
    assert _feed(1.0, (1.4, 1.6)) == 0
    assert _feed(1.0, (0.0, 0.0)) == 1
    assert _feed(3.2, (2.0, 2.2)) == 0
    assert _feed(2.9, (2.0, 2.2)) == 1


@pytest.mark.parametrize(("fps", "glance"), [(10.0, 0.45), (15.0, 0.6), (30.0, 0.45), (30.0, 0.6)])
def test_two_glances_the_same_way_with_the_return_in_a_quarter_second_gap_make_no_held_turn(
    fps: float, glance: float
) -> None:
    # Out 16 degrees for ``glance`` s, back to rest in 0.15 s and out again the same way for
    # ``glance`` s: seen whole a shake, never a turn. With 0.26 s unseen around the return
    # the frames either side are both on the plateau, and each glance alone was long enough
    # to read as the hold: a turn left ("previous") at every rate (review rev48a, edge.py
    # case F). A gap that leaves over ``HoldParams.hidden_return_s`` unseen on the plateau
    # may hide such a return, so its time is taken off what was seen: nothing, rather than
    # a wrong step.
    yaw = glide(
        (S, 0.0),
        (S + 0.2, 16.0),
        (S + 0.2 + glance, 16.0),
        (S + 0.35 + glance, 0.0),
        (S + 0.5 + glance, 16.0),
        (S + 0.5 + 2 * glance, 16.0),
        (S + 0.7 + 2 * glance, 0.0),
    )
    assert [e.gesture for e in _run(Patient(yaw=yaw), 20.0, fps, [], "no_face")] == ["shake"]
    gap = (S + 0.22 + glance, S + 0.48 + glance)
    events = _run(Patient(yaw=yaw), 20.0, fps, [gap], "no_face")
    assert "turn_left" not in [e.gesture for e in events], events


def test_a_gap_on_the_plateau_that_could_hide_a_return_costs_its_unseen_time() -> None:
    # At 10 fps, out 1.6 s and 0.6 s the minimum: two frames missed 0.6 s in (0.2 s unseen)
    # cannot hide a return and a second glance, and the hold is reported; three (0.3 s) can,
    # and then the 0.7 s seen after the gap is short of 0.6 s plus the 0.3 s unseen.
    assert _feed(1.6, (1.6, 1.8)) == 1
    assert _feed(1.6, (1.6, 1.9)) == 0
    assert _feed(2.2, (1.6, 1.9)) == 1


@pytest.mark.parametrize("jitter_s", [0.001, 0.003, 0.015])
def test_a_live_cameras_jitter_does_not_decide_whether_two_missed_frames_cost_the_hold(
    jitter_s: float,
) -> None:
    # Two frames missed at 10 fps leave 0.2 s unseen give or take the jitter: still only a
    # missed reading (review rev48f: at +-1 ms, 7 of 30 held turns were lost); three frames
    # still cost the hold their time.
    assert _feed(1.6, (1.6, 1.8), jitter_s=jitter_s) == 1
    assert _feed(1.6, (1.6, 1.9), jitter_s=jitter_s) == 0
