"""Prometheus metrics and a health status for hospital monitoring.

Why: IT already watches its servers with Prometheus (or something that scrapes its text
format); a nurse call station that is slow to confirm calls, a tablet whose outbox grows or
whose camera stopped seeing the patient should show up there before a nurse notices. Each
process serves, on the ``metrics = "HOST:PORT"`` of its config (off by default):

* ``/metrics``: Prometheus text, produced by ``prometheus_client`` from a registry of this
  process's own (so two services in one test process never mix their figures);
* ``/health``: JSON, status 200 when the service's main loop turned within
  ``STALL_AFTER_S`` and the broker is connected, else 503 (for load balancers and simple
  checks that do not parse metrics).

The figures are taken on the service's own thread (its loop ``beats`` and listeners), because
the station's SQLite store belongs to that thread; the HTTP thread only reads the registry.
Metric names are documented in docs/deployment.md.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from beckon.errors import ConfigError
from beckon.messaging import protocol as p
from beckon.station.links_down import by_cause

if TYPE_CHECKING:
    from beckon.bedside.events import BedsideEvent
    from beckon.bedside.host import BedsideHost
    from beckon.bedside.service import BedsideService
    from beckon.station.events import StationEvent
    from beckon.station.service import StationService

log = logging.getLogger(__name__)

STALL_AFTER_S = 10.0  # a main loop silent this long is reported stalled
SAMPLE_EVERY_S = 2.0  # how often gauges that need a query are refreshed
# Seconds from the patient's request to the station's receipt (normally well under a second;
# minutes when a tablet was offline) and to a nurse's acknowledgement (minutes).
RECEIPT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800)
ACK_BUCKETS = (10, 30, 60, 120, 300, 600, 1200, 1800, 3600)
STATES = ("received", "acknowledged")
"""The states an open request is in. Escalation is no state (a call is escalated while
received or acknowledged): ``beckon_requests_overdue`` counts it. A label "escalated" here was
always 0, and the alert the docs suggested on it could never fire."""


def parse_address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"metrics address {value!r}: expected HOST:PORT")
    return host.strip("[]"), int(port)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            body = generate_latest(self.server.registry)
            self._send(200, CONTENT_TYPE_LATEST, body)
        elif path == "/health":
            ok, detail = self.server.health()
            body = json.dumps({"status": "ok" if ok else "unhealthy", **detail}).encode()
            self._send(200 if ok else 503, "application/json", body)
        else:
            self._send(404, "text/plain", b"try /metrics or /health\n")

    def _send(self, code: int, kind: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("metrics: " + format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        registry: CollectorRegistry,
        health: Callable[[], tuple[bool, dict[str, Any]]],
    ) -> None:
        self.registry = registry
        self.health = health
        super().__init__(address, _Handler)


class Endpoint:
    """The HTTP server on its own thread; ``port`` is the bound port (useful with port 0)."""

    def __init__(
        self,
        address: str,
        registry: CollectorRegistry,
        health: Callable[[], tuple[bool, dict[str, Any]]],
    ) -> None:
        host, port = parse_address(address)
        try:
            self._server = _Server((host, port), registry, health)
        except OSError as exc:
            raise ConfigError(
                f"cannot serve metrics on {address}: {exc.strerror}",
                'choose a free port (metrics = HOST:PORT in the config) or turn it off with ""',
            ) from None
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics", daemon=True
        )

    def start(self) -> Endpoint:
        self._thread.start()
        log.info("metrics on http://%s:%d/metrics", self._server.server_address[0], self.port)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Common:
    """What both roles report: loop liveness, broker connection and reconnects."""

    def __init__(self, role: str) -> None:
        self.registry = CollectorRegistry()
        self.role = role
        self._last_beat = 0.0
        self._last_sample = float("-inf")
        self._counted_connections = 0
        self.up = Gauge("beckon_up", "1 while the service's main loop runs", registry=self.registry)
        self.connected = Gauge(
            "beckon_broker_connected",
            "1 while connected to the MQTT broker",
            registry=self.registry,
        )
        self.reconnects = Counter(
            "beckon_broker_reconnects",
            "connections to the broker after the first (each one followed a loss)",
            registry=self.registry,
        )
        self.loop_age = Gauge(
            "beckon_loop_age_seconds",
            "seconds since the service's main loop last turned",
            registry=self.registry,
        )
        self.loop_age.set_function(self._loop_age)

    def _loop_age(self) -> float:
        """NaN until the loop first turns: a standby station's read as the host's uptime
        (75,896 s), and a ``loop_age > 30`` alert fired for every standby."""
        if not self._last_beat:
            return float("nan")
        return time.monotonic() - self._last_beat

    def _links(self) -> list[Any]:
        raise NotImplementedError

    def beat(self) -> None:
        """Called from the service's main loop."""
        now = time.monotonic()
        self._last_beat = now
        self.up.set(1)
        links = self._links()
        self.connected.set(1 if links and all(link.connected for link in links) else 0)
        total = sum(max(0, link.connections - 1) for link in links)
        if total > self._counted_connections:
            self.reconnects.inc(total - self._counted_connections)
            self._counted_connections = total
        if now - self._last_sample >= SAMPLE_EVERY_S:
            self._last_sample = now
            self.sample()

    def sample(self) -> None:
        """Refresh gauges that need a query (on the service thread)."""

    def health(self) -> tuple[bool, dict[str, Any]]:
        age = time.monotonic() - self._last_beat if self._last_beat else None
        links = self._links()
        connected = bool(links) and all(link.connected for link in links)
        looping = age is not None and age < STALL_AFTER_S
        problems = []
        if not looping:
            problems.append("main loop not running" if age is None else "main loop stalled")
        if not connected:
            problems.append("broker not connected")
        detail: dict[str, Any] = {
            "role": self.role,
            "loop_age_s": None if age is None else round(age, 3),
            "broker_connected": connected,
            "problems": problems,
        }
        return looping and connected, detail


def _seconds_since(created_at: str) -> float:
    return max(0.0, (datetime.now(UTC) - p.parse_iso(created_at)).total_seconds())


class StationMetrics(_Common):
    """Requests by state and priority, latencies, reconnects of one station service."""

    def __init__(
        self, service: StationService, standing_by: Callable[[], bool] = lambda: False
    ) -> None:
        super().__init__("station")
        self.service = service
        self.standing_by = standing_by
        """Whether this station stands by for another (PostgreSQL): its health says so."""
        reg = self.registry
        self.open = Gauge(
            "beckon_requests_open",
            "open requests by state and priority",
            ["state", "priority"],
            registry=reg,
        )
        for state in STATES:
            for priority in p.PRIORITIES:
                self.open.labels(state, priority).set(0)
        self.overdue = Gauge(
            "beckon_requests_overdue",
            "open requests the station has escalated (nobody acted in time), by priority",
            ["priority"],
            registry=reg,
        )
        for priority in p.PRIORITIES:
            self.overdue.labels(priority).set(0)
        self.changes = Counter(
            "beckon_request_changes",
            "request changes by what happened (received, acknowledged, resolved, cancelled, "
            "escalated) and priority",
            ["change", "priority"],
            registry=reg,
        )
        self.to_receipt = Histogram(
            "beckon_request_receipt_seconds",
            "from the request's creation at the bedside to its receipt at the station",
            ["priority"],
            buckets=RECEIPT_BUCKETS,
            registry=reg,
        )
        self.to_ack = Histogram(
            "beckon_request_acknowledge_seconds",
            "from the request's creation at the bedside to a nurse's acknowledgement",
            ["priority"],
            buckets=ACK_BUCKETS,
            registry=reg,
        )
        self.unit_connected = Gauge(
            "beckon_unit_broker_connected",
            "1 while the broker link serving this unit is connected (one link per unit "
            "without a broker user, one for all units with one)",
            ["unit"],
            registry=reg,
        )
        # No series until the loop's first beat: a PostgreSQL standby (its loop not running)
        # read 0 for every unit, and ``beckon_unit_broker_connected == 0`` paged for every
        # standby (review rev49s), as ``loop_age`` once did.
        service.listeners.append(self.on_change)
        service.beats.append(self.beat)

    def beat(self) -> None:
        """``beckon_broker_connected`` means every link (kept so, for the alerts built on it);
        the per-unit gauge shows which unit is cut off: one unit's link down read 0 on the
        station-wide gauge as if every unit were."""
        super().beat()
        links = self.service.links
        for unit in self.service.cfg.units:
            link = links.get(unit)
            self.unit_connected.labels(unit).set(1 if link is not None and link.connected else 0)

    def health(self) -> tuple[bool, dict[str, Any]]:
        if self.standing_by():
            return False, {
                "role": self.role,
                "standing_by": True,
                "problems": ["standing by: another station service is active for this unit"],
            }
        healthy, detail = super().health()
        detail["starting"] = self.service.starting  # healthy so far, not serving yet
        # Per unit (one broker link each without a broker username): which units' links are
        # down and which units are served now; ``broker_connected`` still means every link.
        # All or nothing, one unit's link down read as the whole station off the broker.
        down = self.service.units_down
        detail["units_down"] = down
        detail["units_serving"] = self.service.units_serving
        if down and len(down) < len(self.service.cfg.units):
            detail["problems"] = [
                f"broker not connected for unit {', '.join(down)} (the other units' "
                "connections are up)"
                if problem == "broker not connected"
                else problem
                for problem in detail["problems"]
            ]
        # A link down past not_serving_after_s: the cause its CRITICAL line gave, in the same
        # words (``LinkDown``), for health readers and the doctor's fix (``links_down``). It
        # said only "broker not connected" while the log said "the broker refuses it: ...".
        if long := self.service.links_down_long:
            detail["links_down"] = [link.as_health() for link in long]
            causes = by_cause(long, len(self.service.cfg.units))  # each cause once
            detail["problems"] += [f"not serving {link.down}" for link in causes]
        # Running, but not taking the unit's calls: holding back, waiting for its database,
        # or a re-check for a twin that goes on (``calls_held``).
        if why := self.service.not_serving or self.service.calls_held:
            if detail["loop_age_s"] is None:
                # Not started yet (waiting for its database): no loop and no broker connection
                # follow from that, and listed first they sent IT looking for a twin or a
                # broker fault instead of the program holding the database (review rev44r).
                detail["problems"] = []
                detail["waiting"] = True
            detail["problems"].append(why)
            return False, detail
        owed = self.service.announce_owed  # serving, but a unit's state not republished
        if owed:
            detail["problems"].append(
                f"announce of unit {', '.join(owed)} failed: its calls, queue and beds' states "
                "are not republished; retrying"
            )
        split = self.service.split_by
        if split:  # another station serves our unit too: the calls are split
            detail["problems"].append(f"SECOND STATION serving this unit too: {', '.join(split)}")
            if healthy:  # serving, but not alone: the doctor says stop one of the two
                detail["split"] = split
            # Else (broker lost, loop stalled) the split is listed with those: "stop one of
            # the two" alone could make IT stop the one station still connected (rev44L).
            return False, detail
        if owed:
            # Named for the doctor only when nothing worse is wrong, as ``split``: its fix
            # (a bug to report, a restart) hid "broker not connected" (rev47s, item 3).
            if healthy:
                detail["announce_owed"] = owed
            return False, detail
        return healthy, detail

    def _links(self) -> list[Any]:
        return list(self.service.links.values())

    def on_change(self, event: StationEvent) -> None:
        from beckon.station.events import RequestChanged

        if not isinstance(event, RequestChanged):
            return
        view = event.view
        self.changes.labels(event.change, view.priority).inc()
        if event.change == "received":
            self.to_receipt.labels(view.priority).observe(_seconds_since(view.created_at))
        elif event.change == "acknowledged":
            self.to_ack.labels(view.priority).observe(_seconds_since(view.created_at))
        self._last_sample = float("-inf")  # refresh the open-request gauges on the next turn

    def sample(self) -> None:
        counts: dict[tuple[str, str], int] = {}
        overdue: dict[str, int] = {}
        cfg = self.service.cfg
        # The units this station serves: a station of one unit on a shared PostgreSQL counted
        # every unit's calls (``open_requests`` filters only when given a unit).
        served = (v for unit in cfg.units for v in self.service.store.open_requests(cfg.site, unit))
        for view in served:
            key = (view.state, view.priority)
            counts[key] = counts.get(key, 0) + 1
            if view.escalation > 0:
                overdue[view.priority] = overdue.get(view.priority, 0) + 1
        for state in STATES:
            for priority in p.PRIORITIES:
                self.open.labels(state, priority).set(counts.get((state, priority), 0))
        for priority in p.PRIORITIES:
            self.overdue.labels(priority).set(overdue.get(priority, 0))


class BedsideMetrics(_Common):
    """Outbox, latencies as the tablet sees them, camera and voice of one bedside."""

    def __init__(self, service: BedsideService) -> None:
        super().__init__("bedside")
        self.service = service
        reg = self.registry
        self.outbox = Gauge(
            "beckon_outbox_length",
            "messages on disk waiting for the station's receipt",
            registry=reg,
        )
        self.to_receipt = Histogram(
            "beckon_request_receipt_seconds",
            "from saving a request at the bedside to the station's receipt",
            buckets=RECEIPT_BUCKETS,
            registry=reg,
        )
        self.to_ack = Histogram(
            "beckon_request_acknowledge_seconds",
            "from saving a request at the bedside to a nurse's acknowledgement",
            buckets=ACK_BUCKETS,
            registry=reg,
        )
        self.fps = Gauge(
            "beckon_frames_per_second", "camera frames processed per second", registry=reg
        )
        self.face = Gauge(
            "beckon_face_status",
            "1 for the face state the camera sees now (no_face, calibrating, ready)",
            ["state"],
            registry=reg,
        )
        self.voice = Gauge(
            "beckon_voice_engine", "1 for the voice recogniser in use", ["engine"], registry=reg
        )
        self.requests = Counter(
            "beckon_bedside_requests", "requests saved at this bedside", registry=reg
        )
        self._saved: dict[str, float] = {}
        self._frames: tuple[float, int] | None = None
        self.host: BedsideHost | None = None
        """The host whose camera and microphone are reported (:meth:`follow`)."""
        service.listeners.append(self.on_event)
        service.beats.append(self.beat)

    def _links(self) -> list[Any]:
        return [self.service.link] if self.service.link is not None else []

    def on_event(self, event: BedsideEvent) -> None:
        from beckon.bedside.events import RequestSaved, StateChanged

        if isinstance(event, RequestSaved):
            if not event.restored:  # counted when the patient chose it, before the restart
                self.requests.inc()
            self._saved[event.request_id] = time.monotonic()
            if len(self._saved) > 1000:
                self._saved.pop(next(iter(self._saved)))
        elif isinstance(event, StateChanged) and event.request_id in self._saved:
            waited = time.monotonic() - self._saved[event.request_id]
            if event.state == "received":
                self.to_receipt.observe(waited)
            elif event.state == "acknowledged":
                self.to_ack.observe(waited)
                self._saved.pop(event.request_id, None)
            elif event.state in ("resolved", "cancelled"):
                self._saved.pop(event.request_id, None)

    def follow(self, host: BedsideHost) -> None:
        """Report ``host``'s camera (frames per second, the face's state) and voice engine,
        whichever window or loop shows it. Call before the host starts its camera: the face
        callback is read then."""
        self.host = host
        host.also_on_face(self.face_status)

    def face_status(self, status: Any) -> None:
        """The vision pipeline's FaceStatus (called on the vision thread; gauges are safe)."""
        for state in ("no_face", "calibrating", "ready"):
            self.face.labels(state).set(1 if status.state == state else 0)

    def sample(self) -> None:
        self.outbox.set(self.service.waiting)
        worker = self.host.vision if self.host is not None else None
        if worker is not None:
            now, frames = time.monotonic(), worker.frames
            if self._frames is not None and now > self._frames[0]:
                self.fps.set((frames - self._frames[1]) / (now - self._frames[0]))
            self._frames = (now, frames)
        voice = self.host.voice if self.host is not None else None
        if voice is not None and voice.engine:
            self.voice.labels(voice.engine).set(1)


def serve_station(
    service: StationService, address: str, standing_by: Callable[[], bool] = lambda: False
) -> Endpoint | None:
    """The station's endpoint on ``address`` (``station.metrics``), started; None when off.
    Every way the station service runs serves it, headless and the window's ``--serve``, from
    the start: a PostgreSQL standby answers too (503, "standing by"), not "connection
    refused" as if it were down."""
    if not address:
        return None
    metrics = StationMetrics(service, standing_by)
    return _serve(address, metrics.registry, metrics.health)


def serve_bedside(service: BedsideService, address: str, host: BedsideHost) -> Endpoint | None:
    """The bedside's endpoint on ``address`` (``bedside.metrics``), started and following
    ``host``; None when off. Both the headless service and the window serve it."""
    if not address:
        return None
    metrics = BedsideMetrics(service)
    metrics.follow(host)
    return _serve(address, metrics.registry, metrics.health)


def _serve(
    address: str, registry: CollectorRegistry, health: Callable[[], tuple[bool, dict[str, Any]]]
) -> Endpoint | None:
    """Start the endpoint; one that cannot bind (a port in use) is logged, not fatal.

    Monitoring must never take call handling down: exiting 78 here left a station unit
    stopped for good (systemd does not restart 78), and a PostgreSQL standby binds only when
    it takes over, so it would have died at the moment it was needed. A missing endpoint is
    what the monitoring notices anyway (connection refused)."""
    try:
        return Endpoint(address, registry, health).start()
    except ConfigError as exc:
        log.error("METRICS OFF: %s; calls are handled as usual (%s)", exc.message, exc.hint)
        return None
