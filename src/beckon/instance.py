"""One running service per data file on a machine: an advisory ``flock`` on ``<file>.lock``.

Why: a bedside's outbox and a station's SQLite database each belong to one running service.
Two bedside services for one bed would both send its requests and, since the broker binds
client ids to usernames, keep throwing each other off the broker (each then says DUPLICATE
BED); two station services would split a unit into two queues. The kernel releases a
``flock`` when its holder dies, even by ``kill -9``, so a crash never leaves a stale lock.

The same lock tells ``beckon doctor`` that the service is running on this machine, so it does
not log in with the service's own credentials and take over the service's connection.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from beckon.errors import BeckonError, ConfigError


def lock_path(data_file: Path) -> Path:
    return data_file.with_name(data_file.name + ".lock")


class InstanceHeld(BeckonError):
    """Another running process holds the lock: it frees when that process stops (even killed),
    unlike a folder the service cannot use (:class:`ConfigError`), so a service may wait for it
    or be restarted (see ``beckon.config.LOCK_WAIT_S``)."""


class InstanceLock:
    """An exclusive lock on ``<data_file>.lock`` for as long as this object lives (or until
    :meth:`release`). Raises :class:`InstanceHeld` naming the holder's pid, ``what`` runs there
    and ``fix`` when another process holds it."""

    def __init__(self, data_file: Path, what: str, fix: str) -> None:
        self.path = lock_path(data_file)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] | None = self.path.open("a+")
        except OSError as exc:
            # Typically files left by a run as root, before the service's own user: the same
            # on every restart, so a configuration error (exit 78), not a crash to loop on.
            raise ConfigError(
                f"cannot use {data_file}: {exc.strerror or exc} ({exc.filename or self.path})",
                f"the service's user must own the folder {data_file.parent} and the files in "
                f"it (for example: chown -R beckon: {data_file.parent})",
            ) from None
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.seek(0)
            pid = self._file.read().strip() or "unknown"
            self._file.close()
            self._file = None
            raise InstanceHeld(
                f"another {what} (pid {pid}) is already using {data_file}", fix
            ) from None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"{os.getpid()}\n")
        self._file.flush()

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def holder(data_file: Path) -> str | None:
    """The pid (as written in the lock file, or "unknown") of a running process that holds
    ``data_file``'s lock, or None when nobody does. Only looks: a shared lock attempt that
    fails exactly when a service holds the exclusive one, released at once."""
    try:
        file = lock_path(data_file).open("r")
    except OSError:
        return None  # no lock file (never started here) or unreadable: nothing to go on
    with file:
        try:
            fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return file.read().strip() or "unknown"
        fcntl.flock(file, fcntl.LOCK_UN)
    return None
