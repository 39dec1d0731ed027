"""Does every text on a window get the room it needs? (issue 12, point 6)

Qt never elides a QLabel or a button by itself: text that does not fit is cut off at the
widget's edge. So a text widget is clipped when it is smaller than its own size hint (for a
word-wrapped label: lower than the height its text needs at its width), or when it reaches past
the window (or, inside a scroll area, past the area's width: a scroll area may scroll down, but
nothing here scrolls sideways).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from PyQt6.QtGui import QPixmap
from PyQt6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QTabBar, QWidget

from beckon.ui.widgets import longest_word


def _scroll_area(widget: QWidget, window: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def clipped(
    window: QWidget, *, scrolled: tuple[QWidget, ...] = (), only: QWidget | None = None
) -> list[str]:
    """Every visible text widget of ``window`` that does not get the room its text needs.
    Widgets inside ``scrolled`` (areas allowed to scroll their text out of view) are skipped;
    with ``only``, just the widgets inside it are checked (and not the tab bars)."""
    problems = []
    widgets: list[QLabel | QAbstractButton] = [
        *(only or window).findChildren(QLabel),
        *(only or window).findChildren(QAbstractButton),
    ]
    for widget in widgets:
        text = widget.text()
        if not widget.isVisible() or not text or any(s.isAncestorOf(widget) for s in scrolled):
            continue
        name = f"{widget.objectName() or type(widget).__name__} {text[:30]!r}"
        if isinstance(widget, QLabel) and widget.wordWrap():
            need = widget.heightForWidth(widget.width())
            if need > widget.height() + 1:
                problems.append(f"{name}: needs {need} px high, has {widget.height()}")
            # Wrapping cannot break a word: one wider than the label is cut at its sides.
            word = longest_word(widget)
            if word > widget.contentsRect().width() + 1:
                problems.append(f"{name}: a word needs {word} px wide, has {widget.width()}")
        else:
            hint = widget.sizeHint()
            if hint.width() > widget.width() + 1 or hint.height() > widget.height() + 1:
                problems.append(
                    f"{name}: needs {hint.width()}x{hint.height()}, has "
                    f"{widget.width()}x{widget.height()}"
                )
        area = _scroll_area(widget, window)
        viewport = area.viewport() if area is not None else None
        if viewport is not None:
            corner = widget.mapTo(viewport, widget.rect().bottomRight())
            if corner.x() >= viewport.width():
                problems.append(f"{name}: past the right edge of its scroll area")
            continue
        corner = widget.mapTo(window, widget.rect().bottomRight())
        if corner.x() >= window.width() or corner.y() >= window.height():
            problems.append(f"{name}: outside the window at {corner.x()},{corner.y()}")
    for bar in window.findChildren(QTabBar) if only is None else []:
        if bar.isVisible() and bar.count():
            last = bar.tabRect(bar.count() - 1)
            if last.right() >= bar.width() or bar.sizeHint().height() > bar.height() + 1:
                problems.append(f"tabs {bar.tabText(0)!r}...: do not fit their bar")
    return problems


def clipped_inside(area: QScrollArea, window: QWidget) -> list[str]:
    """:func:`clipped` for the text inside a scroll area that may scroll down (what
    ``scrolled`` exempts elsewhere): each text widget in it gets the height its text needs and
    stays inside the area's width."""
    inner = area.widget()
    if inner is None:
        return []
    return clipped(window, only=inner)


def _layout_signature(window: QWidget) -> tuple[tuple[bool, int, int, int, int], ...]:
    """Which widgets are shown, and where: unchanged between two looks once the layout has
    settled."""
    return tuple(
        (w.isVisible(), w.x(), w.y(), w.width(), w.height())
        for w in (window, *window.findChildren(QWidget))
    )


def settle(qtbot: Any, window: QWidget, timeout_s: float = 5.0) -> None:
    """Wait until no widget of ``window`` moves, resizes, appears or disappears for 150 ms.

    Why: a resize propagates through several event loop turns, and widgets a layout adds to a
    shown window appear only a turn later. A check made before that passes vacuously: at font
    scale 2 in Korean the bedside's tiles were rebuilt for a new column count and not yet
    shown, so nothing in the tile area could be clipped, and the screenshot had no tiles."""
    deadline = time.monotonic() + timeout_s
    last = _layout_signature(window)
    calm = 0
    while calm < 3 and time.monotonic() < deadline:
        qtbot.wait(50)
        now = _layout_signature(window)
        calm = calm + 1 if now == last else 0
        last = now


def settled_clipping(
    qtbot: Any, window: QWidget, *, scrolled: tuple[QWidget, ...] = (), timeout_s: float = 5.0
) -> list[str]:
    """:func:`clipped` once the layout has settled (:func:`settle`); tiles refit their text
    after the grid moves, so then poll until nothing is clipped or ``timeout_s`` passes, and
    return what is still clipped then."""
    settle(qtbot, window, timeout_s)
    deadline = time.monotonic() + timeout_s
    while True:
        problems = clipped(window, scrolled=scrolled)
        if not problems or time.monotonic() > deadline:
            return problems
        qtbot.wait(50)


_kept: list[tuple[QPixmap, Path]] = []


def keep_shot(widget: QWidget, path: Path) -> None:
    """A screenshot of ``widget`` for a person to look at, written to ``path`` at once when
    refreshing docs/screenshots/ (BECKON_SHOTS_DIR set), else only if the test fails
    (:func:`write_kept_shots`, called by tests/ui/conftest.py). Why: no test reads them back,
    and encoding them took 74 ms each, 9.7 s of test_ui_layout.py's 110 s alone (132 PNGs),
    for folders of passing tests nobody opens. The grab itself (a real paint) stays."""
    pixmap = widget.grab()
    if os.environ.get("BECKON_SHOTS_DIR"):
        _write(pixmap, path)
    else:
        _kept.append((pixmap, path))


def write_kept_shots(failed: bool) -> None:
    """Write the screenshots the test just run kept (if it ``failed``), and forget them."""
    shots = list(_kept)
    _kept.clear()
    if failed:
        for pixmap, path in shots:
            _write(pixmap, path)


def _write(pixmap: QPixmap, path: Path) -> None:
    if not pixmap.save(str(path)):
        raise AssertionError(f"could not save the screenshot {path}")
