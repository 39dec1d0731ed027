"""How the decoder's answer and the keyword verifier's verdict make one answer.

Two independent hearings of "yes", "no" and "cancel": the decoder (PocketSphinx or Vosk with
the template matcher) and the speech-embedding classifier (``beckon.voice.keywords``). The
rule is written so that disagreement can only ever cost an answer, never turn it into its
opposite:

- the decoder's answer stands unless the verifier gives its *opposite* at least ``veto``
  (then nothing: the patient is asked again), or gives "other" at least ``other_veto``;
- while an answer is expected (the answer mode), an utterance the decoder made nothing of
  becomes the verifier's answer when the verifier is at least ``accept`` sure of it, the
  decoder heard at most ``max_words`` words (a sentence of talk is the decoder's to judge),
  and no word of any of the decoder's paths is that answer's opposite ("no" heard as "now"
  is recovered; a "yes" heard as "yes no" is not);
- in the open mode the same recovery with its own bar, ``open_accept`` (None: none): the
  open mode's catalog-or-talk prior hears a real "stop" as "and", "that" or "got" and a
  "no" as "now" or "not", which match nothing, so the answer is lost though the verifier
  is sure of it (docs/journal/voice.md, session 14, branch ven7; its bar chosen out of fold in
  session 15, branch ven8). A request or an answer the decoder matched is never replaced: only an
  utterance that matched nothing can become an answer;
- in the open mode, when the decoder's words hold a near miss of the verifier's answer
  (``NEAR_ANSWERS``: "no" heard as "now", "stop" heard as "that"), the answer mode's bar
  ``open_near_accept`` instead of ``open_accept``: the decoder's near miss is a second,
  independent piece of evidence for that answer, so the verifier need not be as sure
  (docs/journal/voice.md, session 31, branch voice31). It only lowers the bar for the
  answer the near miss points to; every other condition stands;
- opt-in (``near_accept``, measured in session 8 and not the default): the decoder's near
  miss of an answer (``NEAR_ANSWERS``: "no" heard as "now" or "not") is evidence for that
  answer and against the others: such an utterance can become only that answer, at
  ``near_accept``;
- requests and emergencies are the decoder's alone: the verifier knows only the three
  answers.

The thresholds were chosen on the real tune recordings with models that had not seen the
speaker (docs/journal/voice.md, "The answer verifier"); ``accept`` was lowered for the five-seed
ensemble in session 11, out of fold on the tune and train speakers (docs/journal/voice.md, "A seed
ensemble for the answer verifier").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from beckon.voice.catalog import OPPOSITE_ANSWERS
from beckon.voice.engines import Mode
from beckon.voice.keywords import KeywordVerdict
from beckon.voice.matcher import Match, TemplateMatcher, clean_words

# What PocketSphinx makes of an answer it did not catch, one word each: real "no" came out
# as "now" and "not" far more often than any other answer did (docs/journal/voice.md, "The
# answer mode on real recordings"; "Bedside copies, folds over the train speakers ..."), and
# the open mode's catalog-or-talk prior hears real "stop" as "that" (session 14, ven7;
# session 31, voice31).
NEAR_ANSWERS: dict[str, frozenset[str]] = {
    "no": frozenset({"now", "not", "know", "knew", "nor"}),
    # "stop" as the words sessions 14 and 31 saw it heard as, and the trainer's sound-alikes.
    "cancel": frozenset(
        {"that", "and", "got", "starting", "still", "slow", "so", "stock", "top", "shop"}
        | {"step", "drop", "spot"}
    ),
}


# The longest English answer sentence ("no thank you"; "never mind", "forget it"), in words:
# the runs of words of a decoder path ``answers_heard`` can look at. A talk recording the
# decoder heard as "indiana forget it" was "yes" to a candidate verifier (0.95). Not the
# voice path's default: with it and ``near_accept`` the score part lost two "stop" clips
# (docs/journal/voice.md, "Bedside copies, folds over the train speakers ...").
ANSWER_SPAN = 3


@dataclass(frozen=True)
class AnswerRule:
    """Thresholds on the verifier's probabilities (0 to 1; above 1 turns a step off).
    ``near_accept``: the accept threshold when the decoder heard a near miss of that answer
    (``NEAR_ANSWERS``), which then also keeps every other answer out; None (the default):
    no near-miss rule, session 6's combination.

    ``accept`` is 0.85 for the shipped classifier, the mean of five heads from successive
    seeds: the mean is less sure than one head where the heads disagree, so a bar that one
    head needed at 0.95 (at 0.85 single heads gave the opposite answer out of fold) lets the
    ensemble recover more answers at 0.85 with fewer false ones than one head at 0.95.

    ``open_near_accept`` (0.85, the answer mode's bar; None: off) is the open mode's bar
    for an answer whose near miss the decoder heard (``NEAR_ANSWERS``). Out of fold it
    recovered real "no" heard "now" and "stop" heard "that" at 0.85 to 0.97 and made no
    other word an answer (docs/journal/voice.md, session 31, voice31).

    ``open_accept`` is higher than ``accept``: 0.97 since session 15 (ven8). Session 14 took
    the answer mode's 0.85 on verdicts of the shipped model, which was trained on the very
    clips it was judged on. Out of fold (models that never heard the speaker) 0.85 made tune
    "down" heard "to", "off" and "learn" heard "know on" and train "up" heard "took" a
    cancel or a no; 0.97 is the lowest bar that made no other word an answer on either part
    in any of three fits of the fold models, and it keeps most of what 0.85 recovers
    (docs/journal/voice.md, session 15). Why the open mode may need more than the answer mode: there
    nothing asked for an answer, so any short word the patient says is as likely as one."""

    veto: float = 0.5
    other_veto: float = 0.7
    accept: float = 0.85
    max_words: int = 3
    near_accept: float | None = None
    open_accept: float | None = 0.97
    open_near_accept: float | None = 0.85

    def bar(self, mode: Mode) -> float | None:
        """The verifier's bar for an answer the decoder did not match in ``mode`` (None: the
        verifier cannot give one there)."""
        return self.accept if mode == "answer" else self.open_accept


def near_misses(text: str) -> frozenset[str]:
    """The answers whose near miss (``NEAR_ANSWERS``) is a word of the decoder's ``text``."""
    words = set(clean_words(text))
    return frozenset(code for code, near in NEAR_ANSWERS.items() if words & near)


def answers_heard(
    matcher: TemplateMatcher, alternatives: Iterable[str], longest: int = 1
) -> frozenset[str]:
    """Every answer that a run of one to ``longest`` words of any decoder path is on its own
    ("now" is none; "no", "nope", "wrong" are no; with ``longest`` ``ANSWER_SPAN``,
    "indiana forget it" holds "forget it", cancel): what the verifier must never
    contradict. The voice path looks at single words (``longest`` 1)."""
    found: set[str] = set()
    for alt in alternatives:
        words = clean_words(alt)
        for n in range(1, longest + 1):
            for i in range(len(words) - n + 1):
                intent = matcher.match(" ".join(words[i : i + n])).intent
                if intent in OPPOSITE_ANSWERS:
                    found.add(intent)
    return frozenset(found)


def needs_verdict(match: Match, mode: Mode, rule: AnswerRule | None = None) -> bool:
    """Whether the verifier can change this outcome (so it runs only then: in the open mode
    on an unmatched utterance of at most ``max_words`` words, never on a sentence of talk)."""
    rule = rule or AnswerRule()
    if match.intent in OPPOSITE_ANSWERS:
        return True
    if match.intent is not None or rule.bar(mode) is None:
        return False
    return mode == "answer" or len(clean_words(match.text)) <= rule.max_words


def combine(
    match: Match,
    heard: frozenset[str],
    verdict: KeywordVerdict,
    mode: Mode,
    rule: AnswerRule | None = None,
) -> Match:
    """The decoder's ``match`` corrected by the verifier's ``verdict`` (see the module)."""
    rule = rule or AnswerRule()
    decoded = match.intent
    if decoded in OPPOSITE_ANSWERS:
        against = max(verdict.of(o) for o in OPPOSITE_ANSWERS[decoded])
        if against >= rule.veto:
            return Match(
                match.text,
                None,
                match.score,
                match.sentence,
                f"the answer verifier heard the opposite of {decoded!r} ({against:.2f})",
            )
        if verdict.of("other") >= rule.other_veto:
            return Match(
                match.text,
                None,
                match.score,
                match.sentence,
                f"the answer verifier heard no answer ({verdict.of('other'):.2f})",
            )
        return match
    accept = rule.bar(mode)
    if decoded is not None or accept is None:
        return match
    label = verdict.label
    if label not in OPPOSITE_ANSWERS:
        return match
    heard_near = near_misses(match.text)
    near = heard_near if rule.near_accept is not None else frozenset()
    if near and label not in near:
        return match  # "go" heard as "now" is no "stop", whatever the verifier says
    bar = rule.near_accept if label in near and rule.near_accept is not None else accept
    if mode == "open" and rule.open_near_accept is not None and label in heard_near:
        bar = min(bar, rule.open_near_accept)
    if verdict.probability < bar:
        return match
    if len(clean_words(match.text)) > rule.max_words:
        return match
    if heard & OPPOSITE_ANSWERS[label]:
        return match
    return Match(match.text, label, verdict.probability, None, "the answer verifier")
