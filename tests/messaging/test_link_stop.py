"""A link's stop does not wait forever for paho's network thread
(beckon.messaging.mqtt.stop_network).

Why: paho's ``loop_stop()`` joins that thread with no timeout, and the thread can be held (a
callback that does not return, a DNS lookup that does not answer): a headless station stopped
its link on its main thread and hung there until systemd's SIGKILL. The whole services are
tested in tests/test_headless_shutdown.py; here the link alone, on a real Mosquitto."""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest

from beckon.config import BrokerConfig
from beckon.messaging import mqtt
from beckon.messaging.mqtt import NETWORK_STOP_S, MqttLink
from tests.conftest import Mosquitto


@pytest.mark.mqtt
def test_a_stop_gives_up_on_a_held_network_thread_and_says_which(
    mosquitto: Mosquitto, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()
    held = threading.Event()

    def held_after_the_disconnect(sock: object, timeout_s: float = 2.0) -> None:
        held.set()  # on paho's network thread, in the link's on_disconnect
        release.wait(60.0)

    monkeypatch.setattr(mqtt, "_drain_until_closed", held_after_the_disconnect)
    link = MqttLink(BrokerConfig(url=mosquitto.url), "held-link", [])
    assert link.start(wait_s=10.0)
    try:
        began = time.monotonic()
        with caplog.at_level(logging.ERROR, "beckon.messaging.mqtt"):
            link.stop()
        took = time.monotonic() - began
        assert held.is_set()
        # 2 s for the broker to close after the DISCONNECT, then the thread's own wait.
        assert took < 2.0 + NETWORK_STOP_S + 2.0, f"stop took {took:.1f} s"
        [line] = [r.getMessage() for r in caplog.records]
        assert "MQTT link held-link: paho's network thread did not stop within 3 s" in line
        assert "paho-mqtt-client-held-link: held_after_the_disconnect" in line
    finally:
        release.set()
    # Let go, the thread ends on its own.
    _assert_all_end("paho-mqtt-client-held-link")


@pytest.mark.mqtt
def test_the_held_thread_named_is_the_clients_own_not_another_of_the_same_name(
    mosquitto: Mosquitto, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """paho names its network thread after the client id, and ids are reused: a thread an
    earlier stop gave up on lives on under the same name while a new client with that id
    runs. The log line says where the thread this stop waits for is held; found by its
    name, it showed the earlier one (the first of that name)."""
    release = threading.Event()

    def an_earlier_clients_thread() -> None:
        release.wait(60.0)

    earlier = threading.Thread(
        target=an_earlier_clients_thread, name="paho-mqtt-client-reused-id", daemon=True
    )
    earlier.start()

    def held_after_the_disconnect(sock: object, timeout_s: float = 2.0) -> None:
        release.wait(60.0)

    monkeypatch.setattr(mqtt, "_drain_until_closed", held_after_the_disconnect)
    link = MqttLink(BrokerConfig(url=mosquitto.url), "reused-id", [])
    try:
        assert link.start(wait_s=10.0)
        with caplog.at_level(logging.ERROR, "beckon.messaging.mqtt"):
            link.stop()
        [line] = [r.getMessage() for r in caplog.records]
        assert "paho-mqtt-client-reused-id: held_after_the_disconnect" in line, line
        assert "an_earlier_clients_thread" not in line
    finally:
        release.set()
    _assert_all_end("paho-mqtt-client-reused-id")


def test_a_new_attempt_waits_for_the_last_attempts_held_network_thread(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The next attempt's client has the same client id: had the held thread finished a slow
    connect later, the broker would have handed it the session and the stale socket's close
    would have published the last will. So no second client is made while the first one's
    network thread lives; the link's stop still does not wait for it."""
    with socket.socket() as probe:  # a port nothing listens on: every connect is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    release = threading.Event()
    made: list[object] = []
    make = MqttLink._make_client

    def hold(*args: object) -> None:
        release.wait(60.0)

    def held_first(link: MqttLink, protocol: object) -> object:
        client = make(link, protocol)  # type: ignore[arg-type]
        if not made:  # the first attempt's network thread is held after its failed connect
            client.on_connect_fail = hold
        made.append(client)
        return client

    monkeypatch.setattr(MqttLink, "_make_client", held_first)
    link = MqttLink(BrokerConfig(url=f"mqtt://127.0.0.1:{port}"), "refused-link", [])
    try:
        assert not link.start(wait_s=0.1)
        # The first attempt's window (3 s), its stop's 3 s, and some: the old code made its
        # second client at about 6 s.
        with caplog.at_level(logging.WARNING, "beckon.messaging.mqtt"):
            time.sleep(3.0 + NETWORK_STOP_S + 2.0)
        assert len(made) == 1
        # Said once, with where it is held: a bed that stopped trying must not be silent.
        [line] = [r.getMessage() for r in caplog.records if "failed attempt" in r.getMessage()]
        assert "paho-mqtt-client-refused-link: hold" in line, line
        release.set()
        deadline = time.monotonic() + 10.0
        while len(made) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(made) == 2  # released, the attempts go on
    finally:
        release.set()
        link.stop()


def _assert_all_end(name: str, within_s: float = 10.0) -> None:
    """Every thread called ``name`` ends within ``within_s``, once let go."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline and any(t.name == name for t in threading.enumerate()):
        time.sleep(0.05)
    assert not any(t.name == name for t in threading.enumerate())
