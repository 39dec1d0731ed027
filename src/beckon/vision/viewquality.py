"""How good the camera's view of the face is: the ramps behind ``FaceObservation.quality``.

Kept apart from :mod:`beckon.vision.face` (which loads MediaPipe) so that the gesture engine
can take one part of the quality apart again (:func:`frontal_share`) without importing the
tracker: the quality multiplies a face-size ramp, a frontality ramp and the share of the face
inside the frame (framing), and a held turn away from the camera lowers the first two at once
(the face foreshortens, and it is further from frontal). The held view floor takes the
frontality back out and judges size times framing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QualityParams:
    """Ramps that turn face size, frontality and framing into a 0..1 quality.

    MediaPipe loses faces narrower than about 60 to 80 px in a 640x480 frame but tracks an
    85 px face (a tablet on a bed arm about 1 m away) well, so quality falls to 0 at
    ``min_width_px`` and is full from ``good_width_px``: a 70 px face scores 0.44, an 85 px
    face 0.78. A head turned past ``frontal_deg`` of yaw (absolute, not relative to neutral)
    starts to lose landmarks on the far side. Quality lowers the detectors' confidence; only
    a very poor view (below the detectors' ``min_quality``) stops them, and the bedside shows
    a ``FaceHint`` (:mod:`beckon.vision.face`) so the nurse can fix the view.
    """

    min_width_px: float = 50.0
    good_width_px: float = 95.0
    frontal_deg: float = 25.0
    away_deg: float = 50.0
    close_hint_px: float = 100.0
    """Below this width the bedside asks to move the tablet closer."""


def ramp(x: float, lo: float, hi: float) -> float:
    """0 at ``lo``, 1 at ``hi``, linear between (works for hi < lo too)."""
    if hi == lo:
        return 1.0 if x >= hi else 0.0
    return float(min(1.0, max(0.0, (x - lo) / (hi - lo))))


def frontal_share(abs_yaw: float, params: QualityParams | None = None) -> float:
    """The frontality factor of the quality at this yaw from the camera (degrees; "absolute"
    as against the neutral pose, either sign: its size is taken here): 1 up to
    ``frontal_deg``, 0 from ``away_deg`` (the far side's landmarks are gone)."""
    p = params or QualityParams()
    return ramp(abs(abs_yaw), p.away_deg, p.frontal_deg)
