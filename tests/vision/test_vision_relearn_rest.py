"""Staff tell the bedside "the patient was repositioned: learn the rest again" (issue #9).

A head that comes to rest 15 degrees or more away from the learned neutral (pillow moved, bed
raised, the patient turned) is never re-fixed by itself: from the pose alone it looks like a
patient watching something aside (``NeutralParams.reanchor_max_deg``), and every held gesture
is lost there for as long as the patient rests so (gest41b). The nurse who moved the patient
knows: :meth:`VisionPipeline.relearn_neutral` learns the rest again, as after a long absence.

Pose traces (``tests/vision/traces.py``) with absolute angles go through the bedside's own path
(:meth:`VisionPipeline.take`), the neutral pose learned online as on an uncalibrated bedside.
"""

from __future__ import annotations

from pathlib import Path

from beckon.vision.face import FaceObservation, observation
from beckon.vision.gestures import GestureEvent
from beckon.vision.pipeline import FaceStatus, VisionPipeline
from tests.vision.traces import Patient, add, glide, held

SHIFT_AT = 20.0  # past the first-pose check: a shift then is never re-fixed by itself
TURN = 18.0  # a turn of 18 degrees held 1 s, as gest41b's probe
RELEARN_AT = 25.0


def _shifted(turn_at: float, gone: tuple[float, float] | None = None) -> Patient:
    """At rest, then 20 degrees of yaw (in 1 s, from :data:`SHIFT_AT`) that stays, and one turn
    further that way at ``turn_at``; ``gone``: a span with nobody in view."""
    patient = Patient(
        yaw=add(glide((SHIFT_AT, 0.0), (SHIFT_AT + 1.0, 20.0)), held(turn_at, 1.0, TURN, 0.35))
    )
    if gone is not None:
        start, end = gone
        patient.found = lambda t: not start <= t < end
    return patient


def _run(
    pipeline: VisionPipeline, patient: Patient, seconds: float, relearn_at: float | None
) -> list[GestureEvent]:
    """Feed the trace frame by frame; ``relearn_at``: when staff ask to learn the rest again
    (taken before that frame, as the worker does)."""
    events: list[GestureEvent] = []
    for obs in patient.trace(seconds, seed=3, fps=15.0):
        if relearn_at is not None and obs.t >= relearn_at:
            pipeline.relearn_neutral()
            relearn_at = None
        rotation = obs.rotation if obs.found else None
        measured = observation(pipeline.neutral, obs.t, rotation, obs.quality, obs.blendshapes)
        events += pipeline.take(measured)
    return events


def _turns(events: list[GestureEvent]) -> list[str]:
    return [e.gesture for e in events if e.gesture.startswith("turn_")]


def test_a_turn_at_a_rest_twenty_degrees_aside_is_lost_without_a_relearn(
    face_model: Path,
) -> None:
    """What gest41b measured, the reason for the staff action: 0 of 36 turns found."""
    with VisionPipeline(face_model) as pipeline:
        events = _run(pipeline, _shifted(turn_at=35.0), 40.0, relearn_at=None)
        assert pipeline.status.state == "ready"  # and the bedside said "ready" throughout
    assert _turns(events) == []


def test_after_staff_ask_to_learn_the_rest_again_the_same_turn_is_found(
    face_model: Path,
) -> None:
    seen: list[FaceStatus] = []
    with VisionPipeline(face_model, on_status=seen.append) as pipeline:
        events = _run(pipeline, _shifted(turn_at=35.0), 40.0, relearn_at=RELEARN_AT)
    assert [e.gesture for e in events] == ["turn_left"]
    # "calibrating" again from the request on, then "ready" as on a first start.
    after = [s.state for s in seen if s.t >= RELEARN_AT]
    assert after == ["calibrating", "ready"]


def test_a_request_with_nobody_in_view_is_harmless(face_model: Path) -> None:
    """The request comes while the nurse stands in front of the camera: nothing is learned from
    no face, no event comes of it, and the rest is learned when the patient is seen again."""
    seen: list[FaceStatus] = []
    patient = _shifted(turn_at=35.0, gone=(23.0, 27.0))
    with VisionPipeline(face_model, on_status=seen.append) as pipeline:
        events = _run(pipeline, patient, 40.0, relearn_at=RELEARN_AT)
        assert pipeline.status.state == "ready"
    assert [e.gesture for e in events] == ["turn_left"]
    after = [s.state for s in seen if s.t >= 23.0]
    assert after == ["no_face", "calibrating", "ready"]


def test_a_calibrated_neutral_is_not_put_back_after_staff_relearned_the_rest(
    face_model: Path,
) -> None:
    """The calibrated neutral is the rest staff said no longer holds: a long absence after the
    request learns the rest from the face again, not from the calibration."""
    from beckon.profile import Calibration, GestureProfile

    frontal = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    profile = GestureProfile(calibration=Calibration(neutral_rotation=frontal, noise=(0.5,) * 3))
    with VisionPipeline(face_model, profile=profile) as pipeline:
        _run(pipeline, Patient(), 15.0, relearn_at=1.0)  # still: learned from the face
        assert pipeline.neutral.ready
        for i in range(130):  # then 13 s without a face
            pipeline.take(FaceObservation(t=15.0 + i / 10, found=False))
        assert not pipeline.neutral.ready  # relearning, not the calibration put back
