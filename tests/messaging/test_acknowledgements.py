"""A QoS 1 message is noted (message id -> topic) until the broker's PUBACK, so that a refusal
(MQTT 5: "not authorised" when the ACL denies the topic) can say which topic will never be
delivered. paho handles a PUBACK on its network thread as soon as it is read, which can be
before ``MqttLink.publish`` has noted the message: the note then stayed for good, and a refusal
in that instant named its topic "?". These tests make that order certain by letting paho's
publish call the acknowledgement itself before it returns; the link and the broker are real."""

from __future__ import annotations

from itertools import count
from types import SimpleNamespace
from typing import Any

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from beckon.config import BrokerConfig
from beckon.messaging import mqtt as mqtt_module
from beckon.messaging.mqtt import MqttLink, PublishRefused

pytestmark = pytest.mark.mqtt

TOPIC = "beckon/v1/gh/icu/bed/12/request"


def acknowledged_first(link: MqttLink, reason: ReasonCode) -> None:
    """Make the link's paho client acknowledge each message before ``publish`` returns."""
    mids = count(1000)
    client = link._client
    assert client is not None

    def publish(*args: Any, **kwargs: Any) -> SimpleNamespace:
        mid = next(mids)
        link._on_publish(client, None, mid, reason, None)
        return SimpleNamespace(mid=mid, rc=0)

    client.publish = publish  # type: ignore[method-assign,assignment]


def refusals(link: MqttLink) -> list[PublishRefused]:
    """The refusals among the link's events so far (it also says Connected)."""
    events = []
    while not link.events.empty():
        events.append(link.events.get_nowait())
    return [e for e in events if isinstance(e, PublishRefused)]


@pytest.fixture
def link(mosquitto: Any) -> Any:
    link = MqttLink(BrokerConfig(url=mosquitto.url), "beckon-test-acks", [])
    assert link.start(wait_s=10)
    yield link
    link.stop()


def test_a_message_acknowledged_before_it_was_noted_leaves_no_note(link: MqttLink) -> None:
    acknowledged_first(link, ReasonCode(PacketTypes.PUBACK, "Success"))
    for _ in range(50):
        assert link.publish(TOPIC, b"{}")
    assert link._in_flight == {}
    assert link._early == {}
    assert refusals(link) == [], "a success is no refusal"


def test_a_refusal_acknowledged_before_it_was_noted_names_its_topic(link: MqttLink) -> None:
    acknowledged_first(link, ReasonCode(PacketTypes.PUBACK, "Not authorized"))
    assert link.publish(TOPIC, b"{}")
    [refused] = refusals(link)
    assert refused.topic == TOPIC
    assert "Not authorized" in refused.reason
    assert link._in_flight == {} and link._early == {}


def test_an_acknowledgement_nobody_takes_is_forgotten(
    link: MqttLink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A QoS 0 message reported written after ``publish`` returned, or a message resent from an
    earlier session, has an acknowledgement no ``publish`` will take: it goes after a few
    seconds instead of staying."""
    clock = [100.0]
    monkeypatch.setattr(mqtt_module.time, "monotonic", lambda: clock[0])
    client = link._client
    assert client is not None
    ok = ReasonCode(PacketTypes.PUBACK, "Success")
    link._on_publish(client, None, 7, ok, None)
    assert list(link._early) == [7]
    clock[0] += mqtt_module.EARLY_ACK_KEEP_S + 0.1
    link._on_publish(client, None, 8, ok, None)
    assert list(link._early) == [8]


def test_the_ordinary_order_still_reports_a_refusal_with_its_topic(link: MqttLink) -> None:
    """PUBACK after the note, as almost always: the note goes and the refusal names it."""
    client = link._client
    assert client is not None
    link._in_flight[4242] = TOPIC
    link._on_publish(client, None, 4242, ReasonCode(PacketTypes.PUBACK, "Not authorized"), None)
    assert [r.topic for r in refusals(link)] == [TOPIC]
    assert link._in_flight == {}
