"""Reading protocol files from `resources/protocols/` (and a ward's own folder)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tacrocalc.paths import protocols_dir

if TYPE_CHECKING:
    from tacrocalc.domain.protocol import Protocol

# The protocol model (and with it the unit registry) is imported when a protocol is first read,
# not when the window starts.

DEFAULT_PROTOCOL = "seed-1997"


def _read(path: Path) -> dict[str, Any]:
    import tomllib

    from tacrocalc.domain.issues import Issue, IssueCode
    from tacrocalc.domain.protocol import ProtocolError

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ProtocolError(
            Issue.refusal(
                IssueCode.BAD_PROTOCOL, field=str(path), value=path.name, reason=str(error)
            )
        ) from error


def _document(protocol_id: str, folder: Path, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    from tacrocalc.domain.issues import Issue, IssueCode
    from tacrocalc.domain.protocol import ProtocolError, merge

    path = folder / f"{protocol_id}.toml"
    if not path.is_file():
        raise ProtocolError(
            Issue.refusal(
                IssueCode.BAD_PROTOCOL,
                field="protocol",
                value=protocol_id,
                reason=f"no protocol file {path.name} in {folder}",
            )
        )
    doc = _read(path)
    if doc.get("id") != protocol_id:
        raise ProtocolError(
            Issue.refusal(
                IssueCode.BAD_PROTOCOL,
                field=f"{path.name}: id",
                value=str(doc.get("id")),
                reason="the id inside the file must match its name",
            )
        )
    parent = doc.get("extends")
    if parent is None:
        return doc
    if parent in seen or parent == protocol_id:
        raise ProtocolError(
            Issue.refusal(
                IssueCode.BAD_PROTOCOL,
                field=f"{path.name}: extends",
                value=str(parent),
                reason="protocols extend each other in a circle",
            )
        )
    return merge(_document(str(parent), folder, (*seen, protocol_id)), doc)


@cache
def load_protocol(protocol_id: str = DEFAULT_PROTOCOL, folder: Path | None = None) -> Protocol:
    """The validated protocol `protocol_id`. Raises ProtocolError naming the bad key."""
    from tacrocalc.domain.protocol import protocol_from_document

    return protocol_from_document(_document(protocol_id, folder or protocols_dir()))


def available_protocols(folder: Path | None = None) -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in (folder or protocols_dir()).glob("*.toml")))
