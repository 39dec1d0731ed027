"""The Beckon wire protocol, version 1: topics and JSON messages.

Only intents travel: a request says which bed wants what, never what the camera saw or what
the patient said. Every message carries ``"v": 1`` and a ``kind``; the request id (a UUID) is
the idempotency key the station de-duplicates on. Both ends validate against the JSON Schemas
in ``schemas/``; anything malformed, oversized or unknown raises ProtocolError, which callers
log and drop. See docs/protocol.md for the topic tree.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, Literal

import jsonschema

VERSION = 1
ROOT = f"beckon/v{VERSION}"
MAX_PAYLOAD = 16 * 1024
"""Limit for everything a bedside or a nurse sends (requests, cancels, presence, commands)."""
MAX_SUMMARY_PAYLOAD = 256 * 1024
"""Limit for the summaries the station publishes (a unit's queue, a bed's state), which grow
with the number of open requests."""
_SUMMARY_KINDS = frozenset({"queue", "state"})
QUESTION_TIMEOUT_S = 120.0
"""A nurse's question expires this long after it was asked (station clock), at the bedside and
at the station alike: unanswered, it stops blocking the patient's menu."""
NAME_MAX = 80
"""Longest nurse name (``by``, ``asked_by``) a message carries (docs/protocol.md)."""
HEARTBEAT_S = 5.0
"""Beds and stations repeat their presence (not retained) this often while connected."""
PRESENCE_FRESH_S = 15.0
"""A station heartbeats its presence every HEARTBEAT_S; one not refreshed for this long has
stopped."""
STATE_HISTORY = 5
"""History entries per request in a bed's ``state``: 30 requests with the schema's 20 would pass
the broker's 64 KiB packet limit; the latest few are all a tablet shows."""


def payload_limit(kind: str) -> int:
    return MAX_SUMMARY_PAYLOAD if kind in _SUMMARY_KINDS else MAX_PAYLOAD


Priority = Literal["routine", "urgent", "emergency"]
Source = Literal["gesture", "voice", "touch"]
RequestState = Literal["created", "received", "acknowledged", "resolved", "cancelled"]
PRIORITIES: tuple[Priority, ...] = ("routine", "urgent", "emergency")

REQUEST_STATES: tuple[RequestState, ...] = (
    "created",
    "received",
    "acknowledged",
    "resolved",
    "cancelled",
)
"""A request's states in the order they happen. Every end (the station's lifecycle, the
bedside service, the bedside window's timeline) orders states by this one tuple."""
OPEN_STATES: frozenset[RequestState] = frozenset({"received", "acknowledged"})
CLOSED_STATES: frozenset[RequestState] = frozenset({"resolved", "cancelled"})
"""A closed request never changes again, so a late or repeated message cannot reopen it."""


def is_backwards(known: str | None, new: str, order: tuple[str, ...] = REQUEST_STATES) -> bool:
    """Whether ``new`` would move a request back from ``known``: messages can arrive late or
    twice, and an older one must never undo a newer state. States outside ``order`` never
    count as backwards."""
    return known in order and new in order and order.index(new) < order.index(known)


SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""A site, unit, bed or station name: it becomes one MQTT topic segment, so no '/', '+', '#'."""
SEGMENT_HELP = "1 to 64 letters, digits, '-' or '_' (it becomes part of MQTT topics)"


class ProtocolError(ValueError):
    """A message that must be dropped: why, in one line, for the log."""


def to_iso(at: datetime) -> str:
    """A UTC time with milliseconds, as every timestamp on the wire is written."""
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    """The time now, as every timestamp on the wire is written."""
    return to_iso(datetime.now(UTC))


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def question_time_left(
    asked_at: str, station_ahead_s: float = 0.0, timeout_s: float = QUESTION_TIMEOUT_S
) -> float:
    """Seconds a question asked at ``asked_at`` (station clock) may still wait for an answer:
    it expires QUESTION_TIMEOUT_S after it was asked, at the bedside and at the station alike.
    ``station_ahead_s``: how far the station's clock runs ahead of the reader's (negative
    when behind), from its presence messages: a tablet clock two minutes fast must not take
    every fresh question for an expired one. A timestamp that cannot be read counts from now."""
    try:
        age = (datetime.now(UTC) - parse_iso(asked_at)).total_seconds() + station_ahead_s
    except ValueError:
        age = 0.0
    return timeout_s - max(0.0, age)


def one_line_name(text: str) -> str:
    """A nurse's name as a message carries it: one line (a pasted tab or newline is a control
    character the protocol refuses), at most NAME_MAX characters."""
    return " ".join(text.split())[:NAME_MAX]


def new_request_id() -> str:
    return str(uuid.uuid4())


# ---------------------------------------------------------------- topics


@dataclass(frozen=True)
class BedAddress:
    """Where a bed is: the three topic segments that name it."""

    site: str
    unit: str
    bed: str

    def __post_init__(self) -> None:
        for name in ("site", "unit", "bed"):
            if not SEGMENT.fullmatch(getattr(self, name)):
                raise ProtocolError(f"{name} {getattr(self, name)!r} is not a valid topic segment")

    def topic(self, leaf: str) -> str:
        return f"{ROOT}/{self.site}/{self.unit}/bed/{self.bed}/{leaf}"

    @property
    def key(self) -> str:
        return f"{self.site}/{self.unit}/{self.bed}"


class Topics:
    """The topic tree. Bedside leaves: request, cancel, answer, status (retained, last will).
    Bedside leaf ``nurse``: a nurse's presence and clear at the bed's own screen.
    Station leaves: receipt, state (retained), question per bed; queue and stats (retained) and
    command per unit; station/{name}/status (retained, last will)."""

    @staticmethod
    def unit(site: str, unit: str, leaf: str) -> str:
        return f"{ROOT}/{site}/{unit}/{leaf}"

    @staticmethod
    def station_status(site: str, unit: str, name: str) -> str:
        return f"{ROOT}/{site}/{unit}/station/{name}/status"

    @staticmethod
    def call(site: str, unit: str, request_id: str) -> str:
        """One open request of a unit (retained; emptied when the request closes)."""
        return f"{ROOT}/{site}/{unit}/call/{request_id}"

    @staticmethod
    def call_filter(site: str, unit: str) -> str:
        return f"{ROOT}/{site}/{unit}/call/+"

    @staticmethod
    def bed_filter(site: str, unit: str, leaf: str) -> str:
        return f"{ROOT}/{site}/{unit}/bed/+/{leaf}"

    @staticmethod
    def parse_bed_topic(topic: str) -> tuple[BedAddress, str]:
        """Split ``beckon/v1/SITE/UNIT/bed/BED/LEAF`` into the bed and the leaf."""
        parts = topic.split("/")
        if len(parts) != 7 or "/".join(parts[:2]) != ROOT or parts[4] != "bed":
            raise ProtocolError(f"not a bed topic: {topic!r}")
        return BedAddress(parts[2], parts[3], parts[5]), parts[6]

    @staticmethod
    def unit_of(topic: str) -> str:
        """The unit any topic under ``beckon/v1/SITE/UNIT/...`` belongs to."""
        parts = topic.split("/")
        if len(parts) < 5 or "/".join(parts[:2]) != ROOT:
            raise ProtocolError(f"not a Beckon topic: {topic!r}")
        return parts[3]


# ---------------------------------------------------------------- messages


@dataclass(frozen=True)
class _Asked:
    """What a patient asked, which never changes once asked: the request's id (the
    idempotency key), its bed, what it wants, how urgently and by which input. The request
    as the bedside sends it and as the station knows it both begin with these fields, in
    this order (their order on the wire and in positional construction)."""

    id: str
    site: str
    unit: str
    bed: str
    intent: str
    priority: Priority
    source: Source


@dataclass(frozen=True)
class Request(_Asked):
    """A patient's request as it leaves the bedside. ``id`` is the idempotency key."""

    created_at: str
    kind: Literal["request"] = "request"
    v: int = VERSION
    level: int | None = None
    """A number the patient chose with the request, 0 to 10 (the pain scale); on the wire
    only when set."""

    @property
    def address(self) -> BedAddress:
        return BedAddress(self.site, self.unit, self.bed)


@dataclass(frozen=True)
class Cancel:
    """The patient withdraws a request (only the bedside can cancel)."""

    id: str
    site: str
    unit: str
    bed: str
    at: str
    kind: Literal["cancel"] = "cancel"
    v: int = VERSION


@dataclass(frozen=True)
class Receipt:
    """The station stored this request (sent again for duplicates); the bedside then empties it
    from its outbox."""

    id: str
    site: str
    unit: str
    bed: str
    state: RequestState
    at: str
    kind: Literal["receipt"] = "receipt"
    v: int = VERSION


@dataclass(frozen=True)
class StateChange:
    """One step of a request's lifecycle: what, when, by whom."""

    state: RequestState
    at: str
    by: str | None = None


@dataclass(frozen=True)
class RequestView(_Asked):
    """A request as the station knows it, with its history."""

    state: RequestState
    created_at: str
    updated_at: str
    by: str | None = None
    escalation: int = 0
    history: tuple[StateChange, ...] = ()
    level: int | None = None  # the request's 0-10 scale value (pain), when it has one


@dataclass(frozen=True)
class BedState:
    """Retained per bed: its open requests and the ones closed recently."""

    site: str
    unit: str
    bed: str
    at: str
    requests: tuple[RequestView, ...] = ()
    kind: Literal["state"] = "state"
    v: int = VERSION


BACKLOG_STUCK_S = 30
"""A bed whose oldest outbox message has waited this long for the station's receipt has a
fault: its calls are not reaching the station (a bed resends every few seconds, and a working
station confirms within a second or two). The station's bed board and `beckon doctor station`
both use it."""


def backlog_stuck(backlog: int | None, age_s: int | None) -> bool:
    """Whether a bed's outbox says its calls are not reaching the station."""
    return bool(backlog) and (age_s or 0) >= BACKLOG_STUCK_S


PATIENT_NOTES: frozenset[str] = frozenset({"away_from_rest"})
"""Codes a bed reports in :attr:`BedStatus.faults` that are about the patient, not the device:
``away_from_rest``, the head resting where only nods and shakes work (often a patient asleep on
his side). The station shows them as a calm note in the bed's Face cell, never as a red fault
line or in the count of beds with device faults: with five beds asleep on their sides, four red
lines and "2 more beds have device faults" hid bed 20's full storage (rev45a). They travel in
``faults`` (not a field of their own) because that is the one per-bed camera status a bed
already sends, retained, with the camera's and face's faults it replaces (a far rest is said
in place of ``poor_view``); a station older than this list shows one as a fault."""


def device_faults(faults: tuple[str, ...]) -> tuple[str, ...]:
    """``faults`` without the :data:`PATIENT_NOTES`: what is wrong with the bed's devices."""
    return tuple(f for f in faults if f not in PATIENT_NOTES)


@dataclass(frozen=True)
class BedStatus:
    """Retained presence of a bedside; its last will says ``online: false``."""

    site: str
    unit: str
    bed: str
    online: bool
    at: str
    inputs: tuple[str, ...] = ()
    software: str = ""
    faults: tuple[str, ...] = ()
    """Device faults the bed reports while online (camera_off, camera_lost, no_face, poor_view,
    too_dark, too_bright, mic_error, voice_error, no_sound, config, storage, clock), so the
    station sees a bed that cannot see or hear its patient or keep its calls; and the notes
    about the patient of :data:`PATIENT_NOTES` (away_from_rest), which are no device fault."""
    voice: str | None = None
    """The speech recogniser and its language ("vosk:ko", "pocketsphinx:en"), or "off",
    "starting", "failed"; absent from beds older than this field (None: not reported)."""
    backlog: int | None = None
    """Messages in the bed's outbox still waiting for the station's receipt (None: not
    reported). A count that stays above 0 means the bed's calls do not reach the station."""
    backlog_age_s: int | None = None
    """Seconds the oldest of those messages has waited (0 when none wait)."""
    kind: Literal["status"] = "status"
    v: int = VERSION


@dataclass(frozen=True)
class StationCommand:
    """A nurse's action sent to the station service by a window or the CLI."""

    command_id: str
    action: NurseAction
    id: str
    by: str
    at: str
    kind: Literal["command"] = "command"
    v: int = VERSION


NurseAction = Literal["acknowledge", "resolve"]
_NURSE_ACTIONS: dict[str, NurseAction] = {"acknowledge": "acknowledge", "resolve": "resolve"}


def nurse_command(action: str, request_id: str, by: str) -> StationCommand:
    """A nurse's acknowledge or resolve as every sender builds it (a window, the CLI, the demo):
    a fresh command id, the time now. An unknown action is refused here, before it is sent."""
    checked = _NURSE_ACTIONS.get(action)
    if checked is None:
        raise ProtocolError(f"{action!r} is not a nurse action; expected acknowledge or resolve")
    return StationCommand(new_request_id(), checked, request_id, by, now_iso())


BedsideNurseAction = Literal["present", "absent", "clear"]


@dataclass(frozen=True)
class NurseAtBed:
    """A nurse at the bed's own screen: "present" and "absent" toggle the bed's "nurse in room"
    presence; "clear" resolves the bed's open emergency ``id``. Sent only on the bed's own
    ``nurse`` topic, which the broker lets only that bed write: an emergency is cleared by
    someone in the room, never from a console (docs/protocol.md, "nurse")."""

    command_id: str
    site: str
    unit: str
    bed: str
    action: BedsideNurseAction
    by: str
    at: str
    id: str | None = None
    kind: Literal["nurse_at_bed"] = "nurse_at_bed"
    v: int = VERSION


@dataclass(frozen=True)
class AskCommand:
    """A nurse asks a bed a yes/no question ("Are you in pain?") through the station service."""

    command_id: str
    bed: str
    text: str
    by: str
    at: str
    kind: Literal["ask"] = "ask"
    v: int = VERSION


@dataclass(frozen=True)
class Question:
    """The question as the bedside receives it, to show and speak; answered by nod or shake."""

    id: str
    site: str
    unit: str
    bed: str
    text: str
    asked_by: str
    at: str
    kind: Literal["question"] = "question"
    v: int = VERSION


@dataclass(frozen=True)
class Answer:
    """The patient's answer. The station confirms it with a Receipt for the question id."""

    question_id: str
    site: str
    unit: str
    bed: str
    answer: Literal["yes", "no"]
    source: Source
    at: str
    kind: Literal["answer"] = "answer"
    v: int = VERSION


@dataclass(frozen=True)
class QuestionView:
    """A question as the station knows it, for station windows."""

    id: str
    bed: str
    text: str
    asked_by: str
    asked_at: str
    answer: Literal["yes", "no"] | None = None
    answered_at: str | None = None
    source: Source | None = None


@dataclass(frozen=True)
class QueueSummary:
    """Retained per unit: how many requests are open, beds that are offline, and recent
    questions. The open requests themselves are separate retained ``Call`` messages, so no
    message grows with the number of open calls (a unit-wide list once passed the broker's
    packet limit and got the station disconnected)."""

    site: str
    unit: str
    at: str
    open: int
    offline_beds: tuple[str, ...] = ()
    questions: tuple[QuestionView, ...] = ()
    present_beds: tuple[str, ...] = ()
    """Beds where a nurse marked "nurse in room" (on the wire only when there are any)."""
    kind: Literal["queue"] = "queue"
    v: int = VERSION


@dataclass(frozen=True)
class Call:
    """Retained per open request on ``call/{id}`` (without history); the station empties the
    retained message when the request closes."""

    site: str
    unit: str
    at: str
    request: RequestView
    kind: Literal["call"] = "call"
    v: int = VERSION


@dataclass(frozen=True)
class UnitQueue:
    """A unit as a station window shows it: every open request, offline beds and recent
    questions. Not a wire message: a window assembles it from the retained ``QueueSummary``
    and ``Call`` messages (``beckon.station.queueview``)."""

    site: str
    unit: str
    at: str
    requests: tuple[RequestView, ...] = ()
    offline_beds: tuple[str, ...] = ()
    questions: tuple[QuestionView, ...] = ()
    open: int = 0
    present_beds: tuple[str, ...] = ()


@dataclass(frozen=True)
class IntentStats:
    """Response times of one request type over the window. A request counts once it is
    received; ``answered`` ones had a nurse acknowledge or resolve them. Response time runs from
    the station receiving the request to the first nurse action (both on the station clock, so
    tablet clock drift never distorts it); resolve time to the resolution. Seconds, or None when
    nothing was answered (or resolved) yet."""

    intent: str
    requests: int
    answered: int
    median_response_s: float | None
    p90_response_s: float | None
    median_resolve_s: float | None


@dataclass(frozen=True)
class HourStats:
    """Requests received in one clock hour (``hour`` is its start, UTC) and how fast they were
    answered."""

    hour: str
    requests: int
    answered: int
    median_response_s: float | None
    p90_response_s: float | None = None


@dataclass(frozen=True)
class SlowCall:
    """One of the slowest calls of the window: how long it waited for a nurse (``wait_s``), and
    whether a nurse ever answered it (unanswered ones count until the summary's time), so calls
    nobody answered never hide behind a median."""

    intent: str
    received_at: str
    wait_s: float
    answered: bool


@dataclass(frozen=True)
class UnitStats:
    """Retained per unit: response-time history for station windows (closed requests are not
    in the queue, so the history chart needs its own summary)."""

    site: str
    unit: str
    at: str
    window_h: int
    by_intent: tuple[IntentStats, ...] = ()
    by_hour: tuple[HourStats, ...] = ()
    slowest: tuple[SlowCall, ...] = ()
    kind: Literal["stats"] = "stats"
    v: int = VERSION


@dataclass(frozen=True)
class StationStatus:
    """Retained presence of the station service (last will: offline). Republished (not
    retained) every few seconds as a heartbeat. ``instance`` tells two processes with the same
    name apart; ``fault`` says why a station that runs cannot serve (its database, ...)."""

    site: str
    unit: str
    name: str
    online: bool
    at: str
    instance: str | None = None
    fault: str | None = None
    kind: Literal["station_status"] = "station_status"
    v: int = VERSION

    def serving(self, now: datetime | None = None) -> bool:
        """Says a service serves now: online, without a fault, and stamped within
        PRESENCE_FRESH_S of ``now`` either way. An older one is a run that stopped or vanished;
        one stamped further ahead is a heartbeat the broker kept from before this host's clock
        was set back (a dead clock battery after a power cut), not a running station: taken
        for one, it kept the station from starting until that time came."""
        age = ((now or datetime.now(UTC)) - parse_iso(self.at)).total_seconds()
        return self.online and not self.fault and abs(age) <= PRESENCE_FRESH_S


Message = (
    Request
    | Cancel
    | Receipt
    | BedState
    | BedStatus
    | StationCommand
    | QueueSummary
    | Call
    | StationStatus
    | AskCommand
    | Question
    | Answer
    | NurseAtBed
    | UnitStats
)

_KINDS: dict[str, type[Any]] = {
    "request": Request,
    "cancel": Cancel,
    "receipt": Receipt,
    "state": BedState,
    "status": BedStatus,
    "command": StationCommand,
    "queue": QueueSummary,
    "call": Call,
    "station_status": StationStatus,
    "ask": AskCommand,
    "question": Question,
    "answer": Answer,
    "nurse_at_bed": NurseAtBed,
    "stats": UnitStats,
}


@cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    text = resources.files("beckon.messaging").joinpath(f"schemas/{kind}.json").read_text("utf-8")
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    strict = jsonschema.validators.extend(cls, {"pattern": _ecma_pattern})
    return strict(schema, format_checker=_format_checker(cls.FORMAT_CHECKER))


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """``pattern`` as JSON Schema defines it (ECMA-262), where ``$`` matches only at the very
    end: Python's ``$`` also matches before a final newline, which would let "12\\n" pass."""
    strict = pattern[:-1] + r"\Z" if pattern.endswith("$") and pattern[-2:] != "\\$" else pattern
    if validator.is_type(instance, "string") and not re.search(strict, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _format_checker(base: jsonschema.FormatChecker) -> jsonschema.FormatChecker:
    """The draft's format checks, with date-time also readable by parse_iso (the RFC 3339
    check alone lets "...Z\\n" through, which the station could store but never parse)."""
    checker = jsonschema.FormatChecker(base.checkers)
    rfc3339, _ = checker.checkers["date-time"]

    def timestamp(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parse_iso(value)  # ValueError: not a date-time
        return bool(rfc3339(value))

    checker.checks("date-time", raises=ValueError)(timestamp)
    return checker


def encode(msg: Message) -> bytes:
    """Serialise and validate (the sender checks too, so a bug never reaches the wire)."""
    payload = json.dumps(_to_dict(msg), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    data = json.loads(payload)  # tuples become lists, exactly as the receiver will see them
    _validate(data)
    limit = payload_limit(data["kind"])
    if len(payload) > limit:
        raise ProtocolError(f"{data['kind']} message is {len(payload)} bytes, over {limit}")
    return payload


def _to_dict(msg: Message) -> dict[str, Any]:
    data = asdict(msg)
    # A request's level is on the wire only when the patient chose one, so requests without it
    # stay exactly what they always were.
    if isinstance(msg, Request) and msg.level is None:
        del data["level"]
    for view in (data.get("request"), *data.get("requests", ())):
        if isinstance(view, dict) and view.get("level", 0) is None:
            del view["level"]
    if isinstance(msg, Call):
        del data["request"]["history"]  # the bed's state carries it; a call stays small
    if isinstance(msg, QueueSummary) and not msg.present_beds:
        del data["present_beds"]  # a unit without a nurse in a room sends what it always did
    if isinstance(msg, NurseAtBed) and msg.id is None:
        del data["id"]
    if isinstance(msg, BedStatus):
        # Health fields go on the wire only when reported, so a will stays what it was.
        for name in ("voice", "backlog", "backlog_age_s"):
            if data[name] is None:
                del data[name]
    if isinstance(msg, StationStatus):
        data = {k: v for k, v in data.items() if v is not None or k not in ("instance", "fault")}
    return data


def decode(payload: bytes) -> Message:
    """Parse and validate a payload; raises ProtocolError for anything that must be dropped."""
    if len(payload) > MAX_SUMMARY_PAYLOAD:
        raise ProtocolError(
            f"payload of {len(payload)} bytes is over the {MAX_SUMMARY_PAYLOAD} limit"
        )
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    except RecursionError:
        raise ProtocolError("not JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits (int_max_str_digits)
        raise ProtocolError(f"not JSON: {str(exc)[:120]}") from None
    if not isinstance(data, dict):
        raise ProtocolError("not a JSON object")
    _validate(data)
    limit = payload_limit(data["kind"])
    if len(payload) > limit:
        raise ProtocolError(
            f"{data['kind']} payload of {len(payload)} bytes is over the {limit} limit"
        )
    return _from_dict(data)


def _validate(data: dict[str, Any]) -> None:
    kind = data.get("kind")
    if data.get("v") != VERSION:
        raise ProtocolError(f"unsupported protocol version {data.get('v')!r}")
    if not isinstance(kind, str) or kind not in _KINDS:
        raise ProtocolError(f"unknown message kind {kind!r}")
    error = next(iter(_validator(kind).iter_errors(data)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise ProtocolError(f"invalid {kind} message at {where}: {error.message[:200]}")
    if (found := _control_character_at(data)) is not None:
        # A newline in a question's text or a nurse's name wrote a fake CRITICAL line into
        # the station's log (and reached the bedside's screen and speech).
        raise ProtocolError(f"invalid {kind} message at {found}: a control character")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _control_character_at(value: Any, where: str = "") -> str | None:
    """Where in a decoded message a string holds a control character, or None."""
    if isinstance(value, str):
        return (where or "(top)") if _CONTROL.search(value) else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _control_character_at(item, f"{where}/{key}" if where else str(key))
        if found is not None:
            return found
    return None


def _from_dict(data: dict[str, Any]) -> Message:
    cls = _KINDS[data["kind"]]
    if cls is Call:
        data = dict(data, request=_view(data["request"]))
    if cls in (BedState, QueueSummary):
        data = dict(data)
        if cls is BedState:
            data["requests"] = tuple(_view(r) for r in data.get("requests", ()))
        if "offline_beds" in data:
            data["offline_beds"] = tuple(data["offline_beds"])
        if "present_beds" in data:
            data["present_beds"] = tuple(data["present_beds"])
        if "questions" in data:
            data["questions"] = tuple(QuestionView(**q) for q in data["questions"])
    if cls is UnitStats:
        data = dict(data)
        data["by_intent"] = tuple(IntentStats(**x) for x in data["by_intent"])
        data["by_hour"] = tuple(HourStats(**x) for x in data["by_hour"])
        data["slowest"] = tuple(SlowCall(**x) for x in data.get("slowest", ()))
    if cls is BedStatus:
        data = dict(
            data, inputs=tuple(data.get("inputs", ())), faults=tuple(data.get("faults", ()))
        )
        for name in ("backlog", "backlog_age_s"):
            if name in data:
                data[name] = int(data[name])  # JSON Schema's integer also admits 3.0
    return cls(**data)


def _view(d: dict[str, Any]) -> RequestView:
    history = tuple(StateChange(**h) for h in d.get("history", ()))
    return RequestView(**{**d, "history": history})


def decode_as(payload: bytes, cls: type[Any]) -> Any:
    """Decode and require a particular kind (a state payload on a request topic is dropped)."""
    msg = decode(payload)
    if not isinstance(msg, cls):
        raise ProtocolError(f"expected a {cls.__name__} message, got {type(msg).__name__}")
    return msg


def message_fields() -> dict[str, list[str]]:
    """Field names per kind, for docs and tests."""
    return {kind: list(cls.__dataclass_fields__) for kind, cls in _KINDS.items()}


__all__ = [
    "MAX_PAYLOAD",
    "MAX_SUMMARY_PAYLOAD",
    "PRIORITIES",
    "ROOT",
    "Answer",
    "AskCommand",
    "BedAddress",
    "BedState",
    "BedStatus",
    "Call",
    "Cancel",
    "HourStats",
    "IntentStats",
    "Message",
    "NurseAtBed",
    "ProtocolError",
    "Question",
    "QuestionView",
    "QueueSummary",
    "Receipt",
    "Request",
    "RequestView",
    "StateChange",
    "StationCommand",
    "StationStatus",
    "Topics",
    "UnitQueue",
    "UnitStats",
    "decode",
    "decode_as",
    "encode",
    "new_request_id",
    "now_iso",
]
