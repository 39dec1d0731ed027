"""`beckon provision`: the CA, device folders and broker files it writes work, as they are,
against a real Mosquitto running the shipped production config (TLS, client certificates on,
passwords and ACL from the provisioned files only)."""

from __future__ import annotations

import dataclasses
import ssl
from pathlib import Path

import pytest
from cryptography import x509

from beckon import provision as pv
from beckon.background import Background
from beckon.bedside.events import BedsideEvent, Fault, StateChanged
from beckon.bedside.service import BedsideService, Submit
from beckon.errors import BeckonError, ConfigError
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import MqttLink, PublishRefused
from beckon.station.service import StationService
from tests.helpers.hospital import Site, bed_settings, events_until, station_settings, wait

REPO = Path(__file__).resolve().parents[2]


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
        assert wait(
            lambda: any(isinstance(e, StateChanged) and e.state == "received" for e in events)
        ), (
            events,
            site.broker.log_text(),
        )
        assert wait(lambda: bedside.waiting == 0)
        assert wait(lambda: bedside.station_online is True)
    assert station.dropped == 0
    assert [e for e in events if isinstance(e, Fault)] == []


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
            seen = events_until(link.events, PublishRefused, 10)
            assert seen and isinstance(seen[-1], PublishRefused), (topic, seen)
            assert seen[-1].topic == topic
        # Its own request topic is granted: no refusal comes back for it.
        assert link.publish(own.topic("cancel"), b"{}")
        assert link.publish(other.topic("cancel"), b"{}")
        refused = events_until(link.events, PublishRefused, 10)
        refused_topics = [e.topic for e in refused if isinstance(e, PublishRefused)]
        assert refused_topics == [other.topic("cancel")]
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


@pytest.mark.mqtt
def test_a_client_certificate_says_the_site_ca_signed_the_device_not_which_device(
    site: Site, tmp_path: Path
) -> None:
    """docs/deployment.md, "Client certificates": the password stays the client's identity
    (``use_identity_as_username false``, as shipped), and the broker does not compare the
    certificate's subject with it. Bed 12's login with bed 13's certificate gets in, and the
    ACL treats it as bed 12."""
    own = bed_settings(site, "12", tmp_path).broker
    other = bed_settings(site, "13", tmp_path).broker
    assert own.cert_file != other.cert_file
    mixed = dataclasses.replace(own, cert_file=other.cert_file, key_file=other.key_file)
    link = MqttLink(mixed, "beckon-bed.general.icu-3.12", [])
    try:
        assert link.start(15), site.broker.log_text()
        bed12 = p.BedAddress("general", "icu-3", "12")
        bed13 = p.BedAddress("general", "icu-3", "13")
        assert link.publish(bed12.topic("cancel"), b"{}")
        assert link.publish(bed13.topic("cancel"), b"{}")
        refused = events_until(link.events, PublishRefused, 10)
        assert [e.topic for e in refused if isinstance(e, PublishRefused)] == [
            bed13.topic("cancel")
        ]
    finally:
        link.stop()


@pytest.mark.mqtt
def test_a_revoked_bed_stays_out_after_the_next_bed_is_provisioned(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A password deleted by hand on the broker came back with the next ``broker/passwd``
    made for another bed, and the lost tablet reconnected by itself."""
    import shutil

    from beckon.cli import main
    from beckon.config import load_bedside
    from tests.helpers.hospital import installed

    tablet = tmp_path / "tablet-13"  # what the lost tablet still holds
    shutil.copytree(site.device("bed-general-icu-3-13"), tablet)
    lost = load_bedside(tablet / "bedside.toml", installed(tablet), env={})
    user = lost.broker.username
    assert main(["provision", "revoke", "--out", str(site.out), "bed-general-icu-3-13"]) == 0
    assert f"{user} revoked" in capsys.readouterr().out
    common = ["--ca", str(site.ca), "--out", str(site.out), "--broker-url", lost.broker.url]
    bed17 = ["--site", "general", "--unit", "icu-3", "--bed", "17", "--client-cert"]
    assert main(["provision", "bed", *common, *bed17]) == 0
    for name in ("passwd", "acl"):
        text = (site.out / "broker" / name).read_text()
        assert user not in text and "bed/17" in text, name
    assert not site.device("bed-general-icu-3-13").exists()
    assert [x.name[:20] for x in (site.out / "revoked").iterdir()] == ["bed-general-icu-3-13"]
    site.broker.stop()  # the files installed and the broker reloaded
    site.broker.start()
    link = MqttLink(lost.broker, "beckon-bed.general.icu-3.13", [])
    try:
        assert not link.start(4), "the revoked tablet is refused"
    finally:
        link.stop()
    with pytest.raises(ConfigError, match="no device 'bed-general-icu-3-99'"):
        pv.revoke(site.out, "bed-general-icu-3-99")


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
    with pytest.raises(ConfigError, match=r"broker\.url") as err:
        pv.provision_bed(pv.BedSpec("general", "icu-3", "1"), tmp_path / "s", ca, "http://x")
    assert "the bedside.toml to be written would be refused" in str(err.value)
    assert "--broker-url" in str(err.value)
    assert not (tmp_path / "s" / "broker" / "passwd").exists()
    # Nothing is left to be copied to a tablet by mistake: no config, no device folder.
    assert not (tmp_path / "s" / "devices" / "bed-general-icu-3-1").exists()
    with pytest.raises(ConfigError, match=r"station\.toml to be written would be refused"):
        pv.provision_station(pv.StationSpec("general", "icu-3"), tmp_path / "s", ca, "http://x")
    assert list((tmp_path / "s" / "devices").iterdir()) == []


def test_a_standby_station_gets_its_own_user_and_another_name_never_rewrites_the_first(
    tmp_path: Path,
) -> None:
    """``provision station --name desk2`` rewrote the first station's folder (name = "desk2",
    the same user): copied again, it renamed the first station."""
    ca, out = tmp_path / "ca", tmp_path / "site"
    pv.make_ca(ca)
    url = "mqtts://mqtt.hospital.example:8883"
    first = pv.provision_station(pv.StationSpec("general", "icu-3", "desk"), out, ca, url)
    with pytest.raises(ConfigError, match="is the station 'desk'") as err:
        pv.provision_station(pv.StationSpec("general", "icu-3", "desk2"), out, ca, url)
    assert "--standby" in str(err.value)
    assert 'name = "desk"' in first.config.read_text()
    standby = pv.StationSpec("general", "icu-3", "desk2", standby=True)
    second = pv.provision_station(standby, out, ca, url)
    assert second.username == "station-general-icu-3-desk2" != first.username
    assert second.config.parent.name == "station-general-icu-3-desk2"
    passwd = (out / "broker" / "passwd").read_text()
    acl = (out / "broker" / "acl").read_text()
    for user in (first.username, second.username):
        assert f"{user}:" in passwd and f"user {user}\n" in acl


@pytest.mark.mqtt
def test_a_provisioned_console_lists_the_unit_but_cannot_answer_beds(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """deployment.md has nurses' PCs and console commands log in as console-SITE-UNIT; the
    site's provisioned ACL alone (no shipped patterns) must let it see the station."""
    from beckon.cli import main
    from tests.helpers.hospital import installed

    made = pv.provision_console(pv.ConsoleSpec("general", "icu-3"), site.out, site.ca)
    assert made.config.name == "console-password" and made.new_password
    site.broker.stop()  # Mosquitto reads its password file and ACL at start (or on SIGHUP)
    site.broker.start()
    station_dir = site.device("station-general-icu-3")
    for key, value in installed(station_dir).items():
        monkeypatch.setenv("BECKON_" + key.upper().replace(".", "_"), value)
    station = StationService(station_settings(site, tmp_path))
    with Background(station.run, "station"):
        assert station.ready.wait(15), site.broker.log_text()
        console = ["--user", made.username, "--password-file", str(made.config)]
        code = main(["station", "--config", str(station_dir / "station.toml"), *console, "list"])
        out = capsys.readouterr()
        assert code == 0, out.err
        assert "no open requests" in out.out
    broker = dataclasses.replace(
        station_settings(site, tmp_path).broker,
        username=made.username,
        password_file=str(made.config),
    )
    link = MqttLink(broker, made.username, [])
    try:
        assert link.start(15), site.broker.log_text()
        receipt = p.BedAddress("general", "icu-3", "12").topic("receipt")
        assert link.publish(receipt, b"{}")
        seen = events_until(link.events, PublishRefused, 10)
        assert seen and isinstance(seen[-1], PublishRefused) and seen[-1].topic == receipt
    finally:
        link.stop()


@pytest.mark.mqtt
def test_two_nurse_pcs_with_named_console_users_stay_connected_side_by_side(
    site: Site, tmp_path: Path
) -> None:
    """The broker ties client ids to usernames: two windows logged in as the one console user
    threw each other off every second. ``provision console --name`` makes one user per PC."""
    import time

    from beckon.messaging.mqtt import Disconnected

    desks = [
        pv.provision_console(pv.ConsoleSpec("general", "icu-3", name), site.out, site.ca)
        for name in ("desk1", "desk2")
    ]
    assert [d.username for d in desks] == [
        "console-general-icu-3-desk1",
        "console-general-icu-3-desk2",
    ]
    assert desks[0].config.parent != desks[1].config.parent
    with pytest.raises(ConfigError, match="not usable in a username"):
        pv.provision_console(pv.ConsoleSpec("general", "icu-3", "desk 3"), site.out, site.ca)
    site.broker.stop()
    site.broker.start()
    base = station_settings(site, tmp_path).broker
    links = [
        MqttLink(
            dataclasses.replace(base, username=d.username, password_file=str(d.config)),
            d.username,
            [p.Topics.unit("general", "icu-3", "queue")],
        )
        for d in desks
    ]
    try:
        for link in links:
            assert link.start(15), site.broker.log_text()
        time.sleep(3.0)
        for link in links:
            assert link.connected
            assert not any(
                isinstance(e, Disconnected) for e in events_until(link.events, Disconnected, 0.5)
            )
    finally:
        for link in links:
            link.stop()


@pytest.mark.parametrize(
    "make",
    [
        lambda out: pv.provision_console(pv.ConsoleSpec("a/b", "icu"), out, out),
        lambda out: pv.provision_console(pv.ConsoleSpec("gh", "u+1"), out, out),
        lambda out: pv.provision_bridge(pv.BridgeSpec("gh", "icu#", "hq:8883"), out, out),
        lambda out: pv.provision_station(pv.StationSpec("gh", "icu/2"), out, out, "mqtt://b"),
    ],
    ids=["console-site", "console-unit", "bridge-unit", "station-unit"],
)
def test_a_name_that_cannot_be_a_topic_level_is_refused_before_anything_is_written(
    make: object, tmp_path: Path
) -> None:
    """`--site a/b --unit u+1` made console-a/b-u+1, nested folders and no ACL lines at all,
    and said nothing: the name check called there checked nothing."""
    assert callable(make)
    with pytest.raises(ConfigError, match="is not usable in topics"):
        make(tmp_path)
    assert list(tmp_path.iterdir()) == []
