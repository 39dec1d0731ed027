"""`beckon demo --headless`: the whole path on one machine, as CI and a newcomer run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demos(
    models_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, subprocess.CompletedProcess[str]]:
    """`beckon demo --headless`, and `beckon demo` where there is no display, started side by
    side: the second plays its clip in real time and mostly waits, so the first runs in the
    meantime. Each has its own BECKON_HOME (its own outbox and station database) and its own
    broker on a free port."""
    base = {**os.environ, "BECKON_MODELS_DIR": str(models_dir)}
    no_display = {
        k: v for k, v in base.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    runs = {
        "headless": (["--headless"], base),
        "no display": ([], no_display),
    }
    started = {
        name: subprocess.Popen(
            [sys.executable, "-m", "beckon", "demo", *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**env, "BECKON_HOME": str(tmp_path_factory.mktemp("demo-home"))},
        )
        for name, (flags, env) in runs.items()
    }
    try:
        outputs = {name: proc.communicate(timeout=240) for name, proc in started.items()}
    finally:
        for proc in started.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    return {
        name: subprocess.CompletedProcess(proc.args, proc.returncode, *outputs[name])
        for name, proc in started.items()
    }


@pytest.mark.vision
def test_headless_demo_tells_the_story_of_one_request_to_its_resolution(demos):
    result = demos["headless"]
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
    # The tablet closing after the story is the demo ending, and says so, not a fault alone.
    assert "shown as a device fault" not in story, story


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
def test_demo_without_a_display_tells_the_story_in_the_terminal(demos):
    """What `scripts/demo.sh` does on a server reached over SSH: no window, the same story."""
    result = demos["no display"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no display" in result.stderr and "telling the story here instead" in result.stderr
    assert "The request is closed" in result.stdout


@pytest.mark.vision
def test_a_terminal_demo_stopped_with_sigterm_leaves_nothing_behind(
    models_dir: Path, tmp_path: Path
) -> None:
    """Killed outright by SIGTERM, each demo left its /tmp/beckon-rig-* folder (and a broker
    config folder) behind; now it unwinds as after Ctrl-C."""
    import signal
    import time

    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {
        **os.environ,
        "BECKON_MODELS_DIR": str(models_dir),
        "BECKON_HOME": str(tmp_path / "home"),
        "TMPDIR": str(temp),
    }
    demo = subprocess.Popen(
        [sys.executable, "-m", "beckon", "demo", "--headless"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while not list(temp.glob("beckon-rig-*")) and time.monotonic() < deadline:
            assert demo.poll() is None, demo.communicate()
            time.sleep(0.05)
        assert list(temp.glob("beckon-rig-*")), "the demo made no folder"
        demo.send_signal(signal.SIGTERM)
        out, err = demo.communicate(timeout=60)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait(10)
    assert demo.returncode == 130, out + err
    assert list(temp.iterdir()) == [], out + err


@pytest.mark.vision
def test_the_demo_clip_can_be_saved_for_a_tablets_first_test_call(
    models_dir: Path, tmp_path: Path
) -> None:
    """docs/deployment.md's test call runs a tablet's bedside on "a short video of someone
    nodding", and nothing said where IT would get one."""
    import cv2

    clip = tmp_path / "nod.mp4"
    result = subprocess.run(
        [sys.executable, "-m", "beckon", "demo", "--save-clip", str(clip)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "BECKON_MODELS_DIR": str(models_dir)},
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Wrote {clip}" in result.stdout
    video = cv2.VideoCapture(str(clip))
    try:
        frames = int(video.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        video.release()
    assert frames > 60  # still, then the nod at about 3 s
