"""The synthetic bench's table of yes, no and cancel: the open mode next to the answer mode,
with the opposite answers counted apart from the other misses."""

from __future__ import annotations

from beckon.lab.voice_bench import format_report, summarize_answers


def _row(expected, got, mode, voice="en-us@150", snr="clean"):
    return {
        "text": "x",
        "kind": "catalog",
        "expected": expected,
        "got": got,
        "heard": "",
        "voice": voice,
        "snr": snr,
        "mode": mode,
    }


def test_answers_are_tallied_per_mode_and_voice_family():
    rows = [
        _row("yes", "yes", "open"),
        _row("yes", "no", "open"),  # the opposite answer
        _row("no", None, "open"),
        _row("yes", "yes", "answer"),
        _row("no", "no", "answer"),
        _row(None, "cancel", "answer"),  # talk taken for an answer
        _row("cancel", "cancel", "answer", voice="piper:joe@150"),
        _row("water", "water", "open"),  # a request: not in this table
    ]
    table = {(r["voices"], r["mode"]): r for r in summarize_answers(rows)}
    assert set(table) == {("espeak-ng", "open"), ("espeak-ng", "answer"), ("piper", "answer")}
    opened = table[("espeak-ng", "open")]
    assert (opened["n_answers"], opened["correct"], opened["opposite"]) == (3, 1, 1)
    answered = table[("espeak-ng", "answer")]
    assert (answered["n_answers"], answered["correct"], answered["opposite"]) == (2, 2, 0)
    assert (answered["n_talk"], answered["false_accepts"]) == (1, 1)
    assert table[("piper", "answer")]["accuracy"] == 1.0


def test_the_report_prints_the_answer_table():
    result = {
        "language": "en",
        "engine": "e",
        "clips": 2,
        "note": "",
        "missing_words": [],
        "table": [],
        "neural_table": [],
        "latency_ms_median": 1,
        "latency_ms_p95": 2,
        "rtf": 0.1,
        "load_s": 1,
        "rss_after_load_mb": 1,
        "peak_rss_mb": 1,
        "answer_table": summarize_answers([_row("no", "yes", "answer")]),
    }
    text = format_report([result])
    assert "answer" in text and "the opposite answer 1" in text
