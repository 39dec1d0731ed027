"""The nurse-station service: receives requests, stores them once, tracks their lifecycle,
escalates unanswered calls, and publishes every change back to the bed and to station windows.

All work happens on the thread that calls ``run``: MQTT messages arrive through the link's
queue, so the SQLite store is only ever touched from here. Every message is validated; anything
malformed, oversized, unknown or addressed to a unit this station does not serve is logged and
dropped without stopping the service.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from beckon.config import StationSettings
from beckon.errors import EX_CONFIG, BeckonError
from beckon.intents import Intent, load_intents
from beckon.messaging import protocol as p
from beckon.messaging.link_problem import LinkProblem, LinkTrouble
from beckon.messaging.mqtt import (
    BROKER_LOG,
    RECONNECT_MIN_S,
    Connected,
    Disconnected,
    LinkEvent,
    Message,
    MqttLink,
    Will,
    check_broker_files,
    stop_links,
)
from beckon.observers import notify
from beckon.station import escalation, history, lifecycle
from beckon.station.announced import RETRY_MAX_BEATS, UnitAnnounces
from beckon.station.events import (
    BedPresence,
    QuestionAnswered,
    QuestionAsked,
    RequestChanged,
    StationEvent,
)
from beckon.station.exclusive import LOCK_POLL_S
from beckon.station.held import HeldMessages, held_until_serving
from beckon.station.hook import (
    EscalationHook,
    EscalationNotice,
    check_hook,
    missing_program,
)
from beckon.station.links_down import LinkDown, by_cause
from beckon.station.paging import Pages
from beckon.station.pgstore import open_configured_store
from beckon.station.probes import LinkProbe, Outage
from beckon.station.refresh import REFRESH_LISTEN_S, PresenceRefreshes
from beckon.station.store import RequestStore, StoreUnavailable

log = logging.getLogger(__name__)

MAX_OFFLINE = 500
MAX_QUESTIONS = 20
STATS_EVERY_S = 300.0  # the 24-hour window slides even when nothing happens
STATS_AFTER_CHANGE_S = 1.0  # a burst of changes publishes one stats message
STATS_SHARE = 0.01
"""At most this share of the service thread goes to a unit's stats: each refresh recomputes
the whole 24 hours (0.2-0.26 s a unit with a day of a 30-bed unit's history), and with a
refresh a second per unit the station's loop lagged up to 1.3 s and its receipts 0.75 s."""


def stats_delay(cost_s: float) -> float:
    """Seconds from a change to the unit's next stats, given what the last refresh cost."""
    return max(STATS_AFTER_CHANGE_S, cost_s / STATS_SHARE)


HEARTBEAT_S = p.HEARTBEAT_S
"""The station refreshes its retained presence this often; beds do the same with theirs."""
REPUBLISH_WINDOW = timedelta(days=1)
"""Beds whose state a station publishes again when it (re)connects: open calls, and changes
this recent (a bed's state lists its ten latest closed requests)."""
SILENT_AFTER_S = p.PRESENCE_FRESH_S
"""A bed (or station) not heard for this long is offline, whatever TCP keep-alive says."""
STALE_ASK_SLACK_S = 60.0
"""An ask command older than a question's own time to answer by more than this (clock skew
between the nurse's PC and the station) is dropped, not asked."""
BACKLOG_S = 60.0
"""Commands handled this long after the station connects may be the broker's backlog (kept
while it was down or standing by); only those are judged by their own time. A live ask is
asked whatever the nurse's PC clock says: every question from a PC three minutes slow was
dropped as too old."""
PROBE_S = 1.5
"""How long a starting station waits for its own retained presence to see a running twin,
counted from the broker's confirmation of its subscriptions (SUBACK), not from CONNACK: the
broker delivers the retained presences only after the SUBACK, which a loaded broker or a slow
link sends seconds late, and a probe counted from CONNACK then heard nothing and the station
started beside a running one."""
PROBE_SUBACK_WAIT_S = 30.0
"""How long the start-up probe waits for that SUBACK at most, counted from the probe's first
connection: a reconnect during the probe goes on with the same wait, and the wait starts again
only after a probe ended with the station serving. Never longer than one keep-alive interval,
the one the broker granted (MQTT 5 Server Keep Alive; the configured one under 3.1.1), see
``probe_suback_wait``. A broker that has not confirmed the subscriptions by then is failing in
a way the probe cannot judge (nothing it keeps can arrive); the station then serves (once its
last PROBE_S window has closed with a connection up) as it would without the probe and says so
in its log, rather than never serving its unit's calls. A probe never ends while no link is
connected (it would announce nothing and serve nothing). 30 s is three times the doctor's
wait (SUBACK_WAIT_S)."""
PROBE_LOSSES = 3
"""Connections lost during the start-up probe, before ever serving, each soon after the broker
confirmed it or taken over, that mean a twin holds the same MQTT user (see
StationService._on_lost_while_probing)."""
HOLD_OFF_S = (3, 6, 12, 24, 45)
"""How long a station that holds back (``StationService._hold_back``) stays away after each
further lost connection: one step more after every loss before a connection has held (not
only those soon after the broker confirmed it), the last step for good, each lengthened by a
random share (``hold_off_s``). Why every loss: two twins started together throw each other
off as each comes back, about one step after the other's loss; counting only losses within
PROBE_S kept both at 2 and 4 s, short of the hold, and neither ever served (review rev43r: 31
losses in 60 s). The first step is longer than the hold (``_hold_back``: PROBE_S after the
SUBACK, plus a tick of the service loop): the twin a connection throws off stays away until
that connection's station has served and announced itself, and it hears that presence when
it comes back and stops as DUPLICATE STATION. Why the random share: two twins whose waits end
together would connect together."""
HOLD_OFF_JITTER = 0.5
"""The random share added to a HOLD_OFF_S step, at most (``hold_off_s``)."""


def _where_serving(status: p.StationStatus) -> str:
    return f"{status.name} on {status.site}/{status.unit}"


def hold_off_s(step: int, rng: random.Random, steps: Sequence[int] = HOLD_OFF_S) -> int:
    """The wait after a station's ``step``-th loss while it holds back: the step of ``steps``
    (HOLD_OFF_S; the last for good) plus up to HOLD_OFF_JITTER of it, drawn anew each time, in
    whole seconds (paho's reconnect delay). Never shorter than the step: the steps are what
    keeps a twin away longer than the other's hold."""
    base = steps[min(step, len(steps) - 1)]
    return base + rng.randint(0, int(base * HOLD_OFF_JITTER))


def probe_suback_wait(keepalive: int) -> float:
    """How long the start-up probe waits for a SUBACK with this keep-alive: PROBE_SUBACK_WAIT_S,
    or one keep-alive interval if shorter. The broker answers a client's packets in order, so
    a late SUBACK holds back the PINGRESP paho asks for after one silent interval, and paho
    drops the connection one interval later still: a longer wait only ever ended in a lost
    connection, and the next connection waited again, so the station never served."""
    if keepalive <= 0:  # no keep-alive: paho never pings, so nothing is held behind the SUBACK
        return PROBE_SUBACK_WAIT_S
    return min(PROBE_SUBACK_WAIT_S, float(keepalive))


APPLIED_KEPT = 1000
"""Command ids remembered so that a repeat (a window resends until done) is ignored."""
BATCH = 500
"""Messages taken off the queue at once and handled in priority order."""
INFLIGHT = 200
"""QoS 1 messages the station has out unacknowledged (as far as the broker grants: the shipped
configuration's max_inflight_messages): receipts of a burst do not wait for acknowledgements
20 at a time."""
STORE_PING_S = 5.0
"""How often the station writes a small health row to its store: the escalation check reads
only due calls, so without this a store that went away would be noticed only at the next
call, while the station still says "online"."""
UNKNOWN_CANCEL_AFTER_S = 30.0
"""A cancel whose request the station still does not have after this long is confirmed as
cancelled. The bedside sends a request before its cancel, in order, so the request cannot still
be on its way: the station lost it (a database restored from an older backup). Without the
confirmation the tablet sent the cancel again every five minutes for ever."""
OWED_SLICE_S = 0.05
"""Longest spell of owed retained publishing (bed state, call messages) between two looks at
the queue: a call arriving after a burst is stored within this, not after the whole burst's
retained messages went out."""

NurseChange = Literal["acknowledged", "resolved"]

Listener = Callable[[StationEvent], None]
"""Called on the service thread with each StationEvent."""


class StationService:
    def __init__(
        self,
        settings: StationSettings,
        intents: dict[str, Intent] | None = None,
        *,
        hold_off_steps: Sequence[int] = HOLD_OFF_S,
    ) -> None:
        """``hold_off_steps``: the waits while holding back (HOLD_OFF_S, which the product always
        uses). Tests of a lone station behind a flapping link give shorter ones, to see it serve
        without waiting out 12 to 45 s steps in real time; twins need HOLD_OFF_S's first step."""
        self.settings = settings
        self.cfg = settings.station
        # The station's own catalog decides priorities: a bed cannot make "water" an emergency.
        self.intents = intents if intents is not None else load_intents()
        self.instance = secrets.token_hex(4)
        self.fault: str | None = None  # why this station cannot serve; it then exits non-zero
        self.exit_code = 0
        self._store: RequestStore | None = None
        self.listeners: list[Listener] = []
        # Called once per turn of the main loop (systemd watchdog, metrics): a stuck loop stops
        # calling them, which is the point.
        self.beats: list[Callable[[], None]] = []
        self.links: dict[str, MqttLink] = {}
        self.ready = threading.Event()
        """Set while every unit is served (announced on its link's connection); cleared by any
        link's loss. What waits for a whole station to serve reads it; heartbeats go per unit
        (``_units``), so one unit's link down no longer silences the others."""
        self._units = UnitAnnounces()  # announced units (these heartbeat), owed announces
        self.dropped = 0
        # Command ids applied lately: a window sends a command again until the queue shows it
        # done (a broker restart can drop the first copy), so a repeat is expected, not an error.
        self._applied: OrderedDict[str, None] = OrderedDict()
        self._stats_due: dict[str, float] = {}  # unit -> monotonic time its stats are due
        self._stats_cost: dict[str, float] = {}  # unit -> seconds its last stats took
        self._open: dict[str, dict[str, str]] = {}  # unit -> open request id -> priority
        self._bed_seen: dict[p.BedAddress, float] = {}  # online beds -> last heard (monotonic)
        # Beds where a nurse marked "nurse in room" -> who. Held in memory only: after a station
        # restart the nurse marks presence again before clearing (the safe direction).
        self._present: dict[p.BedAddress, str] = {}
        # Unit -> when its next heartbeat is due (monotonic): HEARTBEAT_S after its last
        # presence, each unit on its own (a link's re-check announces its units alone).
        self._beat_due: dict[str, float] = {}
        self._summary_due: set[str] = set()
        # Beds whose retained state (and new requests' call messages) is owed after a burst of
        # receipts -> ids of the requests new since. Published fresh from the store, bed by
        # bed, between looks at the queue (see _publish_owed).
        self._owed: dict[p.BedAddress, list[str]] = {}
        # Cancels for requests this station does not have -> when first seen (monotonic).
        self._unknown_cancels: OrderedDict[str, float] = OrderedDict()
        # Link (its first unit) -> its check for a running twin, while one runs (probes.py):
        # removed once it ended with the link's units served, or the link was lost during it
        # once serving (_end_probe_at_loss); the link's next check then waits afresh for a
        # SUBACK (probe_suback_wait). Before first serving, a reconnect goes on with it.
        self._probes: dict[str, LinkProbe] = {}
        self._probe_unconfirmed_said = False  # PROBE_SUBACK_WAIT_S passed, said once per run
        self._connected_at = time.monotonic()  # the last (re)connection (BACKLOG_S)
        self._run_began = time.monotonic()  # when ``run`` began (the first serving's line)
        # Link -> its messages that arrived during its check (not yet ours).
        self._held: dict[str, HeldMessages] = {}
        # Links whose loss was handled since their last connection (``_end_probe_at_loss``),
        # and each down link's record while its units are unserved (``LinkProbe.down``: not
        # connected since start, or lost; or the check a loss ended), taken up by the link's
        # next connection (``_on_connected``).
        self._links_down: set[str] = set()
        self._lost_probes: dict[str, LinkProbe] = {}
        self._served = False  # announced itself at least once
        # Connections lost during the start-up probe, before serving, per link (unit).
        self._probe_losses: dict[str, int] = {}
        # Each link's last connection whose Connected event was handled (_release_acks).
        self._seen_connection: dict[str, int] = {}
        # The links among them whose loss the broker called a take-over (MQTT 5, reason 0x8E).
        self._probe_taken_over: set[str] = set()
        # Holding back after ambiguous losses (_hold_back).
        self._holding = False
        self._hold_rng = random.Random()  # the random share of each wait (hold_off_s)
        self._hold_off_steps = tuple(hold_off_steps)
        self._hold_wait_s = RECONNECT_MIN_S  # the wait set at the last loss (hold_off)
        self.not_serving: str | None = None
        """Why this station is running but not taking the unit's calls (holding back, see
        ``_hold_back``), in one line for systemd's status and the health endpoint; None
        otherwise."""
        self._split_seen: dict[str, float] = {}  # another station serving our unit: when heard
        # Presences of other stations serving our units and whether they are refreshed (the
        # one rule for "alive", beckon.station.refresh); and those the start-up probe waits
        # on -> when first heard (monotonic): it ends no sooner than REFRESH_LISTEN_S after.
        self._refreshes = PresenceRefreshes()
        self._unrefreshed: dict[str, float] = {}
        check_hook(settings.escalation, settings.source)
        if (missing := missing_program(settings.escalation)) is not None:
            log.error("ESCALATION HOOK WILL FAIL: %s", missing)
        self.hook = EscalationHook(settings.escalation)
        self._pages = Pages()  # how the hook's deliveries went, and the pages to send again
        self._repaged: set[str] = set()  # units whose unconfirmed pages were sent again
        self._deadlines = escalation.Deadlines(settings.escalation)

    # ------------------------------------------------------------ running

    def _make_links(self, events: queue.Queue[object]) -> dict[str, MqttLink]:
        """The MQTT connections, keyed by unit; all feed the same queue.

        With a username, one connection whose client id is that username: the shipped broker
        config ties client ids to usernames (``use_username_as_clientid``), so no other
        device's password can take this session over, and two connections of this service
        would take over each other. Its last will covers the first unit; beds of the others
        notice the missing heartbeat within SILENT_AFTER_S. Without a username (a demo broker
        on loopback) one connection per unit, each with its own last will.

        Beds' statuses, stations' presences and the unit's calls come at QoS 0
        (``latest_only``): retained state whose latest the broker sends again at every
        subscription, so a station that was away misses only the steps between, except a
        call emptied meanwhile (nothing retained to send): ``_announce_unit`` reads each open
        call again from the store.
        That is what lets a probing station acknowledge in arrival order (MQTT section 4.6)
        and still keep the broker's window open: every QoS 1 message it holds waits,
        oldest acknowledged first past DEFERRED_ACKS_MAX, and the presences it listens for
        are outside the window. Acknowledging those retained and status messages at once,
        ahead of older requests, broke the order (review rev45r2); deferring them too in
        order filled the 15 slots (30 beds' statuses, a unit's open calls at each
        subscription) and pushed requests out to be acknowledged. A probe on a second
        connection was the other way: the shipped broker config gives it the station's
        username as client id (``use_username_as_clientid``), so it would take the station's
        own session over; it would need a second broker user per station."""
        site, name = self.cfg.site, self.cfg.name
        links: dict[str, MqttLink] = {}
        for units in self._link_groups():
            subs, latest = [], []
            for unit in units:
                leaves = ("request", "cancel", "answer", "nurse")
                subs += [p.Topics.bed_filter(site, unit, leaf) for leaf in leaves]
                subs.append(p.Topics.unit(site, unit, "command"))
                latest.append(p.Topics.bed_filter(site, unit, "status"))
                # Every station's presence for the unit: its own twin, and (SQLite) another
                # station already serving the unit (_check_twin, during the start-up probe).
                latest.append(p.Topics.station_status(site, unit, "+"))
                latest.append(p.Topics.call_filter(site, unit))
            first = units[0]
            will = Will(
                p.Topics.station_status(site, first, name),
                p.encode(p.StationStatus(site, first, name, False, p.now_iso(), self.instance)),
            )
            link = MqttLink(
                self.settings.broker,
                # "." cannot occur in a site, unit or name, so these ids never collide.
                client_id=self._client_id(first),
                subscriptions=subs,
                will=will,
                persistent=True,
                events=events,
                name=first,
                max_inflight=INFLIGHT,
                # Until it serves: a twin that stops must leave the running station's queued
                # requests in the broker's session, not take them with it (review rev45r).
                defer_acks=True,
                latest_only=latest,
            )
            links.update({unit: link for unit in units})
        return links

    def _link_groups(self) -> list[list[str]]:
        """The units of each broker connection: one for all with a username, else one each."""
        units = list(self.cfg.units)
        return [units] if self.settings.broker.username else [[u] for u in units]

    def _units_of_link(self, link: str) -> list[str]:
        """The units a link serves, by its name (its first unit, ``_make_links``)."""
        return next((units for units in self._link_groups() if units[0] == link), [])

    def _client_id(self, first_unit: str) -> str:
        # "." cannot occur in a site, unit or name, so these ids never collide.
        site, name = self.cfg.site, self.cfg.name
        return self.settings.broker.username or f"beckon-station.{site}.{name}.{first_unit}"

    def forget_sessions(self, wait_s: float = 5.0) -> None:
        """End this station's broker sessions before it stands by (PostgreSQL). A station that
        once served kept its persistent session, subscribed, for 24 hours: while it stood by the
        broker queued all the unit's traffic for it (200 messages a minute at 150 beds) and it
        replayed thousands of stale messages when it took over. Nothing is lost without them:
        beds send what has no receipt when a station comes online, consoles resend commands."""
        for units in self._link_groups():
            link = MqttLink(
                self.settings.broker,
                client_id=self._client_id(units[0]),
                subscriptions=[],
                persistent=False,  # a clean start: the broker drops the old session
                name=units[0],
            )
            try:
                if not link.start(wait_s):
                    log.warning("could not reach the broker to end the old session of %s",
                                link.client_id)  # fmt: skip
            finally:
                link.stop()

    def run(self, stop: threading.Event, tick_s: float = 0.5) -> None:
        """Serve until ``stop`` is set. Connection problems are retried, never fatal; a database
        that cannot be written is: the station says so on its status topic and stops with
        ``exit_code`` 1, so that systemd restarts it and nobody mistakes it for working."""
        check_broker_files(self.settings.broker)
        # SQLite connections belong to the thread that opens them: open it here, not in __init__.
        self._store = self._open_store(stop)
        if self._store is None:
            return  # stopped while waiting for another program's lock on the database
        for unit in self.cfg.units:
            views = self.store.open_requests(self.cfg.site, unit)
            self._open[unit] = {v.id: v.priority for v in views}
            for view in views:  # the only full read: afterwards each change is tracked
                self._deadlines.track(view)
        now = time.monotonic()
        for unit in self.cfg.units:
            for bed in self.store.online_beds(self.cfg.site, unit):
                self._bed_seen[p.BedAddress(self.cfg.site, unit, bed)] = now
        events: queue.Queue[object] = queue.Queue()
        self._run_began = time.monotonic()
        self.links = self._make_links(events)
        for link in self._unique_links():
            # Unserved until its first check ends: said if that takes not_serving_after_s
            # (``_say_links_down``), as for any link down.
            self._lost_probes[link.name] = LinkProbe.down(time.monotonic(), Outage.NOT_YET)
            link.start(wait_s=0)
        last_check = 0.0
        last_ping = time.monotonic()
        acked = False  # the links' deferred acknowledgements released (since the last check)
        try:
            while not stop.is_set() and self.fault is None:
                self._requeue_held(events)
                rest = self._store_first(events, 0 if self._owed else tick_s)
                for event in rest:
                    if self.fault is not None:
                        break
                    self._guarded(self.handle, event)
                if self._probes:
                    acked = False  # a check again (a reconnect): deferred until all ended
                elif self._served and not acked and self.fault is None:
                    # The messages held during the checks are handled (or queued behind this
                    # batch): only now are they this station's to acknowledge.
                    acked = True
                    self._release_acks()
                if time.monotonic() - last_check >= 1.0:
                    last_check = time.monotonic()
                    self._guarded(self.check_escalations, datetime.now(UTC))
                if time.monotonic() - last_ping >= STORE_PING_S:
                    last_ping = time.monotonic()
                    self._guarded(self.store.ping)
                    self._guarded(self._check_silent_beds)
                self._guarded(self._settle_pages)
                self._guarded(self._heartbeat)
                self._guarded(self._publish_due_stats)
                self._guarded(self._publish_owed)
                if not self._owed:
                    self._guarded(self._flush_summaries)
                for beat in self.beats:
                    self._guarded(beat)
        finally:
            if self.fault is not None:
                # A twin (DUPLICATE STATION, SECOND STATION) is not restarted (EX_CONFIG): with
                # status 1 systemd started it again every 2 s, and each start logged in as the
                # running station (one MQTT user, one client id) and threw it off.
                self.exit_code = EX_CONFIG if self.fault == "duplicate" else 1
            if self.fault != "duplicate":
                for unit in self.cfg.units:
                    self._publish_station_status(unit, False)
            stop_links(self._unique_links())  # together: each may wait for a hung broker
            self.hook.close()
            self._guarded(self._settle_pages, False)  # the pages confirmed while closing
            self.store.close()

    def _open_store(self, stop: threading.Event) -> RequestStore | None:
        """The configured store, waiting up to ``station.lock_wait_s`` while another program
        holds the SQLite database's write lock (it frees when that program's transaction ends;
        see config.LOCK_WAIT_S for why wait rather than exit at once); None if ``stop`` is set
        meanwhile. Any other reason, or a lock held longer, raises BeckonError (exit 2,
        restarted)."""
        deadline = time.monotonic() + self.cfg.lock_wait_s
        said = False
        # The health endpoint and `beckon doctor` name the database from the first attempt,
        # not "main loop not running; broker not connected", which sent IT looking for a twin
        # or a broker or network fault (review rev44r): SQLite's own busy wait (5 s) comes
        # before the first refusal, and for those 5 s they said just that (review rev44r2).
        self.not_serving = (
            "connecting to the database"
            if self.cfg.store
            else f"opening the database {self.cfg.database_path()} (if another program holds "
            "its write lock, SQLite waits 5 s before saying so)"
        )
        try:
            while True:
                try:
                    return open_configured_store(self.cfg.database_path(), self.cfg.store)
                except StoreUnavailable as exc:
                    if not exc.locked or time.monotonic() >= deadline:
                        raise BeckonError(str(exc), exc.hint) from None
                    if not said:
                        said = True
                        self.not_serving = f"waiting for the database: {exc} ({exc.hint})"
                        log.warning("%s; waiting up to %.0f s for it to end before giving up "
                                    "(%s)", exc, self.cfg.lock_wait_s, exc.hint)  # fmt: skip
                if stop.wait(LOCK_POLL_S):
                    return None
        finally:
            self.not_serving = None

    def _release_acks(self) -> None:
        """Every link's check ended with this station serving: each link acknowledges what it
        deferred, unless it connected again since its last ``Connected`` was handled (a new
        check will begin; its deferral stays on). Every link defers while any checks
        (``_on_connected``), though only the checking link's messages wait unhandled: a
        check that ends finding this station the twin (exit 78) leaves the other links'
        latest messages in their sessions too, for whichever station serves them next
        (review rev46r), while this one has stored and receipted them meanwhile."""
        for link in self._unique_links():
            if link.name in self._links_down:
                # What it deferred belongs to a connection that is gone: the broker sends it
                # again on the next one, whose check releases it. An acknowledgement sent now
                # could reach that next connection and acknowledge what its check holds.
                continue
            link.release_acks(self._seen_connection.get(link.name, 0))

    def _holds(self, link: str) -> bool:
        """Whether what arrives on ``link`` waits (``_hold_probing``): until the station first
        serves, everything; then what comes on a link while it checks for a twin, or while it
        is down: after a loss (``_end_probe_at_loss``), what its check held waits for the next
        check on that link to end, and so does what its new connection brings before that
        connection's ``Connected`` is handled. A link not connected yet since the station
        started counts as down: its first connection's requests, in the same batch as its
        ``Connected`` (which ``_next_batch`` sorts behind them), were stored and receipted
        before its check began (review rev48s2). They wait in ``_held`` for that check, as
        with any reconnect, and are handled once it ends (``_requeue_held``)."""
        return (
            not self._served
            or link in self._probes
            or link in self._links_down
            or link not in self._seen_connection
        )

    def _requeue_held(self, events: queue.Queue[object]) -> None:
        """What a link's check held, once it ended with the link's units served: now ours,
        handled in the order it came (behind what is queued already)."""
        for name in [name for name in self._held if not self._holds(name)]:
            for held in self._held.pop(name).take():
                events.put(held)

    def _unique_links(self) -> list[MqttLink]:
        return list({id(link): link for link in self.links.values()}.values())

    def _hold_probing(self, batch: list[object]) -> list[object]:
        """During a link's check for a twin only station presences of its units are handled
        (the twin check); everything else of that link waits in ``_held`` until this station
        knows it is the only one there; until the station first serves, everything. The
        other links' messages are handled as they come: a link that has held its connection
        since its own check ended holds its units' sessions (one client id), so no twin
        serves those units (``probes.py``; one link for all units with a broker user). A
        twin that stored, receipted or applied calls, cancels, answers or nurse commands in
        those 1.5 s took them into its own database and away from the running station (the
        broker had handed it the session). Held and, up to ``mqtt.DEFERRED_ACKS_MAX``,
        unacknowledged (``MqttLink.release_acks``, once serving in ``run``): a twin that
        stops leaves those in the session, and the broker gives them to the running station
        (review rev45r: paho acknowledged each as it came, and 2 to 12 of 37 requests never
        reached it). What it held beyond, acknowledged, is lost with it (a long hold,
        ``_hold_back``): the beds resend their requests once a station announces itself,
        windows their commands until done, but such a cancel or answer is gone. What is held
        is bounded (HeldMessages), per link."""
        rest: list[object] = []
        for event in batch:
            if (
                isinstance(event, Message)
                and held_until_serving(event.topic)
                and self._holds(event.link)
            ):
                self._held.setdefault(event.link, HeldMessages()).add(event)
            else:
                rest.append(event)
        return rest

    def _next_batch(self, events: queue.Queue[object], tick_s: float) -> list[object]:
        """Whatever is waiting (up to BATCH), requests first by priority: when calls pile up,
        an emergency does not wait behind routine ones. Everything else keeps its order and
        comes after the requests of the batch (a cancel then finds its request stored)."""
        try:
            batch = [events.get(timeout=tick_s) if tick_s > 0 else events.get_nowait()]
        except queue.Empty:
            return []
        while len(batch) < BATCH:
            try:
                batch.append(events.get_nowait())
            except queue.Empty:
                break
        return sorted(batch, key=self._rank)

    def _rank(self, event: object) -> int:
        if not (isinstance(event, Message) and event.topic.endswith("/request")):
            return 3
        try:
            intent = json.loads(event.payload).get("intent")
        except (ValueError, AttributeError, RecursionError):
            return 3
        spec = self.intents.get(intent) if isinstance(intent, str) else None
        if spec is None or spec.priority is None:
            return 1
        return 2 - p.PRIORITIES.index(spec.priority)

    def _guarded(self, work: Callable[..., object], *args: object) -> None:
        try:
            work(*args)
        except self.store.write_errors as exc:
            # Unable to store: not a state to keep running in. Bedsides keep their requests
            # until a station stores them, so stopping loses nothing; saying "online" would.
            self._fail(self.store.write_problem(exc))
        except Exception:
            # Last line of defence: a bug must not stop the station for every bed of the unit.
            # Log it loudly and go on with the next message.
            log.exception("station: error while handling %s", args[0] if args else work)

    def fail(self, why: str) -> None:
        """Stop with a fault (from the service's own thread, e.g. one of its ``beats``)."""
        self._fail(why)

    def _fail(self, why: str) -> None:
        log.critical("STATION FAULT: %s; stopping so that it is noticed and restarted", why)
        # One line: a driver's message (psycopg's has newlines) would make the presence
        # invalid on the wire, and the station would vanish without saying why.
        self.fault = " ".join(why.split())[:200]
        for unit in self.cfg.units:
            self._publish_station_status(unit, False)

    def handle(self, event: LinkEvent) -> None:
        """Process one link event; never raises for bad input."""
        if isinstance(event, Connected):
            self._on_connected(event)
            return
        if isinstance(event, Disconnected):
            self.ready.clear()
            self._units.lost(self._units_of_link(event.link))
            self._links_down.add(event.link)
            self._on_lost_while_probing(event)
            self._end_probe_at_loss(event.link)
            self._unserved_from_loss(event.link)
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
        parts = topic.split("/")
        if len(parts) == 6 and parts[4] == "call":
            self._check_retained_call(parts[3], parts[5], payload)
            return
        if len(parts) == 7 and parts[4] == "station":
            if payload:  # an empty retained message clears a presence: nothing to check
                self._check_twin(p.decode_as(payload, p.StationStatus))
            return
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
        self._check_served(bed)
        if leaf in ("request", "cancel", "answer"):
            self._seen(bed)
        if leaf == "request":
            self._on_request(bed, p.decode_as(payload, p.Request))
        elif leaf == "cancel":
            self._on_cancel(bed, p.decode_as(payload, p.Cancel))
        elif leaf == "status":
            self._on_status(bed, p.decode_as(payload, p.BedStatus))
        elif leaf == "answer":
            self._on_answer(bed, p.decode_as(payload, p.Answer))
        elif leaf == "nurse":
            self._on_nurse_at_bed(bed, p.decode_as(payload, p.NurseAtBed))
        else:
            raise p.ProtocolError(f"unexpected topic {topic}")

    def _on_request(self, bed: p.BedAddress, req: p.Request) -> None:
        self._answer_requests(self._receive([(bed, req)]))

    def _store_first(self, events: queue.Queue[object], tick_s: float) -> list[object]:
        """Store the requests waiting, each batch in one transaction, and answer each batch
        with its receipts (``_answer_requests``) before taking the next: under a burst the
        receipts of the first calls go out while later ones still arrive, and an emergency
        waits at most one batch's receipts to be stored. Returns the other messages in their
        order; the retained messages the requests change are owed (``_publish_owed``)."""
        stored = 0
        rest: list[object] = []
        batch = self._hold_probing(self._next_batch(events, tick_s))
        while batch:
            requests = [e for e in batch if self._rank(e) < 3]
            rest += batch[len(requests) :]
            if not requests:
                break
            try:
                answered = self._receive_requests(requests)
            except self.store.write_errors as exc:  # SQLite's or PostgreSQL's: a fault
                self._fail(self.store.write_problem(exc))
                break
            self._answer_requests(answered, defer=True)
            stored += len(answered)
            batch = self._hold_probing(self._next_batch(events, 0)) if stored < 10 * BATCH else []
        return rest

    def _receive_requests(
        self, events: list[object]
    ) -> list[tuple[p.BedAddress, p.RequestView, bool]]:
        """Request messages checked one by one (a bad one is dropped alone) and stored in
        one transaction."""
        good: list[tuple[p.BedAddress, p.Request]] = []
        for event in events:
            assert isinstance(event, Message)
            try:
                bed, _ = p.Topics.parse_bed_topic(event.topic)
                self._check_served(bed)
                good.append((bed, p.decode_as(event.payload, p.Request)))
                self._seen(bed)
            except p.ProtocolError as exc:
                self.dropped += 1
                log.warning("dropped message on %s: %s", event.topic, exc)
        return self._receive(good)

    def _receive(
        self, items: list[tuple[p.BedAddress, p.Request]]
    ) -> list[tuple[p.BedAddress, p.RequestView, bool]]:
        checked = []
        for bed, req in items:
            if req.address != bed:
                self.dropped += 1
                log.warning("dropped request for bed %s sent on the topic of %s",
                            req.address.key, bed.key)  # fmt: skip
                continue
            checked.append((bed, self._catalog_priority(req)))
        stored = self.store.receive_many([req for _, req in checked])
        return [(bed, view, new) for (bed, _), (view, new) in zip(checked, stored, strict=True)]

    def _answer_requests(
        self, stored: list[tuple[p.BedAddress, p.RequestView, bool]], defer: bool = False
    ) -> None:
        """Every receipt first, most urgent first: a receipt is what tells the patient that the
        nurses have the call, and it is small and cheap. Only then the retained messages (the
        call's own message, the bed's state once per bed, the unit summary once): building and
        checking those costs several times a receipt, and published between receipts they
        held the last receipt of a 500-call burst 2 to 3 s behind its storing. With ``defer``
        they are owed and go out between looks at the queue (``_publish_owed``), so that the
        next calls are stored and receipted first."""
        ordered = sorted(stored, key=lambda s: -p.PRIORITIES.index(s[1].priority))
        for bed, view, new in ordered:
            self._guarded(self._receipt_for, bed, view, new)
        for bed, view, new in ordered:
            self._owed.setdefault(bed, [])
            if new:
                self._owed[bed].append(view.id)
        if not defer:
            for bed, _, _ in ordered:
                if bed in self._owed:
                    self._guarded(self._publish_bed, bed)

    def _publish_owed(self) -> None:
        """Owed retained messages, the most urgent bed first, for at most OWED_SLICE_S."""
        until = time.monotonic() + OWED_SLICE_S
        while self._owed and time.monotonic() < until:
            self._publish_bed(next(iter(self._owed)))

    def _receipt_for(self, bed: p.BedAddress, view: p.RequestView, new: bool) -> None:
        if new:
            # Counted open now, though its call message may still be owed.
            self._open.setdefault(view.unit, {})[view.id] = view.priority
            self._deadlines.track(view)
            log.info(
                "bed %s asks for %s (%s, by %s): request %s received",
                bed.key, view.intent, view.priority, view.source, view.id[:8],
            )  # fmt: skip
            self._emit(RequestChanged("received", view))
        else:
            log.info("request %s from bed %s arrived again; already stored",
                     view.id[:8], bed.key)  # fmt: skip
        self._publish_receipt(bed, view)

    def _check_served(self, bed: p.BedAddress) -> None:
        if bed.site != self.cfg.site or bed.unit not in self.cfg.units:
            raise p.ProtocolError(f"bed {bed.key} is not in a unit this station serves")

    def _seen(self, bed: p.BedAddress) -> None:
        if bed in self._bed_seen:
            self._bed_seen[bed] = time.monotonic()

    def _catalog_priority(self, req: p.Request) -> p.Request:
        """The priority is the station's, from its catalog: never what the bed claims. An
        intent the station does not know keeps the bed's priority, but at most urgent."""
        spec = self.intents.get(req.intent)
        if spec is not None and spec.priority is not None:
            priority = spec.priority
        else:
            log.warning("bed %s sent unknown intent %r", req.address.key, req.intent)
            priority = "urgent" if req.priority == "emergency" else req.priority
        if priority != req.priority:
            log.warning(
                "bed %s sent %s as %s; stored as %s (the station's catalog)",
                req.address.key, req.intent, req.priority, priority,
            )  # fmt: skip
            req = replace(req, priority=priority)
        return req

    def _on_cancel(self, bed: p.BedAddress, cancel: p.Cancel) -> None:
        view = self.store.get(cancel.id)
        if view is None or (view.site, view.unit, view.bed) != (bed.site, bed.unit, bed.bed):
            self._on_unknown_cancel(bed, cancel)
            return
        self._unknown_cancels.pop(cancel.id, None)
        if lifecycle.can_move(view.state, "cancelled"):
            view = self.store.change(view.id, "cancelled", by="patient")
            self._deadlines.track(view)
            log.info("bed %s cancelled request %s", bed.key, view.id[:8])
            self._emit(RequestChanged("cancelled", view))
            self._publish_receipt(bed, view)
            self._publish_bed(bed, view)
            return
        self._publish_receipt(bed, view)
        self._publish_bed(bed)

    def _on_unknown_cancel(self, bed: p.BedAddress, cancel: p.Cancel) -> None:
        """The request may still be on its way (the bedside resends the cancel), so wait; once
        it is UNKNOWN_CANCEL_AFTER_S late, confirm the cancel: no nurse ever saw that request."""
        first = self._unknown_cancels.setdefault(cancel.id, time.monotonic())
        if time.monotonic() - first < UNKNOWN_CANCEL_AFTER_S:
            log.info("cancel for unknown request %s from bed %s; waiting", cancel.id[:8], bed.key)
            while len(self._unknown_cancels) > APPLIED_KEPT:
                self._unknown_cancels.popitem(last=False)
            return
        del self._unknown_cancels[cancel.id]
        log.warning(
            "cancel for request %s from bed %s, which this station never stored (a database "
            "restored from an older backup?); confirmed so that the bed stops sending it",
            cancel.id[:8], bed.key,
        )  # fmt: skip
        receipt = p.Receipt(cancel.id, bed.site, bed.unit, bed.bed, "cancelled", p.now_iso())
        self._publish(bed.topic("receipt"), receipt)

    def _on_status(self, bed: p.BedAddress, status: p.BedStatus) -> None:
        """Presence, and every few seconds the bed's heartbeat (the same message, not
        retained): only a change of presence touches the database."""
        known_online = bed in self._bed_seen
        if status.online:
            self._bed_seen[bed] = time.monotonic()
            if known_online:
                return
            self._ask_again(bed)
        else:
            self._bed_seen.pop(bed, None)
        self._set_bed_online(bed, status.online, status.at)

    def _ask_again(self, bed: p.BedAddress) -> None:
        """A bed (back) online gets its unanswered, unexpired questions again: the bedside
        keeps a question in memory only, so a tablet restarted while one was on its screen
        lost it, and the nurse waited for an answer that could not come. The bedside knows a
        question by its id, so one it still shows is not asked twice."""
        for q in self.store.questions(bed.site, bed.unit, MAX_QUESTIONS):
            if q.bed == bed.bed and q.answer is None and p.question_time_left(q.asked_at) > 0:
                log.info("asking bed %s again: %s", bed.key, q.text)
                again = p.Question(
                    q.id, bed.site, bed.unit, bed.bed, q.text, q.asked_by, q.asked_at
                )
                self._publish(bed.topic("question"), again)

    def _set_bed_online(self, bed: p.BedAddress, online: bool, at: str) -> None:
        if self.store.set_bed_online(bed, online, at):
            if online:
                log.info("bed %s is online", bed.key)
            else:
                log.warning("DEVICE FAULT: bed %s went offline", bed.key)
            self._emit(BedPresence(bed, online))
            self._publish_queue(bed.unit)

    def _ask(self, unit: str, cmd: p.AskCommand) -> None:
        if unit not in self.cfg.units:
            raise p.ProtocolError(f"question for unit {unit}, which this station does not serve")
        bed = p.BedAddress(self.cfg.site, unit, cmd.bed)
        backlog = time.monotonic() - self._connected_at < BACKLOG_S
        if backlog and p.question_time_left(cmd.at) <= -STALE_ASK_SLACK_S:
            # A backlog the broker kept for a station that was down or standing by: asked
            # now, the patient would answer a question nobody is waiting for any more.
            log.warning("%s's question to bed %s from %s is too old to ask; dropped",
                        cmd.by, bed.key, cmd.at)  # fmt: skip
            return
        # The question's id is the command's, so the same command twice (a standby that takes
        # over replays the broker's backlog; both share one database) asks it once. It asked
        # "Are you in pain?" again minutes later, with a fresh time.
        question = p.Question(
            cmd.command_id, bed.site, bed.unit, bed.bed, cmd.text, cmd.by, p.now_iso()
        )
        view = self.store.ask(question)
        if view is None:
            log.info("question %s to bed %s was asked already; not again", cmd.command_id[:8],
                     bed.key)  # fmt: skip
            return
        log.info("%s asks bed %s: %s", cmd.by, bed.key, cmd.text)
        self._publish(bed.topic("question"), question)
        self._emit(QuestionAsked(view))
        self._publish_queue(unit)

    def _on_answer(self, bed: p.BedAddress, answer: p.Answer) -> None:
        if (answer.site, answer.unit, answer.bed) != (bed.site, bed.unit, bed.bed):
            raise p.ProtocolError(f"answer from bed {answer.bed} sent on the topic of {bed.key}")
        view, new = self.store.answer(answer)
        receipt = p.Receipt(answer.question_id, bed.site, bed.unit, bed.bed, "received",
                            p.now_iso())  # fmt: skip
        self._publish(bed.topic("receipt"), receipt)
        if view is None:
            # A question is stored before it is asked, so this one will never be known here
            # (a database restored or moved aside since). Confirmed anyway: unconfirmed, the
            # bed resent it for ever and its board showed calls "NOT ARRIVING".
            log.warning(
                "bed %s answered %s to question %s, which this station's database does not "
                "have (restored or moved aside?); confirmed so that the bed stops sending it",
                bed.key, answer.answer, answer.question_id[:8],
            )  # fmt: skip
            return
        if new:
            log.info("bed %s answers %s to: %s", bed.key, answer.answer, view.text)
            self._emit(QuestionAnswered(view))
            self._publish_queue(bed.unit)

    def _on_nurse_at_bed(self, bed: p.BedAddress, msg: p.NurseAtBed) -> None:
        """Presence and clearing at the bed's own screen (see ``lifecycle.why_not_cleared_at_bed``
        for who may clear what)."""
        if (msg.site, msg.unit, msg.bed) != (bed.site, bed.unit, bed.bed):
            raise p.ProtocolError(f"nurse_at_bed for bed {msg.bed} sent on the topic of {bed.key}")
        if msg.action in ("present", "absent"):
            present = msg.action == "present"
            if present == (bed in self._present):
                return
            if present:
                self._present[bed] = msg.by
            else:
                self._present.pop(bed, None)
            log.info("bed %s: nurse %s %s", bed.key, msg.by, "in room" if present else "left")
            self._publish_queue(bed.unit)
            return
        assert msg.id is not None  # the schema requires it for "clear"
        self.clear_at_bed(bed, msg.id, msg.by)

    def clear_at_bed(self, bed: p.BedAddress, request_id: str, by: str) -> p.RequestView | None:
        """Resolve ``request_id`` (any priority, emergencies included) for a nurse at ``bed``;
        None when refused or already closed. The history records "BY (at bed BED)" and when."""
        view = self.store.get(request_id)
        if view is None:
            log.warning("clear at bed %s of unknown request %s refused", bed.key, request_id[:8])
            return None
        why = lifecycle.why_not_cleared_at_bed(
            (view.site, view.unit, view.bed), (bed.site, bed.unit, bed.bed), bed in self._present
        )
        if why is not None:
            log.warning("clear of request %s at bed %s refused: %s", request_id[:8], bed.key, why)
            return None
        if not lifecycle.can_move(view.state, "resolved"):
            log.info("clear of request %s at bed %s: already %s", request_id[:8], bed.key,
                     view.state)  # fmt: skip
            return None
        view = self.store.change(
            request_id, "resolved", by=f"{by} (at bed {bed.bed})"[: p.NAME_MAX]
        )
        self._deadlines.track(view)
        log.info("request %s cleared at bed %s by %s", request_id[:8], bed.key, by)
        self._emit(RequestChanged("resolved", view))
        self._publish_bed(bed, view)
        return view

    def present_beds(self, unit: str) -> tuple[str, ...]:
        """Beds of ``unit`` with a nurse in the room, for the queue summary."""
        return tuple(sorted(b.bed for b in self._present if b.unit == unit))

    def _apply_command(self, cmd: p.StationCommand) -> None:
        if cmd.command_id in self._applied:
            log.debug("command %s on %s arrived again; already applied", cmd.action, cmd.id[:8])
            return
        self._applied[cmd.command_id] = None
        while len(self._applied) > APPLIED_KEPT:
            self._applied.popitem(last=False)
        new: NurseChange = "acknowledged" if cmd.action == "acknowledge" else "resolved"
        try:
            self.acknowledge_or_resolve(cmd.id, new, cmd.by)
        except (KeyError, lifecycle.LifecycleError) as exc:
            log.warning("command %s on %s refused: %s", cmd.action, cmd.id[:8], exc)
            view = self.store.get(cmd.id)
            if view is not None and view.unit in self.cfg.units:
                # Often a repeat after a crash: the change is stored, its state may never
                # have reached the bed. Publishing the state again is harmless.
                self._publish_bed(p.BedAddress(view.site, view.unit, view.bed))

    # ------------------------------------------------------------ nurse actions

    def acknowledge_or_resolve(self, request_id: str, new: NurseChange, by: str) -> p.RequestView:
        view = self.store.get(request_id)
        if view is None:
            raise KeyError(f"no request {request_id}")
        if view.unit not in self.cfg.units:
            raise KeyError(f"request {request_id} is not in a unit this station serves")
        if new == "resolved" and not lifecycle.resolvable_remotely(view.priority):
            raise lifecycle.LifecycleError(
                f"request {request_id} is an emergency; it is cleared at the bedside only"
            )
        view = self.store.change(request_id, new, by=by)
        self._deadlines.track(view)
        log.info("request %s %s by %s", request_id[:8], new, by)
        self._emit(RequestChanged(new, view))
        self._publish_bed(p.BedAddress(view.site, view.unit, view.bed), view)
        return view

    def check_escalations(self, now: datetime) -> None:
        """Raise the level of the calls whose escalation is due. Only those are read from the
        store (``escalation.Deadlines``), so a unit with hundreds of open calls costs the same
        each second as one with none."""
        for request_id in self._deadlines.pop_due(now):
            view = self.store.get(request_id)
            if view is None:
                continue
            self._deadlines.track(view)  # not due after all (closed meanwhile): as it is
            for esc in escalation.due([view], now, self.settings.escalation):
                self._escalate(esc)

    def _escalate(self, esc: escalation.Escalation) -> None:
        view = self.store.set_escalation(esc.request_id, esc.level)
        self._deadlines.track(view)
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
        self._publish_bed(p.BedAddress(view.site, view.unit, view.bed), view)
        self._pages.forget(view.id)  # a lower level's page still failing is superseded
        self._page(view, esc.reason)

    def _page(self, view: p.RequestView, reason: str) -> None:
        """Page ``view``'s current escalation level through the hook; the store records it
        once the hook confirms (``_settle_pages``). With no hook there is nothing to wait for."""
        if not self.hook.configured:
            self.store.set_paged(view.id, view.escalation)
            return
        notice = EscalationNotice(
            view.site, view.unit, view.bed, view.id, view.intent, view.priority,
            view.escalation, reason, p.now_iso(),
        )  # fmt: skip
        self.hook.send(notice, self._pages.delivered)

    def _settle_pages(self, retry_due: bool = True) -> None:
        """Record the pages the hook confirmed, and send again those that failed (with
        back-off, while the call is open at that level): one failed POST to a pager gateway
        that was restarting lost the page of a call nobody answered."""
        now = time.monotonic()
        for notice in self._pages.settle(now):
            self.store.set_paged(notice.request_id, notice.level)
        for retry in self._pages.due(now) if retry_due else ():
            view = self.store.get(retry.notice.request_id)
            if view is None or view.state in p.CLOSED_STATES:
                self._pages.forget(retry.notice.request_id)
                continue
            if view.escalation != retry.notice.level:
                self._pages.forget(retry.notice.request_id)
                continue
            log.warning(
                "ESCALATION PAGE AGAIN (attempt %d): level %d for bed %s/%s %s, via %s",
                retry.attempts + 1, retry.notice.level, view.unit, view.bed, view.intent,
                " and ".join(sorted(retry.channels)),
            )  # fmt: skip
            self.hook.send(retry.notice, self._pages.delivered, retry.channels)

    def _page_unconfirmed(self, unit: str) -> None:
        """Once per run, when this station starts serving ``unit``: page again the levels
        stored but never confirmed (the station stopped between storing a level and its
        page going out, or while the pager failed). A page may come twice, never not at all."""
        if unit in self._repaged:
            return
        for view in self.store.unpaged(self.cfg.site, unit):
            log.warning(
                "ESCALATION PAGE AGAIN: level %d for bed %s/%s %s was stored but its page "
                "never confirmed (the station stopped); paging now",
                view.escalation, view.unit, view.bed, view.intent,
            )  # fmt: skip
            self._page(view, escalation.REASONS.get(view.state, "not acknowledged"))
        # Only once every page went out: marked before, a page that raised left the rest
        # unsent while the announce's retry skipped them and said it went through (rev47s).
        self._repaged.add(unit)

    # ------------------------------------------------------------ publishing

    # ------------------------------------------------------------ presence

    def _on_connected(self, event: Connected) -> None:
        """Before announcing the link's units, look at this station's own retained presence
        on them: a twin with the same name that is still heartbeating means two services would
        split the calls. Only this link's units are held meanwhile (``probes.py``): the other
        links hold their sessions and serve on. Every link defers its acknowledgements again
        (``MqttLink.hold_acks``) until no check runs (``_release_acks``), each released only
        for the connection seen here."""
        self._seen_connection[event.link] = event.connection
        self._links_down.discard(event.link)
        for link in self._unique_links():
            link.hold_acks()
        now = time.monotonic()
        probe = self._probes.get(event.link)
        if probe is not None:  # a reconnect during the start-up probe goes on with it
            probe.connected_again(now, PROBE_S)
        elif (lost := self._lost_probes.pop(event.link, None)) is not None:
            if lost.connections == 0 and lost.outage is Outage.NOT_YET:
                # Its first connection: its check counts from now, as it did before it had a
                # record (``calls_held`` said "re-checking for 16 s" of a link that merely
                # connected 15 s after the start); what was said goes with it.
                self._probes[event.link] = LinkProbe(
                    began=now,
                    until=now + PROBE_S,
                    unserved_since=lost.began,
                    outage=lost.outage,
                    held_said=lost.held_said,
                )
            elif lost.outage is Outage.LOST and not lost.held_said:
                # Back from a loss shorter than not_serving_after_s: a fresh check from now, as
                # before its record existed. Counted from the loss, a 7-15 s blip (paho retries
                # 1, 3, 7, 15 s after it) made ``calls_held`` page IT at the recovery with
                # "re-checking ... back after being down" (review rev49s: 0 -> 2 lines).
                # Lost again in it, its units were unserved since the first loss: kept.
                self._probes[event.link] = LinkProbe(
                    began=now, until=now + PROBE_S, unserved_since=lost.began
                )
            else:  # back after a loss (a served link's, or one that ended its check)
                lost.connected_afresh(now, PROBE_S)
                self._probes[event.link] = lost
        else:  # a check begins
            self._probes[event.link] = LinkProbe(began=now, until=now + PROBE_S)
        self._connected_at = now
        log.info(
            "connected (%s); checking that no other station named %s is running",
            ", ".join(self._units_of_link(event.link)) or event.link, self.cfg.name,
        )  # fmt: skip

    def _count_probe_from_suback(self, now: float) -> None:
        """Keep each link's check open until PROBE_S after the SUBACK that confirmed its
        subscriptions (see PROBE_S; its time as the link noted it, not this tick's), waiting
        for a SUBACK until the check's deadline (``probe_suback_wait``, the keep-alive the
        broker granted that link)."""
        # A link down now holds nothing up: it is announced when it connects (``_announce``).
        for name, probe in self._probes.items():
            link = self.links[name]
            if not link.connected:
                continue
            confirmed = link.subscribed_at
            if confirmed is not None:
                probe.until = max(probe.until, confirmed + PROBE_S)
                continue
            if now - probe.suback_from < probe_suback_wait(link.keepalive):
                probe.until = max(probe.until, now + PROBE_S)
                continue
            if self._probe_unconfirmed_said:
                continue
            self._probe_unconfirmed_said = True
            why = (
                "this station could not send its subscriptions on the connection (see the "
                "warning above; the next connection subscribes again)"
                if link.subscribe_unsent
                else f"check the broker's load and log: {BROKER_LOG}"
            )
            log.warning(
                "this station's subscriptions are not confirmed %.0f s after connecting: "
                "serving without knowing whether another station serves %s (%s)",
                now - probe.suback_from, "/".join((self.cfg.site, *self._units_of_link(name))),
                why,
            )  # fmt: skip

    @property
    def starting(self) -> bool:
        """In its first start-up probe: running, not yet known to be the only station, not
        holding back, and no unit of it cut off past ``not_serving_after_s`` (its link down
        since the start: refused, unreachable). systemd's status and the doctor said "serving"
        then (review rev43r); and a station whose link the broker refused for minutes said
        "starting: checking that no other station serves its units", health ``starting``
        true, as if it were about to serve (session 49's closing note)."""
        return (
            not self._served
            and self.not_serving is None
            and self.fault is None
            and not self._down_records(time.monotonic())
        )

    def status_text(self) -> str:
        """One line for systemd's ``STATUS=``: serving, starting, or why not (for which
        units, when only some are not served; with the cause and remedy of a link down past
        ``not_serving_after_s``, the CRITICAL line's own words, ``LinkDown``)."""
        if why := self.not_serving or self.calls_held:
            return why
        if self.starting:
            if down := self.units_down:  # no check can run on a link not connected
                return f"starting: connecting to the broker (unit {', '.join(down)})"
            return "starting: checking that no other station serves its units"
        if down := self.units_down:
            long = by_cause(self.links_down_long, len(self.cfg.units))
            if not long and len(down) == len(self.cfg.units):
                return "not serving: no broker connection (reconnecting)"
            told = {unit for link in long for unit in link.units}
            parts = [link.status for link in long]
            if short := [unit for unit in down if unit not in told]:
                parts.append(
                    f"unit {', '.join(short)}: its broker connection is down (reconnecting)"
                )
            serving = self.units_serving
            return f"not serving {'; '.join(parts)}" + (
                f"; serving {', '.join(serving)}" if serving else ""
            )
        if owed := self.announce_owed:
            return (
                f"serving, but the announce of unit {', '.join(owed)} failed: its calls, queue "
                f"and beds' states are not republished (see the log); retrying, every "
                f"{HEARTBEAT_S:.0f} s at first and {HEARTBEAT_S * RETRY_MAX_BEATS:.0f} s at most"
            )
        return "serving"

    @property
    def units_down(self) -> list[str]:
        """The units whose broker link is not connected now, sorted (the health endpoint's
        thread reads it: each link's flag alone)."""
        return sorted(unit for unit, link in list(self.links.items()) if not link.connected)

    @property
    def units_serving(self) -> list[str]:
        """The units this station serves now, sorted: announced on their link's current
        connection, that link connected and not re-checking for a twin. Read by the health
        endpoint's thread: copies only."""
        probing = set(self._probes)
        served = set(self._units.serving)
        return sorted(
            unit
            for unit, link in list(self.links.items())
            if unit in served and link.connected and self._link_of(unit) not in probing
        )

    @property
    def calls_held(self) -> str | None:
        """Why a station that served is not serving some units now: a link's re-check for a twin
        (the probe at a reconnect) has held its units' calls for longer than ``not_serving_after_s``
        (default PRESENCE_FRESH_S), in one line for IT, with the link to look at; None otherwise.
        Such a check has no upper bound (each reconnect of a flapping link re-arms it, a late SUBACK
        is waited for up to a keep-alive), its units do not heartbeat meanwhile and their tablets
        say "no station", yet the status, the health endpoint and the doctor said "serving" (review
        rev47s2: 120 s into one, health ok). Only that link's units are held (``probes.py``): with a
        broker username, every unit. The one rule for systemd's status, the health endpoint and the
        log (``_heartbeat``). Read by the health endpoint's thread: copies only."""
        if not self._served:
            return None
        now = time.monotonic()
        after_s = self.cfg.not_serving_after_s
        long = [(n, pr) for n, pr in list(self._probes.items()) if pr.unserved_long(now, after_s)]
        if not long:
            return None
        held_s = max(now - probe.began for _, probe in long)
        units = [u for name, _ in long for u in self._units_of_link(name) or [name]]
        again = [u for name, pr in long if pr.connections > 1 for u in self._units_of_link(name)]
        back = [
            u
            for name, pr in long
            if pr.connections == 1 and pr.outage is Outage.LOST
            for u in self._units_of_link(name)
        ]
        if again:
            where = (
                f"the broker connection of unit {', '.join(again)} keeps dropping and coming back"
            )
        elif back:  # one return after a loss: its check counts from the loss (``LinkProbe.down``)
            where = (
                f"the broker connection of unit {', '.join(back)} is back after being down; "
                "should this last, the broker confirms its subscriptions late"
            )
        else:
            where = (
                "a broker connection keeps dropping, or the broker confirms its subscriptions late"
            )
        return (
            f"not serving: re-checking for a twin for {held_s:.0f} s: {self._held_whose(units)}; "
            f"{where}: check the network between this station and the broker, and the "
            f"broker's load and log ({BROKER_LOG})"
        )

    def _held_whose(self, units: list[str]) -> str:
        """Whose calls a station that served holds now, and what their tablets say."""
        if len(units) == len(self.cfg.units):
            return 'every unit\'s calls are held and their tablets say "no station"'
        return f'the calls of unit {", ".join(units)} are held and its tablets say "no station"'

    def _check_twin(self, status: p.StationStatus) -> None:
        if status.name != self.cfg.name:
            self._check_other_station(status)
            return
        if status.instance in (None, self.instance):
            return
        twin = f"{status.name} (instance {status.instance}) on {status.site}/{status.unit}"
        alive = self._refreshes.heard(twin, status)
        if not status.serving():
            self._split_seen.pop(twin, None)  # stopped: the split, if any, is over
            self._unrefreshed.pop(twin, None)
            return  # a previous run of this station, stopped or gone
        if self._checking:
            if not alive:
                self._await_refresh(twin)
                self._keep_away_from_twin(status.unit)
                return
            log.critical(
                "DUPLICATE STATION: another station service named %s (instance %s) is running "
                "for %s/%s; this one (instance %s) stops instead of splitting the calls between "
                "two databases. Give each station service its own name and MQTT user.",
                self.cfg.name, status.instance, status.site, status.unit, self.instance,
            )  # fmt: skip
            self.fault = "duplicate"
        else:
            # Both running: stopping here could stop both. Say it loudly every heartbeat.
            log.critical(
                "DUPLICATE STATION: another station service named %s (instance %s) publishes "
                "for %s/%s too; calls are being split between two databases. Stop one of them.",
                self.cfg.name, status.instance, status.site, status.unit,
            )  # fmt: skip
            # And in the health endpoint, as for another name (``split_by``): the log alone
            # left the health check passing (review rev44r3).
            self._split_seen[twin] = time.monotonic()

    def _check_other_station(self, status: p.StationStatus) -> None:
        """With SQLite, a station of another name already serving one of our units: stop,
        during the start-up probe, instead of splitting the unit into two queues. The same
        rule as ``exclusive.refuse_second_station``, checked on the service's own connection:
        a station with a broker user cannot check before it connects without taking its own
        session over (the broker ties client ids to usernames) and losing what was queued."""
        if self.cfg.store or status.unit not in self.cfg.units:
            return
        where = _where_serving(status)
        alive = self._refreshes.heard(where, status)
        if not status.serving():
            # Stopped (or stale): the split is over at once, not PRESENCE_FRESH_S later, so
            # the doctor run right after IT's fix passes (review rev44r3).
            self._split_seen.pop(where, None)
            self._unrefreshed.pop(where, None)
            return
        if not self._checking:
            self._split_alarm(status)
            return
        if not alive:
            self._await_refresh(where)
            return
        log.critical(
            "SECOND STATION: station service %s already serves %s/%s; this one (%s) stops "
            "instead of splitting the unit into two queues. Stop the other one first, or use "
            'store = "postgresql://..." for standby stations.',
            status.name, status.site, status.unit, self.cfg.name,
        )  # fmt: skip
        self.fault = "duplicate"

    @property
    def _checking(self) -> bool:
        """Whether a station presence heard now comes during a check for a twin: before the
        station first serves, or while any link checks after a reconnect. Then a live twin
        stops this station; else both serve, and stopping could stop both (``_split_alarm``,
        the DUPLICATE STATION alarm). Station-wide, as before checks were per link: a twin
        heard serving one unit while another unit's link checks stops this one, rather than
        leaving both serving with an alarm."""
        return not self._served or bool(self._probes)

    def _link_of(self, unit: str) -> str:
        """The name of the link that serves ``unit`` (its group's first unit, ``_make_links``)."""
        return next((units[0] for units in self._link_groups() if unit in units), unit)

    def _await_refresh(self, who: str) -> None:
        """A station's presence heard serving one of our units during the start-up probe,
        not (yet) refreshed: the probe goes on until REFRESH_LISTEN_S after it was first heard
        (``_probe_waits``). A running station refreshes it within one heartbeat and this one
        then stops (DUPLICATE or SECOND STATION, 78); a dead run's leftover does not, and this
        one serves (``_end_probe``). For its own name, announcing itself then replaces the
        leftover on the same topic, unit by unit: that, not a will per unit (one connection
        has one will) nor clearing the presences before the probe (which would wipe a live
        twin's too), is what puts units 2..n of a station killed outright right again. Taken
        for a twin at once, that leftover stopped the run systemd started 2 s after a kill -9
        with status 78, for good (review rev44L: no station on any unit)."""
        if who in self._unrefreshed:
            return
        self._unrefreshed[who] = time.monotonic()
        log.info(
            "heard %s serving; listening %.1f s for it to refresh its presence (a running "
            "station does every %.0f s) before taking it for a running station",
            who, REFRESH_LISTEN_S, HEARTBEAT_S,
        )  # fmt: skip

    def _keep_away_from_twin(self, unit: str) -> None:
        """Should that presence be a running twin's, this connection has just taken its
        session over (one client id), and the twin will throw it off within about a second:
        then stay away HOLD_OFF_S's first step, long enough for the twin to come back, finish
        its probe and announce itself, so that the presence heard on return is refreshed. Each
        reconnected at once, and the two threw each other off five times in 13 s before the
        newcomer held back (measured, session 45). A leftover throws nobody off: no effect
        unless the connection is lost; ``_end_probe`` sets the usual delay back."""
        link = self.links.get(unit)
        if link is not None and not self._holding:
            link.hold_off(hold_off_s(0, self._hold_rng, self._hold_off_steps))

    def _probe_waits(self, now: float) -> bool:
        """A check is still listening for a presence to be refreshed (any check waits for any
        unit's, as the twin decision is the station's: ``_checking``)."""
        return any(now - heard < REFRESH_LISTEN_S for heard in self._unrefreshed.values())

    def _end_probe(self, link: str) -> None:
        """The link's check ended: its reconnect delay back to the usual; once no check
        runs, what they waited on and never heard refreshed: leftovers, said once each."""
        if not self._holding:  # else _end_hold does
            self.links[link].hold_off(RECONNECT_MIN_S)
        if self._probes:
            return
        for who in sorted(self._unrefreshed):
            log.warning(
                "%s announced itself serving but did not refresh its presence in %.1f s: "
                "taken for a run that stopped without its last will reaching the broker "
                "(kill -9, the out-of-memory killer, a power cut); this station serves",
                who, REFRESH_LISTEN_S,
            )  # fmt: skip
        self._unrefreshed.clear()

    def _split_alarm(self, status: p.StationStatus) -> None:
        """Serving already, another station's heartbeat for our unit: both serve it (one of
        them stalled past PRESENCE_FRESH_S, the other started meanwhile; review rev44r2). As
        for a same-name twin, stopping here could stop both: say it loudly at every heartbeat,
        and in the health endpoint (``split_by``) while that station's presence is fresh."""
        log.critical(
            "SECOND STATION: station service %s publishes for %s/%s too; calls are being split "
            "between two queues. Stop one of them (systemctl stop beckon-station).",
            status.name, status.site, status.unit,
        )  # fmt: skip
        self._split_seen[_where_serving(status)] = time.monotonic()

    @property
    def split_by(self) -> list[str]:
        """Other stations (``name on site/unit``) heard serving our units within
        PRESENCE_FRESH_S while this one serves: the unit's calls are split. Always 15 s,
        whatever ``station.presence_fresh_s`` says (that only shortens a starting station's
        wait for a dead station's presence): the safe direction, a real split stays in /health
        up to 15 s after the other station's last heartbeat, and a stale presence drops it at
        once (``_check_other_station``)."""
        now = time.monotonic()
        seen = list(self._split_seen.items())  # read by the health endpoint's thread
        return sorted(w for w, at in seen if now - at <= p.PRESENCE_FRESH_S)

    def _on_lost_while_probing(self, lost: Disconnected) -> None:
        """A station that has never served and keeps losing its connection before its start-up
        probe ends is being thrown off by a twin with the same credentials: the broker ties
        client ids to usernames, so each of the two takes the other's session over, neither
        ever finishes its probe, and each twin's last will hides the other's presence. The
        newcomer stops; a station that has served before keeps reconnecting and says so.

        Counted per link: a twin throws the same link off again and again, while one broker
        outage during the probe throws each unit's link off once, and a station of three units
        stopped as a duplicate when it had merely started during an outage.

        Counted only when it looks like a twin: the broker said the session was taken over
        (MQTT 5), or the connection was lost within PROBE_S of the broker confirming it (its
        SUBACK, or its CONNACK while the SUBACK is pending), as a twin reconnecting after about
        a second throws it off. Not a loss seconds after CONNACK while the SUBACK is late:
        the probe now waits for the SUBACK, and a loaded broker that drops connections (the
        PINGRESP behind the late SUBACK, a restart) stopped a lone station as a duplicate."""
        if self._served or lost.link not in self._probes:
            return
        if not lost.taken_over and lost.settled_s > PROBE_S and not self._holding:
            log.info("lost the connection %.1f s after the broker confirmed it: no twin's "
                     "doing, the probe goes on", lost.settled_s)  # fmt: skip
            return
        link = lost.link
        losses = self._probe_losses.get(link, 0) + 1
        self._probe_losses[link] = losses
        if lost.taken_over:
            self._probe_taken_over.add(link)
        if losses < PROBE_LOSSES or self.fault is not None:
            return
        if link in self._probe_taken_over:
            self._stop_as_duplicate(link, losses)
        else:
            self._hold_back(link, losses, lost.settled_s)

    def _stop_as_duplicate(self, link: str, losses: int) -> None:
        """Stop with DUPLICATE STATION (exit EX_CONFIG): the broker's own word ("session
        taken over", MQTT 5) names a twin."""
        twin, remedy = self._twin_words(link)
        where = "/".join((self.cfg.site, *self.cfg.units))
        log.critical(
            "DUPLICATE STATION: the broker keeps taking this station's session away before "
            "it can start (%d times): another station service with %s is running for %s; "
            "this one stops instead of splitting the calls. Give each station service %s.",
            losses, twin, where, remedy,
        )  # fmt: skip
        self.fault = "duplicate"

    def _hold_back(self, link: str, losses: int, settled_s: float) -> None:
        """Losses counted by their timing alone (within PROBE_S of the broker's confirmation)
        are a twin's doing or a broker (or network) that drops every connection that soon:
        Mosquitto 2.0.11 sends no "taken over" even under MQTT 5. The station stopped here as
        DUPLICATE STATION (exit 1), and under systemd (Restart=always, RestartSec=2) a lone
        station behind a flapping link or firewall was started again and stopped every 7 s,
        serving nothing meanwhile. Now it keeps running without serving: it stays away longer
        after each further loss (HOLD_OFF_S), and serves once a connection has held as long
        as the start-up probe asks (PROBE_S after the SUBACK), which is what rules out a twin:
        a serving twin thrown off by this connection is back within paho's 1 s, and a twin
        that holds back too stays away at least HOLD_OFF_S's first step, long enough for this
        station to serve and announce itself, and then hears it and stops (``_check_twin``).
        The hold was one keep-alive (30 s by default): a lone station behind a link dropping
        every 10 to 29 s never served (review rev43r). Said once in the log with how the
        broker's log tells the two apart (by the addresses its clients connect from; not by
        Mosquitto's "already connected, closing old connection", which also comes at every
        reconnect of a lone station whose side a firewall or NAT reset), and kept, refreshed
        at each loss, in ``not_serving`` for systemd's status and the health endpoint."""
        delay = hold_off_s(losses - PROBE_LOSSES, self._hold_rng, self._hold_off_steps)
        waits, self._hold_wait_s = self._hold_wait_s, delay  # the one set at the loss before
        mqtt = self.links.get(link)
        if mqtt is not None:
            mqtt.hold_off(delay)  # from its next loss on (this one's wait has begun)
        first = not self._holding
        self._holding = True
        self.not_serving = (
            f"not serving: {losses} broker connections lost, each within {PROBE_S} s of being "
            f"confirmed or before (a twin, or the broker or network dropping them; the last "
            f"after {settled_s:.1f} s); trying again within {max(waits, delay)} s"
        )
        if not first:
            log.warning(
                "STATION NOT SERVING YET: connection lost again %.1f s after the broker "
                "confirmed it (%d times); trying again in %d s, then %d s after a further "
                "loss; serving once a connection holds %.1f s past the broker's confirmation",
                settled_s, losses, waits, delay, PROBE_S,
            )  # fmt: skip
            return
        twin, remedy = self._twin_words(link)
        where = "/".join((self.cfg.site, *self.cfg.units))
        log.critical(
            "STATION NOT SERVING: the broker closed this station's connection within %.1f s "
            "of confirming it, %d times, before it could start: either another station "
            "service with %s is running for %s, or the broker or the network drops every "
            "connection that soon. This one keeps running without taking the unit's calls "
            "(they wait in the beds' outboxes), tries again less and less often, and serves "
            "once a connection holds %.1f s past the broker's confirmation (a twin would "
            "throw it off sooner; a twin heard announcing itself stops this one). The "
            f"broker's log tells which (the shipped Mosquitto config: {BROKER_LOG}), by its "
            "lines \"New client connected from ADDRESS:PORT as %s\": from a second IP address, "
            "a twin on another machine (this machine's instance lock refuses one here): "
            "give each station service %s; from this station's address alone, the "
            "broker or the network (a firewall or NAT resetting connections) drops them: "
            "look there. \"already connected, closing old connection\" comes in both cases.",
            PROBE_S, losses, twin, where, PROBE_S, self._client_id(link), remedy,
        )  # fmt: skip

    def _end_hold(self) -> None:
        """The connection held: serve, and reconnect as soon as usual again."""
        if not self._holding:
            return
        log.warning(
            "STATION SERVING: a connection held %.1f s past the broker's confirmation after "
            "%d lost ones: no twin threw it off",
            PROBE_S, max(self._probe_losses.values(), default=0),
        )  # fmt: skip
        self._holding = False
        self._hold_wait_s = RECONNECT_MIN_S
        self.not_serving = None
        for link in self._unique_links():
            link.hold_off(RECONNECT_MIN_S)

    def _twin_words(self, link: str) -> tuple[str, str]:
        """What a twin shares with this station, and what to give each station, for the
        DUPLICATE STATION lines. With a broker user the broker binds the client id to it; an
        anonymous station's client id is made of its site, name and unit, so a twin is one with
        the same name (the message said "the same MQTT user (desk)" of a station without one)."""
        if user := self.settings.broker.username:
            return f"the same MQTT user ({user})", "its own name and MQTT user"
        return (
            f"the same client id ({self._client_id(link)}: the same station name)",
            "its own name",
        )

    def _announce(self, units: list[str]) -> None:
        """The presence and state of ``units`` (a link's, at the end of its check), each
        connected one; each then heartbeats, and ``ready`` is set once every unit is served.
        Each unit on its own (``_try_announce``): a bug in one unit's announce stopped the
        others and left ``ready`` unset, so no presence refresh went out until the next
        reconnect and every idle bed raised "station gone" (review rev46r). A unit whose
        announce is owed and not yet due again (``UnitAnnounces.retry_due``) publishes its
        presence alone: every end of a check re-ran that announce outside its back-off
        (review rev47s2, item 3); its heartbeats try it when due."""
        now = time.monotonic()
        for unit in units:
            if not self.links[unit].connected:
                continue  # announced when its own link connects
            self._beat_due[unit] = now + HEARTBEAT_S
            if self._units.beats_to_retry(unit) > 0:
                self._units.begun(unit)
                self._publish_station_status(unit, True)
            else:
                self._guarded(self._try_announce, unit)
        if all(u in self._units.serving and self.links[u].connected for u in self.cfg.units):
            if not self.ready.is_set():
                log.info("station %s (instance %s) is serving", self.cfg.name, self.instance)
            self.ready.set()

    def _try_announce(self, unit: str) -> None:
        """``_announce_unit``, the unit heartbeating whatever it raises. An error other than
        the store's (which stops the station, ``_guarded``) leaves the announce owed: said with
        what was not republished, and tried again at a heartbeat, backing off from 5 s to 60 s,
        until it goes through (``_heartbeat``, ``UnitAnnounces.retry_due``); meanwhile
        ``status_text`` and the health endpoint say so. It was logged as "error while handling
        ward" and never retried, and the unit's calls, queue and beds stayed stale while the
        station said "serving" (review rev46r2)."""
        self._units.begun(unit)
        try:
            self._announce_unit(unit)
        except self.store.write_errors:
            raise
        except Exception as exc:
            attempts = self._units.failed(unit)
            what = (
                "ANNOUNCE FAILED for unit %s (attempt %d): its presence heartbeats, but its "
                "calls, queue, stats and beds' states are not republished; retrying in %.0f s"
            )
            wait_s = self._units.beats_to_retry(unit) * HEARTBEAT_S
            if attempts == 1:  # the traceback once; the retries in one line each
                log.exception(what, unit, attempts, wait_s)
            else:
                log.error(what + " (%s: %s)", unit, attempts, wait_s,
                          type(exc).__name__, exc)  # fmt: skip
            return
        if failed := self._units.done(unit):
            log.warning("announce of unit %s went through after %d failed attempts", unit, failed)

    @property
    def announce_owed(self) -> list[str]:
        """Units whose announce failed and is being retried (``_try_announce``)."""
        return self._units.owed_units()

    def _announce_unit(self, unit: str) -> None:
        """One unit's presence, pages, calls, queue, stats and beds. Each open call is read
        again from the store: one closed while this station was away (by another station
        process on the same store) is emptied here, since its emptying came at QoS 0 and
        unretained and was never heard. Over a copy of the ids: ``_publish_call`` drops a
        closed one from the very dict (review rev46r: "dictionary changed size during
        iteration", 4 of 4 runs)."""
        self._served = True
        self._publish_station_status(unit, True)
        self._page_unconfirmed(unit)
        for request_id in list(self._open[unit]):
            view = self.store.get(request_id)
            if view is not None:
                self._publish_call(view)
        self._publish_queue(unit)
        self._publish_stats(unit)
        self._republish_beds(unit)

    def _republish_beds(self, unit: str) -> None:
        """Each bed's retained state again, for beds with an open request or a change in the
        last day. A change is committed before its state is published: a station that died in
        between (or whose publish the broker lost) left the bed showing "received" after a
        nurse acknowledged or resolved it, with nothing to correct it until the bed's next
        call."""
        since = p.to_iso(datetime.now(UTC) - REPUBLISH_WINDOW)
        for bed in self.store.beds_changed_since(self.cfg.site, unit, since):
            self._publish_bed(p.BedAddress(self.cfg.site, unit, bed))

    def _heartbeat(self) -> None:
        now = time.monotonic()
        self._count_probe_from_suback(now)
        self._say_links_down(now)
        for name, probe in list(self._probes.items()):
            if not probe.held_said and (held := self.calls_held):
                probe.held_said = True
                log.critical("STATION NOT SERVING: %s", held.removeprefix("not serving: "))
            if (
                now >= probe.until
                and not self._probe_waits(now)
                and self.fault is None
                and self.links[name].connected
            ):
                # Never while the link is down: the check would end with nothing announced.
                # A served station's check ends at the loss itself (``_end_probe_at_loss``);
                # the start-up probe goes on over losses (a broker that drops connections
                # sooner than the SUBACK wait, each restarting it, kept a lone station from
                # serving); this catches the link's flag down before its loss is handled.
                self._end_link_probe(name, probe, now)
        # Never for a unit whose link checks: that check holds the unit's requests
        # (``_hold_probing``) and has no upper bound (a late SUBACK waits up to 30 s, a
        # flapping link re-arms it at each connection). A unit heartbeating then showed its
        # tablets a fresh station that took none of their calls (rev47s: 4 presences in a
        # 25 s flap, 0 of 4 calls stored); the check's end announces its units at once
        # (``_announce``). The other links' units heartbeat on: their calls are not held.
        for unit in self.cfg.units:
            if (
                unit not in self._units.serving
                or not self.links[unit].connected
                or self._link_of(unit) in self._probes
                or now < self._beat_due.get(unit, 0.0)
            ):
                continue  # announced, and heartbeating again, once its link is back
            self._beat_due[unit] = now + HEARTBEAT_S
            if self._units.retry_due(unit):
                self._guarded(self._try_announce, unit)  # its presence goes first
            else:
                self._publish_station_status(unit, True, heartbeat=True)

    def _end_link_probe(self, name: str, probe: LinkProbe, now: float) -> None:
        """The link's check ended with no twin heard: its units are served (announced), and
        what it held is handled (``_requeue_held``); acknowledged once no check runs
        (``_release_acks``)."""
        if probe.held_said and probe.outage is Outage.NOT_YET:
            log.warning(
                "STATION SERVING: unit %s, first served %.0f s after the station started (its "
                "broker connection is up and no twin serves it)",
                ", ".join(self._units_of_link(name)), now - self._run_began,
            )  # fmt: skip
        elif probe.held_said:
            log.warning(
                "STATION SERVING again: the re-check for a twin of unit %s ended after %.0f s",
                ", ".join(self._units_of_link(name)), now - probe.began,
            )  # fmt: skip
        del self._probes[name]
        self._end_probe(name)
        self._end_hold()
        self._announce(self._units_of_link(name))

    def _end_probe_at_loss(self, link: str) -> None:
        """A served station's link lost during its own check: the check ends here, with
        nothing announced, and what it held (``_held``) waits for the link's next check to end
        (``_holds``). Kept open, it lasted the whole outage (review rev48s): every other link
        deferred its acknowledgements, a twin heard serving another unit stopped this station
        instead of raising the split alarm (``_checking``), the status said "re-checking"
        rather than that the link is down, and on return the check still counted from its
        first connection, so it no longer waited for the SUBACK (``probe_suback_wait``) and a
        twin behind a late SUBACK went unseen (rev47s2's case). The next connection begins a
        fresh check with a fresh SUBACK wait (``LinkProbe.connected_afresh``), counted for
        ``calls_held`` from this one's start: the units were unserved all along. The
        reconnect delay is left as it is: a twin's presence heard in this check set it to
        keep away (``_keep_away_from_twin``). Before the station first serves, the start-up
        probe goes on (``_on_lost_while_probing`` counts its losses)."""
        probe = self._probes.get(link) if self._served else None
        if probe is None:
            return
        del self._probes[link]
        if probe.outage is None:  # a link never served since start stays NOT_YET
            probe.outage = Outage.LOST_IN_CHECK
        if probe.unserved_since is not None:  # a fresh check's units were unserved before it
            probe.began, probe.unserved_since = probe.unserved_since, None
        self._lost_probes[link] = probe
        log.info(
            "the re-check for a twin of unit %s ended with its connection lost, %.0f s after "
            "its units were last served; its %d held message(s) wait for the check of its "
            "next connection",
            ", ".join(self._units_of_link(link)), time.monotonic() - probe.began,
            len(self._held[link]) if link in self._held else 0,
        )  # fmt: skip
        if not self._probes:
            # Presences waited on are listened for afresh by the next check: an entry kept
            # would stop ``_await_refresh`` from opening a new listening window.
            self._unrefreshed.clear()

    def _unserved_from_loss(self, link: str) -> None:
        """A served station's link lost while no check ran on it: its units are unserved
        from now, recorded as a down link (``LinkProbe.down``) for ``_say_links_down`` and
        for its next connection's check. Before, nothing was logged at CRITICAL for such an
        outage however long it lasted (its next check counted from its return)."""
        if self._served and link not in self._probes and link not in self._lost_probes:
            self._lost_probes[link] = LinkProbe.down(time.monotonic(), Outage.LOST)

    @property
    def links_down_long(self) -> list[LinkDown]:
        """Each link down now whose units have been unserved past ``not_serving_after_s``,
        with its cause: what the CRITICAL line said, for the status, the health endpoint and
        the doctor (read by the health endpoint's thread: copies only)."""
        now = time.monotonic()
        downs = [self._link_down(name, probe, now) for name, probe in self._down_records(now)]
        if self._holding:
            # Holding back (a twin suspected): the links it threw off are down because it
            # holds them off between tries, and ``not_serving`` says so; their records gave
            # the doctor "check the network" instead of the twin (review rev50s). Only those:
            # a link refused or failing TLS meanwhile keeps its cause (review rev50s2).
            return [down for down in downs if down.problem.trouble is not LinkTrouble.DROPPED]
        return downs

    def _down_records(self, now: float) -> list[tuple[str, LinkProbe]]:
        """The one rule for a link down too long: its record (``LinkProbe.down``, or the
        station's first check on a link lost in it) unserved past ``not_serving_after_s``
        (``LinkProbe.unserved_long``) while the link is not connected (a connected one is
        taken up by its Connected event)."""
        # A link lost during the station's first check (never served yet) keeps its check in
        # ``_probes`` (``_end_probe_at_loss`` acts once the station has served): down, it is
        # said here too, as not served since the start (review rev49s: none said before).
        first_lost = [
            (name, probe)
            for name, probe in list(self._probes.items())
            if probe.outage is Outage.NOT_YET and not self._served
        ]
        after_s = self.cfg.not_serving_after_s
        return [
            (name, probe)
            for name, probe in [*list(self._lost_probes.items()), *first_lost]
            if (link := self.links.get(name)) is not None
            and not link.connected
            and probe.unserved_long(now, after_s)
        ]

    def _link_down(self, name: str, probe: LinkProbe, now: float) -> LinkDown:
        units = tuple(self._units_of_link(name) or [name])
        link = self.links[name]
        problem = link.state_problem or LinkProblem(
            LinkTrouble.UNREACHABLE, "no answer to its first attempt yet"
        )
        return LinkDown(
            units,
            now - probe.began,
            probe.outage or Outage.LOST,
            problem,
            link.failed_attempts,
            every_unit=len(units) == len(self.cfg.units),
            broker_log=BROKER_LOG,
        )

    def _say_links_down(self, now: float) -> None:
        """The one rule for a link that is down: once its units have been unserved
        ``not_serving_after_s`` (default PRESENCE_FRESH_S, ``LinkProbe.unserved_long``: their
        tablets say "no station" by then), one
        CRITICAL line names them, how long, how it came about (``Outage``: not served since
        the station started, lost while serving, lost during a re-check), the cause its last
        attempt showed (``MqttLink.problem``: refused with the broker's reason code, no broker
        answering, lost) and what to look at; said once per outage, not at each reconnect
        attempt, while the status, health and doctor say the same. Not said again when it
        connects (``held_said`` goes with the record into its check); "serving (again)" ends
        it (``_end_link_probe``). Before session 49 only a link lost during its own check was
        said (review rev48s2); a link that never connected (a refused or wrong broker user,
        the broker down at start) or dropped while no check ran logged nothing at CRITICAL,
        and IT alerting reads CRITICAL lines."""
        for name, probe in self._down_records(now):
            if not probe.held_said:
                probe.held_said = True
                log.critical("STATION NOT SERVING: %s", self._link_down(name, probe, now).said)

    def _check_silent_beds(self) -> None:
        """A bed heartbeats every few seconds; one silent for SILENT_AFTER_S is offline even if
        its TCP connection looks alive (a cut cable is noticed by keep-alive only much later).
        Judged per unit: while a unit's link is down the station is the one cut off from its
        beds, whose heartbeats cannot reach it; calling them offline (and logging each) would
        be wrong, and once back each has SILENT_AFTER_S again to be heard. The beds of the
        other units are judged as usual: one link down stopped the check for every unit.
        Nor while the unit's link checks for a twin (every connected link does before the
        station first serves): the check holds the unit's bed statuses in ``_held``, and it
        can outlast SILENT_AFTER_S (a flapping link: rev47s saw 3 healthy ward beds called
        offline during icu's flap, when one check held every unit's)."""
        now = time.monotonic()
        for bed, seen in list(self._bed_seen.items()):
            link = self.links.get(bed.unit)
            if link is None or not link.connected or self._link_of(bed.unit) in self._probes:
                self._bed_seen[bed] = now
            elif now - seen > SILENT_AFTER_S:
                del self._bed_seen[bed]
                log.warning("bed %s silent for %.0f s", bed.key, now - seen)
                self._set_bed_online(bed, False, p.now_iso())

    def _publish_station_status(self, unit: str, online: bool, heartbeat: bool = False) -> None:
        """The retained presence; a ``heartbeat`` repeat goes at QoS 0 (see MqttLink.publish)."""
        fault = self.fault if self.fault and self.fault != "duplicate" else None
        status = p.StationStatus(
            self.cfg.site, unit, self.cfg.name, online, p.now_iso(), self.instance, fault
        )
        topic = p.Topics.station_status(self.cfg.site, unit, self.cfg.name)
        self._publish(topic, status, True, qos=0 if heartbeat else 1)

    # ------------------------------------------------------------ publishing

    def _publish_receipt(self, bed: p.BedAddress, view: p.RequestView) -> None:
        receipt = p.Receipt(view.id, bed.site, bed.unit, bed.bed, view.state, p.now_iso())
        self._publish(bed.topic("receipt"), receipt)

    def _publish_bed(self, bed: p.BedAddress, *changed: p.RequestView) -> None:
        """Retained per-bed state after every change, and the changed requests' call messages
        with the unit summary. The work is the same however many calls the unit has open.
        What was owed for this bed goes with it, read fresh (a nurse may have acknowledged a
        request since its receipt: the retained call must not go back to "received")."""
        given = {v.id for v in changed}
        for request_id in self._owed.pop(bed, ()):
            view = self.store.get(request_id)
            if view is not None and request_id not in given:
                changed = (*changed, view)
        views = tuple(
            replace(v, history=v.history[-p.STATE_HISTORY :]) for v in self.store.for_bed(bed)
        )
        state = p.BedState(bed.site, bed.unit, bed.bed, p.now_iso(), views)
        self._publish(bed.topic("state"), state, retain=True)
        if not changed:
            return
        for view in changed:
            self._publish_call(view)
        self._publish_queue(bed.unit)
        # Stats at most once a second, and less often when they are costly: the history chart
        # can wait, the queue cannot.
        due = time.monotonic() + stats_delay(self._stats_cost.get(bed.unit, 0.0))
        self._stats_due[bed.unit] = min(self._stats_due.get(bed.unit, due), due)

    def _publish_call(self, view: p.RequestView) -> None:
        """One retained message per open request; emptied (retained, zero bytes) once closed."""
        topic = p.Topics.call(view.site, view.unit, view.id)
        is_open = view.state in lifecycle.OPEN_STATES
        opened = self._open.setdefault(view.unit, {})
        if is_open:
            opened[view.id] = view.priority
            call = p.Call(view.site, view.unit, p.now_iso(), replace(view, history=()))
            self._publish(topic, call, retain=True)
        else:
            opened.pop(view.id, None)
            self._publish_raw(topic, b"", retain=True)

    def _check_retained_call(self, unit: str, request_id: str, payload: bytes) -> None:
        """A retained call the broker still holds for a request this station has closed is
        emptied, so windows never show a ghost. One for a request the database has never
        seen is adopted instead: the database was moved aside (corrupt), restored from a
        backup or switched to another store, and the bed, which had its receipt long ago,
        will never send that call again. Emptying it lost an open call for good."""
        if unit not in self._open:
            return
        if not payload:
            if request_id in self._open[unit]:
                # Emptied by another station process sharing the store (ours were popped
                # before publishing): drop it if the store says it is closed.
                closed = self.store.get(request_id)
                if closed is not None and closed.state not in lifecycle.OPEN_STATES:
                    self._open[unit].pop(request_id, None)
                    self._publish_queue(unit)
            return
        if request_id in self._open[unit]:
            return
        stored = self.store.get(request_id)
        if stored is None:
            call = p.decode_as(payload, p.Call)  # a malformed one is dropped (and logged)
            view = call.request
            if (view.site, view.unit, view.id) == (self.cfg.site, unit, request_id) and (
                view.state in lifecycle.OPEN_STATES
            ):
                self._adopt(view)
                return
        elif stored.state in lifecycle.OPEN_STATES:
            # Open in a shared (PostgreSQL) store but stored by another station process:
            # follow it here too rather than hide it from the nurses.
            log.warning("following open request %s stored by another station", request_id[:8])
            self._deadlines.track(stored)
            self._publish_call(stored)
            return
        log.info("emptying the stale call message of request %s", request_id[:8])
        self._publish_raw(p.Topics.call(self.cfg.site, unit, request_id), b"", retain=True)

    def _adopt(self, view: p.RequestView) -> None:
        stored, new = self.store.adopt(view)
        if not new:
            return
        log.warning(
            "ADOPTED open request %s (bed %s/%s %s, %s) from its call message on the broker: "
            "this station's database did not have it (restored from a backup, moved aside or "
            "switched?); it is in the queue again and escalates as before",
            view.id[:8], view.unit, view.bed, view.intent, view.state,
        )  # fmt: skip
        self._deadlines.track(stored)
        self._publish_bed(p.BedAddress(view.site, view.unit, view.bed), stored)

    def _publish_queue(self, unit: str) -> None:
        """Mark the unit's summary for publishing once the current batch is handled: a burst of
        calls changes it once, not once per call (every retained change costs the broker a
        save of its database)."""
        self._summary_due.add(unit)

    def _flush_summaries(self) -> None:
        while self._summary_due:
            self._send_summary(self._summary_due.pop())

    def _send_summary(self, unit: str) -> None:
        summary = p.QueueSummary(
            self.cfg.site,
            unit,
            p.now_iso(),
            len(self._open.get(unit, {})),
            tuple(self.store.offline_beds(self.cfg.site, unit)[:MAX_OFFLINE]),
            tuple(self.store.questions(self.cfg.site, unit, MAX_QUESTIONS)),
            self.present_beds(unit)[:MAX_OFFLINE],
        )
        self._publish(p.Topics.unit(self.cfg.site, unit, "queue"), summary, retain=True)

    def _publish_due_stats(self) -> None:
        now = time.monotonic()
        for unit in self.cfg.units:
            if now >= self._stats_due.get(unit, now + STATS_EVERY_S):
                self._publish_stats(unit)

    def _publish_stats(self, unit: str) -> None:
        """The unit's response-time history over the last 24 hours (retained)."""
        started = time.monotonic()
        self._stats_due[unit] = started + STATS_EVERY_S
        now = datetime.now(UTC)
        rows = self.store.response_rows(self.cfg.site, unit, history.since(now))
        stats = history.summarize(rows, self.cfg.site, unit, p.now_iso())
        self._stats_cost[unit] = time.monotonic() - started
        self._publish(p.Topics.unit(self.cfg.site, unit, "stats"), stats, retain=True)

    def _publish(self, topic: str, msg: p.Message, retain: bool = False, qos: int = 1) -> None:
        """Encode and publish on the unit's link; a message that fails validation is a bug,
        logged, not fatal."""
        try:
            payload = p.encode(msg)
        except p.ProtocolError as exc:
            log.error("not publishing %s to %s: %s", type(msg).__name__, topic, exc)
            return
        self._publish_raw(topic, payload, retain, qos)

    def _publish_raw(self, topic: str, payload: bytes, retain: bool = False, qos: int = 1) -> None:
        link = self.links.get(p.Topics.unit_of(topic))
        if link is not None:
            link.publish(topic, payload, retain=retain, qos=qos)

    def _emit(self, event: StationEvent) -> None:
        notify(self.listeners, event, log, "station")


__all__ = ["StationService"]
