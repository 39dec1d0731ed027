"""Rejection of what is not a request, on speech CI can make: espeak-ng and the neural Piper
voice saying ordinary sentences and single words that are not in the catalog; and yes/no
through both engines, where a "yes" must never become no or cancel."""

from __future__ import annotations

import pytest

from beckon.lab.voice_synth import Voice, make_clip, speak

PIPER = Voice("piper:joe", 150)
EN = Voice("en-us", 150)
EN_F = Voice("en-us+f3", 135, 60)
KO = Voice("ko", 150)
KO_M = Voice("ko+m3", 170, 40)


def _heard(pipeline, text, voice):
    events = pipeline.run(make_clip(speak(text, voice), None).samples)
    assert events, f"the VAD should have heard {text!r}"
    return [e.intent for e in events if e.intent]


@pytest.mark.parametrize("voice", [PIPER, EN_F], ids=["piper", "espeak"])
@pytest.mark.parametrize(
    "text",
    [
        "my daughter is coming to see me this afternoon",
        "did you see the game last night",
        "bed",
        "one",
    ],
)
def test_english_talk_and_off_catalog_words_give_no_intent(english, text, voice):
    assert _heard(english, text, voice) == []


@pytest.mark.parametrize(
    "text",
    ["오늘 점심은 맛있었어요", "우리 손자가 대학교에 들어갔어요", "텔레비전 소리 좀 들어 봐요"],
)
def test_korean_talk_gives_no_intent_when_the_model_hears_something_else(korean, text):
    assert _heard(korean, text, KO) == []


def test_korean_talk_is_rejected_by_the_second_hearing(korean):
    """Without the free decoding, the grammar forces this sentence onto a catalog phrase; the
    second hearing is what turns it down."""
    events = korean.run(make_clip(speak("오늘 점심은 맛있었어요", KO), None).samples)
    assert events and all(e.intent is None for e in events)
    assert any("the model hears" in e.reason for e in events)


@pytest.mark.parametrize(
    ("text", "voice", "intent"),
    [
        ("yes", PIPER, "yes"),
        ("no", PIPER, "no"),
        ("yes", EN_F, "yes"),
        ("no", EN, "no"),
        ("cancel", PIPER, "cancel"),
    ],
)
def test_english_yes_and_no(english, text, voice, intent):
    assert _heard(english, text, voice) == [intent]


@pytest.mark.parametrize(("text", "intent"), [("네", "yes"), ("아니요", "no"), ("됐어", "cancel")])
def test_korean_yes_and_no(korean, text, intent):
    assert _heard(korean, text, KO) == [intent]
    assert _heard(korean, text, KO_M) in ([intent], [])  # rejected at worst, never swapped


def test_piper_gives_a_natural_voice_for_the_bench():
    speech = speak("could you call the nurse", PIPER)
    assert 0.8 < len(speech) / 16000 < 4.0
    assert int(abs(speech.astype("int32")).max()) > 3000
