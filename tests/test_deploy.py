"""The deployment files: the example configs load with the values they document, a real
Mosquitto runs deploy/mosquitto/mosquitto.conf and enforces deploy/mosquitto/acl, the systemd
units run the documented commands, and the examples in docs/protocol.md are valid messages.

The production broker config names certificates and folders under /etc and /var, so the broker
test derives a copy in a temporary folder: same directives, with the two listeners moved to free
loopback ports, a throwaway CA and server certificate, and temporary persistence, password, ACL
and log files. Every directive the copy swaps must exist in the original, so a renamed or
dropped setting fails here instead of passing unnoticed.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import re
import shutil
import ssl
import subprocess
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from beckon.background import Background
from beckon.bedside import events as ev
from beckon.bedside.events import BedsideEvent
from beckon.bedside.service import BedsideService, Submit
from beckon.config import (
    BedsideConfig,
    BrokerConfig,
    EscalationConfig,
    StationConfig,
    load_bedside,
    load_station,
)
from beckon.messaging import protocol as p
from beckon.messaging.broker import free_port, wait_for_port
from beckon.station.events import BedPresence
from beckon.station.service import StationService

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
MOSQUITTO_DIR = DEPLOY / "mosquitto"
PROTOCOL_DOC = REPO / "docs" / "protocol.md"

BED = "general/icu-3/bed/12"
OTHER_BED = "general/icu-3/bed/13"
STATION = "station-general-icu-3"
CONSOLE = "console-general-icu-3"
PASSWORDS = {BED: "bed-12-pw", OTHER_BED: "bed-13-pw", STATION: "station-pw", CONSOLE: "console-pw"}

BED12 = p.BedAddress("general", "icu-3", "12")
BED13 = p.BedAddress("general", "icu-3", "13")


# ---------------------------------------------------------------- example configs


def test_bedside_example_loads_with_the_documented_values() -> None:
    settings = load_bedside(DEPLOY / "bedside.example.toml", env={})
    bed, broker = settings.bedside, settings.broker
    assert (bed.site, bed.unit, bed.bed) == ("general", "icu-3", "12")
    assert bed.language == "en"
    assert bed.inputs == ("gesture", "touch")
    assert bed.camera == "0"
    assert bed.outbox_path() == Path("/var/lib/beckon/state/outbox-general-icu-3-12.sqlite3")
    assert bed.offer_seconds == 4.0
    assert bed.offered_intents == ("nurse", "water", "pain", "toilet")
    assert broker.url == "mqtts://mqtt.hospital.example:8883"
    assert (broker.host, broker.port, broker.tls) == ("mqtt.hospital.example", 8883, True)
    # The username is the bed's place in the topic tree, which is what the ACL pattern needs.
    assert broker.username == BED == "/".join((bed.site, bed.unit, "bed", bed.bed))
    assert broker.password == ""
    assert broker.password_file == "/etc/beckon/mqtt-password"
    assert broker.ca_file == "/etc/beckon/ca.crt"
    assert (broker.cert_file, broker.key_file) == ("", "")
    assert broker.keepalive == 15


def test_station_example_loads_with_the_documented_values() -> None:
    settings = load_station(DEPLOY / "station.example.toml", env={})
    st, broker, esc = settings.station, settings.broker, settings.escalation
    assert (st.site, st.units, st.name, st.language) == ("general", ("icu-3",), "desk", "en")
    assert st.database_path() == Path("/var/lib/beckon/state/station-general-desk.sqlite3")
    assert broker.url == "mqtts://mqtt.hospital.example:8883"
    assert broker.username == STATION
    assert broker.password == ""
    assert broker.password_file == "/etc/beckon/mqtt-password"
    assert broker.ca_file == "/etc/beckon/ca.crt"
    assert (broker.cert_file, broker.key_file) == ("", "")
    assert broker.keepalive == 30
    assert (esc.routine_s, esc.urgent_s, esc.emergency_s) == (300.0, 120.0, 30.0)
    assert esc.reminder_after_ack_s == 600.0


@pytest.mark.parametrize(
    ("name", "tables"),
    [
        ("bedside.example.toml", {"bedside": BedsideConfig, "broker": BrokerConfig}),
        (
            "station.example.toml",
            {"station": StationConfig, "broker": BrokerConfig, "escalation": EscalationConfig},
        ),
    ],
)
def test_examples_list_every_key_with_a_comment_giving_its_default(
    name: str, tables: dict[str, type]
) -> None:
    path = DEPLOY / name
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(raw) == set(tables)
    for table, cls in tables.items():
        fields = {f.name for f in dataclasses.fields(cls)}
        assert set(raw[table]) == fields, f"{name} [{table}]"
    # Each key line follows a comment block that says what the default is.
    lines = path.read_text(encoding="utf-8").splitlines()
    keys = 0
    for i, line in enumerate(lines):
        if re.match(r"^[a-z_]+ = ", line):
            keys += 1
            j = i - 1
            comment: list[str] = []
            while j >= 0 and lines[j].startswith("#"):
                comment.append(lines[j])
                j -= 1
            assert any("default" in c.lower() for c in comment), f"{name}: {line}"
    assert keys == sum(len(dataclasses.fields(cls)) for cls in tables.values())


# ---------------------------------------------------------------- systemd units


def _unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


@pytest.mark.parametrize("role", ["station", "bedside"])
def test_systemd_units_run_the_documented_command(role: str) -> None:
    unit = _unit(f"beckon-{role}.service")
    assert unit["User"] == ["beckon"]
    assert unit["Restart"] == ["always"]
    (exec_start,) = unit["ExecStart"]
    assert exec_start.endswith(f" {role} --headless --config /etc/beckon/{role}.toml")
    assert unit["Environment"].count("BECKON_HOME=/var/lib/beckon") == 1
    assert unit["StateDirectory"] == ["beckon"]
    assert unit["NoNewPrivileges"] == ["yes"]
    assert unit["ProtectSystem"] == ["strict"]


def test_bedside_unit_hardening_leaves_the_camera_reachable() -> None:
    unit = _unit("beckon-bedside.service")
    # PrivateDevices=yes would give the service a /dev without /dev/video*.
    assert unit.get("PrivateDevices", ["no"]) == ["no"]
    assert "char-video4linux rw" in unit["DeviceAllow"]
    assert "video" in unit["SupplementaryGroups"][0].split()


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


# ---------------------------------------------------------------- a real Mosquitto


def _tool(name: str, fallback: str) -> str:
    found = shutil.which(name) or (fallback if Path(fallback).exists() else None)
    if not found:
        pytest.fail(f"{name} is not installed; run scripts/setup.sh (apt-get install mosquitto)")
    return found


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"{' '.join(cmd)}: {done.stderr}"


def _make_certs(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 (what paho checks the name against)."""
    openssl = _tool("openssl", "/usr/bin/openssl")
    ca_key, ca_crt = folder / "ca.key", folder / "ca.crt"
    key, csr, crt = folder / "server.key", folder / "server.csr", folder / "server.crt"
    ext = folder / "server.ext"
    ext.write_text(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "authorityKeyIdentifier=keyid\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _run(
        [
            openssl,
            "req",
            "-x509",
            *ec,
            "-keyout",
            str(ca_key),
            "-out",
            str(ca_crt),
            "-days",
            "2",
            "-subj",
            "/CN=Beckon test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]
    )
    _run([openssl, "req", *ec, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1"])
    _run(
        [
            openssl,
            "x509",
            "-req",
            "-in",
            str(csr),
            "-CA",
            str(ca_crt),
            "-CAkey",
            str(ca_key),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            str(ext),
            "-out",
            str(crt),
        ]
    )
    return ca_crt, crt, key


def derive_config(text: str, folder: Path, tls_port: int, plain_port: int) -> str:
    """The production config with ports and paths moved into ``folder``."""
    swaps: dict[str, Callable[[str], str]] = {
        "listener 8883": lambda _: f"listener {tls_port} 127.0.0.1",
        "listener 1883 127.0.0.1": lambda _: f"listener {plain_port} 127.0.0.1",
        "certfile": lambda _: f"certfile {folder / 'server.crt'}",
        "keyfile": lambda _: f"keyfile {folder / 'server.key'}",
        "persistence_location": lambda _: f"persistence_location {folder / 'data'}/",
        "password_file": lambda _: f"password_file {folder / 'passwd'}",
        "acl_file": lambda _: f"acl_file {folder / 'acl'}",
        "log_dest": lambda _: f"log_dest file {folder / 'mosquitto.log'}",
        "pid_file": lambda _: f"pid_file {folder / 'mosquitto.pid'}",
    }
    used: set[str] = set()
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        for prefix, swap in swaps.items():
            if stripped == prefix or (
                not prefix.startswith("listener") and stripped.startswith(prefix + " ")
            ):
                assert prefix not in used, f"{prefix} appears twice"
                used.add(prefix)
                line = swap(stripped)
                break
        out.append(line)
    assert used == set(swaps), f"not in mosquitto.conf: {sorted(set(swaps) - used)}"
    # As root Mosquitto would switch to the "mosquitto" user, who cannot read a private tmp
    # folder; as anyone else this line has no effect.
    out.append(f"user {getpass.getuser()}")
    return "\n".join(out) + "\n"


@dataclass
class Broker:
    tls_port: int
    plain_port: int
    folder: Path
    ca: Path
    proc: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else "(no log)"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    folder = tmp_path_factory.mktemp("mosquitto-prod")
    (folder / "data").mkdir()
    ca, _, _ = _make_certs(folder)
    shutil.copy(MOSQUITTO_DIR / "acl", folder / "acl")
    passwd_tool = _tool("mosquitto_passwd", "/usr/bin/mosquitto_passwd")
    for i, (user, password) in enumerate(PASSWORDS.items()):
        create = ["-c"] if i == 0 else []
        _run([passwd_tool, *create, "-b", str(folder / "passwd"), user, password])
    tls_port, plain_port = free_port(), free_port()
    while plain_port == tls_port:
        plain_port = free_port()
    conf = folder / "mosquitto.conf"
    production = (MOSQUITTO_DIR / "mosquitto.conf").read_text(encoding="utf-8")
    conf.write_text(derive_config(production, folder, tls_port, plain_port))
    log = folder / "mosquitto.log"
    proc = subprocess.Popen(
        [_tool("mosquitto", "/usr/sbin/mosquitto"), "-c", str(conf)],
        stdout=(folder / "stdout.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    started = Broker(tls_port, plain_port, folder, ca, proc, log)
    if not (wait_for_port(tls_port, 10) and wait_for_port(plain_port, 10)):
        proc.terminate()
        pytest.fail(
            f"mosquitto did not start with the derived config: "
            f"{(folder / 'stdout.log').read_text()} {started.log_text()}"
        )
    yield started
    proc.terminate()
    proc.wait(10)


@dataclass
class Client:
    """A paho client that records what it receives."""

    mqtt: paho.Client
    connack: threading.Event = field(default_factory=threading.Event)
    refused: bool = False
    messages: list[tuple[str, bytes, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def topics(self) -> list[str]:
        with self.lock:
            return [t for t, _, _ in self.messages]

    def wait_for(self, check: Callable[[list[str]], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check(self.topics()):
                return True
            time.sleep(0.02)
        return check(self.topics())

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.mqtt.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def subscribe(self, *topics: str) -> None:
        done = threading.Event()
        self.mqtt.on_subscribe = lambda *args: done.set()
        self.mqtt.subscribe([(t, 1) for t in topics])
        assert done.wait(5), f"no SUBACK for {topics}"

    def close(self) -> None:
        self.mqtt.disconnect()
        self.mqtt.loop_stop()


def connect(
    broker: Broker,
    user: str | None,
    password: str | None = None,
    *,
    tls: bool = True,
    client_id: str = "",
    persistent: bool = False,
) -> Client:
    """Connect over TLS (or the loopback listener) with MQTT 5, as Beckon does."""
    mqtt = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id or f"test-{p.new_request_id()[:8]}",
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    client = Client(mqtt)
    if user is not None:
        mqtt.username_pw_set(user, password if password is not None else PASSWORDS[user])
    if tls:
        mqtt.tls_set(ca_certs=str(broker.ca), tls_version=ssl.PROTOCOL_TLS_CLIENT)

    def on_connect(c: paho.Client, u: object, flags: object, reason: object, props: object) -> None:
        client.refused = bool(getattr(reason, "is_failure", True))
        client.connack.set()

    def on_message(c: paho.Client, u: object, msg: paho.MQTTMessage) -> None:
        with client.lock:
            client.messages.append((msg.topic, bytes(msg.payload), bool(msg.retain)))

    mqtt.on_connect = on_connect
    mqtt.on_message = on_message
    props = Properties(PacketTypes.CONNECT)
    if persistent:
        props.SessionExpiryInterval = 3600
    mqtt.connect(
        "127.0.0.1",
        broker.tls_port if tls else broker.plain_port,
        keepalive=30,
        clean_start=not persistent,
        properties=props,
    )
    mqtt.loop_start()
    assert client.connack.wait(5), f"no CONNACK for {user!r}: {broker.log_text()[-2000:]}"
    return client


def _request(bed: p.BedAddress, intent: str = "water") -> bytes:
    return p.encode(
        p.Request(
            p.new_request_id(), bed.site, bed.unit, bed.bed, intent, "routine", "touch", p.now_iso()
        )
    )


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
        bed.publish(BED12.topic("request"), _request(BED12))
        assert station.wait_for(lambda t: BED12.topic("request") in t), broker.log_text()[-2000:]

        # Denied publishes are dropped without a word; a marker on the bed's own topic, sent
        # after them, shows they were processed by the time it arrives.
        forged_cmd = p.StationCommand(
            p.new_request_id(), "resolve", p.new_request_id(), "bed 12", p.now_iso()
        )
        bed.publish(BED13.topic("request"), _request(BED13))
        bed.publish(BED13.topic("status"), b"{}", retain=True)
        bed.publish("beckon/v1/general/icu-3/command", p.encode(forged_cmd))
        bed.publish("beckon/v1/general/icu-4/bed/12/request", _request(BED12))
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
        other_bed.publish(BED13.topic("request"), _request(BED13))
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
        cmd = p.StationCommand(
            p.new_request_id(), "acknowledge", p.new_request_id(), "Nurse Kim", p.now_iso()
        )
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
    # autosave_on_changes: the queue was written to disk as it grew, not after 30 minutes.
    assert (broker.folder / "data" / "mosquitto.db").stat().st_size > 1000


@pytest.mark.mqtt
def test_beckon_services_work_through_tls_and_the_acl(broker: Broker, tmp_path: Path) -> None:
    """The example configs, pointed at this broker, carry a request and its state both ways."""
    for user in (BED, STATION):
        (tmp_path / f"{user.replace('/', '_')}.pw").write_text(PASSWORDS[user] + "\n")
    url = f"mqtts://127.0.0.1:{broker.tls_port}"
    station_settings = load_station(
        DEPLOY / "station.example.toml",
        {
            "broker.url": url,
            "broker.ca_file": str(broker.ca),
            "broker.password_file": str(tmp_path / f"{STATION}.pw"),
            "station.database": str(tmp_path / "station.sqlite3"),
        },
        env={},
    )
    bedside_settings = load_bedside(
        DEPLOY / "bedside.example.toml",
        {
            "broker.url": url,
            "broker.ca_file": str(broker.ca),
            "broker.password_file": str(tmp_path / f"{BED.replace('/', '_')}.pw"),
            "bedside.outbox": str(tmp_path / "outbox.sqlite3"),
        },
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

    def wait(check: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not check():
            time.sleep(0.05)
        return check()

    with Background(station.run, "station"), Background(bedside.run, "bedside"):
        assert station.ready.wait(10), broker.log_text()[-2000:]
        assert wait(lambda: bedside.link is not None and bedside.link.connected)
        bedside.post(Submit("water", "touch"))
        assert wait(
            lambda: any(isinstance(e, ev.StateChanged) and e.state == "received" for e in events)
        ), events
        assert wait(lambda: bedside.waiting == 0)  # the receipt or state emptied the outbox
        assert wait(lambda: bedside.station_online is True)  # station presence is readable
        assert wait(lambda: ("general/icu-3/12", True) in beds_seen)  # bed presence too
    assert station.dropped == 0


def test_a_bedside_with_the_wrong_identity_shows_a_fault_instead_of_saved(
    broker: Broker, tmp_path: Path
) -> None:
    """Bed 13's credentials on a tablet configured as bed 12: the ACL denies every publish.
    Under MQTT 5 the broker says so, and the bedside must raise a device fault rather than
    let the patient believe the request is on its way."""
    (tmp_path / "bed13.pw").write_text(PASSWORDS[OTHER_BED] + "\n")
    settings = load_bedside(
        DEPLOY / "bedside.example.toml",
        {
            "broker.url": f"mqtts://127.0.0.1:{broker.tls_port}",
            "broker.ca_file": str(broker.ca),
            "broker.username": OTHER_BED,
            "broker.password_file": str(tmp_path / "bed13.pw"),
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


# ---------------------------------------------------------------- docs/protocol.md


def _doc() -> str:
    return PROTOCOL_DOC.read_text(encoding="utf-8")


def test_protocol_doc_examples_decode() -> None:
    blocks = re.findall(r"```json\n(.*?)```", _doc(), flags=re.DOTALL)
    assert len(blocks) >= len(p.message_fields())
    kinds = set()
    for block in blocks:
        payload = json.dumps(json.loads(block), separators=(",", ":")).encode()
        msg = p.decode(payload)
        kinds.add(json.loads(block)["kind"])
        assert p.encode(msg) == payload  # field for field what the code sends
    assert kinds == set(p.message_fields())


def test_protocol_doc_names_every_topic_and_field() -> None:
    doc = _doc()
    bed = p.BedAddress("SITE", "UNIT", "BED")
    placeholders = {"SITE": "{site}", "UNIT": "{unit}", "BED": "{bed}", "NAME": "{name}"}

    def documented(topic: str) -> str:
        for raw, shown in placeholders.items():
            topic = topic.replace(raw, shown)
        return topic

    leaves = ("request", "cancel", "status", "receipt", "state", "question", "answer")
    topics = [bed.topic(leaf) for leaf in leaves]
    topics += [p.Topics.unit("SITE", "UNIT", leaf) for leaf in ("queue", "command")]
    topics.append(p.Topics.station_status("SITE", "UNIT", "NAME"))
    for topic in topics:
        assert documented(topic) in doc, topic
    for kind, names in p.message_fields().items():
        for name in names:
            assert f"`{name}`" in doc, f"{kind}.{name}"
    assert str(p.MAX_PAYLOAD) in doc or "16 KiB" in doc
