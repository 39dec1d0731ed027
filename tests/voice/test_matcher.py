"""Snapping transcripts to catalog sentences: hits, near misses, rejections."""

from __future__ import annotations

import pytest

from beckon.voice.catalog import Catalog
from beckon.voice.matcher import (
    EDGE_REASON,
    EdgeRule,
    TemplateMatcher,
    clean_words,
    similarity,
    word_edits,
)


@pytest.fixture(scope="module")
def en(catalog):
    return TemplateMatcher(catalog, "en")


@pytest.fixture(scope="module")
def ko(catalog):
    return TemplateMatcher(catalog, "ko")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("call the nurse", "nurse"),
        ("I am cold.", "cold"),
        ("lights off", "lights"),
        ("yes", "yes"),
        ("never mind", "cancel"),
        ("i can't breathe", "emergency"),
    ],
)
def test_exact_sentences_hit(en, text, intent):
    m = en.match(text)
    assert (m.intent, m.score) == (intent, 1.0)


def test_near_misses_snap_to_the_sentence(en, ko):
    assert en.match("nurse nurse").intent == "nurse"  # a repeated word is folded
    assert en.match("please call the nurse please please").intent == "nurse"
    near = en.match("could i have some water pleas")  # one word off by a letter
    assert near.intent == "water" and 0.8 <= near.score < 1.0
    assert ko.match("물 주세요").intent == "water"
    assert ko.match("간호사 불러 주세요 주세요").intent == "nurse"


def test_far_transcripts_are_rejected(en, ko):
    for text in ("what the it", "tell the news are", "i think my family is coming", ""):
        m = en.match(text)
        assert m.intent is None, text
        assert m.reason
    assert ko.match("오늘 간호사 좀 줘 주세요").intent is None
    assert ko.match("뭐 추워 주세요").intent is None


def test_only_decoy_words_or_unknown_give_nothing(en):
    assert en.match("nice weather today").reason == "only decoy words"
    assert en.match("[unk] [unk]").intent is None
    assert en.match("[unk] water").intent is None  # [unk] counts against a sentence


def test_hangul_near_misses_count_letters_not_syllables():
    # 물 and 뭐 share their first letter: as whole syllables they would share nothing.
    assert 0 < similarity(["뭐"], ["물"]) < 1
    assert similarity(["간호사"], ["간호사"]) == 1.0
    assert clean_words("물 물 주세요") == ["물", "주세요"]


def test_a_korean_request_ending_said_twice_counts_once(ko: TemplateMatcher) -> None:
    """Vosk's grammar loop heard espeak-ng's "물 주세요" as "물 줘 주세요": "줘" and its
    politer "주세요" are the same ending, so the pair counts as "주세요"."""
    assert clean_words("물 줘 주세요") == ["물", "주세요"]
    assert clean_words("담요 줘 줘 주세요 주세요") == ["담요", "주세요"]
    assert ko.match("물 줘 주세요").intent == "water"
    assert ko.match("몸 돌려 줘 주세요").intent == "reposition"
    # Only in that order, and "줘" alone stays what it is.
    assert clean_words("주세요 줘") == ["주세요", "줘"]
    assert ko.match("물 줘").intent == "water"


def test_the_korean_softener_says_nothing_of_what_is_asked(catalog: Catalog) -> None:
    """Vosk's grammar loop heard espeak-ng's "숨쉬기 힘들어" (can't breathe) as "좀 숨쉬기
    힘들어" in two runs of the full clean bench (the n-best list held nothing else), and it was
    lost: "좀" ("a little", the "please" of a request) only softens what is asked."""
    ko = TemplateMatcher(catalog, "ko", shared_word=True, no_longer=True)
    assert clean_words("좀 숨쉬기 힘들어") == ["숨쉬기", "힘들어"]
    assert ko.match_alternatives(["좀 숨쉬기 힘들어"]).intent == "emergency"
    # Anywhere in the sentence: "물 좀 주세요" is "물 주세요" said gently.
    assert ko.match("물 좀 주세요").intent == "water"
    # The catalog's own sentences with it are still what they were.
    assert ko.match("간호사 좀 불러").intent == "nurse"
    assert ko.match("물 좀 줘").intent == "water"
    # The softener alone, or beside everyday words, is no request.
    for text in ("좀", "좀 좀", "좀 어제", "오늘 좀 전화"):
        assert ko.match(text).intent is None, text
    # It does not make a far sentence near, nor mend the opposite answer away.
    assert ko.match("좀 뭐 추워 주세요").intent is None
    assert ko.match_alternatives(["네 좀", "아니요"]).intent is None
    # A best path of the softener alone shares no word with a lower path: none speaks for it.
    assert ko.match_alternatives(["좀", "물 좀 줘"]).intent is None


def test_lower_alternatives_must_be_exact(en):
    assert en.match_alternatives(["tell the news", "call the nurse"]).intent == "nurse"
    # A merely close sentence below the top path does not count.
    assert en.match_alternatives(["tell the news", "call the nurse now"]).intent is None
    assert en.match_alternatives([]).intent is None


def test_with_shared_word_a_lower_path_speaks_only_when_it_shares_a_word_with_the_best(
    catalog: Catalog, ko: TemplateMatcher
) -> None:
    """Vosk's n-best paths: a real Korean cooking remark came out as "줘" with "추워" (`cold`)
    below it, "이어 하기" (resume) as "에어컨" with "물 주세요" (`water`) fourth."""
    shared = TemplateMatcher(catalog, "ko", shared_word=True)
    for paths in (["줘", "추워"], ["에어컨", "주세요", "물 주세요"], ["숨쉬기 어제", "추워"]):
        assert ko.match_alternatives(paths).intent is not None  # without: a request
        assert shared.match_alternatives(paths).intent is None, paths
    # The same account with its stray word mended still speaks.
    assert (
        shared.match_alternatives(["바꿔 주세요 아침", "자세 바꿔 주세요"]).intent == "reposition"
    )
    # The opposite-answer check still sees every path.
    assert shared.match_alternatives(["아니요", "네"]).intent is None


def test_with_no_longer_a_lower_path_may_not_add_words_to_the_best(
    catalog: Catalog, ko: TemplateMatcher
) -> None:
    """Real "이어 하기" (resume) came out of Vosk's grammar as "주세요" with "물 주세요"
    (`water`) below it: the lower path shares a word with the best, but adds one the best
    account never heard."""
    shared = TemplateMatcher(catalog, "ko", shared_word=True)
    strict = TemplateMatcher(catalog, "ko", shared_word=True, no_longer=True)
    for paths in (["주세요", "물 주세요"], ["줘 꺼", "꺼", "불 꺼 주세요"], ["줘", "물 줘"]):
        assert shared.match_alternatives(paths).intent is not None  # without: a request
        assert strict.match_alternatives(paths).intent is None, paths
    # A lower path that mends a word of the best, or drops a stray one, still speaks.
    assert strict.match_alternatives(["몸 주세요", "물 주세요"]).intent == "water"
    assert strict.match_alternatives(["병원 변기 주세요", "변기 주세요"]).intent == "toilet"
    # Repeats folded first: "물 줘 줘" is as long as "물 줘".
    assert strict.match_alternatives(["줘 줘", "물 줘"]).intent is None
    assert strict.match_alternatives(["물 물 줘 아침", "물 줘"]).intent == "water"


def test_with_one_word_a_lower_path_may_change_one_word_of_the_best_at_most(
    catalog: Catalog,
) -> None:
    """A patient's real "눈이 뿌옇다고 했어요" (they said my eyes were cloudy; the Korean
    out-of-sample part, docs/journal/voice.md, vko8) came out of Vosk's grammar as "네 꺼 주세요"
    with "물 주세요" (`water`) below it: the lower path shares "주세요" and adds no word, but
    changes two words of the best account, so it is another account, not a mended one."""
    loose = TemplateMatcher(catalog, "ko", shared_word=True, no_longer=True)
    strict = TemplateMatcher(catalog, "ko", shared_word=True, no_longer=True, one_word=True)
    for paths in (["네 꺼 주세요", "물 주세요"], ["간호사 꺼 아침", "간호사"]):
        assert loose.match_alternatives(paths).intent is not None  # without: a request
        assert strict.match_alternatives(paths).intent is None, paths
    # espeak-ng's catalog results from lower paths (the full clean bench) each mended one
    # word: one dropped at the start or replaced, a doubled ending folded first.
    for paths, intent in (
        (["꺼 간호사 불러", "간호사 불러"], "nurse"),
        (["몸 주세요", "물 주세요"], "water"),
        (["주세요 진통제 주세요", "진통제 주세요"], "pain"),
        (["도와줘 갈래", "화장실 갈래"], "toilet"),
        (["물 물 줘 아침", "물 줘"], "water"),
    ):
        assert strict.match_alternatives(paths).intent == intent, paths
    assert word_edits(["네", "꺼", "주세요"], ["물", "주세요"]) == 2
    assert word_edits(["꺼", "간호사"], ["간호사"]) == 1
    assert word_edits([], ["물"]) == 1


def test_the_answer_modes_matcher_keeps_lower_paths_to_the_same_account(
    catalog: Catalog,
) -> None:
    """In the answer mode Vosk's grammar holds the whole catalog too, and only answers and
    emergencies may come out. A real "이전 단계" (previous step, the tune part's spk05) came out
    as "이야기 줘" with "도와줘" (`emergency`) third: no word shared with the best account.
    The same lower-path guards as the open mode's apply (``build_pipeline`` for Vosk)."""
    codes = catalog.answer_codes()
    loose = TemplateMatcher(catalog, "ko", codes=codes)
    guarded = TemplateMatcher(
        catalog, "ko", codes=codes, shared_word=True, no_longer=True, one_word=True
    )
    paths = ["이야기 줘", "줘", "도와줘"]
    assert loose.match_alternatives(paths).intent == "emergency"  # without: an emergency
    assert guarded.match_alternatives(paths).intent is None
    # An answer whose best path is the word itself, or the word with a stray one, still counts.
    assert guarded.match_alternatives(["네"]).intent == "yes"
    assert guarded.match_alternatives(["아니요 꺼", "아니요"]).intent == "no"
    assert guarded.match_alternatives(["살려 주세요 물", "살려 주세요"]).intent == "emergency"


def test_with_silent_path_nothing_is_taken_when_the_grammar_also_hears_nothing(
    catalog: Catalog,
) -> None:
    """A real "다음 단계" (next step, the tune part's spk05) came out of Vosk's grammar as
    "아파" (`pain`) with an empty path second, and a real "이전 단계" as "네" (`yes`) with an
    empty path third: the grammar itself ranks "nothing was said" among its accounts of the
    sound. espeak-ng's catalog sentences never had such a path (docs/journal/voice.md, vko9)."""
    loose = TemplateMatcher(catalog, "ko", shared_word=True, no_longer=True, one_word=True)
    silent = TemplateMatcher(
        catalog, "ko", shared_word=True, no_longer=True, one_word=True, silent_path=True
    )
    for paths in (["아파", "", "아침"], ["네", "날씨", ""], ["물 줘", "물", " "]):
        assert loose.match_alternatives(paths).intent is not None  # without: an intent
        found = silent.match_alternatives(paths)
        assert found.intent is None, paths
        assert "nothing" in found.reason
    # Without an empty path the same words still count, from the best path or a lower one.
    assert silent.match_alternatives(["아파", "아침"]).intent == "pain"
    assert silent.match_alternatives(["꺼 간호사 불러", "간호사 불러"]).intent == "nurse"
    assert silent.match_alternatives(["네"]).intent == "yes"
    # An empty best path is no match anyway.
    assert silent.match_alternatives(["", "아파"]).intent is None


def test_a_request_heard_beside_a_no_or_cancel_is_not_taken(ko: TemplateMatcher) -> None:
    """espeak-ng's Korean "아니" (no) and a real "다음 단계" came out of Vosk's grammar as "아파"
    (`pain`) with "아니요" below it: when the recogniser hesitates between a request and a
    declining answer, the patient may have said no, and no request is proposed. Among
    espeak-ng's catalog requests, clean and in ward noise, no correct one had such a path
    (docs/journal/voice.md, vko9)."""
    for paths in (["아파", "아니요", "아침"], ["물 주세요", "됐어"], ["아파", "취소"]):
        found = ko.match_alternatives(paths)
        assert found.intent is None, paths
        assert "opposite" in found.reason
    # A "no" inside a longer path is no answer, and a "yes" below turns no request down.
    assert ko.match_alternatives(["화장실", "화장실 아니요"]).intent == "toilet"
    assert ko.match_alternatives(["아파", "네"]).intent == "pain"
    # Answers keep their own opposites: "아니요" with "됐어" below is still `no`.
    assert ko.match_alternatives(["아니요", "됐어"]).intent == "no"


def test_the_bare_korean_blanket_is_no_request(ko: TemplateMatcher) -> None:
    """Korean "담요" (blanket) alone sounds like "다음" (next), one of the commonest words:
    real "다음 단계" came out of Vosk's grammar as "담요" (`cold`). Asking for the blanket
    takes "담요 주세요" (or "추워")."""
    assert ko.match("담요").intent is None
    assert ko.match("담요 주세요").intent == "cold"
    assert ko.match("추워").intent == "cold"


# ------------------------------------------------------------ the edge rule (PocketSphinx)


@pytest.fixture(scope="module")
def edged(catalog: Catalog) -> TemplateMatcher:
    return TemplateMatcher(catalog, "en", edge=EdgeRule())


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("in pain", "pain"),  # "i'm in pain" without its first word
        ("done lights on", "lights"),  # one short talk word before "lights on"
        ("the lights off", "lights"),
        ("on i'm hot", "hot"),
        ("it's too hot do", "hot"),  # ... or after the sentence
        ("can't breathe", "emergency"),
    ],
)
def test_a_sentence_with_one_word_off_at_its_edge_is_taken_with_the_edge_rule(
    en: TemplateMatcher, edged: TemplateMatcher, text: str, intent: str
) -> None:
    assert en.match(text).intent is None  # the plain matcher: one word in three is too far
    m = edged.match(text)
    assert (m.intent, m.reason) == (intent, EDGE_REASON)
    assert m.score < en.accept  # the score stays the honest similarity


@pytest.mark.parametrize(
    "text",
    [
        "thank you",  # "no thank you" without "no": never an answer by this rule
        "don't turn me",  # a negation is no stray word
        "not lights on",
        "[unk] lights on",
        "yesterday lights on",  # longer than a short stray word
        "one water",  # one-word sentences are not taken with a word beside them
        "cold",  # what is left of "i'm cold" is a single word
        "me please",  # "move me please" and "help me please": two intents
        "the good lights on",  # two words too many
        "i think my family is coming",
    ],
)
def test_the_edge_rule_leaves_everything_else_alone(edged: TemplateMatcher, text: str) -> None:
    assert edged.match(text).intent is None, edged.match(text)


def test_exact_and_near_sentences_are_matched_as_before_with_the_edge_rule(
    en: TemplateMatcher, edged: TemplateMatcher
) -> None:
    for text in ("call the nurse", "lights off", "could i have some water pleas", "nurse nurse"):
        assert edged.match(text) == en.match(text)
