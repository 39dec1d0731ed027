"""A real Mosquitto running the production broker config (deploy/mosquitto), for the
deployment tests: the derived config, throwaway certificates, and a recording client.

The production broker config names certificates and folders under /etc and /var, so the tests
derive a copy in a temporary folder: same directives, with the two listeners moved to free
loopback ports, a throwaway CA and server certificate, and temporary persistence, password, ACL
and log files. Every directive the copy swaps must exist in the original, so a renamed or
dropped setting fails here instead of passing unnoticed.
"""

from __future__ import annotations

import getpass
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from beckon.messaging import protocol as p

REPO = Path(__file__).resolve().parents[2]
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


# ---------------------------------------------------------------- a real Mosquitto


def tool(name: str, fallback: str) -> str:
    found = shutil.which(name) or (fallback if Path(fallback).exists() else None)
    if not found:
        pytest.fail(f"{name} is not installed; run scripts/setup.sh (apt-get install mosquitto)")
    return found


def run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"{' '.join(cmd)}: {done.stderr}"


def make_certs(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 (what paho checks the name against)."""
    openssl = tool("openssl", "/usr/bin/openssl")
    ca_key, ca_crt = folder / "ca.key", folder / "ca.crt"
    key, csr, crt = folder / "server.key", folder / "server.csr", folder / "server.crt"
    ext = folder / "server.ext"
    ext.write_text(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "authorityKeyIdentifier=keyid\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run(
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
    run([openssl, "req", *ec, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1"])
    run(
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


def derive_config(
    folder: Path,
    tls_port: int,
    plain_port: int,
    *,
    server_cert: Path | None = None,
    server_key: Path | None = None,
    passwd: Path | None = None,
    acl: Path | None = None,
    client_ca: Path | None = None,
    extra: str = "",
) -> str:
    """The shipped deploy/mosquitto/mosquitto.conf on loopback ports, with its paths moved into
    ``folder``.
    The server's certificate and key, the password file and the ACL are ``folder``'s
    server.crt, server.key, passwd and acl unless given. ``client_ca``: the shipped file's
    commented-out client-certificate lines switched on as they stand, values and all (what the
    tests check is then the shipped choice: a password still needed with a certificate), with
    this CA. ``extra``: lines added at the end (a bridge stanza)."""
    text = (MOSQUITTO_DIR / "mosquitto.conf").read_text(encoding="utf-8")
    swaps = {
        "listener 8883": f"listener {tls_port} 127.0.0.1",
        "listener 1883 127.0.0.1": f"listener {plain_port} 127.0.0.1",
        "certfile": f"certfile {server_cert or folder / 'server.crt'}",
        "keyfile": f"keyfile {server_key or folder / 'server.key'}",
        "persistence_location": f"persistence_location {folder / 'data'}/",
        "password_file": f"password_file {passwd or folder / 'passwd'}",
        "acl_file": f"acl_file {acl or folder / 'acl'}",
        "log_dest": f"log_dest file {folder / 'mosquitto.log'}",
        "pid_file": f"pid_file {folder / 'mosquitto.pid'}",
    }
    if client_ca is not None:
        swaps["#cafile"] = f"cafile {client_ca}"
        for option in ("require_certificate", "use_identity_as_username"):
            swaps[f"#{option}"] = _uncommented(text, option)
    used: set[str] = set()
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        for prefix, replacement in swaps.items():
            exact = prefix.startswith("listener")
            if stripped == prefix or (not exact and stripped.startswith(prefix + " ")):
                assert prefix not in used, f"{prefix} appears twice"
                used.add(prefix)
                line = replacement
                break
        out.append(line)
    assert used == set(swaps), f"not in mosquitto.conf: {sorted(set(swaps) - used)}"
    # As root Mosquitto would switch to the "mosquitto" user, who cannot read a private tmp
    # folder; as anyone else this line has no effect. Why these stay root when the plain
    # test broker does not: tests/helpers/broker_user.py.
    out.append(f"user {getpass.getuser()}")
    if extra:
        out.append(extra)
    return "\n".join(out) + "\n"


def _uncommented(text: str, option: str) -> str:
    """The config's one commented-out line ``#option VALUE``, without its ``#``."""
    [line] = [
        stripped[1:]
        for stripped in (raw.strip() for raw in text.splitlines())
        if stripped.startswith(f"#{option} ")
    ]
    return line


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


def request_payload(bed: p.BedAddress, intent: str = "water") -> bytes:
    return p.encode(
        p.Request(
            p.new_request_id(), bed.site, bed.unit, bed.bed, intent, "routine", "touch", p.now_iso()
        )
    )
