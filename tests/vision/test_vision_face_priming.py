"""The tracker's two-face search, with MediaPipe's landmarkers replaced by scripted ones.

With no track, when the two-face search takes another face than the one-face landmarker's
(the patient in the middle, a visitor larger beside), the one-face landmarker is shown only
the part of the picture around the patient until it finds them there (``FaceTracker._primed``).
That masked state was ended only by a find: when the track ran out first (the patient's face
hidden as it began), every later frame stayed masked, the next track's included, and the
observations were no longer those of the one-face path the benchmark caches. Now a new search
ends it, and it lasts at most ``PRIME_MAX_S``. Closing: one graph that fails to load or to
close no longer leaves the others open.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from beckon.vision import face as face_module
from beckon.vision.choose import PRIME_MAX_S
from beckon.vision.face import FaceTracker
from beckon.vision.frames import Frame
from beckon.vision.smallface import SmallFaceParams

SIZE = (640, 480)
GREY = 127  # what the mask paints (face._only)
PATIENT = (320.0, 240.0, 100.0)  # centre x, y and width in pixels: the middle
VISITOR = (540.0, 230.0, 160.0)  # larger, beside


def _face(box: tuple[float, float, float]) -> list[SimpleNamespace]:
    """478 landmarks filling ``box`` (normalised)."""
    x, y, w = box
    rng = np.random.default_rng(0)
    xs = x + w * (rng.random(478) - 0.5)
    ys = y + w * (rng.random(478) - 0.5)
    xs[:2], ys[:2] = (x - w / 2, x + w / 2), (y - w / 2, y + w / 2)
    return [
        SimpleNamespace(x=a / SIZE[0], y=b / SIZE[1], z=0.0) for a, b in zip(xs, ys, strict=True)
    ]


def _result(*boxes: tuple[float, float, float]) -> SimpleNamespace:
    return SimpleNamespace(
        face_landmarks=[_face(b) for b in boxes],
        facial_transformation_matrixes=[np.eye(4) for _ in boxes],
        face_blendshapes=[],
    )


class _Graph:
    """A landmarker: ``faces(t, masked)`` says which faces it finds; ``masked`` records, per
    call, whether the visitor's place was painted over."""

    def __init__(self, faces: Any) -> None:
        self.faces = faces
        self.masked: list[tuple[float, bool]] = []
        self.closed = False
        self.t = 0.0

    def detect_for_video(self, image: Any, ts: int) -> SimpleNamespace:
        self.t = ts / 1000.0
        masked = bool(image.numpy_view()[int(VISITOR[1]), int(VISITOR[0]), 0] == GREY)
        self.masked.append((self.t, masked))
        return _result(*self.faces(self.t, masked))

    def detect(self, image: Any) -> SimpleNamespace:
        return _result(*self.faces(self.t, False))

    def close(self) -> None:
        self.closed = True


def _tracker(
    monkeypatch: pytest.MonkeyPatch, model: Path, graphs: list[Any], keep_s: float
) -> FaceTracker:
    loads = iter(graphs)

    def load(create: Any, options: Any, path: Path, what: str) -> Any:
        graph = next(loads)
        if isinstance(graph, Exception):
            raise graph
        return graph

    monkeypatch.setattr(face_module, "load_landmarker", load)
    return FaceTracker(model, small_face=SmallFaceParams(enabled=False), keep_s=keep_s)


def _run(tracker: FaceTracker, seconds: float, fps: float = 15.0) -> None:
    rgb = np.full((SIZE[1], SIZE[0], 3), 200, np.uint8)
    for i in range(int(seconds * fps) + 1):
        tracker.observe(Frame(i, i / fps, rgb))


def _model(tmp_path: Path) -> Path:
    path = tmp_path / "face_landmarker.task"
    path.write_bytes(b"scripted")
    return path


def _visitor_then_nobody(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[FaceTracker, _Graph]:
    """A tracker (track kept 10 s) whose one-face landmarker finds the visitor on the first
    frame and nobody after (the patient hidden), while the search finds both and picks the
    patient; and that landmarker, which records what it was shown."""
    main = _Graph(lambda t, masked: [VISITOR] if t == 0.0 else [])
    search = _Graph(lambda t, masked: [VISITOR, PATIENT])
    return _tracker(monkeypatch, _model(tmp_path), [main, search], keep_s=10.0), main


def test_the_whole_picture_is_shown_again_after_prime_max_s(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The visitor is taken first, the search picks the patient; then the patient's face is
    # hidden (nothing found) for 2 s while the track is kept (keep_s 10). Before, every frame
    # stayed masked until the landmarker found the patient.
    tracker, main = _visitor_then_nobody(monkeypatch, tmp_path)
    _run(tracker, 2.0)
    masked = [t for t, m in main.masked if m]
    assert masked, "the patient was taken from the search: the landmarker is primed"
    assert max(masked) <= PRIME_MAX_S < max(t for t, _ in main.masked)


def test_a_track_that_ran_out_before_the_first_find_leaves_no_mask_on_the_next(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # As above, but the track runs out (keep_s 0.5, under PRIME_MAX_S) before the patient is
    # found; at 0.6 s the patient alone is found on the whole picture, and a track begins on
    # the one-face landmarker's own face: nothing to prime. Before, the mask came back from
    # 0.67 s on (the flag was still set from the first search).
    main = _Graph(lambda t, masked: [VISITOR] if t == 0.0 else [] if t < 0.6 else [PATIENT])
    search = _Graph(lambda t, masked: [VISITOR, PATIENT] if t == 0.0 else [PATIENT])
    tracker = _tracker(monkeypatch, _model(tmp_path), [main, search], keep_s=0.5)
    _run(tracker, 1.5)
    assert [t for t, m in main.masked if m and t >= 0.6] == []
    assert tracker.chooser.tracking(1.5, SIZE)


def test_a_landmarker_that_fails_to_load_closes_the_one_loaded_before(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = _Graph(lambda t, masked: [])
    with pytest.raises(RuntimeError, match="no second"):
        _tracker(monkeypatch, _model(tmp_path), [first, RuntimeError("no second")], 10.0)
    assert first.closed


def test_closing_closes_every_graph_when_one_raises(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    class _Stuck(_Graph):
        def close(self) -> None:
            raise RuntimeError("stuck")

    stuck, search = _Stuck(lambda t, masked: []), _Graph(lambda t, masked: [])
    tracker = _tracker(monkeypatch, _model(tmp_path), [stuck, search], 10.0)
    with pytest.raises(RuntimeError, match="stuck"):
        tracker.close()
    assert search.closed
    tracker.close()  # a second close does nothing


class _Crop:
    """The small-face finder: finds the patient in a crop from ``since`` on."""

    def __init__(self, since: float) -> None:
        self.since = since

    def find(self, rgb: Any, t: float, ts: int) -> SimpleNamespace | None:
        if t < self.since:
            return None
        points = np.array([(p.x, p.y, p.z) for p in _face(PATIENT)])
        return SimpleNamespace(points=points, matrix=np.eye(4), blendshapes={})

    def seen(self, points: Any, width: int, t: float) -> None:
        pass

    def close(self) -> None:
        pass


def test_the_crop_finding_the_patient_ends_the_mask(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The masked landmarker finds nothing; the crop finds the patient from 0.3 s: the track
    # goes on with the crop, and the landmarker is shown the whole picture from the next frame.
    tracker, main = _visitor_then_nobody(monkeypatch, tmp_path)
    tracker.small_face = _Crop(since=0.3)  # type: ignore[assignment]
    _run(tracker, 1.0)
    assert [t for t, m in main.masked if m] == [0.067, 0.133, 0.2, 0.267, 0.333]
