"""`beckon provision`: the CA, device folders and broker files it writes work, as they are,
against a real Mosquitto running the shipped production config (TLS, client certificates on,
passwords and ACL from the provisioned files only)."""

from __future__ import annotations

import dataclasses
import queue
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509

from beckon import provision as pv
from beckon.background import Background
from beckon.bedside.service import BedsideEvent, BedsideService, Submit
from beckon.cli import main
from beckon.config import BedsideSettings, StationSettings, load_bedside, load_station
from beckon.errors import BeckonError, ConfigError
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import LinkEvent, MqttLink
from beckon.station.service import StationService

from .brokers import ProductionBroker, free_ports, production_broker

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Site:
    ca: Path
    out: Path
    broker: ProductionBroker

    def device(self, name: str) -> Path:
        return self.out / "devices" / name


def installed(folder: Path) -> dict[str, str]:
    """The overrides that stand for copying a device folder to /etc/beckon."""
    keys = {
        "broker.password_file": pv.PASSWORD_FILE,
        "broker.ca_file": pv.CA_CERT,
    }
    if (folder / pv.CLIENT_CERT).exists():
        keys |= {"broker.cert_file": pv.CLIENT_CERT, "broker.key_file": pv.CLIENT_KEY}
    return {key: str(folder / name) for key, name in keys.items()}


def bed_settings(site: Site, bed: str, tmp: Path) -> BedsideSettings:
    folder = site.device(f"bed-general-icu-3-{bed}")
    overrides = installed(folder) | {"bedside.outbox": str(tmp / f"outbox-{bed}.sqlite3")}
    return load_bedside(folder / "bedside.toml", overrides, env={})


def station_settings(site: Site, tmp: Path) -> StationSettings:
    folder = site.device("station-general-icu-3")
    overrides = installed(folder) | {"station.database": str(tmp / "station.sqlite3")}
    return load_station(folder / "station.toml", overrides, env={})


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A site set up only with `beckon provision`, and a broker using its files."""
    tls_port, plain_port = free_ports(2)
    url = f"mqtts://127.0.0.1:{tls_port}"
    ca, out = tmp_path / "ca", tmp_path / "site"
    assert main(["provision", "ca", "--out", str(ca), "--broker-ip", "127.0.0.1"]) == 0
    beds = tmp_path / "beds.csv"
    beds.write_text("site,unit,bed,inputs\ngeneral,icu-3,12,touch\ngeneral,icu-3,13,touch\n")
    common = ["--ca", str(ca), "--out", str(out), "--broker-url", url, "--client-cert"]
    assert main(["provision", "bed", *common, "--csv", str(beds)]) == 0
    station = ["--site", "general", "--unit", "icu-3", "--name", "desk"]
    assert main(["provision", "station", *common, *station]) == 0
    broker = production_broker(
        tmp_path / "broker",
        server_cert=ca / pv.SERVER_CERT,
        server_key=ca / pv.SERVER_KEY,
        passwd=out / "broker" / "passwd",
        acl=out / "broker" / "acl",  # only the provisioned lines, not the shipped patterns
        client_ca=ca / pv.CA_CERT,
        ports=(tls_port, plain_port),
    )
    broker.start()
    yield Site(ca, out, broker)
    broker.stop()


def wait(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not check():
        time.sleep(0.05)
    return check()


def events_until(events: queue.Queue[LinkEvent], kind: str, timeout: float) -> list[LinkEvent]:
    seen: list[LinkEvent] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event = events.get(timeout=0.1)
        except queue.Empty:
            continue
        seen.append(event)
        if event.kind == kind:
            break
    return seen


# ---------------------------------------------------------------- against a real broker


@pytest.mark.mqtt
def test_a_provisioned_bed_and_station_carry_a_request_through_tls_certs_and_acl(
    site: Site, tmp_path: Path
) -> None:
    station = StationService(station_settings(site, tmp_path))
    bedside = BedsideService(bed_settings(site, "12", tmp_path))
    events: list[BedsideEvent] = []
    bedside.listeners.append(events.append)
    with Background(station.run, "station"), Background(bedside.run, "bedside"):
        assert station.ready.wait(15), site.broker.log_text()
        assert wait(lambda: bedside.link is not None and bedside.link.connected)
        bedside.post(Submit("water", "touch"))
        assert wait(lambda: any(e.kind == "state" and e.state == "received" for e in events)), (
            [(e.kind, e.state, e.detail) for e in events],
            site.broker.log_text(),
        )
        assert wait(lambda: bedside.waiting == 0)
        assert wait(lambda: bedside.station_online is True)
    assert station.dropped == 0
    assert [e for e in events if e.kind == "fault"] == []


@pytest.mark.mqtt
def test_a_provisioned_bed_may_publish_only_to_its_own_topics(site: Site, tmp_path: Path) -> None:
    settings = bed_settings(site, "12", tmp_path)
    link = MqttLink(settings.broker, "beckon-bed.general.icu-3.12", [])
    try:
        assert link.start(15), site.broker.log_text()
        own = p.BedAddress("general", "icu-3", "12")
        other = p.BedAddress("general", "icu-3", "13")
        for topic in (
            other.topic("request"),
            own.topic("receipt"),
            p.Topics.unit("general", "icu-3", "command"),
            "beckon/v1/general/icu-4/bed/12/request",
        ):
            assert link.publish(topic, b"{}")
            seen = events_until(link.events, "publish_refused", 10)
            assert seen and seen[-1].kind == "publish_refused", (topic, seen)
            assert seen[-1].topic == topic
        # Its own request topic is granted: no refusal comes back for it.
        assert link.publish(own.topic("cancel"), b"{}")
        assert link.publish(other.topic("cancel"), b"{}")
        refused = events_until(link.events, "publish_refused", 10)
        assert [e.topic for e in refused if e.kind == "publish_refused"] == [other.topic("cancel")]
    finally:
        link.stop()


@pytest.mark.mqtt
def test_the_broker_refuses_a_bed_without_its_client_certificate_or_password(
    site: Site, tmp_path: Path
) -> None:
    settings = bed_settings(site, "12", tmp_path)
    no_cert = dataclasses.replace(settings.broker, cert_file="", key_file="")
    wrong_pw = tmp_path / "wrong"
    wrong_pw.write_text("not-the-password\n")
    other_password = dataclasses.replace(settings.broker, password_file=str(wrong_pw))
    for broker in (no_cert, other_password):
        link = MqttLink(broker, "beckon-bed.general.icu-3.12", [])
        try:
            assert not link.start(4), broker
        finally:
            link.stop()


# ---------------------------------------------------------------- files, without a broker


def test_the_ca_signs_client_certificates_named_after_the_username(tmp_path: Path) -> None:
    ca = tmp_path / "ca"
    pv.make_ca(ca, broker_names=["mqtt.hospital.example"])
    site = tmp_path / "site"
    spec = pv.BedSpec("general", "icu-3", "7")
    done = pv.provision_bed(spec, site, ca, "mqtts://mqtt.hospital.example", client_cert=True)
    cert = x509.load_pem_x509_certificate((done.folder / pv.CLIENT_CERT).read_bytes())
    ca_cert = x509.load_pem_x509_certificate((ca / pv.CA_CERT).read_bytes())
    cert.verify_directly_issued_by(ca_cert)
    cn = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    assert cn == "general/icu-3/bed/7"
    server = x509.load_pem_x509_certificate((ca / pv.SERVER_CERT).read_bytes())
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["mqtt.hospital.example"]
    # Python's own TLS stack accepts the CA as a trust anchor.
    ssl.create_default_context(cafile=str(ca / pv.CA_CERT))
    for secret in (ca / pv.CA_KEY, done.folder / pv.CLIENT_KEY, done.folder / pv.PASSWORD_FILE):
        assert secret.stat().st_mode & 0o077 == 0, secret
    with pytest.raises(BeckonError, match="already holds a CA"):
        pv.make_ca(ca)


def test_running_again_keeps_passwords_unless_renewed(tmp_path: Path) -> None:
    ca = tmp_path / "ca"
    pv.make_ca(ca)
    site = tmp_path / "site"
    spec = pv.BedSpec("general", "icu-3", "7")
    first = pv.provision_bed(spec, site, ca, "mqtts://b:8883")
    password = (first.folder / pv.PASSWORD_FILE).read_text()
    again = pv.provision_bed(spec, site, ca, "mqtts://b:8883")
    assert not again.new_password
    assert (first.folder / pv.PASSWORD_FILE).read_text() == password
    renewed = pv.provision_bed(spec, site, ca, "mqtts://b:8883", renew=True)
    assert renewed.new_password
    assert (first.folder / pv.PASSWORD_FILE).read_text() != password
    passwd_lines = (site / "broker" / "passwd").read_text().splitlines()
    assert [line.split(":")[0] for line in passwd_lines] == ["general/icu-3/bed/7"]
    assert (site / "broker" / "acl").read_text().count("user general/icu-3/bed/7") == 1


def test_the_station_block_is_the_one_the_shipped_acl_shows() -> None:
    shipped = (REPO / "deploy" / "mosquitto" / "acl").read_text().splitlines()
    start = shipped.index("user station-general-icu-3")
    block = []
    for line in shipped[start:]:
        if not line.strip():
            break
        block.append(line)
    assert pv.station_acl(pv.StationSpec("general", "icu-3")) == block


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("site,unit\ngeneral,icu-3\n", "missing \\['bed'\\]"),
        ("site,unit,bed,colour\n", "unknown \\['colour'\\]"),
        ("site,unit,bed\ngeneral,icu 3,1\n", "line 2: unit 'icu 3'"),
        ("site,unit,bed\ngeneral,icu-3,1\ngeneral,icu-3,1\n", "line 3: bed .* already on line 2"),
        ("site,unit,bed,inputs\ngeneral,icu-3,1,blink\n", "line 2: input 'blink'"),
        ("site,unit,bed\n", "no beds listed"),
    ],
)
def test_a_bad_csv_names_the_line_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "beds.csv"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        pv.read_beds_csv(path)


def test_a_bad_broker_url_is_refused_before_any_secret_is_written(tmp_path: Path) -> None:
    ca = tmp_path / "ca"
    pv.make_ca(ca)
    with pytest.raises(ConfigError, match=r"broker\.url"):
        pv.provision_bed(pv.BedSpec("general", "icu-3", "1"), tmp_path / "s", ca, "http://x")
    assert not (tmp_path / "s" / "broker" / "passwd").exists()
