"""Issue 12, point 6: text large enough to read from the bed. The sizes are stated in docs/ui.md
for the screens and distances in beckon.ui.theme (a 10.1-inch 1280x800 tablet at 1 m, at 1.5 m
with --font-scale 1.5, staff at 0.5 m; a 23.8-inch 1920x1080 desk screen at 0.8 m).

The real windows are rendered (offscreen) in states that show their smallest text; for every
visible label and button the capital height of the font Qt actually uses (QFontMetricsF, after
the stylesheet) is converted to millimetres on the reference screen and compared with the height
a capital needs to subtend 10 minutes of arc at the reading distance (6/12 vision).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtGui import QFontMetricsF
from PyQt6.QtWidgets import QAbstractButton, QLabel, QWidget

from beckon.bedside import events as ev
from beckon.bedside.interaction import MenuView
from beckon.bedside.timeline import RequestTrack
from beckon.ui import theme
from tests.helpers.windows import bed12_window

ITEMS = ["nurse", "water", "pain", "toilet", "reposition", "emergency"]
# Staff (the staff menu holds Calibrate, Show camera, Exit): read by a nurse standing at the tablet.
STAFF_ONLY = frozenset({"smallButton"})


def smallest(
    window: QWidget, names: frozenset[str] | None = None, exclude: frozenset[str] = frozenset()
) -> Any:
    """(capital height in px, widget name) of the smallest visible text."""
    found = []
    widgets: list[QLabel | QAbstractButton] = [
        *window.findChildren(QLabel),
        *window.findChildren(QAbstractButton),
    ]
    for widget in widgets:
        if not widget.isVisible() or not widget.text().strip():
            continue
        name = widget.objectName()
        if (names is not None and name not in names) or name in exclude:
            continue
        cap = QFontMetricsF(widget.font()).capHeight()
        found.append((cap, f"{name or type(widget).__name__} {widget.text()[:30]!r}"))
    assert found, "no text found"
    return min(found)


def bedside(qtbot: Any, tmp_path: Path) -> Any:
    # Nothing listens on the broker: the offline notices too.
    window = bed12_window(
        qtbot, tmp_path, bedside_offered_intents=ITEMS, broker_url="mqtt://127.0.0.1:9"
    )
    window.resize(1280, 800)
    window.show()
    window.staff.unlock()
    window.on_event(ev.MenuChanged(MenuView(tuple(ITEMS), "water", "offering"), 0.0))
    window.on_event(ev.ConnectionChanged(False))
    window.timeline.tracks = [
        RequestTrack("r1", "reposition", "acknowledged", "Nurse Kim"),
        RequestTrack("r0", "water", "resolved"),
    ]
    window.timeline.online = False
    window._show_timeline()
    window._poll()
    qtbot.wait(50)
    return window


@pytest.mark.parametrize(
    ("scale", "viewing"), [(1.0, theme.BEDSIDE), (1.5, theme.BEDSIDE_FAR)], ids=["1m", "1.5m"]
)
def test_patient_text_is_readable_from_the_bed(
    qtbot: Any, scaled: Any, tmp_path: Path, scale: float, viewing: theme.Viewing
) -> None:
    scaled(scale, "bedside")
    window = bedside(qtbot, tmp_path)
    cap_px, what = smallest(window, exclude=STAFF_ONLY)
    mm, need = viewing.cap_mm(cap_px), viewing.needed_cap_mm()
    assert mm >= need, f"{what}: capitals {mm:.2f} mm high, {viewing.name} needs {need:.2f} mm"
    # The status steps and chips the issue measured at 2.7 mm and 2 mm are among them.
    steps = smallest(window, names=frozenset({"stepLabel", "statusPillText"}))
    assert viewing.cap_mm(steps[0]) >= need, steps


def test_staff_controls_are_readable_standing_at_the_tablet(
    qtbot: Any, scaled: Any, tmp_path: Path
) -> None:
    scaled(1.0, "bedside")
    window = bedside(qtbot, tmp_path)
    cap_px, what = smallest(window, names=STAFF_ONLY)
    viewing = theme.BEDSIDE_STAFF
    mm, need = viewing.cap_mm(cap_px), viewing.needed_cap_mm()
    assert mm >= need, f"{what}: capitals {mm:.2f} mm high, {viewing.name} needs {need:.2f} mm"


def test_station_text_is_readable_from_the_desk(
    qtbot: Any, scaled: Any, mosquitto: Any, station_service: Any, windows: list[Any]
) -> None:
    from beckon.config import BrokerConfig
    from beckon.station.feed import StationFeed
    from beckon.ui.station_window import StationWindow
    from tests.helpers.ward import BEDS, publish_ward
    from tests.ui.conftest import SITE, UNIT, RecordingAlarm

    scaled(1.0, "station")
    window = StationWindow(
        StationFeed(BrokerConfig(url=mosquitto.url), SITE, UNIT), alarm=RecordingAlarm()
    )
    qtbot.addWidget(window)
    windows.append(window)
    window.resize(1920, 1080)
    window.start()
    window.show()
    publish_ward(mosquitto.port, SITE, UNIT)
    qtbot.waitUntil(lambda: len(window.rows) == len(BEDS), timeout=20_000)
    qtbot.wait(300)
    cap_px, what = smallest(window)
    viewing = theme.STATION
    mm, need = viewing.cap_mm(cap_px), viewing.needed_cap_mm()
    assert mm >= need, f"{what}: capitals {mm:.2f} mm high, {viewing.name} needs {need:.2f} mm"


def test_the_reference_screens_are_what_docs_ui_md_says() -> None:
    assert round(theme.BEDSIDE.mm_per_px, 3) == 0.170
    assert round(theme.BEDSIDE.needed_cap_mm(), 1) == 2.9
    assert round(theme.BEDSIDE_FAR.needed_cap_mm(), 1) == 4.4
    assert round(theme.STATION.needed_cap_mm(), 1) == 2.3
