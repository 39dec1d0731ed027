"""MediaPipe's C++ start-up lines stay out of the terminal unless the user asks for them."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest

from beckon.vision.native_log import native_stderr_to_log
from tests.helpers.side_by_side import run_side_by_side

REPO = Path(__file__).resolve().parents[2]
GLOG = b"W0000 00:00:1796129632.370200   11124 face_landmarker_graph.cc:181] Sets acceleration\n"


def test_native_lines_go_to_the_debug_log_and_others_pass_through(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "beckon.vision.mediapipe")
    with native_stderr_to_log():
        os.write(2, GLOG)
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
        os.write(2, b"a line of our own\n")
    err = capfd.readouterr().err
    assert "W0000" not in err and "XNNPACK" not in err
    assert "a line of our own" in err
    assert any("face_landmarker_graph.cc" in r.getMessage() for r in caplog.records)


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
def test_a_real_landmarker_starts_quietly_and_verbose_shows_why(installed_models: Path) -> None:
    quiet, verbose = _replay_stderrs(installed_models, (), ("--verbose",))
    assert "W0000" not in quiet
    assert "face_landmarker_graph.cc" in verbose
