"""The set-up of the window tests of a nurse's question in the middle of a choice: bed 12's
real window and a real station window on the test's Mosquitto (the station's service running),
the patient's speech recorded. One fixture, ``asking_ward``, instead of the same eight
fixtures and two lines at the top of every such test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.windows import bedside_with


@dataclass
class Ward:
    """Bed 12's window (``bedside``), the station window a nurse asks from (``station``), and
    what the bedside said (``speaker``)."""

    bedside: Any
    station: Any
    speaker: Any


def held_back(qtbot: Any, bedside: Any, timeout_ms: int = 15_000) -> None:
    """Until a nurse's question has reached the bed and waits there for its turn (behind a
    confirmation, the touch page, or the settle after one). A fixed 1.5 s ("delivered to the
    bed by now") took whatever the delivery took; a question shown at once instead never gets
    here, and the wait fails."""
    service = bedside.service
    qtbot.waitUntil(lambda: bool(service._questions_waiting), timeout=timeout_ms)


@pytest.fixture
def asking_ward(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    tmp_path: Path,
    windows: list[Any],
    look: None,
    speaker: Any,
    open_station: Any,
) -> Callable[..., Ward]:
    """``asking_ward(offered, profile=None)``: bed 12 offering ``offered`` (4 s each; the
    patient's profile is the TOML text ``profile``, or the default one) and Nurse Lee's
    station."""

    def make(offered: list[str], profile: str | None = None) -> Ward:
        path = None
        if profile is not None:
            path = tmp_path / "profile.toml"
            path.write_text(profile)
        bedside = bedside_with(rig, tmp_path, windows, qtbot, speaker, offered, path)
        return Ward(bedside, open_station(nurse="Nurse Lee"), speaker)

    return make
