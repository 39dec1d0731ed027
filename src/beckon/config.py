"""Configuration: one TOML file per role, overridable by environment variables and flags.

Precedence, lowest first: built-in defaults, the TOML file, ``BECKON_<SECTION>_<KEY>``
environment variables (for example ``BECKON_BROKER_URL``), command-line flags. Everything is
validated into frozen dataclasses; a wrong or missing key raises ConfigError with one line that
names the file, the key and what is expected.
"""

from __future__ import annotations

import dataclasses
import math
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args, get_origin
from urllib.parse import urlsplit

from beckon import paths
from beckon.bedside.interaction import LATE_STEP_MAX_S, LATE_STEP_RANGE_S
from beckon.errors import ConfigError
from beckon.messaging.protocol import (
    HEARTBEAT_S,
    PRESENCE_FRESH_S,
    SEGMENT,
    SEGMENT_HELP,
    Source,
)
from beckon.tomlfile import read_toml

Language = Literal["en", "ko"]
Input = Source  # an input the bedside offers is the source its requests name on the wire

RECONNECT_MAX_S = 30
"""The longest wait between a broker link's reconnect attempts (``broker.reconnect_max_s``,
used by ``beckon.messaging.mqtt.MqttLink``): defined here, where the setting's default and
range are, because the link's module reads its settings from this one."""

LOCK_WAIT_S = 45.0
"""How long a starting station service waits for a lock that another process holds and lets
go of when it stops: another station service on this machine using its database (or instance
file; ``take_station_lock``), or another program inside a write transaction on its SQLite
database (``StationService._open_store``). It says so once, tries again every LOCK_POLL_S, starts as
soon as the lock is free, and gives up after this long with status 2, which the units restart.
Why not status 78 (not restarted, like SECOND STATION): the lock frees by itself (a station
run by hand ends, a backup finishes, ``beckon doctor`` looks at the lock for an instant), and
a unit left stopped then has no station until someone starts it. Why not exit at once: under
``Restart=always`` with ``RestartSec=2`` each start logged the refusal again, one line every
3.9 s for the local lock and every 10.4 s for a database lock (its 5 s busy timeout
included), for as long as the other held it (session 44, real processes). The
station unit's ``TimeoutStartSec`` covers both waits: READY=1 comes after them.

The wait is ``station.lock_wait_s`` (StationConfig), this long unless set shorter: never
longer, so that the unit's TimeoutStartSec (2 x LOCK_WAIT_S + 30) still covers both waits.
A shorter wait is for tests of the refusal itself, which need not sit out 45 s each."""

PRESENCE_FRESH_MIN_S = 2 * HEARTBEAT_S
"""The shortest ``station.presence_fresh_s``: two heartbeats. The setting shortens only how
long a starting station waits out a presence it has heard not refreshed (a dead station's);
no shorter, so that wait still outlasts a running station's late heartbeat."""


OFFER_SECONDS = (0.5, 600.0)
"""How long the scanning menu offers each choice, at least and at most (config and profile)."""
_NON_EMPTY = frozenset({"units", "inputs", "offered_intents"})
_RANGES: dict[str, tuple[float, float, str]] = {
    "keepalive": (1, 65535, "seconds between MQTT keep-alives; 0 would stop noticing a cut cable"),
    "offer_seconds": (*OFFER_SECONDS, "each choice of the scanning menu is offered this long"),
    **{
        name: (0, 86400, "seconds before a call escalates, at most a day; 0 turns it off")
        for name in ("routine_s", "urgent_s", "emergency_s", "reminder_after_ack_s")
    },
    "receipt_alarm_s": (
        1,
        3600,
        "seconds a request waits for the station's receipt before the tablet alarms; 0 "
        "alarmed at every request",
    ),
    "hook_timeout_s": (0.1, 300, "seconds the pager hook may take"),
    "late_step_max_s": (
        *LATE_STEP_RANGE_S,
        "seconds after it was made that a next or previous gesture reported late still moves "
        "the menu; shorter drops ordinary deferred steps, longer is no bound",
    ),
    "lock_wait_s": (
        0,
        LOCK_WAIT_S,
        "seconds a starting station waits for a lock another process holds; longer would "
        "outlast the unit's start timeout",
    ),
    "presence_fresh_s": (
        PRESENCE_FRESH_MIN_S,
        PRESENCE_FRESH_S,
        "seconds a starting station waits out a stopped station's unrefreshed presence "
        "(tests only); a shorter value shortens only that wait, not which stations count as "
        "running nor the clock difference tolerated",
    ),
    "reconnect_max_s": (
        1,
        RECONNECT_MAX_S,
        "the longest wait in seconds between reconnect attempts to the broker; longer would "
        "leave units unserved that long after the broker is back",
    ),
    "not_serving_after_s": (
        1,
        PRESENCE_FRESH_S,
        "seconds a unit goes unserved before the station says it is not serving it (tests "
        'only); longer would say "serving" while its tablets say "no station"',
    ),
}
"""Fields whose number must lie in a range (low, high, why), checked when loaded: outside it
the service would crash later (the MQTT library refuses the keep-alive, the menu its timing)
while ``beckon config check`` said the file was fine."""


def is_postgres_url(value: str) -> bool:
    """A station store that is PostgreSQL (``station.store``, ``--store``)."""
    return value.startswith(("postgresql://", "postgres://"))


@dataclass(frozen=True)
class BrokerConfig:
    """How to reach the MQTT broker. ``mqtts://`` turns TLS on."""

    url: str = "mqtt://127.0.0.1:1883"
    username: str = ""
    password: str = ""
    password_file: str = ""
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    keepalive: int = 30
    reconnect_max_s: int = RECONNECT_MAX_S
    """The longest wait between reconnect attempts after a lost connection: paho doubles its
    wait from RECONNECT_MIN_S after each failed attempt up to this. 30 s unless set shorter,
    which only tests have a reason to do (a cut link back within a second of its restore,
    not up to 31 s later); longer would leave a unit unserved up to that long after its
    broker is back."""

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (8883 if parts.scheme == "mqtts" else 1883)

    @property
    def tls(self) -> bool:
        return urlsplit(self.url).scheme == "mqtts"

    def resolved_password(self) -> str:
        """The password; ``password_file`` wins, which keeps secrets out of the TOML file."""
        if self.password_file:
            return Path(self.password_file).read_text(encoding="utf-8").strip()
        return self.password


@dataclass(frozen=True)
class BedsideConfig:
    """One bedside tablet: where it is, what it listens to."""

    site: str
    unit: str
    bed: str
    language: Language = "en"
    inputs: tuple[Input, ...] = ("gesture", "touch")
    camera: str = "0"
    outbox: str = ""
    offer_seconds: float = 4.0
    offered_intents: tuple[str, ...] = ("nurse", "water", "pain")
    profile: str = ""
    metrics: str = ""  # HOST:PORT of the Prometheus endpoint (beckon.metrics); "" is off
    receipt_alarm_s: float = 60.0
    """Seconds a request may wait for the station's receipt before the tablet alarms."""
    late_step_max_s: float = LATE_STEP_MAX_S
    """Seconds after it was made that a next or previous gesture reported late still moves the
    menu (``Interaction._too_late_to_step``): a setting of the tablet, not of the patient,
    because it follows how late the vision engine reports a step."""
    face_retry: bool = True
    """Look again in a crop when the camera's whole picture shows no face: finds small faces
    turned from the camera that MediaPipe misses (``beckon.vision.smallface``). Off only to
    measure or if a background face (a TV) is found while the patient is away."""
    microphone: str = ""
    """The input device: "" the system's default, a number that device's index, any other text
    a device whose name contains it (``python3 -m sounddevice`` lists them). A tablet with a
    headset and a built-in microphone could only ever use the default."""

    def microphone_device(self) -> str | int | None:
        """``microphone`` as PortAudio takes it (None: the default device)."""
        text = self.microphone.strip()
        if not text:
            return None
        return int(text) if text.isdigit() else text

    def outbox_path(self) -> Path:
        if self.outbox:
            return Path(self.outbox)
        return paths.state_dir() / f"outbox-{self.site}-{self.unit}-{self.bed}.sqlite3"


@dataclass(frozen=True)
class EscalationConfig:
    """Seconds a request may wait unacknowledged, per priority, before it escalates."""

    routine_s: float = 300.0
    urgent_s: float = 120.0
    emergency_s: float = 30.0
    reminder_after_ack_s: float = 600.0
    hook_url: str = ""
    """POSTed a JSON notice for each escalation (a pager or phone gateway); "" = none."""
    hook_command: tuple[str, ...] = ()
    """Run for each escalation with the JSON notice on its standard input; () = none."""
    hook_timeout_s: float = 5.0

    def limit_for(self, priority: str) -> float:
        return {"routine": self.routine_s, "urgent": self.urgent_s}.get(priority, self.emergency_s)


@dataclass(frozen=True)
class StationConfig:
    """The nurse-station service: which units it serves and where it keeps requests."""

    site: str
    units: tuple[str, ...]
    name: str = "station"
    database: str = ""
    language: Language = "en"
    metrics: str = ""  # HOST:PORT of the Prometheus endpoint (beckon.metrics); "" is off
    store: str = ""  # postgresql://... for the PostgreSQL store; "" keeps SQLite (database)
    lock_wait_s: float = LOCK_WAIT_S  # how long a starting service waits for a held lock
    # How long after its stamp a starting station waits out a presence heard NOT refreshed
    # (a dead station's; exclusive.refuse_second_station): PRESENCE_FRESH_S unless set shorter,
    # which only tests have a reason to do. Which presences count as a running station, and
    # the alarms while serving, keep PRESENCE_FRESH_S (review rev47t: clock skew).
    presence_fresh_s: float = PRESENCE_FRESH_S
    not_serving_after_s: float = PRESENCE_FRESH_S
    """How long a unit may be unserved (its link down, or re-checking for a twin) before the
    station says it is not serving it: its status, health and one "STATION NOT SERVING" line
    (``LinkProbe.unserved_long``). PRESENCE_FRESH_S, when the unit's tablets say "no station",
    unless set shorter, which only tests have a reason to do; never longer, or the station
    would say "serving" while its tablets say "no station"."""

    def database_path(self) -> Path:
        if self.database:
            return Path(self.database)
        return paths.state_dir() / f"station-{self.site}-{self.name}.sqlite3"

    def instance_file(self) -> Path:
        """The file whose lock (:mod:`beckon.instance`) says this station service runs on this
        machine: its SQLite database, or with PostgreSQL (no database file here) a name of
        its own in the state folder."""
        if self.store:
            return paths.state_dir() / f"station-{self.site}-{self.name}.postgresql"
        return self.database_path()


@dataclass(frozen=True)
class BedsideSettings:
    """Everything the bedside role reads: the ``[bedside]`` and ``[broker]`` tables."""

    bedside: BedsideConfig
    broker: BrokerConfig = field(default_factory=BrokerConfig)
    source: str = "<defaults>"


@dataclass(frozen=True)
class StationSettings:
    """Everything the station role reads: ``[station]``, ``[broker]``, ``[escalation]``."""

    station: StationConfig
    broker: BrokerConfig = field(default_factory=BrokerConfig)
    escalation: EscalationConfig = field(default_factory=EscalationConfig)
    source: str = "<defaults>"


if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")
T_NUM = TypeVar("T_NUM", int, float)

_SECTIONS: dict[str, dict[str, type]] = {
    "bedside": {"bedside": BedsideConfig, "broker": BrokerConfig},
    "station": {"station": StationConfig, "broker": BrokerConfig, "escalation": EscalationConfig},
}


def load_bedside(
    path: Path | None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> BedsideSettings:
    """Load the bedside role's settings. ``overrides`` use dotted keys such as ``bedside.bed``."""
    tables, source = _load_tables("bedside", path, overrides, env)
    return BedsideSettings(
        bedside=_build(BedsideConfig, tables.get("bedside", {}), source, "bedside"),
        broker=_build(BrokerConfig, tables.get("broker", {}), source, "broker"),
        source=source,
    )


def load_station(
    path: Path | None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> StationSettings:
    """Load the station role's settings."""
    tables, source = _load_tables("station", path, overrides, env)
    return StationSettings(
        station=_build(StationConfig, tables.get("station", {}), source, "station"),
        broker=_build(BrokerConfig, tables.get("broker", {}), source, "broker"),
        escalation=_build(EscalationConfig, tables.get("escalation", {}), source, "escalation"),
        source=source,
    )


def _load_tables(
    role: str,
    path: Path | None,
    overrides: Mapping[str, Any] | None,
    env: Mapping[str, str] | None,
) -> tuple[dict[str, dict[str, Any]], str]:
    sections = _SECTIONS[role]
    source = str(path) if path else "<defaults>"
    tables: dict[str, dict[str, Any]] = {}
    if path is not None:
        raw = read_toml(path, "file not found", f"copy deploy/{role}.example.toml and edit it")
        for name, table in raw.items():
            if name not in sections:
                raise ConfigError(
                    f"{path}: unknown table [{name}]; a {role} file has "
                    + ", ".join(f"[{s}]" for s in sections)
                )
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: {name} must be a table ([{name}])")
            tables[name] = dict(table)
    environ = os.environ if env is None else env
    for section, cls in sections.items():
        for f in dataclasses.fields(cls):
            var = f"BECKON_{section}_{f.name}".upper()
            if var in environ:
                tables.setdefault(section, {})[f.name] = _EnvValue(var, environ[var])
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        section, _, key = dotted.partition(".")
        if section not in sections:  # a programming error in a caller, said plainly
            raise ConfigError(f"override {dotted!r}: a {role} has no [{section}] table")
        tables.setdefault(section, {})[key] = _Override(value)
    return tables, source


@dataclass(frozen=True)
class _EnvValue:
    """A value that came from an environment variable: a string to be parsed by type."""

    var: str
    text: str


@dataclass(frozen=True)
class _Override:
    """A value given on the command line (a flag such as ``--broker``), not in the file: a
    wrong one is blamed on the command line."""

    value: Any


def _build(cls: type[T], table: Mapping[str, Any], source: str, section: str) -> T:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in table:
        if key not in fields:
            raise ConfigError(
                f"{source}: unknown key {section}.{key}; known keys are " + ", ".join(fields)
            )
    values: dict[str, Any] = {}
    for name, f in fields.items():
        where = f"{source}: {section}.{name}"
        if name not in table:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(
                    f"{where} is missing; expected {_describe(hints[name], name)}",
                    "pass --config FILE (start from deploy/*.example.toml)"
                    if source == "<defaults>"
                    else None,
                )
            continue
        raw = table[name]
        if isinstance(raw, _EnvValue):
            where = f"environment variable {raw.var}"
            raw = _parse_env(raw.text, hints[name])
        elif isinstance(raw, _Override):
            where = f"the command line's value for {section}.{name}"
            raw = raw.value
        values[name] = _coerce(raw, hints[name], where, name)
    return cls(**values)


def _parse_env(text: str, hint: Any) -> Any:
    origin = get_origin(hint)
    if origin is tuple:
        return [part.strip() for part in text.split(",") if part.strip()]
    if hint is bool:
        return {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}.get(
            text.strip().lower(), text
        )
    for number in (int, float):
        if hint is number:
            try:
                return number(text)
            except ValueError:
                return text
    return text


def _describe(hint: Any, name: str) -> str:
    origin = get_origin(hint)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(hint))
    if origin is tuple:
        return "a list of " + _describe(get_args(hint)[0], name)
    if hint is str and name in {"site", "unit", "bed", "name"}:
        return "a name of " + SEGMENT_HELP
    return {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}.get(
        hint, str(hint)
    )


def _coerce(value: Any, hint: Any, where: str, name: str) -> Any:
    origin = get_origin(hint)
    expected = _describe(hint, name)
    if origin is Literal:
        if value not in get_args(hint):
            raise ConfigError(f"{where} is {value!r}; expected {expected}")
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where} is {value!r}; expected {expected}")
        if name in _NON_EMPTY and not value:
            raise ConfigError(f"{where} is empty; expected {expected} with at least one entry")
        (item,) = get_args(hint)[:1]
        return tuple(_coerce(v, item, f"{where}[{i}]", name) for i, v in enumerate(value))
    if origin in (typing.Union, types.UnionType):
        raise TypeError("unions are not used in config")  # pragma: no cover - developer error
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} is {value!r}; expected {expected}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} is {value!r}; expected {expected}")
        return _in_range(value, where, name)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where} is {value!r}; expected {expected}")
        if not math.isfinite(value) or value < 0:
            raise ConfigError(f"{where} is {value!r}; expected a finite number of at least 0")
        return _in_range(float(value), where, name)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} is {value!r}; expected {expected}")
        if name in {"site", "unit", "bed", "name", "units"} and not SEGMENT.fullmatch(value):
            raise ConfigError(f"{where} is {value!r}; expected {SEGMENT_HELP}")
        if name == "store" and value and not is_postgres_url(value):
            raise ConfigError(
                f'{where} is {value!r}; expected "" (SQLite, see database) or '
                "postgresql://USER@HOST:PORT/DATABASE"
            )
        if name == "metrics" and value and not _is_host_port(value):
            raise ConfigError(
                f'{where} is {value!r}; expected HOST:PORT such as 127.0.0.1:9464, or "" (off)'
            )
        if name == "url" and not _is_broker_url(value):
            raise ConfigError(
                f"{where} is {value!r}; expected mqtt://HOST:PORT or mqtts://HOST:PORT"
            )
        return value
    raise TypeError(f"unsupported config type {hint!r}")  # pragma: no cover - developer error


def _in_range(value: T_NUM, where: str, name: str) -> T_NUM:
    if name in _RANGES:
        low, high, why = _RANGES[name]
        if not low <= value <= high:
            bounds = f"at least {low:g}" if high == math.inf else f"{low:g} to {high:g}"
            raise ConfigError(f"{where} is {value!r}; expected {bounds} ({why})")
    return value


def _is_host_port(value: str) -> bool:
    host, sep, port = value.rpartition(":")
    return bool(sep and host and port.isdigit() and 0 < int(port) < 65536)


def _is_broker_url(value: str) -> bool:
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number 0..65535
    except ValueError:
        return False
    host = parts.hostname or ""
    if not host or any(c.isspace() for c in host) or parts.port == 0:
        return False  # "mqtt://" would quietly mean this machine; port 0 is no port
    return parts.scheme in {"mqtt", "mqtts"}
