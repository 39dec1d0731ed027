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

NOT_AUTHORISED_5 = b"\x20\x03\x00\x87\x00"
"""An MQTT 5 CONNACK, reason code 0x87 (not authorised): a broker whose authentication differs
by protocol, refusing MQTT 5 and accepting 3.1.1."""

HANG_UP = b""
"""No answer: the proxy just closes an MQTT 5 CONNECT, as the demo's amqtt does."""


class Mqtt311OnlyProxy(ConnectProxy):
    """Forwards 127.0.0.1:``port`` to ``target_port`` for 3.1.1 clients. ``connects``: each
    CONNECT's time (``time.monotonic()``) and protocol level, in order. ``mqtt5``: what an
    MQTT 5 CONNECT is answered with before the close (``UNACCEPTABLE_VERSION``,
    ``NOT_AUTHORISED_5``, ``HANG_UP``), or None to carry it through too (counting only)."""

    def __init__(self, target_port: int, mqtt5: bytes | None = UNACCEPTABLE_VERSION) -> None:
        super().__init__(target_port)
        self.connects: list[tuple[float, int]] = []
        self._mqtt5 = mqtt5

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
        if level != 5 or self._mqtt5 is None:
            super()._connected(client, upstream, first)
            return
        with contextlib.suppress(OSError):
            client.sendall(self._mqtt5)
            if self._mqtt5:
                time.sleep(0.05)  # the answer read before the close
        self._close(client, upstream)

    @property
    def levels(self) -> list[int]:
        """Each CONNECT's protocol level (5 or 4: 3.1.1), in order."""
        with self._lock:
            return [level for _, level in self.connects]
