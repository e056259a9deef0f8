"""The one error type of kartoteka.

Every error a user can cause is a ``KartotekaError`` with a stable ``code`` (for scripts and the API), a
``message`` that says what went wrong, a ``hint`` that says what to do next, and, where it applies, the
``file``, ``line`` and ``column`` of the bad input. Library code raises; only the CLI entry point and the
web layer print or render. Lower-level errors are translated at the boundary with ``raise ... from exc``.

    KartotekaError
    ├── code "usage"          a command or argument the user got wrong
    ├── code "input.*"        a source file that cannot be read (encoding, missing columns, empty, ...)
    ├── code "names.*"        a name the name functions cannot take (empty, too long, no letters)
    ├── code "store.*"        the database (cannot connect, schema too new, ...)
    ├── code "model.*"        a linkage model file (another version, corrupt)
    └── code "simulate.*"     simulation settings
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class KartotekaError(Exception):
    """An error the user can act on: a stable code, a message, a hint, and where the bad input is."""

    code: str
    message: str
    hint: str = ""
    file: str | None = None
    line: int | None = None
    column: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by its fields: an error raised in a worker process reaches the parent whole (by its args
        alone, the default for exceptions, it could not be rebuilt there, and a pool waited for it forever)."""
        return (type(self), (self.code, self.message, self.hint, self.file, self.line, self.column, self.details))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            if self.column:
                where += f" (column {self.column})"
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The one JSON error shape of the CLI's --json output and of the API."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "hint": self.hint,
                "file": self.file,
                "line": self.line,
                "column": self.column,
                **({"details": self.details} if self.details else {}),
            }
        }
