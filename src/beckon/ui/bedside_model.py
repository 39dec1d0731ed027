"""What the bedside window shows and says, decided in plain Python (no Qt, so it is tested).

The window renders; this module decides which events deserve a spoken prompt (and when to stop
offering), what staff may change at the bed, how the tiles fit, and what the face pill says.
Texts are keys; the Qt layer translates them. What the window shares with the window-less
bedside lives in ``beckon.bedside``: the request timeline (``timeline.py``), the camera and
microphone and their faults for the station (``devices.py``), calls that cannot get through
(``reach.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from beckon.bedside import events as ev
from beckon.bedside.devices import AWAY_FROM_REST, LIGHT_HINTS
from beckon.bedside.events import BedsideEvent
from beckon.bedside.interaction import MenuView
from beckon.intents import CANCEL_REQUEST, Intent
from beckon.ui.theme import BEDSIDE, BEDSIDE_FAR

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- spoken prompts


@dataclass(frozen=True)
class Prompt:
    """Something to say: a text key and its arguments (translated by the Qt layer)."""

    key: str
    args: tuple[str, ...] = ()


def spoken_intent(e: BedsideEvent) -> str:
    """The intent a spoken prompt names: the highlighted one for the menu, the chosen one for
    a new request, none otherwise."""
    if isinstance(e, ev.MenuChanged):
        return e.menu.highlighted or ""
    if isinstance(e, ev.RequestSaved | ev.AlreadyAsked | ev.CancelAsked | ev.SelectionCancelled):
        return e.intent
    return ""


def spoken_words(e: BedsideEvent, intents: Mapping[str, Intent], language: str) -> str:
    """How a prompt names its intent: a chosen request is said as the catalog's sentence for
    the people in the room ("I would like some water, please."), so visitors hear what the
    patient asked for; the menu names the intent by its label ("" for what the catalog does
    not have, such as the sleep entry: the window names those)."""
    spec = intents.get(spoken_intent(e))
    if spec is None:
        return ""
    if isinstance(e, ev.RequestSaved):
        return spec.room_phrase(language)
    return spec.label(language)


def prompt_for(e: BedsideEvent, intent_label: str, calibrating: bool = False) -> Prompt | None:
    """What to say aloud for a bedside event, for patients who cannot read the screen.

    The menu speaks only the offered item (the patient answers it); states speak the steps
    that matter to the patient (received, someone is coming, done); nothing technical. While
    the calibration wizard runs, the menu is silent: its instructions must be heard alone.
    """
    if calibrating and isinstance(e, ev.MenuChanged):
        return None
    match e:
        case ev.MenuChanged(menu=menu):
            if menu.stage == "question":
                return Prompt("question", (menu.question,))
            if menu.stage == "offering" and menu.highlighted:
                return Prompt("offer", (intent_label,))
            confirm = menu.confirm_with[:1] or ("nod",)  # the gesture to name
            if menu.stage == "confirming" and menu.highlighted:
                # Where the confirming gesture counts only after a wait (MenuView.waits), the
                # question is asked at once and asked again with the gesture when it counts
                # ("Send Emergency? Nod to send it."): a question cut by the speaker is then
                # heard whole (rev43u2 RISK 3).
                key = "confirm_cancel" if menu.highlighted == CANCEL_REQUEST else "confirm"
                if not menu.ready:
                    return Prompt(key + "_ask", (intent_label,))
                return Prompt(key, (intent_label, *confirm))
            if menu.stage == "asleep":
                return Prompt("asleep", confirm)
            if menu.stage == "scale" and menu.level is not None:
                if menu.resumed and menu.level == 0:  # after a nurse's question
                    return Prompt("scale_resumed", (intent_label,))
                return Prompt("scale", (str(menu.level),))
            return None
        case ev.RequestSaved(restored=False):
            return Prompt("chosen", (intent_label,))
        case ev.AlreadyAsked():
            return Prompt("already_asked", (intent_label,))
        case ev.CancelAsked():
            return Prompt("cancel_asked", (intent_label,))
        case ev.ConfirmTooSoon():
            # Shown only (BedsideWindow): said, it cut the question (each utterance stops the
            # last) and was itself cut by the instruction at ready (rev43u2 RISK 3).
            return None
        case ev.SelectionCancelled(reason="emergency"):
            # Ended by the patient's emergency gesture: said by the window once the
            # emergency's own prompt is over (BedsideWindow._after_emergency); said now, it
            # cut "Send Emergency?" or was cut by it (each utterance stops the last).
            return None
        case ev.SelectionCancelled(intent=intent):
            # A choice that waited for its confirming gesture lapsed or was taken back: said,
            # or the patient believed the emergency had gone (for the cancel entry, the label
            # is the request it named: "Not cancelled: Water stays.").
            return Prompt("kept" if intent == CANCEL_REQUEST else "not_sent", (intent_label,))
        case ev.StateChanged(state="received"):
            return Prompt("received")
        case ev.StateChanged(state="acknowledged", by=by):
            return Prompt("acknowledged", (by or "",))
        case ev.StateChanged(state="resolved"):
            return Prompt("resolved")
        case ev.StateChanged(state="cancelled"):
            return Prompt("cancelled")  # shown as "Cancelled." but never said
        case ev.ConnectionChanged(online=False, request_saved=True):
            return Prompt("saved_offline")
        case ev.QuestionAnswered(answer=answer):
            return Prompt("answered_" + ("yes" if answer == "yes" else "no"))
        case _:
            return None


# ---------------------------------------------------------------- staff-only controls


SCAN_PRESETS = (2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
"""Seconds per offer staff can choose at the bed (slower for a tired patient)."""
PAUSE_PRESETS = (1.0, 2.0, 3.0, 5.0, 8.0)
"""Seconds the menu rests after a choice (longer for patients whose gestures linger)."""


def next_preset(current: float, presets: tuple[float, ...]) -> float:
    """The next preset above ``current``, back to the first after the last: one button that
    staff press until the value suits the patient."""
    return next((p for p in presets if p > current + 1e-9), presets[0])


class StaffLock:
    """The staff menu (camera picture, calibration, exit, scan speed ...) opens after a long
    press on Staff, for a while.

    A patient's stray touch or a visitor's tap must not start a calibration that changes the
    patient's gestures, nor show the camera picture. A long press (``hold_s``) on the staff
    button opens the lock for ``open_s`` and the menu at once (``held``); a short tap while it
    is open shows the menu again (``release``); then it locks again by itself.
    """

    def __init__(self, hold_s: float = 3.0, open_s: float = 120.0, clock: Any = time.monotonic):
        self.hold_s = hold_s
        self.open_s = open_s
        self.clock = clock
        self._pressed_at: float | None = None
        self._open_at_press = False  # the lock was open when the press began: a tap shows it
        self._open_until = 0.0

    def press(self) -> None:
        self._open_at_press = self.poll()
        self._pressed_at = self.clock()

    def held(self) -> bool:
        """Asked ``hold_s`` after a press: whether it is still down and long enough. Then the
        lock opens and the press ends here, so the staff menu opens under the finger at once
        (a second tap was needed) and the finger's release is no tap."""
        pressed = self._pressed_at
        if pressed is None or self.clock() - pressed < self.hold_s:
            return False
        self._pressed_at = None
        self._open_until = self.clock() + self.open_s
        return True

    def release(self) -> bool:
        """The press ends; returns whether the staff menu opens now: a press long enough
        (``held`` not asked yet), or a short tap while the lock was and is open. A patient's
        tap on a closed lock opens nothing."""
        if self.held():
            return True
        pressed, self._pressed_at = self._pressed_at, None
        return pressed is not None and self._open_at_press and self.poll()

    def poll(self) -> bool:
        """Whether the lock is open now (a press held long enough opens it at once)."""
        if self._pressed_at is not None and self.clock() - self._pressed_at >= self.hold_s:
            self._open_until = self.clock() + self.open_s
        return self.clock() < self._open_until

    def unlock(self) -> None:
        """Open without a press (the screenshot tool and the nurse command line)."""
        self._open_until = self.clock() + self.open_s

    def lock(self) -> None:
        self._open_until = 0.0


@dataclass(frozen=True)
class StaffEntries:
    """Which of the staff menu's own entries show (``staff_entries``)."""

    preview: bool
    """Show camera: the camera picture, checked while it is on screen."""
    calibrate: bool
    """Calibrate: the calibration wizard (raised again if it is open)."""
    exit: bool
    """Exit: closes the bedside (under the kiosk service it starts again)."""


def staff_entries(open_: bool, camera: bool) -> StaffEntries:
    """The staff menu's Show camera, Calibrate and Exit: only behind the lock (``open_``), and
    Show camera only with a camera. They were bar buttons that appeared as the lock opened: the
    bar grew a row and the patient's tiles moved, and at font scale 1.5 on a portrait tablet
    (2.0 on 1024 x 600) Show camera and Calibrate were cut. The bar now never changes with the
    lock."""
    return StaffEntries(preview=open_ and camera, calibrate=open_, exit=open_)


CHIP_MOST_LINES = 2
"""A status chip's most lines (``wrap_words``): wrapped whole, the light hint took 6 lines at
font scale 2 in Korean on 800 x 600, the bar grew from 120 to 268 px and the patient's tiles
moved each time the hint came and went. Past two lines the text ends in an ellipsis; the whole
text is the chip's tooltip and what a screen reader hears."""

ELLIPSIS = "\u2026"


def wrap_words(
    text: str, advance: Callable[[str], int], width: int, most_lines: int | None = None
) -> str:
    """``text`` broken into lines (at spaces; inside a word only where the word alone is wider)
    each no wider than ``width`` as ``advance`` measures it: a status chip's text where the
    chip has less room than its text needs ("Too dark to see the face: turn on a light or
    uncover the camera" ran past an 800 px window at font scale 1 and 2). Past ``most_lines``
    lines (None: no limit) the last line kept ends in an ellipsis (``CHIP_MOST_LINES``)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        joined = f"{line} {word}" if line else word
        if advance(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:  # a word wider than a line goes on lines of its own
            if line and advance(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    lines.append(line)
    if most_lines is not None and len(lines) > most_lines:
        lines = lines[:most_lines]
        lines[-1] = elided(lines[-1], advance, width)
    return "\n".join(lines)


def elided(line: str, advance: Callable[[str], int], width: int) -> str:
    """``line`` ending in an ellipsis, shortened until both fit in ``width``: by whole words
    while it has more than one ("tabl…" read as a word of its own), else by characters."""
    while line and advance(line.rstrip() + ELLIPSIS) > width:
        cut = line.rstrip().rfind(" ")
        line = line[:cut] if cut > 0 else line[:-1]
    return line.rstrip() + ELLIPSIS


# ---------------------------------------------------------------- speech that helps


QUIET_AFTER_ROUNDS = 2
"""Full rounds of spoken offers with no gesture before the menu stops speaking them."""

_PATIENT_ACTS = (
    ev.IntentSelected,
    ev.OfferDeclined,
    ev.PointerMoved,
    ev.ConfirmNeeded,
    ev.ConfirmTooSoon,
    ev.CancelAsked,
    ev.QuestionAnswered,
    ev.QuestionAsked,
)


SAME_NEWS_S = 3.0
"""The same spoken news about requests (done, received) again within this many seconds is
not said again: it is about several requests at once."""


GIVEN_UP = ("not_sent", "kept")
"""Prompts for a choice given up while it waited for its confirming gesture."""
GIVEN_UP_QUIET_S = 3.0
"""Offers are not spoken for this long after one: they would cut it off."""


class PromptPolicy:
    """Which prompts are worth saying aloud, so speech helps rather than wears people out.

    - Offers are not spoken while the camera sees no face: nobody is there to answer.
    - After ``quiet_after_rounds`` full rounds of offers with no gesture, offers are no longer
      spoken (the highlight keeps moving on screen); the patient's next gesture, a face that
      comes back into view or a nurse's question makes the menu speak again.
    - A request's state is spoken only when it changed on this screen for a request this screen
      already showed, so after a restart the retained states of old requests are not announced;
      the same news for several requests at once is said once ("Your request is done." four
      times in a row, for requests closed while the tablet was off).
    - A confirmation whose only change is the too-soon note (``MenuView.too_soon``) is not said
      again: the note is shown, and saying the instruction again cut it as it was being said.
    """

    def __init__(
        self,
        quiet_after_rounds: int = QUIET_AFTER_ROUNDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quiet_after_rounds = quiet_after_rounds
        self.face_in_view: bool | None = None  # None: no camera to tell
        self.unanswered_offers = 0
        self._clock = clock
        self._last_news: tuple[Prompt, float] | None = None
        self._quiet_until = 0.0  # offers wait while "Not sent: ..." is heard
        self._last_menu: MenuView | None = None  # the menu's view last told

    def quiet(self) -> None:
        """Something about a choice given up is being said now (a spoken proposal's lapse held
        back over a nurse's question): the next offers keep quiet for as long as after a
        ``GIVEN_UP`` prompt, or the first offer cuts it."""
        self._quiet_until = self._clock() + GIVEN_UP_QUIET_S

    def face(self, in_view: bool | None) -> None:
        if in_view and self.face_in_view is not True:
            self.unanswered_offers = 0  # someone is (back) in front of the tablet
        self.face_in_view = in_view

    def prompt(
        self,
        e: BedsideEvent,
        intent_label: str,
        *,
        items: int,
        changed: bool = True,
        known: bool = True,
        calibrating: bool = False,
    ) -> Prompt | None:
        if isinstance(e, _PATIENT_ACTS):
            self.unanswered_offers = 0
        if isinstance(e, ev.MenuChanged):
            told, self._last_menu = self._last_menu, e.menu
            if e.menu.too_soon and told is not None and replace(told, too_soon=True) == e.menu:
                return None
            if _asked_again(told, e.menu):
                return None
        if isinstance(e, ev.StateChanged) and not (changed and known):
            return None
        said = prompt_for(e, intent_label, calibrating)
        if isinstance(e, ev.StateChanged) and said is not None:
            now, last = self._clock(), self._last_news
            if last is not None and last[0] == said and now - last[1] < SAME_NEWS_S:
                return None
            self._last_news = (said, now)
        if said is not None and said.key in GIVEN_UP:
            self._quiet_until = self._clock() + GIVEN_UP_QUIET_S
        if said is None or said.key != "offer":
            return said
        if self._clock() < self._quiet_until:
            return None  # the next offer would cut it off: the speaker says one thing at a time
        if self.face_in_view is False:
            return None
        if self.unanswered_offers >= self.quiet_after_rounds * max(1, items):
            return None
        self.unanswered_offers += 1
        return said


def _asked_again(told: MenuView | None, menu: MenuView) -> bool:
    """``menu`` is the confirmation ``told`` already asked, still in its wait, changed only
    in its timing: a gesture in the wait of a call over a nurse's question answered the
    question and the wait started again (``Interaction.answered_instead``). Said again,
    "Send Emergency?" cut "You answered yes." at once (rev45b4); it is said whole with the
    gesture when a nod counts."""
    return (
        told is not None
        and menu.stage == told.stage == "confirming"
        and menu.highlighted == told.highlighted
        and not menu.ready
        and not told.ready
    )


def most_columns(items: int) -> int:
    """Three columns at most, two for four items (a square)."""
    return max(1, min(2 if items == 4 else 3, items))


def columns_with_icons(columns: int, looks: Mapping[int, TileLook]) -> int:
    """``columns`` (``tile_columns``: the most room for each name), unless another count
    (``looks``: the even look at each) shows what it does not, first every name whole, then
    an icon on every tile with the names readable; then that count, the one with the larger
    names. A patient cannot read a cut name: that is worse than a smaller one or a missing
    icon. At scale 2 on a 1280 x 800 tablet, offline, three columns left "간호사 불러 주세요"
    three lines beside an icon and two above one: no icons; two columns have them beside names
    of 38 px. A count where some name is cut even at its least (``least_name_px``) is taken
    only where every other count cuts one too."""
    if columns not in looks:
        return columns

    def shows(count: int) -> tuple[bool, bool]:
        return looks[count].whole, looks[count].icon_px > 0

    best = max(shows(count) for count in looks)
    if shows(columns) == best:
        return columns
    return max(
        (count for count in looks if shows(count) == best),
        key=lambda c: (looks[c].name_px, looks[c].icon_px, c == columns),
    )


def tile_columns(items: int, width: int, min_w: int, height: int = 0, min_h: int = 0) -> int:
    """Columns of the request tiles: three at most (two for four items, a square), fewer when
    the tiles would be narrower than ``min_w``, more when ``height`` leaves rows lower than
    ``min_h`` (as when notices take room at a large font scale on a small screen)."""
    if items <= 0:
        return 1
    most = most_columns(items)

    def fit(columns: int) -> float:
        rows = -(-items // columns)
        wide = width / columns / max(1, min_w)
        high = height / rows / max(1, min_h) if height and min_h else 1.0
        return min(wide, high, 1.0)

    columns = most
    while columns > 1 and width < columns * min_w:
        columns -= 1
    best = max(range(1, most + 1), key=lambda c: (fit(c), c == columns))
    return best if fit(best) > fit(columns) else columns


# ---------------------------------------------------------------- the request tiles

READABLE_PX = 24
"""Patient text is at least this at font scale 1 (docs/ui.md: capitals of 2.98 mm on the
10.1-inch tablet, 10 minutes of arc at 1 m, what 6/12 vision reads)."""
FAR_SCALE = BEDSIDE_FAR.distance_m / BEDSIDE.distance_m
"""The font scale for the foot of the bed (1.5 m against 1 m: 1.5). A tile's name may give
way to its icon down to the readable size at this scale: a larger scale asks for more room
than a cramped window has."""


def readable_px(scale: float) -> int:
    """The type a tile's name keeps when it gives way to its icon: patient text's least at
    ``scale``, and above ``FAR_SCALE`` that at the foot of the bed (36 px, 4.4 mm capitals)."""
    return round(READABLE_PX * min(scale, FAR_SCALE))


def least_name_px(style: int, scale: float) -> int:
    """The least type a tile's name steps down to before it is cut: the size read at 1 m
    (``READABLE_PX``, 24 px), or at a scale below 1 (small type chosen on purpose) that scale's
    share of it, and never above the name's own size: a cut name cannot be read at all, a
    smaller one still can, and none is smaller than any other patient text. At scale 1.5 on a
    1024 x 600 tablet in Korean with the configuration fault, "간호사 불러 주세요" took two lines
    at 27 px in tiles 96 px high and was cut; at 24 px it is whole on one. At 1.25 half the
    name's size (22 px) was its least, below the 24 px read at 1 m."""
    return min(style, round(READABLE_PX * min(scale, 1.0)))


def last_name_px(style: int, scale: float) -> int:
    """The type a name still steps down to below ``least_name_px`` where that alone keeps it
    whole: half its size at ``FAR_SCALE`` (18 px at scale 1), never above the least. A cut
    name is worse than a small one: at scale 1 on a 1024 x 600 tablet offline, "Cancel “Move
    me”" and "자세를 바꿔 주세요 요청 취소" were cut at 24 px (two lines in 33 px) and whole at
    18. The fault notice folds first where it can (``TileFit.whole`` is the name whole at the
    least)."""
    return min(int(style * 0.5 * min(1.0, FAR_SCALE / scale)), least_name_px(style, scale))


@dataclass(frozen=True)
class TileFit:
    """What one tile has room for at its size: its name's largest type with no icon
    (``bare_px``; ``whole``: False when the name has no room around it at its least,
    ``least_name_px``: then ``bare_px`` is the largest type from the least down to
    ``last_name_px`` that the tile's whole height holds, or the least where it is cut even
    there), and for
    each place of the icon (above the name, beside it) the name's largest type with the
    icon, never below ``readable_px``, and the icon's size then (None: no room for an icon
    there)."""

    bare_px: int
    above: tuple[int, int] | None = None
    beside: tuple[int, int] | None = None
    whole: bool = True


@dataclass(frozen=True)
class TileLook:
    """What every request's tile shows: the name's type, the icon's size (0: none),
    whether the icon is beside the name instead of above it, and whether every name is
    whole (False: some tile cuts its name even at the least type)."""

    name_px: int
    icon_px: int = 0
    beside: bool = False
    whole: bool = True


def even_look(fits: Sequence[TileFit]) -> TileLook:
    """One look for every request's tile, so no name or icon is larger than another (at scale
    2 on a 1024 x 600 tablet "Toilet" was 58 px and "Emergency" 36).

    The names stay readable first; then every tile has its icon, for a patient who cannot read
    (or not without glasses): above the name where that keeps the names as large as beside it,
    else beside the name (wide, low tiles: at scale 2 on a 1280 x 800 tablet, offline, two
    columns of tiles 130 px high had names of 46 px and no icon at all, with room beside each
    name). Only when some tile has no room for an icon with its name readable do the icons go,
    and the names take the room, as large as they all fit."""
    looks = []
    for beside in (False, True):
        options = [fit.beside if beside else fit.above for fit in fits]
        if options and all(option is not None for option in options):
            shown = [option for option in options if option is not None]
            name = min(name for name, _ in shown)
            looks.append(TileLook(name, min(icon for _, icon in shown), beside))
    if looks:
        return max(looks, key=lambda look: (look.name_px, not look.beside, look.icon_px))
    return TileLook(
        min((fit.bare_px for fit in fits), default=0), whole=all(fit.whole for fit in fits)
    )


@dataclass
class NamesFirst:
    """In a cramped window the tiles' names are the largest text beside them: the request
    panel, the notices (cannot reach the nurses, a fault) and the instruction line are no
    larger than the names (``cap``, px; None: each its stylesheet's size). For a patient with
    poor sight the names come first, as they do at font scale 1 (36 px names, a 34 px
    instruction line, 24 px notices). At scale 2 on a 1280 x 800 tablet the notices were 36
    px and the line 46 beside names of 30, and they took the height the tiles' icons needed.

    What yields stays as large as the names allow: the cap is the largest size seen that
    left the names at least as large (``ceiling``: the smallest cap after which they were
    smaller). Following the names both ways, the texts that yielded took their room back,
    shrank the names again, and the two took turns; taken only down, the cap kept the size
    the names had before the texts yielded (28 px notices beside 48 px names). The names, and
    so the cap, step down to ``least_name_px`` (24 px from scale 1 up: the 2.9 mm capital
    read at 1 m; below scale 1 that scale's share of it) and lower only where that alone keeps
    a name whole (``last_name_px``), so what yields stays as readable as the names; and it
    stays whole (its height is what its text needs).

    Something else that changes the tiles' room (the window's size, the menu, a notice shown
    or gone, a new text that gives a notice or the instruction line more or fewer lines, or
    the request panel, as wide as its words, another width) ``release``s it, and the names
    set it again as they then fit: kept, a cap lowered by a longer line came back only to
    the ceiling's 1 px below, lower after each."""

    cap: int | None = None
    ceiling: int | None = None

    def follow(self, names_px: int) -> bool:
        """The names are ``names_px`` now; whether the cap changed (down to them, or up
        towards them while below the ceiling)."""
        if self.cap is None or names_px < self.cap:
            if self.cap is not None:
                self.ceiling = self.cap  # the names did not stay this large
            self.cap = names_px
            return True
        higher = names_px if self.ceiling is None else min(names_px, self.ceiling - 1)
        if higher > self.cap:
            self.cap = higher
            return True
        return False

    def release(self) -> bool:
        """No cap until the names set one again; whether there was one."""
        had = self.cap is not None
        self.cap = self.ceiling = None
        return had


# ---------------------------------------------------------------- the face pill


@dataclass(frozen=True, slots=True)
class FaceView:
    """What the face pill says: is a face there, is it ready, and the fix for a poor view.

    ``hint`` is the vision pipeline's ``FaceStatus.hint`` (move_closer, face_screen,
    center_face), kept only while a face is found: a small or turned face still works, with
    lower confidence, so the screen names the fix instead of silently detecting less."""

    state: str  # no_face, calibrating, ready
    hint: str | None = None

    @property
    def tone(self) -> str:
        """ok (ready, good view), warn (calibrating or a poor view), bad (no face)."""
        if self.state == "no_face":
            return "bad"
        return "ok" if self.state == "ready" and self.hint is None else "warn"


def face_view(state: str | None, hint: str | None) -> FaceView:
    """The face pill's view of the latest FaceStatus (None: nothing reported yet)."""
    state = state or "no_face"
    if state == "no_face" and hint == AWAY_FROM_REST:
        # A missed frame while resting away: the pipeline keeps the hint only through a miss
        # shorter than the face's lost gap, so the view it continues is shown. Said as
        # "no face", the chip and the rest note went for 67 ms at each miss and the page
        # jumped 30-44 px (rev45a2).
        return FaceView("ready", hint)
    return FaceView(state, hint if state != "no_face" or hint in LIGHT_HINTS else None)
