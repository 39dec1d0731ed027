"""English catalog sentences won back on PocketSphinx (issue 10, session 7), opt-in.

The edge rule of the matcher (a whole request sentence with its first word dropped, or one
short stray word beside it) and British pronunciations of catalog words, through the voice
path with ``build_pipeline(catalog_edges=True)``: espeak-ng voices the bench does not use say
catalog sentences the decoder used to lose, and the intent comes out; single off-catalog words
and ordinary sentences, said by the same voices, still give no request. Not the default: on
the real score recordings single words gave more false requests with it (docs/voice.md).
"""

from __future__ import annotations

import pytest

from beckon.lab.voice_synth import Voice, make_clip, speak
from beckon.voice.catalog import Catalog
from beckon.voice.engines import BRITISH_PRONUNCIATIONS, PocketSphinxEngine
from beckon.voice.matcher import EDGE_REASON, EdgeRule
from beckon.voice.recognizer import VoicePipeline, build_pipeline
from beckon.voice.vad import SileroVad
from tests.helpers.voice import fresh_english, open_english

# Voices the bench (beckon.lab.voice_bench.VOICES) does not use.
GB_F = Voice("en-gb+f2", 150, 55)
GB_RP = Voice("en-gb-x-rp", 165, 45)
US_M = Voice("en-us+m1", 140, 50)


@pytest.fixture(scope="module")
def edges_engine(catalog: Catalog) -> PocketSphinxEngine:
    return open_english(catalog, catalog_edges=True)


@pytest.fixture
def english_open(
    catalog: Catalog, vad: SileroVad, edges_engine: PocketSphinxEngine
) -> VoicePipeline:
    """The English path with the catalog edges, on one engine reset for each test."""
    return fresh_english(catalog, vad, edges_engine, catalog_edges=True)


def _events(pipeline: VoicePipeline, text: str, voice: Voice) -> list[tuple[str | None, str]]:
    events = pipeline.run(make_clip(speak(text, voice), None).samples)
    return [(e.intent, e.reason) for e in events]


def test_the_edge_rule_is_opt_in_and_never_on_vosk(
    english: VoicePipeline, english_open: VoicePipeline, catalog: Catalog
) -> None:
    assert english.matcher.edge is None  # the product's default
    assert english_open.matcher.edge == EdgeRule()
    assert build_pipeline("ko", catalog, catalog_edges=True).matcher.edge is None


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
        ("turn lights on", US_M, "lights"),  # heard "do lights on"
    ],
    ids=lambda x: x.label if isinstance(x, Voice) else str(x),
)
def test_sentences_heard_with_a_word_off_at_their_edge_give_the_intent(
    english_open: VoicePipeline, text: str, voice: Voice, intent: str
) -> None:
    events = _events(english_open, text, voice)
    assert [i for i, _ in events if i] == [intent]


@pytest.mark.parametrize("voice", [GB_F, GB_RP], ids=lambda v: v.label)
def test_a_british_bathroom_is_heard_with_the_british_pronunciation(
    english_open: VoicePipeline, voice: Voice
) -> None:
    # Without the alternative pronunciation these came out as "was you" and "are through".
    assert [i for i, _ in _events(english_open, "bathroom", voice) if i] == ["toilet"]


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
    english_open: VoicePipeline, text: str, voice: Voice
) -> None:
    got = {i for i, _ in _events(english_open, text, voice) if i}
    assert not got - {"yes", "no", "cancel"}


def test_the_edge_rule_says_why_it_took_a_sentence(english_open: VoicePipeline) -> None:
    match = english_open.matcher.match("done lights on")
    assert (match.intent, match.reason) == ("lights", EDGE_REASON)
