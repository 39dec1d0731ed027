"""The English voice path for tests, without opening PocketSphinx again for each test,
recorded-like audio made from generated speech, and the synthetic speakers the verifiers are
tested with."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from beckon.lab.voice_synth import Voice, make_clip, speak
from beckon.voice.catalog import Catalog
from beckon.voice.engines import PocketSphinxEngine
from beckon.voice.recognizer import VoicePipeline, build_pipeline
from beckon.voice.vad import SAMPLE_RATE, Int16Array, SileroVad, segment

PIPER = Voice("piper:joe", 150)
ESPEAK = Voice("en-us", 150)
ESPEAK_F = Voice("en-us+f3", 135, 60)
VOICES = (PIPER, ESPEAK, ESPEAK_F)
"""The synthetic speakers the answer and request verifiers are tested with: Piper's joe and
two espeak-ng voices, a man's and a woman's."""


def open_english(catalog: Catalog, british_pronunciations: bool = False) -> PocketSphinxEngine:
    """The English engine as the voice path opens it, to share among tests through
    :func:`fresh_english` (its dictionary takes seconds to load). ``british_pronunciations``:
    the opt-in dictionary alternatives (``build_pipeline(british_pronunciations=True)``)."""
    engine = build_pipeline("en", catalog, british_pronunciations=british_pronunciations).engine
    assert isinstance(engine, PocketSphinxEngine)
    return engine


def fresh_english(
    catalog: Catalog, vad: SileroVad, engine: PocketSphinxEngine, catalog_edges: bool = True
) -> VoicePipeline:
    """A new English pipeline on the session's engine, reset to a newly opened engine's state,
    so that its live cepstral normalisation starts from the same state whichever test runs
    first (test_normalisation.py checks that a reset engine decodes like a new one).
    ``catalog_edges``: the matcher's edge rule, on by default as in the product."""
    engine.reset()
    pipeline = build_pipeline("en", catalog, opened=engine, catalog_edges=catalog_edges)
    pipeline.segmenter.vad = vad
    return pipeline


def behind_a_noise_gate(
    word: npt.NDArray[np.float64],
    seed: int,
    gain: float = 0.1,
    floor: float = 300.0,
    closed_s: float = 0.3,
    opened_s: float = 0.05,
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16]]:
    """A quiet word in a room's noise floor as a microphone with a noise gate records it:
    ``closed_s`` of exact digital zeros while the gate is closed, then the noise floor (white,
    RMS ``floor``) from ``opened_s`` before the word (``word`` times ``gain``) to 0.2 s after
    it. Returns the gated recording and the same audio after the gate opened (the recording as
    it would be with the gate open all along, but for its start)."""
    rng = np.random.default_rng(seed)
    opened = np.concatenate(
        [np.zeros(int(opened_s * SAMPLE_RATE)), word * gain, np.zeros(int(0.2 * SAMPLE_RATE))]
    )
    opened = opened + rng.standard_normal(len(opened)) * floor
    gated = np.concatenate([np.zeros(int(closed_s * SAMPLE_RATE)), opened])
    return gated.astype(np.int16), opened.astype(np.int16)


def utterance(text: str, voice: Voice, vad: SileroVad) -> Int16Array:
    """``text`` said by ``voice`` as the voice path hands it to a verifier: cut from a clip by
    the VAD (its longest segment)."""
    vad.reset()
    segs = segment(make_clip(speak(text, voice), None).samples, vad)
    assert segs, f"the VAD should have heard {text!r}"
    return max(segs, key=lambda s: len(s.audio)).audio


def heard_intents(pipeline: VoicePipeline, text: str, voice: Voice) -> list[str]:
    """The intents ``pipeline`` takes from a clip of ``text`` said by ``voice``."""
    events = pipeline.run(make_clip(speak(text, voice), None).samples)
    return [e.intent for e in events if e.intent]
