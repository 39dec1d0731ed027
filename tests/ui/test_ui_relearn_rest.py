"""Issue 9: staff tell the bedside the patient was repositioned, so the rest is learned again.

A head that came to rest 15 degrees or more from the learned neutral is never re-fixed by itself
(it looks like a patient watching something aside) and every held gesture is lost there; the
nurse who moved the patient knows. "Patient repositioned: learn the rest again" is a staff-only
control, in the staff menu (a tap on Staff once the long press opened the lock), beside the
scan speed and "A nurse in the room". The window only hands the request to the vision worker
(``BedsideHost.relearn_rest``); the worker takes it on its own thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.bedside_host import bed_12
from tests.helpers.staff import hold_staff, tap_staff

WAIT_MS = 15_000


def _window(qtbot: Any, tmp_path: Path, *, camera: bool) -> Any:
    from beckon.bedside.host import CameraSpec
    from beckon.bedside.service import BedsideService
    from beckon.ui.bedside_window import BedsideWindow

    settings = bed_12(tmp_path)
    spec = CameraSpec(tmp_path / "face.task", "0") if camera else None
    bedside = BedsideWindow(BedsideService(settings), vision=spec)
    qtbot.addWidget(bedside)
    bedside.show()
    return bedside


def _staff_menu(qtbot: Any, bedside: Any) -> None:
    """The long press opens the lock and the staff menu with it."""
    hold_staff(qtbot, bedside)  # the long press, shorter for the test


def test_learn_the_rest_again_is_for_staff_and_reaches_the_vision_worker(
    qtbot: Any, look: None, tmp_path: Path
) -> None:
    from beckon.bedside.vision_worker import VisionWorker
    from beckon.ui import strings

    bedside = _window(qtbot, tmp_path, camera=True)
    # No camera on this machine: a vision worker that is never started stands in for the
    # running one; the request waits in it for the vision thread's next frame.
    worker = VisionWorker(Path("unused.task"), "0", post=lambda item: None)
    bedside.host.vision = worker
    try:
        tap_staff(qtbot, bedside)  # a patient's tap
        qtbot.wait(300)
        assert not bedside.staff_menu.isVisible()  # nothing of it on the patient's screen

        _staff_menu(qtbot, bedside)
        action = bedside.relearn_action
        assert action.isVisible() and action.isEnabled()
        assert action.text() == "Patient repositioned: learn the rest again"
        assert not worker.relearn_pending
        action.trigger()
        assert worker.relearn_pending
        # Staff see it was heard: the banner says so and the face chip shows "calibrating".
        assert bedside.stage_banner.text() == strings.relearning_rest_text()
        assert bedside.face_state == "calibrating"
    finally:
        bedside.staff_menu.close()
        bedside.host.vision = None  # never started: the window's close must not stop it


def test_without_a_camera_there_is_no_rest_to_learn_again(
    qtbot: Any, look: None, tmp_path: Path
) -> None:
    bedside = _window(qtbot, tmp_path, camera=False)
    _staff_menu(qtbot, bedside)
    assert not bedside.relearn_action.isVisible()
    bedside.staff_menu.close()
    assert bedside.host.relearn_rest() is False  # and the host says so, harmlessly


def test_while_the_camera_is_retrying_the_request_is_remembered_and_acknowledged(
    qtbot: Any, look: None, tmp_path: Path
) -> None:
    """The camera failed and waits for its retry: the entry is still there, the host keeps
    the request for the camera that comes back, and the banner says it was heard."""
    from beckon.ui import strings

    bedside = _window(qtbot, tmp_path, camera=True)
    bedside.host.vision = None
    _staff_menu(qtbot, bedside)
    assert bedside.relearn_action.isVisible()
    bedside.relearn_action.trigger()
    bedside.staff_menu.close()
    assert bedside.host.rest_relearned
    assert bedside.stage_banner.text() == strings.relearning_rest_text()


def test_the_staff_menu_closes_with_the_staff_lock(qtbot: Any, look: None, tmp_path: Path) -> None:
    """The menu was left open after the lock closed: anyone could then use it."""
    bedside = _window(qtbot, tmp_path, camera=True)
    bedside.staff.open_s = 1.0
    _staff_menu(qtbot, bedside)
    qtbot.waitUntil(lambda: not bedside.staff.poll(), timeout=WAIT_MS)
    bedside._show_staff()  # what the window's poll does
    assert not bedside.calibrate_action.isVisible()
    assert not bedside.staff_menu.isVisible()
