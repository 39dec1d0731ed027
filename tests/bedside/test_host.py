"""The one bedside host: it supervises the camera and microphone workers for both the headless
bedside and the window, with no screen needed to test it.

Real workers throughout: a camera that cannot be opened and a sound file that does not exist
fail the real VisionWorker and VoiceWorker the way a lost device does on a tablet.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from beckon.bedside import events as ev
from beckon.bedside.host import BedsideHost, CameraSpec, MicSpec
from beckon.bedside.service import BedsideService, Gesture, Submit
from beckon.bedside.voice_worker import VoiceWorker
from beckon.config import load_bedside
from tests.helpers.bedside_host import a_service, supervise_until


def drain(service: BedsideService) -> list[object]:
    items = []
    while not service.inbox.empty():
        items.append(service.inbox.get_nowait())
    return items


def test_a_lost_camera_is_reported_and_started_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stopped: list[str] = []
    started: list[bool] = []
    camera = CameraSpec(tmp_path / "face.task", str(tmp_path / "no-camera.mp4"))
    host = BedsideHost(
        a_service(tmp_path),
        camera,
        retry_s=0.05,
        on_camera_started=lambda: started.append(True),
        on_camera_stopped=stopped.append,
    )
    host.supervise()
    first = host.vision
    assert first is not None and started == [True]
    assert supervise_until(host, lambda: len(started) >= 4), stopped
    assert host.vision is not first
    assert stopped and all(stopped), "each stop says what went wrong"
    assert host.file_error is None  # a camera is retried, never final
    host.stop()
    # Logged once, not at every retry: a tablet without its camera wrote the same lines
    # every 10 s (every retry is still in the DEBUG log).
    errors = [r for r in caplog.records if r.levelname == "ERROR" and "stopped" in r.message]
    assert len(errors) == 1, [r.message for r in errors]


def test_a_video_file_that_cannot_be_read_is_final(tmp_path: Path) -> None:
    camera = CameraSpec(tmp_path / "face.task", str(tmp_path / "missing.mp4"), is_file=True)
    host = BedsideHost(a_service(tmp_path), camera, retry_s=0.01)
    assert supervise_until(host, lambda: host.file_error is not None)
    assert host.file_error is not None and host.file_error.startswith("vision stopped:")
    time.sleep(0.05)
    host.supervise()
    assert host.vision is None  # not started again


def test_a_sound_file_that_cannot_be_read_is_final(tmp_path: Path) -> None:
    heard: list[object] = []
    host = BedsideHost(a_service(tmp_path), mic=MicSpec("en", tmp_path / "missing.wav"))
    host.voice_listeners.append(heard.append)
    host.supervise()
    first = host.voice
    assert first is not None and heard.append in first.listeners
    assert supervise_until(host, lambda: host.file_error is not None)
    assert host.file_error is not None and host.file_error.startswith("voice stopped:")
    assert host.voice is first  # kept, so a window can show its error


@pytest.mark.parametrize("answers", [True, False])
def test_gestures_follow_the_current_voice_worker(tmp_path: Path, answers: bool) -> None:
    """The camera's nod answers a spoken request of whichever voice worker runs *now*, also
    after the microphone was replaced; without a pending request it reaches the menu."""
    service = a_service(tmp_path)
    host = BedsideHost(service, mic=MicSpec("en"))
    posted: list[object] = []
    old = VoiceWorker("en", posted.append)
    new = VoiceWorker("en", posted.append)
    host.voice = old
    host.voice = new  # what a restart does
    if answers:
        new.dialogue.on_intent("water", 0.0, "some water")
    host.post_from_camera(Gesture("nod", 1.0, 0.9))
    if answers:
        assert posted == [Submit("water", "voice")] and drain(service) == []
    else:
        assert posted == [] and drain(service) == [Gesture("nod", 1.0, 0.9)]


def test_the_calibration_wizard_can_take_the_gestures(tmp_path: Path) -> None:
    service = a_service(tmp_path)
    host = BedsideHost(service)
    taken: list[object] = []

    def take_gestures(item: object) -> bool:
        if not isinstance(item, Gesture):
            return False
        taken.append(item)
        return True

    host.intercept = take_gestures
    host.post_from_camera(Gesture("nod", 1.0, 0.9))
    assert taken == [Gesture("nod", 1.0, 0.9)] and drain(service) == []


def test_the_service_thread_starts_and_stops_with_the_host(tmp_path: Path) -> None:
    host = BedsideHost(a_service(tmp_path)).start()
    try:
        assert host.started and host.service_alive and host.service_error is None
    finally:
        host.stop()
    assert not host.started


def test_a_failed_microphone_is_started_again(tmp_path: Path) -> None:
    """This machine has no microphone, as a tablet whose microphone broke: the worker fails,
    the host says so through the worker's error and starts a new one after ``retry_s``."""
    host = BedsideHost(a_service(tmp_path), mic=MicSpec("en"), retry_s=0.05)
    host.supervise()
    first = host.voice
    assert first is not None
    assert supervise_until(host, lambda: host.voice is not first), first.error
    assert first.error is not None and host.file_error is None
    # Its error keeps no traceback: the frames held the recogniser (a loaded model) in a
    # cycle, and a tablet retrying every 10 s grew by 200 MB a minute.
    assert first.error.__traceback__ is None
    host.stop()


def water_waits_for_its_yes(tmp_path: Path) -> tuple[BedsideService, BedsideHost, list[object]]:
    """The host's voice worker (not started) proposes water as if heard, waiting for its
    yes; what the worker posts is kept in the list returned, not handled."""
    service = a_service(tmp_path)
    host = BedsideHost(service, mic=MicSpec("en"))
    posted: list[object] = []
    worker = VoiceWorker("en", posted.append)
    host.voice = worker
    worker.dialogue.on_intent("water", 0.0, "some water")
    return service, host, posted


def test_a_nurses_question_takes_the_nod_over_a_spoken_request_waiting_behind_it(
    tmp_path: Path,
) -> None:
    """The nod went to the spoken proposal, which sent "water" while the nurse's question on
    screen stayed unanswered."""
    service, host, posted = water_waits_for_its_yes(tmp_path)
    service._emit(ev.QuestionAsked("q1", "Are you in pain?", "Kim"))
    host.post_from_camera(Gesture("nod", 1.0, 0.9))
    assert posted == [] and drain(service) == [Gesture("nod", 1.0, 0.9)]


def test_an_emergency_gesture_drops_the_spoken_request_waiting_for_its_yes(
    tmp_path: Path,
) -> None:
    """The service ended the spoken request for the patient's emergency gesture: the host
    tells the voice worker, and the nod that follows goes to the menu ("Emergency?"), not to
    the spoken request (it sent "water" while "Emergency?" was on screen)."""
    service, host, posted = water_waits_for_its_yes(tmp_path)
    service._emit(ev.SpokenRequestDropped(1.0))
    host.post_from_camera(Gesture("nod", 3.0, 0.9))
    assert posted == []
    assert Gesture("nod", 3.0, 0.9) in drain(service)


def test_a_nurses_question_puts_every_voice_worker_in_answer_mode(tmp_path: Path) -> None:
    """The service's question events reach the current voice worker, and a worker started
    while the question waits (a microphone restarted) starts in answer mode too."""
    service = a_service(tmp_path)
    host = BedsideHost(service, mic=MicSpec("en"), retry_s=0.05)
    host.supervise()
    first = host.voice
    assert first is not None and first.mode == "open"
    service._emit(ev.QuestionAsked("q1", "Are you in pain?", "Kim"))
    assert first.mode == "answer"
    assert supervise_until(host, lambda: host.voice is not first), first.error
    assert host.voice is not None and host.voice.mode == "answer"
    service._emit(ev.QuestionAnswered("q1", "yes"))
    assert host.voice.mode == "open"
    host.stop()


def test_the_headless_bedside_reports_a_lost_camera_as_the_window_does(tmp_path: Path) -> None:
    """``beckon bedside --headless`` told the station of no camera or face fault at all."""
    from beckon.bedside.devices import HeadlessDevices

    camera = CameraSpec(tmp_path / "face.task", str(tmp_path / "no-camera.mp4"))
    host = BedsideHost(a_service(tmp_path), camera, retry_s=60.0)
    devices = HeadlessDevices()
    devices.attach(host)
    reported: list[tuple[str, ...]] = []

    def lost() -> bool:
        faults = devices.check(host)
        if faults is not None:
            reported.append(faults)
        return bool(reported) and "camera_lost" in reported[-1]

    assert supervise_until(host, lost), reported
    assert devices.check(host) is None, "said once, until it changes"
    host.stop()


def test_a_frozen_live_camera_is_opened_again(tmp_path: Path, models_dir: Path) -> None:
    """A capture device stuck on one picture delivers frames on time; the bedside reports it
    (camera_lost) and opens the camera again instead of watching the same frame for ever."""
    import cv2

    from beckon.bedside.devices import HeadlessDevices
    from beckon.lab import synthetic

    # Motion JPEG: every frame the very same bytes, as from a stuck capture device (an
    # inter-frame codec would decode a still scene with small differences).
    still = tmp_path / "stuck-camera.avi"
    picture = cv2.cvtColor(synthetic.load_demo_face(), cv2.COLOR_RGB2BGR)
    writer = cv2.VideoWriter(
        str(still), cv2.VideoWriter.fourcc(*"MJPG"), 15.0, (picture.shape[1], picture.shape[0])
    )
    for _ in range(150):
        writer.write(picture)
    writer.release()
    face_model = models_dir / "face_landmarker.task"
    camera = CameraSpec(face_model, str(still), realtime=True, is_file=False)
    stopped: list[str] = []
    host = BedsideHost(a_service(tmp_path), camera, retry_s=60.0)
    devices = HeadlessDevices()
    devices.attach(host)
    devices.camera.frozen_after_s = 2.0
    shown = host.on_camera_stopped

    def on_stopped(error: str) -> None:
        stopped.append(error)
        if shown is not None:
            shown(error)

    host.on_camera_stopped = on_stopped
    reported: list[tuple[str, ...]] = []

    def reopened() -> bool:
        faults = devices.check(host)
        if faults is not None:
            reported.append(faults)
        return bool(stopped)

    assert supervise_until(host, reopened, timeout=60), reported
    assert "same picture" in stopped[0] and "opening it again" in stopped[0]
    assert any("camera_lost" in f for f in reported)
    host.stop()


def test_a_spoken_request_quiets_the_scanning_menu_until_it_is_answered(tmp_path: Path) -> None:
    from beckon.bedside.service import VoiceProposal
    from beckon.voice.dialogue import Closed, Prompt

    service = a_service(tmp_path)
    host = BedsideHost(service, mic=MicSpec("en"))
    worker = VoiceWorker("en", service.post)
    worker.listeners.extend(host.voice_listeners)  # what _start_voice does
    worker._apply([Prompt("water", "water please", 1.0, 9.0)])
    worker._apply([Closed("water", "expired", 9.0)])
    assert drain(service) == [VoiceProposal(True, "water"), VoiceProposal(False)]


def test_the_configured_microphone_is_the_one_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``bedside.microphone`` chooses the device (a headset, not the tablet's own): PortAudio is
    stood in for by a module that records which device was asked for (no sound card here)."""
    import sys
    import types

    asked: list[object] = []

    def refuse(device: object = None, **_: object) -> None:
        asked.append(device)
        raise ValueError("no such device")

    module = types.ModuleType("sounddevice")
    module.InputStream = refuse  # type: ignore[attr-defined]
    module.query_devices = lambda device, kind: {"default_samplerate": 16000.0}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", module)
    bed = {"bedside.site": "gh", "bedside.unit": "icu", "bedside.bed": "12"}
    settings = load_bedside(None, {**bed, "bedside.microphone": "USB headset"})
    device = settings.bedside.microphone_device()
    host = BedsideHost(a_service(tmp_path), mic=MicSpec("en", device=device), retry_s=60.0)
    host.supervise()
    first = host.voice
    assert first is not None and first.finished.wait(30)
    assert asked == ["USB headset"]
    assert "cannot open microphone USB headset" in str(first.error)
    host.stop()


def test_a_video_file_that_ends_is_said_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The bedside went on offering its menu with no camera behind it and said nothing."""
    import logging

    import cv2
    import numpy as np

    clip = tmp_path / "short.mp4"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"mp4v"), 15.0, (320, 240))
    for _ in range(5):
        writer.write(np.zeros((240, 320, 3), np.uint8))
    writer.release()
    model = Path(__file__).resolve().parents[3] / "shared" / "models" / "face_landmarker.task"
    host = BedsideHost(a_service(tmp_path), CameraSpec(model, str(clip), is_file=True))
    with caplog.at_level(logging.WARNING):
        assert supervise_until(host, lambda: "ended: no more gestures" in caplog.text)
    assert host.file_error is None
    host.stop()


class _StuckWorker:
    """A worker whose thread sits in a driver read that never returns: its stop waits out the
    whole timeout it is given. A stand-in: no real camera or microphone can be made to block
    here, and the host only calls ``stop``."""

    def __init__(self) -> None:
        self.waited: list[float] = []

    def stop(self, timeout: float = 10.0) -> None:
        self.waited.append(timeout)
        time.sleep(timeout)


def test_workers_stuck_in_a_read_do_not_hold_the_service_stop_past_systemds_timeout(
    tmp_path: Path,
) -> None:
    """Each worker waited 10 s, so with both stuck the service, which saves and sends what
    the patient confirmed last, began stopping only when systemd's SIGKILL (20 s) came."""
    from beckon.bedside.host import WORKERS_STOP_S

    host = BedsideHost(a_service(tmp_path)).start()
    assert host.service_alive
    camera, mic = _StuckWorker(), _StuckWorker()
    host.vision, host.voice = camera, mic  # type: ignore[assignment]
    host.stop()
    assert sum(camera.waited + mic.waited) <= WORKERS_STOP_S + 0.2
    assert not host.service_alive
