"""A nurse's question that comes while a chosen request waits for its confirming gesture.

Through the real windows and a real Mosquitto: the patient chooses the emergency, a nurse
asks a question from the station, the patient answers it with a nod. Up to session 43 the
choice was gone without a word once the question was over. Now it comes back after the quiet
that follows the answer, shown and said as not sent, and only a nod made then sends it: the
nod that answered the nurse did not. Gestures and frames are posted as the vision worker
posts them, on the frames' clock (tests/bedside/test_question_interrupts.py has the rules).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beckon.bedside import events as ev
from beckon.bedside.interaction import CANCEL_REQUEST, MenuView
from beckon.bedside.service import FrameTick, Gesture
from beckon.ui.bedside_model import Prompt, prompt_for
from tests.helpers.windows import ask, bedside_with

WAIT_MS = 15_000
QUIET_S = 60.0
"""The quiet after an answer, long enough that the real time the steps take never ends it:
the frames' clock does (as in tests/ui/test_ui_trust.py)."""
NODS = """[gestures.long_blink]
action = "none"
"""
"""The default profile without its long blink: the nod that chooses confirms too, so the
nod that answers the nurse is the confirming gesture."""
BACK = "Not sent: Emergency. Nod to send it. Raise your eyebrows to cancel."
SAID_BACK = "Not sent: Emergency. Send Emergency? Nod to send it."


@pytest.mark.mqtt
def test_a_question_does_not_swallow_an_emergency_awaiting_its_nod(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    tmp_path: Path,
    windows: list[Any],
    look: None,
    speaker: Any,
    open_station: Any,
) -> None:
    profile = tmp_path / "nods.toml"
    profile.write_text(NODS)
    bedside = bedside_with(rig, tmp_path, windows, qtbot, speaker, ["water", "emergency"], profile)
    bedside.service.menu.settle_after_answer_s = QUIET_S
    station = open_station(nurse="Nurse Lee")
    t0 = bedside.service.menu_time()
    bedside.service.post(FrameTick(t0 + 4.5))
    qtbot.waitUntil(lambda: bedside.highlighted == "emergency", timeout=WAIT_MS)
    bedside.service.post(Gesture("nod", t0 + 5.0, 0.9))
    qtbot.waitUntil(lambda: bedside.menu.stage == "confirming", timeout=WAIT_MS)

    ask(qtbot, station, "12", "Are you comfortable?")
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 1, timeout=WAIT_MS)
    answered = bedside.service.menu_time() + 1.0
    bedside.service.post(Gesture("nod", answered, 0.9))  # yes
    bedside.service.post(Gesture("nod", answered + 1.2, 0.9))  # yes again, as people do
    qtbot.waitUntil(
        lambda: [r.answer.property("answer") for r in station.question_rows()] == ["yes"],
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: bedside.menu.stage == "paused", timeout=WAIT_MS)
    assert bedside.service.states == {}, "the nods answered the nurse and sent nothing"

    # The quiet over (on the frames' clock): the emergency is back, said as not sent.
    back_at = bedside.service.menu_time() + QUIET_S + 0.5
    bedside.service.post(FrameTick(back_at))
    qtbot.waitUntil(lambda: bedside.stage_banner.text() == BACK, timeout=WAIT_MS)
    assert (bedside.menu.stage, bedside.menu.highlighted) == ("confirming", "emergency")
    qtbot.waitUntil(lambda: (SAID_BACK, "en") in speaker.said, timeout=WAIT_MS)
    assert bedside.service.states == {}
    bedside.service.post(Gesture("nod", back_at + 0.5, 0.9))  # a fresh nod sends it
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=WAIT_MS)


def test_the_words_for_a_choice_taken_up_again_after_a_question(qapp: object) -> None:
    """Said and shown: "Not sent" first, then the question and the instruction as ever (the
    cancel entry names the request it would cancel, the scale says "not yet": it sends the
    request without a number after a round)."""
    from beckon.ui import strings

    send = MenuView(("emergency",), "emergency", "confirming", confirm_with=("nod",),
                    cancel_with=("brow_raise",), resumed=True)  # fmt: skip
    cancel = MenuView(("water", CANCEL_REQUEST), CANCEL_REQUEST, "confirming",
                      confirm_with=("long_blink",), cancels="water", resumed=True)  # fmt: skip
    scale = MenuView(("pain",), "pain", "scale", level=0, resumed=True)

    said = prompt_for(ev.MenuChanged(send, 0.0), "Emergency")
    assert said == Prompt("confirm_resumed", ("Emergency", "nod"))
    assert strings.spoken(said) == "Not sent: Emergency. Send Emergency? Nod to send it."
    assert strings.stage_banner(send, "Emergency") == (
        "Not sent: Emergency. Nod to send it. Raise your eyebrows to cancel."
    )

    said = prompt_for(ev.MenuChanged(cancel, 0.0), "Cancel “Water”")
    assert said == Prompt("confirm_cancel_resumed", ("Cancel “Water”", "long_blink"))
    with_target = Prompt(said.key, (*said.args, "Water"))  # added by the window
    assert strings.spoken(with_target) == (
        "Not cancelled: Water. Cancel “Water”? Close your eyes for a moment to cancel it."
    )
    assert strings.stage_banner(cancel, "Cancel “Water”", "Water") == (
        "Not cancelled: Water. Close your eyes for a moment to cancel your request. "
        "Or wait to keep it."
    )

    said = prompt_for(ev.MenuChanged(scale, 0.0), "Pain")
    assert said == Prompt("scale_resumed", ("Pain",))
    assert strings.spoken(said) == "Not sent yet: Pain. How strong, from 0 to 10? 0?"
    assert strings.stage_banner(scale, "Pain") == (
        "Not sent yet: Pain. How strong, 0 to 10? Nod at 0."
    )
    # Further numbers are offered as ever.
    later = MenuView(("pain",), "pain", "scale", level=1, resumed=True)
    assert prompt_for(ev.MenuChanged(later, 0.0), "Pain") == Prompt("scale", ("1",))
