"""Fuzzing with hypothesis: every message parser and the config loader.

The promise under test: whatever arrives, a parser answers with a value or with the one error
its caller catches (ProtocolError for messages, ConfigError for configuration), never with
another exception (a traceback, a crash loop). Services that receive garbage change nothing.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beckon.bedside.service import BedsideService
from beckon.config import (
    BedsideConfig,
    BedsideSettings,
    StationConfig,
    StationSettings,
    load_bedside,
    load_station,
)
from beckon.errors import ConfigError
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Message
from beckon.messaging.outbox import Outbox
from beckon.station import queueview
from beckon.station.service import StationService
from beckon.station.store import RequestStore
from tests.helpers.deploy import PROTOCOL_DOC

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**50, max_value=10**60)
    | st.floats(allow_nan=False)
    | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)

# One valid message of every kind: the examples of docs/protocol.md (tests/deploy checks that
# they decode and name every kind).
EXAMPLES = {
    doc["kind"]: doc
    for doc in (
        json.loads(block)
        for block in re.findall(r"```json\n(.*?)```", PROTOCOL_DOC.read_text(), flags=re.DOTALL)
    )
}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document a value sits at."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*prefix, i))
    return found


@st.composite
def mutated_messages(draw: st.DrawFn) -> bytes:
    """A valid message of some kind with one value replaced, one key dropped or one added."""
    kind = draw(st.sampled_from(sorted(EXAMPLES)))
    doc = json.loads(json.dumps(EXAMPLES[kind]))
    where = draw(st.sampled_from(_paths(doc)))
    parent = doc
    for step in where[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "drop", "add"]))
    if action == "replace":
        parent[where[-1]] = draw(json_values)
    elif action == "drop" and isinstance(parent, dict):
        del parent[where[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.text(max_size=10))] = draw(json_values)
    return json.dumps(doc).encode()


def _parse_or_protocol_error(payload: bytes) -> p.Message | None:
    try:
        msg = p.decode(payload)
    except p.ProtocolError:
        return None
    assert p.decode(p.encode(msg)) == msg  # whatever is accepted is what the sender could send
    return msg


@FUZZ
@given(st.binary(max_size=2000))
def test_decode_of_any_bytes_is_a_message_or_a_protocol_error(payload: bytes) -> None:
    _parse_or_protocol_error(payload)


@FUZZ
@given(json_values)
def test_decode_of_any_json_is_a_message_or_a_protocol_error(value: Any) -> None:
    _parse_or_protocol_error(json.dumps(value).encode())


@FUZZ
@given(mutated_messages())
def test_decode_of_a_mutated_message_is_a_message_or_a_protocol_error(payload: bytes) -> None:
    _parse_or_protocol_error(payload)


@FUZZ
@given(st.text(max_size=80), st.binary(max_size=600))
def test_the_queue_assembler_takes_anything(topic_tail: str, payload: bytes) -> None:
    assembler = queueview.QueueAssembler("gh", "icu")
    prefix = p.Topics.call_filter("gh", "icu")[:-1]
    for topic in (prefix + topic_tail, p.Topics.unit("gh", "icu", "queue"), topic_tail):
        assembler.apply(topic, payload)
    snapshot = assembler.snapshot()
    assert snapshot is None or all(r.state in p.OPEN_STATES for r in snapshot.requests)


# ---------------------------------------------------------------- services given garbage


@pytest.fixture(scope="module")
def station() -> StationService:
    """A station whose store is a real SQLite file and which has no broker link (publishing
    goes nowhere): only its handling of what arrives is under test."""
    folder = Path(tempfile.mkdtemp(prefix="beckon-fuzz-"))
    service = StationService(
        StationSettings(StationConfig(site="gh", units=("icu",), database=str(folder / "s.db")))
    )
    service._store = RequestStore(folder / "s.db")
    service._open = {"icu": {}}
    return service


TOPIC_LEAVES = ("request", "cancel", "status", "answer", "receipt", "state")


@FUZZ
@given(
    st.sampled_from(TOPIC_LEAVES) | st.just("command"),
    st.one_of(mutated_messages(), st.binary(max_size=300)),
)
def test_the_station_drops_garbage_without_storing_it(
    station: StationService, leaf: str, payload: bytes
) -> None:
    topic = (
        p.Topics.unit("gh", "icu", "command")
        if leaf == "command"
        else p.BedAddress("gh", "icu", "12").topic(leaf)
    )
    before = station.store.count()
    station.handle(Message(topic, payload))
    # Only a well-formed request from bed 12 of this unit may add a request.
    if station.store.count() != before:
        msg = p.decode(payload)
        assert isinstance(msg, p.Request) and leaf == "request" and msg.bed == "12"


@pytest.fixture(scope="module")
def bedside() -> BedsideService:
    folder = Path(tempfile.mkdtemp(prefix="beckon-fuzz-bed-"))
    service = BedsideService(
        BedsideSettings(BedsideConfig(site="gh", unit="icu", bed="12", inputs=("touch",))),
        outbox=Outbox(folder / "outbox.db"),
    )
    return service


@FUZZ
@given(
    st.sampled_from(("receipt", "state", "question")),
    st.one_of(mutated_messages(), st.binary(max_size=300)),
)
def test_the_bedside_survives_whatever_arrives(
    bedside: BedsideService, leaf: str, payload: bytes
) -> None:
    bedside.handle(Message(bedside.address.topic(leaf), payload))


# ---------------------------------------------------------------- the config loader

toml_scalars = (
    st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.text(max_size=30)
)
toml_values = toml_scalars | st.lists(toml_scalars, max_size=4)
KEYS = {
    "station": [*StationConfig.__dataclass_fields__, "nonsense"],
    "bedside": [*BedsideConfig.__dataclass_fields__, "nonsense"],
    "broker": ["url", "username", "password", "keepalive", "ca_file", "nonsense"],
    "escalation": ["routine_s", "urgent_s", "emergency_s", "reminder_after_ack_s"],
}


def _toml_value(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, bool) else str(value).lower()


@st.composite
def config_files(draw: st.DrawFn, role: str) -> str:
    tables = ["broker", role] + (["escalation"] if role == "station" else [])
    lines = []
    for table in draw(st.lists(st.sampled_from([*tables, "bogus"]), unique=True, max_size=3)):
        lines.append(f"[{table}]")
        for key in draw(st.lists(st.sampled_from(KEYS.get(table, ["x"])), unique=True)):
            lines.append(f"{key} = {_toml_value(draw(toml_values))}")
    return "\n".join(lines) + "\n"


@FUZZ
@given(
    st.sampled_from(["bedside", "station"]).flatmap(
        lambda r: st.tuples(st.just(r), config_files(r))
    )
)
def test_the_config_loader_gives_settings_or_a_config_error(case: tuple[str, str]) -> None:
    role, text = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.toml"
        path.write_text(text)
        load = load_bedside if role == "bedside" else load_station
        try:
            loaded = load(path, env={})
        except ConfigError as exc:
            assert str(exc)  # says what is wrong
            return
        assert asdict(loaded)


@FUZZ
@given(st.text(max_size=300))
def test_the_config_loader_takes_any_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        for load in (load_bedside, load_station):
            with contextlib.suppress(ConfigError):
                load(path, env={})


@FUZZ
@given(st.dictionaries(st.sampled_from(["BECKON_BROKER_KEEPALIVE", "BECKON_BEDSIDE_BED",
                                        "BECKON_STATION_UNITS", "BECKON_BEDSIDE_INPUTS"]),
                       st.text(max_size=20)))  # fmt: skip
def test_environment_values_give_settings_or_a_config_error(env: dict[str, str]) -> None:
    overrides = {"bedside.site": "gh", "bedside.unit": "icu", "bedside.bed": "1"}
    station = {"station.site": "gh", "station.units": ["icu"]}
    clean = {k: v for k, v in env.items() if "\x00" not in v}
    with contextlib.suppress(ConfigError):
        load_bedside(None, overrides, env=clean)
    with contextlib.suppress(ConfigError):
        load_station(None, station, env=clean)
