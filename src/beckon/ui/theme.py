"""Themes, icons and translations: where the Qt assets live and how a stylesheet is scaled.

The assets are the repo's top-level ``ui/`` folder, shipped in the wheel as
``beckon.assets.ui``. Stylesheets write sizes as ``@px(N)``: a patient who needs larger text
gets every size multiplied by the font scale, not a layout that breaks at the first big label.
Plain Python (no Qt) so the scaling is unit-tested.
"""

from __future__ import annotations

import re
from importlib.resources.abc import Traversable

from beckon import paths

THEMES = ("calm", "high_contrast")
LANGUAGES = ("en", "ko")
_PX = re.compile(r"@px\((\d+(?:\.\d+)?)\)")


def asset(*parts: str) -> Traversable:
    node = paths.packaged_ui()
    for part in parts:
        node = node / part
    return node


def render_stylesheet(template: str, scale: float = 1.0, icons: str = "") -> str:
    """Replace every ``@px(N)`` with ``round(N * scale)px`` (never below 1 px), and
    ``@icons`` with the icon folder (stylesheets cannot name package-relative files)."""
    if scale <= 0:
        raise ValueError("font scale must be positive")
    text = _PX.sub(lambda m: f"{max(1, round(float(m.group(1)) * scale))}px", template)
    return text.replace("@icons", icons.replace("\\", "/"))


def stylesheet(role: str, theme: str = "calm", scale: float = 1.0) -> str:
    """The stylesheet for ``role`` (bedside or station): the shared base, then the theme."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; expected one of {THEMES}")
    parts = [asset("themes", "base.qss"), asset("themes", f"{theme}.qss")]
    role_file = asset("themes", f"{role}.qss")
    if role_file.is_file():
        parts.insert(1, role_file)
    icons = str(asset("icons"))
    return "\n".join(render_stylesheet(p.read_text("utf-8"), scale, icons) for p in parts)


def icon_path(name: str) -> str:
    """A filesystem path to an SVG icon (falls back to the generic request icon)."""
    node = asset("icons", f"{name}.svg")
    if not node.is_file():
        node = asset("icons", "request.svg")
    return str(node)


def translation_file(language: str) -> str | None:
    """The compiled Qt translation for ``language`` (English is the source language)."""
    if language == "en":
        return None
    node = asset("translations", f"beckon_{language}.qm")
    return str(node) if node.is_file() else None
