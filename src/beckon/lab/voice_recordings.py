"""``beckon bench voice --recordings DIR``: the voice path on a folder of labelled recordings.

Synthetic speech says little about what must be *rejected*: people talk, cough and say single
words that are not requests. This scores real recordings, such as a hospital's own consented
recordings or the development set of public recordings (scripts/make_voice_devset.py).

The folder holds WAV files (any rate, mono or stereo; resampled to 16 kHz mono) and a
``labels.csv`` (UTF-8, with a header line)::

    file,language,expected,group
    yes/0001.wav,en,yes,control word
    talk/ward-round.wav,en,none,talk
    ko/물.wav,ko,water,request

``file`` is relative to the folder; ``language`` a catalog language; ``expected`` the intent
code the recording must give (a request such as ``water``, or ``yes``/``no``/``cancel``), or
``none`` (or empty) when it must give no intent at all; ``group`` is optional free text that
gets its own line of figures (for example "talk" and "other word"). A file counts as the
first intent any utterance in it gives, as ``beckon transcribe`` reports it.
"""

from __future__ import annotations

import csv
import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beckon.errors import BeckonError
from beckon.voice.audio import read_wav
from beckon.voice.catalog import CONTROL_CODES, OPPOSITE_ANSWERS, Catalog, load_catalog

log = logging.getLogger(__name__)

OPPOSITE = OPPOSITE_ANSWERS


@dataclass(frozen=True)
class Labelled:
    """One line of labels.csv."""

    path: Path
    language: str
    expected: str | None
    group: str


def load_labels(folder: Path, catalog: Catalog | None = None) -> list[Labelled]:
    """Read ``folder/labels.csv``; every problem is named with its line."""
    catalog = catalog or load_catalog()
    labels = folder / "labels.csv"
    if not labels.is_file():
        raise BeckonError(
            f"{labels} does not exist",
            "write a labels.csv with the columns file,language,expected[,group] (docs/voice.md)",
        )
    codes = set(catalog.intents)
    out: list[Labelled] = []
    with labels.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"file", "language", "expected"} - set(reader.fieldnames or ())
        if missing:
            raise BeckonError(
                f"{labels}: the header lacks {', '.join(sorted(missing))}",
                "the first line must be file,language,expected[,group]",
            )
        for n, row in enumerate(reader, start=2):
            path = folder / (row["file"] or "").strip()
            lang = (row["language"] or "").strip()
            expected = (row["expected"] or "").strip() or None
            if expected == "none":
                expected = None
            if not path.is_file():
                raise BeckonError(f"{labels}:{n}: {path} does not exist")
            if lang not in catalog.languages:
                raise BeckonError(
                    f"{labels}:{n}: language {lang!r} is not in the catalog",
                    f"use one of {', '.join(catalog.languages)}",
                )
            if expected is not None and expected not in codes:
                raise BeckonError(
                    f"{labels}:{n}: {expected!r} is not an intent of the catalog",
                    "write an intent code, yes, no, cancel or none",
                )
            group = (row.get("group") or "").strip() or _default_group(expected)
            out.append(Labelled(path, lang, expected, group))
    return out


def _default_group(expected: str | None) -> str:
    if expected is None:
        return "other"
    return "control word" if expected in CONTROL_CODES else "request"


@dataclass
class Tally:
    """Counts for one language (and one group)."""

    n: int = 0
    right: int = 0
    wrong: int = 0
    opposite: int = 0
    accepted_control: int = 0
    accepted_request: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)


def _run(
    pipeline: Any, items: list[Labelled], progress: Callable[[str], None] | None
) -> tuple[list[dict[str, Any]], list[float]]:
    rows: list[dict[str, Any]] = []
    latencies: list[float] = []
    for item in items:
        events = pipeline.run(read_wav(item.path))
        hit = next((e for e in events if e.intent), None)
        if hit is not None:
            latencies.append(max(0.0, hit.t - hit.speech_end) + hit.decode_s)
        rows.append(
            {
                "file": str(item.path),
                "expected": item.expected,
                "got": hit.intent if hit else None,
                "heard": " | ".join(e.text for e in events),
                "group": item.group,
                "mode": pipeline.mode,
            }
        )
        if progress:
            progress(f"{pipeline.mode} {item.path.name}: {rows[-1]['got']} ({rows[-1]['heard']})")
    return rows, latencies


def score_language(
    items: list[Labelled],
    language: str,
    engine: str = "auto",
    model_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run one language's recordings through the voice path; returns the figures.

    Every recording is heard in the open mode (the whole catalog). The recordings that are
    yes, no, cancel or nothing are heard a second time in the answer mode, the situation in
    which those words are said: after a spoken proposal or a nurse's question.
    """
    from beckon.voice.recognizer import build_pipeline

    catalog = load_catalog()
    pipeline = build_pipeline(language, catalog, model_dir, engine=engine)
    rows, latencies = _run(pipeline, items, progress)
    pipeline.set_mode("answer")
    answerable = [i for i in items if i.expected is None or i.expected in CONTROL_CODES]
    answer_rows, answer_latencies = _run(pipeline, answerable, progress)
    pipeline.set_mode("open")
    return {
        "language": language,
        "engine": pipeline.engine.model,
        "clips": len(rows),
        "table": summarize(rows, catalog),
        "answer_table": summarize(answer_rows, catalog),
        "latency_ms_median": _median_ms(latencies),
        "answer_latency_ms_median": _median_ms(answer_latencies),
        "errors": [r for r in rows + answer_rows if r["got"] != r["expected"]],
    }


def _median_ms(latencies: list[float]) -> float | None:
    return round(1000 * statistics.median(latencies), 1) if latencies else None


def summarize(rows: list[dict[str, Any]], catalog: Catalog) -> list[dict[str, Any]]:
    """Lines of figures: requests, yes/no/cancel, then false accepts per group."""
    controls = {c for c, i in catalog.intents.items() if i.kind == "control"}
    out: list[dict[str, Any]] = []

    def line(name: str, sel: list[dict[str, Any]], positive: bool) -> None:
        if not sel:
            return
        if positive:
            ok = sum(r["got"] == r["expected"] for r in sel)
            wrong = sum(r["got"] not in (None, r["expected"]) for r in sel)
            opposite = sum(r["got"] in OPPOSITE.get(r["expected"], ()) for r in sel)
            out.append(
                {
                    "set": name,
                    "n": len(sel),
                    "correct": ok,
                    "accuracy": round(ok / len(sel), 4),
                    "wrong_intent": wrong,
                    "opposite": opposite,
                }
            )
        else:
            req = sum(r["got"] is not None and r["got"] not in controls for r in sel)
            ctl = sum(r["got"] in controls for r in sel)
            out.append(
                {
                    "set": name,
                    "n": len(sel),
                    "false_requests": req,
                    "false_request_rate": round(req / len(sel), 4),
                    "false_controls": ctl,
                    "false_control_rate": round(ctl / len(sel), 4),
                }
            )

    line("requests", [r for r in rows if r["expected"] and r["expected"] not in controls], True)
    for code in CONTROL_CODES:
        line(f"{code}", [r for r in rows if r["expected"] == code], True)
    negatives = [r for r in rows if r["expected"] is None]
    for group in sorted({r["group"] for r in negatives}):
        line(f"none: {group}", [r for r in negatives if r["group"] == group], False)
    line("none: all", negatives, False)
    return out


def bench_recordings(
    folder: Path,
    languages: list[str] | None = None,
    engine: str = "auto",
    model_dir: Path | None = None,
) -> list[dict[str, Any]]:
    """Score every language present in ``folder`` (one voice path loaded at a time)."""
    items = load_labels(folder)
    present = sorted({i.language for i in items})
    results = []
    for lang in present:
        if languages and lang not in languages:
            continue
        began = time.perf_counter()
        chosen = [i for i in items if i.language == lang]
        result = score_language(chosen, lang, engine, model_dir)
        result["seconds"] = round(time.perf_counter() - began, 1)
        results.append(result)
    return results


def _format_row(row: dict[str, Any]) -> str:
    if "accuracy" in row:
        res = (
            f"right {row['correct']} ({100 * row['accuracy']:.1f}%), wrong intent "
            f"{row['wrong_intent']}, the opposite answer {row['opposite']}"
        )
    else:
        res = (
            f"false requests {row['false_requests']} "
            f"({100 * row['false_request_rate']:.1f}%), false yes/no/cancel "
            f"{row['false_controls']} ({100 * row['false_control_rate']:.1f}%)"
        )
    return f"   {row['set']:<18} {row['n']:>4}  {res}"


def format_recordings(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        lines.append(f"== {r['language']}: {r['engine']} ({r['clips']} recordings)")
        lines.append("   open mode (the whole catalog)")
        lines.extend(_format_row(row) for row in r["table"])
        lines.append(f"   latency end of speech -> intent: median {r['latency_ms_median']} ms")
        if r.get("answer_table"):
            lines.append("   answer mode (yes/no/cancel expected: after a proposal or a question)")
            lines.extend(_format_row(row) for row in r["answer_table"])
            lines.append(
                f"   latency end of speech -> intent: median {r['answer_latency_ms_median']} ms"
            )
    return "\n".join(lines)
