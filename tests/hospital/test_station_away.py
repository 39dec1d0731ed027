"""A station that was off the broker for a while comes back to state that moved on without it.
Real Mosquitto, a real station process behind a cuttable network (``TcpProxy``), a real
SQLite store changed meanwhile as another station process on the same store would change it."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.messaging import protocol as p
from tests.helpers.faults import serving, start_station
from tests.helpers.hospital import TcpProxy
from tests.helpers.polling import wait_until
from tests.helpers.rig import send_raw

SITE, UNIT = "gh", "icu"


def config_file(tmp_path: Path, port: int) -> Path:
    config = tmp_path / "desk.toml"
    config.write_text(
        f'[station]\nsite = "{SITE}"\nunits = ["{UNIT}"]\nname = "desk"\n'
        f'database = "{tmp_path / "desk.sqlite3"}"\n[broker]\n'
        f'url = "mqtt://127.0.0.1:{port}"\nkeepalive = 5\n'
    )
    return config


def open_ids(db: Path) -> list[str]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as con:
        rows = con.execute("select id from requests where state not in ('resolved', 'cancelled')")
        return [row[0] for row in rows]


@pytest.mark.mqtt
def test_a_call_closed_while_the_station_was_away_neither_stops_its_presence_nor_stays_open(
    mosquitto: Any, tmp_path: Path
) -> None:
    """The call's emptying comes at QoS 0 and is not retained: a station that was away never
    hears it, and on return its announce published that call again from the store, which
    closed it in the very list the announce was walking ("dictionary changed size during
    iteration", review rev46r: 4 of 4 runs). The announce stopped there, the station never
    became ready again, and sent no presence refresh: every idle bed then raised "station
    gone". It must go on heartbeating, and the queue must show the call closed."""
    proxy = TcpProxy(mosquitto.port).start()
    db = tmp_path / "desk.sqlite3"
    station = start_station(config_file(tmp_path, proxy.port), tmp_path, "desk")
    watcher = paho.Client(CallbackAPIVersion.VERSION2, client_id="test-away-watch")
    presences: list[float] = []  # when each "online" presence of desk came (monotonic)
    queue_open: list[int] = []

    def on_message(client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        if not message.payload:
            return
        if message.topic.endswith("/queue"):
            queue_open.append(p.decode_as(bytes(message.payload), p.QueueSummary).open)
        elif p.decode_as(bytes(message.payload), p.StationStatus).online:
            presences.append(time.monotonic())

    watcher.on_message = on_message
    try:
        assert wait_until(lambda: serving(station), 60), station.stderr()[-3000:]
        req = p.Request(p.new_request_id(), SITE, UNIT, "A", "water", "routine", "touch",
                        p.now_iso())  # fmt: skip
        send_raw(mosquitto.port, p.BedAddress(SITE, UNIT, "A").topic("request"), p.encode(req))
        assert wait_until(lambda: open_ids(db) == [req.id], 15), station.stderr()[-3000:]
        watcher.connect("127.0.0.1", mosquitto.port)
        watcher.subscribe(p.Topics.unit(SITE, UNIT, "queue"), qos=1)
        watcher.subscribe(p.Topics.station_status(SITE, UNIT, "desk"), qos=0)
        watcher.loop_start()
        assert wait_until(lambda: queue_open[-1:] == [1], 10), queue_open

        proxy.cut()
        time.sleep(1.0)
        with sqlite3.connect(db) as con:  # resolved by another station process on the store
            con.execute("update requests set state = 'resolved' where id = ?", (req.id,))
        send_raw(mosquitto.port, p.Topics.call(SITE, UNIT, req.id), b"", retain=True)
        time.sleep(1.0)
        back = time.monotonic()
        proxy.restore()

        # The announce's presence, then heartbeats every HEARTBEAT_S: three within 3 of them.
        window = 3 * p.HEARTBEAT_S + 10  # + the reconnect back-off and the start-up probe
        assert wait_until(lambda: len([t for t in presences if t > back]) >= 3, window), (
            [round(t - back, 1) for t in presences if t > back],
            station.stderr()[-3000:],
        )
        assert "dictionary changed size" not in station.stderr()
        assert wait_until(lambda: queue_open[-1:] == [0], 5), queue_open
        assert serving(station, 2)
    finally:
        watcher.disconnect()
        watcher.loop_stop()
        station.kill()
        proxy.cut()
