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


def test_a_release_for_an_older_connection_leaves_the_new_one_deferring(mosquitto: Any) -> None:
    """A station releases in the loop turn after its probe ended; a reconnect in between had
    its deferral switched off by that release before its own probe began, and what that probe
    held was acknowledged at once (review rev46r). A release names the connection it is for;
    for an older one it does nothing."""
    first = deferring(mosquitto.url)
    assert first.connections == 1
    taker = paho.Client(CallbackAPIVersion.VERSION2, client_id="beckon-test-defer")
    taker.connect("127.0.0.1", mosquitto.port)  # the session taken over: the link reconnects
    taker.loop(0.5)
    taker.disconnect()
    assert wait_until(lambda: first.connections == 2 and first.subscribed, 15)
    first.release_acks(1)  # the probe that ended saw connection 1
    publish(mosquitto.port, range(3))
    assert received(first) == [0, 1, 2]
    first.stop()
    again = deferring(mosquitto.url)
    try:
        assert received(again) == [0, 1, 2]  # still the session's: never acknowledged
        again.release_acks(again.connections)
    finally:
        again.stop()
