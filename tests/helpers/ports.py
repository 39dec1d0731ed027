"""Loopback ports for the brokers, proxies and servers the tests start.

``beckon.messaging.broker.free_port`` asks the kernel for an ephemeral port and releases it.
That is fine for one demo, but under pytest-xdist two workers can be handed the same port a
moment apart (or a client's outgoing connection can take it), and a test then talks to the
other worker's Mosquitto. So each worker takes ports from its own block below the kernel's
ephemeral range (32768 and up on Linux), and checks each one is free before using it.

Another test run on the same machine (a second checkout, the lead's run beside a helper's, two
CI jobs on one host) has the same blocks. A free port is also reserved: a lock on a file named
after it (:data:`RESERVED`), held until the test that took it has ended (``release_ports``,
from tests/conftest.py). A port is free only when nothing listens on it *and* no other test
process holds it: a test that stopped its broker "as after an outage" restarted it on a port
another run had meanwhile taken; the new Mosquitto failed ("Address already in use") and the
test read the other run's broker, which had none of its retained messages.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import socket
import tempfile
import threading
from pathlib import Path

_FIRST = 20000
_BLOCK = 1500  # ports per worker: gw0 20000-21499, gw1 21500-22999, ... (the main run: gw-less)
_lock = threading.Lock()
_counter = itertools.count()
RESERVED = Path(tempfile.gettempdir()) / "beckon-test-ports"
"""One lock file per port a test process holds; the kernel drops a lock when its process ends
(a killed worker leaves none behind), so the files are never cleaned up and need not be."""
_held: dict[int, int] = {}  # port -> the open lock file that reserves it


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


def _reserve(port: int) -> bool:
    """Lock ``port``'s file for this process; False if another test process holds it."""
    RESERVED.mkdir(exist_ok=True)
    with contextlib.suppress(OSError):  # made by another user: as it is
        RESERVED.chmod(0o1777)  # every user's runs share it, as /tmp
    try:
        fd = os.open(RESERVED / f"{port}.lock", os.O_RDONLY | os.O_CREAT, 0o444)
    except OSError:  # no lock file can be made here: as before, the port's listener decides
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    _held[port] = fd
    return True


def _release(port: int) -> None:
    fd = _held.pop(port, None)
    if fd is not None:
        os.close(fd)  # closing the file drops its lock


def release_ports() -> None:
    """Give back every port this process took: its test has ended and stopped what used them."""
    with _lock:
        for port in list(_held):
            _release(port)


def free_port() -> int:
    """A loopback port nothing listens on and no other test process holds, from this worker's
    own block; reserved for this process until ``release_ports``."""
    base = _FIRST + _BLOCK * (_worker_index() % 8)
    with _lock:
        for _ in range(_BLOCK):
            port = base + next(_counter) % _BLOCK
            if port in _held or not _reserve(port):
                continue
            if _is_free(port):
                return port
            _release(port)  # something else (not a test run) listens there
    raise RuntimeError(f"no free loopback port in {base}-{base + _BLOCK - 1}")


def free_ports(count: int) -> list[int]:
    """``count`` different free ports."""
    return [free_port() for _ in range(count)]
