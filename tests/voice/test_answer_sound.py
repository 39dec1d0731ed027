"""A Korean answer word must sound like what the model hears freely (``AnswerSoundRule``).

The examples are real: the free hearings of one speaker's "다음 단계" ("next step") that
Vosk's grammar heard as "아니요" on the development recordings, and espeak-ng's correct
answers on the clean bench (docs/journal/voice.md, session 14, branch vko6).
"""

from __future__ import annotations

import inspect

import pytest

from beckon.voice.catalog import Catalog
from beckon.voice.matcher import AnswerSoundRule, Match, TemplateMatcher, sound_likeness
from beckon.voice.recognizer import VoicePipeline


@pytest.fixture(scope="module")
def ko(catalog: Catalog) -> TemplateMatcher:
    return TemplateMatcher(catalog, "ko", shared_word=True, no_longer=True)


def test_sound_likeness_ignores_where_the_free_hearing_breaks_words() -> None:
    assert sound_likeness("아니요", "아니요") == 1.0
    # The silent initial ㅇ and the spaces say nothing: "아니 에 요" is nearly "아니요".
    assert sound_likeness("아니 에 요", "아니요") > 0.8
    assert sound_likeness("아이오", "아니요") > 0.5
    # Another word altogether shares little.
    assert sound_likeness("하였다", "아니요") < 0.3
    # Brackets of the model's own notation are no sound; digits or Latin letters share none.
    assert sound_likeness("[90]", "아니요") == 0.0
    assert sound_likeness("R", "아니요") == 0.0
    assert sound_likeness("", "아니요") == 0.0


@pytest.mark.parametrize("free", ["하였다", "R", "[90]", "하윤"])
def test_a_no_the_free_hearing_does_not_sound_like_is_no_answer(
    ko: TemplateMatcher, free: str
) -> None:
    match = ko.match_alternatives(["아니요"])
    assert match.intent == "no"
    after = AnswerSoundRule().check(match, free)
    assert after.intent is None
    assert "does not sound like" in after.reason


@pytest.mark.parametrize(
    ("heard", "free", "intent"),
    [
        ("아니요", "아이오", "no"),
        ("아니요", "아니 에 요", "no"),
        ("아니요", "아이 였다", "no"),
        ("됐어", "왔어", "cancel"),
        ("됐어", "뭐 했어", "cancel"),
        ("취소", "쥐고 있어", "cancel"),
        ("취소", "취구 이죠", "cancel"),
    ],
)
def test_espeak_ngs_correct_answers_are_kept(
    ko: TemplateMatcher, heard: str, free: str, intent: str
) -> None:
    match = ko.match_alternatives([heard])
    assert match.intent == intent
    assert AnswerSoundRule().check(match, free) == match


def test_one_syllable_requests_and_engines_without_a_free_hearing_are_not_judged(
    ko: TemplateMatcher,
) -> None:
    rule = AnswerSoundRule()
    # "네" is one syllable: espeak-ng's correct "네" was freely heard as "례".
    yes = ko.match_alternatives(["네"])
    assert yes.intent == "yes"
    assert rule.check(yes, "례") == yes
    # Requests are not judged: espeak-ng's correct "도와줘" was freely heard as "효과 부여".
    help_ = ko.match_alternatives(["도와줘"])
    assert help_.intent == "emergency"
    assert rule.check(help_, "효과 부여") == help_
    # No free hearing (PocketSphinx, or Vosk without one): nothing to compare with.
    no = ko.match_alternatives(["아니요"])
    assert rule.check(no, "") == no
    # English is not judged (measured on Korean only).
    english = Match("no", "no", 1.0, "no")
    assert rule.check(english, "now") == english
    # Nothing matched stays nothing.
    nothing = Match("어제", None, 0.0, None, "too far")
    assert rule.check(nothing, "하였다") == nothing


def test_the_voice_pipeline_judges_answers_by_their_sound_by_default() -> None:
    default = inspect.signature(VoicePipeline).parameters["answer_sound"].default
    assert default == AnswerSoundRule()
    assert default.min_likeness == pytest.approx(0.3)
