"""A request from the bedside to the station and back, over a real Mosquitto."""

from __future__ import annotations

import pytest

from beckon.background import Background
from beckon.bedside import events as ev
from beckon.bedside.service import (
    CancelRequest,
    Gesture,
    Submit,
)
from beckon.messaging import protocol as p
from beckon.station.events import QuestionAnswered, QuestionAsked, RequestChanged, StationEvent
from beckon.station.store import RequestStore
from tests.helpers.rig import (
    bedside_for,
    recorded_bedside,
    request_received,
    send_raw,
    station_and_bedside,
    station_for,
    wait_until,
)

pytestmark = pytest.mark.mqtt


def test_request_is_stored_once_acknowledged_and_state_returns_to_the_bed(mosquitto, tmp_path):
    with station_and_bedside(mosquitto.url, tmp_path, connected=False) as (_, bedside, seen):
        request_id = request_received(bedside, seen)

        # The nurse acknowledges through the station's command topic, as a window would.
        cmd = p.nurse_command("acknowledge", request_id, "Nurse Kim")
        send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(cmd))
        assert wait_until(lambda: "acknowledged" in seen.states(request_id)), seen.events
        ack = next(
            e for e in seen.events if isinstance(e, ev.StateChanged) and e.state == "acknowledged"
        )
        assert ack.by == "Nurse Kim"
        assert wait_until(lambda: bedside.waiting == 0)

    store = RequestStore(tmp_path / "station.sqlite3")
    assert store.count() == 1
    view = store.get(request_id)
    assert view is not None and view.state == "acknowledged" and view.intent == "water"
    assert [e[0] for e in store.events(request_id)] == ["received", "acknowledged"]


def test_duplicate_publish_of_one_request_id_is_stored_once(mosquitto, tmp_path):
    station = station_for(mosquitto.url, tmp_path / "station.sqlite3")
    received: list[str] = []
    station.listeners.append(
        lambda e: received.append(e.change) if isinstance(e, RequestChanged) else None
    )
    req = p.Request(p.new_request_id(), "gh", "icu", "7", "pain", "urgent", "voice", p.now_iso())
    topic = req.address.topic("request")
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        for _ in range(3):
            send_raw(mosquitto.port, topic, p.encode(req))
        # Then a marker request; once it is in, the three copies before it were handled.
        marker = p.Request(
            p.new_request_id(), "gh", "icu", "7", "water", "routine", "touch", p.now_iso()
        )
        send_raw(mosquitto.port, topic, p.encode(marker))
        assert wait_until(lambda: received.count("received") >= 2)
    store = RequestStore(tmp_path / "station.sqlite3")
    assert store.count() == 2
    assert received == ["received", "received"]


def test_malformed_messages_are_dropped_and_the_station_keeps_serving(mosquitto, tmp_path):
    station = station_for(mosquitto.url, tmp_path / "station.sqlite3")
    topic = p.BedAddress("gh", "icu", "3").topic("request")
    good = p.Request(p.new_request_id(), "gh", "icu", "3", "water", "routine", "touch", p.now_iso())
    wrong_bed = p.Request(
        p.new_request_id(), "gh", "icu", "4", "water", "routine", "touch", p.now_iso()
    )
    other_unit = p.Request(
        p.new_request_id(), "gh", "er", "3", "water", "routine", "touch", p.now_iso()
    )
    bad = [
        b"{not json",
        b"[]",
        b'{"v":1,"kind":"request"}',
        b"x" * 100_000,
        p.encode(good).replace(b'"routine"', b"42"),
        p.encode(wrong_bed),
    ]
    with Background(station.run, "station") as bg:
        assert station.ready.wait(10)
        for payload in bad:
            send_raw(mosquitto.port, topic, payload)
        send_raw(mosquitto.port, other_unit.address.topic("request"), p.encode(other_unit))
        send_raw(mosquitto.port, topic, p.encode(good))
        assert wait_until(lambda: station.dropped >= len(bad) and bg.alive)
    store = RequestStore(tmp_path / "station.sqlite3")
    assert store.count() == 1 and store.get(good.id) is not None


def test_request_made_while_broker_is_down_arrives_once_after_it_returns(mosquitto, tmp_path):
    with station_and_bedside(mosquitto.url, tmp_path) as (_, bedside, seen):
        mosquitto.stop()
        assert wait_until(lambda: bedside.link is not None and not bedside.link.connected)
        bedside.post(Submit("nurse", "touch"))
        assert wait_until(lambda: any(isinstance(e, ev.RequestSaved) for e in seen.events))
        request_id = next(e.request_id for e in seen.events if isinstance(e, ev.RequestSaved))
        # Counted once its handling is over, a moment after RequestSaved (the broker is down:
        # the count cannot go back to 0 before the broker does).
        assert wait_until(lambda: bedside.waiting == 1), "the request waits on disk"
        mosquitto.start()
        assert wait_until(lambda: "received" in seen.states(request_id), 40), seen.events
    store = RequestStore(tmp_path / "station.sqlite3")
    assert store.count() == 1


def test_request_in_outbox_survives_a_bedside_restart(mosquitto, tmp_path):
    """Written before publishing: a bedside that dies before sending still delivers later."""
    outbox_path = tmp_path / "outbox.sqlite3"
    first = bedside_for("mqtt://127.0.0.1:1", outbox_path)  # nothing listens there
    with Background(first.run, "bedside-offline"):
        first.post(Submit("toilet", "touch"))
        assert wait_until(lambda: first.waiting == 1)
    station = station_for(mosquitto.url, tmp_path / "station.sqlite3")
    second, seen = recorded_bedside(mosquitto.url, outbox_path)
    with Background(station.run, "station"), Background(second.run, "bedside"):
        assert wait_until(
            lambda: any(
                isinstance(e, ev.StateChanged) and e.state == "received" for e in seen.events
            ),
            20,
        )
        assert wait_until(lambda: second.waiting == 0)
    store = RequestStore(tmp_path / "station.sqlite3")
    assert store.count() == 1


def test_the_patient_cancels_and_the_station_records_who_and_when(mosquitto, tmp_path):
    with station_and_bedside(mosquitto.url, tmp_path, connected=False) as (station, bedside, seen):
        request_id = request_received(bedside, seen, "reposition", "touch")
        bedside.post(CancelRequest(request_id))
        assert wait_until(lambda: "cancelled" in seen.states(request_id)), seen.events
        assert wait_until(lambda: bedside.waiting == 0)
        # A nurse acting on it afterwards changes nothing: closed calls stay closed.
        cmd = p.nurse_command("resolve", request_id, "Nurse Kim")
        send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(cmd))
        # Taken up (and refused) before the station stops, not merely 0.5 s later.
        assert wait_until(lambda: cmd.command_id in station._applied)
    store = RequestStore(tmp_path / "station.sqlite3")
    view = store.get(request_id)
    assert view is not None and view.state == "cancelled"
    assert [(e[0], e[2]) for e in store.events(request_id)] == [
        ("received", None),
        ("cancelled", "patient"),
    ]


def test_a_nurse_asks_a_yes_no_question_and_a_shake_answers_no(mosquitto, tmp_path):
    station = station_for(mosquitto.url, tmp_path / "station.sqlite3")
    bedside, seen = recorded_bedside(mosquitto.url, tmp_path / "outbox.sqlite3")
    answers: list[tuple[str, p.QuestionView]] = []

    def note_question(e: StationEvent) -> None:
        if isinstance(e, QuestionAsked):
            answers.append(("asked", e.question))
        elif isinstance(e, QuestionAnswered):
            answers.append(("answered", e.question))

    station.listeners.append(note_question)
    with Background(station.run, "station"), Background(bedside.run, "bedside"):
        assert station.ready.wait(10)
        assert wait_until(lambda: bedside.link is not None and bedside.link.connected)
        ask = p.AskCommand(p.new_request_id(), "12", "Are you in pain?", "Nurse Kim", p.now_iso())
        send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(ask))
        assert wait_until(lambda: any(isinstance(e, ev.QuestionAsked) for e in seen.events)), (
            seen.events
        )
        question = next(e for e in seen.events if isinstance(e, ev.QuestionAsked))
        assert question.text == "Are you in pain?" and question.asked_by == "Nurse Kim"

        def asking() -> bool:
            """The menu shows the question: a change emitted just after QuestionAsked."""
            menu = [e.menu for e in seen.events if isinstance(e, ev.MenuChanged)]
            return (
                bool(menu) and menu[-1].stage == "question" and menu[-1].question == question.text
            )

        assert wait_until(asking), [e for e in seen.events if isinstance(e, ev.MenuChanged)][-1:]
        bedside.post(Gesture("shake", 1.0, 0.9))
        assert wait_until(lambda: any(w == "answered" for w, _ in answers)), answers
        assert wait_until(lambda: any(isinstance(e, ev.AnswerReceived) for e in seen.events))
        assert wait_until(lambda: bedside.waiting == 0)
        # The shake answered the question: it did not also move the request menu on.
        assert not any(isinstance(e, ev.OfferDeclined | ev.RequestSaved) for e in seen.events)
    answered = next(q for w, q in answers if w == "answered")
    assert (answered.bed, answered.answer, answered.source) == ("12", "no", "gesture")
    store = RequestStore(tmp_path / "station.sqlite3")
    assert [q.answer for q in store.questions("gh", "icu")] == ["no"]


def test_a_request_waiting_in_the_outbox_is_shown_again_after_a_restart(tmp_path):
    """Restarted while offline, the tablet still shows the patient's unconfirmed request (and
    so can sound the no-receipt alarm), without saying it aloud or counting it again."""
    from beckon.bedside.timeline import Timeline
    from beckon.ui.bedside_model import prompt_for

    outbox_path = tmp_path / "outbox.sqlite3"
    first = bedside_for("mqtt://127.0.0.1:1", outbox_path)  # nothing listens there
    with Background(first.run, "bedside-offline"):
        first.post(Submit("toilet", "touch"))
        assert wait_until(lambda: first.waiting == 1)
    again, seen = recorded_bedside("mqtt://127.0.0.1:1", outbox_path)
    with Background(again.run, "bedside-again"):
        assert wait_until(lambda: any(isinstance(e, ev.RequestSaved) for e in seen.events))
    saved = [e for e in seen.events if isinstance(e, ev.RequestSaved)]
    assert [(e.intent, e.restored) for e in saved] == [("toilet", True)]
    timeline = Timeline()
    for e in seen.events:
        timeline.apply(e)
    assert [(t.intent, t.state) for t in timeline.tracks] == [("toilet", "saved")]
    assert prompt_for(saved[0], "Toilet") is None


def test_a_question_on_screen_when_the_tablet_restarts_is_asked_again(mosquitto, tmp_path):
    """The bedside keeps a question in memory only: a tablet restarted while showing one lost
    it, and the nurse waited for an answer that could not come."""
    station = station_for(mosquitto.url, tmp_path / "station.sqlite3")
    outbox = tmp_path / "outbox.sqlite3"
    first, seen_first = recorded_bedside(mosquitto.url, outbox)
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        with Background(first.run, "bedside"):
            assert wait_until(lambda: first.link is not None and first.link.connected)
            ask = p.AskCommand(p.new_request_id(), "12", "Are you cold?", "Nurse Kim", p.now_iso())
            send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(ask))
            assert wait_until(
                lambda: any(isinstance(e, ev.QuestionAsked) for e in seen_first.events)
            )
        asked = next(e for e in seen_first.events if isinstance(e, ev.QuestionAsked))
        again, seen = recorded_bedside(mosquitto.url, outbox)
        with Background(again.run, "bedside-again"):
            assert wait_until(lambda: any(isinstance(e, ev.QuestionAsked) for e in seen.events))
            shown = [e for e in seen.events if isinstance(e, ev.QuestionAsked)]
            assert [(e.question_id, e.text) for e in shown] == [
                (asked.question_id, "Are you cold?")
            ]
            again.post(Gesture("nod", 1.0, 0.9))
            assert wait_until(lambda: any(isinstance(e, ev.AnswerReceived) for e in seen.events))
    store = RequestStore(tmp_path / "station.sqlite3")
    assert [q.answer for q in store.questions("gh", "icu")] == ["yes"]
