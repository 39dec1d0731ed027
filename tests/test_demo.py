"""`beckon demo --headless`: the whole path on one machine, as CI and a newcomer run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.vision
def test_headless_demo_tells_the_story_of_one_request_to_its_resolution(installed_models):
    result = subprocess.run(
        [sys.executable, "-m", "beckon", "demo", "--headless"],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    story = result.stdout
    order = [
        "nods at",
        "saved to the outbox",
        "Request received",
        "Request acknowledged by Nurse Alex",
        "Nurse Alex is coming",
        "Request resolved by Nurse Alex",
        "The request is closed",
    ]
    positions = [story.find(step) for step in order]
    assert -1 not in positions, story
    assert positions == sorted(positions), story
    assert "FAILED" not in story and "Traceback" not in result.stderr


def test_demo_without_models_says_how_to_install_them(tmp_path, monkeypatch):
    monkeypatch.setenv("BECKON_MODELS_DIR", str(tmp_path / "none"))
    result = subprocess.run(
        [sys.executable, "-m", "beckon", "demo", "--headless"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 2
    assert "beckon models fetch" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.vision
def test_demo_without_a_display_tells_the_story_in_the_terminal(installed_models):
    """What `scripts/demo.sh` does on a server reached over SSH: no window, the same story."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(
        [sys.executable, "-m", "beckon", "demo"],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=REPO,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no display" in result.stderr and "telling the story here instead" in result.stderr
    assert "The request is closed" in result.stdout
