"""Train the answer verifier (``models/answer_kws.onnx``): yes / no / cancel / other.

A tool, not the product: ``python -m beckon.lab.train_keywords --tune DIR --out FILE``.
The classifier sits on Google's speech_embedding (``beckon.voice.keywords``), which was
trained on a large amount of real speech, so a small head trained mostly on synthetic speech
carries over to people. Training data:

- the catalog's English answer sentences (yes, no, cancel with "stop", "never mind" ...),
  spoken by espeak-ng voices with random variants, speeds and pitches, and by Piper's joe at
  several paces; the benchmark's own voice settings are left out, so the espeak-ng/Piper bench
  and the tests do not hear a voice the model was trained on;
- "other": confusable words ("now", "know", "go", "says", "stock", "top", ...), Google Speech
  Commands' word list, the catalog's English requests, common words of the talk list and short
  sentences, by the same voices;
- the real English recordings of a devset *tune* part (``labels.csv`` as for ``beckon bench
  voice --recordings``), cut into utterances by the same VAD as the voice path, and of a
  *train* part (``--train``: recordings of other speakers, used only for training, in every
  fold). Never the score part.

Every clip is augmented (pace, gain, room echo, telephone band, ward noise at 0 to 30 dB SNR)
and framed like the VAD's utterances. ``--folds K`` also trains K models each without one
K-th of the real speakers and writes their out-of-fold verdicts, for choosing the rule that
combines the verifier with the decoder on recordings the model did not see.

The shipped file is the mean of five heads fitted from seeds 0 to 4 on the same examples
(``--heads 5``, the default since session 11): one head's figures moved by up to four "stop"
clips of 39 between fitting seeds; the mean moves less and is less sure where the heads
disagree (docs/journal/voice.md, "A seed ensemble for the answer verifier").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import shutil
import subprocess
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import signal

from beckon.errors import BeckonError
from beckon.lab.voice_bench import NEURAL_VOICES, VOICES
from beckon.lab.voice_synth import Voice, espeak, speak, ward_noise
from beckon.voice.audio import read_wav
from beckon.voice.catalog import load_catalog
from beckon.voice.keywords import (
    CLASSES,
    EMBEDDING_SIZE,
    N_EMBEDDINGS,
    SpeechEmbedder,
    embedding_paths,
    fixed_window,
)
from beckon.voice.vad import SAMPLE_RATE, Int16Array, SileroVad, segment

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]

# Words that sound like an answer, or are often heard as one, and other single words.
CONFUSABLE = [
    "now",
    "know",
    "known",
    "note",
    "nor",
    "snow",
    "go",
    "so",
    "low",
    "toe",
    "dough",
    "row",
    "new",
    "knee",
    "nine",
    "noon",
    "oh",
    "owe",
    "whoa",
    "yet",
    "yell",
    "yellow",
    "yesterday",
    "guess",
    "mess",
    "less",
    "says",
    "said",
    "chess",
    "dress",
    "address",
    "bless",
    "test",
    "best",
    "west",
    "jess",
    "yeast",
    "yea",
    "young",
    "year",
    "stock",
    "top",
    "shop",
    "step",
    "drop",
    "spot",
    "stomp",
    "stuff",
    "stuck",
    "dot",
    "hot",
    "pot",
    "not",
    "that",
    "what",
    "stab",
    "stoop",
    "cancer",
    "candle",
    "castle",
    "channel",
    "tunnel",
    "council",
    "counsel",
    "answer",
    "never",
    "mind",
    "remind",
    "diamond",
    "forgive",
    "forward",
    "target",
    "forgot",
    "collect",
    "connect",
    "direct",
    "ring",
    "long",
    "song",
    "strong",
    "rung",
    "write",
    "rate",
]
SPEECH_COMMANDS = [
    "backward",
    "bed",
    "bird",
    "cat",
    "dog",
    "down",
    "eight",
    "five",
    "follow",
    "forward",
    "four",
    "go",
    "happy",
    "house",
    "learn",
    "left",
    "marvin",
    "nine",
    "off",
    "on",
    "one",
    "right",
    "seven",
    "sheila",
    "six",
    "three",
    "tree",
    "two",
    "up",
    "visual",
    "wow",
    "zero",
]
SENTENCES = (
    "good morning",
    "how are you",
    "i had a strange dream",
    "what time is it",
    "my daughter is coming today",
    "it is raining outside",
    "the food was cold",
    "can you hear me",
    "i think so",
    "not now",
    "go on",
    "i don't know",
    "say that again",
    "the television",
    "my glasses",
    "thank you very much",
    "see you later",
    "open the window",
    "where is my phone",
    "is it tuesday",
)
# Answer words that must never be "other" (they, or their catalog phrase, are answers).
ANSWER_WORDS = {"yes", "yeah", "no", "nope", "stop", "cancel", "wrong", "correct", "mind"}
ESPEAK_BASES = (
    "en-us",
    "en",
    "en-gb-x-rp",
    "en-029",
    "en-gb-scotland",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-us-nyc",
)
VARIANTS = (
    "",
    "+m1",
    "+m2",
    "+m3",
    "+m4",
    "+m5",
    "+m6",
    "+m7",
    "+f1",
    "+f2",
    "+f3",
    "+f4",
    "+f5",
    "+klatt",
    "+klatt2",
    "+klatt3",
    "+Andy",
    "+annie",
    "+david",
    "+linda",
    "+grandma",
    "+grandpa",
    "+john",
    "+max",
)
PIPER_SPEEDS = (125, 165, 195)  # not the bench's 150 and 180


@dataclass(frozen=True)
class Example:
    """One utterance: its audio, class index, weight, and the real speaker (or "")."""

    audio: Int16Array
    label: int
    weight: float
    speaker: str = ""
    source: str = ""


def answer_texts() -> dict[str, list[str]]:
    """The catalog's English answer sentences per class, with spoken-punctuation variants
    (espeak-ng and Piper say "yes!" and "yes?" with another melody)."""
    catalog = load_catalog()
    out: dict[str, list[str]] = {}
    for code in ("yes", "no", "cancel"):
        sentences = list(catalog.intents[code].sentences.get("en", ()))
        short = [s for s in sentences if len(s.split()) == 1]
        out[code] = sentences + [s + p for s in short for p in ("!", "?", ".")]
    return out


def other_texts(rng: np.random.Generator, talk_words: int = 160) -> list[str]:
    """Everything that must be "other"."""
    catalog = load_catalog()
    requests = sorted({s for s, code in catalog.sentences("en") if code not in CLASSES})
    talk_file = Path(__file__).resolve().parents[1] / "data" / "talk" / "en.txt"
    words = [
        line.split()[0]
        for line in talk_file.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    words = [w for w in words if re.fullmatch(r"[a-z']+", w) and w not in ANSWER_WORDS]
    picked = list(rng.choice(words[:3000], size=talk_words, replace=False))
    texts = CONFUSABLE + SPEECH_COMMANDS + list(SENTENCES) + requests + picked
    return sorted({t for t in texts if t not in ANSWER_WORDS})


def training_voices(rng: np.random.Generator, n: int) -> list[Voice]:
    """``n`` random espeak-ng voices, never one of the benchmark's own settings."""
    bench = {(v.name, v.speed, v.pitch) for vs in VOICES.values() for v in vs}
    out: list[Voice] = []
    while len(out) < n:
        name = str(rng.choice(ESPEAK_BASES)) + str(rng.choice(VARIANTS))
        v = Voice(name, int(rng.integers(100, 210)), int(rng.integers(20, 85)))
        if (v.name, v.speed, v.pitch) not in bench:
            out.append(v)
    return out


def piper_voices() -> list[Voice]:
    bench = {(v.name, v.speed) for vs in NEURAL_VOICES.values() for v in vs}
    return [Voice("piper:joe", s) for s in PIPER_SPEEDS if ("piper:joe", s) not in bench]


def speak_many(texts: list[str], voice: Voice, gap_ms: int = 700) -> list[Int16Array] | None:
    """Many texts in one espeak-ng call (SSML breaks between them), cut at the breaks: one
    process per voice instead of one per word. None when the cut does not give one piece
    per text (a voice that pauses inside a phrase)."""
    body = f'<break time="{gap_ms}ms"/>'.join(t.replace("'", "&apos;") for t in texts)
    try:
        samples = espeak(f"<speak>{body}</speak>", voice, ssml=True, timeout_s=120)
    except BeckonError:
        return None
    frame = 160
    n = len(samples) // frame
    loud = np.abs(samples[: n * frame].astype(np.int32)).reshape(n, frame).max(axis=1) > 60
    pieces: list[Int16Array] = []
    start: int | None = None
    quiet = 0
    min_gap = int(gap_ms * 0.6 / 10)
    for i, on in enumerate(loud):
        if on:
            if start is None:
                start = i
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet >= min_gap:
                pieces.append(samples[start * frame : (i - quiet + 1) * frame])
                start, quiet = None, 0
    if start is not None:
        pieces.append(samples[start * frame : (n - quiet) * frame])
    return pieces if len(pieces) == len(texts) else None


# ------------------------------------------------------------------ augmentation

_NOISE = ward_noise(30.0, seed=7)


def _reverb(x: npt.NDArray[np.float64], rng: np.random.Generator) -> npt.NDArray[np.float64]:
    rt = rng.uniform(0.15, 0.6)
    n = int(rt * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    ir = rng.standard_normal(n) * np.exp(-6.9 * t / rt)
    ir[0] = 1.0 / rng.uniform(0.3, 1.0)
    wet = signal.fftconvolve(x, ir)[: len(x)]
    return wet * (np.std(x) / (np.std(wet) + 1e-9))


def _telephone(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    sos = signal.butter(4, [300, 3400], btype="band", fs=SAMPLE_RATE, output="sos")
    return np.asarray(signal.sosfilt(sos, x), dtype=np.float64)


def augment(speech: Int16Array, rng: np.random.Generator, clean: bool = False) -> Int16Array:
    """Pace, echo, band, gain and noise; then framed like a VAD utterance (0.32 s of the
    same background before, 0.2 to 0.5 s after)."""
    x = speech.astype(np.float64) / 32768.0
    if not clean:
        rate = rng.uniform(0.88, 1.12)
        x = signal.resample(x, max(1, int(len(x) / rate)))
        if rng.random() < 0.35:
            x = _reverb(x, rng)
        if rng.random() < 0.2:
            x = _telephone(x)
    pre, post = int(0.32 * SAMPLE_RATE), int(rng.uniform(0.2, 0.5) * SAMPLE_RATE)
    total = pre + len(x) + post
    y = np.zeros(total)
    y[pre : pre + len(x)] = x
    level = 10 ** (rng.uniform(-35, -8) / 20) / (np.sqrt(np.mean(x**2)) + 1e-9)
    y *= level
    floor = 10 ** (rng.uniform(-80, -60) / 20)
    y += rng.standard_normal(total) * floor
    if not clean and rng.random() < 0.75:
        snr = rng.uniform(0, 30)
        start = int(rng.integers(0, len(_NOISE) - total))
        power = np.mean((y[pre : pre + len(x)]) ** 2)
        y += _NOISE[start : start + total] * np.sqrt(power / 10 ** (snr / 10))
    peak = np.max(np.abs(y))
    if peak > 0.99:
        y *= 0.99 / peak
    return np.round(y * 32767).astype(np.int16)


def augmented_copies(
    speech: Int16Array, label: int, copies: int, source: str, rng: np.random.Generator
) -> list[Example]:
    """``copies`` differently augmented examples of one synthetic utterance (``source``
    names the voice and text, for the logs); each copy draws its own augmentation from
    ``rng`` in turn, so the examples depend only on the seed."""
    return [Example(augment(speech, rng), label, 1.0, "", source) for _ in range(copies)]


def espeak_examples(
    texts: Sequence[tuple[str, int]], voice: Voice, rng: np.random.Generator
) -> list[Example]:
    """``texts`` (text, class) said by one espeak-ng ``voice`` in one call, each labelled one
    augmented twice and each "other" (class 0) once; none when the voice's cut does not match
    (it is skipped). One rule for the answer and the request trainers."""
    pieces = speak_many([t for t, _ in texts], voice)
    if pieces is None:
        log.info("voice %s: the cut did not match, skipped", voice.label)
        return []
    out: list[Example] = []
    for (text, label), speech in zip(texts, pieces, strict=True):
        out += augmented_copies(speech, label, 2 if label else 1, f"{voice.label}:{text}", rng)
    return out


# ------------------------------------------------------------------ data


def synthetic_examples(seed: int, espeak_voices: int = 16) -> list[Example]:
    """Every text by ``espeak_voices`` random espeak-ng voices (answers augmented 3 times,
    others once) and by Piper's joe (answers at every training pace, confusable and Speech
    Commands words at one)."""
    rng = np.random.default_rng(seed)
    answers = answer_texts()
    texts = [(t, CLASSES.index(code)) for code, ts in answers.items() for t in ts]
    texts += [(t, 0) for t in other_texts(rng)]
    out: list[Example] = []
    began = time.time()
    for k, voice in enumerate(training_voices(rng, espeak_voices)):
        # Each voice says all answers and a random 30% of the others.
        chosen = [(t, c) for t, c in texts if c or rng.random() < 0.3]
        out += espeak_examples(chosen, voice, rng)
        log.info("espeak voice %d: %d examples (%.0f s)", k, len(out), time.time() - began)
    piper_words = set(CONFUSABLE)
    for voice in piper_voices():
        for text, label in texts:
            if not label and (text not in piper_words or voice.speed != PIPER_SPEEDS[1]):
                continue
            speech = speak(text, voice)
            out += augmented_copies(speech, label, 3 if label else 1, f"{voice.label}:{text}", rng)
        log.info("piper %s: %d examples (%.0f s)", voice.label, len(out), time.time() - began)
    return out


NEAR_ANSWERS = (
    "now", "know", "note", "go", "so", "low", "new", "knee", "nine", "noon", "oh", "owe",
    "yet", "yell", "says", "guess", "less", "stock", "top", "shop", "step", "drop", "spot",
    "not", "that", "cancer",
)  # fmt: skip


def near_answer_examples(seed: int, espeak_voices: int = 8) -> list[Example]:
    """More of the words nearest to an answer (Piper's "now" was heard as "no" by a first
    model): every training voice of Piper and ``espeak_voices`` more espeak-ng voices, each
    twice augmented."""
    rng = np.random.default_rng(seed + 2)
    texts = list(NEAR_ANSWERS)
    out: list[Example] = []
    for voice in training_voices(rng, espeak_voices):
        pieces = speak_many(texts, voice)
        for text, speech in zip(texts, pieces or [], strict=False):
            out += augmented_copies(speech, 0, 2, f"{voice.label}:{text}", rng)
    for voice in piper_voices():
        for text in texts:
            speech = speak(text, voice)
            out += augmented_copies(speech, 0, 2, f"{voice.label}:{text}", rng)
    return out


def speaker_of(path: Path) -> str:
    """Speech Commands names files SPEAKER_nohash_N.wav; otherwise the file is its own."""
    return path.name.split("_nohash_")[0] if "_nohash_" in path.name else path.stem


def real_examples(
    tune: Path,
    seed: int,
    weight: float = 3.0,
    copies: int = 2,
    keep_speakers: bool = True,
    paced: int = 0,
    bedside: int = 0,
    babble: npt.NDArray[np.float64] | None = None,
    pitched: int = 0,
) -> list[Example]:
    """The tune part's English recordings cut by the VAD; yes/no/cancel clips give their
    longest utterance, every utterance of the others is "other". Each one clean, ``copies``
    times with noise, ``paced`` times also sped up or slowed down (``_paced_copy``: a
    voice a little higher and faster, or lower and slower, as another speaker's would be)
    and ``bedside`` times as a tablet on a bed arm would hear it (``_bedside_copy``: room,
    microphone band, ward noise and ``babble``), and ``pitched`` times in a higher or lower
    voice at the same pace (``_pitched_copy``, then ``_noisy_copy``). Each kind of copy
    draws from its own generator, so adding one leaves the others' examples as they were.
    Without ``keep_speakers`` the examples name
    no speaker, so no fold ever holds them out (a train part; ``--fold-train`` names them
    afterwards from their files, ``train_speaker_of``)."""
    from beckon.lab.voice_recordings import load_labels

    rng = np.random.default_rng(seed + (1 if keep_speakers else 3))
    bed_rng = np.random.default_rng(seed + (11 if keep_speakers else 13))
    pitch_rng = np.random.default_rng(seed + (21 if keep_speakers else 23))
    vad = SileroVad()
    out: list[Example] = []
    for item in load_labels(tune):
        if item.language != "en":
            continue
        if item.expected is not None and item.expected not in CLASSES:
            continue
        vad.reset()
        segs = segment(read_wav(item.path), vad)
        if not segs:
            continue
        label = CLASSES.index(item.expected) if item.expected else 0
        chosen = [max(segs, key=lambda s: len(s.audio))] if label else segs
        spk = speaker_of(item.path) if keep_speakers else ""
        for seg in chosen:
            out.append(Example(seg.audio, label, weight, spk, str(item.path)))
            for _ in range(copies):
                noisy = _noisy_copy(seg.audio, rng)
                out.append(Example(noisy, label, weight / 2, spk, str(item.path)))
            for _ in range(paced):
                noisy = _noisy_copy(_paced_copy(seg.audio, rng), rng)
                out.append(Example(noisy, label, weight / 2, spk, str(item.path)))
            for _ in range(bedside):
                heard = _bedside_copy(seg.audio, bed_rng, babble)
                out.append(Example(heard, label, weight / 2, spk, str(item.path)))
            for _ in range(pitched):
                noisy = _noisy_copy(_pitched_copy(seg.audio, pitch_rng), pitch_rng)
                out.append(Example(noisy, label, weight / 2, spk, str(item.path)))
    return out


def train_speaker_of(path: Path) -> str:
    """The speaker of a train part's recording, for folds over the train part too
    (``--fold-train``): Speech Commands names them (``speaker_of``, without the word the
    devset puts before the unknown words' speaker), the Free Spoken Digit
    Dataset too (``DIGIT_NAME_N.wav``), and the Wake-Up-Word Corpus its sessions
    (``WUWIISESSION_UTT.wav``, one caller each); any other source's files are held out
    together, by the folder under the part they came from (its speakers are not named, so
    one voice may be in many files). Prefixed ``train:`` so no name can meet a tune speaker's."""
    if "_nohash_" in path.name:  # the devset names "other" words WORD_SPEAKER_nohash_N
        return "train:" + speaker_of(path).split("_")[-1]
    fsdd = re.fullmatch(r"\d_([a-z]+)_\d+", path.stem)
    if fsdd:
        return "train:fsdd:" + fsdd.group(1)
    wuw = re.fullmatch(r"WUWII(\d{5})_\d{3}", path.stem)
    if wuw:  # Wake-Up-Word Corpus II: one caller per session
        return "train:wuw:" + wuw.group(1)
    parts = path.parts
    top = parts[parts.index("train") + 1] if "train" in parts[:-1] else path.parent.name
    return "train:" + top


def babble_of(part: Path, limit_s: float = 60.0) -> npt.NDArray[np.float64] | None:
    """Other people talking, for the bedside copies: a part's English talk recordings
    (``expected`` none, group ``talk``), three of them at a time summed at unit power.
    None when the part has no talk."""
    from beckon.lab.voice_recordings import load_labels

    clips = [
        read_wav(item.path).astype(np.float64) / 32768.0
        for item in load_labels(part)
        if item.language == "en" and item.expected is None and item.group == "talk"
    ]
    if not clips:
        return None
    voice = np.concatenate(clips)[: int(limit_s * SAMPLE_RATE)]
    third = len(voice) // 3
    mix = voice + np.roll(voice, third) + np.roll(voice, 2 * third)
    return mix / (np.sqrt(np.mean(mix**2)) + 1e-12)


@dataclass(frozen=True)
class BedsideHearing:
    """What shapes a bedside copy (``_bedside_copy``, ``_room_response``): each range is
    drawn from uniformly, each share is how often a step is taken. Written once here, so the
    copies and their cache key (``copies_recipe``) cannot disagree. The steps themselves
    (the filters' orders, the tail's shape) are code the key does not see: a number that
    changes them belongs here."""

    room_share: float = 0.7
    """How often the utterance is heard through a room."""
    decay_s: tuple[float, float] = (0.2, 0.9)
    """The room's tail: the time it takes to decay by 60 dB."""
    reflections: tuple[int, int] = (4, 10)
    """How many early reflections (bed rail, wall, ceiling); the upper end is excluded."""
    reflection_s: tuple[float, float] = (0.002, 0.030)
    """When each early reflection arrives."""
    reflection_gain: tuple[float, float] = (0.15, 0.5)
    """Each early reflection's level against the direct sound (either sign)."""
    tail_lowpass_hz: tuple[float, float] = (2500.0, 6000.0)
    """The tail loses its highs above this."""
    direct_db: tuple[float, float] = (3.0, 12.0)
    """How much more direct than reverberant sound (about a metre from the mouth)."""
    band_share: float = 0.7
    """How often a small microphone's band is applied."""
    highpass_hz: tuple[float, float] = (80.0, 300.0)
    lowpass_hz: tuple[float, float] = (3400.0, 7500.0)
    level_db: tuple[float, float] = (-12.0, 6.0)
    """The copy's level against the utterance."""
    babble_share: float = 0.5
    """How often the noise is other people talking (when there is babble), not ward noise."""
    snr_db: tuple[float, float] = (0.0, 20.0)
    """The utterance against the noise."""


BEDSIDE = BedsideHearing()


def _room_response(rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """A synthetic impulse response of a hospital room: the direct sound, a few early
    reflections from the bed rail, wall and ceiling (``BEDSIDE.reflection_s``), and a late
    tail that decays by 60 dB in ``BEDSIDE.decay_s`` and loses its highs as it goes, with
    more direct than reverberant sound (``BEDSIDE.direct_db``), as at about a metre from the
    mouth."""
    rt = rng.uniform(*BEDSIDE.decay_s)
    n = int(rt * SAMPLE_RATE)
    ir = np.zeros(n)
    ir[0] = 1.0
    for _ in range(int(rng.integers(*BEDSIDE.reflections))):
        at = int(rng.uniform(*BEDSIDE.reflection_s) * SAMPLE_RATE)
        ir[min(at, n - 1)] += rng.choice((-1.0, 1.0)) * rng.uniform(*BEDSIDE.reflection_gain)
    t = np.arange(n) / SAMPLE_RATE
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt)
    cutoff = rng.uniform(*BEDSIDE.tail_lowpass_hz)
    sos = signal.butter(2, cutoff, btype="low", fs=SAMPLE_RATE, output="sos")
    tail = np.asarray(signal.sosfilt(sos, tail), dtype=np.float64)
    tail[: int(0.005 * SAMPLE_RATE)] = 0.0
    drr_db = rng.uniform(*BEDSIDE.direct_db)
    tail *= np.sqrt(np.sum(ir**2) / (np.sum(tail**2) + 1e-12) / 10 ** (drr_db / 10))
    return ir + tail


def _bedside_copy(
    audio: Int16Array,
    rng: np.random.Generator,
    babble: npt.NDArray[np.float64] | None = None,
) -> Int16Array:
    """The utterance as a tablet on a bed arm would hear it, each step as ``BEDSIDE`` sets
    it: sometimes a room (``_room_response``), sometimes a small microphone's band, another
    level, and ward noise or other people talking (``babble``)."""
    x = audio.astype(np.float64) / 32768.0
    power = np.mean(x**2) + 1e-12
    if rng.random() < BEDSIDE.room_share:
        x = signal.fftconvolve(x, _room_response(rng))[: len(x)]
        x *= np.sqrt(power / (np.mean(x**2) + 1e-12))
    if rng.random() < BEDSIDE.band_share:
        high, low = rng.uniform(*BEDSIDE.highpass_hz), rng.uniform(*BEDSIDE.lowpass_hz)
        hp = signal.butter(2, high, btype="high", fs=SAMPLE_RATE, output="sos")
        lp = signal.butter(4, low, btype="low", fs=SAMPLE_RATE, output="sos")
        x = np.asarray(signal.sosfilt(lp, signal.sosfilt(hp, x)), dtype=np.float64)
    x = x * 10 ** (rng.uniform(*BEDSIDE.level_db) / 20)
    source = babble if babble is not None and rng.random() < BEDSIDE.babble_share else _NOISE
    reps = int(np.ceil(len(x) / len(source))) + 1
    start = int(rng.integers(0, len(source)))
    noise = np.tile(source, reps)[start : start + len(x)]
    snr = rng.uniform(*BEDSIDE.snr_db)
    x = x + noise * np.sqrt(np.mean(x**2) / 10 ** (snr / 10))
    return np.round(np.clip(x, -0.99, 0.99) * 32767).astype(np.int16)


def recording_speakers(part: Path) -> set[str]:
    """The speakers of a devset part's English recordings, as ``speaker_of`` names them."""
    from beckon.lab.voice_recordings import load_labels

    return {speaker_of(item.path) for item in load_labels(part) if item.language == "en"}


def _noisy_copy(audio: Int16Array, rng: np.random.Generator) -> Int16Array:
    """Every real utterance's two plain copies (and each paced or pitched copy): another
    level, sometimes an echo, and ward noise (``_NOISE``). Part of every cached part, so not
    named by :func:`copies_recipe`: change it and clear the cache."""
    x = audio.astype(np.float64) / 32768.0
    x = x * 10 ** (rng.uniform(-12, 6) / 20)
    if rng.random() < 0.3:
        x = _reverb(x, rng)
    snr = rng.uniform(5, 30)
    start = int(rng.integers(0, len(_NOISE) - len(x)))
    x = x + _NOISE[start : start + len(x)] * np.sqrt(np.mean(x**2) / 10 ** (snr / 10))
    return np.round(np.clip(x, -0.99, 0.99) * 32767).astype(np.int16)


PACE_FACTORS = (0.85, 1.15)
"""How much faster or slower a paced copy is than the utterance (a factor of its speed)."""
PACE_NOT_WITHIN = 0.03
"""A paced copy's factor is never this close to 1: such a copy would add nothing."""


def _paced_copy(audio: Int16Array, rng: np.random.Generator) -> Int16Array:
    """The utterance resampled by a factor in ``PACE_FACTORS`` (never within
    ``PACE_NOT_WITHIN`` of 1): pitch, formants and pace move together, the usual speed
    perturbation that makes a few real speakers stand for more. The VAD's pre-roll and tail
    keep their share."""
    low, high = PACE_FACTORS
    factor = rng.uniform(low, high)
    while abs(factor - 1.0) < PACE_NOT_WITHIN:
        factor = rng.uniform(low, high)
    x = signal.resample(audio.astype(np.float64), max(1, int(len(audio) / factor)))
    return np.round(np.clip(x, -32767, 32767)).astype(np.int16)


PITCH_SEMITONES = (1.5, 4.5)
"""How far a pitched copy moves the voice, up or down, in semitones: the range session 32
measured out of fold (docs/journal/voice.md); under 1.5 a copy is nearly the original, and
the time-domain shift grows rough as it goes further."""


def _pitched_copy(audio: Int16Array, rng: np.random.Generator) -> Int16Array:
    """The utterance in a higher or lower voice at the same pace (sox ``pitch``, a time-domain
    shift of ``PITCH_SEMITONES`` either way): unlike ``_paced_copy`` the word's length
    stays, so the copy stands for another speaker saying it in the same time. The same
    length as ``audio`` (the VAD's framing stays); the shift is drawn from ``rng`` and sox's
    own dither, which is random, is off (``-D``), so the copy depends only on the seed (and
    on sox's version: ``copies_recipe``)."""
    sox = _sox()
    cents = 100.0 * rng.uniform(*PITCH_SEMITONES) * rng.choice((-1.0, 1.0))
    raw = ["-t", "raw", "-r", str(SAMPLE_RATE), "-e", "signed", "-b", "16", "-c", "1"]
    done = subprocess.run(
        [sox, "-D", *raw, "-", *raw, "-", "pitch", f"{cents:.0f}"],
        input=audio.astype("<i2").tobytes(),
        capture_output=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise BeckonError(f"sox pitch failed: {done.stderr.decode()[:200]}")
    shifted = np.frombuffer(done.stdout, dtype="<i2").astype(np.int16)
    if len(shifted) >= len(audio):
        return shifted[: len(audio)]
    return np.pad(shifted, (0, len(audio) - len(shifted)))


def _sox() -> str:
    sox = shutil.which("sox")
    if not sox:
        raise BeckonError("sox is not installed", "run scripts/setup.sh (apt-get install sox)")
    return sox


def _sox_version() -> str:
    """sox's version (``sox --version`` prints ``sox: SoX v14.4.2``), else a digest of all it
    printed, on stdout and stderr: either way a name that changes with the program (a sox
    that says its version on stderr alone is not named like every other such sox)."""
    done = subprocess.run([_sox(), "--version"], capture_output=True, timeout=30)
    said = done.stdout + done.stderr
    found = re.search(r"SoX v([\w.+~-]+)", said.decode(errors="replace"))
    return found.group(1) if found else hashlib.sha256(said).hexdigest()[:12]


def _bedside_sources(babble: npt.NDArray[np.float64] | None) -> str:
    """A digest of what shapes the bedside copies besides their count: the room, band, level
    and noise settings (``BEDSIDE``), the ward noise (``_NOISE``) and the other people talking
    (``babble``: which part's talk, and how it is mixed, all show in its samples)."""
    digest = hashlib.sha256(repr(BEDSIDE).encode())
    digest.update(np.ascontiguousarray(_NOISE).tobytes())
    if babble is not None:
        digest.update(b"babble" + np.ascontiguousarray(babble).tobytes())
    return digest.hexdigest()[:12]


def copies_recipe(
    paced: int, bedside: int, pitched: int, babble: npt.NDArray[np.float64] | None = None
) -> str:
    """How a real part's copies are made, as its cache file names it (``tune-RECIPE-seedN``):
    for each kind of copy asked for, how many, then what else changes them: the pace factors
    (``PACE_FACTORS``, ``PACE_NOT_WITHIN``); the bedside settings, ward noise and ``babble``
    (a digest: ``_bedside_sources``); the semitone range (``PITCH_SEMITONES``) and the sox
    that shifts the pitch (another version shifts differently). Empty without copies.

    Why: embedding is most of a training run, so a cached part is read whenever its name
    matches. Named by the counts alone, a run after the range changed (or on a machine with
    another sox, or with another part's talk as babble) read copies made the old way, and the
    model's ``trained_by`` said otherwise. Not named: what every real part gets, the two
    plain noisy copies of each utterance (:func:`_noisy_copy`, the ward noise): a change
    there needs the cache cleared."""
    kinds: list[tuple[str, int, Callable[[], tuple[object, ...]]]] = [
        ("paced", paced, lambda: (*PACE_FACTORS, PACE_NOT_WITHIN)),
        ("bedside", bedside, lambda: (_bedside_sources(babble),)),
        ("pitched", pitched, lambda: (*PITCH_SEMITONES, f"sox{_sox_version()}")),
    ]
    return "".join(
        f"-{kind}{count}" + "".join(f"_{setting}" for setting in settings())
        for kind, count, settings in kinds
        if count
    )


def embed_all(examples: list[Example], batch: int = 4) -> FloatArray:
    melspec, embedding = embedding_paths()
    embedder = SpeechEmbedder(melspec, embedding)
    out = np.zeros((len(examples), N_EMBEDDINGS, EMBEDDING_SIZE), dtype=np.float32)
    began = time.time()
    for i in range(0, len(examples), batch):
        windows = np.stack([fixed_window(e.audio) for e in examples[i : i + batch]])
        out[i : i + batch] = embedder.embed(windows)
        if i % (batch * 20) == 0:
            log.info("embedded %d/%d (%.0f s)", i, len(examples), time.time() - began)
    return out


# ------------------------------------------------------------------ model


def make_model(seed: int, n_classes: int = len(CLASSES)) -> Any:
    import torch
    from torch import nn

    torch.manual_seed(seed)

    class Head(nn.Module):
        """Per-step projection, then the steps flattened: small, and sensitive to where in
        the window the word sits (an answer is centred; talk spills over)."""

        def __init__(self) -> None:
            super().__init__()
            self.step = nn.Sequential(nn.Linear(EMBEDDING_SIZE, 32), nn.ReLU())
            self.head = nn.Sequential(
                nn.Dropout(0.3),
                nn.Linear(N_EMBEDDINGS * 32, 64),
                nn.ReLU(),
                nn.Dropout(0.3),
                nn.Linear(64, n_classes),
            )

        def forward(self, x: Any) -> Any:
            z = self.step(x)
            return torch.softmax(self.head(z.flatten(1)), dim=-1)

    return Head()


def train(
    x: FloatArray,
    y: npt.NDArray[np.int64],
    w: FloatArray,
    seed: int,
    epochs: int = 40,
    n_classes: int = len(CLASSES),
) -> Any:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    model = make_model(seed, n_classes)
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    class_w = (counts.sum() / (n_classes * np.maximum(counts, 1))).astype(np.float32)
    sample_w = torch.tensor(w * class_w[y], dtype=torch.float32)
    xt, yt = torch.tensor(x), torch.tensor(y)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    gen = torch.Generator().manual_seed(seed)
    for _epoch in range(epochs):
        model.train()
        order = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(order), 128):
            idx = order[i : i + 128]
            probs = model(xt[idx])
            nll = -torch.log(probs[torch.arange(len(idx)), yt[idx]] + 1e-7)
            loss = (nll * sample_w[idx]).sum() / sample_w[idx].sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    return model


def train_heads(
    x: FloatArray,
    y: npt.NDArray[np.int64],
    w: FloatArray,
    seed: int,
    epochs: int = 40,
    heads: int = 1,
) -> Any:
    """``heads`` models trained alike from seeds ``seed``, ``seed + 1`` ..., their
    probabilities averaged in one module (one model when ``heads`` is 1). Heads that differ
    only in their start disagree most where the data says least, so the mean is less sure
    of a voice unlike the training speakers; the embedding, which is most of the cost, is
    computed once for all of them."""
    import torch
    from torch import nn

    models = [train(x, y, w, seed + k, epochs) for k in range(heads)]
    if heads == 1:
        return models[0]

    class Mean(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.members = nn.ModuleList(models)

        def forward(self, z: Any) -> Any:
            return torch.stack([m(z) for m in self.members]).mean(dim=0)

    mean = Mean()
    mean.eval()
    return mean


def predict(model: Any, x: FloatArray) -> FloatArray:
    import torch

    with torch.no_grad():
        return np.asarray(model(torch.tensor(x)).numpy(), dtype=np.float32)


def export(model: Any, out: Path, metadata: dict[str, str]) -> str:
    """Write the ONNX file (input ``embeddings`` (batch, 16, 96), output ``probabilities``
    (batch, 4)) with its metadata; returns its SHA-256."""
    import torch

    out.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            model,
            (torch.zeros(1, N_EMBEDDINGS, EMBEDDING_SIZE),),
            str(out),
            input_names=["embeddings"],
            output_names=["probabilities"],
            dynamic_axes={"embeddings": {0: "batch"}, "probabilities": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    import onnx

    proto = onnx.load(str(out))
    for k, v in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.save(proto, str(out))
    return hashlib.sha256(out.read_bytes()).hexdigest()


def _embedded(
    cached: Path | None, make: Callable[[], list[Example]]
) -> tuple[npt.NDArray[Any], ...]:
    """Embeddings, labels, weights, speakers and sources of ``make()``'s examples, read from
    ``cached`` when it exists (embedding is most of a training run), else computed and saved
    there."""
    if cached and cached.is_file():
        data = np.load(cached)
        return tuple(data[k] for k in ("x", "y", "w", "speaker", "source"))
    examples = make()
    arrays = (
        embed_all(examples),
        np.array([e.label for e in examples], dtype=np.int64),
        np.array([e.weight for e in examples], dtype=np.float32),
        np.array([e.speaker for e in examples]),
        np.array([e.source for e in examples]),
    )
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cached, x=arrays[0], y=arrays[1], w=arrays[2], speaker=arrays[3], source=arrays[4])
    return arrays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", type=Path, required=True, help="a devset tune part")
    parser.add_argument(
        "--train", type=Path, help="a devset train part: other speakers, training only"
    )
    parser.add_argument("--out", type=Path, default=Path("models/answer_kws.onnx"))
    parser.add_argument("--cache", type=Path, help="folder for the embedded examples")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--voices", type=int, default=16, help="espeak-ng voices")
    parser.add_argument("--folds", type=int, default=0, help="also write out-of-fold verdicts")
    parser.add_argument(
        "--heads",
        type=int,
        default=5,
        help="models from successive seeds, averaged in one file (the shipped file has 5)",
    )
    parser.add_argument(
        "--paced",
        type=int,
        default=0,
        help="sped-up or slowed-down copies of every real recording (speed perturbation)",
    )
    parser.add_argument(
        "--bedside",
        type=int,
        default=0,
        help="copies of every real recording as a bedside tablet hears it (room, band, noise)",
    )
    parser.add_argument(
        "--pitched",
        type=int,
        default=0,
        help="copies of every real recording in a voice {:g} to {:g} semitones higher or "
        "lower, same pace (sox pitch)".format(*PITCH_SEMITONES),
    )
    parser.add_argument(
        "--fold-train",
        action="store_true",
        help="the train part's speakers join the folds (out-of-fold verdicts for them too)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    for part in (args.tune, args.train):
        if part is not None and "score" in part.parts:
            parser.error(f"never train on a score part ({part})")
    if args.fold_train and args.train is None:
        parser.error("--fold-train needs a --train part")
    if args.train is not None:
        if args.train.resolve() == args.tune.resolve():
            parser.error("--train must be another part than --tune")
        # Its examples are in every fold's training data, so none of its speakers may be a
        # tune speaker (or the out-of-fold verdicts would have heard the voice).
        shared = recording_speakers(args.train) & recording_speakers(args.tune)
        if shared:
            parser.error(f"{args.train} shares speakers with {args.tune}: {sorted(shared)[:5]}")

    def cached(name: str) -> Path | None:
        return args.cache / f"{name}-seed{args.seed}.npz" if args.cache else None

    # Other people talking for the bedside copies: the train part's talk (never a voice
    # of the tune part in another's copies), else the tune part's own.
    babble = babble_of(args.train or args.tune) if args.bedside else None
    # The real parts' files name their augmentation, so a new recipe never reads old copies;
    # the synthetic examples do not depend on it and are embedded once.
    recipe = copies_recipe(args.paced, args.bedside, args.pitched, babble)
    parts = [
        _embedded(cached("synthetic"), lambda: synthetic_examples(args.seed, args.voices)),
        _embedded(
            cached(f"tune{recipe}"),
            lambda: real_examples(
                args.tune,
                args.seed,
                paced=args.paced,
                bedside=args.bedside,
                babble=babble,
                pitched=args.pitched,
            ),
        ),
        _embedded(cached("near"), lambda: near_answer_examples(args.seed)),
    ]
    if args.train is not None:
        parts.append(
            _embedded(
                cached(f"train{recipe}"),
                lambda: real_examples(
                    args.train,
                    args.seed,
                    keep_speakers=False,
                    paced=args.paced,
                    bedside=args.bedside,
                    babble=babble,
                    pitched=args.pitched,
                ),
            )
        )
        if args.fold_train:
            last = parts[-1]
            named = np.array([train_speaker_of(Path(str(f))) for f in last[4]])
            parts[-1] = (*last[:3], named, last[4])
    x, y, w, spk, src = (np.concatenate(arrays) for arrays in zip(*parts, strict=True))
    log.info("examples: %s per class", np.bincount(y, minlength=len(CLASSES)).tolist())

    if args.folds and args.cache:
        speakers = sorted({s for s in spk if s})
        fold_of = {
            s: int(hashlib.sha256(s.encode()).hexdigest(), 16) % args.folds for s in speakers
        }
        oof: dict[str, list[float]] = {}
        for k in range(args.folds):
            held = np.array([bool(s) and fold_of[s] == k for s in spk])
            model = train_heads(x[~held], y[~held], w[~held], args.seed, args.epochs, args.heads)
            export(model, args.cache / f"fold{k}.onnx", {"classes": ",".join(CLASSES)})
            first = {}
            for i in np.nonzero(held)[0]:
                if src[i] not in first:  # the clean copy comes first
                    first[str(src[i])] = i
            idx = np.array(list(first.values()), dtype=np.int64)
            if len(idx):
                probs = predict(model, x[idx])
                for name, p in zip(first, probs, strict=True):
                    oof[name] = [float(v) for v in p]
            log.info("fold %d: %d held-out recordings", k, len(idx))
        (args.cache / f"oof-seed{args.seed}.json").write_text(json.dumps(oof))
        (args.cache / "folds.json").write_text(json.dumps(fold_of))

    model = train_heads(x, y, w, args.seed, args.epochs, args.heads)
    digest = export(
        model,
        args.out,
        {
            "classes": ",".join(CLASSES),
            "trained_by": f"python -m beckon.lab.train_keywords --tune {args.tune} "
            + (f"--train {args.train} " if args.train else "")
            + f"--seed {args.seed} --epochs {args.epochs} --voices {args.voices} "
            + f"--paced {args.paced} --heads {args.heads}"
            + (f" --bedside {args.bedside}" if args.bedside else "")
            + (f" --pitched {args.pitched}" if args.pitched else ""),
        },
    )
    print(f"{args.out}: sha256 {digest}, {args.out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
