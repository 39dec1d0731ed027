"""SIGTERM during the station's start-up check ends it at once: the check waited up to 10 s
for a broker that took the connection but did not answer (hung, or a firewall that holds
it), then the service started only to stop again: 12.8 s to exit (stop28 stress run)."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from tests.helpers.ports import free_port


def test_sigterm_while_the_broker_does_not_answer_the_check_stops_at_once(
    tmp_path: Path, beckon_cmd: list[str]
) -> None:
    port = free_port()
    silent = socket.create_server(("127.0.0.1", port))  # takes connections, never answers
    config = tmp_path / "station.toml"
    config.write_text(
        f'[station]\nsite = "gh"\nunits = ["icu"]\nname = "desk"\n'
        f'database = "{tmp_path / "station.sqlite3"}"\nmetrics = ""\n'
        f'[broker]\nurl = "mqtt://127.0.0.1:{port}"\n'
    )
    log = tmp_path / "station.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*beckon_cmd, "station", "--headless", "--config", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        silent.settimeout(60.0)
        checking, _ = silent.accept()  # the check connected: the signal handler is in place
        proc.terminate()
        assert proc.wait(60) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        silent.close()
    checking.close()
    text = log.read_text()
    assert "signal 15: stopping" in text
    # It did not sit out the wait for the broker's answer after the signal.
    assert "no answer to CONNECT" not in text, text
