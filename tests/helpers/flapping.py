"""A loopback proxy whose one client's connections are let through and shut moments later,
again and again (a flapping link), while every other client passes untouched.

It stands for one broker connection of a multi-unit station that keeps dropping and coming
back (a failing switch port, a broker or firewall dropping that client): each reconnect is
accepted (CONNACK, SUBACK), so unlike ``ClientCutProxy``'s refusal it starts the station's check
for a twin on that link again and again (reviews rev47s and rev47s2)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from tests.helpers.client_cut import ClientCutProxy

FLAP_TICK_S = 0.05


class FlapProxy(ClientCutProxy):
    """``ClientCutProxy`` plus ``flap_client(id, life_s)``: each connection of that client is
    shut ``life_s`` after it was let through, until ``steady_client(id)``. ``shut`` counts the
    connections shut so."""

    def __init__(self, target_port: int) -> None:
        super().__init__(target_port)
        self._flapping: dict[str, float] = {}  # client id -> life of each connection (s)
        self._born: dict[int, float] = {}  # socket id -> when first seen (monotonic)
        self._done = threading.Event()
        self.shut = 0

    def start(self) -> FlapProxy:
        super().start()
        threading.Thread(target=self._flap, daemon=True).start()
        return self

    def flap_client(self, client_id: str, life_s: float) -> None:
        with self._lock:
            self._flapping[client_id] = life_s

    def steady_client(self, client_id: str) -> None:
        with self._lock:
            self._flapping.pop(client_id, None)

    def stop(self) -> None:
        self._done.set()
        super().stop()

    def _flap(self) -> None:
        while not self._done.wait(FLAP_TICK_S):
            now = time.monotonic()
            with self._lock:
                due = [
                    (client_id, s)
                    for client_id, life_s in self._flapping.items()
                    for s in self._by_client.get(client_id, [])
                    if now - self._born.setdefault(id(s), now) >= life_s
                ]
                for client_id, s in due:
                    self._by_client[client_id].remove(s)
            for _, s in due:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            self.shut += len(due) // 2  # a connection is its client's socket and the upstream
