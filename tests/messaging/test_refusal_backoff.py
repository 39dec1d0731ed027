"""A link the broker refuses (wrong password, ACL, unknown client) waits its back-off between
attempts, as after any failed attempt, and connects within the back-off's most once IT has
mended the password, under MQTT 5 (its refusal was in MQTT 5's words; 3.1.1 is tried after
every third such refusal, for a broker whose authentication differs by protocol); the MQTT 5
refusal of a 3.1.1-only broker is negotiation, tried again in 3.1.1 at once.

Session 50 left the negotiator trying a refused link again at once: about one attempt a
second, each a line in the hospital broker's log, for a cause that takes IT minutes to mend.
Real links against a real Mosquitto with a password file, mended and reloaded (SIGHUP)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from paho.mqtt.enums import MQTTProtocolVersion

from beckon.config import BrokerConfig
from beckon.messaging.link_problem import LinkTrouble
from beckon.messaging.mqtt import MqttLink
from tests.helpers.mqtt311_only import HANG_UP, NOT_AUTHORISED_5, Mqtt311OnlyProxy
from tests.helpers.password_broker import password_mosquitto
from tests.helpers.polling import wait_until

MOST_S = 2
"""The link's ``reconnect_max_s``: its waits after refusals are 1 s, then 2 s, 2 s, ..."""


def refused_at(link: MqttLink, count: int, timeout: float = 20.0) -> list[float]:
    """When (``time.monotonic()``, to about 10 ms) each of the link's first ``count`` failed
    attempts was seen."""
    seen: list[float] = []
    deadline = time.monotonic() + timeout
    while len(seen) < count and time.monotonic() < deadline:
        seen += [time.monotonic()] * (min(link.failed_attempts, count) - len(seen))
        time.sleep(0.01)
    assert len(seen) == count, (seen, link.problem)
    return seen


def proxied_link(proxy: Mqtt311OnlyProxy, password: str, most_s: int) -> MqttLink:
    """User desk's link through ``proxy`` with ``password`` and ``reconnect_max_s``
    ``most_s``, started without waiting for it."""
    config = BrokerConfig(
        url=f"mqtt://127.0.0.1:{proxy.port}", username="desk", password=password,
        keepalive=5, reconnect_max_s=most_s,
    )  # fmt: skip
    link = MqttLink(config, "desk", [])
    link.start(wait_s=0)
    return link


@pytest.mark.mqtt
def test_a_refused_link_waits_its_back_off_and_connects_soon_after_its_password_is_mended(
    tmp_path: Path,
) -> None:
    with password_mosquitto(tmp_path, "desk", "right") as broker:
        proxy = Mqtt311OnlyProxy(broker.port, mqtt5=None).start()  # counts each CONNECT
        link = proxied_link(proxy, "wrong", MOST_S)
        try:
            first, second, third, _ = refused_at(link, 4)
            # Refused in MQTT 5's words (not authorised), the link tries MQTT 5 again, and
            # 3.1.1 after every third such refusal (MQTT311_EVERY).
            assert proxy.levels == [5, 5, 5, 4], proxy.connects
            # After the second refusal the link waits 2 s (1 s doubled, the most): it tried
            # again about 1 s after each refusal, whatever the wait.
            assert third - second >= MOST_S - 0.1, (first, second, third)
            broker.admit("desk", "wrong")  # IT mends the password file and reloads it
            mended = time.monotonic()
            # Within the longest wait and one attempt (a second or so; 10 s on a busy machine).
            assert wait_until(lambda: link.connected, MOST_S + 10), link.problem
            assert link.failed_attempts == 0  # counted since the last connection
            assert proxy.levels == [5, 5, 5, 4, 5], proxy.connects
            assert link.protocol is MQTTProtocolVersion.MQTTv5, "not 3.1.1 for good"
        finally:
            link.stop()
            proxy.cut()
    assert time.monotonic() - mended < MOST_S + 10


@pytest.mark.mqtt
def test_a_broker_refusing_only_mqtt_5_for_who_the_link_is_is_tried_in_3_1_1_in_time(
    tmp_path: Path,
) -> None:
    """A broker whose authentication differs by protocol (0x87 to MQTT 5, 3.1.1 accepted):
    the link tries 3.1.1 after its third refusal and connects. Before, only MQTT 5 again."""
    with password_mosquitto(tmp_path, "desk", "right") as broker:
        proxy = Mqtt311OnlyProxy(broker.port, mqtt5=NOT_AUTHORISED_5).start()
        config = BrokerConfig(
            url=f"mqtt://127.0.0.1:{proxy.port}", username="desk", password="right",
            keepalive=5, reconnect_max_s=MOST_S,
        )  # fmt: skip
        link = MqttLink(config, "desk", [])
        try:
            assert link.start(wait_s=30), (proxy.connects, link.problem)
            assert link.protocol is MQTTProtocolVersion.MQTTv311
            assert proxy.levels == [5, 5, 5, 4], proxy.connects
        finally:
            link.stop()
            proxy.cut()


@pytest.mark.mqtt
def test_a_3_1_1_only_broker_refusing_mqtt_5_is_tried_in_3_1_1_at_once(tmp_path: Path) -> None:
    """The least wait after a refusal made a minute (``hold_off``): the 3.1.1 attempt comes
    long before, as the broker's refusal of MQTT 5 is no refusal of the link."""
    with password_mosquitto(tmp_path, "desk", "right") as broker:
        proxy = Mqtt311OnlyProxy(broker.port).start()
        config = BrokerConfig(
            url=f"mqtt://127.0.0.1:{proxy.port}", username="desk", password="right",
            keepalive=5, reconnect_max_s=MOST_S,
        )  # fmt: skip
        link = MqttLink(config, "desk", [])
        link.hold_off(60)
        try:
            assert link.start(wait_s=30), (proxy.connects, link.problem)
            assert link.protocol is MQTTProtocolVersion.MQTTv311
            assert proxy.levels == [5, 4], proxy.connects
        finally:
            link.stop()
            proxy.cut()


@pytest.mark.mqtt
def test_a_link_stopped_during_a_long_refusal_wait_stops_at_once(tmp_path: Path) -> None:
    """Its wait is the stop's wait (``_stopping``), not a sleep: stop() 1.5 s into a 30 s wait
    returns within 5 s (generous; about 0.01 s measured), not the 28 s left."""
    with password_mosquitto(tmp_path, "desk", "right") as broker:
        config = BrokerConfig(
            url=f"mqtt://127.0.0.1:{broker.port}", username="desk", password="wrong",
            keepalive=5, reconnect_max_s=30,
        )  # fmt: skip
        link = MqttLink(config, "desk", [])
        link.hold_off(30)  # its least wait, so the first refusal's is 30 s
        link.start(wait_s=0)
        try:
            refused_at(link, 1)
            time.sleep(1.5)
        finally:
            began = time.monotonic()
            link.stop()
            took = time.monotonic() - began
    assert took < 5.0, took


@pytest.mark.mqtt
def test_the_refusal_back_off_starts_afresh_when_refusals_end(tmp_path: Path) -> None:
    """Refused three times (waits 1, 2, 4 s at cap 30), then no broker answers (the proxy
    cut), then refused again: the wait after that refusal is the least again (1 s), not the
    8 s the run had reached. CONNECTs about 2 s apart (1 s wait, ~1 s attempt); 9 s before."""
    with password_mosquitto(tmp_path, "desk", "right") as broker:
        proxy = Mqtt311OnlyProxy(broker.port, mqtt5=None).start()  # counts each CONNECT
        link = proxied_link(proxy, "wrong", 30)
        try:
            assert wait_until(lambda: len(proxy.levels) == 3, 30), proxy.connects
            proxy.cut()
            assert wait_until(
                lambda: (
                    link.problem is not None and link.problem.trouble is LinkTrouble.UNREACHABLE
                ),
                30,
            ), link.problem
            proxy.restore()
            assert wait_until(lambda: len(proxy.levels) == 5, 30), proxy.connects
            (fourth, _), (fifth, _) = proxy.connects[3:5]
            assert fifth - fourth < 6.0, proxy.connects
        finally:
            link.stop()
            proxy.cut()


@pytest.mark.mqtt
def test_a_3_1_1_only_broker_hanging_up_on_mqtt_5_keeps_the_refusal_and_its_back_off(
    tmp_path: Path,
) -> None:
    """A 3.1.1-only broker that closes an MQTT 5 CONNECT unanswered (the demo's amqtt) and
    refuses the link's 3.1.1 one: the MQTT 5 close is negotiation, not the end of the refusals.
    The waits between the 3.1.1 attempts grow (1, 2, 4 s) and the link stays refused; before,
    each close reset the back-off (3.1.1 CONNECTs 3 s apart for good, and the link said "no
    broker answers" half the time)."""
    with password_mosquitto(tmp_path, "desk", "right") as broker:
        proxy = Mqtt311OnlyProxy(broker.port, mqtt5=HANG_UP).start()
        link = proxied_link(proxy, "wrong", 30)
        try:
            assert wait_until(lambda: proxy.levels.count(4) == 4, 40), proxy.connects
            v311 = [at for at, level in proxy.connects if level == 4]
            assert v311[3] - v311[2] >= 3.5, proxy.connects  # the 4 s wait
            assert link.problem is not None and link.problem.trouble is LinkTrouble.REFUSED
        finally:
            link.stop()
            proxy.cut()
