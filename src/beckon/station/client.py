"""A client of the station service: reads the unit's queue and sends nurse commands.

State lives in the station service; the CLI (and later every station window) is a view of the
retained queue it publishes and acts through the command topic, so several of them stay
consistent.
"""

from __future__ import annotations

import queue
import time

from beckon.config import BrokerConfig
from beckon.errors import BeckonError
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import (
    Connected,
    LinkEvent,
    Message,
    MqttLink,
    describe_tls_failure,
)
from beckon.station import lifecycle, queueview
from beckon.station.feed import RESEND_S, PendingCommands

CONFIRM_S = 30.0
"""How long ``beckon station ack/resolve`` waits for the queue to show its command done,
sending it again meanwhile, before it says it could not (non-zero exit)."""


ASK_CONFIRM_S = 10.0
"""How long ``beckon station ask`` waits for the queue to list its question (besides the time
it waits for the answer), sending it again meanwhile."""

CLOSED_WAIT_S = 3.0
"""How long a command whose call left the queue waits for the bed's state to say how."""


class NotConfirmed(BeckonError):
    """A nurse command the station's queue never showed done: it may not have been applied."""


class StationClient:
    def __init__(self, broker: BrokerConfig, site: str, unit: str, name: str = "cli") -> None:
        self.site, self.unit = site, unit
        self.link = MqttLink(
            broker,
            client_id=broker.username or f"beckon-{name}-{p.new_request_id()[:8]}",
            subscriptions=[
                *queueview.subscriptions(site, unit),
                p.Topics.station_status(site, unit, "+"),
                # Each bed's state keeps its recently closed calls: the one place a console can
                # learn who closed a call that left the queue, and how.
                p.Topics.bed_filter(site, unit, "state"),
            ],
            persistent=False,
        )
        self._closed: dict[str, p.RequestView] = {}  # request id -> as a bed's state shows it
        self.latest: p.UnitQueue | None = None
        self._queue = queueview.QueueAssembler(site, unit)
        self.stations: dict[str, p.StationStatus] = {}
        self.pending = PendingCommands()
        self.sends = 0  # copies of nurse commands published (the first and any repeats)

    def __enter__(self) -> StationClient:
        if not self.link.start(wait_s=10):
            self.link.stop()
            problem = describe_tls_failure(self.link.broker)
            if problem:  # the broker answered, but not to these TLS files
                raise BeckonError(f"cannot connect to {self.link.broker.url}: {problem}")
            raise BeckonError(
                f"cannot reach the MQTT broker at {self.link.broker.url}",
                "check the broker is running and [broker] url in the station config",
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self.link.stop()

    def wait_queue(self, timeout: float = 10.0, newer_than: str | None = None) -> p.UnitQueue:
        """The unit's queue as the station service last published it. Raises BeckonError when
        no station service of the unit is running: an old retained queue must not pass for
        "no open requests"."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event: LinkEvent | None = self.link.events.get(timeout=0.1)
            except queue.Empty:
                event = None
            if isinstance(event, Message):
                self._take(event)
            if self._queue.complete and self.running_station() is not None:
                self.latest = self._queue.snapshot()
                if self.latest is not None and (newer_than is None or self.latest.at > newer_than):
                    return self.latest
        if self.running_station() is None:
            raise BeckonError(
                f"no station service is running for {self.site}/{self.unit}" + self._last_seen(),
                "start it (systemctl start beckon-station, or "
                "`beckon station --headless --config FILE`) and check its log",
            )
        if self.latest is None:
            raise BeckonError(
                f"the station service for {self.site}/{self.unit} published no whole queue",
                "check the station service log",
            )
        return self.latest

    def _take(self, event: Message) -> None:
        if event.topic.endswith("/state") and "/bed/" in event.topic:
            try:
                state = p.decode_as(event.payload, p.BedState)
            except p.ProtocolError:
                return
            for view in queueview.closed_calls(state):
                self._closed[view.id] = view
            return
        if self._queue.apply(event.topic, event.payload) or "/station/" not in event.topic:
            return
        try:
            status = p.decode_as(event.payload, p.StationStatus)
        except p.ProtocolError:
            return
        self.stations[status.name] = status
        if status.online and not event.retained and self.link.connected:
            # Announced live: the station is subscribed (again), so a repeat reaches it.
            for cmd in self.pending.due():
                self._publish_command(cmd.payload)

    def _publish_command(self, payload: bytes) -> None:
        self.sends += 1
        self.link.publish(p.Topics.unit(self.site, self.unit, "command"), payload)

    def running_station(self) -> p.StationStatus | None:
        """A station that says it is online, with no fault, and refreshed its presence lately."""
        for status in self.stations.values():
            if status.serving():
                return status
        return None

    def _last_seen(self) -> str:
        if not self.stations:
            return " (none has ever announced itself)"
        parts = []
        for s in self.stations.values():
            what = "online" if s.online else "offline"
            parts.append(f"{s.name}: {what} at {s.at}" + (f", fault: {s.fault}" if s.fault else ""))
        return " (last seen " + "; ".join(parts) + ")"

    def send(
        self, action: str, id_prefix: str, by: str, timeout: float = CONFIRM_S
    ) -> p.RequestView | None:
        """Acknowledge or resolve the open request whose id starts with ``id_prefix``, and
        wait until the station's queue shows it done. A broker outage or restart can lose the
        command (``PendingCommands`` says how), so it is sent again as a window would; if the
        queue still does not show it after ``timeout`` seconds this raises BeckonError, so
        that nobody walks away believing the call was answered. Returns the call as it stands
        (its ``by`` says who did it), or None when it left the queue and its bed's state did
        not say how."""
        current = self.wait_queue()
        matches = [r for r in current.requests if r.id.startswith(id_prefix)]
        if not matches:
            raise BeckonError(
                f"no open request with an id starting {id_prefix!r}",
                "`beckon station list` shows the open requests",
            )
        if len(matches) > 1:
            raise BeckonError(f"{id_prefix!r} matches {len(matches)} requests; give more of the id")
        target = matches[0]
        if action == "resolve" and not lifecycle.resolvable_remotely(target.priority):
            raise BeckonError(
                f"request {target.id[:8]} is an emergency: it is cleared at the bedside only",
                "acknowledge it here (`beckon station ack`), resolve it at the bed",
            )
        cmd = p.nurse_command(action, target.id, by)
        payload = p.encode(cmd)
        self.pending.add(cmd.command_id, target.id, action, payload)
        self._publish_command(payload)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event: LinkEvent = self.link.events.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(event, Connected):
                self.pending.sent_again_by_client()
            if not isinstance(event, Message):
                continue
            self._take(event)
            snapshot = self._queue.snapshot() if self._queue.complete else None
            if snapshot is None:
                continue
            self.pending.settle(snapshot, whole=True)
            if cmd.command_id not in self.pending:
                still = [r for r in snapshot.requests if r.id == target.id]
                return still[0] if still else self._how_closed(target, deadline)
        reachable = "reachable" if self.link.connected else "NOT reachable now"
        station = "online" if self.running_station() is not None else "NOT online now"
        raise NotConfirmed(
            f"the station did not confirm '{action}' of request {target.id[:8]} within "
            f"{timeout:.0f} s (sent {self.sends} time(s); broker {reachable}; station service "
            f"{station}): it may not have been applied",
            "check the station and broker, then `beckon station list`; running the command "
            "again is safe (a repeat is applied once)",
        )

    def _how_closed(self, target: p.RequestView, deadline: float) -> p.RequestView | None:
        """The call left the queue: resolved or cancelled, by this nurse or someone else, as
        its bed's state says (it said "resolved by <this nurse>" whatever happened, also when
        a colleague resolved it first or the patient cancelled it). None when the bed's state
        does not say within a few seconds."""
        until = min(deadline, time.monotonic() + CLOSED_WAIT_S)
        while target.id not in self._closed and time.monotonic() < until:
            try:
                event = self.link.events.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(event, Message):
                self._take(event)
        return self._closed.get(target.id)

    def ask(
        self, bed: str, text: str, by: str, wait_s: float = 0.0, confirm_s: float = ASK_CONFIRM_S
    ) -> p.QuestionView:
        """Ask a bed a yes/no question; with ``wait_s``, wait that long for the answer.

        The question is sent again every ``RESEND_S`` until the station's queue lists it, as
        an acknowledgement is: a copy lost in a broker restart or a station failover was never
        asked, and the nurse was told only that the station did not confirm it. The question's
        id is the command's, so the station asks it once however many copies arrive. Raises
        BeckonError when no copy is listed within ``confirm_s`` + ``wait_s`` seconds."""
        current = self.wait_queue()
        cmd = p.AskCommand(p.new_request_id(), bed, text, by, p.now_iso())
        payload = p.encode(cmd)
        self._publish_command(payload)
        last_sent = time.monotonic()
        asked: p.QuestionView | None = None
        deadline = last_sent + confirm_s + wait_s
        while time.monotonic() < deadline:
            if asked is None and self.link.connected and time.monotonic() - last_sent >= RESEND_S:
                self._publish_command(payload)
                last_sent = time.monotonic()
            try:
                current = self.wait_queue(timeout=1.0, newer_than=current.at)
            except BeckonError:
                continue  # no station for a moment (a failover): the copies wait for it
            asked = next((q for q in current.questions if q.id == cmd.command_id), asked)
            if asked is not None and (asked.answer is not None or wait_s <= 0):
                return asked
        if asked is None:
            station = "online" if self.running_station() is not None else "NOT online now"
            raise BeckonError(
                f"the station did not confirm the question for bed {bed} (sent {self.sends} "
                f"time(s); station service {station})",
                "check that the bed is in a unit this station serves, and the station's log",
            )
        return asked
