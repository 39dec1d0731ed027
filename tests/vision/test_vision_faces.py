"""The face photos the synthetic footage is rendered from (lab/faces.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np
import pytest

from beckon.errors import BeckonError
from beckon.lab import benchdata, faces


def test_every_listed_face_loads_as_an_rgb_photo() -> None:
    # A score face is a listed photo or its mirror (obama_mirror, session 8).
    bases = {name.removesuffix("_mirror") for name in benchdata.SCORE_ONLY_FACES}
    assert bases <= set(faces.FACES) | set(faces.LOCAL_FACES)
    for name in faces.FACES:
        rgb = faces.load_face(name)
        assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
        assert min(rgb.shape[:2]) >= 288, name


def test_the_held_out_face_is_padded_so_the_fitted_frame_shows_the_whole_head() -> None:
    rgb = faces.load_face("luispedro")
    # The 300 x 377 crop, padded: wider than 4:3 so that 640x480 keeps the head with room.
    assert rgb.shape[1] > 2 * 300 and rgb.shape[0] > 377
    mirrored = faces.load_face("luispedro_mirror")
    assert np.array_equal(mirrored, rgb[:, ::-1])


def test_a_missing_mahotas_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def without_mahotas(name: str, *args: object) -> object:
        return None if name == "mahotas" else real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_mahotas)
    with pytest.raises(BeckonError) as err:
        faces.load_face("luispedro")
    assert "mahotas" in str(err.value)
    assert "pip install" in (err.value.hint or "")


def test_an_unknown_face_names_the_known_ones() -> None:
    with pytest.raises(BeckonError, match="luispedro"):
        faces.load_face("nobody")


def test_a_local_face_without_its_photo_says_where_to_put_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # obama's photo is not shipped (its licence is not stated): a machine without it gets
    # the folder and the source to copy it from, not a crash in the renderer.
    monkeypatch.setenv(faces.LOCAL_FACES_ENV, str(tmp_path))
    with pytest.raises(BeckonError) as err:
        faces.load_face("obama")
    assert str(tmp_path / "obama.jpg") in str(err.value)
    assert "ageitgey/face_recognition" in (err.value.hint or "")


def test_a_local_face_is_read_from_its_folder_and_padded_to_four_by_three(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A stand-in of the photo's size (1480 x 832): padded above and below by a quarter of its
    # height, then at the sides to 4:3, so the fitted 640x480 frame keeps room around the head.
    photo = np.zeros((832, 1480, 3), dtype=np.uint8)
    photo[:, :, 2] = 200  # red in BGR: the loader must give RGB
    assert cv2.imwrite(str(tmp_path / "obama.jpg"), photo)
    monkeypatch.setenv(faces.LOCAL_FACES_ENV, str(tmp_path))
    rgb = faces.load_face("obama")
    h, w = rgb.shape[:2]
    assert h == 832 + 2 * (832 // 4)
    assert abs(w / h - 4 / 3) < 0.01
    assert rgb[h // 2, w // 2, 0] > 150 and rgb[h // 2, w // 2, 2] < 50
    mirrored = faces.load_face("obama_mirror")
    assert np.array_equal(mirrored, rgb[:, ::-1])


@pytest.mark.parametrize("name", ["lacamoire", "lps2", "lps11"])
def test_session_10_faces_say_where_their_photo_comes_from(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    monkeypatch.setenv(faces.LOCAL_FACES_ENV, str(tmp_path))
    with pytest.raises(BeckonError) as err:
        faces.load_face(name)
    photo = faces.LOCAL_PHOTOS[name]
    assert str(tmp_path / photo.file) in str(err.value)
    assert "ageitgey/face_recognition" in (err.value.hint or "") or "LivePortrait" in (
        err.value.hint or ""
    )


def test_a_tight_local_photo_is_padded_on_every_side(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # lacamoire's 424 x 394 portrait fills the frame: padded by 0.3 of its size on each side
    # so the fitted face is about 140 px wide with room to turn, as the other faces.
    photo = np.full((394, 424, 3), 90, dtype=np.uint8)
    assert cv2.imwrite(str(tmp_path / "lacamoire.png"), photo)
    monkeypatch.setenv(faces.LOCAL_FACES_ENV, str(tmp_path))
    rgb = faces.load_face("lacamoire_mirror")
    assert rgb.shape[:2] == (394 + 2 * int(0.3 * 394), 424 + 2 * int(0.3 * 424))


def test_local_photos_live_in_beckons_home_unless_a_folder_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No development machine's own layout in the code: the default follows BECKON_HOME.
    monkeypatch.delenv(faces.LOCAL_FACES_ENV, raising=False)
    monkeypatch.setenv("BECKON_HOME", str(tmp_path / "home"))
    assert faces.local_faces_dir() == tmp_path / "home" / "faces"
    monkeypatch.setenv(faces.LOCAL_FACES_ENV, str(tmp_path / "photos"))
    assert faces.local_faces_dir() == tmp_path / "photos"
