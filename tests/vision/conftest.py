"""Fixtures for the vision tests: the real face model, the demo face and rendered clips.

Clips are rendered once per session into pytest's temporary folder (never committed) and kept
short so the whole vision suite stays well under two minutes on two cores.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from beckon.lab import synthetic
from tests.vision.vision_clips import CLIP_FPS, Clip, render_to_file

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def face_model() -> Path:
    """MediaPipe's face_landmarker.task from the shared models folder beside the repo."""
    path = REPO_ROOT.parent / "shared" / "models" / "face_landmarker.task"
    if not path.is_file():
        pytest.fail(
            f"face landmarker model missing: {path}. The vision tests run real MediaPipe; "
            "put face_landmarker.task (see shared/models/README.md) there."
        )
    return path


@pytest.fixture(scope="session")
def demo_face() -> np.ndarray:
    return synthetic.load_demo_face()


@pytest.fixture(scope="session")
def rig(demo_face: np.ndarray, face_model: Path) -> synthetic.FaceRig:
    return synthetic.FaceRig(demo_face, face_model, (640, 480))


@pytest.fixture(scope="session")
def nod_shake_clip(rig: synthetic.FaceRig, tmp_path_factory: pytest.TempPathFactory) -> Clip:
    """Rest, a nod (2 x 12 deg at 1 Hz), rest, a shake (2 x 20 deg at 1 Hz), rest: 10 s."""
    path = tmp_path_factory.mktemp("clips") / "nod_shake.mp4"
    return render_to_file(rig, synthetic.nod_and_shake_segments(), path, CLIP_FPS)


@pytest.fixture(scope="session")
def still_clip(rig: synthetic.FaceRig, tmp_path_factory: pytest.TempPathFactory) -> Clip:
    """Four seconds of a resting face with camera noise."""
    path = tmp_path_factory.mktemp("clips") / "still.mp4"
    return render_to_file(rig, [synthetic.still(4.0)], path, CLIP_FPS)


@pytest.fixture(scope="session")
def nod_shake_clip_15fps(rig: synthetic.FaceRig, tmp_path_factory: pytest.TempPathFactory) -> Clip:
    """The nod-and-shake script at 15 fps (a slow or loaded camera)."""
    path = tmp_path_factory.mktemp("clips") / "nod_shake_15fps.mp4"
    return render_to_file(rig, synthetic.nod_and_shake_segments(), path, 15.0)


@pytest.fixture(scope="session")
def small_face_clip(rig: synthetic.FaceRig, tmp_path_factory: pytest.TempPathFactory) -> Clip:
    """The nod-and-shake script with the face 80 px wide (a tablet about 1 m away), 15 fps."""
    path = tmp_path_factory.mktemp("clips") / "small_face.mp4"
    return render_to_file(rig, synthetic.nod_and_shake_segments(), path, 15.0, face_px=80.0)


@pytest.fixture(scope="session")
def brisk_clip(rig: synthetic.FaceRig, tmp_path_factory: pytest.TempPathFactory) -> Clip:
    """No rest before: a brisk 2.5 Hz nod from the first frame, then rest, a 2 Hz shake."""
    script = [
        synthetic.nod(cycles=3, amplitude_deg=10.0, hz=2.5),
        synthetic.still(2.5),
        synthetic.shake(cycles=3, amplitude_deg=16.0, hz=2.0),
        synthetic.still(2.0),
    ]
    path = tmp_path_factory.mktemp("clips") / "brisk.mp4"
    return render_to_file(rig, script, path, 15.0)
