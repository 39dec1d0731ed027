"""The vision worker hands each gesture to the bedside with when it was made.

The bedside applies a gesture reported late only to what was on screen when it was made
(``Gesture.made``, from ``GestureEvent.made``); the worker's passing of it was untested. A
look deferred behind a nod of its axis keeps its own older ``t``: posted with it, it moved the
bedside's clock back (less than ``CLOCK_SLACK_S`` late) and was applied as made then to the
menu of now. It is posted at the time of the frame it was reported on, with ``made``.
The camera and the pipeline are stood in for: the worker's own loop is what is tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from beckon.bedside.service import FrameTick, Gesture, SourceEnded
from beckon.bedside.vision_worker import VisionWorker
from beckon.vision import frames, pipeline, sequence
from beckon.vision.frames import Frame
from beckon.vision.gestures import GestureEvent

# Frame index -> what the engine reports on that frame (frames every 0.1 s from 0).
REPORTED = {
    5: [GestureEvent(0.5, "nod", 0.9, made=0.2)],  # released with a shake (not shown)
    8: [GestureEvent(0.3, "look_down", 0.8, made=0.3)],  # deferred behind the nod detector
    9: [GestureEvent(0.9, "shake", 0.7)],  # reported as made
}


class TenFrames:
    def __enter__(self) -> TenFrames:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __iter__(self) -> Iterator[Frame]:
        for i in range(10):
            yield Frame(i, i / 10, np.zeros((4, 4, 3), dtype=np.uint8))


class Reporting:
    """A pipeline that reports :data:`REPORTED`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.last_observation = None

    def __enter__(self) -> Reporting:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def process(self, frame: Frame) -> list[GestureEvent]:
        return REPORTED.get(frame.index, [])


def test_gestures_are_posted_at_the_frame_they_were_reported_on_with_when_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(frames, "open_source", lambda spec: TenFrames())
    monkeypatch.setattr(pipeline, "VisionPipeline", Reporting)
    monkeypatch.setattr(sequence, "default_verifier", lambda profile: None)
    posted: list[object] = []
    worker = VisionWorker(Path("unused.task"), "clip.mp4", posted.append, hand_gate=False)
    worker.start()
    assert worker.finished.wait(10.0)
    assert worker.error is None
    assert [p for p in posted if isinstance(p, Gesture)] == [
        Gesture("nod", 0.5, 0.9, made=0.2),
        Gesture("look_down", 0.8, 0.8, made=0.3),
        Gesture("shake", 0.9, 0.7),
    ]
    assert isinstance(posted[-1], SourceEnded) and any(isinstance(p, FrameTick) for p in posted)
