"""A recording in a window plays at its own speed; a live camera is never paced.

The window and the demo play video files at their own speed. A camera's frame times count
from when it was opened, before the face and hand models loaded, so pacing it against a clock
started afterwards slept the models' load time on every frame: a kiosk tablet saw a few frames
a second. The camera is stood in for by a source that yields rendered frames with such times
(no camera on a test machine); the face landmarker and the pipeline are real.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from beckon.bedside.vision_worker import VisionWorker
from beckon.lab import synthetic
from beckon.vision import frames
from beckon.vision.frames import FilePacer, Frame
from tests.vision.vision_clips import Clip


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_a_file_plays_at_its_own_speed_from_its_first_frame() -> None:
    clock = FakeClock(100.0)
    pacer = FilePacer(clock, clock.sleep)
    assert pacer.wait(0.0) == 0.0  # the first frame sets the origin, whenever it comes
    clock.now += 0.02  # decoding and processing took 20 ms
    assert pacer.wait(0.1) == pytest.approx(0.08)
    clock.now += 0.3  # a slow frame: late, so no wait
    assert pacer.wait(0.2) == 0.0
    assert clock.slept == [0.08]


def test_a_file_that_starts_late_is_not_rushed_to_catch_up_with_its_start() -> None:
    clock = FakeClock(50.0)
    pacer = FilePacer(clock, clock.sleep)
    pacer.wait(2.0)  # a file read from its third second: that frame is the origin
    clock.now += 0.01
    assert pacer.wait(2.04) == pytest.approx(0.03)


class OpenedLongAgo:
    """A camera-like source opened ``opened_s`` before the models were ready: its frame times
    count from then, like :class:`beckon.vision.frames.CameraSource`'s."""

    def __init__(self, rig: synthetic.FaceRig, count: int, opened_s: float) -> None:
        self.rgb = rig.render(synthetic.HeadPose())
        self.count = count
        self.t0 = time.monotonic() - opened_s

    def __enter__(self) -> OpenedLongAgo:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __iter__(self) -> Iterator[Frame]:
        for i in range(self.count):
            yield Frame(i, time.monotonic() - self.t0, self.rgb)


def run_worker(source: str, face_model: Path, timeout: float = 60.0) -> VisionWorker:
    worker = VisionWorker(face_model, source, post=lambda item: None, realtime=True)
    worker.start()
    assert worker.finished.wait(timeout), f"{worker.frames} frames in {timeout} s"
    assert worker.error is None, worker.error
    return worker


def test_a_live_camera_in_a_window_is_never_paced(
    face_model: Path, rig: synthetic.FaceRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    waited: list[float] = []
    original = FilePacer.wait

    def spy(self: FilePacer, t: float) -> float:
        waited.append(t)
        return original(self, t)

    monkeypatch.setattr(FilePacer, "wait", spy)
    # Opened a minute before: paced, each frame would wait about that long.
    camera = OpenedLongAgo(rig, 8, opened_s=60.0)
    monkeypatch.setattr(frames, "open_source", lambda spec: camera)
    worker = run_worker("0", face_model)
    assert worker.frames == 8
    assert waited == []


def test_a_video_file_in_a_window_is_still_paced_frame_by_frame(
    face_model: Path, still_clip: Clip, monkeypatch: pytest.MonkeyPatch
) -> None:
    waited: list[float] = []

    def spy(self: Any, t: float) -> float:
        waited.append(t)  # recorded, not slept: the test need not take the clip's length
        return 0.0

    monkeypatch.setattr(FilePacer, "wait", spy)
    worker = run_worker(str(still_clip.path), face_model)
    assert worker.frames > 0 and len(waited) == worker.frames
    assert waited == sorted(waited) and waited[0] == 0.0
