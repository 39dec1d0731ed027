"""A unit whose announce failed is announced again at the next heartbeat, and until then the
station does not say all is well.

The real StationService on its own thread with a real Mosquitto, two units without a broker
user. The failure is injected (``FailingAnnounce``): only a bug makes an announce raise (a
store that cannot be written stops the station instead), so no real fault can stand for it."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.doctor.run import check_station_service
from beckon.messaging import protocol as p
from beckon.metrics import Endpoint, StationMetrics
from beckon.station.service import HEARTBEAT_S, StationService
from tests.helpers.polling import wait_until


class FailingAnnounce(StationService):
    """A station whose first announce of unit ward raises after its presence, before its
    calls, queue, stats and beds (where review rev46r2 injected its fault)."""

    failures_left = 1

    def _page_unconfirmed(self, unit: str) -> None:
        if unit == "ward" and self.failures_left:
            self.failures_left -= 1
            raise ValueError("injected announce fault")
        super()._page_unconfirmed(unit)


@pytest.mark.mqtt
def test_a_failed_announce_is_retried_at_the_next_heartbeat_and_shown_meanwhile(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """It was logged as "error while handling ward" and never tried again: ward's queue, calls
    and beds stayed unpublished until the next reconnect, while systemd's status, the health
    endpoint and the doctor said "serving" (review rev46r2). ward's queue must come at the
    next heartbeat, and until then the status and the doctor name the unit."""
    station = StationConfig("gh", ("icu", "ward"), name="desk", database=str(tmp_path / "s.db"))
    service = FailingAnnounce(StationSettings(station, BrokerConfig(url=mosquitto.url)))
    metrics = StationMetrics(service)
    endpoint = Endpoint("127.0.0.1:0", metrics.registry, metrics.health).start()
    queues: dict[str, float] = {}  # unit -> when its queue first came (monotonic)
    watcher = paho.Client(CallbackAPIVersion.VERSION2, client_id="test-owed-watch")

    def on_message(client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        queues.setdefault(message.topic.split("/")[3], time.monotonic())

    watcher.on_message = on_message
    watcher.connect("127.0.0.1", mosquitto.port)
    watcher.subscribe([(p.Topics.unit("gh", unit, "queue"), 1) for unit in station.units])
    watcher.loop_start()
    stop = threading.Event()
    runner = threading.Thread(target=service.run, args=(stop,), daemon=True)
    try:
        with caplog.at_level(logging.INFO, logger="beckon.station.service"):
            runner.start()
            assert wait_until(service.ready.is_set, 30)
            announced = time.monotonic()
            assert wait_until(lambda: "icu" in queues, 5), queues
            assert "ward" not in queues  # the announce stopped before it
            assert "ward" in service.status_text() and "retrying" in service.status_text()
            check = check_station_service(f"127.0.0.1:{endpoint.port}", "4242")
            assert check.outcome == "fail" and "unit ward failed" in check.detail, check
            assert "ANNOUNCE FAILED for unit ward" in caplog.text
            assert "retrying in 5 s" in caplog.text

            assert wait_until(lambda: "ward" in queues, HEARTBEAT_S + 3), caplog.text[-3000:]
            assert queues["ward"] - announced <= HEARTBEAT_S + 3
            assert "announce of unit ward went through after 1 failed attempts" in caplog.text
            assert service.status_text() == "serving"
            assert check_station_service(f"127.0.0.1:{endpoint.port}", "4242").outcome == "pass"
    finally:
        stop.set()
        runner.join(15)
        endpoint.stop()
        watcher.disconnect()
        watcher.loop_stop()
