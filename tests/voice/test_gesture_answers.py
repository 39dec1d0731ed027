"""A nod or a shake seen by the camera answers a spoken request that waits for yes or no,
and otherwise goes on to the gesture menu untouched."""

from __future__ import annotations

from beckon.bedside.service import FrameTick, Gesture, Submit
from beckon.bedside.voice_worker import VoiceWorker, route_gestures
from beckon.voice.dialogue import Closed, DialoguePolicy


def _worker(catalog, posted):
    return VoiceWorker("en", posted.append, catalog=catalog, policy=DialoguePolicy())


def test_a_nod_confirms_the_spoken_request_and_does_not_reach_the_menu(catalog):
    posted: list[object] = []
    menu: list[object] = []
    worker = _worker(catalog, posted)
    worker.dialogue.on_intent("water", 0.0, "some water")
    routed = route_gestures(menu.append, worker)
    routed(Gesture("nod", 12.0, 0.9))
    assert posted == [Submit("water", "voice")]
    assert menu == []


def test_a_shake_declines_the_spoken_request(catalog):
    posted: list[object] = []
    menu: list[object] = []
    seen: list[object] = []
    worker = _worker(catalog, posted)
    worker.listeners.append(seen.append)
    worker.dialogue.on_intent("toilet", 0.0)
    route_gestures(menu.append, worker)(Gesture("shake", 3.0, 0.8))
    assert posted == [] and menu == []
    assert [type(s) for s in seen] == [Closed]
    assert isinstance(seen[0], Closed) and seen[0].why == "declined"


def test_without_a_spoken_request_every_gesture_goes_to_the_menu(catalog):
    posted: list[object] = []
    menu: list[object] = []
    routed = route_gestures(menu.append, _worker(catalog, posted))
    items = [Gesture("nod", 1.0, 0.9), Gesture("shake", 2.0, 0.9), FrameTick(2.5)]
    for item in items:
        routed(item)
    assert menu == items and posted == []


def test_other_gestures_go_to_the_menu_even_while_a_request_waits(catalog):
    posted: list[object] = []
    menu: list[object] = []
    worker = _worker(catalog, posted)
    worker.dialogue.on_intent("water", 0.0)
    route_gestures(menu.append, worker)(Gesture("long_blink", 1.0, 0.9))
    assert menu == [Gesture("long_blink", 1.0, 0.9)]
    assert worker.dialogue.pending is not None


def test_the_camera_clock_does_not_expire_the_proposal(catalog):
    """The dialogue runs on the microphone's clock: a gesture stamped with the video's own,
    much later, time must not make the waiting request lapse before the nod counts."""
    posted: list[object] = []
    worker = _worker(catalog, posted)
    worker.dialogue.on_intent("water", 0.0)
    route_gestures(lambda item: None, worker)(Gesture("nod", 3600.0, 0.9))
    assert posted == [Submit("water", "voice")]


def test_with_no_voice_path_the_post_is_unchanged():
    menu: list[object] = []
    assert route_gestures(menu.append, None) == menu.append


def test_a_spoken_request_dropped_for_an_emergency_is_not_sent_by_a_nod(catalog):
    """The bedside ended it (the patient's emergency gesture, ev.SpokenRequestDropped): the
    nod that follows is not its yes (it sent the water with "Emergency?" on screen) and
    goes on to the menu, where it is the emergency's confirmation."""
    posted: list[object] = []
    menu: list[object] = []
    seen: list[object] = []
    worker = _worker(catalog, posted)
    worker.listeners.append(seen.append)
    worker.dialogue.on_intent("water", 0.0, "some water")
    worker.drop_proposal()
    route_gestures(menu.append, worker)(Gesture("nod", 3.0, 0.9))
    assert posted == []
    assert menu == [Gesture("nod", 3.0, 0.9)]
    assert [(type(s), getattr(s, "why", "")) for s in seen] == [(Closed, "dropped")]
