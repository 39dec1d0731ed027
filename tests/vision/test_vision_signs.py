"""Sign conventions of the relative head angles, checked on re-rendered photos.

Left and right are the PATIENT's own; the camera is not mirrored, so the patient's right is the
image's left. Later detectors (menu scanning by turning the head, tilt gestures) rely on these.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from beckon.lab import synthetic
from beckon.lab.synthetic import HeadPose
from beckon.vision.face import FaceTracker
from beckon.vision.frames import ArraySource

pytestmark = pytest.mark.vision

FPS = 15.0
HOLDS = {
    "turn to own right": HeadPose(yaw=-15),
    "turn to own left": HeadPose(yaw=15),
    "tilt to own left shoulder": HeadPose(roll=-12),
    "chin down": HeadPose(pitch=12),
}


@pytest.fixture(scope="module")
def measured(rig: synthetic.FaceRig, face_model: Path) -> dict[str, tuple[float, float, float]]:
    """Median (pitch, yaw, roll) relative to neutral over the second half of each hold."""
    script: list[synthetic.Segment] = [synthetic.still(1.3)]
    windows = {}
    for name, pose in HOLDS.items():
        t = synthetic.script_duration(script)
        script += [synthetic.move_to(pose, 0.4), synthetic.still(0.6)]
        windows[name] = (t + 0.7, t + 1.0)
        script += [synthetic.move_to(HeadPose(), 0.4), synthetic.still(0.3)]
    frames = (rig.render(p) for p in synthetic.build_poses(script, FPS))
    out: dict[str, list[tuple[float, float, float]]] = {name: [] for name in HOLDS}
    with FaceTracker(face_model) as tracker:
        for frame in ArraySource(frames, FPS):
            obs = tracker.observe(frame)
            for name, (a, b) in windows.items():
                if a <= frame.t < b:
                    assert obs.pitch is not None and obs.yaw is not None and obs.roll is not None
                    out[name].append((obs.pitch, obs.yaw, obs.roll))
    return {name: tuple(np.median(np.array(v), axis=0)) for name, v in out.items()}


def test_turning_to_the_patients_own_right_gives_negative_yaw(
    measured: dict[str, tuple[float, float, float]],
) -> None:
    pitch, yaw, roll = measured["turn to own right"]
    assert -20 < yaw < -7
    assert abs(pitch) < 4 and abs(roll) < 4
    assert 7 < measured["turn to own left"][1] < 20


def test_tilting_toward_the_patients_own_left_shoulder_gives_negative_roll(
    measured: dict[str, tuple[float, float, float]],
) -> None:
    pitch, yaw, roll = measured["tilt to own left shoulder"]
    assert -16 < roll < -6
    assert abs(pitch) < 4 and abs(yaw) < 4


def test_chin_down_gives_positive_pitch(measured: dict[str, tuple[float, float, float]]) -> None:
    pitch, yaw, roll = measured["chin down"]
    assert 6 < pitch < 16
    assert abs(yaw) < 4 and abs(roll) < 4


def test_rendered_poses_move_the_face_the_way_their_names_say(
    rig: synthetic.FaceRig, face_model: Path
) -> None:
    """Ground the names in image geometry: landmarks found on the rendered pixels."""

    def landmarks(pose: HeadPose) -> np.ndarray:
        return synthetic.detect_landmarks(rig.render(pose), face_model)

    rest = landmarks(HeadPose())
    nose, forehead, chin = 1, 10, 152
    right = landmarks(HOLDS["turn to own right"])
    # Patient's own right = image left: the nose tip moves left relative to the chin.
    assert (right[nose, 0] - right[chin, 0]) < (rest[nose, 0] - rest[chin, 0]) - 5
    tilt = landmarks(HOLDS["tilt to own left shoulder"])
    # Toward the own left shoulder = image right: the forehead moves right of the chin.
    assert (tilt[forehead, 0] - tilt[chin, 0]) > (rest[forehead, 0] - rest[chin, 0]) + 10
    down = landmarks(HOLDS["chin down"])
    # Chin down: the nose tip comes closer to the chin in the image.
    assert (down[chin, 1] - down[nose, 1]) < (rest[chin, 1] - rest[nose, 1]) - 4
