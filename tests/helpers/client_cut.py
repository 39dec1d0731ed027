"""A loopback proxy in front of a plain MQTT listener that cuts one client's connection and
refuses it until restored, while every other client passes untouched.

It stands for one broker connection of a multi-unit station failing alone (without a broker
user a station has one connection per unit, each with its own client id): a per-unit broker
listener or ACL would need a station configured with several brokers, which it cannot be. The
client is told by the client id in its CONNECT packet, the first packet on a connection."""

from __future__ import annotations

import contextlib
import socket
import threading

from tests.helpers.hospital import TcpProxy
from tests.helpers.slow_suback import packet_end, variable_int


def read_connect(client: socket.socket) -> bytes:
    """The first packet a client sends on a connection (its CONNECT); OSError if it closes
    first."""
    first = bytearray()
    while (end := packet_end(first)) is None:
        data = client.recv(65536)
        if not data:
            raise OSError("closed before CONNECT")
        first += data
    return bytes(first[:end])  # a client waits for CONNACK: nothing follows yet


def connect_level(connect: bytes | bytearray) -> int:
    """The protocol level of an MQTT CONNECT packet (4: 3.1.1, 5: MQTT 5): after the remaining
    length, the protocol name (6 bytes for "MQTT" with its length)."""
    _, i = variable_int(connect, 1)
    return connect[i + 6]


def connect_client_id(connect: bytes | bytearray) -> str:
    """The client id of an MQTT CONNECT packet (3.1.1 or 5): after the fixed header come the
    protocol name, level, flags and keep-alive (10 bytes), under MQTT 5 the properties (their
    length first), then the client id, its length first."""
    level = connect_level(connect)
    _, i = variable_int(connect, 1)  # past the remaining length
    i += 10
    if level == 5:
        length, i = variable_int(connect, i)
        i += length
    size = int.from_bytes(connect[i : i + 2], "big")
    return bytes(connect[i + 2 : i + 2 + size]).decode()


class ConnectProxy(TcpProxy):
    """A proxy that reads each client's CONNECT (on the connection's own thread) and hands it
    to ``_connected``, which decides what becomes of the connection."""

    def _forward(self, client: socket.socket, upstream: socket.socket) -> None:
        threading.Thread(target=self._admit, args=(client, upstream), daemon=True).start()

    def _admit(self, client: socket.socket, upstream: socket.socket) -> None:
        try:
            first = read_connect(client)
        except OSError:
            self._close(client, upstream)
            return
        self._connected(client, upstream, first)

    def _connected(self, client: socket.socket, upstream: socket.socket, first: bytes) -> None:
        """Send ``first`` on and carry both ways (a subclass may not)."""
        try:
            upstream.sendall(first)
        except OSError:
            self._close(client, upstream)
            return
        super()._forward(client, upstream)


class ClientCutProxy(ConnectProxy):
    """Forwards 127.0.0.1:``port`` to ``target_port``; ``cut_client(id)`` drops the connection
    of the client with that id and closes each new one it makes, until ``restore_client``.
    ``refused`` counts the connections refused meanwhile (the client kept trying).
    ``route_client(id, port)`` sends that client's new connections to another listener (a
    broker that refuses it, say) until ``restore_client``."""

    def __init__(self, target_port: int) -> None:
        super().__init__(target_port)
        self._cut: set[str] = set()
        self._by_client: dict[str, list[socket.socket]] = {}
        self._routes: dict[str, int] = {}  # client id -> the port its connections go to
        self.refused = 0

    def start(self) -> ClientCutProxy:
        super().start()
        return self

    def _connected(self, client: socket.socket, upstream: socket.socket, first: bytes) -> None:
        """Carry both ways, unless that client is cut (or routed elsewhere)."""
        try:
            client_id = connect_client_id(first)
        except (IndexError, UnicodeDecodeError):
            self._close(client, upstream)
            return
        with self._lock:
            refuse = client_id in self._cut
            self.refused += refuse
            routed = self._routes.get(client_id)
            if not refuse and routed is None:  # registered with the check: a cut finds it
                self._by_client.setdefault(client_id, []).extend((client, upstream))
        if refuse:
            self._close(client, upstream)
            return
        if routed is not None:
            self._close(upstream)
            try:
                upstream = socket.create_connection(("127.0.0.1", routed), timeout=5)
            except OSError:
                self._close(client)
                return
            upstream.settimeout(None)
            with self._lock:
                self._sockets.append(upstream)
                self._by_client.setdefault(client_id, []).extend((client, upstream))
        super()._connected(client, upstream, first)

    def cut_client(self, client_id: str) -> None:
        with self._lock:
            self._cut.add(client_id)
            sockets = self._by_client.pop(client_id, [])
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def route_client(self, client_id: str, port: int) -> None:
        with self._lock:
            self._routes[client_id] = port

    def restore_client(self, client_id: str) -> None:
        with self._lock:
            self._cut.discard(client_id)
            self._routes.pop(client_id, None)
