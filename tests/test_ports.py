"""The test suite's port helper keeps pytest-xdist workers, and test runs on one machine,
apart (tests/helpers/ports.py)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.helpers import ports

REPO = Path(__file__).resolve().parents[1]


def _ephemeral_low() -> int:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        return int(f.read().split()[0])


def test_two_workers_never_get_the_same_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    first = set(ports.free_ports(20))
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    second = set(ports.free_ports(20))
    assert len(first) == 20 and len(second) == 20
    assert not first & second
    # and none of them is a port the kernel hands out to outgoing connections
    assert max(first | second) < _ephemeral_low()


def test_a_port_in_use_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test takes the port after the one it was given. Another test run on the machine
    (a second CI clone, session 51) may hold that one already: then it asks again rather
    than fail on its own set-up."""
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    for _ in range(20):
        port = ports.free_port()
        with socket.socket() as taken:
            try:
                taken.bind(("127.0.0.1", port + 1))
            except OSError:
                continue  # held by another run: not this test's case
            taken.listen()
            following = ports.free_port()
        assert following not in (port, port + 1)
        return
    pytest.fail("every port after a free one was held by another test run")


def test_a_port_another_test_run_took_is_passed_over_while_its_broker_is_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another test run on the machine has the same blocks. It took a port and stopped its
    broker there for a restart: nothing listens, yet the port is not free for this run (the
    restarted broker found it taken and the test read this run's broker instead)."""
    import itertools
    import subprocess
    import sys

    env = {**os.environ, "PYTEST_XDIST_WORKER": "gw5"}
    other = subprocess.Popen(
        [sys.executable, "-c", "from tests.helpers import ports; print(ports.free_port(), "
         "flush=True); input()"],
        cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert other.stdout is not None
        taken = int(other.stdout.readline())
        monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw5")
        monkeypatch.setattr(ports, "_counter", itertools.count())  # where the other began
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", taken))  # nothing listens there
        assert ports.free_port() != taken
    finally:
        other.communicate("\n", timeout=30)
    ports.release_ports()
    monkeypatch.setattr(ports, "_counter", itertools.count())
    assert ports.free_port() == taken, "the other run ended: its port is free again"
