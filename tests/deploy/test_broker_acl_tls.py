"""The production broker: its config keeps its promises, and a real Mosquitto running it
enforces TLS, passwords and deploy/mosquitto/acl, with Beckon's services working through it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.background import Background
from beckon.bedside import events as ev
from beckon.bedside.events import BedsideEvent
from beckon.bedside.service import BedsideService, Submit
from beckon.config import (
    load_bedside,
    load_station,
)
from beckon.messaging import protocol as p
from beckon.station.events import BedPresence
from beckon.station.service import StationService
from tests.helpers.deploy import (
    BED,
    BED12,
    BED13,
    CONSOLE,
    DEPLOY,
    MOSQUITTO_DIR,
    OTHER_BED,
    PASSWORDS,
    STATION,
    Broker,
    connect,
    request_payload,
)
from tests.helpers.polling import wait_until

# ---------------------------------------------------------------- broker config, statically


def _directives(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            out.append((key, value.strip()))
    return out


def test_production_broker_config_keeps_its_promises() -> None:
    pairs = _directives((MOSQUITTO_DIR / "mosquitto.conf").read_text(encoding="utf-8"))
    conf = dict(pairs)
    assert conf["persistence"] == "true"
    assert conf["persistence_location"] == "/var/lib/mosquitto/"
    # On changes, and a small count: autosave_on_changes alone would wait for 1800 changes.
    assert conf["autosave_on_changes"] == "true"
    assert 1 <= int(conf["autosave_interval"]) <= 10
    assert conf["allow_anonymous"] == "false"
    assert int(conf["max_queued_messages"]) >= 50_000
    assert conf["persistent_client_expiration"]
    listeners = [v for k, v in pairs if k == "listener"]
    assert listeners == ["8883", "1883 127.0.0.1"]
    assert conf["certfile"].startswith("/etc/mosquitto/certs/")
    assert conf["keyfile"].startswith("/etc/mosquitto/certs/")
    assert conf["password_file"] == "/etc/mosquitto/passwd"
    assert conf["acl_file"] == "/etc/mosquitto/acl"


@pytest.mark.mqtt
def test_anonymous_clients_and_wrong_passwords_are_refused(broker: Broker) -> None:
    for tls in (True, False):
        anonymous = connect(broker, None, tls=tls)
        wrong = connect(broker, BED, "not-the-password", tls=tls)
        good = connect(broker, BED, tls=tls)
        for client in (anonymous, wrong, good):
            client.close()
        assert anonymous.refused, f"anonymous accepted (tls={tls})"
        assert wrong.refused, f"wrong password accepted (tls={tls})"
        assert not good.refused, f"bed refused (tls={tls}): {broker.log_text()[-2000:]}"


@pytest.mark.mqtt
def test_plain_mqtt_is_not_offered_on_the_tls_port(broker: Broker) -> None:
    mqtt = paho.Client(CallbackAPIVersion.VERSION2, client_id="plain-on-tls")
    mqtt.username_pw_set(BED, PASSWORDS[BED])
    connected, dropped = threading.Event(), threading.Event()
    mqtt.on_connect = lambda *args: connected.set()
    mqtt.on_disconnect = lambda *args: dropped.set()
    try:
        mqtt.connect("127.0.0.1", broker.tls_port, keepalive=5)
        mqtt.loop_start()
        dropped.wait(3)
    except OSError:
        pass  # the TLS listener may close the socket before paho has finished connecting
    finally:
        mqtt.loop_stop()
    assert not connected.is_set()


@pytest.mark.mqtt
def test_a_bed_reaches_the_station_only_through_its_own_topics(broker: Broker) -> None:
    station = connect(broker, STATION)
    station.subscribe(
        "beckon/v1/general/icu-3/bed/+/request",
        "beckon/v1/general/icu-3/bed/+/cancel",
        "beckon/v1/general/icu-3/bed/+/status",
        "beckon/v1/general/icu-3/command",
    )
    bed = connect(broker, BED)
    try:
        bed.publish(BED12.topic("request"), request_payload(BED12))
        assert station.wait_for(lambda t: BED12.topic("request") in t), broker.log_text()[-2000:]

        # Denied publishes are dropped without a word; a marker on the bed's own topic, sent
        # after them, shows they were processed by the time it arrives.
        forged_cmd = p.nurse_command("resolve", p.new_request_id(), "bed 12")
        bed.publish(BED13.topic("request"), request_payload(BED13))
        bed.publish(BED13.topic("status"), b"{}", retain=True)
        bed.publish("beckon/v1/general/icu-3/command", p.encode(forged_cmd))
        bed.publish("beckon/v1/general/icu-4/bed/12/request", request_payload(BED12))
        bed.publish(BED12.topic("cancel"), b"marker")
        assert station.wait_for(lambda t: BED12.topic("cancel") in t)
        assert station.topics() == [BED12.topic("request"), BED12.topic("cancel")]
    finally:
        bed.close()
        station.close()


@pytest.mark.mqtt
def test_a_bed_reads_only_its_own_receipts_and_state(broker: Broker) -> None:
    station = connect(broker, STATION)
    other_bed = connect(broker, OTHER_BED)
    station_topic = p.Topics.station_status("general", "icu-3", "desk")
    retained = [(bed.topic("state"), station) for bed in (BED12, BED13)]
    retained += [(station_topic, station), (BED13.topic("status"), other_bed)]
    for bed_address in (BED12, BED13):
        state = p.BedState(bed_address.site, bed_address.unit, bed_address.bed, p.now_iso())
        station.publish(bed_address.topic("state"), p.encode(state), retain=True)
    online = p.StationStatus("general", "icu-3", "desk", True, p.now_iso())
    station.publish(station_topic, p.encode(online), retain=True)
    status13 = p.BedStatus("general", "icu-3", "13", True, p.now_iso(), ("touch",), "test")
    other_bed.publish(BED13.topic("status"), p.encode(status13), retain=True)
    bed = connect(broker, BED)
    try:
        # The bed may not forge what the station says.
        bed.publish(BED12.topic("receipt"), b"forged")
        bed.publish(BED12.topic("state"), b"forged", retain=True)
        bed.subscribe(
            "beckon/v1/general/icu-3/bed/+/state",
            "beckon/v1/general/icu-3/bed/+/receipt",
            "beckon/v1/general/icu-3/bed/+/status",
            "beckon/v1/general/icu-3/bed/+/request",
            "beckon/v1/general/icu-3/station/+/status",
            "beckon/v1/general/icu-3/queue",
        )
        other_bed.publish(BED13.topic("request"), request_payload(BED13))
        station.publish(BED13.topic("receipt"), b"for bed 13")
        station.publish(BED12.topic("receipt"), b"marker")
        assert bed.wait_for(lambda t: BED12.topic("receipt") in t), broker.log_text()[-2000:]
        with bed.lock:
            got = {(t, m) for t, m, _ in bed.messages}
        assert {t for t, _ in got} == {BED12.topic("state"), BED12.topic("receipt"), station_topic}
        # Only the station's retained state, never the bed's forgery.
        assert all(m != b"forged" for _, m in got)
    finally:
        for topic, owner in retained:  # clear what this test left on the broker
            owner.publish(topic, b"", retain=True)
        for client in (bed, other_bed, station):
            client.close()


@pytest.mark.mqtt
def test_a_console_sends_commands_but_cannot_answer_beds(broker: Broker) -> None:
    bed = connect(broker, BED)
    bed.subscribe(BED12.topic("receipt"))
    station = connect(broker, STATION)
    station.subscribe("beckon/v1/general/icu-3/command")
    console = connect(broker, CONSOLE)
    try:
        cmd = p.nurse_command("acknowledge", p.new_request_id(), "Nurse Kim")
        console.publish(BED12.topic("receipt"), b"forged receipt")
        console.publish("beckon/v1/general/icu-3/command", p.encode(cmd))
        assert station.wait_for(lambda t: "beckon/v1/general/icu-3/command" in t)
        station.publish(BED12.topic("receipt"), b"marker")
        assert bed.wait_for(lambda t: BED12.topic("receipt") in t)
        with bed.lock:
            assert [m for _, m, _ in bed.messages] == [b"marker"]
    finally:
        for client in (bed, station, console):
            client.close()


@pytest.mark.mqtt
def test_only_a_bed_itself_can_mark_a_nurse_present_or_clear_its_emergency(broker: Broker) -> None:
    """Emergencies are cleared at the bedside only: the ``nurse`` topic of bed 12 is writable
    by bed 12 alone; bed 13 and a console publishing there are dropped by the broker."""
    station = connect(broker, STATION)
    station.subscribe("beckon/v1/general/icu-3/bed/+/nurse")
    other_bed = connect(broker, OTHER_BED)
    console = connect(broker, CONSOLE)
    bed = connect(broker, BED)

    def at_bed(address: p.BedAddress, action: p.BedsideNurseAction) -> bytes:
        return p.encode(
            p.NurseAtBed(
                p.new_request_id(), address.site, address.unit, address.bed, action, "Kim",
                p.now_iso(), p.new_request_id() if action == "clear" else None,
            )
        )  # fmt: skip

    try:
        other_bed.publish(BED12.topic("nurse"), at_bed(BED12, "present"))
        other_bed.publish(BED12.topic("nurse"), at_bed(BED12, "clear"))
        console.publish(BED12.topic("nurse"), at_bed(BED12, "clear"))
        other_bed.publish(BED13.topic("nurse"), at_bed(BED13, "present"))  # its own: allowed
        bed.publish(BED12.topic("nurse"), at_bed(BED12, "clear"))  # the marker, last
        assert station.wait_for(
            lambda t: BED12.topic("nurse") in t and BED13.topic("nurse") in t
        ), broker.log_text()[-2000:]
        with station.lock:
            got = [(t, p.decode_as(m, p.NurseAtBed)) for t, m, _ in station.messages]
        # Two senders: their order at the station is not fixed, only what arrived.
        assert sorted((t, m.bed, m.action) for t, m in got) == sorted(
            [(BED13.topic("nurse"), "13", "present"), (BED12.topic("nurse"), "12", "clear")]
        )
    finally:
        for client in (bed, other_bed, console, station):
            client.close()


@pytest.mark.mqtt
def test_an_absent_station_gets_more_than_mosquittos_default_1000_queued_messages(
    broker: Broker,
) -> None:
    """With the default max_queued_messages the broker would silently drop all past 1000."""
    count = 1200
    client_id = "beckon-station-general-queue-test"
    station = connect(broker, STATION, client_id=client_id, persistent=True)
    station.subscribe("beckon/v1/general/icu-3/bed/+/request")
    station.close()  # away, with its session kept by the broker

    bed = connect(broker, BED)
    try:
        infos = [bed.mqtt.publish(BED12.topic("request"), b"%d" % i, qos=1) for i in range(count)]
        for info in infos:
            info.wait_for_publish(10)
    finally:
        bed.close()

    back = connect(broker, STATION, client_id=client_id, persistent=True)
    try:
        assert back.wait_for(lambda t: len(t) >= count, timeout=10), (
            f"{len(back.topics())} of {count} queued messages arrived"
        )
        with back.lock:
            assert sorted(int(m) for _, m, _ in back.messages) == list(range(count))
    finally:
        back.close()
        # The broker binds client ids to usernames, so this session is the station user's:
        # a clean start removes it before the station service logs in with that user.
        connect(broker, STATION, client_id=client_id).close()
    # autosave_on_changes: the queue was written to disk as it grew, not after 30 minutes.
    assert (broker.folder / "data" / "mosquitto.db").stat().st_size > 1000


def _over_tls_as(user: str, broker: Broker, tmp_path: Path) -> dict[str, object]:
    """Config keys that point an example config at this broker's TLS listener with ``user``'s
    password (written to a file in ``tmp_path``), as a device's own /etc/beckon would."""
    password = tmp_path / f"{user.replace('/', '_')}.pw"
    password.write_text(PASSWORDS[user] + "\n")
    return {
        "broker.url": f"mqtts://127.0.0.1:{broker.tls_port}",
        "broker.ca_file": str(broker.ca),
        "broker.password_file": str(password),
    }


@pytest.mark.mqtt
def test_beckon_services_work_through_tls_and_the_acl(broker: Broker, tmp_path: Path) -> None:
    """The example configs, pointed at this broker, carry a request and its state both ways."""
    station_settings = load_station(
        DEPLOY / "station.example.toml",
        {
            **_over_tls_as(STATION, broker, tmp_path),
            "station.database": str(tmp_path / "station.sqlite3"),
        },
        env={},
    )
    bedside_settings = load_bedside(
        DEPLOY / "bedside.example.toml",
        {**_over_tls_as(BED, broker, tmp_path), "bedside.outbox": str(tmp_path / "outbox.sqlite3")},
        env={},
    )
    station = StationService(station_settings)
    beds_seen: list[tuple[str, bool]] = []
    station.listeners.append(
        lambda e: beds_seen.append((e.bed.key, e.online)) if isinstance(e, BedPresence) else None
    )
    bedside = BedsideService(bedside_settings)
    events: list[BedsideEvent] = []
    bedside.listeners.append(events.append)

    with Background(station.run, "station"), Background(bedside.run, "bedside"):
        assert station.ready.wait(10), broker.log_text()[-2000:]
        assert wait_until(lambda: bedside.link is not None and bedside.link.connected, 10)
        bedside.post(Submit("water", "touch"))
        assert wait_until(
            lambda: any(isinstance(e, ev.StateChanged) and e.state == "received" for e in events),
            10,
        ), events
        # The receipt or state emptied the outbox; the station's presence and the bed's are read.
        assert wait_until(lambda: bedside.waiting == 0, 10)
        assert wait_until(lambda: bedside.station_online is True, 10)
        assert wait_until(lambda: ("general/icu-3/12", True) in beds_seen, 10)
    assert station.dropped == 0


def test_a_bedside_with_the_wrong_identity_shows_a_fault_instead_of_saved(
    broker: Broker, tmp_path: Path
) -> None:
    """Bed 13's credentials on a tablet configured as bed 12: the ACL denies every publish.
    Under MQTT 5 the broker says so, and the bedside must raise a device fault rather than
    let the patient believe the request is on its way."""
    settings = load_bedside(
        DEPLOY / "bedside.example.toml",
        {
            **_over_tls_as(OTHER_BED, broker, tmp_path),
            "broker.username": OTHER_BED,
            "bedside.outbox": str(tmp_path / "outbox.sqlite3"),
        },
        env={},
    )
    bedside = BedsideService(settings)
    events: list[BedsideEvent] = []
    bedside.listeners.append(events.append)
    with Background(bedside.run, "bedside"):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (bedside.link and bedside.link.connected):
            time.sleep(0.05)
        bedside.post(Submit("water", "touch"))

        def request_refused() -> list[str]:
            return [e.detail for e in events if isinstance(e, ev.Fault) and "/request" in e.detail]

        while time.monotonic() < deadline and not request_refused():
            time.sleep(0.05)
        faults = request_refused()
        assert faults, events
        assert "refused" in faults[0] and "ACL" in faults[0]
        assert bedside.waiting >= 1  # still kept: it is sent once IT fixes the identity
