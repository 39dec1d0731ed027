"""scripts/make_condition_variants.py writes a labelled recordings folder again at a lower frame
rate, with a small face, or darker, keeping the labels, so that `beckon bench gestures
--recordings` can score real faces per condition. Videos here are made on the spot: numbered
grey frames (each frame's brightness is its index) and, for the small face, the packaged demo
face seen by the real face landmarker."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from beckon.lab.recordings import load_labels
from beckon.lab.synthetic import load_demo_face
from tests.helpers.scripts import load_script

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_condition_variants.py"
LABELS = """\
[[clip]]
file = "nod.avi"
kind = "positive"
source = "made by the test"
gestures = [{ gesture = "nod", start = 0.4, end = 1.2 }]
conditions = { face = "large" }

[[clip]]
file = "still.avi"
kind = "negative"
"""


def _write(path: Path, frames: list[np.ndarray], fps: float) -> None:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (w, h))
    writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 100)
    for frame in frames:
        writer.write(frame)
    writer.release()


def _read(path: Path) -> tuple[float, list[np.ndarray]]:
    cap = cv2.VideoCapture(str(path))
    fps = float(cap.get(cv2.CAP_PROP_FPS))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return fps, frames


@pytest.fixture
def numbered(tmp_path: Path) -> Path:
    """A folder of two 30 fps clips of 60 grey frames whose brightness is 4 x the index."""
    src = tmp_path / "src"
    src.mkdir()
    frames = [np.full((120, 160, 3), 4 * i, np.uint8) for i in range(60)]
    _write(src / "nod.avi", frames, 30.0)
    _write(src / "still.avi", frames, 30.0)
    (src / "labels.toml").write_text(LABELS, encoding="utf-8")
    return src


def test_a_lower_frame_rate_keeps_the_frame_nearest_each_tick_and_the_labels(
    numbered: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fps10"
    assert load_script("make_condition_variants").make_variants(numbered, out, "fps10") == 2
    fps, frames = _read(out / "nod.avi")
    assert fps == pytest.approx(10.0)
    # 2 s at 10 fps; output frame k is source frame 3k, so t = k / 10 still holds.
    assert len(frames) == 20
    _, source = _read(numbered / "nod.avi")
    shown = [float(f.mean()) for f in source]
    nearest = [int(np.argmin([abs(float(f.mean()) - m) for m in shown])) for f in frames]
    assert nearest == [3 * k for k in range(20)]
    recordings = {r.path.name: r for r in load_labels(out)}
    assert set(recordings) == {"nod.avi", "still.avi"}
    nod = recordings["nod.avi"]
    assert [(g.gesture, g.start, g.end) for g in nod.labels] == [("nod", 0.4, 1.2)]
    assert dict(nod.conditions) == {"face": "large", "condition": "fps10"}
    assert dict(recordings["still.avi"].conditions) == {"condition": "fps10"}


def test_a_clip_already_at_a_low_rate_is_copied_at_its_own_rate(
    numbered: Path, tmp_path: Path
) -> None:
    once = tmp_path / "fps10"
    load_script("make_condition_variants").make_variants(numbered, once, "fps10")
    twice = tmp_path / "fps15_of_fps10"
    load_script("make_condition_variants").make_variants(once, twice, "fps15")
    fps, frames = _read(twice / "nod.avi")
    assert fps == pytest.approx(10.0)
    assert len(frames) == 20


def test_dark_lowers_brightness_and_contrast(numbered: Path, tmp_path: Path) -> None:
    out = tmp_path / "dark"
    load_script("make_condition_variants").make_variants(numbered, out, "dark")
    _, frames = _read(out / "nod.avi")
    assert len(frames) == 60
    means = [float(f.mean()) for f in frames]
    # v -> 0.45 v + 8: frame 50 (200) becomes about 98; the range shrinks to under half.
    assert means[50] == pytest.approx(0.45 * 200 + 8, abs=3)
    assert max(means) - min(means) < 0.5 * (4 * 59)


def test_small_puts_a_face_of_the_asked_width_at_the_centre_of_a_640x480_frame(
    tmp_path: Path, models_dir: Path
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    face = cv2.cvtColor(load_demo_face(), cv2.COLOR_RGB2BGR)
    _write(src / "nod.avi", [face] * 10, 30.0)
    (src / "labels.toml").write_text(LABELS.split("\n\n")[0] + "\n", encoding="utf-8")
    model = models_dir / "face_landmarker.task"
    script = load_script("make_condition_variants")
    assert script.make_variants(src, tmp_path / "small", "small", 80.0, model) == 1
    _, frames = _read(tmp_path / "small" / "nod.avi")
    assert frames[0].shape == (480, 640, 3)
    found = script.face_geometry(tmp_path / "small" / "nod.avi", model)
    assert found is not None, "the landmarker should still find the scaled face"
    width, cx, cy = found
    assert width == pytest.approx(80.0, rel=0.15)
    assert (cx, cy) == pytest.approx((320.0, 240.0), abs=12)


def test_a_folder_without_labels_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stop:
        load_script("make_condition_variants").main(
            [str(tmp_path), str(tmp_path / "out"), "--condition", "copy"]
        )
    assert stop.value.code == 2
