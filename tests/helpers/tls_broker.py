"""A real Mosquitto with only a TLS listener, its certificate from a throwaway CA
(``make_certs``): a station given another CA's file does not trust it, what
``describe_tls_failure`` tells apart from a broker that does not answer."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.conf_mosquitto import mosquitto_with
from tests.helpers.deploy import make_certs


@contextmanager
def tls_mosquitto(folder: Path) -> Iterator[int]:
    """Its TLS port, while it runs (anonymous clients admitted, nothing kept)."""
    # Mosquitto reads its certificates after dropping to its unprivileged user, who cannot
    # enter pytest's private tmp_path: they go in a folder of their own that it can read.
    certs = Path(tempfile.mkdtemp(prefix="beckon-tls-"))
    try:
        certs.chmod(0o755)
        ca, crt, key = make_certs(certs)
        for made in certs.iterdir():
            made.chmod(0o644)
        settings = f"allow_anonymous true\ncafile {ca}\ncertfile {crt}\nkeyfile {key}\n"
        with mosquitto_with(folder, "tls", settings) as port:
            yield port
    finally:
        shutil.rmtree(certs, ignore_errors=True)
