"""A nurse's PC as docs/deployment.md section 9 sets it up: the station's config, and only the
console user's own files beside it (never the station service's password or key), against a
real Mosquitto running the shipped config with client certificates required."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from beckon import provision as pv
from tests.helpers.hospital import Site


def _nurse_pc(site: Site, tmp_path: Path, name: str) -> tuple[Path, pv.Provisioned]:
    """A PC's /etc/beckon: the station's station.toml and ca.crt, and the console user's files;
    the broker restarted to read the new user."""
    made = pv.provision_console(pv.ConsoleSpec("general", "icu-3", name), site.out, site.ca)
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
        # here (test_the_console_logs_in_with_its_own_client_certificate gives it its own).
        "BECKON_BROKER_CERT_FILE": str(station / pv.CLIENT_CERT),
        "BECKON_BROKER_KEY_FILE": str(station / pv.CLIENT_KEY),
    }
    login = ["--user", made.username, "--password-file", str(made.config)]
    window = subprocess.Popen(
        [*beckon_cmd, "station", "--no-sound", "--config", str(config), *login],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wanted = f"u'{made.username}'"  # Mosquitto's log of a connection, with its user
        deadline = time.monotonic() + 60
        while wanted not in site.broker.log_text() and time.monotonic() < deadline:
            if window.poll() is not None:
                break
            time.sleep(0.2)
        assert wanted in site.broker.log_text(), (window.poll(), log.read_text())
        assert window.poll() is None, log.read_text()
    finally:
        window.terminate()
        window.wait(30)
