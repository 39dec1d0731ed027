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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from beckon.bedside import events as ev
from beckon.bedside.echo import EchoGuard
from beckon.bedside.interaction import Answer, answer_for
from beckon.bedside.service import AnswerQuestion, Gesture, Submit
from beckon.observers import notify
from beckon.voice.catalog import Catalog, load_catalog
from beckon.voice.dialogue import Action, Dialogue, DialoguePolicy, Send
from beckon.voice.engines import Mode
from beckon.voice.recognizer import VoiceEvent, VoicePipeline, build_pipeline
from beckon.voice.vad import CHUNK, SAMPLE_RATE, Int16Array

log = logging.getLogger(__name__)

VoiceListener = Callable[[VoiceEvent | Action], None]

Answers = Callable[[str], Answer | None]
"""What a gesture says to a spoken proposal: yes, no or nothing (``interaction.answer_for``
with the patient's profile)."""


@dataclass(frozen=True)
class AnswerExpected:
    """A nurse's yes/no question is on the bedside screen (``question_id``), or no longer
    (``question_id`` None: answered, expired or replaced).

    Why the voice worker must know: while an answer is expected the recogniser listens for
    yes, no and cancel only (``Mode`` "answer"), where the whole catalog would let "no"
    become "now" and a cough become a request; and a spoken "yes" or "no" then answers the
    question instead of a spoken proposal.
    """

    question_id: str | None


def answer_expected(event: object) -> AnswerExpected | None:
    """What a bedside service event says about a pending question (None: nothing)."""
    match event:
        case ev.QuestionAsked(question_id=qid):
            return AnswerExpected(qid)
        case ev.QuestionAnswered() | ev.QuestionExpired() | ev.QuestionSetAside():
            return AnswerExpected(None)
    return None


def _without_frames(exc: BaseException) -> BaseException:
    """``exc`` (and the exceptions it chains) without tracebacks. A kept traceback holds the
    worker's frames, the recogniser among their locals, in a cycle that only a full garbage
    collection frees: a tablet retrying a missing microphone every 10 s grew by 200 MB a
    minute (a loaded model each time) until it ran out of memory."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return exc


def route_gestures(
    post: Callable[[object], None], voice: VoiceWorker | None
) -> Callable[[object], None]:
    """The vision worker's ``post``: while a spoken request waits for yes or no, a nod or a
    shake answers it; everything else (and every gesture otherwise) goes on to ``post``."""
    if voice is None:
        return post

    def routed(item: object) -> None:
        if isinstance(item, Gesture):
            late_s = 0.0 if item.made is None else item.t - item.made
            if voice.answer_gesture(item.name, late_s):
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
        echo: EchoGuard | None = None,
        answers: Answers | None = None,
    ) -> None:
        self.language = language
        self.answers: Answers = answers or (lambda gesture: answer_for(gesture, {}))
        self.echo = echo
        """While it says muted, the tablet itself is speaking: the pipeline hears silence
        (:mod:`beckon.bedside.echo`)."""
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
        self._question: str | None = None  # a nurse's question awaiting yes/no, under the lock
        self._thread = threading.Thread(target=self._main, name="voice", daemon=True)

    def start(self) -> VoiceWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop and wait up to ``timeout`` seconds.

        A sound driver can block a read for longer than that. The thread then lives on (it
        is a daemon), so its listeners are detached here: a window that closes after
        ``stop`` hears nothing more from that thread once the call in flight returns.
        """
        self._stop.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning(
                "voice thread still busy %g s after stop (a microphone read that blocks?); "
                "its listeners are detached and it ends on its own",
                timeout,
            )
            self.listeners = []

    @property
    def alive(self) -> bool:
        """Whether the voice thread still runs (also after a ``stop`` that timed out)."""
        return self._thread.is_alive()

    def answer_gesture(self, name: str, late_s: float = 0.0) -> bool:
        """Hand a nod or shake to the dialogue if a spoken request is waiting for one.

        Returns True when the gesture was taken as the answer (it must then not also move
        the gesture menu). The camera's clock is not the microphone's, so the dialogue is
        told the voice stream's current time. ``late_s``: how long before it was reported
        the gesture was made (``GestureEvent.made``); one made before the spoken request was
        proposed is not its answer.
        """
        answer = self.answers(name)
        if answer is None:
            return False
        with self._lock:
            if self.dialogue.pending is None or self._question is not None:
                # A nurse's question on screen takes the nod: it went to a spoken proposal
                # waiting behind it, which sent a request while the question stayed unanswered.
                return False
            if late_s > 0 and self._t - self.dialogue.pending.t < late_s:
                log.info("voice: %s made before the spoken request was proposed", name)
                return False
            actions = self.dialogue.on_answer(answer, self._t)
        self._apply(actions)
        return True

    def expect_answer(self, hint: AnswerExpected) -> None:
        """Told by the bedside (any thread) that a nurse's question waits, or no longer."""
        with self._lock:
            self._question = hint.question_id

    def drop_proposal(self) -> None:
        """Told by the bedside (any thread) that the patient's emergency gesture ended the
        spoken request waiting for its yes (``ev.SpokenRequestDropped``): dropped, or a "yes"
        (said, or a nod routed here) sent it while "Emergency?" was on screen."""
        with self._lock:
            actions = self.dialogue.drop(self._t)
        self._apply(actions)

    def confirm_emergency(self) -> bool:
        """Asked by the bedside (any thread) when the patient's emergency gesture came while
        a spoken emergency seemed to wait: its yes, sent now (``ev.SpokenEmergencyBacked``).
        Only an emergency: the proposal may have changed meanwhile (the patient said
        "water"), and a long blink is no yes to that. Returns whether it sent one: sent
        already (its 3 s), declined, or a worker that never heard it (the microphone was
        replaced) confirm nothing, and the gesture must then go the menu's way, never be
        swallowed (rev46e: every long blink after a microphone restart sent nothing)."""
        with self._lock:
            pending = self.dialogue.pending
            if pending is None or not self._is_emergency(pending.intent):
                return False
            actions = self.dialogue.on_answer("yes", self._t)
        self._apply(actions)
        return any(isinstance(a, Send) for a in actions)

    def end_proposal(self) -> None:
        """Told by the host that this worker failed (its microphone died): what it proposed
        must not wait forever, the menu listening for a yes nobody can hear (rev46e). An
        emergency the dialogue would have sent by itself unless declined is sent now, a lost
        emergency costing more than a false one; anything else is closed ("unheard": the
        window says "Not sent: Water."), so the menu, and a long blink for "Emergency?",
        work again (``Dialogue.unheard``)."""
        with self._lock:
            actions = self.dialogue.unheard(self._t)
        self._apply(actions)

    def expect_cancel(self, intent: str | None, request_id: str | None = None) -> None:
        """Told by the bedside (any thread) which open request "cancel" would take back (the
        menu's cancel entry: ``intent``, its id ``request_id``), or that none would."""
        with self._lock:
            actions = self.dialogue.set_cancellable(intent, self._t, request_id)
        self._apply(actions)

    @property
    def mode(self) -> Mode:
        """ "answer" while a spoken proposal or a nurse's question waits for yes or no."""
        with self._lock:
            return self._mode()

    def _mode(self) -> Mode:
        waiting = self.dialogue.pending is not None or self._question is not None
        return "answer" if waiting else "open"

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

        with Microphone(self.source, deaf=self.echo.muted if self.echo else None) as mic:
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
            log.error("voice stopped: %s", exc)
            self.error = _without_frames(exc)
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
                pipeline.set_mode(self._mode())
            if self.echo is not None and self.echo.muted():
                chunk = np.zeros_like(chunk)  # the tablet's own prompt, not the patient
                with self._lock:  # ... and time the patient could not answer in
                    self.dialogue.wait_longer(len(chunk) / SAMPLE_RATE)
            for event in pipeline.feed(chunk):
                self._emit(event)
                if event.intent:
                    self._on_intent(event)
            with self._lock:
                actions = self.dialogue.tick(t)
            self._apply(actions)

    def _on_intent(self, event: VoiceEvent) -> None:
        assert event.intent is not None
        with self._lock:
            question = self._question
            # An emergency never waits for a nurse's question to be answered or to lapse; while
            # one is proposed, yes, no and cancel are about it, not about the question.
            urgent = self._is_emergency(event.intent) or (
                self.dialogue.pending is not None
                and self._is_emergency(self.dialogue.pending.intent)
            )
            actions = (
                self.dialogue.on_intent(event.intent, event.t, event.text)
                if question is None or urgent
                else []
            )
        if question is None or urgent:
            self._apply(actions)
        elif event.intent in ("yes", "no"):
            # A nurse's question takes precedence, as on the screen: the answer goes to it.
            log.info("voice: %s answers the nurse's question", event.intent)
            with self._lock:
                self._question = None
            self.post(AnswerQuestion(event.intent, "voice"))
        else:
            log.info("voice: %s ignored while a nurse's question waits", event.intent)

    def _is_emergency(self, intent: str) -> bool:
        spec = self.dialogue.catalog.intents.get(intent)
        return spec is not None and spec.is_emergency

    def _apply(self, actions: list[Action]) -> None:
        for action in actions:
            self._emit(action)
            if isinstance(action, Send):
                log.info("voice: %s confirmed, sending", action.intent)
                self.post(Submit(action.intent, "voice", cancels=action.cancels))

    def _emit(self, item: VoiceEvent | Action) -> None:
        notify(list(self.listeners), item, log, "voice")  # ``stop`` may detach them meanwhile
