"""The nurse-station service: receives requests, stores them once, tracks their lifecycle,
escalates unanswered calls, and publishes every change back to the bed and to station windows.

All work happens on the thread that calls ``run``: MQTT messages arrive through the link's
queue, so the SQLite store is only ever touched from here. Every message is validated; anything
malformed, oversized, unknown or addressed to a unit this station does not serve is logged and
dropped without stopping the service.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Literal

from beckon.config import StationSettings
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Connected, LinkEvent, Message, MqttLink, Will
from beckon.station import escalation, history, lifecycle
from beckon.station.events import (
    BedPresence,
    QuestionAnswered,
    QuestionAsked,
    RequestChanged,
    StationEvent,
)
from beckon.station.pgstore import open_store
from beckon.station.store import RequestStore

log = logging.getLogger(__name__)

MAX_QUEUE = 200  # the schema's limit for one unit's queue message
MAX_OFFLINE = 500
MAX_QUESTIONS = 20
STATS_EVERY_S = 300.0  # the 24-hour window slides even when nothing happens
STATS_AFTER_CHANGE_S = 1.0  # a burst of changes publishes one stats message

NurseChange = Literal["acknowledged", "resolved"]

Listener = Callable[[StationEvent], None]
"""Called on the service thread with each StationEvent."""


class StationService:
    def __init__(self, settings: StationSettings) -> None:
        self.settings = settings
        self.cfg = settings.station
        self._store: RequestStore | None = None
        self.listeners: list[Listener] = []
        # Called once per turn of the main loop (systemd watchdog, metrics): a stuck loop stops
        # calling them, which is the point.
        self.beats: list[Callable[[], None]] = []
        self.links: dict[str, MqttLink] = {}
        self.ready = threading.Event()
        self.dropped = 0
        self._stats_due: dict[str, float] = {}  # unit -> monotonic time its stats are due

    # ------------------------------------------------------------ running

    def _make_link(self, unit: str, events: queue.Queue[object]) -> MqttLink:
        """One connection per unit served, so each unit's bedsides get their own last will
        ("station offline") if this service dies; all links feed the same queue."""
        site, name = self.cfg.site, self.cfg.name
        leaves = ("request", "cancel", "status", "answer")
        subs = [p.Topics.bed_filter(site, unit, leaf) for leaf in leaves]
        subs.append(p.Topics.unit(site, unit, "command"))
        will = Will(
            p.Topics.station_status(site, unit, name),
            p.encode(p.StationStatus(site, unit, name, False, p.now_iso())),
        )
        return MqttLink(
            self.settings.broker,
            # "." cannot occur in a site, unit or name, so these ids never collide.
            client_id=f"beckon-station.{site}.{name}.{unit}",
            subscriptions=subs,
            will=will,
            persistent=True,
            events=events,
            name=unit,
        )

    def run(self, stop: threading.Event, tick_s: float = 0.5) -> None:
        """Serve until ``stop`` is set. Connection problems are retried, never fatal."""
        # SQLite connections belong to the thread that opens them: open it here, not in __init__.
        self._store = open_store(self.cfg.database_path(), self.cfg.store)
        events: queue.Queue[object] = queue.Queue()
        self.links = {unit: self._make_link(unit, events) for unit in self.cfg.units}
        for link in self.links.values():
            link.start(wait_s=0)
        last_check = 0.0
        try:
            while not stop.is_set():
                try:
                    event = events.get(timeout=tick_s)
                except queue.Empty:
                    event = None
                try:
                    if isinstance(event, LinkEvent):
                        self.handle(event)
                    if time.monotonic() - last_check >= 1.0:
                        last_check = time.monotonic()
                        self.check_escalations(datetime.now(UTC))
                    self._publish_due_stats()
                    for beat in self.beats:
                        beat()
                except Exception:
                    # Last line of defence: a bug or a full disk must not stop the station for
                    # every bed of the unit. Log it loudly and go on with the next message.
                    log.exception("station: error while handling %s", event)
        finally:
            for unit in self.cfg.units:
                self._publish_station_status(unit, False)
            for link in self.links.values():
                link.stop()
            self.store.close()

    def handle(self, event: LinkEvent) -> None:
        """Process one link event; never raises for bad input."""
        if isinstance(event, Connected):
            self._on_connected(event.link)
            return
        if not isinstance(event, Message):
            return  # a lost connection comes back by itself; a refused publish is logged
        try:
            self._handle_message(event.topic, event.payload)
        except p.ProtocolError as exc:
            self.dropped += 1
            log.warning("dropped message on %s: %s", event.topic, exc)

    @property
    def store(self) -> RequestStore:
        if self._store is None:
            raise RuntimeError("the store is opened by run(), on the service thread")
        return self._store

    # ------------------------------------------------------------ messages

    def _handle_message(self, topic: str, payload: bytes) -> None:
        if topic.endswith("/command"):
            cmd = p.decode(payload)
            if isinstance(cmd, p.StationCommand):
                self._apply_command(cmd)
            elif isinstance(cmd, p.AskCommand):
                self._ask(p.Topics.unit_of(topic), cmd)
            else:
                raise p.ProtocolError(f"a {type(cmd).__name__} is not a command")
            return
        bed, leaf = p.Topics.parse_bed_topic(topic)
        if bed.site != self.cfg.site or bed.unit not in self.cfg.units:
            raise p.ProtocolError(f"bed {bed.key} is not in a unit this station serves")
        if leaf == "request":
            self._on_request(bed, p.decode_as(payload, p.Request))
        elif leaf == "cancel":
            self._on_cancel(bed, p.decode_as(payload, p.Cancel))
        elif leaf == "status":
            self._on_status(bed, p.decode_as(payload, p.BedStatus))
        elif leaf == "answer":
            self._on_answer(bed, p.decode_as(payload, p.Answer))
        else:
            raise p.ProtocolError(f"unexpected topic {topic}")

    def _on_request(self, bed: p.BedAddress, req: p.Request) -> None:
        if req.address != bed:
            raise p.ProtocolError(
                f"request for bed {req.address.key} sent on the topic of {bed.key}"
            )
        view, new = self.store.receive(req)
        if new:
            log.info(
                "bed %s asks for %s (%s, by %s): request %s received",
                bed.key,
                req.intent,
                req.priority,
                req.source,
                req.id[:8],
            )
            self._emit(RequestChanged("received", view))
        else:
            log.info("request %s from bed %s arrived again; already stored", req.id[:8], bed.key)
        self._publish_receipt(bed, view)
        self._publish_bed(bed)

    def _on_cancel(self, bed: p.BedAddress, cancel: p.Cancel) -> None:
        view = self.store.get(cancel.id)
        if view is None or (view.site, view.unit, view.bed) != (bed.site, bed.unit, bed.bed):
            # The request itself has not arrived yet; the bedside resends the cancel later.
            log.info("cancel for unknown request %s from bed %s; waiting", cancel.id[:8], bed.key)
            return
        if lifecycle.can_move(view.state, "cancelled"):
            view = self.store.change(view.id, "cancelled", by="patient")
            log.info("bed %s cancelled request %s", bed.key, view.id[:8])
            self._emit(RequestChanged("cancelled", view))
        self._publish_receipt(bed, view)
        self._publish_bed(bed)

    def _on_status(self, bed: p.BedAddress, status: p.BedStatus) -> None:
        if self.store.set_bed_online(bed, status.online, status.at):
            if status.online:
                log.info("bed %s is online", bed.key)
            else:
                log.warning("DEVICE FAULT: bed %s went offline", bed.key)
            self._emit(BedPresence(bed, status.online))
            self._publish_queue(bed.unit)

    def _ask(self, unit: str, cmd: p.AskCommand) -> None:
        if unit not in self.cfg.units:
            raise p.ProtocolError(f"question for unit {unit}, which this station does not serve")
        bed = p.BedAddress(self.cfg.site, unit, cmd.bed)
        question = p.Question(
            p.new_request_id(), bed.site, bed.unit, bed.bed, cmd.text, cmd.by, p.now_iso()
        )
        view = self.store.ask(question)
        log.info("%s asks bed %s: %s", cmd.by, bed.key, cmd.text)
        self._publish(bed.topic("question"), question)
        self._emit(QuestionAsked(view))
        self._publish_queue(unit)

    def _on_answer(self, bed: p.BedAddress, answer: p.Answer) -> None:
        if (answer.site, answer.unit, answer.bed) != (bed.site, bed.unit, bed.bed):
            raise p.ProtocolError(f"answer from bed {answer.bed} sent on the topic of {bed.key}")
        view, new = self.store.answer(answer)
        if view is None:
            raise p.ProtocolError(f"answer to unknown question {answer.question_id[:8]}")
        receipt = p.Receipt(answer.question_id, bed.site, bed.unit, bed.bed, "received",
                            p.now_iso())  # fmt: skip
        self._publish(bed.topic("receipt"), receipt)
        if new:
            log.info("bed %s answers %s to: %s", bed.key, answer.answer, view.text)
            self._emit(QuestionAnswered(view))
            self._publish_queue(bed.unit)

    def _apply_command(self, cmd: p.StationCommand) -> None:
        new: NurseChange = "acknowledged" if cmd.action == "acknowledge" else "resolved"
        try:
            self.acknowledge_or_resolve(cmd.id, new, cmd.by)
        except (KeyError, lifecycle.LifecycleError) as exc:
            log.warning("command %s on %s refused: %s", cmd.action, cmd.id[:8], exc)

    # ------------------------------------------------------------ nurse actions

    def acknowledge_or_resolve(self, request_id: str, new: NurseChange, by: str) -> p.RequestView:
        view = self.store.get(request_id)
        if view is None:
            raise KeyError(f"no request {request_id}")
        if view.unit not in self.cfg.units:
            raise KeyError(f"request {request_id} is not in a unit this station serves")
        view = self.store.change(request_id, new, by=by)
        log.info("request %s %s by %s", request_id[:8], new, by)
        self._emit(RequestChanged(new, view))
        self._publish_bed(p.BedAddress(view.site, view.unit, view.bed))
        return view

    def check_escalations(self, now: datetime) -> None:
        views = self.store.open_requests()
        for esc in escalation.due(views, now, self.settings.escalation):
            view = self.store.set_escalation(esc.request_id, esc.level)
            who = escalation.LEVEL_NAMES[esc.level - 1]
            log.warning(
                "ESCALATION level %d (%s): bed %s/%s %s, %s",
                esc.level,
                who,
                view.unit,
                view.bed,
                view.intent,
                esc.reason,
            )
            self._emit(RequestChanged("escalated", view))
            self._publish_bed(p.BedAddress(view.site, view.unit, view.bed))

    # ------------------------------------------------------------ publishing

    def _on_connected(self, unit: str) -> None:
        self._publish_station_status(unit, True)
        self._publish_queue(unit)
        self._publish_stats(unit)
        if all(link.connected for link in self.links.values()):
            self.ready.set()

    def _publish_station_status(self, unit: str, online: bool) -> None:
        status = p.StationStatus(self.cfg.site, unit, self.cfg.name, online, p.now_iso())
        self._publish(p.Topics.station_status(self.cfg.site, unit, self.cfg.name), status, True)

    def _publish_receipt(self, bed: p.BedAddress, view: p.RequestView) -> None:
        receipt = p.Receipt(view.id, bed.site, bed.unit, bed.bed, view.state, p.now_iso())
        self._publish(bed.topic("receipt"), receipt)

    def _publish_bed(self, bed: p.BedAddress) -> None:
        """Retained per-bed state, then the unit queue, after every change."""
        state = p.BedState(bed.site, bed.unit, bed.bed, p.now_iso(), tuple(self.store.for_bed(bed)))
        self._publish(bed.topic("state"), state, retain=True)
        self._publish_queue(bed.unit)
        # Stats after the queue, and at most once a second: the history chart can wait, the
        # queue cannot.
        due = time.monotonic() + STATS_AFTER_CHANGE_S
        self._stats_due[bed.unit] = min(self._stats_due.get(bed.unit, due), due)

    def _publish_queue(self, unit: str) -> None:
        # Without histories (the bed state has them) so a busy unit still fits in one message.
        views = [replace(v, history=()) for v in self.store.open_requests(self.cfg.site, unit)]
        if len(views) > MAX_QUEUE:
            log.error(
                "unit %s has %d open requests; the queue shows the %d most urgent",
                unit, len(views), MAX_QUEUE,
            )  # fmt: skip
            views.sort(key=lambda v: (-p.PRIORITIES.index(v.priority), v.created_at))
            views = views[:MAX_QUEUE]
        queue_msg = p.UnitQueue(
            self.cfg.site,
            unit,
            p.now_iso(),
            tuple(views),
            tuple(self.store.offline_beds(self.cfg.site, unit)[:MAX_OFFLINE]),
            tuple(self.store.questions(self.cfg.site, unit, MAX_QUESTIONS)),
        )
        self._publish(p.Topics.unit(self.cfg.site, unit, "queue"), queue_msg, retain=True)

    def _publish_due_stats(self) -> None:
        now = time.monotonic()
        for unit in self.cfg.units:
            if now >= self._stats_due.get(unit, now + STATS_EVERY_S):
                self._publish_stats(unit)

    def _publish_stats(self, unit: str) -> None:
        """The unit's response-time history over the last 24 hours (retained)."""
        self._stats_due[unit] = time.monotonic() + STATS_EVERY_S
        now = datetime.now(UTC)
        rows = self.store.response_rows(self.cfg.site, unit, history.since(now))
        stats = history.summarize(rows, self.cfg.site, unit, p.now_iso())
        self._publish(p.Topics.unit(self.cfg.site, unit, "stats"), stats, retain=True)

    def _publish(self, topic: str, msg: p.Message, retain: bool = False) -> None:
        """Encode and publish on the unit's link; a message that fails validation is a bug,
        logged, not fatal."""
        link = self.links.get(p.Topics.unit_of(topic))
        if link is None:
            return
        try:
            payload = p.encode(msg)
        except p.ProtocolError as exc:
            log.error("not publishing %s to %s: %s", type(msg).__name__, topic, exc)
            return
        link.publish(topic, payload, retain=retain)

    def _emit(self, event: StationEvent) -> None:
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:  # a broken observer must not stop the station
                log.exception("station listener failed")


__all__ = ["StationService"]
