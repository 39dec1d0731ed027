"""What a station acknowledges to the broker while it probes for a twin, and when. Real
Mosquitto, a real station process. A station that has served, loses its connection to a twin's
take-over and probes again on reconnecting, then stops as the twin (DUPLICATE STATION, exit
78): what it held through that probe stays in the broker's session for the running station,
played here by a client with the same client id (an anonymous station named desk for icu:
``beckon-station.gh.desk.icu``). And whatever it defers, it acknowledges in the order the
messages came (MQTT section 4.6)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from beckon.errors import EX_CONFIG
from beckon.messaging import protocol as p
from beckon.station.refresh import REFRESH_LISTEN_S
from tests.helpers.ack_order import AckOrderProxy
from tests.helpers.faults import serving, start_station
from tests.helpers.polling import wait_until
from tests.helpers.rig import send_raw

SESSION = "beckon-station.gh.desk.icu"  # the client id of station desk for gh/icu, anonymous
PRESENCE = p.Topics.station_status("gh", "icu", "desk")


def session_client(port: int, got: list[str] | None = None, session: str = SESSION) -> paho.Client:
    """A connection to station desk's persistent session (MQTT 5, kept a day as the station's
    is), as the running twin makes when it takes it over; ``got`` collects the requests."""
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=session, protocol=paho.MQTTv5)
    if got is not None:

        def on_message(client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
            if message.topic.endswith("/request"):
                got.append(p.decode_as(bytes(message.payload), p.Request).id)

        client.on_message = on_message
    keep = Properties(PacketTypes.CONNECT)
    keep.SessionExpiryInterval = 24 * 3600
    client.connect("127.0.0.1", port, clean_start=False, properties=keep)
    return client


def config_file(tmp_path: Path, port: int, units: str = '"icu"') -> Path:
    config = tmp_path / "desk.toml"
    config.write_text(
        f'[station]\nsite = "gh"\nunits = [{units}]\nname = "desk"\n'
        f'database = "{tmp_path / "desk.sqlite3"}"\n[broker]\n'
        f'url = "mqtt://127.0.0.1:{port}"\nkeepalive = 5\n'
    )
    return config


def send_request(port: int, bed: str, unit: str = "icu") -> str:
    """A bed's request, QoS 1, sent once (never resent); its id."""
    req = p.Request(p.new_request_id(), "gh", unit, bed, "water", "routine", "touch", p.now_iso())
    send_raw(port, p.BedAddress("gh", unit, bed).topic("request"), p.encode(req))
    return req.id


def twin_presence(port: int) -> None:
    """Station desk's other instance announcing itself, retained, as a running station does at
    every heartbeat (each with a newer stamp)."""
    twin = p.StationStatus("gh", "icu", "desk", True, p.now_iso(), "feedbeef")
    send_raw(port, PRESENCE, p.encode(twin), retain=True)


def assert_the_session_still_holds(port: int, sent: list[str], session: str = SESSION) -> None:
    """The running station takes ``session`` back and gets every request in ``sent``: what
    the refused twin held was never acknowledged, so the broker delivers it again."""
    got: list[str] = []
    running = session_client(port, got, session)
    try:
        running.loop_start()
        assert wait_until(lambda: set(sent) <= set(got), 10), (sent, got)
    finally:
        running.disconnect()
        running.loop_stop()


@pytest.mark.mqtt
def test_a_station_refused_as_the_twin_after_a_reconnect_leaves_what_it_held_to_the_running_one(
    mosquitto: Any, tmp_path: Path
) -> None:
    """Deferred at the first start-up probe only, the acknowledgements of a station that had
    served went out at once in the probe after a reconnect: stopped there as the twin, it took
    the requests it held with it, and the running station never had them (review rev45r2: 2 of
    63 in one of three stalled runs). A bed here that never resends: each request sent during
    that probe reaches the running station's session."""
    a = start_station(config_file(tmp_path, mosquitto.port), tmp_path, "a")
    try:
        assert wait_until(lambda: serving(a), 60), a.stderr()[-3000:]
        twin_presence(mosquitto.port)  # heard once: a refresh is what tells a live one
        taker = session_client(mosquitto.port)  # the twin takes the session over
        taker.loop(1.0)
        taker.disconnect()
        taker.loop(0.5)
        probing = f"listening {REFRESH_LISTEN_S:.1f} s for it to refresh"
        assert wait_until(lambda: probing in a.stderr(), 20), a.stderr()[-3000:]
        sent = [send_request(mosquitto.port, f"bed{n}") for n in range(5)]
        time.sleep(0.5)  # through the broker to the station, held
        twin_presence(mosquitto.port)  # refreshed: the twin is running
        assert a.popen.wait(30) == EX_CONFIG, a.stderr()[-3000:]
        assert "DUPLICATE STATION" in a.stderr()
        assert_the_session_still_holds(mosquitto.port, sent)  # the running one takes it back
    finally:
        a.kill()


@pytest.mark.mqtt
def test_a_reconnect_of_one_units_link_defers_the_acknowledgements_of_every_link(
    mosquitto: Any, tmp_path: Path
) -> None:
    """Without a broker user a station has one connection per unit. The reconnect of one
    (icu's session taken over) starts a probe, but only that link deferred again: ward's went
    on acknowledging what the probe held, and when the probe found this station the twin
    (exit 78) those requests were gone from ward's session (review rev46r). Every link now
    defers while any probe runs: the requests sent to ward reach its session's next
    connection."""
    config = config_file(tmp_path, mosquitto.port, '"icu", "ward"')
    a = start_station(config, tmp_path, "a")
    try:
        assert wait_until(lambda: serving(a), 60), a.stderr()[-3000:]
        twin_presence(mosquitto.port)  # heard once: a refresh is what tells a live one
        taker = session_client(mosquitto.port)  # icu's session only
        taker.loop(1.0)
        taker.disconnect()
        taker.loop(0.5)
        probing = f"listening {REFRESH_LISTEN_S:.1f} s for it to refresh"
        assert wait_until(lambda: probing in a.stderr(), 20), a.stderr()[-3000:]
        sent = [send_request(mosquitto.port, f"bed{n}", "ward") for n in range(3)]
        time.sleep(0.5)  # through the broker to the station, held
        twin_presence(mosquitto.port)  # refreshed: the twin is running
        assert a.popen.wait(30) == EX_CONFIG, a.stderr()[-3000:]
        assert_the_session_still_holds(mosquitto.port, sent, "beckon-station.gh.desk.ward")
    finally:
        a.kill()


@pytest.mark.mqtt
def test_a_probing_station_acknowledges_in_the_order_the_messages_came(
    mosquitto: Any, tmp_path: Path
) -> None:
    """During the probe it acknowledged retained messages and beds' statuses at once, ahead of
    the requests it held (review rev45r2): out of the order MQTT asks for, which Mosquitto
    lets pass and a broker that checks may answer by closing the connection. Statuses and
    presences now come at QoS 0 (nothing to acknowledge); every QoS 1 message waits and goes
    in order once the station serves."""
    twin_presence(mosquitto.port)  # never refreshed: the probe listens REFRESH_LISTEN_S
    proxy = AckOrderProxy(mosquitto.port).start()
    a = start_station(config_file(tmp_path, proxy.port), tmp_path, "a")
    try:
        probing = f"listening {REFRESH_LISTEN_S:.1f} s for it to refresh"
        assert wait_until(lambda: probing in a.stderr(), 60), a.stderr()[-3000:]
        sent = [send_request(mosquitto.port, "bed1")]
        online = p.BedStatus("gh", "icu", "bed2", True, p.now_iso())
        status = p.BedAddress("gh", "icu", "bed2").topic("status")
        send_raw(mosquitto.port, status, p.encode(online), retain=True)  # as a bed connecting
        sent.append(send_request(mosquitto.port, "bed3"))
        assert wait_until(lambda: serving(a), 30), a.stderr()[-3000:]
        assert wait_until(lambda: len(stored(tmp_path / "desk.sqlite3")) == 2, 10)
        assert wait_until(lambda: sum(map(len, proxy.acked)) >= 2, 5), proxy.acked
        assert proxy.out_of_order() == []
        assert stored(tmp_path / "desk.sqlite3") == set(sent)
    finally:
        a.stop()
        proxy.cut()


def stored(db: Path) -> set[str]:
    if not db.exists():
        return set()
    with sqlite3.connect(db) as con:
        return {row[0] for row in con.execute("select id from requests")}
