"""A real Mosquitto with only a TLS listener, its certificate from a throwaway CA
(``make_certs``): a station given another CA's file does not trust it, what
``describe_tls_failure`` tells apart from a broker that does not answer."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from beckon.messaging.broker import wait_for_port
from tests.helpers.broker_user import unprivileged_user
from tests.helpers.deploy import make_certs, tool
from tests.helpers.ports import free_port


@contextmanager
def tls_mosquitto(folder: Path) -> Iterator[int]:
    """Its TLS port, while it runs (anonymous clients admitted, nothing kept)."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    # Mosquitto reads its certificates after dropping to its unprivileged user, who cannot
    # enter pytest's private tmp_path: they go in a folder of their own that it can read.
    certs = Path(tempfile.mkdtemp(prefix="beckon-tls-"))
    certs.chmod(0o755)
    ca, crt, key = make_certs(certs)
    for made in certs.iterdir():
        made.chmod(0o644)
    conf, log = folder / "tls.conf", folder / "tls.log"
    user = unprivileged_user()
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\nlog_dest stdout\n"
        f"cafile {ca}\ncertfile {crt}\nkeyfile {key}\n" + (f"user {user}\n" if user else "")
    )
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [tool("mosquitto", "/usr/sbin/mosquitto"), "-c", str(conf)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        if not wait_for_port(port, 10):
            raise RuntimeError(f"the TLS mosquitto did not start: {log.read_text()}")
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(certs, ignore_errors=True)
