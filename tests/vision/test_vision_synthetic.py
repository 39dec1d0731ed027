"""Scripted head poses and the face renderer (the renderer runs MediaPipe once per rig)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from beckon.errors import BeckonError
from beckon.lab import synthetic
from beckon.lab.synthetic import HeadPose


def test_script_sampling_and_schedule() -> None:
    script = [synthetic.still(1.0), synthetic.nod(2, 12.0, 1.0), synthetic.still(0.5)]
    plan = synthetic.schedule(script)
    assert [(p.start_s, p.end_s) for p in plan] == [(0.0, 1.0), (1.0, 3.0), (3.0, 3.5)]
    poses = synthetic.build_poses(script, fps=20)
    assert len(poses) == 70
    pitch = np.array([p.pitch for p in poses])
    assert np.all(pitch[:20] == 0) and np.all(pitch[60:] == pytest.approx(0, abs=1e-9))
    # One-sided nod: chin down (positive pitch) to the full swing, twice.
    assert pitch.max() == pytest.approx(12.0) and pitch.min() == pytest.approx(0.0, abs=1e-9)
    assert pitch[25] == pytest.approx(pitch[45])  # 1 Hz: the same phase one second later
    assert all(p.yaw == 0 and p.roll == 0 for p in poses)


def test_shake_is_centred_and_moves_continue_from_the_last_pose() -> None:
    poses = synthetic.build_poses([synthetic.shake(1, 20.0, 1.0)], fps=40)
    yaw = np.array([p.yaw for p in poses])
    assert yaw.max() == pytest.approx(10.0) and yaw.min() == pytest.approx(-10.0)
    script = [synthetic.turn(-20, 0.5), synthetic.still(0.5), synthetic.tilt(10, 0.5)]
    poses = synthetic.build_poses(script, fps=10)
    assert poses[7].yaw == pytest.approx(-20.0)
    assert poses[-1].roll == pytest.approx(10 * (0.5 - 0.5 * np.cos(np.pi * 0.8)))
    both = synthetic.build_poses(
        [synthetic.together(synthetic.nod(1, 10, 1.0), synthetic.wobble("yaw", 1.0, 8, 1.0))], 8
    )
    assert max(p.pitch for p in both) == pytest.approx(10.0)
    assert max(p.yaw for p in both) == pytest.approx(4.0)


def test_demo_script_is_still_nod_still() -> None:
    script = synthetic.demo_segments()
    kinds = [type(s).__name__ for s in script]
    assert kinds == ["Still", "Oscillation", "Still"]
    nod = script[1]
    assert isinstance(nod, synthetic.Oscillation) and nod.axis == "pitch"
    assert script[0].duration_s >= 2.0 and nod.amplitude_deg >= 10
    # What `beckon demo` renders: one pose per frame at DEFAULT_FPS.
    poses = synthetic.demo_script()
    assert len(poses) / synthetic.DEFAULT_FPS == pytest.approx(synthetic.script_duration(script))
    assert all(isinstance(p, HeadPose) for p in poses)
    assert max(p.pitch for p in poses) == pytest.approx(nod.amplitude_deg, abs=0.2)


def test_packaged_demo_face() -> None:
    data = resources.files("beckon.lab").joinpath("data")
    jpg = data.joinpath("face.jpg").read_bytes()
    assert len(jpg) < 80 * 1024
    readme = data.joinpath("README.md").read_text(encoding="utf-8")
    assert "astronaut" in readme.lower() and "public domain" in readme.lower()
    face = synthetic.load_demo_face()
    assert face.ndim == 3 and face.shape[2] == 3 and face.dtype == np.uint8
    assert min(face.shape[:2]) >= 200


@pytest.mark.vision
def test_rig_renders_the_photo_unchanged_at_rest(rig: synthetic.FaceRig) -> None:
    still = rig.render(HeadPose())
    assert still.shape == (480, 640, 3)
    assert np.abs(still.astype(int) - rig.base.astype(int)).mean() < 1.0
    assert rig.face_width_px > 100


@pytest.mark.vision
def test_rig_moves_the_face_but_not_the_background(rig: synthetic.FaceRig) -> None:
    turned = rig.render(HeadPose(yaw=15))
    x0, y0, w, h = rig.roi
    diff = np.abs(turned.astype(int) - rig.base.astype(int)).sum(axis=2)
    inside = diff[y0 : y0 + h, x0 : x0 + w]
    outside = diff.copy()
    outside[y0 : y0 + h, x0 : x0 + w] = 0
    assert inside.mean() > 5.0
    assert outside.max() == 0
    hidden = rig.render(HeadPose(visible=False))
    assert (hidden == hidden[0, 0]).all()


@pytest.mark.vision
def test_a_rest_turned_from_the_camera_moves_every_pose_in_the_heads_own_frame(
    rig: synthetic.FaceRig,
) -> None:
    # A patient resting 20 degrees to the left: the rest itself is a 20 degree turn, and a
    # look up from it tips the head about its own ear-to-ear axis (rest @ pose).
    rest = synthetic.rest_rotation(0.0, 20.0, 0.0)
    assert np.allclose(rig.project(HeadPose(), rest), rig.project(HeadPose(yaw=20.0)))
    # Rz @ Ry @ Rx: a yaw of 20 then a pitch of -10 in the turned head's frame.
    looked = rig.project(HeadPose(pitch=-10.0), rest)
    assert np.allclose(looked, rig.project(HeadPose(pitch=-10.0, yaw=20.0)), atol=1e-6)
    assert not np.allclose(rig.render(HeadPose(), rest), rig.render(HeadPose()))


@pytest.mark.vision
def test_render_clip_with_noise_and_photo_without_face(face_model: Path) -> None:
    face = synthetic.load_demo_face()
    poses = [HeadPose(), HeadPose(pitch=5)]
    frames = list(synthetic.render_clip(face, poses, (320, 240), model_path=face_model))
    noisy = list(
        synthetic.render_clip(face, poses, (320, 240), model_path=face_model, noise_sigma=3.0)
    )
    assert len(frames) == 2 and frames[0].shape == (240, 320, 3)
    assert 1.5 < np.abs(noisy[0].astype(int) - frames[0].astype(int)).mean() < 4.0
    blank = np.full((240, 320, 3), 128, dtype=np.uint8)
    with pytest.raises(BeckonError, match="No face found"):
        synthetic.FaceRig(blank, face_model)
