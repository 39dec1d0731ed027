"""A held look that reads short of its bar still counts when it is held long enough.

MediaPipe reads a look on some faces at 0.6 to 0.8 of its size, so a patient's look of 10
degrees can peak at 7.4 against the 8 degree bar (``EngineParams.look_weak_share``,
``look_weak_hold_s``). Pose traces through the live path (neutral learned from the trace).
"""

from __future__ import annotations

import pytest

from tests.vision.traces import Patient, Wave, add, held, reported

BAR = 8.0
"""The default profile's look bar, in degrees."""
SHORT = 0.91 * BAR
"""A look read short: 7.3 degrees, under the bar and over ``look_weak_share`` of it."""


def _looks(pitch: Wave, seconds: float, fps: float) -> list[tuple[str, float]]:
    """(gesture, made_at) of every event on a head moving only its pitch."""
    return [(e.gesture, e.made_at) for _, e in reported(Patient(pitch=pitch), seconds, fps)]


@pytest.mark.parametrize("fps", [10.0, 15.0, 30.0])
@pytest.mark.parametrize(("gesture", "sign"), [("look_up", -1.0), ("look_down", 1.0)])
def test_a_look_read_short_of_its_bar_counts_when_held_and_a_glance_as_short_does_not(
    gesture: str, sign: float, fps: float
) -> None:
    # Rest, then a posture under the weak bar held 2 s (6.4 degrees, 0.8 of the bar), a glance
    # at the short reading held 0.4 s, and the look itself at the same reading held 1.2 s.
    pitch = add(
        held(3.0, 2.0, sign * 0.8 * BAR),
        held(8.0, 0.4, sign * SHORT),
        held(12.0, 1.2, sign * SHORT),
    )
    events = _looks(pitch, 17.0, fps)
    assert [g for g, _ in events] == [gesture]
    made = events[0][1]
    assert 12.0 <= made <= 12.0 + 1.2 + 0.6 + 1.5
