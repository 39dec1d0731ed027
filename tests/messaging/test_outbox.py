"""The bedside outbox: a request is on disk before it is published and leaves only when the
station's receipt arrives, so a crash or power cut never loses a patient's call.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from beckon.messaging.outbox import Outbox
from tests.helpers.durable import read_by_another

TOPIC = "beckon/v1/gh/icu/bed/12/request"
CANCEL_TOPIC = "beckon/v1/gh/icu/bed/12/cancel"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "outbox.sqlite3"


@pytest.fixture
def outbox(path: Path) -> Iterator[Outbox]:
    box = Outbox(path)
    yield box
    box.close()


def keys(box: Outbox) -> list[str]:
    return [e.key for e in box.pending()]


# ---------------------------------------------------------------- adding and removing


def test_an_added_message_is_pending_exactly_as_given(outbox: Outbox) -> None:
    assert outbox.add("request:1", TOPIC, b'{"v":1}') is True
    (entry,) = outbox.pending()
    assert (entry.key, entry.topic, entry.payload) == ("request:1", TOPIC, b'{"v":1}')
    assert (entry.attempts, entry.last_sent_at) == (0, None)
    assert entry.created_at > 0
    assert len(outbox) == 1


def test_any_bytes_survive_as_the_payload(outbox: Outbox) -> None:
    payload = bytes(range(256))
    outbox.add("request:1", TOPIC, payload)
    assert outbox.pending()[0].payload == payload


def test_a_key_already_waiting_is_refused_and_the_first_message_kept(outbox: Outbox) -> None:
    outbox.add("request:1", TOPIC, b"first")
    assert outbox.add("request:1", CANCEL_TOPIC, b"second") is False
    assert [(e.topic, e.payload) for e in outbox.pending()] == [(TOPIC, b"first")]
    assert len(outbox) == 1


def test_pending_messages_come_oldest_first(outbox: Outbox) -> None:
    for key in ("request:c", "request:a", "cancel:c", "request:b"):
        outbox.add(key, TOPIC, b"x")
    assert keys(outbox) == ["request:c", "request:a", "cancel:c", "request:b"]


def test_removing_a_message_keeps_the_order_of_the_rest(outbox: Outbox) -> None:
    for key in ("request:1", "request:2", "request:3"):
        outbox.add(key, TOPIC, b"x")
    assert outbox.remove("request:2") is True
    assert keys(outbox) == ["request:1", "request:3"]
    assert len(outbox) == 2


def test_removing_a_message_that_is_not_waiting_says_so(outbox: Outbox) -> None:
    outbox.add("request:1", TOPIC, b"x")
    assert outbox.remove("request:1") is True
    assert outbox.remove("request:1") is False
    assert outbox.remove("request:never") is False
    assert len(outbox) == 0


def test_a_removed_key_can_be_added_again(outbox: Outbox) -> None:
    outbox.add("request:1", TOPIC, b"x")
    outbox.remove("request:1")
    assert outbox.add("request:1", TOPIC, b"y") is True


# ---------------------------------------------------------------- sending


def test_marking_a_message_sent_counts_the_attempt_and_keeps_it_waiting(outbox: Outbox) -> None:
    outbox.add("request:1", TOPIC, b"x")
    outbox.mark_sent("request:1")
    outbox.mark_sent("request:1")
    (entry,) = outbox.pending()
    assert entry.attempts == 2
    assert entry.last_sent_at is not None
    assert entry.last_sent_at >= entry.created_at


def test_marking_an_unknown_key_sent_changes_nothing(outbox: Outbox) -> None:
    outbox.add("request:1", TOPIC, b"x")
    outbox.mark_sent("request:other")
    assert outbox.pending()[0].attempts == 0
    assert len(outbox) == 1


# ---------------------------------------------------------------- durability


def test_a_waiting_message_survives_closing_and_reopening_the_file(path: Path) -> None:
    box = Outbox(path)
    box.add("request:1", TOPIC, b"payload")
    box.mark_sent("request:1")
    box.add("cancel:1", CANCEL_TOPIC, b"cancel")
    before = box.pending()
    box.close()

    again = Outbox(path)
    try:
        assert again.pending() == before
        assert again.add("request:1", TOPIC, b"payload") is False
    finally:
        again.close()


def test_a_removed_message_stays_removed_after_reopening(path: Path) -> None:
    box = Outbox(path)
    box.add("request:1", TOPIC, b"x")
    box.add("request:2", TOPIC, b"x")
    box.remove("request:1")
    box.close()

    again = Outbox(path)
    try:
        assert keys(again) == ["request:2"]
    finally:
        again.close()


def test_an_added_message_is_committed_at_once(outbox: Outbox, path: Path) -> None:
    outbox.add("request:1", TOPIC, b"x")
    assert read_by_another(path, "SELECT key FROM outbox") == [("request:1",)]


def test_the_outbox_creates_its_folder(outbox: Outbox, path: Path) -> None:
    assert path.parent.is_dir()
    assert path.is_file()


def test_the_file_is_in_wal_mode(outbox: Outbox, path: Path) -> None:
    assert read_by_another(path, "PRAGMA journal_mode") == [("wal",)]


def test_the_outbox_writes_with_synchronous_full(outbox: Outbox) -> None:
    # synchronous is a per-connection setting, so ask the outbox's own connection (2 = FULL)
    assert outbox._db.execute("PRAGMA synchronous").fetchone() == (2,)


def test_a_damaged_outbox_is_moved_aside_so_the_bedside_can_start(tmp_path: Path) -> None:
    from beckon.messaging.outbox import open_outbox

    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(b"\x00not a database\x00" * 300)
    box = open_outbox(path)
    try:
        assert box.add("request:x", "t", b"p") and len(box) == 1
    finally:
        box.close()
    kept = list(tmp_path.glob("outbox.sqlite3.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"\x00not a database")


def test_another_programs_outbox_is_named_at_start(tmp_path: Path) -> None:
    """Its sends failed with a traceback, 130 times in 7 s, and no status was ever sent."""

    from beckon.errors import ConfigError
    from beckon.messaging.outbox import open_outbox

    other = tmp_path / "outbox.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE outbox (id INTEGER, body TEXT)")
    with pytest.raises(ConfigError, match=r"is not a Beckon outbox .*no attempts, created_at"):
        open_outbox(other)
