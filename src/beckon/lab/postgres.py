"""A throwaway PostgreSQL server from Debian's packages, on a loopback port.

Shared by the hospital tests (their ``postgres`` fixture) and ``beckon bench load --postgres``:
initdb and pg_ctl into a temporary folder, run as the ``postgres`` user when this process is
root (PostgreSQL refuses to run as root), trust authentication on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from beckon.errors import BeckonError
from beckon.messaging.broker import free_port


@dataclass
class Postgres:
    """A running throwaway server; ``stop()`` it and remove ``folder`` when done."""

    folder: Path
    port: int
    bindir: Path
    user: str | None  # run its tools as this user (PostgreSQL refuses to run as root)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://beckon@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: {done.stdout} {done.stderr}")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = f"t{time.monotonic_ns()}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def start_postgres(durable: bool = False) -> Postgres:
    """Start a server. ``durable=False`` (tests) turns fsync and synchronous commit off for
    speed; a benchmark compared with SQLite's synchronous=FULL passes ``durable=True`` so a
    stored request is on disk at commit, as in production."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise BeckonError(
            "PostgreSQL is not installed", "run scripts/setup.sh --test (apt postgresql)"
        )
    bindir = versions[-1].parent
    user = None
    folder = Path(tempfile.mkdtemp(prefix="beckon-pg-", dir="/tmp"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        user = "postgres"
        shutil.chown(folder, user)
    server = Postgres(folder, free_port(), bindir, user)
    server.run("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "beckon", "-E", "UTF8")
    options = f"-c listen_addresses=127.0.0.1 -p {server.port} -k {folder}"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    server.run(
        "pg_ctl", "-D", str(folder / "data"), "-o", options, "-l", str(folder / "log"), "-w",
        "start",
    )  # fmt: skip
    return server
