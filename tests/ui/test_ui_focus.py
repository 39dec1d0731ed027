"""Keyboard focus shows: a nurse who tabs through the calls (no mouse at a nurse station's
keyboard, or a screen reader) sees which button Enter will press. Before, the focus had no
style at all; Qt's dotted frame was hidden under the themes' own borders. At the bedside a
tapped tile keeps the focus, so there the frame must not show (it would look chosen)."""

from __future__ import annotations

from typing import Any

import pytest
from PyQt6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from beckon.ui import theme


def edge_colours(button: QPushButton) -> set[str]:
    """The colours along the button's left edge, a few pixels in (its border)."""
    image = button.grab().toImage()
    y_mid = image.height() // 2
    return {image.pixelColor(x, y_mid).name() for x in range(1, 4)}


def focus_frames(qtbot: Any, role: str, name: str, primary: bool) -> tuple[set[str], set[str]]:
    """The edge colours of a focused and an unfocused button in a window of ``role``."""
    box = QWidget()
    if role == "station":
        box.setObjectName("stationRoot")  # as StationWindow names itself
    box.setStyleSheet(theme.stylesheet(role, name))
    layout = QVBoxLayout(box)
    first, second = QPushButton("Acknowledge"), QPushButton("Resolve")
    for button in (first, second):
        if primary:
            button.setObjectName("primary")
        layout.addWidget(button)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    return edge_colours(first), edge_colours(second)


@pytest.mark.parametrize("name", theme.THEMES)
@pytest.mark.parametrize("primary", [False, True])
def test_the_focused_button_at_the_station_has_another_frame(
    qtbot: Any, name: str, primary: bool
) -> None:
    focused, unfocused = focus_frames(qtbot, "station", name, primary)
    assert focused and focused.isdisjoint(unfocused), (focused, unfocused)


@pytest.mark.parametrize("name", theme.THEMES)
def test_a_focused_button_at_the_bedside_looks_as_before(qtbot: Any, name: str) -> None:
    focused, unfocused = focus_frames(qtbot, "bedside", name, False)
    assert focused == unfocused


def test_a_button_in_the_real_station_window_shows_the_focus(
    station_service: Any, open_station: Any, qtbot: Any
) -> None:
    window = open_station()
    buttons = [b for b in window.findChildren(QPushButton) if b.isVisible() and b.isEnabled()]
    assert buttons, "the window has buttons to tab to"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    buttons[0].setFocus()
    qtbot.waitUntil(buttons[0].hasFocus)
    frame = "#14202b" if buttons[0].objectName() == "primary" else "#c25e00"
    assert frame in edge_colours(buttons[0]), "the calm theme's focus frame"
