"""Prometheus metrics and health: scraped over real HTTP from a real `beckon station --headless`
process (and an in-process bedside), parsed with prometheus_client's own parser; the windows
that run a service (the bedside, the station with ``--serve``) serve them too."""

from __future__ import annotations

import math
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from beckon.background import Background
from beckon.bedside.events import BedsideEvent, StateChanged
from beckon.bedside.service import BedsideService, Submit
from beckon.config import BedsideConfig, BedsideSettings, BrokerConfig, load_station
from beckon.errors import ConfigError
from beckon.messaging.broker import wait_for_port
from beckon.metrics import BedsideMetrics, Endpoint
from tests.helpers.metrics import health
from tests.helpers.ports import free_port


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        assert resp.headers["Content-Type"].startswith("text/plain")
        text = resp.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def until(check: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    return check()


def station_config(tmp_path: Path, url: str, port: int) -> Path:
    """A station for gh/icu on ``url`` serving its metrics on ``port``."""
    config = tmp_path / "station.toml"
    config.write_text(
        f'[station]\nsite = "gh"\nunits = ["icu"]\nname = "desk"\n'
        f'database = "{tmp_path / "station.sqlite3"}"\nmetrics = "127.0.0.1:{port}"\n'
        f'[broker]\nurl = "{url}"\n'
    )
    return config


@pytest.fixture
def station_process(
    mosquitto: Any, tmp_path: Path, beckon_cmd: list[str]
) -> Iterator[tuple[int, Path]]:
    port = free_port()
    config = station_config(tmp_path, mosquitto.url, port)
    log = (tmp_path / "station.log").open("wb")
    proc = subprocess.Popen(
        [*beckon_cmd, "station", "--headless", "--config", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for_port(port, 30), (tmp_path / "station.log").read_text()
        yield port, config
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()


def bedside(mosquitto: Any, tmp_path: Path, bed: str = "5") -> BedsideService:
    return BedsideService(
        BedsideSettings(
            BedsideConfig(
                "gh", "icu", bed, inputs=("touch",), outbox=str(tmp_path / f"outbox-{bed}.db")
            ),
            BrokerConfig(url=mosquitto.url),
        )
    )


@pytest.mark.mqtt
def test_a_station_process_serves_request_metrics_and_health(
    station_process: tuple[int, Path],
    mosquitto: Any,
    tmp_path: Path,
    beckon_cmd: list[str],
) -> None:
    port, config = station_process
    assert until(lambda: health(port)[0] == 200), health(port)
    _, status = health(port)
    assert status["status"] == "ok" and status["broker_connected"] is True

    metrics = scrape(port)
    assert metrics[("beckon_up", ())] == 1
    assert metrics[("beckon_requests_open", (("priority", "routine"), ("state", "received")))] == 0

    bed = bedside(mosquitto, tmp_path)
    events: list[BedsideEvent] = []
    bed.listeners.append(events.append)
    with Background(bed.run, "bedside"):
        assert until(lambda: bed.link is not None and bed.link.connected)
        bed.post(Submit("water", "touch"))

        def received_ids() -> list[str]:
            return [
                e.request_id
                for e in events
                if isinstance(e, StateChanged) and e.state == "received"
            ]

        assert until(lambda: bool(received_ids()))
        request_id = received_ids()[0]

        received = (("priority", "routine"), ("state", "received"))
        assert until(lambda: scrape(port)[("beckon_requests_open", received)] == 1)
        metrics = scrape(port)
        assert metrics[("beckon_request_receipt_seconds_count", (("priority", "routine"),))] == 1
        assert metrics[("beckon_request_receipt_seconds_sum", (("priority", "routine"),))] < 60
        changes = (("change", "received"), ("priority", "routine"))
        assert metrics[("beckon_request_changes_total", changes)] == 1

        done = subprocess.run(
            [
                *beckon_cmd,
                "station",
                "--config",
                str(config),
                "ack",
                request_id[:8],
                "--nurse",
                "Kim",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        acked = (("priority", "routine"), ("state", "acknowledged"))
        assert until(lambda: scrape(port)[("beckon_requests_open", acked)] == 1)
        metrics = scrape(port)
        assert metrics[("beckon_requests_open", received)] == 0
        ack_count = ("beckon_request_acknowledge_seconds_count", (("priority", "routine"),))
        assert metrics[ack_count] == 1

    # The broker goes away: health says so (503), and the reconnect is counted after it returns.
    mosquitto.stop()
    assert until(lambda: health(port)[0] == 503)
    _, status = health(port)
    assert status["problems"] == ["broker not connected"]
    assert scrape(port)[("beckon_broker_connected", ())] == 0
    mosquitto.start()
    assert until(lambda: health(port)[0] == 200, timeout=60)
    assert scrape(port)[("beckon_broker_reconnects_total", ())] >= 1


@pytest.mark.mqtt
def test_a_bedside_reports_outbox_latency_and_a_stalled_loop(
    mosquitto: Any, tmp_path: Path
) -> None:
    """No station here: the request waits in the outbox, which the metrics show."""
    bed = bedside(mosquitto, tmp_path, "6")
    metrics = BedsideMetrics(bed)
    endpoint = Endpoint("127.0.0.1:0", metrics.registry, metrics.health).start()
    try:
        assert health(endpoint.port)[0] == 503  # the loop has not started
        # No age before the first turn (a standby's read as the host's uptime, and alarmed).
        assert math.isnan(scrape(endpoint.port)[("beckon_loop_age_seconds", ())])
        with Background(bed.run, "bedside"):
            assert until(lambda: health(endpoint.port)[0] == 200)
            bed.post(Submit("water", "touch"))
            assert until(lambda: scrape(endpoint.port)[("beckon_outbox_length", ())] == 1)
            assert scrape(endpoint.port)[("beckon_bedside_requests_total", ())] == 1
            metrics.face_status(type("S", (), {"state": "ready"})())
            assert scrape(endpoint.port)[("beckon_face_status", (("state", "ready"),))] == 1
        # The loop no longer turns: after STALL_AFTER_S health would say stalled; the age grows.
        age = scrape(endpoint.port)[("beckon_loop_age_seconds", ())]
        time.sleep(0.3)
        assert scrape(endpoint.port)[("beckon_loop_age_seconds", ())] > age
    finally:
        endpoint.stop()


def test_the_metrics_follow_the_hosts_face_and_keep_the_windows_own_callback(
    tmp_path: Path,
) -> None:
    from beckon.bedside.host import BedsideHost

    service = BedsideService(
        BedsideSettings(BedsideConfig("gh", "icu", "8", outbox=str(tmp_path / "o.db")))
    )
    shown: list[Any] = []
    host = BedsideHost(service, None, None, on_face=shown.append)
    metrics = BedsideMetrics(service)
    metrics.follow(host)
    status = type("S", (), {"state": "calibrating"})()
    assert host.on_face is not None
    host.on_face(status)
    assert shown == [status]  # the window still shows it
    face = "beckon_face_status"
    assert metrics.registry.get_sample_value(face, {"state": "calibrating"}) == 1
    assert metrics.registry.get_sample_value(face, {"state": "ready"}) == 0


def healthy(port: int) -> bool:
    """``/health`` says ok; False (not an exception) while nothing answers, so that a failed
    wait shows the window's log."""
    try:
        return health(port)[0] == 200
    except (OSError, urllib.error.URLError):
        return False


def said(port: int) -> str:
    """What ``/health`` answers now, for a failed wait: which problem it still reports."""
    try:
        return repr(health(port))
    except (OSError, urllib.error.URLError) as exc:
        return repr(exc)


def _window(beckon_cmd: list[str], args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*beckon_cmd, *args],
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _stop(window: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM ends the window's process within 30 s; if not, the failure shows its log."""
    window.terminate()
    try:
        window.wait(30)
    except subprocess.TimeoutExpired:
        window.kill()
        window.wait(10)
        raise AssertionError(
            f"SIGTERM did not end the window in 30 s:\n{log.read_text()}"
        ) from None


@pytest.mark.mqtt
def test_the_bedside_window_serves_its_metrics_like_the_headless_service(
    mosquitto: Any, tmp_path: Path, beckon_cmd: list[str]
) -> None:
    """A kiosk tablet runs the window, not ``--headless``: ``bedside.metrics`` works there too
    (it used to be ignored without a word)."""
    port = free_port()
    config = tmp_path / "bedside.toml"
    config.write_text(
        f'[bedside]\nsite = "gh"\nunit = "icu"\nbed = "7"\ninputs = ["touch"]\n'
        f'outbox = "{tmp_path / "outbox.db"}"\nmetrics = "127.0.0.1:{port}"\n'
        f'[broker]\nurl = "{mosquitto.url}"\n'
    )
    log = tmp_path / "bedside.log"
    window = _window(beckon_cmd, ["bedside", "--no-speech", "--config", str(config)], log)
    try:
        assert wait_for_port(port, 60), log.read_text()
        assert until(lambda: healthy(port)), (window.poll(), said(port), log.read_text())
        metrics = scrape(port)
        assert metrics[("beckon_up", ())] == 1
        assert metrics[("beckon_outbox_length", ())] == 0
        assert window.poll() is None
    finally:
        _stop(window, log)


@pytest.mark.mqtt
def test_the_station_window_serving_the_unit_serves_its_metrics(
    mosquitto: Any, tmp_path: Path, beckon_cmd: list[str]
) -> None:
    port = free_port()
    config = station_config(tmp_path, mosquitto.url, port)
    log = tmp_path / "station.log"
    args = ["station", "--serve", "--no-sound", "--config", str(config)]
    window = _window(beckon_cmd, args, log)
    try:
        assert wait_for_port(port, 60), log.read_text()
        assert until(lambda: healthy(port)), (window.poll(), said(port), log.read_text())
        received = (("priority", "routine"), ("state", "received"))
        assert scrape(port)[("beckon_requests_open", received)] == 0
        assert window.poll() is None
    finally:
        _stop(window, log)


def test_a_bad_metrics_address_or_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text('[station]\nsite = "gh"\nunits = ["icu"]\nmetrics = "9464"\n')
    with pytest.raises(ConfigError, match=r"station\.metrics is '9464'; expected HOST:PORT"):
        load_station(config, env={})
    registry = CollectorRegistry()
    first = Endpoint("127.0.0.1:0", registry, lambda: (True, {}))
    first.start()
    try:
        with pytest.raises(ConfigError, match="cannot serve metrics"):
            Endpoint(f"127.0.0.1:{first.port}", registry, lambda: (True, {}))
    finally:
        first.stop()


def test_a_busy_metrics_port_leaves_the_station_serving_calls(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Monitoring must never take call handling down (78 is never restarted by systemd)."""
    from beckon.config import StationConfig, StationSettings
    from beckon.metrics import serve_station
    from beckon.station.service import StationService

    busy = Endpoint("127.0.0.1:0", CollectorRegistry(), lambda: (True, {})).start()
    try:
        settings = StationSettings(
            StationConfig("gh", ("icu",), database=str(tmp_path / "s.sqlite3")), BrokerConfig()
        )
        with caplog.at_level("ERROR", "beckon.metrics"):
            endpoint = serve_station(StationService(settings), f"127.0.0.1:{busy.port}")
        assert endpoint is None
        assert "METRICS OFF: cannot serve metrics on" in caplog.text
        assert "calls are handled as usual" in caplog.text
    finally:
        busy.stop()


def test_an_escalated_call_is_counted_as_overdue(tmp_path: Path) -> None:
    """The docs' alert was on ``beckon_requests_open{state="escalated"}``, which stayed 0: a
    call is escalated while received or acknowledged. ``beckon_requests_overdue`` counts it."""
    from types import SimpleNamespace

    from beckon.messaging import protocol as p
    from beckon.metrics import StationMetrics
    from beckon.station.store import RequestStore

    store = RequestStore(tmp_path / "station.sqlite3")
    calls = [
        p.Request(p.new_request_id(), "gh", "icu", bed, "water", "routine", "touch", p.now_iso())
        for bed in ("1", "2")
    ]
    for call in calls:
        store.receive(call)
    store.set_escalation(calls[0].id, 3)
    cfg = SimpleNamespace(site="gh", units=["icu"])
    service = SimpleNamespace(store=store, cfg=cfg, listeners=[], beats=[])
    metrics = StationMetrics(service)  # type: ignore[arg-type]
    metrics.sample()
    read = metrics.registry.get_sample_value
    assert read("beckon_requests_overdue", {"priority": "routine"}) == 1
    assert read("beckon_requests_open", {"state": "received", "priority": "routine"}) == 2
    assert read("beckon_requests_open", {"state": "escalated", "priority": "routine"}) is None
    store.close()


def test_a_stations_request_gauges_count_only_the_units_it_serves(tmp_path: Path) -> None:
    """Stations of different units share one PostgreSQL database: each counted every unit's
    open calls. SQLite here, with another unit's call stored in the same file."""
    from types import SimpleNamespace

    from beckon.messaging import protocol as p
    from beckon.metrics import StationMetrics
    from beckon.station.store import RequestStore

    store = RequestStore(tmp_path / "station.sqlite3")
    for unit, bed in (("ward-2", "4"), ("icu", "12")):
        store.receive(p.Request(p.new_request_id(), "gh", unit, bed, "water", "urgent", "touch",
                                p.now_iso()))  # fmt: skip
    cfg = SimpleNamespace(site="gh", units=["icu"])
    service = SimpleNamespace(store=store, cfg=cfg, listeners=[], beats=[])
    metrics = StationMetrics(service)  # type: ignore[arg-type]
    metrics.sample()
    read = metrics.registry.get_sample_value
    assert read("beckon_requests_open", {"state": "received", "priority": "urgent"}) == 1
    store.close()
