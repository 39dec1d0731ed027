"""Staff's "Patient repositioned: learn the rest again" holds for the rest of the bedside's run.

The host remembers it (``BedsideHost.relearn_rest``): every camera started after it (a frozen
picture reopened, a camera error retried, a camera that was not running when staff asked)
starts without the profile's calibrated neutral pose, the rest staff just said no longer
holds. Before, a reopened camera built its pipeline from the profile and showed "ready" on the
stale rest from its first frame, and every held gesture was lost again (review rev41c).

The camera is stood in for by endless frames, and the pipeline is the real one fed a still
patient's pose trace (``tests/vision/traces.py``) through its own path
(:meth:`VisionPipeline.take`) instead of MediaPipe.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from beckon.bedside import events as ev
from beckon.bedside.host import BedsideHost, CameraSpec
from beckon.bedside.interaction import Interaction
from beckon.bedside.service import BedsideService, Gesture, RestRelearned
from beckon.profile import Calibration, GestureProfile
from beckon.vision import frames, pipeline, sequence
from beckon.vision.face import FaceObservation, observation
from beckon.vision.frames import Frame
from beckon.vision.gestures import GestureEvent
from tests.helpers.bedside_host import a_service, supervise_until
from tests.vision.traces import Patient

FRONTAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
STILL = Patient().trace(60.0, seed=3, fps=15.0)  # at rest, looking at the screen


class EndlessCamera:
    """A live camera's frames at 15 fps of the video's clock, a little faster than real time."""

    def __enter__(self) -> EndlessCamera:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __iter__(self) -> Iterator[Frame]:
        for i in range(len(STILL)):
            time.sleep(0.005)
            yield Frame(i, STILL[i].t, np.zeros((4, 4, 3), dtype=np.uint8))


class TracePipeline(pipeline.VisionPipeline):
    """The real pipeline, each frame's observation taken from :data:`STILL`; every instance
    and the face state after each of its frames are written down."""

    made: ClassVar[list[TracePipeline]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["hand_model"] = None
        super().__init__(*args, **kwargs)
        self.states: list[str] = []
        TracePipeline.made.append(self)

    def process(self, frame: Frame) -> list[GestureEvent]:
        obs: FaceObservation = STILL[frame.index]
        measured = observation(self.neutral, obs.t, obs.rotation, obs.quality, obs.blendshapes)
        events = self.take(measured)
        self.states.append(self.status.state)
        return events


@pytest.fixture
def calibrated_host(
    tmp_path: Path, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BedsideHost]:
    TracePipeline.made = []
    monkeypatch.setattr(frames, "open_source", lambda spec: EndlessCamera())
    monkeypatch.setattr(pipeline, "VisionPipeline", TracePipeline)
    monkeypatch.setattr(sequence, "default_verifier", lambda profile: None)
    service = a_service(tmp_path)
    service.profile = GestureProfile(
        calibration=Calibration(neutral_rotation=FRONTAL, noise=(0.5,) * 3)
    )
    camera = CameraSpec(models_dir / "face_landmarker.task", "0", realtime=False)
    host = BedsideHost(service, camera, retry_s=0.0)
    yield host
    host.stop()


def _reopened(host: BedsideHost) -> TracePipeline:
    """Reopen the camera as the frozen-picture watch does; the host starts the next one."""
    first = TracePipeline.made[-1]
    host.reopen_camera("the same picture for 2 s")
    assert supervise_until(
        host, lambda: TracePipeline.made[-1] is not first and bool(TracePipeline.made[-1].states)
    )
    return TracePipeline.made[-1]


def test_a_calibrated_camera_is_ready_on_the_profiles_rest_from_its_first_frame(
    calibrated_host: BedsideHost,
) -> None:
    """Without staff's request a reopened camera starts from the calibration, as before."""
    host = calibrated_host
    assert supervise_until(host, lambda: bool(TracePipeline.made and TracePipeline.made[0].states))
    assert TracePipeline.made[0].states[0] == "ready"
    assert _reopened(host).states[0] == "ready"


def test_a_reopened_camera_is_not_ready_on_the_rest_staff_relearned(
    calibrated_host: BedsideHost,
) -> None:
    host = calibrated_host
    assert supervise_until(host, lambda: bool(TracePipeline.made and TracePipeline.made[0].states))
    assert host.relearn_rest("Staff at bed")
    new = _reopened(host)
    assert new.states[0] == "calibrating"  # learned from the face again, not the calibration
    assert supervise_until(host, lambda: "ready" in new.states)  # once the patient rested


def test_a_request_while_the_camera_is_retrying_applies_when_it_comes_back(
    calibrated_host: BedsideHost,
) -> None:
    host = calibrated_host
    host._vision_due = float("inf")  # the camera failed and waits for its retry
    assert host.relearn_rest("Staff at bed")  # remembered, not refused
    assert any(isinstance(item, RestRelearned) for item in _inbox(host.service))
    host._vision_due = 0.0
    assert supervise_until(host, lambda: bool(TracePipeline.made and TracePipeline.made[0].states))
    assert TracePipeline.made[0].states[0] == "calibrating"


def _inbox(service: BedsideService) -> list[object]:
    items = []
    while not service.inbox.empty():
        items.append(service.inbox.get_nowait())
    return items


def test_the_relearn_cancels_a_selection_awaiting_confirmation(tmp_path: Path) -> None:
    """A posture shift can read as a gesture (gest41b): a choice it left waiting for its yes
    is dropped when staff say the patient was moved; nothing is sent."""
    service = a_service(tmp_path)
    # nurse, water, emergency 4 s each; emergency needs confirming
    service.menu = Interaction(("nurse", "water", "emergency"), {"nod": "select", "shake": "next"})
    seen: list[object] = []
    service.listeners.append(seen.append)
    service.handle(Gesture("nod", 9.0, 1.0))
    assert any(isinstance(e, ev.ConfirmNeeded) for e in seen)
    service.handle(RestRelearned("Staff at bed"))
    cancelled = [e for e in seen if isinstance(e, ev.SelectionCancelled)]
    assert [(e.intent, e.reason) for e in cancelled] == [("emergency", "relearn")]
    assert service.menu.view(service.menu_time()).stage != "confirming"
    assert not any(isinstance(e, ev.RequestSaved | ev.IntentSelected) for e in seen)
    service.handle(RestRelearned("Staff at bed"))  # nothing pending: nothing said
    assert len([e for e in seen if isinstance(e, ev.SelectionCancelled)]) == 1
