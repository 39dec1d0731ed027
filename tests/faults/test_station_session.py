"""A station restarted under the shipped broker gets what was queued for it while it was down.

The shipped broker ties client ids to usernames, so anything that logs in as the station's
user takes over the station's session. The check for a second station used to do exactly
that before the station connected, with a clean start, and the broker dropped every message
it had queued for the station meanwhile. Requests come back from the beds' outboxes; a
nurse's command sent once (here published raw, as a window whose queue was lost would) did
not. Real Mosquitto with the shipped configuration, ACL and persistence; real station
processes."""

from __future__ import annotations

import time
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.messaging import protocol as p
from tests.helpers.faults import (
    CONSOLE_USER,
    SITE,
    UNIT,
    Proc,
    ProdBroker,
    start_serving_station,
    station_toml,
    station_with_one_call,
    stored,
    wait_until,
)

pytestmark = [pytest.mark.faults, pytest.mark.mqtt]


def test_a_command_queued_while_the_station_was_down_reaches_it_after_a_restart(
    tmp_path: Path, procs: list[Proc]
) -> None:
    broker = ProdBroker(tmp_path / "broker", ["1"]).setup()
    broker.start()
    try:
        station, db, request_id = station_with_one_call(broker, tmp_path, procs, "station-1")
        assert station.stop() == 0

        console = paho.Client(CallbackAPIVersion.VERSION2, client_id=CONSOLE_USER)
        console.username_pw_set(CONSOLE_USER, broker.passwords[CONSOLE_USER])
        console.connect("127.0.0.1", broker.plain_port)
        console.loop_start()
        command = p.StationCommand(
            p.new_request_id(), "acknowledge", request_id, "Nurse Alex", p.now_iso()
        )
        sent = console.publish(p.Topics.unit(SITE, UNIT, "command"), p.encode(command), qos=1)
        sent.wait_for_publish(10)
        console.disconnect()
        console.loop_stop()
        time.sleep(0.5)

        again = start_serving_station(station_toml(broker, tmp_path), tmp_path, procs, "station-2")
        assert wait_until(lambda: stored(db)[0][2] == "acknowledged", 20), (
            stored(db),
            again.stderr()[-3000:],
        )
    finally:
        broker.stop()
