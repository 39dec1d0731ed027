"""Which user the tests' plain Mosquitto (the ``mosquitto`` fixture) runs as, and where it
writes its database.

Mosquitto started as root switches to its ``user`` (``mosquitto`` by default) once it has
read its configuration. Under a root test run the fixture's broker did so, and its
persistence folder was in pytest's temporary folder, which is root's alone (mode 0700): every
save failed ("Error saving in-memory database ... Permission denied", in its log only), and the
tests that restart the broker "as after an outage" ran against one that forgot everything. So
as root the broker runs as an unprivileged user named here, with a data folder that user
owns outside pytest's; as anyone else Mosquitto does not switch user and nothing changes.

The brokers derived from the shipped configuration (tests/helpers/deploy.py,
tests/helpers/hospital.py) still run as the test's own user, root included (their ``user``
line): the test writes their server key, password file and ACL into pytest's private folder,
with the modes its tools give them (keys 0600), and Mosquitto reads those files after it has
switched user. Run unprivileged, they would need all of them copied out and handed to that
user; not done yet.
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def unprivileged_user() -> str | None:
    """The user a root run's broker switches to: ``mosquitto`` (the Debian package makes it),
    else ``nobody``; None when the tests do not run as root (no switch happens)."""
    if os.geteuid() != 0:
        return None
    for name in ("mosquitto", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, and neither a mosquitto nor a nobody user exists")


PREFIX = "beckon-test-broker-"
"""A root run's broker data folders are ``PREFIX`` + the pid of the test process that made
the folder + ``-`` + mkdtemp's random part, in the system's temporary folder."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def sweep_stale_data_folders(where: Path | None = None) -> list[Path]:
    """Remove the broker data folders in ``where`` (the system's temporary folder) whose test
    process is gone, and say which.

    Why: such a folder is outside pytest's, which cleans its own, and is removed only when its
    broker's fixture ends; a worker killed by SIGKILL or a timeout never gets there. A folder
    whose process still runs is in use (another worker, another run) and stays; so does any
    folder whose name carries no pid. A pid reused since is taken for alive: the folder stays
    until that process is gone too."""
    where = Path(tempfile.gettempdir()) if where is None else where
    swept = []
    for folder in where.glob(PREFIX + "*"):
        pid = folder.name[len(PREFIX) :].split("-", 1)[0]
        if folder.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            swept.append(folder)
    return swept


@contextmanager
def broker_data_folder(tmp_path: Path) -> Iterator[tuple[Path, str | None]]:
    """A folder the broker can write its database into, and the user it must run as (the
    config's ``user`` line; None for none). Removed afterwards when it is not under
    ``tmp_path``; one left by a killed test process is removed by the next one that makes
    such a folder (``sweep_stale_data_folders``)."""
    user = unprivileged_user()
    if user is None:
        folder = tmp_path / "mosquitto-data"
        folder.mkdir()
        yield folder, None
        return
    sweep_stale_data_folders()
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    try:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        yield folder, user
    finally:
        shutil.rmtree(folder, ignore_errors=True)
