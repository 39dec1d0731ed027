"""The test suite's port helper keeps pytest-xdist workers apart (tests/helpers/ports.py)."""

from __future__ import annotations

import socket

import pytest

from tests.helpers import ports


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
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    port = ports.free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port + 1))
        taken.listen()
        following = ports.free_port()
    assert following not in (port, port + 1)
