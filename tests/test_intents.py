"""The intent table: what a patient can ask for, how urgent it is, and its label per language."""

from __future__ import annotations

from pathlib import Path

import pytest

from beckon.errors import ConfigError
from beckon.intents import Intent, load_intents
from beckon.messaging import protocol as p


@pytest.fixture(scope="module")
def packaged() -> dict[str, Intent]:
    return load_intents()


def test_the_packaged_table_offers_the_basic_requests(packaged: dict[str, Intent]) -> None:
    assert {"nurse", "water", "pain", "emergency"} <= set(packaged)


@pytest.mark.parametrize(
    ("code", "priority"),
    [("nurse", "urgent"), ("water", "routine"), ("pain", "urgent"), ("emergency", "emergency")],
)
def test_the_packaged_requests_have_their_priorities(
    packaged: dict[str, Intent], code: str, priority: str
) -> None:
    assert packaged[code].priority == priority


def test_every_packaged_intent_has_a_protocol_priority_and_an_english_label(
    packaged: dict[str, Intent],
) -> None:
    for intent in packaged.values():
        assert intent.priority in p.PRIORITIES
        assert intent.text.get("en"), intent.code


def test_every_packaged_intent_code_can_travel_in_a_request(packaged: dict[str, Intent]) -> None:
    for intent in packaged.values():
        req = p.Request(
            id=p.new_request_id(),
            site="gh",
            unit="icu",
            bed="12",
            intent=intent.code,
            priority=intent.request_priority,
            source="touch",
            created_at=p.now_iso(),
        )
        assert p.decode(p.encode(req)) == req


def test_the_default_offered_intents_are_in_the_packaged_table(
    packaged: dict[str, Intent],
) -> None:
    from beckon.config import BedsideConfig

    assert set(BedsideConfig("gh", "icu", "12").offered_intents) <= set(packaged)


# ---------------------------------------------------------------- labels


def test_a_label_is_shown_in_the_patients_language(packaged: dict[str, Intent]) -> None:
    assert packaged["water"].label("ko") == "물"
    assert packaged["water"].label("en") == "Water"


def test_a_label_missing_in_a_language_falls_back_to_english() -> None:
    intent = Intent("water", "routine", {"en": "Water"})
    assert intent.label("fr") == "Water"


def test_an_empty_label_also_falls_back_to_english() -> None:
    intent = Intent("water", "routine", {"en": "Water", "ko": ""})
    assert intent.label("ko") == "Water"


def test_without_english_the_label_falls_back_to_the_code() -> None:
    intent = Intent("blanket", "routine", {"ko": "담요"})
    assert intent.label("en") == "blanket"
    assert Intent("blanket", "routine", {}).label("ko") == "blanket"


# ---------------------------------------------------------------- a hospital's own table


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "intents.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_hospital_table_replaces_the_packaged_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[intents.blanket]\npriority = "routine"\ntext = { en = "Blanket", ko = "담요" }\n',
    )
    assert load_intents(path) == {
        "blanket": Intent("blanket", "routine", {"en": "Blanket", "ko": "담요"})
    }


@pytest.mark.parametrize(
    ("text", "named"),
    [
        pytest.param(
            '[intents.water]\ntext = { en = "Water" }\n',
            "intents.water.priority is None",
            id="missing-priority",
        ),
        pytest.param(
            '[intents.water]\npriority = "soon"\ntext = { en = "Water" }\n',
            "intents.water.priority is 'soon'",
            id="unknown-priority",
        ),
        pytest.param(
            '[intents.water]\npriority = 1\ntext = { en = "Water" }\n',
            "intents.water.priority is 1",
            id="priority-number",
        ),
        pytest.param(
            '[intents.water]\npriority = "routine"\n', "intents.water.text", id="missing-text"
        ),
        pytest.param(
            '[intents.water]\npriority = "routine"\ntext = "Water"\n',
            "intents.water.text",
            id="text-not-a-table",
        ),
        pytest.param(
            '[intents.water]\npriority = "routine"\ntext = { en = 1 }\n',
            "intents.water.text",
            id="text-not-a-string",
        ),
        pytest.param(
            '[intents.Water]\npriority = "routine"\ntext = { en = "Water" }\n',
            "intents.Water",
            id="code-upper-case",
        ),
        pytest.param(
            '[intents.2water]\npriority = "routine"\ntext = { en = "Water" }\n',
            "intents.2water",
            id="code-starts-with-digit",
        ),
        pytest.param(
            '[intents."water\\n"]\npriority = "routine"\ntext = { en = "Water" }\n',
            "intents.water",
            id="code-trailing-newline",
        ),
        pytest.param('[intents]\nwater = "routine"\n', "intents.water", id="entry-not-a-table"),
        pytest.param('intents = "water"\n', "intents must be tables", id="intents-a-string"),
        pytest.param("[other]\nx = 1\n", "no [intents.*] tables", id="no-intents"),
        pytest.param("[intents.water\n", "not valid TOML", id="invalid-toml"),
    ],
)
def test_a_bad_table_is_a_config_error_naming_the_file_and_key(
    tmp_path: Path, text: str, named: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_intents(path)
    assert str(path) in caught.value.message
    assert named in caught.value.message


def test_the_menu_and_the_voice_path_share_one_intent_model() -> None:
    """One reader and one model of intents.toml: the voice catalog's entries are the menu's
    intents with their phrases added, so the two cannot disagree on a priority or a label."""
    from beckon.voice.catalog import load_catalog

    catalog = load_catalog()
    for code, intent in load_intents().items():
        spoken = catalog.intents[code]
        assert isinstance(spoken, Intent)
        assert spoken == intent and spoken.sentences
    assert catalog.intents["yes"].kind == "control"
    with pytest.raises(ValueError, match="never sent"):
        _ = catalog.intents["yes"].request_priority


def test_every_request_has_a_sentence_for_the_room_in_every_language() -> None:
    intents = load_intents()
    assert intents["water"].room_phrase("en") == "I would like some water, please."
    assert intents["water"].room_phrase("ko") == "물 좀 주세요."
    for code, intent in intents.items():
        assert set(intent.say) == set(intent.text), f"{code}: say in every catalog language"


def test_without_a_sentence_the_label_is_said_and_a_bad_one_is_named(tmp_path: Path) -> None:
    catalog = tmp_path / "intents.toml"
    catalog.write_text('[intents.tea]\npriority = "routine"\ntext = { en = "Tea" }\n')
    assert load_intents(catalog)["tea"].room_phrase("ko") == "Tea."
    catalog.write_text('[intents.tea]\npriority = "routine"\ntext = { en = "Tea" }\nsay = "x"\n')
    with pytest.raises(ConfigError, match=r"intents.tea.say must be a table"):
        load_intents(catalog)
