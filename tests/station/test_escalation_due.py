"""The station's escalation check reads only the calls that are due, and its deadlines come
back from the store after a restart. The first test drives a StationService without a broker
(publishing goes nowhere; only what it asks the store is under test); the second runs a real
`beckon station --headless` process against a real Mosquitto, a real SQLite file written
beforehand, and a real HTTP server standing in for the pager."""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from beckon.config import EscalationConfig, StationConfig, StationSettings
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Message
from beckon.station.service import StationService
from beckon.station.store import RequestStore
from tests.helpers.faults import start_station


class CountingStore(RequestStore):
    """The real SQLite store, counting the reads the escalation check could make."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.read: set[str] = set()
        self.full_reads = 0

    def get(self, request_id: str) -> p.RequestView | None:
        self.read.add(request_id)
        return super().get(request_id)

    def open_requests(self, site: str | None = None, unit: str | None = None) -> list[Any]:
        self.full_reads += 1
        return super().open_requests(site, unit)


def test_the_check_reads_only_the_calls_whose_escalation_is_due() -> None:
    folder = Path(tempfile.mkdtemp(prefix="beckon-esc-"))
    rules = EscalationConfig(routine_s=300, urgent_s=120, emergency_s=30)
    station = StationConfig("gh", ("icu",), database=str(folder / "s.db"))
    service = StationService(StationSettings(station, escalation=rules))
    store = CountingStore(folder / "s.db")
    service._store = store
    service._open = {"icu": {}}
    emergencies = set()
    for n in range(200):
        intent = "emergency" if n % 20 == 0 else "water"
        bed = str(n + 1)
        at = p.now_iso()
        req = p.Request(p.new_request_id(), "gh", "icu", bed, intent, "routine", "touch", at)
        service.handle(Message(req.address.topic("request"), p.encode(req)))
        if n % 20 == 0:
            emergencies.add(req.id)
    assert len(store.open_requests("gh", "icu")) == 200
    store.read, store.full_reads = set(), 0

    now = datetime.now(UTC)
    service.check_escalations(now + timedelta(seconds=5))  # nothing due yet
    assert (store.read, store.full_reads) == (set(), 0)

    service.check_escalations(now + timedelta(seconds=31))  # the emergencies' first period
    assert store.full_reads == 0
    assert store.read == emergencies and len(emergencies) == 10
    escalated = {v.id for v in store.open_requests("gh", "icu") if v.escalation == 1}
    assert escalated == emergencies
    store.close()


@pytest.mark.mqtt
def test_calls_stored_before_a_restart_still_escalate_and_remind(
    mosquitto: Any,
    tmp_path: Path,
    pager: tuple[str, list[dict[str, Any]]],
) -> None:
    url, received = pager
    db = tmp_path / "s.sqlite3"
    store = RequestStore(db)
    waiting = p.Request(p.new_request_id(), "gh", "icu", "12", "nurse", "urgent", "gesture",
                        p.now_iso())  # fmt: skip
    accepted = p.Request(p.new_request_id(), "gh", "icu", "14", "water", "routine", "touch",
                         p.now_iso())  # fmt: skip
    store.receive_many([waiting, accepted])
    store.change(accepted.id, "acknowledged", by="nurse Ana")
    store.close()
    config = tmp_path / "station.toml"
    config.write_text(
        f'[station]\nsite = "gh"\nunits = ["icu"]\ndatabase = "{db}"\n'
        f'[broker]\nurl = "{mosquitto.url}"\n'
        f'[escalation]\nurgent_s = 1.0\nreminder_after_ack_s = 1.0\nhook_url = "{url}"\n'
    )
    station = start_station(config, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            tops = {r["body"]["request_id"]: r["body"]["level"] for r in received}
            if tops.get(waiting.id) == 3 and tops.get(accepted.id) == 3:
                break
            time.sleep(0.2)
        bodies = [r["body"] for r in received]
        reasons = {b["request_id"]: b["reason"] for b in bodies}
        assert reasons == {
            waiting.id: "not acknowledged",
            accepted.id: "acknowledged but not resolved",
        }, json.dumps(bodies)
        for request_id in (waiting.id, accepted.id):
            levels = [b["level"] for b in bodies if b["request_id"] == request_id]
            assert levels == sorted(set(levels)) and levels[-1] == 3, levels
    finally:
        station.stop()
