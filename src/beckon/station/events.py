"""What the station service tells its listeners (the demo's story, tests, a future pager).

One frozen dataclass per kind and a union, like the bedside's events: a listener matches on
the class, and a ``match`` ending in ``assert_never`` fails type checking when a kind is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from beckon.messaging.protocol import BedAddress, QuestionView, RequestView

RequestChange = Literal["received", "acknowledged", "resolved", "cancelled", "escalated"]


@dataclass(frozen=True)
class RequestChanged:
    """A request arrived, a nurse or the patient moved it on, or it escalated (``change``);
    ``view`` is the request as stored after the change."""

    change: RequestChange
    view: RequestView


@dataclass(frozen=True)
class BedPresence:
    """A bed's tablet came online or went offline (a device fault)."""

    bed: BedAddress
    online: bool


@dataclass(frozen=True)
class QuestionAsked:
    """A nurse's yes/no question was stored and sent to the bed."""

    question: QuestionView


@dataclass(frozen=True)
class QuestionAnswered:
    """The patient's answer to a question arrived (once; repeats are not told)."""

    question: QuestionView


StationEvent = RequestChanged | BedPresence | QuestionAsked | QuestionAnswered
