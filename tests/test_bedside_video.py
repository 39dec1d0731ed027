"""`beckon bedside --headless --video FILE`: the real bedside process, watching a rendered
clip of a patient who nods, sends the offered request to a real station."""

from __future__ import annotations

import pytest

from beckon.lab import synthetic
from tests.helpers.headless import run_headless_bedside


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
    received = run_headless_bedside(
        mosquitto.url, tmp_path, config, "--video", str(clip), timeout=180
    )
    assert received[0] == ("received", "5", "water")
    assert len(received) == 1
