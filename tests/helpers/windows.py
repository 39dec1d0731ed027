"""Bed 12's bedside window for tests that look at it: real settings, an unstarted service
(:func:`bed12_window`), or started and online over the test's broker (:func:`bedside_with`);
and a nurse asking a bed a question from the station window (:func:`ask`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def bed12_window(
    qtbot: Any, folder: Path, language: str = "en", *, vision: Any = None, **keys: object
) -> Any:
    """Bed 12 of gh/icu (outbox ``folder/o.sqlite3``) in ``language``, plus config ``keys``
    given with their dotted names as ``bedside_offered_intents=...`` or ``broker_url=...``;
    ``vision``: its camera (a ``CameraSpec``), or none; not shown."""
    from beckon.bedside.service import BedsideService
    from beckon.config import load_bedside
    from beckon.ui.bedside_window import BedsideWindow

    overrides: dict[str, object] = {
        "bedside.site": "gh",
        "bedside.unit": "icu",
        "bedside.bed": "12",
        "bedside.outbox": str(folder / "o.sqlite3"),
    }
    overrides.update({key.replace("_", ".", 1): value for key, value in keys.items()})
    window = BedsideWindow(
        BedsideService(load_bedside(None, overrides)), language=language, vision=vision
    )
    qtbot.addWidget(window)
    return window


def bedside_with(
    rig: Any,
    tmp_path: Path,
    windows: list[Any],
    qtbot: Any,
    speaker: Any,
    offered: list[str],
    profile: Path | None = None,
) -> Any:
    """Bed 12 of the ``rig``'s ward offering ``offered`` (4 s each), started, shown and
    online (the station heard), speaking to ``speaker``; closed with ``windows``; with the
    patient's ``profile`` file (none: the default profile)."""
    from beckon.bedside.service import BedsideService
    from beckon.ui.bedside_window import BedsideWindow

    keys: dict[str, object] = {"bedside.offered_intents": offered, "bedside.offer_seconds": 4.0}
    if profile is not None:
        keys["bedside.profile"] = str(profile)
    settings = rig.bedside_settings("12", keys)
    window = BedsideWindow(BedsideService(settings), speaker=speaker, profile_dir=tmp_path)
    qtbot.addWidget(window)
    windows.append(window)
    window.start()
    window.show()
    qtbot.waitUntil(lambda: window.timeline.online is True, timeout=15_000)
    return window


def ask(qtbot: Any, station: Any, bed: str, text: str) -> None:
    """A nurse at the ``station`` window asks ``bed`` the yes/no question ``text``."""
    from PyQt6.QtCore import Qt

    station.ask_bed.setCurrentText(bed)
    station.ask_text.setCurrentText(text)
    qtbot.mouseClick(station.ask_button, Qt.MouseButton.LeftButton)


def rest_away(window: Any, qtbot: Any, folder: Path) -> None:
    """Bed 12's ``window`` with a camera whose patient rests far from his learned rest (the
    face status's hint ``away_from_rest``): the face chip says so and, where the page and the
    window have room, the large calm line (``rest_note``). No camera runs: a vision worker
    never started stands in, its status through the worker's own queued signal, and goes
    again as the window closes (a worker never started cannot be stopped)."""
    from PyQt6.QtCore import QEvent, QObject

    from beckon.bedside.host import CameraSpec
    from beckon.bedside.vision_worker import VisionWorker
    from beckon.vision.pipeline import FaceStatus

    class Unplug(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event is not None and event.type() == QEvent.Type.Close:
                window.host.vision = None
            return False

    camera = CameraSpec(folder / "face.task", "0")
    window.vision = camera
    window.host.vision = VisionWorker(camera.model_path, camera.source, post=lambda item: None)
    window.installEventFilter(Unplug(window))
    window.bridge.face.emit(FaceStatus(30.0, True, True, 1.0, "away_from_rest"))
    qtbot.waitUntil(lambda: window.face_hint == "away_from_rest", timeout=5_000)
