"""A direct emergency gesture ends a spoken request waiting for its yes, and the window says
"Not sent: ..." after the emergency's own prompts, never over them.

Real windows (offscreen), the real bedside service and station over Mosquitto
(tests/helpers/question_ward.py). tests/bedside/test_emergency_over_the_menu.py has the
rules on a fake clock.
"""

from __future__ import annotations

from typing import Any

import pytest
from PyQt6.QtCore import Qt

from beckon.bedside.interaction import CANCEL_REQUEST
from beckon.bedside.service import FrameTick, Gesture, VoiceProposal
from beckon.voice.dialogue import Closed, Prompt

WAIT_MS = 15_000
CALLS = '[gestures.long_blink]\naction = "call:emergency"\n'


@pytest.mark.mqtt
def test_a_spoken_request_ended_by_an_emergency_gesture_is_said_after_it(
    qtbot: Any, asking_ward: Any
) -> None:
    """ "Did you ask for: Water?" waits for its yes; the long blink did nothing for 11.7 s
    (rev45b3). Now "Send Emergency?" is asked at once; the voice worker's "dropped" is not
    said over it, and "Not sent: Water." is said once the menu offers again."""
    ward = asking_ward(["water", "emergency"], CALLS)
    bedside, speaker = ward.bedside, ward.speaker
    bedside.on_voice(Prompt("water", "water please", 1.0, 9.0))
    bedside.service.post(VoiceProposal(True))
    qtbot.wait(300)
    bedside.service.post(Gesture("long_blink", bedside.service.menu_time(), 0.9))
    qtbot.waitUntil(lambda: bedside.menu.stage == "confirming", timeout=WAIT_MS)
    assert bedside.menu.highlighted == "emergency"
    blinked = len(speaker.said)
    bedside.on_voice(Closed("water", "dropped", 2.0))  # the voice worker, told by the host
    qtbot.wait(300)
    ended = "Not sent: Water."
    assert ended not in [text for text, _ in speaker.said[blinked:]], "not over Emergency?"

    now = bedside.service.menu_time()
    bedside.service.post(FrameTick(now + 11.0))  # the emergency lapses unconfirmed
    qtbot.waitUntil(lambda: bedside.menu.stage != "confirming", timeout=WAIT_MS)
    bedside.service.post(FrameTick(now + 15.0))  # the pause after it is over
    qtbot.waitUntil(lambda: bedside.menu.stage == "offering", timeout=WAIT_MS)
    said = [text for text, _ in speaker.said[blinked:]]
    assert said[-1] == ended, said
    assert said.count(ended) == 1
    assert any(text.startswith("Not sent: Emergency") for text in said[:-1])


TOUCH = 2
"""The window's touch confirmation page ("Send Water?" Yes / No)."""


def tap_then_long_blink(qtbot: Any, bedside: Any, speaker: Any, tile: str) -> int:
    """A tap on ``tile`` puts its "Send ...?" page on screen, then the long blink asks
    "Emergency?": the steps before each check of what the page and the speaker do. Returns
    how much the speaker had said before the blink."""
    qtbot.mouseClick(bedside.tiles[tile], Qt.MouseButton.LeftButton)
    assert bedside.pages.currentIndex() == TOUCH
    blinked = len(speaker.said)
    bedside.service.post(Gesture("long_blink", bedside.service.menu_time(), 0.9))
    qtbot.waitUntil(lambda: bedside.menu.stage == "confirming", timeout=WAIT_MS)
    return int(blinked)


@pytest.mark.mqtt
def test_an_emergency_gesture_ends_the_touch_confirmation_on_screen(
    qtbot: Any, asking_ward: Any
) -> None:
    """A tap's "Send Water?" page on screen, then the long blink: the page stayed ("Touch Yes
    or No.") while the speaker asked for a nod, and a tap on Yes after the emergency sent the
    water too (rev45e, main as well). Now the page goes with "Emergency?" on screen, a tap
    sends nothing, and "Not sent: Water." is said once the menu offers again."""
    ward = asking_ward(["water", "emergency"], CALLS)
    bedside, speaker = ward.bedside, ward.speaker
    blinked = tap_then_long_blink(qtbot, bedside, speaker, "water")
    assert bedside.menu.highlighted == "emergency"
    assert bedside.pages.currentIndex() != TOUCH
    assert bedside.stage_banner.text() != "Touch Yes or No."
    bedside._confirm_yes()  # what a tap on the page's Yes did
    now = bedside.service.menu_time()
    bedside.service.post(FrameTick(now + 2.5))
    bedside.service.post(Gesture("nod", now + 2.6, 0.9, made=now + 2.5))
    qtbot.waitUntil(lambda: bedside.menu.stage != "confirming", timeout=WAIT_MS)
    bedside.service.post(FrameTick(now + 8.0))
    qtbot.waitUntil(lambda: bedside.menu.stage == "offering", timeout=WAIT_MS)
    qtbot.wait(300)
    assert list(bedside.service._asked.values()) == [("emergency", None)]
    said = [text for text, _ in speaker.said[blinked:]]
    assert said.count("Not sent: Water.") == 1, said
    sent_at = next(i for i, text in enumerate(said) if text.startswith("This is an emergency"))
    assert said.index("Not sent: Water.") > sent_at, "after the emergency, not over it"


@pytest.mark.mqtt
def test_a_cancel_nodded_just_before_the_long_blink_is_not_said_kept(
    qtbot: Any, asking_ward: Any
) -> None:
    """ "Cancel Water?" ready; its nod made 0.3 s before the long blink, reported after it:
    the cancel was lost and "Not cancelled: Water stays." said after the emergency (rev45e).
    Now the cancel goes, and nothing says the water stays."""
    ward = asking_ward(["water", "emergency"], CALLS)
    bedside, speaker = ward.bedside, ward.speaker
    service = bedside.service
    qtbot.mouseClick(bedside.tiles["water"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bedside.confirm_yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bedside.menu.cancels == "water", timeout=WAIT_MS)
    now = service.menu_time()
    for step in range(200):  # the scan, on the frames' clock, to the cancel entry
        if bedside.menu.stage == "offering" and bedside.menu.highlighted == CANCEL_REQUEST:
            break
        service.post(FrameTick(now + 0.5 * step))
        qtbot.wait(20)
    assert bedside.menu.highlighted == CANCEL_REQUEST
    now = service.menu_time()
    service.post(Gesture("nod", now, 0.9))
    service.post(FrameTick(now + 2.5))
    qtbot.waitUntil(lambda: bedside.menu.ready, timeout=WAIT_MS)
    t = now + 2.5
    blinked = len(speaker.said)
    service.post(Gesture("long_blink", t, 0.9, made=t - 1.0))
    service.post(Gesture("nod", t + 0.05, 0.9, made=t - 0.3))
    qtbot.waitUntil(lambda: bedside.menu.highlighted == "emergency", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bedside.menu.cancels is None, timeout=WAIT_MS)
    service.post(FrameTick(t + 15.0))  # the emergency lapses, and the pause after it
    qtbot.waitUntil(lambda: bedside.menu.stage == "offering", timeout=WAIT_MS)
    qtbot.wait(300)
    said = [text for text, _ in speaker.said[blinked:]]
    assert not any(text.startswith("Not cancelled") for text in said), said


@pytest.mark.mqtt
def test_a_long_blink_over_a_tapped_send_emergency_leaves_its_yes(
    qtbot: Any, asking_ward: Any
) -> None:
    """A tap's "Send Emergency?" page on screen, then the long blink for the same emergency:
    the page went, its Yes with it, nothing was sent to a patient who could tap but not
    nod, and "Not sent: Emergency." was said twice (rev46e). Now the page stays, its Yes
    sends the emergency once, and the gesture's "Emergency?" is forgotten."""
    ward = asking_ward(["water", "emergency"], CALLS)
    bedside, speaker = ward.bedside, ward.speaker
    blinked = tap_then_long_blink(qtbot, bedside, speaker, "emergency")
    assert bedside.menu.highlighted == "emergency"
    qtbot.wait(300)
    assert bedside.pages.currentIndex() == TOUCH
    qtbot.mouseClick(bedside.confirm_yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bedside.menu.stage != "confirming", timeout=WAIT_MS)
    bedside.service.post(FrameTick(bedside.service.menu_time() + 15.0))
    qtbot.waitUntil(lambda: bedside.menu.stage == "offering", timeout=WAIT_MS)
    qtbot.wait(300)
    assert list(bedside.service._asked.values()) == [("emergency", None)]
    said = [text for text, _ in speaker.said[blinked:]]
    assert not any(text.startswith("Not sent") for text in said), said


@pytest.mark.mqtt
def test_a_tapped_send_emergency_goes_once_the_nod_has_sent_it(
    qtbot: Any, asking_ward: Any
) -> None:
    """A tap's "Send Emergency?" page on screen, the long blink's "Emergency?" nodded: the
    emergency went, but the page stayed up to 15 s with its Yes, and a helper's tap on it
    sent a second emergency (rev46e2: 2 at 0, 300 and 1500 ms). Now the page goes once the
    emergency is saved, its Yes with it, and nothing is said for it ("Not sent")."""
    ward = asking_ward(["water", "emergency"], CALLS)
    bedside, speaker = ward.bedside, ward.speaker
    blinked = tap_then_long_blink(qtbot, bedside, speaker, "emergency")
    bedside.service.post(Gesture("nod", bedside.service.menu_time() + 2.5, 0.9))
    qtbot.waitUntil(lambda: bedside.menu.stage != "confirming", timeout=WAIT_MS)
    qtbot.wait(300)
    assert list(bedside.service._asked.values()) == [("emergency", None)]
    assert bedside.pages.currentIndex() != TOUCH
    assert bedside.stage_banner.text() != "Touch Yes or No."
    bedside._confirm_yes()  # what a tap on the page's Yes did
    bedside.service.post(FrameTick(bedside.service.menu_time() + 15.0))
    qtbot.waitUntil(lambda: bedside.menu.stage == "offering", timeout=WAIT_MS)
    qtbot.wait(300)
    assert list(bedside.service._asked.values()) == [("emergency", None)]
    said = [text for text, _ in speaker.said[blinked:]]
    assert not any(text.startswith("Not sent") for text in said), said
