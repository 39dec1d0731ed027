"""A step the patient makes once a lost face is back is applied, even when the engine lets it out
in the same frame as an older step the menu drops as too late (review rev48b2, lostthen2.py).

The patient turns left ("previous") at 15.87 s; the return stays past rest, so the turn waits.
The face is lost at 16.6 s and comes back at 20.13 s. The patient, who saw nothing move, turns
left again just after. The engine lets the old turn out 6.67 s late together with the new one,
made 1.7 s after the face came back. The menu drops the old turn (over ``late_step_max_s``) and
drops a step made before it with it (``Interaction._too_late_to_step``), but not the new one:
that was made from what the screen showed once the face was back (``GestureEvent.face_back``).
Only in that frame: swing steps let out in a later frame, after a face loss, are a head looking
around and go with the dropped step (review rev48b3, lostswing.py).
Real engine (synthetic pose traces, 15 fps) into the real menu."""

from __future__ import annotations

from beckon.bedside.interaction import Declined, Interaction, Moved, Selected
from beckon.bedside.vision_worker import reported as as_gesture
from tests.vision.traces import HELD_TURN_PAST_REST, Patient, glide, reported

ITEMS = ("water", "pain", "toilet", "nurse", "blanket")
STEPS = {"nod": "select", "turn_left": "previous", "turn_right": "next"}
LOST, BACK = 16.6, 20.1


def turn_then_face_lost_then_turn_again() -> Patient:
    # rev48b2's lostthen2.py case ("rest", 20.1, -0.1, 1): the second turn starts 0.05 s after
    # 20.0 s and is out from 20.6 s to 21.1 s, judged at about 21.8 s.
    return Patient(
        yaw=glide(
            *HELD_TURN_PAST_REST,
            (16.5, -7.0),
            (16.6, 0.0),
            (20.0, 0.0),
            (20.05, 0.0),
            (20.6, 14.0),
            (21.1, 14.0),
            (21.7, 0.0),
            (22.6, 0.0),
        ),
        found=lambda t: not LOST <= t < BACK,
    )


def test_a_turn_made_once_the_face_is_back_moves_the_menu_though_the_old_one_is_dropped() -> None:
    events = [(t, e) for t, e in reported(turn_then_face_lost_then_turn_again(), 27.6, 15.0)]
    turns = [(t, e) for t, e in events if e.gesture == "turn_left"]
    assert len(turns) == 2, turns
    (t_old, old), (t_new, new) = turns
    assert t_old == t_new, "let out in one frame"
    assert old.made is not None and old.made < LOST
    assert old.face_back is not None and BACK <= old.face_back < BACK + 0.1
    assert new.made is not None and new.made > old.face_back
    assert new.face_back is None, "made with the face in view"

    menu = Interaction(ITEMS, STEPS, offer_seconds=4.0)
    assert menu.highlighted(t_old) == "water"
    outcomes = []
    for t, e in turns:
        g = as_gesture(e, t)
        outcomes.append(menu.on_gesture(g.name, g.t, g.made, g.face_back))
    assert outcomes[0] is None, "the old turn, over 5 s late, moves nothing"
    assert outcomes[1] == Moved("blanket", t_new), "the patient's new turn moves the highlight"
    assert menu.on_gesture("nod", t_new + 0.6) == Selected("blanket", t_new + 0.6)


def test_a_step_made_before_the_face_came_back_still_goes_with_the_dropped_step() -> None:
    # The burst rule stands for what the face's return does not explain: a step made before
    # the loss, reported with the old step, was made from where that step would have put the
    # highlight (review rev48b, pairlate.py).
    menu = Interaction(ITEMS, STEPS, offer_seconds=4.0)
    assert menu.on_gesture("turn_left", 22.53, made=15.87, face_back=20.13) is None
    assert menu.on_gesture("turn_left", 22.53, made=16.2, face_back=20.13) is None
    assert menu.highlighted(22.53) == "water"
    assert menu.on_gesture("turn_right", 22.53, made=21.8) == Declined("water", 22.53)
    assert menu.highlighted(22.53) == "pain"


def turn_then_face_lost_then_looking_around() -> Patient:
    # Review rev48b3's lostswing.py case ("past", 20.1, 0.0, 10, 1.2, 1): the same held turn,
    # the head still past rest when the face is lost and back (20.1 s), then the head swings
    # slowly side to side (10 deg, 1.2 s a swing, five swings) with nothing meant.
    return Patient(
        yaw=glide(
            *HELD_TURN_PAST_REST,
            (20.1, -7.0),
            (21.3, 10.0),
            (22.5, -10.0),
            (23.7, 10.0),
            (24.9, -10.0),
            (26.1, 10.0),
            (27.3, 0.0),
        ),
        found=lambda t: not LOST <= t < BACK,
    )


def test_a_swing_once_the_face_is_back_let_out_after_the_old_turn_moves_nothing() -> None:
    # The face_back exemption is for a step let out in the frame the old step is dropped in
    # (the test above). Swing steps the engine holds and lets out together in a later frame,
    # the first made before that drop, are a head looking around: they go as a burst would.
    events = reported(turn_then_face_lost_then_looking_around(), 33.1, 15.0)
    steps = [(t, e) for t, e in events if e.gesture in STEPS and STEPS[e.gesture] != "select"]
    (t_old, old), *swing = steps
    assert old.made is not None and old.made < LOST
    assert old.face_back is not None and t_old - old.made > 5.0, "the old turn, over 5 s late"
    assert len(swing) >= 2, steps
    t_swing = swing[0][0]
    assert all(t == t_swing > t_old for t, _ in swing), "let out together, in a later frame"
    assert all(e.made is not None and e.made > old.face_back for _, e in swing)
    first_made = swing[0][1].made
    assert first_made is not None and first_made < t_old, "the first made before the drop"

    menu = Interaction(ITEMS, STEPS, offer_seconds=4.0)
    untouched = Interaction(ITEMS, STEPS, offer_seconds=4.0)
    for t, e in steps:
        g = as_gesture(e, t)
        assert menu.on_gesture(g.name, g.t, g.made, g.face_back) is None, (t, e)
    t_nod = t_swing + 0.6
    on_screen = untouched.highlighted(t_nod)
    assert on_screen is not None
    assert menu.highlighted(t_nod) == on_screen, "the scan goes on as if no step came"
    assert menu.on_gesture("nod", t_nod) == Selected(on_screen, t_nod)
