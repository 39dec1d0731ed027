"""English catalog sentences won back on PocketSphinx (issue 10, sessions 7 and 8).

The matcher's edge rule (a whole request sentence with its first word dropped, or one short
stray word beside it) is on by default in the English voice path since session 8: espeak-ng
voices the bench does not use say catalog sentences the decoder hears with a word off at
their edge, and the intent comes out; single off-catalog words and ordinary sentences, said
by the same voices, still give no request. The British pronunciations of catalog words stay
opt-in (``build_pipeline(british_pronunciations=True)``): measured alone on real recordings
they, not the edge rule, let single words through ("one" and "right" heard as "water";
docs/journal/voice.md, "The edge rule without the British pronunciations"). Since session 13 the
default open mode hears each utterance on its own mean (``OWN_MEAN_RULE``; session 10's
running mean is ``RUNNING_RULE``), with short requests confirmed.
"""

from __future__ import annotations

import numpy as np
import pytest

from beckon.lab.voice_synth import Voice, make_clip, speak
from beckon.voice.catalog import Catalog
from beckon.voice.engines import BRITISH_PRONUNCIATIONS, PocketSphinxEngine
from beckon.voice.matcher import EDGE_REASON, EdgeRule
from beckon.voice.recognizer import VoicePipeline, build_pipeline
from beckon.voice.requests_verifier import (
    AGAIN_FROM,
    CHECKED_OWN_MEAN,
    CONFIRM_ONE_WORD,
    CONFIRM_SHORT,
    OWN_MEAN_RULE,
    RUNNING_RULE,
    RequestRule,
)
from beckon.voice.vad import SileroVad
from tests.helpers.voice import fresh_english, open_english

# Voices the bench (beckon.lab.voice_bench.VOICES) does not use.
GB_F = Voice("en-gb+f2", 150, 55)
GB_RP = Voice("en-gb-x-rp", 165, 45)
US_M = Voice("en-us+m1", 140, 50)
US_F = Voice("en-us+f4", 160, 62)
# Voices of the bench.
US = Voice("en-us", 150)
US_F3 = Voice("en-us+f3", 130, 60)


@pytest.fixture(scope="module")
def british_engine(catalog: Catalog) -> PocketSphinxEngine:
    return open_english(catalog, british_pronunciations=True)


@pytest.fixture
def british(catalog: Catalog, vad: SileroVad, british_engine: PocketSphinxEngine) -> VoicePipeline:
    """The English path with the opt-in British pronunciations, reset for each test."""
    return fresh_english(catalog, vad, british_engine)


def _events(pipeline: VoicePipeline, text: str, voice: Voice) -> list[tuple[str | None, str]]:
    events = pipeline.run(make_clip(speak(text, voice), None).samples)
    return [(e.intent, e.reason) for e in events]


def test_the_edge_rule_is_on_by_default_and_never_on_vosk(
    english: VoicePipeline,
    english_engine: PocketSphinxEngine,
    catalog: Catalog,
    vad: SileroVad,
) -> None:
    assert english.matcher.edge == EdgeRule()  # the product's default since session 8
    assert english.matchers["answer"].edge is None  # answers never come from it
    off = fresh_english(catalog, vad, english_engine, catalog_edges=False)
    assert off.matcher.edge is None
    assert build_pipeline("ko", catalog).matcher.edge is None


def test_the_british_pronunciations_are_opt_in_and_apart_from_the_edge_rule(
    english_engine: PocketSphinxEngine, british_engine: PocketSphinxEngine
) -> None:
    # The default engine (edge rule on) has the dictionary's own pronunciations only.
    assert english_engine.added_pronunciations == 0
    assert english_engine._decoder.lookup_word("water(2)") is None
    assert british_engine.added_pronunciations >= 5


def test_british_pronunciations_are_added_as_alternatives(catalog: Catalog) -> None:
    engine = PocketSphinxEngine(catalog, pronunciations=BRITISH_PRONUNCIATIONS)
    decoder = engine._decoder
    assert decoder.lookup_word("water") == "W AO T ER"  # the dictionary's own comes first
    assert decoder.lookup_word("water(2)") == BRITISH_PRONUNCIATIONS["water"][0]
    assert engine.added_pronunciations >= 5
    plain = PocketSphinxEngine(catalog)  # the default: the dictionary's own only
    assert plain.added_pronunciations == 0
    assert plain._decoder.lookup_word("water(2)") is None


@pytest.mark.parametrize(
    ("text", "voice", "intent"),
    [
        ("i'm too hot", GB_F, "hot"),  # heard "too hot"
        ("it's too hot in here", GB_RP, "hot"),  # heard "it's too hot you"
        ("turn lights on", US_F, "lights"),  # heard "the lights on"
    ],
    ids=lambda x: x.label if isinstance(x, Voice) else str(x),
)
def test_sentences_heard_with_a_word_off_at_their_edge_give_the_intent(
    english: VoicePipeline,
    english_engine: PocketSphinxEngine,
    catalog: Catalog,
    vad: SileroVad,
    text: str,
    voice: Voice,
    intent: str,
) -> None:
    events = _events(english, text, voice)
    assert [i for i, _ in events if i] == [intent]  # the product's default path
    assert [r for i, r in events if i] == [EDGE_REASON]
    # The same clip on a reset engine without the rule: the decoder's transcript alone
    # is too far from the sentence.
    plain = fresh_english(catalog, vad, english_engine, catalog_edges=False)
    assert not [i for i, _ in _events(plain, text, voice) if i]


@pytest.mark.parametrize("voice", [GB_F, GB_RP], ids=lambda v: v.label)
def test_a_british_bathroom_is_heard_with_the_opt_in_british_pronunciation(
    british: VoicePipeline, voice: Voice
) -> None:
    # Without the alternative pronunciation these came out as "was you" and "are through".
    assert [i for i, _ in _events(british, "bathroom", voice) if i] == ["toilet"]


@pytest.mark.parametrize("voice", [GB_F, GB_RP, US_M], ids=lambda v: v.label)
@pytest.mark.parametrize(
    "text",
    [
        "bed",
        "one",
        "hot",
        "the lights are on in the hall",
        "the water was cold this morning",
        "i used to work on the railway",
    ],
)
def test_other_words_and_sentences_still_give_no_request(
    english: VoicePipeline, text: str, voice: Voice
) -> None:
    got = {i for i, _ in _events(english, text, voice) if i}
    assert not got - {"yes", "no", "cancel"}


def test_the_edge_rule_says_why_it_took_a_sentence(english: VoicePipeline) -> None:
    match = english.matcher.match("done lights on")
    assert (match.intent, match.reason) == ("lights", EDGE_REASON)


# ------------------------------------------------- each open-mode utterance on its own mean


@pytest.fixture(scope="module")
def running_engine(catalog: Catalog) -> PocketSphinxEngine:
    engine = build_pipeline("en", catalog, open_rule=RUNNING_RULE).engine
    assert isinstance(engine, PocketSphinxEngine)
    return engine


@pytest.fixture
def running(catalog: Catalog, vad: SileroVad, running_engine: PocketSphinxEngine) -> VoicePipeline:
    """Session 10's path (``RUNNING_RULE``: the running mean), reset for each test."""
    running_engine.reset()
    pipeline = build_pipeline("en", catalog, opened=running_engine, open_rule=RUNNING_RULE)
    pipeline.segmenter.vad = vad
    return pipeline


@pytest.mark.parametrize(
    ("text", "voice", "intent"),
    [
        ("nurse", GB_F, "nurse"),  # heard "good" with the running mean
        ("turn me", US_F, "reposition"),  # "done relief"
        ("water", US_M, "water"),  # "the water"
        ("nurse", US, "nurse"),  # "you"
        ("can i have water", US, "water"),  # "can like and was do"
    ],
    ids=lambda x: x.label if isinstance(x, Voice) else str(x),
)
def test_catalog_requests_are_heard_with_the_utterances_own_mean(
    english: VoicePipeline, running: VoicePipeline, text: str, voice: Voice, intent: str
) -> None:
    """The default since session 13: the open mode normalises each utterance with its own
    cepstral mean, as the bundled model was trained; with the running mean (from the model's
    initial value, or from whoever spoke before: ``RUNNING_RULE``) these robotic catalog
    sentences are lost to talk words."""
    assert [i for i, _ in _events(english, text, voice) if i] == [intent]
    assert not [i for i, _ in _events(running, text, voice) if i]


def test_the_own_mean_is_the_default_and_the_running_mean_a_named_rule(
    english: VoicePipeline,
    english_engine: PocketSphinxEngine,
    running: VoicePipeline,
    running_engine: PocketSphinxEngine,
) -> None:
    assert english_engine.own_mean == CHECKED_OWN_MEAN == frozenset({"open"})
    assert english.request_rule == OWN_MEAN_RULE.requests
    assert english.request_rule.confirm_short == CONFIRM_SHORT
    assert english.request_rule.confirm_one_word == CONFIRM_ONE_WORD
    assert english.request_rule.again_from == AGAIN_FROM
    assert english.rehear is not None  # the running-mean second hearing
    assert running_engine.own_mean == frozenset()
    assert running.request_rule == RequestRule()
    assert running.rehear is None


def test_one_by_en_gb_f2_is_heard_as_water_but_not_confirmed(english: VoicePipeline) -> None:
    """Why the own mean was opt-in in session 11: espeak-ng en-gb+f2's "one" comes out as
    "water" and the request verifier gives water only 0.71. On the default path a short
    request must be confirmed (``RequestRule.confirm_short``): the verifier's 0.71 is under
    0.75, and the running-mean hearing of the same clip is talk."""
    events = english.run(make_clip(speak("one", GB_F), None).samples)
    assert [e.intent for e in events if e.intent] == []
    assert [e.text for e in events] == ["water"]  # the own mean's hearing, not confirmed
    assert "not confirmed" in events[0].reason


def test_the_open_mode_hears_a_request_the_same_after_another_voice(english: VoicePipeline) -> None:
    """A request right after a loud sentence by another voice (a nurse, a visitor) is heard
    exactly as on a fresh engine: with the running mean it was "yes" fresh and "legs" after
    the other voice, and never the request. The answer mode keeps the running mean."""
    word = make_clip(speak("nurse", US_F3), None).samples
    fresh = [(e.text, e.intent) for e in english.run(word)]
    assert [i for _, i in fresh if i] == ["nurse"]
    loud = make_clip(speak("call the nurse please", Voice("piper:joe", 180)), None).samples
    english.run(np.clip(loud.astype(np.int32) * 3, -32768, 32767).astype(np.int16))
    assert [(e.text, e.intent) for e in english.run(word)] == fresh
