"""The record kinds: underscores in the store (``personal_file``), hyphens on the command line."""

from __future__ import annotations

import difflib

from kartoteka.core.errors import KartotekaError

try:
    from kartoteka.core.model import RECORD_KINDS
except ImportError:  # pragma: no cover - until core.model lands; the contract fixes the same tuple
    RECORD_KINDS = ("card", "personal_file", "death_roster", "jp_roster", "manifest", "burial")

CLI_KINDS: tuple[str, ...] = tuple(kind.replace("_", "-") for kind in RECORD_KINDS)


def store_kind(kind: str) -> str:
    """The store's name of a kind given as ``personal-file`` or ``personal_file``; raises for unknown kinds."""
    name = kind.strip().lower().replace("-", "_")
    if name in RECORD_KINDS:
        return name
    close = difflib.get_close_matches(name.replace("_", "-"), CLI_KINDS, n=1)
    raise KartotekaError(
        "usage.kind", f"unknown kind {kind!r}" + (f" (did you mean {close[0]!r}?)" if close else ""),
        hint="known kinds: " + ", ".join(CLI_KINDS),
    )
