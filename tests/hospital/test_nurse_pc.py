"""A nurse's PC as docs/deployment.md section 9 sets it up: the station's config, and only the
console user's own files beside it (never the station service's password or key), against a
real Mosquitto running the shipped config with client certificates required."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from beckon import provision as pv
from tests.helpers.hospital import Site


def _nurse_pc(
    site: Site, tmp_path: Path, name: str, client_cert: bool = False
) -> tuple[Path, pv.Provisioned]:
    """A PC's /etc/beckon: the station's station.toml, and the console user's files; the
    broker restarted to read the new user."""
    spec = pv.ConsoleSpec("general", "icu-3", name)
    made = pv.provision_console(spec, site.out, site.ca, client_cert=client_cert)
    site.broker.stop()  # Mosquitto reads its password file and ACL at start (or on SIGHUP)
    site.broker.start()
    etc = tmp_path / f"pc-{name}"
    etc.mkdir()
    station = site.device("station-general-icu-3")
    config = etc / "station.toml"
    # The provisioned config names /etc/beckon; on this "PC" it is etc. The station's
    # mqtt-password and client key are not there, as on a real nurse's PC.
    config.write_text((station / "station.toml").read_text().replace("/etc/beckon", str(etc)))
    for item in made.folder.iterdir():
        (etc / item.name).write_bytes(item.read_bytes())
    return config, made


def logged_in(site: Site, window: subprocess.Popen[bytes], username: str, log: Path) -> float:
    """Assert the window logged in to the broker as ``username`` (Mosquitto logs each
    connection with its user) within 60 s and still runs; returns that 60 s deadline."""
    wanted = f"u'{username}'"
    deadline = time.monotonic() + 60
    while wanted not in site.broker.log_text() and time.monotonic() < deadline:
        if window.poll() is not None:
            break
        time.sleep(0.2)
    assert wanted in site.broker.log_text(), (window.poll(), log.read_text())
    assert window.poll() is None, log.read_text()
    return deadline


@pytest.mark.mqtt
def test_the_nurse_window_starts_with_only_the_console_users_files(
    site: Site, tmp_path: Path, beckon_cmd: list[str]
) -> None:
    """The window checked the station's own password file before applying --password-file,
    so on a nurse's PC, set up as documented, it exited 78 naming a file it would not use."""
    config, made = _nurse_pc(site, tmp_path, "desk1")
    station = site.device("station-general-icu-3")
    assert not (config.parent / pv.PASSWORD_FILE).exists()
    log = tmp_path / "window.log"
    env = os.environ | {
        "QT_QPA_PLATFORM": "offscreen",
        # This broker requires a client certificate: the station's stands in for the PC's own
        # here (the next test gives the PC its own).
        "BECKON_BROKER_CERT_FILE": str(station / pv.CLIENT_CERT),
        "BECKON_BROKER_KEY_FILE": str(station / pv.CLIENT_KEY),
    }
    login = ["--user", made.username, "--password-file", str(made.config)]
    window = subprocess.Popen(
        [*beckon_cmd, "station", "--no-sound", "--config", str(config), *login],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = logged_in(site, window, made.username, log)
        # Its own log names the user too, not only the client id the broker replaces.
        named = f"as {made.username} (client beckon-window-"
        while named not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert named in log.read_text()
    finally:
        window.terminate()
        window.wait(30)


@pytest.mark.mqtt
def test_the_console_logs_in_with_its_own_client_certificate(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where the broker requires client certificates a console had only a password: a nurse's
    PC needed a copy of the station service's key. ``provision console --client-cert`` makes
    console.crt and console.key, and --cert-file and --key-file use them."""
    from beckon.background import Background
    from beckon.cli import main
    from beckon.station.service import StationService
    from tests.helpers.hospital import station_settings

    name = ["--site", "general", "--unit", "icu-3", "--name", "desk2"]
    common = ["--ca", str(site.ca), "--out", str(site.out)]
    assert main(["provision", "console", *common, *name, "--client-cert"]) == 0
    assert "--cert-file /etc/beckon/console.crt" in capsys.readouterr().out
    first = (site.device("console-general-icu-3-desk2") / pv.CONSOLE_CERT).read_bytes()
    config, made = _nurse_pc(site, tmp_path, "desk2", client_cert=True)  # again: keeps its files
    assert made.client_cert and not made.new_password
    etc = config.parent
    assert (etc / pv.CONSOLE_CERT).read_bytes() == first
    assert not (etc / pv.CLIENT_KEY).exists()  # no copy of the station's key on this PC
    station = StationService(station_settings(site, tmp_path))
    login = ["--user", made.username, "--password-file", str(made.config)]
    with Background(station.run, "station"):
        assert station.ready.wait(15), site.broker.log_text()
        # The station's config names a client.crt this PC does not have: said with its flag.
        code = main(["station", "--config", str(config), *login, "list"])
        assert code == 78, capsys.readouterr().err
        assert "client.crt" in capsys.readouterr().err
        certs = ["--cert-file", str(etc / pv.CONSOLE_CERT), "--key-file", str(etc / "nokey")]
        assert main(["station", "--config", str(config), *login, *certs, "list"]) == 2
        assert "--key-file" in capsys.readouterr().err
        certs[-1] = str(etc / pv.CONSOLE_KEY)
        code = main(["station", "--config", str(config), *login, *certs, "list"])
        out = capsys.readouterr()
        assert code == 0, out.err
        assert "no open requests" in out.out


@pytest.mark.mqtt
def test_a_missing_client_certificate_is_said_as_such(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With TLS 1.3 the broker refuses a missing client certificate only after the client's
    handshake is done, and the console said "cannot reach the MQTT broker ... check the broker
    is running": it was running, and wanted a certificate."""
    from beckon.cli import main

    config, made = _nurse_pc(site, tmp_path, "desk3")
    monkeypatch.setenv("BECKON_BROKER_CERT_FILE", "")  # a PC set up with a password only
    monkeypatch.setenv("BECKON_BROKER_KEY_FILE", "")
    login = ["--user", made.username, "--password-file", str(made.config)]
    assert main(["station", "--config", str(config), *login, "list"]) == 2
    err = capsys.readouterr().err
    assert "requires a client certificate" in err, err
    assert "--cert-file" in err
    assert "cannot reach" not in err


@pytest.mark.mqtt
def test_the_nurse_window_units_command_logs_in_as_the_pcs_console_user(
    site: Site, tmp_path: Path
) -> None:
    """deploy/systemd/beckon-station-window.service runs the window with the PC's console.env
    (from `provision console --name PC --client-cert`) and nothing else: run its ExecStart with
    that environment, /etc/beckon being this PC's folder, as systemd would."""
    from tests.helpers.systemd import systemd_unit

    config, made = _nurse_pc(site, tmp_path, "desk4", client_cert=True)
    etc = config.parent
    unit = systemd_unit("beckon-station-window.service")
    (env_file,) = unit["EnvironmentFile"]
    assert env_file == "/etc/beckon/console.env"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for line in (etc / pv.CONSOLE_ENV).read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value.replace("/etc/beckon", str(etc))
    assert env["BECKON_BROKER_CERT_FILE"] == str(etc / pv.CONSOLE_CERT)
    (exec_start,) = unit["ExecStart"]
    command = exec_start.replace("/etc/beckon", str(etc)).split()
    assert command[0] == "/opt/beckon/venv/bin/beckon"
    command[:1] = [sys.executable, "-m", "beckon"]
    log = tmp_path / "window.log"
    window = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        logged_in(site, window, made.username, log)
    finally:
        window.terminate()
        window.wait(30)


def test_provision_says_how_to_install_the_broker_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """provision writes the broker's key, passwd and acl 0600 for the admin; installed like
    that Mosquitto (which reads them as user mosquitto) did not start, and nothing said so."""
    from beckon.cli import main

    ca, out = tmp_path / "ca", tmp_path / "site"
    assert main(["provision", "ca", "--out", str(ca), "--broker-ip", "127.0.0.1"]) == 0
    assert "group mosquitto, mode 0640" in capsys.readouterr().out
    name = ["--site", "general", "--unit", "icu-3"]
    assert main(["provision", "console", "--ca", str(ca), "--out", str(out), *name]) == 0
    said = capsys.readouterr().out
    assert "/etc/mosquitto/passwd" in said and "group mosquitto, mode 0640" in said


@pytest.mark.mqtt
def test_the_doctor_names_a_missing_client_certificate(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The doctor said the broker "closed the connection before accepting it" and guessed at
    client certificates; TLS 1.3 tells which it was, so the doctor now says it."""
    from beckon.cli import main
    from tests.helpers.hospital import installed

    station = site.device("station-general-icu-3")
    for key, value in installed(station).items():
        monkeypatch.setenv("BECKON_" + key.upper().replace(".", "_"), value)
    monkeypatch.setenv("BECKON_BROKER_CERT_FILE", "")
    monkeypatch.setenv("BECKON_BROKER_KEY_FILE", "")
    config = station / "station.toml"
    assert main(["doctor", "station", "--config", str(config), "--listen", "0"]) == 1
    out = capsys.readouterr().out
    assert "the broker requires a client certificate and none was accepted" in out, out
    assert "cert_file and key_file" in out
