"""Checks that need the broker: reachable with TLS and these credentials, the clock agrees
with the other side's, and the other side (the station, or the beds) is there.

The probe is one short MQTT connection (clean session, its own client id), made once: it never
reconnects (see ``probe_broker``). The shipped broker replaces every client id with the username,
so the probe is the device as far as the broker is concerned, and each connection it makes would
take the session of a device running with the same credentials.
"""

from __future__ import annotations

import ipaddress
import logging
import ssl
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from beckon.config import BrokerConfig
from beckon.doctor import Check, failed, passed, skipped
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import BROKER_LOG, stop_network, suback_refused

log = logging.getLogger(__name__)

# Requests carry the tablet's clock and escalation counts from it; a few seconds are harmless.
CLOCK_TOLERANCE_S = 5.0
_NTP_FIX = (
    "turn on time synchronisation (chrony or systemd-timesyncd: timedatectl set-ntp true) on "
    "this machine and the other side"
)


@dataclass(frozen=True)
class Heard:
    """A message the probe received, with this machine's clock when it arrived."""

    topic: str
    payload: bytes
    retained: bool
    received: float  # time.time()


NO_CONNECTION = "no broker connection"
UNCONFIRMED = "subscription not confirmed (see the broker check)"
CLOSED = "connection closed during the check (see the broker check)"


@dataclass
class ProbeResult:
    check: Check
    heard: list[Heard] = field(default_factory=list)
    unheard: str = NO_CONNECTION
    """Why nothing was heard, for the checks that then cannot be made: NO_CONNECTION,
    UNCONFIRMED when the probe connected but the broker did not confirm its subscription, or
    CLOSED when the connection was closed during the listen window (what it heard is partial)."""

    @property
    def connected(self) -> bool:
        return self.check.outcome == "pass"


CONNACK_WAIT_S = 10.0
"""How long a probe waits for the broker's answer to its CONNECT."""

SUBACK_WAIT_S = 10.0
"""How long a probe waits for the broker's answer to its SUBSCRIBE (SUBACK) before it listens.

Why wait at all: the broker delivers the retained statuses and the live heartbeats only once
it has taken the subscription, so a listen window started at SUBSCRIBE heard nothing for as
long as the SUBACK took, and a live bed was reported silent or never connected. Why 10 s: the
same bound as CONNACK_WAIT_S, since a broker that has just answered CONNECT answers SUBSCRIBE at
once unless it is badly loaded or the link is slow; a SUBACK seconds late is still worth
waiting for (a false "bed not reporting" costs IT a walk to the ward), while one later than
this means the broker is too slow to judge anything by, which is itself the fault to report.
The probe's keep-alive is tied to it (``probe_keepalive``)."""


def probe_keepalive(listen_s: float) -> int:
    """The probe connection's keep-alive: longer than the whole probe after CONNACK (the wait
    for the SUBACK, then the listen window), so that paho never pings during it. The broker
    answers a client's packets in order, so a SUBACK late by most of SUBACK_WAIT_S holds the
    PINGRESP back as long; with a keep-alive shorter than the wait, paho would drop the
    connection for the missing PINGRESP and the check say "the connection closed" instead of
    "did not confirm the subscription"."""
    return max(10, int(SUBACK_WAIT_S + listen_s) + 5)


def probe_broker(
    broker: BrokerConfig,
    client_id: str,
    subscriptions: list[str],
    listen_s: float,
    stop: threading.Event | None = None,
) -> ProbeResult:
    """Connect as the service would (same URL, TLS files and credentials), subscribe, and
    listen for ``listen_s`` seconds. Every way of failing gets its own detail and fix.

    ``stop`` (a service's SIGTERM) ends the waits at once: a station service stopped while
    its start-up check waited for a broker that did not answer sat out the 10 s first.

    One CONNECT, never a second. paho's network thread reconnected by itself about a second
    after a connection dropped (``reconnect_on_failure``) while the listen window ran on. The
    shipped broker binds client ids to usernames, so that reconnect took the session of the
    real device running with the same credentials (a bed on another tablet, a station
    elsewhere, the service itself just started): the device reconnected and threw the probe
    off, the probe reconnected again, for the rest of the window; a diagnostic disturbed the
    service it checks. Anonymous, it was one more client in the broker's log. The waits for
    the CONNACK and the SUBACK ended at a drop, but only the race with the network thread's
    stop kept them from reconnecting, and a thread ``stop_network`` gave up on (held in a DNS
    lookup) would have gone on reconnecting for the life of the process (a station's). So
    paho never reconnects here, and a drop at any point ends the probe with the message it
    gave before (closed before the CONNACK, before the SUBACK, or during the window: CLOSED)."""
    stop = stop if stop is not None else threading.Event()
    name = "broker"
    where = broker.url
    if not broker.tls and not _is_loopback(broker.host):
        return ProbeResult(
            failed(
                name,
                f"{where} is plain MQTT across the network: passwords and calls travel unencrypted",
                "use mqtts://HOST:8883 and set ca_file (deploy/mosquitto/README.md)",
            )
        )
    try:
        password = broker.resolved_password()
    except OSError as exc:
        return ProbeResult(
            failed(
                name,
                f"cannot read password_file {broker.password_file}: {exc.strerror}",
                "install the password file (mode 0640, group beckon) or fix password_file",
            )
        )
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=MQTTProtocolVersion.MQTTv5,
        # One CONNECT, never a second (see above).
        reconnect_on_failure=False,
    )
    if broker.username:
        client.username_pw_set(broker.username, password or None)
    if broker.tls:
        try:
            client.tls_set(
                ca_certs=broker.ca_file or None,
                certfile=broker.cert_file or None,
                keyfile=broker.key_file or None,
                tls_version=ssl.PROTOCOL_TLS_CLIENT,
            )
        except (OSError, ssl.SSLError) as exc:
            return ProbeResult(
                failed(
                    name,
                    f"cannot load the TLS files (ca_file, cert_file, key_file): {exc}",
                    "check the paths in [broker] and that the service user may read them",
                )
            )
    connack = threading.Event()
    suback = threading.Event()
    closed = threading.Event()
    outcome: dict[str, Any] = {}
    heard: list[Heard] = []
    lock = threading.Lock()

    def on_connect(c: paho.Client, u: Any, flags: Any, reason: Any, props: Any) -> None:
        outcome["reason"] = reason
        connack.set()

    def on_disconnect(c: paho.Client, u: Any, flags: Any, reason: Any, props: Any) -> None:
        outcome.setdefault("dropped", reason)
        closed.set()
        connack.set()

    def on_subscribe(c: paho.Client, u: Any, mid: int, reasons: list[Any], props: Any) -> None:
        outcome.setdefault("granted", {})[mid] = reasons
        suback.set()

    def on_message(c: paho.Client, u: Any, msg: paho.MQTTMessage) -> None:
        with lock:
            heard.append(Heard(msg.topic, bytes(msg.payload), bool(msg.retain), time.time()))

    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    client.on_message = on_message
    client.on_subscribe = on_subscribe
    try:
        client.connect(broker.host, broker.port, keepalive=probe_keepalive(listen_s))
    except ssl.SSLCertVerificationError as exc:
        return ProbeResult(
            failed(
                name,
                f"{where}: the broker's certificate is not trusted ({exc.verify_message})",
                "set ca_file to the CA that signed the broker's certificate, and make sure the "
                "certificate names the host in the url",
            )
        )
    except ssl.SSLError as exc:
        return ProbeResult(failed(name, f"{where}: TLS failed ({exc.reason or exc})", _TLS_FIX))
    except (ConnectionRefusedError, TimeoutError) as exc:
        return ProbeResult(
            failed(
                name,
                f"{where}: nothing answers ({exc.__class__.__name__})",
                "check the broker runs (systemctl status mosquitto), the port, and the firewall "
                "(outbound TCP to the broker)",
            )
        )
    except OSError as exc:
        return ProbeResult(
            failed(name, f"{where}: {exc}", "check the host name in url and the network")
        )
    client.loop_start()
    try:
        deadline = time.monotonic() + CONNACK_WAIT_S
        while not connack.wait(0.1) and time.monotonic() < deadline:
            if stop.is_set():
                return ProbeResult(failed(name, f"{where}: stopped before the broker answered", ""))
        if not connack.is_set():
            return ProbeResult(
                failed(name, f"{where}: no answer to CONNECT in {CONNACK_WAIT_S:g} s", _TLS_FIX)
            )
        reason = outcome.get("reason")
        if reason is None or reason.is_failure:
            if reason is None:
                detail = f"{where} closed the connection before accepting it"
                fix = _TLS_FIX
                # TLS 1.3: a refused client certificate shows only now; say which it was.
                from beckon.messaging import mqtt

                problem = mqtt.describe_tls_failure(broker)
                if problem and problem.startswith(mqtt.NO_CLIENT_CERT):
                    detail, fix = f"{where}: {mqtt.NO_CLIENT_CERT}", mqtt.CLIENT_CERT_FIX
                elif problem:
                    detail = f"{where}: {problem}"
            else:
                detail = f"{where} refused {broker.username or 'anonymous'}: {reason}"
                fix = (
                    "check username and password (or password_file) against the broker's "
                    "password file; re-run `beckon provision` for this device if unsure"
                )
            return ProbeResult(failed(name, detail, fix))
        tls = ""
        sock = client.socket()
        if broker.tls and isinstance(sock, ssl.SSLSocket):
            tls = f" over {sock.version()}"
        user = broker.username or "anonymous"
        if subscriptions:
            unconfirmed = _subscribe(client, subscriptions, suback, outcome, stop)
            # Thrown off before the SUBACK with a username: the take-over said below.
            if unconfirmed is not None and not (unconfirmed == ("dropped",) and broker.username):
                return ProbeResult(
                    _subscription_failed(unconfirmed, f"{where}{tls}", user), unheard=UNCONFIRMED
                )
        _listen(listen_s, stop, closed)
        with lock:
            got = list(heard)
        if "dropped" in outcome and broker.username:
            # The shipped broker binds client ids to usernames: a newer connection with the
            # same user closes this one. Seen from here, that is what a second device with
            # these credentials does to the real one (DUPLICATE BED / DUPLICATE STATION).
            return ProbeResult(
                failed(
                    name,
                    f"connected to {where}{tls} as {user}, then the broker closed the "
                    f"connection during the check: most likely another client connected as "
                    f"{user} (the service itself reconnecting, or a second device with these "
                    "credentials: DUPLICATE BED or DUPLICATE STATION in its log), else a "
                    "broker or network restart",
                    "give every device its own credentials (beckon provision); run the check "
                    "again, and if it repeats look for a second device using them, then at the "
                    f"broker log ({BROKER_LOG})",
                ),
                got,
                unheard=CLOSED,
            )
        if "dropped" in outcome:
            # Anonymous (the demo's broker): no take-over to name, but the window was cut short,
            # so a bed or station it did not hear may have spoken after the close.
            return ProbeResult(
                failed(
                    name,
                    f"connected to {where}{tls} as {user}, then the connection was closed "
                    "during the check (by the broker or the network, or by a second check "
                    "running at the same time for this device)",
                    f"check the broker log ({BROKER_LOG}) and the network, then run the "
                    "check again",
                ),
                got,
                unheard=CLOSED,
            )
        return ProbeResult(passed(name, f"connected to {where}{tls} as {user}"), got)
    finally:
        client.disconnect()
        stop_network(client, client_id)  # a held network thread must not hang the doctor


def _listen(listen_s: float, stop: threading.Event, closed: threading.Event) -> None:
    """The listen window: ``listen_s`` seconds, ended early by ``stop`` or by the connection's
    close (``closed``). Why at the close: what the window heard is then judged as cut
    (``CLOSED``) whatever follows, and waiting on would only hold the doctor (or a station's
    start) for nothing; the probe does not reconnect to make up for it (``probe_broker``)."""
    deadline = time.monotonic() + listen_s
    while not closed.is_set() and not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        closed.wait(min(left, 0.1))


def _subscribe(
    client: paho.Client,
    topics: list[str],
    suback: threading.Event,
    outcome: dict[str, Any],
    stop: threading.Event,
) -> tuple[str, ...] | None:
    """Subscribe to ``topics`` and wait (up to SUBACK_WAIT_S) for the broker to take them: None
    when it granted every one, else what went wrong: ("late",), ("stopped",), ("dropped",) or
    ("refused", topic, ...) with the topics it refused (granted QoS 0x80 or an MQTT 5
    failure reason such as 0x87 "not authorised")."""
    result, mid = client.subscribe([(t, 1) for t in topics])
    if result != paho.MQTT_ERR_SUCCESS:
        return ("dropped",)
    deadline = time.monotonic() + SUBACK_WAIT_S
    while not suback.wait(0.1):
        if stop.is_set():
            return ("stopped",)
        if "dropped" in outcome:
            return ("dropped",)
        if time.monotonic() >= deadline:
            return ("late",)
    reasons = outcome.get("granted", {}).get(mid, [])
    refused = [t for t, r in zip(topics, reasons, strict=False) if suback_refused(r)]
    if refused or len(reasons) != len(topics):
        return ("refused", *(refused or topics))
    return None


def _subscription_failed(problem: tuple[str, ...], where: str, user: str) -> Check:
    """The broker check's failure for a subscription the broker did not confirm: nothing may be
    judged from a window that could hear nothing (a live bed reported silent)."""
    kind, *topics = problem
    if kind == "refused":
        return failed(
            "broker",
            f"connected to {where} as {user}, but the broker refused the subscription to "
            f"{', '.join(topics)} for {user}",
            f"check the ACL on the broker (/etc/mosquitto/acl, deploy/mosquitto/acl) grants "
            f"{user} read on those topics, and that this device's site and unit are the ones "
            "provisioned for it; reload Mosquitto after a change",
        )
    if kind == "late":
        return failed(
            "broker",
            f"connected to {where} as {user}, but the broker did not confirm the "
            f"subscription within {SUBACK_WAIT_S:g} s: nothing heard can be trusted",
            "the broker or the link to it is overloaded: check the broker host's load and "
            f"log ({BROKER_LOG}) and the network, then run the check again",
        )
    if kind == "stopped":
        return failed("broker", f"{where}: stopped before the subscription was confirmed", "")
    return failed(
        "broker",
        f"connected to {where} as {user}, then the connection closed before the broker "
        "confirmed the subscription",
        f"run the check again; if it repeats, check the broker log ({BROKER_LOG}) for why "
        "it closed the connection",
    )


_TLS_FIX = (
    "if the broker requires client certificates, set cert_file and key_file; check the broker "
    f"log ({BROKER_LOG}) for the reason"
)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------- what was heard


@dataclass(frozen=True)
class Stamp:
    """A time the other side put in a message, and when it arrived here."""

    who: str
    at: float  # the other side's clock, seconds since the epoch
    received: float  # this machine's clock
    retained: bool


def stamps(heard: list[Heard]) -> list[Stamp]:
    out = []
    for h in heard:
        if not h.payload:
            continue
        try:
            msg = p.decode(h.payload)
        except p.ProtocolError:
            continue
        at = getattr(msg, "at", None)
        if not isinstance(at, str):
            continue
        who = _who(msg)
        out.append(Stamp(who, p.parse_iso(at).timestamp(), h.received, h.retained))
    return out


def _who(msg: object) -> str:
    if isinstance(msg, p.StationStatus):
        return f"station {msg.name}"
    if isinstance(msg, p.BedStatus):
        return f"bed {msg.bed}"
    return type(msg).__name__


def check_clock(heard: list[Heard], tolerance_s: float = CLOCK_TOLERANCE_S) -> Check:
    """Compare with the other side's clock. A message sent while we listened dates its sender's
    clock to within network delay; a retained one may be hours old, so it can only show that
    our clock is behind (its time lies in our future), never that it is right."""
    name = "clock"
    found = stamps(heard)
    live = [s for s in found if not s.retained]
    if live:
        offsets = [s.received - s.at for s in live]
        offset = statistics.median(offsets)
        whom = ", ".join(sorted({s.who for s in live}))
        if abs(offset) > tolerance_s:
            side = "ahead of" if offset > 0 else "behind"
            return failed(name, f"this clock is {abs(offset):.1f} s {side} {whom}", _NTP_FIX)
        return passed(name, f"within {abs(offset):.1f} s of {whom}")
    if found:
        newest = max(found, key=lambda s: s.at)
        ahead = newest.at - newest.received
        if ahead > tolerance_s:
            return failed(
                name,
                f"{newest.who} stamped a message {ahead:.0f} s in this machine's future: "
                "this clock is behind",
                _NTP_FIX,
            )
        age = -ahead
        return skipped(
            name,
            f"only a stored message to compare with ({newest.who}, {age:.0f} s old by this "
            "clock); cannot tell",
        )
    return skipped(name, "nothing from the other side to compare with")


def check_station_seen(heard: list[Heard], site: str, unit: str) -> Check:
    """For a tablet: a station service for its unit announces itself online."""
    stations: dict[str, p.StationStatus] = {}
    for h in heard:
        try:
            msg = p.decode(h.payload) if h.payload else None
        except p.ProtocolError:
            continue
        if isinstance(msg, p.StationStatus) and (msg.site, msg.unit) == (site, unit):
            stations[msg.name] = msg
    online = sorted(name for name, s in stations.items() if s.online)
    if online:
        return passed("station", f"station {', '.join(online)} online for {site}/{unit}")
    if stations:
        gone = ", ".join(f"{n} (since {s.at})" for n, s in sorted(stations.items()))
        return failed(
            "station",
            f"no station online for {site}/{unit}; offline: {gone}",
            "start the station service (systemctl start beckon-station) and check its log",
        )
    return failed(
        "station",
        f"no station service has ever announced itself for {site}/{unit}",
        "start a station service whose [station] site and units include this unit",
    )


def check_beds_seen(
    heard: list[Heard], site: str, units: tuple[str, ...], listened_s: float = 0.0
) -> Check:
    """For a station: the unit's tablets announce themselves online (their retained status),
    and each one's speech recogniser and outbox backlog as the bed reports them: a bed that is
    online but whose calls wait in its outbox (or whose recogniser failed) is not fine.

    A connected bed repeats its status every ``p.HEARTBEAT_S``: when the probe listened longer
    than that (``listened_s``), a bed whose retained status says online but which said nothing
    meanwhile is silent, not online (a tablet gone without its last will reaching the broker
    passed as online while the station showed it offline)."""
    beds: dict[str, p.BedStatus] = {}
    live: set[str] = set()
    for h in heard:
        try:
            msg = p.decode(h.payload) if h.payload else None
        except p.ProtocolError:
            continue
        if isinstance(msg, p.BedStatus) and msg.site == site and msg.unit in units:
            beds[f"{msg.unit}/{msg.bed}"] = msg
            if not h.retained:
                live.add(f"{msg.unit}/{msg.bed}")
    silent: list[str] = []
    if listened_s > p.HEARTBEAT_S:
        silent = sorted(k for k, b in beds.items() if b.online and k not in live)
    online = sorted(k for k, b in beds.items() if b.online and k not in silent)
    offline = sorted(k for k, b in beds.items() if not b.online)
    if not beds:
        return failed(
            "beds",
            f"no bed of {site}/{', '.join(units)} has ever connected",
            "start the bedside service on the tablets; check their site and unit names",
        )
    shown = ", ".join(f"{k} ({bed_report(beds[k])})" for k in online)
    if silent:
        return failed(
            "beds",
            f"{len(online)} bed(s) online{': ' + shown if shown else ''}; said online but "
            f"silent for {listened_s:.0f} s: {', '.join(silent)}"
            + (f"; offline: {', '.join(offline)}" if offline else ""),
            "check those tablets (power, network, `beckon doctor bedside` on each)",
        )
    if offline:
        return failed(
            "beds",
            f"{len(online)} bed(s) online{': ' + shown if shown else ''}; offline: "
            f"{', '.join(offline)}",
            "check those tablets (power, network, `beckon doctor bedside` on each)",
        )
    stuck = [k for k in online if p.backlog_stuck(beds[k].backlog, beds[k].backlog_age_s)]
    deaf = [k for k in online if beds[k].voice == "failed"]
    if stuck or deaf:
        problems = [f"{k}: calls are not reaching the station" for k in stuck]
        problems += [f"{k}: its speech recogniser failed" for k in deaf]
        return failed(
            "beds",
            f"{len(online)} bed(s) online: {shown}; {'; '.join(problems)}",
            "for calls waiting: check the station service runs (systemctl status "
            "beckon-station) and the bed's broker user may publish; for speech: run "
            "`beckon doctor bedside` on that tablet (speech model, microphone)",
        )
    return passed("beds", f"{len(online)} bed(s) online: {shown}")


def bed_report(status: p.BedStatus) -> str:
    """What a bed says about itself, for the doctor's line: "speech vosk:ko, 2 calls waiting
    45 s". Fields an older bed does not send are "not reported"."""
    speech = f"speech {status.voice}" if status.voice is not None else "speech not reported"
    if status.backlog is None:
        calls = "calls waiting: not reported"
    elif status.backlog == 0:
        calls = "no calls waiting"
    else:
        calls = f"{status.backlog} call(s) waiting {status.backlog_age_s or 0} s"
    return f"{speech}, {calls}"


def check_postgres(url: str) -> Check:
    """The PostgreSQL store answers and its schema is one this Beckon runs on (read only: the
    doctor never migrates)."""
    from beckon.station.pgstore import SCHEMA_VERSION

    try:
        import psycopg
    except ImportError:
        return failed(
            "store", "the psycopg package is missing", "pip install 'beckon-bedside[postgresql]'"
        )
    where = url.split("@")[-1]
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            exists = conn.execute("SELECT to_regclass('schema_version')").fetchone()
            version = 0
            if exists and exists[0] is not None:
                row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
                version = int(row[0]) if row and row[0] is not None else 0
    except psycopg.Error as exc:
        return failed(
            "store",
            f"PostgreSQL at {where}: {str(exc).strip().splitlines()[0]}",
            "check station.store, that the server runs and accepts this host, and the "
            "password in the service user's ~/.pgpass",
        )
    if version > SCHEMA_VERSION:
        return failed(
            "store",
            f"PostgreSQL at {where} has schema {version}, newer than this Beckon "
            f"({SCHEMA_VERSION})",
            "upgrade Beckon on this host",
        )
    state = "current" if version == SCHEMA_VERSION else f"{version}, upgraded on start"
    return passed("store", f"PostgreSQL at {where} reachable, schema {state}")
