"""``beckon bench voice --recordings DIR`` on a tiny folder of espeak-ng recordings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from beckon.errors import BeckonError
from beckon.lab.voice_recordings import load_labels
from beckon.lab.voice_synth import Voice, make_clip, speak
from beckon.voice.audio import write_wav
from tests.helpers.side_by_side import run_side_by_side

EN = Voice("en-us+f3", 135, 60)


def _folder(tmp_path: Path) -> Path:
    lines = ["file,language,expected,group"]
    for name, text, expected, group in (
        ("yes.wav", "yes", "yes", "control word"),
        ("cold.wav", "i am cold", "cold", "request"),
        ("talk.wav", "the weather is nice", "none", "talk"),
        ("weather.wav", "how are you today", "", "talk"),
    ):
        write_wav(tmp_path / name, make_clip(speak(text, EN), None).samples)
        lines.append(f"{name},en,{expected},{group}")
    (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def _benches(folder: Path, *runs: tuple[str, ...]) -> list[subprocess.CompletedProcess[str]]:
    """``beckon bench voice --recordings`` once per set of extra flags. The runs only read the
    folder, so they go side by side, a core each."""
    return run_side_by_side(
        [
            [sys.executable, "-m", "beckon", "bench", "voice", "--recordings", str(folder), *extra]
            for extra in runs
        ],
        timeout=300,
    )


def test_the_recordings_bench_scores_a_labelled_folder(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    done, text_run = _benches(folder, ("--json",), ())
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)
    assert result["language"] == "en" and result["clips"] == 4
    table = {row["set"]: row for row in result["table"]}
    assert table["requests"]["n"] == 1 and table["requests"]["correct"] == 1
    assert table["yes"]["correct"] == 1 and table["yes"]["opposite"] == 0
    assert table["none: talk"]["n"] == 2
    assert table["none: talk"]["false_requests"] == 0
    assert table["none: talk"]["false_controls"] == 0
    answer = {row["set"]: row for row in result["answer_table"]}
    assert "requests" not in answer  # a request is not heard in the answer mode
    assert answer["yes"]["n"] == 1 and answer["yes"]["correct"] == 1
    assert answer["none: talk"]["n"] == 2 and answer["none: talk"]["false_controls"] == 0
    assert result["errors"] == []
    text = text_run.stdout
    assert "none: talk" in text and "false requests 0 (0.0%)" in text
    assert "answer mode" in text


@pytest.mark.parametrize(
    ("labels", "complaint"),
    [
        ("file,language\nyes.wav,en\n", "lacks expected"),
        ("file,language,expected\nmissing.wav,en,yes\n", "does not exist"),
        ("file,language,expected\nyes.wav,xx,yes\n", "language 'xx'"),
        ("file,language,expected\nyes.wav,en,coffee\n", "'coffee' is not an intent"),
    ],
)
def test_a_bad_labels_file_is_named_with_its_line(
    tmp_path: Path, labels: str, complaint: str
) -> None:
    write_wav(tmp_path / "yes.wav", make_clip(speak("yes", EN), None).samples)
    (tmp_path / "labels.csv").write_text(labels, encoding="utf-8")
    with pytest.raises(BeckonError, match=complaint):
        load_labels(tmp_path)


def test_a_folder_without_labels_says_what_to_write(tmp_path: Path) -> None:
    with pytest.raises(BeckonError, match=r"labels\.csv does not exist"):
        load_labels(tmp_path)
