"""What a station that does not serve yet keeps of its unit's messages (``HeldMessages``).

Why: a station holds everything but station presences until it knows it is the only one (its
start-up probe, and holding back while its broker connections keep dropping, see
``StationService._hold_back``). Holding back can last hours, connected most of the time, and a
plain list kept every bed heartbeat (30 beds: about 21,600 an hour), each resend and the
retained messages again at each connection, with no end; once serving, all went back through
the service thread at once (200,000 items took 6.6 s, against systemd's 30 s watchdog), and
replayed heartbeats made silent beds look heard "now" (review rev43r)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable

from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Message

log = logging.getLogger(__name__)

HELD_MAX = 5000
"""Messages kept at most; the oldest go first beyond it, said once per hold in the log. Far more
than a unit's distinct messages (30 beds: a status, a few requests, cancels and answers each),
so only a flood reaches it; a dropped request comes again (beds resend what is not receipted
once the station announces itself), a dropped cancel or answer does not."""


def held_until_serving(topic: str) -> bool:
    """What a station that does not serve yet holds: everything but station presences, which
    are its twin check."""
    return "/station/" not in topic


class HeldMessages:
    """The unit's messages held, in their order, at most one per key (``_key``): the latest
    retained state of each topic (a call) and the latest status of each bed, heartbeat or last
    will (one per bed however long the hold: dropping live ones lost a bed's "offline", review
    rev43r2), each request once by its id, each other message once by its bytes (a resend adds
    nothing). A heartbeat replayed once serving makes its bed look heard then: a bed silent
    since is offline one SILENT_AFTER_S later, as for any last heartbeat."""

    def __init__(self, limit: int = HELD_MAX) -> None:
        self.limit = limit
        self._kept: OrderedDict[Hashable, Message] = OrderedDict()
        self.dropped = 0  # over the limit, this hold

    def __len__(self) -> int:
        return len(self._kept)

    def add(self, message: Message) -> None:
        key = _key(message)
        if key is None:
            return
        if key[0] == "latest":
            self._kept.pop(key, None)  # the newer one goes last, in its own place
        elif key in self._kept:
            return
        self._kept[key] = message
        while len(self._kept) > self.limit:
            self._kept.popitem(last=False)
            self.dropped += 1
            if self.dropped == 1:
                log.warning(
                    "HELD MESSAGES OVER %d: the station, not serving yet, drops the oldest it "
                    "holds (beds resend their requests once it serves; cancels and answers "
                    "dropped are lost)",
                    self.limit,
                )

    def take(self) -> list[Message]:
        """Everything held, in order, and nothing held any more."""
        if self.dropped:
            log.warning("held messages: %d dropped over the limit", self.dropped)
        out = list(self._kept.values())
        self._kept.clear()
        self.dropped = 0
        return out


def _key(message: Message) -> tuple[Hashable, ...] | None:
    parts = message.topic.split("/")
    if parts[-1] == "status" or (message.retained and len(parts) == 6 and parts[4] == "call"):
        # A bed's status, retained or live (the broker delivers a live one, the last will
        # "offline" among them, with retain=0): only the latest counts, whatever its flag.
        return ("latest", message.topic)
    if parts[-1] == "request":
        try:
            return ("request", message.topic, p.decode_as(message.payload, p.Request).id)
        except ValueError:
            pass  # kept as it is: handling it says what is wrong
    return ("same", message.topic, message.payload)
