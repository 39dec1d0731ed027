"""Frame sources: timestamps, and error messages a person can act on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from beckon.errors import BeckonError, FrameSourceError
from beckon.lab.synthetic import write_video
from beckon.vision.frames import (
    ArraySource,
    CameraSource,
    Frame,
    FrameSource,
    VideoFileSource,
    open_source,
)


def _frames(n: int, w: int = 64, h: int = 48) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    return [np.roll(base, i, axis=1) for i in range(n)]


def test_array_source_times_are_index_over_fps() -> None:
    source = ArraySource(_frames(5), fps=20.0)
    assert isinstance(source, FrameSource)
    frames = list(source)
    assert [f.index for f in frames] == [0, 1, 2, 3, 4]
    assert [f.t for f in frames] == [0.0, 0.05, 0.1, 0.15, 0.2]
    assert frames[0].width == 64 and frames[0].height == 48
    with pytest.raises(ValueError, match="H x W x 3 uint8"):
        list(ArraySource([np.zeros((4, 4), dtype=np.uint8)]))
    with pytest.raises(ValueError):
        ArraySource([], fps=0)


def test_video_file_round_trip_has_exact_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    assert write_video(path, _frames(12), fps=15.0) == 12
    with VideoFileSource(path) as source:
        assert isinstance(source, FrameSource)
        assert source.fps == pytest.approx(15.0, abs=0.01)
        frames: list[Frame] = list(source)
    assert len(frames) == 12
    assert [f.t for f in frames] == [i / source.fps for i in range(12)]
    assert frames[3].rgb.shape == (48, 64, 3) and frames[3].rgb.dtype == np.uint8


def test_missing_video_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.mp4"
    with pytest.raises(FrameSourceError) as info:
        VideoFileSource(missing)
    assert str(missing) in str(info.value)
    assert info.value.hint and "path" in info.value.hint
    assert isinstance(info.value, BeckonError)


def test_unreadable_video_file_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("this is not a video\n" * 50)
    with pytest.raises(FrameSourceError) as info:
        list(VideoFileSource(bad))
    assert "Cannot read video file" in info.value.message and str(bad) in info.value.message
    assert info.value.hint


def test_camera_that_cannot_open_says_what_to_do() -> None:
    with pytest.raises(FrameSourceError) as info:
        CameraSource(57)
    assert "camera 57" in info.value.message.lower()
    assert info.value.hint and "--video FILE" in info.value.hint


def test_open_source_picks_camera_or_file(tmp_path: Path) -> None:
    with pytest.raises(FrameSourceError, match="camera 57"):
        open_source("57")
    with pytest.raises(FrameSourceError, match="Video file not found"):
        open_source(str(tmp_path / "x.mp4"))
    with pytest.raises(FrameSourceError, match="No camera or video"):
        open_source("  ")
    path = tmp_path / "ok.mp4"
    write_video(path, _frames(3), fps=10.0)
    with open_source(str(path)) as source:
        assert isinstance(source, VideoFileSource)
        assert len(list(source)) == 3


def test_a_camera_named_by_its_device_is_a_camera_not_a_missing_video() -> None:
    """``camera = "/dev/video2"`` in a bedside file is the camera udev names so; it used to be
    read as a video file path and said "Video file not found"."""
    from beckon.errors import FrameSourceError
    from beckon.vision.frames import open_source

    with pytest.raises(FrameSourceError, match=r"Cannot open camera 99 \(/dev/video99\)"):
        open_source("/dev/video99")
    with pytest.raises(FrameSourceError, match=r"camera '/dev/sda' is not a /dev/videoN device"):
        open_source("/dev/sda")
