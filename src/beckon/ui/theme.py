"""Themes, icons and translations: where the Qt assets live and how a stylesheet is scaled.

The assets are the repo's top-level ``ui/`` folder, shipped in the wheel as
``beckon.assets.ui``. Stylesheets write sizes as ``@px(N)``: a patient who needs larger text
gets every size multiplied by the font scale, not a layout that breaks at the first big label.
Plain Python (no Qt) so the scaling is unit-tested.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from importlib.resources.abc import Traversable

from beckon import paths

THEMES = ("calm", "high_contrast")
_PX = re.compile(r"@px\((\d+(?:\.\d+)?)\)")

# ---------------------------------------------------------------- how large text must be

# A capital letter that subtends 10 minutes of arc is read with 6/12 (20/40) vision: twice the
# 5' of the 6/6 (20/20) letter on a Snellen chart. Patients in bed are often older, tired and
# without their glasses, so 6/12 is the floor for what they must read (docs/ui.md).
READABLE_ARCMIN = 10.0


@dataclass(frozen=True)
class Viewing:
    """A screen and the distance its text is read from: what a pixel measures there and how
    tall a capital must be to be read."""

    name: str
    diagonal_in: float
    width_px: int
    height_px: int
    distance_m: float

    @property
    def mm_per_px(self) -> float:
        return 25.4 * self.diagonal_in / math.hypot(self.width_px, self.height_px)

    def needed_cap_mm(self, arcmin: float = READABLE_ARCMIN) -> float:
        """The capital height (mm) that subtends ``arcmin`` at this distance."""
        return 2000.0 * self.distance_m * math.tan(math.radians(arcmin / 60.0) / 2.0)

    def cap_mm(self, cap_px: float) -> float:
        return cap_px * self.mm_per_px


FONT_SCALES = (0.5, 2.0)
"""The --font-scale range the windows are laid out for: tests/ui/test_ui_layout*.py check 1.0
to 2.0 on a 1280x800 tablet and a 1920x1080 screen. Above it tile names and calls are cut."""


# The reference bedside: a 10.1-inch 1280x800 tablet on a bed arm, read by the patient at
# about 1 m; staff-only controls are read by a nurse standing at the tablet (0.5 m). A tablet
# at the foot of the bed (1.5 m) needs --font-scale 1.5. The station: a 23.8-inch 1920x1080
# screen at a desk, read from 0.8 m.
BEDSIDE = Viewing("10.1-inch 1280x800 tablet at 1 m", 10.1, 1280, 800, 1.0)
BEDSIDE_FAR = Viewing("10.1-inch 1280x800 tablet at 1.5 m", 10.1, 1280, 800, 1.5)
BEDSIDE_STAFF = Viewing("10.1-inch 1280x800 tablet, staff at 0.5 m", 10.1, 1280, 800, 0.5)
STATION = Viewing("23.8-inch 1920x1080 desk screen at 0.8 m", 23.8, 1920, 1080, 0.8)


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
