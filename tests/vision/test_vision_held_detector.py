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


def test_a_second_turn_after_a_pause_short_of_rest_is_heard() -> None:
    # As a real person turning toward someone twice (nonsign's dg_driving): out to 20
    # degrees for a second, back to 3.5 (inside the resting band, short of rest) for 0.1 s,
    # out again to 12 for 0.6 s, then back to rest. The first turn never settled; the second
    # is a turn. It was lost: the pause was read as an oscillation and the detector then
    # waited for rest through the whole second turn.
    two_turns = [
        (0.0, 0.0), (1.0, 0.0), (1.3, 20.0), (2.3, 20.0), (2.6, 3.5), (2.7, 3.5),
        (3.0, 12.0), (3.6, 12.0), (3.9, 0.0), (6.0, 0.0),
    ]  # fmt: skip
    events = _events(two_turns)
    assert len(events) == 1 and events[0] > 3.9


def test_a_swing_through_rest_and_out_again_is_still_an_oscillation() -> None:
    # The same second movement after swinging through rest to the other side (a shake):
    # nothing, as before.
    shake = [
        (0.0, 0.0), (1.0, 0.0), (1.3, 20.0), (2.3, 20.0), (2.5, -8.0), (2.65, 12.0),
        (3.25, 12.0), (3.55, 0.0), (6.0, 0.0),
    ]  # fmt: skip
    assert _events(shake) == []
