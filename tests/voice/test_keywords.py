"""The answer verifier: a second opinion on yes, no and cancel from Google's speech embedding.

It hears Piper's and espeak-ng's "yes", "no" and "stop" as those answers, ordinary words and
sentences as nothing; combined with the decoder it can only ever cost an answer, never turn
one into its opposite; and without its model files the voice path says which file is missing
and how to install it, and goes on with the decoder alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from beckon import modelstore
from beckon.errors import ModelError
from beckon.lab.voice_synth import Voice, make_clip, speak
from beckon.voice import keywords
from beckon.voice.answers import (
    ANSWER_SPAN,
    AnswerRule,
    answers_heard,
    combine,
    needs_verdict,
)
from beckon.voice.catalog import Catalog
from beckon.voice.engines import PocketSphinxEngine
from beckon.voice.keywords import CLASSES, KeywordVerdict, KeywordVerifier, fixed_window
from beckon.voice.matcher import Match, TemplateMatcher
from beckon.voice.recognizer import VoicePipeline, build_pipeline
from beckon.voice.vad import SAMPLE_RATE, SileroVad
from tests.helpers.voice import (
    ESPEAK,
    ESPEAK_F,
    PIPER,
    VOICES,
    fresh_english,
    heard_intents,
    utterance,
)

REPO = Path(__file__).resolve().parents[2]
OPPOSITE = {"yes": {"no", "cancel"}, "no": {"yes"}, "cancel": {"yes"}}


@pytest.fixture(scope="module")
def verifier() -> KeywordVerifier:
    return KeywordVerifier()


@pytest.mark.parametrize("voice", VOICES, ids=lambda v: v.label)
@pytest.mark.parametrize(("text", "answer"), [("yes", "yes"), ("no", "no"), ("stop", "cancel")])
def test_the_verifier_hears_yes_no_and_stop(
    verifier: KeywordVerifier, vad: SileroVad, text: str, answer: str, voice: Voice
) -> None:
    verdict = verifier.verdict(utterance(text, voice, vad))
    assert verdict.label == answer
    assert max(verdict.of(o) for o in OPPOSITE[answer]) < 0.2


@pytest.mark.parametrize("voice", VOICES, ids=lambda v: v.label)
@pytest.mark.parametrize("text", ["bed", "one", "up"])
def test_the_verifier_hears_other_words_as_no_answer(
    verifier: KeywordVerifier, vad: SileroVad, text: str, voice: Voice
) -> None:
    verdict = verifier.verdict(utterance(text, voice, vad))
    assert verdict.label == "other" or verdict.probability < AnswerRule().accept


@pytest.mark.parametrize("voice", VOICES, ids=lambda v: v.label)
@pytest.mark.parametrize("text", ["go", "down"])
def test_the_verifier_never_hears_go_or_down_as_yes(
    verifier: KeywordVerifier, vad: SileroVad, text: str, voice: Voice
) -> None:
    """Piper's "go" and espeak-ng's female "down" come near "no" (0.8 to 0.9): at worst a
    refusal in the answer mode, never a yes."""
    assert verifier.verdict(utterance(text, voice, vad)).of("yes") < 0.2


@pytest.mark.parametrize("text", ["not", "less", "left", "nurse"])
def test_words_near_yes_are_never_a_yes_the_rule_takes(
    verifier: KeywordVerifier, vad: SileroVad, text: str
) -> None:
    """The shipped rule takes the verifier's answer from 0.85, which is safe for the mean of
    five heads, not for one: session 6's single head heard espeak-ng's female "not" as yes
    (0.92; "less" 0.84, "nurse" 0.67, "left" 0.61), the five heads at most 0.48."""
    assert verifier.verdict(utterance(text, ESPEAK_F, vad)).of("yes") < AnswerRule().accept


def test_the_shipped_classifier_is_the_mean_of_five_heads() -> None:
    """One head's out-of-fold figures moved by up to four "stop" clips of 39 between fitting
    seeds (session 10); the shipped file averages five (docs/journal/voice.md, "A seed ensemble for
    the answer verifier")."""
    import onnx

    proto = onnx.load(str(keywords.packaged_classifier()))
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta["trained_by"].endswith("--heads 5")
    assert sum(1 for node in proto.graph.node if node.op_type == "Softmax") == 5


def test_long_talk_is_no_answer_without_running_the_classifier(
    verifier: KeywordVerifier, vad: SileroVad
) -> None:
    talk = "my daughter is coming to see me this afternoon with her children"
    verdict = verifier.verdict(utterance(talk, ESPEAK, vad))
    assert verdict.label == "other" and verdict.reason == "too long for one answer"
    silence = np.zeros(SAMPLE_RATE, dtype=np.int16)
    assert verifier.verdict(silence).reason == "no speech"


def test_an_utterance_is_centred_in_a_fixed_window() -> None:
    word = np.zeros(8000, dtype=np.int16)
    word[3000:5000] = (10000 * np.sin(np.arange(2000) / 5)).astype(np.int16)
    window = fixed_window(word)
    assert window.shape == (keywords.WINDOW,)
    loud = np.nonzero(np.abs(window) > 1000)[0]
    assert abs((loud[0] + loud[-1]) / 2 - keywords.WINDOW / 2) < 200
    padding = window[:2000]  # outside the 0.5 s input: a faint dither, not digital silence
    assert np.count_nonzero(padding) > 1500 and np.max(np.abs(padding)) < 30


# ------------------------------------------------------------------- the rule


def _verdict(label: str, p: float) -> KeywordVerdict:
    rest = (1.0 - p) / (len(CLASSES) - 1)
    probs = tuple(p if c == label else rest for c in CLASSES)
    return KeywordVerdict(label, p, probs)


YES = Match("yes", "yes", 1.0, "yes")
NOTHING = Match("now", None, 0.5, "no", "too far from 'no'")


@pytest.mark.parametrize("mode", ["open", "answer"])
def test_an_answer_the_verifier_hears_as_its_opposite_gives_nothing(mode: str) -> None:
    out = combine(YES, frozenset({"yes"}), _verdict("no", 0.9), mode)  # type: ignore[arg-type]
    assert out.intent is None and "opposite" in out.reason


def test_the_verifier_agreeing_or_unsure_leaves_the_answer() -> None:
    assert combine(YES, frozenset({"yes"}), _verdict("yes", 0.99), "answer").intent == "yes"
    assert combine(YES, frozenset({"yes"}), _verdict("other", 0.6), "answer").intent == "yes"


@pytest.mark.parametrize("mode", ["open", "answer"])
def test_a_decoded_answer_the_verifier_cannot_frame_is_vetoed(
    mode: str, verifier: KeywordVerifier
) -> None:
    """Under 6 dB between an utterance's quiet and loud frames ("no speech") the verifier's
    "other" still vetoes the decoder's answer. Letting it stand won one real "yeah" on the
    train part, but made that speaker's "go" in the same noise a "no" in the open mode, and
    in the answer mode let 8 espeak-ng non-answers in steady noise through as "no" for 3
    real "no" won (docs/journal/voice.md, session 16, branch vvad)."""
    rng = np.random.default_rng(2)
    steady = (rng.standard_normal(SAMPLE_RATE) * 2000).astype(np.int16)
    unheard = verifier.verdict(steady)
    assert unheard.reason == "no speech" and unheard.of("other") == 1.0
    assert combine(YES, frozenset({"yes"}), unheard, mode).intent is None  # type: ignore[arg-type]


def test_the_verifier_recovers_an_answer_the_decoder_heard_as_a_short_word() -> None:
    """Real "no" was often heard as "now": in the answer mode a sure verifier gives it, but
    not for a sentence the decoder heard as talk."""
    assert combine(NOTHING, frozenset(), _verdict("no", 0.97), "answer").intent == "no"
    talk = Match("the weather is nice", None, 0.2, "no", "too far from 'no'")
    assert combine(talk, frozenset(), _verdict("no", 0.99), "answer").intent is None
    assert combine(NOTHING, frozenset(), _verdict("no", 0.5), "answer").intent is None


OPEN = AnswerRule(open_accept=0.95)
FAR = Match("to", None, 0.3, "no", "too far from 'no'")  # a short word, no answer's near miss


def test_the_open_mode_recovers_an_answer_only_at_its_own_bar() -> None:
    """The open mode's catalog-or-talk prior heard real "stop" as "and", "that", "got" and
    "no" as "now", "not": nothing matched though the verifier was sure (docs/journal/voice.md,
    session 14, ven7). The open mode takes the verifier's answer from ``open_accept`` only,
    and without it (None) never."""
    stop = Match("got", None, 0.4, "get nurse", "too far from 'get nurse'")
    assert combine(stop, frozenset(), _verdict("cancel", 0.97), "open", OPEN).intent == "cancel"
    assert combine(NOTHING, frozenset(), _verdict("no", 0.96), "open", OPEN).intent == "no"
    assert combine(FAR, frozenset(), _verdict("no", 0.9), "open", OPEN).intent is None
    assert combine(FAR, frozenset(), _verdict("no", 0.9), "answer", OPEN).intent == "no"
    off = AnswerRule(open_accept=None)
    assert combine(NOTHING, frozenset(), _verdict("no", 1.0), "open", off).intent is None


def test_the_shipped_open_mode_asks_the_verifier_for_more_than_the_answer_mode() -> None:
    """Out of fold, the open mode at the answer mode's 0.85 made real other words answers:
    tune "down" heard "to" was cancel at 0.96, train "up" heard "took" cancel at 0.91
    (docs/journal/voice.md, session 15, ven8). From 0.97 the open mode takes the verifier's answer;
    while an answer is expected 0.85 stays enough."""
    rule = AnswerRule()
    assert rule.open_accept == 0.97 and rule.accept == 0.85
    down = Match("to", None, 0.3, "no", "too far from 'no'")
    assert combine(down, frozenset(), _verdict("cancel", 0.96), "open").intent is None
    assert combine(down, frozenset(), _verdict("cancel", 0.96), "answer").intent == "cancel"
    assert combine(NOTHING, frozenset(), _verdict("no", 0.98), "open").intent == "no"
    assert combine(NOTHING, frozenset(), _verdict("cancel", 0.9), "open").intent is None


def test_the_open_mode_takes_the_answer_of_a_near_miss_at_the_answer_modes_bar(
    catalog: Catalog,
) -> None:
    """Out of fold, real "no" heard "now" and "stop" heard "that" or "so" had the verifier
    at 0.85 to 0.97 and were lost under the open mode's 0.97; with the decoder's near miss
    as the second piece of evidence the open mode takes them from 0.85 (docs/journal/voice.md,
    session 31, voice31). Only the answer the near miss points to, never its opposite, and
    never without the near miss."""
    rule = AnswerRule()
    assert rule.open_near_accept == 0.85
    that = Match("that", None, 0.4, "no", "too far from 'no'")
    assert combine(that, frozenset(), _verdict("cancel", 0.9), "open").intent == "cancel"
    assert combine(NOTHING, frozenset(), _verdict("no", 0.9), "open").intent == "no"
    assert combine(NOTHING, frozenset(), _verdict("no", 0.8), "open").intent is None
    # The near miss of one answer lowers no other answer's bar.
    assert combine(that, frozenset(), _verdict("no", 0.9), "open").intent is None
    assert combine(NOTHING, frozenset(), _verdict("cancel", 0.9), "open").intent is None
    assert combine(FAR, frozenset(), _verdict("cancel", 0.9), "open").intent is None
    # Never against an answer some path of the decoder heard, nor for talk.
    matcher = TemplateMatcher(catalog, "en", codes=catalog.answer_codes())
    heard = answers_heard(matcher, ["that", "yes"])
    that_yes = Match("that", None, 0.4, "yes", "too far from 'yes'")
    assert combine(that_yes, heard, _verdict("cancel", 0.99), "open").intent is None
    talk = Match("so that is all and more", None, 0.2, "no", "too far from 'no'")
    assert combine(talk, frozenset(), _verdict("cancel", 0.99), "open").intent is None
    # Off: the open mode's own bar for every answer.
    off = AnswerRule(open_near_accept=None)
    assert combine(that, frozenset(), _verdict("cancel", 0.9), "open", off).intent is None


def test_the_open_mode_never_recovers_talk_a_request_or_an_opposite(catalog: Catalog) -> None:
    talk = Match("the weather is nice", None, 0.2, "no", "too far from 'no'")
    assert combine(talk, frozenset(), _verdict("no", 1.0), "open", OPEN).intent is None
    water = Match("water", "water", 1.0, "water")
    assert combine(water, frozenset(), _verdict("cancel", 1.0), "open", OPEN) == water
    matcher = TemplateMatcher(catalog, "en", codes=catalog.answer_codes())
    heard = answers_heard(matcher, ["now", "no"])
    assert combine(NOTHING, heard, _verdict("yes", 1.0), "open", OPEN).intent is None
    # A matched answer is the decoder's, as in the answer mode: the verifier only vetoes it.
    assert combine(YES, frozenset({"yes"}), _verdict("cancel", 0.4), "open", OPEN) == YES


def test_the_verifier_runs_in_the_open_mode_only_on_short_unmatched_utterances() -> None:
    """Its cost (one embedding) is spent where it can give an answer: not on talk, not on
    a request, not at all without ``open_accept``."""
    assert needs_verdict(NOTHING, "open", OPEN)
    assert needs_verdict(Match("", None, 0.0, None, "empty"), "open", OPEN)
    talk = Match("the weather is nice today", None, 0.2, "no", "too far from 'no'")
    assert not needs_verdict(talk, "open", OPEN)
    assert needs_verdict(talk, "answer", OPEN)
    assert not needs_verdict(Match("water", "water", 1.0, "water"), "open", OPEN)
    assert not needs_verdict(NOTHING, "open", AnswerRule(open_accept=None))
    assert needs_verdict(YES, "open", AnswerRule(open_accept=None))


def test_the_verifier_never_gives_an_answer_whose_opposite_the_decoder_heard(
    catalog: Catalog,
) -> None:
    matcher = TemplateMatcher(catalog, "en", codes=catalog.answer_codes())
    heard = answers_heard(matcher, ["yes no", "now"])
    assert heard == {"yes", "no"}
    assert combine(NOTHING, heard, _verdict("yes", 0.99), "answer").intent is None
    assert combine(NOTHING, heard, _verdict("no", 0.99), "answer").intent is None


def test_an_answer_sentence_inside_a_decoded_phrase_is_heard_too(catalog: Catalog) -> None:
    """A talk recording came out as "indiana forget it" and the verifier heard "yes" (0.95):
    "forget it" is cancel, so that yes is the opposite of what the decoder heard."""
    matcher = TemplateMatcher(catalog, "en", codes=catalog.answer_codes())
    assert answers_heard(matcher, ["indiana forget it"], ANSWER_SPAN) == {"cancel"}
    assert answers_heard(matcher, ["well no thank you sir"], ANSWER_SPAN) == {"no"}
    assert answers_heard(matcher, ["the weather is nice"], ANSWER_SPAN) == frozenset()
    talk = Match("indiana forget it", None, 0.3, "forget it", "too far from 'forget it'")
    heard = answers_heard(matcher, [talk.text], ANSWER_SPAN)
    assert combine(talk, heard, _verdict("yes", 0.99), "answer").intent is None
    # The voice path's default stays single words (session 6's; the runs were not kept).
    assert answers_heard(matcher, ["indiana forget it"]) == frozenset()


def test_a_near_miss_of_no_can_become_only_no() -> None:
    """The decoder's "now" or "not" is evidence for "no": the verifier's "no" is taken at
    ``near_accept``, and its "yes" or "cancel" never, however sure ("go" heard as "now" was
    "cancel" to the verifier, 1.0)."""
    rule = AnswerRule(accept=0.95, near_accept=0.9)
    assert combine(NOTHING, frozenset(), _verdict("no", 0.92), "answer", rule).intent == "no"
    assert combine(NOTHING, frozenset(), _verdict("no", 0.85), "answer", rule).intent is None
    for label in ("yes", "cancel"):
        assert combine(NOTHING, frozenset(), _verdict(label, 1.0), "answer", rule).intent is None
    not_ = Match("not", None, 0.5, "no", "too far from 'no'")
    assert combine(not_, frozenset(), _verdict("yes", 1.0), "answer", rule).intent is None
    # Without a near miss the accept threshold stands.
    other = Match("the", None, 0.5, "yes", "too far from 'yes'")
    assert combine(other, frozenset(), _verdict("no", 0.92), "answer", rule).intent is None
    assert combine(other, frozenset(), _verdict("yes", 0.97), "answer", rule).intent == "yes"
    # Opt-in: the shipped rule has no near-miss step (session 6's combination).
    assert AnswerRule().near_accept is None
    assert combine(NOTHING, frozenset(), _verdict("cancel", 1.0), "answer").intent == "cancel"
    assert combine(NOTHING, frozenset(), _verdict("no", 0.8), "answer").intent is None


def test_the_shipped_rule_takes_the_ensembles_answer_from_085() -> None:
    """The five-head verifier is less sure than one head where its heads disagree; out of
    fold it recovered more answers at 0.85 than one head at 0.95, with fewer false ones
    (docs/journal/voice.md, "A seed ensemble for the answer verifier")."""
    assert AnswerRule().accept == 0.85
    for label in ("yes", "no", "cancel"):
        got = combine(NOTHING, frozenset(), _verdict(label, 0.87), "answer").intent
        assert got == label
        assert combine(NOTHING, frozenset(), _verdict(label, 0.83), "answer").intent is None


def test_requests_and_emergencies_stay_the_decoders() -> None:
    emergency = Match("emergency", "emergency", 1.0, "emergency")
    assert combine(emergency, frozenset(), _verdict("no", 0.99), "answer") == emergency


# ------------------------------------------------------------ the voice path


@pytest.fixture
def english_answer(
    catalog: Catalog, vad: SileroVad, english_engine: PocketSphinxEngine
) -> VoicePipeline:
    pipeline = fresh_english(catalog, vad, english_engine)
    pipeline.set_mode("answer")
    return pipeline


def test_the_english_voice_path_has_the_verifier(english_answer: VoicePipeline) -> None:
    assert english_answer.verifier is not None


@pytest.mark.parametrize("voice", VOICES, ids=lambda v: v.label)
@pytest.mark.parametrize(("text", "answer"), [("yes", "yes"), ("no", "no"), ("stop", "cancel")])
def test_yes_no_and_stop_give_their_answer_through_the_voice_path(
    english_answer: VoicePipeline, text: str, answer: str, voice: Voice
) -> None:
    assert heard_intents(english_answer, text, voice) == [answer]


@pytest.mark.parametrize("voice", VOICES, ids=lambda v: v.label)
@pytest.mark.parametrize(
    "text", ["bed", "one", "i had a strange dream last night", "the weather is nice"]
)
def test_other_words_and_sentences_give_nothing_through_the_voice_path(
    english_answer: VoicePipeline, text: str, voice: Voice
) -> None:
    assert heard_intents(english_answer, text, voice) == []


@pytest.mark.parametrize("voice", VOICES, ids=lambda v: v.label)
@pytest.mark.parametrize("text", ["now", "go", "top"])
def test_words_next_to_no_are_at_worst_a_refusal_never_a_yes(
    english_answer: VoicePipeline,
    verifier: KeywordVerifier,
    vad: SileroVad,
    text: str,
    voice: Voice,
) -> None:
    """A known limit (docs/voice.md): PocketSphinx hears synthetic "go" as "no", and the
    verifier hears Piper's "now" as "no"; since session 11 espeak-ng's female "top" is
    "cancel" to the five-head verifier (0.95) and so a refusal in the answer mode. What must
    hold is the safe direction: such a word may decline (the patient can ask again), never
    accept a proposal."""
    assert "yes" not in heard_intents(english_answer, text, voice)
    assert verifier.verdict(utterance(text, voice, vad)).of("yes") < 0.2


# ------------------------------------------------------------ missing models


def test_a_missing_embedding_model_names_the_file_and_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (REPO / "models" / "manifest.toml").read_text(encoding="utf-8")
    broken = text.replace('module = "openwakeword"', 'module = "openwakeword_not_installed"')
    specs = modelstore.parse_manifest(broken)
    monkeypatch.setattr(modelstore, "load_manifest", lambda: specs)
    with pytest.raises(ModelError) as err:
        KeywordVerifier()
    message = str(err.value)
    assert "melspectrogram.onnx" in message or "embedding_model.onnx" in message
    assert "pip install --no-deps openwakeword==0.4.0" in message


def test_without_its_models_the_voice_path_runs_on_the_decoder_alone(
    monkeypatch: pytest.MonkeyPatch, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    text = (REPO / "models" / "manifest.toml").read_text(encoding="utf-8")
    specs = modelstore.parse_manifest(text.replace("openwakeword", "openwakeword_gone"))
    monkeypatch.setattr(modelstore, "load_manifest", lambda: specs)
    with caplog.at_level(logging.WARNING):
        pipeline = build_pipeline("en", catalog)
    assert pipeline.verifier is None
    assert "answer verifier off" in caplog.text and "openwakeword" in caplog.text
    pipeline.set_mode("answer")
    assert heard_intents(pipeline, "yes", PIPER) == ["yes"]


def test_a_missing_classifier_names_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from beckon import paths

    monkeypatch.setattr(paths, "packaged_models", lambda: tmp_path)
    with pytest.raises(ModelError, match=r"answer_kws\.onnx"):
        keywords.packaged_classifier()


def test_the_shipped_classifier_is_listed_with_its_hash_and_is_small() -> None:
    path = keywords.packaged_classifier()
    entry = tomllib.loads((REPO / "models" / "manifest.toml").read_text())["ours"]["answer_kws"]
    assert entry["file"] == path.name == "answer_kws.onnx"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    assert path.stat().st_size < 500_000


def test_the_speech_embedding_models_are_found_and_checked() -> None:
    specs = modelstore.load_manifest()
    for name in ("speech_melspec", "speech_embedding"):
        st = modelstore.status(specs[name])
        assert st.state == "ok" and st.path.suffix == ".onnx"  # SHA-256 verified
        assert specs[name].install == "pip install --no-deps openwakeword==0.4.0"


def _part(root: Path, names: list[str]) -> Path:
    """A tiny devset part: silent clips named like Speech Commands files, one labels.csv."""
    from beckon.voice.audio import write_wav

    root.mkdir(parents=True)
    rows = ["file,language,expected,group"]
    for name in names:
        write_wav(root / name, np.zeros(1600, dtype=np.int16))
        rows.append(f"{name},en,none,other word")
    (root / "labels.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def test_the_trainer_refuses_score_parts_and_a_train_part_that_shares_a_tune_speaker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The train part is in every fold's training data, so a voice of the tune part in it
    would make the out-of-fold verdicts the rule is chosen on a lie; the score part is never
    trained on. All refused before any training starts."""
    from beckon.lab.train_keywords import main

    tune = _part(tmp_path / "tune", ["aaaa1111_nohash_0.wav"])
    score = _part(tmp_path / "score", ["bbbb2222_nohash_0.wav"])
    train = _part(tmp_path / "train", ["cccc3333_nohash_0.wav", "aaaa1111_nohash_1.wav"])
    refused = (
        ["--tune", str(score)],
        ["--tune", str(tune), "--train", str(score)],
        ["--tune", str(tune), "--train", str(tune)],
        ["--tune", str(tune), "--train", str(train)],
    )
    for argv in refused:
        with pytest.raises(SystemExit) as exc:
            main([*argv, "--out", str(tmp_path / "model.onnx")])
        assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("never train on a score part") == 2
    assert "another part than --tune" in err
    assert "shares speakers" in err and "aaaa1111" in err and "cccc3333" not in err
    assert not (tmp_path / "model.onnx").exists()


def test_a_paced_copy_is_another_pace_and_pitch_never_the_same_one() -> None:
    """Speed perturbation for the real recordings: each copy is 0.85 to 1.15 times as fast
    (never within 3% of the original, which would add nothing), the same for the same seed."""
    from beckon.lab.train_keywords import _paced_copy

    speech = speak("yes", PIPER)
    rng = np.random.default_rng(0)
    ratios = []
    for _ in range(40):
        copy = _paced_copy(speech, rng)
        assert copy.dtype == np.int16
        ratios.append(len(speech) / len(copy))
    assert all(0.84 <= r <= 1.16 and abs(r - 1.0) >= 0.029 for r in ratios)
    assert min(ratios) < 0.95 and max(ratios) > 1.05  # both ways
    again = _paced_copy(speech, np.random.default_rng(0))
    assert np.array_equal(again, _paced_copy(speech, np.random.default_rng(0)))


def test_real_recordings_get_paced_copies_after_their_noisy_ones(
    tmp_path: Path, vad: SileroVad
) -> None:
    """``paced`` adds copies and changes nothing else: the clean example and the noisy copies
    are those of a run without it (a model trained before keeps its recipe)."""
    from beckon.lab.train_keywords import real_examples
    from beckon.voice.audio import write_wav

    part = tmp_path / "tune"
    part.mkdir()
    write_wav(part / "yes_0.wav", make_clip(speak("yes", PIPER), None).samples)
    (part / "labels.csv").write_text(
        "file,language,expected,group\nyes_0.wav,en,yes,control word\n", encoding="utf-8"
    )
    plain = real_examples(part, seed=0)
    paced = real_examples(part, seed=0, paced=2)
    assert len(plain) == 3 and len(paced) == 5
    assert {e.label for e in paced} == {CLASSES.index("yes")}
    for a, b in zip(plain, paced[:3], strict=True):
        assert np.array_equal(a.audio, b.audio) and a.weight == b.weight
    assert [e.weight for e in paced] == [3.0, 1.5, 1.5, 1.5, 1.5]
    clean = len(paced[0].audio)
    assert all(abs(len(e.audio) / clean - 1.0) > 0.02 for e in paced[3:])


def _dominant_hz(x: np.ndarray, low: float = 80.0, high: float = 400.0) -> float:
    """The strongest frequency between ``low`` and ``high`` (a voice's pitch, for a tone)."""
    spec = np.abs(np.fft.rfft(x.astype(np.float64)))
    freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    band = (freqs >= low) & (freqs <= high)
    return float(freqs[band][np.argmax(spec[band])])


def test_a_pitched_copy_moves_the_voice_1_5_to_4_5_semitones_and_keeps_the_pace() -> None:
    """``--pitched``: another voice saying the word in the same time. A 200 Hz tone comes
    back 1.5 to 4.5 semitones higher or lower (both ways over many copies), never at its own
    pitch, the same length (the VAD's framing stays), and the same for the same seed."""
    from beckon.lab.train_keywords import PITCH_SEMITONES, _pitched_copy

    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = np.round(8000 * np.sin(2 * np.pi * 200.0 * t)).astype(np.int16)
    rng = np.random.default_rng(0)
    shifts = []
    for _ in range(12):
        copy = _pitched_copy(tone, rng)
        assert copy.dtype == np.int16 and len(copy) == len(tone)
        middle = copy[SAMPLE_RATE // 4 : 3 * SAMPLE_RATE // 4]
        shifts.append(12 * np.log2(_dominant_hz(middle) / 200.0))
    low, high = PITCH_SEMITONES
    assert all(low - 0.3 <= abs(s) <= high + 0.3 for s in shifts), shifts
    assert min(shifts) < 0 < max(shifts)
    again = _pitched_copy(tone, np.random.default_rng(5))
    assert np.array_equal(again, _pitched_copy(tone, np.random.default_rng(5)))


TuneFile = Callable[..., str]


@pytest.fixture
def tune_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TuneFile:
    """The name of the cache file the trainer reads the tune part from, given its options
    (the run stops there: nothing is embedded)."""
    from beckon.lab import train_keywords as tk

    class Named(Exception):
        """Stops the run once the tune part's cache file is named."""

    named: list[str] = []

    def embedded(cached: Path | None, make: object) -> tuple[Any, ...]:
        assert cached is not None
        named.append(cached.name)
        if cached.name.startswith("tune"):
            raise Named
        return ()

    monkeypatch.setattr(tk, "_embedded", embedded)

    def name(*options: str) -> str:
        named.clear()
        with pytest.raises(Named):
            tk.main(["--tune", str(tmp_path / "tune"), "--cache", str(tmp_path), *options])
        return named[-1]

    return name


def _fake_sox(folder: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``sox`` first on the PATH that runs ``script`` (sh)."""
    sox = folder / "sox"
    folder.mkdir(parents=True)
    sox.write_text("#!/bin/sh\n" + script + "\n")
    sox.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")


def test_a_cached_part_is_named_by_how_its_copies_are_made_not_their_count_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tune_file: TuneFile
) -> None:
    """``--cache``: embedding is most of a training run, so a real part's embedded copies are
    read again whenever the file's name matches. The name says how many copies of each kind
    and what else makes them: the pace factors, the semitone range and sox's version (another
    sox shifts differently). Another range or another sox is another file, the same run the
    same file, and a run without copies keeps its plain name."""
    from beckon.lab import train_keywords as tk

    assert tune_file() == "tune-seed0.npz"
    pitched = tune_file("--pitched", "2")
    paced = tune_file("--paced", "2")
    assert pitched.startswith("tune-pitched2") and paced.startswith("tune-paced2")
    assert tune_file("--pitched", "2") == pitched and tune_file("--paced", "2") == paced

    with monkeypatch.context() as changed:
        changed.setattr(tk, "PITCH_SEMITONES", (1.0, 3.0))
        assert tune_file("--pitched", "2") != pitched
    with monkeypatch.context() as changed:
        changed.setattr(tk, "PACE_FACTORS", (0.9, 1.1))
        assert tune_file("--paced", "2") != paced

    _fake_sox(tmp_path / "bin", 'echo "sox:      SoX v14.5.0"', monkeypatch)
    assert tune_file("--pitched", "2") != pitched
    assert tune_file("--paced", "2") == paced  # no sox in those copies


def test_a_cached_part_with_bedside_copies_is_named_by_their_settings_noise_and_babble(
    monkeypatch: pytest.MonkeyPatch, tune_file: TuneFile
) -> None:
    """The bedside copies are shaped by their room, band, level and noise settings
    (``BEDSIDE``), the ward noise and the other people talking (the babble, from the train
    part's talk or else the tune part's): a change to any of them is another cache file, so
    no run reads copies made another way; the same run is the same file."""
    from beckon.lab import train_keywords as tk

    talk = np.random.default_rng(1).standard_normal(SAMPLE_RATE)
    monkeypatch.setattr(tk, "babble_of", lambda part: talk)
    bedside = tune_file("--bedside", "2")
    assert bedside.startswith("tune-bedside2_")
    assert tune_file("--bedside", "2") == bedside
    assert tune_file("--bedside", "3").replace("bedside3", "bedside2") == bedside

    others = {
        "a room that rings longer": ("BEDSIDE", tk.BedsideHearing(decay_s=(0.3, 1.2))),
        "another microphone band": ("BEDSIDE", tk.BedsideHearing(lowpass_hz=(3000.0, 7000.0))),
        "louder noise": ("BEDSIDE", tk.BedsideHearing(snr_db=(-5.0, 15.0))),
        "other ward noise": ("_NOISE", tk._NOISE[::-1].copy()),
        "other people talking": ("babble_of", lambda part: talk[::-1].copy()),
        "no one talking": ("babble_of", lambda part: None),
    }
    for why, (name, value) in others.items():
        with monkeypatch.context() as changed:
            changed.setattr(tk, name, value)
            assert tune_file("--bedside", "2") != bedside, why
    assert tune_file("--bedside", "2") == bedside


def test_a_sox_that_names_no_version_is_named_by_all_it_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sox whose ``--version`` has no ``SoX vX`` in it is named by a digest of what it
    printed, stderr included: two that say different things only on stderr are two names
    (a digest of stdout alone named them, and every such sox, alike)."""
    from beckon.lab.train_keywords import _sox_version

    _fake_sox(tmp_path / "one", 'echo "sox: built from git 1a2b" >&2', monkeypatch)
    one = _sox_version()
    with monkeypatch.context() as other:
        _fake_sox(tmp_path / "two", 'echo "sox: built from git 3c4d" >&2', other)
        two = _sox_version()
    assert one != two
    assert _sox_version() == one  # the same sox, the same name


def test_several_heads_are_one_file_that_gives_their_mean(tmp_path: Path) -> None:
    """``--heads N``: N models from successive seeds averaged inside one ONNX file with the
    verifier's own input and output, so the voice path loads it as it loads one model."""
    from beckon.lab.train_keywords import export, predict, train, train_heads
    from beckon.voice.keywords import EMBEDDING_SIZE, N_EMBEDDINGS

    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, N_EMBEDDINGS, EMBEDDING_SIZE)).astype(np.float32)
    y = rng.integers(0, len(CLASSES), 64).astype(np.int64)
    w = np.ones(64, dtype=np.float32)
    mean = train_heads(x, y, w, seed=3, epochs=2, heads=2)
    members = [train(x, y, w, seed=s, epochs=2) for s in (3, 4)]
    expected = (predict(members[0], x) + predict(members[1], x)) / 2
    assert np.allclose(predict(mean, x), expected, atol=1e-6)
    export(mean, tmp_path / "mean.onnx", {"classes": ",".join(CLASSES)})
    loaded = KeywordVerifier(tmp_path / "mean.onnx")
    assert np.allclose(loaded.probabilities(x), expected, atol=1e-5)
    assert not np.allclose(predict(members[0], x), expected, atol=1e-3)  # two different heads


def test_train_speakers_are_named_for_the_folds_by_their_source() -> None:
    """``--fold-train``: Speech Commands, the Free Spoken Digit Dataset and the Wake-Up-Word
    Corpus (its sessions) name their speakers; any other source of the train part is held
    out whole by its folder (its files do not say who spoke, so one voice may be in many of
    them). Never a tune speaker's name."""
    from beckon.lab.train_keywords import speaker_of, train_speaker_of

    train = Path("/data/voice/train")
    sc = train / "sc/yes/0a7c2a8d_nohash_1.wav"
    assert train_speaker_of(sc) == "train:0a7c2a8d" != speaker_of(sc)
    assert train_speaker_of(train / "sc2/nine/0a7c2a8d_nohash_0.wav") == "train:0a7c2a8d"
    assert train_speaker_of(train / "sc/_unknown_/bed_0a7c2a8d_nohash_0.wav.wav") == (
        "train:0a7c2a8d"
    )
    assert train_speaker_of(train / "fsdd/3_george_23.wav") == "train:fsdd:george"
    assert train_speaker_of(train / "fsdd/7_george_0.wav") == "train:fsdd:george"
    assert train_speaker_of(train / "dsp/yes/yes12.wav") == "train:dsp"
    assert train_speaker_of(train / "dsp/no/n3.wav") == "train:dsp"
    assert train_speaker_of(train / "voxforge/kayray-1/a0001.wav") == "train:voxforge"
    # Wake-Up-Word Corpus II: one caller per session, so the session is the speaker.
    assert train_speaker_of(train / "wuw/WUWII00002_001.wav") == "train:wuw:00002"
    assert train_speaker_of(train / "wuw/WUWII00002_004.wav") == "train:wuw:00002"
    assert train_speaker_of(train / "wuw/WUWII00017_001.wav") == "train:wuw:00017"


def test_the_trainer_refuses_train_folds_without_a_train_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from beckon.lab.train_keywords import main

    tune = _part(tmp_path / "tune", ["aaaa1111_nohash_0.wav"])
    with pytest.raises(SystemExit) as exc:
        main(["--tune", str(tune), "--fold-train", "--out", str(tmp_path / "m.onnx")])
    assert exc.value.code == 2
    assert "--fold-train needs a --train part" in capsys.readouterr().err


def test_a_room_response_is_mostly_the_direct_sound_with_a_decaying_tail() -> None:
    from beckon.lab.train_keywords import _room_response

    rng = np.random.default_rng(0)
    for _ in range(20):
        ir = _room_response(rng)
        assert 0.2 * SAMPLE_RATE - 1 <= len(ir) <= 0.9 * SAMPLE_RATE
        assert np.argmax(np.abs(ir)) == 0
        early = np.sum(ir[: int(0.05 * SAMPLE_RATE)] ** 2)
        late = np.sum(ir[int(0.05 * SAMPLE_RATE) :] ** 2)
        assert late > 0 and early > 2 * late  # mostly the direct sound, some room
        quarter = len(ir) // 4
        assert np.sum(ir[quarter : 2 * quarter] ** 2) > np.sum(ir[3 * quarter :] ** 2)


def test_a_bedside_copy_is_the_same_length_noisier_and_seeded() -> None:
    """A real recording as a tablet on a bed arm hears it: same length (the VAD's framing
    stays), another signal, the same for the same seed, and other people talking when
    babble is given."""
    from beckon.lab.train_keywords import _bedside_copy

    speech = make_clip(speak("yes", PIPER), None).samples
    babble = np.sin(np.arange(SAMPLE_RATE * 3) * 2 * np.pi * 440 / SAMPLE_RATE)
    copies = [_bedside_copy(speech, np.random.default_rng(s), babble) for s in range(12)]
    for copy in copies:
        assert copy.dtype == np.int16 and len(copy) == len(speech)
        assert not np.array_equal(copy, speech)
    again = _bedside_copy(speech, np.random.default_rng(3), babble)
    assert np.array_equal(again, copies[3])
    # Half the copies carry the babble (a 440 Hz tone here): it shows in their spectrum.
    quiet = speech[: int(0.25 * SAMPLE_RATE)].astype(np.float64)

    def tone_share(x: np.ndarray) -> float:
        spec = np.abs(np.fft.rfft(x[: len(quiet)].astype(np.float64))) ** 2
        freqs = np.fft.rfftfreq(len(quiet), 1 / SAMPLE_RATE)
        return float(spec[np.abs(freqs - 440) < 8].sum() / (spec.sum() + 1e-12))

    shares = [tone_share(c) for c in copies]
    assert sum(s > 0.5 for s in shares) >= 3 and sum(s < 0.1 for s in shares) >= 3


@pytest.mark.parametrize(
    ("option", "word", "intent"), [("bedside", "no", "no"), ("pitched", "stop", "cancel")]
)
def test_real_recordings_get_copies_after_their_other_copies(
    tmp_path: Path, vad: SileroVad, option: str, word: str, intent: str
) -> None:
    """``bedside`` and ``pitched`` add copies (weighted as the noisy ones) and change nothing
    else: the examples of a run without them come first and are the same (a model trained
    before keeps its recipe), and the copies depend only on the seed."""
    from beckon.lab.train_keywords import real_examples
    from beckon.voice.audio import write_wav

    part = tmp_path / "tune"
    part.mkdir()
    write_wav(part / f"{word}_0.wav", make_clip(speak(word, PIPER), None).samples)
    (part / "labels.csv").write_text(
        f"file,language,expected,group\n{word}_0.wav,en,{intent},control word\n",
        encoding="utf-8",
    )
    plain = real_examples(part, seed=0, paced=1)
    two: dict[str, Any] = {option: 2}
    copied = real_examples(part, seed=0, paced=1, **two)
    assert len(plain) == 4 and len(copied) == 6
    for a, b in zip(plain, copied[:4], strict=True):
        assert np.array_equal(a.audio, b.audio) and a.weight == b.weight
    assert {e.label for e in copied} == {CLASSES.index(intent)}
    assert [e.weight for e in copied[4:]] == [1.5, 1.5]
    assert all(len(e.audio) == len(copied[0].audio) for e in copied[4:])
    assert not np.array_equal(copied[4].audio, copied[5].audio)
    again = real_examples(part, seed=0, paced=1, **two)
    assert all(np.array_equal(a.audio, b.audio) for a, b in zip(copied, again, strict=True))
