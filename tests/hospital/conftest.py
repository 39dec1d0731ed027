"""The hospital tests' site: made only with `beckon provision`, served by a real Mosquitto
running the shipped production config with that site's files (TLS, client certificates)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from beckon import provision as pv
from beckon.cli import main
from tests.helpers.hospital import Postgres, Site, production_broker, start_postgres
from tests.helpers.ports import free_ports


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


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One PostgreSQL server for the session (initdb and pg_ctl into a temporary folder)."""
    server = start_postgres()
    yield server
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture
def pg_url(postgres: Postgres) -> str:
    """A fresh database of its own for each test."""
    return postgres.new_database()
