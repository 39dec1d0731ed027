"""The English voice path for tests, without opening PocketSphinx again for each test."""

from __future__ import annotations

from beckon.voice.catalog import Catalog
from beckon.voice.engines import PocketSphinxEngine
from beckon.voice.recognizer import VoicePipeline, build_pipeline
from beckon.voice.vad import SileroVad


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
