"""Every event the engine reports after the frame it was made on says when it was made.

The bedside applies a gesture reported late only to what was on screen when it was made
(``GestureEvent.made``; the menu, a nurse's question, a spoken proposal). A nod held back for
the shake after it carried ``made``; a gesture the replay found against a corrected neutral
(reported now, up to ``replay_max_age_s`` after it was made) and a look or turn deferred
behind a nod or shake of its axis (reported up to ``defer_max_s`` late with its own older
time) did not: the first reached the bedside as made now, and could select the request on
offer by then; the second moved the bedside's clock back.
"""

from __future__ import annotations

import math

from beckon.vision.engine import GestureEngine
from beckon.vision.face import observation
from beckon.vision.gestures import GestureEvent
from beckon.vision.pose import NeutralPose
from tests.vision.traces import Patient, add, held


def reported(patient: Patient, seconds: float, *, live: bool) -> list[tuple[GestureEvent, float]]:
    """Each event with the time of the frame it was reported on; ``live``: the neutral pose
    is learned from the trace (as the bedside does), else the trace's own angles are used."""
    neutral, engine = NeutralPose(), GestureEngine()
    out: list[tuple[GestureEvent, float]] = []
    for o in patient.trace(seconds, seed=3, fps=15.0):
        if live:
            rotation = o.rotation if o.found else None
            o = observation(neutral, o.t, rotation, o.quality, o.blendshapes)
        out += [(e, o.t) for e in engine.update(o)]
    return out


def test_a_look_the_replay_found_late_says_when_it_was_made() -> None:
    # The camera sees the rest for a moment, then a look down held 1.5 s becomes the first
    # neutral; the head comes back, the rest is taken, and the replay finds the look against
    # it, after it ended.
    look = held(0.05, 1.5, 14.0, ramp=0.35)
    events = reported(Patient(pitch=add(look, held(4.8, 1.0, 14.0, ramp=0.35))), 9.0, live=True)
    late = [(e, at) for e, at in events if e.t == at and e.gesture == "look_down"][:1]
    assert late, events
    (first, at), *_ = late
    assert first.made is not None and first.made < at, first
    assert 1.5 < first.made < 2.5, "when the look came back, not when the replay found it"


def _jitter(t: float) -> float:
    """A resting pitch that wanders about 1.5 degrees peak to peak from the third second (a
    small, dim face's landmark jitter): the nod detector's turning points keep coming."""
    if t < 3.0:
        return 0.0
    return 0.4 * math.sin(2 * math.pi * 1.1 * t) + 0.35 * math.sin(2 * math.pi * 1.9 * t + 1.0)


def test_a_look_that_waited_for_the_nod_detector_says_when_it_was_made() -> None:
    # A look up held 1.7 s leaves the nod detector a movement under way that the jitter never
    # lets settle: the look waits for a nod (defer_s) and is reported on a later frame with
    # its own time, 10.47 s, at 11.73 s.
    patient = Patient(pitch=add(held(8.0, 1.7, -14.0), _jitter))
    ((event, at),) = reported(patient, 13.0, live=False)
    assert event.gesture == "look_up" and event.t < at - 1.0, "it waited"
    assert event.made == event.t


def test_an_event_reported_as_it_was_made_carries_no_made() -> None:
    ((event, at),) = reported(Patient(pitch=held(3.0, 1.0, 14.0)), 7.0, live=False)
    assert (event.gesture, event.made) == ("look_down", None) and event.t == at


def test_a_replayed_look_that_then_waited_keeps_when_it_was_made() -> None:
    # A look the replay found (made at 2 s, reported at the replay's frame, 3 s) that had to
    # wait behind the nod detector goes out later still: it was made at 2 s, not at 3 s (the
    # release wrote its report time over the replay's made).
    engine = GestureEngine()
    engine._pending = [GestureEvent(3.0, "look_down", 0.9, made=2.0)]
    assert engine._defer_to_oscillations(4.0, []) == [GestureEvent(3.0, "look_down", 0.9, made=2.0)]
