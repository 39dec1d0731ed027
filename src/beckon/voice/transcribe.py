"""``beckon transcribe FILE... --json``: the voice path on sound files.

One JSON line per file: {"file", "text", "intent", "score", "lang"}. These field names are a
public contract (scripts and the bench compare against them). A file with several utterances
reports the first one that gave an intent, else the last one heard; ``text`` is "" and
``intent`` null when nothing was said.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from beckon.voice.audio import read_wav
from beckon.voice.recognizer import VoicePipeline


def transcribe_file(pipeline: VoicePipeline, path: Path) -> dict[str, Any]:
    events = pipeline.run(read_wav(path))
    chosen = next((e for e in events if e.intent), events[-1] if events else None)
    return {
        "file": str(path),
        "text": chosen.text if chosen else "",
        "intent": chosen.intent if chosen else None,
        "score": chosen.score if chosen else 0.0,
        "lang": pipeline.language,
    }


def transcribe(pipeline: VoicePipeline, files: Iterable[Path], out: TextIO) -> int:
    """Write one JSON line per file; returns how many files gave an intent."""
    found = 0
    for path in files:
        row = transcribe_file(pipeline, path)
        found += row["intent"] is not None
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        out.flush()
    return found
