"""The confirmation screen tells the patient what to do only when it counts.

A confirming gesture counts from ``confirm_after_s`` after the confirmation appeared (the
selecting movement's echo must not confirm it: tests/bedside/test_confirm_wait.py). Until then
the real window shows that it is getting ready, and neither the screen reader nor the voice
names the gesture; then the instruction comes on screen, for the screen reader and aloud.
Gestures and frames are posted exactly as the vision worker posts them, on the frames' clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beckon.bedside.interaction import CONFIRM_AFTER_S
from beckon.bedside.service import FrameTick, Gesture
from tests.helpers.windows import bedside_with

pytestmark = pytest.mark.mqtt
WAIT_MS = 15_000
INSTRUCTION = "Close your eyes for a moment to send it. Raise your eyebrows to cancel."
"""The default profile's confirmation: a long blink sends, raised eyebrows cancel."""


def test_the_window_shows_the_confirmation_getting_ready_then_the_instruction(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    tmp_path: Path,
    windows: list[Any],
    look: None,
    speaker: Any,
) -> None:
    bedside = bedside_with(rig, tmp_path, windows, qtbot, speaker, ["water", "emergency"])
    t0 = bedside.service.menu_time()
    bedside.service.post(FrameTick(t0 + 4.5))  # the emergency is on offer (4 s to 8 s)
    qtbot.waitUntil(lambda: bedside.highlighted == "emergency", timeout=WAIT_MS)
    chosen = t0 + 5.0
    bedside.service.post(Gesture("nod", chosen, 0.9))
    qtbot.waitUntil(
        lambda: bedside.menu is not None and bedside.menu.stage == "confirming", timeout=WAIT_MS
    )
    tile = bedside.tiles["emergency"]
    assert not bedside.menu.ready
    assert bedside.stage_banner.text() == "Chosen. Get ready…"
    assert tile.accessibleDescription() == "Chosen. Get ready…"
    assert not any("Send Emergency?" in text for text, _ in speaker.said)
    # The confirming gesture made at once (an echo, or a blink before reading) sends nothing.
    bedside.service.post(Gesture("long_blink", chosen + 1.3, 0.9))
    bedside.service.post(FrameTick(chosen + 1.5))
    qtbot.waitUntil(lambda: bedside.service.menu_time() >= chosen + 1.5, timeout=WAIT_MS)
    qtbot.wait(300)  # the queued signals reach the window
    assert bedside.menu.stage == "confirming" and not bedside.menu.ready
    assert bedside.service.states == {}
    # When it counts: shown, for the screen reader and aloud.
    bedside.service.post(FrameTick(chosen + CONFIRM_AFTER_S + 0.1))
    qtbot.waitUntil(lambda: bedside.stage_banner.text() == INSTRUCTION, timeout=WAIT_MS)
    assert bedside.menu.ready
    assert tile.accessibleDescription() == f"Chosen: {INSTRUCTION}"
    qtbot.waitUntil(
        lambda: ("Send Emergency? Close your eyes for a moment to send it.", "en") in speaker.said,
        timeout=WAIT_MS,
    )
    bedside.service.post(Gesture("long_blink", chosen + CONFIRM_AFTER_S + 0.8, 0.9))
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=WAIT_MS)


def test_the_window_cancels_during_the_wait(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    tmp_path: Path,
    windows: list[Any],
    look: None,
    speaker: Any,
) -> None:
    bedside = bedside_with(rig, tmp_path, windows, qtbot, speaker, ["water", "emergency"])
    t0 = bedside.service.menu_time()
    bedside.service.post(FrameTick(t0 + 4.5))
    qtbot.waitUntil(lambda: bedside.highlighted == "emergency", timeout=WAIT_MS)
    bedside.service.post(Gesture("nod", t0 + 5.0, 0.9))
    bedside.service.post(Gesture("brow_raise", t0 + 5.5, 0.9))  # before the instruction
    qtbot.waitUntil(
        lambda: ("Not sent: Emergency. Choose it again if you need it.", "en") in speaker.said,
        timeout=WAIT_MS,
    )
    assert bedside.menu.stage != "confirming"
    assert bedside.service.states == {}
