"""A busy unit, a bed that lies about priority, a device with another's client id, and the
CLI against a station that is not there: each with real processes on the shipped broker
configuration."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from beckon.messaging import protocol as p
from beckon.station.client import StationClient
from tests.helpers.deploy import tool
from tests.helpers.faults import (
    CONSOLE_USER,
    REPO,
    SITE,
    STATION_USER,
    UNIT,
    Proc,
    ProdBroker,
    bed_user,
    console_cli,
    console_login,
    saved_ids,
    start_beds,
    start_serving_station,
    station_toml,
    stored,
    wait_until,
)

pytestmark = [pytest.mark.faults, pytest.mark.mqtt]


def raw_client(broker: ProdBroker, user: str, client_id: str) -> paho.Client:
    """A plain MQTT 5 client (what an attacker holding one password would use)."""
    mqtt = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                       protocol=MQTTProtocolVersion.MQTTv5)  # fmt: skip
    mqtt.username_pw_set(user, broker.passwords[user])
    connected = threading.Event()
    mqtt.on_connect = lambda *a: connected.set()
    mqtt.connect("127.0.0.1", broker.plain_port, keepalive=15)
    mqtt.loop_start()
    assert connected.wait(5)
    return mqtt


def test_a_unit_with_250_open_calls_stores_shows_and_answers_every_one(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    """Once, a unit-wide queue message passed the broker's 64 KiB packet limit at ~190 calls:
    the broker threw the station off again and again and new calls were not stored; past 200
    calls were hidden, and a bed with over 30 calls never saw "acknowledged"."""
    config = station_toml(prod_broker, tmp_path)
    station = start_serving_station(config, tmp_path, procs)
    # Bed 1 makes 40 calls, beds 2..8 make 30 each: 250 open calls in the unit.
    busy = start_beds(prod_broker, tmp_path, ["1"], "bed1", "--requests", "40", "--every", "0.05")
    rest = start_beds(prod_broker, tmp_path, [str(b) for b in range(2, 9)], "beds",
                      "--requests", "30", "--every", "0.1")  # fmt: skip
    procs += [busy, rest]
    db = tmp_path / "station-desk.sqlite3"
    assert wait_until(lambda: len(stored(db)) >= 250, 90), (
        len(stored(db)),
        station.stderr()[-2000:],
    )
    ids = saved_ids(busy, rest)
    assert len(ids) == 250
    assert Counter(r[0] for r in stored(db)) == Counter(ids)  # each exactly once
    assert "lost connection" not in station.stderr()

    with StationClient(console_login(prod_broker), SITE, UNIT) as client:
        # The station stores a burst before it answers, so the summary may still be on its way.
        def whole() -> bool:
            q = client.wait_queue()
            return q.open == 250 and len(q.requests) == 250

        assert wait_until(whole, 30)
        assert {r.id for r in client.wait_queue().requests} == set(ids)

    # The oldest call of bed 1 is acknowledged by a nurse at the console; bed 1 (40 calls)
    # must see it in its state.
    first = next(e["id"] for e in busy.lines() if e["event"] == "request_saved")
    done = console_cli(prod_broker, config, "ack", first[:13], "--nurse", "Kim")
    assert done.returncode == 0, done.stderr

    def bed1_saw_ack() -> bool:
        return any(e["event"] == "state" and e["id"] == first and e["state"] == "acknowledged"
                   for e in busy.lines())  # fmt: skip

    assert wait_until(bed1_saw_ack, 15), busy.lines()[-5:]


def test_a_bed_cannot_raise_its_priority_nor_take_over_another_identity(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    config = station_toml(prod_broker, tmp_path)
    station = start_serving_station(config, tmp_path, procs)

    # Bed 9's password, presenting the station's client id: the broker binds the id to the
    # username, so the station is not thrown off.
    intruder = raw_client(prod_broker, bed_user("9"), client_id=STATION_USER)
    forged = p.Request(p.new_request_id(), SITE, UNIT, "9", "water", "emergency", "touch",
                       p.now_iso())  # fmt: skip
    intruder.publish(p.BedAddress(SITE, UNIT, "9").topic("request"), p.encode(forged), qos=1)
    db = tmp_path / "station-desk.sqlite3"
    assert wait_until(lambda: stored(db), 10), station.stderr()[-2000:]
    intruder.disconnect()
    intruder.loop_stop()
    # "water" is routine in the station's catalog, whatever the bed claimed.
    assert stored(db) == [(forged.id, "routine", "received")]
    assert "took over" not in station.stderr() and "lost connection" not in station.stderr()

    # A real emergency: acknowledged from the console, but never resolved from there.
    bed = start_beds(prod_broker, tmp_path, ["3"], "bed3", "--requests", "1", "--intent",
                     "emergency")  # fmt: skip
    procs.append(bed)
    assert wait_until(lambda: len(stored(db)) == 2, 20)
    emergency = saved_ids(bed)[0]
    refused = console_cli(prod_broker, config, "resolve", emergency[:13], "--nurse", "Kim")
    assert refused.returncode != 0 and "bedside" in refused.stderr
    # Even a command sent by hand is refused by the station itself.
    nurse = raw_client(prod_broker, CONSOLE_USER, client_id="anything")
    cmd = p.StationCommand(p.new_request_id(), "resolve", emergency, "Kim", p.now_iso())
    nurse.publish(p.Topics.unit(SITE, UNIT, "command"), p.encode(cmd), qos=1).wait_for_publish(5)
    assert wait_until(lambda: "cleared at the bedside" in station.stderr(), 10)
    nurse.disconnect()
    nurse.loop_stop()
    assert dict((r[0], r[2]) for r in stored(db))[emergency] == "received"


def test_station_list_fails_loudly_when_no_station_service_runs(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    config = station_toml(prod_broker, tmp_path)
    station = start_serving_station(config, tmp_path, procs)
    listed = console_cli(prod_broker, config, "list")
    assert listed.returncode == 0 and "no open requests" in listed.stdout, listed.stderr
    # Its own user would throw the running service off: refused before connecting.
    own = subprocess.run(
        [sys.executable, "-m", "beckon", "station", "--config", str(config), "list"],
        capture_output=True, text=True, timeout=60, cwd=REPO,
    )  # fmt: skip
    assert own.returncode == 2 and STATION_USER in own.stderr
    # The check in deploy/mosquitto/README.md works with the shipped acl (monitor user).
    watched = subprocess.run(
        [tool("mosquitto_sub", "/usr/bin/mosquitto_sub"), "-h", "127.0.0.1",
         "-p", str(prod_broker.plain_port), "-i", "monitor", "-u", "monitor",
         "-P", prod_broker.passwords["monitor"],
         "-t", f"beckon/v1/{SITE}/{UNIT}/#", "-v", "-C", "1", "-W", "10"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert watched.returncode == 0 and f"beckon/v1/{SITE}/{UNIT}/" in watched.stdout, watched
    assert station.stop() == 0
    # The retained summary is still at the broker; it must not pass for "no open requests".
    gone = console_cli(prod_broker, config, "list")
    assert gone.returncode == 2, gone.stdout
    assert "no station service is running" in gone.stderr
