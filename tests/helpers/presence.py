"""The retained presence messages (a bed's or a station's status) a watcher on the broker
sees, in order: did it go online, and did it then say offline cleanly (stamped after its last
online, which the last will, written at connect, is not)?

Used by the tests that stop a command while it is still starting
(tests/ui/test_ui_start_interrupted.py, tests/test_headless_start_interrupted.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from beckon.messaging import protocol as p


@dataclass
class Presence:
    """What one watcher of ``topic`` has seen."""

    topic: str
    seen: list[tuple[str, bool, str]] = field(default_factory=list)  # (who, online, at)

    def message(self, c: paho.Client, u: object, msg: paho.MQTTMessage) -> None:
        status = p.decode(bytes(msg.payload))
        assert isinstance(status, p.BedStatus | p.StationStatus)
        who = status.bed if isinstance(status, p.BedStatus) else status.unit
        self.seen.append((who, status.online, status.at))  # list.append: one step

    def online(self, who: str) -> bool:
        return any(w == who and on for w, on, _ in self.seen)

    def offline_cleanly(self, who: str) -> bool:
        """The last word on ``who`` is offline, stamped after its last online (the last will is
        stamped when the connection is made, with or before the online message)."""
        mine = [(on, at) for w, on, at in self.seen if w == who]
        last_online = max((p.parse_iso(at) for on, at in mine if on), default=None)
        return (
            bool(mine)
            and not mine[-1][0]
            and last_online is not None
            and p.parse_iso(mine[-1][1]) > last_online
        )


@contextmanager
def presence_watchers(port: int) -> Iterator[Callable[[str], Presence]]:
    """``watch(topic)`` subscribes a new client on the broker at ``port``; all of them are
    disconnected when the block ends."""
    clients: list[paho.Client] = []

    def watch(topic: str) -> Presence:
        presence = Presence(topic)
        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"watch-{len(clients)}")
        client.on_message = presence.message
        client.connect("127.0.0.1", port)
        client.subscribe(topic, qos=1)
        client.loop_start()
        clients.append(client)
        return presence

    try:
        yield watch
    finally:
        for client in clients:
            client.loop_stop()
            client.disconnect()
