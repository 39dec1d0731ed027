"""Real face photos that installed packages ship, for rendering synthetic gesture footage.

Only public-domain photos that come with Beckon's own dependencies (no download at run time):

* ``astronaut``: the packaged crop of scikit-image's ``astronaut`` (NASA portrait of Eileen
  Collins, public domain; see ``beckon/lab/data/README.md``);
* ``hopper``: matplotlib's ``sample_data/grace_hopper.jpg`` (U.S. Navy portrait of Grace
  Hopper, public domain; matplotlib is a dependency of mediapipe);
* ``luispedro``: ``mahotas/demos/data/luispedro.jpg`` from the mahotas wheel on PyPI (a
  photograph of Luis Pedro Coelho, mahotas' author, shipped in his MIT-licensed package as a
  demo image). The face is turned about 20 degrees from the camera, like a tablet placed a
  little to one side of the bed. mahotas is a test/bench dependency only (the ``test`` extra);
  without it this face cannot be rendered and the error says how to install it;
* ``obama``: ``examples/knn_examples/test/obama1.jpg`` of the public GitHub repository
  ``ageitgey/face_recognition`` (MIT-licensed code; the photo is a press photo of Barack Obama
  in the White House briefing room whose own licence is not stated, so it is **not**
  committed or shipped: it is read from :data:`LOCAL_FACES_DIR` at run time, see
  ``docs/gestures.md``). The face rests turned about 17 degrees to the patient's own left
  (luispedro's about 22 to the right), with a different face shape: the development face for
  a patient whose head, not the rendering, rests turned from the camera (session 8).
* ``lacamoire``, ``lps2``, ``lps11`` (session 10): more people to study, read like ``obama``
  from :data:`LOCAL_FACES_DIR` (photos of unstated licence in public GitHub repositories, not
  committed; sources and SHA-256 in ``docs/gestures.md``): ``lacamoire`` is
  ``examples/alex-lacamoire.png`` of ``ageitgey/face_recognition`` (a smiling bearded man with
  curly dark hair, studio light); ``lps2`` and ``lps11`` are ``assets/examples/source/s2.jpg``
  and ``s11.jpg`` of ``KwaiVGI/LivePortrait`` (a black-and-white portrait of a young man
  whose hair falls over his brow; a small girl's printed photo held in a hand, whose brows
  rest high). They vary what the first faces did not: beard, hair over the brow, a child,
  monochrome and re-photographed prints.

``NAME_mirror`` is the photo flipped left-right: a different-looking face for training, never
used for the held-out measurements. ``obama_mirror`` is a studied score face (session 8,
second round): its head rests turned to the patient's own right, the held-out face's side.
Which faces train and which are held out is decided in
:mod:`beckon.lab.benchdata`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from beckon.errors import BeckonError
from beckon.lab.synthetic import RGBImage, load_demo_face
from beckon.paths import beckon_home

FACES = ("astronaut", "hopper", "luispedro")
"""Faces whose photo comes with an installed package."""
LOCAL_FACES = ("obama", "lacamoire", "lps2", "lps11")
"""Faces whose photo is not shipped (licence unclear) but copied by hand into
:func:`local_faces_dir` (see ``docs/gestures.md`` for the commands)."""
LOCAL_FACES_ENV = "BECKON_FACES_DIR"


def local_faces_dir() -> Path:
    """The folder of the :data:`LOCAL_FACES` photos: ``$BECKON_FACES_DIR``, else ``faces`` in
    Beckon's home folder (:func:`beckon.paths.beckon_home`), like every other file Beckon keeps
    out of git, so that no machine's own layout is written into the code."""
    if override := os.environ.get(LOCAL_FACES_ENV):
        return Path(override)
    return beckon_home() / "faces"


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


def _luispedro() -> RGBImage:
    import importlib.util

    spec = importlib.util.find_spec("mahotas")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    path = Path(folders[0]) / "demos" / "data" / "luispedro.jpg" if folders else None
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR) if path is not None else None
    if bgr is None:
        raise BeckonError(
            "the face 'luispedro' comes from the mahotas package, which is not installed here"
            if path is None
            else f"mahotas' demo photo {path} is missing",
            "pip install 'mahotas>=1.4' into Beckon's environment "
            "(scripts/setup.sh --test installs it)",
        )
    rgb = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    # A tight 300 x 377 crop: pad it so that, fitted to 640x480, the face is ~155 px wide (as
    # hopper's), with room around the head to turn.
    h, w = rgb.shape[:2]
    return np.ascontiguousarray(
        cv2.copyMakeBorder(rgb, h // 4, h // 4, 4 * w // 5, 4 * w // 5, cv2.BORDER_REPLICATE)
    )


def _obama() -> RGBImage:
    path = local_faces_dir() / "obama.jpg"
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR) if path.is_file() else None
    if bgr is None:
        raise BeckonError(
            f"the face 'obama' needs its photo at {path}, which is missing or unreadable",
            "copy examples/knn_examples/test/obama1.jpg of the GitHub repository "
            f"ageitgey/face_recognition to {path} (or set {LOCAL_FACES_ENV} to its folder); "
            "see docs/gestures.md",
        )
    rgb = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    # A 1480 x 832 press photo with the hair at the top edge: pad above and below (room to
    # look up and down) and to 4:3, so that fitted to 640x480 the face is ~140 px wide.
    h, w = rgb.shape[:2]
    top = h // 4
    side = max(0, (4 * (h + 2 * top) // 3 - w) // 2)
    return np.ascontiguousarray(cv2.copyMakeBorder(rgb, top, top, side, side, cv2.BORDER_REPLICATE))


@dataclass(frozen=True)
class LocalPhoto:
    """A photo kept out of git (see :data:`LOCAL_FACES`): its file and where it comes from."""

    file: str
    source: str
    pad: float = 0.0
    """Border added on every side, as a fraction of the photo's size (a tight crop otherwise
    leaves the fitted face too large, with no room to turn)."""


LOCAL_PHOTOS = {
    "lacamoire": LocalPhoto(
        "lacamoire.png", "examples/alex-lacamoire.png of ageitgey/face_recognition", 0.3
    ),
    "lps2": LocalPhoto("lps2.jpg", "assets/examples/source/s2.jpg of KwaiVGI/LivePortrait"),
    "lps11": LocalPhoto("lps11.jpg", "assets/examples/source/s11.jpg of KwaiVGI/LivePortrait"),
}


def _local_photo(name: str) -> RGBImage:
    photo = LOCAL_PHOTOS[name]
    path = local_faces_dir() / photo.file
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR) if path.is_file() else None
    if bgr is None:
        raise BeckonError(
            f"the face {name!r} needs its photo at {path}, which is missing or unreadable",
            f"copy {photo.source} to {path} (or set {LOCAL_FACES_ENV} to its folder); "
            "see docs/gestures.md",
        )
    rgb = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    h, w = rgb.shape[:2]
    dy, dx = int(photo.pad * h), int(photo.pad * w)
    return np.ascontiguousarray(cv2.copyMakeBorder(rgb, dy, dy, dx, dx, cv2.BORDER_REPLICATE))


def load_face(name: str) -> RGBImage:
    """The photo called ``name`` (see the module docstring) as RGB."""
    base, _, variant = name.partition("_")
    if base == "astronaut":
        rgb = load_demo_face()
    elif base == "hopper":
        rgb = _hopper()
    elif base == "luispedro":
        rgb = _luispedro()
    elif base == "obama":
        rgb = _obama()
    elif base in LOCAL_PHOTOS:
        rgb = _local_photo(base)
    else:
        known = ", ".join((*FACES, *LOCAL_FACES))
        raise BeckonError(f"unknown face {name!r}; known faces are {known}")
    if variant == "mirror":
        rgb = np.ascontiguousarray(rgb[:, ::-1])
    elif variant:
        raise BeckonError(f"unknown face variant {name!r}; only NAME_mirror exists")
    return rgb
