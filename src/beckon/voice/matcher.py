"""Snap a transcript to the nearest catalog sentence, or reject it.

A grammar only biases the recogniser: ordinary talk still comes out as some string of grammar
words, and Vosk's per-word confidence is 1.0 even for wrong words in grammar mode. So the
safety signal is how close the whole transcript is to one whole catalog sentence: a
word-level edit distance where a substituted word costs by how different it is letter by
letter (so "물을" for "물" is a near miss, not a miss). A transcript is accepted only when it
is close to one sentence and clearly closer to it than to any sentence of another intent.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from beckon.voice.catalog import (
    CONTROL_CODES,
    DECLINING_ANSWERS,
    OPPOSITE_ANSWERS,
    Catalog,
    normalize,
)

UNKNOWN = "[unk]"

EDGE_MAX_LETTERS = 4
"""The longest stray word that :class:`EdgeRule` lets stand before a catalog sentence."""

EDGE_REASON = "a catalog sentence but for one word at its edge"

NEGATIONS = frozenset({"no", "not", "don't", "dont", "never", "nor", "stop", "can't", "won't"})
"""Leading words that turn a request around ("don't turn me"): never taken as a stray word."""


@dataclass(frozen=True)
class EdgeRule:
    """Whole catalog request sentences with one word too many or too few at their start.

    Why: PocketSphinx's catalog-or-talk model (English fallback) often hears a catalog
    sentence whole but its first word lost or replaced by a short talk word: espeak-ng's
    "i'm in pain" came out as "in pain", "lights on" as "done lights on". The word-edit
    similarity of such a transcript is 0.67 (one word in three), below ``accept``. A
    transcript is taken for a request sentence of at least ``min_words`` words when it *is*
    that sentence with one short word (at most :data:`EDGE_MAX_LETTERS` letters, not a
    negation, not ``[unk]``) before or after it, or that sentence without its first word
    (what is left still at least ``min_words`` words). Never for yes, no and cancel ("thank you" is
    "no thank you" without its first word), and only when the sentences so found all belong to
    one intent. Off unless the matcher is given one (Vosk's grammar loop puts decoy words
    before catalog sentences in talk, so the rule would open a door there).
    """

    min_words: int = 2


@dataclass(frozen=True)
class Match:
    """The outcome for one transcript; ``intent`` is None when it was rejected."""

    text: str
    intent: str | None
    score: float
    sentence: str | None
    reason: str = ""


_HANGUL_FIRST = 0xAC00  # 가, the first precomposed Hangul syllable
_HANGUL_COUNT = 11172  # precomposed syllables, 가 to 힣


def _hangul_code(ch: str) -> int | None:
    """The index of a precomposed Hangul syllable (None for any other character)."""
    code = ord(ch) - _HANGUL_FIRST
    return code if 0 <= code < _HANGUL_COUNT else None


def _letters(word: str) -> str:
    """Hangul syllables split into their jamo, so that 물 and 뭐 differ by a letter or two,
    not by one whole syllable (a Korean syllable is a cluster of two or three letters)."""
    out = []
    for ch in word:
        code = _hangul_code(ch)
        if code is not None:
            out.append(chr(0x1100 + code // 588))
            out.append(chr(0x1161 + (code % 588) // 28))
            if code % 28:
                out.append(chr(0x11A7 + code % 28))
        else:
            out.append(ch)
    return "".join(out)


def _edits(a: Sequence[str], b: Sequence[str]) -> int:
    """Levenshtein distance: how many items must be dropped, added or replaced to turn ``a``
    into ``b`` (letters of a word, or words of a sentence)."""
    prev = list(range(len(b) + 1))
    for i, item_a in enumerate(a, 1):
        cur = [i]
        for j, item_b in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (item_a != item_b)))
        prev = cur
    return prev[-1]


def _char_distance(a: str, b: str) -> float:
    """Levenshtein distance between two words (letters, jamo for Hangul), scaled to 0..1."""
    if a == b:
        return 0.0
    a, b = _letters(a), _letters(b)
    if not a or not b:
        return 1.0
    return _edits(a, b) / max(len(a), len(b))


def similarity(hyp: list[str], ref: list[str]) -> float:
    """1.0 for identical word lists, falling towards 0 with each inserted, dropped or
    changed word. ``[unk]`` never matches a word (it is evidence of talk outside the catalog).
    """
    if not hyp or not ref:
        return 0.0
    prev = [float(j) for j in range(len(ref) + 1)]
    for i, h in enumerate(hyp, 1):
        cur = [float(i)]
        for j, r in enumerate(ref, 1):
            sub = 1.0 if h == UNKNOWN else _char_distance(h, r)
            cur.append(min(prev[j] + 1.0, cur[j - 1] + 1.0, prev[j - 1] + sub))
        prev = cur
    return max(0.0, 1.0 - prev[-1] / max(len(hyp), len(ref)))


_SILENT_ONSET = chr(0x110B)  # the initial ㅇ of a syllable that begins with a vowel


def sound_likeness(heard: str, sentence: str) -> float:
    """How much sound two texts share, 0..1: the share of their letters (jamo for Hangul, the
    silent initial ㅇ left out, spaces and brackets ignored) that line up in order
    (``difflib``'s ratio: twice the matched letters over all letters). Unlike
    :func:`similarity` it does not care where the words break: the model's free hearing
    splits a sound where it likes ("아니 에 요" for "아니요")."""
    a, b = (
        [c for c in _letters("".join(ch for ch in t if ch.isalnum())) if c != _SILENT_ONSET]
        for t in (heard, sentence)
    )
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _syllables(text: str) -> int:
    """How many Hangul syllables ``text`` has (0 for other scripts)."""
    return sum(1 for ch in text if _hangul_code(ch) is not None)


def unless_unlike(match: Match, free: str, min_likeness: float, says: str) -> Match:
    """``match`` as it is when the free hearing ``free`` sounds like its sentence
    (:func:`sound_likeness` at least ``min_likeness``), else rejected with the reason ``says``
    (``{free!r}`` filled in) followed by the sentence and the likeness. The one rejection both
    sound rules share."""
    assert match.sentence is not None
    likeness = sound_likeness(free, match.sentence)
    if likeness >= min_likeness:
        return match
    reason = f"{says.format(free=free)} {match.sentence!r} (likeness {likeness:.2f})"
    return Match(match.text, None, 0.0, None, reason)


@dataclass(frozen=True)
class AnswerSoundRule:
    """An answer word of two syllables or more ("아니요", "됐어", "취소") is taken only when the
    model's free hearing of the utterance sounds like it (:func:`sound_likeness` at least
    ``min_likeness``).

    The margin against the free hearing compares scores; a short word can win on score
    while the model's own dictionary hears another word altogether. On the development
    recordings one speaker's Korean "다음 단계" ("next step") came out of the grammar as
    "아니요" in eight clips, margins -3.3 to +9.5 per second, with the free hearing "하였다",
    "하윤", "R" or "[90]"; espeak-ng's correct "아니요", "됐어" and "취소" were freely heard as
    "아이오", "아니 에 요", "아이 였다", "왔어", "뭐 했어", "쥐고 있어", "취구 이죠" (likeness 0.36
    and more; docs/journal/voice.md, session 14, vko6). A one-syllable answer ("네") is left
    alone: one syllable sounds like anything or nothing (espeak-ng's correct "네" was
    freely heard as "례"). Korean only (syllables are counted in Hangul; it was measured on
    Korean alone) and only when the engine has a free hearing (Vosk); requests are not
    judged so (their correct free hearings are as unlike: "도와줘" as "효과 부여").
    """

    min_likeness: float = 0.3
    min_syllables: int = 2

    def check(self, match: Match, free: str) -> Match:
        """``match`` as it is, or rejected when it is an answer its free hearing is unlike."""
        if not free or match.intent not in CONTROL_CODES or match.sentence is None:
            return match
        if _syllables(match.sentence) < self.min_syllables:
            return match
        return unless_unlike(
            match, free, self.min_likeness, "the model hears {free!r}, which does not sound like"
        )


ANSWER_SOUND_RULE = AnswerSoundRule()


@dataclass(frozen=True)
class RequestSoundRule:
    """A request is not taken when the model's free hearing of the utterance is *whole*, no
    more words than the request was heard with, and shares next to no sound with the matched
    sentence (:func:`sound_likeness` below ``min_likeness``).

    Why: Vosk's grammar can only answer with catalog words, so a short word that is no
    request comes out as a short catalog sentence, at margins where correct results lie too
    (a score says how well each hearing fits, and the free hearing's language model charges a
    rare word more than the small grammar charges "추워"). On the development recordings real
    short words came out as "추워" while the free hearing was "유보" (4.3 per second *worse*
    than the grammar's) or "쉬어", and as "불 꺼 주세요" while it was "오프닝곡": one whole word
    of the model's vocabulary with not a letter of the sentence. A free hearing of more
    fragments than that says little of what was said: espeak-ng's robotic Korean is heard so
    ("쥐고 뭐" for a correct "추워", "효과 부여" for "도와줘"), which is why requests are not held
    to :class:`AnswerSoundRule`'s bar. But espeak-ng's correct requests whose free hearing
    was as whole all shared sound with the sentence ("먹어", "어머" and "러워" for "더워",
    "도와주어" for "도와줘": likeness 0.29 and more; docs/journal/voice.md, session 15, vko7).
    Korean only (it was measured on Korean, and only Vosk has a free hearing); the words of the
    request are those the matcher compared (repeats folded, the softener left out).
    """

    min_likeness: float = 0.15

    def check(self, match: Match, free: str) -> Match:
        """``match`` as it is, or rejected when it is a request its whole free hearing is
        unlike."""
        if not free or match.intent is None or match.intent in CONTROL_CODES:
            return match
        if match.sentence is None or _syllables(match.sentence) == 0:
            return match
        if len(free.split()) > len(match.text.split()):
            return match
        return unless_unlike(
            match,
            free,
            self.min_likeness,
            "the model hears the whole word(s) {free!r}, which share no sound with",
        )


REQUEST_SOUND_RULE = RequestSoundRule()


SAME_ENDING = {"줘": "주세요"}
"""A request ending followed by its politer form, which says the same thing again: Korean
"줘" and "주세요" are both "give (me)". Vosk's grammar loop often hears the ending twice
("물 줘 주세요", "담요 줘 주세요"), as it doubles a word, and the pair counts once, as the
politer form (espeak-ng's "물 주세요" came out as "물 줘 주세요" and was lost)."""


SOFTENERS = frozenset({"좀"})
"""Words that only soften a request and say nothing of what is asked: Korean "좀" ("a
little", the "please" of a request: "물 좀 줘" is "물 줘" said gently). The catalog writes it
as optional ("간호사 [좀] 불러"), but Vosk's grammar is a word loop and puts it anywhere:
espeak-ng's "숨쉬기 힘들어" came out as "좀 숨쉬기 힘들어" in two runs of the full clean bench and
was lost (docs/journal/voice.md, session 14). Left out of the words that are matched, in the
transcript and in the catalog sentences alike; "좀" alone is then no words at all."""


def clean_words(text: str) -> list[str]:
    """Normalised words with immediate repeats folded ("nurse nurse" -> "nurse"), a request
    ending said twice counted once (:data:`SAME_ENDING`: "물 줘 주세요" -> "물 주세요"), and
    softeners left out (:data:`SOFTENERS`: "좀 숨쉬기 힘들어" -> "숨쉬기 힘들어").

    Vosk's grammar is a loop, so a phrase often comes out with a word doubled; a patient
    repeating a word means the same thing.
    """
    words: list[str] = []
    for raw in text.split():
        w = UNKNOWN if raw == UNKNOWN else normalize(raw)
        if not w or w in SOFTENERS:
            continue
        if words and SAME_ENDING.get(words[-1]) == w:
            words[-1] = w
        elif not words or words[-1] != w:
            words.append(w)
    return words


def word_edits(a: list[str], b: list[str]) -> int:
    """How many whole words must be dropped, added or replaced to turn ``a`` into ``b``."""
    return _edits(a, b)


def _stray(word: str) -> bool:
    """A short talk word that may stand beside a whole catalog sentence (:class:`EdgeRule`)."""
    return word != UNKNOWN and word not in NEGATIONS and len(word) <= EDGE_MAX_LETTERS


class TemplateMatcher:
    """Matches transcripts against the catalog sentences of one language.

    ``accept``: the lowest similarity that may become an intent (0.8 lets one changed word
    in five through, or a letter or two in a short word). ``margin``: how much closer the
    best intent must be than the best sentence of any other intent, so a transcript halfway
    between "water" and "what are" gives nothing. ``shared_word``: a path below the best of
    an n-best list may speak only when it shares a word with the best path; ``no_longer``:
    only when it has no more words than the best path; ``one_word``: only when it differs from
    the best path in one word at most (all three: see :meth:`match_alternatives`).
    ``silent_path``: nothing is taken when a path of the n-best list has no words at all (see
    there too).
    """

    def __init__(
        self,
        catalog: Catalog,
        language: str,
        accept: float = 0.8,
        margin: float = 0.15,
        strict: float = 0.95,
        codes: Collection[str] | None = None,
        edge: EdgeRule | None = None,
        shared_word: bool = False,
        no_longer: bool = False,
        one_word: bool = False,
        silent_path: bool = False,
    ) -> None:
        self.language = language
        self.silent_path = silent_path
        self.edge = edge
        self.shared_word = shared_word
        self.no_longer = no_longer
        self.one_word = one_word
        self.accept = accept
        self.strict = strict
        self.margin = margin
        # ``codes`` narrows the intents that may come out (the answers, while the bedside
        # waits for one); the others are not compared at all, so a stray request word cannot
        # make an answer "ambiguous".
        self.codes = frozenset(codes) if codes is not None else None
        self._sentences = [
            ([w for w in s.split() if w not in SOFTENERS], s, code)
            for s, code in catalog.sentences(language)
            if self.codes is None or code in self.codes
        ]
        self._decoys = set(catalog.decoys.get(language, ()))

    def match_alternatives(self, alternatives: list[str] | tuple[str, ...]) -> Match:
        """The first of a recogniser's n-best alternatives (best first) that matches.

        Vosk's grammar is a loose word loop, so the best path often has one stray word where
        the second or third path is an exact catalog sentence; only exact-looking sentences
        (``strict``) are taken from below the top, so the extra paths do not open a door
        for ordinary talk. With ``shared_word`` such a lower path must also share a word
        with the best path: it is then the same account of the sound with the stray word
        mended, while a path with none of the best path's words is another account
        altogether, a guess the grammar itself ranked lower (a real Korean cooking remark came
        out as "줘" with "추워" below it, "이어 하기" as "에어컨" with "물 주세요" fourth).
        With ``no_longer`` a lower path may not have more words than the best path either: a
        mended path replaces or drops a stray word, while a longer one adds words the
        grammar's own best account did not hear (real "이어 하기" came out as "주세요" with "물
        주세요" below it, `water`; espeak-ng's catalog results from lower paths all dropped or
        replaced a word). With ``one_word`` a lower path may differ from the best path in one
        word at most (one dropped or one replaced, :func:`word_edits`): the mending of *a*
        stray word, while a path that changes two words of the best is another account that
        merely shares a word (a patient's real "눈이 뿌옇다고 했어요" came out as "네 꺼 주세요"
        with "물 주세요" below it, `water`; every lower-path result of espeak-ng's catalog in
        the full clean bench mended one word, docs/journal/voice.md, branch vko8). The
        opposite-answer check below still looks at every path.

        A request likewise stands only if no path of the list is a "no" or "cancel"
        (:data:`DECLINING_ANSWERS`): a patient's "아니" (no) came out of Vosk's Korean grammar as
        "아파" (`pain`) with "아니요" below it, and so did a real "다음 단계". Among espeak-ng's
        catalog requests, clean and in ward noise, no correct one had such a path
        (docs/journal/voice.md, branch vko9).

        With ``silent_path`` nothing is taken when a path below the best has no words at all:
        the grammar itself ranks "nothing was said" among its accounts of the sound, so the
        best path's words beat silence by little, and asking again is safe where guessing is
        not (as with the opposite answer). On the development recordings such a path stood
        in the n-best lists of real short phrases that are no request ("다음 단계" heard as
        "아파" with an empty path second, `pain`; "이전 단계" as "네", `yes`) and of
        espeak-ng's off-catalog words ("미국" as "물 줘", `water`), but never in those of
        espeak-ng's correct catalog results in the clean, and in one of 76 in ward noise (a
        "추워" at 10 dB; docs/journal/voice.md, branch vko9).
        """
        if not alternatives:
            return self.match("")
        found = self._first_match(alternatives)
        silence = any(not alt.split() for alt in alternatives[1:])
        if self.silent_path and found.intent is not None and silence:
            return Match(
                found.text,
                None,
                found.score,
                found.sentence,
                f"the grammar also hears nothing at all below {found.text!r}",
            )
        if found.intent is not None:
            # An answer stands only if no path of the n-best list is its opposite: when the
            # recogniser itself hesitates between yes and no, asking again is safe and
            # guessing is not (espeak-ng's Korean "네" came out as "아니요" with "네" below).
            # A request's opposite is a declining answer.
            opposite = OPPOSITE_ANSWERS.get(found.intent, DECLINING_ANSWERS)
            for alt in alternatives:
                other = self.match(alt)
                if other.intent in opposite:
                    return Match(
                        found.text,
                        None,
                        found.score,
                        found.sentence,
                        f"heard both {found.intent!r} and its opposite {other.intent!r}",
                    )
        return found

    def _first_match(self, alternatives: list[str] | tuple[str, ...]) -> Match:
        first = self.match(alternatives[0])
        if first.intent is not None:
            return first
        top = clean_words(alternatives[0])
        best = set(top)
        for alt in alternatives[1:]:
            words = clean_words(alt)
            if self.shared_word and not best & set(words):
                continue
            if self.no_longer and len(words) > len(top):
                continue
            if self.one_word and word_edits(words, top) > 1:
                continue
            m = self.match(alt)
            if m.intent is not None and m.score >= self.strict:
                return m
        return first

    def match(self, text: str) -> Match:
        words = clean_words(text)
        shown = " ".join(words)
        if not words:
            return Match(shown, None, 0.0, None, "empty")
        if all(w in self._decoys or w == UNKNOWN for w in words):
            return Match(shown, None, 0.0, None, "only decoy words")
        best: dict[str, tuple[float, str]] = {}
        for ref, sentence, code in self._sentences:
            score = similarity(words, ref)
            if code not in best or score > best[code][0]:
                best[code] = (score, sentence)
        ranked = sorted(best.items(), key=lambda kv: kv[1][0], reverse=True)
        code, (score, sentence) = ranked[0]
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
        if score < self.accept:
            edged = self._edge_match(words, shown, score)
            if edged is not None:
                return edged
            return Match(shown, None, score, sentence, f"too far from {sentence!r}")
        if score - runner_up < self.margin:
            return Match(shown, None, score, sentence, f"ambiguous with {ranked[1][0]!r}")
        return Match(shown, code, score, sentence)

    def _edge_match(self, words: list[str], shown: str, score: float) -> Match | None:
        """The :class:`EdgeRule`'s request, or None (see there)."""
        rule = self.edge
        if rule is None:
            return None
        found: dict[str, str] = {}
        for ref, sentence, code in self._sentences:
            if code in CONTROL_CODES:
                continue
            extra = len(ref) >= rule.min_words and (
                (words[1:] == ref and _stray(words[0])) or (words[:-1] == ref and _stray(words[-1]))
            )
            dropped = len(words) >= rule.min_words and words == ref[1:]
            if extra or dropped:
                found.setdefault(code, sentence)
        if len(found) != 1:
            return None
        ((code, sentence),) = found.items()
        return Match(shown, code, score, sentence, EDGE_REASON)
