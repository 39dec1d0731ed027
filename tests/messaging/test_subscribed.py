"""``MqttLink.subscribed`` is honest: it turns true only when the broker has confirmed every
topic of the connection (its SUBACK), and notes when (``subscribed_at``), so that a probe's
window counts from the SUBACK itself. One rule says which SUBACK entry is a refusal, for the
link, the doctor and the load bench alike.

The link is driven through its paho callbacks with a stand-in client: no broker needed."""

from __future__ import annotations

import logging
import time
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from beckon.config import BrokerConfig
from beckon.messaging.mqtt import Disconnected, MqttLink, suback_refused

TOPICS = ["beckon/v1/gh/icu/station/+/status", "beckon/v1/gh/icu/bed/+/request"]


class Client:
    """paho's subscribe as seen by the link: (result, message id)."""

    def __init__(self, result: paho.MQTTErrorCode = paho.MQTT_ERR_SUCCESS) -> None:
        self.result = result
        self.mids = iter(range(1, 100))

    def subscribe(self, topic: str, qos: int = 0) -> tuple[paho.MQTTErrorCode, int | None]:
        if self.result != paho.MQTT_ERR_SUCCESS:
            return self.result, None
        return self.result, next(self.mids)


def link() -> MqttLink:
    made = MqttLink(BrokerConfig(url="mqtt://127.0.0.1:1"), "station.test", TOPICS)
    made._connected.set()  # as after CONNACK
    return made


def granted(qos: int = 1) -> ReasonCode:
    return ReasonCode(PacketTypes.SUBACK, identifier=qos)


def test_a_subscribe_that_could_not_be_sent_keeps_the_connection_unconfirmed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """paho's subscribe failing inside on_connect (the connection already failing) dropped the
    topic silently: with nothing left to wait for, ``subscribed`` turned true at once and a
    starting station's probe judged a window in which nothing could arrive."""
    tested = link()
    with caplog.at_level(logging.WARNING):
        tested._subscribe(Client(paho.MQTT_ERR_NO_CONN))  # type: ignore[arg-type]
    assert not tested.subscribed and tested.subscribed_at is None
    assert "could not subscribe to beckon/v1/gh/icu/station/+/status" in caplog.text


def test_subscribed_only_with_every_suback_and_timed_from_the_last() -> None:
    tested = link()
    tested._subscribe(Client())  # type: ignore[arg-type]
    assert not tested.subscribed
    tested._on_subscribe(None, None, 1, [granted()], None)  # type: ignore[arg-type]
    assert not tested.subscribed  # one topic still unconfirmed
    before = time.monotonic()
    tested._on_subscribe(None, None, 2, [granted()], None)  # type: ignore[arg-type]
    assert tested.subscribed
    assert tested.subscribed_at is not None and tested.subscribed_at >= before


def test_a_connection_lost_says_how_long_after_the_broker_confirmed_it() -> None:
    """What a starting station needs to tell a twin (throws it off within a second or two of
    being confirmed) from a loaded broker (drops it whenever)."""
    tested = link()
    tested._connack_at = time.monotonic() - 20  # CONNACK 20 s ago, SUBACK still pending
    tested._subscribe(Client())  # type: ignore[arg-type]
    tested._on_disconnect(None, None, None, ReasonCode(PacketTypes.DISCONNECT, identifier=0), None)  # type: ignore[arg-type]
    lost = tested.events.get_nowait()
    assert isinstance(lost, Disconnected) and not lost.taken_over
    assert lost.settled_s >= 20


@pytest.mark.parametrize(
    ("reason", "refused"),
    [
        (granted(0), False),
        (granted(1), False),
        (ReasonCode(PacketTypes.SUBACK, identifier=0x80), True),  # MQTT 3.1.1's failure too
        (ReasonCode(PacketTypes.SUBACK, identifier=0x87), True),  # not authorised
        (1, False),
        (0x80, True),
        (None, True),  # anything unknown confirms nothing
    ],
)
def test_one_rule_says_which_suback_entry_is_a_refusal(reason: Any, refused: bool) -> None:
    """The doctor (refusal unless known good) and the link (good unless known refused) had the
    rule written twice with opposite defaults."""
    assert suback_refused(reason) is refused
