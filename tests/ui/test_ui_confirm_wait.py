"""The confirmation screen asks at once and names the gesture when it counts.

Where the choosing movement's echo could confirm (a profile that chooses and confirms by
looking up), a confirming gesture counts from ``confirm_after_s`` after the confirmation
appeared (tests/bedside/test_confirm_wait.py). The real window asks the question at once (on
screen, for the screen reader and aloud), names the gesture when it counts (aloud with the
question again), and shows a patient whose confirming gesture came too soon to wait for the
instruction (shown only: said, it cut the question). In the default profile (a nod
chooses, a long blink confirms) there is no wait. Gestures and frames are posted exactly as the
vision worker posts them, on the frames' clock; the wait is 5 s, and every step waits for what
the window shows, so a slow machine cannot reach the ready time before the test looks.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from beckon.bedside.service import FrameTick, Gesture
from tests.helpers.windows import bedside_with

pytestmark = pytest.mark.mqtt
WAIT_MS = 15_000
WAIT_S = 5.0
"""The looking patient's ``confirm_after_s``: the most a profile may set, so the real time
the steps before the ready time take (well under a second) never reaches it."""
LOOKS = f"""[gestures.nod]
action = "none"
[gestures.shake]
action = "none"
[gestures.long_blink]
action = "none"
[gestures.look_up]
action = "select"
[gestures.look_down]
action = "next"
[interaction]
confirm_after_s = {WAIT_S:g}
"""
"""A patient who chooses by looking up and has no confirming gesture: looking up confirms."""
ASKED = "Send Emergency? One moment…"
LOOK_INSTRUCTION = "Look up to send it. Raise your eyebrows to cancel."
BLINK_INSTRUCTION = "Close your eyes for a moment to send it. Raise your eyebrows to cancel."
"""The default profile's confirmation: a long blink sends, raised eyebrows cancel."""
TOO_SOON = "Too soon. To send it, wait for the instruction."
SAID_AT_READY = "Send Emergency? Look up to send it."
LATE_TOO_SOON = f"Too soon: nothing was sent. {LOOK_INSTRUCTION}"
"""A look made in the wait but reported after it: beside the instruction, which stays."""


def looking(tmp_path: Path) -> Path:
    path = tmp_path / "looks.toml"
    path.write_text(LOOKS)
    return path


def choose_emergency(bedside: Any, qtbot: Any, gesture: str) -> float:
    """The emergency chosen with ``gesture`` (offered from 4 s to 8 s); when, on the menu's
    clock."""
    t0 = bedside.service.menu_time()
    bedside.service.post(FrameTick(t0 + 4.5))
    qtbot.waitUntil(lambda: bedside.highlighted == "emergency", timeout=WAIT_MS)
    chosen = t0 + 5.0
    bedside.service.post(Gesture(gesture, chosen, 0.9))
    qtbot.waitUntil(
        lambda: bedside.menu is not None and bedside.menu.stage == "confirming", timeout=WAIT_MS
    )
    return chosen


def test_the_window_asks_at_once_and_names_the_gesture_when_it_counts(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    tmp_path: Path,
    windows: list[Any],
    look: None,
    speaker: Any,
) -> None:
    bedside = bedside_with(
        rig, tmp_path, windows, qtbot, speaker, ["water", "emergency"], looking(tmp_path)
    )
    chosen = choose_emergency(bedside, qtbot, "look_up")
    tile = bedside.tiles["emergency"]
    assert not bedside.menu.ready
    assert bedside.stage_banner.text() == ASKED
    assert tile.accessibleDescription() == f"Chosen: {ASKED}"
    qtbot.waitUntil(lambda: ("Send Emergency?", "en") in speaker.said, timeout=WAIT_MS)
    # The look made again at once (its echo, or a patient who knows the routine) sends
    # nothing, and the window says so: a patient who meant it does it again.
    bedside.service.post(Gesture("look_up", chosen + 1.3, 0.9))
    qtbot.waitUntil(lambda: bedside.stage_banner.text() == TOO_SOON, timeout=WAIT_MS)
    assert bedside.menu.stage == "confirming" and not bedside.menu.ready
    # Shown, not said: it would cut the question, and be cut at ready (rev43u2 RISK 3).
    assert not [text for text, _ in speaker.said if text.startswith("Too soon")]
    assert bedside.service.states == {}
    # When it counts: the gesture is named, for the screen reader and aloud.
    bedside.service.post(FrameTick(chosen + WAIT_S + 0.1))
    qtbot.waitUntil(lambda: bedside.stage_banner.text() == LOOK_INSTRUCTION, timeout=WAIT_MS)
    assert bedside.menu.ready
    assert tile.accessibleDescription() == f"Chosen: {LOOK_INSTRUCTION}"
    # The question again with the gesture: a question the speaker cut is heard whole.
    qtbot.waitUntil(lambda: (SAID_AT_READY, "en") in speaker.said, timeout=WAIT_MS)
    bedside.service.post(Gesture("look_up", chosen + WAIT_S + 0.8, 0.9))
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=WAIT_MS)


def test_a_gesture_made_in_the_wait_and_reported_after_it_is_shown_too_soon_beside_the_instruction(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    tmp_path: Path,
    windows: list[Any],
    look: None,
    speaker: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """rev43u2 DEFECT 1 (its repro): a look made in the wait but reported after it ended (a
    late report) said "Too soon… wait for the instruction", which replaced the instruction
    until the emergency lapsed; then (session 43) it was only logged, and a patient who looked
    up on purpose in the wait's last half second saw nothing happen. It may be the echo and
    sends nothing; the banner says so beside the instruction, which stays, and nothing is
    said (saying the instruction again cut it)."""
    bedside = bedside_with(
        rig, tmp_path, windows, qtbot, speaker, ["water", "emergency"], looking(tmp_path)
    )
    chosen = choose_emergency(bedside, qtbot, "look_up")
    bedside.service.post(FrameTick(chosen + WAIT_S + 0.1))
    qtbot.waitUntil(lambda: bedside.stage_banner.text() == LOOK_INSTRUCTION, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: (SAID_AT_READY, "en") in speaker.said, timeout=WAIT_MS)
    said = len(speaker.said)
    caplog.set_level(logging.INFO, logger="beckon.bedside.interaction")
    bedside.service.post(Gesture("look_up", chosen + WAIT_S + 0.3, 0.9, chosen + WAIT_S - 0.4))
    qtbot.waitUntil(lambda: bedside.stage_banner.text() == LATE_TOO_SOON, timeout=WAIT_MS)
    assert "does not confirm emergency" in caplog.text
    assert bedside.menu.stage == "confirming" and bedside.menu.ready
    assert bedside.tiles["emergency"].accessibleDescription() == f"Chosen: {LATE_TOO_SOON}"
    assert bedside.service.states == {}
    qtbot.wait(300)  # anything said with it reaches the speaker
    assert speaker.said[said:] == [], "shown, not said"
    bedside.service.post(Gesture("look_up", chosen + WAIT_S + 1.2, 0.9))  # on purpose, again
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=WAIT_MS)


def test_the_default_profile_confirms_at_once_in_the_window(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    tmp_path: Path,
    windows: list[Any],
    look: None,
    speaker: Any,
) -> None:
    """A nod chooses and a long blink confirms: no echo is possible, so the instruction is
    given at once and a long blink half a second later sends the emergency."""
    bedside = bedside_with(rig, tmp_path, windows, qtbot, speaker, ["water", "emergency"])
    chosen = choose_emergency(bedside, qtbot, "nod")
    assert bedside.menu.ready
    assert bedside.stage_banner.text() == BLINK_INSTRUCTION
    qtbot.waitUntil(
        lambda: ("Send Emergency? Close your eyes for a moment to send it.", "en") in speaker.said,
        timeout=WAIT_MS,
    )
    bedside.service.post(Gesture("long_blink", chosen + 0.5, 0.9))
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
    bedside = bedside_with(
        rig, tmp_path, windows, qtbot, speaker, ["water", "emergency"], looking(tmp_path)
    )
    chosen = choose_emergency(bedside, qtbot, "look_up")
    assert not bedside.menu.ready
    bedside.service.post(Gesture("brow_raise", chosen + 0.5, 0.9))  # before the instruction
    qtbot.waitUntil(
        lambda: ("Not sent: Emergency. Choose it again if you need it.", "en") in speaker.said,
        timeout=WAIT_MS,
    )
    assert bedside.menu.stage != "confirming"
    assert bedside.service.states == {}
