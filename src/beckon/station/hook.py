"""The escalation hook: tells something outside the station (a pager gateway, a phone system)
that a call escalated, so an escalation reaches a person and not only a screen.

Two ways, either or both, set in ``[escalation]``: ``hook_url`` receives an HTTP POST of a
small JSON document; ``hook_command`` is run with the same JSON on its standard input. Both run
on a worker thread with a time limit, so a slow pager gateway never delays the station's
handling of calls; a failure is logged loudly (``ESCALATION HOOK FAILED``) and never stops the
station. Only the bed, the intent and the level travel: no patient name (beds are places).

A delivery that fails is sent again by the station (``StationService._after_pages``) while the
call stays open at that level, and a level whose page was never confirmed is paged again after
a restart: a page may arrive twice, never not at all.
"""

from __future__ import annotations

import http.client
import json
import logging
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from beckon.config import EscalationConfig
from beckon.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EscalationNotice:
    """What the hook receives (as JSON): one call that went up a level."""

    site: str
    unit: str
    bed: str
    request_id: str
    intent: str
    priority: str
    level: int
    reason: str
    at: str
    kind: str = "escalation"

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode("utf-8")


def check_hook(cfg: EscalationConfig, source: str) -> None:
    """Refuse a hook that can never work, at start-up, naming the key and what to do."""
    if cfg.hook_url:
        parts = urlsplit(cfg.hook_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"{source}: escalation.hook_url is {cfg.hook_url!r}; expected an http:// or "
                "https:// URL with a host",
                'for example hook_url = "https://pager.example.org/beckon"',
            )
    if cfg.hook_timeout_s <= 0:
        raise ConfigError(f"{source}: escalation.hook_timeout_s must be more than 0")


def missing_program(cfg: EscalationConfig) -> str | None:
    """What is wrong when ``hook_command``'s program cannot be run, else None. Not a reason to
    refuse to start: a station without its pager still takes every call (the start-up log
    says so loudly, and ``beckon config check`` calls it an error)."""
    if cfg.hook_command and shutil.which(cfg.hook_command[0]) is None:
        return (
            f"escalation.hook_command runs {cfg.hook_command[0]!r}, which is not a program "
            "this user can run (not found, or not executable); escalations would reach no pager"
        )
    return None


Channel = str
"""Where a notice goes: "url" (the POST) or "command" (the program)."""

Delivered = Callable[[EscalationNotice, frozenset[Channel]], None]
"""Called on the hook's thread when a delivery ends, with the channels that failed (empty: the
notice went everywhere it was to go)."""


class EscalationHook:
    """Delivers :class:`EscalationNotice` s to the configured URL and command."""

    def __init__(self, cfg: EscalationConfig) -> None:
        self.url = cfg.hook_url
        self.command = tuple(cfg.hook_command)
        self.timeout_s = cfg.hook_timeout_s
        self._threads: list[threading.Thread] = []

    @property
    def configured(self) -> bool:
        return bool(self.url or self.command)

    @property
    def channels(self) -> frozenset[Channel]:
        return frozenset(name for name, on in (("url", self.url), ("command", self.command)) if on)

    def send(
        self,
        notice: EscalationNotice,
        done: Delivered | None = None,
        channels: frozenset[Channel] | None = None,
    ) -> None:
        """Start delivering in the background (returns at once); ``done`` hears how it went.
        ``channels`` narrows a retry to those that failed, so a pager that took the notice
        does not get it twice because the other channel failed."""
        if not self.configured:
            return
        to = self.channels if channels is None else channels & self.channels
        self._threads = [t for t in self._threads if t.is_alive()]
        thread = threading.Thread(
            target=self._deliver,
            args=(notice, to, done),
            name="beckon-escalation-hook",
            daemon=True,
        )
        self._threads.append(thread)
        thread.start()

    def close(self, wait_s: float | None = None) -> None:
        """Let deliveries under way finish when the station stops (each is bounded by
        ``hook_timeout_s``): a page cut off by a restart is not sent again, since the new
        level is already stored. The unit's KillMode=mixed keeps systemd from killing the hook
        program itself while the station waits here."""
        deadline = time.monotonic() + (self.timeout_s + 1.0 if wait_s is None else wait_s)
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _deliver(
        self, notice: EscalationNotice, channels: frozenset[Channel], done: Delivered | None
    ) -> None:
        failed: set[Channel] = set()
        try:
            for channel in sorted(channels):
                try:
                    delivered = self._deliver_one(notice, channel)
                except Exception:  # whatever a gateway answers, the page is retried
                    log.exception("ESCALATION HOOK FAILED (level %d for bed %s/%s): %s",
                                  notice.level, notice.unit, notice.bed, channel)  # fmt: skip
                    delivered = False
                if not delivered:
                    failed.add(channel)
        finally:
            # Always told, or the page is never retried: a gateway answering garbage (an
            # http:// hook_url on a TLS port) killed this thread before it said anything.
            if done is not None:
                done(notice, frozenset(failed))

    def _deliver_one(self, notice: EscalationNotice, channel: Channel) -> bool:
        body = notice.to_json()
        what = f"level {notice.level} for bed {notice.unit}/{notice.bed} {notice.intent}"
        if channel == "url":
            request = urllib.request.Request(
                self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                    log.info("escalation hook %s: HTTP %d", what, answer.status)
                    return True
            except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
                log.error("ESCALATION HOOK FAILED (%s): POST %s: %s", what, self.url, exc)
                return False
        try:
            done = subprocess.run(
                self.command,
                input=body,
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.error("ESCALATION HOOK FAILED (%s): %s: %s", what, self.command[0], exc)
            return False
        if done.returncode != 0:
            log.error(
                "ESCALATION HOOK FAILED (%s): %s exited with %d: %s",
                what,
                self.command[0],
                done.returncode,
                done.stderr.decode("utf-8", "replace").strip()[:200],
            )
            return False
        log.info("escalation hook %s: %s ran", what, self.command[0])
        return True
