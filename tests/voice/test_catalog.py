"""The intent catalog: data validated on load, templates expanded, old callers unchanged."""

from __future__ import annotations

import pytest

from beckon.errors import ConfigError
from beckon.intents import Intent, load_intents
from beckon.voice.catalog import expand, load_catalog, normalize, parse_catalog

MINIMAL = """
[intents.water]
priority = "routine"
text = { en = "Water" }
phrases.en = ["[some] water [please]"]
[intents.yes]
kind = "control"
text = { en = "Yes" }
phrases.en = ["yes"]
[intents.no]
kind = "control"
text = { en = "No" }
phrases.en = ["no"]
[intents.cancel]
kind = "control"
text = { en = "Cancel" }
phrases.en = ["cancel"]
"""


def test_the_packaged_catalog_has_the_ward_intents_in_english_and_korean():
    catalog = load_catalog()
    for code in (
        "nurse",
        "water",
        "pain",
        "toilet",
        "reposition",
        "emergency",
        "cold",
        "hot",
        "lights",
        "yes",
        "no",
        "cancel",
    ):
        assert code in catalog.intents, code
    assert {"en", "ko"} <= set(catalog.languages)
    assert catalog.intents["emergency"].is_emergency
    assert catalog.intents["yes"].kind == "control" and catalog.intents["yes"].priority is None
    assert ("간호사 불러 주세요", "nurse") in catalog.sentences("ko")
    assert "nurse" in catalog.vocabulary("en")


def test_load_intents_still_returns_only_requests_for_its_callers():
    intents = load_intents()
    assert set(intents) == {i.code for i in load_catalog().requests()}
    assert "yes" not in intents and "cancel" not in intents
    assert intents["pain"] == Intent("pain", "urgent", intents["pain"].text)
    assert intents["water"].label("ko") == "물"


@pytest.mark.parametrize(
    ("template", "sentences"),
    [
        ("water", ["water"]),
        ("[some] water", ["water", "some water"]),
        ("(call | get) the nurse", ["call the nurse", "get the nurse"]),
        ("i (need | want [some]) water", ["i need water", "i want water", "i want some water"]),
        ("Lights, OFF!", ["lights off"]),
        ("I’m cold", ["i'm cold"]),
    ],
)
def test_templates_expand_optional_words_and_alternatives(template, sentences):
    assert sorted(expand(template)) == sorted(sentences)


@pytest.mark.parametrize("bad", ["(water", "water ]", "(a | )", "[ ]", "a | b", "()"])
def test_malformed_templates_are_refused(bad):
    with pytest.raises(ValueError):
        expand(bad)


def test_normalize_keeps_hangul_and_apostrophes():
    assert normalize("  물 좀,  주세요! ") == "물 좀 주세요"
    assert normalize("It's  COLD") == "it's cold"


def test_a_minimal_catalog_loads():
    catalog = parse_catalog(MINIMAL)
    assert catalog.languages == ("en",)
    assert catalog.sentences("en")[:2] == [("water", "water"), ("water please", "water")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('priority = "routine"', 'priority = "soon"'), "priority"),
        (('phrases.en = ["[some] water [please]"]', 'phrases.en = ["(water"]'), "template"),
        (('phrases.en = ["[some] water [please]"]', 'phrases.en = ["yes"]'), "both"),
        (('[intents.cancel]\nkind = "control"', '[intents.stop]\nkind = "control"'), "cancel"),
        (('phrases.en = ["no"]', 'phrases.ko = ["아니요"]'), "phrases.en"),
        (('text = { en = "Water" }', 'text = { en = "Water" }\ncolour = "blue"'), "unknown"),
    ],
)
def test_catalog_errors_name_the_entry(change, message):
    old, new = change
    assert old in MINIMAL
    with pytest.raises(ConfigError, match=message):
        parse_catalog(MINIMAL.replace(old, new, 1))


def test_a_decoy_may_not_be_a_whole_request():
    with pytest.raises(ConfigError, match="decoy"):
        parse_catalog(MINIMAL + '[decoys]\nen = ["weather", "water"]\n')
    assert parse_catalog(MINIMAL + '[decoys]\nen = ["weather"]\n').decoys["en"] == ("weather",)


def test_asking_for_a_language_without_phrases_says_which_exist():
    with pytest.raises(ConfigError, match="en"):
        parse_catalog(MINIMAL).sentences("ko")
