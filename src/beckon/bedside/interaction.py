"""The bedside interaction: which request is offered, and what each gesture does to it.

:class:`Interaction` is the state machine the bedside uses: scanning (requests
offered one at a time) or pointing (the patient moves the highlight), select, confirm and
cancel by the gestures the patient's profile chooses, and a confirmation step for emergencies.
It is plain Python driven by the gesture events' own timestamps, so it runs the same on a
live camera and on a video file. After a selection the menu pauses, so one long nod cannot
send two requests. While a nurse's question waits for its answer the scan is held, and after
the answer it stays quiet for a settle time, so the second nod of a "yes, yes" or a shake
that follows a "no" cannot choose whatever the menu offers next.

The one rule for a question and a choice under way: a question never takes the screen from a
request awaiting its confirming gesture (:meth:`Interaction.confirming`), nor comes within
the echo window after the patient's last choosing gesture (the service keeps it waiting:
``BedsideService._question_must_wait``); the one choice it does take the screen from
(the pain scale, which lasts a round of 11 offers) is put aside and taken up again after the
settle, said as not sent, never chosen by the answer, and forgotten if the request is sent
meanwhile another way (:meth:`Interaction.forget`).

The patient can put the menu to sleep (a gesture mapped to ``sleep``, or the :data:`SLEEP`
entry in the menu) so a restless night or a visit does not send requests; asleep, only the
wake gesture does anything.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

from beckon.intents import CANCEL_REQUEST as CANCEL_REQUEST  # cancels the newest request
from beckon.intents import SLEEP as SLEEP  # the menu entry that pauses the menu

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Selected:
    """``level``: the 0-10 number chosen on the scale for a scale intent (pain), else None."""

    intent: str
    t: float
    level: int | None = None


@dataclass(frozen=True)
class Declined:
    intent: str
    t: float


Outcome = Selected | Declined

Answer = Literal["yes", "no"]


def answer_for(gesture: str, actions: Mapping[str, str]) -> Answer | None:
    """Yes or no by head or face, to a nurse's question or a spoken proposal: the patient's
    own choosing gestures say yes (action "select") and their moving-on gestures no ("next").
    Without either in the profile, a nod and a shake. Only a nod and a shake answered, and a
    patient whose profile chooses with the mouth (no nod at all) could not answer a nurse."""
    action = actions.get(gesture)
    if action == "select":
        return "yes"
    if action == "next":
        return "no"
    chosen = set(actions.values())
    if gesture == "nod" and "select" not in chosen:
        return "yes"
    if gesture == "shake" and "next" not in chosen:
        return "no"
    return None


Stage = Literal["offering", "paused", "question", "pointing", "confirming", "scale", "asleep"]
"""Where the menu is (``MenuView.stage``); each is described on ``MenuView``."""
MenuMode = Literal["scanning", "pointing"]
"""How the patient moves through the menu: it offers each entry in turn, or they point."""


@dataclass(frozen=True)
class MenuView:
    """What the patient should see and hear right now: the contract between the interaction
    and the bedside window (highlight, spoken prompt). Compared for equality, so the service
    only tells listeners when it changes.

    stage: "offering" (``highlighted`` is on offer), "paused" (just chose; nothing offered),
    "question" (a nurse's yes/no question, in ``question``, waits for a nod or a shake),
    "pointing" (pointing mode: the patient moves the highlight with head gestures),
    "confirming" (``highlighted`` was chosen and waits for one of the ``confirm_with``
    gestures until ``deadline``, on the frames' clock; emergencies need this; the screen and
    the voice must name those gestures, from the patient's profile, not assume a nod, and
    only once ``ready``).
    "scale" (``highlighted`` was chosen and the patient picks a number, ``level``, from 0 to
    10 with the same gestures: the pain scale),
    "asleep" (the patient paused the menu: nothing is offered; one of the ``confirm_with``
    gestures wakes it).
    ``mode`` is the patient's menu mode, "scanning" or "pointing".
    ``cancels``: the intent of the request the :data:`CANCEL_REQUEST` entry (last in
    ``items`` while there is one) would cancel.
    """

    items: tuple[str, ...]
    highlighted: str | None
    stage: Stage
    question: str = ""
    mode: MenuMode = "scanning"
    deadline: float | None = None
    confirm_with: tuple[str, ...] = ()
    level: int | None = None
    cancels: str | None = None
    cancels_id: str | None = None
    """The id of that request: a choice of the entry cancels this one, never another that
    became the newest meanwhile."""
    cancel_with: tuple[str, ...] = ()
    """While confirming: the gestures that cancel the choice (none: only waiting does)."""
    ready: bool = True
    """While confirming: whether a confirming gesture counts now. Where the choosing
    movement's echo could confirm (:meth:`Interaction.waits_after`), it does not for the first
    ``confirm_after_s`` after the confirmation appeared: the question is asked at once, the
    instruction naming the gesture is given once it is ready (an earlier one gives
    :class:`ConfirmTooSoon`)."""
    waits: bool = False
    """While confirming: the confirming gesture did not count at once (``ready`` came later), so
    the question was asked first and the instruction follows when it counts."""
    too_soon: bool = False
    """While confirming: a confirming gesture made before ``ready`` was reported after it (a
    late report): it sent nothing, and the screen says so beside the instruction."""
    resumed: bool = False
    """On the scale: a nurse's question interrupted it and it is taken up again now that the
    question is over (:meth:`Interaction.hold`). Nothing was sent: the screen and the voice
    say so first ("Not sent yet: Pain.")."""
    select_with: tuple[str, ...] = field(default=("nod",), compare=False)
    """The gestures that choose (the patient's profile may not use a nod); fixed for a menu,
    so not compared (views are compared to tell listeners of a change)."""
    next_with: tuple[str, ...] = field(default=("shake",), compare=False)
    """The gestures that move on to the next entry."""


# ------------------------------------------------------------------------------------------
# The full interaction: scanning or pointing, confirmation, cancel, per-patient gestures.


@dataclass(frozen=True)
class ConfirmRequested:
    """A request that needs confirmation was chosen; it is sent only after the confirmation."""

    intent: str
    t: float
    deadline: float


@dataclass(frozen=True)
class ConfirmTooSoon:
    """A confirming gesture came before the confirmation counted (``MenuView.ready``): it
    sent nothing. Shown to the patient ("Too soon. To send it, wait for the instruction."),
    not spoken, so one who confirmed on purpose repeats it once told how, instead of watching
    nothing happen until the choice lapses."""

    intent: str
    t: float
    ready: float
    late: bool = False
    """Made before ``ready`` but reported after it (``MenuView.too_soon``)."""


@dataclass(frozen=True)
class Cancelled:
    """The patient cancelled a choice awaiting confirmation (or it timed out: ``timed_out``)."""

    intent: str
    t: float
    timed_out: bool = False


@dataclass(frozen=True)
class Moved:
    """Pointing mode: the highlight moved to ``intent``."""

    intent: str
    t: float


@dataclass(frozen=True)
class Slept:
    """The patient put the menu to sleep: nothing is offered until :class:`Woke`."""

    t: float


@dataclass(frozen=True)
class Woke:
    """The patient woke the menu; it offers again after the pause that follows a choice."""

    t: float


@dataclass(frozen=True)
class ScaleOffered:
    """A scale intent (pain) was chosen: the patient now picks a number from 0 to 10."""

    intent: str
    t: float


Event = (
    Selected
    | Declined
    | ConfirmRequested
    | ConfirmTooSoon
    | Cancelled
    | Moved
    | Slept
    | Woke
    | ScaleOffered
)


@dataclass(frozen=True)
class _Scale:
    """The 0-10 scale under way: ``level`` appeared at ``since`` (scanning moves on every
    ``offer_seconds`` from there). ``offered``: numbers whose whole offer ended before
    ``since`` in this round (staff changed the timing after them), so the scale still gives
    up after one round in all; counted from ``since`` alone, each change of timing began a
    new round (the numbers wrapped 10 -> 0 and the request went up to a round late)."""

    intent: str
    level: int
    since: float
    offered: int = 0
    appeared: float | None = None
    """When ``level`` really appeared, if before ``since``: a speed-up kept it on offer a
    nod's grace (:data:`RETIME_GRACE_S`) past the change, and ``since`` is set so that it moves
    on then."""
    resumed: bool = False
    """Taken up again after a nurse's question (``MenuView.resumed``)."""


@dataclass(frozen=True)
class _Pending:
    """A choice awaiting its confirming gesture: asked at ``shown``; a confirming gesture
    counts from ``ready`` (``shown``, plus ``confirm_after_s`` where an echo could confirm it)
    until ``deadline`` (``ready`` + ``confirm_timeout_s``: the wait does not shorten the time
    the patient has)."""

    intent: str
    shown: float
    ready: float
    deadline: float
    too_soon: bool = False
    """A confirming gesture made before ``ready`` was reported after it (``MenuView``)."""

    def shifted(self, dt: float) -> _Pending:
        return replace(
            self, shown=self.shown + dt, ready=self.ready + dt, deadline=self.deadline + dt
        )


@dataclass(frozen=True)
class _Interrupted:
    """The pain scale a nurse's question took the screen from (:meth:`Interaction.hold`; a
    confirmation is never put aside: the question waits for it). ``after``: set when the
    question ends (:meth:`Interaction.release`); the scale is taken up again from then plus
    ``confirm_after_s``, and not before the settle after the answer is over."""

    intent: str
    after: float | None = None


@dataclass(frozen=True)
class TakenThrough:
    """An emergency call (:meth:`Interaction.take_emergency`) taken over what the menu was
    doing: ``outcome`` is the emergency's own (its confirmation, as from the menu);
    ``ended`` the request whose confirmation it ended (the service says "Not sent: ..."),
    ``proposal_ended`` whether a spoken request waiting for its yes was ended (the voice
    worker must drop it, or a "yes" sends it while "Emergency?" is on screen), and
    ``set_aside`` the scale put aside (taken up again after, "Not sent yet: Pain.")."""

    outcome: Event
    ended: str | None = None
    proposal_ended: bool = False
    set_aside: str | None = None


@dataclass(frozen=True)
class _TakenOver:
    """What an emergency call (:meth:`Interaction.take_emergency`) took the screen from at
    ``at``: the confirmation it ended (``pending``) or the scale it put aside (``scale``). A
    gesture made before ``at`` and reported after it was meant for that, not for
    "Emergency?" (:meth:`Interaction._meant_before_the_call`)."""

    at: float
    pending: _Pending | None = None
    scale: _Scale | None = None


CONFIRM_AFTER_S = 2.0
"""Seconds after a confirmation appears before a confirming gesture counts (see
``InteractionSettings.confirm_after_s``). Longer than the echoes of the selecting movement:
the held detectors' cooldown (1.5 s: two events of one held movement without a rest between
come at least that far apart; the double session 42's review found came 1.3 s apart), a nod
repeated at once (about 1 s) and a glance or tilt repeated with half a second at rest (1.3 to
1.9 s, gest42b's rep.py). It applies only where such an echo is possible (a confirming
gesture of the choosing gesture's family, :func:`same_family`): the default profile (a nod
chooses, a long blink confirms) confirms at once. There the question is asked at once and
takes about as long to say; a confirming gesture before it counts is told to wait."""
HEAD_GESTURES = frozenset(
    {"nod", "shake", "look_up", "look_down", "turn_left", "turn_right", "tilt_left", "tilt_right"}
)
"""The head gestures are one family: one movement of the head can be reported as another
head gesture, on its own axis (a look's return swing as a nod, a shake's as a turn) and across
axes (a nod carries 4 to 6 degrees of yaw cross-talk against a shake threshold of 5, see
docs/gestures.md; a tilt moves the pitch), so a confirmation by any head gesture after a
head gesture chose can be that movement's echo. Face gestures (a long blink, the mouth, the
brows) are each their own family, so the default profile (a nod chooses, a long blink
confirms) confirms at once; whether a head movement echoes as a face gesture was not
measured (docs/ui.md)."""


def same_family(a: str, b: str) -> bool:
    """Whether gestures ``a`` and ``b`` can be one movement's echo of each other: the same
    gesture, or two head gestures (:data:`HEAD_GESTURES`)."""
    return a == b or (a in HEAD_GESTURES and b in HEAD_GESTURES)


CALL_OVER_QUESTION_WAIT_S = 2.0
"""The least wait before a call taken over a nurse's question (:meth:`Interaction.take_call`)
can be confirmed, and again after a gesture in that wait answered the question instead
(:meth:`Interaction.answered_instead`), whatever ``confirm_after_s`` a profile sets (0 to 5 s).
One misread long blink over a question, then the nod meant as its "yes", must not confirm
an emergency: with ``confirm_after_s`` = 0 a nod 0.3 s after the blink sent one and the
answer was lost (rev45b4). 2 s covers a nod repeated at once (about 1 s) and the held
detectors' cooldown (1.5 s), as :data:`CONFIRM_AFTER_S`, and lets "You answered yes." be
said before "Send Emergency? Nod to send it." (each utterance stops the last)."""

CONFIRM_AFTER_MAX_S = 5.0
"""The longest ``confirm_after_s`` a profile may set: longer and a patient who read the
instruction at once sees nothing happen for a long time after choosing."""

LATE_STEP_MAX_S = 5.0
"""How long after it was made a step (``next``, ``previous``) reported late may still move the
menu (``bedside.late_step_max_s``; :meth:`Interaction._too_late_to_step`). A little over the
longest report delay measured for steps a patient means, with the face in view (session 48,
s48 engine): one deliberate turn is let out at most 1.13 s after it was made (review rev48b,
deferosc.py / deferosc2.py, 10 to 30 fps); "previous, previous" whose first return stayed past
rest 0.8 s lets both out together when the second is judged, the first 4.40 to 4.53 s after it
was made (rev45g's twicestay shapes); smaller side-to-side swings after a turn, at most 4.74 s
(deferosc.py). Not the engine's longest: a slow swing from side to side after a turn (10 to
12 degrees, half-period 1.1 to 1.4 s, 5 to 8 swings, face in view) holds turns on the busy yaw
axis up to ``defer_max_s``, 8.0 s, and lets them out together, 27 of them 5.0 to 8.0 s late
(deferosc2.py). Those are a head looking around, not steps asked for, and the bound drops them
with the rest of their burst (review rev48b's oscburst.py: bursts that moved the highlight,
140 of 230 -> 0). Later reports also come from a face lost while the step waited, decided once
the face is back (5.06 to 5.66 s in 5 of late_sweep.py's 32 releases; docs/gestures.md
"missed faces"; up to 9.86 s before fix47a bounded it): the crossing lets such a step out
within ``lost_out_s``, 6 s, of when it was made, but the shake detector may then hold it
further: behind a new turn, reported 6.40 to 6.87 s after it was made (review rev48b2,
lostthen2.py, 15 fps), and behind a head swinging side to side once the face is back, up to
``defer_max_s``, 8.0 s (review rev48b3, lostswing.py, 15 fps: the 78 face-lost turns 4.60 to
8.00 s late, 27 of them 8.00 s). Applied then, such a "previous"
jumped the highlight from the request on screen back to one the patient had left, at the very
moment the face came back, when the patient is most likely to nod at what they see; the nod
then chose the request the jump put there (review rev47a, bedlate.py)."""
LATE_STEP_RANGE_S = (1.0, 10.0)
"""The allowed ``late_step_max_s``: under 1 s would drop ordinary deferred steps (a turn
deferred on the shake detector comes 0.3 to 0.7 s after it was made), over 10 s is no bound
(the engine's own longest deferral is ``defer_max_s``, 8 s)."""

SCALE = tuple(range(11))
"""The numbers of the 0-10 scale (the numeric pain rating scale nurses use)."""
RETIME_GRACE_S = 1.5
"""When staff speed up the scan and the number on the pain scale has been on offer longer than
the new time, it stays this much longer (but no longer than the old speed gave it) before it
moves on: about one nod, so a nod the patient began at the number, which they saw no reason
to hurry, still chooses it. Moved on at the change, a nod completing 0.4 s after staff pressed
4 s chose the next number (review rev40b)."""
SCALE_ROUNDS = 1
"""Rounds of the scale with no number chosen before the request goes without one."""
LISTEN_MAX_S = 30.0
"""Longest the scan keeps quiet for one spoken request (its end is normally heard sooner)."""

SETTLE_AFTER_ANSWER_S = 5.0
"""Quiet seconds after a question is answered (or expires) before the menu offers again: long
enough for a repeated "yes" nod to fade and for "You answered yes." to be heard in full."""


class Interaction:
    """The bedside menu as a state machine driven by gesture events and their timestamps.

    ``actions`` maps gesture names to what they do: ``select`` the highlighted request,
    ``next``/``previous`` (decline it and move on, or move the pointer), ``confirm`` a chosen
    request that needs it, ``cancel`` one, or ``call:INTENT`` to ask for INTENT directly.
    Requests in ``confirm_intents`` (emergencies) are only sent after a confirming gesture
    (a gesture mapped to ``confirm``, or, if the profile maps none, the select gesture again)
    made within ``confirm_timeout_s``; where that gesture is of the choosing gesture's family
    (its echo could confirm), only from ``confirm_after_s`` after the confirmation appeared
    (earlier: :class:`ConfirmTooSoon`), the timeout counting from then; a cancelling gesture
    counts at once. A gesture mapped to ``sleep`` pauses and
    resumes the menu; the :data:`SLEEP` item among ``items`` pauses it when chosen, and then
    (with no ``sleep`` gesture) the select gesture wakes it. Everything is plain Python on the
    events' own clock, so it runs the same on a camera and a video file and is tested without
    one.
    """

    def __init__(
        self,
        items: Sequence[str],
        actions: dict[str, str] | None = None,
        *,
        mode: MenuMode = "scanning",
        offer_seconds: float = 4.0,
        pause_after_select_s: float = 3.0,
        confirm_timeout_s: float = 8.0,
        confirm_after_s: float = CONFIRM_AFTER_S,
        confirm_intents: Sequence[str] = ("emergency",),
        scale_intents: Sequence[str] = (),
        settle_after_answer_s: float = SETTLE_AFTER_ANSWER_S,
        late_step_max_s: float = LATE_STEP_MAX_S,
        start_t: float = 0.0,
    ) -> None:
        if not items:
            raise ValueError("the menu needs at least one intent")
        if offer_seconds <= 0:
            raise ValueError("offer_seconds must be positive")
        if mode not in get_args(MenuMode):
            raise ValueError(f"mode must be one of {get_args(MenuMode)}")
        if not 0 <= confirm_after_s <= CONFIRM_AFTER_MAX_S:
            raise ValueError(f"confirm_after_s must be from 0 to {CONFIRM_AFTER_MAX_S:g} s")
        low, high = LATE_STEP_RANGE_S
        if not low <= late_step_max_s <= high:
            raise ValueError(f"late_step_max_s must be from {low:g} to {high:g} s")
        self.items = self._base_items = tuple(items)
        self._cancels: str | None = None  # what the CANCEL_REQUEST entry cancels, if offered
        self._cancels_id: str | None = None  # ... and that request's id
        self.actions = dict(actions if actions is not None else {"nod": "select", "shake": "next"})
        self.mode = mode
        self.offer_seconds = offer_seconds
        self.pause_after_select_s = pause_after_select_s
        self.confirm_timeout_s = confirm_timeout_s
        self.confirm_after_s = confirm_after_s
        self.confirm_intents = frozenset(confirm_intents)
        self.scale_intents = frozenset(scale_intents)
        self._scale: _Scale | None = None  # while the patient picks a number on the scale
        self.settle_after_answer_s = settle_after_answer_s
        self.late_step_max_s = late_step_max_s
        self._held = False  # a nurse's question is on screen: nothing is offered
        confirmers = tuple(g for g, a in self.actions.items() if a == "confirm")
        selectors = tuple(g for g, a in self.actions.items() if a == "select")
        self.confirm_with = confirmers or selectors
        self.cancel_with = tuple(g for g, a in self.actions.items() if a == "cancel")
        self.select_with = selectors
        self.next_with = tuple(g for g, a in self.actions.items() if a == "next")
        self._index = 0
        self._since = start_t  # when the item on offer appeared (a late report's test)
        self._paused_until = start_t
        # A nurse's question waits for the echo window after a request sent: the scan is hidden
        # and select / next do nothing until then, but a ``call:`` gesture is taken
        # (pause_for_question). Apart from _paused_until, which blocks every gesture.
        self._question_pause_until = start_t
        # A step reported late and applied: (when it changed the screen, when it was made).
        # See _late_step_before.
        self._late_step: tuple[float, float] | None = None
        # When a step was last dropped as too late: a step made before goes with it. See
        # _too_late_to_step.
        self._late_drop_at: float | None = None
        # When the face came back from a loss the last dropped step waited through (its
        # GestureEvent.face_back): a step made since was made from the screen. See
        # _too_late_to_step.
        self._late_drop_back: float | None = None
        # The scan's own moves: (when the run of moves began, the index then, when the scan
        # last put an offer on screen). See _index_when_made.
        self._scan_run: tuple[float, int, float] | None = None
        # When the menu's entries last changed (the cancel entry came or went): a step made
        # before is dropped. See _entries_changed.
        self._items_since = start_t
        # When staff last changed the timing (set_timing): the offer on screen then is timed
        # from here, while it still appeared at _since.
        self._timed_from = start_t
        self._listening = False  # a spoken request waits (see listen)
        self._paused_before_listening = start_t  # the pause when it began (see listen)
        self._pending: _Pending | None = None  # a choice awaiting its confirming gesture
        self._interrupted: _Interrupted | None = None  # a choice a nurse's question interrupted
        self._taken_over: _TakenOver | None = None  # what an emergency call took the screen from
        self._timed_out: list[Cancelled | Selected] = []
        self._asleep = False
        self._asleep_since = 0.0  # when the patient or staff put the menu to sleep
        sleepers = tuple(g for g, a in self.actions.items() if a == "sleep")
        self.wake_with = sleepers or selectors

    @classmethod
    def from_profile(
        cls,
        profile: Any,
        default_items: Sequence[str],
        default_offer_seconds: float,
        start_t: float = 0.0,
        late_step_max_s: float = LATE_STEP_MAX_S,
    ) -> Interaction:
        """Built from a :class:`beckon.profile.GestureProfile` (``late_step_max_s`` is the
        tablet's, ``bedside.late_step_max_s``: it follows the engine, not the patient)."""
        s = profile.interaction
        return cls(
            s.items or default_items,
            profile.actions(),
            mode=s.mode,
            offer_seconds=s.offer_seconds or default_offer_seconds,
            pause_after_select_s=s.pause_after_select_s,
            confirm_timeout_s=s.confirm_timeout_s,
            confirm_after_s=s.confirm_after_s,
            confirm_intents=s.confirm_intents,
            scale_intents=s.scale_intents,
            late_step_max_s=late_step_max_s,
            start_t=start_t,
        )

    # ---------------------------------------------------------------- questions

    def hold(self, t: float) -> None:
        """A nurse's question takes the screen: stop offering until :meth:`release`.

        Never called over a confirmation: the service keeps the question waiting while
        :meth:`confirming` (the module's rule), because during a question gestures only
        answer it. The one choice under way it can interrupt is the pain scale, which is put
        aside, not forgotten. Dropped here (up to session 43), the patient answered the
        question, the scan started again, and nothing ever said that the request had not
        gone. So the scale is taken up again once the question is over (see :meth:`release`),
        at 0, said as not sent ("Not sent yet: Pain."; ``MenuView.resumed``); the pain is sent
        without a number after one round, as ever. Sending it at once here instead, its
        "saved" and "received" would be said over the nurse's question."""
        self._advance(t)
        if self._pending is not None:
            # A caller's mistake (the confirmation's request would vanish unsaid): say so in
            # the log and keep the old behaviour of forgetting it, rather than crash the loop.
            log.error("hold over %s awaiting confirmation: it is dropped", self._pending.intent)
        self._held = True
        if self._scale is not None:
            self._interrupted = _Interrupted(self._scale.intent)
        elif self._interrupted is not None:  # a second question before it was taken up
            self._interrupted = replace(self._interrupted, after=None)
        if self._interrupted is not None:
            log.info(
                "%s put aside for a nurse's question; taken up again after it (nothing sent)",
                self._interrupted.intent,
            )
        self._pending = None
        self._scale = None

    def release(self, t: float) -> None:
        """The question was answered or expired: after ``settle_after_answer_s`` the scan
        starts again from the first item, so nothing is chosen by the answer's momentum.

        In pointing mode the pointer comes back where it was.

        The scale the question interrupted (:meth:`hold`) comes back then instead, at 0, and
        not before ``confirm_after_s`` after the question ended, whatever the settle: until
        then a gesture does nothing (the menu is paused). So the second nod of a "yes, yes",
        or any echo of the answer, cannot pick a number."""
        if not self._held:
            return
        self._held = False
        quiet = t + self.settle_after_answer_s
        if self._interrupted is not None:  # nothing else is offered before it comes back
            quiet = max(quiet, self._take_up_from(t))
        self._paused_until = max(self._paused_until, quiet)
        # A spoken request waiting now keeps the quiet when it ends (see listen).
        self._paused_before_listening = max(self._paused_before_listening, quiet)
        self._since = self._paused_until
        if self.mode == "scanning":
            self._index = 0
        # Pointing: the pointer stays where the patient put it (it went back to the first
        # entry, and a patient who had moved it to "Toilet" had to move it there again).

    def pause_for_question(self, t: float, until: float) -> None:
        """A nurse's question waits for the echo window after a request was sent
        (``BedsideService._question_must_wait``) to end at ``until``: no entry is offered and
        select / next do nothing until then. The pause after the choice (3 s) ended before the
        window (5 s), the scan came back on the first entry, and a nod in between chose a
        request the patient had not looked at and put the question off for another 5 s.

        A ``call:`` gesture is still taken (:meth:`on_gesture`): it names its request itself,
        so nothing unseen is chosen, and a direct emergency gesture must never wait on a
        nurse's question (rev45b: dropped until the question was shown, then for its whole
        life). A confirmation, the scale, a spoken request and sleep are not touched. The
        service pauses the menu only after a choice that sends (a request, or a cancel chosen
        from the menu); a confirmation that lapsed or was cancelled keeps it live, so the
        emergency can be chosen again at once."""
        self._advance(t)
        busy = self._pending is not None or self._scale is not None or self._listening
        if busy or self._held or self._asleep:
            return
        self._question_pause_until = max(self._question_pause_until, until)

    def unpause_for_question(self, t: float) -> None:
        """No question waits any more (it expired while waiting): the pause for it ends now,
        and the menu offers again when the pause after the choice itself ends (the scan held
        until the question's 5 s when it expired at 1 s, rev45b)."""
        self._question_pause_until = min(self._question_pause_until, t)

    def _paused_for_question(self, t: float) -> bool:
        """Only the pause for a waiting question (:meth:`pause_for_question`) hides the scan at
        ``t``: a ``call:`` gesture is taken then."""
        quiet = self._held or self._asleep or t < self._paused_until
        return not quiet and t < self._question_pause_until

    def take_call(self, gesture: str, t: float, emergency: bool = False) -> Event | None:
        """A ``call:`` gesture made while a nurse's question is on screen: the question is put
        aside by the service (it waits and comes back after, as behind a confirmation) and
        the call is chosen as from the menu, confirmation and all. Anything else: None, the
        question stays. During a question gestures only answer it, and a direct emergency
        gesture (which answers nothing) did nothing for the question's whole life, up to
        120 s (rev45b). A scale the question interrupted stays put aside until the question,
        shown again, is over (:meth:`release`), or gone without being shown again
        (:meth:`question_gone`).

        Not while asleep (as :meth:`on_gesture`: the view stays "asleep", so the confirmation
        could not be shown and its nod only woke the menu, rev45b2) nor while a spoken request
        waits for its yes (:meth:`listen`: a "yes" then sent the spoken request with
        "Emergency?" on screen, rev45b2): the question stays, the gesture does nothing.
        Unless the call is an ``emergency`` (the service knows ``is_emergency``): then the
        spoken request is ended as in :meth:`take_emergency` (the service has the voice
        worker drop it); it kept the emergency waiting 10.5 s (rev45b3)."""
        action = self.actions.get(gesture, "none")
        if not self._held or not action.startswith("call:"):
            return None
        if self._asleep or (self._listening and not emergency):
            return None
        if self._listening:
            self._listening = False
            self._paused_until = min(self._paused_before_listening, t)
            log.warning("%s: the spoken request waiting for its yes is ended", gesture)
        self._held = False
        self._since = max(self._since, t)
        if self.mode == "scanning":
            self._index = 0
        return self._choose(action[5:], t, gesture, wait=True)

    def take_emergency(self, gesture: str, t: float) -> TakenThrough | None:
        """A ``call:`` gesture the service knows asks for an EMERGENCY (an intent marked
        ``is_emergency``), made while the menu is busy with something else: the pain scale
        (put aside, taken up again after the emergency's confirmation as after a nurse's
        question, :meth:`_take_up`), another confirmation (ended: "Not sent: ..."), or a
        spoken request waiting for its yes (ended; the service tells the voice worker). Then
        the emergency goes to its confirmation as from the menu, confirmable only after
        :data:`CALL_OVER_QUESTION_WAIT_S` (the patient's next nod may have been meant for
        what was on screen: a number, "Cancel Water?", the spoken request's yes).

        Each of these ignored the gesture: 47.5 s of long blinks on the scale until it gave
        up, about 10 s behind "Cancel Water?", 11.7 s behind a spoken request (rev45b3).
        None, and nothing changes: not an emergency-shaped call, asleep (only the wake
        gesture works, documented), a nurse's question on screen (:meth:`take_call`), the
        same emergency already awaiting its confirmation, or nothing under way (the menu
        takes it as ever, :meth:`on_gesture`)."""
        self._advance(t)
        action = self.actions.get(gesture, "none")
        if not action.startswith("call:") or self._asleep or self._held:
            return None
        intent = action[5:]
        pending, scale = self._pending, self._scale
        if pending is not None and pending.intent == intent:
            return None
        if pending is None and scale is None and not self._listening:
            return None
        ended = set_aside = None
        if pending is not None:
            ended, self._pending = pending.intent, None
        if scale is not None:
            set_aside, self._scale = scale.intent, None
            self._interrupted = _Interrupted(scale.intent, after=t)
        listening, self._listening = self._listening, False
        if listening:
            self._paused_until = self._paused_before_listening
        self._paused_until = min(self._paused_until, t)  # the scale's or listening's pause
        self._since = t
        log.warning(
            "%s taken at once for %s (ended: %s, scale put aside: %s, spoken request: %s)",
            gesture, intent, ended, set_aside, listening,
        )  # fmt: skip
        outcome = self._choose(intent, t, gesture, wait=True)
        if pending is not None or scale is not None:
            self._taken_over = _TakenOver(t, pending, scale)
        return TakenThrough(outcome, ended, listening, set_aside)

    def answered_instead(self, t: float, made: float) -> str | None:
        """A gesture that answers a question, ``made`` while the confirmation of a call taken
        over that question (:meth:`take_call`) was still in its wait: the call's intent; the
        menu is held for the question again (the service shows it and takes the gesture as
        its answer) and the confirmation STAYS, confirmable from
        :data:`CALL_OVER_QUESTION_WAIT_S` after this gesture (or its own ready time, if
        later), its deadline moved as much. None: no confirmation, or it was ready.

        One misread long blink over a question, then the nod the patient meant as its "yes",
        confirmed "Emergency?" and the answer was dropped (rev45b3 BLOCKER: 6 of 6 nods 0.2
        to 3 s after the blink sent an emergency). Dropping the confirmation instead lost a
        REAL emergency nodded a little early, and "Not sent: Emergency" was cut by "You
        answered yes." (rev45b4). Kept, a misread lapses harmlessly (the question is
        answered); the wait is re-armed so the answer's own repeat ("yes, yes") cannot
        confirm it and its acknowledgement is heard before the instruction."""
        self._advance(t)
        pending = self._pending
        if pending is None or made >= pending.ready:
            return None
        log.info("%s: the gesture in its wait answers the question", pending.intent)
        self._wait_again(t)
        self._held = True
        return pending.intent

    def _wait_again(self, t: float) -> None:
        """THE rule for a call taken over something (a nurse's question, :meth:`take_call`;
        a confirmation or the scale, :meth:`take_emergency`) when a gesture at ``t`` went to
        that something instead (:meth:`answered_instead`, :meth:`_meant_before_the_call`):
        the call's confirmation stays, confirmable :data:`CALL_OVER_QUESTION_WAIT_S` after
        this gesture (or from its own ready time, if later), its deadline moved as much, so
        the patient keeps the whole time to confirm and that gesture's own repeat ("yes,
        yes") cannot confirm the call."""
        pending = self._pending
        assert pending is not None
        ready = max(pending.ready, t + self._call_wait())
        log.info("%s confirmable from %.2f s", pending.intent, ready)
        self._pending = replace(
            pending, ready=ready, deadline=pending.deadline + ready - pending.ready
        )

    def _before_the_call(self, made: float) -> _TakenOver | None:
        """What an emergency call took the screen from, if a gesture ``made`` then was meant
        for it: made before the call, while the call's confirmation is still on screen."""
        over, pending = self._taken_over, self._pending
        if over is None or pending is None or pending.shown != over.at:
            self._taken_over = None  # the call's confirmation is over: so is what it took
            return None
        return over if made < over.at else None

    def _meant_before_the_call(
        self, over: _TakenOver, gesture: str, action: str, t: float, made: float
    ) -> Event | None:
        """A gesture made before the emergency call took the screen (``over.at``) and
        reported after it goes to what was on screen when it was made, as a question's answer
        does over a call (:meth:`answered_instead`): the confirmation the call ended is
        confirmed (if it was ready when the gesture was made), or the number on offer on the
        scale then is picked; the call's confirmation stays and waits again
        (:meth:`_wait_again`). A nod for "Cancel Water?" made 0.3 s before the long blink
        and reported 0.05 s after it was lost ("Kept: Water."; main sent the cancel), and
        counted as too soon for "Emergency?" (rev45e). Any other gesture made then does
        nothing: what it was for is over (a "no" to the ended confirmation, a step on the
        scale, which comes back at 0); it does not cancel the emergency either."""
        ended, scale = over.pending, over.scale
        outcome: Event | None = None
        if ended is not None and gesture in self.confirm_with and made >= ended.ready:
            outcome = Selected(ended.intent, t)
        elif scale is not None and action == "select" and made >= scale.since:
            self._interrupted = None
            outcome = Selected(scale.intent, t, self._level(made, scale))
        log.warning(
            "%s made at %.2f s, before the emergency call at %.2f s, reported at %.2f s: %s",
            gesture, made, over.at, t, "for what it ended" if outcome else "not applied",
        )  # fmt: skip
        if outcome is not None:
            self._taken_over = None
            self._wait_again(t)
        return outcome

    def question_gone(self, t: float) -> None:
        """No question is on screen or waits any more, and the last one was not ended on
        screen (:meth:`release`): it was set aside by a call gesture (:meth:`take_call`) and
        expired while it waited. The scale it interrupted comes back as after an answer,
        once any confirmation is over (:meth:`_take_up`). Without this the scale was lost
        ("Not sent yet" never said) and popped up after an unrelated question minutes later
        (318 s), and it kept :meth:`restart_scan` from restarting the scan (rev45b2)."""
        it = self._interrupted
        if it is None or it.after is not None or self._held:
            return
        self._paused_until = max(self._paused_until, self._take_up_from(t))
        log.info("%s taken up again: the question that interrupted it is gone", it.intent)

    def _take_up_from(self, t: float) -> float:
        """The question that interrupted a scale ended at ``t`` (answered, expired, or gone
        while set aside): the scale comes back ``confirm_after_s`` later (:meth:`_take_up`),
        the time returned, before which the menu offers nothing."""
        assert self._interrupted is not None
        after = t + self.confirm_after_s
        self._interrupted = replace(self._interrupted, after=after)
        return after

    def _take_up(self, t: float) -> None:
        """Bring back the scale a question interrupted once its time has come (``release``,
        :meth:`question_gone`): the settle after the answer over, no confirmation on screen
        (a call's, taken over the question) and no spoken request waiting (``listen``)."""
        it = self._interrupted
        if it is None or it.after is None or self._held or self._asleep:
            return
        if self._pending is not None:
            return
        at = max(it.after, self._paused_until, self._since)  # not before a lapse on screen
        if t < at:
            return
        self._interrupted = None
        self._scale = _Scale(it.intent, 0, at, resumed=True)
        self._since = at
        log.info("%s taken up again at %.2f s after the nurse's question", it.intent, at)

    @property
    def listening(self) -> bool:
        """A spoken request waits for its yes or no (:meth:`listen`)."""
        return self._listening

    @property
    def held(self) -> bool:
        return self._held

    def confirming(self, t: float) -> bool:
        """A request awaiting its confirming gesture is on screen at ``t`` (or in its wait). The
        service shows no nurse's question then: the question waits until the confirmation is
        sent, cancelled or lapses (at most the wait + ``confirm_timeout_s``, 10 s with the
        defaults, 12 s after an answer in the wait of a call over a question,
        :meth:`answered_instead`; then the echo window,
        ``BedsideService._question_must_wait``), because during a question gestures only
        answer it, and an emergency confirmed by a long blink was held up for the question's
        whole life (rev44b)."""
        self._advance(t)
        return self._pending is not None

    def forget(self, intent: str, t: float) -> None:
        """A request for ``intent`` was just sent, from any source (voice, touch, a gesture):
        a choice of the same request under way, awaiting its confirmation, on the scale or
        put aside for a nurse's question, is forgotten. Kept, it came back as "Not sent:
        Emergency" and one nod sent a second emergency (emergencies are never de-duplicated),
        a water already sent was said not sent, and a number picked on a scale taken up again
        sent the pain twice (rev44b BLOCKER)."""
        self._advance(t)
        if self._pending is not None and self._pending.intent == intent:
            log.info("%s sent another way: its confirmation is no longer asked", intent)
            self._pending = None
            self._since = t
        if self._scale is not None and self._scale.intent == intent:
            log.info("%s sent another way: its scale is no longer offered", intent)
            self._scale = None
            self._since = t
        if self._interrupted is not None and self._interrupted.intent == intent:
            log.info("%s sent another way: it is not taken up again after the question", intent)
            self._interrupted = None

    def listen(self, t: float, waiting: bool) -> None:
        """A spoken request waits for its yes or no (``waiting``), or no longer. Meanwhile the
        scan offers nothing (for at most LISTEN_MAX_S): its spoken offers cut the tablet's
        question short and deafened the microphone for the answer. Afterwards it starts again
        from the first item after the pause that follows a choice. Unlike :meth:`hold`, a
        gesture choice awaiting confirmation is kept."""
        self._advance(t)
        if waiting:
            if not self._listening:
                self._paused_before_listening = self._paused_until
            self._listening = True
            self._paused_until = max(self._paused_until, t + LISTEN_MAX_S)
            return
        if not self._listening:
            return
        self._listening = False
        # The later of the two: a spoken request that ends in the quiet after a question's
        # answer must not cut that quiet short (it did: the choice came back 3.8 s after the
        # answer instead of 5 s, rev44b).
        self._paused_until = max(self._paused_before_listening, t + self.pause_after_select_s)
        self._index, self._since = 0, self._paused_until

    # ---------------------------------------------------------------- the cancel entry

    def offer_cancel(self, intent: str | None, t: float, request_id: str | None = None) -> None:
        """Offer the :data:`CANCEL_REQUEST` entry, last, for the bed's newest open request
        (``intent``, its id ``request_id``), or take it away (None). The entries before it
        keep their places. A confirmation under way to cancel another request (or none now)
        is dropped: the patient's nod was for the request the entry named."""
        if (intent, request_id) == (self._cancels, self._cancels_id):
            return
        self._advance(t)
        if self._pending is not None and self._pending.intent == CANCEL_REQUEST:
            self._pending = None
            self._since = t
        self._cancels, self._cancels_id = intent, request_id
        items = self._base_items + ((CANCEL_REQUEST,) if intent is not None else ())
        if items != self.items:
            self._entries_changed(t)
        self.items = items
        if self._index >= len(self.items):
            self._index, self._since = 0, t

    def _entries_changed(self, t: float) -> None:
        """The menu's entries changed at ``t``: a step made before is dropped (see
        :meth:`on_gesture`), and the scan's run and a late step are forgotten, so a late step
        is never recounted over entries the patient did not see. Why: recounted from the run's
        start over the new entries, a late "next" landed on the wrong item and the nod after
        it sent a request the patient did not mean (review rev45g: 27 of 120 runs); and a
        step made before the change was aimed at a menu that is gone (a "next" at the last
        entry meant the first, not the cancel entry added after it)."""
        self._items_since = t
        self._scan_run = None
        self._late_step = None

    @property
    def cancels(self) -> str | None:
        return self._cancels

    @property
    def cancels_id(self) -> str | None:
        return self._cancels_id

    # ---------------------------------------------------------------- staff settings

    def set_timing(self, offer_seconds: float, pause_after_select_s: float, t: float) -> None:
        """Staff changed the scan speed (seconds per offer) or the pause after a choice: the
        item on offer stays and is offered for the new time from ``t``. It still appeared
        when it did: a nod made at it before ``t`` and reported late (held back until the
        shake after it) is the patient's answer to it. Moving the offer's start to ``t`` made
        it a late report for another offer, and the patient's "yes" was dropped. On the pain
        scale, see :meth:`_retime_scale`."""
        if offer_seconds <= 0 or pause_after_select_s < 0:
            raise ValueError("offer_seconds must be positive and the pause not negative")
        self._advance(t)
        self._retime_scale(offer_seconds, t)
        self.offer_seconds = offer_seconds
        self.pause_after_select_s = pause_after_select_s
        self._timed_from = max(t, self._timed_from)

    def _retime_scale(self, offer_seconds: float, t: float) -> None:
        """The scan speed changes to ``offer_seconds`` at ``t`` while the scale scans: the
        number on offer stays, offered for the new time from when it appeared, or moves on at
        ``t`` plus a nod's grace (:data:`RETIME_GRACE_S`, not past when the old speed moved
        it on) if it has been on offer that long already (no number is skipped). So the scale
        gives up after one round at the speed in force whatever the retimes. Timed from the
        change (session 39), each retime gave the number on offer its whole time again:
        staff stepping through the presets (the pause's too, which leaves the speed as it
        was) kept one number up and the scale from ever sending pain without a number; and
        applied from the scale's start, the new speed made the number on offer jump back."""
        sc = self._scale
        if sc is None or self.mode != "scanning" or (t <= sc.since and sc.appeared is None):
            return
        level, shown = self._level(t), self._on_screen_since(t)
        # Numbers whose offer ended since sc.since, and when the old speed moves this one on.
        ended = int(max(0.0, t - sc.since) // self.offer_seconds)
        offered = sc.offered + ended
        due = sc.since + (ended + 1) * self.offer_seconds
        moves = max(shown + offer_seconds, min(t + RETIME_GRACE_S, due))
        since = moves - offer_seconds
        appeared = shown if since > shown else None
        self._scale = replace(sc, level=level, since=since, offered=offered, appeared=appeared)

    # ---------------------------------------------------------------- clock

    def shift(self, dt: float) -> None:
        """The clock the menu runs on jumped by ``dt`` (the camera was reopened and its frames
        count from zero again): every time the menu keeps moves with it, so the offer neither
        freezes (a jump back) nor skips items (a jump forward)."""
        self._since += dt
        self._items_since += dt
        if self._late_step is not None:
            self._late_step = (self._late_step[0] + dt, self._late_step[1] + dt)
        if self._late_drop_at is not None:
            self._late_drop_at += dt
        if self._late_drop_back is not None:
            self._late_drop_back += dt
        if self._scan_run is not None:
            start, index, last = self._scan_run
            self._scan_run = (start + dt, index, last + dt)
        self._paused_until += dt
        self._question_pause_until += dt
        self._paused_before_listening += dt
        self._timed_from += dt
        if self._pending is not None:
            self._pending = self._pending.shifted(dt)
        self._taken_over = None  # a gesture's ``made`` is on the old clock
        it = self._interrupted
        if it is not None and it.after is not None:
            self._interrupted = replace(it, after=it.after + dt)
        if self._scale is not None:
            sc = self._scale
            appeared = None if sc.appeared is None else sc.appeared + dt
            self._scale = replace(sc, since=sc.since + dt, appeared=appeared)

    def restart_scan(self, t: float) -> None:
        """The camera's first frame came in at ``t``: the scan starts again from the first
        item, because nothing offered before it could be chosen by a gesture. A pause, a
        confirmation, a question or sleep that is under way is left as it is."""
        if self._pending is None and self._scale is None and self._interrupted is None:
            self._index = 0
            self._since = t

    # ---------------------------------------------------------------- sleep

    @property
    def asleep(self) -> bool:
        return self._asleep

    def sleep(self, t: float) -> Slept:
        """Stop offering (and forget a choice awaiting confirmation) until :meth:`wake`."""
        self._advance(t)
        self._asleep, self._asleep_since = True, t
        self._pending = None
        self._scale = None
        self._interrupted = None
        return Slept(t)

    def drop_pending(self, t: float) -> Cancelled | None:
        """Forget a choice awaiting confirmation (returned as cancelled; None: there was none).

        For staff's "learn the rest again" (``BedsideService.rest_relearned``): a posture shift
        can itself read as a gesture (gest41b: one the other way right after settling is
        reported as the shift), so a choice it left waiting for its yes is not the patient's.
        A request already sent is not touched, and neither is the pain scale (on screen or put
        aside for a question): it sends nothing without a nod at a number or a whole round,
        as up to session 43."""
        self._advance(t)
        if self._pending is None:
            return None
        intent = self._pending.intent
        self._pending = None
        self._since = t
        return Cancelled(intent, t)

    def wake(self, t: float) -> Woke:
        """Offer again from the first item, after the pause that follows a choice, so the
        waking gesture's momentum cannot choose anything."""
        self._asleep = False
        self._paused_until = max(self._paused_until, t + self.pause_after_select_s)
        self._index, self._since = 0, self._paused_until
        return Woke(t)

    # ---------------------------------------------------------------- time

    def _advance(self, t: float) -> None:
        self._take_up(t)
        self._advance_scale(t)
        if self._scale is not None:
            return
        if self._pending is not None and t >= self._pending.deadline:
            intent, deadline = self._pending.intent, self._pending.deadline
            self._pending = None
            self._timed_out.append(Cancelled(intent, deadline, timed_out=True))
            self._since = deadline
        if self.mode != "scanning" or self._pending is not None or self._held or self._asleep:
            return
        start = max(self._since, self._paused_until, self._question_pause_until, self._timed_from)
        if t <= start:
            return
        steps = int((t - start) // self.offer_seconds)
        if steps:
            run = self._scan_run
            if run is None or run[2] != start:  # the offer on screen was not the scan's move
                run = (start, self._index, start)
            self._index = (self._index + steps) % len(self.items)
            self._since = start + steps * self.offer_seconds
            self._scan_run = (run[0], run[1], self._since)

    def _advance_scale(self, t: float) -> None:
        """After :data:`SCALE_ROUNDS` rounds with no number chosen, the request is chosen
        without one (reported by :meth:`expired`): the patient chose pain, only its strength
        is missing. It gave up and sent nothing, without a word, after 88 s with the menu
        (and "Call the nurse") gone."""
        if self._scale is None:
            return
        sc = self._scale
        give_up = sc.since + (SCALE_ROUNDS * len(SCALE) - sc.offered) * self.offer_seconds
        if t >= give_up:
            intent, self._scale = sc.intent, None
            self._timed_out.append(self._chosen(intent, give_up))

    def _level(self, t: float, scale: _Scale | None = None) -> int:
        """The number on offer on the scale (``scale``, else the one on screen): scanning
        moves on every ``offer_seconds``; pointing stays where the patient's gestures put
        it."""
        scale = scale or self._scale
        assert scale is not None
        level, since = scale.level, scale.since
        if self.mode == "scanning" and t > since:
            level += int((t - since) // self.offer_seconds)
        return level % len(SCALE)

    def expired(self, t: float) -> list[Cancelled | Selected]:
        """Confirmations that timed out up to ``t``, and scales chosen without a number
        (each reported once)."""
        self._advance(t)
        out, self._timed_out = self._timed_out, []
        return out

    def highlighted(self, t: float) -> str | None:
        """The request highlighted at ``t`` (None while paused after a choice)."""
        self._advance(t)
        if self._scale is not None:
            return self._scale.intent
        if self._pending is not None:
            return self._pending.intent
        if self._held or self._asleep or t < self._paused_until:
            return None
        if t < self._question_pause_until:
            return None
        return self.items[self._index]

    def view(self, t: float) -> MenuView:
        highlighted = self.highlighted(t)
        view = MenuView(
            self.items,
            highlighted,
            "paused",
            mode=self.mode,
            cancels=self._cancels,
            cancels_id=self._cancels_id,
            select_with=self.select_with,
            next_with=self.next_with,
        )
        if self._asleep:
            return replace(view, highlighted=None, stage="asleep", confirm_with=self.wake_with)
        if self._scale is not None:
            return replace(view, stage="scale", level=self._level(t), resumed=self._scale.resumed)
        if self._pending is not None:
            return replace(
                view,
                stage="confirming",
                deadline=self._pending.deadline,
                confirm_with=self.confirm_with,
                cancel_with=self.cancel_with,
                ready=t >= self._pending.ready,
                waits=self._pending.ready > self._pending.shown,
                too_soon=self._pending.too_soon,
            )
        if highlighted is None:
            return view
        return replace(view, stage="offering" if self.mode == "scanning" else "pointing")

    # ---------------------------------------------------------------- gestures

    def on_gesture(
        self, gesture: str, t: float, made: float | None = None, face_back: float | None = None
    ) -> Event | None:
        """Apply one gesture; gestures without an action (or at the wrong moment) do nothing.

        ``made``: when a gesture reported late was made (``GestureEvent.made``: a nod held back
        until the shake that followed it). It is applied only if what is on screen now was
        already there when it was made: otherwise it was the answer to something else (a nod
        at "Water" released 5 s later would select the request on offer by then). A ``call:``
        action is the exception: it names its request and needs no screen, so a held turn
        mapped to ``call:nurse`` and reported late is still sent (review rev45g2), however
        late; the asleep guard and the pause after a choice still apply to it. A step reported
        more than ``late_step_max_s`` after it was made is not applied at all
        (:meth:`_too_late_to_step`). ``face_back``: for one made before a loss of the face and
        reported after it, when the face came back (``GestureEvent.face_back``)."""
        action = self.actions.get(gesture, "none")
        if self._asleep:
            if made is not None and made < self._asleep_since:
                return None  # made before the menu slept: it was meant for the menu awake
            return self.wake(t) if gesture in self.wake_with else None
        highlighted = self.highlighted(t)
        if made is not None and (over := self._before_the_call(made)) is not None:
            return self._meant_before_the_call(over, gesture, action, t, made)
        if made is not None and self._too_late_to_step(action, made, t):
            log.info(
                "%s made at %.2f s, reported at %.2f s: a step over %.1f s old, or made"
                " before such a step was dropped; not applied",
                gesture,
                made,
                t,
                self.late_step_max_s,
            )
            self._late_drop_at = max(t, self._late_drop_at or t)
            self._late_drop_back = face_back
            return None
        if made is not None and action in ("next", "previous") and made < self._items_since:
            log.info(
                "%s made at %.2f s, reported at %.2f s: the menu's entries changed since;"
                " not applied",
                gesture,
                made,
                t,
            )
            return None
        at_made = None if made is None else self._index_when_made(action, made, t)
        if (
            made is not None
            and not action.startswith("call:")  # a direct call needs no screen: never stale
            and made < self._on_screen_since(t)
            and at_made is None
            and not self._late_step_before(action, made, t)
        ):
            log.info(
                "%s made at %.2f s, reported at %.2f s: the screen changed since; not applied",
                gesture,
                made,
                t,
            )
            return None
        if self._scale is not None:
            return self._on_scale(action, t)
        if self._pending is not None:
            return self._on_pending(self._pending, gesture, action, t, made)
        if highlighted is None:  # paused after a choice: one long gesture must not send twice
            if action.startswith("call:") and self._paused_for_question(t):
                # Only waiting for a question: a call names its own request. Confirmed only
                # after the wait, as over a question (:meth:`take_call`).
                return self._choose(action[5:], t, gesture, wait=True)
            return None
        if action == "sleep":
            return self.sleep(t)
        if action.startswith("call:"):
            return self._choose(action[5:], t, gesture)
        if action == "select":
            return self._choose(highlighted, t, gesture)
        if action in ("next", "previous"):
            step = 1 if action == "next" else -1
            if at_made is not None:  # stepped from what was on offer when it was made
                highlighted = self.items[at_made]
                self._index = at_made
            self._index = (self._index + step) % len(self.items)
            self._since = t
            self._late_step = None if made is None else (t, made)
            if self.mode == "pointing":
                return Moved(self.items[self._index], t)
            return (
                Declined(highlighted, t) if action == "next" else Moved(self.items[self._index], t)
            )
        return None

    def _too_late_to_step(self, action: str, made: float, t: float) -> bool:
        """Whether a step (``next``, ``previous``) made at ``made`` and reported at ``t`` is
        too old to move the menu: reported more than ``late_step_max_s`` after it was made
        (:data:`LATE_STEP_MAX_S`). Why: by then the patient has watched the screen stand still
        (pointing) or move on by itself (scanning) for seconds and answers what is there now;
        a step applied then (from what was on offer when it was made,
        :meth:`_index_when_made`, or from what is on screen) moves the highlight to a request
        the patient is not looking at, and their next nod chooses it (review rev47a,
        bedlate.py: "previous" 9.86 s late, "pain" on screen jumped back to "toilet" as the
        face came back). Not applied, nothing moves: the patient steps again if they still
        want to. Steps only: a choice (select, confirm) is applied only to what is still on
        screen whatever its age, which is what the patient chose; a ``call:`` gesture names
        its request and is never dropped for lateness (a missed call costs more than a late
        one: the service logs its lateness and dates the request from when it was made).

        A step made before a step was dropped as too late (reported with it, or just after
        it) is dropped too, however recent: it was made from where the dropped step would
        have put the highlight, so applied alone it lands on a request nobody meant (review
        rev48b, pairlate.py: "previous, previous" made at 15.87 and 17.30 s, both reported at
        20.90 s, the first dropped: the second, re-aimed from "blanket", jumped "water" to
        "nurse" and the nod 0.6 s later chose "nurse"). A step made after the drop was made
        from what the screen showed, and moves it as ever; so was one made after the face
        came back from a loss the dropped step waited through (its ``face_back``): the patient
        saw nothing move and stepped again (review rev48b2, lostthen2.py: the old turn let out
        6.67 s late and a new turn made 1.7 s after the face came back, reported together,
        and the new one went with the old in 12 of 32 cases). Only in the frame the old step
        was dropped in: the engine lets a turn made after the return out with the old one
        there, whereas steps let out in a later frame, still made before that drop, are a
        head swinging side to side once the face is back, and applied they walk the
        highlight to a request nobody meant (review rev48b3, lostswing.py: four swing steps
        let out together 2.8 s after the old turn was dropped moved the highlight
        water -> bed and a nod would have chosen "bed")."""
        if action not in ("next", "previous"):
            return False
        with_a_dropped_step = (
            self._late_drop_at is not None
            and made < self._late_drop_at
            and (
                self._late_drop_back is None
                or made < self._late_drop_back
                or t != self._late_drop_at
            )
        )
        return t - made > self.late_step_max_s or with_a_dropped_step

    def _index_when_made(self, action: str, made: float, t: float) -> int | None:
        """For a step (``next``, ``previous``) made at ``made``, before the scan moved on by
        itself to what is on offer now: the index on offer when it was made (None when
        something other than the scan changed the screen since, or it did not change). Why:
        a step reported late (a turn held back while the head stayed past rest the other
        way, ``beckon.vision.crossing``, or deferred on the shake detector) was dropped
        whenever the scan had moved on meanwhile; the patient stepped from what they saw, so
        the step is applied from there. Steps only: a choice is applied only to what is
        still on screen (a nod at "Water" must never select what came after it)."""
        run = self._scan_run
        if (
            action not in ("next", "previous")
            or self.mode != "scanning"
            or run is None
            or self._pending is not None
            or self._scale is not None
            or self._held
            or run[2] != self._since
            or not run[0] <= made < self._since
            or max(self._paused_until, self._timed_from) > run[0]
            or t < self._paused_until
        ):
            return None
        start, index, _ = run
        return (index + int((made - start) // self.offer_seconds)) % len(self.items)

    def _late_step_before(self, action: str, made: float, t: float) -> bool:
        """Whether a step (``next``, ``previous``) made at ``made`` follows a step reported
        late that made the screen what it is now and was made before it: that late step
        counts as changing the screen at its ``made`` time. Why: a turn held back while the
        head stayed past rest the other way (``beckon.vision.crossing``: maybe a posture shift
        undone) is released once the head is back, with or just before the opposite turn it
        swung into ("previous, next"); timed at its release it made the second step "made
        before the screen changed" and the menu dropped it (review rev44g). Steps only: a
        choice made meanwhile was made at what the patient saw, not at where the late step
        moved the menu, and is still not applied."""
        step = self._late_step
        return (
            action in ("next", "previous")
            and step is not None
            and self._on_screen_since(t) == step[0]
            and made >= step[1]
        )

    def _on_screen_since(self, t: float) -> float:
        """When what the patient sees at ``t`` appeared (after :meth:`highlighted` moved the menu
        on to ``t``): the number on offer, the confirmation asked, the request on offer or
        pointed at, or the end of the pause after a choice."""
        if self._scale is not None:
            since = self._scale.since
            if self.mode == "scanning" and t - since >= self.offer_seconds:
                return since + (t - since) // self.offer_seconds * self.offer_seconds
            appeared = self._scale.appeared
            return since if appeared is None else min(since, appeared)
        if self._pending is not None:
            return self._pending.shown
        return max(self._since, self._paused_until)

    def _on_pending(
        self, pending: _Pending, gesture: str, action: str, t: float, made: float | None
    ) -> Event | None:
        """While a choice awaits confirmation: a cancelling gesture takes it back at once
        (cancelling early is always safe); a confirming gesture sends it only if it was made
        once the confirmation was ready (``confirm_after_s`` after it appeared, where an echo
        could confirm). Before that it is most likely the selecting movement's echo (a held
        look reported twice, a nod repeated at once), and the confirmation exists to stop
        exactly that; but it may be a patient who knows the routine, so it is shown
        (:class:`ConfirmTooSoon`), not dropped silently.

        One made in the wait but reported once the confirmation is ready (a late report: nods
        are held back; in the wait's last half second or so) is judged by when it was made,
        so it does not count either: made in the wait, it is exactly what the wait is for (a
        nod repeated at once comes about 1 s after the choice, a held look's second report
        1.3 s), and its report time says nothing about whether it was an echo. Only logged
        (up to session 43), the patient nodded on purpose and nothing happened. It is not
        told "wait for the instruction" either: the instruction is on screen already, and that
        text took its place until the lapse (rev43u2 DEFECT 1). The view says beside the
        instruction that it was too soon and sent nothing (``MenuView.too_soon``; shown, not
        said, like :class:`ConfirmTooSoon` in the wait), and the instruction stays."""
        if action == "cancel":
            self._pending = None
            self._since = t
            return Cancelled(pending.intent, t)
        if gesture not in self.confirm_with:
            return None
        if (t if made is None else made) < pending.ready:
            log.info(
                "%s at %.2f s (made at %.2f s) does not confirm %s: confirmations count from"
                " %.2f s",
                gesture,
                t,
                t if made is None else made,
                pending.intent,
                pending.ready,
            )
            if t >= pending.ready:  # made in the wait, reported after it: see the docstring
                self._pending = replace(pending, too_soon=True)
                return ConfirmTooSoon(pending.intent, t, pending.ready, late=True)
            return ConfirmTooSoon(pending.intent, t, pending.ready)
        self._pending = None
        return self._chosen(pending.intent, t)

    def _on_scale(self, action: str, t: float) -> Event | None:
        """On the 0-10 scale the same gestures pick a number: select chooses the one on
        offer, next/previous move, cancel gives up (nothing is sent)."""
        assert self._scale is not None
        intent = self._scale.intent
        if t < self._paused_until:  # the choosing gesture's momentum picks no number
            return None
        level = self._level(t)
        if action == "select":
            self._scale = None
            return self._chosen(intent, t, level)
        if action == "cancel":
            self._scale = None
            self._index, self._since = 0, t
            return Cancelled(intent, t)
        if action in ("next", "previous"):
            level = (level + (1 if action == "next" else -1)) % len(SCALE)
            self._scale = _Scale(intent, level, t)
            return Moved(intent, t)
        return None

    def waits_after(self, gesture: str) -> float:
        """How long after ``gesture`` chose a request that needs confirming a confirming
        gesture starts to count: ``confirm_after_s`` if a confirming gesture is of the choosing
        gesture's family (the movement's echo could confirm it), else 0 (a nod cannot echo as a
        long blink: the default profile confirms at once)."""
        if any(same_family(gesture, c) for c in self.confirm_with):
            return self.confirm_after_s
        return 0.0

    def _call_wait(self) -> float:
        """The wait of a call taken over a question (:data:`CALL_OVER_QUESTION_WAIT_S`)."""
        return max(self.confirm_after_s, CALL_OVER_QUESTION_WAIT_S)

    def _choose(self, intent: str, t: float, gesture: str, wait: bool = False) -> Event:
        """Choose ``intent`` with ``gesture`` at ``t``. ``wait``: a confirming gesture counts
        only from ``confirm_after_s`` on whatever the families (:meth:`waits_after`): a call
        taken over a nurse's question or while the menu waits for one, where the patient's
        next nod may be meant for the question, not for "Emergency?" (rev45b3)."""
        if intent == SLEEP:
            return self.sleep(t)
        if intent in self.scale_intents and intent not in self.confirm_intents:
            # Starts at 0 after the pause that follows a choice, so the choosing gesture's
            # momentum cannot pick a number.
            self._paused_until = t + self.pause_after_select_s
            self._scale = _Scale(intent, 0, self._paused_until)
            return ScaleOffered(intent, t)
        if intent in self.confirm_intents or intent == CANCEL_REQUEST:
            ready = t + (self._call_wait() if wait else self.waits_after(gesture))
            self._pending = _Pending(intent, t, ready, ready + self.confirm_timeout_s)
            return ConfirmRequested(intent, t, self._pending.deadline)
        return self._chosen(intent, t)

    def _chosen(self, intent: str, t: float, level: int | None = None) -> Selected:
        self._paused_until = t + self.pause_after_select_s
        self._index, self._since = 0, self._paused_until
        return Selected(intent, t, level)
