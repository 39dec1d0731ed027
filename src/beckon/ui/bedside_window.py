"""The bedside window: what the patient sees, large and calm, on the tablet at the bed.

It owns the bedside service (on its own thread), the vision worker (camera or video file) and,
when given one, the voice worker. Their callbacks run on their own threads and reach the window
only through Qt signals with queued connections; the GUI thread never waits for the network, the
camera or the microphone. A poll timer (4 Hz) shows what no event can: a camera that stopped
sending frames, a link that is down, a worker that died.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import QCoreApplication, QEvent, QObject, QRect, QSize, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import (
    QAction,
    QCloseEvent,
    QIcon,
    QImage,
    QKeyEvent,
    QPixmap,
    QResizeEvent,
)
from PyQt6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from beckon.bedside import events as ev
from beckon.bedside.devices import (
    AWAY_FROM_REST,
    FROZEN_AFTER_S,
    CameraMonitor,
    DeviceWatch,
    MicState,
    mic_state,
    reopen_if_frozen,
)
from beckon.bedside.events import BedsideEvent
from beckon.bedside.host import BedsideHost, CameraSpec, MicSpec
from beckon.bedside.interaction import MenuView
from beckon.bedside.reach import ReachWatch
from beckon.bedside.service import (
    AnswerQuestion,
    BedsideService,
    CancelRequest,
    ClearAtBed,
    DeviceFaults,
    Gesture,
    NursePresence,
    SetTiming,
    Submit,
    TouchConfirming,
)
from beckon.bedside.timeline import MAX_TRACKS, RequestTrack, Timeline, emergency_to_clear
from beckon.intents import CANCEL_REQUEST, SLEEP, Intent
from beckon.ui import strings, theme
from beckon.ui.bedside_model import (
    GIVEN_UP,
    GIVEN_UP_QUIET_S,
    PAUSE_PRESETS,
    SCAN_PRESETS,
    NamesFirst,
    Prompt,
    PromptPolicy,
    StaffLock,
    TileLook,
    columns_with_icons,
    even_look,
    face_view,
    most_columns,
    next_preset,
    spoken_intent,
    spoken_words,
    staff_entries,
    tile_columns,
)
from beckon.ui.sound import Alarm
from beckon.ui.speech import SilentSpeaker, Speaker
from beckon.ui.widgets import (
    CappedLabel,
    FitLabel,
    FlowLayout,
    FoldingNotice,
    IconLabel,
    StatusPill,
    Tile,
    cap_type,
    px,
    repolish,
    set_prop,
    vertical_scroll,
)
from beckon.voice.dialogue import Action
from beckon.voice.dialogue import Closed as VoiceClosed
from beckon.voice.dialogue import Prompt as VoicePrompt
from beckon.voice.recognizer import VoiceEvent

if TYPE_CHECKING:
    from beckon.vision.pipeline import FaceStatus

log = logging.getLogger(__name__)

translate = strings.translate
TILE_MIN_PX = 240  # narrowest tile (at font scale 1) that fits "Call the nurse" in two lines
TILE_MIN_H = 110  # lowest tile (at font scale 1) that fits a two-line name
CONFIRM_TIMEOUT_MS = 15_000
ENTRY_ICONS = {CANCEL_REQUEST: "cancelled"}  # menu entries that are not intents
SHORT_WINDOW_H = 680  # below this height (at font scale 1) Yes and No come before the banner
SIDE_MIN_W = 300  # the request panel's narrowest (at font scale 1)
CRAMPED_SIDE_MIN_W = 180  # the same, cramped (type 3/4), if its words fit (``_fit_side``)
CRAMPED_WINDOW_H = 460
"""Below this height (at font scale 1: 1280 x 800 at scale 2, 1024 x 600 at 1.5) the window is
cramped (``_fit_cramped``): the header, the notices and the request panel give way so that the
tiles' names stay whole."""
TILES_STRETCH = 3  # the tiles' share of the body's width
SIDE_STRETCH = 2  # the request panel's share beside the tiles' (not cramped)
BODY_GAP = 24
"""Between the tiles and the request panel and at the body's sides, px (``_give_way``)."""
TILE_GAP = 22
"""Between two tiles, px (``_give_way``)."""
GIVING_WAY_GAP = 12
"""Both gaps where the window gives way to the tiles (``_give_way``)."""
STAGE_BANNER_CRAMPED_H = 40
"""The stage banner's height (at font scale 1) in a cramped window: one line of its compact type."""
FOLD_AFTER_MS = 250
"""A tile's name cut this long (the window has settled) folds the fault notice (``_fold``)."""
REST_NOTE_MOST_SHARE = 0.12
"""The most of the window's height the rest note takes (``_rest_note_text``). At 0.16 it
showed whole on a 1280 x 800 tablet at font scale 1 (0.15) and pushed the fourth earlier
message out of view (rev45a2); at 0.12 it shows whole on 1920 x 1080 at 1 and 1.25 (90 and
110 px), the patient's line alone on 1280 x 800 at 1 (90 px), and nothing on 1280 x 800 at
1.25 or more nor on 1024 x 600 (fix45a2, measured), where the face chip says it."""
SERVICE_LOST_EXIT_S = 5.0
"""A kiosk whose bedside service thread died exits after this long (systemd restarts it)."""


class BedsideBridge(QObject):
    """Carries callbacks from worker threads to the GUI thread (queued connections)."""

    bedside = pyqtSignal(object)  # BedsideEvent, from the service thread
    face = pyqtSignal(object)  # FaceStatus, from the vision thread
    voice = pyqtSignal(object)  # VoiceEvent or dialogue Action, from the voice thread
    gesture = pyqtSignal(object)  # Gesture for the calibration wizard, from the vision thread


class TimelinePanel(QFrame):
    """The latest request: its headline, the patient's earlier messages one line each (as
    many as fit in view), then its steps."""

    def __init__(self, labels: Callable[[str], str], on_cancel: Callable[[str], None]) -> None:
        super().__init__()
        self.setObjectName("timelinePanel")
        self._labels = labels
        self._on_cancel = on_cancel
        self._track: RequestTrack | None = None
        self._recent_count = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        layout.setSpacing(10)
        top = QHBoxLayout()
        self.icon = IconLabel("request", 56)
        self.intent = QLabel()
        self.intent.setObjectName("timelineIntent")
        self.intent.setWordWrap(True)
        self.when = QLabel()
        self.when.setObjectName("timelineWhen")
        self.when.setWordWrap(True)
        # What and when beside the icon (not under it): the height goes to the messages.
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.intent)
        names.addWidget(self.when)
        top.addWidget(self.icon)
        top.addLayout(names, 1)
        layout.addLayout(top)
        self.headline = QLabel()
        self.headline.setObjectName("timelineHeadline")
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        # The patient's own messages before the newest: time, what, and where it stands. They
        # come right under the newest's headline (which already says where it stands), before
        # its steps: a patient who cannot touch the screen cannot scroll down to them.
        self.recent_block = QWidget()
        self.recent_block.setObjectName("recentBlock")
        recent_layout = QVBoxLayout(self.recent_block)
        recent_layout.setContentsMargins(0, 0, 0, 0)
        recent_layout.setSpacing(6)
        self.recent_title = QLabel(translate("Beckon", "Your earlier messages"))
        self.recent_title.setObjectName("recentTitle")
        self.recent_title.setWordWrap(True)
        recent_layout.addWidget(self.recent_title)
        self.recent: list[QLabel] = []
        for _ in range(MAX_TRACKS - 1):
            line = QLabel()
            line.setObjectName("recentLine")
            line.setWordWrap(True)
            recent_layout.addWidget(line)
            self.recent.append(line)
        layout.addWidget(self.recent_block)
        self.steps: list[tuple[IconLabel, QLabel]] = []
        for _ in range(5):
            row = QHBoxLayout()
            icon, label = IconLabel("pending", 30), QLabel()
            label.setObjectName("stepLabel")
            label.setWordWrap(True)
            row.addWidget(icon)
            row.addWidget(label, 1)
            layout.addLayout(row)
            self.steps.append((icon, label))
        self.cancel = QPushButton(translate("Beckon", "Cancel this request"))
        self.cancel.setObjectName("cancelButton")
        self.cancel.clicked.connect(self._cancel_clicked)
        layout.addWidget(self.cancel)
        layout.addStretch(1)
        self._layout = layout

    def set_compact(self, on: bool) -> None:
        """``on``: its text in 3/4 of its type (the stylesheet's ``compact`` rules), in a window
        too short for its font scale, so the tiles keep their room: at font scale 2 on a 1024
        x 600 tablet "Your requests show here." needed 460 of the 1024 px for "requests", and
        the tiles' names were 26 px, smaller than at scale 1."""
        if self.property("compact") == on:
            return
        set_prop(self, "compact", on)
        for label in self.findChildren(QLabel):
            repolish(label)  # their type follows the panel's property

    def texts(self) -> list[QLabel | QPushButton]:
        """Its widgets with text, Cancel too (it sits below the scrolling panel)."""
        return [*(w for w in self.findChildren(QLabel) if w.objectName()), self.cancel]

    def cap_type(self, size: int | None) -> None:
        """No text of the panel larger than ``size`` px (None: each its stylesheet's size). In a
        cramped window the panel yields before the tiles: at font scale 2 on a 1280 x 800
        tablet in Korean, offline, its 3/4 type (48 px headline, 48 px Cancel) stood beside
        request names stepped down to 30 px, and the tiles had no room for their icons."""
        for widget in self.texts():
            cap_type(widget, size)

    def show_tracks(self, tracks: list[RequestTrack]) -> None:
        self._track = tracks[0] if tracks else None
        track = self._track
        if track is None:
            self.icon.set_icon("request")
            self.intent.setText(translate("Beckon", "Your requests show here."))
            self.headline.setText("")
            for icon, label in self.steps:
                icon.hide()
                label.hide()
            self.cancel.hide()
            self.when.hide()
            self.show_recent([])
            return
        self.icon.set_icon(track.intent)
        self.intent.setText(self._labels(track.intent))
        self.when.setText(translate("Beckon", "Asked at {time}").format(time=track.clock()))
        self.when.show()
        self.headline.setText(strings.headline(track.headline(), track.by))
        steps = track.steps()
        for i, (icon, label) in enumerate(self.steps):
            if i >= len(steps):
                icon.hide()
                label.hide()
                continue
            name, done = steps[i]
            icon.set_icon(("cancelled" if name == "cancelled" else "check") if done else "pending")
            label.setText(strings.step(name, track.by))
            label.setAccessibleName(strings.step_for_reader(label.text(), done))
            set_prop(label, "done", done)
            icon.show()
            label.show()
        self.cancel.setVisible(track.open)
        self.show_recent(tracks[1:MAX_TRACKS])

    def show_recent(self, tracks: list[RequestTrack]) -> None:
        """One line per earlier message: "14:02  Water: Done." (open ones stand out)."""
        self._recent_count = len(tracks)
        self.recent_block.setVisible(bool(tracks))
        for i, line in enumerate(self.recent):
            if i >= len(tracks):
                line.hide()
                continue
            t = tracks[i]
            line.setText(
                strings.recent_line(
                    t.clock(), self._labels(t.intent), strings.headline(t.headline(), t.by)
                )
            )
            set_prop(line, "open", t.open)
            line.show()

    def fit_recent(self, visible: int) -> None:
        """Show as many earlier messages as fit in the top ``visible`` pixels (the part of the
        timeline in view without scrolling), newest first and always at least the newest: at
        large font scales on a small screen the older ones give way rather than scroll away."""
        lines = self.recent[: self._recent_count]
        if not lines or not self.recent_block.isVisible():
            return
        self._layout.activate()
        inner = self.recent_block.layout()
        spacing = inner.spacing() if inner is not None else 0
        width = self.recent_block.width()
        title = self.recent_title.heightForWidth(width) + spacing
        newest = self.recent_block.y() + lines[0].heightForWidth(width)
        # The heading gives way first: each line carries its own time.
        self.recent_title.setVisible(newest + title <= visible)
        bottom = newest + (title if self.recent_title.isVisibleTo(self) else 0)
        lines[0].show()
        for i, line in enumerate(lines[1:], start=1):
            bottom += spacing + line.heightForWidth(width)
            if bottom > visible:
                for rest in lines[i:]:
                    rest.hide()
                break
            line.show()

    def _cancel_clicked(self) -> None:
        if self._track is not None:
            self._on_cancel(self._track.request_id)


class HoldReleaseGuard(QObject):
    """Swallows, on the staff menu, the release of the press that opened it by a hold.

    The 3 s hold on Staff opens the menu while the finger is still down, just below Staff: the
    finger's release went to the menu (Qt gives an open popup every mouse event) and chose the
    entry under it. Sliding 12 px down chose Show camera; sliding onto Exit closed the bedside.
    Armed when a hold opens the menu (``arm``), the guard eats that one release; the next press
    (a fresh tap or key) disarms it, so every later tap chooses as usual. A touch screen's finger
    is the same case: Qt gives a popup no touch events but mouse events made from them. A held
    Space (the hold by keyboard) repeats its key press into the menu, where some styles let
    Space choose the entry under focus: key repeats are eaten too while armed.
    """

    def __init__(self, menu: QMenu) -> None:
        super().__init__(menu)
        self.armed = False
        menu.installEventFilter(self)

    def arm(self) -> None:
        self.armed = True

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if not self.armed or event is None:
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonRelease:
            self.armed = False
            return True
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.isAutoRepeat():
                return True
            self.armed = False  # a fresh key press: staff choosing with the keys
        elif kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            self.armed = False
        elif kind == QEvent.Type.Hide:
            self.armed = False  # a menu shown again by a tap has no press to guard
        return False


class BedsideWindow(QWidget):
    """The patient's screen. ``start()`` starts the service and the workers; closing stops
    them."""

    def __init__(
        self,
        service: BedsideService,
        *,
        language: str = "en",
        speaker: Speaker | None = None,
        vision: CameraSpec | None = None,
        mic: MicSpec | None = None,
        profile_dir: Path | None = None,
        alarm: Alarm | None = None,
        kiosk: bool = False,
    ) -> None:
        super().__init__()
        self.service = service
        # A kiosk window (the tablet's only application, see deploy/systemd) cannot be closed
        # by the patient: only by staff (Exit, behind the staff lock) or by the service
        # manager's SIGTERM (exit_now).
        self.kiosk = kiosk
        self._may_close = not kiosk
        # A kiosk whose service thread died exits after this long so that systemd starts it
        # again at once (Restart=always), not after the watchdog's 30 s or more.
        self.service_lost_exit_s = SERVICE_LOST_EXIT_S
        self._service_lost_at: float | None = None
        self.exit_app: Callable[[int], None] = QCoreApplication.exit
        # A local alarm for calls that cannot get through; None: no alarm device was set up.
        self.alarm = alarm
        self.language = language
        self.intents: dict[str, Intent] = service.intents
        self.speaker: Speaker = speaker or SilentSpeaker()
        self.vision = vision
        self.profile_dir = profile_dir
        self.timeline = Timeline()
        # A video file's still scenes repeat exactly: only a live camera can be "frozen".
        files = vision is not None and vision.is_file
        self.camera = CameraMonitor(frozen_after_s=None if files else FROZEN_AFTER_S)
        # A child of the window, so Qt deletes it with the window on the GUI thread.
        self.bridge = BedsideBridge(self)
        # The host owns the threads (service, camera, microphone) and their restarts; the
        # window shows what they report. Frames, face and voice items arrive on worker
        # threads and are only handed over (a lock, a queued Qt signal).
        self.host = BedsideHost(
            service,
            vision,
            mic,
            on_frame=self.camera.frame,
            on_face=self.bridge.face.emit,
            on_observation=self._observation,
            on_camera_started=self.camera.started,
            on_camera_stopped=self._camera_stopped,
        )
        self.host.intercept = self._to_wizard
        # The microphone is deaf while the tablet speaks its own prompts (bedside/echo.py).
        self.host.echo.follow(self._speaking)
        # Kept: each ``signal.emit`` read is a new object, never equal to the last, so only the
        # one added can be removed again (see shutdown).
        self._on_voice_thread = self.bridge.voice.emit
        self._on_service_thread = self.bridge.bedside.emit
        self.host.voice_listeners.append(self._on_voice_thread)
        self.menu: MenuView | None = None
        self._after_choice: str | None = None  # said in the pause instead of "Request chosen"
        self._given_up: tuple[str, float] | None = None  # "Not sent: ...", when it was said
        self.question_by: str | None = None
        self.highlight_listeners: list[Callable[[str | None], None]] = []
        self.fault = ""
        self.face_state: str | None = None
        self.face_hint: str | None = None  # FaceStatus.hint: the fix for a poor view
        self.face_device_hint: str | None = None  # FaceStatus.device_hint: told the station
        self._resting_away = False  # the hint away_from_rest with the face ready (``rest_note``)
        self.mic = MicState("off")
        self.wizard: Any = None
        self._last_heard: tuple[float, str] | None = None
        self._confirm_action: Callable[[], None] | None = None
        self._touch_confirming = False  # the Yes / No page is open (the service knows)
        self._touch_aside = False  # it waits behind a call gesture's confirmation (show_menu)
        # A spoken proposal's "Not sent: ..." that lapsed while a nurse's question was on
        # screen: said when the menu offers again (see _say_lapse).
        self._lapse_after_question: str | None = None
        # What an emergency gesture ended (its intent, and "Not sent: Water."), said when the
        # menu offers again, after the emergency's own prompts (Interaction.take_emergency);
        # not once that request went after all (_forget_ended).
        self._after_emergency: tuple[str, str] | None = None
        # What the touch Yes / No page on screen would say if an emergency gesture ended it:
        # its request, and "Not sent: Water." or "Not cancelled: Water stays."
        self._touch_ended: tuple[str, str] = ("", "")
        self._cancelling: str | None = None  # the request a "Cancel ...?" on screen is about
        self._started = time.monotonic()
        self.tiles: dict[str, Tile] = {}
        self._evening = False  # an evening of the tiles' type is due (``_even_tiles``)
        self.names_first = NamesFirst()  # cramped: the largest type beside the tiles' names
        self._for_names = False  # gives way for a cut name, no fault notice to fold (``_fold``)
        # Set by the first fit (``_fit_cramped``, ``_fit_stage_banner``, ``_place_tiles``); None:
        # not fitted yet, so the first fit always applies.
        self._cramped: bool | None = None
        self._short: bool | None = None
        self._tile_columns = 0
        self.staff = StaffLock()
        self.prompts = PromptPolicy()
        self.devices = DeviceWatch()
        self._reported_faults: tuple[str, ...] = ()
        self.reach = ReachWatch(service.settings.bedside.receipt_alarm_s)

        self.setObjectName("bedsideRoot")
        self.setWindowTitle(f"Beckon · {strings.bed_title(service.address.bed)}")
        self.resize(1280, 800)
        # (scan seconds, pause after a choice) as staff last set them; the service saves them
        self._timing = (service.menu.offer_seconds, service.menu.pause_after_select_s)
        self._build()
        # Auto connections: queued whenever a worker thread emits, so slots run here.
        self.bridge.bedside.connect(self.on_event)
        self.bridge.face.connect(self.on_face)
        self.bridge.voice.connect(self.on_voice)
        service.listeners.append(self._on_service_thread)
        self._set_tiles(tuple(service.menu.items))
        self.timeline_panel.show_tracks([])
        self.poll = QTimer(self)
        self.poll.setInterval(250)
        self.poll.timeout.connect(self._poll)
        self._confirm_timer = QTimer(self)
        self._confirm_timer.setSingleShot(True)
        self._confirm_timer.timeout.connect(self._confirm_no)
        self._fold_timer = QTimer(self)  # a name cut this long folds the fault notice
        self._fold_timer.setSingleShot(True)
        self._fold_timer.setInterval(FOLD_AFTER_MS)
        self._fold_timer.timeout.connect(self._fold_if_cut)
        self._poll()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        root = QVBoxLayout(self)
        # The window takes the size it is given (a screen), and the body turns to fit it
        # (``_orient``), rather than grow past the screen to the side-by-side minimum.
        root.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        bar = QFrame()
        bar.setObjectName("statusBar")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(18, 10, 18, 10)
        bar_layout.setSpacing(10)
        self.title = QLabel(strings.bed_title(self.service.address.bed))
        self.title.setObjectName("bedTitle")
        bar_layout.addWidget(self.title)
        bar_layout.addSpacing(12)
        self.camera_pill = StatusPill()
        self.face_pill = StatusPill()
        self.mic_pill = StatusPill()
        self.link_pill = StatusPill()
        self.station_pill = StatusPill()
        # The chips wrap onto a second line rather than push the window past the screen.
        chips = self.chips = QWidget()
        # The bar's own colour behind the chips: with every chip hidden (a cramped window where
        # all is well) a box of the page's colour stood empty in the header.
        chips.setObjectName("statusChips")
        chips_layout = FlowLayout(chips, spacing=10)
        chips_layout.setContentsMargins(0, 0, 0, 0)
        self._pills = (
            self.camera_pill,
            self.face_pill,
            self.mic_pill,
            self.link_pill,
            self.station_pill,
        )
        for pill in self._pills:
            chips_layout.addWidget(pill)
        # The chips take what the title and Staff leave, whatever their texts: a chip wider
        # than that wraps its text (``_cap_chips``) instead of pushing Staff off the window.
        chips.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        chips.installEventFilter(self)
        bar_layout.addWidget(chips, 1)
        self._build_staff_menu()
        # The bar holds the title, the chips and Staff, whatever the lock's state: nothing in it
        # appears as the lock opens, so the patient's tiles never move and nothing is cut. Show
        # camera, Calibrate and Exit were buttons here: opening the lock grew the bar a row, and
        # at 1.5 on a portrait tablet (2.0 on 1024 x 600) Show camera and Calibrate were cut.
        self.staff_button = QPushButton(translate("Beckon", "Staff"))
        self.staff_button.setObjectName("smallButton")
        hint = translate("Beckon", "Staff: hold 3 seconds for the staff menu.")
        self.staff_button.setToolTip(hint)
        self.staff_button.setAccessibleDescription(hint)
        self.staff_button.pressed.connect(self._staff_pressed)
        self.staff_button.released.connect(self._staff_released)
        bar_layout.addWidget(self.staff_button)
        root.addWidget(bar)

        # As high as its text needs, or one line where the tiles' names would be cut (``_fold``).
        self.fault_banner = FoldingNotice()
        self.fault_banner.setObjectName("faultBanner")
        self.fault_banner.hide()
        root.addWidget(self._padded(self.fault_banner))

        # One line in a cramped window, its type smaller if need be: in Korean at scale 2 it
        # took two lines, and the newest request went out of view beside the tiles.
        self.stage_banner = CappedLabel(
            lambda: px(STAGE_BANNER_CRAMPED_H) if bool(self._cramped) else 1 << 20
        )
        self.stage_banner.setObjectName("stageBanner")
        self.stage_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        root.addWidget(self.stage_banner)

        # The head rests far from its learned rest (FaceStatus hint ``away_from_rest``): turns,
        # looks and expressions fail there while nods and shakes work. Said calmly, in large
        # type, with what the patient can do and what staff can; the face chip alone was a
        # few small words a patient at rest may never read. Shown only while the hint holds.
        self.rest_note = CappedLabel()
        self.rest_note.setObjectName("restNote")
        self.rest_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rest_note.hide()
        rest_holder = self._padded(self.rest_note)
        rest_holder.hide()
        root.addWidget(rest_holder)

        # Side by side on a landscape tablet, one above the other on a portrait one (an
        # 800 x 1280 tablet on a bed arm): side by side needed 864 px at scale 1, 1251 at 1.5.
        body = self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        body.setContentsMargins(BODY_GAP, 8, BODY_GAP, 16)
        body.setSpacing(BODY_GAP)
        self.pages = QStackedWidget()
        # The hidden question and confirmation pages must not set the window's minimum height.
        self.pages.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.pages.installEventFilter(self)
        self.tiles_page = QWidget()
        self.tile_grid = QGridLayout(self.tiles_page)
        self.tile_grid.setSpacing(TILE_GAP)
        self.tile_grid.setContentsMargins(0, 0, 0, 0)
        self.pages.addWidget(self.tiles_page)
        self.pages.addWidget(self._build_question_page())
        self.pages.addWidget(self._build_confirm_page())
        self.pages.currentChanged.connect(lambda _: self._fit_stage_banner())
        self.pages.currentChanged.connect(lambda _: self._fit_rest_note())
        body.addWidget(self.pages, TILES_STRETCH)

        side = QVBoxLayout()
        side.setSpacing(14)
        self.preview = QLabel()
        self.preview.setObjectName("cameraPreview")
        self.preview.setFixedSize(px(320), px(240))
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.hide()
        side.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        self.timeline_panel = TimelinePanel(self.label, self._ask_cancel)
        # At large font scales the steps may not fit the height: they scroll (staff can reach
        # them) rather than stretch the window past the screen; the headline stays on top.
        self.timeline_scroll = vertical_scroll(self.timeline_panel)
        self.timeline_scroll.setObjectName("timelineScroll")
        self.timeline_scroll.setMinimumWidth(px(SIDE_MIN_W))
        side.addWidget(self.timeline_scroll, 1)
        viewport = self.timeline_scroll.viewport()
        if viewport is not None:
            viewport.installEventFilter(self)
        self.timeline_panel.recent_block.installEventFilter(self)
        # Cancel stays in view below the scrolling steps: it must never scroll away.
        side.addWidget(self.timeline_panel.cancel)
        body.addLayout(side, SIDE_STRETCH)  # room for the earlier messages on one or two lines each
        root.addLayout(body, 1)

        # Calls cannot reach the nurses: say so in words, for the patient and any visitor, the
        # whole width of the screen. That a request made meanwhile is saved and will be sent is
        # the timeline's own headline, next to that request; a second banner saying it again
        # pushed the request and the earlier messages out of a tablet's view at large text.
        self.reach_banner = CappedLabel()
        self.reach_banner.setObjectName("faultBanner")
        self.reach_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # They yield to the tiles' names (``NamesFirst``): a new text that takes more or fewer
        # lines changes the tiles' room, as a notice shown or gone does, and releases the cap.
        # Without this a longer instruction line left the cap one px lower each time (in
        # Korean offline at scale 2: 40, 39, 38 px beside 40 px names).
        self._yielding = (self.fault_banner, self.reach_banner, self.stage_banner, self.rest_note)
        for beside in self._yielding:
            beside.on_height = self._release_yielded
        self.reach_banner.hide()
        root.addWidget(self._padded(self.reach_banner))

    def _build_staff_menu(self) -> None:
        """The staff menu, behind the lock (``StaffLock``): the camera picture and the
        calibration first, the patient's scan speed and pause after a choice (saved to the
        profile), a nurse in the room, and Exit last."""
        menu = self.staff_menu = QMenu(self)
        menu.setToolTipsVisible(True)  # Exit's says the kiosk starts the bedside again
        self.hold_guard = HoldReleaseGuard(menu)  # the hold's release chooses nothing
        # The camera picture, hidden unless staff ask for it (privacy, calm): checked while it
        # is on screen. Only with a camera (``staff_entries``).
        self.preview_action = self._entry(translate("Beckon", "Show camera"), self.toggle_preview)
        self.preview_action.setCheckable(True)
        # Calibrate leaves the lock open: staff lining the camera up keep the picture on
        # screen while the wizard runs (closing the lock hid it, review rev42v).
        self.calibrate_action = self._entry(translate("Beckon", "Calibrate"), self.open_calibration)
        menu.addSeparator()
        self.scan_action = self._entry("", self._next_scan_speed)
        self.pause_action = self._entry("", self._next_pause)
        # A nurse in the room: presence, then clearing this bed's emergency (the only place
        # an emergency is cleared; docs/protocol.md, nurse_at_bed).
        self.presence_action = self._entry(strings.nurse_in_room_text(), self._toggle_presence)
        self.presence_action.setCheckable(True)
        self.clear_action = self._entry(strings.clear_emergency_text(), self._clear_emergency)
        # Staff moved the patient (pillow, bed raised, turned): the resting head pose is learned
        # again at the camera's next frame (BedsideHost.relearn_rest); the face chip says
        # "calibrating" until it is.
        self.relearn_action = self._entry(strings.relearn_rest_text(), self._relearn_rest)
        menu.addSeparator()
        self.exit_action = self._entry(translate("Beckon", "Exit"), self._exit_from_menu)
        self.exit_action.setToolTip(
            translate("Beckon", "Close the bedside (under the kiosk service it starts again).")
        )
        menu.aboutToShow.connect(self._show_nurse_actions)
        self._show_timing()

    def _entry(self, text: str, slot: Callable[[], None]) -> QAction:
        """One entry of the staff menu, calling ``slot`` when chosen."""
        action = QAction(text, self.staff_menu)
        action.triggered.connect(lambda _checked=False: slot())
        self.staff_menu.addAction(action)
        return action

    def _exit_from_menu(self) -> None:
        """Exit, after closing the staff lock (the menu closes, the picture is hidden): the
        next person's tap on Staff (the patient's, a visitor's) must not show the menu, Exit
        in it, again."""
        self.staff.lock()
        self._show_staff()
        self.exit_now()

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        """The tile area changes size when notices come and go: reflow the tiles then too."""
        if watched is self.chips:  # built before the rest of the window
            if isinstance(event, QResizeEvent):
                self._cap_chips()
            return super().eventFilter(watched, event)
        if watched is self.pages and event is not None and event.type() == QEvent.Type.Resize:
            self._reflow_tiles()
        kind = event.type() if event is not None else None
        resized = kind == QEvent.Type.Resize and watched is self.timeline_scroll.viewport()
        moved = kind == QEvent.Type.Move and watched is self.timeline_panel.recent_block
        if resized or moved:
            QTimer.singleShot(0, self._fit_recent)  # once the panel's layout has settled
        return super().eventFilter(watched, event)

    def _cap_chips(self) -> None:
        """No chip wider than the chips' room (what the title and Staff leave): a longer text
        wraps onto more lines (``StatusPill.set_cap``). The room does not depend on the chips'
        texts (its size policy ignores them), so wrapping never changes it."""
        for pill in self._pills:
            pill.set_cap(max(1, self.chips.width()))

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        self._orient()
        self._reflow_tiles()
        self._fit_stage_banner()
        self._fit_cramped()
        self._fit_rest_note()
        self._release_yielded()

    def _fit_cramped(self) -> None:
        """In a window too short for its font scale (``CRAMPED_WINDOW_H``) the header keeps
        only the chips that report a problem and the notices' type is 3/4 of its size (at
        scale 2 as large as at 1.5): on a 1280 x 800 tablet at scale 2 the chips took three
        lines, and with a fault and the cannot-reach notice the tiles' names were cut to 9 px."""
        cramped = self.height() < px(CRAMPED_WINDOW_H)
        if cramped == self._cramped:
            return
        self._cramped = cramped
        self._release_yielded()  # the names set the cap again (``_yield_to_names``), if cramped
        for banner in (self.fault_banner, self.reach_banner, self.rest_note):
            set_prop(banner, "compact", cramped)
        self.timeline_panel.set_compact(cramped)
        self.stage_banner.fit()
        self._give_way()

    def _give_way(self) -> None:
        """Cramped, or with the fault notice folded (``_fold``), the header keeps only the
        chips that report a problem (in smaller type only when cramped), the request panel is
        only as wide as its longest words, and the gaps are smaller, so the tiles get the rest
        (they have the patient's words): three tiles side by side left "Emergency" 156 of the
        225 px it needs."""
        cramped = bool(self._cramped)
        tight = self._giving_way()
        for pill in self._pills:
            pill.set_only_problems(tight, smaller=cramped)
        # Its words' new width is known once its layout has taken the new type.
        QTimer.singleShot(0, self._fit_side)
        self.body.setStretch(1, 0 if tight else SIDE_STRETCH)
        self._fit_side()
        gap = GIVING_WAY_GAP if tight else BODY_GAP
        self.body.setContentsMargins(gap, 8, gap, 16)
        self.body.setSpacing(gap)
        self.tile_grid.setSpacing(GIVING_WAY_GAP if tight else TILE_GAP)

    def _giving_way(self) -> bool:
        """Whether the window gives way to the tiles (``_give_way``): cramped, or with the fault
        notice folded, or for a name cut where no fault notice is shown (``_fold``)."""
        cramped = bool(self._cramped)
        return cramped or self.fault_banner.folded or self._for_names

    def _fit_side(self) -> None:
        """The request panel's narrowest: ``SIDE_MIN_W``, or where the window gives way
        (``_give_way``) only what its longest words need (it never scrolls sideways), so the
        tiles get the rest."""
        need = self._side_need()
        self.timeline_scroll.setMinimumWidth(px(SIDE_MIN_W) if need is None else need)

    def _side_need(self) -> int | None:
        """The width the request panel's words need where the window gives way (never below
        ``CRAMPED_SIDE_MIN_W``); None where it does not (the panel's width is then its share,
        whatever its words)."""
        if not self._giving_way():
            return None
        bar = self.timeline_scroll.verticalScrollBar()
        need = self.timeline_panel.minimumSizeHint().width()
        need += (bar.sizeHint().width() if bar is not None else 0) + 2 * (
            self.timeline_scroll.frameWidth()
        )
        return max(px(CRAMPED_SIDE_MIN_W), need)

    def _fit_stage_banner(self) -> None:
        """On a short window a question or confirmation page takes the height: the banner
        gives way (the page says the same in its own words: "Nurse Lee asks:", Yes and No)
        and Yes and No get smaller. On a 1024 x 600 tablet at font scale 1.5 the banner took
        two lines, and Yes and No were pushed off the screen, over each other and the hint."""
        short = self.height() < px(SHORT_WINDOW_H)
        self.stage_banner.setVisible(not (short and self.pages.currentIndex() in (1, 2)))
        if short == self._short:
            return
        self._short = short
        set_prop(self.stage_banner, "compact", short)  # two lines at 1.5 took the tiles' room
        self.stage_banner.fit()
        for button in (self.yes_button, self.no_button, self.confirm_yes, self.confirm_no):
            set_prop(button, "compact", short)
            button.setIconSize(QSize(px(36 if short else 56), px(36 if short else 56)))
        for layout in self._answer_pages:
            layout.setSpacing(px(10) if short else 24)
        for row in self._answer_rows:
            row.setSpacing(px(12) if short else 40)
        self.confirm_icon.set_size(px(72 if short else 140))
        set_prop(self.confirm_text, "compact", short)

    def _orient(self) -> None:
        """Request panel beside the tiles, or below them when the window is taller than
        wide."""
        # Only when taller than wide: on a short landscape screen (1024 x 600) the height is
        # what is scarce, and one above the other left the request panel a single line.
        portrait = self.height() > self.width()
        direction = (
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        if self.body.direction() != direction:
            self.body.setDirection(direction)

    def _reflow_tiles(self) -> None:
        """Fewer columns when tiles would be too narrow for their names, more when too low."""
        columns = self._fitting_columns(len(self.tiles))
        if self.tiles and columns != self._tile_columns:
            # The same tiles in new places: rebuilding them left the tile area empty for an
            # event-loop turn (a new widget in a shown window appears a turn later).
            self._place_tiles(columns)

    def _padded(self, widget: QWidget) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(24, 8, 24, 8)
        layout.addWidget(widget)
        holder.setVisible(True)
        return holder

    def _build_question_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(24)
        self._answer_pages = [layout]
        self._answer_rows: list[QHBoxLayout] = []
        layout.addStretch(1)
        self.question_from = QLabel()
        self.question_from.setObjectName("questionFrom")
        self.question_from.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Steps down as far as a little above the body text rather than cut the question: at
        # font scale 1.5 on 1280 x 800 the last word of a long question was gone at 0.6.
        self.question_text = FitLabel(floor=0.35)
        self.question_text.setObjectName("questionText")
        self.question_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.question_from)
        layout.addWidget(self.question_text, 4)
        row = QHBoxLayout()
        row.setSpacing(40)
        self._answer_rows.append(row)
        self.yes_button = self._answer_button("yes", translate("Beckon", "Yes"))
        self.no_button = self._answer_button("no", translate("Beckon", "No"))
        self.yes_button.clicked.connect(lambda: self.service.post(AnswerQuestion("yes", "touch")))
        self.no_button.clicked.connect(lambda: self.service.post(AnswerQuestion("no", "touch")))
        for button in (self.yes_button, self.no_button):
            button.setVisible(self.service.takes("touch"))
        row.addStretch(1)
        row.addWidget(self.yes_button)
        row.addWidget(self.no_button)
        row.addStretch(1)
        layout.addLayout(row)
        hint = self.answer_hint = QLabel(strings.answer_hint(None))
        hint.setObjectName("questionFrom")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)  # one line needed 711 px at font scale 1.5, half a 1024 screen
        layout.addWidget(hint)
        layout.addStretch(1)
        return page

    def _answer_button(self, answer: str, text: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("answerButton")
        button.setProperty("answer", answer)
        button.setIcon(QIcon(theme.icon_path(answer)))
        button.setIconSize(QSize(px(56), px(56)))
        return button

    def _build_confirm_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(24)
        self._answer_pages.append(layout)
        layout.addStretch(1)
        self.confirm_icon = IconLabel("request", 140)
        layout.addWidget(self.confirm_icon, 0, Qt.AlignmentFlag.AlignHCenter)
        self.confirm_text = QLabel()
        self.confirm_text.setObjectName("confirmText")
        self.confirm_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.confirm_text.setWordWrap(True)
        layout.addWidget(self.confirm_text)
        row = QHBoxLayout()
        row.setSpacing(40)
        self._answer_rows.append(row)
        self.confirm_yes = self._answer_button("yes", translate("Beckon", "Yes"))
        self.confirm_no = self._answer_button("no", translate("Beckon", "No"))
        self.confirm_yes.clicked.connect(self._confirm_yes)
        self.confirm_no.clicked.connect(self._confirm_no)
        row.addStretch(1)
        row.addWidget(self.confirm_yes)
        row.addWidget(self.confirm_no)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    # ------------------------------------------------------------ running

    def start(self) -> None:
        """Start the bedside service thread, the workers and the poll timer."""
        if not self.host.started:
            self.host.start()
        self.poll.start()

    def shutdown(self) -> None:
        """Stop the workers and the service (their threads joined), then detach from them:
        after this no other thread holds anything of the window, so it can be deleted."""
        self.poll.stop()
        self._fold_timer.stop()
        self.fault_banner.stop()
        if self.wizard is not None:
            self.wizard.close()
        self.host.stop()
        self.speaker.close()
        if self.alarm is not None:
            self.alarm.close()
        if self._on_service_thread in self.service.listeners:
            self.service.listeners.remove(self._on_service_thread)
        if self._on_voice_thread in self.host.voice_listeners:
            self.host.voice_listeners.remove(self._on_voice_thread)

    def exit_now(self) -> None:
        """Close even a kiosk window: staff pressed Exit, or the process got SIGTERM."""
        self._may_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent | None) -> None:
        if not self._may_close:
            # Alt+F4, a window manager's close, a stray gesture of the compositor: the
            # patient's only way to call for help must not disappear.
            log.info("kiosk: close refused (staff use Exit after a long press on Staff)")
            if event is not None:
                event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)

    def _camera_stopped(self, error: str) -> None:
        self.face_state = None  # no camera, no face: never show a stale "face found"
        self.prompts.face(False)
        self.camera.stopped(error)

    def _observation(self, obs: object) -> None:
        """On the vision thread: the calibration wizard records observations while open."""
        wizard = self.wizard
        if wizard is not None:
            wizard.observe(obs)

    def _speaking(self) -> bool:
        """Asked from the voice thread: only reads the speaker's process state."""
        return self.speaker.speaking()

    def _to_wizard(self, item: object) -> bool:
        """On the vision thread: gestures go to the calibration wizard while it runs."""
        if isinstance(item, Gesture) and self.wizard is not None:
            self.bridge.gesture.emit(item)
            return True
        return False

    # ------------------------------------------------------------ events (GUI thread)

    def label(self, code: str) -> str:
        spec = self.intents.get(code)
        if spec is None and code == SLEEP:
            return strings.sleep_label()
        if spec is None and code == CANCEL_REQUEST:
            cancels = self.menu.cancels if self.menu is not None else None
            return strings.cancel_entry_label(self.label(cancels or ""))
        return spec.label(self.language) if spec else code

    def on_event(self, e: BedsideEvent) -> None:
        self._forget_ended(e)
        self._touch_emergency_sent(e)
        known = not isinstance(e, ev.StateChanged) or self.timeline.get(e.request_id) is not None
        changed = self.timeline.apply(e)
        if changed:
            self._show_timeline()
        match e:
            case ev.MenuChanged(menu=menu):
                self.show_menu(menu)
            case ev.QuestionAsked(asked_by=asked_by):
                self.question_by = asked_by
            case ev.RequestSaved(restored=False):
                self._after_choice = None  # the stage's own words: "Request chosen"
                self._lapse_after_question = None  # moved on: the lapse is old news
            case ev.AlreadyAsked(intent=intent):
                self._note_after_choice(strings.already_asked_text(self.label(intent)))
            case ev.CancelAsked(intent=intent):
                self._note_after_choice(strings.cancelling_text(self.label(intent)))
            case ev.SelectionCancelled(intent=intent, reason="emergency"):
                label = self.label(self.menu.cancels or "") if self.menu is not None else ""
                self._after_emergency = (
                    intent,
                    (
                        strings.kept_text(label)
                        if intent == CANCEL_REQUEST
                        else strings.not_sent_text(self.label(intent))
                    ),
                )
            case ev.ConfirmNeeded(intent=intent) | ev.IntentSelected(intent=intent):
                self._emergency_over_touch(intent)
            case ev.ConfirmTooSoon(intent=intent, late=False):
                # Until the confirmation counts (the menu's next view gives the instruction):
                # a patient who confirmed on purpose sees why nothing happened. Shown, not
                # said (bedside_model.prompt_for). A late one: the menu's view says it.
                if self.pages.currentIndex() != 2:
                    self.stage_banner.setText(strings.too_soon_text(intent == CANCEL_REQUEST))
            case ev.QuestionAnswered(answer=answer):
                # It said "Request chosen. One moment…" after an answer: no request was made.
                key = "answered_yes" if answer == "yes" else "answered_no"
                self._note_after_choice(strings.spoken(Prompt(key)))
            case ev.Fault(detail=detail):
                self.fault = detail
                self.fault_banner.setText(detail)
                self._show_banner(self.fault_banner, True)
            case ev.ConnectionChanged() | ev.StationChanged():
                self._show_link()
        label = spoken_words(e, self.intents, self.language) or self.label(spoken_intent(e))
        if isinstance(e, ev.SelectionCancelled) and e.intent == CANCEL_REQUEST:
            label = self.label(self.menu.cancels or "") if self.menu is not None else ""
        prompt = self.prompts.prompt(
            e,
            label,
            items=len(self.tiles),
            changed=changed,
            known=known,
            calibrating=self.wizard is not None,
        )
        if prompt is not None:
            if prompt.key == "question":  # yes and no with the patient's own gestures
                prompt = Prompt(prompt.key, (*prompt.args, *strings.answer_gestures(self.menu)))
            self.speaker.say(strings.spoken(prompt), self.language)
            if prompt.key in GIVEN_UP:  # on the banner too, while the speaker says it
                self._given_up = (strings.spoken(prompt), time.monotonic())
                self.stage_banner.setText(self._given_up[0])

    def show_menu(self, view: MenuView) -> None:
        self.menu = view
        lapse = self._lapse_after_question
        if lapse is not None and view.stage in ("offering", "pointing"):
            self._lapse_after_question = None
            self._given_up = (lapse, time.monotonic())  # on the banner while it is said
            self.speaker.say(lapse, self.language)
            self.prompts.quiet()  # the offer this view brings would cut it
        ended = self._after_emergency
        if ended is not None and view.stage in ("offering", "pointing"):
            # After the emergency's confirmation and its news (sent, or not sent): never
            # over them. Not cleared by a request sent: the emergency is one.
            self._after_emergency = None
            self._given_up = (ended[1], time.monotonic())
            self.speaker.say(ended[1], self.language)
            self.prompts.quiet()
        if tuple(self.tiles) != tuple(view.items) and view.items:
            self._set_tiles(tuple(view.items))
        entry = self.tiles.get(CANCEL_REQUEST)
        if entry is not None and entry.label.text() != self.label(CANCEL_REQUEST):
            entry.label.setText(self.label(CANCEL_REQUEST))  # a newer request is its target
            entry.setAccessibleName(entry.label.text())
        if view.stage == "question":
            self.question_text.setText(view.question)
            self.answer_hint.setText(strings.answer_hint(view))
            who = self.question_by or translate("Beckon", "a nurse")
            self.question_from.setText(translate("Beckon", "{nurse} asks:").format(nurse=who))
            self.pages.setCurrentIndex(1)
        elif view.stage == "confirming" and self.pages.currentIndex() == 1:
            # A call gesture taken over the question: its confirmation is shown, and a tap's
            # Yes / No page the question covered waits behind it (it came back over
            # "Emergency?" while the speaker asked for a nod, rev45b2).
            self._touch_aside = self._touch_confirming
            self.pages.setCurrentIndex(0)
        elif self._touch_confirming and (self.pages.currentIndex() == 1 or self._touch_aside):
            # A question shown over the tap's Yes / No page (the two crossed on their way to
            # the service, which otherwise keeps the question waiting), or a call's
            # confirmation after it: the page comes back.
            self._touch_aside = False
            self.pages.setCurrentIndex(2)
            self.stage_banner.setText(translate("Beckon", "Touch Yes or No."))
        elif self.pages.currentIndex() == 1:
            self.pages.setCurrentIndex(0)
        if self.pages.currentIndex() != 2:
            note = self._after_choice if view.stage == "paused" else None
            given_up = self._given_up
            fresh = given_up is not None and time.monotonic() - given_up[1] < GIVEN_UP_QUIET_S
            # Offered again, by the scan or the head pointer: said then, shown with it.
            if given_up is not None and fresh and view.stage in ("offering", "pointing"):
                note = given_up[0]
            self.stage_banner.setText(note or strings.stage_banner(view, self._chosen_label(view)))
        for code, tile in self.tiles.items():
            tile.set_highlight(code == view.highlighted, view.stage)
            # Said by a screen reader: the highlight is only a border.
            tile.setAccessibleDescription(
                strings.tile_for_reader(view, self._chosen_label(view))
                if code == view.highlighted
                else ""
            )
        for listener in self.highlight_listeners:
            listener(view.highlighted)

    def _chosen_label(self, view: MenuView) -> str:
        """The highlighted entry's name as its tile shows it (the confirmation's question)."""
        return self.label(view.highlighted) if view.highlighted else ""

    def on_face(self, status: FaceStatus) -> None:
        self.face_state = status.state
        self.face_hint = status.hint
        self.face_device_hint = status.device_hint
        self.prompts.face(self.face_state in ("ready", "calibrating"))
        self._show_face()
        if self.wizard is not None:
            self.wizard.on_face(status)

    def on_voice(self, item: VoiceEvent | Action) -> None:
        if isinstance(item, VoiceEvent):
            self._last_heard = (time.monotonic(), item.text)
            self._show_mic()
        elif isinstance(item, VoicePrompt):
            yes = strings.say_yes(self.menu)
            if item.intent == CANCEL_REQUEST:  # label: "Cancel “Water”"
                asked = translate("Beckon", "{intent}?").format(intent=self.label(item.intent))
                asked += " " + yes
            elif item.unless_declined:
                asked = translate("Beckon", "{intent}: sending now unless you say no.").format(
                    intent=self.label(item.intent)
                )
            else:
                asked = translate("Beckon", "Did you ask for: {intent}?").format(
                    intent=self.label(item.intent)
                )
                asked += " " + yes
            self._show_and_say(asked)
        elif isinstance(item, VoiceClosed):
            # Said and shown: the question stayed on screen 40 s after it lapsed, and the
            # patient believed the request had gone.
            if item.intent == CANCEL_REQUEST:
                cancels = self.menu.cancels if self.menu is not None else None
                if cancels is not None:
                    self._show_and_say(strings.kept_text(self.label(cancels)))
                elif self.menu is not None:  # nothing left to cancel: the menu's own words
                    self.stage_banner.setText(
                        strings.stage_banner(self.menu, self._chosen_label(self.menu))
                    )
                return
            if item.why == "dropped":  # for an emergency gesture: said after it (see above)
                self._after_emergency = item.intent, strings.not_sent_text(self.label(item.intent))
            elif item.why == "expired":
                text = translate("Beckon", "Not sent: {intent}. Say it again if you need it.")
                self._say_lapse(text.format(intent=self.label(item.intent)))
            else:
                self._say_lapse(strings.not_sent_text(self.label(item.intent)))
        if isinstance(item, VoicePrompt):
            self._lapse_after_question = None  # a new spoken request: the patient moved on

    def _forget_ended(self, e: BedsideEvent) -> None:
        """What an emergency gesture ended went after all (a nod made for it before the
        gesture and reported after, ``Interaction._meant_before_the_call``; or asked again):
        "Not sent: Water." / "Not cancelled: Water stays." is no longer said. Said, it told
        the patient the cancel he had made had failed (rev45e)."""
        ended = self._after_emergency
        if ended is None:
            return
        went = (isinstance(e, ev.RequestSaved) and e.intent == ended[0]) or (
            isinstance(e, ev.CancelAsked) and ended[0] == CANCEL_REQUEST
        )
        if went:
            self._after_emergency = None

    def _touch_emergency_sent(self, e: BedsideEvent) -> None:
        """A tapped "Send Emergency?" page on screen when that emergency was sent another way
        (the gesture's "Emergency?" nodded, ``_emergency_over_touch`` kept the page): the page
        goes and its Yes with it, nothing said ("Not sent" would be false). Kept, it stayed
        up to 15 s, and a helper's tap on its Yes sent a second emergency (rev46e2), as
        emergencies are never de-duplicated. The page-side mirror of ``Interaction.forget``,
        which ends the gesture's confirmation when the page's Yes sends first."""
        if not isinstance(e, ev.RequestSaved) or e.restored or not self._touch_confirming:
            return
        own = self.intents.get(self._touch_ended[0])
        if own is None or not own.is_emergency or e.intent != own.code:
            return
        self._confirm_action = None
        self._leave_confirm()
        log.info("the touch confirmation of %s is ended: it was sent", own.code)

    def _emergency_over_touch(self, intent: str) -> None:
        """The patient's emergency gesture asked for ``intent`` (its confirmation, or sent)
        while a tap's Yes / No page was on screen: the page goes, as the menu's own
        confirmation does (``Interaction.take_emergency``), and its "Not sent: Water." is
        said after the emergency. Kept, "Touch Yes or No." stayed on the banner while the
        speaker asked for a nod, and a tap after the emergency sent the water too (rev45e,
        on main as well). A page put aside behind a question (``_touch_aside``) is not on
        screen: it comes back after the emergency's confirmation, as before (rev45b2).

        A page whose own request is an emergency ("Send Emergency?") stays: its Yes sends
        it, and the gesture's "Emergency?" is then forgotten (``Interaction.forget``).
        Closed, the emergency was lost to a patient who could tap but not nod, and "Not
        sent: Emergency." was said twice (rev46e)."""
        spec = self.intents.get(intent)
        if spec is None or not spec.is_emergency or self.pages.currentIndex() != 2:
            return
        if not self._touch_confirming:
            return
        own = self.intents.get(self._touch_ended[0])
        if own is not None and own.is_emergency:
            log.info("the touch confirmation of %s stays over the emergency gesture", own.code)
            return
        ended = self._touch_ended
        self._confirm_action = None
        self._leave_confirm()
        self._after_emergency = ended  # after _leave_confirm: its menu view would say it
        log.info("the touch confirmation is ended for the emergency gesture")

    def _say_lapse(self, text: str) -> None:
        """A spoken proposal lapsed (or was declined): said and shown at once, unless a nurse's
        question is on screen. Then the question stays whole (each utterance stops the last:
        "Not sent: Water." cut the question and took its banner) and the lapse is said when
        the menu offers again, after the answer's quiet; not at all if the patient asked for
        something else meanwhile (a request sent, another spoken request)."""
        if self.menu is not None and self.menu.stage == "question":
            self._lapse_after_question = text
            return
        self._show_and_say(text)

    def _note_after_choice(self, text: str) -> None:
        """What the pause after a choice says instead of "Request chosen" (an answer, a
        request already open); shown at once when the pause has begun already."""
        self._after_choice = text
        if self.menu is not None and self.menu.stage == "paused" and self.pages.currentIndex() != 2:
            self.stage_banner.setText(text)

    def _show_and_say(self, text: str) -> None:
        """What the voice dialogue tells the patient: on the banner and aloud."""
        self.stage_banner.setText(text)
        self.speaker.say(text, self.language)

    # ------------------------------------------------------------ touch

    def touch_tile(self, code: str) -> None:
        """A tap on a tile asks for confirmation first: a stray touch sends nothing."""
        self.confirm_icon.set_icon(ENTRY_ICONS.get(code, code))
        if code == CANCEL_REQUEST:
            named = self.menu if self.menu is not None else None
            cancels, target = (named.cancels, named.cancels_id) if named else (None, None)
            self.confirm_text.setText(strings.cancel_question(self.label(cancels or "")))
            self._confirm_action = lambda: self.service.post(Submit(code, "touch", cancels=target))
            self._show_confirm((code, strings.kept_text(self.label(cancels or ""))))
            self._cancelling = target  # leave the question if that request finishes meanwhile
            return
        question = translate("Beckon", "Send “{intent}”?").format(intent=self.label(code))
        self.confirm_text.setText(question)
        self._confirm_action = lambda: self.service.post(Submit(code, "touch"))
        self._show_confirm((code, strings.not_sent_text(self.label(code))))

    def _ask_cancel(self, request_id: str) -> None:
        track = self.timeline.get(request_id)
        self.confirm_icon.set_icon("cancelled")
        self.confirm_text.setText(
            strings.cancel_question(self.label(track.intent if track else ""))
        )
        self._confirm_action = lambda: self.service.post(CancelRequest(request_id))
        self._show_confirm(
            (CANCEL_REQUEST, strings.kept_text(self.label(track.intent if track else "")))
        )
        self._cancelling = request_id

    def _show_confirm(self, ended: tuple[str, str]) -> None:
        """``ended``: its request and what is said if an emergency gesture ends it."""
        self._cancelling = None
        self._touch_ended = ended
        # No question takes the screen from it meanwhile (as long as its timer below).
        self._touch_confirming = True
        self.service.post(TouchConfirming(True, CONFIRM_TIMEOUT_MS / 1000))
        self.pages.setCurrentIndex(2)
        self.stage_banner.setText(translate("Beckon", "Touch Yes or No."))
        self._confirm_timer.start(CONFIRM_TIMEOUT_MS)

    def _confirm_yes(self) -> None:
        action, self._confirm_action = self._confirm_action, None
        if action is not None:
            action()
        self._leave_confirm()

    def _confirm_no(self) -> None:
        self._confirm_action = None
        self._leave_confirm()

    def _leave_confirm(self) -> None:
        self._cancelling = None
        self._confirm_timer.stop()
        self._touch_aside = False
        if self._touch_confirming:
            self._touch_confirming = False
            self.service.post(TouchConfirming(False))
        self.pages.setCurrentIndex(0)
        if self.menu is not None:
            self.show_menu(self.menu)

    # ------------------------------------------------------------ showing

    def _set_tiles(self, codes: tuple[str, ...]) -> None:
        self._release_yielded(unfold=False)  # the new tiles decide that (below)
        for tile in self.tiles.values():
            # As the station's rows leave: Qt deletes it on this thread (setParent(None) would
            # hand it to Python, whose garbage collector may run on any thread).
            self.tile_grid.removeWidget(tile)
            tile.hide()
            tile.deleteLater()
        self.tiles = {}
        icon = 120 if len(codes) <= 6 else 90
        for code in codes:
            on_touch = self.touch_tile if self.service.takes("touch") else None
            tile = Tile(code, self.label(code), on_touch, icon, ENTRY_ICONS.get(code, ""))
            tile.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            tile.on_fitted = self._tiles_fitted
            self.tiles[code] = tile
        self._unfold_if_whole()
        self._place_tiles(self._fitting_columns(len(codes)))

    def _fitting_columns(self, items: int) -> int:
        """How many of ``items`` tiles fit side by side in the tile area as it is now: the
        most room for each name, or where a name would be cut there, or the tiles would have
        no icon, the count where every name is whole, then where they have their icons with
        the names readable (``columns_with_icons``)."""
        columns = tile_columns(
            items, self.pages.width(), px(TILE_MIN_PX), self.pages.height(), px(TILE_MIN_H)
        )
        requests = [tile for tile in self.tiles.values() if tile.code not in ENTRY_ICONS]
        if not requests or len(self.tiles) != items:
            return columns

        def look(count: int) -> TileLook:
            return even_look([tile.fit_at(self._tile_size(count, items)) for tile in requests])

        looks = {columns: look(columns)}
        if not (looks[columns].icon_px and looks[columns].whole):
            looks.update({c: look(c) for c in range(1, most_columns(items) + 1) if c != columns})
        return columns_with_icons(columns, looks)

    def _tile_size(
        self, columns: int, items: int, area: QSize | None = None, gap: int | None = None
    ) -> QSize:
        """A tile's size in ``columns`` columns of the tile area as it is now (or of ``area``
        with the tiles ``gap`` apart)."""
        rows = -(-items // columns)
        area = self.pages.size() if area is None else area
        gap = self.tile_grid.spacing() if gap is None else gap
        return QSize(
            (area.width() - gap * (columns - 1)) // columns,
            (area.height() - gap * (rows - 1)) // rows,
        )

    def _place_tiles(self, columns: int) -> None:
        """Lay the tiles out in ``columns`` columns, row by row, in the menu's order. An entry
        that is not a request (the cancel entry, last) takes the rest of its row: a longer
        command than the requests, it was cut in one column beside two empty cells (at 1.25 on
        a 1024 x 600 tablet offline, "Cancel “Move me”" on two lines of 22 px in 35 px)."""
        self._tile_columns = columns
        for c in range(4):
            self.tile_grid.setColumnStretch(c, 1 if c < columns else 0)
        rows = (len(self.tiles) + columns - 1) // columns
        for r in range(4):
            self.tile_grid.setRowStretch(r, 1 if r < rows else 0)
        last = len(self.tiles) - 1
        for i, tile in enumerate(self.tiles.values()):
            self.tile_grid.removeWidget(tile)
            span = columns - i % columns if i == last and tile.code in ENTRY_ICONS else 1
            self.tile_grid.addWidget(tile, i // columns, i % columns, 1, span)

    def _tiles_fitted(self) -> None:
        """A tile fitted its name: even the menu out once the event loop is free (tiles fit one
        by one as the grid lays them out)."""
        if not self._evening:
            self._evening = True
            QTimer.singleShot(0, self._even_tiles)

    def _even_tiles(self) -> None:
        """Every tile's name in one type and every icon in one size and place, or none
        (``even_look``): each fitted alone, at font scale 2 on a 1024 x 600 tablet "Toilet" was
        58 px and "Emergency" beside it 36, a hierarchy nobody meant, and smaller than the 36
        px of every name at scale 1; with seven entries on a 1280 x 800 tablet the icons were
        40 to 70 px, as long as each name was short."""
        self._evening = False
        fitted = [tile for tile in self.tiles.values() if tile.fit is not None]
        # The requests set them; "Cancel “Move me”", a longer command, is not a request and
        # keeps to them or less (it pulled every request down to its 36 px at scale 1.5 on
        # 1280 x 800).
        requests = [tile.fit for tile in fitted if tile.code not in ENTRY_ICONS]
        if requests:
            look = even_look([fit for fit in requests if fit is not None])
            if look.icon_px:  # as large as each has room for beside the names' common type
                icon = min(tile.icon_for(look) for tile in fitted if tile.code not in ENTRY_ICONS)
                look = replace(look, icon_px=icon)
            for tile in fitted:
                tile.set_even(look)
            self._fold(look)
            self._yield_to_names(look.name_px)

    def _fold(self, look: TileLook) -> None:
        """Where some tile's name is cut even at its least type (``least_name_px``, 24 px) in
        a window that is not cramped, the fault notice gives way: one line, its text elided
        in the middle, the whole text a tap away (``FoldingNotice``), and the window gives way
        as a cramped one does, in its own type (``_give_way``). On a 1024 x 600 tablet at
        scale 1.25, offline with the configuration fault, "Call the nurse" was cut at 22 px in
        every column count: the window is not cramped there, and cramped, the notices' 3/4
        type would be below 24 px. (Cramped, the notices yield by their type: ``NamesFirst``.)
        The cannot-reach notice and the instruction line are the patient's and stay whole.

        Only a cut that lasts ``FOLD_AFTER_MS`` folds it: as a window settles, its names are
        cut for a moment (at 1.5 on 1280 x 800 it folded with names of 40 px). It unfolds
        where the tiles' room changes (``_release_yielded``) and the names would be whole with
        it whole (``_unfold_if_whole``), or the fault is gone.

        With no fault notice shown, the window gives way all the same (``_for_names``): at
        1.25 on a 1024 x 600 tablet offline, "Call the nurse" was cut at 22 px beside the
        request panel's 2/5 share (and "간호사 불러 주세요" at 24); with the chips that report
        no problem gone, the panel as wide as its words and the smaller gaps it is whole. It
        stops giving way as the folded notice unfolds (``_unfold_if_whole``)."""
        if not look.whole and self._more_to_give():
            self._fold_timer.start()  # from the latest cut: the window settles meanwhile

    def _may_fold(self) -> bool:
        cramped = bool(self._cramped)
        return not cramped and self.fault_banner.isVisibleTo(self)

    def _more_to_give(self) -> bool:
        """Whether a lasting cut can still make the window give way (``_fold``): not
        cramped, and the fault notice shown and not yet folded, or with none shown the
        window not yet giving way for the names. Once it has given all it can, a name still
        cut steps lower (``last_name_px``) and no fold is pending: with the cancel entry at
        1.25 on 1024 x 600 the names are 22 px after giving way, and each new fit started
        the timer again for nothing."""
        if bool(self._cramped):
            return False
        if self._may_fold():
            return not self.fault_banner.folded
        return not self._for_names

    def _fold_if_cut(self) -> None:
        fits = [t.fit for t in self.tiles.values() if t.code not in ENTRY_ICONS]
        cut = any(fit is None for fit in fits) or not even_look([f for f in fits if f]).whole
        if not cut or not self._more_to_give():
            return
        if self._may_fold():
            self.fault_banner.set_folded(True)
        else:
            self._for_names = True
        self._give_way()

    def _yield_to_names(self, names_px: int) -> None:
        """In a cramped window the texts beside the tiles step down to the names' size
        (``NamesFirst``): the request panel, whose narrower words leave the tiles more room,
        and the notices and the instruction line, whose lower lines leave them the height of
        their icons."""
        if not bool(self._cramped) or not self.names_first.follow(names_px):
            return
        # The cap, not the names: held below a size after which they were smaller, texts at
        # the names' 36 px stood beside names of 34.
        self._cap_beside_names(self.names_first.cap)
        QTimer.singleShot(0, self._fit_side)  # its words' width, once its layout has them

    def _release_yielded(self, *, unfold: bool = True) -> None:
        """Something else changed the tiles' room (the window's size, the menu, a notice shown
        or gone, a notice or the instruction line taking more or fewer lines for a new text,
        the request panel another width for its new words: ``_show_timeline``):
        the cap is measured again from the names as they fit now. Without this a cramped kiosk kept
        the smallest cap it ever had: 30 px panel text beside 72 px names once a fault had
        cleared and a menu of three followed. A folded fault notice unfolds only where the
        names would be whole with it whole (``_unfold_if_whole``; ``unfold`` False: the caller
        asks that itself)."""
        released = self.names_first.release()
        if not (unfold and self._unfold_if_whole()) and not released:
            return
        self._cap_beside_names(None)
        self._tiles_fitted()  # evens the names and caps the rest again, once the loop is free

    def _unfold_if_whole(self) -> bool:
        """Unfold the fault notice (``_fold``), and stop giving way for the names, where every
        request's name would be whole with it whole and the window not giving way
        (``_names_whole_unfolded``); whether it did. Unfolded on every change of the
        tiles' room, it folded again 250 ms later: at 1.25 on a 1024 x 600 tablet each status
        of a request and the cancel entry showed the whole notice, the chips and a wider
        panel for 300 ms, the names cut. A cramped window gives way by itself: there it
        unfolds (``_fold``)."""
        if not (self.fault_banner.folded or self._for_names):
            return False
        if not bool(self._cramped) and not self._names_whole_unfolded():
            return False
        self._fold_timer.stop()  # a cut measured folded: unfolded, the tiles measure again
        self.fault_banner.set_folded(False)
        self._for_names = False
        self._give_way()
        return True

    def _names_whole_unfolded(self) -> bool:
        """Whether every request's name would be whole at its least (``TileFit.whole``) in
        some column count with the fault notice (if shown) whole and the window no longer
        giving way (its chips, gaps and the request panel's share back), measured as
        ``_fitting_columns`` measures another count (``fit_at``), at the tile area's size
        then (in a window that is not cramped)."""
        requests = [tile for tile in self.tiles.values() if tile.code not in ENTRY_ICONS]
        if not requests:
            return True
        taller = 0
        if self.fault_banner.isVisibleTo(self):
            taller = self.fault_banner.whole_height() - self.fault_banner.height()
        chips = self.camera_pill.parentWidget()
        flow = chips.layout() if chips is not None else None
        if chips is not None and isinstance(flow, FlowLayout):  # every chip back
            wanted = flow.height_with(chips.width(), lambda w: getattr(w, "wanted", True))
            taller += max(0, wanted - chips.height())
        width, height = self.pages.width(), self.pages.height()
        share = TILES_STRETCH / (TILES_STRETCH + SIDE_STRETCH)  # the panel's share back
        if self.body.direction() == QBoxLayout.Direction.LeftToRight:
            room = self.width() - 3 * BODY_GAP
            width = min(int(room * share), room - px(SIDE_MIN_W))
        else:
            width = self.width() - 2 * BODY_GAP
            # The gap between the tiles and the panel grows back to BODY_GAP too.
            wider_gap = max(0, BODY_GAP - self.body.spacing())
            height = int((height + self.timeline_scroll.height() - wider_gap) * share)
        area = QSize(width, height - max(0, taller))
        items = len(self.tiles)
        return any(
            even_look(
                [tile.fit_at(self._tile_size(count, items, area, TILE_GAP)) for tile in requests]
            ).whole
            for count in range(1, most_columns(items) + 1)
        )

    def _cap_beside_names(self, size: int | None) -> None:
        """The texts that yield to the names, no larger than ``size`` px (None: their own)."""
        self.timeline_panel.cap_type(size)
        for banner in self._yielding:
            banner.set_most(size)

    @property
    def highlighted(self) -> str | None:
        return next((c for c, t in self.tiles.items() if t.highlighted), None)

    def _show_timeline(self) -> None:
        # A new text in the panel changes its width where it is as wide as its words, and so
        # the tiles' room, as a notice's new lines change their height: the names set their
        # cap again. Kept, the texts beside the names came back smaller after a request (in
        # English at scale 2 offline: 34 px beside names of 36, 36 beside 38 when fresh).
        before = self._side_need()
        self.timeline_panel.show_tracks(self.timeline.tracks)
        layout = self.timeline_panel.layout()
        if layout is not None:  # its size hints with the new texts now, not a turn later
            layout.invalidate()
            layout.activate()  # its nested layouts too (what and when beside the icon)
        if self._side_need() != before and bool(self._cramped):
            # Not cramped, the panel is as wide as its words only with the notice folded:
            # there is no cap to release, and its new width is no reason to unfold.
            self._release_yielded(unfold=False)
        self._fit_side()
        self._fit_recent()
        cancelling = self.timeline.get(self._cancelling) if self._cancelling else None
        if cancelling is not None and not cancelling.open:
            # A nurse finished it while "Cancel ...?" was on screen: the question stayed, and
            # its Yes did nothing the patient could see.
            self._confirm_action = None
            self._leave_confirm()

    def _fit_recent(self) -> None:
        viewport = self.timeline_scroll.viewport()
        if viewport is not None:
            self.timeline_panel.fit_recent(viewport.height())

    def _show_banner(self, banner: QLabel, visible: bool) -> None:
        holder = banner.parentWidget()
        if banner is self.fault_banner and not visible and self.fault_banner.set_folded(False):
            self._give_way()  # a fault gone: the next one is shown whole first
        if banner.isVisibleTo(self) != visible:
            self._release_yielded()  # the tiles get or give up the notice's height
        banner.setVisible(visible)
        if holder is not None:
            holder.setVisible(visible)
        if banner is not self.rest_note:
            self._fit_rest_note()  # it gives way to the other notices

    def _fit_rest_note(self) -> None:
        """The large calm line of a head resting far from its rest (``rest_note``) is shown
        only on the menu page of a window that is not cramped, with no other notice: it gives
        way to a nurse's question and a confirmation (their Yes and No first), to a short
        window and to the fault and cannot-reach notices, where the face chip says the same in
        a few words (it always does). Shown everywhere, it pushed Yes and No to 693-822 px of
        800 at font scale 1.5 on a 1280 x 800 tablet and off a 1024 x 600 one, and cut the
        nurse's question (rev45a). The rule depends on nothing the line's own height changes
        (not on the window giving way for the tiles' names, ``_fold``): a line hidden for a
        cut name would free the names, unfold, show again and cut them, every 250 ms. Never
        on a portrait tablet: there the tiles and the request panel share the height, and the
        line pushed the newest request's status ("Nurse ...", "Done.") out of view at 1.25
        and 1.5 on 800 x 1280 (rev45a2)."""
        shown = (
            self._resting_away
            and self.width() >= self.height()  # ``_rest_note_text``: not on a portrait tablet
            and self.pages.currentIndex() == 0
            and not bool(self._cramped)
            and not self.fault_banner.isVisibleTo(self)
            and not self.reach_banner.isVisibleTo(self)
        )
        text = self._rest_note_text() if shown else ""
        if text and self.rest_note.text() != text:
            self.rest_note.setText(text)
            self.rest_note.setToolTip(strings.away_from_rest_text())
        if bool(text) != self.rest_note.isVisibleTo(self):
            self._show_banner(self.rest_note, bool(text))

    def _rest_note_text(self) -> str:
        """The rest note's text where it takes at most ``REST_NOTE_MOST_SHARE`` of the
        window's height: whole, else the patient's line alone (the staff's is its tooltip and
        the staff menu holds "Patient repositioned"), else none (the face chip says it). From
        the window's size and the texts alone, so it holds still as the tiles fit."""
        note = self.rest_note
        note.ensurePolished()
        width = max(1, self.width() - 48)  # the holder's margins (``_padded``)
        frame = 2 * px(10) + 4  # the stylesheet's padding and the border, at most
        flags = int(note.alignment().value) | Qt.TextFlag.TextWordWrap.value
        most = self.height() * REST_NOTE_MOST_SHARE
        for text in (strings.away_from_rest_text(), strings.away_from_rest_patient_text()):
            room = QRect(0, 0, max(1, width - frame), 1 << 20)
            if note.fontMetrics().boundingRect(room, flags, text).height() + frame <= most:
                return text
        return ""

    def _show_link(self) -> None:
        online = self.timeline.online
        self.link_pill.show_state(
            "ok" if online else ("off" if online is None else "warn"),
            strings.connection_text(online),
            "link" if online else "link_off",
        )
        # Without the broker the station's last known state is stale: unknown, not green.
        station = self.timeline.station_online if online is not False else None
        self.station_pill.show_state(
            "ok" if station else ("off" if station is None else "bad"),
            strings.station_text(station, linked=online),
            "link" if station else "link_off",
        )

    def _show_face(self) -> None:
        self.face_pill.set_wanted(self.vision is not None and self.host.vision is not None)
        view = face_view(self.face_state, self.face_hint)
        # Through a missed frame too (``face_view`` shows it as the rest it continues).
        self._resting_away = (
            self.face_pill.wanted and view.state == "ready" and view.hint == AWAY_FROM_REST
        )
        self._fit_rest_note()
        if not self.face_pill.wanted:
            return
        self.face_pill.show_state(
            view.tone,
            strings.face_view_text(view),
            "face" if view.state != "no_face" else "face_missing",
        )

    def _show_mic(self) -> None:
        self.mic = mic_state(self.host.voice, self._last_heard, time.monotonic())
        kind = self.mic.kind
        self.mic_pill.set_wanted(self.host.mic is not None)
        self.mic_pill.show_state(
            {
                "listening": "ok",
                "heard": "ok",
                "starting": "warn",
                "error": "bad",
                "failed": "bad",
            }.get(kind, "off"),
            strings.mic_text(self.mic),
            "mic" if kind in ("listening", "heard", "starting") else "mic_off",
        )

    def _report_devices(self) -> None:
        """Tell the station (through the bed's status) what this tablet cannot do now."""
        sound = self.alarm is None or bool(getattr(self.alarm, "working", True))
        faults = self.devices.faults(
            self.camera.state(),
            self.vision is not None,
            self.face_state,
            self.mic,
            sound,
            time.monotonic(),
            self.face_device_hint,
        )
        if faults != self._reported_faults:
            self._reported_faults = faults
            self.service.post(DeviceFaults(faults))

    def _show_reach(self) -> None:
        """Words, speech and a local alarm when calls cannot reach the nurses (ReachWatch)."""
        now = time.monotonic()
        for key in self.reach.check(self.timeline, now):
            self.speaker.say(strings.reach_text(key), self.language)
            if key == "no_receipt" and self.alarm is not None:
                self.alarm.play(True)
        lines = []
        if self.timeline.without_receipt(now, self.reach.receipt_alarm_s):
            lines.append(strings.reach_text("no_receipt"))
        elif self.timeline.unreachable:
            lines.append(strings.reach_text("unreachable"))
        if self.alarm is not None and not getattr(self.alarm, "working", True):
            lines.append(strings.reach_text("no_sound"))
        text = "\n".join(lines)
        if text != self.reach_banner.text():
            self.reach_banner.setText(text)
        self._show_banner(self.reach_banner, bool(text))

    def _staff_pressed(self) -> None:
        self.staff.press()
        QTimer.singleShot(int(self.staff.hold_s * 1000) + 50, self._staff_held)

    def _staff_held(self) -> None:
        """The long press opened the lock: the staff menu opens at once, under Staff."""
        if self.staff.held():
            self.staff_button.setDown(False)  # the menu takes the finger's release
            self._show_staff()
            self._open_staff_menu()
            self.hold_guard.arm()  # and that release chooses nothing (HoldReleaseGuard)

    def _staff_released(self) -> None:
        opens = self.staff.release()  # a tap while the lock is open shows the menu again
        self._show_staff()
        if opens:
            self._open_staff_menu()

    def _open_staff_menu(self) -> None:
        self.staff_menu.popup(self.staff_button.mapToGlobal(self.staff_button.rect().bottomLeft()))

    def _show_staff(self) -> None:
        """The staff menu's entries only while the staff lock is open; once it closes, the
        camera picture and the menu go. A calibration wizard already open stays open."""
        open_ = self.staff.poll()
        entries = staff_entries(open_, self.vision is not None)
        for action, shown in (
            (self.preview_action, entries.preview),
            (self.calibrate_action, entries.calibrate),
            (self.exit_action, entries.exit),
        ):
            action.setVisible(shown)
            action.setEnabled(shown)
        if not open_ and self.preview.isVisible():
            self.toggle_preview()  # the picture is never left on screen for anyone to see
        if not open_ and self.staff_menu.isVisible():
            self.staff_menu.close()  # nor the staff menu, once the lock has closed

    def _next_scan_speed(self) -> None:
        offer, pause = self._timing
        self._set_timing(next_preset(offer, SCAN_PRESETS), pause)

    def _next_pause(self) -> None:
        offer, pause = self._timing
        self._set_timing(offer, next_preset(pause, PAUSE_PRESETS))

    def _set_timing(self, offer: float, pause: float) -> None:
        """The buttons show what staff chose at once; the service applies and saves it."""
        self._timing = (offer, pause)
        self.service.post(SetTiming(offer, pause))
        self._show_timing()

    def _toggle_presence(self) -> None:
        present = self.service.nurse_present is None
        self.service.post(NursePresence(strings.STAFF_AT_BED if present else None))

    def _clear_emergency(self) -> None:
        request_id = emergency_to_clear(self.timeline.tracks, self.intents)
        if request_id is not None:
            self.service.post(ClearAtBed(request_id, strings.STAFF_AT_BED))

    def _relearn_rest(self) -> None:
        """Staff's "learn the rest again": the host remembers it (also while the camera is
        retrying); the banner says it was heard, the face chip shows "calibrating" at once."""
        if not self.host.relearn_rest(strings.STAFF_AT_BED):
            return
        self.stage_banner.setText(strings.relearning_rest_text())
        if self.host.vision is not None:
            self.face_state, self.face_hint = "calibrating", None
            self.face_device_hint = None
            self._show_face()

    def _show_nurse_actions(self) -> None:
        """The menu shows presence as the service last sent it, offers Clear only while a
        nurse is present and this bed has an open emergency, and "learn the rest again" only
        with a camera."""
        present = self.service.nurse_present is not None
        self.presence_action.setChecked(present)
        emergency = emergency_to_clear(self.timeline.tracks, self.intents)
        self.clear_action.setEnabled(present and emergency is not None)
        self.relearn_action.setVisible(self.vision is not None)  # no camera: no rest to learn

    def _show_timing(self) -> None:
        offer, pause = self._timing
        self.scan_action.setText(strings.scan_speed_text(offer))
        self.pause_action.setText(strings.pause_text(pause))

    def _show_camera(self) -> None:
        state = self.camera.state()
        reopen_if_frozen(state, self.host)
        if self.vision is None:
            self.camera_pill.show_state("off", strings.camera_text(state), "camera_off")
            return
        self.camera_pill.show_state(
            {"on": "ok", "starting": "warn", "slow": "warn", "off": "off"}.get(state.kind, "bad"),
            strings.camera_text(state),
            "camera" if state.kind in ("on", "slow", "starting") else "camera_off",
        )

    def toggle_preview(self) -> None:
        """The camera picture is hidden unless someone asks for it (privacy, calm)."""
        show = not self.preview.isVisible()
        self.preview.setVisible(show)
        self.preview_action.setChecked(show)
        self._update_preview()

    def _update_preview(self) -> None:
        frame = self.camera.latest
        if not self.preview.isVisible():
            return
        if frame is None:
            self.preview.setText(translate("Beckon", "No picture"))
            return
        rgb = frame.rgb
        height, width = rgb.shape[0], rgb.shape[1]
        image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
        self.preview.setPixmap(
            QPixmap.fromImage(image.copy()).scaled(
                self.preview.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def _poll(self) -> None:
        link = self.service.link
        settled = link is not None and (link.connected or time.monotonic() - self._started > 3)
        if settled and link is not None and self.timeline.set_online(link.connected):
            self._show_timeline()
        self._show_link()
        self._show_camera()
        self._show_face()
        self._show_mic()
        self._show_staff()
        self._show_reach()
        self._report_devices()
        self._update_preview()
        self._watch_workers()

    def _watch_workers(self) -> None:
        if self.host.started and not self.host.service_alive:
            detail = translate("Beckon", "The bedside service stopped: call IT.")
            if self.fault != detail:
                self.fault = detail
                self.fault_banner.setText(detail)
                self._show_banner(self.fault_banner, True)
            if self.kiosk:
                now = time.monotonic()
                if self._service_lost_at is None:
                    self._service_lost_at = now
                elif now - self._service_lost_at >= self.service_lost_exit_s:
                    log.critical(
                        "kiosk: the bedside service stopped (%s); exiting so that it is "
                        "started again",
                        self.host.service_error,
                    )
                    self._service_lost_at = float("inf")  # once
                    self._may_close = True
                    self.exit_app(1)
        if self.host.started:
            self.host.supervise()

    # ------------------------------------------------------------ calibration

    def open_calibration(self) -> None:
        from beckon.ui.calibration import CalibrationWizard

        if self.wizard is not None:
            self.wizard.raise_()
            return
        self.wizard = CalibrationWizard(
            self,
            site=self.service.address.site,
            unit=self.service.address.unit,
            bed=self.service.address.bed,
            language=self.language,
            speaker=self.speaker,
            profile_dir=self.profile_dir,
            # Where the service loads the profile from at its next start (configured or the
            # bed's default), so what the wizard saves is what the bedside uses.
            path=self.service.profile_path,
            face_state=self.face_state,
        )
        self.bridge.gesture.connect(self.wizard.on_gesture)
        self.wizard.finished.connect(self._calibration_closed)
        self.wizard.show()

    def _calibration_closed(self, _result: int = 0) -> None:
        if self.wizard is not None:
            self.bridge.gesture.disconnect(self.wizard.on_gesture)
        self.wizard = None
