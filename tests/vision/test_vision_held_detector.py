"""The held detector on its own: when a return to the resting band is an oscillation."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from beckon.profile import GestureProfile
from beckon.vision.engine import GestureEngine
from beckon.vision.held import reopened


def _events(knots: list[tuple[float, float]], fps: float = 25.0) -> list[float]:
    """Times of the turns found on the yaw trace through ``knots`` (time, degrees) by the
    turn detector the engine builds (default profile: 8 degrees held 0.4 s)."""
    engine = GestureEngine(GestureProfile())
    hold = next(h for h, _ in engine.head if h.gesture == "turn_left")
    ts, ys = zip(*knots, strict=True)
    out = []
    for i in range(round(ts[-1] * fps)):
        t = i / fps
        event = hold.update(t, float(np.interp(t, ts, ys)), (0.0, 0.0))
        if event is not None:
            out.append(event.t)
    return out


def test_two_turns_with_a_pause_short_of_rest_between_are_both_heard() -> None:
    # As a real person turning toward someone twice (nonsign's dg_driving): out to 20
    # degrees for a second, back to 3.5 (inside the resting band, short of rest) for 0.1 s,
    # out again to 12 for 0.6 s, then back to rest: two turns, the first reported as the
    # second begins. The second was lost before session 11 (the pause read as an
    # oscillation); the first was lost until session 14 (the pause ended it unjudged).
    two_turns = [
        (0.0, 0.0), (1.0, 0.0), (1.3, 20.0), (2.3, 20.0), (2.6, 3.5), (2.7, 3.5),
        (3.0, 12.0), (3.6, 12.0), (3.9, 0.0), (6.0, 0.0),
    ]  # fmt: skip
    events = _events(two_turns)
    assert len(events) == 2 and events[0] < 3.0 < 3.9 < events[1]


def test_a_swing_through_rest_and_out_again_is_still_an_oscillation() -> None:
    # The same second movement after swinging through rest to the other side (a shake):
    # nothing, as before.
    shake = [
        (0.0, 0.0), (1.0, 0.0), (1.3, 20.0), (2.3, 20.0), (2.5, -8.0), (2.65, 12.0),
        (3.25, 12.0), (3.55, 0.0), (6.0, 0.0),
    ]  # fmt: skip
    assert _events(shake) == []


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_return_that_settled_between_frames_is_judged_at_every_frame_rate(fps: float) -> None:
    # A turn held a second, back through rest, in the resting band (under the release bar,
    # 4 degrees) for 0.30 s by the crossings, then a brief glance out the same way (0.2 s:
    # no turn itself). It had settled (``settle_s`` 0.25): a turn. At 10 fps the frames saw
    # only 0.2 s of the stay and the turn went as an oscillation's repeat (review rev40c:
    # a look down whose return ran straight into a cough's bob).
    settled_then_glance = [
        (0.0, 0.0), (1.0, 0.0), (1.3, 20.0), (2.3, 20.0), (2.6, -1.0), (2.75, -1.0),
        (2.95, 12.0), (3.15, 12.0), (3.35, 0.0), (6.0, 0.0),
    ]  # fmt: skip
    events = _events(settled_then_glance, fps)
    assert len(events) == 1 and 2.8 <= events[0] <= 3.0


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_return_shorter_than_the_settle_between_frames_is_still_an_oscillation(
    fps: float,
) -> None:
    # The same with 0.2 s in the band by the crossings: out again before it settled, at
    # every frame rate, as before.
    unsettled = [
        (0.0, 0.0), (1.0, 0.0), (1.3, 20.0), (2.3, 20.0), (2.6, -1.0), (2.65, -1.0),
        (2.85, 12.0), (3.05, 12.0), (3.25, 0.0), (6.0, 0.0),
    ]  # fmt: skip
    assert _events(unsettled, fps) == []


@pytest.mark.parametrize("fps", [10.0, 15.0, 25.0, 30.0])
@pytest.mark.parametrize("stay", [0.26, 0.28, 0.3])
def test_a_turn_after_a_settled_one_meets_its_cooldown_whatever_paused_before(
    fps: float, stay: float
) -> None:
    # Turn A is judged at a pause short of rest, turn B (after it, exempt from the cooldown
    # against A) comes back through rest and stays in the band ``stay`` s by the crossings,
    # over the settle, and turn C starts as the stay ends, 1 s after B's event. B settled: C
    # is a double trigger of B and meets the cooldown (review rev41a). C kept the exemption
    # A's pause gave B, and was a third event (at every rate reading the stay between the
    # frames, at 30 fps on the frames too, the frame at the settle being C's first out).
    leave = 3.623 + stay - 0.2 * 5 / 13
    three_turns = [
        (0.0, 0.0), (1.0, 0.0), (1.3, 20.0), (2.3, 20.0), (2.6, 3.5), (2.7, 3.5),
        (3.0, 12.0), (3.5, 12.0), (3.7, -1.0), (leave, -1.0), (leave + 0.2, 12.0),
        (leave + 0.7, 12.0), (leave + 0.9, 0.0), (leave + 3.0, 0.0),
    ]  # fmt: skip
    events = _events(three_turns, fps)
    assert len(events) == 2 and events[0] < 3.0 < events[1] < 4.1


@pytest.mark.parametrize("fps", [10.0, 15.0, 25.0, 30.0])
def test_a_held_swing_in_the_cooldown_does_not_free_the_next_one(fps: float) -> None:
    # A slow nod or sway whose swings are held: a turn held a second, then two more held
    # 0.5 s, each back through rest for 0.26 s by the crossings (just over the settle, under
    # it on most frames). The second falls in the first's cooldown; read between the
    # crossings, it settled and the third went on as a movement of its own, a second event
    # 2 s after the first (review rev41a: a pausednod scene, look_down twice at 15 fps). A
    # swing that could not be reported anyway is left to the frames, as before: one turn.
    leave = 3.623 + 0.26 - 0.2 * 5 / 13
    held_swings = [
        (0.0, 0.0), (1.0, 0.0), (1.3, 20.0), (2.3, 20.0), (2.6, -1.0), (2.7, -1.0),
        (3.0, 12.0), (3.5, 12.0), (3.7, -1.0), (leave, -1.0), (leave + 0.2, 12.0),
        (leave + 0.7, 12.0), (leave + 0.9, 0.0), (leave + 3.0, 0.0),
    ]  # fmt: skip
    events = _events(held_swings, fps)
    assert len(events) == 1 and events[0] < 3.0


@pytest.mark.parametrize("fps", [10.0, 15.0, 25.0, 30.0])
def test_turns_the_same_way_with_a_rest_between_are_each_heard(fps: float) -> None:
    # A patient pointing at the menu turns right three times to move three steps: 20
    # degrees held 0.4 s, 0.5 s at rest between (0.58 s within the release bar). Each one
    # was judged 1.3 s after the event before, inside its 1.5 s cooldown, and only the first
    # was heard (gest42b); after a rest of ``rested_s`` (0.4 s) each is a movement of its own.
    knots = [(0.0, 0.0), (1.0, 0.0)]
    t = 1.0
    for _ in range(3):
        knots += [(t + 0.2, 20.0), (t + 0.6, 20.0), (t + 0.8, 0.0), (t + 1.3, 0.0)]
        t += 1.3
    knots.append((t + 2.0, 0.0))
    assert len(_events(knots, fps)) == 3


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
def test_a_return_that_swings_past_rest_does_not_carry_the_rest_before_the_turn(
    fps: float,
) -> None:
    # Two seconds at rest, a turn of 20 degrees held 0.6 s, a return that swings past rest to
    # -6 in 0.05 s (no frame within the release bar) and stays there 0.5 s, then out the same
    # way again to 12 for 0.5 s: one movement and its rebound. The second excursion was
    # credited with the rest from before the first and freed from the cooldown: two turns at
    # two or three of five phases (review rev42b, det2.py). Time on the other side is not rest.
    for phase in (0.0, 0.02, 0.04, 0.06, 0.08):
        a = 2.9 + phase
        knots = [
            (0.0, 0.0), (2.0 + phase, 0.0), (2.3 + phase, 20.0), (a, 20.0), (a + 0.05, -6.0),
            (a + 0.55, -6.0), (a + 0.6, 12.0), (a + 1.1, 12.0), (a + 1.4, 0.0), (7.0, 0.0),
        ]  # fmt: skip
        assert len(_events(knots, fps)) == 1, phase


def test_a_held_turn_followed_by_a_brief_second_movement_the_same_way_is_heard() -> None:
    # A turn held a full second at 20 degrees, back to 3.5 (short of rest) for 0.1 s, then a
    # brief glance out again (10 degrees for 0.2 s, too short to be a turn) and rest. The
    # first turn is a turn; it was never reported: the pause ended it unjudged, and the
    # glance after it was too short to count.
    turn_then_glance = [
        (0.0, 0.0), (1.0, 0.0), (1.3, 20.0), (2.3, 20.0), (2.6, 3.5), (2.7, 3.5),
        (2.8, 10.0), (3.0, 10.0), (3.2, 0.0), (6.0, 0.0),
    ]  # fmt: skip
    events = _events(turn_then_glance)
    assert len(events) == 1 and 2.6 <= events[0] <= 3.0


def test_a_turn_whose_return_wobbles_at_the_release_bar_is_heard_once() -> None:
    # A turn held a second, coming back with a wobble across the release bar (4 degrees)
    # that never reaches the turn bar again: one turn.
    wobble = [
        (0.0, 0.0), (1.0, 0.0), (1.3, 20.0), (2.3, 20.0), (2.6, 3.6), (2.7, 4.6),
        (2.8, 3.6), (2.9, 4.5), (3.1, 0.0), (6.0, 0.0),
    ]  # fmt: skip
    assert len(_events(wobble)) == 1


def _events_with_gap(
    knots: list[tuple[float, float]], gap: tuple[float, float], fps: float = 25.0
) -> list[float]:
    """As ``_events``, with the frames in ``gap`` (start, end) unusable (the occlusion gate
    closed, the face lost)."""
    engine = GestureEngine(GestureProfile())
    hold = next(h for h, _ in engine.head if h.gesture == "turn_left")
    ts, ys = zip(*knots, strict=True)
    out = []
    for i in range(round(ts[-1] * fps)):
        t = i / fps
        value = None if gap[0] <= t < gap[1] else float(np.interp(t, ts, ys))
        event = hold.update(t, value, (0.0, 0.0))
        if event is not None:
            out.append(event.t)
    return out


BRISK_TURN = [(0.0, 0.0), (2.0, 0.0), (2.3, 15.0), (3.0, 15.0), (3.3, 0.0), (6.0, 0.0)]
"""From rest to 15 degrees in 0.3 s, held 0.7 s, back (pkgface clm_cap13's turn at 20.1 s)."""


def test_a_brisk_turn_whose_onset_frames_were_unusable_is_heard() -> None:
    # The occlusion gate closed for 0.2 s at the onset, while the head swung from rest: rest
    # was seen just before, so the turn counts from its first usable frame. It was lost: the
    # detector waited for rest again through the whole turn.
    events = _events_with_gap(BRISK_TURN, (2.0, 2.2))
    assert len(events) == 1 and events[0] > 3.3


def test_a_turn_already_out_after_a_long_gap_is_not_heard() -> None:
    # Unusable for 0.8 s (a hand over the face): where the movement began was not seen, and
    # the pose after such a gap is no evidence of a gesture: the detector waits for rest.
    assert _events_with_gap(BRISK_TURN, (1.6, 2.4)) == []


def test_after_wait_for_rest_an_excursion_under_way_is_not_heard() -> None:
    # What the engine asks before it reads its kept frames again against a new reference:
    # an excursion already under way at the first kept frame is no gesture.
    engine = GestureEngine(GestureProfile())
    hold = next(h for h, _ in engine.head if h.gesture == "turn_left")
    hold.wait_for_rest()
    held_then_rest = [(0.0, 15.0), (1.0, 15.0), (1.3, 0.0), (4.0, 0.0)]
    ts, ys = zip(*held_then_rest, strict=True)
    events = [
        hold.update(i / 25.0, float(np.interp(i / 25.0, ts, ys)), (0.0, 0.0)) for i in range(100)
    ]
    assert not any(events)


TURN_ON_THROUGH_REST = [
    (0.0, 0.0), (2.0, 0.0), (2.3, 12.0), (2.9, 12.0), (3.3, 0.0), (3.6, -13.0),
    (4.4, -13.0), (4.7, 0.0), (7.0, 0.0),
]  # fmt: skip
"""A turn held 0.6 s at 12 degrees, swung briskly on through rest into a turn the other way
(pkgface clm_cap12's turn right and left at 19.6 to 21.6 s)."""


def test_a_finished_turn_whose_settle_frames_were_unusable_is_heard() -> None:
    # The occlusion gate closed for 0.24 s as the head swung through rest (at 15 fps it did
    # so on the real clip): the turn had come back and was settling, so it is judged once
    # usable frames return. It was lost: the gap ended it unjudged.
    assert len(_events(TURN_ON_THROUGH_REST)) == 1
    events = _events_with_gap(TURN_ON_THROUGH_REST, (3.4, 3.64))
    assert len(events) == 1 and 3.64 <= events[0] < 4.0


def test_a_finished_turn_whose_settle_is_hidden_for_long_is_not_heard() -> None:
    # Unusable for 0.8 s after it came back: whether the head stayed at rest was not seen.
    assert _events_with_gap(TURN_ON_THROUGH_REST, (3.4, 4.2)) == []


def test_out_again_the_same_way_after_a_settle_gap_is_still_an_oscillation() -> None:
    # Back through rest, a short gap, and out the same way at once: an oscillation (a
    # shake), as without the gap.
    swing_back_out = [
        (0.0, 0.0), (2.0, 0.0), (2.3, 12.0), (2.9, 12.0), (3.1, -6.0), (3.15, -6.0),
        (3.35, 12.0), (3.95, 12.0), (4.25, -6.0), (4.45, 0.0), (7.0, 0.0),
    ]  # fmt: skip
    assert _events(swing_back_out) == []
    assert _events_with_gap(swing_back_out, (3.05, 3.25)) == []


def _turns_sampled(knots: list[tuple[float, float]], fps: float, phase: float) -> list[float]:
    """As ``_events``, with the frames ``phase`` seconds after each tick of ``fps``: where the
    camera's frames fall on the movement is chance."""
    engine = GestureEngine(GestureProfile())
    hold = next(h for h, _ in engine.head if h.gesture == "turn_left")
    ts, ys = zip(*knots, strict=True)
    out = []
    for i in range(round(ts[-1] * fps)):
        t = phase + i / fps
        event = hold.update(t, float(np.interp(t, ts, ys)), (0.0, 0.0))
        if event is not None:
            out.append(event.t)
    return out


def test_a_glance_shorter_than_the_hold_is_no_turn_wherever_the_frames_fall() -> None:
    # A still head glances 14 degrees aside and back (ramps of 0.2 s): 0.38 s above the
    # plateau floor (0.9 of the peak for head angles), under the turn's 0.4 s. At 10 fps
    # three or four frames land on it by chance, and four frames counted as 0.4 s made it a
    # turn (talking heads at 10 fps: talkhead lp_d3, st_wda_aoc); the plateau is now read
    # from where the signal crossed the floor, between the frames either side.
    glance = [(0.0, 0.0), (1.0, 0.0), (1.2, 14.0), (1.54, 14.0), (1.74, 0.0), (4.0, 0.0)]
    for fps in (10.0, 15.0, 30.0):
        for phase in np.arange(0.0, 1.0 / fps, 0.01):
            assert _turns_sampled(glance, fps, float(phase)) == [], (fps, phase)


def test_a_turn_held_a_little_longer_than_the_hold_is_a_turn_wherever_the_frames_fall() -> None:
    # The same movement held 0.54 s above the floor: a turn at 10, 15 and 30 fps, whatever
    # the frames' phase.
    turn = [(0.0, 0.0), (1.0, 0.0), (1.2, 14.0), (1.7, 14.0), (1.9, 0.0), (4.0, 0.0)]
    for fps in (10.0, 15.0, 30.0):
        for phase in np.arange(0.0, 1.0 / fps, 0.01):
            assert len(_turns_sampled(turn, fps, float(phase))) == 1, (fps, phase)


def test_a_turn_that_comes_back_rolling_is_no_turn_wherever_the_frames_fall() -> None:
    # A turn held 0.6 s whose return in 0.1 s swings the head's roll 10 degrees (the rendered
    # talking head talkhead lp_d12 came back from a glance left with roll -8): the other
    # channels did not stay quiet. At 30 fps a frame in transit (yaw still over the release
    # bar, roll already swinging) caught it; at 10 fps the swing often fell on the first frame
    # back only, which was not counted, and the turn passed.
    yaw_t, yaw = [0.0, 1.0, 1.2, 1.8, 1.9, 4.0], [0.0, 0.0, 14.0, 14.0, 0.0, 0.0]
    roll_t, roll = [0.0, 1.8, 1.9, 4.0], [0.0, 0.0, -10.0, -10.0]
    for fps in (10.0, 15.0, 30.0):
        for phase in np.arange(0.0, 1.0 / fps, 0.01):
            engine = GestureEngine(GestureProfile())
            hold = next(h for h, _ in engine.head if h.gesture == "turn_left")
            events = []
            for i in range(round(4.0 * fps)):
                t = float(phase) + i / fps
                others = (0.0, float(np.interp(t, roll_t, roll)))
                event = hold.update(t, float(np.interp(t, yaw_t, yaw)), others)
                if event is not None:
                    events.append(event.t)
            assert events == [], (fps, phase)


def _looks_down_with_roll(
    pitch: list[tuple[float, float]], roll_of: float, fps: float, phase: float
) -> list[float]:
    """Times of the looks down found on the pitch trace through ``pitch`` (time, degrees)
    whose roll follows it (``roll_of`` degrees of roll per degree of pitch), frames
    ``phase`` seconds after each tick of ``fps``."""
    engine = GestureEngine(GestureProfile())
    hold = next(h for h, _ in engine.head if h.gesture == "look_down")
    ts, ps = zip(*pitch, strict=True)
    out = []
    for i in range(round(ts[-1] * fps)):
        t = phase + i / fps
        p = float(np.interp(t, ts, ps))
        event = hold.update(t, p, (0.0, roll_of * p))
        if event is not None:
            out.append(event.t)
    return out


def test_a_look_down_whose_roll_follows_it_out_and_back_is_a_look_down_at_any_frame_phase() -> None:
    # A patient whose head rests turned from the camera reads a look down with some roll
    # that follows the pitch out and back (the held-out face of the widened recipe, a photo
    # turned 22 degrees: tan 22 = 0.4 degree of roll per degree of pitch; 0.55 on a studied
    # face's turns). Out to 14 degrees, held 0.8 s, back along the same way, with half a
    # degree of roll per degree: from the bar on the roll moves 5 degrees at most, under the
    # limit of 6.3 (0.45 of the peak), and it comes back to where it began. Counting the
    # first frame back in the range read the whole way from rest (up to 7), and a look down
    # was lost whenever that frame fell near rest (8 of 10 on the held-out face, session 17).
    look = [(0.0, 0.0), (1.0, 0.0), (1.2, 14.0), (2.0, 14.0), (2.2, 0.0), (4.0, 0.0)]
    for fps in (10.0, 15.0, 30.0):
        for phase in np.arange(0.0, 1.0 / fps, 0.01):
            assert len(_looks_down_with_roll(look, 0.5, fps, float(phase))) == 1, (fps, phase)


def test_a_look_down_that_comes_back_rolled_is_no_look_down_wherever_the_frames_fall() -> None:
    # The same look, but the roll swings 10 degrees on the way back only (a diagonal return,
    # as talkhead lp_d12's turn): the head did not come back the way it went, and the other
    # channels stand 7 to 10 degrees from where they began on the first frame back.
    pitch_t, pitch = [0.0, 1.0, 1.2, 2.0, 2.1, 4.0], [0.0, 0.0, 14.0, 14.0, 0.0, 0.0]
    roll_t, roll = [0.0, 2.0, 2.1, 4.0], [0.0, 0.0, -10.0, -10.0]
    for fps in (10.0, 15.0, 30.0):
        for phase in np.arange(0.0, 1.0 / fps, 0.01):
            engine = GestureEngine(GestureProfile())
            hold = next(h for h, _ in engine.head if h.gesture == "look_down")
            events = []
            for i in range(round(4.0 * fps)):
                t = float(phase) + i / fps
                others = (0.0, float(np.interp(t, roll_t, roll)))
                event = hold.update(t, float(np.interp(t, pitch_t, pitch)), others)
                if event is not None:
                    events.append(event.t)
            assert events == [], (fps, phase)


def test_a_turn_seen_from_a_gap_that_comes_back_rolling_is_no_turn() -> None:
    # Where the other channels stood before the turn is not known when its onset fell in a
    # bridged gap (the occlusion gate closed for 0.2 s as the head swung out, as BRISK_TURN):
    # a return in 0.1 s that swings the roll 10 degrees then still counts, the first frame
    # back widening the others' range as it did before the frame before was kept.
    ts, ys = [0.0, 2.0, 2.3, 3.0, 3.1, 6.0], [0.0, 0.0, 15.0, 15.0, 0.0, 0.0]
    roll_t, roll = [0.0, 3.0, 3.1, 6.0], [0.0, 0.0, -10.0, -10.0]
    for fps in (10.0, 15.0, 30.0):
        for phase in np.arange(0.0, 1.0 / fps, 0.01):
            engine = GestureEngine(GestureProfile())
            hold = next(h for h, _ in engine.head if h.gesture == "turn_left")
            events = []
            for i in range(round(6.0 * fps)):
                t = float(phase) + i / fps
                usable = not 2.0 <= t < 2.2
                value = float(np.interp(t, ts, ys)) if usable else None
                event = hold.update(t, value, (0.0, float(np.interp(t, roll_t, roll))))
                if event is not None:
                    events.append(event.t)
            assert events == [], (fps, phase)


def _looks_up(pitch_of: Callable[[int, float], float], seconds: float, fps: float) -> list[float]:
    """Times of the looks up found on ``seconds`` of frames at ``fps`` whose chin-up pitch
    (degrees) is ``pitch_of(frame index, time)``."""
    engine = GestureEngine(GestureProfile())
    hold = next(h for h, _ in engine.head if h.gesture == "look_up")
    out = []
    for i in range(round(seconds * fps)):
        t = i / fps
        event = hold.update(t, -pitch_of(i, t), (0.0, 0.0))  # chin up is negative pitch
        if event is not None:
            out.append(event.t)
    return out


_LOOK = ([0.0, 1.0, 1.2, 1.8, 2.0, 4.0], [0.0, 0.0, 12.0, 12.0, 0.0, 0.0])
"""A look up: 12 degrees held 0.6 s, with ramps of 0.2 s."""


def test_one_jittery_sample_on_a_held_look_does_not_decide_the_hold() -> None:
    # A small face's landmarks at 10 fps jitter by a degree or two: one sample 2.5 degrees
    # over its neighbours on a held look (the studied face lps11 looked up to 20 degrees and
    # one sample read 21.6) set the plateau's floor at 90 % of itself, over the rest of the
    # hold, and the look was lost. One sample 2.5 degrees under them split the plateau in
    # two halves, each shorter than the hold. The plateau is read on the median of three
    # samples: wherever the jittery sample falls on the hold, the look is a look.
    for fps in (10.0, 15.0, 30.0):
        plateau = [i for i in range(round(4.0 * fps)) if 1.2 < i / fps < 1.8]
        for jitter in (+2.5, -2.5):
            for k in plateau:

                def jittery(i: int, t: float, k: int = k, jitter: float = jitter) -> float:
                    return float(np.interp(t, *_LOOK)) + (jitter if i == k else 0.0)

                assert len(_looks_up(jittery, 4.0, fps)) == 1, (fps, jitter, k)


def test_two_neighbouring_high_samples_still_set_the_floor() -> None:
    # Two samples in a row 2.5 degrees higher are the head, not jitter: the plateau is then
    # near them, and two frames are no hold.
    for fps in (10.0, 15.0, 30.0):
        k = round(1.5 * fps)

        def two_high(i: int, t: float, k: int = k) -> float:
            return float(np.interp(t, *_LOOK)) + (2.5 if i in (k, k + 1) else 0.0)

        assert _looks_up(two_high, 4.0, fps) == [], fps


def test_a_slow_nods_round_bottom_is_still_no_look_wherever_the_frames_fall() -> None:
    # One swing of a slow nod (0.6 Hz, 12 to 20 degrees up and back) is above 90 % of its
    # peak for a fifth of its cycle, 0.34 s, under the look's 0.4 s hold. The median of
    # three leaves its rise and fall as they are and lowers only its top sample: still no
    # look at 10, 15 or 30 fps, wherever the frames fall. (At 10 fps it moved where a single
    # swing starts to count as a hold from 0.51 Hz to 0.59 Hz.)
    for depth in (12.0, 20.0):
        for fps in (10.0, 15.0, 30.0):
            for phase in np.arange(0.0, 1.0 / fps, 0.01):

                def swing(
                    i: int, t: float, phase: float = float(phase), depth: float = depth
                ) -> float:
                    u = t + phase - 1.0
                    if not 0.0 <= u <= 1.0 / 0.6:
                        return 0.0
                    return depth * (1.0 - math.cos(2.0 * math.pi * 0.6 * u)) / 2.0

                assert _looks_up(swing, 4.5, fps) == [], (depth, fps, phase)


def test_a_second_opening_is_read_and_a_sag_is_not() -> None:
    # Up to a plateau that sags toward the end: nothing rises after the sag.
    assert reopened(np.array([0.1, 0.3, 0.3, 0.25, 0.2, 0.15])) == 0.0
    # Closed part way (0.3 -> 0.13) and opened again (-> 0.32): the closing's depth.
    assert math.isclose(reopened(np.array([0.1, 0.3, 0.2, 0.13, 0.25, 0.32, 0.2])), 0.17)
    # A lower second opening counts by its own height once it is back in the plateau (0.6 of
    # the peak); one that stays under it is the way down, not a second opening.
    assert math.isclose(reopened(np.array([0.1, 0.4, 0.12, 0.26, 0.1])), 0.14)
    assert reopened(np.array([0.1, 0.4, 0.12, 0.2, 0.1])) == 0.0
    # A dip within the plateau (a tremor, a sag pulled open again) is no closing.
    assert reopened(np.array([0.1, 0.3, 0.26, 0.22, 0.3, 0.25, 0.3, 0.1])) == 0.0
