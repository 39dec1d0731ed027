"""Loopback ports for the brokers, proxies and servers the tests start.

``beckon.messaging.broker.free_port`` asks the kernel for an ephemeral port and releases it.
That is fine for one demo, but under pytest-xdist two workers can be handed the same port a
moment apart (or a client's outgoing connection can take it), and a test then talks to the
other worker's Mosquitto. So each worker takes ports from its own block below the kernel's
ephemeral range (32768 and up on Linux), and checks each one is free before using it.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading

_FIRST = 20000
_BLOCK = 1500  # ports per worker: gw0 20000-21499, gw1 21500-22999, ... (the main run: gw-less)
_lock = threading.Lock()
_counter = itertools.count()


def _worker_index() -> int:
    """0 for pytest-xdist's gw0 (and for a run without xdist), 1 for gw1, and so on."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = name.removeprefix("gw")
    return int(digits) if digits.isdigit() else 0


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nothing listens on, from this worker's own block."""
    base = _FIRST + _BLOCK * (_worker_index() % 8)
    with _lock:
        for _ in range(_BLOCK):
            port = base + next(_counter) % _BLOCK
            if _is_free(port):
                return port
    raise RuntimeError(f"no free loopback port in {base}-{base + _BLOCK - 1}")


def free_ports(count: int) -> list[int]:
    """``count`` different free ports."""
    return [free_port() for _ in range(count)]
