"""Real Mosquitto brokers running the shipped production config, for the hospital tests.

deploy/mosquitto/mosquitto.conf names files under /etc and /var, so each broker here runs a
derived copy: the same directives with the listeners moved to free loopback ports and the
certificate, password, ACL, persistence and log paths swapped for the given ones. Every swapped
directive must exist in the original, so a renamed setting fails here instead of passing
unnoticed. Optionally the commented client-certificate lines are switched on, and extra lines
(a bridge) are appended.
"""

from __future__ import annotations

import getpass
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from beckon.messaging.broker import free_port, wait_for_port

REPO = Path(__file__).resolve().parents[2]
PRODUCTION_CONF = REPO / "deploy" / "mosquitto" / "mosquitto.conf"


def mosquitto_binary() -> str:
    found = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if not found:
        pytest.fail("mosquitto is not installed; run scripts/setup.sh (apt-get install mosquitto)")
    return found


def derive(
    folder: Path,
    tls_port: int,
    plain_port: int,
    *,
    server_cert: Path,
    server_key: Path,
    passwd: Path,
    acl: Path,
    client_ca: Path | None = None,
    extra: str = "",
) -> str:
    swaps = {
        "listener 8883": f"listener {tls_port} 127.0.0.1",
        "listener 1883 127.0.0.1": f"listener {plain_port} 127.0.0.1",
        "certfile": f"certfile {server_cert}",
        "keyfile": f"keyfile {server_key}",
        "persistence_location": f"persistence_location {folder / 'data'}/",
        "password_file": f"password_file {passwd}",
        "acl_file": f"acl_file {acl}",
        "log_dest": f"log_dest file {folder / 'mosquitto.log'}",
        "pid_file": f"pid_file {folder / 'mosquitto.pid'}",
    }
    if client_ca is not None:
        swaps["#cafile"] = f"cafile {client_ca}"
        swaps["#require_certificate"] = "require_certificate true"
        swaps["#use_identity_as_username"] = "use_identity_as_username false"
    used: set[str] = set()
    out = []
    for line in PRODUCTION_CONF.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        for prefix, replacement in swaps.items():
            exact = prefix.startswith("listener")
            if stripped == prefix or (not exact and stripped.startswith(prefix + " ")):
                assert prefix not in used, f"{prefix} appears twice"
                used.add(prefix)
                line = replacement
                break
        out.append(line)
    assert used == set(swaps), f"not in mosquitto.conf: {sorted(set(swaps) - used)}"
    # As root Mosquitto would switch to the "mosquitto" user, who cannot read a private tmp
    # folder; as anyone else this line has no effect.
    out.append(f"user {getpass.getuser()}")
    out.append(extra)
    return "\n".join(out) + "\n"


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
            [mosquitto_binary(), "-c", str(self.conf)],
            stdout=(self.folder / "stdout.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        if not (wait_for_port(self.tls_port, 10) and wait_for_port(self.plain_port, 10)):
            self.stop()
            pytest.fail(f"mosquitto did not start with the derived config: {self.log_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
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
        tls_port = free_port()
        plain_port = free_port()
        while plain_port == tls_port:
            plain_port = free_port()
        ports = (tls_port, plain_port)
    conf = folder / "mosquitto.conf"
    conf.write_text(
        derive(
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


def free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports
