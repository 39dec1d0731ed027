"""The face photos the synthetic footage is rendered from (lab/faces.py)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from beckon.errors import BeckonError
from beckon.lab import benchdata, faces


def test_every_listed_face_loads_as_an_rgb_photo() -> None:
    assert set(benchdata.SCORE_ONLY_FACES) <= set(faces.FACES)
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
