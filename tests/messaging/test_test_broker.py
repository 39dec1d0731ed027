"""The tests' own Mosquitto (the ``mosquitto`` fixture) keeps what it holds across a restart,
as the shipped broker does, and never runs as root.

Why: tests restart it "as after an outage" (``Mosquitto.stop``/``start``) and mean a broker
that comes back with its retained states and queued messages. Under a root test run it
switched to the ``mosquitto`` user, could not write into pytest's private folder, and came
back empty (tests/helpers/broker_user.py)."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.conftest import Mosquitto
from tests.helpers.broker_user import PREFIX, sweep_stale_data_folders

TOPIC = "beckon/v1/test/unit/bed/1/state"


def _uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])  # the real uid; the others follow it
    raise AssertionError(f"no Uid line for {pid}")


@pytest.mark.mqtt
def test_the_test_broker_comes_back_from_a_restart_with_its_retained_messages(
    mosquitto: Mosquitto,
) -> None:
    publisher = paho.Client(CallbackAPIVersion.VERSION2, client_id="writer")
    publisher.connect("127.0.0.1", mosquitto.port)
    publisher.loop_start()
    try:
        publisher.publish(TOPIC, b"calling", qos=1, retain=True).wait_for_publish(10.0)
    finally:
        publisher.disconnect()
        publisher.loop_stop()
    mosquitto.stop()
    mosquitto.start()
    assert _uid(mosquitto.proc.pid) != 0

    got: list[bytes] = []
    arrived = threading.Event()

    def on_message(c: paho.Client, u: object, msg: paho.MQTTMessage) -> None:
        got.append(bytes(msg.payload))
        arrived.set()

    reader = paho.Client(CallbackAPIVersion.VERSION2, client_id="reader")
    reader.on_message = on_message
    reader.on_connect = lambda c, u, f, rc, pr: c.subscribe(TOPIC, qos=1)
    reader.connect("127.0.0.1", mosquitto.port)
    reader.loop_start()
    try:
        assert arrived.wait(10.0), (
            "the retained state did not outlive the restart: " + (mosquitto.log.read_text()[-600:])
        )
        assert got == [b"calling"]
    finally:
        reader.disconnect()
        reader.loop_stop()
    assert "Error saving" not in mosquitto.log.read_text()


def test_a_data_folder_left_by_a_killed_test_process_is_swept_and_one_in_use_stays(
    tmp_path: Path,
) -> None:
    """Under root the broker's data folder is outside pytest's (tests/helpers/broker_user.py)
    and its fixture removes it at the end; a worker killed before then (SIGKILL, a timeout)
    left it in /tmp for good. Each folder names the test process that made it, and the next
    one swept away those whose process is gone; a folder in use stays, as does anything else."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = tmp_path / f"{PREFIX}{gone.pid}-x1y2z3"
    in_use = tmp_path / f"{PREFIX}{os.getpid()}-a1b2c3"
    unnamed = tmp_path / f"{PREFIX}abcdefgh"
    other = tmp_path / f"other-{gone.pid}-x1y2z3"
    for folder in (stale, in_use, unnamed, other):
        folder.mkdir()
        (folder / "mosquitto.db").write_bytes(b"db")

    assert sweep_stale_data_folders(tmp_path) == [stale]
    assert sorted(tmp_path.iterdir()) == sorted([in_use, unnamed, other])
