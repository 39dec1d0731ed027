"""Spoken prompts go to espeak-ng in the patient's language without blocking; the alert chime
is a real WAV file."""

from __future__ import annotations

import io
import time
import wave
from pathlib import Path

from beckon.ui.sound import chime
from beckon.ui.speech import EspeakSpeaker


def fake_espeak(tmp_path: Path) -> tuple[str, Path]:
    """A stand-in for espeak-ng that records its arguments, then 'speaks' for a while."""
    log = tmp_path / "said.txt"
    script = tmp_path / "espeak-ng"
    script.write_text(f'#!/bin/sh\nprintf "%s|" "$@" >> {log}\necho >> {log}\nsleep 5\n')
    script.chmod(0o755)
    return str(script), log


def test_prompts_are_spoken_in_the_patients_language_and_interrupt_each_other(
    tmp_path: Path,
) -> None:
    binary, log = fake_espeak(tmp_path)
    speaker = EspeakSpeaker(binary=binary)

    def lines(n: int) -> list[str]:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if log.exists() and log.read_text().count("\n") >= n:
                break
            time.sleep(0.02)
        return log.read_text().splitlines()

    speaker.say("물?", "ko")
    first = speaker._proc
    # It never waits for the 5 s utterance: say() came back while the speech still runs
    # (the process, not a clock: a busy machine must not fail this).
    assert first is not None and first.poll() is None
    assert lines(1)[0].startswith("-v|ko|") and lines(1)[0].endswith("|--|물?|")
    speaker.say("Water?", "en")  # the highlight moved on: the old word is stale
    assert first is not None and first.poll() is not None
    said = lines(2)
    assert said[1].startswith("-v|en-gb|") and "Water?" in said[1]
    second = speaker._proc
    speaker.close()
    assert second is not None and second.poll() is not None  # stopped, not left talking


def test_without_espeak_the_speaker_stays_silent(tmp_path: Path) -> None:
    speaker = EspeakSpeaker(binary=None)
    speaker.binary = None
    speaker.say("Water?", "en")  # no error, no process
    assert speaker._proc is None


def test_the_chimes_are_short_mono_wav_files_the_loud_one_longer() -> None:
    lengths = {}
    for loud in (False, True):
        with wave.open(io.BytesIO(chime(loud))) as w:
            assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
            lengths[loud] = w.getnframes() / w.getframerate()
    assert 0.3 < lengths[False] < lengths[True] < 2.0


def test_each_escalation_level_has_its_own_sound_higher_and_more_often() -> None:
    from beckon.ui.sound import escalation_tones, sound_name

    lengths = []
    for level in (1, 2, 3):
        with wave.open(io.BytesIO(chime(True, level))) as w:
            lengths.append(w.getnframes())
    assert lengths[0] < lengths[1] < lengths[2]
    tops = [max(f for f, _ in escalation_tones(level)) for level in (1, 2, 3)]
    assert tops[0] < tops[1] < tops[2]
    assert [len(escalation_tones(level)) for level in (1, 2, 3)] == [6, 8, 10]
    assert [sound_name(True, lv) for lv in (0, 1, 2, 3)] == [
        "loud", "escalation-1", "escalation-2", "escalation-3"
    ]  # fmt: skip
    assert sound_name(False) == "soft"


def test_closing_the_chime_deletes_its_sound_effects_and_files(qapp: object) -> None:
    """The station closes its alarm on the GUI thread when it shuts down: the Qt sound effects
    are deleted there (not later by the garbage collector on another thread) and the generated
    WAV files leave /tmp; playing afterwards is silent, not an error."""
    from PyQt6 import sip
    from PyQt6.QtMultimedia import QSoundEffect

    from beckon.ui.sound import ChimeAlarm

    alarm = ChimeAlarm()
    folder = alarm._dir
    assert sorted(p.name for p in folder.iterdir()) == [
        "escalation-1.wav",
        "escalation-2.wav",
        "escalation-3.wav",
        "loud.wav",
        "soft.wav",
    ]
    effect = QSoundEffect()  # as _play_qt makes one on a machine with a sound card
    alarm._effects["soft"] = effect
    alarm.close()
    assert sip.isdeleted(effect)
    assert not folder.exists()
    alarm.play(loud=True)  # after close: nothing to play, and no exception
    alarm.close()  # twice is harmless
