"""MediaPipe's C++ start-up lines stay out of the terminal unless the user asks for them."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

import pytest

from beckon.vision.native_log import NATIVE_LINE, QuietStart, native_stderr_to_log
from tests.helpers.side_by_side import run_side_by_side

REPO = Path(__file__).resolve().parents[2]
GLOG = b"W0000 00:00:1796129632.370200   11124 face_landmarker_graph.cc:181] Sets acceleration\n"
LITERT = b"INFO: [environment.cc:36] Creating LiteRT environment with options\n"


def test_native_lines_go_to_the_debug_log_and_others_pass_through(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "beckon.vision.mediapipe")
    with native_stderr_to_log():
        os.write(2, GLOG)
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
        os.write(2, LITERT)
        os.write(2, b"a line of our own\n")
        os.write(2, b"INFO: [our own words in brackets]\n")
    err = capfd.readouterr().err
    assert "W0000" not in err and "XNNPACK" not in err and "LiteRT" not in err
    assert "INFO: [our own words in brackets]" in err
    assert "a line of our own" in err
    assert any("face_landmarker_graph.cc" in r.getMessage() for r in caplog.records)


class ChattyGraph:
    """Speaks on fd 2 at every call and when closed, as MediaPipe's graphs do at their start."""

    def detect(self, n: int) -> int:
        os.write(2, GLOG)
        return n * 2

    def close(self) -> None:
        os.write(2, b"INFO: [accelerator_registry.cc:43] DestroyAccelerator: ptr=0x1\n")


def test_a_graphs_first_calls_and_its_close_are_quiet_and_later_calls_are_left_alone(
    capfd: pytest.CaptureFixture[str],
) -> None:
    graph, quiet = ChattyGraph(), QuietStart(calls=2)
    assert [quiet(graph.detect, n) for n in (1, 2)] == [2, 4]
    QuietStart.close(graph)
    err = capfd.readouterr().err
    assert "W0000" not in err and "Destroy" not in err
    # Past its start nothing is captured: each frame would cost a file and hold stderr back.
    assert quiet(graph.detect, 3) == 6
    assert "W0000" in capfd.readouterr().err


class TwoStageGraph:
    """Speaks on its first call, and again on the first call whose image holds a hand (its
    second stage's first run), as the hand landmarker does."""

    def __init__(self) -> None:
        self.second_stage_ran = False

    def detect(self, hand: bool) -> list[str]:
        if not self.second_stage_ran and hand:
            self.second_stage_ran = True
            os.write(2, b"W0000 00:00:1796543237.4 18609 inference_runner_litert.cc:1433] x\n")
        return ["hand"] if hand else []


def test_a_second_stage_first_run_after_the_first_calls_is_quiet_too(
    capfd: pytest.CaptureFixture[str],
) -> None:
    graph = TwoStageGraph()
    quiet = QuietStart(calls=2, until=bool)
    assert [quiet(graph.detect, hand) for hand in (False, False, False, True)] == [
        [],
        [],
        [],
        ["hand"],
    ]
    assert "inference_runner" not in capfd.readouterr().err
    # Once that stage has run, calls are left alone again (a later line is not a start's).
    graph.second_stage_ran = False
    assert quiet(graph.detect, True) == ["hand"]
    assert "inference_runner" in capfd.readouterr().err


def test_the_wait_for_a_second_stage_is_bounded(capfd: pytest.CaptureFixture[str]) -> None:
    # A patient whose hands never come into view: the looks stop being captured after ``most``.
    graph, quiet = ChattyGraph(), QuietStart(calls=2, until=bool, most=3)
    assert [quiet(graph.detect, 0) for _ in range(3)] == [0, 0, 0]
    assert "W0000" not in capfd.readouterr().err
    quiet(graph.detect, 0)
    assert "W0000" in capfd.readouterr().err


def test_the_capture_can_be_turned_off(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BECKON_NATIVE_LOG", "1")
    with native_stderr_to_log():
        os.write(2, GLOG)
    assert "W0000" in capfd.readouterr().err


def _replay_stderrs(installed_models: Path, *runs: tuple[str, ...]) -> list[str]:
    """``beckon replay`` on a real clip (it builds a real FaceLandmarker), once per set of
    flags. The runs only read the clip, so they go side by side, a core each."""
    clip = installed_models.parent / "native-log-clip.mp4"
    if not clip.exists():
        from beckon.lab import demo
        from beckon.modelstore import require_model

        demo.render_demo_clip(clip, require_model("face_landmarker"))
    results = run_side_by_side(
        [[sys.executable, "-m", "beckon", *flags, "replay", str(clip), "--json"] for flags in runs],
        timeout=240,
        cwd=REPO,
    )
    stderrs = []
    for result in results:
        assert result.returncode == 0, result.stderr[-2000:]
        stderrs.append(result.stderr)
    return stderrs


@pytest.mark.vision
def test_a_real_landmarker_starts_quietly_and_verbose_shows_why(
    installed_models: Path, hand_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the hand landmarker installed too: its first frame, at the demo clip's nod, and
    every graph's close printed LiteRT and glog lines in the middle of the output."""
    models = tmp_path / "models"
    shutil.copytree(installed_models, models)
    shutil.copy2(hand_model, models / hand_model.name)
    monkeypatch.setenv("BECKON_MODELS_DIR", str(models))
    quiet, verbose = _replay_stderrs(installed_models, (), ("--verbose",))
    assert "hand gate on" in quiet, quiet[-2000:]
    assert [line for line in quiet.splitlines() if NATIVE_LINE.match(line)] == []
    assert "face_landmarker_graph.cc" in verbose
    assert "DestroyAccelerator" in verbose
