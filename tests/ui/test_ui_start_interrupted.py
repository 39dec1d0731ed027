"""SIGTERM while ``beckon bedside`` / ``beckon station --serve`` is still building its windows
ends the process cleanly, as one during the event loop does.

Why: the commands installed their SIGINT/SIGTERM handlers only when Qt's loop was about to
run. A SIGTERM during the build (systemd stopping a kiosk that is still starting, a CI
timeout) killed the process with exit -15: the service, MQTT and window threads already
started were never stopped, the broker published the last will instead of the clean
"offline", and the journal did not say why.

Each test runs the real command on a real Mosquitto, held in its build by
tests/helpers/paused_start.py after the first window and its threads have started (the bed
or station is online by then), sends SIGTERM there, lets the build go on, and checks: exit 0,
the "start interrupted" line, no thread left and no traceback, and a clean offline on the
broker (stamped after the last online, which the last will, written at connect, is not).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from beckon.messaging import protocol as p
from tests.conftest import Mosquitto
from tests.helpers.headless import touch_bedside_config
from tests.helpers.paused_start import THREADS_LEFT, terminate_while_held
from tests.helpers.presence import Presence, presence_watchers
from tests.helpers.rig import wait_until

REPO = Path(__file__).resolve().parents[2]
SITE, UNITS, BED = "gh", ("icu", "er"), "12"
WAIT_S = 60.0  # a loaded CI machine starts Qt, MediaPipe-free, well within this


@pytest.fixture
def presence_on(mosquitto: Mosquitto) -> Iterator[Callable[[str], Presence]]:
    with presence_watchers(mosquitto.port) as watch:
        yield watch


@dataclass
class Command:
    name: str
    args: list[str]
    topic: str
    who: tuple[str, ...]


def bedside(broker: Mosquitto, folder: Path) -> Command:
    config = touch_bedside_config(folder, SITE, UNITS[0], BED, broker.url)
    args = ["bedside", "--config", str(config), "--windowed", "--no-speech"]
    return Command("bedside", args, p.BedAddress(SITE, UNITS[0], BED).topic("status"), (BED,))


def station(broker: Mosquitto, folder: Path) -> Command:
    args = ["station", "--serve", "--broker", broker.url, "--site", SITE,
            "--units", ",".join(UNITS), "--windowed", "--no-sound"]  # fmt: skip
    return Command("station", args, p.Topics.station_status(SITE, "+", "+"), UNITS)


@pytest.mark.mqtt
@pytest.mark.parametrize("command", [bedside, station], ids=["bedside", "station"])
def test_sigterm_during_the_window_build_stops_everything_it_started(
    command: Callable[[Mosquitto, Path], Command],
    mosquitto: Mosquitto,
    presence_on: Callable[[str], Presence],
    tmp_path: Path,
) -> None:
    cmd = command(mosquitto, tmp_path)
    presence = presence_on(cmd.topic)
    release = tmp_path / "release"
    log = tmp_path / f"{cmd.name}.log"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONFAULTHANDLER": "1",
        "BECKON_HOME": str(tmp_path / "home"),
        "BECKON_STATION_DATABASE": str(tmp_path / "station.sqlite3"),
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.paused_start", str(release), *cmd.args],
            env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    # Held in the build, with the first window's threads (and the service) running.
    text = terminate_while_held(
        proc, release, log, lambda: all(presence.online(who) for who in cmd.who), WAIT_S
    )
    assert "start interrupted by SIGTERM" in text, text
    assert f"{THREADS_LEFT} []" in text, text
    assert "Traceback" not in text, text
    assert wait_until(lambda: all(presence.offline_cleanly(who) for who in cmd.who)), (
        f"not all of {cmd.who} said offline cleanly: {presence.seen}\n{text}"
    )
