"""A direct emergency gesture ends a spoken request waiting for its yes, and the window says
"Not sent: ..." after the emergency's own prompts, never over them.

Real windows (offscreen), the real bedside service and station over Mosquitto
(tests/helpers/question_ward.py). tests/bedside/test_emergency_over_the_menu.py has the
rules on a fake clock.
"""

from __future__ import annotations

from typing import Any

import pytest

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
