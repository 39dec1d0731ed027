"""The whole vision path on rendered clips: real MediaPipe on real frames, no mocks."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from beckon.errors import FrameSourceError, ModelError
from beckon.lab import synthetic
from beckon.lab.vision_bench import bench_vision
from beckon.vision.engine_params import EngineParams
from beckon.vision.face import FaceTracker, assess_view, face_quality, view_hint
from beckon.vision.frames import ArraySource, Frame, VideoFileSource
from beckon.vision.gestures import GestureParams
from beckon.vision.pipeline import FaceStatus, VisionPipeline
from beckon.vision.pose import rotation_from_angles
from beckon.vision.replay import replay
from beckon.vision.viewquality import QualityParams
from tests.vision.vision_clips import Clip

pytestmark = pytest.mark.vision

MAX_LAG_S = 0.7


@pytest.fixture(scope="module")
def nod_shake_lines(nod_shake_clip: Clip, face_model: Path) -> tuple[int, list[str]]:
    out = io.StringIO()
    count = replay(nod_shake_clip.path, face_model, out)
    return count, out.getvalue().splitlines()


def test_replay_finds_one_nod_and_one_shake_at_the_right_times(
    nod_shake_clip: Clip, nod_shake_lines: tuple[int, list[str]]
) -> None:
    count, lines = nod_shake_lines
    events = [json.loads(line) for line in lines]
    assert count == len(events) == 2, events
    assert [e["gesture"] for e in events] == ["nod", "shake"]
    (nod_end,) = nod_shake_clip.ends_of("pitch")
    (shake_end,) = nod_shake_clip.ends_of("yaw")
    assert abs(events[0]["t"] - nod_end) <= MAX_LAG_S
    assert abs(events[1]["t"] - shake_end) <= MAX_LAG_S
    assert all(0.5 <= e["confidence"] <= 1.0 for e in events)


def test_replay_writes_valid_json_lines(nod_shake_lines: tuple[int, list[str]]) -> None:
    _, lines = nod_shake_lines
    for line in lines:
        event = json.loads(line)
        assert list(event) == ["type", "gesture", "t", "confidence"]
        assert event["type"] == "gesture"
        assert isinstance(event["t"], float) and event["t"] == round(event["t"], 2)
        assert isinstance(event["confidence"], float)


def test_still_clip_gives_no_events(still_clip: Clip, face_model: Path) -> None:
    out = io.StringIO()
    assert replay(still_clip.path, face_model, out) == 0
    assert out.getvalue() == ""


def test_replay_of_a_missing_video_raises_a_frame_source_error(
    tmp_path: Path, face_model: Path
) -> None:
    with pytest.raises(FrameSourceError, match="not found"):
        replay(tmp_path / "missing.mp4", face_model, io.StringIO())


def test_missing_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        FaceTracker(tmp_path / "face_landmarker.task")
    assert info.value.hint


def test_repeated_timestamps_are_nudged_forward(rig: synthetic.FaceRig, face_model: Path) -> None:
    image = rig.render(synthetic.HeadPose())
    with FaceTracker(face_model) as tracker:
        first = tracker.observe(Frame(0, 0.5, image))
        again = tracker.observe(Frame(1, 0.5, image))  # same time: MediaPipe would refuse it
        earlier = tracker.observe(Frame(2, 0.2, image))
    assert first.found and again.found and earlier.found
    # Neutral pose not learned yet: the angles are against a provisional reference (nods and
    # shakes only), and held gestures wait.
    assert first.provisional and not tracker.neutral.ready
    assert len(first.blendshapes) == 52 and 0.0 <= first.blendshapes["jawOpen"] <= 1.0
    assert first.quality == pytest.approx(1.0) and 100 < first.face_width_px < 300


def test_face_quality_ramps() -> None:
    xs = np.linspace(0.3, 0.3 + 150 / 640, 10)
    lm = np.stack([xs, np.full(10, 0.5)], axis=1)
    good, width = face_quality(lm, np.eye(3), (640, 480))
    assert good == pytest.approx(1.0) and width == pytest.approx(150)
    tiny = np.stack([np.linspace(0.3, 0.3 + 50 / 640, 10), np.full(10, 0.5)], axis=1)
    assert face_quality(tiny, np.eye(3), (640, 480))[0] == 0.0
    assert face_quality(lm, rotation_from_angles(0, 60, 0), (640, 480))[0] == 0.0
    half_out = lm.copy()
    half_out[:5, 0] -= 0.5
    assert face_quality(half_out, np.eye(3), (640, 480))[0] == 0.0


def test_face_status_and_timings(rig: synthetic.FaceRig, face_model: Path) -> None:
    fps = 15.0
    script = [synthetic.still(1.4), synthetic.hidden(0.4), synthetic.still(0.4)]
    frames = (rig.render(p) for p in synthetic.build_poses(script, fps))
    seen: list[FaceStatus] = []
    with VisionPipeline(face_model, on_status=seen.append) as pipeline:
        assert pipeline.status.state == "no_face"
        events = list(pipeline.run(ArraySource(frames, fps)))
        stats = pipeline.stats()
        final = pipeline.status
    assert events == []
    assert [s.state for s in seen] == ["calibrating", "ready", "no_face", "ready"]
    assert 1.4 <= seen[2].t < 1.5
    assert final.found and final.calibrated and final.quality > 0.9
    assert stats.frames == 33
    assert 0 < stats.median_mediapipe_ms <= stats.median_total_ms <= stats.p95_total_ms


def test_bench_vision_reports_per_frame_timings(face_model: Path) -> None:
    result = bench_vision(face_model, seconds=1.0, fps=15.0)
    assert result["frames"] == 15
    assert (result["width"], result["height"]) == (640, 480)
    assert 0 < result["mediapipe_median_ms"] <= result["median_ms"] <= result["p95_ms"]
    assert 0 < result["mediapipe_share"] <= 1
    assert result["peak_rss_mb"] > 50
    json.dumps(result)


def test_view_hints_name_the_fix_and_an_85px_face_still_counts() -> None:
    lm = np.stack([np.linspace(0.4, 0.4 + 85 / 640, 10), np.full(10, 0.5)], axis=1)
    quality, width, hint = assess_view(lm, np.eye(3), (640, 480))
    # A tablet about 1 m away: usable for detection (above every min_quality), with a hint.
    assert width == pytest.approx(85) and 0.7 <= quality < 1.0
    assert quality >= max(GestureParams().min_quality, EngineParams().min_quality)
    assert hint == "move_closer"
    assert view_hint(150, 35.0, 1.0) == "face_screen"
    assert view_hint(150, 5.0, 0.9) == "center_face"
    assert view_hint(150, 5.0, 1.0) is None


def _replayed(clip: Clip, face_model: Path) -> list[dict[str, Any]]:
    """The ``beckon replay --json`` lines, as JSON gives them (values of any JSON type)."""
    out = io.StringIO()
    count = replay(clip.path, face_model, out)
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == len(events)
    for event in events:
        assert list(event) == ["type", "gesture", "t", "confidence"]
    return events


def test_replay_contract_at_15_fps(nod_shake_clip_15fps: Clip, face_model: Path) -> None:
    events = _replayed(nod_shake_clip_15fps, face_model)
    assert [e["gesture"] for e in events] == ["nod", "shake"]
    (nod_end,) = nod_shake_clip_15fps.ends_of("pitch")
    (shake_end,) = nod_shake_clip_15fps.ends_of("yaw")
    assert abs(float(events[0]["t"]) - nod_end) <= MAX_LAG_S
    assert abs(float(events[1]["t"]) - shake_end) <= MAX_LAG_S


def test_replay_contract_with_a_small_face(small_face_clip: Clip, face_model: Path) -> None:
    # An 80 px face: detected, with a little less confidence than a close one.
    events = _replayed(small_face_clip, face_model)
    assert [e["gesture"] for e in events] == ["nod", "shake"]
    assert all(0.3 <= float(e["confidence"]) < 1.0 for e in events)


def test_a_small_face_is_ready_at_once_and_asks_to_move_closer(
    small_face_clip: Clip, face_model: Path
) -> None:
    seen: list[FaceStatus] = []
    with VisionPipeline(face_model, on_status=seen.append) as pipeline:
        for frame in VideoFileSource(small_face_clip.path):
            pipeline.process(frame)
            if frame.t > 3.0:
                break
    ready = [s for s in seen if s.state == "ready"]
    assert ready and ready[0].t <= 2.0
    assert seen[-1].hint == "move_closer"
    assert strings_hint("move_closer")


@pytest.mark.parametrize(("rest_yaw", "hint"), [(40.0, "face_screen"), (20.0, None)])
def test_a_patient_resting_far_off_axis_is_asked_to_face_the_screen(
    rig: synthetic.FaceRig, face_model: Path, rest_yaw: float, hint: str | None
) -> None:
    # A tablet far to one side of the bed: the head rests turned 40 degrees as rendered (about
    # 30 as MediaPipe reads it), past QualityParams.frontal_deg. The bedside calibrates (the
    # rest is the rest) and asks to turn the face toward the screen; 20 degrees (about 14 as
    # read, a tablet a little to one side) needs no hint.
    fps = 15.0
    rest = synthetic.rest_rotation(0.0, rest_yaw, 0.0)
    frames = (rig.render(p, rest) for p in synthetic.build_poses([synthetic.still(3.0)], fps))
    seen: list[FaceStatus] = []
    with VisionPipeline(face_model, on_status=seen.append) as pipeline:
        list(pipeline.run(ArraySource(frames, fps)))
        final = pipeline.status
    assert final.state == "ready"
    assert final.hint == hint
    if hint is not None:
        assert strings_hint(hint)
        assert 0.0 < final.quality < 1.0  # lower confidence, detection goes on


def test_a_brisk_nod_with_no_rest_before_is_found(brisk_clip: Clip, face_model: Path) -> None:
    events = _replayed(brisk_clip, face_model)
    assert [e["gesture"] for e in events] == ["nod", "shake"]
    assert float(events[0]["t"]) <= 2.5


def strings_hint(hint: str) -> str:
    from beckon.ui.strings import face_hint_text

    return face_hint_text(hint)


def test_a_face_gone_ten_seconds_is_learned_again_by_a_fresh_engine(
    small_face_clip: Clip, face_model: Path
) -> None:
    # A face gone for relearn_after_s (maybe a new patient in the bed): the neutral pose is
    # learned again and the gesture engine starts afresh, nothing of the last face kept.
    seen: list[FaceStatus] = []
    # Other quality ramps than the default: the engine takes the frontality back out of the
    # quality with the tracker's own (the held view floor), the fresh engine too.
    ramps = QualityParams(frontal_deg=20.0, away_deg=40.0)
    with VisionPipeline(
        face_model, on_status=seen.append, relearn_after_s=10.0, quality=ramps
    ) as pipeline:
        assert pipeline.engine.view is pipeline.tracker.quality_params is ramps
        t = 0.0
        for frame in VideoFileSource(small_face_clip.path):
            pipeline.process(frame)
            t = frame.t
            if t > 2.5:
                break
        assert pipeline.status.state == "ready"
        first = pipeline.engine
        blank = np.zeros((480, 640, 3), np.uint8)
        for i in range(1, 11 * 5):  # 11 s with no face, at 5 frames per second
            pipeline.process(Frame(1000 + i, t + 0.2 * i, blank))
            if i * 0.2 < 9.8:
                assert pipeline.engine is first
        assert pipeline.engine is not first
        assert pipeline.engine.view is ramps
        assert not pipeline.neutral.ready
        assert seen[-1].state == "no_face"


def test_the_benchmark_replays_exactly_what_the_bedside_pipeline_does(
    brisk_clip: Clip, face_model: Path, tmp_path: Path
) -> None:
    # `beckon bench gestures --recordings` scores the engine on cached MediaPipe output; the
    # bedside runs VisionPipeline on the frames. On the same video: the same events at the
    # same times, with the same nod and shake bars, so the bench's figures are the bedside's
    # (until 2026-12 the bedside alone applied the neutral's measured jitter to the bars).
    from beckon.lab import recordings
    from beckon.lab.gesture_bench import online_events
    from beckon.profile import GestureProfile
    from beckon.vision.engine import GestureEngine

    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "brisk.mp4").write_bytes(brisk_clip.path.read_bytes())
    (folder / "labels.toml").write_text('[[clip]]\nfile = "brisk.mp4"\nkind = "negative"\n')
    _, observed = recordings.as_clips(recordings.load_labels(folder), face_model, tmp_path)
    bench = GestureEngine(GestureProfile())
    bench_events = online_events(observed["brisk.mp4"], bench).events

    with VisionPipeline(face_model) as pipeline:
        live_events = list(pipeline.run(VideoFileSource(brisk_clip.path)))
        assert pipeline.neutral.ready
        live_noise = [d.noise for d in pipeline.engine.oscillators]

    assert [e.gesture for e in live_events] == ["nod", "shake"]
    assert [(e.gesture, round(e.t, 3)) for e in bench_events] == [
        (e.gesture, round(e.t, 3)) for e in live_events
    ]
    # The resting jitter the bars are built on (the bench's clip ends on a held last frame,
    # so the bars' calm adaptation is compared through the events, not at the end).
    assert [d.noise for d in bench.oscillators] == live_noise
