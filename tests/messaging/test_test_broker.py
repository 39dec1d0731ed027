"""The tests' own Mosquitto (the ``mosquitto`` fixture) keeps what it holds across a restart,
as the shipped broker does, and never runs as root.

Why: tests restart it "as after an outage" (``Mosquitto.stop``/``start``) and mean a broker
that comes back with its retained states and queued messages. Under a root test run it
switched to the ``mosquitto`` user, could not write into pytest's private folder, and came
back empty (tests/helpers/broker_user.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.conftest import Mosquitto

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
