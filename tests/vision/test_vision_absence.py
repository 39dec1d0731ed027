"""When a face gone long enough makes the bedside (and the bench) learn the neutral again."""

from __future__ import annotations

from pathlib import Path

from beckon.vision.absence import AbsenceWatch


def _relearns(watch: AbsenceWatch, frames: list[tuple[float, bool]]) -> list[float]:
    """Times where the watch says to relearn (a neutral is held until it does)."""
    ready = True
    out = []
    for t, found in frames:
        if watch.update(t, found, ready):
            out.append(t)
            ready = False  # the caller resets the neutral pose
        elif found:
            ready = True
    return out


def _frames(
    seconds: float, found: bool, start: float, fps: float = 5.0
) -> list[tuple[float, bool]]:
    return [(start + i / fps, found) for i in range(round(seconds * fps))]


def test_a_face_gone_ten_seconds_is_learned_again_once() -> None:
    frames = _frames(2.0, True, 0.0) + _frames(15.0, False, 2.0)
    assert _relearns(AbsenceWatch(10.0), frames) == [12.0]


def test_a_face_gone_a_little_less_is_not() -> None:
    frames = _frames(2.0, True, 0.0) + _frames(9.8, False, 2.0) + _frames(2.0, True, 11.8)
    assert _relearns(AbsenceWatch(10.0), frames) == []


def test_each_return_of_the_face_starts_the_count_again() -> None:
    gaps = _frames(6.0, False, 0.0) + _frames(0.2, True, 6.0) + _frames(6.0, False, 6.2)
    assert _relearns(AbsenceWatch(10.0), gaps) == []


def test_without_a_neutral_there_is_nothing_to_relearn() -> None:
    watch = AbsenceWatch(10.0)
    assert not any(watch.update(t, False, False) for t, _ in _frames(20.0, False, 0.0))


def test_a_calibrated_neutral_is_put_back_after_an_absence_not_relearned(
    face_model: Path,
) -> None:
    """Relearned from the first steady second after coming back, a patient who returned
    turned 10 degrees kept that as neutral for the rest of the run; staff calibrated them."""
    import numpy as np

    from beckon.profile import Calibration, GestureProfile
    from beckon.vision.face import FaceObservation
    from beckon.vision.pipeline import VisionPipeline

    c, s = float(np.cos(np.radians(10))), float(np.sin(np.radians(10)))
    turned = (c, 0.0, s, 0.0, 1.0, 0.0, -s, 0.0, c)  # 10 degrees of yaw
    profile = GestureProfile(
        calibration=Calibration(neutral_rotation=turned, noise=(0.5, 0.5, 0.5))
    )
    with VisionPipeline(face_model, profile=profile) as pipeline:
        for i in range(130):  # 13 s without a face
            pipeline._track_face(FaceObservation(t=i / 10, found=False))
        assert pipeline.neutral.ready
        rotation = pipeline.neutral.rotation
        assert rotation is not None
        assert np.allclose(np.asarray(rotation), np.array(turned).reshape(3, 3))


def test_a_gap_in_the_pictures_breaks_what_was_in_progress() -> None:
    from beckon.vision.absence import FRAME_GAP_S, broken_by_gap

    assert not broken_by_gap(None, 5.0)
    assert not broken_by_gap(1.0, 1.0 + 1 / 5)  # a slow 5 fps camera
    assert not broken_by_gap(1.0, 1.0 + FRAME_GAP_S)
    assert broken_by_gap(1.0, 1.0 + FRAME_GAP_S + 0.1)


def test_a_camera_that_stalls_with_the_head_down_mid_nod_gives_no_look_down(
    face_model: Path,
) -> None:
    """The stall was counted as hold time: 2.9 s without pictures, the head down in a nod,
    then pictures again with the head at rest, was a held "look down"."""
    from beckon.lab import synthetic
    from beckon.vision.frames import Frame
    from beckon.vision.pipeline import VisionPipeline

    fps = 15.0
    rig = synthetic.FaceRig(synthetic.load_demo_face(), face_model, (640, 480))
    before = synthetic.build_poses([synthetic.still(4.0), synthetic.nod(0.6, 12.0, 1.0)], fps)
    after = synthetic.build_poses([synthetic.still(4.0)], fps)
    times = [i / fps for i in range(len(before))]
    times += [times[-1] + 2.9 + i / fps for i in range(1, len(after) + 1)]
    poses = before + after
    events = []
    with VisionPipeline(face_model) as pipeline:
        for i, (t, pose) in enumerate(zip(times, poses, strict=True)):
            events += pipeline.process(Frame(i, t, rig.render(pose)))
    assert [e.gesture for e in events] == []
