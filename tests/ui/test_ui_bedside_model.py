"""The bedside window's own decisions: spoken prompts, when to stop offering, the face pill."""

from __future__ import annotations

from beckon.bedside import events as ev
from beckon.bedside.interaction import CANCEL_REQUEST, MenuView
from beckon.ui.bedside_model import Prompt, PromptPolicy, prompt_for

ID = "3f2b8c1e-6a4d-4e0b-9c57-2d1e8f4a7b90"


def test_prompts_speak_offers_questions_and_states_but_nothing_technical() -> None:
    offering = ev.MenuChanged(MenuView(("water",), "water", "offering"), 0.0)
    offer = prompt_for(offering, "Water")
    assert offer is not None and offer.key == "offer"
    question = ev.MenuChanged(MenuView(("water",), None, "question", "Cold?"), 0.0)
    asked = prompt_for(question, "")
    assert asked is not None and asked.args == ("Cold?",)
    ack = prompt_for(ev.StateChanged(ID, "acknowledged", "Nurse Kim", "water"), "Water")
    assert ack is not None and ack.args == ("Nurse Kim",)
    assert prompt_for(ev.MenuChanged(MenuView(("water",), None, "paused"), 0.0), "") is None
    assert prompt_for(ev.RequestSent(ID), "") is None
    assert prompt_for(ev.ConnectionChanged(online=True), "") is None
    newer = MenuView(("water",), "water", "pointing_3d")  # type: ignore[arg-type]
    unknown = ev.MenuChanged(newer, 0.0)  # a stage from a newer interaction says nothing
    assert prompt_for(unknown, "Water") is None


def test_asleep_the_menu_says_once_how_to_wake_it_and_offers_nothing() -> None:
    asleep = ev.MenuChanged(MenuView(("water",), None, "asleep", confirm_with=("nod",)), 0.0)
    said = prompt_for(asleep, "")
    assert said is not None and said.key == "asleep"
    policy = PromptPolicy()
    assert policy.prompt(asleep, "", items=1) == said


def test_a_poor_view_shows_its_fix_while_a_face_is_found() -> None:
    """Issue 9: a small or turned face is shown with the fix, not silently detected less."""
    from beckon.ui.bedside_model import FaceView, face_view

    assert face_view(None, None) == FaceView("no_face") and face_view(None, None).tone == "bad"
    assert face_view("ready", None).tone == "ok"
    small = face_view("ready", "move_closer")
    assert small == FaceView("ready", "move_closer") and small.tone == "warn"
    assert face_view("calibrating", "face_screen").hint == "face_screen"
    # No face: there is nothing to fix about its view, the "face not found" state says it all.
    assert face_view("no_face", "move_closer") == FaceView("no_face", None)


def test_the_same_news_for_several_requests_is_said_once() -> None:
    """Four requests closed while the tablet was off: "Your request is done." four times."""
    now = [100.0]
    policy = PromptPolicy(clock=lambda: now[0])
    said = [
        policy.prompt(ev.StateChanged(f"id{i}", "resolved", None, "water"), "Water", items=3)
        for i in range(4)
    ]
    assert [s.key if s else None for s in said] == ["resolved", None, None, None]
    now[0] += 10.0
    later = policy.prompt(ev.StateChanged("id9", "resolved", None, "water"), "Water", items=3)
    assert later is not None and later.key == "resolved"


def test_a_request_already_open_is_said_as_such() -> None:
    said = prompt_for(ev.AlreadyAsked("water", ID, "received"), "Water")
    assert said is not None and said.key == "already_asked" and said.args == ("Water",)


def test_a_cancelled_request_is_said_as_such() -> None:
    said = prompt_for(ev.StateChanged(ID, "cancelled", None, "water"), "Water")
    assert said is not None and said.key == "cancelled"


def test_a_hint_about_the_light_stands_without_a_face() -> None:
    """A dark room hides the face: "Face not found" alone did not say to turn on a light."""
    from beckon.ui.bedside_model import face_view

    assert face_view("no_face", "too_dark").hint == "too_dark"
    assert face_view("no_face", "move_closer").hint is None  # a face's own fix needs a face
    assert face_view("ready", "move_closer").hint == "move_closer"


def test_a_choice_that_lapsed_or_was_taken_back_is_said_and_not_cut_off() -> None:
    """An emergency chosen and left unconfirmed lapsed in silence: the patient believed it had
    gone. Said now; the next offer waits, or the speaker (one prompt at a time) cut it off."""
    now = [100.0]
    policy = PromptPolicy(clock=lambda: now[0])
    lapsed = ev.SelectionCancelled("emergency", 8.0, "timeout")
    assert policy.prompt(lapsed, "Emergency", items=3) == Prompt("not_sent", ("Emergency",))
    offer = ev.MenuChanged(MenuView(("water",), "water", "offering"), 8.0)
    assert policy.prompt(offer, "Water", items=3) is None
    now[0] += 3.5
    assert policy.prompt(offer, "Water", items=3) == Prompt("offer", ("Water",))
    kept = ev.SelectionCancelled(CANCEL_REQUEST, 20.0, "brow_raise")
    assert policy.prompt(kept, "Water", items=3) == Prompt("kept", ("Water",))


def test_a_confirmation_an_emergency_gesture_ended_is_not_said_over_the_emergency() -> None:
    """ "Cancel Water?" ended by the patient's emergency gesture: said at once, "Not
    cancelled" and "Send Emergency?" cut each other (one utterance at a time). The window
    says it once the menu offers again (BedsideWindow._after_emergency)."""
    ended = ev.SelectionCancelled(CANCEL_REQUEST, 20.0, "emergency")
    assert prompt_for(ended, "Water") is None
    assert prompt_for(ev.SelectionCancelled("nurse", 20.0, "emergency"), "Nurse") is None


def test_what_yields_to_the_tile_names_stays_as_large_as_they_allow() -> None:
    """In a cramped window the notices, the instruction line and the request panel are no
    larger than the tiles' names. Taken only down, the cap kept the names' size from before
    anything yielded (28 px notices beside 48 px names); following the names both ways, the
    two took turns. It goes up towards the names, never back to a size after which they were
    smaller, and starts again once something else changes the tiles' room."""
    from beckon.ui.bedside_model import NamesFirst

    cap = NamesFirst()
    assert cap.follow(28) and cap.cap == 28  # the names, before anything yielded
    assert cap.follow(48) and cap.cap == 48  # the notices yielded: the names grew
    assert cap.follow(30) and cap.cap == 30  # at 48 the notices took the names' room again
    assert cap.follow(46) and cap.cap == 46  # up to them, below what proved too large
    assert cap.follow(44) and cap.cap == 44  # 46 was too large too
    assert cap.follow(46) and cap.cap == 45  # the one size left between
    assert cap.follow(44) and cap.cap == 44
    assert not cap.follow(46) and cap.cap == 44  # 44 held, 45 did not: it stays (no turns)
    assert cap.release() and cap.cap is None and not cap.release()
    assert cap.follow(60) and cap.cap == 60  # measured afresh


def test_every_tile_keeps_its_icon_while_the_names_stay_readable() -> None:
    """One look for every request's tile: the icon above the name where that keeps the names
    as large; beside it where only that has room (wide, low tiles); none at all when one tile
    has no room for an icon with its name readable, and then the names as large as all fit."""
    from beckon.ui.bedside_model import TileFit, TileLook, even_look, readable_px

    assert (readable_px(1.0), readable_px(1.5), readable_px(2.0)) == (24, 36, 36)
    roomy = [TileFit(72, above=(72, 120), beside=(72, 100)), TileFit(60, (60, 90), (60, 110))]
    assert even_look(roomy) == TileLook(60, 90)  # above, as the names are as large there
    low = [TileFit(48, None, (38, 70)), TileFit(60, None, (72, 88))]
    assert even_look(low) == TileLook(38, 70, beside=True)
    one_without = [TileFit(46, None, None), TileFit(60, None, (72, 88))]
    assert even_look(one_without) == TileLook(46)


def test_tiles_take_the_column_count_where_they_have_icons_only_when_needed() -> None:
    from beckon.ui.bedside_model import TileLook, columns_with_icons

    three = {3: TileLook(40), 2: TileLook(38, 70, beside=True), 1: TileLook(36, 64, True)}
    assert columns_with_icons(3, three) == 2  # no icons in three columns: the larger names
    assert columns_with_icons(3, {3: TileLook(32, 64), 2: TileLook(46, 90)}) == 3
    assert columns_with_icons(3, {3: TileLook(40), 2: TileLook(46)}) == 3  # none anywhere


def test_tiles_take_the_column_count_where_every_name_is_whole_before_icons_or_size() -> None:
    """A cut name cannot be read: a count that shows every name whole comes before one with
    larger names or with icons (scale 1.5 on a 1024 x 600 tablet, Korean, with the fault)."""
    from beckon.ui.bedside_model import TileLook, columns_with_icons

    cut = TileLook(40, 64, beside=True, whole=False)
    assert columns_with_icons(3, {3: cut, 2: TileLook(28)}) == 2
    assert columns_with_icons(3, {3: TileLook(27, whole=False), 2: TileLook(24)}) == 2
    assert columns_with_icons(3, {3: TileLook(27, whole=False), 2: TileLook(24, whole=False)}) == 3


def test_a_name_steps_down_to_the_size_read_at_1_m_before_it_is_cut() -> None:
    """Half its size at the foot of the bed (27 px at scale 1.5) left "간호사 불러 주세요" cut on
    a 1024 x 600 tablet; 24 px (read at 1 m) is the least. Half its size at 1.25 (22 px) and
    at 1.0 (18 px) was below that: no name goes under the 24 px of every other patient text,
    unless a scale below 1 makes it smaller on purpose."""
    from beckon.ui.bedside_model import READABLE_PX, least_name_px

    assert least_name_px(54, 1.5) == least_name_px(72, 2.0) == READABLE_PX
    assert least_name_px(45, 1.25) == least_name_px(36, 1.0) == READABLE_PX
    assert least_name_px(18, 0.5) == 12  # half the type, half the least


def test_a_name_cut_at_its_least_steps_lower_to_half_its_size_rather_than_be_cut() -> None:
    """At scale 1 on a 1024 x 600 tablet offline, "Cancel “Move me”" was cut at 24 px and
    whole at 18: half the name's size at the foot of the bed is the last step, never above
    the least."""
    from beckon.ui.bedside_model import READABLE_PX, last_name_px

    assert last_name_px(36, 1.0) == 18
    assert last_name_px(45, 1.25) == 22
    assert last_name_px(54, 1.5) == last_name_px(72, 2.0) == READABLE_PX
    assert last_name_px(18, 0.5) == 9


def test_the_hold_on_staff_opens_the_lock_and_the_menu_at_once_and_a_tap_shows_it_again() -> None:
    """A second tap on Staff was needed after the 3 s hold; a patient's tap opens nothing."""
    from beckon.ui.bedside_model import StaffLock

    now = [0.0]
    lock = StaffLock(hold_s=3.0, open_s=120.0, clock=lambda: now[0])
    lock.press()
    now[0] = 1.0
    assert not lock.release() and not lock.poll()  # a patient's tap: nothing
    lock.press()
    now[0] = 2.0
    assert not lock.held()  # the timer is early: the press goes on
    now[0] = 4.1
    assert lock.held() and lock.poll()  # the menu opens under the finger
    now[0] = 5.0
    assert not lock.release()  # the finger's release is no tap: the menu stays as it is
    lock.press()
    now[0] = 5.2
    assert lock.release()  # a staff tap while open: the menu again
    lock.press()
    now[0] = 8.5
    assert lock.release()  # a hold released before its timer: the menu all the same
    now[0] = 8.5 + 121.0
    assert not lock.poll()
    lock.press()
    now[0] = 130.0
    assert not lock.release()  # locked again: a tap is the patient's


def test_show_camera_calibrate_and_exit_are_staff_entries_only_behind_the_lock() -> None:
    from beckon.ui.bedside_model import StaffEntries, staff_entries

    assert staff_entries(False, True) == StaffEntries(False, False, False)
    assert staff_entries(True, True) == StaffEntries(True, True, True)
    assert staff_entries(True, False) == StaffEntries(False, True, True)  # no camera


def test_a_chip_text_wraps_at_spaces_and_inside_a_word_only_when_it_is_wider() -> None:
    """The face chip's light hint ran past an 800 px window at font scale 1 and 2."""
    from beckon.ui.bedside_model import wrap_words

    text = "Too dark to see the face: turn on a light or uncover the camera"
    assert wrap_words(text, len, 100) == text
    wrapped = wrap_words(text, len, 20)
    assert wrapped.replace("\n", " ") == text
    assert max(len(line) for line in wrapped.split("\n")) <= 20
    assert wrapped.split("\n")[0] == "Too dark to see the"
    assert wrap_words("Disconnected", len, 5) == "Disco\nnnect\ned"


def test_a_chip_text_past_two_lines_ends_in_an_ellipsis_within_the_width() -> None:
    """Wrapped whole, the light hint took 6 lines at 2.0 in Korean on 800 x 600 (bar 120 to
    268 px, the tiles moved as it came and went)."""
    from beckon.ui.bedside_model import CHIP_MOST_LINES, ELLIPSIS, wrap_words

    text = "Too dark to see the face: turn on a light or uncover the camera"
    assert wrap_words(text, len, 100, CHIP_MOST_LINES) == text
    assert wrap_words(text, len, 40, CHIP_MOST_LINES) == wrap_words(text, len, 40)  # two lines
    capped = wrap_words(text, len, 20, CHIP_MOST_LINES)
    assert capped == "Too dark to see the\nface: turn on a" + ELLIPSIS
    assert max(len(line) for line in capped.split("\n")) <= 20
    assert wrap_words("Disconnected", len, 5, 2) == "Disco\nnnec" + ELLIPSIS
    # rev42v: the ellipsis cut a word ("Move the tabl…"); whole words go first
    assert wrap_words("tablet closer to the face", len, 13, 1) == "tablet" + ELLIPSIS


def test_a_waiting_confirmation_asks_again_with_the_gesture_and_too_soon_is_not_said() -> None:
    """rev43u2 RISK 3: each utterance stops the last, so "Too soon…" said cut the question and
    was cut by the instruction at ready. It is shown only; the instruction at ready asks the
    question again ("Send Emergency? Nod to send it."), so a question cut earlier is heard
    whole. The cancel entry likewise ("Cancel “Water”? Nod to cancel it.")."""
    from beckon.ui import strings

    def view(highlighted: str, ready: bool) -> MenuView:
        return MenuView(
            ("water", "emergency", CANCEL_REQUEST),
            highlighted,
            "confirming",
            confirm_with=("nod",),
            ready=ready,
            waits=True,
        )

    asked = prompt_for(ev.MenuChanged(view("emergency", False), 0.0), "Emergency")
    assert asked is not None and strings.spoken(asked) == "Send Emergency?"
    now = prompt_for(ev.MenuChanged(view("emergency", True), 2.0), "Emergency")
    assert now is not None and strings.spoken(now) == "Send Emergency? Nod to send it."
    entry = prompt_for(ev.MenuChanged(view(CANCEL_REQUEST, True), 2.0), "Cancel “Water”")
    assert entry is not None
    assert strings.spoken(entry) == "Cancel “Water”? Nod to cancel it."
    assert prompt_for(ev.ConfirmTooSoon("emergency", 1.0, "nod"), "Emergency") is None


def test_the_cancel_entry_has_its_own_too_soon_text() -> None:
    """rev43u2 NIT 5: on the menu's cancel entry the gesture would cancel a request."""
    from beckon.ui import strings

    assert strings.too_soon_text() == "Too soon. To send it, wait for the instruction."
    assert strings.too_soon_text(True) == "Too soon. To cancel it, wait for the instruction."


def test_the_too_soon_note_is_shown_not_said_unless_the_instruction_comes_with_it() -> None:
    """A confirming gesture made in the wait and reported after it adds a note to the view
    (``MenuView.too_soon``): saying the instruction again for it cut the one being said. When
    the note comes with the instruction itself (the late report handled before the view that
    names the gesture was told), the instruction is said."""
    asked = MenuView(("emergency",), "emergency", "confirming", confirm_with=("look_up",),
                     ready=False, waits=True)  # fmt: skip
    ready = MenuView(("emergency",), "emergency", "confirming", confirm_with=("look_up",),
                     waits=True)  # fmt: skip
    noted = MenuView(("emergency",), "emergency", "confirming", confirm_with=("look_up",),
                     waits=True, too_soon=True)  # fmt: skip
    instruction = Prompt("confirm", ("Emergency", "look_up"))
    policy = PromptPolicy()
    policy.prompt(ev.MenuChanged(asked, 5.0), "Emergency", items=2)
    assert policy.prompt(ev.MenuChanged(ready, 7.0), "Emergency", items=2) == instruction
    assert policy.prompt(ev.MenuChanged(noted, 7.3), "Emergency", items=2) is None
    policy = PromptPolicy()
    policy.prompt(ev.MenuChanged(asked, 5.0), "Emergency", items=2)
    assert policy.prompt(ev.MenuChanged(noted, 7.3), "Emergency", items=2) == instruction
