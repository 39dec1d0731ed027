"""Helpers for the hospital tests (tests/hospital): real Mosquitto brokers running the shipped
production config, a cuttable loopback link between two brokers, and a site made only with
`beckon provision`.

deploy/mosquitto/mosquitto.conf names files under /etc and /var, so each broker here runs a
derived copy (``tests.helpers.deploy.derive_config``, which the ACL and fault tests' brokers
use too): the same directives with the listeners moved to free loopback ports and the
certificate, password, ACL, persistence and log paths swapped for the given ones. Every swapped
directive must exist in the original, so a renamed setting fails there instead of passing
unnoticed. Optionally the commented client-certificate lines are switched on, and extra lines
(a bridge) are appended.
"""

from __future__ import annotations

import contextlib
import queue
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from beckon import provision as pv
from beckon.config import BedsideSettings, StationSettings, load_bedside, load_station
from beckon.errors import BeckonError
from beckon.lab.postgres import Postgres
from beckon.lab.postgres import start_postgres as lab_start_postgres
from beckon.messaging.broker import wait_for_port
from beckon.messaging.mqtt import LinkEvent
from tests.helpers.deploy import derive_config, tool
from tests.helpers.polling import wait_until
from tests.helpers.ports import free_port, free_ports


@dataclass
class ProductionBroker:
    folder: Path
    tls_port: int
    plain_port: int
    conf: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def tls_url(self) -> str:
        return f"mqtts://127.0.0.1:{self.tls_port}"

    @property
    def plain_url(self) -> str:
        return f"mqtt://127.0.0.1:{self.plain_port}"

    def log_text(self) -> str:
        parts = []
        for name in ("stdout.log", "mosquitto.log"):
            path = self.folder / name
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)[-3000:]

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [tool("mosquitto", "/usr/sbin/mosquitto"), "-c", str(self.conf)],
            stdout=(self.folder / "stdout.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        # Wait on the plain listener only: a bare TCP connect to the TLS port leaves an OpenSSL
        # error that Mosquitto 2.0.11 may later pin on another TLS connection (seen killing a
        # bridge, which then never came back). Both listeners open together at start-up.
        if not wait_for_port(self.plain_port, 10):
            self.stop()
            pytest.fail(f"mosquitto did not start with the derived config: {self.log_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:  # a wedged broker must not outlive the test
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None


def production_broker(
    folder: Path,
    *,
    server_cert: Path,
    server_key: Path,
    passwd: Path,
    acl: Path,
    client_ca: Path | None = None,
    extra: str = "",
    ports: tuple[int, int] | None = None,
) -> ProductionBroker:
    """A derived production broker, not yet started (``start()`` it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    if ports is None:
        tls_port, plain_port = free_ports(2)
        ports = (tls_port, plain_port)
    conf = folder / "mosquitto.conf"
    conf.write_text(
        derive_config(
            folder,
            *ports,
            server_cert=server_cert,
            server_key=server_key,
            passwd=passwd,
            acl=acl,
            client_ca=client_ca,
            extra=extra,
        )
    )
    return ProductionBroker(folder, ports[0], ports[1], conf)


class TcpProxy:
    """A loopback TCP forwarder standing for the network between two sites: ``cut()`` drops
    every connection and refuses new ones (as a cut cable would, seen from both ends), and
    ``restore()`` lets connections through again on the same port."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._open = False
        self.accepted = 0
        """Connections let through to the target so far (a client's reconnects count)."""

    def start(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        with self._lock:
            self._listener = listener
            self._open = True
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self._refuses():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if not self._open:
                    client.close()
                    upstream.close()
                    return
                self._sockets += [client, upstream]
                self.accepted += 1
            self._forward(client, upstream)

    def _refuses(self) -> bool:
        """Whether a new connection is turned away at once (never, here; a subclass's outage)."""
        return False

    def _forward(self, client: socket.socket, upstream: socket.socket) -> None:
        """Start carrying bytes both ways (a subclass may hold some back)."""
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        """Carry ``src``'s bytes to ``dst`` until either closes, then close both (``_close``)."""
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._close(src, dst)

    def _close(self, *sockets: socket.socket) -> None:
        """Shut the sockets down (a subclass may leave one open: a cut on one side only)."""
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self._lock:
            self._open = False
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, []
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave it
            # accepting (and dropping) connections, which is not what a cut cable does.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def restore(self) -> None:
        self.start()

    def stop(self) -> None:
        self.cut()


# ---------------------------------------------------------------- a provisioned site


@dataclass
class Site:
    ca: Path
    out: Path
    broker: ProductionBroker

    def device(self, name: str) -> Path:
        return self.out / "devices" / name


def installed(folder: Path) -> dict[str, str]:
    """The overrides that stand for copying a device folder to /etc/beckon."""
    keys = {
        "broker.password_file": pv.PASSWORD_FILE,
        "broker.ca_file": pv.CA_CERT,
    }
    if (folder / pv.CLIENT_CERT).exists():
        keys |= {"broker.cert_file": pv.CLIENT_CERT, "broker.key_file": pv.CLIENT_KEY}
    return {key: str(folder / name) for key, name in keys.items()}


def bed_settings(site: Site, bed: str, tmp: Path) -> BedsideSettings:
    folder = site.device(f"bed-general-icu-3-{bed}")
    overrides = installed(folder) | {"bedside.outbox": str(tmp / f"outbox-{bed}.sqlite3")}
    return load_bedside(folder / "bedside.toml", overrides, env={})


def station_settings(site: Site, tmp: Path) -> StationSettings:
    folder = site.device("station-general-icu-3")
    overrides = installed(folder) | {"station.database": str(tmp / "station.sqlite3")}
    return load_station(folder / "station.toml", overrides, env={})


def wait(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    return wait_until(check, timeout)


def events_until(events: queue.Queue[LinkEvent], kind: type, timeout: float) -> list[LinkEvent]:
    seen: list[LinkEvent] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event = events.get(timeout=0.1)
        except queue.Empty:
            continue
        seen.append(event)
        if isinstance(event, kind):
            break
    return seen


# ---------------------------------------------------------------- a real PostgreSQL


def start_postgres() -> Postgres:
    """The shared throwaway server (beckon.lab.postgres), failing the test with the fix when
    PostgreSQL is not installed."""
    try:
        return lab_start_postgres()
    except BeckonError as exc:
        pytest.fail(f"{exc.message}; {exc.hint}")


def station_process(
    beckon_cmd: list[str],
    folder: Path,
    name: str,
    url: str,
    store: str,
    env: dict[str, str] | None = None,
    lock_wait_s: float | None = None,
) -> subprocess.Popen[bytes]:
    """A real ``beckon station --headless`` for gh/icu named ``name`` on the PostgreSQL
    ``store``; its config is ``folder/NAME.toml`` and its output ``folder/NAME.log``. With
    ``lock_wait_s``, a second service started from that config gives up on the first's lock
    after that long instead of the shipped 45 s (``station.lock_wait_s``)."""
    config = folder / f"{name}.toml"
    wait = "" if lock_wait_s is None else f"lock_wait_s = {lock_wait_s}\n"
    config.write_text(
        f'[station]\nsite = "gh"\nunits = ["icu"]\nname = "{name}"\nstore = "{store}"\n{wait}'
        f'[broker]\nurl = "{url}"\nkeepalive = 5\n'
    )
    return subprocess.Popen(
        [*beckon_cmd, "station", "--headless", "--config", str(config)],
        env=env,
        stdout=(folder / f"{name}.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
