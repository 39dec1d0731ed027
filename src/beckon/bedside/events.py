"""What the bedside service tells its listeners: one small frozen dataclass per kind of event.

Why types and not one event with a ``kind`` string: a listener (the window's view model, the
demo's story, the headless log) matches on the class, so a field that does not exist is a
type error, and a ``match`` that ends in ``assert_never`` fails mypy when a new kind of event
is added and one consumer forgets it. :data:`BedsideEvent` is the union of them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from beckon.bedside.interaction import MenuView


@dataclass(frozen=True)
class MenuChanged:
    """The menu's view changed (what is offered or highlighted, or a question took over)."""

    menu: MenuView
    t: float


@dataclass(frozen=True)
class IntentSelected:
    """The patient chose ``intent`` with ``gesture`` at ``t`` (the video's own seconds)."""

    intent: str
    t: float
    gesture: str


@dataclass(frozen=True)
class OfferDeclined:
    """The patient turned down the offered ``intent``."""

    intent: str
    t: float
    gesture: str


@dataclass(frozen=True)
class ConfirmNeeded:
    """An emergency waits for the confirming gesture before it is sent."""

    intent: str
    t: float
    gesture: str


@dataclass(frozen=True)
class ConfirmTooSoon:
    """A confirming gesture came before the confirmation counted (``MenuView.ready``): nothing
    was sent, and the screen (not the voice) tells the patient to wait for the instruction if he
    means to send it. ``late``: made before it counted but reported after (the instruction is
    on screen already: the menu's view says it was too soon, ``MenuView.too_soon``)."""

    intent: str
    t: float
    gesture: str
    late: bool = False


@dataclass(frozen=True)
class SelectionCancelled:
    """A selection in progress was given up: ``reason`` is the gesture, or "timeout"."""

    intent: str
    t: float
    reason: str


@dataclass(frozen=True)
class PointerMoved:
    """In pointing mode, the highlight moved to ``intent``."""

    intent: str
    t: float
    gesture: str


@dataclass(frozen=True)
class RequestSaved:
    """A new request is on disk in the outbox (its state is "created"). ``restored``: one saved
    before a restart, still unconfirmed, announced again at start (not said aloud or counted
    again: the patient chose it once)."""

    intent: str
    request_id: str
    restored: bool = False
    created_at: str = ""
    """When the patient asked (ISO 8601), for "Asked at"; a restored request's no-receipt alarm
    also counts from it (it restarted at every start of the tablet). A new request's alarm
    counts from when it was saved: a late gesture dates ``created_at`` back."""


@dataclass(frozen=True)
class AlreadyAsked:
    """The patient chose a request this bed already has open (a double nod, the same tile
    twice): not sent again. ``state`` is the open one's (saved, created, received, ...)."""

    intent: str
    request_id: str
    state: str


@dataclass(frozen=True)
class CancelAsked:
    """The patient cancelled an open request from the menu (the cancel entry, by gestures or
    a touch): the cancel is saved and sent; the request becomes "cancelled" when the station
    says so."""

    intent: str
    request_id: str
    source: str


@dataclass(frozen=True)
class RequestSent:
    """The request was published to the broker (not yet confirmed by the station)."""

    request_id: str


@dataclass(frozen=True)
class StateChanged:
    """The station moved a request on (received, acknowledged by ``by``, resolved, ...).
    ``intent`` is empty when only a receipt told us, which does not repeat it; ``created_at``
    (the request's own time, from the bed's retained state) lets a tablet that restarted show
    when its patient asked."""

    request_id: str
    state: str
    by: str | None = None
    intent: str = ""
    created_at: str = ""


@dataclass(frozen=True)
class QuestionAsked:
    """A nurse asked a yes/no question; it waits for the patient's answer."""

    question_id: str
    text: str
    asked_by: str | None = None


@dataclass(frozen=True)
class QuestionAnswered:
    """The patient answered the pending question ("yes" or "no")."""

    question_id: str
    answer: str


@dataclass(frozen=True)
class AnswerReceived:
    """The station confirmed it has the patient's answer."""

    question_id: str


@dataclass(frozen=True)
class QuestionExpired:
    """Nobody answered the question in time; the menu is back."""

    question_id: str
    text: str


@dataclass(frozen=True)
class QuestionSetAside:
    """The patient made a ``call:`` gesture during the question: it left the screen for the
    call and waits, unanswered, to be shown again after it (its expiry unchanged)."""

    question_id: str
    text: str


@dataclass(frozen=True)
class SpokenRequestDropped:
    """The patient's emergency gesture ended a spoken request that waited for its yes: the
    voice worker drops it, so a "yes" (said or nodded) does not send it while "Emergency?"
    is on screen (``Interaction.take_emergency``)."""

    t: float


@dataclass(frozen=True)
class SpokenEmergencyBacked:
    """The patient's emergency gesture came while a spoken EMERGENCY (``intent``) waited for
    its yes: the gesture is that yes, and the voice worker sent it
    (``VoiceWorker.confirm_emergency``; when it sent nothing, the gesture went the menu's
    way and this is not emitted). Ended instead for the gesture's own "Emergency?",
    the spoken emergency the default policy sends by itself after 3 s was dropped, and no
    emergency went unless the patient also nodded (rev45e BLOCKER)."""

    t: float
    intent: str


@dataclass(frozen=True)
class ConnectionChanged:
    """The link to the broker: ``online`` or not. ``request_saved`` says a request was just
    kept in the outbox because the link is down (it will be sent when it is back)."""

    online: bool
    request_saved: bool = False


@dataclass(frozen=True)
class StationChanged:
    """The nurse station came online or went away (its retained status)."""

    online: bool


@dataclass(frozen=True)
class Fault:
    """A device fault someone must fix (for example the broker refusing this bed's messages)."""

    detail: str


BedsideEvent = (
    MenuChanged
    | IntentSelected
    | OfferDeclined
    | ConfirmNeeded
    | ConfirmTooSoon
    | SelectionCancelled
    | PointerMoved
    | RequestSaved
    | AlreadyAsked
    | CancelAsked
    | RequestSent
    | StateChanged
    | QuestionAsked
    | QuestionAnswered
    | AnswerReceived
    | QuestionExpired
    | QuestionSetAside
    | SpokenRequestDropped
    | SpokenEmergencyBacked
    | ConnectionChanged
    | StationChanged
    | Fault
)


def describe(e: BedsideEvent) -> str:
    """One log line for an event (the headless bedside's log): the kind, then what matters."""
    name = type(e).__name__
    match e:
        case MenuChanged(menu=menu):
            resumed = " (taken up again after a question)" if menu.resumed else ""
            return f"{name} stage={menu.stage} highlighted={menu.highlighted}{resumed}"
        case (
            IntentSelected() | OfferDeclined() | ConfirmNeeded() | ConfirmTooSoon() | PointerMoved()
        ):
            return f"{name} intent={e.intent} gesture={e.gesture}"
        case SelectionCancelled(intent=intent, reason=reason):
            return f"{name} intent={intent} reason={reason}"
        case RequestSaved(intent=intent, request_id=rid, restored=restored):
            return f"{name} intent={intent} id={rid[:8]}" + (
                " (from before a restart)" if restored else ""
            )
        case AlreadyAsked(intent=intent, request_id=rid, state=state):
            return f"{name} intent={intent} id={rid[:8]} state={state} (not sent again)"
        case CancelAsked(intent=intent, request_id=rid, source=source):
            return f"{name} intent={intent} id={rid[:8]} by={source}"
        case RequestSent(request_id=rid) | AnswerReceived(question_id=rid):
            return f"{name} id={rid[:8]}"
        case StateChanged(request_id=rid, state=state, by=by):
            return f"{name} state={state}" + (f" by={by}" if by else "") + f" id={rid[:8]}"
        case QuestionAsked(text=text) | QuestionExpired(text=text) | QuestionSetAside(text=text):
            return f"{name} {text!r}"
        case QuestionAnswered(answer=answer):
            return f"{name} answer={answer}"
        case SpokenRequestDropped():
            return f"{name} (for an emergency gesture)"
        case SpokenEmergencyBacked(intent=intent):
            return f"{name} intent={intent} (its yes: the patient's emergency gesture)"
        case ConnectionChanged(online=online, request_saved=saved):
            return f"{name} online={online}" + (" (request saved, will be sent)" if saved else "")
        case StationChanged(online=online):
            return f"{name} online={online}"
        case Fault(detail=detail):
            return f"{name} {detail}"
        case _:
            assert_never(e)
