"""Choosing the store in the window: a ward server's address checked before it is saved or used
(a postgresql:// address, never with a password), the address saved in the settings read at
start, and a ward server opened with the password the user types (kept in memory only).

No Qt here: `saved_server` runs before Qt is imported, and the dialogs are in `ward_dialog`."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tacrocalc.domain.protocol import Protocol
    from tacrocalc.records.store import Store, StoreError

VARIABLE = "TACROCALC_SERVER"

# A password in the address: "postgresql://user:secret@host/…" or "…?password=secret".
_PASSWORD = re.compile(r"^[a-z]+://[^@/?#]*:[^@/?#]*@|[?&]password=", re.IGNORECASE)


def address_refusal(text: str) -> str | None:
    """Why `text` cannot be a ward server's address (one sentence naming the field), or None
    when it can. The sentence never repeats a password."""
    from tacrocalc.present import ward as words
    from tacrocalc.records.store import is_server_url

    text = text.strip()
    if not text:
        return words.empty_address()
    if _PASSWORD.search(text):
        return words.address_with_password()
    if not is_server_url(text):
        return words.not_a_server_address(text)
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(text)
    except Exception as error:  # psycopg.ProgrammingError: libpq cannot read it
        return words.unreadable_address(str(error).strip().splitlines()[0])
    if "password" in parts:
        return words.address_with_password()
    return None


def _settings_file() -> Path:
    """Where QSettings keeps the user's settings on Linux and the other XDG systems."""
    config = os.environ.get("XDG_CONFIG_HOME", "")
    folder = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return folder / "TacroCalc" / "TacroCalc.conf"


def _names_a_server(text: str) -> bool:
    """Whether an INI file has a non-empty `server` in its [ward] section."""
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "ward" and line.partition("=")[0].strip() == "server":
            return line.partition("=")[2].strip() not in ("", '""')
    return False


def saved_server() -> str | None:
    """The ward server chosen in File → Ward server…, or None for the data folder. Where the
    settings are an INI file, it is looked for without Qt first, so that a workstation on its
    own data folder does not load Qt before its store is open; the address is read by
    QSettings (Settings)."""
    if sys.platform not in ("win32", "darwin"):
        try:
            text = _settings_file().read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeError):
            text = "[ward]\nserver=?"  # QSettings tells
        if not _names_a_server(text):
            return None
    from tacrocalc.ui.settings import Settings

    return Settings().get("ward/server") or None


def open_server(
    url: str,
    protocol_for: Callable[[str], Protocol],
    ask: Callable[[bool], str | None],
    *,
    password: str | None = None,
    needed: StoreError | None = None,
) -> tuple[Store | None, StoreError | None, str | None]:
    """The store on the ward server at `url`: (store, None, the password it took). When the
    server asks for a password (or already did: `needed`, its refusal), `ask(again)` is called
    for one (again: the last one was not accepted) until the server takes one or `ask` gives
    None: then (None, the server's refusal, None). Any other refusal: (None, it, None)."""
    from tacrocalc.records.store import ServerPasswordNeeded, Store, StoreError

    again = False
    while True:
        if needed is not None:
            password = ask(again)
            if password is None:
                return None, needed, None
            again = True
        try:
            return Store(server=url, protocol_for=protocol_for, password=password), None, password
        except ServerPasswordNeeded as error:
            again = again or password is not None
            needed = error
        except StoreError as error:
            return None, error, None
