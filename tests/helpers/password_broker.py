"""A real Mosquitto that admits one user by its password file, which a test can change and
have the broker reload (SIGHUP), as IT mends a device's password on a hospital's broker."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.broker_user import broker_data_folder
from tests.helpers.conf_mosquitto import mosquitto_process
from tests.helpers.deploy import run, tool


@dataclass
class PasswordBroker:
    port: int
    passwd: Path
    proc: subprocess.Popen[bytes]

    def admit(self, user: str, password: str) -> None:
        """The password file admits ``user`` with ``password`` (only), reloaded at once."""
        write_password_file(self.passwd, user, password)
        self.proc.send_signal(signal.SIGHUP)


def write_password_file(passwd: Path, user: str, password: str) -> None:
    run([tool("mosquitto_passwd", "/usr/bin/mosquitto_passwd"), "-c", "-b", str(passwd), user,
         password])  # fmt: skip
    os.chmod(passwd, 0o644)  # read again on SIGHUP by the user the broker runs as


@contextmanager
def password_mosquitto(folder: Path, user: str, password: str) -> Iterator[PasswordBroker]:
    """The broker, admitting ``user`` with ``password``, no one anonymous, while it runs. The
    password file is in a folder the broker's own user can read (``broker_data_folder``):
    a root run's broker reads it again after switching user."""
    with broker_data_folder(folder) as (data, _):
        passwd = data / "passwd"
        write_password_file(passwd, user, password)
        settings = f"allow_anonymous false\npassword_file {passwd}\n"
        with mosquitto_process(folder, "password", settings) as (port, proc):
            yield PasswordBroker(port, passwd, proc)
