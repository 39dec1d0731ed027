"""The patient's requests as the bedside follows them (``beckon.bedside.timeline``): each
step, offline and station-away headlines, requests restored after a restart."""

from __future__ import annotations

import time

from beckon.bedside import events as ev
from beckon.bedside.timeline import Timeline

ID = "3f2b8c1e-6a4d-4e0b-9c57-2d1e8f4a7b90"


def test_a_request_walks_the_timeline_to_acknowledged_by_a_named_nurse() -> None:
    tl = Timeline()
    tl.apply(ev.ConnectionChanged(online=True))
    assert tl.apply(ev.RequestSaved("water", ID))
    track = tl.tracks[0]
    assert track.headline() == "sending"
    tl.apply(ev.RequestSent(ID))
    tl.apply(ev.StateChanged(ID, "received", intent="water"))
    assert track.headline() == "received"
    tl.apply(ev.StateChanged(ID, "acknowledged", "Nurse Kim", "water"))
    assert (track.headline(), track.by) == ("acknowledged", "Nurse Kim")
    assert track.steps() == [
        ("saved", True),
        ("sent", True),
        ("received", True),
        ("acknowledged", True),
        ("resolved", False),
    ]
    # A late "received" never moves it back.
    assert not tl.apply(ev.StateChanged(ID, "received", intent=""))
    assert track.state == "acknowledged"
    tl.apply(ev.StateChanged(ID, "resolved", "Nurse Kim", "water"))
    assert not track.open and track.headline() == "resolved"


def test_offline_requests_say_saved_and_will_be_sent_until_the_station_has_them() -> None:
    tl = Timeline()
    tl.apply(ev.ConnectionChanged(online=False))
    tl.apply(ev.RequestSaved("water", ID))
    tl.apply(ev.ConnectionChanged(online=False, request_saved=True))
    assert tl.tracks[0].headline() == "saved_offline"
    assert tl.offline_message
    tl.apply(ev.ConnectionChanged(online=True))
    assert tl.tracks[0].headline() == "sending" and not tl.offline_message
    tl.apply(ev.ConnectionChanged(online=False))
    tl.apply(ev.StateChanged(ID, "received", intent="water"))
    assert not tl.offline_message  # the station has it: nothing is waiting any more


def test_a_cancelled_request_ends_with_a_cancelled_step() -> None:
    tl = Timeline()
    tl.apply(ev.RequestSaved("pain", ID))
    tl.apply(ev.StateChanged(ID, "received", intent="pain"))
    tl.apply(ev.StateChanged(ID, "cancelled", "patient", "pain"))
    assert [s for s, _ in tl.tracks[0].steps()][-1] == "cancelled"
    assert all(done for _, done in tl.tracks[0].steps())


def test_open_requests_from_the_retained_state_appear_but_old_closed_ones_do_not() -> None:
    tl = Timeline()
    assert not tl.apply(ev.StateChanged(ID, "resolved", "Nurse Kim", "water"))
    assert tl.apply(ev.StateChanged("other-id", "acknowledged", "Nurse Lee", "pain"))
    assert [t.intent for t in tl.tracks] == ["pain"]


def test_only_five_requests_are_kept_newest_first() -> None:
    """The patient's own recent messages: five (issue 12 asked for more than the old three)."""
    tl = Timeline()
    for i in range(7):
        tl.apply(ev.RequestSaved("water", f"id-{i}"))
    assert [t.request_id for t in tl.tracks] == ["id-6", "id-5", "id-4", "id-3", "id-2"]


def test_a_request_learned_from_the_retained_state_keeps_its_own_time() -> None:
    """After a restart the tablet shows when the patient asked, not when it restarted."""
    from datetime import UTC, datetime, timedelta, timezone

    from beckon.bedside.timeline import MAX_TRACKS

    tl = Timeline()
    tl.apply(ev.StateChanged("old", "acknowledged", "Nurse Lee", "water", "2025-03-14T07:05:09Z"))
    track = tl.tracks[0]
    assert track.made_at == datetime(2025, 3, 14, 7, 5, 9, tzinfo=UTC)
    assert track.clock(timezone(timedelta(hours=9))) == "16:05"  # shown in the tablet's zone
    for i in range(MAX_TRACKS + 2):
        tl.apply(ev.RequestSaved("pain", f"r{i}"))
    assert len(tl.tracks) == MAX_TRACKS == 5


def test_a_request_restored_after_a_restart_keeps_the_time_it_was_made() -> None:
    """The "Asked at" line showed the restart's time, and the no-receipt alarm counted again
    from each start: a tablet restarting every 30 s while its call was stuck never sounded it."""
    from datetime import UTC, datetime, timedelta

    timeline = Timeline()
    made = datetime.now(UTC) - timedelta(seconds=90)
    timeline.apply(ev.RequestSaved("water", ID, restored=True, created_at=made.isoformat()))
    (track,) = timeline.tracks
    assert abs((track.made_at - made).total_seconds()) < 1
    assert timeline.without_receipt(time.monotonic(), 60.0) == [track], "overdue at once"


def test_a_request_the_station_cannot_take_yet_says_so_not_sending() -> None:
    """With the broker up and the station down it said "Sending your request…" while nobody
    had it."""
    timeline = Timeline()
    timeline.apply(ev.ConnectionChanged(True))
    timeline.apply(ev.StationChanged(False))
    timeline.apply(ev.RequestSaved("water", ID))
    (track,) = timeline.tracks
    assert track.headline() == "station_away"
    timeline.apply(ev.StationChanged(True))
    assert track.headline() == "sending"
    timeline.apply(ev.StationChanged(False))
    assert track.headline() == "station_away"
    timeline.apply(ev.ConnectionChanged(False))
    assert track.headline() == "saved_offline", "no connection at all says more"
