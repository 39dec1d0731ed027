"""Which of the faces in view is the patient's.

Why: a visitor leaning in beside the bed is a second face. MediaPipe, asked for one face, takes
whichever it detects first and, once the patient's face is hidden for a moment, tracks the
visitor instead: the visitor's shake and nod became requests and the patient's nod was missed,
while the screen said "Face found". So a face counts only if it continues the patient's track:
the face nearest where the patient's was, and none at all (the patient is out of view) when
every face in view is far from it; the tracker then looks for the patient in a crop around that
place (:mod:`beckon.vision.smallface`), as MediaPipe, asked for one face, keeps following the
visitor. Asking MediaPipe for two faces instead costs every frame 17% more. A face elsewhere is
taken only once the patient's track has been gone ``keep_s``, the time after which the bedside
relearns the neutral pose anyway (:mod:`beckon.vision.absence`: a new patient, a moved tablet).

With no track to continue (the start, or after such an absence) the tracker asks MediaPipe for
two faces on the picture where a face is found (:meth:`FaceChooser.tracking`; one call when a
track starts) and the face nearest the middle of the picture, counted in its own widths, is
taken (:func:`nearest_middle`): the tablet is set up facing the patient, whose face is
normally the largest and the nearest the middle; a visitor stands to one side. Asked for one
face, MediaPipe mostly takes the larger: a visitor leaning in beside the patient, nearer the
tablet, was taken over the patient in the middle (session 39).

Plain Python on normalised landmark boxes; no MediaPipe here, so it is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

PRIME_MARGIN_WIDTHS = 1.5
"""How far around the patient's face (in its widths, each way) the picture is kept while the
one-face landmarker first finds it (:func:`around`): the rest, a visitor included, is hidden."""

PRIME_MAX_S = 1.0
"""Longest the one-face landmarker is shown only the part around the patient (15 frames at
15 fps): if it has not found the face there by then (hidden as the track began), it is shown
the whole picture again, and the track, not the mask, keeps a visitor out (with the crop of
:mod:`beckon.vision.smallface`), as when the patient's face is hidden a moment. Unbounded, a
track that ran out before the first find left every later frame masked."""

MAX_STEP_WIDTHS = 1.0
"""A face whose centre is more than this many face widths from the patient's last centre is
someone else (a head moves far less than a face width between two frames, even in a shake)."""


@dataclass(frozen=True)
class FaceBox:
    """A face in the picture: centre and width in pixels."""

    x: float
    y: float
    width: float


class FaceChooser:
    """Feed each frame's faces to :meth:`choose`; it returns the index of the patient's face
    (None: the patient is not among them)."""

    def __init__(self, keep_s: float = 10.0) -> None:
        self.keep_s = keep_s
        self._last: FaceBox | None = None
        self._last_t = 0.0
        self._frame_size = (0, 0)

    def tracking(self, t: float, frame_size: tuple[int, int]) -> bool:
        """Whether a patient's track exists at ``t`` for a picture of ``frame_size`` (the face
        in view continues it, or it was seen within ``keep_s``): without one, the tracker asks
        MediaPipe for every face in view so that :meth:`choose` can pick the patient's."""
        return (
            self._last is not None
            and t - self._last_t <= self.keep_s
            and frame_size == self._frame_size
        )

    @property
    def last(self) -> FaceBox | None:
        """The patient's face where it was last seen (None: no track)."""
        return self._last

    def choose(self, faces: list[FaceBox], t: float, frame_size: tuple[int, int]) -> int | None:
        """``faces`` in pixels of a ``frame_size`` (width, height) picture, at time ``t``."""
        if not faces:
            return None
        last = self._last
        if last is not None and (t - self._last_t > self.keep_s or frame_size != self._frame_size):
            last = self._last = None  # the track is gone (or the camera changed): start again
        self._frame_size = frame_size
        if last is None:
            pick = nearest_middle(faces, frame_size)
        else:
            distances = [((f.x - last.x) ** 2 + (f.y - last.y) ** 2) ** 0.5 for f in faces]
            pick = min(range(len(faces)), key=distances.__getitem__)
            if distances[pick] > MAX_STEP_WIDTHS * max(last.width, faces[pick].width):
                return None  # someone else: the patient's face is hidden or gone for now
        self._last, self._last_t = faces[pick], t
        return pick


def nearest_middle(faces: list[FaceBox], frame_size: tuple[int, int]) -> int:
    """The index of the face nearest the middle of the picture counted in its own widths (the
    larger for a tie): the patient's, in the middle and near; a visitor beside the bed is a
    face width or more to the side, and a face far behind is small."""

    def off_centre(face: FaceBox) -> tuple[float, float]:
        cx, cy = frame_size[0] / 2.0, frame_size[1] / 2.0
        off = ((face.x - cx) ** 2 + (face.y - cy) ** 2) ** 0.5
        return off / max(face.width, 1.0), -face.width

    return min(range(len(faces)), key=lambda i: off_centre(faces[i]))


def around(face: FaceBox, frame_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The part of the picture kept (x0, y0, x1, y1 in pixels) while the one-face landmarker
    first finds the patient's ``face``: :data:`PRIME_MARGIN_WIDTHS` of its width each way."""
    m = PRIME_MARGIN_WIDTHS * face.width
    w, h = frame_size
    x0, x1 = max(0, int(face.x - m)), min(w, int(face.x + m) + 1)
    y0, y1 = max(0, int(face.y - m)), min(h, int(face.y + m) + 1)
    return x0, y0, x1, y1


def face_box(points_xy: object, frame_size: tuple[int, int]) -> FaceBox:
    """The box of normalised landmarks ``points_xy`` (N x 2, 0..1) in pixels."""
    import numpy as np

    xy = np.asarray(points_xy, dtype=np.float64)[:, :2] * frame_size
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    return FaceBox(float((lo[0] + hi[0]) / 2), float((lo[1] + hi[1]) / 2), float(hi[0] - lo[0]))
