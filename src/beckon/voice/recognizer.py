"""The voice path: chunks -> VAD -> grammar recogniser -> template matcher -> VoiceEvent.

The recogniser is fed while the patient is still speaking, and asked for its final result
the moment the VAD says speech ended, so the intent follows the end of speech by the VAD's
short hang-over plus the decoding of the last chunks. Nothing here sends anything: a
VoiceEvent goes to the dialogue, which decides whether a request is confirmed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from beckon.voice.answers import AnswerRule, answers_heard, combine, needs_verdict
from beckon.voice.catalog import Catalog, load_catalog
from beckon.voice.engines import (
    BRITISH_PRONUNCIATIONS,
    Engine,
    Mode,
    PocketSphinxEngine,
    Transcript,
    open_engine,
)
from beckon.voice.keywords import KeywordVerifier, open_verifier
from beckon.voice.matcher import (
    ANSWER_SOUND_RULE,
    REQUEST_SOUND_RULE,
    AnswerSoundRule,
    EdgeRule,
    Match,
    RequestSoundRule,
    TemplateMatcher,
)
from beckon.voice.requests_verifier import (
    OWN_MEAN_RULE,
    OpenRule,
    RequestRule,
    RequestVerifier,
    judge,
    needs_request_verdict,
    open_request_verifier,
)
from beckon.voice.vad import (
    SAMPLE_RATE,
    Int16Array,
    Segmenter,
    SileroVad,
    VadConfig,
    chunks,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceEvent:
    """One utterance, recognised (``intent`` set) or rejected (``intent`` None).

    ``t`` is the stream time in seconds when the utterance ended (VAD), ``speech_end`` where
    the speech itself stopped; ``decode_s`` is the wall time spent after the end to finish
    decoding and matching. The transcript stays on the device: it is shown at the bedside and
    never put in a request.
    """

    t: float
    speech_end: float
    intent: str | None
    text: str
    score: float
    language: str
    decode_s: float
    reason: str = ""
    mode: Mode = "open"  # what the recogniser listened for (see ``beckon.voice.engines.Mode``)


class VoicePipeline:
    """Feed 512-sample int16 chunks with ``feed``; get VoiceEvents back.

    ``set_mode("answer")`` while the bedside waits for yes or no: from the next utterance on,
    the recogniser listens for yes, no and cancel only (or something else), and only those
    can come out; ``set_mode("open")`` returns to the whole catalog.

    ``verifier`` (English): the speech-embedding answer verifier gives a second opinion on
    yes, no and cancel (``beckon.voice.answers``); the utterance's audio is kept for it.
    ``request_verifier`` (English, PocketSphinx): a second hearing of short requests in the
    open mode, which can take one away, never make one (``beckon.voice.requests_verifier``).
    ``rehear``: the engine's second hearing of an open-mode utterance with the running mean
    (``PocketSphinxEngine.rehear``), asked only when ``request_rule.confirm_short`` needs it.
    ``answer_sound``: a Korean answer word must sound like the engine's free hearing
    (``beckon.voice.matcher.AnswerSoundRule``; None: not judged).
    ``request_sound``: a Korean request whose free hearing is as few whole words must share
    sound with the sentence (``beckon.voice.matcher.RequestSoundRule``; None: not judged).
    """

    def __init__(
        self,
        engine: Engine,
        matcher: TemplateMatcher,
        vad: SileroVad | None = None,
        vad_config: VadConfig | None = None,
        answer_matcher: TemplateMatcher | None = None,
        verifier: KeywordVerifier | None = None,
        answer_rule: AnswerRule | None = None,
        request_verifier: RequestVerifier | None = None,
        request_rule: RequestRule | None = None,
        rehear: Callable[[Int16Array], Transcript] | None = None,
        answer_sound: AnswerSoundRule | None = ANSWER_SOUND_RULE,
        request_sound: RequestSoundRule | None = REQUEST_SOUND_RULE,
    ) -> None:
        self.engine = engine
        self.answer_sound = answer_sound
        self.request_sound = request_sound
        self.rehear = rehear
        self.verifier = verifier
        self.answer_rule = answer_rule or AnswerRule()
        self.request_verifier = request_verifier
        self.request_rule = request_rule or RequestRule()
        self._keep_audio = verifier is not None or request_verifier is not None
        self._audio: list[Int16Array] = []
        self.matchers: dict[Mode, TemplateMatcher] = {
            "open": matcher,
            "answer": answer_matcher or matcher,
        }
        self.segmenter = Segmenter(vad or SileroVad(), vad_config)
        self.language = engine.language
        self.mode: Mode = "open"
        self._utterance_mode: Mode = "open"

    @property
    def matcher(self) -> TemplateMatcher:
        return self.matchers["open"]

    def set_mode(self, mode: Mode) -> None:
        """Listen for ``mode`` from the next utterance on; one already begun keeps its mode,
        since its first chunks were decoded with the other model."""
        if mode != self.mode:
            self.mode = mode
            self.engine.set_mode(mode)

    def reset(self) -> None:
        """Forget any utterance in progress (between files, after a pause)."""
        self.segmenter.reset()

    def feed(self, chunk: Int16Array) -> list[VoiceEvent]:
        out: list[VoiceEvent] = []
        for ev in self.segmenter.push(chunk):
            if ev.kind == "start":
                self._utterance_mode = self.mode
                self._audio = [ev.audio] if self._keep_audio else []
                self.engine.start()
                self.engine.accept(ev.audio)
            elif ev.kind == "audio":
                if self._keep_audio:
                    self._audio.append(ev.audio)
                self.engine.accept(ev.audio)
            elif ev.kind == "drop":
                self.engine.finish()
            elif ev.kind == "end":
                began = time.perf_counter()
                transcript = self.engine.finish()
                if transcript.reject:
                    match = Match(transcript.text, None, 0.0, None, transcript.reject)
                else:
                    match = self.matchers[self._utterance_mode].match_alternatives(
                        transcript.alternatives or (transcript.text,)
                    )
                    if self.answer_sound is not None:
                        match = self.answer_sound.check(match, transcript.free)
                    if self.request_sound is not None:
                        match = self.request_sound.check(match, transcript.free)
                    match = self._verify(match, transcript.alternatives or (transcript.text,))
                decode_s = time.perf_counter() - began
                out.append(
                    VoiceEvent(
                        t=ev.t,
                        speech_end=ev.speech_end,
                        intent=match.intent,
                        text=match.text,
                        score=round(match.score, 3),
                        language=self.language,
                        decode_s=decode_s,
                        reason=match.reason,
                        mode=self._utterance_mode,
                    )
                )
                if match.intent:
                    log.debug("heard %r -> %s (%.2f)", match.text, match.intent, match.score)
                else:
                    log.debug("heard %r -> nothing (%s)", match.text, match.reason)
        return out

    def _verify(self, match: Match, alternatives: tuple[str, ...] | list[str]) -> Match:
        """The verifiers' second opinion, when there is one and it can matter."""
        mode = self._utterance_mode
        rv = self.request_verifier
        if (
            rv is not None
            and self._audio
            and mode == "open"
            and needs_request_verdict(match, self.request_rule)
        ):
            audio = np.concatenate(self._audio)
            return judge(match, rv.verdict(audio), self.request_rule, self._reheard(audio))
        if (
            self.verifier is None
            or not self._audio
            or not needs_verdict(match, mode, self.answer_rule)
        ):
            return match
        verdict = self.verifier.verdict(np.concatenate(self._audio))
        heard = answers_heard(self.matchers["answer"], alternatives)
        return combine(match, heard, verdict, mode, self.answer_rule)

    def _reheard(self, audio: Int16Array) -> Callable[[], Match] | None:
        """The open-mode match of the engine's second hearing of ``audio``, to be asked for
        only when needed (None without a second hearing)."""
        rehear = self.rehear
        if rehear is None:
            return None

        def again() -> Match:
            heard = rehear(audio)
            return self.matchers["open"].match_alternatives(heard.alternatives or (heard.text,))

        return again

    def run(self, samples: Int16Array, tail_s: float = 0.5) -> list[VoiceEvent]:
        """Process a whole recording (silence is appended so a last utterance still ends)."""
        self.reset()
        padded = np.concatenate([samples, np.zeros(int(SAMPLE_RATE * tail_s), np.int16)])
        events: list[VoiceEvent] = []
        for chunk in chunks(padded):
            events.extend(self.feed(chunk))
        return events


def build_pipeline(
    language: str,
    catalog: Catalog | None = None,
    model_dir: Path | None = None,
    engine: str = "auto",
    verifier: bool = True,
    opened: Engine | None = None,
    catalog_edges: bool = True,
    british_pronunciations: bool = False,
    open_rule: OpenRule = OWN_MEAN_RULE,
) -> VoicePipeline:
    """The voice path for one language with the installed models. English gets the answer
    verifier when its models are installed, and on PocketSphinx the request verifier with the
    looser open-mode prior it makes safe (``verifier=False``: the decoder alone, strict prior).
    ``opened``: an engine opened earlier by this function for the same language and
    ``verifier``, used instead of opening another (opening PocketSphinx takes seconds).
    ``catalog_edges``: on PocketSphinx, the matcher's edge rule (:class:`EdgeRule`: a request
    sentence heard with its first word dropped or one short stray word at its edge). On by
    default: it added no false request on 610 real single words and talk clips of the
    development recordings' tune and train parts (docs/journal/voice.md, "The edge rule without the
    British pronunciations").
    ``british_pronunciations``: ``BRITISH_PRONUNCIATIONS`` added to PocketSphinx's dictionary.
    Opt-in: they alone let real single words through ("one" and "right" heard as "water",
    "off" as "bathroom"; same section).
    ``open_rule``: with the request verifier on PocketSphinx, how the open mode hears
    (:class:`OpenRule`). The default since session 13, ``OWN_MEAN_RULE``: each open-mode
    utterance on its own mean, and short requests confirmed by the verifier or by a second
    hearing with the running mean; ``RUNNING_RULE`` is session 10's path (docs/journal/voice.md,
    sessions 11 and 13).
    """
    catalog = catalog or load_catalog()
    answers = open_verifier() if verifier and language == "en" else None
    requests = open_request_verifier(answers.embedder) if answers is not None else None
    eng = opened or open_engine(
        catalog,
        language,
        model_dir=model_dir,
        engine=engine,
        talk=open_rule.talk if requests is not None else None,
        per_utterance=open_rule.own_mean if requests is not None else False,
        pronunciations=BRITISH_PRONUNCIATIONS if british_pronunciations else None,
        rehear_talk=open_rule.rehear_talk if requests is not None else None,
    )
    if eng.name != "pocketsphinx":
        requests = None
    rehear = eng.rehear if isinstance(eng, PocketSphinxEngine) and eng.rehear_talk else None
    log.info("voice (%s): %s", language, eng.model)
    # The edge rule only where the decoder's own language model is the catalog-or-talk one
    # (PocketSphinx); Vosk's grammar loop puts decoy words beside catalog sentences in talk.
    edge = EdgeRule() if catalog_edges and eng.name == "pocketsphinx" else None
    # Vosk's grammar loop gives n-best paths that are other accounts of the sound entirely:
    # a lower one may speak only when it shares a word with the best (``shared_word``), adds
    # none to it (``no_longer``) and changes one word of it at most (``one_word``). In both
    # modes: the answer mode's grammar holds the whole catalog too
    # (``VOSK_ANSWER_HEARS_CATALOG``), and a real "이전 단계" came out of it as "이야기 줘" with
    # "도와줘" (`emergency`) third (docs/journal/voice.md, branch vko8). And nothing at all is taken
    # when a path of the n-best list has no words (``silent_path``): a real "다음 단계" came
    # out as "아파" with an empty path second (docs/journal/voice.md, branch vko9).
    vosk = eng.name == "vosk"
    return VoicePipeline(
        eng,
        TemplateMatcher(
            catalog,
            language,
            edge=edge,
            shared_word=vosk,
            no_longer=vosk,
            one_word=vosk,
            silent_path=vosk,
        ),
        answer_matcher=TemplateMatcher(
            catalog,
            language,
            codes=catalog.answer_codes(),
            shared_word=vosk,
            no_longer=vosk,
            one_word=vosk,
            silent_path=vosk,
        ),
        verifier=answers,
        request_verifier=requests,
        request_rule=open_rule.requests,
        rehear=rehear,
    )
