"""Real face photos that installed packages ship, for rendering synthetic gesture footage.

Only public-domain photos that come with Beckon's own dependencies (no download at run time):

* ``astronaut``: the packaged crop of scikit-image's ``astronaut`` (NASA portrait of Eileen
  Collins, public domain; see ``beckon/lab/data/README.md``);
* ``hopper``: matplotlib's ``sample_data/grace_hopper.jpg`` (U.S. Navy portrait of Grace
  Hopper, public domain; matplotlib is a dependency of mediapipe).

``NAME_mirror`` is the photo flipped left-right: a different-looking face for training, never
used for the held-out measurements. Which faces train and which are held out is decided in
:mod:`beckon.lab.benchdata`.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from beckon.errors import BeckonError
from beckon.lab.synthetic import RGBImage, load_demo_face

FACES = ("astronaut", "hopper")


def _hopper() -> RGBImage:
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise BeckonError(
            f"matplotlib's sample photo {path} is missing", "reinstall matplotlib (pip install)"
        )
    rgb = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    # Pad the portrait so that, fitted to 640x480, the face is a bedside-like ~170 px wide.
    w = rgb.shape[1]
    pad = w // 4
    return np.ascontiguousarray(
        cv2.copyMakeBorder(rgb, pad // 2, pad // 2, pad, pad, cv2.BORDER_REPLICATE)
    )


def load_face(name: str) -> RGBImage:
    """The photo called ``name`` (see the module docstring) as RGB."""
    base, _, variant = name.partition("_")
    if base == "astronaut":
        rgb = load_demo_face()
    elif base == "hopper":
        rgb = _hopper()
    else:
        raise BeckonError(f"unknown face {name!r}; known faces are {', '.join(FACES)}")
    if variant == "mirror":
        rgb = np.ascontiguousarray(rgb[:, ::-1])
    elif variant:
        raise BeckonError(f"unknown face variant {name!r}; only NAME_mirror exists")
    return rgb
