"""A loopback proxy in front of a plain MQTT listener that notes, per connection, the QoS 1
messages the broker sends the client and the client's acknowledgements (PUBACK), in the order
each went through. MQTT 3.1.1 and 5 (section 4.6) ask a client to acknowledge in the order the
messages came; a broker may drop a connection that does not, Mosquitto does not check. Bytes
pass untouched both ways."""

from __future__ import annotations

import socket
import threading

from tests.helpers.hospital import TcpProxy
from tests.helpers.slow_suback import packet_end

PUBLISH, PUBACK = 3, 4
"""MQTT control packet types (the high nibble of the fixed header's first byte)."""


def _body_start(packet: bytes | bytearray) -> int:
    """Where the variable header begins: past the fixed header's type byte and length."""
    i = 1
    while packet[i] & 0x80:
        i += 1
    return i + 1


class AckOrderProxy(TcpProxy):
    """Forwards 127.0.0.1:``port`` to ``target_port``. ``sent[n]`` are the packet ids of the
    QoS 1 messages the broker sent on connection ``n`` (by ``topics[n]``), ``acked[n]`` the
    ids the client acknowledged there, each in order."""

    def __init__(self, target_port: int) -> None:
        super().__init__(target_port)
        self.sent: list[list[int]] = []
        self.topics: list[dict[int, str]] = []
        self.acked: list[list[int]] = []
        self._notes = threading.Lock()

    def start(self) -> AckOrderProxy:
        super().start()
        return self

    def out_of_order(self) -> list[tuple[int, str, str]]:
        """Each acknowledgement that came while an older message of its connection waited:
        (connection, the topic acknowledged, the older topic passed over)."""
        with self._notes:
            found = []
            for n, (sent, acked) in enumerate(zip(self.sent, self.acked, strict=True)):
                waiting = list(sent)
                for mid in acked:
                    if mid in waiting and waiting[0] != mid:
                        found.append((n, self.topics[n][mid], self.topics[n][waiting[0]]))
                    if mid in waiting:
                        waiting.remove(mid)
            return found

    def _forward(self, client: socket.socket, upstream: socket.socket) -> None:
        with self._notes:
            n = len(self.sent)
            self.sent.append([])
            self.topics.append({})
            self.acked.append([])
        for src, dst, note in (
            (client, upstream, self._note_ack),
            (upstream, client, self._note_publish),
        ):
            threading.Thread(
                target=self._pump_noting, args=(src, dst, n, note), daemon=True
            ).start()

    def _note_publish(self, n: int, packet: bytearray) -> None:
        if packet[0] >> 4 != PUBLISH or (packet[0] >> 1) & 3 == 0:
            return
        i = _body_start(packet)
        length = int.from_bytes(packet[i : i + 2], "big")
        topic = packet[i + 2 : i + 2 + length].decode(errors="replace")
        mid = int.from_bytes(packet[i + 2 + length : i + 4 + length], "big")
        with self._notes:
            self.sent[n].append(mid)
            self.topics[n][mid] = topic

    def _note_ack(self, n: int, packet: bytearray) -> None:
        if packet[0] >> 4 == PUBACK:
            i = _body_start(packet)
            with self._notes:
                self.acked[n].append(int.from_bytes(packet[i : i + 2], "big"))

    def _pump_noting(self, src: socket.socket, dst: socket.socket, n: int, note: object) -> None:
        buffer = bytearray()
        try:
            while data := src.recv(65536):
                buffer += data
                while (end := packet_end(buffer)) is not None:
                    note(n, buffer[:end])  # type: ignore[operator]
                    del buffer[:end]
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._close(src, dst)
