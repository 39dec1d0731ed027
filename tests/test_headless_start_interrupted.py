"""SIGTERM while ``beckon bedside --headless`` / ``beckon station --headless`` is still
building its service ends the process cleanly, once the build returns, as the window commands
do (tests/ui/test_ui_start_interrupted.py).

Why: the headless services installed their SIGINT/SIGTERM handlers only after the service
(and for the bedside its MQTT link and workers) was built. A SIGTERM in between (systemd
stopping a unit that is still starting) killed the process with exit -15: no line in the
journal, and the bedside's threads never stopped, so the station heard the last will instead
of a clean "offline".

Each test runs the real command on a real Mosquitto, held in its start by
tests/helpers/paused_start.py (the bedside once its service and workers run and the bed is
online; the station once its service is built), sends SIGTERM there, lets the start go on and
checks: exit 0, one "start interrupted" line (not also the "signal 15: stopping" of a service
stopped later), no thread left and no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from beckon.messaging import protocol as p
from tests.conftest import Mosquitto
from tests.helpers.headless import touch_bedside_config
from tests.helpers.paused_start import THREADS_LEFT, terminate_while_held
from tests.helpers.presence import Presence, presence_watchers
from tests.helpers.rig import wait_until

REPO = Path(__file__).resolve().parents[1]
SITE, UNIT, BED = "gh", "icu", "12"
WAIT_S = 60.0


@pytest.fixture
def presence_on(mosquitto: Mosquitto) -> Iterator[Callable[[str], Presence]]:
    with presence_watchers(mosquitto.port) as watch:
        yield watch


def start_held(args: list[str], release: Path, log: Path, home: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONFAULTHANDLER": "1",
        "BECKON_HOME": str(home),
        "BECKON_STATION_DATABASE": str(home / "station.sqlite3"),
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.paused_start", str(release), *args],
            env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def assert_stopped_as_a_start(text: str) -> None:
    assert text.count("start interrupted by SIGTERM") == 1, text
    assert "signal 15: stopping" not in text, text
    assert f"{THREADS_LEFT} []" in text, text
    assert "Traceback" not in text, text


@pytest.mark.mqtt
def test_sigterm_while_the_headless_bedside_starts_stops_its_threads_and_says_offline(
    mosquitto: Mosquitto, presence_on: Callable[[str], Presence], tmp_path: Path
) -> None:
    presence = presence_on(p.BedAddress(SITE, UNIT, BED).topic("status"))
    config = touch_bedside_config(tmp_path, SITE, UNIT, BED, mosquitto.url)
    release, log = tmp_path / "release", tmp_path / "bedside.log"
    proc = start_held(
        ["bedside", "--headless", "--config", str(config)], release, log, tmp_path / "home"
    )
    # Held once the service thread runs: the bed is online.
    text = terminate_while_held(proc, release, log, lambda: presence.online(BED))
    assert_stopped_as_a_start(text)
    assert wait_until(lambda: presence.offline_cleanly(BED)), (
        f"the bed did not say offline cleanly: {presence.seen}\n{text}"
    )


@pytest.mark.mqtt
def test_sigterm_while_the_headless_station_starts_stops_before_it_serves(
    mosquitto: Mosquitto, presence_on: Callable[[str], Presence], tmp_path: Path
) -> None:
    presence = presence_on(p.Topics.station_status(SITE, UNIT, "+"))
    release, log = tmp_path / "release", tmp_path / "station.log"
    args = ["station", "--headless", "--broker", mosquitto.url, "--site", SITE, "--units", UNIT]
    proc = start_held(args, release, log, tmp_path / "home")
    text = terminate_while_held(proc, release, log, lambda: True)
    assert_stopped_as_a_start(text)
    assert "serving" in text, text  # held after the service was built, not before
    assert presence.seen == []  # stopped before it claimed the unit or went online
