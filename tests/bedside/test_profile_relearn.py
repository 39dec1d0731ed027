"""Staff's "Patient repositioned: learn the rest again" outlives a restart.

The saved profile's calibrated resting head pose is the rest staff just said no longer holds.
Before, a restart of the bedside (the kiosk after a crash or an update, a reboot) read it again
and showed "ready" on it, and every turn, tilt, look and expression was lost again while the
patient rested where he was moved (gest41b). Now the relearn takes it out of the saved profile,
and keeps everything else there: the resting jitter and expression (the patient's face) and
staff's scan timing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from beckon.bedside import events as ev
from beckon.bedside.service import BedsideService, RestRelearned
from beckon.profile import (
    Calibration,
    GestureProfile,
    InteractionSettings,
    load_configured_profile,
    load_profile,
    save_profile,
)
from tests.helpers.bedside_host import a_service

FRONTAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
CALIBRATED = GestureProfile(
    calibration=Calibration(
        neutral_rotation=FRONTAL, noise=(0.4, 0.5, 0.3), rest={"blink": 0.12, "jaw": 0.03}
    ),
    interaction=InteractionSettings(offer_seconds=6.0, pause_after_select_s=2.0),
)


def _service_with_saved(tmp_path: Path, profile: GestureProfile) -> BedsideService:
    path = tmp_path / "profile-gh-icu-12.toml"
    save_profile(profile, path)
    service = a_service(tmp_path)
    service.profile_path = path
    service.profile = load_profile(path)
    return service


def test_the_next_start_learns_the_rest_from_the_face(tmp_path: Path) -> None:
    service = _service_with_saved(tmp_path, CALIBRATED)
    assert service.profile.calibration.has_neutral

    service.handle(RestRelearned("Staff at bed"))

    restarted = load_configured_profile("", service.profile_path)  # what a restart reads
    assert not restarted.calibration.has_neutral
    assert not service.profile.calibration.has_neutral  # cameras of this run as well
    # the patient's face and staff's timing stay as saved
    assert restarted.calibration.noise == (0.4, 0.5, 0.3)
    assert restarted.calibration.rest == {"blink": 0.12, "jaw": 0.03}
    assert restarted.interaction.offer_seconds == 6.0
    assert restarted.interaction.pause_after_select_s == 2.0


def test_a_calibration_saved_during_the_run_is_the_one_whose_rest_is_forgotten(
    tmp_path: Path,
) -> None:
    """The wizard may have saved a new calibration since the service loaded the profile:
    its resting expression must not be overwritten by the loaded copy's."""
    service = _service_with_saved(tmp_path, GestureProfile())
    save_profile(CALIBRATED, service.profile_path)  # the wizard, while the service runs

    service.handle(RestRelearned("Staff at bed"))

    kept = load_profile(service.profile_path)
    assert not kept.calibration.has_neutral
    assert kept.calibration.rest == {"blink": 0.12, "jaw": 0.03}


def test_no_profile_is_written_when_none_holds_a_rest(tmp_path: Path) -> None:
    service = a_service(tmp_path)
    service.profile_path = tmp_path / "profile-gh-icu-12.toml"
    service.handle(RestRelearned("Staff at bed"))
    assert not service.profile_path.exists()


def test_a_profile_that_cannot_be_written_is_said_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = _service_with_saved(tmp_path, CALIBRATED)
    seen: list[object] = []
    service.listeners.append(seen.append)

    def full_disk(profile: GestureProfile, path: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("beckon.bedside.service.save_profile", full_disk)
    service.handle(RestRelearned("Staff at bed"))

    faults = [e for e in seen if isinstance(e, ev.Fault)]
    assert len(faults) == 1 and "Patient repositioned" in faults[0].detail
    assert not service.profile.calibration.has_neutral  # this run relearns anyway
    assert load_profile(service.profile_path).calibration.has_neutral  # nothing half-written


def test_a_profile_that_cannot_be_read_is_not_written_over(tmp_path: Path) -> None:
    """An edit of IT's that broke the file, or a file half copied, is theirs to mend: the
    relearn holds for this run and the screen says the rest was not saved."""
    service = _service_with_saved(tmp_path, CALIBRATED)
    broken = "[calibration\nneutral_rotation = ["
    service.profile_path.write_text(broken, encoding="utf-8")
    seen: list[object] = []
    service.listeners.append(seen.append)

    service.handle(RestRelearned("Staff at bed"))

    assert service.profile_path.read_text(encoding="utf-8") == broken
    faults = [e.detail for e in seen if isinstance(e, ev.Fault)]
    assert len(faults) == 1 and "cannot be read" in faults[0]
    assert not service.profile.calibration.has_neutral


def test_a_linked_profile_stays_a_link_and_keeps_its_permissions(tmp_path: Path) -> None:
    """A bed whose profile links to a file kept elsewhere keeps following it."""
    shared = tmp_path / "shared" / "patient.toml"
    save_profile(CALIBRATED, shared)
    shared.chmod(0o640)
    service = _service_with_saved(tmp_path, GestureProfile())
    service.profile_path.unlink()
    service.profile_path.symlink_to(shared)

    service.handle(RestRelearned("Staff at bed"))

    assert service.profile_path.is_symlink()
    assert not load_profile(shared).calibration.has_neutral
    assert shared.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in shared.parent.iterdir()) == ["patient.toml"]  # no temp left
