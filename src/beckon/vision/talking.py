"""Talking told from the jaw's flickers, not from how far it opens.

Why: the engine drops a nod or shake during which the jaw opened by half the mouth_open
threshold (a cough, talking). That check needs the jaw score to rise by 0.1, and on a small
face turned from the camera MediaPipe's ``jawOpen`` barely moves: a 78 px face turned about
20 degrees read 0.01 to 0.04 above a rest of 0.001 while the patient talked (the wide recipe's
``hopper`` off-axis ``negative-501``), so its talking sway of the head (yaw wobbling 2 degrees
at about 1 Hz), measured against the bar lowered by the calm second before it, passed for two
shakes. What still shows is the rhythm: talking opens and closes the jaw at the syllable rate
(3 to 5 Hz), so even a weak jaw score rises and falls again and again within a few seconds,
while a closed-mouth shake leaves it still. The engine then asks a shake for the detector's
full swing bar (``EngineParams.talk_flickers``).

A lip landmark distance (inner lip gap over face width) would be a cue independent of the
blendshape, but the bench's cache keeps blendshapes and the head rotation, not landmarks, so it
could not be measured on the rendered and real clips; the jaw score's own flickers could: see
docs/journal/gestures.md, "Talking told from the jaw's flickers".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def jaw_flickers(rises: Sequence[float], min_rise: float, noise_k: float) -> int:
    """How many times the jaw score rose above rest by the band and fell back under half of it,
    in ``rises`` (the jaw score above the patient's rest over a few seconds, oldest first).

    The band is ``min_rise``, or ``noise_k`` times the jaw's own jitter in the window if that
    is larger: the spread of its lower half (median minus 10th percentile), because talking
    only raises the score, so the lower half is the closed jaw's jitter even while the patient
    talks. A face whose jaw score jitters by 0.01 frame to frame would otherwise flicker all
    the time. Half-way hysteresis so that one opening that wavers near the band counts once;
    a rise still open at the end counts (talking that goes on).
    """
    if not rises:
        return 0
    values = np.asarray(rises, dtype=float)
    jitter = float(np.percentile(values, 50) - np.percentile(values, 10))
    band = max(min_rise, noise_k * jitter)
    count = 0
    up = False
    for v in values:
        if not up and v >= band:
            up = True
            count += 1
        elif up and v < 0.5 * band:
            up = False
    return count
