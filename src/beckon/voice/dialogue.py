"""The spoken dialogue: a recognised request is confirmed before it is sent.

Plain Python driven by the events' own timestamps (no UI, no threads), so it runs the same on
a microphone and in tests. A request heard by the recogniser is only proposed; the patient
confirms it with "yes" or a nod, declines it with "no" or a shake, and "cancel" ends it at any
point. Emergency requests take the fast path the patient's profile sets: ask like any other,
send at once, or send unless the patient says no within a short window.

The transcript never leaves this module except in the Prompt shown at the bedside: the
Send action carries only the intent code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from beckon.intents import CANCEL_REQUEST
from beckon.voice.catalog import Catalog

EmergencyPolicy = Literal["confirm", "immediate", "unless_declined"]
EMERGENCY_POLICIES: tuple[EmergencyPolicy, ...] = ("confirm", "immediate", "unless_declined")


@dataclass(frozen=True)
class DialoguePolicy:
    """Per-patient settings (from the profile).

    ``confirm_timeout_s``: how long a proposal waits for yes/no before it lapses.
    ``emergency``: "confirm" (like any request), "immediate" (send without asking) or
    "unless_declined" (send after ``emergency_window_s`` unless the patient says no/cancel).
    """

    confirm_timeout_s: float = 8.0
    emergency: EmergencyPolicy = "unless_declined"
    emergency_window_s: float = 3.0


@dataclass(frozen=True)
class Prompt:
    """Ask the patient to confirm (show ``text`` and say it); ``transcript`` stays local."""

    intent: str
    transcript: str
    t: float
    deadline: float
    unless_declined: bool = False
    """Sent at the deadline unless the patient says no (an emergency under that policy): the
    question must say so, not "nod or say yes"."""
    cancels: str | None = None
    """For a proposed cancel: the id of the request it would take back (``set_cancellable``)."""


@dataclass(frozen=True)
class Send:
    """Send this request now; only the intent code travels."""

    intent: str
    t: float
    cancels: str | None = None
    """For a confirmed cancel: the id of the request the patient was asked about."""


@dataclass(frozen=True)
class Closed:
    """A proposal ended without a request: ``why`` is declined, cancelled, expired,
    dropped (the bedside ended it for an emergency gesture) or unheard (the microphone
    failed: nobody can answer it)."""

    intent: str
    why: str
    t: float


Action = Prompt | Send | Closed


MAX_WAIT_LONGER_S = 15.0
"""At most this much tablet speech is added to a proposal's time to answer."""


class Dialogue:
    """Feed recognised intents (``on_intent``), gestures (``on_gesture``) and the clock
    (``tick``); each returns the actions to carry out, in order."""

    def __init__(self, catalog: Catalog, policy: DialoguePolicy | None = None) -> None:
        self.catalog = catalog
        self.policy = policy or DialoguePolicy()
        self.pending: Prompt | None = None
        self._send_when_due = False  # "unless_declined": the deadline sends instead of lapsing
        self._window = 0.0  # the pending proposal's own time to answer, before wait_longer
        self.cancellable_id: str | None = None  # that request's id, carried to ``Send``
        self.cancellable: str | None = None
        """The bed's newest open request that is not an emergency (the menu's cancel entry):
        "cancel" said with nothing proposed offers to take it back. A patient with voice alone
        could not cancel a request once sent."""

    def on_intent(self, intent: str, t: float, transcript: str = "") -> list[Action]:
        out = self.tick(t)
        spec = self.catalog.intents.get(intent)
        if spec is None:
            return out
        if intent == "cancel" and self.pending is None and self.cancellable is not None:
            # Proposed like a request ("Cancel “Water”?"): a stray "stop" in talk is not enough.
            self._send_when_due = False
            self._window = self.policy.confirm_timeout_s
            self.pending = Prompt(
                CANCEL_REQUEST, transcript, t, t + self._window, cancels=self.cancellable_id
            )
            return [*out, self.pending]
        if intent == "cancel":
            return out + self._close("cancelled", t)
        if intent == "yes":
            return out + self._confirm(t)
        if intent == "no":
            return out + self._close("declined", t)
        # A new request replaces one still waiting: the patient changed their mind.
        out += self._close("declined", t) if self.pending else []
        if spec.is_emergency and self.policy.emergency == "immediate":
            return [*out, Send(intent, t)]
        window = (
            self.policy.emergency_window_s
            if spec.is_emergency and self.policy.emergency == "unless_declined"
            else self.policy.confirm_timeout_s
        )
        self._send_when_due = spec.is_emergency and self.policy.emergency == "unless_declined"
        self._window = window
        self.pending = Prompt(intent, transcript, t, t + window, self._send_when_due)
        return [*out, self.pending]

    def set_cancellable(
        self, intent: str | None, t: float, request_id: str | None = None
    ) -> list[Action]:
        """The request "cancel" would take back changed (``intent``, its id ``request_id``;
        None: none is open). A proposal to cancel the one before is closed: its "yes" must not
        cancel another."""
        changed = (intent, request_id) != (self.cancellable, self.cancellable_id)
        self.cancellable, self.cancellable_id = intent, request_id
        if changed and self.pending is not None and self.pending.intent == CANCEL_REQUEST:
            return self._close("declined", t)
        return []

    def on_gesture(self, gesture: str, t: float) -> list[Action]:
        """A nod confirms, a shake declines (only while something is proposed)."""
        answer = {"nod": "yes", "shake": "no"}.get(gesture)
        return self.on_answer(answer, t) if answer is not None else self.tick(t)

    def on_answer(self, answer: str, t: float) -> list[Action]:
        """Yes (by the patient's choosing gesture) confirms, no declines (only while something
        is proposed)."""
        out = self.tick(t)
        if self.pending is None:
            return out
        if answer == "yes":
            return out + self._confirm(t)
        if answer == "no":
            return out + self._close("declined", t)
        return out

    def drop(self, t: float) -> list[Action]:
        """The bedside ended the proposal (the patient's emergency gesture took the screen):
        closed as "dropped", so a "yes" after it sends nothing."""
        return self._close("dropped", t)

    def unheard(self, t: float) -> list[Action]:
        """The microphone failed: nobody can answer the proposal, which must not wait
        forever. An emergency under "unless_declined" is sent (the "no" that alone could
        stop it can no longer be heard); anything else is closed as "unheard"."""
        if self.pending is not None and self.pending.unless_declined:
            return self._confirm(t)
        return self._close("unheard", t)

    def wait_longer(self, seconds: float) -> None:
        """The tablet was speaking (its question, the menu) for ``seconds`` with the patient
        unheard: that time does not count against the answer, up to MAX_WAIT_LONGER_S in all.
        The 8 s used to start at the patient's word, and the question alone took 4 s in
        English and up to 8 s in Korean: a "yes" had a second or two, and a spoken "no" could
        never stop an emergency sent while the question still played."""
        pending = self.pending
        if pending is None:
            return
        room = pending.t + self._window + MAX_WAIT_LONGER_S - pending.deadline
        if room > 0:
            self.pending = replace(pending, deadline=pending.deadline + min(seconds, room))

    def tick(self, t: float) -> list[Action]:
        """Let time pass: a proposal past its deadline lapses (or, for an emergency with the
        "unless_declined" policy, is sent)."""
        if self.pending is None or t < self.pending.deadline:
            return []
        if self._send_when_due:
            return self._confirm(self.pending.deadline)
        return self._close("expired", self.pending.deadline)

    def _confirm(self, t: float) -> list[Action]:
        if self.pending is None:
            return []
        intent, cancels = self.pending.intent, self.pending.cancels
        self.pending = None
        self._send_when_due = False
        return [Send(intent, t, cancels)]

    def _close(self, why: str, t: float) -> list[Action]:
        if self.pending is None:
            return []
        intent = self.pending.intent
        self.pending = None
        self._send_when_due = False
        return [Closed(intent, why, t)]
