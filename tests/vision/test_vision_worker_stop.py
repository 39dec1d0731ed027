"""A vision worker whose thread does not stop in time: its callbacks are detached.

A camera driver can block a read for longer than ``stop`` waits. The daemon thread then lives
on, and the window that closes next must never be called from it. Real MediaPipe on a rendered
clip; the blocking read is stood in for by an ``on_frame`` that blocks until released.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from beckon.bedside.vision_worker import VisionWorker
from tests.helpers.busy_workers import stop_while_busy
from tests.vision.vision_clips import Clip


def test_a_worker_that_outlives_stop_never_calls_its_callbacks_again(
    face_model: Path, still_clip: Clip, caplog: pytest.LogCaptureFixture
) -> None:
    entered = threading.Event()
    release = threading.Event()
    frames: list[object] = []
    observations: list[object] = []

    def blocking_frame(frame: object) -> None:
        frames.append(frame)
        entered.set()
        release.wait(30)

    worker = VisionWorker(
        face_model,
        str(still_clip.path),
        post=lambda item: None,
        on_frame=blocking_frame,
        on_observation=observations.append,
    ).start()
    assert entered.wait(60), "the first frame never arrived"
    stop_while_busy(worker, "beckon.bedside.vision_worker", release, caplog)
    # The frame that was in flight finishes, but nothing more reaches the window.
    assert len(frames) == 1
    assert observations == []
