"""The ``beckon`` command's argument types and the option groups several commands share."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < 86_400:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 to 86399 seconds")
    return value


def font_scale(text: str) -> float:
    """An argparse type: a font scale the windows are laid out for (above it, 2.5 say, the
    patient's tiles and the nurses' calls were cut off without a word)."""
    from beckon.ui.theme import FONT_SCALES

    low, high = FONT_SCALES
    value = positive(float)(text)
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"{text} is outside {low:.1f} to {high:.1f}, the range the windows are laid out for"
        )
    return float(value)


def positive(kind: type[int] | type[float]) -> Any:
    """An argparse type: a finite number above 0 (a timeout of nan or -1, or -5 beds, ran and
    reported nonsense)."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (value > 0 and value != float("inf")):
            raise argparse.ArgumentTypeError(f"{text} must be a number above 0")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def not_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} must be 0 or more")
    return value


def window_options(p: argparse.ArgumentParser, role: str) -> None:
    """How a window looks (not used with --headless)."""
    win = p.add_argument_group("window (without --headless)")
    screen = win.add_mutually_exclusive_group()
    default = "full screen" if role == "bedside" else "a normal window"
    screen.add_argument(
        "--fullscreen", dest="fullscreen", action="store_true", default=None,
        help=f"fill the screen (default: {default})",
    )  # fmt: skip
    screen.add_argument("--windowed", dest="fullscreen", action="store_false", help="a window")
    win.add_argument(
        "--language",
        choices=["en", "ko"],
        help="language of the window, its speech and the speech it hears (default: the config's)",
    )
    win.add_argument("--high-contrast", action="store_true", help="black, white and yellow")
    win.add_argument(
        "--font-scale",
        type=font_scale,
        default=1.0,
        metavar="F",
        help="text size factor, 0.5 to 2.0 (1.0; 1.5 for a tablet at the foot of the bed)",
    )
    if role == "bedside":
        win.add_argument("--no-speech", action="store_true", help="do not speak prompts aloud")
        win.add_argument(
            "--kiosk",
            action="store_true",
            help="the tablet's only application (deploy/systemd/beckon-bedside.service): "
            "full screen, and only staff can close it (Exit, after holding Staff)",
        )
    if role == "station":
        win.add_argument("--nurse", default="", help="the nurse's name, filled in the window")
        win.add_argument(
            "--serve", action="store_true", help="also run the station service in this process"
        )
        win.add_argument("--no-sound", action="store_true", help="visible alerts only")


def role_options(p: argparse.ArgumentParser, role: str) -> None:
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"{role} TOML file (see deploy/{role}.example.toml)",
    )
    p.add_argument("--broker", metavar="URL", help="broker URL, mqtt://HOST:PORT or mqtts://...")
    p.add_argument("--headless", action="store_true", help="no window (servers, tests)")
