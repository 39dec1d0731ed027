"""A unit Mosquitto bridged to a hospital Mosquitto, both real, on loopback, both running the
shipped production config; the unit broker adds the bridge stanza `beckon provision bridge`
wrote. A bed on the unit broker reaches a station on the hospital broker and its receipt comes
back; when the link between them is cut the unit keeps working (the bed stays connected and
keeps its request), and when the link returns the request arrives, once, and what the station
said meanwhile reaches the bed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypedDict

import pytest

from beckon import provision as pv
from beckon.background import Background
from beckon.bedside.events import BedsideEvent, RequestSaved, StateChanged
from beckon.bedside.service import BedsideService, Submit
from beckon.cli import main
from beckon.config import load_bedside, load_station
from beckon.messaging import protocol as p
from beckon.station.client import StationClient
from beckon.station.events import RequestChanged
from beckon.station.service import StationService
from tests.helpers.hospital import (
    ProductionBroker,
    TcpProxy,
    installed,
    production_broker,
    wait,
)
from tests.helpers.ports import free_ports

REPO = Path(__file__).resolve().parents[2]
BRIDGE_EXAMPLE = REPO / "deploy" / "mosquitto" / "bridge-unit.conf"
HOSPITAL_ACL_EXAMPLE = REPO / "deploy" / "mosquitto" / "bridge-hospital.acl"


class BrokerFiles(TypedDict):
    """The TLS, password and ACL files both brokers of a bridge test share."""

    server_cert: Path
    server_key: Path
    passwd: Path
    acl: Path


@dataclass
class Bridged:
    out: Path
    hospital: ProductionBroker
    unit: ProductionBroker
    link: TcpProxy


@pytest.fixture
def bridged(tmp_path: Path) -> Iterator[Bridged]:
    h_tls, h_plain, u_tls, u_plain = free_ports(4)
    ca, out = tmp_path / "ca", tmp_path / "site"
    assert main(["provision", "ca", "--out", str(ca), "--broker-ip", "127.0.0.1"]) == 0
    common = ["--ca", str(ca), "--out", str(out)]
    unit_ids = ["--site", "general", "--unit", "icu-3"]
    bed = ["--broker-url", f"mqtts://127.0.0.1:{u_tls}", "--bed", "12", "--inputs", "touch"]
    assert main(["provision", "bed", *common, *unit_ids, *bed]) == 0
    station = ["--broker-url", f"mqtts://127.0.0.1:{h_tls}", "--name", "desk"]
    assert main(["provision", "station", *common, *unit_ids, *station]) == 0
    link = TcpProxy(h_tls).start()  # the network between the unit and the hospital
    bridge_dir = out / "devices" / "bridge-general-icu-3"
    bridge = ["--hospital-broker", f"127.0.0.1:{link.port}", "--install-dir", str(bridge_dir)]
    assert main(["provision", "bridge", *common, *unit_ids, *bridge]) == 0
    # A nurse console at the hospital side: its own user (client ids are bound to usernames,
    # so it must not log in as the station), with the console rights of deploy/mosquitto/acl.
    console = out / "broker" / "acl.d" / "console-general-icu-3.acl"
    console.write_text(
        "user console-general-icu-3\n"
        "topic read beckon/v1/general/icu-3/#\n"
        "topic write beckon/v1/general/icu-3/command\n"
    )
    pv.assemble_acl(out)
    pv.set_broker_password(out / "broker" / "passwd", "console-general-icu-3", "console-pw")
    files: BrokerFiles = {
        "server_cert": ca / pv.SERVER_CERT,
        "server_key": ca / pv.SERVER_KEY,
        "passwd": out / "broker" / "passwd",
        "acl": out / "broker" / "acl",
    }
    hospital = production_broker(tmp_path / "hospital", ports=(h_tls, h_plain), **files)
    unit = production_broker(
        tmp_path / "unit",
        ports=(u_tls, u_plain),
        extra=(bridge_dir / "bridge.conf").read_text(),
        **files,
    )
    try:
        hospital.start()
        unit.start()
        yield Bridged(out, hospital, unit, link)
    finally:
        unit.stop()
        hospital.stop()
        link.stop()


@pytest.mark.mqtt
def test_a_bed_on_the_unit_broker_is_answered_by_a_station_on_the_hospital_broker(
    bridged: Bridged, tmp_path: Path
) -> None:
    bed_dir = bridged.out / "devices" / "bed-general-icu-3-12"
    station_dir = bridged.out / "devices" / "station-general-icu-3"
    station = StationService(
        load_station(
            station_dir / "station.toml",
            installed(station_dir) | {"station.database": str(tmp_path / "station.sqlite3")},
            env={},
        )
    )
    received: list[str] = []
    station.listeners.append(
        lambda e: (
            received.append(e.view.id)
            if isinstance(e, RequestChanged) and e.change == "received"
            else None
        )
    )
    bedside = BedsideService(
        load_bedside(
            bed_dir / "bedside.toml",
            installed(bed_dir) | {"bedside.outbox": str(tmp_path / "outbox.sqlite3")},
            env={},
        )
    )
    events: list[BedsideEvent] = []
    bedside.listeners.append(events.append)

    def state_of(request_id: str) -> str | None:
        states = [
            e.state for e in events if isinstance(e, StateChanged) and e.request_id == request_id
        ]
        return states[-1] if states else None

    def saved(intent: str) -> str:
        ids = [e.request_id for e in events if isinstance(e, RequestSaved) and e.intent == intent]
        return ids[0] if ids else ""

    def logs() -> str:
        return bridged.unit.log_text() + bridged.hospital.log_text()

    with Background(station.run, "station"), Background(bedside.run, "bedside"):
        assert station.ready.wait(15), logs()
        assert wait(lambda: bedside.link is not None and bedside.link.connected), logs()
        # The station's presence crossed the bridge: the bed knows someone answers.
        assert wait(lambda: bedside.station_online is True, 30), logs()

        bedside.post(Submit("water", "touch"))
        assert wait(lambda: saved("water") != "")
        first = saved("water")
        assert wait(lambda: state_of(first) == "received", 30), (events, logs())
        assert wait(lambda: bedside.waiting == 0)

        # Cut the link between unit and hospital.
        bridged.link.cut()
        bedside.post(Submit("nurse", "touch"))
        assert wait(lambda: saved("nurse") != "")
        second = saved("nurse")
        assert not wait(lambda: state_of(second) == "received", 4)
        # The unit keeps working: the bed is still connected to its broker, and the request
        # waits (on the tablet's disk and in the unit broker's queue for the bridge).
        assert bedside.link is not None and bedside.link.connected
        assert bedside.waiting >= 1
        assert received == [first]
        # Meanwhile a nurse at the hospital side acknowledges the first call.
        console = replace(
            station.settings.broker,
            username="console-general-icu-3",
            password="console-pw",
            password_file="",
        )
        with StationClient(console, "general", "icu-3") as nurse:
            done = nurse.send("acknowledge", first, "Kim")
            assert done is not None and done.state == "acknowledged"
        assert not wait(lambda: state_of(first) == "acknowledged", 2)

        # The link returns: the bridge reconnects by itself and the request gets through.
        bridged.link.restore()
        assert wait(lambda: state_of(second) == "received", 60), (events, logs())
        # ... and what the station said while the link was down reaches the bed too.
        assert wait(lambda: state_of(first) == "acknowledged", 30), (events, logs())
        assert wait(lambda: bedside.waiting == 0)
    # Each request reached the station exactly once (re-sends are recognised by id).
    assert sorted(received) == sorted([first, second])
    assert station.dropped == 0


def _directives(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_shipped_bridge_example_is_what_provision_writes() -> None:
    spec = pv.BridgeSpec("general", "icu-3", "mqtt.hospital.example:8883")
    made = pv.bridge_config(spec, "THE-BRIDGE-PASSWORD", "/etc/mosquitto/certs/ca.crt")
    shipped = _directives(BRIDGE_EXAMPLE.read_text(encoding="utf-8").splitlines())
    assert shipped == made
    hospital = _directives(HOSPITAL_ACL_EXAMPLE.read_text(encoding="utf-8").splitlines())
    assert hospital == pv.bridge_acl(spec)
    # The bridge carries exactly the unit's subtree, in both directions, at QoS 1.
    assert f"topic {p.Topics.unit('general', 'icu-3', '#')} both 1" in made
    assert {"cleansession false", "local_cleansession false", "try_private true"} <= set(made)


@pytest.mark.mqtt
def test_a_bridge_with_its_own_client_certificate_reaches_a_broker_that_requires_one(
    tmp_path: Path,
) -> None:
    """`provision bridge` made no client certificate, so a unit broker could not bridge to a
    hospital broker with client certificates on (deployment.md, "Client certificates")."""
    import time

    h_tls, h_plain, u_tls, u_plain = free_ports(4)
    ca, out = tmp_path / "ca", tmp_path / "site"
    assert main(["provision", "ca", "--out", str(ca), "--broker-ip", "127.0.0.1"]) == 0
    bridge_dir = out / "devices" / "bridge-general-icu-3"
    bridge = [
        *["--ca", str(ca), "--out", str(out), "--site", "general", "--unit", "icu-3"],
        *["--hospital-broker", f"127.0.0.1:{h_tls}", "--install-dir", str(bridge_dir)],
        "--client-cert",
    ]
    assert main(["provision", "bridge", *bridge]) == 0
    stanza = (bridge_dir / "bridge.conf").read_text()
    assert f"bridge_certfile {bridge_dir / pv.BRIDGE_CERT}" in stanza
    assert f"bridge_keyfile {bridge_dir / pv.BRIDGE_KEY}" in stanza
    files: BrokerFiles = {
        "server_cert": ca / pv.SERVER_CERT,
        "server_key": ca / pv.SERVER_KEY,
        "passwd": out / "broker" / "passwd",
        "acl": out / "broker" / "acl",
    }
    hospital = production_broker(
        tmp_path / "hospital", ports=(h_tls, h_plain), client_ca=ca / pv.CA_CERT, **files
    )
    unit = production_broker(tmp_path / "unit", ports=(u_tls, u_plain), extra=stanza, **files)
    try:
        hospital.start()
        unit.start()
        wanted = "u'bridge-general-icu-3'"  # Mosquitto's log of an accepted connection
        deadline = time.monotonic() + 30
        while wanted not in hospital.log_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert wanted in hospital.log_text(), unit.log_text() + hospital.log_text()
    finally:
        unit.stop()
        hospital.stop()
