"""The hospital tests' shared setup: a site made only with `beckon provision`, and a real
Mosquitto running the shipped production config with that site's files."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from beckon import provision as pv
from beckon.cli import main
from beckon.config import BedsideSettings, StationSettings, load_bedside, load_station
from beckon.messaging.mqtt import LinkEvent

from .brokers import ProductionBroker, free_ports, production_broker


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


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A site set up only with `beckon provision`, and a broker using its files."""
    tls_port, plain_port = free_ports(2)
    url = f"mqtts://127.0.0.1:{tls_port}"
    ca, out = tmp_path / "ca", tmp_path / "site"
    assert main(["provision", "ca", "--out", str(ca), "--broker-ip", "127.0.0.1"]) == 0
    beds = tmp_path / "beds.csv"
    beds.write_text(
        "site,unit,bed,inputs\n"
        "general,icu-3,12,touch\n"
        "general,icu-3,13,touch\n"
        "general,icu-3,14,gesture;voice;touch\n"
    )
    common = ["--ca", str(ca), "--out", str(out), "--broker-url", url, "--client-cert"]
    assert main(["provision", "bed", *common, "--csv", str(beds)]) == 0
    station = ["--site", "general", "--unit", "icu-3", "--name", "desk"]
    assert main(["provision", "station", *common, *station]) == 0
    broker = production_broker(
        tmp_path / "broker",
        server_cert=ca / pv.SERVER_CERT,
        server_key=ca / pv.SERVER_KEY,
        passwd=out / "broker" / "passwd",
        acl=out / "broker" / "acl",  # only the provisioned lines, not the shipped patterns
        client_ca=ca / pv.CA_CERT,
        ports=(tls_port, plain_port),
    )
    broker.start()
    yield Site(ca, out, broker)
    broker.stop()


def wait(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not check():
        time.sleep(0.05)
    return check()


def events_until(events: queue.Queue[LinkEvent], kind: str, timeout: float) -> list[LinkEvent]:
    seen: list[LinkEvent] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event = events.get(timeout=0.1)
        except queue.Empty:
            continue
        seen.append(event)
        if event.kind == kind:
            break
    return seen
