"""A gesture the engine held back or deferred and then dropped leaves one INFO line saying so.

Hospital IT reads the bedside's log to learn why a patient's gesture did nothing. A nod held
back for a next gesture (``OscillationDetector.held_back``: its other axis moved as it settled)
that the engine then forgot left no line at INFO: only the detector's DEBUG "held back", and
nothing when the face was lost, the nod's axis made a newer movement or the neutral pose was
replaced. A look deferred as maybe a nod's last swing vanished silently when the neutral pose
was replaced. Each now logs the gesture, when it was made, and why it was dropped.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

import pytest

from beckon.vision.engine import GestureEngine
from beckon.vision.face import FaceObservation
from beckon.vision.gestures import GestureEvent
from tests.vision.traces import Patient, Wave, add, glide, held, nodding

HZ = 0.5
END = 3.0 + 2 / HZ  # a slow two-cycle nod from 3 s; it completes about 0.6 s after
TURNED = glide((END, 0.0), (END + 0.4, 15.0))  # the head turns aside as the nod settles


def held_back_nod(
    pitch: Wave | None = None, found: Callable[[float], bool] | None = None
) -> Patient:
    """A 12 degree nod at 0.5 Hz (or ``pitch``); the head turns aside and stays there as it
    settles: the nod is held back (at about 7.6 s) for a shake that never comes."""
    patient = Patient(pitch=pitch or nodding(3.0, 2, 12.0, HZ), yaw=TURNED)
    if found is not None:
        patient.found = found
    return patient


def feed(engine: GestureEngine, frames: list[FaceObservation]) -> list[GestureEvent]:
    events: list[GestureEvent] = []
    for o in frames:
        events += engine.update(o)
    return events


def dropped_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.INFO and "held back" in r.getMessage()
    ]


def test_a_held_back_nod_forgotten_when_the_face_is_lost_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    patient = held_back_nod(found=lambda t: not END + 1.5 < t < END + 2.0)
    with caplog.at_level(logging.INFO, logger="beckon.vision"):
        events = feed(GestureEngine(), patient.trace(END + 12.0, seed=3))
    assert "nod" not in [e.gesture for e in events]
    (line,) = dropped_lines(caplog)
    assert line.startswith("nod made at t=7.") and "face was lost" in line, line


def test_a_held_back_nod_forgotten_for_a_newer_nod_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Turned aside, the patient nods again: that nod's movement completes on the same
    # detector, and the first one, held back, is forgotten.
    patient = held_back_nod(pitch=add(nodding(3.0, 2, 12.0, HZ), nodding(END + 2.0, 2, 12.0, 1.0)))
    with caplog.at_level(logging.INFO, logger="beckon.vision"):
        feed(GestureEngine(), patient.trace(END + 8.0, seed=3))
    lines = dropped_lines(caplog)
    assert lines and lines[0].startswith("nod made at t=7."), lines
    assert "newer" in lines[0], lines[0]


def test_a_held_back_nod_forgotten_as_the_neutral_pose_is_replaced_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The tracker replaced the neutral pose (version 1 -> 2) by one 10 degrees away in pitch
    # while the nod waited: the nod detector starts over (its stored angles were read against
    # the old neutral), and the nod with it.
    frames = []
    for o in held_back_nod().trace(END + 4.0, seed=3):
        if o.found and o.t >= END + 1.5:
            assert o.pitch is not None
            o = dataclasses.replace(o, pitch=o.pitch - 10.0, neutral_version=2)
        else:
            o = dataclasses.replace(o, neutral_version=1)
        frames.append(o)
    with caplog.at_level(logging.INFO, logger="beckon.vision"):
        feed(GestureEngine(), frames)
    (line,) = dropped_lines(caplog)
    assert line.startswith("nod made at t=7.") and "neutral pose was replaced" in line, line


def test_a_held_back_nod_too_old_is_logged_the_same_way(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="beckon.vision"):
        feed(GestureEngine(), held_back_nod().trace(END + 8.0, seed=3))
    (line,) = dropped_lines(caplog)
    assert line.startswith("nod made at t=7.") and "no gesture of the other axis" in line, line


def test_a_deferred_look_dropped_as_the_neutral_pose_is_replaced_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A look down while a slow nod's detector is under way waits (it may be the nod's last
    # dip); the neutral pose replaced meanwhile drops it, measured against the old one.
    patient = Patient(pitch=add(nodding(3.0, 1, 12.0, HZ), held(5.2, 0.6, 12.0)))
    frames = []
    for o in patient.trace(9.0, seed=3):
        replaced = o.found and o.t >= 6.7  # the look (6.57 s) waits, the nod (7.0 s) not yet
        o = dataclasses.replace(o, neutral_version=2 if replaced else 1)
        frames.append(o)
    with caplog.at_level(logging.DEBUG, logger="beckon.vision"):
        feed(GestureEngine(), frames)
    lines = [r.getMessage() for r in caplog.records if "deferred" in r.getMessage()]
    assert any("neutral pose was replaced" in line for line in lines), caplog.text[-3000:]
