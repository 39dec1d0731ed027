"""``beckon bench voice``: intent accuracy, false accepts, latency, speed and memory.

Speech is generated with espeak-ng (several voices and speeds) and, for English, a neural
Piper voice (``NEURAL_VOICES``; its figures are a table of their own, so the espeak-ng table
stays comparable with earlier runs) for the catalog's phrasings,
for paraphrases that are not in the templates, and for ordinary talk that must give no
intent; it is mixed with ward-like noise at 20, 10 and 5 dB SNR. Each language runs in its
own process so that the peak memory reported is that of one voice path (its model, the VAD
and the audio of the benchmark).

Latency is measured from the end of the speech in the clip to the intent: the VAD's
hang-over in stream time plus the wall time to finish decoding and matching. Chunks before
the end are decoded while the patient speaks, in real time when the real-time factor is
below one.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
import multiprocessing
import resource
import statistics
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from beckon.lab.voice_synth import PIPER, Voice, make_clip, speak, ward_noise
from beckon.voice.catalog import CONTROL_CODES, OPPOSITE_ANSWERS, Catalog, load_catalog

log = logging.getLogger(__name__)

CONDITIONS: tuple[float | None, ...] = (None, 20.0, 10.0, 5.0)

VOICES: dict[str, tuple[Voice, ...]] = {
    "en": (
        Voice("en-us", 150),
        Voice("en-us+f3", 130, 60),
        Voice("en-gb+m3", 175, 40),
        Voice("en-us+f2", 165, 55),
    ),
    "ko": (
        Voice("ko", 150),
        Voice("ko+f3", 135, 60),
        Voice("ko+m3", 170, 40),
    ),
}

# Natural-sounding speakers, where a package brings one (Piper's "joe", US English).
NEURAL_VOICES: dict[str, tuple[Voice, ...]] = {
    "en": (Voice("piper:joe", 150), Voice("piper:joe", 180)),
}

# Paraphrases: requests worded in ways the catalog does not list (expected intent given).
PARAPHRASES: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("could you call the nurse", "nurse"),
        ("nurse please come", "nurse"),
        ("i would like some water", "water"),
        ("water water", "water"),
        ("my leg hurts", "pain"),
        ("it hurts a lot", "pain"),
        ("i need the toilet now", "toilet"),
        ("please turn me", "reposition"),
        ("i am freezing", "cold"),
        ("too hot", "hot"),
        ("lights off now", "lights"),
        ("yes yes", "yes"),
        ("no no", "no"),
    ),
    "ko": (
        ("물 좀 주세요", "water"),
        ("간호사 선생님", "nurse"),
        ("너무 추워", "cold"),
        ("화장실 가고 싶어요", "toilet"),
        ("네 네", "yes"),
        ("불 좀 꺼 주세요", "lights"),
    ),
}

# Ordinary talk at the bedside: none of it may become a request.
NEGATIVES: dict[str, tuple[str, ...]] = {
    "en": (
        "what time is dinner",
        "how are you today",
        "the weather is nice",
        "my family is coming tomorrow",
        "did you watch the game last night",
        "i talked to my daughter this morning",
        "the doctor said i can go home soon",
        "can you read me the news",
        "that was a good story",
        "i used to work on the railway",
        "thank you very much",
        "good morning",
        "what day is it today",
        "i had a strange dream",
        "my son lives in another city",
        "the food here is not bad",
    ),
    "ko": (
        "오늘 날씨가 좋네요",
        "밥 먹었어요",
        "가족이 내일 와요",
        "어제 딸하고 전화했어요",
        "텔레비전 보고 싶어요",
        "지금 몇 시예요",
        "감사합니다",
        "안녕하세요",
        "그 이야기 정말 재미있었어요",
        "아침에 신문을 읽었어요",
        "우리 아들은 서울에 살아요",
        "병원 음식이 괜찮아요",
    ),
}

# Far-off talk mixed into the ward noise.
BABBLE: dict[str, str] = {
    "en": "the patient in bed four had a good night and the family will visit after lunch",
    "ko": "사 번 침대 환자는 밤에 잘 잤고 가족은 점심 후에 올 거예요",
}


@dataclass(frozen=True)
class Item:
    text: str
    expected: str | None
    kind: str  # "catalog", "paraphrase" or "negative"


def catalog_items(catalog: Catalog, language: str, per_intent: int = 3) -> list[Item]:
    """The first sentence of each template, up to ``per_intent`` per intent."""
    items: list[Item] = []
    from beckon.voice.catalog import expand

    for intent in catalog.intents.values():
        chosen: list[str] = []
        for template in intent.templates[language]:
            first = expand(template)[0]
            if first not in chosen:
                chosen.append(first)
            if len(chosen) >= per_intent:
                break
        items.extend(Item(s, intent.code, "catalog") for s in chosen)
    return items


def items_for(catalog: Catalog, language: str, quick: bool) -> list[Item]:
    items = catalog_items(catalog, language, 2 if quick else 3)
    paras = PARAPHRASES.get(language, ())
    negs = NEGATIVES.get(language, ())
    if quick:
        paras, negs = paras[:4], negs[:6]
    items += [Item(t, i, "paraphrase") for t, i in paras]
    items += [Item(t, None, "negative") for t in negs]
    return items


def _pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) if xs else float("nan")


def bench_language(
    language: str,
    engine: str = "auto",
    quick: bool = False,
    model_dir: str | None = None,
    clean_only: bool = False,
) -> dict[str, Any]:
    """Run the benchmark for one language in this process; returns the figures.

    ``clean_only`` skips the noise levels (a quarter of the work, for a shared machine).
    """
    conditions = CONDITIONS[:1] if clean_only else CONDITIONS
    from pathlib import Path

    from beckon.voice.recognizer import build_pipeline

    catalog = load_catalog()
    t0 = time.perf_counter()
    pipeline = build_pipeline(
        language, catalog, Path(model_dir) if model_dir else None, engine=engine
    )
    load_s = time.perf_counter() - t0
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    voices = VOICES.get(language) or (Voice(language, 150),)
    if quick:
        voices = voices[:2]
    babble_voice = voices[0]
    voices = voices + NEURAL_VOICES.get(language, ())[: 1 if quick else None]
    babble = speak(BABBLE.get(language, ""), babble_voice).astype(np.float64) / 32768.0
    items = items_for(catalog, language, quick)

    rows: list[dict[str, Any]] = []
    latencies: list[float] = []
    audio_s = 0.0
    compute_s = 0.0
    pairs = [(item, voice) for item in items for voice in voices]
    # Each noise level is one stretch of listening, as in a ward whose noise changes slowly:
    # jumping between clean speech and 5 dB noise at every clip would keep PocketSphinx's
    # live cepstral normalisation tuned to the wrong room.
    # The answers (yes, no, cancel) and the talk are heard a second time in the answer mode,
    # as after a spoken proposal: that is where those words are said. The open mode's table
    # stays comparable with earlier runs.
    for s_index, snr in enumerate(conditions):
        for p_index, (item, voice) in enumerate(pairs):
            speech = speak(item.text, voice)
            seed = p_index * len(CONDITIONS) + s_index + 1
            noise = None
            if snr is not None:
                noise = ward_noise(len(speech) / 16000 + 2.0, seed, babble)
            clip = make_clip(speech, snr, noise)
            answerable = item.expected is None or item.expected in CONTROL_CODES
            for mode in ("open", "answer") if answerable else ("open",):
                pipeline.set_mode(mode)
                began = time.perf_counter()
                events = pipeline.run(clip.samples)
                compute_s += time.perf_counter() - began
                audio_s += len(clip.samples) / 16000
                intents = [e.intent for e in events if e.intent]
                got = intents[0] if intents else None
                ends = [e for e in events if e.speech_end >= clip.speech_start]
                if ends and mode == "open":
                    last = ends[0] if got is None else next(e for e in events if e.intent)
                    latencies.append(max(0.0, last.t - clip.speech_end) + last.decode_s)
                rows.append(
                    {
                        "text": item.text,
                        "kind": item.kind,
                        "expected": item.expected,
                        "got": got,
                        "heard": " | ".join(e.text for e in events),
                        "voice": voice.label,
                        "snr": "clean" if snr is None else f"{snr:g} dB",
                        "mode": mode,
                    }
                )
        pipeline.set_mode("open")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    opened = [r for r in rows if r["mode"] == "open"]
    return {
        "language": language,
        "engine": pipeline.engine.model,
        "note": pipeline.engine.note,
        "missing_words": list(pipeline.engine.report.missing),
        "load_s": round(load_s, 2),
        "rss_after_load_mb": round(rss_loaded, 1),
        "peak_rss_mb": round(peak, 1),
        "rtf": round(compute_s / audio_s, 4) if audio_s else None,
        "latency_ms_median": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "latency_ms_p95": round(1000 * _pct(latencies, 95), 1) if latencies else None,
        "table": summarize([r for r in opened if not r["voice"].startswith(PIPER)]),
        "neural_table": summarize([r for r in opened if r["voice"].startswith(PIPER)]),
        "answer_table": summarize_answers(rows),
        "errors": [r for r in rows if r["got"] != r["expected"]],
        "clips": len(rows),
    }


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per SNR and kind: accuracy (positives), wrong intents, and false accepts (negatives)."""
    out = []
    for snr in ["clean", *(f"{c:g} dB" for c in CONDITIONS if c is not None)]:
        for kind in ("catalog", "paraphrase", "negative"):
            sel = [r for r in rows if r["snr"] == snr and r["kind"] == kind]
            if not sel:
                continue
            if kind == "negative":
                fa = sum(r["got"] is not None for r in sel)
                out.append(
                    {
                        "snr": snr,
                        "kind": kind,
                        "n": len(sel),
                        "false_accepts": fa,
                        "false_accept_rate": round(fa / len(sel), 4),
                    }
                )
            else:
                ok = sum(r["got"] == r["expected"] for r in sel)
                wrong = sum(r["got"] not in (None, r["expected"]) for r in sel)
                out.append(
                    {
                        "snr": snr,
                        "kind": kind,
                        "n": len(sel),
                        "correct": ok,
                        "accuracy": round(ok / len(sel), 4),
                        "wrong_intent": wrong,
                    }
                )
    return out


def summarize_answers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Yes, no and cancel (and talk), the open mode next to the answer mode, per SNR and voice
    family (espeak-ng or Piper), with how often the opposite answer came out."""
    out = []
    answerable = [r for r in rows if r["expected"] is None or r["expected"] in CONTROL_CODES]
    for snr, family, mode in itertools.product(
        ["clean", *(f"{c:g} dB" for c in CONDITIONS if c is not None)],
        ("espeak-ng", "piper"),
        ("open", "answer"),
    ):
        sel = [
            r
            for r in answerable
            if r["snr"] == snr
            and r["mode"] == mode
            and r["voice"].startswith(PIPER) == (family == "piper")
        ]
        answers = [r for r in sel if r["expected"] is not None]
        talk = [r for r in sel if r["expected"] is None]
        if not sel:
            continue
        ok = sum(r["got"] == r["expected"] for r in answers)
        opposite = sum(r["got"] in OPPOSITE_ANSWERS.get(r["expected"], ()) for r in answers)
        fa = sum(r["got"] is not None for r in talk)
        out.append(
            {
                "snr": snr,
                "voices": family,
                "mode": mode,
                "n_answers": len(answers),
                "correct": ok,
                "accuracy": round(ok / len(answers), 4) if answers else None,
                "opposite": opposite,
                "n_talk": len(talk),
                "false_accepts": fa,
            }
        )
    return out


def _child(
    language: str, engine: str, quick: bool, model_dir: str | None, clean_only: bool
) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    return bench_language(language, engine, quick, model_dir, clean_only)


def bench_voice(
    languages: list[str],
    engine: str = "auto",
    quick: bool = False,
    model_dir: str | None = None,
    clean_only: bool = False,
) -> list[dict[str, Any]]:
    """One fresh process per language, so each peak memory belongs to one model."""
    ctx = multiprocessing.get_context("spawn")
    results = []
    for lang in languages:
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
            results.append(pool.submit(_child, lang, engine, quick, model_dir, clean_only).result())
    return results


def _result(row: dict[str, Any]) -> str:
    if row["kind"] == "negative":
        return f"false accepts {row['false_accepts']} ({100 * row['false_accept_rate']:.1f}%)"
    return f"accuracy {100 * row['accuracy']:.1f}% (wrong intent {row['wrong_intent']})"


def format_report(results: list[dict[str, Any]]) -> str:
    """The figures as text for people."""
    lines = []
    for r in results:
        lines.append(f"== {r['language']}: {r['engine']} ({r['clips']} clips)")
        if r["note"]:
            lines.append(f"   note: {r['note']}")
        if r["missing_words"]:
            lines.append(f"   words missing from the model: {', '.join(r['missing_words'])}")
        for title, key in (("espeak-ng", "table"), ("neural voices (Piper)", "neural_table")):
            if not r.get(key):
                continue
            lines.append(f"   {title}")
            lines.append(f"   {'SNR':<7} {'set':<11} {'n':>4}  result")
            for row in r[key]:
                lines.append(f"   {row['snr']:<7} {row['kind']:<11} {row['n']:>4}  {_result(row)}")
        if r.get("answer_table"):
            lines.append("   yes/no/cancel: open mode, and answer mode (as after a proposal)")
            for row in r["answer_table"]:
                acc = "-" if row["accuracy"] is None else f"{100 * row['accuracy']:.1f}%"
                lines.append(
                    f"   {row['snr']:<7} {row['voices']:<10} {row['mode']:<6} "
                    f"yes/no/cancel {row['n_answers']:>3}"
                    f"  right {acc}, the opposite answer {row['opposite']}; talk "
                    f"{row['n_talk']:>3}  false accepts {row['false_accepts']}"
                )
        lines.append(
            f"   latency end of speech -> intent: median {r['latency_ms_median']} ms, "
            f"p95 {r['latency_ms_p95']} ms"
        )
        lines.append(f"   real-time factor {r['rtf']}; model load {r['load_s']} s")
        lines.append(
            f"   memory: {r['rss_after_load_mb']} MB after loading, peak {r['peak_rss_mb']} MB"
        )
    return "\n".join(lines)
