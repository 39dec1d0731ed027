"""The headless services' shutdown gives way and never hangs (``beckon bedside --headless``,
``beckon station --headless``, as the units beckon-bedside-headless and beckon-station run them).

Why:

* a second SIGTERM or Ctrl-C while their clean shutdown hung (a broker that does not answer, a
  stuck thread) did nothing: the first one's handler set an Event already set, and only
  systemd's SIGKILL ended the process. The window commands already gave way to a second signal
  (beckon.stop_signals); now the headless ones do too, saying so in the journal;
* paho's ``loop_stop()`` joins its network thread with no timeout: a headless station whose
  network thread was held hung in its stop for good, and a bedside's service thread past the
  10 s its caller waits (beckon.messaging.mqtt.stop_network).

Each test runs the real command on a real Mosquitto with one step of its shutdown held for good
(tests/helpers/held_shutdown.py). One more pins down a decision: a SIGTERM before the command
builds anything is not caught (docs/deployment.md, "Stopping a service").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from beckon.instance import holder
from beckon.messaging import protocol as p
from beckon.messaging.outbox import open_outbox
from tests.conftest import Mosquitto
from tests.helpers.headless import touch_bedside_config
from tests.helpers.held_shutdown import HELD
from tests.helpers.presence import Presence, presence_watchers
from tests.helpers.rig import wait_until

REPO = Path(__file__).resolve().parents[1]
SITE, UNIT, BED = "gh", "icu", "12"
START_S = 60.0
GIVE_WAY_S = 10.0
"""How long a second signal may take to end the process: "at once", with room for a loaded CI."""
CUT_SHORT = "during the shutdown: clean shutdown cut short"


@pytest.fixture
def presence_on(mosquitto: Mosquitto) -> Iterator[Callable[[str], Presence]]:
    with presence_watchers(mosquitto.port) as watch:
        yield watch


class Held:
    """A ``beckon`` process whose shutdown hangs at ``point``, logging to a file."""

    def __init__(
        self, point: str, args: list[str], tmp_path: Path, sigint: Any = signal.SIG_DFL
    ) -> None:
        self.log = tmp_path / "beckon.log"
        env = {
            **os.environ,
            "PYTHONFAULTHANDLER": "1",
            "BECKON_HOME": str(tmp_path / "home"),
            "BECKON_STATION_DATABASE": str(tmp_path / "station.sqlite3"),
        }
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.helpers.held_shutdown", point, *args],
                env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                # SIGINT as a terminal gives it (default: Python's Ctrl-C handler), or
                # ignored as a shell's background job inherits it, whatever the test runner's
                preexec_fn=lambda: signal.signal(signal.SIGINT, sigint),
            )  # fmt: skip

    @property
    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, check: Callable[[], bool], what: str) -> None:
        assert wait_until(lambda: check() or self.proc.poll() is not None, START_S), (
            f"never {what}:\n{self.text}"
        )
        assert self.proc.poll() is None, f"exited before {what}:\n{self.text}"

    def exit_status(self, within_s: float) -> int:
        """The status it exits with within ``within_s`` (the test fails if it does not)."""
        try:
            return self.proc.wait(within_s)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {within_s:g} s later:\n{self.text}")

    def end(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Callable[..., Held]]:
    started: list[Held] = []

    def start(point: str, args: list[str], sigint: Any = signal.SIG_DFL) -> Held:
        started.append(Held(point, args, tmp_path, sigint))
        return started[-1]

    yield start
    for process in started:
        process.end()


def bedside_config(tmp_path: Path, mosquitto: Mosquitto) -> Path:
    return touch_bedside_config(tmp_path, SITE, UNIT, BED, mosquitto.url)


STATION_ARGS = ["station", "--headless", "--site", SITE, "--units", UNIT]


@pytest.mark.mqtt
def test_a_second_sigterm_ends_a_headless_bedside_whose_shutdown_hangs(
    mosquitto: Mosquitto,
    presence_on: Callable[[str], Presence],
    held: Callable[[str, list[str]], Held],
    tmp_path: Path,
) -> None:
    presence = presence_on(p.BedAddress(SITE, UNIT, BED).topic("status"))
    config = bedside_config(tmp_path, mosquitto)
    bedside = held("service", ["bedside", "--headless", "--config", str(config)])
    bedside.wait_for(lambda: presence.online(BED), "online")
    bedside.proc.send_signal(signal.SIGTERM)  # systemctl stop
    bedside.wait_for(lambda: f"{HELD} service" in bedside.text, "into its shutdown")
    bedside.proc.send_signal(signal.SIGTERM)  # systemctl stop again, or kill
    status = bedside.exit_status(GIVE_WAY_S)
    assert status == -signal.SIGTERM, bedside.text  # as if nobody had caught it
    text = bedside.text
    assert text.count("signal 15: stopping") == 1, text
    assert f"SIGTERM {CUT_SHORT}" in text, text


@pytest.mark.mqtt
@pytest.mark.parametrize(
    "sigint", [signal.SIG_DFL, signal.SIG_IGN], ids=["from-a-terminal", "started-in-background"]
)
def test_a_second_ctrl_c_ends_a_headless_station_whose_shutdown_hangs(
    mosquitto: Mosquitto, held: Callable[..., Held], sigint: Any
) -> None:
    """Started in the background by a shell, the process inherits SIGINT ignored: the first
    SIGINT still stops it cleanly, and the second must still end it (it did nothing)."""
    station = held("service", [*STATION_ARGS, "--broker", mosquitto.url], sigint)
    station.wait_for(lambda: "connected to" in station.text, "connected")
    station.proc.send_signal(signal.SIGINT)
    station.wait_for(lambda: f"{HELD} service" in station.text, "into its shutdown")
    station.proc.send_signal(signal.SIGINT)
    status = station.exit_status(GIVE_WAY_S)
    # Ended by the signal itself, not by a KeyboardInterrupt unwinding through the shutdown
    # that hangs: a shell shows 130 either way.
    assert status == -signal.SIGINT, station.text
    assert f"SIGINT {CUT_SHORT}" in station.text, station.text
    assert "Traceback" not in station.text, station.text


NETWORK_HELD_S = 20.0
"""The whole stop with paho's network thread held: 2 s for the broker to close, 3 s for the
thread, then the rest of the shutdown; well under systemd's TimeoutStopSec=20 on a quiet machine,
and never "forever"."""


@pytest.mark.mqtt
def test_a_headless_station_whose_mqtt_thread_is_held_stops_and_names_it(
    mosquitto: Mosquitto,
    presence_on: Callable[[str], Presence],
    held: Callable[[str, list[str]], Held],
) -> None:
    presence = presence_on(p.Topics.station_status(SITE, UNIT, "+"))
    station = held("network", [*STATION_ARGS, "--broker", mosquitto.url])
    station.wait_for(lambda: presence.online(UNIT), "online")
    began = time.monotonic()
    station.proc.send_signal(signal.SIGTERM)
    status = station.exit_status(NETWORK_HELD_S)
    text = station.text
    assert status == 0, text
    assert f"{HELD} network" in text, text  # the thread was held indeed
    assert "paho's network thread did not stop within 3 s" in text, text
    assert "paho-mqtt-client-" in text and "never_returns" in text, text  # which, and where
    assert time.monotonic() - began < NETWORK_HELD_S
    # The station's own goodbye went out before the DISCONNECT that the thread was held after.
    assert wait_until(lambda: presence.offline_cleanly(UNIT)), presence.seen


@pytest.mark.mqtt
def test_a_headless_bedside_whose_mqtt_thread_is_held_keeps_its_waiting_request(
    mosquitto: Mosquitto,
    presence_on: Callable[[str], Presence],
    held: Callable[[str, list[str]], Held],
    tmp_path: Path,
) -> None:
    """No station runs: the request waits in the outbox, and is still there after a stop
    that gave up on paho's thread (sent again at the next start)."""
    presence = presence_on(p.BedAddress(SITE, UNIT, BED).topic("status"))
    config = bedside_config(tmp_path, mosquitto)
    request = p.Request(
        str(uuid.uuid4()), SITE, UNIT, BED, "water", "routine", "touch", p.now_iso()
    )
    outbox = open_outbox(tmp_path / "outbox.sqlite3")
    outbox.add(f"request:{request.id}", request.address.topic("request"), p.encode(request))
    outbox.close()
    bedside = held("network", ["bedside", "--headless", "--config", str(config)])
    bedside.wait_for(lambda: presence.online(BED), "online")
    bedside.proc.send_signal(signal.SIGTERM)
    status = bedside.exit_status(NETWORK_HELD_S)
    text = bedside.text
    assert status == 0, text
    assert "paho's network thread did not stop within 3 s" in text, text
    # Its service thread ended (and closed the outbox) within the 10 s its caller waits.
    assert "did not stop within 10 s" not in text, text
    outbox = open_outbox(tmp_path / "outbox.sqlite3")
    try:
        assert [e.key for e in outbox.pending()] == [f"request:{request.id}"]
    finally:
        outbox.close()


def test_a_sigterm_before_anything_is_built_ends_the_bedside_by_the_signal_losing_nothing(
    mosquitto: Mosquitto, held: Callable[[str, list[str]], Held], tmp_path: Path
) -> None:
    """Held after the configuration is read and the outbox's lock taken, before the handlers
    go in: the default action ends the process (status -15, as systemd expects of SIGTERM).
    Nothing was open to lose: no outbox yet, and the lock goes with the process."""
    config = bedside_config(tmp_path, mosquitto)
    outbox = tmp_path / "outbox.sqlite3"
    bedside = held("unbuilt", ["bedside", "--headless", "--config", str(config)])
    bedside.wait_for(lambda: f"{HELD} unbuilt" in bedside.text, "held before its build")
    assert holder(outbox) is not None  # the lock was taken
    bedside.proc.send_signal(signal.SIGTERM)
    assert bedside.exit_status(GIVE_WAY_S) == -signal.SIGTERM, bedside.text
    assert holder(outbox) is None  # the next start is not refused
    assert not outbox.exists()
