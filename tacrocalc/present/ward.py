"""The ward server in the window: what File → Ward server…, the password prompt and the status
bar say. Facts in, sentences out: the address is read by `tacrocalc.ui.ward`, the server named
as `records.store.describe` names it ("ward database tacrocalc on db.ward.example as drjones")."""

from __future__ import annotations

from typing import Final

FIELD: Final = "Ward server address"
EXAMPLE: Final = "postgresql://USER@HOST/DATABASE?sslmode=verify-full"
NO_PASSWORD_HERE: Final = (
    "The address names the server, the database and your login, never a password: the"
    " password comes from ~/.pgpass, or TacroCalc asks for it and keeps it in memory only."
)


def _shown(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def empty_address() -> str:
    return f"{FIELD}: empty. Type the address ({EXAMPLE}) or choose this computer's data folder."


def not_a_server_address(text: str) -> str:
    scheme, found, _ = text.partition("://")
    what = f'it starts with "{_shown(scheme, 20)}://"' if found else f'"{_shown(text)}" is not one'
    return (
        f"{FIELD}: a ward server is named by a postgresql:// address and {what};"
        f" it looks like {EXAMPLE}."
    )


def unreadable_address(reason: str) -> str:
    return f"{FIELD}: it cannot be read ({_shown(reason, 120)}); it looks like {EXAMPLE}."


def address_with_password() -> str:
    return (
        f"{FIELD}: it holds a password, and TacroCalc never stores one. Leave the password out"
        " of the address: put it in ~/.pgpass (docs/ward-server.md), or type it when TacroCalc"
        " asks for it."
    )


def status(where: str) -> str:
    """The status bar's permanent label while the window is on the ward server."""
    return f"Ward server: {where}"


def password_question(where: str, *, again: bool) -> str:
    first = (
        f"The {where} did not accept that password: type it again."
        if again
        else f"The {where} asks for your password."
    )
    return f"{first} It is kept in memory until TacroCalc closes, never written to disk."


def now_on_server(where: str) -> str:
    return f"Now on the {where}; it is used at the next start too."


def now_on_folder(folder: str) -> str:
    return f"Now on this computer's data folder ({folder}); it is used at the next start too."


def connected_again(where: str) -> str:
    return f"Connected again to the {where}: what you typed can be added now."


def variable_wins(variable: str) -> str:
    return (
        f"{variable} is set on this workstation: at the next start it is used instead of the"
        " choice made here (as --server or --data-dir on the command line would be)."
    )


def reload_button(patient_id: str) -> str:
    """The button offered beside a write refused because another workstation changed the
    patient first (F5 presses it)."""
    return f"Reload {patient_id} (F5)"


def reload_question(refusal: str, patient_id: str) -> str:
    """Asked over a dialog whose write was refused as based on an older version."""
    return (
        f"{refusal}\n\nReload {patient_id} now? The window behind shows it as stored now;"
        " what you typed stays where it is, to be saved again on the new version."
    )


def reloaded(patient_id: str, *, typed: bool) -> str:
    if not typed:
        return f"Reloaded {patient_id} as stored now."
    return (
        f"Reloaded {patient_id} as stored now: what you typed is still in its fields; check it"
        " against the change and add it again."
    )


def changed_elsewhere(patient_id: str) -> str:
    return f"{patient_id} was changed on another workstation: shown as stored now."


def connected_again_with_patient(patient_id: str) -> str:
    """Said once the server is back with a patient open, read again: a write cut off while it
    was being saved may or may not be there, so it is checked before being entered again. (The
    server is named beside it.)"""
    return (
        f"Connected again: {patient_id} is shown as stored now; what you typed is kept. Check it"
        " is not there already, then add it."
    )
