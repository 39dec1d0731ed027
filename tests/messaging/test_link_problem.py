"""``MqttLink.problem`` says why a link is not connected, as its last attempt or loss showed:
refused by the broker (with the reason code), no broker answering, or lost. A station's
"STATION NOT SERVING" line gives it with the remedy for that cause; "down" alone sent IT to
every possible cause. Real links against real Mosquitto brokers: one that admits anonymous
clients, one that refuses them, and a port where nothing listens."""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from paho.mqtt.enums import MQTTProtocolVersion

from beckon.config import BrokerConfig
from beckon.messaging.link_problem import LinkTrouble
from beckon.messaging.mqtt import MqttLink, describe_tls_failure
from tests.helpers.deploy import make_certs
from tests.helpers.mqtt311_only import Mqtt311OnlyProxy
from tests.helpers.polling import wait_until
from tests.helpers.ports import free_port
from tests.helpers.refusing_broker import refusing_mosquitto
from tests.helpers.tls_broker import tls_certs, tls_mosquitto


def started(
    port: int, client_id: str, scheme: str = "mqtt", ca_file: str = "", reconnect_max_s: int = 1
) -> MqttLink:
    """A link to ``port``, paho's back-off capped at 1 s: each attempt's outcome comes within
    a second or two, not after a wait doubling up to 30 s."""
    broker = BrokerConfig(
        url=f"{scheme}://127.0.0.1:{port}",
        keepalive=5,
        ca_file=ca_file,
        reconnect_max_s=reconnect_max_s,
    )
    link = MqttLink(broker, client_id, [])
    link.start(wait_s=0)
    return link


def detail(link: MqttLink) -> str:
    problem = link.problem
    return "" if problem is None else problem.detail


@pytest.mark.mqtt
def test_a_certificate_not_trusted_is_the_links_problem_not_no_answer(tmp_path: Path) -> None:
    """A TLS broker whose CA this link does not trust: its problem is the certificate, with
    that as the remedy, not "no broker answers ... a firewall between" (review rev49s: the
    line IT alerts on sent them to the network)."""
    other_ca, _, _ = make_certs(tmp_path)
    with tls_mosquitto(tmp_path / "tls") as port:
        link = started(port, "test-problem-tls", "mqtts", str(other_ca))
        try:
            assert wait_until(lambda: "not trusted" in detail(link), 20), link.problem
            # It stays so across paho's own failed connections of the next attempt (MQTT 5;
            # they say only that the connection failed) until the 3.1.1 attempt after it
            # begins, the one that looks at the certificate again (every second attempt does).
            seen: list[MQTTProtocolVersion] = []
            details: list[str] = []

            def next_look_begun() -> bool:
                details.append(detail(link))
                seen.append(link.protocol)
                v5 = MQTTProtocolVersion.MQTTv5
                return v5 in seen and seen[-1] is MQTTProtocolVersion.MQTTv311

            assert wait_until(next_look_begun, 30), (set(seen), set(details))
            assert all("not trusted" in said for said in details), set(details)
            problem = link.problem
            assert problem is not None and problem.trouble is LinkTrouble.TLS, problem
            assert problem.cause().startswith("TLS fails: the broker's certificate is not trusted")
            assert "ca_file" in problem.remedy("LOG") and "firewall" not in problem.remedy("LOG")
        finally:
            link.stop()


@pytest.mark.mqtt
def test_a_link_says_whether_it_was_refused_unanswered_or_lost(
    mosquitto: Any, tmp_path: Path
) -> None:
    nothing = free_port()
    unanswered = started(nothing, "test-problem-unanswered")
    try:
        assert wait_until(lambda: unanswered.problem is not None, 10)
        problem = unanswered.problem
        assert problem is not None and problem.trouble is LinkTrouble.UNREACHABLE, problem
        assert f"127.0.0.1:{nothing}" in problem.detail
    finally:
        unanswered.stop()

    with refusing_mosquitto(tmp_path / "refusing") as port:
        refused = started(port, "test-problem-refused")
        try:
            assert wait_until(lambda: detail(refused).endswith("MQTTv5)"), 10)
            problem = refused.problem
            assert problem is not None and problem.trouble is LinkTrouble.REFUSED, problem
            assert "Not authorized (reason code 135, MQTTv5)" in problem.detail, problem
            assert "refuses" in problem.cause() and "password file" in problem.remedy("LOG")
        finally:
            refused.stop()
        # A 3.1.1-only broker's refusal (the link's MQTT 5 attempt refused as a protocol it
        # does not speak): it sent return code 5, not the 135 paho maps it to.
        proxy = Mqtt311OnlyProxy(port).start()
        refused = started(proxy.port, "test-problem-refused-311")
        try:
            assert wait_until(lambda: detail(refused).endswith("MQTTv311)"), 10)
            assert detail(refused) == "Not authorized (MQTTv311)"
        finally:
            refused.stop()
            proxy.cut()

    served = started(mosquitto.port, "test-problem-served")
    try:
        assert wait_until(lambda: served.connected, 10)
        assert served.problem is None
        # Its reconnect held off: paho's first (1 s after the loss, to the stopped broker)
        # would turn the loss into "no broker answers" before a stalled test thread read it.
        served.hold_off(30)
        mosquitto.stop()
        assert wait_until(lambda: served.problem is not None, 10)
        problem = served.problem
        assert problem is not None and problem.trouble is LinkTrouble.DROPPED, problem
        assert problem.cause().startswith("lost: "), problem
    finally:
        served.stop()


@pytest.mark.mqtt
def test_a_tls_link_stopped_while_it_looks_at_the_handshake_leaves_no_thread(
    tmp_path: Path,
) -> None:
    """A TLS link that had connected loses its broker, and something on the port accepts
    TCP but never answers the handshake: the link's look at the handshake waits in it (up to
    8 s). ``stop`` shuts the look's socket and waits for it, so no thread of the link is
    left (review rev50s2: the look outlived ``stop`` by up to 8 s)."""
    with tls_certs() as certs, contextlib.ExitStack() as broker:
        port = broker.enter_context(tls_mosquitto(tmp_path / "tls", certs))
        link = started(port, "test-problem-look", "mqtts", str(certs[0]))
        try:
            assert wait_until(lambda: link.connected, 15)
            broker.close()
            with socket.create_server(("127.0.0.1", port), backlog=50) as silent:
                assert wait_until(lambda: looks(link), 20), link.problem
                link.stop()
                left = looks(link)
                silent.close()
        finally:
            link.stop()
    assert left == [], left


def looks(link: MqttLink) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == f"tls-look {link.client_id}"]


def test_a_port_that_accepts_and_closes_at_once_is_no_certificate_problem() -> None:
    """A load balancer whose backend is down, or a broker at max_connections, closes the
    connection before any TLS: ``describe_tls_failure`` must not send IT to the certificates
    (review rev50s3: "TLS with the broker failed: UNEXPECTED_EOF_WHILE_READING")."""
    with tls_certs() as certs, socket.create_server(("127.0.0.1", 0)) as closing:
        port = closing.getsockname()[1]

        def close_each() -> None:
            with contextlib.suppress(OSError):
                while True:
                    closing.accept()[0].close()

        threading.Thread(target=close_each, daemon=True).start()
        broker = BrokerConfig(url=f"mqtts://127.0.0.1:{port}", ca_file=str(certs[0]))
        found = [describe_tls_failure(broker, timeout=2.0) for _ in range(3)]
    assert found == [None, None, None], found


@pytest.mark.mqtt
def test_a_look_tells_the_state_at_once_and_is_no_failed_attempt(tmp_path: Path) -> None:
    """At the shipped back-off (``reconnect_max_s`` 30) paho's attempts come up to 30 s apart,
    and looks only at them. A look that finds the rotated certificate again is no failed
    attempt (counted, ``failed_attempts`` was up to twice the real count); one that finds no
    handshake failure once the broker is gone makes it "no broker answers" at once, not at
    the next attempt (review rev50s3: the Status line and health said TLS 50 s after the
    broker stopped). The look is called here as ``_note`` starts it, to not wait 30 s."""
    with (
        tls_certs() as trusted,
        tls_certs() as rotated,
        contextlib.ExitStack() as first,
        contextlib.ExitStack() as second,
    ):
        port = first.enter_context(tls_mosquitto(tmp_path / "a", trusted))
        link = started(port, "test-problem-look-state", "mqtts", str(trusted[0]), 30)
        try:
            assert wait_until(lambda: link.connected, 15)
            first.close()
            second.enter_context(tls_mosquitto(tmp_path / "b", rotated, port))
            assert wait_until(lambda: "not trusted" in state_detail(link), 20), link.problem
            assert wait_until(lambda: not looks(link), 10)  # the link's own look is over
            failed = link.failed_attempts
            link._look_after_loss(link._connects)
            assert "not trusted" in state_detail(link)
            assert link.failed_attempts == failed  # a look, not an attempt
            second.close()  # the rotated broker stops too
            link._look_after_loss(link._connects)
            problem = link.state_problem
            assert problem is not None and problem.trouble is LinkTrouble.UNREACHABLE, problem
            assert "ca_file" not in problem.remedy("LOG")
            assert link.failed_attempts == failed
        finally:
            link.stop()


def state_detail(link: MqttLink) -> str:
    problem = link.state_problem
    return "" if problem is None else problem.detail
