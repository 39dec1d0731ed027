"""A real Mosquitto on a free local port with a few settings of a test's own: the start,
wait and stop that the refusing and the TLS brokers share."""

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
def mosquitto_with(
    folder: Path, name: str, settings: str, port: int | None = None
) -> Iterator[int]:
    """Its port (``port``, else a free one: a broker restarted on the port of one before),
    while it runs: ``settings`` are lines added to its listener's (nothing kept, no
    persistence; its log is ``folder/NAME.log``)."""
    with mosquitto_process(folder, name, settings, port) as (port, _):
        yield port


@contextmanager
def mosquitto_process(
    folder: Path, name: str, settings: str, port: int | None = None
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """``mosquitto_with``, and its process too: a test sends it SIGHUP to reload its password
    file, as IT does once they have mended it."""
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    conf, log = folder / f"{name}.conf", folder / f"{name}.log"
    user = unprivileged_user()
    conf.write_text(
        f"listener {port} 127.0.0.1\nlog_dest stdout\n{settings}"
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
            raise RuntimeError(f"the {name} mosquitto did not start: {log.read_text()}")
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(10)
