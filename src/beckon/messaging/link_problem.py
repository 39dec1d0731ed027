"""Why a broker link is not connected, as the link last saw it: ``LinkProblem``.

Why: a station's log line for a unit whose link is down (``StationService._say_links_down``)
is what hospital IT alerts on, and "down" alone sends them to every possible cause. What the
link saw at its last attempt tells which: the broker answered and refused it (credentials,
ACL: the broker's configuration), nothing answered (the broker or the network), or a
connection that worked was lost and is being retried. Each kind has its own remedy."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from enum import Enum

REMIND_S = 60.0
"""How often a link says again that a trouble lasts (``ProblemLog``): once a minute, past the
reconnect back-off's cap (``broker.reconnect_max_s``, 30 s at most): a lasting trouble is one
line a minute however often it is tried (a refusal, once a second before session 51)."""


class LinkTrouble(Enum):
    REFUSED = "refused"
    """The broker answered the CONNECT with a refusal (CONNACK reason code)."""
    UNREACHABLE = "unreachable"
    """No broker answered: no TCP connection, or it closed before any CONNACK."""
    DROPPED = "dropped"
    """A connection the broker had accepted was lost."""
    TLS = "tls"
    """The TLS handshake fails: its detail (``describe_tls_failure``) says why, and what to fix
    (a certificate not trusted, a client certificate missing), not the network."""


@dataclass(frozen=True)
class LinkProblem:
    """The latest reason a link is not connected: set by the link's network thread at each
    failed attempt or loss, cleared by a connection (``MqttLink.problem``)."""

    trouble: LinkTrouble
    detail: str
    """The broker's or the network's own words: "Not authorized (reason code 135)"."""
    reason: str = ""
    """What tells this trouble from another of its kind, whatever the protocol or the attempt:
    a refusal's reason ("Not authorized": its MQTT 5 and 3.1.1 attempts word it apart), a TLS
    failure's detail. Empty for no broker answering and a loss: each is one state however its
    attempts end (refused TCP, closed before an answer)."""

    @property
    def state(self) -> tuple[LinkTrouble, str]:
        """The state ``ProblemLog`` says once: the kind of trouble and its reason."""
        return self.trouble, self.reason

    @property
    def level(self) -> int:
        """How loud its log line is: a refusal and a loss are warnings (the configuration or
        the network), a TLS failure an error (certificates to fix), no broker answering yet
        only information (a broker still starting); a station says any of them at CRITICAL
        once its units go unserved (``StationService._say_links_down``)."""
        if self.trouble is LinkTrouble.TLS:
            return logging.ERROR
        if self.trouble is LinkTrouble.UNREACHABLE:
            return logging.INFO
        return logging.WARNING

    def said(self, url: str, who: str) -> str:
        """Its log line, for the link of ``who`` (client id or user) to ``url``."""
        if self.trouble is LinkTrouble.REFUSED:
            return f"broker {url} refused the connection of {who}: {self.detail}"
        if self.trouble is LinkTrouble.UNREACHABLE:
            return f"broker {url} not reachable yet for {who}: {self.detail}; still trying"
        if self.trouble is LinkTrouble.TLS:
            return f"cannot connect to {url} as {who}: {self.detail}"
        return f"lost connection to {url} ({who}): {self.detail}"

    def cause(self) -> str:
        """What happened, for a log line: "the broker refuses it: Not authorized ..."."""
        if self.trouble is LinkTrouble.REFUSED:
            return f"the broker refuses it: {self.detail}"
        if self.trouble is LinkTrouble.UNREACHABLE:
            return f"no broker answers: {self.detail}"
        if self.trouble is LinkTrouble.TLS:
            return f"TLS fails: {self.detail}"
        return f"lost: {self.detail}"

    def remedy(self, broker_log: str) -> str:
        """What IT should look at for this kind of trouble."""
        if self.trouble is LinkTrouble.REFUSED:
            return (
                "check this station's broker user, password and client id against the "
                f"broker's password file and ACL, and the broker's log ({broker_log})"
            )
        if self.trouble is LinkTrouble.TLS:
            return (
                "fix the certificates this station's [broker] names (ca_file, cert_file, "
                f"key_file) or the broker's: {self.detail}; the broker's log ({broker_log})"
            )
        if self.trouble is LinkTrouble.UNREACHABLE:
            return (
                "check that the broker is running and reachable from this station (its host "
                "and port in [broker] url, a firewall between), and the broker's log "
                f"({broker_log})"
            )
        return (
            "check the network between this station and the broker, and the broker's load "
            f"and log ({broker_log})"
        )


@dataclass(frozen=True)
class ProblemNote:
    """A line ``ProblemLog`` says: the trouble, whether it repeats one said before (a
    reminder), and the failed attempts since that one was said, over how long."""

    problem: LinkProblem
    reminder: bool = False
    attempts: int = 0
    over_s: float = 0.0

    def text(self, url: str, who: str) -> str:
        line = self.problem.said(url, who)
        if not self.reminder:
            return line
        return (
            f"{line} (still: {self.attempts} more failed attempt(s) in {self.over_s:.0f} s; "
            f"said again every {REMIND_S:.0f} s while it lasts)"
        )


class ProblemLog:
    """The one rule for what a link logs about its failed attempts and losses: each new state
    (``LinkProblem.state``) once, then at most a reminder every ``remind_s`` with the count of
    attempts since, and the count once the link connects again.

    Why: a refused link (credentials, ACL) is retried about once a second, and each refusal
    logged a WARNING, with an INFO "not reachable yet" every other attempt, which was false
    (the broker answered and refused); 60 lines a minute hid the one CRITICAL line a station
    logs for its units unserved (session 49). Every callback that sees an attempt fail notes
    it here (``MqttLink._note``), so no call site decides what to say. Thread-safe: paho's
    network thread and the link's negotiator both note."""

    def __init__(self, remind_s: float = REMIND_S) -> None:
        self.remind_s = remind_s
        self._lock = threading.Lock()
        self._state: tuple[LinkTrouble, str] | None = None  # the state noted last
        self._latest: LinkProblem | None = None
        self._first_seen: LinkProblem | None = None  # the state's first attempt, as it showed
        self._said_at: float | None = None  # its line's (or reminder's) time; None: unsaid
        self._attempts = 0  # failed attempts in this state since its line was said
        self._failed = 0  # failed attempts since the last connection
        self._failing_since: float | None = None  # the first of those

    def note(
        self, problem: LinkProblem, now: float, say: bool = True, attempt: bool = True
    ) -> ProblemNote | None:
        """A failed attempt (or a loss: ``DROPPED``, no attempt) showed ``problem``: the line
        to log, if any. ``say`` False holds any line back (a new state's or a reminder),
        counted, until ``confirm``: no broker answering a TLS link may be its handshake
        failing, which the link's next look tells (``describe_tls_failure``); a reminder
        said then read "not reachable yet" 3 ms before the look's TLS ERROR (review rev50s3).
        ``attempt`` False: a look at the handshake, not one of paho's attempts, that tells
        the state; counted, it doubled ``failed`` at the default back-off (review rev50s3)."""
        with self._lock:
            counted = attempt and problem.trouble is not LinkTrouble.DROPPED
            if counted:
                self._failed += 1
                if self._failing_since is None:
                    self._failing_since = now
            self._latest = problem
            if problem.state != self._state:
                self._state, self._said_at, self._attempts = problem.state, None, 0
                self._first_seen = problem
            elif counted:
                self._attempts += 1
            return self._due(now) if say else None

    def confirm(self, now: float) -> ProblemNote | None:
        """The held-back state is what it seemed: its first line if not said yet, or its
        reminder if one is due."""
        with self._lock:
            if self._latest is None:
                return None
            return self._due(now)

    def _due(self, now: float) -> ProblemNote | None:
        """The state's line owed now: its first, a reminder once ``remind_s`` passed, or none."""
        assert self._latest is not None
        if self._said_at is None:
            return self._first(now)
        if now - self._said_at < self.remind_s:
            return None
        note = ProblemNote(self._latest, True, self._attempts, now - self._said_at)
        self._said_at, self._attempts = now, 0
        return note

    def _first(self, now: float) -> ProblemNote | None:
        assert self._latest is not None
        self._said_at, self._attempts = now, 0
        return ProblemNote(self._latest)

    @property
    def state_problem(self) -> LinkProblem | None:
        """The current state as its first attempt showed it (None while no state): what
        a status or health worded from the state says, so that it does not change with each
        attempt's wording (a refusal reads "(reason code 135, MQTTv5)" and "(MQTTv311)" on
        alternate attempts; the loss that began it or the TCP error on the next: review
        rev50s)."""
        with self._lock:
            return self._first_seen

    @property
    def failed(self) -> int:
        """Failed attempts since the link's last connection (or its start)."""
        with self._lock:
            return self._failed

    def connected(self, now: float) -> tuple[int, float] | None:
        """The link connected: the failed attempts since its last connection and over how
        long (None if none failed), and every state is new again."""
        with self._lock:
            failed, since = self._failed, self._failing_since
            self._state, self._latest, self._said_at, self._attempts = None, None, None, 0
            self._first_seen = None
            self._failed, self._failing_since = 0, None
        return None if since is None else (failed, now - since)
