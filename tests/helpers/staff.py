"""Staff's long press on the bedside's Staff button, as a finger makes it.

The 3 s hold opens the staff lock and the staff menu while the finger is still down; the
finger's release then goes to the open menu (Qt gives an open popup every mouse event), where
``HoldReleaseGuard`` eats it. Pressing and releasing the button directly
(``qtbot.mouseRelease(staff_button)``) sent the release to the button, never to the menu, so a
test passed whatever the release did there. Every test that opens the staff menu goes through
:func:`hold_staff` (or :func:`press_staff`, the finger still down), so a regression in the hold
path shows in all of them.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest as _QTest

LEFT, NO_KEYS = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
QTest: Any = _QTest  # PyQt6's stubs type its static mouse functions as taking ``self``
HOLD_S = 0.5
"""The long press in tests (3 s at the bedside)."""
WAIT_MS = 15_000


def press_staff(qtbot: Any, window: Any, local: QPoint | None = None) -> QPoint:
    """The long press on Staff (:data:`HOLD_S`) until the menu opens, the finger still down
    (at ``local`` in the button, or its centre); returns where it pressed, in the window.
    Through the window, as a finger's events come."""
    window.staff.hold_s = HOLD_S
    button = window.staff_button
    at = button.mapTo(window, button.rect().center() if local is None else local)
    QTest.mousePress(window.windowHandle(), LEFT, NO_KEYS, at)
    qtbot.waitUntil(lambda: window.staff_menu.isVisible(), timeout=WAIT_MS)
    return at


def hold_staff(qtbot: Any, window: Any) -> None:
    """The long press on Staff: the lock opens and the menu with it, and the finger lifts.
    It lifts on the menu's first entry, having slid there (the worst a finger does: rev42u's
    slide of 12 px chose Show camera), and that release must choose nothing and leave the
    menu open (unless the lock closed meanwhile): lifted where it pressed, outside the menu, a
    release that chooses would go unnoticed."""
    at = press_staff(qtbot, window)
    handle, menu = window.windowHandle(), window.staff_menu
    first = next(a for a in menu.actions() if a.isVisible() and not a.isSeparator())
    end = window.mapFromGlobal(menu.mapToGlobal(menu.actionGeometry(first).center()))
    chosen: list[str] = []

    def record(action: Any) -> None:
        chosen.append(action.text())

    menu.triggered.connect(record)
    try:
        for step in range(1, 6):
            QTest.mouseMove(handle, at + (end - at) * step / 5)
            qtbot.wait(20)
        QTest.mouseRelease(handle, LEFT, NO_KEYS, end)
        qtbot.wait(100)
    finally:
        menu.triggered.disconnect(record)
    assert chosen == [], f"the finger's release chose {chosen}"
    assert menu.isVisible() or not window.staff.poll(), "the finger's release closed the menu"


def tap_staff(qtbot: Any, window: Any) -> None:
    """A short tap on Staff through the window, as a finger's comes: Qt's pointer moves there
    (``qtbot.mouseClick(staff_button)`` left it where the last finger lifted, on a menu entry,
    and the menu shown again under it took a tap there for no move and closed: QMenu's
    hasMouseMoved; a real tap on Staff moves it, so no fix-up after the hold is needed)."""
    button = window.staff_button
    at = button.mapTo(window, button.rect().center())
    QTest.mouseClick(window.windowHandle(), LEFT, NO_KEYS, at)
    qtbot.wait(20)


def choose(qtbot: Any, window: Any, action: Any) -> None:
    """A tap on ``action`` in the open staff menu."""
    menu = window.staff_menu
    assert menu.isVisible() and action.isVisible()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
