"""The station's request store: a real SQLite file (WAL, synchronous=FULL).

A request is stored once however often it arrives, every change is an event with who and when,
and everything is still there after the file is closed and opened again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from beckon.config import EscalationConfig
from beckon.messaging.protocol import (
    BedAddress,
    Priority,
    Request,
    RequestView,
    StateChange,
    parse_iso,
)
from beckon.station.escalation import next_due
from beckon.station.lifecycle import LifecycleError
from beckon.station.store import RequestStore
from tests.helpers.durable import read_by_another

T0 = "2025-03-01T08:00:00.000Z"
T1 = "2025-03-01T08:00:01.000Z"
T2 = "2025-03-01T08:01:00.000Z"
T3 = "2025-03-01T08:02:00.000Z"

BED_12 = BedAddress("gh", "icu", "12")
BED_14 = BedAddress("gh", "icu", "14")


def rid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def a_request(
    n: int = 1,
    bed: BedAddress = BED_12,
    created_at: str = T0,
    intent: str = "water",
    priority: Priority = "routine",
) -> Request:
    return Request(
        id=rid(n),
        site=bed.site,
        unit=bed.unit,
        bed=bed.bed,
        intent=intent,
        priority=priority,
        source="gesture",
        created_at=created_at,
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "station.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[RequestStore]:
    s = RequestStore(db_path)
    yield s
    s.close()


def reopen(store: RequestStore) -> RequestStore:
    store.close()
    assert store.path is not None, "a SQLite store names its file"
    return RequestStore(store.path)


# ---------------------------------------------------------------- receiving


def test_a_received_request_is_stored_with_its_creation_and_arrival(store: RequestStore) -> None:
    view, new = store.receive(a_request(), at=T1)
    assert new is True
    assert view.state == "received"
    assert (view.created_at, view.updated_at) == (T0, T1)
    assert view.history == (StateChange("created", T0), StateChange("received", T1))
    assert store.get(rid(1)) == view


def test_a_request_received_twice_is_stored_once(store: RequestStore) -> None:
    first, _ = store.receive(a_request(), at=T1)
    again, new = store.receive(a_request(), at=T2)
    assert new is False
    assert again == first
    assert store.count() == 1
    assert store.events(rid(1)) == [("received", T1, None)]


def test_a_request_arriving_again_after_a_nurse_acted_is_not_reset(store: RequestStore) -> None:
    store.receive(a_request(), at=T1)
    store.change(rid(1), "acknowledged", "Nurse Kim", at=T2)
    again, new = store.receive(a_request(), at=T3)
    assert new is False
    assert again.state == "acknowledged"


def test_an_unknown_id_is_not_found(store: RequestStore) -> None:
    assert store.get(rid(99)) is None


# ---------------------------------------------------------------- changes


def test_each_change_is_an_event_with_who_and_when(store: RequestStore) -> None:
    store.receive(a_request(), at=T1)
    store.change(rid(1), "acknowledged", "Nurse Kim", at=T2)
    store.change(rid(1), "resolved", "Nurse Lee", at=T3)
    assert store.events(rid(1)) == [
        ("received", T1, None),
        ("acknowledged", T2, "Nurse Kim"),
        ("resolved", T3, "Nurse Lee"),
    ]


def test_a_change_is_stored_with_its_history(store: RequestStore) -> None:
    store.receive(a_request(), at=T1)
    changed = store.change(rid(1), "acknowledged", "Nurse Kim", at=T2)
    assert store.get(rid(1)) == changed
    assert changed.history[-1] == StateChange("acknowledged", T2, "Nurse Kim")
    assert changed.by == "Nurse Kim"


def test_a_change_to_an_unknown_request_is_a_key_error(store: RequestStore) -> None:
    with pytest.raises(KeyError):
        store.change(rid(99), "acknowledged", "Nurse Kim", at=T2)


def test_a_refused_change_leaves_the_request_and_its_events_alone(store: RequestStore) -> None:
    store.receive(a_request(), at=T1)
    resolved = store.change(rid(1), "resolved", "Nurse Kim", at=T2)
    with pytest.raises(LifecycleError):
        store.change(rid(1), "acknowledged", "Nurse Lee", at=T3)
    assert store.get(rid(1)) == resolved
    assert [e[0] for e in store.events(rid(1))] == ["received", "resolved"]


def test_a_change_without_a_time_is_stamped_now(store: RequestStore) -> None:
    store.receive(a_request(), at=T1)
    changed = store.change(rid(1), "acknowledged", "Nurse Kim")
    assert changed.updated_at > T1


def test_an_escalation_is_stored_and_recorded_as_an_event(store: RequestStore) -> None:
    store.receive(a_request(), at=T1)
    view = store.set_escalation(rid(1), 2, at=T3)
    assert view.escalation == 2
    assert store.get(rid(1)) == view
    assert store.events(rid(1))[-1] == ("escalated:2", T3, None)


# ---------------------------------------------------------------- queries


def test_for_bed_gives_open_requests_and_only_the_most_recently_closed(
    store: RequestStore,
) -> None:
    for n in range(1, 6):
        store.receive(a_request(n, created_at=f"2025-03-01T08:0{n}:00.000Z"), at=T1)
    store.change(rid(1), "resolved", "Nurse Kim", at="2025-03-01T09:00:00.000Z")
    store.change(rid(2), "cancelled", None, at="2025-03-01T09:05:00.000Z")
    store.change(rid(3), "resolved", "Nurse Kim", at="2025-03-01T09:10:00.000Z")
    store.change(rid(4), "acknowledged", "Nurse Kim", at="2025-03-01T09:15:00.000Z")
    store.receive(a_request(6, bed=BED_14), at=T1)

    shown = store.for_bed(BED_12, closed_limit=2)

    assert [v.id for v in shown] == [rid(2), rid(3), rid(4), rid(5)]  # in order of creation


def test_for_bed_with_no_closed_limit_shows_only_open_requests(store: RequestStore) -> None:
    store.receive(a_request(1), at=T1)
    store.receive(a_request(2), at=T1)
    store.change(rid(1), "resolved", "Nurse Kim", at=T2)
    assert [v.id for v in store.for_bed(BED_12, closed_limit=0)] == [rid(2)]


def test_for_bed_of_a_quiet_bed_is_empty(store: RequestStore) -> None:
    store.receive(a_request(1), at=T1)
    assert store.for_bed(BED_14) == []


def test_open_requests_of_a_unit_leave_out_closed_ones_and_other_units(
    store: RequestStore,
) -> None:
    ward = BedAddress("gh", "ward-3", "1")
    store.receive(a_request(1, created_at=T1), at=T1)
    store.receive(a_request(2, bed=BED_14, created_at=T0), at=T1)
    store.receive(a_request(3, bed=ward), at=T1)
    store.receive(a_request(4), at=T1)
    store.change(rid(4), "resolved", "Nurse Kim", at=T2)
    store.change(rid(1), "acknowledged", "Nurse Kim", at=T2)

    assert [v.id for v in store.open_requests("gh", "icu")] == [rid(2), rid(1)]
    assert [v.id for v in store.open_requests("gh", "ward-3")] == [rid(3)]
    assert {v.id for v in store.open_requests()} == {rid(1), rid(2), rid(3)}


def test_find_accepts_a_short_id_prefix(store: RequestStore) -> None:
    store.receive(a_request(0x1A), at=T1)
    store.receive(a_request(0x2B), at=T1)
    assert [v.id for v in store.find("0000002b")] == [rid(0x2B)]
    assert [v.id for v in store.find(rid(0x1A))] == [rid(0x1A)]
    assert store.find("ffff") == []
    assert len(store.find("0000")) == 2


def test_find_treats_wildcard_characters_literally(store: RequestStore) -> None:
    store.receive(a_request(0x1A), at=T1)
    store.receive(a_request(0x1B), at=T1)
    assert [v.id for v in store.find("0000001a")] == [rid(0x1A)]
    assert store.find("0000001a%") == []
    assert store.find("%") == []
    assert store.find("0000001_") == []
    assert store.find("") == []


# ---------------------------------------------------------------- bed presence


def test_bed_presence_reports_whether_it_changed(store: RequestStore) -> None:
    assert store.bed_online(BED_12) is None
    assert store.set_bed_online(BED_12, True, T0) is True  # first news of this bed
    assert store.set_bed_online(BED_12, True, T1) is False
    assert store.set_bed_online(BED_12, False, T2) is True
    assert store.bed_online(BED_12) is False


def test_offline_beds_are_listed_per_unit_in_order(store: RequestStore) -> None:
    store.set_bed_online(BED_14, False, T0)
    store.set_bed_online(BED_12, False, T0)
    store.set_bed_online(BedAddress("gh", "icu", "3"), True, T0)
    store.set_bed_online(BedAddress("gh", "ward-3", "1"), False, T0)
    assert store.offline_beds("gh", "icu") == ["12", "14"]


# ---------------------------------------------------------------- the file itself


def test_everything_survives_closing_and_reopening_the_file(store: RequestStore) -> None:
    store.receive(a_request(1), at=T1)
    store.receive(a_request(2, bed=BED_14), at=T1)
    acked = store.change(rid(1), "acknowledged", "Nurse Kim", at=T2)
    store.set_bed_online(BED_14, False, T3)

    again = reopen(store)
    try:
        assert again.count() == 2
        assert again.get(rid(1)) == acked
        assert again.events(rid(1)) == [("received", T1, None), ("acknowledged", T2, "Nurse Kim")]
        assert again.offline_beds("gh", "icu") == ["14"]
        _, new = again.receive(a_request(1), at=T3)
        assert new is False
    finally:
        again.close()


def test_the_store_creates_its_folder_and_a_real_sqlite_file(
    store: RequestStore, db_path: Path
) -> None:
    store.receive(a_request(), at=T1)
    with sqlite3.connect(db_path) as other:
        assert other.execute("SELECT COUNT(*) FROM requests").fetchone() == (1,)


def test_the_file_is_in_wal_mode(store: RequestStore, db_path: Path) -> None:
    assert read_by_another(db_path, "PRAGMA journal_mode") == [("wal",)]


def test_the_store_writes_with_synchronous_full(store: RequestStore) -> None:
    # synchronous is a per-connection setting, so ask the store's own connection (2 = FULL)
    assert store._db.execute("PRAGMA synchronous").fetchone() == (2,)


def test_a_commit_is_visible_to_another_connection_at_once(
    store: RequestStore, db_path: Path
) -> None:
    store.receive(a_request(), at=T1)
    store.change(rid(1), "acknowledged", "Nurse Kim", at=T2)
    assert read_by_another(db_path, "SELECT state, by FROM requests") == [
        ("acknowledged", "Nurse Kim")
    ]
    assert read_by_another(db_path, "SELECT COUNT(*) FROM events") == [(2,)]


def test_a_bed_with_40_open_calls_sees_the_one_that_just_changed(store: RequestStore) -> None:
    """A bed's state lists 30 requests; the most recently changed win, so the call a nurse
    just acknowledged is there however many the bed has open."""
    for n in range(40):
        store.receive(a_request(n, created_at=f"2025-03-01T08:{n:02d}:00.000Z"), at=T1)
    store.change(rid(0), "acknowledged", by="Kim", at=T3)
    views = store.for_bed(BED_12)
    assert len(views) == 30
    assert rid(0) in {v.id for v in views}
    assert [v.created_at for v in views] == sorted(v.created_at for v in views)


def test_receive_many_stores_each_once_even_within_one_batch(store: RequestStore) -> None:
    results = store.receive_many([a_request(1), a_request(2), a_request(1)])
    assert [new for _, new in results] == [True, True, False]
    assert store.count() == 2


def test_a_corrupt_database_is_moved_aside_and_a_fresh_one_opened(tmp_path: Path) -> None:
    from beckon.station.store import open_store

    path = tmp_path / "station.sqlite3"
    path.write_bytes(b"garbage, not SQLite" * 100)
    store = open_store(path)
    try:
        store.receive(a_request(1))
        assert store.count() == 1
    finally:
        store.close()
    kept = list(tmp_path.glob("station.sqlite3.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"garbage")


def test_a_pain_level_is_stored_and_survives_a_restart(store: RequestStore) -> None:

    view, _ = store.receive(replace(a_request(1), level=7))
    assert view.level == 7
    store.change(rid(1), "acknowledged", "Nurse Kim")
    again = reopen(store)
    kept = again.get(rid(1))
    assert kept is not None and kept.level == 7
    assert again.receive(a_request(2))[0].level is None


def test_a_database_from_before_the_pain_scale_gains_the_level_column(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as db:
        db.execute(
            "CREATE TABLE requests (id TEXT PRIMARY KEY, site TEXT NOT NULL, unit TEXT NOT NULL,"
            " bed TEXT NOT NULL, intent TEXT NOT NULL, priority TEXT NOT NULL,"
            " source TEXT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL,"
            " updated_at TEXT NOT NULL, by TEXT, escalation INTEGER NOT NULL DEFAULT 0,"
            " history TEXT NOT NULL)"
        )
        db.execute(
            "INSERT INTO requests VALUES (?, 'gh', 'icu', '12', 'water', 'routine', 'touch',"
            " 'received', ?, ?, NULL, 0, '[]')",
            (rid(1), T0, T0),
        )
    store = RequestStore(old)
    try:
        old_row = store.get(rid(1))
        assert old_row is not None and old_row.level is None
        assert store.receive(replace_level(a_request(2), 3))[0].level == 3
    finally:
        store.close()


def replace_level(req: Request, level: int) -> Request:

    return replace(req, level=level)


# ---------------------------------------------------------------- what the store is handed


def adopted_view(created_at: str, history: tuple[StateChange, ...] = ()) -> RequestView:
    return RequestView(
        rid(9), "gh", "icu", "12", "water", "routine", "gesture", "received",
        created_at, created_at, None, 0, history,
    )  # fmt: skip


def test_an_adopted_call_with_a_time_from_the_future_counts_from_the_stations_now(
    store: RequestStore,
) -> None:
    """A retained call made on a tablet with a wild clock (here year 9999) escalated never, or
    crashed every start of the station with an OverflowError."""
    view, _ = store.adopt(adopted_view("9999-12-31T23:59:59.999Z"))
    received = next(h.at for h in view.history if h.state == "received")
    assert abs((parse_iso(received) - datetime.now(UTC)).total_seconds()) < 60
    due = next_due(view, EscalationConfig())
    assert due is not None and due < datetime.now(UTC) + timedelta(seconds=301)


def test_an_adopted_call_keeps_its_stations_past_arrival_time(store: RequestStore) -> None:
    """The station that stored it stamped "received" on its own clock: that one is kept."""
    arrived = (StateChange("created", T0), StateChange("received", T1))
    view, _ = store.adopt(adopted_view(T0, arrived))
    assert [h.at for h in view.history] == [T0, T1]


def test_a_time_the_clock_cannot_reach_never_escalates_instead_of_crashing() -> None:
    assert next_due(adopted_view("9999-12-31T23:59:59.999Z"), EscalationConfig()) is None


def test_a_damaged_row_is_left_out_and_named_instead_of_stopping_every_start(
    store: RequestStore, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store.receive(a_request(1))
    store.receive(a_request(2))
    store.receive(a_request(3))
    with sqlite3.connect(db_path) as hand_edit:
        hand_edit.execute("UPDATE requests SET history = 'not json' WHERE id = ?", (rid(1),))
        hand_edit.execute(
            "UPDATE requests SET history = ? WHERE id = ?",
            ('[{"state": "received", "at": "yesterday", "by": null}]', rid(2)),
        )
    assert [v.id for v in store.open_requests("gh", "icu")] == [rid(3)]
    assert [v.id for v in store.for_bed(BED_12)] == [rid(3)]
    assert "DAMAGED ROW: request " + rid(1) in caplog.text
    assert "DAMAGED ROW: request " + rid(2) in caplog.text


def test_another_programs_database_is_named_not_blamed_on_the_disk(tmp_path: Path) -> None:
    """It said "cannot be written ... check the disk space" and exited 2, restarted in a loop."""
    from beckon.errors import ConfigError

    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE requests (id TEXT, what TEXT)")
    with pytest.raises(ConfigError, match="is not a Beckon station database") as err:
        RequestStore(other)
    assert "station.database" in str(err.value.hint)


def test_a_lock_held_by_another_program_is_named_with_what_to_do(
    store: RequestStore, db_path: Path
) -> None:
    """A sqlite3 shell left in a transaction stopped the station with "cannot be written",
    and each restart said "check the disk space and the file's owner and permissions"."""
    from beckon.station.store import StoreUnavailable, open_store

    store.receive(a_request(1))
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other program's write lock
    try:
        store._db.execute("PRAGMA busy_timeout = 100")  # fail fast here; 5 s in service
        with pytest.raises(sqlite3.OperationalError) as held:
            store.receive(a_request(2))
        problem = store.write_problem(held.value)
        assert problem.startswith(f"database {db_path} is locked by another program")
        assert "a sqlite3 shell" in problem and "disk space" not in problem
        assert len(problem.replace(str(db_path), "/var/lib/beckon/station.sqlite3")) <= 200

        with pytest.raises(StoreUnavailable, match="is locked by another program") as start:
            open_store(db_path)  # a restart while the lock is still held
        assert "end the other program" in start.value.hint
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert open_store(db_path).count() == 1  # the lock gone, the station starts as before
