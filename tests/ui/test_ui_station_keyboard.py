"""A nurse at the station with the keyboard and a screen reader: a call's buttons say which bed
and request they act on, a button reached with Tab brings its call into view and keeps it there
while the list changes around it, and Enter presses it as Space does. Real Mosquitto, a real
station service, a ward of real protocol messages."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QScrollArea

from beckon.config import BrokerConfig
from beckon.station.feed import StationFeed
from beckon.ui.station_window import StationWindow
from tests.helpers.ward import BEDS, publish_ward
from tests.ui.conftest import SITE, UNIT, RecordingAlarm

WAIT_MS = 20_000


def test_the_calls_buttons_are_named_followed_and_pressed_with_enter(
    qtbot: Any, look: None, mosquitto: Any, rig: Any, windows: list[Any]
) -> None:
    rig.serve(rig.station())
    feed = StationFeed(BrokerConfig(url=mosquitto.url, keepalive=2), SITE, UNIT)
    window = StationWindow(feed, nurse="Nurse Kim", alarm=RecordingAlarm())
    qtbot.addWidget(window)
    windows.append(window)
    window.resize(1024, 560)  # a small desk screen: the calls do not all fit
    window.start()
    window.show()
    publish_ward(mosquitto.port, SITE, UNIT)
    qtbot.waitUntil(lambda: len(window.rows) == len(BEDS), timeout=WAIT_MS)

    for row in window.rows.values():
        name = row.ack.accessibleName()
        assert name.startswith("Acknowledge: ") and row.bed.text() in name
        assert row.request.text() in name, name

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)  # focus events need it
    waiting = [r for r in window.rows.values() if not r.ack.isHidden()]
    scroll = next(s for s in window.findChildren(QScrollArea) if s.isAncestorOf(waiting[0]))
    bar, viewport = scroll.verticalScrollBar(), scroll.viewport()
    assert bar is not None and viewport is not None
    bar.setValue(0)
    # Laid out, the calls do not all fit: the last ones are below the fold.
    qtbot.waitUntil(lambda: any(r.y() >= viewport.height() for r in waiting), timeout=WAIT_MS)
    last = max(waiting, key=lambda r: r.y())
    last.ack.setFocus(Qt.FocusReason.TabFocusReason)

    def in_view() -> bool:
        top = last.y() - bar.value()
        return top >= 0 and top + last.ack.y() + last.ack.height() <= viewport.height()

    qtbot.waitUntil(in_view, timeout=WAIT_MS)

    # The list changes around the focused call: a call above grows (its row takes another
    # shape), then the window shrinks (an alert band above the list): the call stays in view.
    first = min(waiting, key=lambda r: r.y())
    first.setMinimumHeight(first.height() + viewport.height())
    qtbot.waitUntil(
        lambda: last.y() - bar.value() > viewport.height() or in_view(), timeout=WAIT_MS
    )
    qtbot.waitUntil(in_view, timeout=WAIT_MS)
    window.resize(1024, 480)
    qtbot.waitUntil(lambda: viewport.height() < 480, timeout=WAIT_MS)
    qtbot.waitUntil(in_view, timeout=WAIT_MS)
    # A nurse who scrolled away is left there: the list does not jump back to the focus.
    bar.setValue(0)
    first.setMinimumHeight(0)
    qtbot.wait(300)
    assert bar.value() == 0 and not in_view()

    qtbot.keyClick(last.ack, Qt.Key.Key_Return)
    request_id = last.request_id

    def acknowledged() -> bool:
        row = window.rows.get(request_id)
        return row is not None and row.view is not None and row.view.state == "acknowledged"

    qtbot.waitUntil(acknowledged, timeout=WAIT_MS)
