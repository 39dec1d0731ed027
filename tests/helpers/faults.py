"""Real processes for fault tests: Mosquitto with the shipped configuration (derived onto
loopback ports, with the shipped ACL and real passwords), `beckon station --headless`
processes, simulated bedside processes (``beckon.lab.simbed``: the real BedsideService and
outbox) and a TCP proxy the test can cut. Everything listens on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from beckon.config import BrokerConfig
from beckon.messaging.broker import wait_for_port
from tests.helpers.deploy import MOSQUITTO_DIR, derive_config, make_certs, run, tool
from tests.helpers.polling import wait_until
from tests.helpers.ports import free_ports

REPO = Path(__file__).resolve().parents[2]
SITE, UNIT = "general", "icu-3"
STATION_USER = "station-general-icu-3"
CONSOLE_USER = "console-general-icu-3"


def bed_user(bed: str) -> str:
    return f"{SITE}/{UNIT}/bed/{bed}"


@dataclass
class ProdBroker:
    """deploy/mosquitto/mosquitto.conf and acl, on loopback, with one user per bed."""

    folder: Path
    beds: list[str]
    persistence: bool = True
    tls_port: int = 0
    plain_port: int = 0
    ca: Path = Path()
    proc: subprocess.Popen[bytes] | None = None
    passwords: dict[str, str] = field(default_factory=dict)

    def setup(self) -> ProdBroker:
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        (self.folder / "pw").mkdir(exist_ok=True)
        self.ca, _, _ = make_certs(self.folder)
        shutil.copy(MOSQUITTO_DIR / "acl", self.folder / "acl")
        users = [STATION_USER, CONSOLE_USER, "monitor", *(bed_user(b) for b in self.beds)]
        passwd = self.folder / "passwd"
        passwd_tool = tool("mosquitto_passwd", "/usr/bin/mosquitto_passwd")
        for i, user in enumerate(users):
            self.passwords[user] = f"pw-{i}-{os.urandom(4).hex()}"
            create = ["-c"] if i == 0 else []
            run([passwd_tool, *create, "-b", str(passwd), user, self.passwords[user]])
            name = user.rsplit("/", 1)[-1] if "/" in user else user
            (self.folder / "pw" / name).write_text(self.passwords[user] + "\n")
        self.tls_port, self.plain_port = free_ports(2)
        text = derive_config(self.folder, self.tls_port, self.plain_port)
        if not self.persistence:
            assert "\npersistence true\n" in text
            text = text.replace("\npersistence true\n", "\npersistence false\n")
        (self.folder / "mosquitto.conf").write_text(text)
        return self

    @property
    def url(self) -> str:
        """The shipped loopback listener: same users, ACL and client-id binding as TLS."""
        return f"mqtt://127.0.0.1:{self.plain_port}"

    @property
    def password_dir(self) -> Path:
        return self.folder / "pw"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [tool("mosquitto", "/usr/sbin/mosquitto"), "-c", str(self.folder / "mosquitto.conf")],
            stdout=(self.folder / "stdout.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        if not (wait_for_port(self.plain_port, 10) and wait_for_port(self.tls_port, 10)):
            pytest.fail(f"mosquitto did not start: {self.log()[-2000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)

    def log(self) -> str:
        path = self.folder / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""


def station_toml(broker: ProdBroker, folder: Path, name: str = "desk", db: Path | None = None,
                 user: str = STATION_USER) -> Path:  # fmt: skip
    db = db or folder / f"station-{name}.sqlite3"
    path = folder / f"station-{name}.toml"
    path.write_text(
        f'[station]\nsite = "{SITE}"\nunits = ["{UNIT}"]\nname = "{name}"\n'
        f'database = "{db}"\n'
        f'[broker]\nurl = "{broker.url}"\nusername = "{user}"\n'
        f'password_file = "{broker.password_dir / user}"\nkeepalive = 15\n'
    )
    return path


@dataclass
class Proc:
    """A child process whose stdout/stderr go to files (never a pipe that could fill up)."""

    popen: subprocess.Popen[bytes]
    out: Path
    err: Path

    def lines(self) -> list[dict[str, str]]:
        found = []
        for line in self.out.read_text(errors="replace").splitlines():
            try:
                found.append(json.loads(line))
            except ValueError:
                continue
        return found

    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.popen.returncode


def spawn(args: list[str], folder: Path, tag: str, env: dict[str, str] | None = None) -> Proc:
    out, err = folder / f"{tag}.out", folder / f"{tag}.err"
    popen = subprocess.Popen(
        [sys.executable, *args],
        stdout=out.open("wb"),
        stderr=err.open("wb"),
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )
    return Proc(popen, out, err)


def start_station(config: Path, folder: Path, tag: str = "station") -> Proc:
    return spawn(["-m", "beckon", "station", "--headless", "--config", str(config)], folder, tag)


def start_serving_station(
    config: Path, folder: Path, procs: list[Proc], tag: str = "station"
) -> Proc:
    """A station process, put in ``procs`` (the fixture kills it whatever happens), once it
    says it is serving; the tail of its log is the failure message when it does not in 30 s."""
    station = start_station(config, folder, tag)
    procs.append(station)
    assert wait_until(lambda: serving(station), 30), station.stderr()[-3000:]
    return station


def station_with_one_call(broker: ProdBroker, folder: Path, procs: list[Proc],
                          tag: str = "station") -> tuple[Proc, Path, str]:  # fmt: skip
    """A serving station (``station_toml``'s config) that has stored one call, made by a
    simulated bed 1: the station, its database and the call's id."""
    station = start_serving_station(station_toml(broker, folder), folder, procs, tag)
    procs.append(start_beds(broker, folder, ["1"], "beds", "--requests", "1"))
    db = folder / "station-desk.sqlite3"
    assert wait_until(lambda: len(stored(db)) == 1, 30), (stored(db), station.stderr()[-3000:])
    return station, db, stored(db)[0][0]


def console_login(broker: ProdBroker) -> BrokerConfig:
    """The unit's console user on ``broker``: what a nurse's window logs in as."""
    return BrokerConfig(
        url=broker.url,
        username=CONSOLE_USER,
        password_file=str(broker.password_dir / CONSOLE_USER),
    )


def console_cli(broker: ProdBroker, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`beckon station ARGS` as a nurse's console runs it: the station's config, the console
    user's login (the station's own would throw the running service off)."""
    return subprocess.run(
        [sys.executable, "-m", "beckon", "station", "--config", str(config),
         "--user", CONSOLE_USER, "--password-file", str(broker.password_dir / CONSOLE_USER),
         *args],
        capture_output=True, text=True, timeout=60, cwd=REPO,
    )  # fmt: skip


def start_beds(broker: ProdBroker, folder: Path, beds: list[str], tag: str, *extra: str,
               url: str | None = None) -> Proc:  # fmt: skip
    outboxes = folder / "outboxes"
    outboxes.mkdir(exist_ok=True)
    args = [
        *("-m", "beckon.lab.simbed", "--broker", url or broker.url, "--beds", ",".join(beds)),
        *("--outbox-dir", str(outboxes), "--password-dir", str(broker.password_dir), *extra),
    ]
    return spawn(args, folder, tag)


def saved_ids(*procs: Proc) -> list[str]:
    return [e["id"] for p in procs for e in p.lines() if e["event"] == "request_saved"]


def stored(db: Path) -> list[tuple[str, str, str]]:
    """(id, priority, state) of every request in a station database, read-only."""
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return [tuple(r) for r in conn.execute("SELECT id, priority, state FROM requests")]
    except sqlite3.OperationalError:  # being created right now
        return []


def outbox_count(folder: Path) -> int:
    total = 0
    for path in (folder / "outboxes").glob("outbox-*.sqlite3"):
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
                total += conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        except sqlite3.OperationalError:  # being created right now: count it as not empty
            total += 1
    return total


class CutProxy:
    """A TCP proxy on loopback the test can cut: while cut, bytes are held back in both
    directions (like a pulled cable: no FIN, no RST), and ``heal`` lets them flow again."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                self.flowing.wait()
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.flowing.clear()

    def heal(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.closed = True
        self.flowing.set()
        self.server.close()


def serving(station: Proc, times: int = 1) -> bool:
    """The station process has said "is serving" at least ``times`` times (once per start)."""
    return station.stderr().count("is serving") >= times
