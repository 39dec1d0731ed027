"""One unit's broker connection down does not silence the other units of the station.

Real Mosquitto and a real station process of two units without a broker user (one connection,
one client id, per unit), behind a proxy that cuts one client id's connection alone
(``ClientCutProxy``)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.messaging import protocol as p
from tests.helpers.client_cut import ClientCutProxy
from tests.helpers.faults import serving, start_station
from tests.helpers.polling import wait_until
from tests.helpers.rig import send_raw

SITE = "gh"
CUT_S = 12.0
"""Long enough for two heartbeats of the healthy unit (HEARTBEAT_S apart), short of the
PRESENCE_FRESH_S past which its beds would say "station gone" (kept short for the suite)."""


def stored(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return [row[0] for row in con.execute("select id from requests")]


def send_request(port: int, unit: str, bed: str) -> str:
    req = p.Request(p.new_request_id(), SITE, unit, bed, "water", "routine", "touch", p.now_iso())
    send_raw(port, p.BedAddress(SITE, unit, bed).topic("request"), p.encode(req))
    return req.id


@pytest.mark.mqtt
def test_the_other_units_heartbeat_while_one_units_connection_is_down(
    mosquitto: Any, tmp_path: Path
) -> None:
    """The heartbeat went out only while every connection was up, and any connection's loss
    stopped it: while icu's was down, ward's presence was not refreshed either, and past
    PRESENCE_FRESH_S every bed of ward said "station gone" (review rev46r2). ward must go on
    heartbeating through icu's outage, icu serve again once its connection is back, and the
    requests of both units sent meanwhile be stored, each once."""
    proxy = ClientCutProxy(mosquitto.port).start()
    db = tmp_path / "desk.sqlite3"
    config = tmp_path / "desk.toml"
    config.write_text(
        f'[station]\nsite = "{SITE}"\nunits = ["icu", "ward"]\nname = "desk"\n'
        f'database = "{db}"\n[broker]\nurl = "mqtt://127.0.0.1:{proxy.port}"\nkeepalive = 5\n'
    )
    station = start_station(config, tmp_path, "desk")
    presences: dict[str, list[float]] = {"icu": [], "ward": []}  # "online" ones, monotonic
    watcher = paho.Client(CallbackAPIVersion.VERSION2, client_id="test-unit-cut-watch")

    def on_message(client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        if message.payload and p.decode_as(bytes(message.payload), p.StationStatus).online:
            presences[message.topic.split("/")[3]].append(time.monotonic())

    watcher.on_message = on_message
    try:
        assert wait_until(lambda: serving(station), 60), station.stderr()[-3000:]
        watcher.connect("127.0.0.1", mosquitto.port)
        for unit in presences:
            watcher.subscribe(p.Topics.station_status(SITE, unit, "desk"), qos=0)
        watcher.loop_start()

        proxy.cut_client(f"beckon-station.{SITE}.desk.icu")
        cut = time.monotonic()
        sent = [send_request(mosquitto.port, unit, "1") for unit in ("ward", "icu")]
        time.sleep(CUT_S)
        back = time.monotonic()
        proxy.restore_client(f"beckon-station.{SITE}.desk.icu")

        during = [round(t - cut, 1) for t in presences["ward"] if cut < t < back]
        assert proxy.refused > 0  # icu's connection really stayed down meanwhile
        assert len(during) >= 2, (during, station.stderr()[-3000:])
        icu_back = wait_until(lambda: any(t > back for t in presences["icu"]), 30)
        assert icu_back, station.stderr()[-3000:]
        assert wait_until(lambda: sorted(stored(db)) == sorted(sent), 10), (
            stored(db),
            station.stderr()[-3000:],
        )
    finally:
        watcher.disconnect()
        watcher.loop_stop()
        station.kill()
        proxy.stop()
