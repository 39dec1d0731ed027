"""A loopback proxy that makes a real Mosquitto look like a broker of MQTT 3.1.1 only (an
older Mosquitto, the demo's amqtt): it answers an MQTT 5 CONNECT with the 3.1.1 CONNACK "0x01
unacceptable protocol version", as such a broker does, and carries 3.1.1 ones through. A
link's fallback to 3.1.1 is negotiation, which must not wait like a refusal."""

from __future__ import annotations

import contextlib
import socket
import time

from tests.helpers.client_cut import ConnectProxy, connect_level

UNACCEPTABLE_VERSION = b"\x20\x02\x00\x01"
"""A 3.1.1 CONNACK, return code 1: the broker does not speak the client's protocol level."""


class Mqtt311OnlyProxy(ConnectProxy):
    """Forwards 127.0.0.1:``port`` to ``target_port`` for 3.1.1 clients. ``connects``: each
    CONNECT's time (``time.monotonic()``) and protocol level, in order."""

    def __init__(self, target_port: int) -> None:
        super().__init__(target_port)
        self.connects: list[tuple[float, int]] = []

    def start(self) -> Mqtt311OnlyProxy:
        super().start()
        return self

    def _connected(self, client: socket.socket, upstream: socket.socket, first: bytes) -> None:
        try:
            level = connect_level(first)
        except IndexError:
            self._close(client, upstream)
            return
        with self._lock:
            self.connects.append((time.monotonic(), level))
        if level != 5:
            super()._connected(client, upstream, first)
            return
        with contextlib.suppress(OSError):
            client.sendall(UNACCEPTABLE_VERSION)
        self._close(client, upstream)
