"""The bedside says so when the head rests far from its learned rest (issue #9, gest45a).

A patient who shifts in bed after the first-pose check (12 s) and rests 15 degrees or more
from his learned rest keeps the old neutral for as long as he rests there: every turn, tilt,
look and expression is lost, only nods and shakes work (gest41b), and the bedside said
``ready``. Now :class:`FaceStatus` carries the hint ``away_from_rest`` once the head has rested
past ``NeutralParams.reanchor_max_deg`` for ``AwayParams.after_s`` (8 s), and drops it as soon
as the head is back within reach or the rest is learned again.

Pose traces (``tests/vision/traces.py``) with absolute angles go through the bedside's own path
(:meth:`VisionPipeline.take`), the neutral pose learned online as on an uncalibrated bedside.
"""

from __future__ import annotations

from pathlib import Path

from beckon.vision.face import observation, view_hint
from beckon.vision.pipeline import FaceStatus, VisionPipeline
from tests.vision.traces import Patient, add, glide, sine

SHIFT_AT = 20.0  # past the first-pose check: a far rest then is never re-fixed by itself
SETTLED = SHIFT_AT + 1.0


def _shift(axis: str, degrees: float, hold: float = 1e6) -> Patient:
    """At rest, then ``degrees`` on ``axis`` (in 1 s from :data:`SHIFT_AT`), kept ``hold`` s,
    then back to the rest in 1 s."""
    wave = glide(
        (SHIFT_AT, 0.0), (SETTLED, degrees), (SETTLED + hold, degrees), (SETTLED + hold + 1.0, 0.0)
    )
    patient = Patient()
    setattr(patient, axis, wave)
    return patient


def _statuses(
    face_model: Path, patient: Patient, seconds: float, relearn_at: float | None = None
) -> list[FaceStatus]:
    """Every status change of the bedside's pipeline while the trace plays at 15 fps. Each
    frame carries the view hint the tracker would give (a head turned past 25 degrees from the
    camera: ``face_screen``; the rest faces the camera here)."""
    seen: list[FaceStatus] = []
    with VisionPipeline(face_model, on_status=seen.append) as pipeline:
        for obs in patient.trace(seconds, seed=4, fps=15.0):
            if relearn_at is not None and obs.t >= relearn_at:
                pipeline.relearn_neutral()
                relearn_at = None
            hint = view_hint(150.0, abs(obs.yaw or 0.0), 1.0)
            measured = observation(
                pipeline.neutral, obs.t, obs.rotation, obs.quality, obs.blendshapes, hint=hint
            )
            pipeline.take(measured)
    return seen


def _away(seen: list[FaceStatus]) -> list[tuple[float, bool]]:
    """(time, shown) at each change of the ``away_from_rest`` hint."""
    out: list[tuple[float, bool]] = []
    for status in seen:
        on = status.hint == "away_from_rest"
        if on != (out[-1][1] if out else False):
            out.append((status.t, on))
    return out


def test_a_patient_resting_twenty_degrees_turned_is_told_eight_seconds_after_settling(
    face_model: Path,
) -> None:
    """The case of gest41b: "ready" throughout before; now the hint, with the face ready."""
    seen = _statuses(face_model, _shift("yaw", 20.0), 40.0)
    changes = _away(seen)
    assert len(changes) == 1 and changes[0][1]
    assert SETTLED + 7.0 <= changes[0][0] <= SETTLED + 9.0
    shown = next(s for s in seen if s.hint == "away_from_rest")
    assert shown.state == "ready"


def test_tilted_or_pitched_far_from_the_rest_is_told_too(face_model: Path) -> None:
    for axis in ("roll", "pitch"):
        changes = _away(_statuses(face_model, _shift(axis, -16.0), 35.0))
        assert [on for _, on in changes] == [True], axis


def test_it_is_said_in_place_of_face_the_screen_when_the_head_turned_from_its_rest(
    face_model: Path,
) -> None:
    """Turned 30 degrees from a rest facing the camera: the view hint says "face the screen"
    (and the station "move the tablet"); the head's own rest is the fix."""
    seen = _statuses(face_model, _shift("yaw", 30.0), 35.0)
    hints = [s.hint for s in seen if s.t >= SETTLED]
    assert hints[:2] == ["face_screen", "away_from_rest"]


def test_the_station_still_hears_move_the_tablet_where_the_face_looks_turned_past_the_limit(
    face_model: Path,
) -> None:
    """A tablet knocked aside looks, from the camera, like a head turned from its rest: where
    the view's own hint is ``face_screen`` the station is told ``poor_view`` as before gest45a
    (``device_hint``), while the patient reads what he can do (rev45a2). Turned 20 degrees the
    view is fine and the station hears ``away_from_rest``."""
    for shift, device_hint in ((30.0, "face_screen"), (20.0, "away_from_rest")):
        seen = _statuses(face_model, _shift("yaw", shift), 35.0)
        away = [s for s in seen if s.hint == "away_from_rest"]
        assert away, shift
        assert {s.device_hint for s in away} == {device_hint}, shift


def test_a_glance_of_five_seconds_or_a_ten_degree_shift_is_not_told_a_far_rest_is(
    face_model: Path,
) -> None:
    """A glance 30 degrees aside for 5 s comes back; a shift of 10 degrees is taken as the new
    rest (re-anchoring) and every gesture works from it; only the rest past reach is told."""
    patient = Patient(
        yaw=glide((20.0, 0.0), (20.3, 30.0), (25.3, 30.0), (25.6, 0.0), (60.0, 0.0), (61.0, 20.0)),
        pitch=glide((35.0, 0.0), (36.0, 10.0)),
    )
    changes = _away(_statuses(face_model, patient, 75.0))
    assert [on for _, on in changes] == [True]
    assert 61.0 + 7.0 <= changes[0][0] <= 61.0 + 9.0


def test_it_goes_a_second_after_the_head_is_back_near_its_rest(face_model: Path) -> None:
    """Back within ``AwayParams.back_deg`` (10) for ``back_s`` (1 s): here 0.5 s into the
    1 s return from 20 degrees, so 1.5 s after it began."""
    back = SETTLED + 20.0  # the head leaves the far pose here, in 1 s
    changes = _away(_statuses(face_model, _shift("yaw", 20.0, hold=20.0), back + 5.0))
    assert [on for _, on in changes] == [True, False]
    assert back + 1.0 < changes[1][0] <= back + 2.0


def test_it_goes_at_once_when_staff_relearn_the_rest(face_model: Path) -> None:
    relearn = SETTLED + 12.0
    seen = _statuses(face_model, _shift("yaw", 20.0), relearn + 10.0, relearn_at=relearn)
    changes = _away(seen)
    assert [on for _, on in changes] == [True, False]
    assert relearn <= changes[1][0] < relearn + 0.1
    after = [(s.state, s.hint) for s in seen if s.t >= relearn]
    assert after == [("calibrating", None), ("ready", None)]


def _spans(changes: list[tuple[float, bool]], end: float) -> list[float]:
    """How long each showing lasted (the last until ``end``)."""
    ons = [t for t, on in changes if on]
    offs = [t for t, on in changes if not on] + [end]
    return [off - on for on, off in zip(ons, offs, strict=False)]


def test_a_head_swaying_about_the_bound_does_not_make_the_line_come_and_go(
    face_model: Path,
) -> None:
    """A head parked at 13.5 degrees with a restless sway (+/- 3.2) and noise: the line came
    and went 26 times in 580 s, most for 0.07-0.7 s, moving the whole screen (rev45a). The
    clock now needs 85 % of its frames past the bound, and once told the head must be back
    within 10 degrees for a second: shown for good, or not at all."""
    sway = add(glide((20.0, 0.0), (21.0, 13.5)), sine(0, 1e6, 2.0, 0.13), sine(0, 1e6, 1.2, 0.31))
    patient = Patient(yaw=sway, pitch=sine(0, 1e6, 1.5, 0.11), noise_deg=0.4)
    end = 200.0
    spans = _spans(_away(_statuses(face_model, patient, end)), end)
    assert len(spans) <= 1, spans
    assert all(span >= 5.0 for span in spans), spans


def test_a_shake_or_a_turn_toward_the_rest_does_not_end_it(face_model: Path) -> None:
    """Told, the patient answers with a shake (it works from there) and tries a quick turn
    toward his rest (6 degrees from it for 0.5 s): each ended the line at once, back 8-10 s
    later (rev45a). A turn back held ``AwayParams.back_s`` (1 s) ends it."""
    told = SETTLED + 10.0
    patient = Patient(
        yaw=add(
            glide((SHIFT_AT, 0.0), (SETTLED, 20.0)),
            sine(told, 2.0, 24.0, 1.0),  # a shake
            glide((told + 5.0, 0.0), (told + 5.3, -14.0), (told + 5.8, -14.0), (told + 6.1, 0.0)),
        ),
        noise_deg=0.3,
    )
    changes = _away(_statuses(face_model, patient, told + 12.0))
    assert [on for _, on in changes] == [True]


def test_a_frame_without_a_face_does_not_hide_it(face_model: Path) -> None:
    """One frame MediaPipe misses (shorter than the face's lost gap) dropped the hint for that
    frame (rev45a): the hint holds through it (the frame's state is ``no_face``, and the
    bedside and its device watch keep the note on such a frame, rev45a2)."""
    drops = (40.0, 45.0)
    patient = Patient(
        yaw=glide((SHIFT_AT, 0.0), (SETTLED, 20.0)),
        noise_deg=0.3,
        found=lambda t: not any(abs(t - d) < 0.5 / 15.0 for d in drops),
    )
    changes = _away(_statuses(face_model, patient, 50.0))
    assert [on for _, on in changes] == [True]


def test_a_rest_pitched_from_the_camera_is_either_taken_or_told(face_model: Path) -> None:
    """Re-anchoring measured "away" by Euler angles, this rule by the relative rotation: with
    the rest pitched 25 degrees from the camera a yaw shift of 12.5-13 was 11.3-11.8 relative,
    so neither applied and the gestures were lost untold (rev45a). One measure now
    (``NeutralPose.offset_deg``): 12.75 is past re-anchoring's bound and told; 11 is taken as
    the new rest and not."""
    for shift, told in ((12.75, True), (11.0, False)):
        patient = Patient(pitch=lambda t: 25.0, yaw=glide((SHIFT_AT, 0.0), (SETTLED, shift)))
        changes = _away(_statuses(face_model, patient, 45.0))
        assert [on for _, on in changes] == ([True] if told else []), shift


def test_a_rest_just_past_the_bound_with_jitter_is_either_taken_or_told(face_model: Path) -> None:
    """A rest whose median lies just past ``reanchor_max_deg`` with a little jitter: too far
    for re-anchoring (its median pose), and only 40-80 % of its frames past the bound, short of
    the 85 % the rule counted, so neither re-anchored nor told (rev45a2: 9 of 24 such rests).
    The rule now tests the median offset as re-anchoring does."""
    for axis, shift, noise in (("yaw", 12.2, 0.6), ("roll", 12.3, 0.6), ("yaw", 12.1, 0.3)):
        patient = Patient(noise_deg=noise)
        setattr(patient, axis, glide((SHIFT_AT, 0.0), (SETTLED, shift)))
        seen: list[FaceStatus] = []
        with VisionPipeline(face_model, on_status=seen.append) as pipeline:
            for obs in patient.trace(45.0, seed=7, fps=15.0):
                pipeline.take(
                    observation(pipeline.neutral, obs.t, obs.rotation, obs.quality, obs.blendshapes)
                )
            taken = pipeline.neutral.version > 1
        told = any(s.hint == "away_from_rest" for s in seen)
        assert taken or told, (axis, shift, noise)
