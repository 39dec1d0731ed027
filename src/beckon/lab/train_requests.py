"""Train the request verifier (``models/request_kws.onnx``): which short request, or other.

A tool, not the product: ``python -m beckon.lab.train_requests --tune DIR --out FILE``.
The classifier is the answer verifier's kind (``beckon.lab.train_keywords``: the same
speech_embedding framing, head, training loop, augmentation and export, imported from
there), with other classes: "other" and one class per catalog request code, for the
catalog's English request sentences of at most two words ("water", "nurse please", "move
me"), the ones PocketSphinx's loosened open-mode prior lets through and a real single word
can imitate. Training data:

- those short request sentences spoken by espeak-ng voices with random variants, speeds and
  pitches, and by Piper's joe at the training paces, never the benchmark's own voice settings
  (so the espeak-ng/Piper bench and the tests hear voices the model never heard);
- "other": words that sound like a request word ("daughter", "purse", "toy", "bread") by the
  same voices, and everything the answer trainer embeds (its answers, confusable words,
  Speech Commands words, talk words, short sentences, the real English recordings of the
  devset's *tune* part, with their noisy copies), read from the answer trainer's cache when
  given (the same functions make them); longer catalog request sentences are left out, they
  are neither "other" nor a short request. Never the score part.

``--folds K`` also trains K models each without one K-th of the real tune speakers (by the
same speaker hash as the answer trainer), for choosing the veto threshold on recordings the
model did not hear.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from beckon.lab.train_keywords import (
    Example,
    _embedded,
    augmented_copies,
    espeak_examples,
    export,
    near_answer_examples,
    piper_voices,
    real_examples,
    synthetic_examples,
    train,
    training_voices,
)
from beckon.lab.voice_synth import speak
from beckon.voice.catalog import CONTROL_CODES, load_catalog
from beckon.voice.requests_verifier import MAX_WORDS, OTHER

log = logging.getLogger(__name__)

# Words a short request could be taken for, or that PocketSphinx pulled onto one.
NEAR_REQUESTS = (
    "daughter", "waiter", "order", "quarter", "what a", "wander", "winter", "walter",
    "purse", "nurses", "worse", "verse", "first", "nursing", "nervous",
    "toy", "toys", "toil", "toilets", "tablet", "tall it", "oil",
    "bed", "bread", "bet", "bedroom", "bedtime", "head", "pan",
    "paint", "plain", "rain", "pane", "train", "brain", "pay",
    "gold", "code", "called", "told", "old", "hold", "coat",
    "hat", "hut", "hop", "heart", "what", "lot",
    "likes", "light", "lines", "nights", "right", "bright", "flights",
    "blank", "bracket", "banquet", "basket", "planet",
    "held", "helm", "health", "hell", "yelp", "well",
    "drank", "think", "pink", "brink", "dream",
    "bath", "ballroom", "bathtub", "bedpost",
    "emerge", "agency", "urgency",
    "moving", "move", "movie", "turn", "term", "tomb", "return",
    "one", "won", "seven", "two", "ten", "four", "nine", "zero",
    "hurts", "hearts", "cold water", "hot tea", "good night", "thank you",
)  # fmt: skip


def request_classes() -> tuple[str, ...]:
    """ "other", then the catalog's request codes in catalog order."""
    catalog = load_catalog()
    codes = [c for c, i in catalog.intents.items() if c not in CONTROL_CODES and i.sentences]
    return (OTHER, *codes)


def short_requests() -> dict[str, str]:
    """Every English request sentence of at most :data:`MAX_WORDS` words -> its code."""
    catalog = load_catalog()
    return {
        s: code
        for s, code in catalog.sentences("en")
        if code not in CONTROL_CODES and len(s.split()) <= MAX_WORDS
    }


def request_examples(seed: int, espeak_voices: int = 24) -> list[Example]:
    """The short requests (labelled with their code's class) and :data:`NEAR_REQUESTS`
    ("other") by ``espeak_voices`` random espeak-ng voices (requests twice augmented) and by
    Piper's joe at every training pace."""
    rng = np.random.default_rng(seed + 10)
    classes = request_classes()
    texts = [(t, classes.index(code)) for t, code in short_requests().items()]
    texts += [(t + "!", c) for t, c in list(texts) if " " not in t]
    texts += [(t, 0) for t in NEAR_REQUESTS]
    out: list[Example] = []
    began = time.time()
    for k, voice in enumerate(training_voices(rng, espeak_voices)):
        out += espeak_examples(texts, voice, rng)
        log.info("espeak voice %d: %d examples (%.0f s)", k, len(out), time.time() - began)
    for voice in piper_voices():
        for text, label in texts:
            if text.endswith("!"):
                continue
            speech = speak(text, voice)
            out += augmented_copies(speech, label, 2 if label else 1, f"{voice.label}:{text}", rng)
        log.info("piper %s: %d examples (%.0f s)", voice.label, len(out), time.time() - began)
    return out


def relabel(sources: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Classes for the answer trainer's examples: a synthetic short request gets its code's
    class, any other catalog request sentence -1 (left out), everything else "other" (0).
    A synthetic source reads ``VOICE@SPEED:TEXT``; a real one is a file path (always other)."""
    classes = request_classes()
    short = short_requests()
    longer = {s for s, code in load_catalog().sentences("en") if code not in CONTROL_CODES}
    out = np.zeros(len(sources), dtype=np.int64)
    for i, src in enumerate(sources):
        src = str(src)
        if "@" not in src or src.startswith("/"):
            continue
        text = src.split("@", 1)[1].split(":", 1)[1].rstrip("!?.")
        if text in short:
            out[i] = classes.index(short[text])
        elif text in longer:
            out[i] = -1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", type=Path, required=True, help="a devset tune part")
    parser.add_argument("--out", type=Path, default=Path("models/request_kws.onnx"))
    parser.add_argument("--cache", type=Path, required=True, help="folder for embedded examples")
    parser.add_argument(
        "--answer-cache",
        type=Path,
        help="the answer trainer's --cache (its embedded examples are reused; default: --cache)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--voices", type=int, default=24, help="espeak-ng voices for requests")
    parser.add_argument("--folds", type=int, default=0, help="also train out-of-fold models")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if "score" in args.tune.parts:
        parser.error("never train on a score part")

    answer_cache = args.answer_cache or args.cache
    answer_set = _embedded(
        answer_cache / f"examples-seed{args.seed}.npz",
        lambda: synthetic_examples(args.seed, 16) + real_examples(args.tune, args.seed),
    )
    near_set = _embedded(
        answer_cache / f"near-seed{args.seed}.npz", lambda: near_answer_examples(args.seed)
    )
    own = _embedded(
        args.cache / f"requests-seed{args.seed}-v{args.voices}.npz",
        lambda: request_examples(args.seed, args.voices),
    )
    x = np.concatenate([answer_set[0], near_set[0], own[0]])
    y = np.concatenate([relabel(answer_set[4]), relabel(near_set[4]), own[1]])
    w = np.concatenate([answer_set[2], near_set[2], own[2]]).astype(np.float32)
    spk = np.concatenate([answer_set[3], near_set[3], own[3]])
    keep = y >= 0
    x, y, w, spk = x[keep], y[keep], w[keep], spk[keep]
    classes = request_classes()
    log.info("examples: %s per class %s", np.bincount(y, minlength=len(classes)).tolist(), classes)
    meta = {"classes": ",".join(classes)}

    if args.folds:
        speakers = sorted({str(s) for s in spk if s})
        fold_of = {
            s: int(hashlib.sha256(s.encode()).hexdigest(), 16) % args.folds for s in speakers
        }
        for k in range(args.folds):
            held = np.array([bool(s) and fold_of[str(s)] == k for s in spk])
            model = train(x[~held], y[~held], w[~held], args.seed, args.epochs, len(classes))
            export(model, args.cache / f"request-fold{k}.onnx", meta)
            log.info("fold %d: %d held-out examples", k, int(held.sum()))
        (args.cache / "request-folds.json").write_text(json.dumps(fold_of))

    model = train(x, y, w, args.seed, args.epochs, len(classes))
    digest = export(
        model,
        args.out,
        {
            **meta,
            "trained_by": f"python -m beckon.lab.train_requests --tune {args.tune} "
            f"--seed {args.seed} --epochs {args.epochs} --voices {args.voices}",
        },
    )
    print(f"{args.out}: sha256 {digest}, {args.out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
