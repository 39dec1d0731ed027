"""A real Mosquitto that refuses every client (anonymous access off, no users): what a broker
whose password file or ACL does not admit a device answers, a CONNACK refusal with its reason
code ("Not authorized"). A ``ClientCutProxy`` route sends one unit's connection to it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from beckon.messaging.broker import wait_for_port
from tests.helpers.broker_user import unprivileged_user
from tests.helpers.deploy import tool
from tests.helpers.ports import free_port


@contextmanager
def refusing_mosquitto(folder: Path) -> Iterator[int]:
    """Its port, while it runs (nothing kept: no persistence)."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    conf, log = folder / "refusing.conf", folder / "refusing.log"
    user = unprivileged_user()
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous false\nlog_dest stdout\n"
        + (f"user {user}\n" if user else "")
    )
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [tool("mosquitto", "/usr/sbin/mosquitto"), "-c", str(conf)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        if not wait_for_port(port, 10):
            raise RuntimeError(f"the refusing mosquitto did not start: {log.read_text()}")
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
