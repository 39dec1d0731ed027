"""The wire protocol, version 1.

Every message kind survives encode/decode unchanged, and anything malformed, oversized, unknown
or from another version is refused with ProtocolError, never with another exception, because
the services catch exactly that one and drop the message.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, fields, replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from beckon.messaging import protocol as p
from tests.helpers import request_views
from tests.helpers.request_views import ID, T0, a_request

SCHEMAS = Path(p.__file__).parent / "schemas"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

OTHER_ID = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
T1 = "2025-03-01T08:01:30.250Z"
T2 = "2025-03-01T08:04:00.000Z"


def a_view(**changes: Any) -> p.RequestView:
    view = request_views.a_view(
        intent="pain",
        priority="urgent",
        source="voice",
        state="acknowledged",
        updated_at=T1,
        by="Nurse Kim",
        escalation=1,
        history=(
            p.StateChange("created", T0),
            p.StateChange("received", T0),
            p.StateChange("acknowledged", T1, "Nurse Kim"),
        ),
    )
    return replace(view, **changes)


EVERY_KIND: dict[str, p.Message] = {
    "request": a_request(),
    "cancel": p.Cancel(id=ID, site="gh", unit="icu", bed="12", at=T1),
    "receipt": p.Receipt(id=ID, site="gh", unit="icu", bed="12", state="received", at=T1),
    "state": p.BedState(
        site="gh",
        unit="icu",
        bed="12",
        at=T2,
        requests=(
            a_view(),
            a_view(id=OTHER_ID, state="resolved", by="김간호사", escalation=0, history=()),
        ),
    ),
    "status": p.BedStatus(
        site="gh",
        unit="icu",
        bed="12",
        online=True,
        at=T0,
        inputs=("gesture", "voice"),
        software="beckon 0.1.0",
    ),
    "command": p.StationCommand(
        command_id=OTHER_ID, action="acknowledge", id=ID, by="김간호사", at=T1
    ),
    "call": p.Call(site="gh", unit="icu", at=T2, request=a_view(history=())),
    "queue": p.QueueSummary(
        site="gh",
        unit="icu",
        at=T2,
        open=2,
        offline_beds=("3", "7"),
        questions=(
            p.QuestionView(id=OTHER_ID, bed="12", text="아파요?", asked_by="김간호사", asked_at=T0),
            p.QuestionView(
                id=ID,
                bed="14",
                text="Are you cold?",
                asked_by="Nurse Kim",
                asked_at=T0,
                answer="no",
                answered_at=T1,
                source="gesture",
            ),
        ),
    ),
    "station_status": p.StationStatus(site="gh", unit="icu", name="desk-1", online=False, at=T0),
    "ask": p.AskCommand(
        command_id=OTHER_ID, bed="12", text="Are you in pain?", by="Nurse Kim", at=T0
    ),
    "question": p.Question(
        id=ID, site="gh", unit="icu", bed="12", text="Are you in pain?", asked_by="Nurse Kim", at=T0
    ),
    "answer": p.Answer(
        question_id=ID, site="gh", unit="icu", bed="12", answer="yes", source="gesture", at=T1
    ),
    "nurse_at_bed": p.NurseAtBed(
        command_id=ID, site="gh", unit="icu", bed="12", action="clear", by="Kim", at=T1, id=ID
    ),
    "stats": p.UnitStats(
        site="gh",
        unit="icu",
        at=T2,
        window_h=24,
        by_intent=(
            p.IntentStats("water", 5, 4, 42.5, 120.0, 300.2),
            p.IntentStats("pain", 1, 0, None, None, None),
        ),
        by_hour=(
            p.HourStats("2025-03-01T07:00:00.000Z", 2, 2, 30.0),
            p.HourStats("2025-03-01T08:00:00.000Z", 4, 2, 61.3),
        ),
    ),
}


def as_dict(msg: p.Message) -> dict[str, Any]:
    """A message as the receiver sees it after json.loads."""
    result: dict[str, Any] = json.loads(p.encode(msg))
    return result


def payload(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def request_with(**changes: Any) -> bytes:
    return payload({**as_dict(a_request()), **changes})


def request_without(key: str) -> bytes:
    data = as_dict(a_request())
    del data[key]
    return payload(data)


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("kind", sorted(EVERY_KIND))
def test_every_message_kind_survives_encode_then_decode_unchanged(kind: str) -> None:
    msg = EVERY_KIND[kind]
    assert p.decode(p.encode(msg)) == msg


@pytest.mark.parametrize("kind", sorted(EVERY_KIND))
def test_every_encoded_message_carries_version_1_and_its_kind(kind: str) -> None:
    data = as_dict(EVERY_KIND[kind])
    assert data["v"] == 1
    assert data["kind"] == kind


def test_a_bed_state_keeps_the_history_of_each_request_in_order() -> None:
    state = p.decode_as(p.encode(EVERY_KIND["state"]), p.BedState)
    assert [change.state for change in state.requests[0].history] == [
        "created",
        "received",
        "acknowledged",
    ]
    assert state.requests[0].history[-1].by == "Nurse Kim"


def test_non_ascii_names_travel_as_utf8_not_escapes() -> None:
    encoded = p.encode(EVERY_KIND["command"])
    assert "김간호사".encode() in encoded


def test_decode_as_returns_the_message_when_the_kind_is_the_expected_one() -> None:
    assert p.decode_as(p.encode(a_request()), p.Request) == a_request()


def test_a_new_request_id_is_a_lowercase_uuid_the_schema_accepts() -> None:
    req = a_request(id=p.new_request_id())
    assert p.decode(p.encode(req)) == req


def test_now_iso_is_a_timestamp_the_schema_accepts_and_parse_iso_reads() -> None:
    stamp = p.now_iso()
    assert stamp.endswith("Z")
    assert p.parse_iso(stamp).utcoffset() is not None
    decoded = p.decode(p.encode(a_request(created_at=stamp)))
    assert isinstance(decoded, p.Request) and decoded.created_at == stamp


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"{", id="truncated-json"),
        pytest.param(b"not json at all", id="text"),
        pytest.param(b"{'v': 1}", id="single-quotes"),
        pytest.param(b"\xff\xfe\x00{", id="non-utf8"),
        pytest.param(b'{"v": 1, "kind": "request", "bed": "\xe9"}', id="latin1-byte"),
        pytest.param(b"[1, 2, 3]", id="json-array"),
        pytest.param(b'"request"', id="json-string"),
        pytest.param(b"42", id="json-number"),
        pytest.param(b"null", id="json-null"),
        pytest.param(b"{}", id="empty-object"),
        pytest.param(b"[" * 5000 + b"]" * 5000, id="deeply-nested-array"),
        pytest.param(b'{"a":' * 3000 + b"1" + b"}" * 3000, id="deeply-nested-object"),
    ],
)
def test_decode_refuses_what_is_not_a_json_object(raw: bytes) -> None:
    with pytest.raises(p.ProtocolError):
        p.decode(raw)


@pytest.mark.parametrize(
    "key", ["v", "kind", "id", "site", "unit", "bed", "intent", "priority", "source", "created_at"]
)
def test_decode_refuses_a_request_missing_a_field(key: str) -> None:
    with pytest.raises(p.ProtocolError):
        p.decode(request_without(key))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"priority": 42}, id="priority-number"),
        pytest.param({"bed": 12}, id="bed-number"),
        pytest.param({"site": None}, id="site-null"),
        pytest.param({"intent": ["water"]}, id="intent-list"),
        pytest.param({"created_at": 1740816000}, id="timestamp-number"),
        pytest.param({"id": {"uuid": ID}}, id="id-object"),
    ],
)
def test_decode_refuses_a_field_of_the_wrong_type(changes: dict[str, Any]) -> None:
    with pytest.raises(p.ProtocolError):
        p.decode(request_with(**changes))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"priority": "whenever"}, id="priority"),
        pytest.param({"priority": "Routine"}, id="priority-capitalised"),
        pytest.param({"source": "telepathy"}, id="source"),
        pytest.param({"intent": "Water"}, id="intent-capitalised"),
        pytest.param({"intent": "water\n"}, id="intent-trailing-newline"),
    ],
)
def test_decode_refuses_unknown_enum_values_in_a_request(changes: dict[str, Any]) -> None:
    with pytest.raises(p.ProtocolError):
        p.decode(request_with(**changes))


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("receipt", "state", "lost"),
        ("command", "action", "delete"),
        ("status", "inputs", ["gesture", "smell"]),
        ("status", "online", "yes"),
        ("station_status", "online", 1),
    ],
)
def test_decode_refuses_unknown_enum_values_and_wrong_types_in_other_kinds(
    kind: str, key: str, value: Any
) -> None:
    data = as_dict(EVERY_KIND[kind])
    data[key] = value
    with pytest.raises(p.ProtocolError):
        p.decode(payload(data))


def test_decode_refuses_an_unknown_state_inside_a_request_view() -> None:
    data = as_dict(EVERY_KIND["state"])
    data["requests"][0]["state"] = "forgotten"
    with pytest.raises(p.ProtocolError, match="requests/0/state"):
        p.decode(payload(data))


@pytest.mark.parametrize("kind", sorted(EVERY_KIND))
def test_decode_refuses_an_extra_top_level_field(kind: str) -> None:
    data = {**as_dict(EVERY_KIND[kind]), "camera_frame": "base64..."}
    with pytest.raises(p.ProtocolError):
        p.decode(payload(data))


@pytest.mark.parametrize("where", ["view", "history"])
def test_decode_refuses_an_extra_field_nested_in_a_bed_state(where: str) -> None:
    data = as_dict(EVERY_KIND["state"])
    target = data["requests"][0] if where == "view" else data["requests"][0]["history"][0]
    target["transcript"] = "I want water"
    with pytest.raises(p.ProtocolError):
        p.decode(payload(data))


@pytest.mark.parametrize("kind", ["hello", "Request", "", None, 7, ["request"]])
def test_decode_refuses_an_unknown_kind(kind: Any) -> None:
    with pytest.raises(p.ProtocolError, match="kind"):
        p.decode(request_with(kind=kind))


@pytest.mark.parametrize("v", [2, 0, "1", True, None, 1.5])
def test_decode_refuses_any_version_but_1(v: Any) -> None:
    with pytest.raises(p.ProtocolError):
        p.decode(request_with(v=v))


def test_the_version_error_says_which_version_arrived() -> None:
    with pytest.raises(p.ProtocolError, match="version 2"):
        p.decode(request_with(v=2))


@pytest.mark.parametrize(
    "bad_id",
    [
        "not-a-uuid",
        "",
        ID.upper(),
        ID.replace("-", ""),
        "{" + ID + "}",
        ID + "0",
        ID + "\n",
        "../../etc/passwd",
    ],
)
def test_decode_refuses_a_request_id_that_is_not_a_lowercase_uuid(bad_id: str) -> None:
    with pytest.raises(p.ProtocolError):
        p.decode(request_with(id=bad_id))


@pytest.mark.parametrize(
    "stamp",
    [
        "yesterday",
        "",
        "2025-03-01",
        "2025-03-01T08:00:00",
        "2025-03-01 08:00:00Z",
        "2025-02-30T08:00:00Z",
        "2025-03-01T25:00:00Z",
        "2025-03-01T08:00:00Z\n",
        "2025-03-01T08:00:00.000Z" + "0" * 40,
    ],
)
def test_decode_refuses_a_timestamp_that_is_not_rfc3339(stamp: str) -> None:
    with pytest.raises(p.ProtocolError):
        p.decode(request_with(created_at=stamp))


TOPIC_UNSAFE = ["a/b", "+", "#", "", "bed 12", "x" * 65, "12\n", "침대"]


@pytest.mark.parametrize("bed", TOPIC_UNSAFE)
def test_decode_refuses_a_bed_name_that_is_not_a_safe_topic_segment(bed: str) -> None:
    with pytest.raises(p.ProtocolError):
        p.decode(request_with(bed=bed))


@pytest.mark.parametrize("bed", TOPIC_UNSAFE)
def test_encode_refuses_a_bed_name_that_is_not_a_safe_topic_segment(bed: str) -> None:
    with pytest.raises(p.ProtocolError):
        p.encode(a_request(bed=bed))


def test_encode_refuses_a_message_the_schema_rejects_so_it_never_reaches_the_wire() -> None:
    with pytest.raises(p.ProtocolError, match="priority"):
        p.encode(a_request(priority="whenever"))


def test_decode_refuses_a_payload_over_max_payload_even_if_it_is_valid_json() -> None:
    padded = p.encode(a_request()) + b" " * p.MAX_PAYLOAD
    with pytest.raises(p.ProtocolError, match="limit"):
        p.decode(padded)


def test_decode_accepts_a_payload_of_exactly_max_payload() -> None:
    encoded = p.encode(a_request())
    padded = encoded + b" " * (p.MAX_PAYLOAD - len(encoded))
    assert len(padded) == p.MAX_PAYLOAD
    assert p.decode(padded) == a_request()


def full_view(n: int) -> p.RequestView:
    history = tuple(
        p.StateChange("acknowledged", T1, "Nurse with a rather long name") for _ in range(20)
    )
    return a_view(id=f"{n:08x}-0000-4000-8000-000000000000", history=history)


BROKER_PACKET_LIMIT = 65536  # deploy/mosquitto/mosquitto.conf: max_packet_size


def longest_view(n: int, history: int) -> p.RequestView:
    """A request view with every field at its schema maximum."""
    name = "x" * 64
    at = "2025-03-01T08:00:00.000000000000000000Z"  # 40 characters
    changes = tuple(p.StateChange("acknowledged", at, "N" * 80) for _ in range(history))
    return p.RequestView(
        f"{n:08x}-0000-4000-8000-000000000000", name, name, name, "i" * 32, "emergency",
        "gesture", "acknowledged", at, at, "N" * 80, 10, changes,
    )  # fmt: skip


def test_no_station_message_can_pass_the_brokers_packet_limit() -> None:
    """A unit-wide list of open calls once grew past max_packet_size with ~190 calls and got
    the station thrown off the broker. Now every message has a fixed worst case: one call, a
    bed's state (30 requests with STATE_HISTORY entries each), and the summary (500 offline
    beds, 20 questions), each at maximum field sizes."""
    name = "x" * 64
    at = "2025-03-01T08:00:00.000000000000000000Z"
    call = p.Call(name, name, at, longest_view(0, 0))
    state = p.BedState(
        name, name, name, at, tuple(longest_view(n, p.STATE_HISTORY) for n in range(30))
    )
    question = p.QuestionView(p.new_request_id(), name, "q" * 200, "N" * 80, at, "yes", at, "voice")
    summary = p.QueueSummary(
        name, name, at, 1_000_000, tuple(f"{n:064d}" for n in range(500)), (question,) * 20
    )
    for msg in (call, state, summary):
        size = len(p.encode(msg))
        assert size < BROKER_PACKET_LIMIT - 1024, (type(msg).__name__, size)


def test_a_bed_state_with_full_histories_would_not_fit_hence_the_trim() -> None:
    state = p.BedState("gh", "icu", "12", T2, tuple(longest_view(n, 20) for n in range(30)))
    assert len(p.encode(state)) > BROKER_PACKET_LIMIT


def test_decode_refuses_a_request_over_max_payload_even_under_the_summary_limit() -> None:
    padded = p.encode(a_request()) + b" " * (p.MAX_PAYLOAD + 10)
    assert len(padded) < p.MAX_SUMMARY_PAYLOAD
    with pytest.raises(p.ProtocolError, match="limit"):
        p.decode(padded)


def test_a_ten_thousand_digit_integer_is_dropped_not_raised() -> None:
    payload = b'{"v": 1, "kind": "request", "id": ' + b"9" * 10_000 + b"}"
    with pytest.raises(p.ProtocolError, match="not JSON"):
        p.decode(payload)


def test_decode_as_refuses_a_message_of_another_kind() -> None:
    cancel = p.encode(EVERY_KIND["cancel"])
    with pytest.raises(p.ProtocolError, match="expected a Request message, got Cancel"):
        p.decode_as(cancel, p.Request)


# The same for any bytes, any JSON and mutated messages: tests/messaging/test_fuzz.py.


# ---------------------------------------------------------------- topics


def test_a_bed_address_builds_its_topics_under_beckon_v1() -> None:
    bed = p.BedAddress("gh", "icu", "12")
    assert bed.topic("request") == "beckon/v1/gh/icu/bed/12/request"
    assert bed.key == "gh/icu/12"


@pytest.mark.parametrize("bed", TOPIC_UNSAFE)
def test_a_bed_address_refuses_a_topic_unsafe_segment(bed: str) -> None:
    with pytest.raises(p.ProtocolError, match="bed"):
        p.BedAddress("gh", "icu", bed)


@pytest.mark.parametrize("leaf", ["request", "cancel", "status", "receipt", "state", "answer"])
def test_parse_bed_topic_inverts_bed_address_topic(leaf: str) -> None:
    bed = p.BedAddress("gh", "icu", "12")
    assert p.Topics.parse_bed_topic(bed.topic(leaf)) == (bed, leaf)


@pytest.mark.parametrize(
    "topic",
    [
        "beckon/v2/gh/icu/bed/12/request",
        "beckon/v1/gh/icu/station/12/request",
        "beckon/v1/gh/icu/bed/12",
        "beckon/v1/gh/icu/bed/12/request/extra",
        "beckon/v1/gh/icu/queue",
        "other/v1/gh/icu/bed/12/request",
        "beckon/v1/gh/icu/bed//request",
        "beckon/v1/gh/icu/bed/+/request",
        "beckon/v1/gh/ic u/bed/12/request",
        "",
    ],
)
def test_parse_bed_topic_refuses_anything_but_a_bed_topic(topic: str) -> None:
    with pytest.raises(p.ProtocolError):
        p.Topics.parse_bed_topic(topic)


def test_unit_and_station_topics_sit_beside_the_beds() -> None:
    assert p.Topics.unit("gh", "icu", "queue") == "beckon/v1/gh/icu/queue"
    assert p.Topics.bed_filter("gh", "icu", "request") == "beckon/v1/gh/icu/bed/+/request"
    assert (
        p.Topics.station_status("gh", "icu", "desk-1") == "beckon/v1/gh/icu/station/desk-1/status"
    )


def test_a_request_knows_its_bed_address() -> None:
    assert a_request().address == p.BedAddress("gh", "icu", "12")


# ---------------------------------------------------------------- schemas


SCHEMA_FILES = sorted(SCHEMAS.glob("*.json"))


def load_schema(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def test_there_is_one_schema_file_per_message_kind() -> None:
    assert {path.stem for path in SCHEMA_FILES} == set(p.message_fields())


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda path: path.name)
def test_each_schema_is_a_valid_draft_2020_12_schema(path: Path) -> None:
    schema = load_schema(path)
    assert schema["$schema"] == DRAFT_2020_12
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda path: path.name)
def test_each_schema_lists_exactly_the_fields_of_its_dataclass(path: Path) -> None:
    schema = load_schema(path)
    assert sorted(schema["properties"]) == sorted(p.message_fields()[path.stem])


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda path: path.name)
def test_each_schema_fixes_its_kind_and_version_and_allows_nothing_else(path: Path) -> None:
    schema = load_schema(path)
    assert schema["properties"]["kind"] == {"const": path.stem}
    assert schema["properties"]["v"] == {"const": p.VERSION}
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda path: path.name)
def test_each_schema_requires_every_field_the_dataclass_cannot_default(path: Path) -> None:
    cls = type(EVERY_KIND[path.stem])
    needed = {f.name for f in fields(cls) if f.default is MISSING}
    assert needed <= set(load_schema(path)["required"])


@pytest.mark.parametrize("stem", ["state"])
def test_request_views_in_schemas_list_exactly_the_request_view_fields(stem: str) -> None:
    items = load_schema(SCHEMAS / f"{stem}.json")["properties"]["requests"]["items"]
    assert sorted(items["properties"]) == sorted(f.name for f in fields(p.RequestView))
    history = items["properties"]["history"]["items"]
    assert sorted(history["properties"]) == sorted(f.name for f in fields(p.StateChange))
    assert items["additionalProperties"] is False
    assert history["additionalProperties"] is False


def test_a_call_lists_the_request_view_fields_but_history() -> None:
    items = load_schema(SCHEMAS / "call.json")["properties"]["request"]
    without = sorted(f.name for f in fields(p.RequestView) if f.name != "history")
    assert sorted(items["properties"]) == without
    assert items["additionalProperties"] is False


def test_unit_of_names_the_unit_of_a_unit_or_bed_topic() -> None:
    bed = p.BedAddress("general", "icu", "b1")
    assert p.Topics.unit_of(bed.topic("request")) == "icu"
    assert p.Topics.unit_of(p.Topics.unit("general", "ward7", "command")) == "ward7"
    for topic in ("beckon/v2/general/icu/command", "beckon/v1/general", "x/y/z/w/v"):
        with pytest.raises(p.ProtocolError):
            p.Topics.unit_of(topic)


def test_request_states_move_forward_only() -> None:
    """One order of states for every end: a late message never moves a request back."""
    assert p.REQUEST_STATES[0] == "created" and set(p.REQUEST_STATES) > p.CLOSED_STATES
    assert p.is_backwards("acknowledged", "received")
    assert not p.is_backwards("received", "acknowledged")
    assert not p.is_backwards(None, "created")
    assert not p.is_backwards("received", "something-else")


def test_a_pain_level_travels_with_the_request_and_into_the_station_views() -> None:
    req = a_request(level=7)
    assert p.decode(p.encode(req)) == req
    assert "level" not in json.loads(p.encode(a_request()))  # absent unless chosen
    call = p.Call("general", "icu-3", p.now_iso(), a_view(level=7, history=()))
    assert p.decode(p.encode(call)) == call
    state = p.BedState("general", "icu-3", "12", p.now_iso(), (a_view(level=0), a_view()))
    assert p.decode(p.encode(state)) == state
    assert "level" not in json.loads(p.encode(state))["requests"][1]


@pytest.mark.parametrize("level", [-1, 11, 7.5, "7", True])
def test_a_level_outside_0_to_10_is_refused(level: Any) -> None:
    with pytest.raises(p.ProtocolError, match="level"):
        p.decode(request_with(level=level))


def test_nurse_at_bed_clear_needs_the_request_and_presence_leaves_it_off_the_wire() -> None:
    present = p.NurseAtBed(ID, "gh", "icu", "12", "present", "Kim", T1)
    assert '"id"' not in p.encode(present).decode()
    assert p.decode(p.encode(present)) == present
    data = json.loads(p.encode(replace(present, action="clear", id=ID)))
    del data["id"]
    with pytest.raises(p.ProtocolError, match="id"):
        p.decode(json.dumps(data).encode())


def test_a_queue_without_a_nurse_in_a_room_is_sent_as_before() -> None:
    summary = p.QueueSummary("gh", "icu", T1, 0)
    assert "present_beds" not in p.encode(summary).decode()
    with_nurse = replace(summary, present_beds=("12",))
    assert p.decode(p.encode(with_nurse)) == with_nurse


# ---------------------------------------------------------------- bed health in the status


def test_a_status_carries_the_beds_voice_engine_backlog_and_version() -> None:
    status = p.BedStatus("gh", "icu", "12", True, T0, ("voice",), "0.4.0", (), "vosk:ko", 2, 45)
    back = p.decode(p.encode(status))
    assert isinstance(back, p.BedStatus)
    assert (back.voice, back.backlog, back.backlog_age_s, back.software) == (
        "vosk:ko",
        2,
        45,
        "0.4.0",
    )


def test_a_status_from_an_older_bed_without_health_fields_still_parses() -> None:
    old = {"v": 1, "kind": "status", "site": "gh", "unit": "icu", "bed": "12"}
    old |= {"online": True, "at": T0, "software": "0.1.0", "faults": []}
    msg = p.decode(payload(old))
    assert isinstance(msg, p.BedStatus)
    assert (msg.voice, msg.backlog, msg.backlog_age_s) == (None, None, None)
    # and what is not reported stays off the wire (a last will is what it always was)
    assert b"voice" not in p.encode(msg) and b"backlog" not in p.encode(msg)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("voice", "Vosk KO"),
        ("voice", ""),
        ("voice", "v" * 41),
        ("backlog", -1),
        ("backlog", "3"),
        ("backlog", True),
        ("backlog_age_s", -5),
        ("backlog_age_s", 1.5),
    ],
)
def test_decode_refuses_bad_bed_health_values(key: str, value: Any) -> None:
    data = as_dict(EVERY_KIND["status"])
    data[key] = value
    with pytest.raises(p.ProtocolError, match=key):
        p.decode(payload(data))


@pytest.mark.parametrize("text", ["line1\nCRITICAL fake", "tab\there", "nul\x00", "bell\x07"])
def test_a_control_character_in_any_text_is_refused_both_ways(text: str) -> None:
    """A newline in a question wrote a fake CRITICAL line into the station's log."""
    question = p.Question(p.new_request_id(), "gh", "icu", "12", text, "Kim", p.now_iso())
    with pytest.raises(p.ProtocolError, match="at text: a control character"):
        p.encode(question)
    raw = json.dumps({**json.loads(p.encode(replace(question, text="ok"))), "text": text})
    with pytest.raises(p.ProtocolError, match="at text: a control character"):
        p.decode(raw.encode())
    named = replace(question, text="ok", asked_by=text)
    with pytest.raises(p.ProtocolError, match="at asked_by"):
        p.encode(named)


def test_korean_and_other_printable_text_still_travels() -> None:
    text = "통증이 있으세요? (0-10) ½ — ok"
    question = p.Question(p.new_request_id(), "gh", "icu", "12", text, "김 간호사", p.now_iso())
    assert p.decode(p.encode(question)) == question
