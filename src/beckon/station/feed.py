"""A live view of one unit for station windows: the retained queue and stats in, commands out.

State lives in the station service; a window only shows what the service last published and
asks it to change things through the command topic. That is why several windows on one unit
stay consistent: each is a view of the same retained messages. The feed runs its own thread
(``run(stop)``, e.g. with :class:`beckon.background.Background`) and calls its listeners there,
so a window must hand updates to its GUI thread (Qt signals) and never blocks on MQTT.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, assert_never

from beckon.config import BrokerConfig
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import (
    Connected,
    Disconnected,
    LinkEvent,
    Message,
    MqttLink,
    PublishRefused,
)
from beckon.observers import notify
from beckon.station import queueview
from beckon.station.lifecycle import DONE_BY

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Connection:
    """The window's own link to the broker came up or went down."""

    online: bool


@dataclass(frozen=True)
class StationPresence:
    """A station service of the unit announced itself (``online``) or its last will fired."""

    name: str
    online: bool


@dataclass(frozen=True)
class BedHealth:
    """A bed's status (retained, and its heartbeat): online, the device faults it reports
    (camera, face, microphone, sound), its speech recogniser, its outbox backlog and its
    software version, so the station sees a bed that cannot see, hear or reach the nurses.
    ``None``: a bed too old to report it."""

    bed: str
    online: bool
    faults: tuple[str, ...]
    software: str = ""
    voice: str | None = None
    backlog: int | None = None
    backlog_age_s: int | None = None


@dataclass(frozen=True)
class CallsClosed:
    """The closed calls a bed's state lists (``queueview.closed_calls``), sent with every
    state of a bed that has any: a call that left the queue says no more than that it left,
    and a nurse whose acknowledgement or resolution a colleague's (or the patient's cancel)
    beat was told nothing."""

    views: tuple[p.RequestView, ...]


FeedItem = p.UnitQueue | p.UnitStats | Connection | StationPresence | BedHealth | CallsClosed

Delivery = Literal["sent", "queued", "not_sent"]
"""What became of a nurse's command: handed to the broker; kept by the MQTT client while the
link is down and sent when it is back (after the first connection the client and its queue
survive reconnections); or not sent at all (the window never reached the broker)."""
FeedListener = Callable[[FeedItem], None]

RESEND_S = 3.0
"""A command the queue does not show done is sent again when the station announces itself
(it does every few seconds) and it was last sent at least this long ago."""


ASK = "ask"
"""The action of a nurse's question in ``PendingCommands`` (beside acknowledge and resolve)."""


@dataclass
class Unconfirmed:
    """A nurse command published but not yet seen done in the unit queue."""

    request_id: str
    """The request acknowledged or resolved; for a question (``ASK``), the question's id."""
    action: str
    payload: bytes
    sent_at: float
    added: float = field(default_factory=time.monotonic)


class PendingCommands:
    """Nurse commands kept until the unit queue shows them done, and when to send them again.

    paho sends a queued QoS 1 command again when the link is back, but a broker restarted
    without persistence has lost the station's subscription, and a command that arrives before
    the station subscribes again is dropped. So a command not yet seen done is sent again when
    the station announces itself live (it does every few seconds) and was last sent at least
    RESEND_S ago. A repeat is harmless: the station ignores a command id it has applied. The
    station window's feed and the CLI's ``beckon station ack/resolve`` both follow this rule."""

    def __init__(self) -> None:
        self.items: dict[str, Unconfirmed] = {}  # by command id
        self._lock = threading.Lock()

    def add(self, command_id: str, request_id: str, action: str, payload: bytes) -> None:
        with self._lock:
            self.items[command_id] = Unconfirmed(request_id, action, payload, time.monotonic())

    def __contains__(self, command_id: object) -> bool:
        with self._lock:
            return command_id in self.items

    def settle(self, snapshot: p.UnitQueue, whole: bool) -> None:
        """Forget the commands the queue shows done, or whose request has left a whole queue.
        A question is done once the queue lists it; one never listed is given up after a
        question's own time (the station would drop it as too old by then)."""
        states = {v.id: v.state for v in snapshot.requests}
        asked = {q.id for q in snapshot.questions}
        now = time.monotonic()
        with self._lock:
            for command_id, cmd in list(self.items.items()):
                if cmd.action == ASK:
                    if cmd.request_id in asked or now - cmd.added >= p.QUESTION_TIMEOUT_S:
                        del self.items[command_id]
                    continue
                state = states.get(cmd.request_id)
                if (state is None and whole) or state in DONE_BY[cmd.action]:
                    del self.items[command_id]

    def sent_again_by_client(self) -> None:
        """The link connected again: paho sends its queued copies now."""
        now = time.monotonic()
        with self._lock:
            for cmd in self.items.values():
                cmd.sent_at = now

    def due(self, older_than_s: float = RESEND_S) -> list[Unconfirmed]:
        """The commands to send again now (their send time is moved to now)."""
        now = time.monotonic()
        with self._lock:
            due = [c for c in self.items.values() if now - c.sent_at >= older_than_s]
            for cmd in due:
                cmd.sent_at = now
        return due


class StationFeed:
    """Subscribes to one unit's queue, stats and station presence; publishes nurse commands."""

    def __init__(self, broker: BrokerConfig, site: str, unit: str, name: str = "window") -> None:
        self.site, self.unit = site, unit
        self.listeners: list[FeedListener] = []
        self.link = MqttLink(
            broker,
            client_id=f"beckon-{name}-{p.new_request_id()[:8]}",
            subscriptions=[
                *queueview.subscriptions(site, unit),
                p.Topics.unit(site, unit, "stats"),
                p.Topics.station_status(site, unit, "+"),
                p.Topics.unit(site, unit, "bed/+/status"),
                p.Topics.bed_filter(site, unit, "state"),  # who closed a call (CallsClosed)
            ],
            persistent=False,  # everything a window needs is retained
        )
        self.ready = threading.Event()  # set once the first whole queue has arrived
        self._queue = queueview.QueueAssembler(site, unit)
        self.was_connected = False  # from then on paho keeps offline publishes for later
        self.pending = PendingCommands()

    @property
    def unconfirmed(self) -> dict[str, Unconfirmed]:
        """Commands not yet seen done in the unit queue, by command id."""
        return self.pending.items

    # ------------------------------------------------------------ commands (any thread)

    def acknowledge(self, request_id: str, by: str) -> Delivery:
        return self._command("acknowledge", request_id, by)

    def resolve(self, request_id: str, by: str) -> Delivery:
        return self._command("resolve", request_id, by)

    def ask(self, bed: str, text: str, by: str) -> Delivery:
        """Ask a bed a yes/no question; the answer arrives in a later queue. Sent again like
        an acknowledgement until the queue lists it (the question's id is the command's, so
        the station asks it once however many copies arrive)."""
        cmd = p.AskCommand(p.new_request_id(), bed, text, by, p.now_iso())
        return self._tracked(cmd.command_id, cmd.command_id, ASK, p.encode(cmd))

    def _command(self, action: str, request_id: str, by: str) -> Delivery:
        cmd = p.nurse_command(action, request_id, by)
        return self._tracked(cmd.command_id, request_id, action, p.encode(cmd))

    def _tracked(self, command_id: str, target: str, action: str, payload: bytes) -> Delivery:
        delivery = self._publish(payload)
        if delivery != "not_sent":
            self.pending.add(command_id, target, action, payload)
        return delivery

    def _publish(self, payload: bytes) -> Delivery:
        if self.link.publish(p.Topics.unit(self.site, self.unit, "command"), payload):
            return "sent"
        return "queued" if self.was_connected else "not_sent"

    def _resend(self) -> None:
        """Send again the commands not yet seen done (only while the link is up: otherwise
        paho already holds a copy for the reconnection)."""
        if not self.link.connected:
            return
        for cmd in self.pending.due():
            log.info("sending %s of %s again: the queue does not show it yet",
                     cmd.action, cmd.request_id[:8])  # fmt: skip
            self.link.publish(p.Topics.unit(self.site, self.unit, "command"), cmd.payload)

    # ------------------------------------------------------------ running

    def run(self, stop: threading.Event, tick_s: float = 0.2) -> None:
        self.link.start(wait_s=0)
        try:
            while not stop.is_set():
                try:
                    event: LinkEvent = self.link.events.get(timeout=tick_s)
                except queue.Empty:
                    continue
                item = self._decode(event)
                if item is not None:
                    self._emit(item)
        finally:
            self.link.stop()

    def _decode(self, event: LinkEvent) -> FeedItem | None:
        match event:
            case Connected():
                if self.was_connected:
                    self._queue.resubscribed()
                self.was_connected = True
                self.pending.sent_again_by_client()
                return Connection(True)
            case Disconnected():
                return Connection(False)
            case PublishRefused():
                return None  # the link has logged it; the window shows the queue, not commands
            case Message():
                pass
            case _:
                assert_never(event)
        if self._queue.apply(event.topic, event.payload):
            # Until the first whole queue is here, a window would ring for every retained call
            # as if it were new; afterwards every change shows at once.
            if self._queue.complete:
                self.ready.set()
            snapshot = self._queue.snapshot()
            if snapshot is not None:
                self.pending.settle(snapshot, self._queue.complete)
            return snapshot if self.ready.is_set() else None
        if not event.payload:
            return None
        try:
            msg = p.decode(event.payload)
        except p.ProtocolError as exc:
            log.warning("dropped message on %s: %s", event.topic, exc)
            return None
        if isinstance(msg, p.UnitStats) and event.topic.endswith("/stats"):
            return msg
        if isinstance(msg, p.StationStatus) and "/station/" in event.topic:
            if msg.online and not event.retained:
                # Announced live: the station is subscribed again, so a repeat reaches it.
                self._resend()
            return StationPresence(msg.name, msg.online)
        if isinstance(msg, p.BedStatus) and "/bed/" in event.topic:
            return BedHealth(
                msg.bed,
                msg.online,
                msg.faults,
                msg.software,
                msg.voice,
                msg.backlog,
                msg.backlog_age_s,
            )
        if isinstance(msg, p.BedState) and event.topic.endswith("/state"):
            closed = queueview.closed_calls(msg)
            return CallsClosed(closed) if closed else None
        log.warning("dropped a %s on %s", type(msg).__name__, event.topic)
        return None

    def _emit(self, item: FeedItem) -> None:
        notify(self.listeners, item, log, "station feed")
