"""scripts/make_korean_devset.py writes the Korean out-of-sample development part: every WAV of
a transcribed source at 16 kHz mono with a labels.csv that `beckon bench voice --recordings`
reads (nothing expected of any file), a line's text given to every speaker who reads it, and
short lines grouped apart from talk. The source here is a checkout made on the spot: tones,
not speech, in the source's own layout."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import soundfile as sf

from beckon.lab.voice_recordings import load_labels
from beckon.voice.audio import read_wav
from tests.helpers.scripts import load_script

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_korean_devset.py"
ROOT = "KimDong-gue+Healthy_Care"
FOLDER = "Dataset/Voice_Data"


def _tone(path: Path, seconds: float, rate: int = 48000) -> None:
    """A 48 kHz file (the source's rate): ``seconds`` of tone between quiet stretches."""
    t = np.arange(int(rate * seconds)) / rate
    quiet = np.zeros(int(rate * 0.5))
    audio = np.concatenate([quiet, 0.3 * np.sin(2 * np.pi * 220 * t), quiet])
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, audio, rate, subtype="PCM_16")


def _source(mirrors: Path) -> None:
    cold = mirrors / ROOT / FOLDER / "cold_voice"
    # Line 218 is transcribed for speaker 0016 only; speaker 0026 reads it too.
    _tone(cold / "PA_0016-218-01-03-M-09-A.wav", 1.2)
    (cold / "PA_0016-218-01-03-M-09-A.txt").write_text("열이 안 멈춰요.", encoding="utf-8")
    _tone(cold / "PA_0026-218-01-03-F-03-C.wav", 1.4)
    _tone(cold / "PA_0016-251-01-03-M-09-A.wav", 3.0)
    (cold / "PA_0016-251-01-03-M-09-A.txt").write_text(
        "인후통이랑 미열이 있는데 감기 같아서 병원으로 왔어요.", encoding="utf-8"
    )
    # No text for line 20 anywhere: grouped by its seconds of speech.
    _tone(cold / "PA_0016-20-01-03-M-09-A.wav", 4.0)
    _tone(cold / "PA_0062-475-01-03-M-06-A.wav", 1.0)


def test_every_file_is_written_at_16_khz_and_listed_for_the_bench(tmp_path: Path) -> None:
    _source(tmp_path / "mirrors")
    out = tmp_path / "kodev"
    assert load_script("make_korean_devset").build(tmp_path / "mirrors", out) == 5
    items = load_labels(out)
    assert len(items) == 5
    assert {i.language for i in items} == {"ko"}
    assert all(i.expected is None for i in items)
    one = read_wav(out / "healthy_care/cold_voice/PA_0016-218-01-03-M-09-A.wav")
    assert abs(len(one) / 16000 - 2.2) < 0.01


def test_a_line_is_short_or_talk_by_its_words_and_untranscribed_files_by_their_speech(
    tmp_path: Path,
) -> None:
    _source(tmp_path / "mirrors")
    out = tmp_path / "kodev"
    load_script("make_korean_devset").build(tmp_path / "mirrors", out)
    groups = {i.path.name: i.group for i in load_labels(out)}
    assert groups == {
        "PA_0016-218-01-03-M-09-A.wav": "short phrase",
        "PA_0026-218-01-03-F-03-C.wav": "short phrase",
        "PA_0016-251-01-03-M-09-A.wav": "talk",
        "PA_0016-20-01-03-M-09-A.wav": "talk",
        "PA_0062-475-01-03-M-06-A.wav": "short phrase",
    }
    with (out / "transcripts.csv").open(encoding="utf-8") as fh:
        texts = {Path(r["file"]).name: (r["speaker"], r["text"]) for r in csv.DictReader(fh)}
    assert texts["PA_0026-218-01-03-F-03-C.wav"] == ("0026", "열이 안 멈춰요.")
    assert texts["PA_0016-20-01-03-M-09-A.wav"] == ("0016", "")


def test_a_missing_source_is_skipped_and_the_labels_are_still_written(tmp_path: Path) -> None:
    out = tmp_path / "kodev"
    assert load_script("make_korean_devset").build(tmp_path / "nothing", out) == 0
    assert load_labels(out) == []
