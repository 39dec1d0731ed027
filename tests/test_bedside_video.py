"""`beckon bedside --headless --video FILE`: the real bedside process, watching a rendered
clip of a patient who nods, sends the offered request to a real station, and says in its log
when no station confirms it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from beckon.lab import synthetic
from tests.conftest import Mosquitto
from tests.helpers.headless import REPO, run_headless_bedside

pytestmark = [pytest.mark.mqtt, pytest.mark.vision]


@pytest.fixture(scope="module")
def nod_clip(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Path:
    clip = tmp_path_factory.mktemp("clip") / "nod.mp4"
    model = models_dir / "face_landmarker.task"
    frames = synthetic.render_clip(
        synthetic.load_demo_face(), synthetic.demo_script(), model_path=model
    )
    synthetic.write_video(clip, frames, synthetic.DEFAULT_FPS)
    return clip


def bedside_toml(tmp_path: Path, url: str, extra: str = "") -> Path:
    config = tmp_path / "bedside.toml"
    config.write_text(
        '[bedside]\nsite = "gh"\nunit = "icu"\nbed = "5"\ninputs = ["gesture"]\n'
        'offered_intents = ["water", "nurse"]\noffer_seconds = 8.0\n'
        f'outbox = "{tmp_path / "outbox.sqlite3"}"\n{extra}'
        f'[broker]\nurl = "{url}"\n'
    )
    return config


def test_a_nod_in_the_video_becomes_a_request_at_the_station(
    mosquitto: Mosquitto, installed_models: Path, nod_clip: Path, tmp_path: Path
) -> None:
    config = bedside_toml(tmp_path, mosquitto.url)
    received = run_headless_bedside(
        mosquitto.url, tmp_path, config, "--video", str(nod_clip), timeout=180
    )
    assert received[0] == ("received", "5", "water")
    assert len(received) == 1


def test_with_no_station_the_request_without_a_receipt_is_logged_critical(
    mosquitto: Mosquitto, installed_models: Path, nod_clip: Path, tmp_path: Path
) -> None:
    """No screen and no speaker: ``receipt_alarm_s`` is said in the journal instead."""
    config = bedside_toml(tmp_path, mosquitto.url, "receipt_alarm_s = 1.0\n")
    log = tmp_path / "bedside.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "beckon", "bedside", "--headless", "--config", str(config),
             "--video", str(nod_clip)],
            stdout=subprocess.DEVNULL, stderr=err, cwd=REPO,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 180
            while "NO RECEIPT" not in log.read_text() and proc.poll() is None:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
        finally:
            proc.terminate()
            proc.wait(30)
    text = log.read_text()
    assert "NO RECEIPT: water (" in text and "bedside.receipt_alarm_s = 1" in text
