"""A loopback proxy in front of a plain MQTT listener that holds back the broker's SUBACK, or
turns it into a refusal.

It stands for a loaded broker or a slow link: the broker confirms a subscription late, and
everything it sends after the SUBACK (the retained messages, the live ones) comes after it, in
order, as TCP would bring it. The client-to-broker direction passes untouched. Only plain MQTT
can be read this way, so it sits in front of a broker's loopback listener (the doctor allows
plain MQTT on loopback).

The refusal stands for a broker whose ACL is checked at SUBSCRIBE (EMQX, HiveMQ, Mosquitto's
dynamic-security plugin): the shipped Mosquitto with its acl_file grants every subscription and
only withholds the messages a user may not read, so it never refuses one itself.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Literal

from tests.helpers.hospital import TcpProxy

SUBACK = 9
"""MQTT control packet type of SUBACK (the high nibble of the fixed header's first byte)."""


def packet_end(buffer: bytes | bytearray) -> int | None:
    """Where the first whole MQTT packet in ``buffer`` ends, or None until it has arrived."""
    length, multiplier = 0, 1
    for i in range(1, min(len(buffer), 5)):
        byte = buffer[i]
        length += (byte & 0x7F) * multiplier
        if not byte & 0x80:
            end = i + 1 + length
            return end if end <= len(buffer) else None
        multiplier *= 128
    return None


def variable_int(buffer: bytes | bytearray, i: int) -> tuple[int, int]:
    """The MQTT variable byte integer at ``buffer[i]`` (a remaining length, a properties'
    length: 7 bits a byte, low first, the top bit set while more follow) and where it ends."""
    value, multiplier = 0, 1
    while True:
        byte = buffer[i]
        i += 1
        value += (byte & 0x7F) * multiplier
        multiplier *= 128
        if not byte & 0x80:
            return value, i


def refused(suback: bytes | bytearray, reason: int) -> bytearray:
    """An MQTT 5 SUBACK with every reason code replaced by ``reason`` (0x87: not authorised):
    after the fixed header come the packet id, the properties (their length first), then one
    reason code per topic filter."""
    out = bytearray(suback)
    _, i = variable_int(out, 1)  # past the remaining length
    length, i = variable_int(out, i + 2)  # past the packet id: the properties' length
    i += length
    out[i:] = bytes([reason]) * (len(out) - i)
    return out


class SubackDelayProxy(TcpProxy):
    """Forwards 127.0.0.1:``port`` to ``target_port``; on each connection, the first SUBACK
    (and so everything after it) reaches the client ``hold_s`` seconds after the broker sent
    it, its reason codes replaced by ``refuse_with`` when given. ``held`` is set when a SUBACK
    has been held back (the test knows the hold happened). With ``cut_after_s``, every
    connection is cut that long after the proxy accepted it, and connections are refused for
    ``down_s`` after each cut (a broker or link that drops connections and is away a moment, at
    times the test sets rather than paho's keep-alive); ``cuts`` counts them, and ``cut_done``
    is set at the first. With ``cut_only``, only that many connections (the first ones) are
    cut and later ones pass untouched (a single blip). ``cut_from="suback"`` counts
    ``cut_after_s`` from the first SUBACK reaching the client instead (a cut during the
    client's listen window however late the broker answers, where a cut timed from the accept
    could come before a loaded broker's SUBACK). ``cut_side="client"`` cuts the client's side
    only and leaves the broker's connection open (a firewall or NAT resetting the client: the
    broker learns of it only from the client's next login or its keep-alive). The listening,
    accepting, ``accepted`` and ``stop`` are :class:`TcpProxy`'s."""

    def __init__(
        self,
        target_port: int,
        hold_s: float,
        refuse_with: int | None = None,
        cut_after_s: float | None = None,
        down_s: float = 0.0,
        cut_only: int | None = None,
        cut_from: Literal["accept", "suback"] = "accept",
        cut_side: Literal["both", "client"] = "both",
    ) -> None:
        super().__init__(target_port)
        self.hold_s = hold_s
        self.refuse_with = refuse_with
        self.cut_after_s = cut_after_s
        self.down_s = down_s
        self.cut_only = cut_only
        self.cut_from = cut_from
        self.cut_side = cut_side
        self.cuts = 0
        self.cut_done = threading.Event()
        self._timed = 0  # connections given a cut so far
        self._down_until = 0.0
        self.held = threading.Event()
        self._left_open: set[socket.socket] = set()  # the broker's side of client-only cuts

    def start(self) -> SubackDelayProxy:
        super().start()
        return self

    def _refuses(self) -> bool:
        return time.monotonic() < self._down_until

    def _forward(self, client: socket.socket, upstream: socket.socket) -> None:
        if self.cut_from == "accept":
            self._time_cut(client, upstream)
        threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=self._pump_holding, args=(upstream, client), daemon=True).start()

    def _time_cut(self, client: socket.socket, upstream: socket.socket) -> None:
        """Cut this connection ``cut_after_s`` from now, if it is one to cut."""
        if self.cut_after_s is None or (self.cut_only is not None and self._timed >= self.cut_only):
            return
        self._timed += 1
        timer = threading.Timer(self.cut_after_s, self._cut, args=(client, upstream))
        timer.daemon = True
        timer.start()

    def _cut(self, client: socket.socket, upstream: socket.socket) -> None:
        self.cuts += 1
        self._down_until = time.monotonic() + self.down_s
        if self.cut_side == "client":
            self._left_open.add(upstream)
        self._close(client, upstream)
        self.cut_done.set()

    def _close(self, *sockets: socket.socket) -> None:
        super()._close(*(s for s in sockets if s not in self._left_open))

    def _pump_holding(self, broker: socket.socket, client: socket.socket) -> None:
        """Broker to client, packet by packet until the first SUBACK: bytes before it pass at
        once; it and all that follows wait ``hold_s`` (later bytes queue in the kernel's socket
        buffer meanwhile, so nothing is reordered)."""
        buffer = bytearray()
        try:
            while data := broker.recv(65536):
                buffer += data
                while (end := packet_end(buffer)) is not None:
                    if buffer[0] >> 4 == SUBACK:
                        self.held.set()
                        time.sleep(self.hold_s)
                        if self.refuse_with is not None:
                            buffer[:end] = refused(buffer[:end], self.refuse_with)
                        client.sendall(buffer)
                        if self.cut_from == "suback":
                            self._time_cut(client, broker)
                        self._pump(broker, client)
                        return
                    client.sendall(buffer[:end])
                    del buffer[:end]
        except OSError:
            pass
        finally:
            self._close(broker, client)
