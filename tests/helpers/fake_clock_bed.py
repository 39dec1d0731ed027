"""Bed 12's real bedside service, unlinked, on a fake monotonic clock the test moves in 0.1 s
ticks as the service's loop does (handle an item, then expire, update the menu, ask a waiting
question). Default profile: a nod chooses, a long blink confirms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import beckon.bedside.service as service_module
from beckon.bedside.interaction import CONFIRM_AFTER_S, Interaction
from beckon.bedside.service import BedsideService, Gesture
from beckon.messaging import protocol as p

OFFERED = ("water", "nurse", "emergency")


class Bed:
    """Bed 12 (water, nurse, emergency offered), unlinked, on a clock the test moves."""

    def __init__(
        self, folder: Path, monkeypatch: pytest.MonkeyPatch, offered: tuple[str, ...] = OFFERED
    ) -> None:
        from beckon.config import BedsideConfig, BedsideSettings
        from beckon.messaging.outbox import open_outbox

        self.now = 1000.0
        monkeypatch.setattr(service_module.time, "monotonic", lambda: self.now)
        config = BedsideConfig(
            "gh", "icu", "12", outbox=str(folder / "o.db"), offered_intents=offered
        )
        self.offered = offered
        self.service = BedsideService(BedsideSettings(config))
        self.service.outbox = open_outbox(folder / "o.db")
        self.service.menu.restart_scan(self.t())

    def pointing(self) -> None:
        """The head-pointer mode: a shake moves the pointer on, a nod chooses what it is on."""
        self.service.menu = Interaction(self.offered, mode="pointing", start_t=self.t())

    def calls(
        self,
        scale_intents: tuple[str, ...] = (),
        call: str = "emergency",
        confirm_after_s: float = CONFIRM_AFTER_S,
    ) -> None:
        """A profile with a direct call gesture: a long blink asks for ``call`` (the
        emergency by default) at once (``call:emergency``, deploy/profile.example.toml),
        confirmed by a nod (as the emergency is); the ``scale_intents`` are chosen on a 0-10
        scale; ``confirm_after_s`` as the profile sets it (0 to 5 s)."""
        actions = {"nod": "select", "shake": "next", "long_blink": f"call:{call}"}
        self.service.menu = Interaction(
            self.offered,
            actions,
            start_t=self.t(),
            scale_intents=scale_intents,
            confirm_intents=("emergency", call),
            confirm_after_s=confirm_after_s,
        )
        self.service.menu.restart_scan(self.t())

    def t(self) -> float:
        return self.service.menu_time()

    def tick(self) -> None:
        self.service._expire_question()
        self.service._update_menu()
        self.service._ask_waiting_question()

    def wait(self, seconds: float) -> None:
        for _ in range(round(seconds / 0.1)):
            self.now += 0.1
            self.tick()

    def make(self, gesture: str) -> None:
        self.service.handle(Gesture(gesture, self.t(), 0.9, made=self.t()))
        self.tick()

    def until_offered(self, intent: str) -> None:
        for _ in range(600):
            view = self.service.menu.view(self.t())
            if view.stage == "offering" and view.highlighted == intent:
                return
            self.wait(0.1)
        raise AssertionError(f"{intent} never offered")

    def ask(self, text: str, asked_s_ago: float = 0.0) -> p.Question:
        """A nurse asks ``text`` now (or ``asked_s_ago``: it expires that much sooner)."""
        at = p.to_iso(datetime.now(UTC) - timedelta(seconds=asked_s_ago))
        q = p.Question(p.new_request_id(), "gh", "icu", "12", text, "Kim", at)
        self.service._on_message(self.service.address.topic("question"), p.encode(q))
        return q

    def sent(self, kind: str) -> list[p.Message]:
        assert self.service.outbox is not None
        return [
            p.decode(e.payload) for e in self.service.outbox.pending() if e.key.startswith(kind)
        ]
