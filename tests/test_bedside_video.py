"""`beckon bedside --headless --video FILE`: the real bedside process, watching a rendered
clip of a patient who nods, sends the offered request to a real station."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from beckon.background import Background
from beckon.config import load_station
from beckon.station.service import StationService
from beckon.vision import synthetic

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.mqtt
@pytest.mark.vision
def test_a_nod_in_the_video_becomes_a_request_at_the_station(mosquitto, installed_models, tmp_path):
    clip = tmp_path / "nod.mp4"
    model = installed_models / "face_landmarker.task"
    frames = synthetic.render_clip(
        synthetic.load_demo_face(), synthetic.demo_script(), model_path=model
    )
    synthetic.write_video(clip, frames, synthetic.DEFAULT_FPS)
    config = tmp_path / "bedside.toml"
    config.write_text(
        '[bedside]\nsite = "gh"\nunit = "icu"\nbed = "5"\ninputs = ["gesture"]\n'
        'offered_intents = ["water", "nurse"]\noffer_seconds = 8.0\n'
        f'outbox = "{tmp_path / "outbox.sqlite3"}"\n'
        f'[broker]\nurl = "{mosquitto.url}"\n'
    )
    station = StationService(
        load_station(
            None,
            {
                "station.site": "gh",
                "station.units": ["icu"],
                "station.database": str(tmp_path / "s.sqlite3"),
                "broker.url": mosquitto.url,
            },
        )
    )
    received: list[tuple[str, str, str]] = []
    got = threading.Event()

    def on_change(what: str, view) -> None:  # type: ignore[no-untyped-def]
        received.append((what, view.bed, view.intent))
        got.set()

    station.listeners.append(on_change)
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "beckon",
                "bedside",
                "--headless",
                "--config",
                str(config),
                "--video",
                str(clip),
                "--exit-when-done",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=REPO,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert got.wait(10), result.stderr[-3000:]
    assert received[0] == ("received", "5", "water")
    assert len(received) == 1
