"""The production broker, started once per test module that asks for it."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest

from beckon.messaging.broker import wait_for_port
from tests.helpers.deploy import (
    MOSQUITTO_DIR,
    PASSWORDS,
    Broker,
    derive_config,
    make_certs,
    run,
    tool,
)
from tests.helpers.ports import free_ports


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    folder = tmp_path_factory.mktemp("mosquitto-prod")
    (folder / "data").mkdir()
    ca, _, _ = make_certs(folder)
    shutil.copy(MOSQUITTO_DIR / "acl", folder / "acl")
    passwd_tool = tool("mosquitto_passwd", "/usr/bin/mosquitto_passwd")
    for i, (user, password) in enumerate(PASSWORDS.items()):
        create = ["-c"] if i == 0 else []
        run([passwd_tool, *create, "-b", str(folder / "passwd"), user, password])
    tls_port, plain_port = free_ports(2)
    conf = folder / "mosquitto.conf"
    conf.write_text(derive_config(folder, tls_port, plain_port))
    log = folder / "mosquitto.log"
    proc = subprocess.Popen(
        [tool("mosquitto", "/usr/sbin/mosquitto"), "-c", str(conf)],
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
