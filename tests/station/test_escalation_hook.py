"""An escalation reaches something outside the station: a real `beckon station --headless`
process, a real Mosquitto, a real HTTP server on loopback and a real script the hook runs.
The escalation times are short (1 s) so the test does not wait minutes; nothing here depends
on the machine's speed beyond generous time limits."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from beckon.config import load_station
from beckon.errors import ConfigError
from beckon.messaging import protocol as p
from beckon.station.service import StationService
from tests.helpers.faults import start_station
from tests.helpers.rig import send_raw

pytestmark = pytest.mark.mqtt


def test_each_escalation_level_is_posted_to_the_pager_url_and_given_to_the_command(
    mosquitto: Any, tmp_path: Path, pager: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = pager
    script = tmp_path / "page.py"
    script.write_text(
        "import sys, json\n"
        "notice = json.load(sys.stdin)\n"
        "with open(sys.argv[1], 'a') as out:\n"
        "    out.write(json.dumps(notice) + '\\n')\n"
    )
    paged = tmp_path / "paged.jsonl"
    paged.write_text("")
    config = tmp_path / "station.toml"
    config.write_text(
        f'[station]\nsite = "gh"\nunits = ["icu"]\ndatabase = "{tmp_path / "s.sqlite3"}"\n'
        f'[broker]\nurl = "{mosquitto.url}"\n'
        "[escalation]\nurgent_s = 2.0\n"
        f'hook_url = "{url}"\n'
        f"hook_command = {json.dumps([sys.executable, str(script), str(paged)])}\n"
    )
    station = start_station(config, tmp_path)
    try:
        req = p.Request(
            p.new_request_id(), "gh", "icu", "12", "nurse", "urgent", "gesture", p.now_iso()
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(r["body"]["level"] == 3 for r in received):
            if not received:  # until the station is up, send again (it stores it once)
                send_raw(mosquitto.port, req.address.topic("request"), p.encode(req))
            time.sleep(0.5)
        bodies = [r["body"] for r in received]
        levels = [b["level"] for b in bodies]
        # One notice per level reached, in order (a level the station's 1 s check skipped on a
        # busy machine is skipped here too, so only the order and the top are certain).
        assert levels == sorted(set(levels)) and levels[-1] == 3, levels
        assert all(r["path"] == "/page" and r["type"] == "application/json" for r in received)
        first = bodies[0]
        assert (first["kind"], first["bed"], first["unit"], first["intent"]) == (
            "escalation", "12", "icu", "nurse"
        )  # fmt: skip
        assert first["request_id"] == req.id and first["reason"] == "not acknowledged"
        while time.monotonic() < deadline and len(paged.read_text().splitlines()) < len(levels):
            time.sleep(0.2)
        by_command = [json.loads(line) for line in paged.read_text().splitlines()]
        assert sorted(n["level"] for n in by_command) == levels
        assert by_command[0]["request_id"] == req.id
    finally:
        station.stop()


def test_a_failing_hook_is_logged_loudly_and_the_station_keeps_serving(
    mosquitto: Any, tmp_path: Path
) -> None:
    config = tmp_path / "station.toml"
    config.write_text(
        f'[station]\nsite = "gh"\nunits = ["icu"]\ndatabase = "{tmp_path / "s.sqlite3"}"\n'
        f'[broker]\nurl = "{mosquitto.url}"\n'
        '[escalation]\nurgent_s = 1.0\nhook_command = ["/nonexistent/pager"]\n'
    )
    station = start_station(config, tmp_path)
    try:
        req = p.Request(
            p.new_request_id(), "gh", "icu", "12", "nurse", "urgent", "gesture", p.now_iso()
        )
        deadline = time.monotonic() + 60
        log = tmp_path / "station.err"
        while time.monotonic() < deadline and "ESCALATION HOOK FAILED" not in log.read_text():
            send_raw(mosquitto.port, req.address.topic("request"), p.encode(req))
            time.sleep(0.5)
        assert "ESCALATION HOOK FAILED" in log.read_text()
        # Said at start already, while the station serves on without its pager.
        assert "ESCALATION HOOK WILL FAIL" in log.read_text()
        assert "/nonexistent/pager" in log.read_text()
        assert station.popen.poll() is None  # still serving
    finally:
        station.stop()


@pytest.mark.parametrize("url", ["pager.example.org", "ftp://pager.example.org/", "http://"])
def test_a_hook_url_that_can_never_work_is_refused_at_start(url: str, tmp_path: Path) -> None:
    settings = load_station(
        None,
        {"station.site": "gh", "station.units": ["icu"], "escalation.hook_url": url},
    )
    with pytest.raises(ConfigError, match=r"escalation\.hook_url"):
        StationService(settings)


def test_a_page_under_way_when_the_station_stops_is_finished_first(tmp_path: Path) -> None:
    """Its level is already stored, so a page cut off by a restart is never sent again."""
    from beckon.config import EscalationConfig
    from beckon.station.hook import EscalationHook, EscalationNotice

    paged = tmp_path / "paged.json"
    script = tmp_path / "slow_pager.py"
    script.write_text(
        "import sys, time\ntime.sleep(3)\nopen(sys.argv[1], 'wb').write(sys.stdin.buffer.read())\n"
    )
    slow = [sys.executable, str(script), str(paged)]
    hook = EscalationHook(EscalationConfig(hook_command=tuple(slow), hook_timeout_s=5.0))
    hook.send(EscalationNotice("gh", "icu", "12", "r-1", "water", "routine", 1, "waited", "now"))
    hook.close()  # what the station does as it stops
    assert json.loads(paged.read_text())["level"] == 1


def test_the_station_unit_lets_a_hook_finish_on_stop() -> None:
    unit = (
        Path(__file__).resolve().parents[2] / "deploy/systemd/beckon-station.service"
    ).read_text()
    assert "\nKillMode=mixed\n" in unit


def test_a_gateway_that_answers_garbage_is_a_failed_page_retried_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An http:// hook_url pointed at a TLS port answers bytes that are no HTTP status line.
    That error killed the delivery thread before it said anything: no ESCALATION HOOK FAILED,
    and the page was never retried. A real socket on loopback plays the gateway."""
    import socket
    import threading

    from beckon.config import EscalationConfig
    from beckon.station.hook import EscalationHook, EscalationNotice
    from beckon.station.paging import Pages

    gateway = socket.create_server(("127.0.0.1", 0))

    def answer_garbage() -> None:
        conn, _ = gateway.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(b"\x15\x03\x01\x00\x02\x02\x46garbage\r\n\r\n")

    threading.Thread(target=answer_garbage, daemon=True).start()
    port = gateway.getsockname()[1]
    hook = EscalationHook(EscalationConfig(hook_url=f"http://127.0.0.1:{port}/page"))
    pages = Pages()
    notice = EscalationNotice("gh", "icu", "12", p.new_request_id(), "water", "routine", 1,
                              "not acknowledged", p.now_iso())  # fmt: skip
    try:
        hook.send(notice, pages.delivered)
        hook.close()
    finally:
        gateway.close()
    pages.settle(time.monotonic())
    assert len(pages) == 1, "the page waits for its retry"
    assert "ESCALATION HOOK FAILED" in caplog.text
