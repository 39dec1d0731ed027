"""Windows under pytest-qt, offscreen, driven through a real Mosquitto and real services."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Before pytest-qt creates the QApplication: no screen needed, even where one exists.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from beckon.lab.rig import Rig
from tests.helpers.layout import write_kept_shots
from tests.helpers.question_ward import asking_ward  # noqa: F401  (a fixture for the tests here)

SITE, UNIT = "gh", "icu"


class RecordingSpeaker:
    """Stands in for espeak-ng: the tests assert what the patient would have heard."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []
        self.busy = False  # set by a test: a prompt is in the air

    def say(self, text: str, language: str) -> None:
        self.said.append((text, language))

    def speaking(self) -> bool:
        return self.busy

    def close(self) -> None:
        return None


class RecordingAlarm:
    def __init__(self) -> None:
        self.played: list[bool] = []
        self.levels: list[int] = []  # the escalation level of each sound (0: not one)

    def play(self, loud: bool, level: int = 0) -> None:
        self.played.append(loud)
        self.levels.append(level)

    def close(self) -> None:
        return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """The screenshots a test kept (``tests.helpers.layout.keep_shot``) are written under its
    tmp folder only if it failed."""
    report = yield
    if report.when == "call":
        write_kept_shots(report.failed)
    return report


@pytest.fixture(autouse=True)
def no_closed_windows_left() -> None:
    """Delete now the windows earlier tests closed. pytest-qt closes a test's widgets and
    calls ``deleteLater``, which only a running event loop carries out, so they lived on
    into the next tests, and every new stylesheet, font and translation (``application``,
    ``install_translation``) restyled and retranslated each of them: the station-scale
    tests' set-up grew from 0.6 to 3.5 s, one window more each time."""
    from PyQt6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def speaker() -> RecordingSpeaker:
    return RecordingSpeaker()


@pytest.fixture
def alarm() -> RecordingAlarm:
    return RecordingAlarm()


@pytest.fixture
def look(qapp: Any) -> Iterator[None]:
    """The real stylesheet and English; whatever a test installs is undone afterwards."""
    from beckon.ui.app import Look, application, install_translation

    application(Look("en"), "bedside")
    yield
    install_translation("en")


@pytest.fixture
def scaled(qapp: Any) -> Iterator[Callable[..., None]]:
    """``scaled(scale, role, language="en")``: the real stylesheet of the ``role``'s window
    ("bedside" or "station") at text size ``scale`` in ``language``, as a test asks for it;
    the default look and English come back afterwards."""
    from beckon.ui.app import Look, application, install_translation

    def apply(scale: float, role: str, language: str = "en") -> None:
        application(Look(language, "calm", scale), role)

    yield apply
    application(Look("en"), "bedside")
    install_translation("en")


@pytest.fixture
def rig(mosquitto: Any, tmp_path: Path) -> Iterator[Rig]:
    """Services for gh/icu on the test's broker; whatever the rig runs stops with the test."""
    made = Rig(mosquitto.url, tmp_path, SITE, UNIT)
    yield made
    made.close()


@pytest.fixture
def station_service(rig: Rig) -> Any:
    return rig.serve(rig.station())


@pytest.fixture
def windows(qtbot: Any) -> Iterator[list[Any]]:
    """Every window a test opens is closed (and its threads stopped) at the end."""
    opened: list[Any] = []
    yield opened
    for window in opened:
        window.close()


@pytest.fixture
def open_bedside(
    rig: Rig, tmp_path: Path, windows: list[Any], look: None, qtbot: Any
) -> Callable[..., Any]:
    from beckon.bedside.service import BedsideService
    from beckon.ui.bedside_window import BedsideWindow

    def make(
        bed: str = "12",
        speaker: Any = None,
        offer_seconds: float = 30.0,
        inputs: tuple[str, ...] = ("gesture", "touch"),
    ) -> Any:
        settings = rig.bedside_settings(
            bed,
            {
                "bedside.offered_intents": ["water", "nurse", "pain", "toilet"],
                "bedside.offer_seconds": offer_seconds,
                "bedside.inputs": list(inputs),
                "broker.keepalive": 2,
            },
        )
        window = BedsideWindow(
            BedsideService(settings), speaker=speaker or RecordingSpeaker(), profile_dir=tmp_path
        )
        qtbot.addWidget(window)
        windows.append(window)
        window.start()
        window.show()
        return window

    return make


@pytest.fixture
def open_station(mosquitto: Any, windows: list[Any], look: None, qtbot: Any) -> Callable[..., Any]:
    from beckon.config import BrokerConfig
    from beckon.station.feed import StationFeed
    from beckon.ui.station_window import StationWindow

    def make(nurse: str = "Nurse Kim", alarm: Any = None) -> Any:
        feed = StationFeed(BrokerConfig(url=mosquitto.url), SITE, UNIT)
        window = StationWindow(feed, nurse=nurse, alarm=alarm or RecordingAlarm())
        qtbot.addWidget(window)
        windows.append(window)
        window.start()
        window.show()
        qtbot.waitUntil(lambda: window.queue is not None, timeout=10_000)
        return window

    return make
