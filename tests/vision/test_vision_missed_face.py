"""A frame where MediaPipe finds no face is a missed reading, not a new rest.

Such a frame carries no neutral pose (version 0). The engine read the version as the neutral
pose replaced: every waiting head event was dropped, the held detectors started over, and when
the face came back (version 1 again) the history was replayed against "the new reference" as
after a re-anchor. One missed detection, or a hand over the face for a frame, lost a turn that
waited for the head's next move, and replayed a posture shift as a gesture of its own way
(issue #9; the journal's session 45 fix45g2 entry, "noticed, left alone"). A face measured
against a new neutral (re-anchored, relearned: its version grows) still drops them
(tests/vision/test_vision_dropped_log.py).
"""

from __future__ import annotations

import pytest

from beckon.vision.engine import GestureEngine
from beckon.vision.face import observation
from beckon.vision.gestures import GestureEvent
from beckon.vision.pose import NeutralPose
from tests.vision.traces import Patient, add, glide, held


def _online(patient: Patient, seconds: float, fps: float) -> list[GestureEvent]:
    """Every event, the neutral learned online; a frame ``patient.found`` says False has no
    face (``observation`` with no rotation, as the tracker gives it)."""
    neutral = NeutralPose()
    engine = GestureEngine()
    events: list[GestureEvent] = []
    for o in patient.trace(seconds, seed=5, fps=fps):
        rotation = o.rotation if o.found else None
        events += engine.update(observation(neutral, o.t, rotation, o.quality, o.blendshapes))
    return events


def _missing(start: float, seconds: float) -> Patient:
    """A patient whose face is not found from ``start`` for ``seconds``."""
    return Patient(found=lambda t: not start <= t < start + seconds - 1e-6)


@pytest.mark.parametrize("fps", [15.0, 30.0])
@pytest.mark.parametrize("frames", [1, 3])
def test_a_missed_face_while_a_turn_waits_for_the_heads_next_move_does_not_lose_it(
    fps: float, frames: int
) -> None:
    # Turn left 14 degrees, back to 7 degrees past rest the other way by 15.8 s and staying
    # there 1 s (the turn waits: maybe a posture shift undone), then out its own way 15
    # degrees (a visitor on that side) and back to rest by 18.2 s. No face for ``frames``
    # frames from 17.6 s: the turn was dropped as if the neutral had been replaced.
    patient = _missing(17.6, frames / fps)
    patient.yaw = glide(
        (14.0, 0.0),
        (14.8, 14.0),
        (15.4, 14.0),
        (15.8, -7.0),
        (16.8, -7.0),
        (17.4, 15.0),
        (17.8, 15.0),
        (18.2, 0.0),
    )
    events = _online(patient, 22.0, fps)
    turns = [e for e in events if e.gesture == "turn_left"]
    assert len(turns) == 1, events
    assert turns[0].made_at < 16.0, events


@pytest.mark.parametrize("fps", [15.0, 30.0])
@pytest.mark.parametrize(
    ("axis", "own", "size"),
    [("yaw", "turn_left", 18.0), ("roll", "tilt_right", 16.0), ("pitch", "look_down", 16.0)],
)
def test_a_missed_face_does_not_replay_a_posture_shift_as_a_gesture_of_its_way(
    fps: float, axis: str, own: str, size: float
) -> None:
    # Shifted 10 degrees the ``own`` way from 20 s to 21 s (kept: the old rest stays for
    # seconds), then the other way's gesture, held 1 s from 22.3 s, back to the shifted pose.
    # One frame with no face in that hold: replayed as after a re-anchor, the shift read
    # against the old rest was reported as ``own`` (a step the wrong way at the menu).
    patient = _missing(22.9, 1.0 / fps)
    setattr(patient, axis, add(glide((20.0, 0.0), (21.0, 10.0)), held(22.0, 1.0, -size)))
    events = _online(patient, 29.0, fps)
    assert own not in [e.gesture for e in events], events
