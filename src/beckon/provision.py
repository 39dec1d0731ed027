"""Setting up beds and stations in one step: a site CA, broker credentials, ACL lines, configs.

Why this exists: adding a tablet by hand means a password in two places, a TOML file whose
username must spell the bed's place in the topic tree exactly, and ACL lines; one typo and the
broker silently drops the bed's calls. ``beckon provision`` derives all of them from the bed's
name, so they cannot disagree.

What it writes, under one output folder per site::

    broker/passwd            Mosquitto password file (entries added with mosquitto_passwd)
    broker/acl               every provisioned device's topic rights, ready for acl_file
    broker/acl.d/*.acl       the same, one file per device (broker/acl is rebuilt from these)
    devices/bed-S-U-B/       bedside.toml, mqtt-password, ca.crt (+ client.crt/.key)
    devices/station-S-U/     station.toml, mqtt-password, ca.crt (+ client.crt/.key)
    devices/console-S-U[-N]/ console-password, console.env, ca.crt (+ console.crt/.key)

Each device folder is copied to that machine's /etc/beckon. Running it again for a device that
already has a folder keeps its password and certificate (``renew`` makes new ones), so the
command can be re-run over a whole CSV after adding one line.

The CA (``make_ca``) is for tests and small sites without a PKI; a hospital PKI can supply
``ca.crt`` alone (and sign client certificates itself).
"""

from __future__ import annotations

import csv
import datetime as dt
import ipaddress
import json
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from beckon.config import BedsideConfig, Input, Language, load_bedside, load_station
from beckon.errors import BeckonError, ConfigError
from beckon.messaging import protocol as p

CA_CERT = "ca.crt"
CA_KEY = "ca.key"
SERVER_CERT = "server.crt"
SERVER_KEY = "server.key"
CLIENT_CERT = "client.crt"
CLIENT_KEY = "client.key"
PASSWORD_FILE = "mqtt-password"
CONSOLE_PASSWORD_FILE = "console-password"
# A console's certificate sits beside the station's client.crt on the station host, so it has
# names of its own (like console-password beside mqtt-password).
CONSOLE_CERT = "console.crt"
CONSOLE_KEY = "console.key"
# The console's login as environment variables, for deploy/systemd/beckon-station-window.service.
CONSOLE_ENV = "console.env"
DEFAULT_INSTALL_DIR = "/etc/beckon"

# The leaves each role writes and reads (docs/protocol.md); deploy/mosquitto/acl grants the same.
BED_WRITES = ("request", "cancel", "status", "answer", "nurse")
BED_READS = ("receipt", "state", "question")
STATION_BED_READS = ("request", "cancel", "status", "answer", "nurse")
STATION_BED_READWRITES = ("question", "receipt", "state")
STATION_UNIT_READWRITES = ("queue", "call/+", "stats", "command")
CONSOLE_READS = ("queue", "call/+", "stats")


# ---------------------------------------------------------------- names


def check_names(**names: str) -> None:
    """Refuse a site, unit, bed or station name that cannot be one MQTT topic level: with
    '/', '+' or '#' the user was made (console-a/b-u+1) with nested folders and no ACL lines,
    and the command said nothing."""
    for what, name in names.items():
        if not p.SEGMENT.fullmatch(name):
            raise ConfigError(f"{what} {name!r} is not usable in topics", p.SEGMENT_HELP)


@dataclass(frozen=True)
class BedSpec:
    """One bed to provision: its place and the few settings that differ between beds, each by
    default what a tablet's config defaults to."""

    site: str
    unit: str
    bed: str
    language: Language = BedsideConfig.language
    inputs: tuple[Input, ...] = BedsideConfig.inputs
    camera: str = BedsideConfig.camera

    @property
    def username(self) -> str:
        """The MQTT username IS the bed's place in the topic tree (see deploy/mosquitto/acl)."""
        return f"{self.site}/{self.unit}/bed/{self.bed}"

    @property
    def folder_name(self) -> str:
        return f"bed-{self.site}-{self.unit}-{self.bed}"


@dataclass(frozen=True)
class StationSpec:
    """One station service for one unit. ``standby``: a second station for the same unit (with
    PostgreSQL, docs/deployment.md section 13), with its own broker user and folder
    (station-SITE-UNIT-NAME); without it, a second run with another name rewrote the first
    station's folder under the same user."""

    site: str
    unit: str
    name: str = "station"
    standby: bool = False

    @property
    def username(self) -> str:
        base = f"station-{self.site}-{self.unit}"
        return f"{base}-{self.name}" if self.standby else base

    @property
    def folder_name(self) -> str:
        return self.username


CONSOLE_USER_PREFIX = "console-"
"""Console users' names start with this (deploy/mosquitto/acl gives them the console's topics)."""


@dataclass(frozen=True)
class ConsoleSpec:
    """A console user of one unit: station windows on nurses' PCs and the `beckon station
    list|ack|resolve|ask` commands, which must not log in as the station service's own user
    (the broker ties client ids to usernames and would throw the service off). ``name`` makes
    one per PC (console-SITE-UNIT-NAME): for the same reason two windows logged in as one
    console user threw each other off the broker every second, and every `list` threw off
    the window."""

    site: str
    unit: str
    name: str = ""

    @property
    def username(self) -> str:
        base = f"{CONSOLE_USER_PREFIX}{self.site}-{self.unit}"
        return f"{base}-{self.name}" if self.name else base

    @property
    def folder_name(self) -> str:
        return self.username


@dataclass(frozen=True)
class Provisioned:
    """What was written for one device."""

    username: str
    folder: Path
    config: Path
    client_cert: bool
    new_password: bool


# ---------------------------------------------------------------- certificates


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_key() -> ec.EllipticCurvePrivateKey:
    # P-256: what every TLS stack (Mosquitto's OpenSSL, Python's ssl) accepts, and fast to make.
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_private(path: Path, data: bytes) -> None:
    """Secrets are created 0600 from the start, never world-readable for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, 0o600)


def make_ca(
    folder: Path,
    common_name: str = "Beckon site CA",
    days: int = 3650,
    broker_names: Sequence[str] = (),
    broker_ips: Sequence[str] = (),
    broker_days: int = 730,
) -> Path:
    """Write ``ca.crt`` and ``ca.key`` (and, given broker names or addresses, the broker's
    ``server.crt``/``server.key`` signed by it). Refuses to overwrite an existing CA: replacing
    it would cut off every device provisioned from it."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / CA_KEY).exists() or (folder / CA_CERT).exists():
        raise BeckonError(
            f"{folder} already holds a CA ({CA_CERT}/{CA_KEY})",
            "use that one (beckon provision bed --ca ...) or choose another --out folder",
        )
    key = _new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(folder / CA_KEY, _key_pem(key))
    (folder / CA_CERT).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if broker_names or broker_ips:
        cert_pem, key_pem = issue_certificate(
            folder,
            (broker_names or broker_ips)[0],
            server=True,
            dns_names=broker_names,
            ip_addresses=broker_ips,
            days=broker_days,
        )
        (folder / SERVER_CERT).write_bytes(cert_pem)
        _write_private(folder / SERVER_KEY, key_pem)
    return folder / CA_CERT


def _load_ca(ca_dir: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey | None]:
    cert_path = ca_dir / CA_CERT
    if not cert_path.is_file():
        raise BeckonError(
            f"{cert_path} not found",
            "make a site CA with `beckon provision ca --out DIR`, or put the hospital CA's "
            "certificate there as ca.crt",
        )
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key_path = ca_dir / CA_KEY
    if not key_path.is_file():
        return cert, None
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise BeckonError(f"{key_path}: not an EC key made by `beckon provision ca`")
    return cert, key


def issue_certificate(
    ca_dir: Path,
    common_name: str,
    *,
    server: bool = False,
    dns_names: Sequence[str] = (),
    ip_addresses: Sequence[str] = (),
    days: int = 730,
) -> tuple[bytes, bytes]:
    """A certificate and key (PEM) signed by the CA in ``ca_dir``: a client certificate whose
    subject is the MQTT username, or (``server``) the broker's, valid for the given names."""
    ca_cert, ca_key = _load_ca(ca_dir)
    if ca_key is None:
        raise BeckonError(
            f"{ca_dir / CA_KEY} not found: certificates need the CA's key",
            "run this where the CA key is kept, or use passwords only (leave out --client-cert)",
        )
    key = _new_key()
    now = _now()
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    alt: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    for ip in ip_addresses:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(ip)))
        except ValueError:
            raise BeckonError(f"{ip!r} is not an IP address") from None
    if alt:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)


# ---------------------------------------------------------------- broker side


def bed_acl(spec: BedSpec) -> list[str]:
    """The bed's own topics, as an explicit user block. deploy/mosquitto/acl grants the same
    through ``%u`` patterns; the explicit block also works on a broker without them."""
    addr = p.BedAddress(spec.site, spec.unit, spec.bed)
    lines = [f"user {spec.username}"]
    lines += [f"topic write {addr.topic(leaf)}" for leaf in BED_WRITES]
    lines += [f"topic read {addr.topic(leaf)}" for leaf in BED_READS]
    lines.append(f"topic read {p.Topics.station_status(spec.site, spec.unit, '+')}")
    return lines


def station_acl(spec: StationSpec) -> list[str]:
    """The station role for one unit (the block deploy/mosquitto/acl shows for icu-3)."""
    lines = [f"user {spec.username}"]
    lines += [
        f"topic read {p.Topics.bed_filter(spec.site, spec.unit, leaf)}"
        for leaf in STATION_BED_READS
    ]
    lines += [
        f"topic readwrite {p.Topics.bed_filter(spec.site, spec.unit, leaf)}"
        for leaf in STATION_BED_READWRITES
    ]
    lines += [
        f"topic readwrite {p.Topics.unit(spec.site, spec.unit, leaf)}"
        for leaf in STATION_UNIT_READWRITES
    ]
    lines.append(f"topic readwrite {p.Topics.station_status(spec.site, spec.unit, '+')}")
    return lines


def console_acl(spec: ConsoleSpec) -> list[str]:
    """What a station window or console command reads (the unit queue, calls, stats, bed
    state and presence, the stations' presence) and the one topic it writes: commands. It
    never answers beds, so it cannot write receipts or state (deploy/mosquitto/acl)."""
    lines = [f"user {spec.username}"]
    lines += [f"topic read {p.Topics.unit(spec.site, spec.unit, leaf)}" for leaf in CONSOLE_READS]
    lines += [
        f"topic read {p.Topics.bed_filter(spec.site, spec.unit, leaf)}"
        for leaf in ("state", "status")
    ]
    lines.append(f"topic read {p.Topics.station_status(spec.site, spec.unit, '+')}")
    lines.append(f"topic write {p.Topics.unit(spec.site, spec.unit, 'command')}")
    return lines


def _mosquitto_passwd() -> str:
    found = shutil.which("mosquitto_passwd") or (
        "/usr/bin/mosquitto_passwd" if Path("/usr/bin/mosquitto_passwd").exists() else None
    )
    if not found:
        raise BeckonError(
            "mosquitto_passwd is not installed (it hashes the broker's passwords)",
            "apt-get install mosquitto (or mosquitto-clients)",
        )
    return found


def set_broker_password(passwd_file: Path, username: str, password: str) -> None:
    """Add or replace ``username`` in a Mosquitto password file, hashed by Mosquitto's own tool
    (so the hash format is always one the installed broker reads)."""
    cmd = [_mosquitto_passwd()]
    if not passwd_file.exists():
        passwd_file.parent.mkdir(parents=True, exist_ok=True)
        cmd.append("-c")
    cmd += ["-b", str(passwd_file), username, password]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise BeckonError(f"mosquitto_passwd failed for {username}: {done.stderr.strip()}")
    os.chmod(passwd_file, 0o600)


def assemble_acl(site_dir: Path) -> Path:
    """Rebuild broker/acl from broker/acl.d: re-provisioning one device replaces its block."""
    parts = sorted((site_dir / "broker" / "acl.d").glob("*.acl"))
    header = (
        "# Made by `beckon provision`: one block per provisioned device (from broker/acl.d).\n"
        "# Install as Mosquitto's acl_file, or append to the one from deploy/mosquitto/acl.\n"
    )
    text = header + "".join("\n" + part.read_text(encoding="utf-8") for part in parts)
    target = site_dir / "broker" / "acl"
    target.write_text(text, encoding="utf-8")
    return target


def revoke(site_dir: Path, device: str) -> str:
    """Take a device's broker user out of the site's files: its line in ``broker/passwd``
    and its ACL block; its folder under ``devices/`` moves to ``revoked/`` (so provisioning
    the same device again makes a new password). Returns the username. Without this, a
    password deleted by hand on the broker came back with the next install of
    ``broker/passwd`` made for another bed, and the revoked tablet reconnected."""
    part = site_dir / "broker" / "acl.d" / f"{device}.acl"
    if not part.is_file():
        known = sorted(x.stem for x in part.parent.glob("*.acl"))
        raise ConfigError(
            f"no device {device!r} provisioned in {site_dir}",
            f"give one of: {', '.join(known) or '(none)'}",
        )
    users = [
        ln[5:].strip() for ln in part.read_text("utf-8").splitlines() if ln.startswith("user ")
    ]
    if not users:
        raise ConfigError(f"{part} names no user", "re-provision the device, then revoke it")
    username = users[0]
    passwd = site_dir / "broker" / "passwd"
    if passwd.exists():
        done = subprocess.run(
            [_mosquitto_passwd(), "-D", str(passwd), username],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        if done.returncode != 0:
            raise BeckonError(f"mosquitto_passwd -D failed for {username}: {done.stderr.strip()}")
    part.unlink()
    assemble_acl(site_dir)
    folder = site_dir / "devices" / device
    if folder.is_dir():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        target = site_dir / "revoked" / f"{device}-{stamp}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(target))
    return username


def _write_acl_part(site_dir: Path, folder_name: str, lines: list[str]) -> None:
    part = site_dir / "broker" / "acl.d" / f"{folder_name}.acl"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _grant(
    site_dir: Path, folder_name: str, username: str, password_file: Path, acl: list[str]
) -> None:
    """The broker's side of a device: its user with the password in ``password_file`` (the
    device's own copy, so the two cannot differ) and its ACL block, then the whole ACL again."""
    password = password_file.read_text().strip()
    set_broker_password(site_dir / "broker" / "passwd", username, password)
    _write_acl_part(site_dir, folder_name, acl)
    assemble_acl(site_dir)


# ---------------------------------------------------------------- device side


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _broker_table(
    url: str, username: str, install_dir: str, client_cert: bool, keepalive: int
) -> list[str]:
    lines = [
        "[broker]",
        f"url = {_toml_str(url)}",
        f"username = {_toml_str(username)}",
        f"password_file = {_toml_str(f'{install_dir}/{PASSWORD_FILE}')}",
        f"ca_file = {_toml_str(f'{install_dir}/{CA_CERT}')}",
    ]
    if client_cert:
        lines.append(f"cert_file = {_toml_str(f'{install_dir}/{CLIENT_CERT}')}")
        lines.append(f"key_file = {_toml_str(f'{install_dir}/{CLIENT_KEY}')}")
    lines.append(f"keepalive = {keepalive}")
    return lines


def _device_files(
    folder: Path,
    ca_dir: Path,
    username: str,
    client_cert: bool,
    renew: bool,
    password_file: str = PASSWORD_FILE,
    cert_names: tuple[str, str] = (CLIENT_CERT, CLIENT_KEY),
) -> bool:
    """Password, CA certificate and (optionally) client certificate and key, named
    ``cert_names``, in ``folder``. Returns whether a new password was made (False: the
    existing one was kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ca_dir / CA_CERT, folder / CA_CERT)
    pw_path = folder / password_file
    new_password = renew or not pw_path.is_file()
    if new_password:
        _write_private(pw_path, (secrets.token_urlsafe(24) + "\n").encode())
    cert_name, key_name = cert_names
    if client_cert and (renew or not (folder / cert_name).is_file()):
        cert_pem, key_pem = issue_certificate(ca_dir, username)
        (folder / cert_name).write_bytes(cert_pem)
        _write_private(folder / key_name, key_pem)
    return new_password


def _header(what: str) -> list[str]:
    return [
        f"# {what}: made by `beckon provision` on {_now():%Y-%m-%d}.",
        f"# Copy this folder's files to the machine's {DEFAULT_INSTALL_DIR} (owner root, group",
        "# beckon, mode 0640), then check with `beckon config check` and `beckon doctor`.",
        "# Every other key keeps its default (see deploy/*.example.toml).",
        "",
    ]


def _write_checked(config: Path, text: str, load: Callable[..., object]) -> None:
    """Write ``config`` only if ``beckon`` will accept it (``load`` is its loader): a refused
    one leaves no file, and no new folder, behind to be copied to a device by mistake."""
    made = not config.parent.exists()
    config.parent.mkdir(parents=True, exist_ok=True)
    trial = config.with_name(config.name + ".new")
    trial.write_text(text, encoding="utf-8")
    try:
        load(trial, env={})
    except ConfigError as exc:
        trial.unlink()
        if made:
            config.parent.rmdir()
        raise ConfigError(
            f"the {config.name} to be written would be refused: "
            + exc.message.removeprefix(f"{trial}: "),
            "check --broker-url and the names given",
        ) from None
    trial.replace(config)


def provision_bed(
    spec: BedSpec,
    site_dir: Path,
    ca_dir: Path,
    broker_url: str,
    *,
    client_cert: bool = False,
    install_dir: str = DEFAULT_INSTALL_DIR,
    renew: bool = False,
    keepalive: int = 15,
) -> Provisioned:
    """Config, credentials and ACL block for one bed, checked by loading the config back."""
    p.BedAddress(spec.site, spec.unit, spec.bed)  # a clear error for a name topics cannot hold
    _load_ca(ca_dir)
    lines = [
        *_header(f"Bed {spec.bed} of {spec.site}/{spec.unit}"),
        "[bedside]",
        f"site = {_toml_str(spec.site)}",
        f"unit = {_toml_str(spec.unit)}",
        f"bed = {_toml_str(spec.bed)}",
        f"language = {_toml_str(spec.language)}",
        "inputs = [" + ", ".join(_toml_str(i) for i in spec.inputs) + "]",
        f"camera = {_toml_str(spec.camera)}",
        "",
        *_broker_table(broker_url, spec.username, install_dir, client_cert, keepalive),
    ]
    return _provision_configured(
        spec,
        site_dir,
        ca_dir,
        "bedside.toml",
        lines,
        load=load_bedside,
        acl=bed_acl(spec),
        client_cert=client_cert,
        renew=renew,
    )


def provision_station(
    spec: StationSpec,
    site_dir: Path,
    ca_dir: Path,
    broker_url: str,
    *,
    client_cert: bool = False,
    install_dir: str = DEFAULT_INSTALL_DIR,
    renew: bool = False,
) -> Provisioned:
    """Config, credentials and ACL block for a unit's station service."""
    check_names(site=spec.site, unit=spec.unit, name=spec.name)
    _load_ca(ca_dir)
    folder = site_dir / "devices" / spec.folder_name
    if (folder / "station.toml").is_file():
        kept = load_station(folder / "station.toml").station.name
        if kept != spec.name:
            raise ConfigError(
                f"{folder.name} is the station {kept!r}; another name would rewrite it",
                f"for a second station of this unit add --standby (its own user and folder), "
                f"or give --name {kept}",
            )
    lines = [
        *_header(f"Station service of {spec.site}/{spec.unit}"),
        "[station]",
        f"site = {_toml_str(spec.site)}",
        f"units = [{_toml_str(spec.unit)}]",
        f"name = {_toml_str(spec.name)}",
        "",
        *_broker_table(broker_url, spec.username, install_dir, client_cert, 30),
    ]
    return _provision_configured(
        spec,
        site_dir,
        ca_dir,
        "station.toml",
        lines,
        load=load_station,
        acl=station_acl(spec),
        client_cert=client_cert,
        renew=renew,
    )


def _provision_configured(
    spec: BedSpec | StationSpec,
    site_dir: Path,
    ca_dir: Path,
    config_name: str,
    lines: list[str],
    *,
    load: Callable[..., object],
    acl: list[str],
    client_cert: bool,
    renew: bool,
) -> Provisioned:
    """A device that runs Beckon with a config of its own (a bed, a station service): its
    config ``lines`` first, written only if ``load`` accepts them, so that a refused one
    leaves no folder, password or broker user behind; then its credentials and its user and
    ACL block on the broker."""
    folder = site_dir / "devices" / spec.folder_name
    config = folder / config_name
    _write_checked(config, "\n".join(lines) + "\n", load)
    new_password = _device_files(folder, ca_dir, spec.username, client_cert, renew)
    _grant(site_dir, spec.folder_name, spec.username, folder / PASSWORD_FILE, acl)
    return Provisioned(spec.username, folder, config, client_cert, new_password)


def provision_console(
    spec: ConsoleSpec,
    site_dir: Path,
    ca_dir: Path,
    *,
    client_cert: bool = False,
    renew: bool = False,
) -> Provisioned:
    """The unit's console user: password file, CA certificate and ACL block. Station windows
    and console commands use it with the station's own config (``--user``, ``--password-file``).
    ``client_cert``: also console.crt and console.key (``--cert-file``, ``--key-file``), for a
    broker that requires client certificates: a nurse's PC then needs no copy of the station
    service's own key."""
    check_names(site=spec.site, unit=spec.unit)
    if spec.name and not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", spec.name):
        raise ConfigError(
            f"console name {spec.name!r} is not usable in a username",
            "use letters, digits, '-' and '_' (for example desk1)",
        )
    _load_ca(ca_dir)
    folder = site_dir / "devices" / spec.folder_name
    password = folder / CONSOLE_PASSWORD_FILE  # beside the station's own mqtt-password
    new_password = _device_files(
        folder,
        ca_dir,
        spec.username,
        client_cert,
        renew,
        password.name,
        (CONSOLE_CERT, CONSOLE_KEY),
    )
    _write_console_env(folder, spec.username, client_cert or (folder / CONSOLE_CERT).is_file())
    _grant(site_dir, spec.folder_name, spec.username, password, console_acl(spec))
    return Provisioned(spec.username, folder, password, client_cert, new_password)


def _write_console_env(folder: Path, username: str, client_cert: bool) -> None:
    """console.env: the console's login as BECKON_BROKER_* variables, so that the nurse
    window's systemd unit (one file for every PC) logs in as this PC's own user."""
    lines = [
        f"# The login of {username}: EnvironmentFile of beckon-station-window.service.",
        f"BECKON_BROKER_USERNAME={username}",
        f"BECKON_BROKER_PASSWORD_FILE={DEFAULT_INSTALL_DIR}/{CONSOLE_PASSWORD_FILE}",
    ]
    if client_cert:
        lines.append(f"BECKON_BROKER_CERT_FILE={DEFAULT_INSTALL_DIR}/{CONSOLE_CERT}")
        lines.append(f"BECKON_BROKER_KEY_FILE={DEFAULT_INSTALL_DIR}/{CONSOLE_KEY}")
    (folder / CONSOLE_ENV).write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- unit-to-hospital bridge


@dataclass(frozen=True)
class BridgeSpec:
    """A unit's Mosquitto bridged to the hospital broker, carrying that unit's subtree only."""

    site: str
    unit: str
    hospital: str  # HOST:PORT of the hospital broker's TLS listener

    @property
    def username(self) -> str:
        return f"bridge-{self.site}-{self.unit}"

    @property
    def folder_name(self) -> str:
        return f"bridge-{self.site}-{self.unit}"

    @property
    def subtree(self) -> str:
        return p.Topics.unit(self.site, self.unit, "#")


BRIDGE_INSTALL_DIR = "/etc/mosquitto/certs"
BRIDGE_CERT = "bridge.crt"
BRIDGE_KEY = "bridge.key"


def bridge_acl(spec: BridgeSpec) -> list[str]:
    """On the hospital broker the bridge speaks for the whole unit (the unit broker's own ACL
    has already kept each bed to its topics)."""
    return [f"user {spec.username}", f"topic readwrite {spec.subtree}"]


def bridge_config(
    spec: BridgeSpec, password: str, cafile: str, certs: tuple[str, str] | None = None
) -> list[str]:
    """The lines to add to the unit broker's mosquitto.conf. Each choice is what Beckon's
    guarantees need across a cut between unit and hospital: QoS 1 both ways, persistent
    sessions on both sides so messages queue while the link is down (the unit broker's
    max_queued_messages applies), and no message looping back (try_private). ``certs``: the
    bridge's client certificate and key, for a hospital broker that requires one."""
    tls = [f"bridge_certfile {certs[0]}", f"bridge_keyfile {certs[1]}"] if certs else []
    return [
        f"connection beckon-{spec.site}-{spec.unit}",
        f"address {spec.hospital}",
        "bridge_protocol_version mqttv311",
        f"remote_clientid {spec.username}",
        f"remote_username {spec.username}",
        f"remote_password {password}",
        f"local_clientid {spec.username}-local",
        f"bridge_cafile {cafile}",
        *tls,
        "bridge_insecure false",
        "cleansession false",
        "local_cleansession false",
        "try_private true",
        "start_type automatic",
        "restart_timeout 2 20",
        "keepalive_interval 20",
        "notifications true",
        "notifications_local_only true",
        f"topic {spec.subtree} both 1",
    ]


def provision_bridge(
    spec: BridgeSpec,
    site_dir: Path,
    ca_dir: Path,
    *,
    install_dir: str = BRIDGE_INSTALL_DIR,
    client_cert: bool = False,
    renew: bool = False,
) -> Provisioned:
    """The unit broker's bridge stanza (with its password: Mosquitto has no password file for
    bridges, so the file is 0600), and the bridge's user and ACL block on the hospital broker.
    ``client_cert``: also bridge.crt and bridge.key, named in the stanza, for a hospital broker
    that requires client certificates (without them the bridge never connected there)."""
    host, _, port = spec.hospital.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"hospital broker {spec.hospital!r}: expected HOST:PORT")
    check_names(site=spec.site, unit=spec.unit)
    _load_ca(ca_dir)
    folder = site_dir / "devices" / spec.folder_name
    new_password = _device_files(
        folder, ca_dir, spec.username, client_cert, renew, cert_names=(BRIDGE_CERT, BRIDGE_KEY)
    )
    password = (folder / PASSWORD_FILE).read_text().strip()
    certs = (f"{install_dir}/{BRIDGE_CERT}", f"{install_dir}/{BRIDGE_KEY}")
    lines = [
        f"# Bridge of {spec.site}/{spec.unit} to the hospital broker: made by `beckon provision "
        f"bridge` on {_now():%Y-%m-%d}.",
        "# Append to the unit broker's /etc/mosquitto/mosquitto.conf, copy ca.crt to",
        f"# {install_dir}/{CA_CERT}, and restart Mosquitto (bridges are not reloaded).",
        *(
            [f"# Copy {BRIDGE_CERT} and {BRIDGE_KEY} there too (the key 0640 root:mosquitto)."]
            if client_cert
            else []
        ),
        "# Contains the bridge's password: keep it 0640 root:mosquitto.",
        *bridge_config(spec, password, f"{install_dir}/{CA_CERT}", certs if client_cert else None),
    ]
    config = folder / "bridge.conf"
    _write_private(config, ("\n".join(lines) + "\n").encode())
    _grant(site_dir, spec.folder_name, spec.username, folder / PASSWORD_FILE, bridge_acl(spec))
    return Provisioned(spec.username, folder, config, client_cert, new_password)


# ---------------------------------------------------------------- CSV


CSV_COLUMNS = ("site", "unit", "bed", "language", "inputs", "camera")
CSV_REQUIRED = ("site", "unit", "bed")


def read_beds_csv(path: Path) -> list[BedSpec]:
    """Beds from a CSV with a header line: site,unit,bed and optionally language, inputs
    (separated by ``;`` or spaces, e.g. ``gesture;voice``) and camera. Every problem names the
    line, so one bad row in a list of 200 is quick to find."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BeckonError(f"{path}: file not found") from None
    reader = csv.DictReader(text.splitlines())
    columns = tuple(c.strip() for c in reader.fieldnames or ())
    missing = [c for c in CSV_REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if missing or unknown:
        raise ConfigError(
            f"{path}: header must name site, unit, bed (and optionally language, inputs, "
            f"camera); missing {missing or 'none'}, unknown {unknown or 'none'}"
        )
    beds: list[BedSpec] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        values = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(values.values()):
            continue
        for col in CSV_REQUIRED:
            if not values.get(col):
                raise ConfigError(f"{path}, line {line}: {col} is empty")
        spec = bed_from_row(values, f"{path}, line {line}")
        if spec.username in seen:
            raise ConfigError(
                f"{path}, line {line}: bed {spec.username} already on line {seen[spec.username]}"
            )
        seen[spec.username] = line
        beds.append(spec)
    if not beds:
        raise ConfigError(f"{path}: no beds listed")
    return beds


def bed_from_row(values: dict[str, str], where: str) -> BedSpec:
    try:
        p.BedAddress(values["site"], values["unit"], values["bed"])
    except p.ProtocolError as exc:
        raise ConfigError(f"{where}: {exc} (1 to 64 letters, digits, '-' or '_')") from None
    language = values.get("language") or BedSpec.language
    if language not in ("en", "ko"):
        raise ConfigError(f"{where}: language is {language!r}; expected 'en' or 'ko'")
    raw_inputs = values.get("inputs") or " ".join(BedSpec.inputs)
    inputs = tuple(i for i in raw_inputs.replace(";", " ").split() if i)
    for i in inputs:
        if i not in ("gesture", "voice", "touch"):
            raise ConfigError(f"{where}: input {i!r}; expected gesture, voice or touch")
    return BedSpec(
        values["site"],
        values["unit"],
        values["bed"],
        cast(Language, language),
        cast(tuple[Input, ...], inputs),
        values.get("camera") or BedSpec.camera,
    )
