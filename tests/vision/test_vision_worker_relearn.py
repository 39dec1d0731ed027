"""Staff's "learn the rest again" reaches the pipeline on the vision thread, between frames.

The window asks on its own thread (:meth:`VisionWorker.request_relearn`); the pipeline is only
ever touched by the vision thread, which takes the request before its next frame. The camera
and the pipeline are stood in for: the worker's own hand-over is what is tested.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from beckon.bedside.vision_worker import VisionWorker
from beckon.vision import frames, pipeline, sequence
from beckon.vision.frames import Frame
from beckon.vision.gestures import GestureEvent

PAUSE_AT = 5  # the source waits before this frame until the test has asked


class PausingFrames:
    """Ten frames; before frame :data:`PAUSE_AT` it says so and waits for ``go``."""

    def __init__(self) -> None:
        self.paused = threading.Event()
        self.go = threading.Event()

    def __enter__(self) -> PausingFrames:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __iter__(self) -> Iterator[Frame]:
        for i in range(10):
            if i == PAUSE_AT:
                self.paused.set()
                assert self.go.wait(10.0)
            yield Frame(i, i / 10, np.zeros((4, 4, 3), dtype=np.uint8))


class Recording:
    """A pipeline that writes down what it was asked, and on which thread."""

    calls: ClassVar[list[tuple[str, int | None, str]]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.last_observation = None
        self._frame: int | None = None

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def relearn_neutral(self) -> None:
        Recording.calls.append(("relearn", None, threading.current_thread().name))

    def process(self, frame: Frame) -> list[GestureEvent]:
        Recording.calls.append(("frame", frame.index, threading.current_thread().name))
        return []


def test_a_relearn_asked_from_another_thread_is_taken_once_before_the_next_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = PausingFrames()
    Recording.calls = []
    monkeypatch.setattr(frames, "open_source", lambda spec: source)
    monkeypatch.setattr(pipeline, "VisionPipeline", Recording)
    monkeypatch.setattr(sequence, "default_verifier", lambda profile: None)
    worker = VisionWorker(Path("unused.task"), "clip.mp4", lambda item: None, hand_gate=False)
    worker.start()
    assert source.paused.wait(10.0)
    worker.request_relearn()  # on this (the window's) thread, twice before one frame
    worker.request_relearn()
    assert worker.relearn_pending
    source.go.set()
    assert worker.finished.wait(10.0)
    assert worker.error is None
    assert not worker.relearn_pending
    relearns = [i for i, call in enumerate(Recording.calls) if call[0] == "relearn"]
    assert len(relearns) == 1
    at = relearns[0]
    assert Recording.calls[at - 1][:2] == ("frame", PAUSE_AT - 1)
    assert Recording.calls[at + 1][:2] == ("frame", PAUSE_AT)
    assert {thread for _, _, thread in Recording.calls} == {"vision"}
