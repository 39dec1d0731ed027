"""PocketSphinx with ``per_utterance=True`` hears each utterance on its own terms: a fresh
noise estimate and the utterance's own cepstral mean, as its bundled model was trained, not a
running mean carried over from whoever spoke before (not yet the default: docs/journal/voice.md). So
the same word gives the same result after a very different earlier utterance, and a change of
level or a DC offset in the microphone does not make a short answer start from the wrong
mean. Real PocketSphinx, espeak-ng and Piper speech."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from beckon.lab.voice_synth import Voice, make_clip, speak
from beckon.voice.catalog import Catalog
from beckon.voice.engines import PocketSphinxEngine
from beckon.voice.matcher import TemplateMatcher
from beckon.voice.recognizer import VoiceEvent, VoicePipeline, build_pipeline
from beckon.voice.requests_verifier import RUNNING_RULE
from beckon.voice.vad import Int16Array, SileroVad, chunks

PIPER = Voice("piper:joe", 150)
EN = Voice("en-us", 150)
EN_F = Voice("en-us+f3", 135, 60)
EN_GB = Voice("en-gb+m3", 175, 40)


@pytest.fixture
def english(catalog: Catalog, vad: SileroVad) -> VoicePipeline:
    """The English voice path with each utterance normalised on its own."""
    return VoicePipeline(
        PocketSphinxEngine(catalog, "en", per_utterance=True),
        TemplateMatcher(catalog, "en"),
        vad=vad,
        answer_matcher=TemplateMatcher(catalog, "en", codes=catalog.answer_codes()),
    )


def _scaled(samples: Int16Array, gain: float, offset: int = 0) -> Int16Array:
    """The recording through another microphone setting: a gain and a DC offset."""
    out = samples.astype(np.float64) * gain + offset
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def _heard(pipeline: VoicePipeline, samples: Int16Array) -> list[tuple[str, str | None]]:
    events = pipeline.run(samples)
    assert events, "the VAD should have heard an utterance"
    return [(e.text, e.intent) for e in events]


def _decode(engine: PocketSphinxEngine, samples: Int16Array) -> str:
    """The engine's transcript of a whole clip fed chunk by chunk (no VAD in between)."""
    engine.start()
    for chunk in chunks(samples):
        engine.accept(chunk)
    return engine.finish().text


def test_a_word_is_heard_the_same_whatever_came_before(english: VoicePipeline) -> None:
    """The same "no" heard first, then again after a loud sentence by a different voice:
    the same transcript and intent. With the running mean carried over, the second hearing
    started from the loud sentence's mean."""
    word = make_clip(speak("no", PIPER), None).samples
    loud = _scaled(make_clip(speak("the weather is nice today", EN_GB), None).samples, 3.0)
    english.set_mode("answer")
    first = _heard(english, word)
    assert [intent for _, intent in first] == ["no"]
    english.set_mode("open")
    english.run(loud)
    english.set_mode("answer")
    assert _heard(english, word) == first


def test_the_engine_gives_identical_transcripts_after_any_history(catalog: Catalog) -> None:
    """Engine level, without the VAD: a catalog sentence decoded fresh, after a quiet word,
    and after a loud sentence with a DC offset gives exactly the same transcript each time."""
    engine = PocketSphinxEngine(catalog, "en", per_utterance=True)
    sentence = make_clip(speak("i need the toilet", EN), None, lead_s=0.3, tail_s=0.3).samples
    fresh = _decode(engine, sentence)
    assert fresh == "i need the toilet"
    _decode(engine, _scaled(make_clip(speak("yes", EN_F), None).samples, 0.1))
    assert _decode(engine, sentence) == fresh
    _decode(
        engine, _scaled(make_clip(speak("did you see the game", EN_GB), None).samples, 3.0, 4000)
    )
    assert _decode(engine, sentence) == fresh


def test_a_quiet_answer_after_loud_talk_is_still_heard(english: VoicePipeline) -> None:
    """A patient who answers softly right after a loud sentence (a visitor, the television):
    the answer's level is its own, so "yes" is still a yes."""
    english.run(
        _scaled(make_clip(speak("my daughter is coming to see me", EN_GB), None).samples, 3.0)
    )
    english.set_mode("answer")
    quiet = _scaled(make_clip(speak("yes", PIPER), None).samples, 0.08)
    assert [intent for _, intent in _heard(english, quiet)] == ["yes"]


def test_an_answer_with_a_dc_offset_is_still_heard(english: VoicePipeline) -> None:
    """A microphone with a DC offset (a cheap USB dongle): "stop" still cancels."""
    english.set_mode("answer")
    word = _scaled(make_clip(speak("stop", PIPER), None).samples, 0.5, 3000)
    assert [intent for _, intent in _heard(english, word)] == ["cancel"]


def test_past_its_first_part_an_utterance_is_decoded_as_it_comes(catalog: Catalog) -> None:
    """Past ``mean_from_s`` the sentence is decoded chunk by chunk with its first part's mean,
    so a long sentence leaves no more work at its end than a short one; it is still
    recognised, and heard the same after a loud sentence."""
    engine = PocketSphinxEngine(catalog, "en", per_utterance=True, mean_from_s=0.8)
    sentence = make_clip(speak("can i have some water please", PIPER), None).samples
    engine.start()
    streamed = 0
    for chunk in chunks(sentence):
        engine.accept(chunk)
        streamed += engine._streaming
    assert streamed > len(sentence) // 512 // 2
    first = engine.finish().text
    assert first == "can i have some water please"
    _decode(engine, _scaled(make_clip(speak("the weather is nice", EN_GB), None).samples, 3.0))
    assert _decode(engine, sentence) == first


def test_a_reset_engine_decodes_like_a_newly_opened_one(catalog: Catalog, vad: SileroVad) -> None:
    """With the running mean (the answer mode's; the open mode's on ``RUNNING_RULE``, session
    10's path), what an utterance decodes to depends on the utterances before it; ``reset()``
    undoes exactly that, which is what lets the test suite share one engine instead of opening
    PocketSphinx for each test (tests/helpers/voice.py)."""
    english_engine = build_pipeline("en", catalog, open_rule=RUNNING_RULE).engine
    assert isinstance(english_engine, PocketSphinxEngine)

    def fresh(engine: PocketSphinxEngine) -> VoicePipeline:
        engine.reset()
        pipeline = build_pipeline("en", catalog, opened=engine, open_rule=RUNNING_RULE)
        pipeline.segmenter.vad = vad
        return pipeline

    clips = [
        make_clip(speak(text, voice), None).samples
        for text, voice in [("i need water", EN), ("the weather is nice", EN)]
    ]
    talk = make_clip(speak("my daughter is coming to see me this afternoon", EN_F), None).samples

    def decoded(pipeline: VoicePipeline, samples: Int16Array) -> list[VoiceEvent]:
        return [dataclasses.replace(e, decode_s=0.0) for e in pipeline.run(samples)]

    def heard(events: list[VoiceEvent]) -> list[tuple[str, float, str | None]]:
        return [(e.text, e.score, e.intent) for e in events]

    newly_opened, after_talk, after_reset = [], [], []
    for samples in clips:
        pipeline = build_pipeline("en", catalog, open_rule=RUNNING_RULE)
        pipeline.segmenter.vad = vad
        newly_opened.append(decoded(pipeline, samples))
        shared = fresh(english_engine)
        shared.run(talk)
        after_talk.append(heard(decoded(shared, samples)))
        after_reset.append(decoded(fresh(english_engine), samples))
    assert after_reset == newly_opened
    # The earlier talk does change what is heard: without reset() the tests would depend on
    # their order.
    assert after_talk != [heard(events) for events in newly_opened]
