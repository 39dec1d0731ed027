"""Bed health at the station (issue 12): the bed board shows each bed's tablet, camera, face,
microphone, speech recogniser, outbox backlog and software version, through a real Mosquitto,
a real station service, real bedside services and the real station window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from beckon import __version__
from beckon.background import Background
from beckon.bedside.host import BedsideHost, MicSpec
from beckon.bedside.service import Submit
from beckon.voice.audio import write_wav
from beckon.voice.vad import SAMPLE_RATE

pytestmark = pytest.mark.mqtt
WAIT_MS = 20_000
COLUMNS = ("tablet", "camera", "face", "mic", "voice", "backlog", "version")


def cells(qtbot: Any, station: Any, bed: str) -> dict[str, str]:
    """What each cell of a bed's row says on screen (its value; the cell reads "Speech:
    vosk:ko"), once the rebuilt row is shown."""
    shown = station.board_cells(bed)
    qtbot.waitUntil(lambda: all(cell.isVisible() for cell in shown), timeout=5_000)
    for cell in shown:
        assert cell.isVisible() and cell.text().endswith(": " + cell.property("value"))
    return dict(zip(COLUMNS, (c.property("value") for c in shown), strict=True))


def row(station: Any, bed: str) -> Any:
    return next((r for r in station.board if r.bed == bed), None)


def test_the_bed_board_shows_the_version_and_a_backlog_that_does_not_clear(
    qtbot: Any, rig: Any, open_bedside: Any, open_station: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from beckon.messaging import protocol

    monkeypatch.setattr(protocol, "BACKLOG_STUCK_S", 3)  # the rule the bed board uses
    station_bg = Background(rig.station().run, "station").start()
    try:
        station = open_station()
        bedside = open_bedside()
        station.tabs.setCurrentIndex(2)  # Beds
        qtbot.waitUntil(lambda: row(station, "12") is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: row(station, "12").backlog == ("ok", "ok"), timeout=WAIT_MS)
        shown = cells(qtbot, station, "12")
        assert shown["tablet"] == "online" and shown["backlog"] == "OK"
        assert shown["version"] == __version__
        assert shown["voice"] == "off"  # this bed has no voice input
        assert station.fault_lines == []

        # The station service stops: the patient's request waits in the bed's outbox.
        station_bg.stop()
        bedside.service.post(Submit("water", "touch"))
        qtbot.waitUntil(lambda: row(station, "12").backlog[1] == "sending", timeout=WAIT_MS)
        assert cells(qtbot, station, "12")["backlog"] == "1 sending"
        # Still there after the warning time (the bed's heartbeat says how long): a fault.
        qtbot.waitUntil(lambda: row(station, "12").backlog == ("bad", "stuck"), timeout=WAIT_MS)
        assert cells(qtbot, station, "12")["backlog"].startswith("1 NOT ARRIVING (0:")
        assert station.board_cells("12")[5].property("state") == "bad"
        assert any(
            "Bed 12: calls from this bed are not reaching the station" in line
            for line in station.fault_lines
        )

        # A station service again: the receipt empties the outbox and the fault goes.
        station_bg = Background(rig.station().run, "station").start()
        qtbot.waitUntil(lambda: row(station, "12").backlog == ("ok", "ok"), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: station.fault_lines == [], timeout=WAIT_MS)
    finally:
        station_bg.stop()


def test_the_bed_board_shows_which_speech_recogniser_a_bed_runs(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    open_station: Any,
    installed_models: Path,
    tmp_path: Path,
) -> None:
    quiet = tmp_path / "quiet.wav"
    write_wav(quiet, np.zeros(SAMPLE_RATE * 120, np.int16))  # a quiet room, for two minutes
    service = rig.bedside("7", {"bedside.language": "ko", "bedside.inputs": ["voice", "touch"]})
    host = BedsideHost(service, None, MicSpec("ko", quiet, realtime=True))
    station = open_station()
    station.tabs.setCurrentIndex(2)  # Beds
    host.start()
    try:
        # The host reports the recogniser as the window's timer would, a few times a second.
        def listening() -> bool:
            host.supervise()
            return row(station, "7") is not None and row(station, "7").voice[1] == "vosk:ko"

        qtbot.waitUntil(listening, timeout=60_000)
        assert cells(qtbot, station, "7")["voice"] == "vosk:ko"
        assert row(station, "7").voice[0] == "ok"
        assert cells(qtbot, station, "7")["version"] == __version__
    finally:
        host.stop()
    # A bed that stops says so: the board greys the bed out instead of showing stale health.
    qtbot.waitUntil(lambda: row(station, "7").online is False, timeout=WAIT_MS)
    assert cells(qtbot, station, "7")["tablet"] == "OFFLINE"
