"""The bedside window's decisions: the request timeline, prompts, camera and microphone."""

from __future__ import annotations

import threading
import time

from beckon.bedside import events as ev
from beckon.bedside.interaction import MenuView
from beckon.errors import ModelError
from beckon.ui.bedside_model import (
    CameraMonitor,
    PromptPolicy,
    Timeline,
    mic_state,
    prompt_for,
)
from beckon.voice.audio import AudioError

ID = "3f2b8c1e-6a4d-4e0b-9c57-2d1e8f4a7b90"


def test_a_request_walks_the_timeline_to_acknowledged_by_a_named_nurse() -> None:
    tl = Timeline()
    tl.apply(ev.ConnectionChanged(online=True))
    assert tl.apply(ev.RequestSaved("water", ID))
    track = tl.tracks[0]
    assert track.headline() == "sending"
    tl.apply(ev.RequestSent(ID))
    tl.apply(ev.StateChanged(ID, "received", intent="water"))
    assert track.headline() == "received"
    tl.apply(ev.StateChanged(ID, "acknowledged", "Nurse Kim", "water"))
    assert (track.headline(), track.by) == ("acknowledged", "Nurse Kim")
    assert track.steps() == [
        ("saved", True),
        ("sent", True),
        ("received", True),
        ("acknowledged", True),
        ("resolved", False),
    ]
    # A late "received" never moves it back.
    assert not tl.apply(ev.StateChanged(ID, "received", intent=""))
    assert track.state == "acknowledged"
    tl.apply(ev.StateChanged(ID, "resolved", "Nurse Kim", "water"))
    assert not track.open and track.headline() == "resolved"


def test_offline_requests_say_saved_and_will_be_sent_until_the_station_has_them() -> None:
    tl = Timeline()
    tl.apply(ev.ConnectionChanged(online=False))
    tl.apply(ev.RequestSaved("water", ID))
    tl.apply(ev.ConnectionChanged(online=False, request_saved=True))
    assert tl.tracks[0].headline() == "saved_offline"
    assert tl.offline_message
    tl.apply(ev.ConnectionChanged(online=True))
    assert tl.tracks[0].headline() == "sending" and not tl.offline_message
    tl.apply(ev.ConnectionChanged(online=False))
    tl.apply(ev.StateChanged(ID, "received", intent="water"))
    assert not tl.offline_message  # the station has it: nothing is waiting any more


def test_a_cancelled_request_ends_with_a_cancelled_step() -> None:
    tl = Timeline()
    tl.apply(ev.RequestSaved("pain", ID))
    tl.apply(ev.StateChanged(ID, "received", intent="pain"))
    tl.apply(ev.StateChanged(ID, "cancelled", "patient", "pain"))
    assert [s for s, _ in tl.tracks[0].steps()][-1] == "cancelled"
    assert all(done for _, done in tl.tracks[0].steps())


def test_open_requests_from_the_retained_state_appear_but_old_closed_ones_do_not() -> None:
    tl = Timeline()
    assert not tl.apply(ev.StateChanged(ID, "resolved", "Nurse Kim", "water"))
    assert tl.apply(ev.StateChanged("other-id", "acknowledged", "Nurse Lee", "pain"))
    assert [t.intent for t in tl.tracks] == ["pain"]


def test_only_five_requests_are_kept_newest_first() -> None:
    """The patient's own recent messages: five (issue 12 asked for more than the old three)."""
    tl = Timeline()
    for i in range(7):
        tl.apply(ev.RequestSaved("water", f"id-{i}"))
    assert [t.request_id for t in tl.tracks] == ["id-6", "id-5", "id-4", "id-3", "id-2"]


def test_prompts_speak_offers_questions_and_states_but_nothing_technical() -> None:
    offering = ev.MenuChanged(MenuView(("water",), "water", "offering"), 0.0)
    offer = prompt_for(offering, "Water")
    assert offer is not None and offer.key == "offer"
    question = ev.MenuChanged(MenuView(("water",), None, "question", "Cold?"), 0.0)
    asked = prompt_for(question, "")
    assert asked is not None and asked.args == ("Cold?",)
    ack = prompt_for(ev.StateChanged(ID, "acknowledged", "Nurse Kim", "water"), "Water")
    assert ack is not None and ack.args == ("Nurse Kim",)
    assert prompt_for(ev.MenuChanged(MenuView(("water",), None, "paused"), 0.0), "") is None
    assert prompt_for(ev.RequestSent(ID), "") is None
    assert prompt_for(ev.ConnectionChanged(online=True), "") is None
    unknown = ev.MenuChanged(MenuView(("water",), "water", "pointing_3d"), 0.0)
    assert prompt_for(unknown, "Water") is None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_camera_is_off_starting_on_slow_then_lost() -> None:
    clock = Clock()
    cam = CameraMonitor(slow_fps=8, lost_after_s=2.0, start_grace_s=5.0, clock=clock)
    assert cam.state().kind == "off"
    cam.started()
    assert cam.state().kind == "starting"
    for _ in range(30):  # 15 frames/s for two seconds
        clock.now += 1 / 15
        cam.frame()
    state = cam.state()
    assert state.kind == "on" and 13 < state.fps < 17
    for _ in range(8):  # then 3 frames/s: too slow to follow a nod
        clock.now += 1 / 3
        cam.frame()
    assert cam.state().kind == "slow"
    clock.now += 2.5  # no frame at all
    assert cam.state().kind == "lost"
    cam.stopped("camera 0 cannot be opened")
    assert cam.state().kind == "lost" and "cannot" in cam.state().detail


def test_a_camera_that_never_delivers_is_lost_after_the_grace_period() -> None:
    clock = Clock()
    cam = CameraMonitor(start_grace_s=5.0, clock=clock)
    cam.started()
    clock.now += 6.0
    assert cam.state().kind == "lost"


def test_a_camera_retried_after_a_failure_stays_lost_until_it_delivers() -> None:
    """Between retries of a camera that keeps failing, "starting" made the station's
    camera_lost flicker off every 10 s."""
    clock = Clock()
    cam = CameraMonitor(start_grace_s=5.0, clock=clock)
    cam.started()
    cam.stopped("camera 0 cannot be opened")
    cam.started()  # the retry
    assert cam.state().kind == "lost" and "cannot" in cam.state().detail
    clock.now += 0.1
    cam.frame()
    assert cam.state().kind == "on"


def test_a_live_camera_showing_the_very_same_picture_is_lost_but_a_video_is_not() -> None:
    """A frozen driver delivers frames on time, all alike: a patient nodding is not seen."""
    import numpy as np

    live, video = Clock(), Clock()
    camera = CameraMonitor(clock=live, frozen_after_s=10.0)
    replay = CameraMonitor(clock=video, frozen_after_s=None)
    noise = np.random.default_rng(0)
    picture = noise.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    for monitor in (camera, replay):
        monitor.started()
    for _ in range(15 * 5):  # 5 s of a live picture, sensor noise and all
        live.now += 1 / 15
        camera.frame(noise.integers(0, 255, (480, 640, 3), dtype=np.uint8))
    assert camera.state().kind == "on"
    for _ in range(15 * 11):  # then 11 s of one frozen picture
        live.now += 1 / 15
        video.now += 1 / 15
        camera.frame(picture)
        replay.frame(picture)
    state = camera.state()
    assert state.kind == "lost" and "same picture" in state.detail
    assert replay.state().kind == "on"
    live.now += 1 / 15
    camera.frame(noise.integers(0, 255, (480, 640, 3), dtype=np.uint8))
    assert camera.state().kind == "on", "it recovers with the first new picture"


def test_a_camera_reopened_because_it_froze_and_frozen_again_stays_lost() -> None:
    """The reopen forgot the frozen picture: the same picture again looked live for 10 s of
    every 20, and the station's camera_lost fault came and went."""
    import numpy as np

    clock = Clock()
    camera = CameraMonitor(clock=clock, frozen_after_s=10.0)
    picture = np.random.default_rng(1).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    camera.started()
    for _ in range(15 * 11):
        clock.now += 1 / 15
        camera.frame(picture)
    assert camera.state().frozen
    camera.stopped("the same picture for 11 s; opening it again")
    clock.now += 10.0  # the host's retry
    camera.started()
    clock.now += 1 / 15
    camera.frame(picture)  # the very same picture after the reopen
    state = camera.state()
    assert state.kind == "lost" and state.frozen, state


class FakeVoiceWorker:
    def __init__(self) -> None:
        self.ready = threading.Event()
        self.finished = threading.Event()
        self.error: BaseException | None = None
        self.note = ""


def test_the_microphone_state_follows_the_voice_worker() -> None:
    assert mic_state(None, None, 0.0).kind == "off"
    worker = FakeVoiceWorker()
    assert mic_state(worker, None, 0.0).kind == "starting"
    worker.ready.set()
    assert mic_state(worker, None, 0.0).kind == "listening"
    heard = mic_state(worker, (10.0, "water please"), 11.0)
    assert (heard.kind, heard.text) == ("heard", "water please")
    assert mic_state(worker, (10.0, "water please"), 20.0).kind == "listening"
    worker.error = AudioError("cannot open microphone (default): no such device")
    assert mic_state(worker, None, 0.0).kind == "error"
    # A recogniser that failed is not the microphone: it was shown and reported as
    # "microphone not working", and IT replaced a working microphone.
    worker.error = ModelError("vosk model damaged")
    assert mic_state(worker, None, 0.0).kind == "failed"
    worker.error = RuntimeError("engine error")
    assert mic_state(worker, None, 0.0).kind == "failed"


def test_asleep_the_menu_says_once_how_to_wake_it_and_offers_nothing() -> None:
    asleep = ev.MenuChanged(MenuView(("water",), None, "asleep", confirm_with=("nod",)), 0.0)
    said = prompt_for(asleep, "")
    assert said is not None and said.key == "asleep"
    policy = PromptPolicy()
    assert policy.prompt(asleep, "", items=1) == said


def test_a_poor_view_shows_its_fix_while_a_face_is_found() -> None:
    """Issue 9: a small or turned face is shown with the fix, not silently detected less."""
    from beckon.ui.bedside_model import FaceView, face_view

    assert face_view(None, None) == FaceView("no_face") and face_view(None, None).tone == "bad"
    assert face_view("ready", None).tone == "ok"
    small = face_view("ready", "move_closer")
    assert small == FaceView("ready", "move_closer") and small.tone == "warn"
    assert face_view("calibrating", "face_screen").hint == "face_screen"
    # No face: there is nothing to fix about its view, the "face not found" state says it all.
    assert face_view("no_face", "move_closer") == FaceView("no_face", None)


def test_a_poor_view_is_reported_to_the_station_after_a_grace_time() -> None:
    from beckon.ui.bedside_model import CameraState, DeviceWatch, MicState

    watch = DeviceWatch(no_face_s=30.0, poor_view_s=30.0)
    on, mic = CameraState("on", 15.0), MicState("off")
    assert watch.faults(on, True, "ready", mic, True, 0.0, "move_closer") == ()
    assert watch.faults(on, True, "calibrating", mic, True, 29.0, "face_screen") == ()
    assert watch.faults(on, True, "ready", mic, True, 30.0, "move_closer") == ("poor_view",)
    # The nurse moves the tablet: the fault clears at once, and the grace time starts again.
    assert watch.faults(on, True, "ready", mic, True, 31.0, None) == ()
    assert watch.faults(on, True, "ready", mic, True, 50.0, "move_closer") == ()
    # A face that leaves is the no_face fault's business, not a poor view.
    assert watch.faults(on, True, "no_face", mic, True, 90.0, "move_closer") == ()
    assert watch.faults(on, True, "no_face", mic, True, 120.0, None) == ("no_face",)


def test_a_request_learned_from_the_retained_state_keeps_its_own_time() -> None:
    """After a restart the tablet shows when the patient asked, not when it restarted."""
    from datetime import UTC, datetime, timedelta, timezone

    from beckon.ui.bedside_model import MAX_TRACKS

    tl = Timeline()
    tl.apply(ev.StateChanged("old", "acknowledged", "Nurse Lee", "water", "2025-03-14T07:05:09Z"))
    track = tl.tracks[0]
    assert track.made_at == datetime(2025, 3, 14, 7, 5, 9, tzinfo=UTC)
    assert track.clock(timezone(timedelta(hours=9))) == "16:05"  # shown in the tablet's zone
    for i in range(MAX_TRACKS + 2):
        tl.apply(ev.RequestSaved("pain", f"r{i}"))
    assert len(tl.tracks) == MAX_TRACKS == 5


def test_a_request_restored_after_a_restart_keeps_the_time_it_was_made() -> None:
    """The "Asked at" line showed the restart's time, and the no-receipt alarm counted again
    from each start: a tablet restarting every 30 s while its call was stuck never sounded it."""
    from datetime import UTC, datetime, timedelta

    timeline = Timeline()
    made = datetime.now(UTC) - timedelta(seconds=90)
    timeline.apply(ev.RequestSaved("water", ID, restored=True, created_at=made.isoformat()))
    (track,) = timeline.tracks
    assert abs((track.made_at - made).total_seconds()) < 1
    assert timeline.without_receipt(time.monotonic(), 60.0) == [track], "overdue at once"


def test_the_same_news_for_several_requests_is_said_once() -> None:
    """Four requests closed while the tablet was off: "Your request is done." four times."""
    now = [100.0]
    policy = PromptPolicy(clock=lambda: now[0])
    said = [
        policy.prompt(ev.StateChanged(f"id{i}", "resolved", None, "water"), "Water", items=3)
        for i in range(4)
    ]
    assert [s.key if s else None for s in said] == ["resolved", None, None, None]
    now[0] += 10.0
    later = policy.prompt(ev.StateChanged("id9", "resolved", None, "water"), "Water", items=3)
    assert later is not None and later.key == "resolved"


def test_a_request_already_open_is_said_as_such() -> None:
    said = prompt_for(ev.AlreadyAsked("water", ID, "received"), "Water")
    assert said is not None and said.key == "already_asked" and said.args == ("Water",)


def test_a_cancelled_request_is_said_as_such() -> None:
    said = prompt_for(ev.StateChanged(ID, "cancelled", None, "water"), "Water")
    assert said is not None and said.key == "cancelled"


def test_a_hint_about_the_light_stands_without_a_face() -> None:
    """A dark room hides the face: "Face not found" alone did not say to turn on a light."""
    from beckon.ui.bedside_model import face_view

    assert face_view("no_face", "too_dark").hint == "too_dark"
    assert face_view("no_face", "move_closer").hint is None  # a face's own fix needs a face
    assert face_view("ready", "move_closer").hint == "move_closer"


def test_a_request_the_station_cannot_take_yet_says_so_not_sending() -> None:
    """With the broker up and the station down it said "Sending your request…" while nobody
    had it."""
    timeline = Timeline()
    timeline.apply(ev.ConnectionChanged(True))
    timeline.apply(ev.StationChanged(False))
    timeline.apply(ev.RequestSaved("water", ID))
    (track,) = timeline.tracks
    assert track.headline() == "station_away"
    timeline.apply(ev.StationChanged(True))
    assert track.headline() == "sending"
    timeline.apply(ev.StationChanged(False))
    assert track.headline() == "station_away"
    timeline.apply(ev.ConnectionChanged(False))
    assert track.headline() == "saved_offline", "no connection at all says more"
