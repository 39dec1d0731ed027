"""The bedside service: turns a patient's choices into requests and follows them to the end.

Every request is written to the outbox before it is published and stays there until the
station's receipt arrives, so a crash, a reboot or a broken network never loses it. The bed's
presence is a retained status message with a last will, so the station sees a vanished tablet
as a device fault. All state is handled on the thread that calls ``run``: MQTT messages,
gestures from the vision worker and commands from a window all arrive through one queue.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from beckon import __version__
from beckon.bedside import events as ev
from beckon.bedside.events import BedsideEvent
from beckon.bedside.interaction import (
    CANCEL_REQUEST,
    SETTLE_AFTER_ANSWER_S,
    SLEEP,
    Cancelled,
    ConfirmRequested,
    ConfirmTooSoon,
    Declined,
    Event,
    Interaction,
    MenuView,
    Moved,
    ScaleOffered,
    Selected,
    TakenThrough,
    answer_for,
)
from beckon.config import BedsideSettings
from beckon.config_check import (
    profile_unknown_intents,
    unknown_intents,
    without_unknown_intents,
)
from beckon.errors import ConfigError
from beckon.intents import Intent, load_intents
from beckon.messaging import protocol as p
from beckon.messaging.link_problem import LinkTrouble
from beckon.messaging.mqtt import (
    Connected,
    Disconnected,
    Message,
    MqttLink,
    PublishRefused,
    Will,
    check_broker_files,
)
from beckon.messaging.outbox import Outbox, open_outbox
from beckon.observers import notify
from beckon.profile import (
    GestureProfile,
    load_configured_profile,
    load_profile,
    profile_path,
    save_profile,
)

log = logging.getLogger(__name__)

STORAGE_FAULT_TEXT = (
    "This tablet cannot save requests (its storage is full or failing). If you need help, call "
    "out or ask a visitor to get a nurse. Staff: call IT."
)

NEXT_QUESTION_AFTER_S = 1.5
"""A question that came while another was on screen is shown this long after that one was
answered or expired: at once, the nod that answered the first could answer the second too."""
ECHO_WINDOW_S = SETTLE_AFTER_ANSWER_S
"""No nurse's question is shown within this many seconds (5) of the patient's last choosing,
confirming or cancelling gesture, of a request sent, or of a confirmation on screen: a nod
repeated 0.8-1.3 s after the one that chose or confirmed answered a question shown meanwhile
"yes" at the station (rev44b2, rev44b3), and the patient first hears what became of his request
("Your request is saved.", "Not sent: Emergency. Choose it again if you need it.")."""
RESEND_AFTER_S = 10.0
RESEND_MAX_S = 300.0
QUESTION_TIMEOUT_S = p.QUESTION_TIMEOUT_S


def question_time_left(asked_at: str, station_ahead_s: float = 0.0) -> float:
    """``protocol.question_time_left`` (the rule the station uses too) with this module's
    QUESTION_TIMEOUT_S, read at each call."""
    return p.question_time_left(asked_at, station_ahead_s, QUESTION_TIMEOUT_S)


SHORT_SESSION_S = 5.0
SHORT_SESSIONS = 3
"""Connections lost in a row, each within SHORT_SESSION_S of being made, that mean another
device holds this bed's credentials: the broker binds client ids to usernames and closes the
older connection when a newer one arrives (Mosquitto 2.0.11 says no more than that), and the
two devices' reconnects then take the session from each other every second or two. A broker
that says "Session taken over" (MQTT 5 reason 142) is believed at once."""
DUPLICATE_BACKOFF_S = (30.0, 60.0, 120.0)
"""How long a bed that concluded DUPLICATE BED stays away before trying again (each time
longer): the other device keeps the session meanwhile. Not forever: a connection that merely
keeps dropping looks the same from here, and must not silence the bed for long: at most 2 min,
while the station shows the bed offline and the bed sounds its own no-receipt alarm."""
# The frames' clock may lag this service's by this much (a busy vision thread) before the menu
# treats it as a jump back (a slow camera start, a camera reopened) and moves its times with it.
CLOCK_SLACK_S = 1.0
HEARTBEAT_S = p.HEARTBEAT_S
"""The bed repeats its (not retained) online status this often, so the station notices a bed
whose connection died silently within PRESENCE_FRESH_S."""
STATION_SILENT_S = p.PRESENCE_FRESH_S
DRAIN_MAX = 10_000
"""Items handled after a stop at most (a camera's backlog of frames must not hold it up)."""
CONNECT_WAIT_S = 5.0
"""How long the service waits for its first connection before it serves (and warns that the
broker is not reachable yet); a stop ends the wait at once."""
KEPT_CLOSED = 500
"""Closed requests (and answered questions) this bed remembers; the station's state for a bed
carries only the last few."""
"""A station that has not refreshed its presence for this long is not answering."""


MAX_CLOCK_GAP_S = 600.0
"""A station clock further than this from the tablet's is believed only when two presences a
few seconds apart agree (one alone may be a stale retained or queued message); either way
questions are timed on the station's clock (``question_time_left``)."""
CLOCK_FAULT_S = 120.0
"""A tablet clock this far from the station's is a device fault ("clock"): its calls would sort
wrongly in the nurses' queue, and a question from a station it cannot time would be lost."""


def resend_delay(attempts: int) -> float:
    """Seconds to wait for a receipt before sending again: 10 s, then doubling up to 5 min.

    The broker keeps QoS 1 messages for an absent station anyway; resending only covers a
    message the broker itself lost, so it need not flood a broker during a long outage.
    """
    return min(RESEND_MAX_S, RESEND_AFTER_S * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Gesture:
    """A gesture handed over by the vision worker (``t`` in the video's own seconds)."""

    name: str
    t: float
    confidence: float
    made: float | None = None  # a late report's own time (``GestureEvent.made``)
    face_back: float | None = None  # made before a face loss: its end (``GestureEvent.face_back``)


@dataclass(frozen=True)
class FrameTick:
    """The vision worker's clock, a few times a second: the menu moves on in the video's own
    time, so a file replayed faster than real time behaves like a live camera."""

    t: float


@dataclass(frozen=True)
class Submit:
    intent: str
    source: p.Source
    again: bool = False
    """Send it even if the same request is open (load generators that count calls); a
    patient's repeat is not sent again (``BedsideService.submit``)."""
    cancels: str | None = None
    """With the :data:`CANCEL_REQUEST` entry: the id of the request it named when the patient
    chose it (``MenuView.cancels_id``). A touch's Yes came up to 15 s after the tap; meanwhile a
    nurse had resolved that request, and the entry cancelled the one before it instead."""


@dataclass(frozen=True)
class VoiceProposal:
    """A spoken request now waits for the patient's yes or no (``waiting``), or no longer:
    the scanning menu keeps quiet meanwhile (``Interaction.listen``). ``intent``: the one
    proposed; an emergency's is never ended by the patient's emergency gesture, which is
    its yes instead (``BedsideService._backs_spoken_emergency``)."""

    waiting: bool
    intent: str | None = None


@dataclass(frozen=True)
class TouchConfirming:
    """The window's "Send Water?" Yes / No page for a tapped tile (or "Cancel Water?") opened
    (``open``; it closes itself after ``for_s`` at the most) or closed. A touch confirmation is
    a confirmation: no nurse's question takes the screen from it
    (``BedsideService._question_must_wait``). Covered by the question (session 44), the page
    was never shown again and the patient's tap was dropped without a word."""

    open: bool
    for_s: float = 0.0


@dataclass(frozen=True)
class CancelRequest:
    request_id: str


@dataclass(frozen=True)
class AnswerQuestion:
    """The patient answered the pending question by touch or voice."""

    answer: str
    source: p.Source


@dataclass(frozen=True)
class NursePresence:
    """Staff at this bed's screen toggled "Nurse in room" (``by`` is the nurse; None: left)."""

    by: str | None


@dataclass(frozen=True)
class ClearAtBed:
    """A nurse present at this bed clears its request (the only way to clear an emergency)."""

    request_id: str
    by: str


@dataclass(frozen=True)
class SetTiming:
    """Staff set the patient's scan speed and the pause after a choice (saved to the
    patient's profile, so it holds after a restart)."""

    offer_seconds: float
    pause_after_select_s: float


@dataclass(frozen=True)
class RestRelearned:
    """Staff said the patient was repositioned and the resting head pose is being learned
    again (``BedsideHost.relearn_rest``): a choice awaiting confirmation is dropped."""

    by: str


@dataclass(frozen=True)
class SourceEnded:
    """The video file has ended. It travels through the same queue as the gestures, so when
    the service sees it every gesture before it has been handled."""


@dataclass(frozen=True)
class DeviceFaults:
    """The window's view of the bed's devices (camera off or lost, no face in view, microphone
    broken, no sound device): published in the bed's retained status so the station sees a bed
    that cannot see or hear its patient."""

    faults: tuple[str, ...]


@dataclass(frozen=True)
class VoiceEngine:
    """Which speech recogniser runs ("vosk:ko", "pocketsphinx:en") or "off", "starting",
    "failed": published in the bed's status so the station sees a bed that cannot hear."""

    name: str


Listener = Callable[[BedsideEvent], None]


class BedsideService:
    def __init__(
        self,
        settings: BedsideSettings,
        intents: dict[str, Intent] | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.settings = settings
        cfg = settings.bedside
        self.address = p.BedAddress(cfg.site, cfg.unit, cfg.bed)
        self.intents = intents or load_intents()
        # A misspelt intent must not stop the patient's nurse call (under Restart=always that
        # is a crash loop): the known ones are offered and the rest is a visible device fault.
        self.config_faults = unknown_intents(cfg.offered_intents, self.intents)
        offered = tuple(i for i in cfg.offered_intents if i in self.intents or i == SLEEP)
        if not offered:
            raise ConfigError(
                f"{settings.source}: bedside.offered_intents names no known request: "
                + "; ".join(self.config_faults),
                "fix the spelling (beckon config check bedside FILE shows every problem)",
            )
        for fault in self.config_faults:
            log.error("%s: bedside.offered_intents: %s; left out", settings.source, fault)
        self.outbox = outbox
        self.inbox: queue.Queue[object] = queue.Queue()
        self.profile_path = (
            Path(cfg.profile) if cfg.profile else profile_path(cfg.site, cfg.unit, cfg.bed)
        )
        self.profile = load_configured_profile(cfg.profile, self.profile_path)
        # The same for the patient's profile: it stopped the tablet (exit 78, which systemd
        # does not restart) while `beckon config check` called the configuration valid.
        profile_faults = profile_unknown_intents(self.profile, self.intents)
        for fault in profile_faults:
            log.error("%s; left out", fault)
        self.config_faults += profile_faults
        self.profile = without_unknown_intents(self.profile, self.intents)
        self.menu = Interaction.from_profile(
            self.profile, offered, cfg.offer_seconds, late_step_max_s=cfg.late_step_max_s
        )
        self.listeners: list[Listener] = []
        # Called once per turn of the main loop (systemd watchdog, metrics): a stuck loop stops
        # calling them, which is the point.
        self.beats: list[Callable[[], None]] = []
        self.device_faults: tuple[str, ...] = ()
        self.voice_engine: str | None = None  # None until the host reports it
        self.nurse_present: str | None = None  # "nurse in room", set from this bed's screen
        self.states: dict[str, str] = {}
        self._asked: dict[str, tuple[str, int | None]] = {}  # request id -> (intent, level)
        self._cancel_sent: set[str] = set()  # cancels sent, their requests not closed yet
        self.link: MqttLink | None = None
        self.station_online: bool | None = None
        # Station name -> monotonic time of its last "online" (a primary and a standby each
        # have one): the retained "offline" of one must not hide the other, which answers.
        self._answering: dict[str, float] = {}
        self._station_ahead_s = 0.0  # the station's clock minus ours (question_time_left)
        self._clock_warned = False
        self._heartbeat_due = 0.0
        self._storage_failing = False  # the outbox cannot be written (status fault "storage")
        self._clock_fault = False  # our clock is CLOCK_FAULT_S from the station's ("clock")
        self._big_gap: tuple[float, float] | None = None  # (gap, monotonic) not yet believed
        self.source_ended = threading.Event()
        self._menu_view: MenuView | None = None
        self.question: p.Question | None = None  # a nurse's yes/no question awaiting an answer
        self._question_shown_at = 0.0  # when it was shown, on the menu's clock (``menu_time``)
        self._question_until = 0.0
        # Questions that came while another was on screen -> their monotonic expiry; shown in
        # turn (a second question replaced the first, whose answer the nurse then never got).
        self._questions_waiting: dict[str, tuple[p.Question, float]] = {}
        # Questions a call gesture set aside (``_call_over_question``) -> how many times; the
        # one whose call's confirmation is on screen; and those whose call lapsed or was
        # cancelled: a false call (a long blink misread) must not push them off again.
        self._set_aside: dict[str, int] = {}
        self._call_over: str | None = None
        self._doubted: set[str] = set()
        self._next_question_at = 0.0
        # No question is shown before this monotonic time: the echo window after the patient's
        # last choosing gesture or a confirmation on screen (``_question_must_wait``).
        self._echo_until = 0.0
        # The window's touch confirmation is on screen until this monotonic time (0: it is
        # not); bounded by the page's own timeout, so a window that never says it closed
        # cannot keep questions away for longer.
        self._touch_confirm_until = 0.0
        # The spoken request waiting for its yes (``VoiceProposal``), None when none waits.
        self._spoken: str | None = None
        self.confirm_spoken_emergency: Callable[[], bool] | None = None
        """Set by the host: sends the spoken emergency waiting in the voice worker as the
        patient's emergency gesture's yes, and says whether it sent one
        (:meth:`_backs_spoken_emergency`). None without a voice worker."""
        # The echo window was begun by a choice that sends (a request, or a cancel chosen from
        # the menu; not a confirmation that lapsed or was cancelled) and lasts until this
        # monotonic time: a question waiting then pauses the menu.
        self._sent_until = 0.0
        self._answered: dict[str, None] = {}  # question ids, oldest first
        self._clock_offset: float | None = None  # monotonic - source time, once known
        self._frames_seen = False  # has the menu been moved onto the frames' clock yet?
        # Messages on disk awaiting a receipt; written on the service thread, read by anyone.
        self.waiting = 0
        # DUPLICATE BED (see _on_lost): staying away until this monotonic time, or None.
        self.duplicate_until: float | None = None
        self._duplicates = 0
        self._short_sessions = 0
        self._connected_at = 0.0

    # ------------------------------------------------------------ called from any thread

    def post(self, item: object) -> None:
        """Hand a Gesture, Submit or CancelRequest to the service thread."""
        self.inbox.put(item)

    # ------------------------------------------------------------ running

    def run(self, stop: threading.Event, tick_s: float = 0.2) -> None:
        check_broker_files(self.settings.broker)
        if self.outbox is None:
            self.outbox = open_outbox(self.settings.bedside.outbox_path())
        self._check_outbox()
        self._count_waiting()
        self._show_last_known_state()
        if self.waiting:
            log.info("%d message(s) from before a restart wait in the outbox", self.waiting)
            self._show_pending_requests()
        self.link = self._make_link()
        # Not link.start(wait_s=...): it ignores ``stop``, and a bedside window closed by
        # SIGTERM while the broker was down waited those seconds before its service stopped.
        self.link.start(wait_s=0)
        deadline = time.monotonic() + CONNECT_WAIT_S
        while not self.link.connected and time.monotonic() < deadline:
            if stop.wait(0.05):
                break
        if not self.link.connected and not stop.is_set():
            # Worded from what the link saw: after a refusal (or a TLS failure, a loss) the
            # broker was reached, and "not reachable" was the bed's last, false line (review
            # rev50s).
            problem = self.link.state_problem
            if problem is None or problem.trouble is LinkTrouble.UNREACHABLE:
                log.warning(
                    "broker %s not reachable yet; requests are kept until it is",
                    self.settings.broker.url,
                )
            else:
                log.warning(
                    "broker %s: %s; requests are kept until it takes them",
                    self.settings.broker.url, problem.cause(),
                )  # fmt: skip
        for fault in self.config_faults:
            self._emit(
                ev.Fault(f"Configuration: bedside.offered_intents {fault}; left out. Call IT.")
            )
        last_resend = time.monotonic()
        cfg = self.settings.bedside
        try:
            while not stop.is_set():
                try:
                    item = self.inbox.get(timeout=tick_s)
                except queue.Empty:
                    item = None
                try:
                    if item is not None:
                        self.handle(item)
                        self._count_waiting()
                    self._expire_question()
                    self._update_menu()  # a lapsed confirmation first: a question waits on it
                    self._ask_waiting_question()
                    self._supervise()
                    self._report_storage()
                    self._resume_after_duplicate()
                    if time.monotonic() - last_resend >= 2.0:
                        last_resend = time.monotonic()
                        self._flush(resend=True)
                    for beat in self.beats:
                        beat()
                except Exception:
                    # A bug must not silence the patient's bedside: what is in the outbox is
                    # safe on disk, so log loudly and keep serving.
                    log.exception("bedside: error while handling %s", item)
            self._drain_inbox()
        finally:
            if self.link.connected:
                offline = p.BedStatus(
                    cfg.site, cfg.unit, cfg.bed, False, p.now_iso(), cfg.inputs, __version__
                )
                self.link.publish(self.address.topic("status"), p.encode(offline), retain=True)
            self.link.stop()
            self.outbox.close()

    def _drain_inbox(self) -> None:
        """Handle what was posted before the stop: a patient's choice confirmed a moment
        before the tablet was closed or restarted is saved to the outbox (and sent after the
        restart), not dropped with the queue. It was lost without a trace: no alarm, nothing
        after the restart."""
        for _ in range(DRAIN_MAX):
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                return
            try:
                self.handle(item)
            except Exception:
                log.exception("bedside: error while handling %s on stopping", item)

    def _make_link(self) -> MqttLink:
        cfg = self.settings.bedside
        offline = p.BedStatus(
            cfg.site, cfg.unit, cfg.bed, False, p.now_iso(), cfg.inputs, __version__
        )
        return MqttLink(
            self.settings.broker,
            # The username when there is one (the broker binds client ids to usernames);
            # "." cannot occur in a site, unit or bed name, so these ids never collide.
            client_id=self.settings.broker.username
            or f"beckon-bed.{cfg.site}.{cfg.unit}.{cfg.bed}",
            subscriptions=[
                self.address.topic("receipt"),
                self.address.topic("state"),
                self.address.topic("question"),
                p.Topics.station_status(cfg.site, cfg.unit, "+"),
            ],
            will=Will(self.address.topic("status"), p.encode(offline)),
            persistent=True,
            events=self.inbox,
        )

    def handle(self, item: object) -> None:
        """Process one item from the inbox; bad messages are logged and dropped."""
        if isinstance(item, Gesture):
            now = self.menu_time()
            if item.t < now - CLOCK_SLACK_S and self._frames_seen:
                # A gesture with an older time is a late report (applied only to what was on
                # screen then), not the clock going back, which shifted the menu and made the
                # scan skip ahead. (The vision worker posts late events at their frame's time
                # with ``made`` since session 39; this stays for any other late one.)
                item = replace(item, t=now, made=item.t if item.made is None else item.made)
            else:
                self._sync_clock(item.t)
            self._on_gesture(item)
            self._update_menu()
        elif isinstance(item, FrameTick):
            self._sync_clock(item.t)
            self._update_menu()
        elif isinstance(item, Submit | AnswerQuestion) and not self.takes(item.source):
            log.warning(
                "ignored %s by %s: bedside.inputs is %s",
                "a request" if isinstance(item, Submit) else "an answer",
                item.source, list(self.settings.bedside.inputs),
            )  # fmt: skip
        elif isinstance(item, Submit) and item.intent == SLEEP:
            # The sleep tile touched (or its entry chosen): pause the menu, never a request.
            self.menu.sleep(self.menu_time())
            self._update_menu()
        elif isinstance(item, Submit) and item.intent == CANCEL_REQUEST:
            self.cancel_chosen(item.cancels, item.source)  # the entry, touched or spoken
        elif isinstance(item, Submit):
            self.submit(item.intent, item.source, again=item.again)
        elif isinstance(item, CancelRequest):
            self.cancel(item.request_id)
        elif isinstance(item, TouchConfirming):
            # Opened or closed (Yes, No, its timeout), it is a choosing gesture.
            self._touch_confirm_until = time.monotonic() + item.for_s if item.open else 0.0
            self._note_choosing()
        elif isinstance(item, AnswerQuestion):
            self.answer(item.answer, item.source)
        elif isinstance(item, NursePresence):
            self.mark_presence(item.by)
        elif isinstance(item, ClearAtBed):
            self.clear_at_bed(item.request_id, item.by)
        elif isinstance(item, SetTiming):
            self.set_timing(item.offer_seconds, item.pause_after_select_s)
        elif isinstance(item, VoiceProposal):
            self._spoken = item.intent if item.waiting else None
            self.menu.listen(self.menu_time(), item.waiting)
            self._update_menu()
        elif isinstance(item, RestRelearned):
            self.rest_relearned(item.by)
        elif isinstance(item, SourceEnded):
            self.source_ended.set()
        elif isinstance(item, DeviceFaults):
            if item.faults != self.device_faults:
                self.device_faults = item.faults
                self._publish_status_if_connected()
        elif isinstance(item, VoiceEngine):
            if item.name != self.voice_engine:
                self.voice_engine = item.name
                self._publish_status_if_connected()
        elif isinstance(item, Connected):
            self._connected_at = time.monotonic()
            self._on_connected()
        elif isinstance(item, Disconnected):
            self._emit(ev.ConnectionChanged(online=False))
            self._on_lost(item.taken_over)
        elif isinstance(item, PublishRefused):
            # The broker will never deliver it (wrong credentials or ACL): a device fault
            # that IT must fix; the request stays in the outbox meanwhile.
            self._emit(
                ev.Fault(
                    f"the broker refused a message to {item.topic}: {item.reason}; "
                    "check this bed's username and the broker's ACL"
                )
            )
        elif isinstance(item, Message):
            try:
                self._on_message(item.topic, item.payload)
            except p.ProtocolError as exc:
                log.warning("dropped message on %s: %s", item.topic, exc)
        else:  # a new kind of inbox item nobody taught this loop: say so, never drop silently
            log.error("bedside inbox: nothing handles %s; dropped", type(item).__name__)

    def _on_lost(self, taken_over: bool) -> None:
        """Count connections lost soon after being made (see SHORT_SESSIONS); at the limit,
        say DUPLICATE BED and stay away for a while instead of fighting over the session."""
        lasted = time.monotonic() - self._connected_at
        self._short_sessions = self._short_sessions + 1 if lasted < SHORT_SESSION_S else 0
        if not taken_over and self._short_sessions < SHORT_SESSIONS:
            return
        self._short_sessions = 0
        wait_s = DUPLICATE_BACKOFF_S[min(self._duplicates, len(DUPLICATE_BACKOFF_S) - 1)]
        self._duplicates += 1
        self.duplicate_until = time.monotonic() + wait_s
        user = self.settings.broker.username or self.address.key
        log.critical(
            "DUPLICATE BED: the broker keeps closing this device's connection moments after it "
            "is made (%s): another device is probably connected with the credentials of bed %s "
            "(%s). This device stays away for %.0f s instead of fighting over the session; its "
            "%d waiting message(s) stay in its outbox. Give each device its own bed name and "
            "credentials (beckon provision); if no other device exists, check the network.",
            "the broker said the session was taken over" if taken_over else "several times",
            self.address.key, user, wait_s, self.waiting,
        )  # fmt: skip
        self._emit(
            ev.Fault(
                f"DUPLICATE BED: another device seems to use the credentials of bed "
                f"{self.address.bed}; this one stays offline for {wait_s:.0f} s. Call IT."
            )
        )
        if self.link is not None:
            self.link.stop()

    def _resume_after_duplicate(self) -> None:
        """Connect again once the DUPLICATE BED wait is over (a fresh link: a stopped one
        does not start again)."""
        if self.duplicate_until is None or time.monotonic() < self.duplicate_until:
            return
        self.duplicate_until = None
        log.info("DUPLICATE BED wait over: connecting again as bed %s", self.address.key)
        self.link = self._make_link()
        self.link.start(wait_s=0)

    # ------------------------------------------------------------ requests

    def _answer_waiting(self, question_id: str) -> bool:
        """An answer to this question waits in the outbox (answered before a restart)."""
        assert self.outbox is not None
        return any(e.key == f"answer:{question_id}" for e in self.outbox.pending())

    def _show_pending_requests(self) -> None:
        """Requests saved before a restart and not yet confirmed are the patient's too: announce
        each again (RequestSaved), so the screen shows "saved, will be sent" and the no-receipt
        alarm can sound. Without this a tablet restarted while offline showed no request at
        all, though the outbox still held it."""
        assert self.outbox is not None
        for entry in self.outbox.pending():
            if not entry.key.startswith("request:"):
                continue
            try:
                req = p.decode_as(entry.payload, p.Request)
            except p.ProtocolError:
                continue  # sent as it is; the station drops what it cannot read
            self.states.setdefault(req.id, "created")
            self._asked[req.id] = (req.intent, req.level)
            self._emit(
                ev.RequestSaved(req.intent, req.id, restored=True, created_at=req.created_at)
            )
        self._offer_cancel()

    def _show_last_known_state(self) -> None:
        """The open requests the station last said it had (kept in the outbox file): a tablet
        restarted while offline showed "Your requests show here." instead of "Water: Nurse Lee
        is coming", and the patient asked again. The station's retained state replaces them
        once it is reached (never moving a request backwards)."""
        assert self.outbox is not None
        kept = self.outbox.last_state()
        if kept is None:
            return
        try:
            state = p.decode_as(kept, p.BedState)
        except p.ProtocolError:
            return
        for view in state.requests:
            if view.state in p.CLOSED_STATES:
                continue
            # Shown, not counted as open for "already asked": it may have been resolved while
            # the tablet was off, and a patient asking again must not be refused on old news.
            self._update(view.id, view.state, view.by, view.intent, view.created_at)

    def takes(self, source: p.Source) -> bool:
        """Whether a request or answer from ``source`` counts. Touch counts only when
        ``bedside.inputs`` names it: hospital IT leaves it out for a patient whose stray hand
        (tremor, spasm) keeps touching the screen. Gestures and voice are not filtered here:
        their workers run only when configured (or when a file is replayed on purpose)."""
        return source != "touch" or "touch" in self.settings.bedside.inputs

    def open_request(self, intent: str, level: int | None = None) -> str | None:
        """The id of a request for ``intent`` (at ``level``) this bed has open, if any."""
        for request_id, asked in self._asked.items():
            if request_id in self._cancel_sent:  # the patient took it back: asked anew
                continue
            if asked == (intent, level) and self.states.get(request_id) not in p.CLOSED_STATES:
                return request_id
        return None

    def submit(
        self,
        intent: str,
        source: p.Source,
        level: int | None = None,
        again: bool = False,
        late_s: float = 0.0,
    ) -> p.Request | None:
        """Create a request (with the 0-10 ``level`` the patient chose, if any), make it
        durable, then publish it. None: the same request is open already and is not sent
        again (a double nod made two identical calls at the station); pain at another level
        is a new request, as the patient says it changed. An emergency asked again always
        goes: a patient whose emergency is open and who asks again is worse, not repeating.

        ``late_s``: how long ago the patient made the gesture that sent it (a late report,
        ``GestureEvent.made``): ``created_at`` is "when the patient chose it"
        (docs/protocol.md), so it is dated back by that much and the station's "waiting
        since" and response times include the seconds the report took."""
        assert self.outbox is not None, "run() opens the outbox"
        urgent = self.intents[intent].is_emergency
        existing = None if again or urgent else self.open_request(intent, level)
        if existing is not None:
            state = self.states.get(existing, "created")
            log.info("%s is open already (%s, %s): not sent again", intent, existing[:8], state)
            self._emit(ev.AlreadyAsked(intent, existing, state))
            return None
        spec = self.intents[intent]
        req = p.Request(
            id=p.new_request_id(),
            site=self.address.site,
            unit=self.address.unit,
            bed=self.address.bed,
            intent=intent,
            priority=spec.request_priority,
            source=source,
            created_at=p.to_iso(datetime.now(UTC) - timedelta(seconds=max(0.0, late_s))),
            level=level,
        )
        key = f"request:{req.id}"
        saved = self._save(key, self.address.topic("request"), p.encode(req))
        self.states[req.id] = "created"
        self._asked[req.id] = (intent, level)
        # Sent now, from whatever source: a choice of it under way in the menu must not send
        # it again (rev44b: an emergency asked by voice during a question went twice).
        self.menu.forget(intent, self.menu_time())
        self._note_choosing(sent=True)
        self._offer_cancel()
        # Emitted even when not saved: the screen follows it, and without a receipt in time
        # the no-receipt alarm tells the patient to get help another way.
        self._emit(ev.RequestSaved(intent, req.id, created_at=req.created_at))
        if saved:
            self._send(key)
        return req

    def cancel_target(self) -> str | None:
        """The request the menu's cancel entry cancels: the newest this bed has open that is
        not an emergency (a nurse clears an emergency at the bed; a stray nod and a second one
        must never take it back)."""
        for request_id in reversed(self._asked):
            intent, _ = self._asked[request_id]
            spec = self.intents.get(intent)
            if spec is None or spec.is_emergency or request_id in self._cancel_sent:
                continue
            if self.states.get(request_id) not in p.CLOSED_STATES:
                return request_id
        return None

    def _offer_cancel(self) -> None:
        """Keep the menu's cancel entry in step with the open requests, and say so at once
        (the voice worker learns from it what a spoken "cancel" would take back)."""
        target = self.cancel_target()
        intent = self._asked[target][0] if target else None
        self.menu.offer_cancel(intent, self.menu_time(), target)
        self._update_menu()

    def cancel_chosen(self, request_id: str | None, source: p.Source) -> None:
        """The cancel entry was chosen and confirmed for ``request_id`` (the request it named):
        cancel that one if it is still open, and nothing else (None: it named none). Never
        "the newest open now": that took back another request when the named one finished
        while the patient confirmed."""
        if request_id is None or request_id not in self._asked:
            log.info("cancel entry chosen with no request open")
            return
        if self.states.get(request_id) in p.CLOSED_STATES or request_id in self._cancel_sent:
            # Finished (or already being cancelled) while the patient confirmed: the entry
            # named this request, so no other is taken back instead.
            log.info("cancel of %s chosen after it was %s; nothing cancelled", request_id[:8],
                     self.states.get(request_id, "cancelled"))  # fmt: skip
            return
        self._emit(ev.CancelAsked(self._asked[request_id][0], request_id, source))
        self.cancel(request_id)

    def cancel(self, request_id: str) -> None:
        assert self.outbox is not None, "run() opens the outbox"
        msg = p.Cancel(
            request_id, self.address.site, self.address.unit, self.address.bed, p.now_iso()
        )
        key = f"cancel:{request_id}"
        self._cancel_sent.add(request_id)
        self._offer_cancel()
        if self._save(key, self.address.topic("cancel"), p.encode(msg)):
            self._send(key)

    # ------------------------------------------------------------ a nurse at this bed

    def _nurse_at_bed(self, action: p.BedsideNurseAction, by: str, id: str | None) -> bool:
        """Publish a ``NurseAtBed`` on this bed's own ``nurse`` topic (the only topic from which
        the station clears an emergency). Not kept in the outbox: a presence or clear sent
        minutes late would be wrong, so while offline it is refused and the nurse retries."""
        if self.link is None or not self.link.connected:
            log.warning("nurse at bed: %s not sent, not connected", action)
            return False
        a = self.address
        msg = p.NurseAtBed(p.new_request_id(), a.site, a.unit, a.bed, action, by, p.now_iso(), id)
        return self.link.publish(a.topic("nurse"), p.encode(msg))

    def mark_presence(self, by: str | None) -> None:
        """Set or end "nurse in room"; ``nurse_present`` changes only once the message went."""
        if by is None:
            if self.nurse_present is not None and self._nurse_at_bed(
                "absent", self.nurse_present, None
            ):
                self.nurse_present = None
        elif self._nurse_at_bed("present", by, None):
            self.nurse_present = by

    def clear_at_bed(self, request_id: str, by: str) -> bool:
        """Ask the station to resolve ``request_id``; it does so only while presence is set
        (docs/protocol.md, ``nurse_at_bed``). The result arrives as the bed's new ``state``."""
        if self.nurse_present is None:
            log.warning("clear of %s refused: mark 'Nurse in room' first", request_id[:8])
            return False
        return self._nurse_at_bed("clear", by, request_id)

    def answer(self, answer: str, source: p.Source) -> None:
        """Answer the pending question (from a gesture, a touch or voice)."""
        assert self.outbox is not None, "run() opens the outbox"
        question = self.question
        if question is None:
            return
        if answer == "yes":
            reply: Literal["yes", "no"] = "yes"
        elif answer == "no":
            reply = "no"
        else:
            return
        msg = p.Answer(
            question.id, question.site, question.unit, question.bed, reply, source, p.now_iso()
        )
        key = f"answer:{question.id}"
        saved = self._save(key, self.address.topic("answer"), p.encode(msg))
        self._answered[question.id] = None
        if len(self._answered) > KEPT_CLOSED:  # a question older than these expired long ago
            del self._answered[next(iter(self._answered))]
        self.question = None
        self._forget_set_aside(question.id)
        self._next_question_at = time.monotonic() + NEXT_QUESTION_AFTER_S
        self.menu.release(self.menu_time())
        self._emit(ev.QuestionAnswered(question.id, answer))
        if saved:
            self._send(key)
        self._update_menu()

    def _save(self, key: str, topic: str, payload: bytes) -> bool:
        """Put a message in the outbox. When the disk cannot take it (full or failing), say so
        loudly, as a fault on the screen and at the station, and send it at once without the
        outbox: it then has the one chance a plain MQTT publish has, not zero."""
        assert self.outbox is not None
        try:
            self.outbox.add(key, topic, payload)
            return True
        except sqlite3.Error as exc:
            sent = (
                self.link is not None and self.link.connected and self.link.publish(topic, payload)
            )
            log.critical(
                "STORAGE FAULT: %s could not be saved in the outbox %s (%s); %s. Free disk "
                "space or replace the storage.",
                key.split(":")[0], self.outbox.path, exc,
                "sent once without it" if sent else "not connected either: it is lost",
            )  # fmt: skip
            self._emit(ev.Fault(STORAGE_FAULT_TEXT))
            self._report_storage()
            return False

    def _report_storage(self) -> None:
        """Publish the status again when the outbox starts or stops failing ("storage")."""
        failing = self.outbox is not None and bool(self.outbox.write_error)
        if failing != self._storage_failing:
            self._storage_failing = failing
            self._publish_status_if_connected()

    def rest_relearned(self, by: str) -> None:
        """Staff at the bedside repositioned the patient and asked for the rest to be learned
        again: a selection awaiting its confirmation is cancelled (the shift itself may have
        made it, gest41b; staff are there to help the patient choose again). Requests already
        sent are not touched."""
        dropped = self.menu.drop_pending(self.menu_time())
        if dropped is not None:
            log.info(
                "%s is no longer awaiting confirmation: %s asked to learn the rest again",
                dropped.intent,
                by,
            )
            self._call_over_ended(sent=False)
            self._emit(ev.SelectionCancelled(dropped.intent, dropped.t, "relearn"))
        self._forget_saved_rest(by)
        self._update_menu()

    def _forget_saved_rest(self, by: str) -> None:
        """Take the calibrated resting head pose out of the patient's profile: staff just
        said it no longer holds, and a restart (the kiosk after a crash or an update) read it
        again and showed "ready" on it while every held gesture was lost (gest41b). Without it
        the next start learns the rest from the face, as a patient never calibrated. The
        resting jitter and the resting expression stay: they are the patient's face, which a
        new position does not change. Nothing is written when no rest is saved."""
        self.profile = _without_rest(self.profile)  # cameras started later in this run
        unsaved = 'The new rest was not saved; after a restart, choose "Patient repositioned" again'
        if self._save_to_profile(_without_rest, unsaved):
            log.info(
                "%s: the saved rest is taken out of %s (learned from the face from now on)",
                by,
                self.profile_path,
            )

    def set_timing(self, offer_seconds: float, pause_after_select_s: float) -> None:
        """Apply staff's scan timing now and write it to the patient's profile."""
        self.menu.set_timing(offer_seconds, pause_after_select_s, self.menu_time())

        def timed(profile: GestureProfile) -> GestureProfile:
            settings = replace(
                profile.interaction,
                offer_seconds=offer_seconds,
                pause_after_select_s=pause_after_select_s,
            )
            return replace(profile, interaction=settings)

        self.profile = timed(self.profile)
        self._save_to_profile(timed, "The scan timing was not saved; it is used until a restart")
        self._update_menu()

    def _save_to_profile(
        self, change: Callable[[GestureProfile], GestureProfile], unsaved: str
    ) -> bool:
        """Write one change of staff's into the patient's saved profile; True when written.

        ``change`` is applied to the file as it is now, not to the copy this service loaded:
        the calibration wizard may have saved a new calibration there since (used from the
        next start), and writing the loaded copy back erased it. What this run uses is the
        caller's to change. A file that exists but cannot be read is never written over (an
        edit of IT's, a file half copied): nothing is saved, and the screen says ``unsaved``
        with the reason, as when the disk refuses the write. Nothing is written when the
        change changes nothing."""
        base = self.profile
        if self.profile_path.is_file():
            try:
                base = load_profile(self.profile_path)
            except ConfigError as exc:
                log.error(
                    "the profile %s cannot be read, not writing over it: %s", self.profile_path, exc
                )
                self._emit(ev.Fault(f"{unsaved} (the profile cannot be read: {exc})."))
                return False
        changed = change(base)
        if changed is base:
            return False
        try:
            save_profile(changed, self.profile_path)
        except OSError as exc:
            log.error("cannot save the profile %s: %s", self.profile_path, exc)
            self._emit(ev.Fault(f"{unsaved} ({exc})."))
            return False
        return True

    def _expire_question(self) -> None:
        if self.question is not None and time.monotonic() > self._question_until:
            log.info("question %r expired without an answer", self.question.text)
            self._warn_set_aside(self.question)
            self._emit(ev.QuestionExpired(self.question.id, self.question.text))
            self.question = None
            self._next_question_at = time.monotonic() + NEXT_QUESTION_AFTER_S
            self.menu.release(self.menu_time())
            self._update_menu()

    def _ask_waiting_question(self) -> None:
        """Show the oldest question that waited, once nothing holds it back: the one before it
        answered or expired (NEXT_QUESTION_AFTER_S ago) and the echo window passed
        (:meth:`_question_must_wait`). One that expired while waiting is dropped, and logged."""
        for question_id, (question, until) in list(self._questions_waiting.items()):
            if until <= time.monotonic():
                del self._questions_waiting[question_id]
                # A warning: the nurse sees only "no answer", as if the patient had seen it.
                log.warning(
                    "question %r expired while waiting (behind another question or the "
                    "patient's choices); never shown",
                    question.text,
                )
                self._warn_set_aside(question)
        if not self._questions_waiting:
            # Nothing to pause for any more: the menu offers when its own pause ends.
            self.menu.unpause_for_question(self.menu_time())
            if self.question is None:
                # One set aside by a call and expired while waiting: the scale it
                # interrupted comes back ("Not sent yet"), not after another question.
                self.menu.question_gone(self.menu_time())
        if self.question is None and self.menu.confirming(self.menu_time()):
            # The window runs from a confirmation's last moment, whether a question waited
            # during it or came after it lapsed: "Not sent: Emergency." is heard first, and the
            # nod that chooses it again cannot answer a question shown meanwhile (rev44b4).
            self._note_choosing()
        if self.question is not None or time.monotonic() < self._next_question_at:
            return
        if not self._questions_waiting:
            return
        if self._question_must_wait():
            if time.monotonic() < self._sent_until:
                # The menu's pause after a request sent (3 s) ended before the echo window
                # (5 s): the scan came back, and a nod in between chose a request instead of
                # letting the question come. Nothing is offered until the question is shown
                # (a call: gesture still goes). After a confirmation that lapsed or was
                # cancelled the menu stays live: the emergency chosen again.
                left = self._echo_until - time.monotonic()
                self.menu.pause_for_question(self.menu_time(), self.menu_time() + left)
            return
        question_id = next(iter(self._questions_waiting))
        question, until = self._questions_waiting.pop(question_id)
        self._show_question(question, until - time.monotonic())

    def _note_choosing(self, sent: bool = False) -> None:
        """The patient chose, confirmed, cancelled or ``sent`` something: the echo window starts
        again (a question waiting keeps waiting). The menu is paused for a question waiting
        only in a window a choice that sends began (``_sent_until``: a request, or a cancel
        chosen from the menu, which pauses it like a send); a confirmation that lapsed or was
        cancelled keeps it live, so an emergency chosen again is not held back."""
        self._echo_until = max(self._echo_until, time.monotonic() + ECHO_WINDOW_S)
        if sent:
            self._sent_until = self._echo_until

    def _question_must_wait(self) -> bool:
        """THE rule for when a nurse's question may take the screen: never over a confirmation
        (during a question every gesture answers it, so an emergency awaiting its long blink
        waited up to the question's whole life, rev44b), and never within the echo window
        after the patient's last choosing gesture or after a confirmation was last on screen
        (its lapse is said first: "Not sent: Emergency."). A confirmation is the menu's, for a
        gesture, or the window's Yes / No page, for a tap (:class:`TouchConfirming`)."""
        touch = time.monotonic() < self._touch_confirm_until
        if self.menu.confirming(self.menu_time()) or touch:
            self._note_choosing()
            return True
        return time.monotonic() < self._echo_until

    def _on_gesture(self, g: Gesture) -> None:
        if self._backs_spoken_emergency(g):
            return
        if self.question is not None:
            if g.made is not None and g.made < self._question_shown_at:
                # Reported late (a nod held back until the shake after it): made before the
                # question was on screen, it answered something else.
                log.info("%s made before the question was shown; not its answer", g.name)
                return
            # A nurse's question takes precedence over the menu: the patient's choosing gesture
            # says yes, their moving-on gesture no (a nod and a shake by default).
            said = answer_for(g.name, self.menu.actions)
            if said is not None:
                self.answer(said, "gesture")
                return
            outcome = self._call_over_question(g)
            if outcome is None:
                return
        elif self._answers_set_aside(g) or self._call_held_back(g):
            return
        elif self._emergency_call(g) and (through := self.menu.take_emergency(g.name, g.t)):
            outcome = self._emergency_through(through, g)
        else:
            outcome = self.menu.on_gesture(g.name, g.t, g.made, g.face_back)
        late_s = self._note_late_call(g, outcome)
        if isinstance(outcome, Selected | Cancelled):
            self._call_over_ended(sent=isinstance(outcome, Selected))
        if isinstance(
            outcome, Selected | ConfirmRequested | ConfirmTooSoon | Cancelled | ScaleOffered
        ):
            # Its echo must not answer a question shown next.
            self._note_choosing(sent=isinstance(outcome, Selected))
        if isinstance(outcome, Selected) and outcome.intent == CANCEL_REQUEST:
            self.cancel_chosen(self.menu.cancels_id, "gesture")
        elif isinstance(outcome, Selected):
            self._emit(ev.IntentSelected(outcome.intent, g.t, g.name))
            self.submit(outcome.intent, "gesture", outcome.level, late_s=late_s)
        elif isinstance(outcome, Declined):
            self._emit(ev.OfferDeclined(outcome.intent, g.t, g.name))
        elif isinstance(outcome, ConfirmRequested):
            self._emit(ev.ConfirmNeeded(outcome.intent, g.t, g.name))
        elif isinstance(outcome, ConfirmTooSoon):
            self._emit(ev.ConfirmTooSoon(outcome.intent, g.t, g.name, outcome.late))
        elif isinstance(outcome, Cancelled):
            self._emit(ev.SelectionCancelled(outcome.intent, g.t, g.name))
        elif isinstance(outcome, Moved):
            self._emit(ev.PointerMoved(outcome.intent, g.t, g.name))

    def _note_late_call(self, g: Gesture, outcome: object) -> float:
        """How long ago gesture ``g`` was made (0 when reported on time), and, for a
        ``call:`` gesture (a nurse call, an emergency) reported late and taken (``outcome``
        sends it, asks to confirm it, or opens the pain scale for it), a log line saying so. A
        step that late is not applied (:meth:`Interaction._too_late_to_step`); a call is
        never dropped for lateness, because a missed call costs a patient more than a late
        one, so its lateness is logged (a WARNING past ``late_step_max_s``, where a step
        would have been dropped) and the request it sends is dated from when it was made
        (:meth:`submit`). Only when taken: a call the menu did not take for another reason
        (asleep, the pause after a choice) logged "lateness never drops a call" with nothing
        sent, which misled whoever read the log (review rev48b, calllog.py); a call opening
        the pain scale is taken (review rev48b2)."""
        if g.made is None:
            return 0.0
        late_s = max(0.0, g.t - g.made)
        taken = isinstance(outcome, Selected | ConfirmRequested | ScaleOffered)
        if taken and self.menu.actions.get(g.name, "").startswith("call:"):
            level = logging.WARNING if late_s > self.menu.late_step_max_s else logging.INFO
            log.log(level, "%s (a call) reported %.2f s after it was made, taken: lateness"
                    " never drops a call", g.name, late_s)  # fmt: skip
        return late_s

    def _backs_spoken_emergency(self, g: Gesture) -> bool:
        """An emergency gesture (:meth:`_emergency_call`) while a spoken EMERGENCY waits for
        its yes: the gesture is that yes, and the voice worker sends the spoken emergency now
        (:class:`ev.SpokenEmergencyBacked`); the menu, and a question on screen, are left as
        they are (the spoken emergency's own send clears a choice of it, ``menu.forget``).

        Ended for the gesture's "Emergency?" (:meth:`Interaction.take_emergency`), the
        spoken emergency the default policy sends by itself after 3 s was dropped: none went
        unless the patient also nodded, and the window said "Not sent: Emergency." after the
        nod's had gone (rev45e BLOCKER). Sending it at the gesture is the safest of the
        choices: exactly one emergency (the dialogue sends its proposal once, whoever asks
        first: the gesture or its 3 s), never later than the spoken one alone (main: 3.0 s;
        now at the gesture, 0.5 to 2.5 s), and the two agree from two independent senses (a
        word the recogniser heard, a long blink the camera saw), each of which alone sends
        an emergency after one more sign (3 s not declined; a nod). Left alone (the gesture
        ignored, as before emg45), it would still go at 3 s, but a patient whose profile
        has the spoken emergency confirmed ("confirm") would wait for a yes he has given.
        Not asleep: a long blink does nothing then (the spoken emergency still goes)."""
        spoken = self._spoken
        if spoken is None or not self.menu.listening or self.menu.asleep:
            return False
        spec = self.intents.get(spoken)
        if spec is None or not spec.is_emergency or not self._emergency_call(g):
            return False
        confirm = self.confirm_spoken_emergency
        if confirm is None or not confirm():
            # Nothing waited any more where the spoken emergency was heard (a microphone
            # replaced, declined, sent by its 3 s): the gesture goes the menu's way. Taken
            # as a yes that sent nothing, every long blink after a microphone restart was
            # swallowed for good (rev46e).
            log.warning("%s: no spoken %s waits to take it as its yes", g.name, spoken)
            self._spoken = None
            return False
        log.warning("%s while a spoken %s waits: taken as its yes", g.name, spoken)
        self._emit(ev.SpokenEmergencyBacked(g.t, spoken))
        return True

    def _emergency_through(self, through: TakenThrough, g: Gesture) -> Event:
        """An emergency gesture taken over what the menu was doing
        (:meth:`Interaction.take_emergency`): the confirmation it ended is reported as given
        up for the emergency (the window says "Not sent: ..." once the emergency's own
        prompt is over, not over it), and a spoken request it ended is dropped by the voice
        worker (:class:`ev.SpokenRequestDropped`). A call over a question whose confirmation
        it ended is not doubted: the patient did not let it lapse."""
        if through.ended is not None:
            self._call_over = None
            self._emit(ev.SelectionCancelled(through.ended, g.t, "emergency"))
        if through.proposal_ended:
            self._emit(ev.SpokenRequestDropped(g.t))
        return through.outcome

    def _call_over_question(self, g: Gesture) -> Event | None:
        """A ``call:`` gesture during a question (any intent, not only an emergency: the
        gesture answers nothing, it was dropped without a word, and a request the patient
        named outright must not wait up to 120 s on a nurse's question) is taken: the question
        is put aside, back at the head of the waiting ones with its own expiry, and the call
        goes to its confirmation or is sent as from the menu. The question comes back after
        it, as behind any confirmation (:meth:`_question_must_wait`)."""
        question = self.question
        assert question is not None
        if question.id in self._doubted and not self._emergency_call(g):
            # A call over it lapsed or was cancelled: a false long blink every 5-10 s kept it
            # off the screen for all but 0.1 s of its 130 (rev45b2). The menu's own entry
            # (after the answer) still reaches the request. Never an emergency's: see
            # :meth:`_emergency_call`.
            log.info("%s over question %r ignored: a call over it was not sent", g.name,
                     question.text)  # fmt: skip
            return None
        listening = self.menu.listening
        outcome = self.menu.take_call(g.name, g.t, emergency=self._emergency_call(g))
        if outcome is None:
            return None
        if listening:  # an emergency ended the spoken request (Interaction.take_call)
            self._emit(ev.SpokenRequestDropped(g.t))
        waiting = {question.id: (question, self._question_until)}
        self._questions_waiting = waiting | self._questions_waiting
        self.question = None
        self._set_aside[question.id] = self._set_aside.get(question.id, 0) + 1
        if isinstance(outcome, ConfirmRequested | ConfirmTooSoon):
            self._call_over = question.id
        log.info("question %r put aside for the patient's %s", question.text, g.name)
        self._emit(ev.QuestionSetAside(question.id, question.text))
        self._update_menu()
        return outcome

    def _answers_set_aside(self, g: Gesture) -> bool:
        """An answering gesture (yes or no, :func:`answer_for`) made in the wait of the
        confirmation of a call taken over a question (``CALL_OVER_QUESTION_WAIT_S``, see
        :meth:`Interaction.take_call`): the patient may have been answering the question (the
        call a misread long blink). The question comes back and the gesture is its answer,
        once; the call's confirmation stays on screen, confirmable after a new wait
        (:meth:`Interaction.answered_instead`). Taken as the confirmation, the "yes" meant for
        the question sent an emergency and the answer was lost (rev45b3 BLOCKER); dropped, a
        real emergency nodded early was lost (rev45b4)."""
        qid = self._call_over
        said = answer_for(g.name, self.menu.actions)
        if qid is None or said is None or qid not in self._questions_waiting:
            return False
        made = g.t if g.made is None else g.made
        intent = self.menu.answered_instead(g.t, made)
        if intent is None:
            return False
        question, until = self._questions_waiting.pop(qid)
        self.question, self._question_until = question, until
        self._call_over = None
        log.warning(
            "%s in the wait of %s's confirmation answers question %r; %s is still asked",
            g.name,
            intent,
            question.text,
            intent,
        )
        self.answer(said, "gesture")
        return True

    def _call_held_back(self, g: Gesture) -> bool:
        """A ``call:`` gesture that would start a new choice while a question waits that a
        call over it already failed to send: not taken. Taken, each false one raised a new
        confirmation, behind which the question waited again (never back on screen with a
        false long blink every 5 or 10 s, rev45b2). The menu's entry still reaches it."""
        action = self.menu.actions.get(g.name, "none")
        if not action.startswith("call:") or self.menu.confirming(self.menu_time()):
            return False
        if self._emergency_call(g):
            return False
        if not any(qid in self._doubted for qid in self._questions_waiting):
            return False
        log.info("%s not taken: a question a call was set aside for waits", g.name)
        return True

    def _emergency_call(self, g: Gesture) -> bool:
        """The gesture asks for an emergency outright (``call:`` of an intent marked
        ``is_emergency``). Such a call is never held back for a question, even after a false
        one over it lapsed: a patient's emergency must not wait up to 120 s on a nurse's
        question. The cost, accepted: a patient whose emergency gesture misfires every few
        seconds keeps the question off the screen (as each misfire also raises "Emergency?"),
        and the station shows "no answer" at its expiry, with the warning naming how often it
        was set aside."""
        action = self.menu.actions.get(g.name, "none")
        if not action.startswith("call:"):
            return False
        intent = self.intents.get(action.removeprefix("call:"))
        return intent is not None and intent.is_emergency

    def _call_over_ended(self, sent: bool) -> None:
        """The confirmation of a call taken over a question was sent, or lapsed or was
        cancelled (``sent`` False: the call is doubted, see :meth:`_call_over_question`)."""
        qid, self._call_over = self._call_over, None
        if qid is not None and not sent:
            self._doubted.add(qid)

    def _forget_set_aside(self, question_id: str) -> int:
        """The question is over: how many times a call gesture set it aside."""
        self._doubted.discard(question_id)
        if self._call_over == question_id:
            self._call_over = None
        return self._set_aside.pop(question_id, 0)

    def _warn_set_aside(self, question: p.Question) -> None:
        """A question expired: if call gestures set it aside, say how often (the station
        shows only "no answer", as if the patient had seen it all along)."""
        times = self._forget_set_aside(question.id)
        if times:
            log.warning(
                "question %r expired after being set aside %d time(s) for call gestures",
                question.text,
                times,
            )

    # ------------------------------------------------------------ menu

    def menu_time(self) -> float:
        """Now, on the clock of the frames (or of this service when no camera runs)."""
        if self._clock_offset is None:
            self._clock_offset = time.monotonic()
        return time.monotonic() - self._clock_offset

    def _sync_clock(self, t: float) -> None:
        """Move the menu onto the frames' clock. Until the first frame (the camera and
        MediaPipe can take many seconds to start) the menu ran on this service's own clock;
        a clock that jumps back must not leave the scan frozen on one item until it catches
        up, and the first frame starts the scan from the top."""
        before = self.menu_time()
        first = not self._frames_seen
        self._frames_seen = True
        self._clock_offset = time.monotonic() - t
        jump = t - before
        if jump < -CLOCK_SLACK_S:
            self.menu.shift(jump)
            self._question_shown_at += jump  # on the menu's clock too (late answers)
            if first:
                self.menu.restart_scan(t)

    def _update_menu(self) -> None:
        now = self.menu_time()
        for timed_out in self.menu.expired(now):
            if isinstance(timed_out, Selected):  # a scale left without a number
                self._emit(ev.IntentSelected(timed_out.intent, timed_out.t, "timeout"))
                self.submit(timed_out.intent, "gesture")
            else:
                self._call_over_ended(sent=False)
                self._emit(ev.SelectionCancelled(timed_out.intent, timed_out.t, "timeout"))
        if self._call_over is not None and not self.menu.confirming(now):
            # The call's confirmation ended another way (the same request said aloud and
            # sent, sleep): not doubted. Left set, a later unrelated lapse marked the question
            # doubted and held back a real call over it (rev45b3).
            log.info("the call over question %s ended without a lapse", self._call_over[:8])
            self._call_over = None
        view = self.menu.view(self.menu_time())
        if self.question is not None:
            view = MenuView(view.items, None, "question", question=self.question.text)
        if view != self._menu_view:
            self._menu_view = view
            self._emit(ev.MenuChanged(view, self.menu_time()))

    # ------------------------------------------------------------ messages

    def _note_station_clock(self, at: str) -> None:
        """How far the station's clock is ahead of ours, from its presence (sent every few
        seconds, so off by a few seconds at most); a gap beyond MAX_CLOCK_GAP_S is a stale
        message, not a clock."""
        try:
            ahead = (p.parse_iso(at) - datetime.now(UTC)).total_seconds()
        except ValueError:
            return
        if abs(ahead) > MAX_CLOCK_GAP_S:
            # Two presences at least 3 s apart that agree are a clock, not a stale message
            # (an hour's jump of the tablet's clock dropped every question as expired).
            now = time.monotonic()
            seen = self._big_gap
            self._big_gap = (ahead, now)
            if seen is None or abs(ahead - seen[0]) > 5.0 or now - seen[1] < 3.0:
                return
            self._big_gap = seen
        self._station_ahead_s = ahead
        clock_fault = abs(ahead) > CLOCK_FAULT_S
        if clock_fault != self._clock_fault:
            self._clock_fault = clock_fault
            if clock_fault:
                log.error(
                    "CLOCK FAULT: this tablet's clock is %.0f s %s the station's; fix the time "
                    "(timedatectl set-ntp true)",
                    abs(ahead), "behind" if ahead > 0 else "ahead of",
                )  # fmt: skip
            self._publish_status_if_connected()
        if abs(ahead) > 30.0 and not self._clock_warned:
            self._clock_warned = True
            log.warning(
                "this tablet's clock is %.0f s %s the station's; questions are timed on the "
                "station's clock, but fix the time (timedatectl set-ntp true)",
                abs(ahead), "behind" if ahead > 0 else "ahead of",
            )  # fmt: skip

    def _on_message(self, topic: str, payload: bytes) -> None:
        assert self.outbox is not None
        msg = p.decode(payload)
        if isinstance(msg, p.Receipt | p.BedState | p.Question):
            named = p.BedAddress(msg.site, msg.unit, msg.bed)
            if named != self.address:
                # Answered, a question for bed 13 on bed 12's topic went out as bed 13's
                # answer on bed 12's topic: dropped by the station, sent again for ever.
                raise p.ProtocolError(
                    f"a {msg.kind} for bed {named.key} arrived on this bed's topic {topic}"
                )
        if isinstance(msg, p.Receipt) and topic == self.address.topic("receipt"):
            if self.outbox.remove(f"answer:{msg.id}"):
                self._emit(ev.AnswerReceived(msg.id))
                return
            self.outbox.remove(f"request:{msg.id}")
            if msg.state in p.CLOSED_STATES:
                self.outbox.remove(f"cancel:{msg.id}")
            self._update(msg.id, msg.state, None, "")
        elif isinstance(msg, p.BedState) and topic == self.address.topic("state"):
            self.outbox.remember_state(payload)
            for view in msg.requests:
                # A retained state proves the station has the request, even if its receipt
                # was lost while this tablet was away.
                self.outbox.remove(f"request:{view.id}")
                if view.state in p.CLOSED_STATES:
                    self.outbox.remove(f"cancel:{view.id}")
                if view.state not in p.CLOSED_STATES:
                    self._asked.setdefault(view.id, (view.intent, view.level))
                self._update(view.id, view.state, view.by, view.intent, view.created_at)
        elif isinstance(msg, p.Question) and topic == self.address.topic("question"):
            if msg.id in self._answered or self._answer_waiting(msg.id):
                return  # delivered again by the broker; already answered
            if self.question is not None and self.question.id == msg.id:
                return  # asked again (this tablet came back online): it is on screen already
            if msg.id in self._questions_waiting:
                return  # asked again, and still waiting for its turn
            left = question_time_left(msg.at, self._station_ahead_s)
            if left <= 0:
                # Delivered after an outage: the station already shows it as expired, and a
                # late "yes" would answer a question the nurse no longer waits for.
                log.info("question %r arrived after it expired; not shown", msg.text)
                return
            if self.question is not None or self._questions_waiting or self._question_must_wait():
                # Its turn comes in _ask_waiting_question, within its own expiry.
                log.info("question %r waits for its turn", msg.text)
                self._questions_waiting[msg.id] = (msg, time.monotonic() + left)
                return
            self._show_question(msg, left)
        elif isinstance(msg, p.StationStatus):
            # Arrival time, not ``at``: a tablet clock that is off must not hide the station.
            if msg.online and not msg.fault:
                self._answering[msg.name] = time.monotonic()
                self._note_station_clock(msg.at)
            else:
                self._answering.pop(msg.name, None)
            self._set_station_online(bool(self._answering))
        else:
            raise p.ProtocolError(f"unexpected {type(msg).__name__} on {topic}")

    def _show_question(self, question: p.Question, left: float) -> None:
        self.question = question
        self._question_shown_at = self.menu_time()
        self.menu.hold(self.menu_time())
        self._question_until = time.monotonic() + left
        self._emit(ev.QuestionAsked(question.id, question.text, question.asked_by))
        self._update_menu()

    def _set_station_online(self, online: bool) -> None:
        if online == self.station_online:
            return
        self.station_online = online
        self._emit(ev.StationChanged(online))
        if online:
            # The station is back: what it owes us goes now, not after the resend back-off.
            self._flush(resend=False)

    def _supervise(self) -> None:
        """Heartbeat out, and notice a station that went silent (its will may never come when
        the network, not the station, failed)."""
        now = time.monotonic()
        for name, seen in list(self._answering.items()):
            if now - seen > STATION_SILENT_S:
                log.warning("no word from station %s for %.0f s", name, now - seen)
                del self._answering[name]
        if self.station_online and not self._answering:
            self._set_station_online(False)
        if self.link is not None and self.link.connected and now >= self._heartbeat_due:
            self._heartbeat_due = now + HEARTBEAT_S
            self.link.publish(self.address.topic("status"), self._status(True), qos=0)

    def _status(self, online: bool) -> bytes:
        cfg = self.settings.bedside
        faults = (
            *self.device_faults,
            *(("config",) if self.config_faults else ()),
            *(("storage",) if self._storage_failing else ()),
            *(("clock",) if self._clock_fault else ()),
        )
        status = p.BedStatus(
            cfg.site,
            cfg.unit,
            cfg.bed,
            online,
            p.now_iso(),
            cfg.inputs,
            __version__,
            faults if online else (),
            self.voice_engine if online else None,
            self.waiting if online else None,
            self._backlog_age() if online else None,
        )
        return p.encode(status)

    def _backlog_age(self) -> int:
        """Seconds the oldest message in the outbox has waited for its receipt."""
        assert self.outbox is not None
        pending = self.outbox.pending()
        return max(0, int(time.time() - pending[0].created_at)) if pending else 0

    def _update(
        self, request_id: str, state: str, by: str | None, intent: str, created_at: str = ""
    ) -> None:
        if self.states.get(request_id) == state:
            return
        if state in p.CLOSED_STATES:
            self._asked.pop(request_id, None)
            self._cancel_sent.discard(request_id)
        known = self.states.get(request_id)
        if known in p.CLOSED_STATES or p.is_backwards(known, state):
            return  # an older message arriving late never moves a request backwards
        self.states[request_id] = state
        self._forget_old_closed()
        self._emit(ev.StateChanged(request_id, state, by, intent, created_at))
        self._offer_cancel()

    def _forget_old_closed(self) -> None:
        """Keep the last KEPT_CLOSED closed requests (a late message about one must not move
        it back), not every request of the tablet's life: they grew by one per request."""
        closed = [rid for rid, state in self.states.items() if state in p.CLOSED_STATES]
        for request_id in closed[: max(0, len(closed) - KEPT_CLOSED)]:
            del self.states[request_id]

    # ------------------------------------------------------------ outbox

    def _publish_status_if_connected(self) -> None:
        """The status again after a change it reports (sent on connecting otherwise)."""
        if self.link is not None and self.link.connected:
            self._publish_status()

    def _publish_status(self) -> None:
        """The retained online status, with the device faults the station should see."""
        assert self.link is not None
        self.link.publish(self.address.topic("status"), self._status(True), retain=True)

    def _on_connected(self) -> None:
        self._publish_status()
        self._heartbeat_due = time.monotonic() + HEARTBEAT_S
        self._emit(ev.ConnectionChanged(online=True))
        self._flush(resend=False)

    def _send(self, key: str) -> None:
        assert self.outbox is not None
        if self.link is None or not self.link.connected:
            # "Your request is saved and will be sent" is about a request: a cancel or an
            # answer made offline said it too.
            self._emit(ev.ConnectionChanged(online=False, request_saved=key.startswith("request:")))
            return
        for entry in self.outbox.pending():
            if entry.key == key:
                if self.link.publish(entry.topic, entry.payload):
                    self.outbox.mark_sent(key)
                    if key.startswith("request:"):
                        self._emit(ev.RequestSent(key.split(":", 1)[1]))
                return

    def _check_outbox(self) -> None:
        """Set aside the rows this bed cannot send (a hand edit, a salvaged damaged file, a
        tablet moved to another bed with messages waiting): one such row failed at every send
        and held up every call after it."""
        assert self.outbox is not None
        for entry in self.outbox.pending():
            problem = self._unsendable(entry.key, entry.topic, entry.payload)
            if problem is not None:
                aside = self.outbox.set_aside(entry.key)
                log.error("OUTBOX ROW SET ASIDE: %s %s; kept in %s", entry.key, problem, aside)

    def _unsendable(self, key: str, topic: str, payload: bytes) -> str | None:
        """Why an outbox row cannot go out as this bed's message, or None."""
        leaf = key.partition(":")[0]
        if leaf not in ("request", "cancel", "answer"):
            return f"is not a request, cancel or answer ({leaf!r})"
        if topic != self.address.topic(leaf):
            return f"is for topic {topic!r}, not this bed's {self.address.topic(leaf)!r}"
        try:
            msg = p.decode(payload)
        except p.ProtocolError as exc:
            return f"is not a valid message ({exc})"
        named = p.BedAddress(
            getattr(msg, "site", ""), getattr(msg, "unit", ""), getattr(msg, "bed", "")
        )
        if named != self.address:
            return f"names bed {named.key}, not this bed {self.address.key}"
        return None

    def _flush(self, resend: bool) -> None:
        """Send what waits in the outbox: everything after a (re)connection, otherwise only
        the messages whose receipt is overdue (see resend_delay)."""
        assert self.outbox is not None
        if self.link is None or not self.link.connected:
            return
        now = time.time()
        for entry in self.outbox.pending():
            # Wall-clock times survive a restart (the outbox is on disk). A clock set back
            # makes the last send look in the future: that counts as due, or nothing would be
            # sent again until the clock caught up (an hour, after an hour's jump).
            recent = entry.last_sent_at is not None and (
                0.0 <= now - entry.last_sent_at < resend_delay(entry.attempts)
            )
            if resend and recent:
                continue
            if self.link.publish(entry.topic, entry.payload):
                self.outbox.mark_sent(entry.key)
                if entry.attempts:
                    log.info("sent %s again (attempt %d)", entry.key, entry.attempts + 1)

    def _count_waiting(self) -> None:
        assert self.outbox is not None
        before, self.waiting = self.waiting, len(self.outbox)
        if self.waiting != before:
            self._publish_status_if_connected()  # the bed board shows the backlog at once

    def _emit(self, event: BedsideEvent) -> None:
        notify(self.listeners, event, log, "bedside")


def _without_rest(profile: GestureProfile) -> GestureProfile:
    """``profile`` without its calibrated resting head pose (itself when it has none)."""
    cal = profile.calibration
    if not cal.has_neutral:
        return profile
    return replace(profile, calibration=replace(cal, neutral_rotation=()))
