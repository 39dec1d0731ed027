"""The held detector on its own: when a return to the resting band is an oscillation."""

from __future__ import annotations

import numpy as np

from beckon.profile import GestureProfile
from beckon.vision.engine import GestureEngine


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
