"""The outbox keeps wall-clock send times (they survive a restart). A tablet clock set back an
hour made every last send look in the future, and nothing was sent again for an hour."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from beckon.config import BrokerConfig
from beckon.messaging.mqtt import MqttLink
from beckon.messaging.outbox import open_outbox
from tests.helpers.rig import bedside_for

pytestmark = pytest.mark.mqtt


def test_a_send_time_in_the_future_counts_as_due(mosquitto: Any, tmp_path: Path) -> None:
    bedside = bedside_for(mosquitto.url, tmp_path / "outbox.sqlite3")
    bedside.outbox = open_outbox(tmp_path / "outbox.sqlite3")
    link = MqttLink(BrokerConfig(url=mosquitto.url), "beckon-test-clock-back", [])
    assert link.start(wait_s=10)
    bedside.link = link
    try:
        outbox = bedside.outbox
        outbox.add("request:r1", "beckon/v1/gh/icu/bed/12/request", b"{}")
        outbox.mark_sent("request:r1")
        # The clock went back an hour since that send.
        outbox._db.execute("UPDATE outbox SET last_sent_at = ?", (time.time() + 3600,))
        bedside._flush(resend=True)
        assert [e.attempts for e in outbox.pending()] == [2]
        # A send that really was just now is not repeated at once.
        bedside._flush(resend=True)
        assert [e.attempts for e in outbox.pending()] == [2]
    finally:
        link.stop()
        bedside.outbox.close()
