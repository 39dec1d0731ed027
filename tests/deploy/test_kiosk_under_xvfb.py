"""Issue 12, point 1: the bedside kiosk unit's command opens the full-screen bedside window.

The unit runs ``cage -d -- beckon bedside --config ... --fullscreen``. cage needs a login seat
(or, nested, a non-root user whose Python is readable), which a test runner lacks, so this
starts the part after ``--`` exactly as the unit writes it, with the unit's binary and config
paths mapped to this checkout and a test config, under a private Xvfb of the tablet's size,
against a real Mosquitto. It checks that a window named for the bed covers the whole screen,
that the bed reports online to the broker, and that SIGTERM (what systemd sends) ends it
cleanly.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from beckon.lab.xvfb import start_xvfb
from tests.helpers.systemd import kiosk_command

pytestmark = pytest.mark.mqtt


def windows(display: str, *, strict: bool = True) -> list[tuple[str, int, int]]:
    """(name, width, height) of every named top-level window, from xwininfo. Not ``strict``:
    a query that fails gives none (while polling: a loaded machine's X server may not answer
    one query; a session-37 CI run on a busy machine failed so, the next run passed)."""
    done = subprocess.run(
        ["xwininfo", "-root", "-tree", "-display", display],
        capture_output=True,
        text=True,
        check=strict,
    )
    out = done.stdout if done.returncode == 0 else ""
    return [
        (m.group(1), int(m.group(2)), int(m.group(3)))
        for m in re.finditer(r'"([^"]*)":.*?\s(\d+)x(\d+)\+', out)
    ]


def test_the_kiosk_units_command_fills_the_screen_with_the_bedside_window(
    mosquitto: Any, tmp_path: Path
) -> None:
    config = tmp_path / "bedside.toml"
    config.write_text(
        '[bedside]\nsite = "gh"\nunit = "icu"\nbed = "12"\ninputs = ["touch"]\n'
        f'outbox = "{tmp_path / "outbox.sqlite3"}"\n[broker]\nurl = "{mosquitto.url}"\n'
    )
    command = kiosk_command()
    window_command = command[command.index("--") + 1 :]
    mapped = [sys.executable, "-m", "beckon"] + [
        str(config) if arg == "/etc/beckon/bedside.toml" else arg for arg in window_command[1:]
    ]
    assert window_command[0] == "/opt/beckon/venv/bin/beckon"

    status: list[bytes] = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, msg: status.append(bytes(msg.payload))
    client.connect("127.0.0.1", mosquitto.port)
    client.subscribe("beckon/v1/gh/icu/bed/12/status", qos=1)
    client.loop_start()

    xvfb, display = start_xvfb("1280x800x24", range(150, 200))
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", BECKON_HOME=str(tmp_path))
    env.pop("WAYLAND_DISPLAY", None)
    proc = subprocess.Popen(mapped, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        found: list[tuple[str, int, int]] = []
        while time.monotonic() < deadline and proc.poll() is None:
            assert xvfb.poll() is None, f"Xvfb on {display} exited ({xvfb.returncode})"
            found = [w for w in windows(display, strict=False) if w[0].startswith("Beckon")]
            online = any(b'"online": true' in s or b'"online":true' in s for s in status)
            if found and (found[0][1], found[0][2]) == (1280, 800) and online:
                break
            time.sleep(0.3)
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        assert found and found[0][0].endswith("Bed 12"), windows(display)
        assert (found[0][1], found[0][2]) == (1280, 800), "the window must fill the screen"
        assert any(b"true" in s for s in status), "the bed never reported online"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        xvfb.terminate()
        xvfb.wait(10)
        client.loop_stop()
        client.disconnect()
