"""A real Mosquitto with only a TLS listener, its certificate from a throwaway CA
(``make_certs``): a station given another CA's file does not trust it, what
``describe_tls_failure`` tells apart from a broker that does not answer."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.conf_mosquitto import mosquitto_with
from tests.helpers.deploy import make_certs


@contextmanager
def tls_certs() -> Iterator[tuple[Path, Path, Path]]:
    """A throwaway CA's file and a broker certificate and key it signed, in a folder of their
    own that Mosquitto can read (it reads them after dropping to its unprivileged user, who
    cannot enter pytest's private tmp_path)."""
    certs = Path(tempfile.mkdtemp(prefix="beckon-tls-"))
    try:
        certs.chmod(0o755)
        ca, crt, key = make_certs(certs)
        for made in certs.iterdir():
            made.chmod(0o644)
        yield ca, crt, key
    finally:
        shutil.rmtree(certs, ignore_errors=True)


@contextmanager
def tls_mosquitto(
    folder: Path, certs: tuple[Path, Path, Path] | None = None, port: int | None = None
) -> Iterator[int]:
    """Its TLS port, while it runs (anonymous clients admitted, nothing kept): with
    ``certs`` (``tls_certs``) and ``port``, a broker restarted with another CA's certificate
    on the port of one before (a certificate rotation)."""
    with contextlib.ExitStack() as stack:
        ca, crt, key = certs or stack.enter_context(tls_certs())
        settings = f"allow_anonymous true\ncafile {ca}\ncertfile {crt}\nkeyfile {key}\n"
        yield stack.enter_context(mosquitto_with(folder, "tls", settings, port))
