"""The three expression channels (blink, jaw, brow) from MediaPipe's blendshape scores.

One rule, read by the engine (live), the calibration (resting levels) and the sequence model
(its features): a face turned from the camera reads its blink from the nearer eye and its
brows by the outer brows' mean, so all three see the same channel.
"""

from __future__ import annotations

from collections.abc import Mapping

CHANNEL_NAMES = ("blink", "jaw", "brow")

NEAR_EYE_FROM_DEG = 5.0
NEAR_EYE_FULL_DEG = 15.0
"""A face turned this far from the camera (absolute yaw) reads its blink from the nearer eye
(see :func:`channels`), with a linear blend from ``NEAR_EYE_FROM_DEG``."""
FAR_EYE_SHARE = 0.5
"""The nearer eye counts only as far as the far eye follows it: at most the far eye's score
divided by this, so one eye squinting or winking is still not a blink."""


def channels(blendshapes: Mapping[str, float], yaw_deg: float | None = None) -> dict[str, float]:
    """The three expression channels from MediaPipe's 52 blendshape scores.

    blink: the less closed eye (a long blink closes both; one eye squinting is not a blink).
    On a face turned from the camera (``yaw_deg``, the head's absolute yaw) the far eye is
    foreshortened and its score reads low: a patient resting 14 degrees to the left closed
    both eyes and MediaPipe read 0.38 on the near eye, 0.23 on the far one (rest 0.05), under
    the default bar. So the blink comes from the nearer eye there, as far as the far eye
    follows it (``FAR_EYE_SHARE``), blended in between ``NEAR_EYE_FROM_DEG`` and
    ``NEAR_EYE_FULL_DEG`` so that the channel does not jump while the head turns.
    jaw: jawOpen. brow: the most raised of inner and outer brows (glasses hide some of them).
    On a turned face (blended in over the same yaw as the blink) the outer brows count by
    their mean, not their maximum: MediaPipe reads the far outer brow raised at rest (0.16 to
    0.20 on ``hopper`` resting 20 degrees to the side, the near one 0.02 to 0.09) and its
    score swings with small head movements, so the maximum's resting spread set the adapted
    bar (``EngineParams.adapt_k``) above the brow raise itself (0.22 against 0.18), while the
    mean keeps both brows' rise and halves the far brow's noise.
    """
    b = blendshapes
    left, right = b.get("eyeBlinkLeft", 0.0), b.get("eyeBlinkRight", 0.0)
    inner = b.get("browInnerUp", 0.0)
    outer_l, outer_r = b.get("browOuterUpLeft", 0.0), b.get("browOuterUpRight", 0.0)
    blink = min(left, right)
    brow = max(inner, outer_l, outer_r)
    if yaw_deg is not None:
        w = (abs(yaw_deg) - NEAR_EYE_FROM_DEG) / (NEAR_EYE_FULL_DEG - NEAR_EYE_FROM_DEG)
        if w > 0.0:
            # yaw > 0: turned to the patient's own left, so the left eye is the far one.
            near, far = (right, left) if yaw_deg > 0 else (left, right)
            seen = max(blink, min(near, far / FAR_EYE_SHARE))
            blink += min(1.0, w) * (seen - blink)
            brow += min(1.0, w) * (max(inner, 0.5 * (outer_l + outer_r)) - brow)
    return {"blink": blink, "jaw": b.get("jawOpen", 0.0), "brow": brow}
