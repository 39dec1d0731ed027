"""A second hearing for short spoken requests (English, PocketSphinx fallback).

Why: PocketSphinx's open-mode language model (``beckon.voice.talk``) must give ordinary talk
enough room that a real single word ("bed", "one") finds its talk word instead of the
nearest request; with that room robotic espeak-ng catalog words ("water", "nurse") were lost
to talk too (74% -> 69% on the bench's catalog phrases). A looser start prior
(:data:`CHECKED_TALK`) wins some of them back but lets real single words through again
("one" -> ``toilet``, "up" -> ``nurse``). So a request of at most :data:`MAX_WORDS` words
that the decoder found is heard a second time, by a small classifier on Google's speech
embedding (the answer verifier's framing, ``beckon.voice.keywords``), trained by
``beckon.lab.train_requests`` on the catalog's short requests against real single words,
talk and confusable words. It can
only take a request away (when it is sure the utterance is "other"), never make one, and
emergencies are never taken away: a missed emergency costs more than a prompt declined.

Without the model files the voice path logs why and keeps the strict prior
(``TalkModel()``), as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from beckon.errors import ModelError
from beckon.voice import keywords
from beckon.voice.catalog import CONTROL_CODES
from beckon.voice.keywords import SpeechEmbedder, _session, embedding_paths
from beckon.voice.matcher import EDGE_REASON, Match, clean_words
from beckon.voice.talk import TalkModel
from beckon.voice.vad import Int16Array

log = logging.getLogger(__name__)

MODEL_FILE = "request_kws.onnx"
OTHER = "other"
MAX_WORDS = 2
"""Catalog sentences of at most this many words are judged (the ones the classifier knows)."""

CHECKED_TALK = TalkModel(even_start=0.5, leave_inside=0.01)
"""The open-mode prior used when the request verifier is there: half of the catalog's start
shared evenly among the sentences' first words (half by their counts, as before), and a
catalog sentence left for talk after two of its words with probability 0.01 instead of 0.05.
Sharing all of it evenly won more espeak-ng bench clips but took the start weight from "i",
which begins most sentences: espeak-ng's "i am cold" became "on cold" (docs/voice.md, "A
second hearing for short requests")."""


@dataclass(frozen=True)
class RequestRule:
    """When the verifier takes a decoded request away.

    ``other_veto``: the classifier's probability of "other" at or above which a short
    request is dropped (chosen on the real tune recordings with models that had not heard the
    speaker, and on the bench's espeak-ng voices, which no model heard; docs/voice.md).
    ``max_words``: only matched catalog sentences this short are judged; longer ones are the
    decoder's (the classifier was not trained on them). ``exempt``: intents never dropped.
    """

    other_veto: float = 0.9
    max_words: int = MAX_WORDS
    exempt: frozenset[str] = field(default_factory=lambda: frozenset({"emergency"}))


@dataclass(frozen=True)
class RequestVerdict:
    """The classifier's probabilities per class (empty when it did not run, with why)."""

    classes: tuple[str, ...] = ()
    probabilities: tuple[float, ...] = ()
    reason: str = ""

    def of(self, label: str) -> float:
        """The probability of ``label`` (0 when the classifier did not run)."""
        if label not in self.classes or not self.probabilities:
            return 0.0
        return self.probabilities[self.classes.index(label)]


def packaged_classifier() -> Path:
    """The shipped classifier (``models/request_kws.onnx``); a ModelError if it is missing."""
    return keywords.packaged_classifier(MODEL_FILE, "request verifier", "beckon.lab.train_requests")


class RequestVerifier:
    """Classifies one utterance (int16, 16 kHz) as one of the short requests or "other"."""

    def __init__(
        self, classifier: Path | None = None, embedder: SpeechEmbedder | None = None
    ) -> None:
        if embedder is None:
            embedder = SpeechEmbedder(*embedding_paths())
        self.embedder = embedder
        self._clf: Any = _session(classifier or packaged_classifier())
        meta = self._clf.get_modelmeta().custom_metadata_map
        self.classes: tuple[str, ...] = tuple(meta.get("classes", "").split(","))
        if not self.classes or self.classes[0] != OTHER:
            raise ModelError(
                f"{classifier or MODEL_FILE} has no class list starting with {OTHER!r}",
                "rebuild it with `python -m beckon.lab.train_requests`",
            )

    def verdict(self, samples: Int16Array) -> RequestVerdict:
        window, why = keywords.short_utterance(samples, "too long for a short request")
        if window is None:
            return RequestVerdict(reason=why)
        emb = self.embedder.embed(window[None, :])
        out = self._clf.run(None, {"embeddings": emb.astype(np.float32)})[0]
        probs = np.asarray(out, dtype=np.float32)[0]
        return RequestVerdict(self.classes, tuple(float(p) for p in probs))


def needs_request_verdict(match: Match, rule: RequestRule) -> bool:
    """Whether the verifier may take this outcome away (so it runs only then): a request,
    not exempt, whose catalog sentence has at most ``rule.max_words`` words; or, for a
    sentence the matcher's edge rule completed, what was heard of it (it takes "am hot"
    for "i am hot": two words heard, as short as the requests the classifier judges; a real
    "seven" came out so).
    """
    if match.intent is None or match.intent in CONTROL_CODES or match.intent in rule.exempt:
        return False
    sentence = match.sentence or match.text
    words = len(clean_words(sentence))
    if match.reason == EDGE_REASON:
        words = min(words, len(clean_words(match.text)) or words)
    return words <= rule.max_words


def judge(match: Match, verdict: RequestVerdict, rule: RequestRule) -> Match:
    """The decoder's request, or nothing when the verifier is sure it heard something else."""
    if not needs_request_verdict(match, rule) or not verdict.probabilities:
        return match
    other = verdict.of(OTHER)
    if other < rule.other_veto:
        return match
    return Match(
        match.text,
        None,
        match.score,
        match.sentence,
        f"the request verifier heard no {match.intent!r} ({OTHER} {other:.2f})",
    )


def open_request_verifier(embedder: SpeechEmbedder | None = None) -> RequestVerifier | None:
    """The verifier with the installed models, or None (logged, with the fix)."""
    try:
        return RequestVerifier(embedder=embedder)
    except ModelError as exc:
        log.warning("request verifier off (strict talk prior kept): %s", exc)
        return None
