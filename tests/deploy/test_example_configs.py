"""The example configs (deploy/*.example.toml) load with the values they document."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from beckon.config import (
    BedsideConfig,
    BrokerConfig,
    EscalationConfig,
    StationConfig,
    load_bedside,
    load_station,
)
from tests.helpers.deploy import (
    BED,
    DEPLOY,
    STATION,
)

# ---------------------------------------------------------------- example configs


def test_bedside_example_loads_with_the_documented_values() -> None:
    settings = load_bedside(DEPLOY / "bedside.example.toml", env={})
    bed, broker = settings.bedside, settings.broker
    assert (bed.site, bed.unit, bed.bed) == ("general", "icu-3", "12")
    assert bed.language == "en"
    assert bed.inputs == ("gesture", "touch")
    assert bed.camera == "0"
    assert bed.outbox_path() == Path("/var/lib/beckon/state/outbox-general-icu-3-12.sqlite3")
    assert bed.offer_seconds == 4.0
    assert bed.offered_intents == ("nurse", "water", "pain", "toilet")
    assert broker.url == "mqtts://mqtt.hospital.example:8883"
    assert (broker.host, broker.port, broker.tls) == ("mqtt.hospital.example", 8883, True)
    # The username is the bed's place in the topic tree, which is what the ACL pattern needs.
    assert broker.username == BED == "/".join((bed.site, bed.unit, "bed", bed.bed))
    assert broker.password == ""
    assert broker.password_file == "/etc/beckon/mqtt-password"
    assert broker.ca_file == "/etc/beckon/ca.crt"
    assert (broker.cert_file, broker.key_file) == ("", "")
    assert broker.keepalive == 15


def test_station_example_loads_with_the_documented_values() -> None:
    settings = load_station(DEPLOY / "station.example.toml", env={})
    st, broker, esc = settings.station, settings.broker, settings.escalation
    assert (st.site, st.units, st.name, st.language) == ("general", ("icu-3",), "desk", "en")
    assert st.database_path() == Path("/var/lib/beckon/state/station-general-desk.sqlite3")
    assert broker.url == "mqtts://mqtt.hospital.example:8883"
    assert broker.username == STATION
    assert broker.password == ""
    assert broker.password_file == "/etc/beckon/mqtt-password"
    assert broker.ca_file == "/etc/beckon/ca.crt"
    assert (broker.cert_file, broker.key_file) == ("", "")
    assert broker.keepalive == 30
    assert (esc.routine_s, esc.urgent_s, esc.emergency_s) == (300.0, 120.0, 30.0)
    assert esc.reminder_after_ack_s == 600.0


UNLISTED = {"presence_fresh_s", "reconnect_max_s", "not_serving_after_s"}
"""Keys the example files leave out on purpose: ``station.presence_fresh_s`` only shortens how
long a starting station waits out a dead station's presence, a setting for tests; listed, it
read as something to tune (review rev47t). ``broker.reconnect_max_s`` and
``station.not_serving_after_s`` only shorten paho's reconnect back-off and when a unit
unserved is said, for tests of a link down (session 49). docs/deployment.md describes them."""


@pytest.mark.parametrize(
    ("name", "tables"),
    [
        ("bedside.example.toml", {"bedside": BedsideConfig, "broker": BrokerConfig}),
        (
            "station.example.toml",
            {"station": StationConfig, "broker": BrokerConfig, "escalation": EscalationConfig},
        ),
    ],
)
def test_examples_list_every_key_with_a_comment_giving_its_default(
    name: str, tables: dict[str, type]
) -> None:
    path = DEPLOY / name
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(raw) == set(tables)
    for table, cls in tables.items():
        fields = {f.name for f in dataclasses.fields(cls)} - UNLISTED
        assert set(raw[table]) == fields, f"{name} [{table}]"
    # Each key line follows a comment block that says what the default is.
    lines = path.read_text(encoding="utf-8").splitlines()
    keys = 0
    for i, line in enumerate(lines):
        if re.match(r"^[a-z_]+ = ", line):
            keys += 1
            j = i - 1
            comment: list[str] = []
            while j >= 0 and lines[j].startswith("#"):
                comment.append(lines[j])
                j -= 1
            assert any("default" in c.lower() for c in comment), f"{name}: {line}"
    listed = [{f.name for f in dataclasses.fields(cls)} - UNLISTED for cls in tables.values()]
    assert keys == sum(len(names) for names in listed)
