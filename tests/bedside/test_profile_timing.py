"""Staff's scan timing is written into the patient's profile without erasing what the
calibration wizard saved there since the bedside started."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from beckon.bedside.service import BedsideService, SetTiming
from beckon.config import load_bedside
from beckon.profile import Calibration, GestureProfile, load_profile, save_profile


def test_a_scan_speed_change_keeps_a_calibration_saved_during_the_run(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    settings = load_bedside(None, {"bedside.site": "gh", "bedside.unit": "icu", "bedside.bed": "1"})
    bedside = BedsideService(settings)
    bedside.profile_path = path  # where the wizard saves for this bed
    assert not bedside.profile.calibration.has_neutral
    # The wizard, in the window, while the service runs:
    calibrated = replace(
        GestureProfile(),
        calibration=Calibration(
            neutral_rotation=(1, 0, 0, 0, 1, 0, 0, 0, 1), noise=(0.4, 0.5, 0.3)
        ),
    )
    save_profile(calibrated, path)

    bedside.handle(SetTiming(6.0, 2.0))

    kept = load_profile(path)
    # the wizard's calibration is used from the next start, not taken up by this run
    assert not bedside.profile.calibration.has_neutral
    assert kept.calibration.has_neutral and kept.calibration.noise == (0.4, 0.5, 0.3)
    assert kept.interaction.offer_seconds == 6.0 and kept.interaction.pause_after_select_s == 2.0
