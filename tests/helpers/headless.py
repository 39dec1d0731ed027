"""Run the real `beckon bedside --headless ... --exit-when-done` process against a station
service on a real broker, and return what the station received."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from beckon.background import Background
from beckon.station.events import RequestChanged, StationEvent
from tests.helpers.rig import station_for

REPO = Path(__file__).resolve().parents[2]


def run_headless_bedside(
    url: str, tmp_path: Path, config: Path, *args: str, timeout: float = 240
) -> list[tuple[str, str, str]]:
    """(change, bed, intent) for every change the station saw while the bedside ran with
    ``--config config`` and ``args`` until its files ended and its outbox was empty."""
    station = station_for(url, tmp_path / "station.sqlite3")
    received: list[tuple[str, str, str]] = []
    got = threading.Event()

    def on_change(e: StationEvent) -> None:
        if isinstance(e, RequestChanged):
            received.append((e.change, e.view.bed, e.view.intent))
            got.set()

    station.listeners.append(on_change)
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        command = ["bedside", "--headless", "--config", str(config), *args, "--exit-when-done"]
        result = subprocess.run(
            [sys.executable, "-m", "beckon", *command],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert got.wait(10), result.stderr[-3000:]
    return received


def touch_bedside_config(folder: Path, site: str, unit: str, bed: str, broker_url: str) -> Path:
    """``folder/bedside.toml`` for a bed with touch only (no camera, no microphone: the tests
    that use it are about the service, its start and its stop) and its outbox in ``folder``."""
    config = folder / "bedside.toml"
    config.write_text(
        f'[bedside]\nsite = "{site}"\nunit = "{unit}"\nbed = "{bed}"\ninputs = ["touch"]\n'
        f'outbox = "{folder / "outbox.sqlite3"}"\n[broker]\nurl = "{broker_url}"\n',
        encoding="utf-8",
    )
    return config
