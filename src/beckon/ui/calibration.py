"""The calibration wizard: walks a patient and a nurse through calibration, saves the profile.

Two audiences on one screen: the patient reads (and hears) one short instruction in very large
type; the nurse reads what to do and can start, skip a gesture the patient cannot do, start
again, and save. The measuring is the calibration routine's (beckon.vision.calibration); the
script of the session is :class:`beckon.ui.calibration_flow.CalibrationFlow`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from beckon.bedside.service import Gesture
from beckon.errors import BeckonError
from beckon.profile import GestureProfile, load_profile, profile_path, save_profile
from beckon.ui import strings
from beckon.ui.calibration_flow import (
    TAKES_PER_GESTURE,
    CalibrationFlow,
    Phase,
    can_choose,
    keep_essential,
    run_calibration,
)
from beckon.ui.speech import SilentSpeaker, Speaker

if TYPE_CHECKING:
    from beckon.vision.pipeline import FaceStatus

log = logging.getLogger(__name__)
translate = strings.translate


def gesture_name(gesture: str) -> str:
    if gesture == "nod":
        return translate("Beckon", "nod")
    if gesture == "shake":
        return translate("Beckon", "head shake")
    return gesture.replace("_", " ")


def patient_text(phase: Phase) -> str:
    if phase.kind == "position":
        return translate("Beckon", "Please look at the screen.")
    if phase.kind == "rest":
        return translate("Beckon", "Rest your head and look at the screen.")
    if phase.kind == "pause":
        return translate("Beckon", "Rest.")
    if phase.kind == "done":
        return translate("Beckon", "Thank you.")
    if phase.gesture == "nod":
        return translate("Beckon", "Nod gently, as if to say yes.")
    if phase.gesture == "shake":
        return translate("Beckon", "Shake your head gently, as if to say no.")
    return translate("Beckon", "Now: {gesture}").format(gesture=gesture_name(phase.gesture))


def nurse_text(phase: Phase) -> str:
    if phase.kind == "position":
        return translate(
            "Beckon",
            "Place the tablet 50 to 80 cm from the patient's face, at eye level, so that the "
            "camera sees the whole face. Press Start when the face is found.",
        )
    if phase.kind == "rest":
        return translate("Beckon", "Recording the resting face: the patient stays still.")
    if phase.kind in ("take", "pause"):
        return translate(
            "Beckon",
            "{gesture}: take {n} of {total}. Press Skip if the patient cannot do this movement.",
        ).format(gesture=gesture_name(phase.gesture), n=phase.take, total=TAKES_PER_GESTURE)
    return ""


class CalibrationWizard(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        site: str = "",
        unit: str = "",
        bed: str,
        language: str = "en",
        speaker: Speaker | None = None,
        profile_dir: Path | None = None,
        path: Path | None = None,
        face_state: str | None = None,
        flow: CalibrationFlow | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("calibrationWizard")
        self.setWindowTitle(translate("Beckon", "Calibration"))
        self.language = language
        self.speaker = speaker or SilentSpeaker()
        self.flow = flow or CalibrationFlow()
        self.path = path or profile_path(site or "site", unit or "unit", bed, profile_dir)
        self.face_state = face_state
        self.result: Any = None
        self.error = ""
        self.saved: Path | None = None
        self.seen: list[str] = []
        self.kept: list[str] = []  # gestures not seen but kept on: the only way to choose
        self._shown_index = -1
        self.resize(1100, 700)
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self.refresh()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 28)
        layout.setSpacing(18)
        self.title = QLabel(translate("Beckon", "Calibration"))
        self.title.setObjectName("wizardTitle")
        self.step = QLabel()
        self.step.setObjectName("wizardProgress")
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.step)
        layout.addLayout(head)
        self.patient = QLabel()
        self.patient.setObjectName("wizardPatient")
        self.patient.setWordWrap(True)
        self.patient.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.patient.setMinimumHeight(220)
        layout.addWidget(self.patient, 1)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(26)
        layout.addWidget(self.bar)
        self.face = QLabel()
        self.face.setObjectName("wizardProgress")
        layout.addWidget(self.face)
        self.nurse = QLabel()
        self.nurse.setObjectName("wizardNurse")
        self.nurse.setWordWrap(True)
        layout.addWidget(self.nurse)
        buttons = QHBoxLayout()
        self.start_button = QPushButton(translate("Beckon", "Start"))
        self.start_button.setObjectName("primary")
        self.skip_button = QPushButton(translate("Beckon", "Skip this movement"))
        self.again_button = QPushButton(translate("Beckon", "Start again"))
        self.save_button = QPushButton(translate("Beckon", "Save profile"))
        self.save_button.setObjectName("primary")
        self.close_button = QPushButton(translate("Beckon", "Close"))
        self.start_button.clicked.connect(self.start)
        self.skip_button.clicked.connect(self.skip)
        self.again_button.clicked.connect(self.again)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.close)
        for b in (
            self.start_button,
            self.skip_button,
            self.again_button,
            self.save_button,
            self.close_button,
        ):
            buttons.addWidget(b)
        layout.addLayout(buttons)

    # ------------------------------------------------------------ inputs

    def on_face(self, status: FaceStatus) -> None:
        self.face_state = status.state
        self.refresh()

    def on_gesture(self, gesture: Gesture) -> None:
        """Gestures are routed here while the wizard is open (the menu ignores them)."""
        self.seen.append(gesture.name)
        self.refresh()

    def observe(self, obs: Any) -> None:
        """From the vision thread: the flow takes it under its own lock."""
        self.flow.observe(obs)

    # ------------------------------------------------------------ actions

    def start(self) -> None:
        if not self.flow.start(self.flow.last_t):
            self.error = translate("Beckon", "The camera does not see a face yet.")
        else:
            self.error = ""
        self.refresh()

    def skip(self) -> None:
        self.flow.skip_gesture(self.flow.last_t)
        self.refresh()

    def again(self) -> None:
        self.flow.restart()
        self.result, self.error, self.saved = None, "", None
        self.seen.clear()
        self.kept = []
        self.refresh()

    def save(self) -> None:
        if self.result is None:
            return
        if not can_choose(self.result.profile):
            # Defence in depth: keep_essential should have prevented this profile.
            self.error = translate(
                "Beckon", "Not saved: this profile leaves the patient no way to choose."
            )
            self.refresh()
            return
        try:
            self.saved = save_profile(self.result.profile, self.path)
        except OSError as exc:
            self.error = str(exc)
        self.refresh()

    def tick(self) -> None:
        if self.flow.advance(self.flow.last_t) and self.flow.done:
            self._finish()
        self.refresh()

    def _finish(self) -> None:
        base = None
        if self.path.is_file():
            try:
                base = load_profile(self.path)
            except BeckonError as exc:
                log.warning("ignoring the old profile: %s", exc)
        try:
            result = run_calibration(self.flow, base)
            self.result, self.kept = keep_essential(result, base or GestureProfile())
            self.error = ""
        except BeckonError as exc:
            self.result = None
            self.error = str(exc)

    # ------------------------------------------------------------ showing

    def refresh(self) -> None:
        phase = self.flow.phase
        if self.flow.index != self._shown_index:
            self._shown_index = self.flow.index
            if phase.kind != "pause" or phase.take == TAKES_PER_GESTURE:
                self.speaker.say(patient_text(phase), self.language)
        total = len(self.flow.phases)
        self.step.setText(
            translate("Beckon", "Step {n} of {total}").format(n=self.flow.index + 1, total=total)
        )
        self.patient.setText(patient_text(phase))
        self.bar.setValue(int(100 * self.flow.progress(self.flow.last_t)))
        self.bar.setVisible(phase.kind in ("rest", "take", "pause"))
        self.face.setText(strings.face_text(self.face_state or "no_face"))
        nurse = nurse_text(phase)
        if phase.kind == "done":
            nurse = self._summary()
        if self.error:
            nurse = f"{self.error}\n{nurse}".strip()
        self.nurse.setText(nurse)
        self.start_button.setVisible(phase.kind == "position")
        self.skip_button.setVisible(phase.kind in ("take", "pause"))
        self.save_button.setVisible(phase.kind == "done")
        self.save_button.setEnabled(self.result is not None and self.saved is None)

    def _summary(self) -> str:
        if self.saved is not None:
            return translate(
                "Beckon", "Saved: {path}. The bedside uses it from its next start."
            ).format(path=str(self.saved))
        if self.result is None:
            return translate("Beckon", "Calibration did not succeed. Press Start again.")
        measured = ", ".join(
            f"{gesture_name(g)} {v:.1f}" for g, v in sorted(self.result.measured.items())
        )
        lines = [translate("Beckon", "Measured movement: {list}").format(list=measured or "–")]
        if self.kept:
            lines.append(
                translate(
                    "Beckon",
                    "Warning: {list} not seen, but kept on at the previous setting: it is the "
                    "patient's only way to choose. Start again, or choose another gesture.",
                ).format(list=", ".join(gesture_name(g) for g in self.kept))
            )
        if self.result.disabled:
            lines.append(
                translate("Beckon", "Switched off (not seen): {list}").format(
                    list=", ".join(gesture_name(g) for g in self.result.disabled)
                )
            )
        if self.flow.skipped:
            lines.append(
                translate("Beckon", "Skipped (previous setting kept): {list}").format(
                    list=", ".join(gesture_name(g) for g in self.flow.skipped)
                )
            )
        lines.append(translate("Beckon", "Press Save profile to keep it."))
        return "\n".join(lines)

    def closeEvent(self, event: Any) -> None:
        self.timer.stop()
        super().closeEvent(event)
