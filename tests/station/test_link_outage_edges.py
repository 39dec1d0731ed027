"""The edges of the one "STATION NOT SERVING" rule for a unit whose broker link is down: an
outage shorter than PRESENCE_FRESH_S is not said (not even at the link's return), and a link
lost during the station's very first check, before anything was served, is said like any
other link down.

Review rev49s found both: a served link back after a 7-15 s blip paged IT at its recovery with
"re-checking for a twin ... back after being down" (its return check counted from the loss),
and a link dropped during the first check and kept down got no line at all while the status
named it down (a broker restarting as the station boots).

The real StationService on its own thread, its links behind ``ClientCutProxy`` in front of a
real Mosquitto. Its threshold (``station.not_serving_after_s``) is SAID_AFTER_S and paho's
back-off capped at 1 s (``broker.reconnect_max_s``), so a cut link is back within a second of
its restore; tests/station/test_links_down_said.py keeps the real PRESENCE_FRESH_S."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.station.service import StationService
from tests.helpers.client_cut import ClientCutProxy
from tests.helpers.polling import wait_until

SITE = "gh"
ICU = f"beckon-station.{SITE}.desk.icu"
SAID_AFTER_S = 3.0
"""The station's ``not_serving_after_s`` here: PRESENCE_FRESH_S (15 s) in service."""


@contextmanager
def running_desk(
    mosquitto: Any, tmp_path: Path, units: tuple[str, ...]
) -> Iterator[tuple[StationService, ClientCutProxy]]:
    proxy = ClientCutProxy(mosquitto.port).start()
    station = StationConfig(
        SITE,
        units,
        name="desk",
        database=str(tmp_path / "desk.sqlite3"),
        not_serving_after_s=SAID_AFTER_S,
    )
    broker = BrokerConfig(url=f"mqtt://127.0.0.1:{proxy.port}", keepalive=5, reconnect_max_s=1)
    service = StationService(StationSettings(station, broker))
    stop = threading.Event()
    runner = threading.Thread(target=service.run, args=(stop,), daemon=True)
    runner.start()
    try:
        yield service, proxy
    finally:
        stop.set()
        runner.join(15)
        proxy.stop()


def critical_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.CRITICAL]


def critical_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in critical_records(caplog)]


def said_for_s(line: str) -> int:
    """The outage's length a "STATION NOT SERVING: unit icu for N s" line gives."""
    found = re.match(r"STATION NOT SERVING: unit \S+ for (\d+) s", line)
    assert found, line
    return int(found.group(1))


@pytest.mark.mqtt
def test_a_served_link_back_within_presence_fresh_is_not_said(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """icu's link, serving, is cut for 1 s: paho's retry brings it back under SAID_AFTER_S
    after the loss, and its return check (PROBE_S after its SUBACK) ends past it. Its tablets
    never said "no station" for long, so no CRITICAL line, neither while down nor at its
    return. Before: one, before "serving again", saying it was re-checking for a twin (its
    return check counted from the loss; in service a 7-15 s blip, paho retrying 1, 3, 7, 15 s
    after it)."""
    with (
        caplog.at_level(logging.INFO, logger="beckon.station.service"),
        running_desk(mosquitto, tmp_path, ("icu", "ward")) as (service, proxy),
    ):
        assert wait_until(lambda: service.units_serving == ["icu", "ward"], 20)
        proxy.cut_client(ICU)
        assert wait_until(lambda: service.units_down == ["icu"], 10)
        assert not wait_until(lambda: not service.units_down, 1)  # still down 1 s on
        proxy.restore_client(ICU)
        assert wait_until(lambda: service.units_serving == ["icu", "ward"], 30)
        assert wait_until(lambda: service.links["icu"].connected and not service.calls_held, 5)
    assert critical_lines(caplog) == []


@pytest.mark.mqtt
def test_a_link_lost_in_the_first_check_and_kept_down_is_said_once(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """icu's link connects and is cut at once, inside the station's first check (nothing served
    yet), and kept cut: one CRITICAL line about SAID_AFTER_S later, while it is down, saying
    it was not served since the station started; its first serving ends it. Before: none,
    while the status named icu down throughout."""
    with (
        caplog.at_level(logging.INFO, logger="beckon.station.service"),
        running_desk(mosquitto, tmp_path, ("icu",)) as (service, proxy),
    ):
        assert wait_until(lambda: "icu" in service.links and service.links["icu"].connected, 20)
        proxy.cut_client(ICU)
        assert wait_until(lambda: critical_lines(caplog), SAID_AFTER_S + 5)
        assert service.units_down == ["icu"]  # said while it is down
        [line] = critical_lines(caplog)
        assert said_for_s(line) >= SAID_AFTER_S, line
        assert "not served since the station started" in line, line
        proxy.restore_client(ICU)
        assert wait_until(lambda: service.units_serving == ["icu"], 30)
        assert "STATION SERVING: unit icu, first served" in caplog.text
    assert len(critical_lines(caplog)) == 1, critical_lines(caplog)


@pytest.mark.mqtt
def test_a_link_back_from_a_blip_and_lost_again_at_once_is_said_from_its_first_loss(
    mosquitto: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """icu's link, serving, is cut briefly, comes back, and is cut again inside its return
    check (a flaky network, a broker in a crash loop), then kept cut. Its units have been
    unserved since the FIRST cut, and its tablets said "no station" from then on: the one
    CRITICAL line comes SAID_AFTER_S after that cut and names the whole outage. Before
    (review rev49s2, in service): 15 s after the return instead ("for 15 s" at 31.9 s of an
    outage begun at 1.9 s), the return check having dropped the time of the loss."""
    with (
        caplog.at_level(logging.INFO, logger="beckon.station.service"),
        running_desk(mosquitto, tmp_path, ("icu", "ward")) as (service, proxy),
    ):
        assert wait_until(lambda: service.units_serving == ["icu", "ward"], 20)
        said_before = len(critical_lines(caplog))
        proxy.cut_client(ICU)
        first_cut = time.time()
        assert wait_until(lambda: service.units_down == ["icu"], 10)
        assert not wait_until(lambda: not service.units_down, SAID_AFTER_S / 2)
        proxy.restore_client(ICU)
        assert wait_until(lambda: service.links["icu"].connected, SAID_AFTER_S)
        proxy.cut_client(ICU)  # inside its return check: not served again
        assert "icu" not in service.units_serving
        assert wait_until(lambda: len(critical_lines(caplog)) > said_before, SAID_AFTER_S + 5)
        [record] = critical_records(caplog)[said_before:]
        line = record.getMessage()
        said_after = record.created - first_cut
        assert "unit icu " in line, line
        assert said_after <= SAID_AFTER_S + 1.5, (said_after, line)  # before: after the return
        assert said_for_s(line) >= round(said_after) - 1, (said_after, line)  # the whole outage
        proxy.restore_client(ICU)
        assert wait_until(lambda: service.units_serving == ["icu", "ward"], 15)
    assert len(critical_lines(caplog)) == said_before + 1, critical_lines(caplog)
