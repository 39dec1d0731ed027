"""Snapping transcripts to catalog sentences: hits, near misses, rejections."""

from __future__ import annotations

import pytest

from beckon.voice.matcher import TemplateMatcher, clean_words, similarity


@pytest.fixture(scope="module")
def en(catalog):
    return TemplateMatcher(catalog, "en")


@pytest.fixture(scope="module")
def ko(catalog):
    return TemplateMatcher(catalog, "ko")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("call the nurse", "nurse"),
        ("I am cold.", "cold"),
        ("lights off", "lights"),
        ("yes", "yes"),
        ("never mind", "cancel"),
        ("i can't breathe", "emergency"),
    ],
)
def test_exact_sentences_hit(en, text, intent):
    m = en.match(text)
    assert (m.intent, m.score) == (intent, 1.0)


def test_near_misses_snap_to_the_sentence(en, ko):
    assert en.match("nurse nurse").intent == "nurse"  # a repeated word is folded
    assert en.match("please call the nurse please please").intent == "nurse"
    near = en.match("could i have some water pleas")  # one word off by a letter
    assert near.intent == "water" and 0.8 <= near.score < 1.0
    assert ko.match("물 주세요").intent == "water"
    assert ko.match("간호사 불러 주세요 주세요").intent == "nurse"


def test_far_transcripts_are_rejected(en, ko):
    for text in ("what the it", "tell the news are", "i think my family is coming", ""):
        m = en.match(text)
        assert m.intent is None, text
        assert m.reason
    assert ko.match("오늘 간호사 좀 줘 주세요").intent is None
    assert ko.match("뭐 추워 주세요").intent is None


def test_only_decoy_words_or_unknown_give_nothing(en):
    assert en.match("nice weather today").reason == "only decoy words"
    assert en.match("[unk] [unk]").intent is None
    assert en.match("[unk] water").intent is None  # [unk] counts against a sentence


def test_hangul_near_misses_count_letters_not_syllables():
    # 물 and 뭐 share their first letter: as whole syllables they would share nothing.
    assert 0 < similarity(["뭐"], ["물"]) < 1
    assert similarity(["간호사"], ["간호사"]) == 1.0
    assert clean_words("물 물 주세요") == ["물", "주세요"]


def test_lower_alternatives_must_be_exact(en):
    assert en.match_alternatives(["tell the news", "call the nurse"]).intent == "nurse"
    # A merely close sentence below the top path does not count.
    assert en.match_alternatives(["tell the news", "call the nurse now"]).intent is None
    assert en.match_alternatives([]).intent is None
