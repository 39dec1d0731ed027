"""The systemd units in deploy/systemd, read as the deployment tests need them."""

from __future__ import annotations

from tests.helpers.deploy import DEPLOY


def systemd_unit(name: str) -> dict[str, list[str]]:
    """Every ``Key=value`` of a unit file, values in order (keys may repeat)."""
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def kiosk_command() -> list[str]:
    """The bedside kiosk unit's command: cage, then the window command after ``--``."""
    (exec_start,) = systemd_unit("beckon-bedside.service")["ExecStart"]
    return exec_start.split()
