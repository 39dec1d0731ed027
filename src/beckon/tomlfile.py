"""Reading a TOML file that a person wrote: every way it can be wrong, said in one line.

Why one reader: the role configurations (``beckon.config``) and the patient profiles
(``beckon.profile``) are edited by hand, often on another machine. A folder given for a
file, a file saved in a Windows code page, or one saved with a byte-order mark used to end
in a traceback (exit 1, which systemd restarts forever); each is now a :class:`ConfigError`
naming the file, what is wrong with it and what to do, and a byte-order mark is simply
accepted (Notepad writes one).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from beckon.errors import ConfigError


def read_toml(path: str | Path, missing: str, missing_fix: str) -> dict[str, Any]:
    """The table of ``path``; ``missing`` and ``missing_fix`` are said when it does not
    exist (what kind of file was expected, and how to make one)."""
    where = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{where}: {missing}", missing_fix) from None
    except IsADirectoryError:
        raise ConfigError(
            f"{where} is a folder, not a file", "give the path of the TOML file itself"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"{where} cannot be read: {exc.strerror or exc}",
            "check the file's owner and permissions (the service's user must read it)",
        ) from None
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark first is fine
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{where}: not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x})",
            "save the file as UTF-8 (in Notepad: Save As, Encoding UTF-8)",
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
