"""The catalog-or-talk language model of the English engine: a proper probability model in
which a catalog sentence is far likelier than the same length of ordinary talk."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pocketsphinx import Config, LogMath, NGramModel

from beckon.errors import ConfigError
from beckon.voice.talk import TalkModel, build_arpa, talk_words

SENTENCES = ["call the nurse", "i need water", "water please", "help"]
LOG10_UNIT = math.log10(1.0001)  # NGramModel.prob answers in log base 1.0001


@pytest.fixture(scope="module")
def lm(tmp_path_factory: pytest.TempPathFactory) -> NGramModel:
    path = Path(tmp_path_factory.mktemp("lm")) / "m.arpa"
    path.write_text(build_arpa(SENTENCES, talk_words("en", 2000), TalkModel()))
    return NGramModel(Config(), LogMath(), str(path))


def _p(lm: NGramModel, word: str, *history: str) -> float:
    """P(word | history), history oldest first."""
    return 10 ** (lm.prob([word, *reversed(history)]) * LOG10_UNIT)


def _vocabulary() -> list[str]:
    return sorted(set(talk_words("en", 2000)) | {w for s in SENTENCES for w in s.split()})


@pytest.mark.parametrize("history", [("<s>",), ("i",), ("i", "need"), ("water",), ("morning",)])
def test_every_history_sums_to_one(lm, history):
    total = sum(_p(lm, w, *history) for w in [*_vocabulary(), "</s>"])
    assert total == pytest.approx(1.0, abs=0.01)


def test_a_catalog_sentence_is_far_likelier_than_talk_of_the_same_length(lm):
    def sentence(words: list[str]) -> float:
        seq = ["<s>", *words, "</s>"]
        return sum(math.log10(_p(lm, w, *seq[max(0, i - 2) : i])) for i, w in enumerate(seq) if i)

    assert sentence(["i", "need", "water"]) > sentence(["what", "time", "is"]) + 3
    # Talk is possible, only less likely: the recogniser must be able to say it.
    assert sentence(["what", "time", "is"]) > -20


def test_more_room_for_talk_makes_talk_likelier(tmp_path):
    def start_with_talk(model: TalkModel) -> float:
        path = tmp_path / f"{model.talk_start}.arpa"
        path.write_text(build_arpa(SENTENCES, talk_words("en", 2000), model))
        return _p(NGramModel(Config(), LogMath(), str(path)), "morning", "<s>")

    assert start_with_talk(TalkModel(talk_start=0.3)) > 5 * start_with_talk(
        TalkModel(talk_start=0.01)
    )


def test_the_talk_words_are_the_commonest_first():
    words = list(talk_words("en", 50))
    assert len(words) == 50
    assert words[:3] == ["the", "to", "i"]


def test_a_language_without_talk_words_says_how_to_make_them():
    with pytest.raises(ConfigError) as info:
        talk_words("xx", 10)
    assert "make_talk_words.py" in (info.value.hint or "")


KNOBS = TalkModel(even_start=0.3, single_start=0.4, leave_inside=0.01)


@pytest.fixture(scope="module")
def knob_lm(tmp_path_factory: pytest.TempPathFactory) -> NGramModel:
    path = Path(tmp_path_factory.mktemp("lm")) / "knobs.arpa"
    path.write_text(build_arpa(SENTENCES, talk_words("en", 2000), KNOBS))
    return NGramModel(Config(), LogMath(), str(path))


@pytest.mark.parametrize("history", [("<s>",), ("i", "need"), ("call", "the"), ("water",)])
def test_the_start_and_inside_knobs_keep_a_probability_model(knob_lm, history):
    total = sum(_p(knob_lm, w, *history) for w in [*_vocabulary(), "</s>"])
    assert total == pytest.approx(1.0, abs=0.01)


def test_single_start_gives_one_word_sentences_their_share_of_the_catalog_start(lm, knob_lm):
    # "help" starts 1 of 4 sentences (0.5 * 1/4 by counts); with even_start 0.3 and
    # single_start 0.4, and "help" the only single-word sentence of 4 first words:
    # 0.3 * 1/4 by counts + 0.3 / 4 evenly + all 0.4 of the single-word share.
    assert _p(lm, "help", "<s>") == pytest.approx(0.5 * 0.25, rel=0.02)
    assert _p(knob_lm, "help", "<s>") == pytest.approx(0.5 * (0.075 + 0.075 + 0.4), rel=0.02)
    # The talk start keeps its prior: the knobs move catalog mass, not talk's.
    assert _p(knob_lm, "morning", "<s>") == pytest.approx(_p(lm, "morning", "<s>"), rel=0.02)


def test_leave_inside_keeps_a_sentence_together_after_two_of_its_words(lm, knob_lm):
    assert _p(knob_lm, "water", "i", "need") == pytest.approx(0.99, rel=0.01)
    assert _p(lm, "water", "i", "need") == pytest.approx(0.95, rel=0.01)
    # After one catalog word the usual leave applies.
    assert _p(knob_lm, "need", "<s>", "i") == pytest.approx(_p(lm, "need", "<s>", "i"), rel=0.01)
