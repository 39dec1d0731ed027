"""A language model of "a catalog sentence, or ordinary talk" for recognisers that take one.

A grammar of the catalog sentences alone forces every sound onto some request: with
PocketSphinx, "good morning" came out as "lights on" and "i had a strange dream" as "i
cannot breathe". Here the catalog sentences compete with everyday words: an utterance starts
as a catalog sentence with probability ``1 - talk_start``, and from then on any word may
leave the sentence for talk with probability ``leave``. Talk words come from a list of the
most common words of the language with their frequencies (``beckon/data/talk/<lang>.txt``),
so ordinary talk is transcribed as talk and the template matcher finds no request in it,
while a catalog sentence keeps its strong prior. The probabilities are tuned with
``beckon bench voice``.

The model is a trigram model written as ARPA text: catalog n-grams with discounted
maximum-likelihood probabilities, backing off to a unigram mixture of catalog words and talk
words, with back-off weights computed so each history sums to one.
"""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass
from importlib import resources

from beckon.errors import ConfigError

START, END = "<s>", "</s>"


@dataclass(frozen=True)
class TalkModel:
    """How much room ordinary talk gets next to the catalog (probabilities, 0..1).

    This is the margin a catalog sentence must win by: with ``talk_start`` 0.05 a single
    word such as "bed" or "one" was pulled onto "bedpan" or "toilet" because talk had almost
    no prior; at 0.5 the single words of real recordings gave a request 3.6% of the time
    instead of 9.1% (the tune part of the development recordings, docs/voice.md), at some
    cost to "no" and "stop", which PocketSphinx then more often hears as "now" and "that".
    ``leave`` stays small: raised to 0.2 it broke catalog sentences into talk ("i am cold"
    heard as "i little").

    ``talk_start``: an utterance starts as talk. ``leave``: a catalog word is followed by a
    word outside its sentences. ``talk_unigram``: weight of the talk words against the
    catalog words in the back-off distribution. ``end``: the chance of ending after a word of
    talk. ``words``: how many of the most common words of the language count as talk.
    """

    talk_start: float = 0.5
    leave: float = 0.05
    talk_unigram: float = 0.3
    end: float = 0.15
    words: int = 5000
    even_start: float = 0.0
    single_start: float = 0.0
    leave_inside: float | None = None


def talk_words(language: str, limit: int) -> dict[str, float]:
    """The ``limit`` most common words of a language, with probabilities summing to one."""
    name = f"data/talk/{language}.txt"
    try:
        text = resources.files("beckon").joinpath(name).read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"there is no list of everyday words for {language!r} (beckon/{name})",
            "write one with scripts/make_talk_words.py",
        ) from None
    words: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        word, log10p = line.split()
        words[word] = 10 ** float(log10p)
        if len(words) >= limit:
            break
    total = sum(words.values())
    return {w: p / total for w, p in words.items()}


def _log10(p: float) -> str:
    return f"{math.log10(p) if p > 0 else -99.0:.4f}"


def build_arpa(sentences: list[str], talk: dict[str, float], model: TalkModel) -> str:
    """ARPA text of the catalog-or-talk trigram model (see the module docstring)."""
    seqs = [[START, *s.split(), END] for s in sentences]
    catalog_counts = collections.Counter(w for seq in seqs for w in seq[1:])
    catalog_total = sum(catalog_counts.values())

    unigram: dict[str, float] = {}
    for word in set(talk) | set(catalog_counts):
        if word == END:
            continue
        from_catalog = catalog_counts.get(word, 0) / catalog_total
        unigram[word] = (1 - model.end) * (
            (1 - model.talk_unigram) * from_catalog + model.talk_unigram * talk.get(word, 0.0)
        )
    unigram[END] = model.end
    norm = sum(unigram.values())
    unigram = {w: p / norm for w, p in unigram.items()}

    follows: dict[tuple[str, ...], collections.Counter[str]] = collections.defaultdict(
        collections.Counter
    )
    for seq in seqs:
        for i in range(1, len(seq)):
            follows[(seq[i - 1],)][seq[i]] += 1
            if i >= 2:
                follows[(seq[i - 2], seq[i - 1])][seq[i]] += 1

    probs: dict[tuple[str, ...], float] = {}
    backoff: dict[tuple[str, ...], float] = {}

    def lower(history: tuple[str, ...], word: str) -> float:
        """P(word | history) of the model one order down."""
        if not history:
            return unigram[word]
        key = (*history, word)
        if key in probs:
            return probs[key]
        return backoff.get(history, 1.0) * lower(history[1:], word)

    singles = {seq[1] for seq in seqs if len(seq) == 3}
    for order in (1, 2):
        for history, counts in follows.items():
            if len(history) != order:
                continue
            if history == (START,):
                kept = 1 - model.talk_start
            elif model.leave_inside is not None and len(history) == 2 and START not in history:
                kept = 1 - model.leave_inside
            else:
                kept = 1 - model.leave
            total = sum(counts.values())
            for word, count in counts.items():
                share = count / total
                if history == (START,):
                    share = (
                        (1 - model.even_start - model.single_start) * share
                        + model.even_start / len(counts)
                        + (model.single_start / len(singles) if word in singles else 0.0)
                    )
                probs[(*history, word)] = kept * share
            seen = sum(lower(history[1:], w) for w in counts)
            backoff[history] = (1 - kept) / max(1e-9, 1 - seen)

    def line(p: float, gram: tuple[str, ...]) -> str:
        text = f"{_log10(p)} {' '.join(gram)}"
        if len(gram) < 3 and gram[-1] != END:
            text += f" {_log10(backoff.get(gram, 1.0))}"
        return text

    bigrams = sorted(g for g in probs if len(g) == 2)
    trigrams = sorted(g for g in probs if len(g) == 3)
    out = [
        "\\data\\",
        f"ngram 1={len(unigram) + 1}",
        f"ngram 2={len(bigrams)}",
        f"ngram 3={len(trigrams)}",
        "",
        "\\1-grams:",
        f"-99.0000 {START} {_log10(backoff.get((START,), 1.0))}",
        *(line(unigram[w], (w,)) for w in sorted(unigram)),
        "",
        "\\2-grams:",
        *(line(probs[g], g) for g in bigrams),
        "",
        "\\3-grams:",
        *(line(probs[g], g) for g in trigrams),
        "",
        "\\end\\",
        "",
    ]
    return "\n".join(out)
