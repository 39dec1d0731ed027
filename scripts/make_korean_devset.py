#!/usr/bin/env python3
"""Build the Korean out-of-sample development part under /work/data/vko8 (never in git).

The tune and score parts of ``make_voice_devset.py`` hold few Korean voices, so rules fitted on
the tune speakers may not hold for others (docs/journal/voice.md, section "vko8"). This part is for
checking a Korean rule on speakers neither part has, before the lead's score run: real people
saying what a patient says to a doctor ("열이 안 멈춰요", "기침 가래가 심합니다"), none of it a
request to the nurse's catalog. Every file must give no intent.

    .venv/bin/python scripts/make_korean_devset.py --out /work/data/vko8/kodev

Writes 16 kHz mono WAV files with a ``labels.csv`` in the format of ``beckon bench voice
--recordings`` (file,language,expected,group) and a ``transcripts.csv`` (file,speaker,text)
saying what each file's speaker reads (empty when the source does not say), for looking at a
false request. An utterance of at most ``SHORT_WORDS`` words is a ``short phrase``, a longer
one ``talk``.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

SHORT_WORDS = 3
SHORT_SPEECH_S = 2.0


def _devset() -> ModuleType:
    """``make_voice_devset`` (its ``Source`` and audio reading), imported from beside this file."""
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    return importlib.import_module("make_voice_devset")


@dataclass(frozen=True)
class TranscribedCorpus:
    """WAV files read from a script, some with a ``.txt`` of the same name holding the line.

    ``name`` is a regular expression on the file name whose two groups are the speaker and the
    script line: every speaker reading the same line (in the same folder) gets that line's text,
    since only some files come with their ``.txt``. A file whose line has no text anywhere is
    grouped by its length instead (``group_of_speech``).
    """

    root: str
    folder: str
    prefix: str
    name: str


SOURCES = (
    # AI Hub's medical speech data (2023 Korean AI competition, non-face-to-face care): 13
    # speakers (PA_0016, ...), men and women of several ages, reading a patient's lines about
    # a cold, the eyes or the stomach, one line a file, 48 kHz.
    TranscribedCorpus(
        "KimDong-gue+Healthy_Care", "Dataset/Voice_Data", "healthy_care", r"PA_(\d+)-(\d+)-"
    ),
)


def group_of(text: str) -> str:
    """``short phrase`` for an utterance of at most ``SHORT_WORDS`` words, else ``talk``."""
    words = re.sub(r"[^\w\s]", " ", text).split()
    return "short phrase" if len(words) <= SHORT_WORDS else "talk"


def group_of_speech(seconds: float) -> str:
    """The group of a file without text, from its seconds of speech: the transcribed lines of
    at most ``SHORT_WORDS`` words had 1.2 to 2.7 s (median 1.6), the longer ones 2.1 s and
    more, so ``SHORT_SPEECH_S`` splits them about where the two meet."""
    return "short phrase" if seconds <= SHORT_SPEECH_S else "talk"


def build(mirrors: Path, out: Path) -> int:
    """Write every source found under ``mirrors``; returns the number of files written."""
    devset = _devset()
    labels: list[tuple[str, str, str, str]] = []
    texts: list[tuple[str, str, str]] = []
    for corpus in SOURCES:
        if not (mirrors / corpus.root).is_dir():
            print(f"skipped {corpus.root}: not under {mirrors}")
            continue
        src = devset.Source(mirrors / corpus.root)
        files = src.list(corpus.folder)
        lines: dict[tuple[str, str], str] = {}
        for path in files:
            match = re.search(corpus.name, Path(path).name)
            if path.endswith(".txt") and match:
                text = " ".join(src.read(path).decode("utf-8-sig").split())
                lines[(str(Path(path).parent), match.group(2))] = text
        for path in sorted(f for f in files if f.endswith(".wav")):
            match = re.search(corpus.name, Path(path).name)
            speaker, line = match.groups() if match else ("", "")
            text = lines.get((str(Path(path).parent), line), "")
            audio = devset._audio(src.read(path), path)
            if text:
                group = group_of(text)
            else:
                spans = devset.utterances(audio)
                group = group_of_speech(sum(b - a for a, b in spans) / 16000)
            name = f"{corpus.prefix}/{Path(path).parent.name}/{Path(path).name}"
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            devset.write_wav(target, audio)
            labels.append((name, "ko", "none", group))
            texts.append((name, speaker, text))
    out.mkdir(parents=True, exist_ok=True)
    with (out / "labels.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("file", "language", "expected", "group"))
        writer.writerows(labels)
    with (out / "transcripts.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("file", "speaker", "text"))
        writer.writerows(texts)
    return len(labels)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--out", type=Path, default=Path("/work/data/vko8/kodev"))
    args = ap.parse_args()
    n = build(args.mirrors, args.out)
    print(f"wrote {n} clips under {args.out} with labels.csv and transcripts.csv")


if __name__ == "__main__":
    main()
