"""The systemd units run the documented commands with the documented hardening."""

from __future__ import annotations

import pytest

from tests.helpers.systemd import kiosk_command, systemd_unit

# ---------------------------------------------------------------- systemd units


@pytest.mark.parametrize("role,name", [("station", "station"), ("bedside", "bedside-headless")])
def test_systemd_units_run_the_documented_command(role: str, name: str) -> None:
    unit = systemd_unit(f"beckon-{name}.service")
    assert unit["User"] == ["beckon"]
    assert unit["Restart"] == ["always"]
    (exec_start,) = unit["ExecStart"]
    assert exec_start.endswith(f" {role} --headless --config /etc/beckon/{role}.toml")
    assert unit["Environment"].count("BECKON_HOME=/var/lib/beckon") == 1
    assert unit["StateDirectory"] == ["beckon"]
    assert unit["NoNewPrivileges"] == ["yes"]
    assert unit["ProtectSystem"] == ["strict"]


@pytest.mark.parametrize("name", ["bedside", "bedside-headless"])
def test_bedside_unit_hardening_leaves_the_camera_reachable(name: str) -> None:
    unit = systemd_unit(f"beckon-{name}.service")
    # PrivateDevices=yes would give the service a /dev without /dev/video*.
    assert unit.get("PrivateDevices", ["no"]) == ["no"]
    assert "char-video4linux rw" in unit["DeviceAllow"]
    assert "video" in unit["SupplementaryGroups"][0].split()


def test_the_bedside_unit_is_a_kiosk_showing_the_window() -> None:
    """Issue 12, point 1: the documented bedside unit ran --headless: no menu, no prompt."""
    unit = systemd_unit("beckon-bedside.service")
    command = kiosk_command()
    assert command[0] == "/usr/bin/cage" and "-s" not in command  # no VT switching
    window = command[command.index("--") + 1 :]
    assert window == [
        "/opt/beckon/venv/bin/beckon",
        "bedside",
        "--kiosk",  # full screen, and only staff (or SIGTERM) can close it
        "--config",
        "/etc/beckon/bedside.toml",
    ]
    assert "--headless" not in command
    assert unit["User"] == ["beckon"] and unit["Restart"] == ["always"]
    assert unit["RestartPreventExitStatus"] == ["78"]
    assert unit["TTYPath"] == ["/dev/tty1"] and unit["PAMName"] == ["cage"]
    assert "getty@tty1.service" in unit["Conflicts"][0]
    assert {"char-drm rw", "char-input rw"} <= set(unit["DeviceAllow"])
    assert "QT_QPA_PLATFORM=wayland" in unit["Environment"]


@pytest.mark.parametrize("name", ["station", "bedside", "bedside-headless"])
def test_every_unit_turns_onnx_runtime_telemetry_off(name: str) -> None:
    """Only intents leave the device: ONNX Runtime's own telemetry must not (docs/journal/voice.md,
    vseed)."""
    unit = systemd_unit(f"beckon-{name}.service")
    assert "ORT_DISABLE_TELEMETRY=1" in unit["Environment"]


def test_the_nurse_window_unit_runs_the_window_as_the_pcs_own_console_user() -> None:
    """A nurse's PC had no unit: the window was started by hand and stayed closed once closed.
    A user unit of the desktop session, restarted always, logs in with the PC's console.env
    (never the station service's user: the broker would throw one of them off)."""
    unit = systemd_unit("beckon-station-window.service")
    (exec_start,) = unit["ExecStart"]
    assert exec_start == "/opt/beckon/venv/bin/beckon station --config /etc/beckon/station.toml"
    assert unit["EnvironmentFile"] == ["/etc/beckon/console.env"]
    assert unit["Restart"] == ["always"] and unit["RestartPreventExitStatus"] == ["78"]
    assert unit["WantedBy"] == ["graphical-session.target"]
    assert "User" not in unit  # the desktop session's own user: a window needs its display
