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


def restarts(name: str, status: int) -> bool:
    """Whether systemd starts the unit ``name`` again after its main process exits with
    ``status``, as its unit file says: ``Restart=always`` restarts every exit except those
    listed in ``RestartPreventExitStatus``."""
    unit = systemd_unit(name)
    assert unit["Restart"] == ["always"], f"{name}: Restart={unit['Restart']}"
    prevented = {int(v) for line in unit.get("RestartPreventExitStatus", []) for v in line.split()}
    return status not in prevented


def start_timeout_s(name: str) -> float:
    """The unit's ``TimeoutStartSec`` in seconds (systemd's default, 90 s, when unset): how long
    it may take to say READY=1 before systemd kills it."""
    (value,) = systemd_unit(name).get("TimeoutStartSec", ["90"])
    return float(value.removesuffix("s"))
