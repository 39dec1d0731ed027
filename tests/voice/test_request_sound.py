"""A Korean request is not taken when the model's free hearing is as few whole words and
shares no sound with the sentence (``RequestSoundRule``).

The examples are real: the free hearings of short non-request phrases that Vosk's grammar
heard as "추워" and "불 꺼 주세요" on the development recordings' tune part, and espeak-ng's
correct requests on the full clean bench (docs/journal/voice.md, session 15, branch vko7).
"""

from __future__ import annotations

import inspect

import pytest

from beckon.voice.catalog import Catalog
from beckon.voice.matcher import Match, RequestSoundRule, TemplateMatcher
from beckon.voice.recognizer import VoicePipeline


@pytest.fixture(scope="module")
def ko(catalog: Catalog) -> TemplateMatcher:
    return TemplateMatcher(catalog, "ko", shared_word=True, no_longer=True)


@pytest.mark.parametrize(
    ("heard", "free", "intent"),
    [
        ("추워", "유보", "cold"),
        ("추워", "쉬어", "cold"),
        ("불 꺼 주세요", "오프닝곡", "lights"),
    ],
)
def test_a_request_whose_whole_free_hearing_shares_no_sound_is_no_request(
    ko: TemplateMatcher, heard: str, free: str, intent: str
) -> None:
    match = ko.match_alternatives([heard])
    assert match.intent == intent
    after = RequestSoundRule().check(match, free)
    assert after.intent is None
    assert "share no sound" in after.reason


@pytest.mark.parametrize(
    ("heard", "free", "intent"),
    [
        # Whole free hearings of espeak-ng's correct requests: they share sound.
        ("더워", "먹어", "hot"),
        ("더워", "어머", "hot"),
        ("더워", "러워", "hot"),
        ("도와줘", "도와주어", "emergency"),
        # Fragments say nothing of what was said: more free words than the request's.
        ("추워", "쥐고 뭐", "cold"),
        ("도와줘", "효과 부여", "emergency"),
        ("담요 줘 주세요", "옆 여초 시오", "cold"),
    ],
)
def test_espeak_ngs_correct_requests_are_kept(
    ko: TemplateMatcher, heard: str, free: str, intent: str
) -> None:
    match = ko.match_alternatives([heard])
    assert match.intent == intent
    assert RequestSoundRule().check(match, free) == match


def test_the_words_of_the_request_are_those_the_matcher_compared(ko: TemplateMatcher) -> None:
    """The heard "담요 줘 주세요" is "담요 주세요" (an ending said twice counts once): two
    words, so a free hearing of three fragments is not whole, and one whole word is."""
    match = ko.match_alternatives(["담요 줘 주세요"])
    assert match.text == "담요 주세요"
    assert RequestSoundRule().check(match, "옆 여초 시오") == match
    assert RequestSoundRule().check(match, "오프닝곡").intent is None


def test_answers_english_and_engines_without_a_free_hearing_are_not_judged(
    ko: TemplateMatcher,
) -> None:
    rule = RequestSoundRule()
    # Answers have their own rule (AnswerSoundRule).
    no = ko.match_alternatives(["아니요"])
    assert rule.check(no, "하였다") == no
    # No free hearing (PocketSphinx): nothing to compare with.
    cold = ko.match_alternatives(["추워"])
    assert rule.check(cold, "") == cold
    # English is not judged (measured on Korean only).
    english = Match("water", "water", 1.0, "water")
    assert rule.check(english, "later") == english
    # Nothing matched stays nothing.
    nothing = Match("어제", None, 0.0, None, "too far")
    assert rule.check(nothing, "유보") == nothing


def test_the_voice_pipeline_judges_requests_by_their_sound_by_default() -> None:
    default = inspect.signature(VoicePipeline).parameters["request_sound"].default
    assert default == RequestSoundRule()
    assert default.min_likeness == pytest.approx(0.15)
