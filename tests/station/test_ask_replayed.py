"""A nurse's question is asked once, and never long after it was meant.

A primary and a standby station share one PostgreSQL database and each keeps a persistent
broker session. The one that takes over handles the broker's backlog for it, and it asked
"Are you in pain?" again, minutes after the other had asked it, with a fresh time: the
patient answered a question nobody had asked again. A question's id is now its command's,
so the same command stores (and asks) one question; and a command older than a question's
own time to answer is dropped.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from beckon.background import Background
from beckon.messaging import protocol as p
from beckon.station.events import QuestionAsked
from beckon.station.store import RequestStore
from tests.helpers.rig import send_raw, station_for, wait_until


@pytest.mark.mqtt
def test_the_same_ask_twice_and_a_stale_one_ask_once(mosquitto: Any, tmp_path: Path) -> None:
    station = station_for(mosquitto.url, tmp_path / "s.sqlite3")
    asked: list[str] = []
    station.listeners.append(
        lambda e: asked.append(e.question.text) if isinstance(e, QuestionAsked) else None
    )
    command = p.Topics.unit("gh", "icu", "command")
    ask = p.AskCommand(p.new_request_id(), "12", "Are you in pain?", "Nurse Kim", p.now_iso())
    hours_ago = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    stale = p.AskCommand(p.new_request_id(), "12", "Are you cold?", "Nurse Lee", hours_ago)
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        for message in (ask, stale, ask):
            send_raw(mosquitto.port, command, p.encode(message))
        fresh = p.AskCommand(p.new_request_id(), "12", "Water?", "Nurse Kim", p.now_iso())
        send_raw(mosquitto.port, command, p.encode(fresh))
        assert wait_until(lambda: "Water?" in asked)  # every command before it was handled
        time.sleep(0.2)
    assert asked == ["Are you in pain?", "Water?"]
    stored = RequestStore(tmp_path / "s.sqlite3").questions("gh", "icu")
    assert sorted(q.id for q in stored) == sorted([ask.command_id, fresh.command_id])


@pytest.mark.mqtt
def test_a_live_ask_from_a_pc_whose_clock_is_slow_is_asked(mosquitto: Any, tmp_path: Path) -> None:
    """Only the broker's backlog (handled in the first BACKLOG_S after connecting) is judged by
    the command's own time: every question from a nurse PC three minutes slow was dropped."""
    from beckon.station.service import BACKLOG_S

    station = station_for(mosquitto.url, tmp_path / "s.sqlite3")
    asked: list[str] = []
    station.listeners.append(
        lambda e: asked.append(e.question.text) if isinstance(e, QuestionAsked) else None
    )
    slow_pc = (datetime.now(UTC) - timedelta(minutes=3)).isoformat()
    ask = p.AskCommand(p.new_request_id(), "12", "Are you in pain?", "Nurse Kim", slow_pc)
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        station._connected_at -= BACKLOG_S + 1  # live traffic, long after connecting
        send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(ask))
        assert wait_until(lambda: "Are you in pain?" in asked)
