"""`beckon calibrate` then `beckon replay --json --profile` on clips rendered in this session:
every gesture comes out under its public name, at the right time, and nothing else does."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from beckon.lab import benchdata, synthetic
from beckon.profile import GESTURES, load_profile

pytestmark = pytest.mark.vision

REPO = Path(__file__).resolve().parents[2]
FPS = 10.0


def _write(rig: synthetic.FaceRig, segments: list[synthetic.Segment], path: Path) -> None:
    rng = np.random.default_rng(7)
    frames = (
        synthetic.add_camera_noise(rig.render(p), 2.0, rng)
        for p in synthetic.build_poses(segments, FPS)
    )
    synthetic.write_video(path, frames, FPS)


@dataclass(frozen=True)
class Rendered:
    profile: Path
    every_gesture: Path
    labels: list[benchdata.Label]


@pytest.fixture(scope="module")
def rendered(
    rig: synthetic.FaceRig, face_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Rendered:
    """A calibration video on the standard timeline, calibrated by the CLI; and rest, then each
    of the eleven gestures once, with rests between (about 50 s). The CLI calibrates in its own
    process while this one renders the second clip: the two take a core each instead of
    running one after the other."""
    folder = tmp_path_factory.mktemp("calibration")
    clip = benchdata.calibration_clip("astronaut", "test", 1.0, seed=11)
    video = folder / "calibration.mp4"
    _write(rig, list(clip.segments), video)
    out = folder / "patient.toml"
    stdout, stderr = folder / "calibrate.out", folder / "calibrate.err"
    with stdout.open("wb") as out_file, stderr.open("wb") as err_file:
        calibrate = subprocess.Popen(
            [sys.executable, "-m", "beckon", "calibrate", str(video), "--out", str(out)],
            stdout=out_file,
            stderr=err_file,
            cwd=REPO,
            env=_env(face_model),
        )
    try:
        rng = random.Random(3)
        script = benchdata.Script(rng)
        script.rest(2.5, blinks=False)
        for g in GESTURES:
            script.add(*benchdata.gesture_segments(g, 1.0, rng, hold_s=1.2), label=g)
            script.rest(2.6, blinks=False)
        path = tmp_path_factory.mktemp("clips") / "every_gesture.mp4"
        _write(rig, script.segments, path)
        returncode = calibrate.wait(240)
    finally:
        if calibrate.poll() is None:
            calibrate.kill()
            calibrate.wait(10)
    assert returncode == 0, stderr.read_text(errors="replace")[-2000:]
    summary = json.loads(stdout.read_text())
    assert summary["disabled"] == []
    return Rendered(out, path, script.labels)


@pytest.fixture(scope="module")
def profile_file(rendered: Rendered) -> Path:
    return rendered.profile


def _env(face_model: Path) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["BECKON_MODELS_DIR"] = str(face_model.parent)
    return env


@pytest.fixture(scope="module")
def every_gesture(rendered: Rendered) -> tuple[Path, list[benchdata.Label]]:
    return rendered.every_gesture, rendered.labels


def test_calibration_writes_a_profile_with_the_patients_thresholds(profile_file: Path) -> None:
    profile = load_profile(profile_file)
    assert profile.calibration.has_neutral
    assert set(profile.calibration.rest) == {"blink", "jaw", "brow"}
    assert 1.0 < profile.setting("nod").threshold < 6.0
    assert 0.02 < profile.setting("long_blink").threshold < 0.3


def test_replay_reports_every_gesture_under_its_name(
    profile_file: Path,
    every_gesture: tuple[Path, list[benchdata.Label]],
    face_model: Path,
) -> None:
    video, labels = every_gesture
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "beckon",
            "replay",
            "--json",
            "--profile",
            str(profile_file),
            str(video),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=REPO,
        env=_env(face_model),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["gesture"] for e in events] == list(GESTURES), events
    for event, label in zip(events, labels, strict=True):
        assert label.start <= event["t"] <= label.end + 1.0, (event, label)
        assert list(event) == ["type", "gesture", "t", "confidence"]
