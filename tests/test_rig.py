"""The one-machine rig that the demo, the benches, the screenshots and the tests share."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from beckon.messaging import protocol as p
from tests.helpers.rig import Recorder, request_received, wait_until


@pytest.mark.mqtt
def test_a_request_goes_round_the_rig_and_a_nurse_closes_it(mosquitto: Any, tmp_path: Path) -> None:
    from beckon.lab.rig import one_machine

    with one_machine(mosquitto.url, folder=tmp_path, site="gh", unit="ward-2") as rig:
        assert (rig.broker, rig.url) == ("given", mosquitto.url)
        station = rig.serve(rig.station({"station.name": "desk"}))
        assert station.settings.station.units == ("ward-2",)
        seen = Recorder()
        bedside = rig.bedside("5", {"bedside.offer_seconds": 6.0})
        bedside.listeners.append(seen)
        assert bedside.settings.bedside.outbox == str(tmp_path / "outbox-5.sqlite3")
        rig.run(bedside)
        request_id = request_received(bedside, seen, "water", "touch")
        nurse = rig.nurse("Nurse Kim")
        assert nurse.send("acknowledge", request_id)
        assert wait_until(lambda: "acknowledged" in seen.states(request_id)), seen.events
        assert nurse.send("resolve", request_id)
        assert wait_until(lambda: "resolved" in seen.states(request_id)), seen.events
    # The rig stopped everything it ran.
    assert not any(t.name in ("station", "bedside-5") for t in threading.enumerate())


def test_a_nurse_command_is_built_in_one_place_and_refuses_unknown_actions() -> None:
    request_id = p.new_request_id()
    cmd = p.nurse_command("acknowledge", request_id, "Nurse Kim")
    assert (cmd.action, cmd.id, cmd.by) == ("acknowledge", request_id, "Nurse Kim")
    assert p.decode(p.encode(cmd)) == cmd
    with pytest.raises(p.ProtocolError, match="not a nurse action"):
        p.nurse_command("ignore", "r1", "Nurse Kim")


def test_the_rigs_temporary_folder_goes_even_when_interrupted_before_its_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The terminal demo turns SIGTERM into KeyboardInterrupt. One raised after the folder was
    made but before its removal was arranged left /tmp/beckon-rig-* behind. The folder now goes
    when its block ends, when the block raises, and when the block never starts; a folder of
    the same name made by someone else is never removed."""
    import tempfile

    from beckon.lab import rig as rig_module
    from beckon.lab.rig import temporary_folder

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    with temporary_folder("beckon-rig-") as folder:
        assert folder.is_dir() and folder.parent == tmp_path
        (folder / "outbox.sqlite3").write_text("x")
    assert list(tmp_path.iterdir()) == []

    with pytest.raises(KeyboardInterrupt), temporary_folder("beckon-rig-"):
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []

    entered = temporary_folder("beckon-rig-")
    assert entered.__enter__().is_dir()
    del entered  # interrupted before the caller's ``with`` took it over
    assert list(tmp_path.iterdir()) == []

    names = iter(["taken", "mine"])
    monkeypatch.setattr(rig_module.secrets, "token_hex", lambda n: next(names))
    (tmp_path / "beckon-rig-taken").mkdir()
    with temporary_folder("beckon-rig-") as folder:
        assert folder.name == "beckon-rig-mine"
    assert [p.name for p in tmp_path.iterdir()] == ["beckon-rig-taken"]
