"""A small wrapper around paho-mqtt 2.x that both roles use.

Why a wrapper: paho's callbacks run on its network thread, and our services keep SQLite
connections that belong to one thread. So the link never calls service code from the network
thread; it puts ``LinkEvent``s on a queue that the service's own thread drains.

It speaks MQTT 5 when the broker does and falls back to 3.1.1 (the embedded demo broker only
speaks 3.1.1), reconnects with back-off, keeps a persistent session under a stable client id so
QoS 1 messages queue at the broker while a client is away, and sets a retained last will so
others learn when this client vanishes.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import select
import socket
import ssl
import sys
import sysconfig
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from beckon.config import BrokerConfig
from beckon.errors import ConfigError
from beckon.messaging.link_problem import LinkProblem, LinkTrouble, ProblemLog, ProblemNote

log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 24 * 3600

RECONNECT_MIN_S = 1
# A TLS link that has connected looks at its handshake at most this often while it fails
# (``MqttLink._look_due``), at paho's attempts only: a rotated certificate is said, and its
# TLS failure cleared once the broker is gone, at the first attempt after (up to
# ``broker.reconnect_max_s`` apart) once this has passed since the last look.
TLS_LOOK_S = 10.0
# How long ``MqttLink.stop`` waits for a look at the handshake, its socket shut down.
LOOK_STOP_S = 0.5
"""paho's wait before reconnecting after a lost connection (doubling after failed attempts up
to ``broker.reconnect_max_s``, RECONNECT_MAX_S unless set shorter; back to this after a
CONNACK); ``MqttLink.hold_off`` makes it longer."""

EARLY_ACK_KEEP_S = 5.0
"""How long an acknowledgement that came before ``publish`` noted its message waits for it: far
longer than the few instructions between paho's send and the note, far shorter than the time
65,535 further messages take to reuse its message id."""
DEFERRED_ACKS_MAX = 15
"""Messages a link leaves unacknowledged at most while it defers (``MqttLink.release_acks``);
beyond, the oldest is acknowledged. The broker sends no more than its window (Mosquitto's
max_inflight_messages: 20 by default, 200 in the shipped config) unacknowledged (measured: 20 of
100 reached a client acknowledging none, under MQTT 5 and 3.1.1): a full window would hold back
every QoS 1 message after it until the station served (what comes at QoS 0, the presences a
starting station listens for among them, passes a full window: ``latest_only``). A request
acknowledged so is held, as before, and lost only if that station stops."""


@dataclass(frozen=True)
class Connected:
    """The link is connected (again): the broker's CONNACK. Its subscriptions are sent but
    may not be confirmed yet (a loaded broker sends the SUBACK seconds later, and only then
    what it keeps): see ``MqttLink.subscribed``."""

    link: str = ""  # the name of the link it came from, for services with several
    # Which of the link's connections (1 for the first): ``MqttLink.release_acks`` for an older
    # one does nothing, that connection's own probe releases it.
    connection: int = 0


def suback_refused(reason: object) -> bool:
    """One entry of a SUBACK refuses its topic: an MQTT 5 reason code of 0x80 and up ("not
    authorised" 0x87...; paho gives a ReasonCode for MQTT 3.1.1's 0x80 too), or a plain number
    of 0x80 and up. Anything else is no confirmation either: a subscription is in place only
    when the broker said so."""
    if isinstance(reason, ReasonCode):
        return bool(reason.is_failure)
    if isinstance(reason, int):
        return reason >= 0x80
    return True


def check_broker_files(broker: BrokerConfig) -> None:
    """Fail at start, with the file named, when a password, CA, certificate or key file is
    missing, unreadable or (the TLS files) not what it should be: otherwise the service runs
    on and never connects, which looks like a network problem to whoever reads the log. A
    :class:`ConfigError`: restarting cannot fix it (the services exit 78, which systemd does
    not restart)."""
    named = [
        ("password_file", broker.password_file),
        ("ca_file", broker.ca_file),
        ("cert_file", broker.cert_file),
        ("key_file", broker.key_file),
    ]
    for key, path in named:
        if not path:
            continue
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            raise ConfigError(
                f"[broker] {key} {path!r} cannot be read: {exc.strerror or exc}",
                f"install the file or fix [broker] {key} in the configuration",
            ) from None
    check_password_file(broker)
    check_ca_file(broker)
    check_client_cert(broker)
    if (broker.cert_file or broker.key_file or broker.ca_file) and not broker.tls:
        log.warning("[broker] certificate files are set but the url %s is not mqtts://", broker.url)


def check_password_file(broker: BrokerConfig) -> None:
    """The password file holds a password: an empty one logs in with none, which the broker
    refuses as "not authorised", read as a wrong password rather than a missing file."""
    if broker.password_file:
        with open(broker.password_file, "rb") as handle:
            content = handle.read(1_000_000)
        if not content.strip():
            raise ConfigError(
                f"[broker] password_file {broker.password_file!r} is empty",
                "write the device's MQTT password into it (one line)",
            )


def check_ca_file(broker: BrokerConfig) -> None:
    """The CA file holds certificates (PEM), as the TLS connection will need: without this
    check the MQTT thread fails on every attempt while the service runs on."""
    if broker.ca_file:
        try:
            ssl.create_default_context(cafile=broker.ca_file)
        except (ssl.SSLError, ValueError) as exc:
            raise ConfigError(
                f"[broker] ca_file {broker.ca_file!r} holds no usable certificate: {exc}",
                "install the site's CA certificate (PEM, from `beckon provision`) there",
            ) from None


def check_client_cert(broker: BrokerConfig) -> None:
    """The client certificate goes with its key (PEM), as the TLS connection will need."""
    if broker.cert_file:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            # A key under a passphrase is refused, not asked for on a service's terminal.
            context.load_cert_chain(broker.cert_file, broker.key_file or None, password="")
        except (ssl.SSLError, ValueError) as exc:
            raise ConfigError(
                f"[broker] cert_file {broker.cert_file!r} and key_file "
                f"{broker.key_file or '(none)'!r} do not make a client certificate: {exc}",
                "install the device's certificate and its unencrypted key (PEM) from "
                "`beckon provision`",
            ) from None


BROKER_LOG = "/var/log/mosquitto/mosquitto.log on the broker's host"
"""Where the shipped Mosquitto config (deploy/mosquitto/mosquitto.conf, ``log_dest file``)
writes the broker's log: what every message naming "the broker log" points IT to (the
journal holds only Mosquitto's start and stop)."""

NO_CLIENT_CERT = "the broker requires a client certificate and none was accepted"
CLIENT_CERT_FIX = (
    "set [broker] cert_file and key_file (from `beckon provision ... --client-cert`; a console: "
    "--cert-file and --key-file)"
)


CLIENT_REFUSED = frozenset({0x85, 0x86, 0x87, 0x8A})
"""MQTT 5 CONNACK reason codes that refuse the client itself (client id not valid, bad user
name or password, not authorised, banned): a broker that sends one speaks MQTT 5 and would
refuse the client's 3.1.1 attempt as well, so the link's next attempt stays on MQTT 5. With
the attempts alternating, a link mended while refused connected under 3.1.1 as often as not
(session 51's probe did, mended after 150 s of refusals), and kept it, losing MQTT 5's word
on a refused publish (``PublishRefused``). Any other refusal has the 3.1.1 attempt next.

Every ``MQTT311_EVERY``-th such refusal in a row has the 3.1.1 attempt next all the same: a
broker whose authentication differs by protocol (refusing MQTT 5 with 0x87, accepting 3.1.1)
never connected the link without it (the alternation before session 51 did, in 1.1 s)."""

MQTT311_EVERY = 3
"""A link refused under MQTT 5 for who it is tries 3.1.1 after every third such refusal
(``CLIENT_REFUSED``): after waits of 1, 2, 4 s it connects to a broker accepting only 3.1.1
(10 s in the review's probe), and a link mended while refused comes back under 3.1.1 (for
good: paho keeps it) once in three."""


def _refusal(reason: ReasonCode, protocol: MQTTProtocolVersion) -> str:
    """A refusal in the broker's words. Under MQTT 5 its reason code is what the broker sent;
    under 3.1.1 paho maps the CONNACK return code (5: not authorized) onto an MQTT 5 reason
    code (135), a number the broker never sent, so only the name is given (review rev49s)."""
    if protocol == MQTTProtocolVersion.MQTTv5:
        return f"{reason} (reason code {reason.value}, MQTTv5)"
    return f"{reason} (MQTTv311)"


def _opened(sock: socket.socket, opened: Callable[[socket.socket], None] | None) -> socket.socket:
    if opened is not None:
        opened(sock)
    return sock


def _shut(sock: socket.socket | None) -> None:
    """Shut a connection down both ways (a thread blocked on it wakes), if open."""
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def tls_look_s(broker: BrokerConfig) -> float:
    """How often a TLS link that has connected looks at its handshake while it fails: every
    TLS_LOOK_S, sooner with a short ``reconnect_max_s`` (three of its attempts; tests). Looks
    run only at paho's attempts (``_note``): with attempts up to ``reconnect_max_s`` apart
    (30 s by default), every attempt may get one, so a change is seen at the first attempt
    after it, not within TLS_LOOK_S."""
    return min(TLS_LOOK_S, 3.0 * broker.reconnect_max_s)


def describe_tls_failure(
    broker: BrokerConfig,
    timeout: float = 5.0,
    opened: Callable[[socket.socket], None] | None = None,
) -> str | None:
    """Try a TLS handshake like paho's and say what is wrong with the certificate, if that is
    the problem (paho reports only that the connection failed).

    With TLS 1.3 the client's side of the handshake completes before the broker has looked at
    the client's certificate: a broker that requires one and got none (or one it does not
    trust) says so in an alert right after. So this waits briefly for that alert too; without
    it a missing client certificate read as "broker not reachable"."""
    if not broker.tls:
        return None
    try:
        context = ssl.create_default_context(cafile=broker.ca_file or None)
        if broker.cert_file:
            context.load_cert_chain(broker.cert_file, broker.key_file or None)
        with (
            _opened(
                socket.create_connection((broker.host, broker.port), timeout=timeout), opened
            ) as raw,
            context.wrap_socket(raw, server_hostname=broker.host) as tls,
        ):
            # An accepted client hears nothing until it sends CONNECT; a refused one hears the
            # alert within a round trip. Only called after a failed connection: waiting is cheap.
            tls.settimeout(min(timeout, 3.0))
            with contextlib.suppress(TimeoutError):
                tls.recv(1)
            return None
    except ssl.SSLCertVerificationError as exc:
        return f"the broker's certificate is not trusted: {exc.verify_message or exc}"
    except ssl.SSLEOFError:
        # A port that accepts and closes (a load balancer with its backend down, a broker at
        # max_connections): no certificate was looked at (review rev50s3).
        return None
    except ssl.SSLError as exc:
        reason = str(exc.reason or exc)
        if "UNEXPECTED_EOF" in reason:
            return None  # as above, where the EOF is reported as a plain SSLError
        # TLS 1.2 brokers refuse a missing certificate with a plain handshake failure.
        missing = "HANDSHAKE_FAILURE" in reason and not broker.cert_file
        if "CERTIFICATE_REQUIRED" in reason or missing:
            return f"{NO_CLIENT_CERT} ({reason}): {CLIENT_CERT_FIX}"
        if "UNKNOWN_CA" in reason or "BAD_CERTIFICATE" in reason:
            return (
                f"the broker refused this client certificate ({reason}): it must be signed by "
                "the CA in the broker's cafile; re-provision the device with --client-cert"
            )
        return f"TLS with the broker failed: {reason}"
    except OSError:
        return None  # not a certificate problem: unreachable, refused, ...


@dataclass(frozen=True)
class Disconnected:
    """The link lost its connection; it reconnects on its own."""

    link: str = ""
    taken_over: bool = False
    """The broker said another client connected with this identity (MQTT 5 "Session taken
    over"): with client ids bound to usernames, someone else is using these credentials."""
    settled_s: float = 0.0
    """How long the connection had lasted since the broker last confirmed it: since its SUBACK
    (every subscription confirmed), or since its CONNACK while a SUBACK was pending. A twin
    with the same user throws a connection off soon after it is made; a loaded broker drops
    it whenever (see StationService._on_lost_while_probing)."""


@dataclass(frozen=True)
class Message:
    """A message arrived on a subscribed topic."""

    topic: str
    payload: bytes
    retained: bool = False
    link: str = ""


@dataclass(frozen=True)
class PublishRefused:
    """The broker said no to a message we published (MQTT 5 PUBACK, e.g. the ACL denies the
    topic): it will never be delivered, so someone must be told."""

    topic: str
    reason: str
    link: str = ""


LinkEvent = Connected | Disconnected | Message | PublishRefused
"""Something that happened on the link. One class per kind, so a consumer that forgets one
fails type checking (``match`` with ``assert_never``)."""


@dataclass(frozen=True)
class Will:
    topic: str
    payload: bytes


class MqttLink:
    """One MQTT connection with QoS 1 everywhere (but ``latest_only`` subscriptions and
    heartbeats), feeding a queue of LinkEvents."""

    def __init__(
        self,
        broker: BrokerConfig,
        client_id: str,
        subscriptions: list[str],
        will: Will | None = None,
        persistent: bool = True,
        events: queue.Queue[Any] | None = None,
        name: str = "",
        max_inflight: int = 20,
        defer_acks: bool = False,
        latest_only: Sequence[str] = (),
    ) -> None:
        self.broker = broker
        self.client_id = client_id
        self.subscriptions = list(subscriptions)
        # Subscribed at QoS 0 (see StationService._make_links for why): retained state whose
        # latest the broker sends again at every subscription, so nothing of it needs acking.
        self.latest_only = list(latest_only)
        self.will = will
        self.persistent = persistent
        # Shared with other producers when a service wants one queue for everything it handles.
        self.events: queue.Queue[Any] = events if events is not None else queue.Queue()
        self.name = name
        # QoS 1 messages sent but not yet acknowledged. paho's 20 makes a burst of 500 receipts
        # wait 25 round trips through a busy broker; a station asks for more, and gets at most
        # what the broker grants (its Receive Maximum, see _on_connect).
        self.max_inflight = max_inflight
        self.protocol: MQTTProtocolVersion = MQTTProtocolVersion.MQTTv5
        self._in_flight: dict[int, str] = {}  # message id -> topic, to report refusals
        # Acknowledgements handled before ``publish`` noted their message (see ``_on_publish``):
        # message id -> (reason, when), kept EARLY_ACK_KEEP_S.
        self._early: dict[int, tuple[ReasonCode, float]] = {}
        self._flight_lock = threading.Lock()
        self._connected = threading.Event()
        # Subscriptions of the current connection the broker has not confirmed yet (SUBACK):
        # message id -> topic. Until it has, what the broker keeps (retained presences) has not
        # been delivered, so "nothing heard" means nothing yet (see ``subscribed``).
        self._unconfirmed: dict[int, str] = {}
        self._subscribed = threading.Event()
        self._sub_lock = threading.Lock()
        # When (monotonic) the current connection's CONNACK came and its last SUBACK completed
        # the subscriptions (None until then): a probe's window counts from the SUBACK itself,
        # not from whenever its owner next looks.
        self._connack_at = 0.0
        self._subscribed_at: float | None = None
        self._unsent: list[str] = []  # topics whose SUBSCRIBE paho could not send (see _subscribe)
        # The keep-alive of the current connection: an MQTT 5 broker may grant less than asked
        # (Server Keep Alive, which paho then uses); the configured one until connected.
        self._keepalive = broker.keepalive
        self.connections = 0  # successful connects; more than one means reconnects (metrics)
        self._reconnect_min_s = RECONNECT_MIN_S  # see hold_off
        # The reason code of the broker's refusal of the negotiator's attempt (None: not
        # refused, or the MQTT 5 refusal of a 3.1.1-only broker): the next waits the back-off
        # (``_negotiate``).
        self._refusal: int | None = None
        self._refused_under: MQTTProtocolVersion | None = None  # the last refusal's protocol
        # Why the link is not connected, as it last saw it (``problem``); None while connected
        # and before the first attempt ends. ``_refused`` marks an attempt the broker refused:
        # paho reports its closing too, which must not turn the refusal into "no answer".
        self._problem: LinkProblem | None = None
        self._said = ProblemLog()  # what the log says of them: each new state once (_note)
        self._refused = False
        # A TLS link's looks at its handshake after a connection (``_look_after_loss``): when
        # the last started (None: none since the connection), the one running, its socket,
        # and the connections it was started in (``_look_lock`` guards them all).
        self._tls_looked_at: float | None = None
        self._tls_look: threading.Thread | None = None
        self._look_socket: socket.socket | None = None
        self._connects = 0
        self._look_lock = threading.RLock()
        self._look_now = False  # the next look before the first connection: at once
        self._attempt_failed = threading.Event()
        self._stopping = threading.Event()
        self._client: paho.Client | None = None
        self._lock = threading.Lock()
        # Deferred acknowledgements (``release_acks``): whether this link defers; whether
        # they wait still; and those waiting on the current connection, (mid, qos) in the
        # order they came.
        self._defer_acks = defer_acks
        self._acks_deferred = defer_acks
        self._unacked: list[tuple[int, int]] = []
        self._ack_lock = threading.Lock()

    # ------------------------------------------------------------ lifecycle

    def start(self, wait_s: float = 5.0) -> bool:
        """Start connecting in the background; returns whether connected within ``wait_s``.

        Until the first connection succeeds, attempts alternate between MQTT 5 and 3.1.1 with
        growing waits: a 3.1.1-only broker may refuse MQTT 5 or just never answer it, and a
        broker that is down now may come up later. After the first success paho's own
        reconnect (with back-off) keeps the protocol that worked. A refused attempt is followed
        by the same back-off (``_refusal_waits``); a 3.1.1-only broker's refusal of MQTT 5 by
        the 3.1.1 attempt at once; a broker refusing this client under MQTT 5
        (``CLIENT_REFUSED``) by MQTT 5 again, but for every third such refusal.
        """
        self._negotiator = threading.Thread(
            target=self._negotiate, name=f"mqtt-{self.client_id}", daemon=True
        )
        self._negotiator.start()
        return self._connected.wait(wait_s)

    def _negotiate(self) -> None:
        protocols = (MQTTProtocolVersion.MQTTv5, MQTTProtocolVersion.MQTTv311)
        attempt = client_refusals = 0
        refusal_waits = self._refusal_waits()
        while not self._stopping.is_set():
            protocol = protocols[attempt % 2]
            window = min(30.0, 3.0 * 2 ** (attempt // 2))
            with self._lock:
                if self._stopping.is_set():
                    return
                self.protocol = protocol
                self._attempt_failed.clear()
                self._refusal = None
                self._client = self._make_client(protocol)
                self._client.loop_start()
            deadline = time.monotonic() + window
            while time.monotonic() < deadline and not self._stopping.is_set():
                if self._connected.wait(0.1):
                    return
                if self._attempt_failed.is_set():
                    break
            with self._lock:
                if self._connected.is_set():
                    return
                client, self._client = self._client, None
            # The next attempt's client has the same id: were this one's network thread to
            # finish a slow connect later, the broker would hand it the session and the stale
            # socket's close would publish the last will. So the attempt waits for that thread
            # as long as it takes (a TCP connect into a silent firewall is paho's 5 s), unless
            # the link is stopping: stop() must not hang on it.
            stop = _begin_network_stop(client, self.client_id)
            said = time.monotonic() + NETWORK_STOP_S
            while stop.stopper.is_alive() and not self._stopping.is_set():
                stop.stopper.join(0.1)
                if stop.stopper.is_alive() and time.monotonic() > said:  # once: it is held
                    said = float("inf")
                    held = stop.where_held()
                    log.warning("MQTT link %s: waiting for a failed attempt's thread (%s) "
                                "before trying again", self.client_id, held)  # fmt: skip
            client.disconnect()
            if self._stopping.is_set():  # no TLS probe either: it could take 8 s
                if stop.stopper.is_alive():
                    held = stop.where_held()
                    log.warning("MQTT link %s: stopping while an attempt is held (%s)",
                                self.client_id, held)  # fmt: skip
                return
            # A refused attempt had its TLS handshake pass: nothing to look at (the look
            # waits up to 3 s on a broker that accepts the handshake).
            look_now, self._look_now = self._look_now, False
            if (attempt % 2 == 1 or look_now) and not self._refused_last():
                self._looked(describe_tls_failure(self.broker))
            if look_now:  # refusals ended: a new trouble, whose back-off starts afresh
                attempt = client_refusals = 0
                refusal_waits = self._refusal_waits()
            if (refusal := self._refusal) is not None:
                if self._stopping.wait(next(refusal_waits)):
                    return
                if protocol == MQTTProtocolVersion.MQTTv5 and refusal in CLIENT_REFUSED:
                    client_refusals += 1
                    if client_refusals % MQTT311_EVERY:
                        attempt += 1  # MQTT 5 again: refused in 3.1.1 too, connected once mended
            attempt += 1

    def _refusal_waits(self) -> Iterator[float]:
        """The waits after each of a run of refused attempts before the first connection:
        paho's back-off between failed attempts (``_backoff_s``, doubling from its least to
        its most). The negotiator tried again at once, about once a second, each refusal a
        line in the broker's log too, for a wrong password or ACL that takes IT minutes to
        mend (session 50's note); fixed, the link connects within the most."""
        least, most = self._backoff_s()
        wait = float(least)
        while True:
            yield wait
            wait = min(2.0 * wait, float(most))

    def _backoff_s(self) -> tuple[int, int]:
        """paho's least and most wait between reconnect attempts: ``hold_off``'s delay (else
        RECONNECT_MIN_S), doubling after each failed attempt up to ``broker.reconnect_max_s``
        (or that delay, if longer)."""
        return self._reconnect_min_s, max(self._reconnect_min_s, self.broker.reconnect_max_s)

    def stop(self) -> None:
        """Disconnect. A clean disconnect suppresses the last will, so a service that stops
        publishes its own "offline" first (see the services' ``run``)."""
        with self._look_lock:  # a look running notes nothing from now on
            self._stopping.set()
            look = self._tls_look
            _shut(self._look_socket)  # wakes a look held in the handshake (up to 8 s else)
        if look is not None:
            look.join(LOOK_STOP_S)
        negotiator = getattr(self, "_negotiator", None)
        if negotiator is not None:
            negotiator.join(NETWORK_STOP_S + 2.0)  # its attempt's own stop, and a little
            if negotiator.is_alive():
                log.error("MQTT link %s: its connecting thread %s did not stop; going on",
                          self.client_id, negotiator.name)  # fmt: skip
        with self._lock:
            client, self._client = self._client, None
        if client is None:
            return
        client.disconnect()
        # Let the network thread write what is queued and the DISCONNECT itself before it
        # stops: otherwise the broker sees a broken connection and publishes the last will
        # over the status this service just wrote (a station's fault, say).
        deadline = time.monotonic() + 2.0
        while self._connected.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        stop_network(client, self.client_id)
        self._connected.clear()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def problem(self) -> LinkProblem | None:
        """Why the link is not connected, as its last attempt or loss showed; None while
        connected or before the first attempt ended (read from any thread)."""
        return None if self._connected.is_set() else self._problem

    @property
    def state_problem(self) -> LinkProblem | None:
        """Why the link is not connected, worded as the first attempt of its present state
        showed it (``ProblemLog.state_problem``), else ``problem``: what a station's Status
        line and health say, the same at every read while the state lasts, where ``problem``
        follows each attempt (its refusal's protocol alternates; review rev50s)."""
        if self._connected.is_set():
            return None
        return self._said.state_problem or self._problem

    @property
    def failed_attempts(self) -> int:
        """Attempts to connect that failed since the last connection (or the start): what a
        station's health gives with a link down (``links_down``), as the log no longer says
        each one (``ProblemLog``)."""
        return self._said.failed

    @property
    def subscribed(self) -> bool:
        """Connected, and the broker has confirmed (SUBACK) every subscription of this
        connection: from now on a retained message on them has been (or is being) delivered.
        A SUBACK can come seconds after CONNACK from a loaded broker or over a slow link. A
        refused topic counts as answered (logged as an error: waiting longer cannot bring it);
        a topic whose SUBSCRIBE could not be sent keeps this false for the connection."""
        return self._connected.is_set() and self._subscribed.is_set()

    @property
    def subscribed_at(self) -> float | None:
        """When (``time.monotonic()``) this connection became ``subscribed``; None if not.
        Read under the lock that the network thread holds while it resets or sets the two
        together, so a reconnect cannot pair one connection's flag with another's time."""
        with self._sub_lock:
            return self._subscribed_at if self.subscribed else None

    @property
    def subscribe_unsent(self) -> bool:
        """A SUBSCRIBE of this connection could not be sent (paho refused it, logged): its
        confirmation cannot come, and that is not the broker's doing."""
        with self._sub_lock:
            return bool(self._unsent)

    def hold_off(self, delay_s: int) -> None:
        """Wait at least ``delay_s`` before reconnecting after a lost connection, from the
        next loss on (RECONNECT_MIN_S again with ``RECONNECT_MIN_S``). Why: paho's own back-off
        starts again at 1 s after every accepted connection, so a client whose connections are
        accepted and then closed at once reconnects every second for ever; a station that
        cannot tell whether a twin or the network closes them (``StationService._hold_back``)
        spaces its tries instead."""
        self._reconnect_min_s = delay_s
        client = self._client
        if client is not None:  # thread-safe in paho (its reconnect-delay lock)
            client.reconnect_delay_set(*self._backoff_s())

    @property
    def keepalive(self) -> int:
        """The keep-alive (s) paho uses on this connection: the broker's grant under MQTT 5
        (Server Keep Alive), else the configured one."""
        return self._keepalive

    # ------------------------------------------------------------ publishing

    def publish(self, topic: str, payload: bytes, retain: bool = False, qos: int = 1) -> bool:
        """Publish at QoS 1. Returns False when not connected (paho still queues it in memory,
        which is why the bedside keeps its own outbox on disk).

        ``qos=0`` is for heartbeats only: repeats of a presence that was published at QoS 1.
        The broker queues QoS 0 for no absent subscriber, so a station away for an hour does
        not come back to 100,000 stale bed heartbeats ahead of the calls (and past
        ``max_queued_messages`` Mosquitto would drop new messages), nor a tablet switched off
        for a day to a day of station heartbeats."""
        client = self._client
        if client is None:
            return False
        # Never hold a lock of ours across paho calls: paho runs on_publish under its own
        # message lock, and publish() takes that lock too.
        info = client.publish(topic, payload, qos=qos, retain=retain)
        with self._flight_lock:
            # paho may have handled the acknowledgement already (a QoS 0 message "sent", or a
            # fast broker's PUBACK): then there is nothing to note, only a refusal to report.
            early = self._early.pop(info.mid, None)
            if early is None and qos > 0:
                self._in_flight[info.mid] = topic
                if len(self._in_flight) > 10_000:  # acknowledgements lost with a session
                    self._in_flight.clear()
        if early is not None and qos > 0:
            self._report(topic, early[0])
        return self._sent(topic, info)

    @staticmethod
    def _sent(topic: str, info: Any) -> bool:
        if info.rc != paho.MQTT_ERR_SUCCESS:
            log.debug("publish to %s not sent now (rc=%s)", topic, info.rc)
            return False
        return True

    # ------------------------------------------------------------ paho plumbing

    def _make_client(self, protocol: MQTTProtocolVersion) -> paho.Client:
        v5 = protocol == MQTTProtocolVersion.MQTTv5
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=protocol,
            clean_session=None if v5 else not self.persistent,
            manual_ack=self._defer_acks,
        )
        if self.broker.username:
            client.username_pw_set(self.broker.username, self.broker.resolved_password() or None)
        if self.broker.tls:
            client.tls_set(
                ca_certs=self.broker.ca_file or None,
                certfile=self.broker.cert_file or None,
                keyfile=self.broker.key_file or None,
                tls_version=ssl.PROTOCOL_TLS_CLIENT,
            )
        if self.will is not None:
            client.will_set(self.will.topic, self.will.payload, qos=1, retain=True)
        client.reconnect_delay_set(*self._backoff_s())
        client.max_inflight_messages_set(self.max_inflight)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_subscribe = self._on_subscribe
        props: Properties | None = None
        clean_start: Any = paho.MQTT_CLEAN_START_FIRST_ONLY
        if v5:
            props = Properties(PacketTypes.CONNECT)
            if self.persistent:
                props.SessionExpiryInterval = SESSION_EXPIRY_S
                clean_start = False
            else:
                clean_start = True
        client.connect_async(
            self.broker.host,
            self.broker.port,
            keepalive=self.broker.keepalive,
            clean_start=clean_start,
            properties=props,
        )
        return client

    def _on_connect(
        self,
        client: paho.Client,
        userdata: Any,
        flags: Any,
        reason: ReasonCode,
        properties: Any,
    ) -> None:
        if reason.is_failure:
            self._refused = True
            self._attempt_failed.set()
            # An MQTT 5 refusal is expected while negotiating with a 3.1.1-only broker: not the
            # link's problem (its 3.1.1 attempt says that), or the line alternated in cause.
            expected = self.protocol == MQTTProtocolVersion.MQTTv5 and reason.value in (1, 132)
            if expected:  # at every negotiation with such a broker: no state of the link
                log.debug("broker %s refused MQTTv5: %s", self.broker.url, reason)
            else:
                self._refusal = reason.value
                self._refused_under = self.protocol
                self._note(
                    LinkProblem(
                        LinkTrouble.REFUSED, _refusal(reason, self.protocol), reason=str(reason)
                    )
                )
            return
        _no_delay(client)
        with self._look_lock:  # a look of the last outage notes nothing after this
            self._connects += 1
            self._tls_looked_at = None
            self._problem = None
        self._refused = False
        failed = self._said.connected(time.monotonic())
        with self._ack_lock:
            # Message ids belong to a connection: the broker sends what was not acknowledged
            # again on this one, under ids of its own.
            self._unacked.clear()
            # Deferred again at each connection, before its first message, until released: a
            # station probes again at each (StationService._on_connected). Deferred at the
            # first connection only, a station that had served and probed again after a
            # reconnect acknowledged what it held at once, and when that probe found it the
            # twin to stop (exit 78), those messages were lost to the running station (review
            # rev45r2: 2 of 63 requests in one of three stalled runs).
            self._acks_deferred = self._defer_acks
            self.connections += 1  # under the lock: release_acks compares it
            connection = self.connections
        self._honour_receive_maximum(client, properties)
        self._keepalive = client.keepalive  # paho took the broker's Server Keep Alive, if any
        self._connack_at = time.monotonic()
        self._subscribe(client)
        self._connected.set()
        # The broker knows a client by its username (the shipped config even replaces the client
        # id with it): a window's log said only its made-up id, not which user it logged in as.
        after = (
            "" if failed is None else f", after {failed[0]} failed attempt(s) in {failed[1]:.0f} s"
        )
        log.info("connected to %s as %s (%s)%s", self.broker.url, self._who(), self.protocol.name,
                 after)  # fmt: skip
        self.events.put(Connected(self.name, connection))

    def _subscribe(self, client: paho.Client) -> None:
        """Subscribe (again: paho's network thread, on every connect) and note each message id
        until its SUBACK (``_on_subscribe``), which this same thread handles afterwards. A
        SUBSCRIBE that could not be sent (the connection already failing) leaves the connection
        unconfirmed for good: ``subscribed`` never turns true without every topic, and the next
        connection subscribes again."""
        with self._sub_lock:
            self._subscribed.clear()
            self._subscribed_at = None
            self._unconfirmed = {}
            self._unsent = []
            qos = {**dict.fromkeys(self.subscriptions, 1), **dict.fromkeys(self.latest_only, 0)}
            for topic in qos:
                try:
                    result, mid = client.subscribe(topic, qos=qos[topic])
                    why = paho.error_string(result)
                except ValueError as exc:  # an invalid topic filter
                    result, mid, why = paho.MQTT_ERR_INVAL, None, str(exc)
                if result == paho.MQTT_ERR_SUCCESS and mid is not None:
                    self._unconfirmed[mid] = topic
                else:
                    self._unsent.append(topic)
                    log.warning(
                        "could not subscribe to %s on %s (%s): this connection stays "
                        "unconfirmed, and the next one subscribes again",
                        topic, self.broker.url, why,
                    )  # fmt: skip
            done = not self._unconfirmed and not self._unsent
        if done:
            self._confirmed()

    def _confirmed(self) -> None:
        with self._sub_lock:
            self._subscribed_at = time.monotonic()
            self._subscribed.set()

    def _on_subscribe(
        self, client: paho.Client, userdata: Any, mid: int, reasons: list[Any], properties: Any
    ) -> None:
        with self._sub_lock:
            topic = self._unconfirmed.pop(mid, None)
            done = topic is not None and not self._unconfirmed and not self._unsent
        if topic is not None and any(suback_refused(r) for r in reasons):
            log.error(
                "broker %s refused the subscription to %s for %s (%s): nothing on it will "
                "arrive; check the broker's ACL",
                self.broker.url, topic, self.broker.username or self.client_id,
                ", ".join(str(r) for r in reasons),
            )  # fmt: skip
        if done:
            self._confirmed()

    def _honour_receive_maximum(self, client: paho.Client, properties: Any) -> None:
        """Never have more unacknowledged messages out than the broker said it takes (MQTT 5
        Receive Maximum; Mosquitto grants its ``max_inflight_messages``). paho ignores the
        property and only lets the limit change while disconnected, hence its attribute here;
        under MQTT 3.1.1 there is no such grant and 20, paho's default, is kept."""
        granted = getattr(properties, "ReceiveMaximum", None)
        if self.protocol != MQTTProtocolVersion.MQTTv5:
            granted = 20
        if isinstance(granted, int) and 0 < granted < self.max_inflight:
            client._max_inflight_messages = granted
            log.info("broker %s takes %d messages in flight, not %d (max_inflight_messages)",
                     self.broker.url, granted, self.max_inflight)  # fmt: skip
        else:
            client._max_inflight_messages = self.max_inflight

    def _on_disconnect(
        self,
        client: paho.Client,
        userdata: Any,
        flags: Any,
        reason: ReasonCode,
        properties: Any,
    ) -> None:
        if not self._connected.is_set():
            self._attempt_failed.set()  # closed before CONNACK: try the other protocol
            hung_up = not self._refused and self._hung_up_on_mqtt5()
            if hung_up:  # the 3.1.1 attempt at once; the refusal and its back-off stay
                log.debug("broker %s closed on MQTTv5 unanswered", self.broker.url)
            elif not self._refused and self._refused_last() and self.connections == 0:
                self._look_now = True  # refusals ended (``_on_connect_fail``)
            # A refusal's own closing keeps the refusal; a TLS failure found meanwhile stays.
            if (tls := self._tls_problem()) is not None:
                self._note(tls)  # an attempt, still failing its handshake
            elif not self._refused and not hung_up:
                self._note(
                    LinkProblem(
                        LinkTrouble.UNREACHABLE,
                        f"the connection to {self.broker.host}:{self.broker.port} closed "
                        f"before the broker answered ({reason})",
                    )
                )
            self._refused = False
        elif not self._stopping.is_set():
            self._note(LinkProblem(LinkTrouble.DROPPED, str(reason)))  # its line: once a loss
        taken_over = getattr(reason, "value", 0) == 142  # MQTT 5 "Session taken over"
        settled_s = time.monotonic() - (self._subscribed_at or self._connack_at)
        if taken_over:
            log.error(
                "another client connected to %s with this identity (%s) and took over the "
                "session: a second copy of this service, or these credentials used elsewhere",
                self.broker.url, self.client_id,
            )  # fmt: skip
        if self._connected.is_set() and not self._stopping.is_set():
            self.events.put(Disconnected(self.name, taken_over, settled_s))
        if self._stopping.is_set() and self._connected.is_set():
            _drain_until_closed(client.socket())
        self._connected.clear()

    def _tls_failing(self) -> bool:
        """``describe_tls_failure`` found the handshake failing at the last look."""
        return self._tls_problem() is not None

    def _tls_problem(self) -> LinkProblem | None:
        """The TLS failure ``describe_tls_failure`` found at the last look, if that is the
        link's problem still."""
        problem = self._problem
        return problem if problem is not None and problem.trouble is LinkTrouble.TLS else None

    def _hung_up_on_mqtt5(self) -> bool:
        """An MQTT 5 attempt closed unanswered right after a refusal under 3.1.1: a 3.1.1-only
        broker that hangs up on MQTT 5 (the demo's amqtt), like its expected refusal of MQTT 5,
        not the end of the refusals. Read as that end, it reset the back-off to 1 s and looked
        at TLS at every pair of attempts (review rev51s: refusals 7 s apart for good)."""
        return (
            self.connections == 0
            and self.protocol == MQTTProtocolVersion.MQTTv5
            and self._refused_last()
            and self._refused_under == MQTTProtocolVersion.MQTTv311
        )

    def _refused_last(self) -> bool:
        """The last attempt's broker answered with a refusal."""
        return self._problem is not None and self._problem.trouble is LinkTrouble.REFUSED

    def _note(self, problem: LinkProblem, attempt: bool = True) -> None:
        """Every failed attempt and every loss goes through here: it becomes the link's
        ``problem``, and ``ProblemLog`` decides the log line (each new state once, then a
        reminder a minute). No broker answering a TLS link before its first connection is held
        back until the negotiator's look at the handshake (``describe_tls_failure``) rules a
        certificate out; said at once, it read "not reachable" for a broker that refuses the
        certificate; after a connection, until the one look a loss gets (``_look_after_loss``).
        ``attempt`` False: a look's finding, which tells the state but is no attempt."""
        now = time.monotonic()
        with self._look_lock:
            self._problem = problem
            unreached_tls = problem.trouble is LinkTrouble.UNREACHABLE and self.broker.tls
            looking = self._tls_look is not None and self._tls_look.is_alive()
            look = self._look_due(problem, now) and not looking
            unsure = unreached_tls and (self.connections == 0 or look or looking)
            self._say(self._said.note(problem, now, say=not unsure, attempt=attempt))
            if look:  # no negotiator runs after the first connection: the look is made here
                self._tls_looked_at = now
                self._tls_look = threading.Thread(
                    target=self._look_after_loss,
                    args=(self._connects,),
                    name=f"tls-look {self.client_id}",
                    daemon=True,
                )
                self._tls_look.start()

    def _look_due(self, problem: LinkProblem, now: float) -> bool:
        """A TLS link that has connected looks at its handshake again on no broker answering
        or its TLS failure, at most once a ``tls_look_s``: a look only at the first failed
        attempt after a loss came 1 s after it, and a broker restarted later with a rotated
        certificate read "not reachable" for the whole outage; a TLS failure found was said
        until the next connection, through a broker then stopped (review rev50s2)."""
        return (
            self.broker.tls
            and self.connections > 0
            and problem.trouble in (LinkTrouble.UNREACHABLE, LinkTrouble.TLS)
            and not self._stopping.is_set()
            and (
                self._tls_looked_at is None or now - self._tls_looked_at >= tls_look_s(self.broker)
            )
        )

    def _look_after_loss(self, connects: int) -> None:
        """A TLS link that had connected, then reached no broker or failed its handshake: a
        look at the handshake (``describe_tls_failure``), as the negotiator looks before the
        first connection. A broker restarted with a certificate from another CA (a rotation)
        answers, but paho sees only a failed connection; the link said "not reachable" and
        the station's CRITICAL line, health and the doctor "check that the broker is
        running" (review rev50s). Found, TLS is the problem until a look finds none
        (``_on_connect_fail`` keeps it); not, a TLS failure is cleared (the next attempt says
        what is wrong now) and a held-back "not reachable" is said. Its result is dropped if
        the link connected or is stopping meanwhile (checked and noted under one lock: a
        stale TLS after ``connected`` skewed the next outage's count; review rev50s2)."""
        problem = describe_tls_failure(self.broker, opened=self._look_opened)
        with self._look_lock:
            if self._look_socket is not None:
                self._look_socket.close()
                self._look_socket = None
            if connects != self._connects or self._stopping.is_set() or self._connected.is_set():
                return
            self._looked(problem)

    def _looked(self, found: str | None) -> None:
        """Note what a look at the handshake found (``describe_tls_failure``; no attempt):
        a TLS failure is the link's problem, not "no broker answers", as the line IT alerts on
        must send them to the certificate (review rev49s); none, ``_no_tls_failure``."""
        if found:
            self._note(LinkProblem(LinkTrouble.TLS, found, reason=found), attempt=False)
        else:
            self._no_tls_failure()

    def _no_tls_failure(self) -> None:
        """A look found no handshake failure: a TLS failure found before is over, and no
        broker answering (what paho's attempts see) is the state at once, not at the next
        attempt, up to ``reconnect_max_s`` on: at 30 s the Status line and health sent IT to
        ca_file 50 s after the broker stopped (review rev50s3). Not an attempt; a "not
        reachable" held back until this look (``_note``) is said now."""
        with self._look_lock:
            if self._tls_failing():
                self._note(self._no_connection(), attempt=False)
            self._say(self._said.confirm(time.monotonic()))

    def _look_opened(self, sock: socket.socket) -> None:
        """The look's socket, for ``stop`` to shut down (a look held in the handshake): a
        duplicate, as the TLS socket takes the original's descriptor over (shutting the
        original down once wrapped did nothing: measured, the look outlived ``stop``)."""
        with self._look_lock:
            self._look_socket = sock.dup()
            if self._stopping.is_set():
                _shut(self._look_socket)

    def _say(self, note: ProblemNote | None) -> None:
        if note is not None:
            log.log(note.problem.level, "%s", note.text(self.broker.url, self._who()))

    def _who(self) -> str:
        """Who the link logs in as: its user, and its client id when that differs."""
        user = self.broker.username
        return (
            self.client_id if user in ("", self.client_id) else f"{user} (client {self.client_id})"
        )

    def _on_connect_fail(self, client: paho.Client, userdata: Any) -> None:
        """paho could not open a connection (TCP or TLS) for an attempt. A TLS failure found by
        ``describe_tls_failure`` stays the problem: paho sees it as any failed connection.
        The first after refusals, before the first connection, ends the negotiator's attempt,
        has it look at the handshake at once and start its back-off afresh (``_look_now``):
        the attempt's window (up to 30 s after a run of refusals) held a TLS failure after
        refusals unsaid 31 s (review rev50s; 25 s before refusals were said once). Only that
        one: ending every attempt so dropped the back-off (measured: 13 -> 40 attempts in 40 s
        with no broker)."""
        if self.connections == 0 and self._refused_last() and not self._connected.is_set():
            self._look_now = True
            self._attempt_failed.set()
        self._refused = False
        if (tls := self._tls_problem()) is not None:
            self._note(tls)  # an attempt, still failing its handshake
            return
        self._note(self._no_connection())

    def _no_connection(self) -> LinkProblem:
        """No broker answers: the connection to its host and port cannot be opened."""
        return LinkProblem(
            LinkTrouble.UNREACHABLE, f"no connection to {self.broker.host}:{self.broker.port}"
        )

    def _on_message(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        self.events.put(Message(msg.topic, bytes(msg.payload), bool(msg.retain), self.name))
        if not self._defer_acks or msg.qos == 0:
            return  # paho acknowledged it, or nothing to acknowledge
        with self._ack_lock:  # acknowledged under the lock: never ahead of older ones
            if self._acks_deferred:
                self._unacked.append((msg.mid, msg.qos))
                if len(self._unacked) <= DEFERRED_ACKS_MAX:
                    return
                mid, qos = self._unacked.pop(0)  # the oldest: the window must not fill
            else:
                mid, qos = msg.mid, msg.qos
            client.ack(mid, qos)

    def hold_acks(self) -> None:
        """Defer again, as at each connection (``_on_connect``), until ``release_acks``: a
        station probes again when any of its links reconnects, and with one link per unit (no
        broker username) the others went on acknowledging what that probe held, lost to the
        running station if the probe ended as the twin (review rev46r)."""
        with self._ack_lock:
            self._acks_deferred = self._defer_acks

    @property
    def unacknowledged(self) -> int:
        """Messages received on this connection and not acknowledged yet (deferred until
        ``release_acks``): what the broker would give the session's next connection again. A
        healthy link's count falls to 0 once its station's checks have ended."""
        with self._ack_lock:
            return len(self._unacked)

    def release_acks(self, connection: int | None = None) -> None:
        """Acknowledge what waits, and every message from now on as it comes (paho's way),
        until the next connection (see ``_on_connect``) or ``hold_acks``.

        ``connection``: the connection (``Connected.connection``) the caller's probe saw
        last. If the link has connected again since, nothing is released: that connection's
        own probe will. A reconnect in the moment between a probe's end and this release had
        its deferral switched off before its probe began (review rev46r).

        Why defer at all (``defer_acks``, a starting station): paho acknowledged each QoS 1
        message as it came, so a station that took over a running twin's session (the same
        client id) and then stopped as its duplicate had taken the twin's queued requests
        away for good (review rev45r: 2 to 12 of 37 never reached the running station). An
        unacknowledged message stays in the broker's session, which sends it again to the
        next connection of that session: the twin's, when it takes the session back.

        Every QoS 1 message waits, in the order it came, and goes in that order: MQTT (3.1.1
        and 5, section 4.6) asks a client to acknowledge in the order the messages arrived.
        Retained messages and beds' statuses were acknowledged at once ahead of older ones
        waiting (review rev45r2); Mosquitto matches by packet id, a broker enforcing the order
        could drop the connection. They now come at QoS 0 (``latest_only``), unacknowledged.
        Under the lock, as ``_on_message``: a message coming meanwhile is not acknowledged
        ahead of these."""
        with self._ack_lock:
            if connection is not None and connection != self.connections:
                return
            self._acks_deferred = False
            waiting, self._unacked = self._unacked, []
            client = self._client
            if client is None:
                return
            for mid, qos in waiting:
                client.ack(mid, qos)

    def _on_publish(
        self, client: paho.Client, userdata: Any, mid: int, reason: ReasonCode, properties: Any
    ) -> None:
        """The broker's PUBACK. Under MQTT 5 it can say no (for example "not authorised" when
        the ACL denies the topic): then the message will never arrive, and someone must know."""
        now = time.monotonic()
        with self._flight_lock:
            topic = self._in_flight.pop(mid, None)
            if topic is None:
                # Handled before ``publish`` noted the message (paho runs this on its network
                # thread as soon as the PUBACK is read, and a QoS 0 message is "published" when
                # written, which can come first): ``publish`` reports it with its topic. The
                # note used to stay for good, and such a refusal named its topic "?". Notes
                # nobody takes (a QoS 0 message written after ``publish`` returned, a message
                # resent from an earlier session) go after EARLY_ACK_KEEP_S.
                self._early = {
                    m: seen for m, seen in self._early.items() if now - seen[1] < EARLY_ACK_KEEP_S
                }
                self._early[mid] = (reason, now)
                return
        self._report(topic, reason)

    def _report(self, topic: str, reason: ReasonCode) -> None:
        if reason.is_failure:
            log.error("broker refused a message to %s: %s", topic, reason)
            self.events.put(PublishRefused(topic, str(reason), self.name))


NETWORK_STOP_S = 3.0
"""How long :func:`stop_network` waits for paho's network thread: it ends within a second of
being told (its select() wakes every second), after the 2 s a link gives the broker to close."""


def stop_network(client: paho.Client, client_id: str, timeout_s: float = NETWORK_STOP_S) -> bool:
    """paho's ``loop_stop()``, but waiting at most ``timeout_s``; whether the thread ended.

    Why: ``loop_stop()`` joins the network thread with no timeout, and that thread can be held
    past any stop: a callback that does not return (a log line to a full pipe), a name lookup
    for a broker whose DNS does not answer. A headless station stops its link on its main
    thread, so it hung there until systemd's SIGKILL. Given up on, the thread is a daemon and
    ends with the process; nothing waiting is lost with it: a bedside's requests stay in its
    outbox until the station's receipt (resent at the next start), a station's receipts and
    states are sent again when the beds resend and at its next connection, and the broker
    publishes the last will if no DISCONNECT got out."""
    stop = _begin_network_stop(client, client_id)
    stop.stopper.join(timeout_s)
    if not stop.stopper.is_alive():
        return True
    held = stop.where_held()
    log.error(
        "MQTT link %s: paho's network thread did not stop within %g s (held in %s); going on "
        "without it, it ends with the process",
        client_id, timeout_s, held,
    )  # fmt: skip
    return False


@dataclass(frozen=True)
class _NetworkStop:
    """paho's ``loop_stop()`` under way on a thread of its own (``stopper``), which ends when
    paho's network thread does, and that network thread itself (``network``, None when the
    client had none): the caller decides how long to wait, and says where it is held.

    Why the thread object and not its name: paho names it ``paho-mqtt-client-ID``, and a
    thread a stop gave up on lives on under that name while a new client with the same id
    runs (a link made again in the same process, the doctor's next probe as the same user).
    Found by its name, the next stop's log line could show where the other one was held."""

    stopper: threading.Thread
    network: threading.Thread | None
    client_id: str

    def where_held(self) -> str:
        return _where_held(self.network, self.client_id)


def _begin_network_stop(client: paho.Client, client_id: str) -> _NetworkStop:
    # Taken before the stop begins: paho forgets its thread (``_thread = None``) as it ends.
    network = getattr(client, "_thread", None)
    stopper = threading.Thread(target=client.loop_stop, name=f"mqtt-stop-{client_id}", daemon=True)
    stopper.start()
    return _NetworkStop(
        stopper, network if isinstance(network, threading.Thread) else None, client_id
    )


def _where_held(network: threading.Thread | None, client_id: str) -> str:
    """Where paho's network thread ``network`` (of the client ``client_id``) is held, for the
    log line of a stop that gave up on it: its innermost frame outside Python's own library (a
    callback of ours, paho's reconnect), and the call it waits in there (a lock, a DNS
    lookup)."""
    name = network.name if network is not None else f"paho-mqtt-client-{client_id}"
    frame = sys._current_frames().get(network.ident or -1) if network is not None else None
    if frame is None:
        return f"{name}: not found"
    stack = traceback.extract_stack(frame)
    stdlib = sysconfig.get_paths()["stdlib"]  # site-packages may be under it
    ours = next(
        (f for f in reversed(stack)
         if not f.filename.startswith(stdlib) or "-packages" in f.filename),
        stack[-1],
    )  # fmt: skip
    waits = f", waiting in {stack[-1].name}" if stack[-1] is not ours else ""
    return f"{name}: {ours.name} at {ours.filename}:{ours.lineno}{waits}"


STOP_ALL_S = 20.0
"""How long :func:`stop_links` waits for the links together before it lets the process go on."""


def stop_links(links: Sequence[MqttLink], timeout_s: float = STOP_ALL_S) -> None:
    """Stop several links at once, each on its own thread, and wait for all of them.

    Why together: a link's :meth:`MqttLink.stop` waits up to 2 s for a broker that does not
    answer its DISCONNECT (:func:`_drain_until_closed`), and a station stops one link per
    unit. One after another, a station window serving three units took 13 s to exit on
    SIGTERM while the broker hung, past the 10 s its caller waits for the service thread."""
    if len(links) <= 1:
        for link in links:
            link.stop()
        return
    threads = [
        threading.Thread(target=link.stop, name=f"stop-{link.client_id}", daemon=True)
        for link in links
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout_s
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    busy = [t.name for t in threads if t.is_alive()]
    if busy:
        log.error("MQTT links still stopping after %g s: %s", timeout_s, ", ".join(busy))


def _drain_until_closed(sock: Any, timeout_s: float = 2.0) -> None:
    """Read until the broker closes the connection after our DISCONNECT.

    paho calls on_disconnect after writing DISCONNECT and closes the socket right after. If
    messages from the broker are still unread then, the kernel answers the close with a TCP
    reset, and the broker may drop the DISCONNECT with it (Mosquitto 2.0.11 logs "disconnected
    due to out of memory") and publish the last will: a station's fault status was overwritten
    by a plain "offline". Reading to the end first makes the close an orderly one."""
    if sock is None or not hasattr(sock, "recv"):
        return
    deadline = time.monotonic() + timeout_s
    while (left := deadline - time.monotonic()) > 0:
        try:
            pending = getattr(sock, "pending", None)  # TLS may hold decrypted bytes already
            if not (pending and pending()) and not select.select([sock], [], [], left)[0]:
                continue
            if not sock.recv(65536):
                return  # the broker closed: our DISCONNECT is in
        except ssl.SSLWantReadError:
            continue
        except (OSError, ValueError):
            return


def _no_delay(client: paho.Client) -> None:
    """Turn Nagle's algorithm off: paho leaves it on, so a burst of small publishes (the
    station's receipt, state and queue after each change) waited ~40 ms for the broker's
    delayed ACK before the queue left; measured with ``beckon bench ui``."""
    setsockopt = getattr(client.socket(), "setsockopt", None)
    try:
        if setsockopt is not None:
            setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError) as exc:  # not a TCP socket (e.g. a websocket wrapper)
        log.debug("TCP_NODELAY not set: %s", exc)
