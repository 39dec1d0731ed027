"""A nurse who asks two questions in a row gets both answered, in order: the second waits
until the first is answered or expires (it used to replace the first, whose answer the nurse
then waited for in vain), and comes a moment later so that one nod answers one question."""

from __future__ import annotations

from pathlib import Path

import pytest

import beckon.bedside.service as service_module
from beckon.bedside.service import BedsideService
from beckon.messaging import protocol as p
from tests.helpers.rig import unlinked_bedside


def ask(service: BedsideService, text: str) -> p.Question:
    q = p.Question(p.new_request_id(), "gh", "icu", "12", text, "Kim", p.now_iso())
    service._on_message(service.address.topic("question"), p.encode(q))
    return q


def answered(service: BedsideService) -> list[tuple[str, str]]:
    assert service.outbox is not None
    answers = [p.decode(e.payload) for e in service.outbox.pending() if e.key.startswith("answer")]
    return [(a.question_id, a.answer) for a in answers if isinstance(a, p.Answer)]


def test_a_second_question_waits_for_the_first_answer_and_then_comes(tmp_path: Path) -> None:
    service = unlinked_bedside(tmp_path)
    cold = ask(service, "Are you cold?")
    pain = ask(service, "Are you in pain?")
    assert service.question == cold, "the first stays on screen"
    ask(service, "Are you in pain?")  # the same text again is another question
    service.answer("yes", "gesture")
    service._ask_waiting_question()
    assert service.question is None, "not at once: the nod that answered could answer again"
    service._next_question_at = 0.0
    service._ask_waiting_question()
    assert service.question == pain
    service.answer("no", "voice")
    assert answered(service) == [(cold.id, "yes"), (pain.id, "no")]


def test_a_question_asked_again_while_waiting_is_queued_once(tmp_path: Path) -> None:
    service = unlinked_bedside(tmp_path)
    ask(service, "Are you cold?")
    pain = ask(service, "Are you in pain?")
    service._on_message(service.address.topic("question"), p.encode(pain))  # came back online
    assert list(service._questions_waiting) == [pain.id]


def test_a_waiting_question_that_expired_meanwhile_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = unlinked_bedside(tmp_path)
    ask(service, "Are you cold?")
    pain = ask(service, "Are you in pain?")
    question, _ = service._questions_waiting[pain.id]
    service._questions_waiting[pain.id] = (question, 0.0)  # its time ran out while waiting
    service._question_until = 0.0
    service._expire_question()
    monkeypatch.setattr(service_module, "NEXT_QUESTION_AFTER_S", 0.0)
    service._next_question_at = 0.0
    service._ask_waiting_question()
    assert service.question is None and not service._questions_waiting
