"""``MqttLink.problem`` says why a link is not connected, as its last attempt or loss showed:
refused by the broker (with the reason code), no broker answering, or lost. A station's
"STATION NOT SERVING" line gives it with the remedy for that cause; "down" alone sent IT to
every possible cause. Real links against real Mosquitto brokers: one that admits anonymous
clients, one that refuses them, and a port where nothing listens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beckon.config import BrokerConfig
from beckon.messaging.link_problem import LinkTrouble
from beckon.messaging.mqtt import MqttLink
from tests.helpers.polling import wait_until
from tests.helpers.ports import free_port
from tests.helpers.refusing_broker import refusing_mosquitto


def started(port: int, client_id: str) -> MqttLink:
    link = MqttLink(BrokerConfig(url=f"mqtt://127.0.0.1:{port}", keepalive=5), client_id, [])
    link.start(wait_s=0)
    return link


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
            assert wait_until(lambda: refused.problem is not None, 10)
            problem = refused.problem
            assert problem is not None and problem.trouble is LinkTrouble.REFUSED, problem
            assert "Not authorized (reason code" in problem.detail, problem
            assert "refuses" in problem.cause() and "password file" in problem.remedy("LOG")
        finally:
            refused.stop()

    served = started(mosquitto.port, "test-problem-served")
    try:
        assert wait_until(lambda: served.connected, 10)
        assert served.problem is None
        mosquitto.stop()
        # Read as soon as it shows: paho's first reconnect (1 s later, to the stopped broker)
        # turns it into "no broker answers".
        assert wait_until(lambda: served.problem is not None, 10)
        problem = served.problem
        assert problem is not None and problem.trouble is LinkTrouble.DROPPED, problem
        assert problem.cause().startswith("lost: "), problem
    finally:
        served.stop()
