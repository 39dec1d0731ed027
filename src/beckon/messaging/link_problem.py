"""Why a broker link is not connected, as the link last saw it: ``LinkProblem``.

Why: a station's log line for a unit whose link is down (``StationService._say_links_down``)
is what hospital IT alerts on, and "down" alone sends them to every possible cause. What the
link saw at its last attempt tells which: the broker answered and refused it (credentials,
ACL: the broker's configuration), nothing answered (the broker or the network), or a
connection that worked was lost and is being retried. Each kind has its own remedy."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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
