"""Runs the voice path on its own thread and hands confirmed requests to the bedside service.

Audio stays in this thread: the microphone (or a sound file) feeds the VAD, the grammar
recogniser and the template matcher, and the dialogue asks for confirmation. Only when the
patient has confirmed does the worker post ``Submit(intent, "voice")``: the request carries
the intent, never the transcript, which goes to local listeners (the bedside window) only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from beckon.bedside.service import Gesture, Submit
from beckon.voice.catalog import Catalog, load_catalog
from beckon.voice.dialogue import Action, Dialogue, DialoguePolicy, Send
from beckon.voice.recognizer import VoiceEvent, VoicePipeline, build_pipeline
from beckon.voice.vad import CHUNK, SAMPLE_RATE, Int16Array

log = logging.getLogger(__name__)

VoiceListener = Callable[[VoiceEvent | Action], None]

ANSWER_GESTURES = ("nod", "shake")  # yes and no to a spoken proposal


def route_gestures(
    post: Callable[[object], None], voice: VoiceWorker | None
) -> Callable[[object], None]:
    """The vision worker's ``post``: while a spoken request waits for yes or no, a nod or a
    shake answers it; everything else (and every gesture otherwise) goes on to ``post``."""
    if voice is None:
        return post

    def routed(item: object) -> None:
        if isinstance(item, Gesture) and voice.answer_gesture(item.name):
            log.info("voice: %s answered the spoken request", item.name)
            return
        post(item)

    return routed


class VoiceWorker:
    """Listens on ``source`` (None: the default microphone; a Path: a sound file, played at
    its own speed when ``realtime``) until stopped, and posts confirmed requests."""

    def __init__(
        self,
        language: str,
        post: Callable[[object], None],
        source: Path | str | int | None = None,
        policy: DialoguePolicy | None = None,
        catalog: Catalog | None = None,
        pipeline: VoicePipeline | None = None,
        realtime: bool = True,
    ) -> None:
        self.language = language
        self.post = post
        self.source = source
        self.catalog = catalog or load_catalog()
        self.dialogue = Dialogue(self.catalog, policy)
        self._pipeline = pipeline
        self.realtime = realtime
        self.listeners: list[VoiceListener] = []
        self.engine = ""  # the recogniser's name once it runs (metrics)
        self.note = ""  # shown by the UI, e.g. that English runs on the PocketSphinx fallback
        self.finished = threading.Event()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()  # the dialogue hears the voice thread and the camera's
        self._t = 0.0  # stream time of the last chunk (seconds), under the lock
        self._thread = threading.Thread(target=self._main, name="voice", daemon=True)

    def start(self) -> VoiceWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def answer_gesture(self, name: str) -> bool:
        """Hand a nod or shake to the dialogue if a spoken request is waiting for one.

        Returns True when the gesture was taken as the answer (it must then not also move
        the gesture menu). The camera's clock is not the microphone's, so the dialogue is
        told the voice stream's current time.
        """
        if name not in ANSWER_GESTURES:
            return False
        with self._lock:
            if self.dialogue.pending is None:
                return False
            actions = self.dialogue.on_gesture(name, self._t)
        self._apply(actions)
        return True

    # ------------------------------------------------------------ thread

    def _chunks(self) -> Iterator[Int16Array]:
        if isinstance(self.source, Path):
            from beckon.voice.audio import read_wav
            from beckon.voice.vad import chunks

            samples = read_wav(self.source)
            started = time.monotonic()
            for i, chunk in enumerate(chunks(samples)):
                if self.realtime:
                    delay = i * CHUNK / SAMPLE_RATE - (time.monotonic() - started)
                    if delay > 0:
                        time.sleep(delay)
                yield chunk
            # A little silence so that a last utterance still ends.
            import numpy as np

            for _ in range(int(0.6 * SAMPLE_RATE / CHUNK)):
                yield np.zeros(CHUNK, np.int16)
            return
        from beckon.voice.audio import Microphone

        with Microphone(self.source) as mic:
            yield from mic

    def _main(self) -> None:
        try:
            pipeline = self._pipeline or build_pipeline(self.language, self.catalog)
            self.note = pipeline.engine.note
            self.engine = pipeline.engine.name
            if self.note:
                log.warning("voice: %s", self.note)
            self.ready.set()
            self.run(pipeline, self._chunks())
        except BaseException as exc:
            self.error = exc
            log.error("voice stopped: %s", exc)
        finally:
            self.ready.set()
            self.finished.set()

    def run(self, pipeline: VoicePipeline, source: Iterable[Int16Array]) -> None:
        """Process chunks until the source ends or the worker is stopped."""
        t = 0.0
        for chunk in source:
            if self._stop.is_set():
                break
            t += len(chunk) / SAMPLE_RATE
            with self._lock:
                self._t = t
            for event in pipeline.feed(chunk):
                self._emit(event)
                if event.intent:
                    with self._lock:
                        actions = self.dialogue.on_intent(event.intent, event.t, event.text)
                    self._apply(actions)
            with self._lock:
                actions = self.dialogue.tick(t)
            self._apply(actions)

    def _apply(self, actions: list[Action]) -> None:
        for action in actions:
            self._emit(action)
            if isinstance(action, Send):
                log.info("voice: %s confirmed, sending", action.intent)
                self.post(Submit(action.intent, "voice"))

    def _emit(self, item: VoiceEvent | Action) -> None:
        for listener in self.listeners:
            try:
                listener(item)
            except Exception:  # a broken observer must not stop listening
                log.exception("voice listener failed")
