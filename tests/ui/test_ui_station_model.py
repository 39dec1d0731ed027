"""The station window's decisions: order, colours, ages, alerts, chart series."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone

from beckon.intents import load_intents
from beckon.messaging import protocol as p
from beckon.ui import station_model as m
from tests.helpers.station_views import T0, iso, queue, view


def test_rows_sort_by_priority_then_by_how_long_they_wait() -> None:
    old_routine = view("1", "routine", age_s=600)
    new_routine = view("2", "routine", age_s=10)
    urgent = view("3", "urgent", age_s=5)
    emergency = view("4", "emergency", age_s=1)
    ordered = m.sort_requests([new_routine, urgent, old_routine, emergency])
    assert [v.bed for v in ordered] == ["4", "3", "1", "2"]


def test_an_emergency_nobody_took_comes_before_older_acknowledged_ones() -> None:
    taken = view("5", "emergency", age_s=900, state="acknowledged")
    new = view("6", "emergency", age_s=3)
    assert [v.bed for v in m.sort_requests([taken, new])] == ["6", "5"]


def test_an_overdue_call_nobody_took_comes_before_acknowledged_ones() -> None:
    """A routine call escalated for want of a nurse sorted below every acknowledged urgent one,
    out of view on a busy unit (41 calls, 8 visible)."""
    from dataclasses import replace

    taken = view("7", "urgent", age_s=900, state="acknowledged")
    overdue = replace(view("8", "routine", age_s=700), escalation=2)
    fresh_urgent = view("9", "urgent", age_s=30)
    emergency = view("10", "emergency", age_s=5)
    ordered = m.sort_requests([taken, fresh_urgent, overdue, emergency])
    assert [v.bed for v in ordered] == ["10", "8", "9", "7"]


def test_colours_follow_priority_escalation_and_acknowledgement() -> None:
    routine = m.row_colours("routine", 0, "received")
    emergency = m.row_colours("emergency", 0, "received")
    escalated = m.row_colours("routine", 2, "received")
    acknowledged = m.row_colours("emergency", 0, "acknowledged")
    reminded = m.row_colours("emergency", 1, "acknowledged")
    assert len({routine, emergency, escalated, acknowledged}) == 4
    assert emergency.accent == "#c62828"
    assert reminded != acknowledged  # an escalated reminder leaves the calm green
    hc = m.row_colours("urgent", 0, "received", high_contrast=True)
    assert hc.background == "#000000" and hc.text != "#000000"


def test_age_text_reads_the_same_in_every_language() -> None:
    assert m.age_text(0) == "0:00"
    assert m.age_text(45.9) == "0:45"
    assert m.age_text(12 * 60 + 3) == "12:03"
    assert m.age_text(3600 + 5 * 60 + 9) == "1:05:09"
    v = view("1", age_s=75)
    assert m.age_text(m.age_seconds(v, T0)) == "1:15"


def test_request_label_is_in_the_nurses_language_whatever_the_patient_spoke() -> None:
    intents = load_intents()
    assert m.intent_label(intents, "water", "ko") == "물"
    assert m.intent_label(intents, "water", "en") == "Water"
    assert m.intent_label(intents, "unknown_code", "en") == "unknown_code"


def test_the_first_queue_is_a_baseline_then_new_and_escalated_requests_alert() -> None:
    tracker = m.AlertTracker()
    a = view("1")
    assert tracker.update(queue(a), now=0.0) == []  # a window that opens does not ring
    b = view("2", "emergency")
    alerts = tracker.update(queue(a, b), now=1.0)
    assert [(x.kind, x.bed) for x in alerts] == [("new", "2")]
    assert alerts[0].audible and alerts[0].loud
    assert tracker.flashing(b.id, 5.0) and not tracker.flashing(b.id, 1.0 + m.FLASH_S + 1)
    a2 = replace(a, escalation=1)
    alerts = tracker.update(queue(a2, b, offline=("9",)), now=2.0)
    assert [(x.kind, x.bed) for x in alerts] == [("escalated", "1"), ("device_fault", "9")]
    assert all(x.loud for x in alerts)
    # Nothing changed: nothing to say; the fault stays listed without ringing again.
    assert tracker.update(queue(a2, b, offline=("9",)), now=3.0) == []


def test_an_answered_question_shows_without_sound() -> None:
    tracker = m.AlertTracker()
    q = p.QuestionView(p.new_request_id(), "12", "Are you in pain?", "Nurse Kim", iso(T0))
    tracker.update(queue(questions=[q]), 0.0)
    answered = replace(q, answer="no", answered_at=iso(T0), source="gesture")
    (alert,) = tracker.update(queue(questions=[answered]), 1.0)
    assert (alert.kind, alert.bed, alert.detail, alert.audible) == ("answer", "12", "no", False)


def test_an_unacknowledged_emergency_reminds_every_30_seconds() -> None:
    tracker = m.AlertTracker()
    tracker.update(queue(view("4", "emergency")), 0.0)
    assert tracker.reminder_due(100.0)
    assert not tracker.reminder_due(110.0)
    assert tracker.reminder_due(100.0 + m.REMIND_EMERGENCY_S)
    tracker.update(queue(view("4", "emergency", state="acknowledged")), 200.0)
    assert not tracker.reminder_due(1000.0)


def test_known_beds_come_from_requests_faults_and_questions_in_bed_order() -> None:
    q = p.QuestionView(p.new_request_id(), "3", "Cold?", "Nurse Kim", iso(T0))
    beds = m.known_beds(queue(view("12"), view("2"), offline=("10",), questions=[q]), ["1"])
    assert beds == ["1", "2", "3", "10", "12"]


def test_chart_series_per_intent_in_the_nurses_language_and_per_local_hour() -> None:
    stats = p.UnitStats(
        "gh",
        "icu",
        iso(T0),
        24,
        (
            p.IntentStats("water", 3, 2, 60.0, 90.0, 300.0),
            p.IntentStats("pain", 1, 0, None, None, None),
        ),
        (p.HourStats("2025-03-14T08:00:00.000Z", 4, 2, 60.0),),
    )
    bars = m.intent_bars(stats, load_intents(), "ko")
    assert [(b.label, b.value, b.count) for b in bars] == [("물", 60.0, 3), ("아파요", None, 1)]
    seoul = timezone(timedelta(hours=9))
    assert [b.label for b in m.hour_bars(stats, seoul)] == ["17:00"]
    assert m.nice_ceiling([None, 45.0]) == 60.0
    assert m.nice_ceiling([400.0]) == 600.0
    assert (m.seconds_text(None), m.seconds_text(42), m.seconds_text(150)) == (
        "–",
        "42 s",
        "2.5 min",
    )


def test_an_unacknowledged_call_chimes_again_until_someone_acknowledges_it() -> None:
    """Issue 12: the station chime repeats until a call is acknowledged."""
    tracker = m.AlertTracker()
    tracker.update(queue(), 0.0)
    tracker.update(queue(view("4", "routine")), 1.0)
    assert not tracker.chime_due(1.5)  # the "new request" chime has just sounded
    assert not tracker.chime_due(1.5 + m.REMIND_CALL_S - 1)
    assert tracker.chime_due(1.5 + m.REMIND_CALL_S)
    assert not tracker.chime_due(2.0 + m.REMIND_CALL_S)
    tracker.update(queue(view("4", "routine", state="acknowledged")), 200.0)
    assert not tracker.chime_due(1000.0)


# ---------------------------------------------------------------- bed board


def test_the_bed_board_shows_a_healthy_beds_voice_backlog_and_version() -> None:
    from beckon.ui.station_model import bed_board_row

    row = bed_board_row("12", True, (), "0.4.0", "vosk:ko", 0, 0)
    assert (row.camera, row.face, row.mic) == (("ok", "ok"),) * 3
    assert row.voice == ("ok", "vosk:ko")
    assert row.backlog == ("ok", "ok")
    assert row.software == "0.4.0" and row.faults == ()


def test_a_backlog_is_a_warning_at_once_and_a_fault_once_it_lasts() -> None:
    from beckon.ui.station_model import BACKLOG_WARN_S, bed_board_row

    sending = bed_board_row("12", True, (), "0.4.0", "off", 1, 2)
    assert sending.backlog == ("warn", "sending") and sending.faults == ()
    stuck = bed_board_row("12", True, ("no_face",), "0.4.0", "off", 3, BACKLOG_WARN_S)
    assert stuck.backlog == ("bad", "stuck")
    assert stuck.faults == ("no_face", "backlog")  # a fault line a nurse reads
    assert (stuck.waiting, stuck.waiting_s) == (3, BACKLOG_WARN_S)


def test_the_bed_board_names_device_faults_and_what_an_old_bed_does_not_report() -> None:
    from beckon.ui.station_model import bed_board_row

    row = bed_board_row("3", True, ("camera_lost", "mic_error"), "0.1.0")
    assert row.camera == ("bad", "camera_lost")
    assert row.face == ("off", "unknown")  # no camera, so nothing to say about the face
    assert row.mic == ("bad", "mic_error")
    assert row.voice == ("off", "unknown") and row.backlog == ("off", "unknown")
    assert bed_board_row("3", True, ("poor_view",)).face == ("warn", "poor_view")
    assert bed_board_row("3", True, voice="failed").voice == ("bad", "failed")
    offline = bed_board_row("3", False, ("no_face",), "0.1.0", "vosk:ko", 4, 600)
    assert offline.faults == () and offline.voice == ("off", "unknown")


def test_beds_sort_by_number_then_by_name() -> None:
    from beckon.ui.station_model import bed_sort_key

    assert sorted(["10", "b", "2", "a"], key=bed_sort_key) == ["2", "10", "a", "b"]


# ---------------------------------------------------------------- chart labels


def test_hour_labels_are_spaced_so_each_fits_whole_or_left_out() -> None:
    from itertools import pairwise

    from beckon.ui.station_model import label_boxes, label_step

    assert label_step(24, 60.0, 40.0) == 1  # wide columns: every hour
    assert label_step(24, 30.0, 40.0) == 2  # "14:00" wider than a column: every other hour
    assert label_step(24, 12.5, 40.0) == 4  # 4 columns: 50 px for 40 px and the gap
    assert label_step(24, 12.0, 40.0) == 6
    assert label_step(3, 5.0, 40.0) == 0  # not even one fits: no clipped "4:0"
    assert label_boxes(3, 0.0, 5.0, 40.0, 15.0) == []
    # Every other hour, centred under its column, the first moved inside the chart.
    boxes = label_boxes(24, 0.0, 30.0, 44.0, 720.0)
    assert [i for i, _ in boxes] == list(range(0, 24, 2))
    assert boxes[0] == (0, 0.0) and boxes[1] == (2, 75.0 - 22.0)
    # A label moved in from the right edge that would touch the one before it is left out.
    tight = label_boxes(24, 0.0, 10.0, 44.0, 240.0)
    assert all(b[1] - a[1] >= 44.0 + 5.0 for a, b in pairwise(tight))
    assert all(0.0 <= left <= 240.0 - 44.0 for _, left in tight)


def test_the_banner_shows_the_most_urgent_alert_of_a_burst_not_the_latest() -> None:
    from beckon.ui.station_model import Alert, most_urgent

    burst = [
        Alert("new", "3", priority="emergency"),
        Alert("new", "9", priority="urgent"),
        Alert("new", "15", priority="routine"),
    ]
    assert most_urgent(burst).bed == "3"
    escalated = Alert("escalated", "7", priority="routine", level=2)
    assert most_urgent([*burst, escalated]).bed == "7"
    assert most_urgent([Alert("new", "1"), Alert("new", "2")]).bed == "2"  # then the latest


def test_a_burst_sounds_once_and_a_loud_alert_after_a_soft_one_still_sounds() -> None:
    from beckon.ui.station_model import SoundGate

    gate = SoundGate(gap_s=2.0)
    played = [gate.allow(False, 100.0 + i * 0.04) for i in range(50)]  # 50 calls in 2 s
    assert played.count(True) == 1
    assert gate.allow(True, 101.0), "an emergency right after a chime is not held back"
    assert not gate.allow(True, 101.5)
    assert gate.allow(True, 101.6, level=2), "nor a higher escalation level (its own sound)"
    assert gate.allow(False, 103.7)


def test_a_nurse_whose_action_another_nurse_beat_is_told_who_was_first() -> None:
    """Two windows on one call: the station took Nurse Alice's acknowledgement first and
    refused Bob's, and Bob's window said nothing (only its row, "acknowledged by Alice").
    His window now says so, once; his own action done says nothing."""
    from beckon.ui import strings

    mine, theirs = view("4"), view("5")
    own = m.OwnActions()
    own.add(mine.id, "acknowledge", "Nurse Bob", "Bed 4, Water")
    own.add(theirs.id, "acknowledge", "Nurse Bob", "Bed 5, Water")
    assert own.settle(queue(mine, theirs), 0.0) == []  # nothing done yet
    done = queue(
        replace(mine, state="acknowledged", by="Nurse Bob"),
        replace(theirs, state="acknowledged", by="Nurse Alice"),
    )
    (first,) = own.settle(done, 1.0)
    assert first == m.DoneFirst("Bed 5, Water", "acknowledged", "Nurse Alice")
    assert strings.done_first_text(first.what, first.state, first.by) == (
        "Bed 5, Water: already acknowledged by Nurse Alice."
    )
    assert own.settle(done, 2.0) == []  # said once


def test_a_nurse_whose_call_left_the_queue_is_told_who_closed_it() -> None:
    """A call a colleague resolved (or the patient cancelled) leaves the queue: its call
    message is emptied, and the window forgot Bob's action without a word. The bed's state
    says who closed it; whichever of the two arrives first, Bob hears it once, and nothing
    when the resolution was his own."""
    from beckon.ui import strings

    colleague, patient, his, early = view("6"), view("7"), view("8"), view("9")
    own = m.OwnActions()
    own.add(colleague.id, "resolve", "Nurse Bob", "Bed 6, Water")
    own.add(patient.id, "acknowledge", "Nurse Bob", "Bed 7, Water")
    own.add(his.id, "resolve", "Nurse Bob", "Bed 8, Water")
    own.add(early.id, "resolve", "Nurse Bob", "Bed 9, Water")
    # The bed's state comes first for bed 9: the queue still lists the call.
    (first,) = own.closed([replace(early, state="resolved", by="Nurse Alice")])
    assert first == m.DoneFirst("Bed 9, Water", "resolved", "Nurse Alice")
    assert own.settle(queue(), 0.0) == []  # the other three left the queue: wait for how
    told = own.closed(
        [
            replace(colleague, state="resolved", by="Nurse Alice"),
            replace(patient, state="cancelled", by="patient"),
            replace(his, state="resolved", by="Nurse Bob"),
        ]
    )
    assert [strings.done_first_text(d.what, d.state, d.by) for d in told] == [
        "Bed 6, Water: already resolved by Nurse Alice.",
        "Bed 7, Water: the patient cancelled it first.",
    ]
    assert own.closed([replace(colleague, state="resolved", by="Nurse Alice")]) == []  # once


def test_an_action_whose_call_left_with_no_word_of_how_is_forgotten_after_a_while() -> None:
    """No bed state ever said how (it was lost): the action is dropped after GONE_WAIT_S, so a
    window open for months keeps nothing for it, and a late state says nothing."""
    gone = view("6")
    own = m.OwnActions()
    own.add(gone.id, "resolve", "Nurse Bob", "Bed 6, Water")
    own.settle(queue(), 100.0)
    own.settle(queue(), 100.0 + m.GONE_WAIT_S - 0.1)
    assert own.closed([]) == [] and len(own._actions) == 1, "still waiting"
    own.settle(queue(), 100.0 + m.GONE_WAIT_S)
    assert own._actions == {} and own._gone == {}
    assert own.closed([replace(gone, state="resolved", by="Nurse Alice")]) == []


def test_a_routine_calls_escalation_does_not_take_the_banner_from_an_emergency() -> None:
    """ "Still waiting: bed 30, Move me" replaced bed 8's emergency at level 3."""
    from beckon.ui.station_model import Alert, outranks

    emergency = Alert("escalated", "8", "e", "emergency", "emergency", 3)
    routine = Alert("escalated", "30", "r", "reposition", "routine", 1)
    assert not outranks(routine, emergency)
    assert outranks(Alert("new", "9", "e2", "emergency", "emergency"), emergency)  # the newer
    assert outranks(emergency, routine)
    assert not outranks(Alert("new", "2", "w", "water", "routine"), routine)  # soft after loud
    assert outranks(routine, None)


def test_the_nurses_name_goes_beside_tightened_tabs_before_it_takes_a_line_of_its_own() -> None:
    """Measured at font scale 2 on a 1280 x 800 screen in English: the chips took 1146 of
    1244 px, the four tabs 1160 (904 tightened), "Your name:" and the field 711, the field
    alone 280 at its narrowest. Its own line took 100 px from the calls."""
    x2 = m.NameRoom(
        room=1244, first_line=1146, tabs=1160, tight_tabs=904, name=711, field=280, gap=12
    )
    assert m.place_name(x2) == "tight_tabs"
    assert m.tight_name_width(x2, wanted=480) == 1244 - 904 - 24  # all the room left
    assert m.tight_name_width(replace(x2, room=1900), wanted=480) == 480  # no wider
    # What did fit before still goes where it went: beside the chips, then beside the tabs.
    assert m.place_name(replace(x2, room=1900)) == "first_line"
    assert m.place_name(replace(x2, tabs=500)) == "tabs"
    # And where even the field alone has no room, it keeps its own line.
    assert m.place_name(replace(x2, tight_tabs=1000)) == "own_line"
