"""Configuration: one TOML file per role, then environment variables, then flags.

A wrong or missing setting stops the service with ONE line that names the file (or variable),
the key and what was expected, so hospital IT can fix it without reading a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from beckon.config import (
    LOCK_WAIT_S,
    BedsideSettings,
    BrokerConfig,
    EscalationConfig,
    StationSettings,
    load_bedside,
    load_station,
)
from beckon.errors import ConfigError
from beckon.messaging.protocol import PRESENCE_FRESH_S

NO_ENV: dict[str, str] = {}
DEPLOY = Path(__file__).resolve().parents[1] / "deploy"

BEDSIDE_FULL = """
[bedside]
site = "gh"
unit = "icu"
bed = "12"
language = "ko"
inputs = ["gesture", "voice", "touch"]
camera = "/dev/video2"
outbox = "/var/lib/beckon/outbox.sqlite3"
offer_seconds = 3.5
offered_intents = ["nurse", "water"]
face_retry = false

[broker]
url = "mqtts://broker.hospital.example:8884"
username = "bed-12"
password = "in-the-file"
password_file = "/etc/beckon/password"
ca_file = "/etc/beckon/ca.pem"
cert_file = "/etc/beckon/bed-12.pem"
key_file = "/etc/beckon/bed-12.key"
keepalive = 15
"""

STATION_FULL = """
[station]
site = "gh"
units = ["icu", "ward-3"]
name = "desk-1"
database = "/var/lib/beckon/station.sqlite3"
language = "ko"

[broker]
url = "mqtt://10.0.0.5:1884"
keepalive = 60

[escalation]
routine_s = 240
urgent_s = 90.5
emergency_s = 20
reminder_after_ack_s = 480
"""

BEDSIDE_MINIMAL = '[bedside]\nsite = "gh"\nunit = "icu"\nbed = "12"\n'
STATION_MINIMAL = '[station]\nsite = "gh"\nunits = ["icu"]\n'


def write(tmp_path: Path, text: str, name: str = "beckon.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def bedside_from(tmp_path: Path, text: str, **kwargs: Any) -> BedsideSettings:
    kwargs.setdefault("env", NO_ENV)
    return load_bedside(write(tmp_path, text), **kwargs)


def station_from(tmp_path: Path, text: str, **kwargs: Any) -> StationSettings:
    kwargs.setdefault("env", NO_ENV)
    return load_station(write(tmp_path, text), **kwargs)


# ---------------------------------------------------------------- happy paths


def test_a_station_waits_for_a_held_lock_45_s_unless_its_file_says_less(tmp_path: Path) -> None:
    """``station.lock_wait_s``: the shipped wait is LOCK_WAIT_S; a file may shorten it (tests
    of the refusal itself need not sit it out), never lengthen it past the unit's start
    timeout (the error case is in the table below)."""
    assert station_from(tmp_path, STATION_MINIMAL).station.lock_wait_s == LOCK_WAIT_S == 45.0
    shorter = station_from(tmp_path, STATION_MINIMAL + "lock_wait_s = 1.5\n")
    assert shorter.station.lock_wait_s == 1.5


def test_a_station_takes_a_presence_for_fresh_15_s_unless_its_file_says_less(
    tmp_path: Path,
) -> None:
    """``station.presence_fresh_s``: the shipped freshness is PRESENCE_FRESH_S; a file may
    shorten it (tests of a dead station's presence need not wait for it to go stale at 15
    s), never below two heartbeats nor past 15 s (the error cases are in the table below)."""
    assert station_from(tmp_path, STATION_MINIMAL).station.presence_fresh_s == 15.0
    assert PRESENCE_FRESH_S == 15.0
    shorter = station_from(tmp_path, STATION_MINIMAL + "presence_fresh_s = 10\n")
    assert shorter.station.presence_fresh_s == 10.0


def test_a_station_says_not_serving_after_15_s_and_waits_30_s_at_most_unless_told_less(
    tmp_path: Path,
) -> None:
    """``station.not_serving_after_s`` and ``broker.reconnect_max_s``: the shipped values are
    PRESENCE_FRESH_S (when the unit's tablets say "no station") and paho's 30 s back-off cap;
    a file may shorten them (tests of a link down need not sit out 15 s and paho's 31 s
    retry), never lengthen them (the error cases are in the table below)."""
    shipped = station_from(tmp_path, STATION_MINIMAL)
    assert shipped.station.not_serving_after_s == PRESENCE_FRESH_S
    assert shipped.broker.reconnect_max_s == 30
    shorter = station_from(
        tmp_path, STATION_MINIMAL + "not_serving_after_s = 3\n[broker]\nreconnect_max_s = 2\n"
    )
    assert (shorter.station.not_serving_after_s, shorter.broker.reconnect_max_s) == (3.0, 2)


def test_a_bedside_file_with_every_key_is_read_as_written(tmp_path: Path) -> None:
    settings = bedside_from(tmp_path, BEDSIDE_FULL)
    bed, broker = settings.bedside, settings.broker
    assert (bed.site, bed.unit, bed.bed) == ("gh", "icu", "12")
    assert bed.language == "ko"
    assert bed.inputs == ("gesture", "voice", "touch")
    assert bed.camera == "/dev/video2"
    assert bed.outbox_path() == Path("/var/lib/beckon/outbox.sqlite3")
    assert bed.offer_seconds == 3.5
    assert bed.offered_intents == ("nurse", "water")
    assert bed.face_retry is False
    assert broker == BrokerConfig(
        url="mqtts://broker.hospital.example:8884",
        username="bed-12",
        password="in-the-file",
        password_file="/etc/beckon/password",
        ca_file="/etc/beckon/ca.pem",
        cert_file="/etc/beckon/bed-12.pem",
        key_file="/etc/beckon/bed-12.key",
        keepalive=15,
    )
    assert settings.source == str(tmp_path / "beckon.toml")


def test_a_station_file_with_every_key_is_read_as_written(tmp_path: Path) -> None:
    settings = station_from(tmp_path, STATION_FULL)
    station = settings.station
    assert (station.site, station.units, station.name) == ("gh", ("icu", "ward-3"), "desk-1")
    assert station.database_path() == Path("/var/lib/beckon/station.sqlite3")
    assert station.language == "ko"
    assert (settings.broker.host, settings.broker.port, settings.broker.keepalive) == (
        "10.0.0.5",
        1884,
        60,
    )
    assert settings.escalation == EscalationConfig(
        routine_s=240.0, urgent_s=90.5, emergency_s=20.0, reminder_after_ack_s=480.0
    )


def test_whole_numbers_in_seconds_become_floats(tmp_path: Path) -> None:
    escalation = station_from(tmp_path, STATION_FULL).escalation
    assert isinstance(escalation.routine_s, float)


def test_a_bedside_file_with_only_its_address_gets_the_defaults(
    tmp_path: Path, beckon_home: Path
) -> None:
    settings = bedside_from(tmp_path, BEDSIDE_MINIMAL)
    bed = settings.bedside
    assert bed.language == "en"
    assert bed.inputs == ("gesture", "touch")
    assert bed.camera == "0"
    assert bed.offer_seconds == 4.0
    assert bed.offered_intents == ("nurse", "water", "pain")
    assert bed.face_retry is True
    assert bed.outbox_path() == beckon_home / "state" / "outbox-gh-icu-12.sqlite3"
    assert settings.broker == BrokerConfig()
    assert settings.broker.url == "mqtt://127.0.0.1:1883"


def test_a_station_file_with_only_site_and_units_gets_the_defaults(
    tmp_path: Path, beckon_home: Path
) -> None:
    settings = station_from(tmp_path, STATION_MINIMAL)
    assert settings.station.name == "station"
    assert settings.station.language == "en"
    assert settings.station.database_path() == beckon_home / "state" / "station-gh-station.sqlite3"
    assert settings.escalation == EscalationConfig(300.0, 120.0, 30.0, 600.0)


def test_without_a_file_flags_alone_can_configure_a_role() -> None:
    settings = load_bedside(
        None, {"bedside.site": "gh", "bedside.unit": "icu", "bedside.bed": "7"}, env=NO_ENV
    )
    assert settings.bedside.bed == "7"
    assert settings.source == "<defaults>"


# ---------------------------------------------------------------- errors: one line each


def bedside_error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        bedside_from(tmp_path, text)
    return caught.value


def station_error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        station_from(tmp_path, text)
    return caught.value


def assert_one_line_naming(error: ConfigError, *parts: str) -> None:
    assert "\n" not in error.message, error.message
    for part in parts:
        assert part in error.message, f"{part!r} not in {error.message!r}"


@pytest.mark.parametrize(
    ("extra", "key", "expectation"),
    [
        pytest.param('colour = "blue"', "unknown key bedside.colour", "known keys are", id="key"),
        pytest.param(
            'language = "fr"', "bedside.language", "expected one of 'en', 'ko'", id="enum"
        ),
        pytest.param(
            'inputs = ["gesture", "smell"]',
            "bedside.inputs[1] is 'smell'",
            "expected one of 'gesture', 'voice', 'touch'",
            id="enum-in-list",
        ),
        pytest.param(
            'inputs = "gesture"', "bedside.inputs", "expected a list of one of", id="not-a-list"
        ),
        pytest.param(
            'offer_seconds = "fast"', "bedside.offer_seconds", "expected a number", id="number"
        ),
        pytest.param(
            "offer_seconds = -1",
            "bedside.offer_seconds",
            "a finite number of at least 0",
            id="negative",
        ),
        pytest.param(
            "offer_seconds = nan",
            "bedside.offer_seconds",
            "a finite number of at least 0",
            id="nan",
        ),
        pytest.param(
            "offer_seconds = true", "bedside.offer_seconds", "expected a number", id="bool"
        ),
        pytest.param("camera = 0", "bedside.camera is 0", "expected a string", id="string"),
        pytest.param(
            "receipt_alarm_s = 0",
            "bedside.receipt_alarm_s is 0.0",
            "1 to 3600",
            id="alarm-at-every-request",  # accepted: every request alarmed at once
        ),
        pytest.param("face_retry = 1", "bedside.face_retry", "true or false", id="bool"),
        pytest.param(
            "offered_intents = [1]", "bedside.offered_intents[0]", "a string", id="list-item"
        ),
    ],
)
def test_a_wrong_bedside_value_names_file_key_and_expectation(
    tmp_path: Path, extra: str, key: str, expectation: str
) -> None:
    error = bedside_error(tmp_path, BEDSIDE_MINIMAL + extra + "\n")
    assert_one_line_naming(error, str(tmp_path / "beckon.toml"), key, expectation)


@pytest.mark.parametrize("bed", ["12/b", "+", "#", "", "bed 12", "x" * 65, "12\n"])
def test_a_bed_name_that_cannot_be_a_topic_segment_is_refused(tmp_path: Path, bed: str) -> None:
    text = f'[bedside]\nsite = "gh"\nunit = "icu"\nbed = {json.dumps(bed)}\n'  # a TOML string
    error = bedside_error(tmp_path, text)
    assert_one_line_naming(error, "bedside.bed", "1 to 64 letters, digits, '-' or '_'")


def test_a_unit_with_a_slash_in_a_station_list_names_its_position(tmp_path: Path) -> None:
    error = station_error(tmp_path, '[station]\nsite = "gh"\nunits = ["icu", "a/b"]\n')
    assert_one_line_naming(error, "station.units[1] is 'a/b'", "1 to 64 letters")


@pytest.mark.parametrize(
    ("text", "key", "expectation"),
    [
        pytest.param(
            '[bedside]\nsite = "gh"\nunit = "icu"\n',
            "bedside.bed is missing",
            "expected a name of 1 to 64",
            id="missing-bed",
        ),
        pytest.param(
            '[bedside]\nsite = "gh"\nunit = "icu"\nbed = 12\n',
            "bedside.bed is 12",
            "expected a name of 1 to 64",
            id="bed-number",
        ),
        pytest.param(
            BEDSIDE_MINIMAL + "[broker]\nkeepalive = 30.5\n",
            "broker.keepalive is 30.5",
            "expected a whole number",
            id="keepalive-float",
        ),
        pytest.param(
            BEDSIDE_MINIMAL + "[broker]\nkeepalive = true\n",
            "broker.keepalive is True",
            "expected a whole number",
            id="keepalive-bool",
        ),
        pytest.param(
            BEDSIDE_MINIMAL + '[broker]\nurl = "http://broker:1883"\n',
            "broker.url is 'http://broker:1883'",
            "expected mqtt://HOST:PORT or mqtts://HOST:PORT",
            id="url-scheme",
        ),
        pytest.param(
            BEDSIDE_MINIMAL + '[broker]\nurl = "broker:1883"\n',
            "broker.url",
            "expected mqtt://HOST:PORT",
            id="url-no-scheme",
        ),
        pytest.param(
            BEDSIDE_MINIMAL + '[broker]\nurl = "mqtt://broker:port"\n',
            "broker.url is 'mqtt://broker:port'",
            "expected mqtt://HOST:PORT",
            id="url-port-not-a-number",
        ),
        pytest.param(
            BEDSIDE_MINIMAL + '[broker]\nurl = "mqtt://broker:70000"\n',
            "broker.url",
            "expected mqtt://HOST:PORT",
            id="url-port-out-of-range",
        ),
        pytest.param(
            BEDSIDE_MINIMAL + "[printer]\nmodel = 1\n",
            "unknown table [printer]",
            "a bedside file has [bedside], [broker]",
            id="unknown-table",
        ),
        pytest.param(
            BEDSIDE_MINIMAL + "[escalation]\nroutine_s = 1\n",
            "unknown table [escalation]",
            "a bedside file has",
            id="station-table-in-bedside-file",
        ),
        pytest.param(
            'broker = "mqtt://x"\n' + BEDSIDE_MINIMAL,
            "broker must be a table",
            "[broker]",
            id="not-a-table",
        ),
        pytest.param('[bedside\nsite = "gh"\n', "not valid TOML", "line 1", id="invalid-toml"),
    ],
)
def test_each_bedside_file_error_is_one_line_naming_file_key_and_expectation(
    tmp_path: Path, text: str, key: str, expectation: str
) -> None:
    error = bedside_error(tmp_path, text)
    assert_one_line_naming(error, str(tmp_path / "beckon.toml"), key, expectation)


@pytest.mark.parametrize(
    ("text", "key", "expectation"),
    [
        pytest.param(
            '[station]\nsite = "gh"\n', "station.units is missing", "a list of", id="units"
        ),
        pytest.param(
            '[station]\nsite = "gh"\nunits = "icu"\n', "station.units", "a list of", id="not-list"
        ),
        pytest.param(
            STATION_MINIMAL + "[escalation]\nurgent_s = -5\n",
            "escalation.urgent_s is -5",
            "at least 0",
            id="negative-limit",
        ),
        pytest.param(
            STATION_MINIMAL + "[escalation]\nurgent_s = nan\n",
            "escalation.urgent_s is nan",
            "at least 0",
            id="nan-limit",
        ),
        pytest.param(
            STATION_MINIMAL + "[escalation]\nlow_s = 5\n",
            "unknown key escalation.low_s",
            "routine_s, urgent_s, emergency_s, reminder_after_ack_s",
            id="unknown-key",
        ),
        pytest.param(
            STATION_MINIMAL + "[bedside]\nbed = 1\n",
            "unknown table [bedside]",
            "[station], [broker], [escalation]",
            id="bedside-table-in-station-file",
        ),
        pytest.param(
            STATION_MINIMAL + "[escalation]\nroutine_s = 1e12\n",
            "escalation.routine_s is 1000000000000.0",
            "0 to 86400",
            id="escalation-beyond-a-day",  # accepted, it crashed the station at the first call
        ),
        pytest.param(
            STATION_MINIMAL + "[escalation]\nhook_timeout_s = 0\n",
            "escalation.hook_timeout_s is 0.0",
            "0.1 to 300",
            id="hook-timeout",  # checked only at start, its message with the file named twice
        ),
        pytest.param(
            STATION_MINIMAL + "lock_wait_s = 46\n",
            "station.lock_wait_s is 46.0",
            "0 to 45",
            id="lock-wait-past-the-units-start-timeout",
        ),
        pytest.param(
            STATION_MINIMAL + "presence_fresh_s = 9\n",
            "station.presence_fresh_s is 9.0",
            "10 to 15",
            id="presence-fresh-under-two-heartbeats",
        ),
        pytest.param(
            STATION_MINIMAL + "presence_fresh_s = 16\n",
            "station.presence_fresh_s is 16.0",
            "10 to 15",
            id="presence-fresh-past-what-the-others-judge",
        ),
        pytest.param(
            STATION_MINIMAL + "not_serving_after_s = 16\n",
            "station.not_serving_after_s is 16.0",
            "1 to 15",
            id="not-serving-said-after-the-tablets-say-no-station",
        ),
        pytest.param(
            STATION_MINIMAL + "[broker]\nreconnect_max_s = 31\n",
            "broker.reconnect_max_s is 31",
            "1 to 30",
            id="reconnect-wait-past-30-s",
        ),
        pytest.param(
            STATION_MINIMAL + "[broker]\nreconnect_max_s = 0\n",
            "broker.reconnect_max_s is 0",
            "1 to 30",
            id="no-reconnect-wait",
        ),
    ],
)
def test_each_station_file_error_is_one_line_naming_file_key_and_expectation(
    tmp_path: Path, text: str, key: str, expectation: str
) -> None:
    error = station_error(tmp_path, text)
    assert_one_line_naming(error, str(tmp_path / "beckon.toml"), key, expectation)


@pytest.mark.parametrize(("role", "load"), [("bedside", load_bedside), ("station", load_station)])
def test_a_missing_file_says_so_and_suggests_the_example_in_deploy(
    tmp_path: Path, role: str, load: Any
) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError) as caught:
        load(missing, env=NO_ENV)
    assert_one_line_naming(caught.value, str(missing), "file not found")
    assert caught.value.hint is not None
    assert f"deploy/{role}.example.toml" in caught.value.hint
    assert f"deploy/{role}.example.toml" in str(caught.value)


@pytest.mark.parametrize(("role", "load"), [("bedside", load_bedside), ("station", load_station)])
def test_the_example_the_hint_points_to_exists_and_loads(role: str, load: Any) -> None:
    example = DEPLOY / f"{role}.example.toml"
    settings = load(example, env=NO_ENV)
    assert settings.source == str(example)


# ---------------------------------------------------------------- environment variables


def test_beckon_broker_url_in_the_environment_beats_the_file(tmp_path: Path) -> None:
    settings = bedside_from(
        tmp_path, BEDSIDE_FULL, env={"BECKON_BROKER_URL": "mqtt://from-env:1999"}
    )
    assert settings.broker.url == "mqtt://from-env:1999"
    assert settings.broker.username == "bed-12"  # the rest of the table still comes from the file


def test_a_comma_list_in_the_environment_becomes_a_tuple(tmp_path: Path) -> None:
    settings = bedside_from(tmp_path, BEDSIDE_FULL, env={"BECKON_BEDSIDE_INPUTS": "voice, touch ,"})
    assert settings.bedside.inputs == ("voice", "touch")


def test_numbers_in_the_environment_are_parsed_by_the_field_type(tmp_path: Path) -> None:
    settings = station_from(
        tmp_path,
        STATION_MINIMAL,
        env={"BECKON_BROKER_KEEPALIVE": "45", "BECKON_ESCALATION_ROUTINE_S": "90"},
    )
    assert settings.broker.keepalive == 45
    assert settings.escalation.routine_s == 90.0


def test_the_environment_can_supply_a_required_key(tmp_path: Path) -> None:
    text = '[bedside]\nsite = "gh"\nunit = "icu"\n'
    assert bedside_from(tmp_path, text, env={"BECKON_BEDSIDE_BED": "7"}).bedside.bed == "7"


@pytest.mark.parametrize(
    ("env", "named", "expectation"),
    [
        ({"BECKON_BROKER_KEEPALIVE": "soon"}, "BECKON_BROKER_KEEPALIVE", "a whole number"),
        ({"BECKON_BEDSIDE_OFFER_SECONDS": "slow"}, "BECKON_BEDSIDE_OFFER_SECONDS", "a number"),
        ({"BECKON_BEDSIDE_INPUTS": "gesture,smell"}, "BECKON_BEDSIDE_INPUTS[1]", "'voice'"),
        ({"BECKON_BEDSIDE_BED": "a/b"}, "BECKON_BEDSIDE_BED", "1 to 64 letters"),
        ({"BECKON_BROKER_URL": "tcp://x:1"}, "BECKON_BROKER_URL", "mqtt://HOST:PORT"),
    ],
)
def test_a_bad_environment_value_names_the_variable(
    tmp_path: Path, env: dict[str, str], named: str, expectation: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        bedside_from(tmp_path, BEDSIDE_MINIMAL, env=env)
    assert_one_line_naming(caught.value, f"environment variable {named}", expectation)


def test_without_env_argument_the_process_environment_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BECKON_BROKER_URL", "mqtts://process-env")
    settings = load_bedside(write(tmp_path, BEDSIDE_MINIMAL))
    assert settings.broker.url == "mqtts://process-env"


def test_an_env_argument_replaces_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BECKON_BROKER_URL", "mqtts://process-env")
    assert bedside_from(tmp_path, BEDSIDE_MINIMAL, env={}).broker.url == "mqtt://127.0.0.1:1883"


# ---------------------------------------------------------------- flags


def test_a_flag_beats_the_environment_and_the_file(tmp_path: Path) -> None:
    settings = bedside_from(
        tmp_path,
        BEDSIDE_FULL,
        overrides={"broker.url": "mqtt://from-flag:2000", "bedside.bed": "14"},
        env={"BECKON_BROKER_URL": "mqtt://from-env:1999", "BECKON_BEDSIDE_BED": "13"},
    )
    assert settings.broker.url == "mqtt://from-flag:2000"
    assert settings.bedside.bed == "14"


def test_a_flag_that_was_not_given_is_none_and_changes_nothing(tmp_path: Path) -> None:
    settings = bedside_from(
        tmp_path,
        BEDSIDE_FULL,
        overrides={"broker.url": None},
        env={"BECKON_BROKER_URL": "mqtt://from-env:1999"},
    )
    assert settings.broker.url == "mqtt://from-env:1999"


def test_a_flag_for_a_list_takes_a_python_list(tmp_path: Path) -> None:
    settings = station_from(tmp_path, STATION_MINIMAL, overrides={"station.units": ["a", "b"]})
    assert settings.station.units == ("a", "b")


def test_a_flag_is_validated_like_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"bedside\.bed is 'a/b'"):
        bedside_from(tmp_path, BEDSIDE_MINIMAL, overrides={"bedside.bed": "a/b"})


def test_an_unknown_flag_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown key broker\.colour"):
        bedside_from(tmp_path, BEDSIDE_MINIMAL, overrides={"broker.colour": "red"})


# ---------------------------------------------------------------- broker addresses


@pytest.mark.parametrize(
    ("url", "host", "port", "tls"),
    [
        ("mqtt://127.0.0.1:1883", "127.0.0.1", 1883, False),
        ("mqtt://broker.hospital.example", "broker.hospital.example", 1883, False),
        ("mqtts://broker.hospital.example", "broker.hospital.example", 8883, True),
        ("mqtts://broker.hospital.example:9883", "broker.hospital.example", 9883, True),
        ("mqtt://[::1]:1884", "::1", 1884, False),
        ("mqtt://user@10.1.2.3:1885", "10.1.2.3", 1885, False),
    ],
)
def test_the_broker_url_gives_host_port_and_tls(url: str, host: str, port: int, tls: bool) -> None:
    broker = BrokerConfig(url=url)
    assert (broker.host, broker.port, broker.tls) == (host, port, tls)


def test_the_password_file_wins_over_the_password_and_is_stripped(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret-from-file\n", encoding="utf-8")
    broker = BrokerConfig(password="in-toml", password_file=str(secret))
    assert broker.resolved_password() == "s3cret-from-file"


def test_without_a_password_file_the_password_is_used() -> None:
    assert BrokerConfig(password="in-toml").resolved_password() == "in-toml"


# ---------------------------------------------------------------- escalation limits


@pytest.mark.parametrize(
    ("priority", "limit"),
    [("routine", 240.0), ("urgent", 90.0), ("emergency", 20.0), ("unheard-of", 20.0)],
)
def test_each_priority_has_its_own_limit_and_unknown_ones_get_the_strictest(
    priority: str, limit: float
) -> None:
    rules = EscalationConfig(routine_s=240.0, urgent_s=90.0, emergency_s=20.0)
    assert rules.limit_for(priority) == limit


def test_a_station_must_serve_at_least_one_unit(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    path.write_text('[station]\nsite = "gh"\nunits = []\n')
    with pytest.raises(ConfigError, match=r"station\.units is empty"):
        load_station(path)


def test_an_infinite_waiting_time_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    path.write_text('[station]\nsite = "gh"\nunits = ["icu"]\n[escalation]\nurgent_s = inf\n')
    with pytest.raises(ConfigError, match=r"escalation\.urgent_s is inf; expected a finite"):
        load_station(path)


def test_an_override_for_a_table_the_role_does_not_have_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"no \[voice\] table"):
        load_station(None, {"station.site": "gh", "station.units": ["icu"], "voice.lang": "en"})


@pytest.mark.parametrize(
    ("text", "device"), [("", None), ("  ", None), ("2", 2), ("USB headset", "USB headset")]
)
def test_the_microphone_is_the_default_an_index_or_a_name(text: str, device: object) -> None:
    bed = load_bedside(
        None, {"bedside.site": "gh", "bedside.unit": "icu", "bedside.bed": "1",
               "bedside.microphone": text},
    ).bedside  # fmt: skip
    assert bed.microphone_device() == device
