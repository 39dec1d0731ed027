"""The load bench takes down what it started: with a real Mosquitto and a real `beckon
station`, its beds say goodbye to the broker (a clean MQTT DISCONNECT, not a dropped socket)
and both processes end; a bench that never started stops without an error of its own."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import Mock

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from beckon.lab.load_bench import SITE, UNIT, Bed, LoadBench, confirm_subscription


def test_stop_without_start_raises_nothing(tmp_path: Path) -> None:
    bench = LoadBench(tmp_path, beds=2, autosave=10)

    bench.stop()  # start() failed before any process: the caller sees start()'s own error

    assert bench.broker is None and bench.station is None


def test_stop_sends_each_bed_disconnect_and_ends_both_processes(tmp_path: Path) -> None:
    bench = LoadBench(tmp_path, beds=2, autosave=10, log=lambda text: None)
    try:
        bench.start()
    finally:
        bench.stop()

    assert bench.broker is not None and bench.broker.poll() is not None
    assert bench.station is not None and bench.station.poll() is not None
    log = (tmp_path / "broker" / "mosquitto.log").read_text()
    for bed in bench.beds:
        client_id = f"beckon-bed.{SITE}.{UNIT}.{bed.name}"
        assert f"Client {client_id} disconnected." in log, log


def test_a_refused_receipt_subscription_is_not_taken_for_a_subscribed_bed(tmp_path: Path) -> None:
    """Any SUBACK set the bed subscribed, a refusal (0x87, not authorised) too: the bench then
    ran with a bed no receipt could reach and counted its calls as never receipted."""
    granted = Bed("1", Mock(), Mock())
    confirm_subscription(granted, [ReasonCode(PacketTypes.SUBACK, identifier=1)])
    assert granted.subscribed.is_set() and not granted.refused
    refused = Bed("2", Mock(), Mock())
    confirm_subscription(refused, [ReasonCode(PacketTypes.SUBACK, identifier=0x87)])
    assert not refused.subscribed.is_set() and refused.refused
