"""Yes and no by head or face, to a nurse's question or a spoken proposal, with the patient's own
gestures: those that choose say yes, those that move on say no (a nod and a shake by default).
Only a nod and a shake answered: a patient whose profile chooses with the mouth (who cannot nod)
could not answer a nurse, and the screen told them to nod."""

from __future__ import annotations

from pathlib import Path

from beckon.bedside import events as ev
from beckon.bedside.interaction import Interaction, MenuView, answer_for
from beckon.bedside.service import Gesture, Submit
from beckon.bedside.voice_worker import VoiceWorker
from beckon.messaging import protocol as p
from tests.helpers.rig import unlinked_bedside

DEFAULT = {"nod": "select", "shake": "next", "long_blink": "confirm", "brow_raise": "cancel"}
MOUTH = {"mouth_open": "select", "look_up": "next", "long_blink": "confirm"}


def test_the_choosing_gesture_says_yes_and_the_moving_on_gesture_no() -> None:
    assert [answer_for(g, DEFAULT) for g in ("nod", "shake", "long_blink", "brow_raise")] == [
        "yes",
        "no",
        None,
        None,
    ]
    assert [answer_for(g, MOUTH) for g in ("mouth_open", "look_up", "nod", "long_blink")] == [
        "yes",
        "no",
        None,
        None,
    ]
    # A profile with neither: a nod and a shake, as before.
    assert (answer_for("nod", {}), answer_for("shake", {})) == ("yes", "no")


def test_a_patient_who_chooses_with_the_mouth_answers_a_nurse(tmp_path: Path) -> None:
    service = unlinked_bedside(tmp_path)
    service.menu = Interaction(("nurse", "water"), MOUTH)
    for gesture, said in (("mouth_open", "yes"), ("look_up", "no")):
        question = p.Question(p.new_request_id(), "gh", "icu", "12", "Cold?", "Kim", p.now_iso())
        service._show_question(question, 60.0)
        seen: list[object] = []
        service.listeners.append(seen.append)
        service.handle(Gesture(gesture, 1.0, 0.9))
        assert ev.QuestionAnswered(question.id, said) in seen
        service.listeners.remove(seen.append)


def test_a_spoken_proposal_is_confirmed_with_the_patients_own_gesture() -> None:
    posted: list[object] = []
    worker = VoiceWorker("en", posted.append, answers=lambda g: answer_for(g, MOUTH))
    worker.dialogue.on_intent("water", 0.0, "some water")
    assert not worker.answer_gesture("nod"), "this patient's nod (if any) chooses nothing"
    assert worker.answer_gesture("mouth_open")
    assert posted == [Submit("water", "voice")]


def test_the_screen_and_the_voice_name_the_patients_own_yes_and_no(qapp: object) -> None:
    from beckon.ui import strings

    mouth = MenuView(
        ("nurse",), None, "question", select_with=("mouth_open",), next_with=("look_up",)
    )
    assert strings.answer_hint(mouth) == "Open your mouth for yes. Look up for no."
    assert strings.say_yes(mouth) == "Open your mouth or say yes."
    nod = MenuView(("nurse",), None, "question")
    assert strings.answer_hint(nod) == "Nod for yes, shake your head for no."
    assert strings.say_yes(nod) == "Nod or say yes."


def test_pointing_names_the_gesture_that_moves_and_a_reader_hears_the_whole_instruction() -> None:
    """Pointing mode always said "Turn your head to move", also to a patient who moves the
    highlight by looking up; a screen reader heard "... to send it" for the cancel entry."""
    from beckon.intents import CANCEL_REQUEST
    from beckon.ui import strings

    looks = MenuView(("water",), "water", "pointing", select_with=("mouth_open",),
                     next_with=("look_up",))  # fmt: skip
    assert strings.stage_banner(looks) == "Look up to move. Open your mouth to choose."
    turns = MenuView(("water",), "water", "pointing", next_with=("turn_right",))
    assert strings.stage_banner(turns) == "Turn your head to move. Nod to choose."
    cancel = MenuView((CANCEL_REQUEST,), CANCEL_REQUEST, "confirming", confirm_with=("long_blink",),
                      cancel_with=("brow_raise",), cancels="water")  # fmt: skip
    assert strings.tile_for_reader(cancel) == (
        "Chosen: Close your eyes for a moment to cancel your request. "
        "Raise your eyebrows to keep it."
    )


def test_with_no_gesture_to_take_a_choice_back_the_patient_is_told_to_wait() -> None:
    """With nod and shake only, a shake during a confirmation does nothing and nothing said
    that waiting is the way out."""
    from beckon.intents import CANCEL_REQUEST
    from beckon.ui import strings

    cancel = MenuView((CANCEL_REQUEST,), CANCEL_REQUEST, "confirming", confirm_with=("nod",),
                      cancels="water")  # fmt: skip
    assert strings.confirm_banner(cancel) == "Nod to cancel your request. Or wait to keep it."
    send = MenuView(("emergency",), "emergency", "confirming", confirm_with=("nod",))
    assert strings.confirm_banner(send) == "Nod to send it. Or wait to cancel."
