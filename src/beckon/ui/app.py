"""Starting Qt for a Beckon window: display check, translations, fonts and the theme.

OpenCV's GUI build (which mediapipe pulls in) may point ``QT_QPA_PLATFORM_PLUGIN_PATH`` at its
own Qt plugins, which breaks PyQt6; that variable is dropped here before Qt starts, so the
windows work after ``import cv2`` (see ../shared/design.md and tests/test_packaging.py).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from beckon.errors import BeckonError
from beckon.ui import theme

if TYPE_CHECKING:  # Qt itself is imported only once the environment is fixed (above)
    from PyQt6.QtCore import QTranslator

log = logging.getLogger(__name__)

FONT_FAMILIES = ["DejaVu Sans", "Noto Sans", "NanumGothic", "Noto Sans CJK KR", "sans-serif"]


@dataclass(frozen=True)
class Look:
    """How a window looks and speaks: language, theme, font scale."""

    language: str = "en"
    theme: str = "calm"
    font_scale: float = 1.0


def check_display() -> None:
    """Refuse early, in words, when there is no screen to open a window on."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise BeckonError(
        "no display to open a window on (DISPLAY and WAYLAND_DISPLAY are not set)",
        "run with --headless on a server, or start it from the tablet's desktop session",
    )


def _drop_opencv_plugin_path() -> None:
    path = os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "")
    if "cv2" in path:
        log.info("ignoring QT_QPA_PLATFORM_PLUGIN_PATH=%s set by OpenCV", path)
        del os.environ["QT_QPA_PLATFORM_PLUGIN_PATH"]


def application(look: Look, role: str) -> object:
    """The QApplication (created once), with the look's translation, font and stylesheet."""
    _drop_opencv_plugin_path()
    from PyQt6.QtGui import QFont
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Beckon")
    install_translation(look.language)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPixelSize(max(8, round(20 * look.font_scale)))
    app.setFont(font)
    app.setStyleSheet(theme.stylesheet(role, look.theme, look.font_scale))
    return app


def delete_windows(windows: Sequence[Any]) -> None:
    """Shut the windows down, then delete them now, on this (the GUI) thread, while the
    QApplication still exists. Call it when the event loop has ended.

    Why not leave them to Python: a window sits in reference cycles (its host keeps bound
    methods of it), so only the cyclic garbage collector frees it, at some later moment and
    on whichever thread allocates then: an MQTT or worker thread, or after the QApplication
    is gone. A Qt object must be destroyed on its own thread while the application lives.
    ``shutdown()`` (both windows have it; it may already have run at close) first stops and
    joins the threads that feed the window and detaches their callbacks."""
    from PyQt6 import sip
    from PyQt6.QtCore import QCoreApplication, QEvent

    for window in windows:
        if sip.isdeleted(window):
            continue
        shutdown = getattr(window, "shutdown", None)
        if shutdown is not None:
            shutdown()
        window.deleteLater()
    # The windows, and the rows and tiles they let go of, are deleted here and now.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


_translators: list[QTranslator] = []


def install_translation(language: str) -> bool:
    """Load ``beckon_{language}.qm`` into the application; English needs none."""
    from PyQt6.QtCore import QCoreApplication, QTranslator

    for old in _translators:
        QCoreApplication.removeTranslator(old)
    _translators.clear()
    path = theme.translation_file(language)
    if path is None:
        if language != "en":
            log.warning("no translation for %r; showing English", language)
        return language == "en"
    translator = QTranslator()
    if not translator.load(path):
        log.warning("could not load the translation %s", path)
        return False
    QCoreApplication.installTranslator(translator)
    _translators.append(translator)
    return True
