"""A link that defers its acknowledgements (a starting station, ``MqttLink.release_acks``):
what it has not acknowledged the broker sends again to the session's next connection, and it
never leaves so many unacknowledged that the broker (Mosquitto: 20 by default, as here) stops
sending. Real Mosquitto, real links."""

from __future__ import annotations

import queue
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.config import BrokerConfig
from beckon.messaging.mqtt import DEFERRED_ACKS_MAX, Message, MqttLink
from tests.helpers.polling import wait_until

pytestmark = pytest.mark.mqtt

TOPIC = "beckon/v1/gh/icu/bed/12/request"


def deferring(url: str) -> MqttLink:
    link = MqttLink(BrokerConfig(url=url), "beckon-test-defer", [TOPIC], defer_acks=True)
    assert link.start(wait_s=10)
    assert wait_until(lambda: link.subscribed, 10)
    return link


def publish(port: int, payloads: range) -> None:
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="test-defer-pub")
    client.connect("127.0.0.1", port)
    client.loop_start()
    for n in payloads:
        client.publish(TOPIC, str(n).encode(), qos=1).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def received(link: MqttLink) -> list[int]:
    got: list[int] = []
    while True:
        try:
            event = link.events.get(timeout=0.5)
        except queue.Empty:
            return got
        if isinstance(event, Message):
            got.append(int(event.payload))


def test_what_a_deferring_link_never_acknowledged_goes_to_the_sessions_next_connection(
    mosquitto: Any,
) -> None:
    first = deferring(mosquitto.url)
    publish(mosquitto.port, range(40))  # twice the broker's window
    assert received(first) == list(range(40))  # the window never filled
    first.stop()  # stops as a twin does, without acknowledging the latest
    again = deferring(mosquitto.url)
    try:
        assert received(again) == list(range(40 - DEFERRED_ACKS_MAX, 40))
        again.release_acks()
    finally:
        again.stop()
    last = deferring(mosquitto.url)
    try:
        assert received(last) == []  # acknowledged once released
    finally:
        last.stop()
