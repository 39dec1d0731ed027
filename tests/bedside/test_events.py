"""The bedside's events are typed: one frozen dataclass per kind, gathered in one union."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from beckon.bedside import events as ev
from beckon.bedside.interaction import MenuView
from beckon.messaging import mqtt
from beckon.station import events as station_events

SAMPLES: list[ev.BedsideEvent] = [
    ev.MenuChanged(MenuView(("water",), "water", "offering"), 1.0),
    ev.IntentSelected("water", 1.0, "nod"),
    ev.OfferDeclined("water", 1.0, "shake"),
    ev.ConfirmNeeded("nurse", 1.0, "nod"),
    ev.SelectionCancelled("nurse", 1.0, "timeout"),
    ev.PointerMoved("pain", 1.0, "turn_left"),
    ev.RequestSaved("water", "3f2b8c1e-6a4d"),
    ev.RequestSent("3f2b8c1e-6a4d"),
    ev.StateChanged("3f2b8c1e-6a4d", "acknowledged", "Nurse Kim", "water"),
    ev.QuestionAsked("q1", "Are you in pain?", "Nurse Kim"),
    ev.QuestionAnswered("q1", "no"),
    ev.AnswerReceived("q1"),
    ev.QuestionExpired("q1", "Are you in pain?"),
    ev.ConnectionChanged(online=False, request_saved=True),
    ev.StationChanged(online=True),
    ev.Fault("the broker refused a message"),
    ev.AlreadyAsked("water", "3f2b8c1e-6a4d", "received"),
    ev.CancelAsked("water", "3f2b8c1e-6a4d", "gesture"),
    ev.ConfirmTooSoon("nurse", 1.0, "nod"),
    ev.QuestionSetAside("q1", "Are you in pain?"),
    ev.SpokenRequestDropped(1.0),
    ev.SpokenEmergencyBacked(1.0, "emergency"),
]


def test_every_kind_of_bedside_event_is_in_the_union_and_frozen() -> None:
    kinds = typing.get_args(ev.BedsideEvent)
    assert {type(e) for e in SAMPLES} == set(kinds) and len(kinds) == 22
    for e in SAMPLES:
        with pytest.raises(dataclasses.FrozenInstanceError):
            e.__setattr__(dataclasses.fields(e)[0].name, None)


def test_the_log_line_names_the_kind_and_what_matters() -> None:
    lines = [ev.describe(e) for e in SAMPLES]
    assert all(line.startswith(type(e).__name__) for line, e in zip(lines, SAMPLES, strict=True))
    assert "state=acknowledged by=Nurse Kim id=3f2b8c1e" in lines[8]
    assert "request saved, will be sent" in lines[13]


def test_the_link_and_the_station_speak_in_unions_too() -> None:
    assert len(typing.get_args(mqtt.LinkEvent)) == 4
    assert isinstance(mqtt.Message("t", b"x"), mqtt.LinkEvent)
    assert len(typing.get_args(station_events.StationEvent)) == 4
