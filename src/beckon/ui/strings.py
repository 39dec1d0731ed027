"""Every sentence the windows show or say, translated with Qt's translator.

The view-models return keys (``acknowledged``, ``saved_offline``, ...); this module turns them
into text in the window's language. Each text is a literal ``translate("Beckon", ...)`` call so
that ``pylupdate6`` finds it (scripts/translations.sh); placeholders are ``{name}`` fields filled
after translation, so a translator can move them.
"""

from __future__ import annotations

from dataclasses import replace

from PyQt6.QtCore import QCoreApplication

from beckon.bedside.devices import CameraState, MicState
from beckon.bedside.interaction import CANCEL_REQUEST, MenuView
from beckon.ui.bedside_model import FaceView, Prompt

translate = QCoreApplication.translate


# ---------------------------------------------------------------- bedside


def gesture_to_do(gesture: str) -> str:
    """A gesture as an instruction to the patient ("Close your eyes for a moment"). The
    screen said "Nod again to send it" while the default profile confirms with a long blink:
    a patient who nodded as told never sent the emergency."""
    to_do = {
        "nod": translate("Beckon", "Nod"),
        "shake": translate("Beckon", "Shake"),  # "Shake your head" made the banner two lines
        "long_blink": translate("Beckon", "Close your eyes for a moment"),
        "brow_raise": translate("Beckon", "Raise your eyebrows"),
        "mouth_open": translate("Beckon", "Open your mouth"),
        "look_up": translate("Beckon", "Look up"),
        "look_down": translate("Beckon", "Look down"),
        "tilt_left": translate("Beckon", "Tilt your head to your left"),
        "tilt_right": translate("Beckon", "Tilt your head to your right"),
        "turn_left": translate("Beckon", "Turn your head to your left"),
        "turn_right": translate("Beckon", "Turn your head to your right"),
    }
    return to_do.get(gesture, gesture.replace("_", " "))


def _first(gestures: tuple[str, ...]) -> str:
    """The gesture to name of those that would do (a nod when a caller knows none)."""
    return gestures[0] if gestures else "nod"


def _two_steps(
    first: str, first_with: tuple[str, ...], then: str, then_with: tuple[str, ...]
) -> str:
    """An instruction ("{gesture} to send it.") naming the first of ``first_with`` (a nod when
    none), then a second one only when a gesture does it (``then_with``)."""
    text = first.format(gesture=gesture_to_do(_first(first_with)))
    if then_with:
        text += " " + then.format(gesture=gesture_to_do(then_with[0]))
    return text


def answer_gestures(view: MenuView | None) -> tuple[str, str]:
    """The gestures to name for yes and no: the patient's first choosing and moving-on
    gestures (``interaction.answer_for``), a nod and a shake when the profile has none."""
    if view is None:
        return "nod", "shake"
    return _first(view.select_with), view.next_with[0] if view.next_with else "shake"


def answer_hint(view: MenuView | None) -> str:
    """Under a nurse's question: how to say yes and no with the patient's own gestures. It said
    "Nod for yes" to a patient whose profile chooses with the mouth, who cannot nod."""
    yes, no = answer_gestures(view)
    if (yes, no) == ("nod", "shake"):
        return translate("Beckon", "Nod for yes, shake your head for no.")
    return translate("Beckon", "{yes} for yes. {no} for no.").format(
        yes=gesture_to_do(yes), no=gesture_to_do(no)
    )


def say_yes(view: MenuView | None) -> str:
    """The end of a spoken proposal ("Did you ask for: Water? Nod or say yes.")."""
    yes, _ = answer_gestures(view)
    if yes == "nod":
        return translate("Beckon", "Nod or say yes.")
    return translate("Beckon", "{gesture} or say yes.").format(gesture=gesture_to_do(yes))


def confirm_question(view: MenuView, label: str) -> str:
    """What a choice awaiting its confirming gesture asks: "Send Emergency?", or for the
    menu's cancel entry its own label ("Cancel “Water”?")."""
    if view.highlighted == CANCEL_REQUEST:
        return translate("Beckon", "{intent}?").format(intent=label)
    return translate("Beckon", "Send {intent}?").format(intent=label)


def getting_ready_text(view: MenuView, label: str = "") -> str:
    """While a confirmation is not ready yet (``MenuView.ready``): the question at once, the
    instruction in a moment. Naming the confirming gesture now would ask for one that is
    ignored (``label``: the chosen entry as the window names it; none: only that it was
    chosen)."""
    if not label:
        return translate("Beckon", "Chosen. Get ready…")
    return translate("Beckon", "{question} One moment…").format(
        question=confirm_question(view, label)
    )


def too_soon_text(cancelling: bool = False) -> str:
    """Shown (not said: it must not cut the question or be cut by the instruction) when a
    confirming gesture came before it counted (``ev.ConfirmTooSoon``): nothing was sent, and a
    patient who meant it must repeat it. ``cancelling``: the menu's cancel entry
    (intents.CANCEL_REQUEST), where the gesture would cancel a request, not send one."""
    if cancelling:
        return translate("Beckon", "Too soon. To cancel it, wait for the instruction.")
    return translate("Beckon", "Too soon. To send it, wait for the instruction.")


def not_sent_text(intent: str) -> str:
    """Said and shown when a request the patient asked for did not go (a spoken request
    dropped before it was sent)."""
    return translate("Beckon", "Not sent: {intent}.").format(intent=intent)


def not_sent_yet_text(intent: str) -> str:
    """Said and shown first when the pain scale a nurse's question interrupted is taken up
    again after it (``MenuView.resumed``): nothing was sent, and "not yet" because the scale
    sends the request without a number after a round. Without it a patient who had chosen
    Pain believed it gone while the question was answered and the menu moved on."""
    return translate("Beckon", "Not sent yet: {intent}.").format(intent=intent)


def too_late_to_count_text(cancelling: bool = False) -> str:
    """Before the instruction when a confirming gesture made before it counted was reported
    after (``MenuView.too_soon``): it did nothing, and the instruction beside it says how.
    Worded to inform, not to urge: it may have been the choosing movement's echo."""
    if cancelling:
        return translate("Beckon", "Too soon: nothing was cancelled.")
    return translate("Beckon", "Too soon: nothing was sent.")


def confirm_banner(view: MenuView, label: str = "") -> str:
    """The instruction while a choice waits for its confirming gesture: an emergency, or the
    menu's cancel entry (intents.CANCEL_REQUEST); until the gesture counts, the question and
    that the instruction follows."""
    if not view.ready:
        return getting_ready_text(view, label)
    if view.too_soon:
        text = confirm_banner(replace(view, too_soon=False), label)
        return too_late_to_count_text(view.highlighted == CANCEL_REQUEST) + " " + text
    cancelling = view.highlighted == CANCEL_REQUEST
    if cancelling:
        go = translate("Beckon", "{gesture} to cancel your request.")
        stop = translate("Beckon", "{gesture} to keep it.")
    else:
        go = translate("Beckon", "{gesture} to send it.")
        stop = translate("Beckon", "{gesture} to cancel.")
    text = _two_steps(go, view.confirm_with, stop, view.cancel_with)
    if not view.cancel_with:  # no gesture takes it back: waiting does, and the patient is told
        text += " " + (
            translate("Beckon", "Or wait to keep it.")
            if cancelling
            else translate("Beckon", "Or wait to cancel.")
        )
    return text


def stage_banner(view: MenuView, label: str = "") -> str:
    """The instruction above the tiles for each interaction stage (unknown stages: wait),
    naming the gestures of the patient's profile (``label``: the highlighted entry's name, for
    the confirmation's question). The scale taken up again after a nurse's question says
    first that nothing was sent."""
    text = _stage_instruction(view, label)
    if view.resumed and view.stage == "scale":
        return not_sent_yet_text(label) + " " + text
    return text


def _stage_instruction(view: MenuView, label: str) -> str:
    stage = view.stage
    choose = gesture_to_do(_first(view.select_with))
    if stage == "scale":
        return translate("Beckon", "How strong, 0 to 10? {gesture} at {level}.").format(
            gesture=choose, level=view.level
        )
    if stage == "offering":
        return _two_steps(
            translate("Beckon", "{gesture} to choose."),
            view.select_with,
            translate("Beckon", "{gesture} for the next one."),
            view.next_with,
        )
    if stage == "paused":
        return translate("Beckon", "Request chosen. One moment…")
    if stage == "confirming":
        return confirm_banner(view, label)
    if stage == "pointing":
        turns = {"turn_left", "turn_right"}
        if view.next_with and not turns & set(view.next_with):  # e.g. looking up and down
            return translate("Beckon", "{move} to move. {gesture} to choose.").format(
                move=gesture_to_do(view.next_with[0]), gesture=choose
            )
        return translate("Beckon", "Turn your head to move. {gesture} to choose.").format(
            gesture=choose
        )
    if stage == "question":
        return translate("Beckon", "Please answer the nurse's question.")
    if stage == "asleep":
        return translate(
            "Beckon", "Resting: nothing is offered. {gesture} to wake the menu."
        ).format(gesture=gesture_to_do(_first(view.confirm_with)))
    return translate("Beckon", "Please wait…")


def already_asked_text(intent: str) -> str:
    """Shown and said when the patient chooses a request that is open already (not sent
    again): a double nod made two identical calls at the station."""
    return translate("Beckon", "You already asked for {intent}. It is still open.").format(
        intent=intent
    )


def cancel_entry_label(intent: str) -> str:
    """The menu entry that cancels the newest open request (intents.CANCEL_REQUEST). The
    request's name is quoted: a name that is itself a phrase read as one ("Cancel Call the
    nurse", "Cancel I am in pain")."""
    return translate("Beckon", "Cancel “{intent}”").format(intent=intent)


def cancel_question(intent: str) -> str:
    """The touch confirmation before a request is cancelled."""
    return translate("Beckon", "Cancel “{intent}”?").format(intent=intent)


def kept_text(intent: str) -> str:
    """A spoken "cancel" that was not confirmed: the request stays."""
    return translate("Beckon", "Not cancelled: {intent} stays.").format(intent=intent)


def cancelling_text(intent: str) -> str:
    """Shown and said once the patient cancelled a request from the menu."""
    return translate("Beckon", "Cancelling your request: {intent}.").format(intent=intent)


def tile_for_reader(view: MenuView, label: str = "") -> str:
    """What a screen reader says of the highlighted tile (its border alone shows it)."""
    if view.stage == "confirming":  # the banner's own words ("... to cancel your request.")
        return translate("Beckon", "Chosen: {instruction}").format(
            instruction=confirm_banner(view, label)
        )
    return translate("Beckon", "Offered now: {gesture} to choose").format(
        gesture=gesture_to_do(_first(view.select_with))
    )


def step_for_reader(text: str, done: bool) -> str:
    """A timeline step for a screen reader: done or not is otherwise only its icon and colour."""
    if done:
        return translate("Beckon", "{step}: done").format(step=text)
    return translate("Beckon", "{step}: not yet").format(step=text)


def scan_speed_text(seconds: float) -> str:
    """The staff button that sets the seconds each item is offered."""
    return translate("Beckon", "Scan: {s} s").format(s=f"{seconds:g}")


def nurse_in_room_text() -> str:
    """The staff menu's presence toggle at the bed (checked while a nurse is in the room)."""
    return translate("Beckon", "Nurse in room")


def clear_emergency_text() -> str:
    """The staff menu entry that clears this bed's emergency (only while a nurse is present)."""
    return translate("Beckon", "Clear emergency")


def relearn_rest_text() -> str:
    """The staff menu entry for a patient just moved: the resting head pose is learned again."""
    return translate("Beckon", "Patient repositioned: learn the rest again")


def relearning_rest_text() -> str:
    """Shown on the stage banner when staff chose :func:`relearn_rest_text` (until the menu's
    next change): it says it was heard, and what the patient does meanwhile."""
    return translate("Beckon", "Learning the resting position again: look at the screen.")


STAFF_AT_BED = "Staff at bed"
"""Who the bed's screen reports as clearing or present: it has no per-nurse login."""


def pause_text(seconds: float) -> str:
    """The staff button that sets the rest after a choice."""
    return translate("Beckon", "Pause: {s} s").format(s=f"{seconds:g}")


def sleep_label() -> str:
    """The menu entry that pauses the menu (intents.SLEEP), which is not in the catalog."""
    return translate("Beckon", "Rest (pause the menu)")


def headline(key: str, nurse: str | None = None) -> str:
    """The large sentence of the request timeline."""
    if key == "saved_offline":
        return translate("Beckon", "Not connected. Your request is saved and will be sent.")
    if key == "sending":
        return translate("Beckon", "Sending your request…")
    if key == "station_away":
        return translate(
            "Beckon",
            "The nurse station is not answering. Your request will reach it when it is back.",
        )
    if key == "received":
        return translate("Beckon", "The nurses have your request.")
    if key == "acknowledged":
        if nurse:
            return translate("Beckon", "{nurse} is coming.").format(nurse=nurse)
        return translate("Beckon", "A nurse is coming.")
    if key == "resolved":
        return translate("Beckon", "Done.")
    if key == "cancelled":
        return translate("Beckon", "Cancelled.")
    return key


def recent_line(clock: str, request: str, state: str) -> str:
    """One of the patient's earlier messages on the bedside: when, what, where it stands."""
    return translate("Beckon", "{time}  {request}: {state}").format(
        time=clock, request=request, state=state
    )


def step(key: str, nurse: str | None = None) -> str:
    """One step of the request timeline."""
    if key == "saved":
        return translate("Beckon", "Saved on this tablet")
    if key == "sent":
        return translate("Beckon", "Sent")
    if key == "received":
        return translate("Beckon", "Received by the nurses' station")
    if key == "acknowledged":
        if nurse:
            return translate("Beckon", "Acknowledged by {nurse}").format(nurse=nurse)
        return translate("Beckon", "Acknowledged by a nurse")
    if key == "resolved":
        return translate("Beckon", "Resolved")
    if key == "cancelled":
        return translate("Beckon", "Cancelled")
    return key


def camera_text(state: CameraState) -> str:
    if state.kind == "on":
        return translate("Beckon", "Camera on")
    if state.kind == "starting":
        return translate("Beckon", "Camera starting")
    if state.kind == "slow":
        return translate("Beckon", "Camera slow ({fps} frames/s)").format(fps=f"{state.fps:.0f}")
    if state.kind == "lost":
        return translate("Beckon", "Camera not working")
    return translate("Beckon", "Camera off")


def face_text(state: str) -> str:
    if state == "ready":
        return translate("Beckon", "Face found")
    if state == "calibrating":
        return translate("Beckon", "Face found, hold still")
    return translate("Beckon", "Face not found")


def face_hint_text(hint: str | None) -> str:
    """The fix for a poor camera view (``FaceStatus.hint``); empty when the view is fine."""
    if hint == "move_closer":
        return translate("Beckon", "Move the tablet closer to the face")
    if hint == "face_screen":
        return translate("Beckon", "Turn the face toward the screen")
    if hint == "center_face":
        return translate("Beckon", "Bring the whole face into the picture")
    if hint == "too_dark":
        return translate(
            "Beckon", "Too dark to see the face: turn on a light or uncover the camera"
        )
    if hint == "too_bright":
        return translate("Beckon", "Too bright: turn the tablet away from the window or lamp")
    if hint == "away_from_rest":
        # Short: one line in the header at font scale 2 (the rest note says the rest). The
        # longer "Resting turned away: ..." took two header lines at 1.5 and pushed the newest
        # request's status out of view offline with a config fault (rev45a2).
        return translate("Beckon", "Only nods and shakes work")
    return ""


def away_from_rest_text() -> str:
    """The bedside's calm line while the head rests far from its learned rest
    (``FaceStatus.hint`` ``away_from_rest``): what the patient can do, and what staff can."""
    return away_from_rest_patient_text() + "\n" + away_from_rest_staff_text()


def away_from_rest_patient_text() -> str:
    """The patient's half of :func:`away_from_rest_text`: alone where the whole would take
    too much of the window (``BedsideWindow._rest_note_text``)."""
    return translate(
        "Beckon",
        "Turn back to where you were resting to use head movements; nods and shakes still work.",
    )


def away_from_rest_staff_text() -> str:
    """The staff's half of :func:`away_from_rest_text`."""
    return translate(
        "Beckon",
        "Staff: if the patient was moved, choose “Patient repositioned” in the staff menu.",
    )


def face_view_text(view: FaceView) -> str:
    """The face pill: the fix for a poor view when there is one, else the face state."""
    return face_hint_text(view.hint) or face_text(view.state)


def mic_text(state: MicState) -> str:
    if state.kind == "listening":
        return translate("Beckon", "Listening")
    if state.kind == "heard":
        return translate("Beckon", "Heard: {text}").format(text=state.text)
    if state.kind == "starting":
        return translate("Beckon", "Microphone starting")
    if state.kind == "error":
        return translate("Beckon", "Microphone not working")
    if state.kind == "failed":
        return translate("Beckon", "Speech recognition not working")
    return translate("Beckon", "Microphone off")


def kiosk_fault_text() -> str:
    """What a kiosk tablet that cannot start says to whoever looks at it (the detail follows)."""
    return translate(
        "Beckon",
        "This tablet cannot call the nurses. Please tell a nurse; staff: call IT.",
    )


def connection_text(online: bool | None) -> str:
    if online:
        return translate("Beckon", "Connected")
    if online is None:
        return translate("Beckon", "Connecting…")
    return translate("Beckon", "Not connected")


def station_text(online: bool | None, linked: bool | None = True) -> str:
    """The station pill. While this window itself is not connected (``linked`` False) the
    station's state is unknown: "Station offline" there sent nurses looking for a failed
    station service when the network was down."""
    if linked is False:
        return translate("Beckon", "Station: unknown")
    if online:
        return translate("Beckon", "Station online")
    if online is None:
        return translate("Beckon", "Station: waiting")
    return translate("Beckon", "Station offline")


def row_action_name(action: str, bed: str, request: str) -> str:
    """What a screen reader says for a call's button: "Acknowledge: Bed 5, I am in pain"."""
    return translate("Beckon", "{action}: {bed}, {request}").format(
        action=action, bed=bed, request=request
    )


def bed_title(bed: str) -> str:
    return translate("Beckon", "Bed {bed}").format(bed=bed)


def spoken(prompt: Prompt) -> str:
    """What the speaker says for a prompt key (see bedside_model.prompt_for)."""
    a = prompt.args
    if prompt.key == "offer":
        return translate("Beckon", "{intent}?").format(intent=a[0])
    if prompt.key == "confirm":  # args: the intent, the confirming gesture
        return translate("Beckon", "Send {intent}? {gesture} to send it.").format(
            intent=a[0], gesture=gesture_to_do(a[1] if len(a) > 1 else "nod")
        )
    if prompt.key == "confirm_ask":  # args: the intent (at ready: confirm, the question again)
        return translate("Beckon", "Send {intent}?").format(intent=a[0])
    if prompt.key == "confirm_cancel_ask":  # args: the entry ("Cancel “Water”")
        return translate("Beckon", "{intent}?").format(intent=a[0])
    if prompt.key == "confirm_cancel":  # args: the entry ("Cancel “Water”"), the gesture
        return translate("Beckon", "{entry}? {gesture} to cancel it.").format(
            entry=a[0], gesture=gesture_to_do(a[1] if len(a) > 1 else "nod")
        )
    if prompt.key == "scale_resumed":  # after a nurse's question; args: the request
        return not_sent_yet_text(a[0]) + " " + spoken(Prompt("scale", ("0",)))
    if prompt.key == "cancel_asked":
        return cancelling_text(a[0])
    if prompt.key == "scale" and a[0] == "0":
        return translate("Beckon", "How strong, from 0 to 10? 0?")
    if prompt.key == "scale":
        return translate("Beckon", "{level}?").format(level=a[0])
    if prompt.key == "asleep":  # args: the waking gesture
        return translate("Beckon", "Resting. {gesture} to wake the menu.").format(
            gesture=gesture_to_do(a[0] if a else "nod")
        )
    if prompt.key == "chosen":
        return translate("Beckon", "{phrase} Your request is saved.").format(phrase=a[0])
    if prompt.key == "already_asked":
        return already_asked_text(a[0])
    if prompt.key == "kept":
        return kept_text(a[0])
    if prompt.key == "not_sent":
        return translate("Beckon", "Not sent: {intent}. Choose it again if you need it.").format(
            intent=a[0]
        )
    if prompt.key == "question":  # args: the question, then the yes and no gestures
        if tuple(a[1:3]) in ((), ("nod", "shake")):
            return translate("Beckon", "{question} Nod for yes, shake for no.").format(
                question=a[0]
            )
        return translate("Beckon", "{question} {yes} for yes. {no} for no.").format(
            question=a[0], yes=gesture_to_do(a[1]), no=gesture_to_do(a[2])
        )
    if prompt.key == "received":
        return translate("Beckon", "The nurses have your request.")
    if prompt.key == "acknowledged":
        return headline("acknowledged", a[0] if a else None)
    if prompt.key == "resolved":
        return translate("Beckon", "Your request is done.")
    if prompt.key == "cancelled":
        return translate("Beckon", "Your request is cancelled.")
    if prompt.key == "saved_offline":
        return headline("saved_offline")
    if prompt.key == "answered_yes":
        return translate("Beckon", "You answered yes.")
    if prompt.key == "answered_no":
        return translate("Beckon", "You answered no.")
    return ""


# ---------------------------------------------------------------- station


def done_first_text(what: str, state: str, by: str) -> str:
    """A nurse's action the station did not need: another nurse's came first."""
    if state == "acknowledged":
        text = translate("Beckon", "{what}: already acknowledged by {nurse}.")
    elif state == "cancelled":
        text = translate("Beckon", "{what}: the patient cancelled it first.")
    else:
        text = translate("Beckon", "{what}: already resolved by {nurse}.")
    return text.format(what=what, nurse=by)


def request_state(state: str, by: str | None) -> str:
    if state == "acknowledged":
        if by:
            return translate("Beckon", "Acknowledged by {nurse}").format(nurse=by)
        return translate("Beckon", "Acknowledged")
    if state == "received":
        return translate("Beckon", "Waiting for a nurse")
    return state


def priority_text(priority: str) -> str:
    if priority == "emergency":
        return translate("Beckon", "Emergency")
    if priority == "urgent":
        return translate("Beckon", "Urgent")
    return translate("Beckon", "Routine")


def escalation_text(level: int, state: str = "received") -> str:
    """An unanswered call goes up the chain; an acknowledged one that stays open reminds."""
    if level <= 0:
        return ""
    if state == "acknowledged":
        return translate("Beckon", "Reminder: still open")
    # Whether a pager was called is the station's escalation hook's business, which this window
    # cannot see: it said "nobody was paged" while the hook paged every level.
    if level == 1:
        return translate("Beckon", "Overdue (level 1): not acknowledged in time")
    if level == 2:
        return translate("Beckon", "Overdue (level 2): tell the charge nurse")
    return translate("Beckon", "Overdue (level 3): call the whole unit")


def clear_at_bed_text() -> str:
    """Why an emergency row has no Resolve button: the station refuses it from a console."""
    return translate("Beckon", "Clear at the bedside")


def nurse_in_room_line(beds: list[str]) -> str:
    """The station's "nurse in room" label (empty: nobody marked presence at a bed)."""
    if not beds:
        return ""
    names = ", ".join(translate("Beckon", "bed {bed}").format(bed=b) for b in beds)
    return translate("Beckon", "Nurse in room: {beds}").format(beds=names)


def alert_text(kind: str, bed: str, intent: str = "", detail: str = "") -> str:
    if kind == "new":
        return translate("Beckon", "New request: bed {bed}, {intent}").format(
            bed=bed, intent=intent
        )
    if kind == "escalated":
        return translate("Beckon", "Still waiting: bed {bed}, {intent}").format(
            bed=bed, intent=intent
        )
    if kind == "device_fault":
        return translate("Beckon", "Device fault: bed {bed} is offline").format(bed=bed)
    if kind == "answer":
        return translate("Beckon", "Bed {bed} answered {answer}").format(
            bed=bed, answer=answer_text(detail)
        )
    return ""


def answer_text(answer: str | None) -> str:
    if answer == "yes":
        return translate("Beckon", "YES")
    if answer == "no":
        return translate("Beckon", "NO")
    if answer == "expired":
        return translate("Beckon", "no answer")
    return translate("Beckon", "waiting…")


def question_times(asked: str, answered: str | None) -> str:
    """When a question was asked and answered, in local clock time."""
    if answered:
        return translate("Beckon", "asked {asked}, answered {answered}").format(
            asked=asked, answered=answered
        )
    return translate("Beckon", "asked {asked}").format(asked=asked)


def answer_source(source: str | None) -> str:
    if source == "gesture":
        return translate("Beckon", "by head gesture")
    if source == "voice":
        return translate("Beckon", "by voice")
    if source == "touch":
        return translate("Beckon", "by touch")
    return ""


def preset_questions() -> list[str]:
    return [
        translate("Beckon", "Are you in pain?"),
        translate("Beckon", "Are you thirsty?"),
        translate("Beckon", "Are you comfortable?"),
        translate("Beckon", "Do you want to sleep?"),
        translate("Beckon", "Are you cold?"),
    ]


def system_fault_text(key: str) -> str:
    """The station's full-width banner for a fault of its own (see station_model.SystemWatch)."""
    if key == "broker_lost":
        return translate(
            "Beckon",
            "NOT CONNECTED: calls from the beds cannot reach this screen. Check the beds in "
            "person and call IT.",
        )
    if key == "station_lost":
        return translate(
            "Beckon",
            "STATION SERVICE DOWN: new calls are not being received. Check the beds in person "
            "and call IT.",
        )
    if key == "no_sound":
        return translate("Beckon", "No sound device: alarms are silent. Watch this screen.")
    return key


def reach_text(key: str) -> str:
    """What the bedside shows and says when calls cannot get through (bedside.reach.ReachWatch)."""
    if key == "unreachable":
        return translate(
            "Beckon",
            "Calls cannot reach the nurses right now. If you need help, call out or ask a "
            "visitor to get a nurse.",
        )
    if key == "no_receipt":
        return translate(
            "Beckon",
            "Your request has not reached the nurses yet. If you need help, call out or ask a "
            "visitor to get a nurse.",
        )
    if key == "no_sound":
        return translate("Beckon", "No sound device: spoken prompts and alarms are silent.")
    return key


def slow_call_text(wait: str, intent: str, received: str, answered: bool) -> str:
    """One line of the history's slowest calls."""
    if answered:
        return translate("Beckon", "{wait}: {intent} at {time}").format(
            wait=wait, intent=intent, time=received
        )
    return translate("Beckon", "{wait}: {intent} at {time}, NO NURSE ANSWERED").format(
        wait=wait, intent=intent, time=received
    )


def calm_alert_text(faulty_beds: int, waiting: int = 0, overdue: int = 0) -> str:
    """The alert band between alerts: how many calls wait for a nurse and how many are overdue,
    and the beds with a device fault (listed under the calls, often out of view on a busy
    unit); "No alerts" when there is none of these."""
    parts = []
    if waiting:
        parts.append(translate("Beckon", "{n} waiting").format(n=waiting))
    if overdue:
        parts.append(translate("Beckon", "{n} overdue").format(n=overdue))
    if faulty_beds:
        parts.append(
            translate("Beckon", "device faults at {n} bed(s): see below").format(n=faulty_beds)
        )
    return " · ".join(parts) if parts else translate("Beckon", "No alerts")


def bed_fault_text(bed: str, faults: tuple[str, ...]) -> str:
    """One line per bed that is online but reports device faults (BedStatus.faults)."""
    names = {
        "camera_off": translate("Beckon", "camera off"),
        "camera_lost": translate("Beckon", "camera not working"),
        "no_face": translate("Beckon", "face not found"),
        "poor_view": translate("Beckon", "face too small or turned away: move the tablet"),
        "too_dark": translate("Beckon", "too dark to see the patient: turn on a light"),
        "too_bright": translate("Beckon", "picture washed out: turn the tablet from the light"),
        "mic_error": translate("Beckon", "microphone not working"),
        "voice_error": translate("Beckon", "speech recognition not working: call IT"),
        "no_sound": translate("Beckon", "no sound: prompts and alarms are silent"),
        "config": translate("Beckon", "configuration problem: call IT"),
        "clock": translate("Beckon", "clock wrong by minutes or more: set the time"),
        "storage": translate(
            "Beckon", "storage full or failing: calls are not kept if they do not get through"
        ),
        "backlog": translate(
            "Beckon", "calls from this bed are not reaching the station: check the bed, call IT"
        ),
    }
    return translate("Beckon", "Bed {bed}: {faults}").format(
        bed=bed, faults=", ".join(names.get(f, f) for f in faults)
    )


def board_headers() -> list[str]:
    """The bed board's column titles (station window, Beds tab), the bed first."""
    return [
        translate("Beckon", "Bed"),
        translate("Beckon", "Tablet"),
        translate("Beckon", "Camera"),
        translate("Beckon", "Face"),
        translate("Beckon", "Microphone"),
        translate("Beckon", "Speech"),
        translate("Beckon", "Calls to station"),
        translate("Beckon", "Version"),
    ]


def board_text(code: str, backlog: int | None = None, age: str = "") -> str:
    """The words in one bed board cell for a ``station_model.BedBoardRow`` code; a running
    speech recogniser ("vosk:ko") is shown as it is, which IT can read."""
    words = {
        "ok": translate("Beckon", "OK"),
        "unknown": "–",
        "online": translate("Beckon", "online"),
        "offline": translate("Beckon", "OFFLINE"),
        "camera_off": translate("Beckon", "off"),
        "camera_lost": translate("Beckon", "not working"),
        "no_face": translate("Beckon", "not found"),
        "poor_view": translate("Beckon", "poor view"),
        "too_dark": translate("Beckon", "too dark"),
        "too_bright": translate("Beckon", "too bright"),
        "away_from_rest": translate("Beckon", "turned from rest"),
        "mic_error": translate("Beckon", "not working"),
        "failed": translate("Beckon", "not working"),
        "starting": translate("Beckon", "starting"),
        "off": translate("Beckon", "off"),
    }
    if code == "sending":
        return translate("Beckon", "{n} sending").format(n=backlog)
    if code == "stuck":
        return translate("Beckon", "{n} NOT ARRIVING ({age})").format(n=backlog, age=age)
    return words.get(code, code)
