"""A direct emergency gesture (a profile's ``call:emergency``, e.g. a long blink) is taken at
once whatever the menu is doing: the pain scale is put aside and taken up again after it,
another confirmation is ended ("Not sent: ..."), a spoken request waiting for its yes is
ended and the voice worker told. The emergency then waits for its confirming nod as from the
menu, after the 2 s wait of a call over something else (the patient's next nod may have been
meant for what was on screen). Asleep, nothing (only the wake gesture works).

The real bedside service on a fake clock (tests/helpers/fake_clock_bed.py), with a profile
where a long blink asks for the emergency at once and a nod chooses and confirms.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from beckon.bedside import events as ev
from beckon.bedside.host import BedsideHost, MicSpec
from beckon.bedside.interaction import CANCEL_REQUEST
from beckon.bedside.service import Gesture, VoiceProposal
from beckon.bedside.voice_worker import VoiceWorker
from beckon.messaging import protocol as p
from beckon.voice.dialogue import Closed, DialoguePolicy
from tests.helpers.fake_clock_bed import Bed


def sent(bed: Bed) -> list[tuple[str, int | None]]:
    return [(r.intent, r.level) for r in bed.sent("request") if isinstance(r, p.Request)]


def heard(bed: Bed) -> list[object]:
    events: list[object] = []
    bed.service.listeners.append(events.append)
    return events


def stage(bed: Bed) -> tuple[str, str | None]:
    view = bed.service.menu.view(bed.t())
    return view.stage, view.highlighted


def on_the_scale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Bed:
    bed = Bed(tmp_path, monkeypatch, offered=("water", "pain", "emergency"))
    bed.calls(scale_intents=("pain",))
    bed.until_offered("pain")
    bed.make("nod")
    bed.wait(6.0)
    assert stage(bed) == ("scale", "pain")
    return bed


def test_on_the_pain_scale_a_long_blink_asks_for_the_emergency_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It did nothing for 47.5 s, until the scale gave up and sent "pain" with no number
    (rev45b3). Now "Emergency?" at once, sent by a nod after the wait; the scale comes back
    after it, said as not sent yet, and no pain went meanwhile."""
    bed = on_the_scale(tmp_path, monkeypatch)
    bed.make("long_blink")
    assert stage(bed) == ("confirming", "emergency")
    bed.wait(2.5)
    bed.make("nod")
    assert sent(bed) == [("emergency", None)]
    bed.wait(4.0)
    view = bed.service.menu.view(bed.t())
    assert (view.stage, view.highlighted, view.resumed) == ("scale", "pain", True)
    assert sent(bed) == [("emergency", None)]


def test_a_nod_at_once_after_the_long_blink_on_the_scale_sends_no_emergency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nod may have been meant for the number on offer: too soon, nothing sent."""
    bed = on_the_scale(tmp_path, monkeypatch)
    bed.make("long_blink")
    bed.wait(0.5)
    bed.make("nod")
    assert sent(bed) == []
    assert stage(bed) == ("confirming", "emergency")


def test_a_lapsed_emergency_gives_the_scale_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A misread long blink on the scale costs "Emergency?" for its 10 s, then the scale."""
    bed = on_the_scale(tmp_path, monkeypatch)
    bed.make("long_blink")
    bed.wait(13.0)
    view = bed.service.menu.view(bed.t())
    assert (view.stage, view.highlighted, view.resumed) == ("scale", "pain", True)
    assert sent(bed) == []


def test_a_long_blink_ends_another_confirmation_and_asks_for_the_emergency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With "Cancel Water?" on screen the long blink was ignored until it lapsed, about 10 s
    (rev45b3). Now it is ended, reported as given up for the emergency (the window says
    "Not cancelled" after the emergency's prompt), and the water is not cancelled."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.until_offered("water")
    bed.make("nod")
    bed.until_offered(CANCEL_REQUEST)
    bed.make("nod")
    assert stage(bed) == ("confirming", CANCEL_REQUEST)
    events = heard(bed)
    bed.make("long_blink")
    assert stage(bed) == ("confirming", "emergency")
    ended = [e for e in events if isinstance(e, ev.SelectionCancelled)]
    assert [(e.intent, e.reason) for e in ended] == [(CANCEL_REQUEST, "emergency")]
    bed.wait(2.5)
    bed.make("nod")
    assert sent(bed) == [("water", None), ("emergency", None)]
    assert bed.sent("cancel") == []


def test_a_long_blink_ends_a_spoken_request_waiting_for_its_yes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spoken request waits for its yes: the long blink did nothing for 11.7 s (rev45b3).
    Now "Emergency?" at once, and the voice worker is told to drop the spoken request."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.wait(1.0)
    bed.service.handle(VoiceProposal(waiting=True))
    bed.tick()
    events = heard(bed)
    bed.make("long_blink")
    assert stage(bed) == ("confirming", "emergency")
    assert any(isinstance(e, ev.SpokenRequestDropped) for e in events)
    bed.wait(2.5)
    bed.make("nod")
    assert sent(bed) == [("emergency", None)]


def test_over_a_question_a_long_blink_ends_the_spoken_request_waiting_behind_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question on screen and a spoken request waiting: the long blink did nothing and the
    emergency waited 10.5 s (rev45b3). Now the question is put aside as for any call, the
    spoken request is ended (the voice worker told), and a nod after the 2 s wait sends the
    emergency."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.wait(2.0)
    bed.service.handle(VoiceProposal(waiting=True))
    bed.wait(0.5)
    bed.ask("Do you want the light off?")
    bed.wait(0.5)
    assert bed.service.question is not None
    events = heard(bed)
    bed.make("long_blink")
    assert bed.service.question is None
    assert stage(bed) == ("confirming", "emergency")
    assert any(isinstance(e, ev.SpokenRequestDropped) for e in events)
    bed.wait(2.5)
    bed.make("nod")
    assert sent(bed) == [("emergency", None)]


def spoken(bed: Bed, intent: str) -> VoiceWorker:
    """The real host and voice worker (not started) on the bed's service: the worker's
    dialogue proposes ``intent`` as if heard (default policy: an emergency is sent after 3 s
    unless declined); what the host posts is handled as the service's loop would."""
    host = BedsideHost(bed.service, mic=MicSpec("en"))
    worker = VoiceWorker("en", bed.service.handle)
    worker.listeners.extend(host.voice_listeners)
    host.voice = worker
    worker._apply(worker.dialogue.on_intent(intent, 0.0, intent))
    settle(bed)
    return worker


def settle(bed: Bed) -> None:
    while not bed.service.inbox.empty():
        bed.service.handle(bed.service.inbox.get_nowait())
    bed.tick()


def spoken_for(bed: Bed, worker: VoiceWorker, seconds: float) -> None:
    """``seconds`` pass for the bed and for the voice worker's clock alike."""
    for _ in range(round(seconds / 0.1)):
        bed.wait(0.1)
        worker._t += 0.1
        worker._apply(worker.dialogue.tick(worker._t))
        settle(bed)


@pytest.mark.parametrize("blink_at", [0.5, 1.5, 2.5])
def test_a_long_blink_while_a_spoken_emergency_waits_sends_it_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blink_at: float
) -> None:
    """The patient SAID "emergency" (sent by itself after 3 s unless declined) and long-blinks:
    the blink ended the spoken emergency for its own "Emergency?", which needed a nod; still,
    nothing was sent, and "Not sent: Emergency." was said (rev45e BLOCKER). Now the blink is
    the spoken emergency's yes: exactly one emergency, at the blink (3.0 s without it), no
    "Emergency?" left on screen, nothing said not sent."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.wait(2.0)
    events = heard(bed)
    worker = spoken(bed, "emergency")
    closed: list[object] = []
    worker.listeners.append(closed.append)
    spoken_for(bed, worker, blink_at)
    bed.make("long_blink")
    settle(bed)
    assert sent(bed) == [("emergency", None)], "sent at the blink"
    spoken_for(bed, worker, 12.0)
    assert sent(bed) == [("emergency", None)]
    assert not [c for c in closed if isinstance(c, Closed)]
    assert not any(isinstance(e, ev.SpokenRequestDropped | ev.ConfirmNeeded) for e in events)
    assert stage(bed)[0] != "confirming"


def test_over_a_question_a_long_blink_sends_the_spoken_emergency_and_leaves_the_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spoken emergency waits behind a nurse's question: the blink put the question aside
    and dropped the spoken emergency for a gesture's "Emergency?" (rev45e). Now it sends the
    spoken emergency, once, and the question stays on screen for its answer."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.wait(2.0)
    worker = spoken(bed, "emergency")
    bed.ask("Do you want the light off?")
    spoken_for(bed, worker, 0.5)
    assert bed.service.question is not None
    bed.make("long_blink")
    settle(bed)
    assert sent(bed) == [("emergency", None)]
    assert bed.service.question is not None
    spoken_for(bed, worker, 5.0)
    assert sent(bed) == [("emergency", None)]


def made_before(bed: Bed, gesture: str, before_s: float, reported_after_s: float) -> None:
    """A long blink now; ``gesture`` was made ``before_s`` before it and is reported
    ``reported_after_s`` after it (nods are held back, ``GestureEvent.made``)."""
    t = bed.t()
    bed.service.handle(Gesture("long_blink", t, 0.9, made=t - 1.0))
    bed.tick()
    bed.service.handle(Gesture(gesture, t + reported_after_s, 0.9, made=t - before_s))
    bed.tick()


def test_a_nod_made_for_the_cancel_before_the_long_blink_cancels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Cancel Water?" ready; the nod for it made 0.3 s before the long blink is reported
    0.05 s after it: it was lost ("Kept: Water.", and too soon for "Emergency?"; main sent
    the cancel, rev45e). Now it cancels the water, and "Emergency?" stays, sent by a nod
    once it is ready again."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.until_offered("water")
    bed.make("nod")
    bed.until_offered(CANCEL_REQUEST)
    bed.make("nod")
    bed.wait(2.5)
    made_before(bed, "nod", 0.3, 0.05)
    assert len(bed.sent("cancel")) == 1
    assert stage(bed) == ("confirming", "emergency")
    bed.wait(2.5)
    bed.make("nod")
    assert sent(bed) == [("water", None), ("emergency", None)]


def test_a_number_nodded_before_the_long_blink_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the scale, the nod for the number on offer made just before the long blink and
    reported after it: the pain goes at that number, "Emergency?" stays, and the scale does
    not come back after it."""
    bed = on_the_scale(tmp_path, monkeypatch)
    while bed.service.menu.view(bed.t()).level != 3:
        bed.wait(0.1)
    bed.wait(0.3)
    level = bed.service.menu.view(bed.t()).level
    made_before(bed, "nod", 0.2, 0.05)
    assert sent(bed) == [("pain", level)]
    assert stage(bed) == ("confirming", "emergency")
    bed.wait(2.5)
    bed.make("nod")
    bed.wait(6.0)
    assert sent(bed) == [("pain", level), ("emergency", None)]
    assert stage(bed)[0] != "scale"


def microphone_failed_with(bed: Bed, intent: str, policy: DialoguePolicy) -> BedsideHost:
    """The real host supervising a real voice worker whose dialogue proposed ``intent`` (as
    if heard) when its microphone failed (this machine has none, as a tablet whose
    microphone broke); the host notices and starts another worker. The workers' posts are
    handled as the service's loop would."""
    host = BedsideHost(bed.service, mic=MicSpec("en"), retry_s=0.0)
    worker = VoiceWorker("en", bed.service.post, policy=policy)
    worker.listeners.extend(host.voice_listeners)
    worker._apply(worker.dialogue.on_intent(intent, 0.0, intent))
    settle(bed)
    assert bed.service.menu.listening
    host.voice = worker.start()
    assert worker.finished.wait(60.0) and worker.error is not None
    host.supervise(bed.now)
    assert host.voice is not worker, "replaced"
    settle(bed)
    return host


def test_a_spoken_emergency_waiting_when_the_microphone_fails_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spoken emergency is sent by itself after 3 s unless the patient says no; the
    microphone that would hear the no failed: it waited forever, never sent, the menu
    listening, and every long blink after the new microphone started was swallowed as its
    yes (rev46e). Now it is sent when the failure is noticed, and a long blink after it is
    the menu's again ("Emergency?")."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.wait(2.0)
    host = microphone_failed_with(bed, "emergency", DialoguePolicy())
    try:
        assert sent(bed) == [("emergency", None)]
        assert not bed.service.menu.listening
        bed.wait(20.0)
        bed.make("long_blink")
        settle(bed)
        assert stage(bed) == ("confirming", "emergency")
    finally:
        host.stop()


def test_after_a_microphone_restart_a_long_blink_asks_for_the_emergency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spoken emergencies confirmed like any request: the one waiting when the microphone
    failed is ended (nobody can say its yes), and the long blink 20 s later, 2 s, or 600 s,
    sent nothing (rev46e). Now it asks "Emergency?" and the nod sends it."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.wait(2.0)
    host = microphone_failed_with(bed, "emergency", DialoguePolicy(emergency="confirm"))
    try:
        assert sent(bed) == []
        assert not bed.service.menu.listening
        bed.wait(20.0)
        bed.make("long_blink")
        settle(bed)
        assert stage(bed) == ("confirming", "emergency")
        bed.wait(2.5)
        bed.make("nod")
        settle(bed)
        assert sent(bed) == [("emergency", None)]
    finally:
        host.stop()


def emergency_waits_for_its_yes(bed: Bed, host: BedsideHost, worker: VoiceWorker) -> None:
    """The worker, with the host's listeners, proposes the emergency as if heard, and 1 s
    passes: the spoken emergency waits for its yes when the test's race begins."""
    worker.listeners.extend(host.voice_listeners)
    worker._apply(worker.dialogue.on_intent("emergency", 0.0, "emergency"))
    settle(bed)
    bed.wait(1.0)


def test_a_long_blink_as_the_failed_microphone_is_noticed_still_sends_its_emergency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The host marked the failed worker, then ended its proposal; a long blink handled on
    the service thread between the two found no worker to confirm it, the gesture's "drop"
    closed the spoken emergency, and the end sent nothing: "Not sent: Emergency." instead of
    the emergency sent when the failure is noticed (rev46e2 race_replace). Now the proposal
    ends first. The interleaving is forced: the blink is handled as ``end_proposal`` is
    called."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.wait(2.0)
    host = BedsideHost(bed.service, mic=MicSpec("en"), retry_s=0.0)
    worker = VoiceWorker("en", bed.service.post)
    closed: list[str] = []
    worker.listeners.append(lambda a: closed.append(a.why) if isinstance(a, Closed) else None)
    emergency_waits_for_its_yes(bed, host, worker)
    host.voice = worker.start()
    assert worker.finished.wait(60.0) and worker.error is not None
    end_proposal = worker.end_proposal

    def blink_then_end() -> None:
        bed.make("long_blink")
        settle(bed)
        end_proposal()

    monkeypatch.setattr(worker, "end_proposal", blink_then_end)
    try:
        host.supervise(bed.now)
        settle(bed)
        assert "dropped" not in closed
        assert sent(bed) == [("emergency", None)]
    finally:
        host.stop()


def test_a_long_blink_after_the_spoken_emergency_was_declined_asks_for_the_emergency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The patient said no to the spoken emergency as the camera's long blink was already
    queued for the service: the blink, handled first, was taken as the yes of a proposal
    that was gone, and nothing was sent (rev46e race_declined). Now the voice worker says it
    confirmed nothing and the blink asks "Emergency?"."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.wait(2.0)
    host = BedsideHost(bed.service, mic=MicSpec("en"))
    worker = VoiceWorker("en", bed.service.post)
    host.voice = worker
    emergency_waits_for_its_yes(bed, host, worker)
    bed.service.post(Gesture("long_blink", bed.t(), 0.9))
    worker._apply(worker.dialogue.on_answer("no", 1.0))
    settle(bed)
    assert stage(bed) == ("confirming", "emergency")
    bed.wait(2.5)
    bed.make("nod")
    assert sent(bed) == [("emergency", None)]
