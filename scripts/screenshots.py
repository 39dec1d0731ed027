#!/usr/bin/env python3
"""Render screenshots of every main screen into docs/screenshots/ (for the README).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts a private Xvfb, so it runs on a server with no screen; imports OpenCV and MediaPipe
before Qt, as the bedside does (see ../shared/design.md). The scenes themselves are in
beckon.lab.shots: real services over a real broker (a private Mosquitto, or the embedded
broker when Mosquitto is not installed). Needs Debian's xvfb and, for the Korean screens, a
Korean font (fonts-nanum); scripts/setup.sh installs both.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from beckon.lab.xvfb import XvfbError, start_xvfb

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    logging.basicConfig(
        level=os.environ.get("BECKON_LOG_LEVEL", "WARNING"),
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        xvfb, display = start_xvfb("1600x1000x24", range(90, 140))
    except XvfbError as exc:
        sys.exit(str(exc))
    os.environ["DISPLAY"] = display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    try:
        import cv2  # noqa: F401  (first, as in the bedside: Qt must still start after it)
        import mediapipe  # noqa: F401

        from beckon import modelstore
        from beckon.errors import BeckonError
        from beckon.lab.shots import take_screenshots

        try:
            model: Path | None = modelstore.require_model("face_landmarker")
        except BeckonError as exc:
            print(f"no face model ({exc}); the bedside shows its camera as off", file=sys.stderr)
            model = None
        saved = take_screenshots(args.out, model)
        print(f"{len(saved)} screenshots in {args.out}")
        return 0
    finally:
        xvfb.terminate()
        xvfb.wait(10)


if __name__ == "__main__":
    sys.exit(main())
