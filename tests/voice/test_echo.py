"""The tablet does not hear its own prompts as the patient's words.

Heard back through the microphone, the bedside's spoken "This is an emergency. Please help!"
was recognised as an emergency and sent a second one. The window tells the voice worker when
it speaks (:class:`beckon.bedside.echo.EchoGuard`), and the worker hears silence meanwhile.
Real PocketSphinx and Silero on espeak-ng in the window's own voice (en-gb, 140 words a
minute); the speaker is stood in for by a flag (no sound card here).
"""

from __future__ import annotations

from pathlib import Path

from beckon.bedside.echo import EchoGuard
from beckon.bedside.voice_worker import VoiceWorker
from beckon.lab.voice_synth import Voice, make_clip, speak
from beckon.voice.audio import write_wav
from beckon.voice.recognizer import VoiceEvent, VoicePipeline

WINDOW_VOICE = Voice("en-gb", 140)  # beckon.ui.speech: VOICES["en"], EspeakSpeaker's rate


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_microphone_is_deaf_while_the_tablet_speaks_and_a_moment_after() -> None:
    clock, speaking = Clock(), [False]
    guard = EchoGuard(lambda: speaking[0], tail_s=0.5, clock=clock)
    assert not guard.muted()
    speaking[0] = True
    assert guard.muted()
    clock.now = 1.97  # asked at every chunk of audio, a few hundredths of a second apart
    assert guard.muted()
    clock.now, speaking[0] = 2.0, False  # the prompt ended just now
    assert guard.muted()
    clock.now = 2.4
    assert guard.muted()  # the room's echo, the audio device's delay
    clock.now = 2.5
    assert not guard.muted()


def test_a_speaker_stuck_speaking_does_not_leave_the_patient_unheard() -> None:
    """An espeak-ng blocked on the audio device kept the microphone deaf until the next
    prompt, and after two unanswered rounds no prompt comes."""
    clock = Clock()
    guard = EchoGuard(lambda: True, tail_s=0.5, clock=clock, longest_s=30.0)
    assert guard.muted()
    clock.now = 29.9
    assert guard.muted()
    clock.now = 30.5
    assert not guard.muted()
    clock.now = 600.0
    assert not guard.muted()


def test_a_new_prompt_after_a_stuck_one_is_muted_again() -> None:
    clock, speaking = Clock(), [True]
    guard = EchoGuard(lambda: speaking[0], tail_s=0.5, clock=clock, longest_s=30.0)
    guard.muted()
    clock.now = 40.0
    assert not guard.muted()
    clock.now, speaking[0] = 41.0, False  # the stuck one ended (replaced)
    assert not guard.muted()
    clock.now, speaking[0] = 41.1, True  # the next prompt
    assert guard.muted()


def heard(pipeline: VoicePipeline, wav: Path, echo: EchoGuard | None) -> list[str]:
    seen: list[object] = []
    worker = VoiceWorker(
        "en", lambda item: None, source=wav, pipeline=pipeline, realtime=False, echo=echo
    )
    worker.listeners.append(seen.append)
    pipeline.reset()
    worker.start()
    assert worker.finished.wait(60) and worker.error is None
    return [s.intent for s in seen if isinstance(s, VoiceEvent) and s.intent]


def test_the_tablets_own_emergency_prompt_is_not_a_second_emergency(
    english: VoicePipeline, tmp_path: Path
) -> None:
    wav = tmp_path / "prompt.wav"
    prompt = speak("This is an emergency. Please help!", WINDOW_VOICE)
    write_wav(wav, make_clip(prompt, None, tail_s=1.0).samples)
    assert "emergency" in heard(english, wav, None)  # what the microphone picked up before
    assert heard(english, wav, EchoGuard(lambda: True)) == []
    assert "emergency" in heard(english, wav, EchoGuard(lambda: False))  # a quiet tablet
