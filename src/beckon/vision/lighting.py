"""Whether the picture itself is too dark or too bright to see a face in.

Why: at night an ICU is dim, and a tablet's camera in a dark room (or with its lens covered by
a sheet) found no face, or found one too poorly to see a nod; in front of a window it saw a
washed-out picture. The screen said only "Face not found" (or even "Face found") while the
patient's gestures were missed, and nobody knew to switch on a light. A look at a few hundred
pixels of each frame names the fix.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

LightHint = Literal["too_dark", "too_bright"]

DARK_MEAN = 25.0
"""A picture darker than this on average (of 255) is too dark: a face is lost or poorly seen
(measured: gestures were missed at a mean of 5, and still found at 9, on rendered faces; a
real sensor's noise is worse in the dark, hence the margin)."""
BRIGHT_SHARE = 0.5
"""A picture with more than this share of saturated pixels is washed out (a window, a lamp)."""


def light_hint(rgb: npt.NDArray[np.uint8]) -> LightHint | None:
    """The fix the picture's light needs, or None when it is fine. Looks at every 8th pixel."""
    sample = np.asarray(rgb[::8, ::8], dtype=np.float32)
    if sample.size == 0:
        return None
    if float(sample.mean()) < DARK_MEAN:
        return "too_dark"
    if float((sample.min(axis=-1) >= 250).mean()) > BRIGHT_SHARE:
        return "too_bright"
    return None
