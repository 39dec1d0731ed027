"""A bedside stopped (the window closed, the tablet restarted, systemd's SIGTERM) keeps what the
patient chose a moment before: a confirmed request still in the service's inbox is saved to the
outbox and sent after the restart. It was dropped with the queue, without an alarm, and nothing
came back after the restart. Real Mosquitto, real outbox file."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from beckon.bedside.service import BedsideService, FrameTick, Submit
from beckon.config import BedsideConfig, BedsideSettings, BrokerConfig
from beckon.messaging.outbox import open_outbox

pytestmark = pytest.mark.mqtt


def bedside(url: str, folder: Path) -> BedsideService:
    config = BedsideConfig("gh", "icu", "12", outbox=str(folder / "o.db"))
    return BedsideService(BedsideSettings(config, BrokerConfig(url=url)))


def saved(folder: Path) -> list[str]:
    outbox = open_outbox(folder / "o.db")
    try:
        return [e.key.split(":")[0] for e in outbox.pending()]
    finally:
        outbox.close()


def test_a_request_confirmed_just_before_the_stop_is_saved(mosquitto: Any, tmp_path: Path) -> None:
    service = bedside(mosquitto.url, tmp_path)
    stop = threading.Event()
    stop.set()  # the stop came before the service took the patient's choice from its inbox
    service.post(FrameTick(1.0))
    service.post(Submit("water", "touch"))
    service.run(stop)
    assert saved(tmp_path) == ["request"]
