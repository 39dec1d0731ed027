"""The systemd units run the documented commands with the documented hardening."""

from __future__ import annotations

import pytest

from tests.helpers.deploy import (
    DEPLOY,
)

# ---------------------------------------------------------------- systemd units


def _unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


@pytest.mark.parametrize("role", ["station", "bedside"])
def test_systemd_units_run_the_documented_command(role: str) -> None:
    unit = _unit(f"beckon-{role}.service")
    assert unit["User"] == ["beckon"]
    assert unit["Restart"] == ["always"]
    (exec_start,) = unit["ExecStart"]
    assert exec_start.endswith(f" {role} --headless --config /etc/beckon/{role}.toml")
    assert unit["Environment"].count("BECKON_HOME=/var/lib/beckon") == 1
    assert unit["StateDirectory"] == ["beckon"]
    assert unit["NoNewPrivileges"] == ["yes"]
    assert unit["ProtectSystem"] == ["strict"]


def test_bedside_unit_hardening_leaves_the_camera_reachable() -> None:
    unit = _unit("beckon-bedside.service")
    # PrivateDevices=yes would give the service a /dev without /dev/video*.
    assert unit.get("PrivateDevices", ["no"]) == ["no"]
    assert "char-video4linux rw" in unit["DeviceAllow"]
    assert "video" in unit["SupplementaryGroups"][0].split()
