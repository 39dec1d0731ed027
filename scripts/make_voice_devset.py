#!/usr/bin/env python3
"""Build the voice development set of real recordings under /work/data/voice (never in git).

Reads public repositories (snapshots brought with the search tools' ``fetch``, or ``git clone``
of the same repositories) and writes 16 kHz mono WAV files with a ``labels.csv`` in the format
of ``beckon bench voice --recordings`` (docs/voice.md lists the sources and their licences).
The set is split into a ``tune`` part (used to choose thresholds) and a ``score`` part (used
only to report), by speaker where the source names speakers, so no voice is in both. A third,
``train`` part holds recordings from other repositories for training only (the answer
verifier): none of its Speech Commands speakers is in the test files the other two parts come
from, and no clip of it has the same audio as a tune or score clip.

    .venv/bin/python scripts/make_voice_devset.py --mirrors /work/.mirror --out /work/data/voice
    .venv/bin/python scripts/make_voice_devset.py --parts train  # only the train part
    .venv/bin/python scripts/make_voice_devset.py --parts train --wuw  # + Wake-Up-Word words

Each source is a folder that is either a checkout or a bare git directory (``owner+name/repo``
as ``fetch`` leaves it); missing sources are skipped with a message.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from beckon.voice.audio import to_int16_mono_16k, write_wav

SPEECH_COMMANDS = ("thegtagamer+PICO-tinyML-benchmark", "MLTK_keyworkSpotting/dataset")
POCKETSPHINX = "cmusphinx+pocketsphinx"
ARCTIC = ("LCAV+pyroomacoustics", "examples/input_samples")
VOSK = "alphacep+vosk-api"
OSR = ("joinly-ai+joinly", "tests/data/speech_audio/OSR_us_000_0034_8k.wav")
KSPON = ("uk-kim+korean_speech_recognition", "sample/sample.pcm")


@dataclass(frozen=True)
class KoreanSource:
    """Korean recordings of real people from one repository (docs/voice.md lists them).

    ``part`` is fixed per source (each is one speaker or one recording session), chosen so
    that both parts hold talk and single words; ``cut`` splits a long file into utterances
    at its pauses; ``expected`` is what every file must give (a request only when someone
    really says one).
    """

    root: str
    paths: tuple[str, ...]
    prefix: str
    group: str
    part: str
    cut: bool = False
    expected: str = "none"


KOREAN = (
    # Phone calls (AI Hub ordinary calls and Financial Supervisory Service scam calls), 2 s each.
    KoreanSource(
        "dxlabskku+vishing", ("data/2.0/normal", "data/2.0/vishing"), "vishing", "talk", "tune"
    ),
    # Children saying single words (AI Hub free conversation, children), 0.5-2 s each.
    KoreanSource("neopons+aivis_api_server", ("sample_wavs",), "kws", "other word", "tune"),
    # A smart-lighting command ("... to blue"): a request to change the lights.
    KoreanSource(
        "Picovoice+rhino",
        ("resources/audio_samples/test_within_context_ko.wav",),
        "rhino",
        "request",
        "tune",
        expected="lights",
    ),
    # An out-of-context sentence for the same demo ("give me coffee").
    KoreanSource(
        "Picovoice+rhino",
        ("resources/audio_samples/test_out_of_context_ko.wav",),
        "rhino",
        "talk",
        "tune",
    ),
    # A read paragraph (a workshop's demo recording), cut at its pauses.
    KoreanSource("MK316+workshop22", ("korean.wav",), "mk316", "talk", "score", cut=True),
    # Wake words said one after another, cut into single words.
    KoreanSource(
        "Picovoice+porcupine",
        ("resources/audio_samples/multiple_keywords_ko.wav",),
        "porcupine",
        "other word",
        "score",
        cut=True,
    ),
    # A read sentence.
    KoreanSource(
        "Picovoice+leopard", ("resources/audio_samples/test_ko.wav",), "leopard", "talk", "score"
    ),
    # A student project's test recording.
    KoreanSource("pnu-002-team04+voicenote", ("korean.wav",), "pnu", "talk", "score"),
)


@dataclass(frozen=True)
class SpeakerCorpus:
    """A corpus of many Korean speakers in one repository, one folder per speaker
    (``.../<speaker>/wav/*.wav``): a few recordings of each, spread over the speaker's files.

    Each speaker goes whole to one part (``_part`` of ``key:speaker``), so no voice is in
    both. Everything in it is talk (sentences read in a conversational style, with or without
    an acted emotion); a sentence that happens to be a catalog request would need its own label.
    """

    root: str
    folder: str
    prefix: str
    key: str
    per_speaker: int
    group: str = "talk"


KOREAN_SPEAKERS = (
    # Selvas AI's emotional and personality speech DB (KAIST project, 5% released publicly):
    # some 40 speakers, teens to over fifty, two with a dialect, acted emotions.
    SpeakerCorpus("emotiontts+emotiontts_open_db", "Dataset/SpeechCorpus", "selvas", "selvas", 4),
)


@dataclass(frozen=True)
class KeywordCorpus:
    """Korean keyword-spotting recordings of several speakers in one repository, one folder
    per speaker and label (``<folder>/<speaker>/<label>/*.wav``).

    ``labels`` says how many recordings of each label to take per speaker (spread over the
    speaker's files); none of them is a catalog request, so every file must give no intent.
    Each speaker goes whole to one part (``_part`` of ``key:speaker``).
    """

    root: str
    folder: str
    prefix: str
    key: str
    labels: tuple[tuple[str, int], ...]
    group: str


KOREAN_KEYWORDS = (
    # Six people recording a cooking assistant's commands ("다음 단계", "이전 단계", "이어 하기")
    # and whatever else one says while cooking ("unknown": "배고프다", "소금 어디있지", ...),
    # 1.5 s each. "일시 정지" (pause) is left out: it is close enough to "cancel" that no
    # single right answer exists.
    KeywordCorpus(
        "woowow+KWS",
        "kws-project/train/data/raw",
        "woowow",
        "woowow",
        (("next", 8), ("prev", 8), ("play", 8), ("unknown", 16)),
        "short phrase",
    ),
)

# The rest of the keyword corpora's tune speakers (session 10): every recording of the kept
# labels that ``KOREAN_KEYWORDS`` did not take, for the tune part only (speakers whose part is
# score are never read). No new voice, but four times the short phrases to study clip by clip.
KOREAN_KEYWORDS_TUNE_REST = {"woowow+KWS": "woowow_rest"}

# Speech Commands words and what they must become (None: no intent at all).
COMMAND_WORDS = {"yes": "yes", "no": "no", "stop": "cancel"}
OTHER_WORDS = ("go", "up", "down", "left", "right", "on", "off")
PER_WORD = {"yes": 60, "no": 60, "stop": 60}
PER_OTHER = 16
PER_UNKNOWN = 160


# The train part (docs/voice.md, "The development recordings"): English words from sources
# other than the tune/score ones. At most this many files per speaker and word.
TRAIN_SC = ("a-n-rose+mini-audio-datasets", "speech_commands")  # nine, right, zero
TRAIN_YESNO = ("EmadMahdyEs+DSP_YES_NO_word_detection_matlab", "ProjectSounds")
TRAIN_ROS = ("felixchenfy+ros_speech_commands_classification", "data/data_train")
TRAIN_FSDD = ("Jakobovski+free-spoken-digit-dataset", "recordings")
TRAIN_VOXFORGE = ("a-n-rose+mini-audio-datasets", "voxforge/en")
TRAIN_PER_WORD = {"yes": 240, "no": 240, "stop": 240, "_unknown_": 240, "_silence_": 0}
TRAIN_PER_OTHER = 60
ROS_PER_WORD = {"stop": 30}
ROS_PER_OTHER = 8
FSDD_PER_DIGIT = 3
# Wake-Up-Word Corpus II (phone calls, 2001-2002): the five wake words said alone.
TRAIN_WUW = ("wake-up-word+wuw-corpus-ii", "archive/WUWII_Transcriptions.txt")
WUW_WORDS = ("Operator", "ThinkEngine", "Onword", "Wildfire", "Voyager")
WUW_PER_SESSION = 2


class Source:
    """A repository folder: a checkout or a bare git directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.git: Path | None = None
        for cand in (root / "repo", root / "repo" / ".git", root / ".git", root):
            if (cand / "HEAD").is_file() and (cand / "objects").is_dir():
                self.git = cand
                break

    def list(self, folder: str) -> list[str]:
        if self.git is None:
            base = self.root / folder
            return sorted(str(p.relative_to(self.root)) for p in base.rglob("*") if p.is_file())
        out = subprocess.run(
            ["git", f"--git-dir={self.git}", "ls-tree", "-r", "--name-only", "HEAD", folder],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.split()

    def read(self, path: str) -> bytes:
        if self.git is None:
            return (self.root / path).read_bytes()
        return subprocess.run(
            ["git", f"--git-dir={self.git}", "show", f"HEAD:{path}"],
            capture_output=True,
            check=True,
        ).stdout


def _audio(blob: bytes, path: str, raw_rate: int = 16000) -> np.ndarray:
    if path.endswith((".raw", ".pcm")):
        return np.frombuffer(blob[: len(blob) // 2 * 2], "<i2").copy()
    data, rate = sf.read(io.BytesIO(blob), dtype="float64", always_2d=False)
    return to_int16_mono_16k(data, int(rate))


def utterances(
    audio: np.ndarray,
    frame_s: float = 0.02,
    min_pause_s: float = 0.25,
    pad_s: float = 0.15,
    min_s: float = 0.4,
    max_s: float = 10.0,
) -> list[tuple[int, int]]:
    """Sample ranges of the utterances in a long recording, cut at its pauses.

    A frame is speech when its RMS energy is above the quiet floor (10th percentile) by a
    tenth of the way to the loud level (95th percentile); a pause of ``min_pause_s`` ends an
    utterance. Pieces shorter than ``min_s`` are dropped, longer than ``max_s`` cut evenly.
    """
    rate = 16000
    n = int(rate * frame_s)
    k = len(audio) // n
    if k == 0:
        return []
    energy = np.sqrt(np.mean(audio[: k * n].astype(np.float64).reshape(k, n) ** 2, axis=1))
    floor, loud = np.percentile(energy, 10), np.percentile(energy, 95)
    voiced = energy > floor + 0.1 * (loud - floor)
    spans: list[tuple[int, int]] = []
    start: int | None = None
    quiet = 0
    for i, v in enumerate(voiced):
        if v:
            start = i if start is None else start
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet * frame_s >= min_pause_s:
                spans.append((start, i - quiet + 1))
                start, quiet = None, 0
    if start is not None:
        spans.append((start, k))
    out: list[tuple[int, int]] = []
    for s, t in spans:
        if (t - s) * frame_s < min_s:
            continue
        a = max(0, int((s * frame_s - pad_s) * rate))
        b = min(len(audio), int((t * frame_s + pad_s) * rate))
        pieces = int(np.ceil((b - a) / (max_s * rate)))
        edges = np.linspace(a, b, pieces + 1).astype(int)
        out.extend(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True))
    return out


def _part(key: str) -> str:
    """tune or score, stable per speaker (or per file when there is no speaker)."""
    return "tune" if hashlib.sha1(key.encode()).digest()[0] % 2 == 0 else "score"


def build(mirrors: Path, out: Path) -> dict[str, int]:
    rows: dict[str, list[tuple[str, str, str, str]]] = {"tune": [], "score": []}

    def add(
        src: Source, path: str, name: str, lang: str, expected: str, group: str, key: str
    ) -> None:
        part = _part(key)
        target = out / part / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_wav(target, _audio(src.read(path), path))
        rows[part].append((name, lang, expected, group))

    sc_root, sc_dir = SPEECH_COMMANDS
    if (mirrors / sc_root).is_dir():
        src = Source(mirrors / sc_root)
        files = src.list(sc_dir)
        for word in (*COMMAND_WORDS, *OTHER_WORDS):
            chosen = sorted(f for f in files if f.startswith(f"{sc_dir}/{word}/"))
            chosen = chosen[: PER_WORD.get(word, PER_OTHER)]
            for f in chosen:
                speaker = Path(f).name.split("_")[0]
                expected = COMMAND_WORDS.get(word, "none")
                group = "control word" if word in COMMAND_WORDS else "other word"
                add(src, f, f"sc/{word}/{Path(f).name}", "en", expected, group, speaker)
        unknown = sorted(f for f in files if f.startswith(f"{sc_dir}/_unknown_/"))
        # Spread over the words (bed, one, bird, ...) instead of taking the first ones.
        step = max(1, len(unknown) // PER_UNKNOWN)
        for f in unknown[::step][:PER_UNKNOWN]:
            name = Path(f).name.removesuffix(".wav")
            word, speaker = name.split("_")[:2]
            add(src, f, f"sc/_unknown_/{name}", "en", "none", "other word", speaker)
    else:
        print(f"skipped Speech Commands: no {mirrors / sc_root}")

    talk: list[tuple[Source, str, str]] = []
    if (mirrors / POCKETSPHINX).is_dir():
        src = Source(mirrors / POCKETSPHINX)
        for f in src.list("test/data"):
            if f.endswith(".wav") and ("/librivox/" in f or "/cards/" in f or "/forever/" in f):
                talk.append((src, f, f.split("/")[2]))
            elif f in ("test/data/goforward.raw", "test/data/numbers.raw"):
                talk.append((src, f, Path(f).stem))
            elif f == "test/data/something.raw":
                talk.append((src, f, "something"))
    arctic_root, arctic_dir = ARCTIC
    if (mirrors / arctic_root).is_dir():
        src = Source(mirrors / arctic_root)
        for f in src.list(arctic_dir):
            if "cmu_arctic" in f:
                talk.append((src, f, Path(f).stem.split("_")[2]))
    if (mirrors / VOSK).is_dir():
        talk.append((Source(mirrors / VOSK), "python/example/test.wav", "vosk"))
    osr_root, osr_path = OSR
    if (mirrors / osr_root).is_dir():
        talk.append((Source(mirrors / osr_root), osr_path, "osr"))
    for src, f, speaker in talk:
        name = f"talk/{Path(f).stem}.wav"
        add(src, f, name, "en", "none", "talk", speaker)

    ks_root, ks_path = KSPON
    if (mirrors / ks_root).is_dir():
        add(
            Source(mirrors / ks_root),
            ks_path,
            "ko/talk/kspon_sample.wav",
            "ko",
            "none",
            "talk",
            "x",
        )

    for ks in KOREAN:
        if not (mirrors / ks.root).is_dir():
            print(f"skipped {ks.root}: no {mirrors / ks.root}")
            continue
        src = Source(mirrors / ks.root)
        files = [f for folder in ks.paths for f in src.list(folder) if f.endswith((".wav", ".pcm"))]
        for f in files:
            audio = _audio(src.read(f), f)
            spans = utterances(audio) if ks.cut else [(0, len(audio))]
            stem = Path(f).stem if len(ks.paths) == 1 else f"{Path(f).parent.name}_{Path(f).stem}"
            for i, (a, b) in enumerate(spans):
                name = f"ko/{ks.prefix}/{stem}" + (f"_{i:02d}" if ks.cut else "") + ".wav"
                target = out / ks.part / name
                target.parent.mkdir(parents=True, exist_ok=True)
                write_wav(target, audio[a:b])
                rows[ks.part].append((name, "ko", ks.expected, ks.group))

    for corpus in KOREAN_SPEAKERS:
        if not (mirrors / corpus.root).is_dir():
            print(f"skipped {corpus.root}: no {mirrors / corpus.root}")
            continue
        src = Source(mirrors / corpus.root)
        by_speaker: dict[str, list[str]] = {}
        for f in src.list(corpus.folder):
            parts = Path(f).parts
            if f.endswith(".wav") and len(parts) >= 3 and parts[-2] == "wav":
                by_speaker.setdefault(parts[-3], []).append(f)
        for speaker, files in sorted(by_speaker.items()):
            files.sort()
            step = max(1, len(files) // corpus.per_speaker)
            part = _part(f"{corpus.key}:{speaker}")
            for f in files[::step][: corpus.per_speaker]:
                name = f"ko/{corpus.prefix}/{speaker}/{Path(f).name}"
                target = out / part / name
                target.parent.mkdir(parents=True, exist_ok=True)
                write_wav(target, _audio(src.read(f), f))
                rows[part].append((name, "ko", "none", corpus.group))

    for kw in KOREAN_KEYWORDS:
        if not (mirrors / kw.root).is_dir():
            print(f"skipped {kw.root}: no {mirrors / kw.root}")
            continue
        src = Source(mirrors / kw.root)
        by_key = _keyword_files(src, kw.folder)
        for (speaker, label), files in sorted(by_key.items()):
            per = dict(kw.labels).get(label, 0)
            part = _part(f"{kw.key}:{speaker}")
            for f in _spread(files, per):
                name = f"ko/{kw.prefix}/{speaker}/{Path(f).name}"
                target = out / part / name
                target.parent.mkdir(parents=True, exist_ok=True)
                write_wav(target, _audio(src.read(f), f))
                rows[part].append((name, "ko", "none", kw.group))

    for name, expected, group in _korean_keywords_tune_rest(mirrors, out):
        rows["tune"].append((name, "ko", expected, group))

    counts = {}
    for part, items in rows.items():
        with (out / part / "labels.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["file", "language", "expected", "group"])
            w.writerows(items)
        counts[part] = len(items)
    return counts


def _keyword_files(src: Source, folder: str) -> dict[tuple[str, str], list[str]]:
    """The keyword recordings under ``folder`` (``.../SPEAKER/LABEL/FILE.wav``), by (speaker,
    label): one listing for the split and for the tune speakers' remaining recordings."""
    by_key: dict[tuple[str, str], list[str]] = {}
    for f in src.list(folder):
        parts = Path(f).parts
        if f.endswith(".wav") and len(parts) >= 3:
            by_key.setdefault((parts[-3], parts[-2]), []).append(f)
    return by_key


def _korean_keywords_tune_rest(mirrors: Path, out: Path) -> list[tuple[str, str, str]]:
    """Writes the tune speakers' recordings of ``KOREAN_KEYWORDS`` that it did not take (the
    labels it keeps, all files) under their own prefix; returns (name, expected, group)."""
    rows: list[tuple[str, str, str]] = []
    for kw in KOREAN_KEYWORDS:
        prefix = KOREAN_KEYWORDS_TUNE_REST.get(kw.root)
        if prefix is None or not (mirrors / kw.root).is_dir():
            continue
        src = Source(mirrors / kw.root)
        by_key = _keyword_files(src, kw.folder)
        for (speaker, label), files in sorted(by_key.items()):
            per = dict(kw.labels).get(label, 0)
            if not per or _part(f"{kw.key}:{speaker}") != "tune":
                continue
            taken = set(_spread(files, per))
            for f in sorted(set(files) - taken):
                name = f"ko/{prefix}/{speaker}/{label}/{Path(f).name}"
                target = out / "tune" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                write_wav(target, _audio(src.read(f), f))
                rows.append((name, "none", kw.group))
    return rows


def _spread(files: list[str], n: int) -> list[str]:
    """``n`` of ``files`` spread over the sorted list (not the first ``n``)."""
    files = sorted(files)
    return files[:: max(1, len(files) // n)][:n] if n else []


def _digest(audio: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(audio, dtype="<i2").tobytes()).hexdigest()


def _held_out(out: Path) -> tuple[set[str], set[str]]:
    """The Speech Commands speakers of the tune and score parts and the audio digests of
    every tune and score clip: the train part shares neither."""
    speakers: set[str] = set()
    digests: set[str] = set()
    for part in ("tune", "score"):
        labels = out / part / "labels.csv"
        if not labels.is_file():
            raise SystemExit(f"{labels} is missing: build the tune and score parts first")
        with labels.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                name = Path(row["file"]).name
                if "_nohash_" in name:
                    speakers.add(_sc_speaker(name))
                data, _rate = sf.read(out / part / row["file"], dtype="int16")
                digests.add(_digest(np.asarray(data)))
    return speakers, digests


def _sc_speaker(name: str) -> str:
    """``[word_]SPEAKER_nohash_N.wav`` -> SPEAKER."""
    return name.split("_nohash_")[0].split("_")[-1]


def _mulaw(blob: bytes) -> np.ndarray:
    """Headerless G.711 mu-law bytes -> float samples in [-1, 1]."""
    u = ~np.frombuffer(blob, dtype=np.uint8)
    sign = np.where(u & 0x80, -1.0, 1.0)
    exponent = (u >> 4) & 0x07
    mantissa = (u & 0x0F).astype(np.int32)
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return sign * magnitude / 32768.0


def wuw_words(src: Source) -> list[tuple[str, np.ndarray]]:
    """Wake-Up-Word Corpus II: callers (about 300 sessions, one speaker each; native and
    non-native, landline, cell and speaker phones) saying each of five wake words alone
    (utterances 001-005). Only those whose transcription is the word and nothing else
    (noise marks aside); ``WUW_PER_SESSION`` of them per session, a different pair from
    session to session so every word is used. The names (utterance 000) and the sentences
    (006-010) are left out. 8 kHz mu-law, resampled to 16 kHz."""
    import re

    out: list[tuple[str, np.ndarray]] = []
    table = src.read(TRAIN_WUW[1]).decode("latin-1")
    by_session: dict[str, list[tuple[str, str]]] = {}
    for line in table.splitlines():
        cols = line.split("|")
        if line.startswith("#") or len(cols) < 11 or not re.fullmatch(r"00[1-5]", cols[6]):
            continue
        said = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", cols[10]).split()
        word = WUW_WORDS[int(cols[6]) - 1]
        if [w.lower() for w in said] == [word.lower()]:
            by_session.setdefault(cols[5], []).append((cols[6], cols[7]))
    for n, (session, files) in enumerate(sorted(by_session.items())):
        files.sort()
        start = n % len(files)
        for _utt, name in (files[start:] + files[:start])[:WUW_PER_SESSION]:
            path = f"calls/{session}/{name}"
            try:
                blob = src.read(path)
            except subprocess.CalledProcessError:
                continue
            audio = to_int16_mono_16k(_mulaw(blob), 8000)
            out.append((Path(name).with_suffix(".wav").name, audio))
    return out


def build_train(mirrors: Path, out: Path, wuw: bool = False) -> int:
    """The train part: real English single words (yes, no, stop and others) and a few read
    sentences from repositories the tune and score parts do not use (docs/voice.md). With
    ``wuw`` also the Wake-Up-Word Corpus II's words (session 10: measured, not in the shipped
    verifier's recipe, so off by default and added after every other file)."""
    speakers, digests = _held_out(out)
    rows: list[tuple[str, str, str, str]] = []
    skipped = {"speaker": 0, "same audio": 0}

    def add(src: Source, path: str, name: str, expected: str, group: str) -> None:
        add_audio(_audio(src.read(path), path), name, expected, group)

    def add_audio(audio: np.ndarray, name: str, expected: str, group: str) -> None:
        if _digest(audio) in digests:
            skipped["same audio"] += 1
            return
        digests.add(_digest(audio))
        target = out / "train" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_wav(target, audio)
        rows.append((name, "en", expected, group))

    def source(spec: tuple[str, str]) -> Source | None:
        if (mirrors / spec[0]).is_dir():
            return Source(mirrors / spec[0])
        print(f"skipped {spec[0]}: no {mirrors / spec[0]}")
        return None

    # The rest of the Speech Commands test files: speakers in neither tune nor score.
    if src := source(SPEECH_COMMANDS):
        test_words: dict[str, list[str]] = {}
        for f in src.list(SPEECH_COMMANDS[1]):
            if f.endswith(".wav") and "_nohash_" in f:
                test_words.setdefault(Path(f).parent.name, []).append(f)
        for word, files in sorted(test_words.items()):
            kept = [f for f in files if _sc_speaker(Path(f).name) not in speakers]
            skipped["speaker"] += len(files) - len(kept)
            expected = COMMAND_WORDS.get(word, "none")
            group = "control word" if word in COMMAND_WORDS else "other word"
            for f in _spread(kept, TRAIN_PER_WORD.get(word, TRAIN_PER_OTHER)):
                add(src, f, f"sc/{word}/{Path(f).name}", expected, group)
    # Speech Commands training files (nine, right, zero), other speakers.
    if src := source(TRAIN_SC):
        for f in src.list(TRAIN_SC[1]):
            if not f.endswith(".wav"):
                continue
            word, name = Path(f).parent.name, Path(f).name
            if _sc_speaker(name) in speakers:
                skipped["speaker"] += 1
                continue
            add(src, f, f"sc2/{word}/{name}", "none", "other word")
    # A signal-processing course's yes and no recordings (the "good" ones).
    if src := source(TRAIN_YESNO):
        for f in src.list(TRAIN_YESNO[1]):
            folder = Path(f).parent.name
            if folder in ("GoodYes", "GoodNo") and f.endswith(".wav"):
                expected = "yes" if folder == "GoodYes" else "no"
                add(src, f, f"dsp/{expected}/{Path(f).name}", expected, "control word")
    # One speaker's robot commands: stop, digits, directions, and "none".
    if src := source(TRAIN_ROS):
        by_word: dict[str, list[str]] = {}
        for f in src.list(TRAIN_ROS[1]):
            if f.endswith(".wav"):
                by_word.setdefault(Path(f).parent.name, []).append(f)
        for word, files in sorted(by_word.items()):
            expected = COMMAND_WORDS.get(word, "none")
            group = "control word" if word in COMMAND_WORDS else "other word"
            for f in _spread(files, ROS_PER_WORD.get(word, ROS_PER_OTHER)):
                add(src, f, f"ros/{word}/{Path(f).name}", expected, group)
    # Free Spoken Digit Dataset: six speakers saying digits.
    if src := source(TRAIN_FSDD):
        by_key: dict[str, list[str]] = {}
        for f in src.list(TRAIN_FSDD[1]):
            if f.endswith(".wav"):
                digit, speaker = Path(f).stem.split("_")[:2]
                by_key.setdefault(f"{digit}_{speaker}", []).append(f)
        for _key, files in sorted(by_key.items()):
            for f in _spread(files, FSDD_PER_DIGIT):
                add(src, f, f"fsdd/{Path(f).name}", "none", "other word")
    # VoxForge read sentences, five English speakers.
    if src := source(TRAIN_VOXFORGE):
        for f in src.list(TRAIN_VOXFORGE[1]):
            if f.endswith(".wav"):
                speaker = Path(f).parts[-3]
                add(src, f, f"voxforge/{speaker}/{Path(f).name}", "none", "talk")

    if wuw and (src := source(TRAIN_WUW)):
        for name, audio in wuw_words(src):
            add_audio(audio, f"wuw/{name}", "none", "other word")

    with (out / "train" / "labels.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "language", "expected", "group"])
        w.writerows(rows)
    print(
        f"train part: left out {skipped['speaker']} clips of tune/score speakers and "
        f"{skipped['same audio']} with the audio of a tune or score clip"
    )
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--out", type=Path, default=Path("/work/data/voice"))
    ap.add_argument(
        "--parts", choices=("all", "train"), default="all", help="train: only the train part"
    )
    ap.add_argument(
        "--wuw",
        action="store_true",
        help="add the Wake-Up-Word Corpus II's words to the train part (docs/voice.md, session 10)",
    )
    args = ap.parse_args()
    if args.parts == "all":
        counts = build(args.mirrors, args.out)
        print(f"wrote {counts} clips under {args.out}/{{tune,score}} with labels.csv")
    n = build_train(args.mirrors, args.out, wuw=args.wuw)
    print(f"wrote {n} clips under {args.out}/train with labels.csv")


if __name__ == "__main__":
    main()
