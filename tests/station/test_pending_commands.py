"""A nurse's commands are kept until the unit's queue shows them done, and sent again meanwhile
(``station.feed.PendingCommands``): acknowledgements and resolutions, and questions too. A
question lost in a broker restart was never asked, and the window said nothing."""

from __future__ import annotations

from beckon.messaging import protocol as p
from beckon.station.feed import ASK, PendingCommands


def queue(*questions: p.QuestionView) -> p.UnitQueue:
    return p.UnitQueue("gh", "icu", p.now_iso(), questions=questions)


def question(question_id: str) -> p.QuestionView:
    return p.QuestionView(question_id, "5", "Are you in pain?", "Nurse Kim", p.now_iso())


def test_a_question_is_sent_again_until_the_queue_lists_it() -> None:
    pending = PendingCommands()
    qid = p.new_request_id()
    pending.add(qid, qid, ASK, b"ask")
    pending.settle(queue(), whole=True)  # a whole queue without it: not asked yet
    assert qid in pending
    assert [c.payload for c in pending.due(older_than_s=0)] == [b"ask"]
    pending.settle(queue(question(p.new_request_id())), whole=True)  # someone else's question
    assert qid in pending
    pending.settle(queue(question(qid)), whole=True)
    assert qid not in pending
    assert pending.due(older_than_s=0) == []


def test_a_question_never_listed_is_given_up_after_a_questions_time() -> None:
    """The station drops an ask older than a question's time, so sending it on is pointless."""
    pending = PendingCommands()
    qid = p.new_request_id()
    pending.add(qid, qid, ASK, b"ask")
    pending.items[qid].added -= p.QUESTION_TIMEOUT_S - 1
    pending.settle(queue(), whole=True)
    assert qid in pending
    pending.items[qid].added -= 2
    pending.settle(queue(), whole=True)
    assert qid not in pending


def test_an_acknowledgement_still_settles_by_its_requests_state() -> None:
    pending = PendingCommands()
    rid = p.new_request_id()
    pending.add(p.new_request_id(), rid, "acknowledge", b"ack")
    view = p.RequestView(rid, "gh", "icu", "5", "water", "routine", "touch", "received",
                         p.now_iso(), p.now_iso())  # fmt: skip
    pending.settle(p.UnitQueue("gh", "icu", p.now_iso(), requests=(view,)), whole=True)
    assert len(pending.items) == 1
    done = p.RequestView(rid, "gh", "icu", "5", "water", "routine", "touch", "acknowledged",
                         p.now_iso(), p.now_iso())  # fmt: skip
    pending.settle(p.UnitQueue("gh", "icu", p.now_iso(), requests=(done,)), whole=True)
    assert pending.items == {}
