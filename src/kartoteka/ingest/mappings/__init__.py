"""Mapping files: a user's own column headers -> kartoteka's store columns.

A mapping is a TOML file::

    [columns]
    "Фамилия" = "surname"
    "氏名" = "name_original"     # a full name in one column: split on a space or "・"
    [options]                    # all optional
    kind = "card"
    encoding = "cp1251"
    date_order = "DMY"

Bundled mappings (``ru-card``, ``ja-roster``, ...) live beside this module; ``--mapping NAME`` selects one,
and when no mapping is given the one whose headers best overlap the file's header is used. In each bundled
file the first header listed for a target column is the canonical one (``Mapping.header_for``).
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kartoteka.core.errors import KartotekaError

BUNDLED_DIR = Path(__file__).resolve().parent
# A bundled mapping is chosen automatically only when at least this many of the file's headers match it.
MIN_AUTO_OVERLAP = 2


@dataclass(frozen=True)
class Mapping:
    """Header -> target column, plus options (kind, encoding, date_order)."""

    name: str
    columns: dict[str, str]
    kind: str | None = None
    encoding: str | None = None
    date_order: str = "DMY"
    normalized: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def target_of(self, header: str) -> str | None:
        """The target column of a file header, matched case- and width-insensitively; None if unmapped."""
        return self.normalized.get(normalize_header(header))

    def header_for(self, target: str) -> str:
        """The canonical (first listed) header that maps to ``target``."""
        for header, mapped in self.columns.items():
            if mapped == target:
                return header
        raise KeyError(f"mapping {self.name!r} has no header for {target!r}")

    def overlap(self, headers: list[str]) -> int:
        """How many of ``headers`` this mapping knows."""
        return sum(1 for header in headers if normalize_header(header) in self.normalized)


def normalize_header(header: str) -> str:
    """Headers compare after NFKC, case folding, trimmed spaces and a dropped trailing colon or dot."""
    text = unicodedata.normalize("NFKC", header).casefold().strip().rstrip(":.").strip()
    return " ".join(text.split())


def bundled_names() -> list[str]:
    """Names of the bundled mappings (``ru-card``, ``ja-roster``, ...)."""
    return sorted(path.stem for path in BUNDLED_DIR.glob("*.toml"))


@cache
def load_bundled(name: str) -> Mapping:
    """A bundled mapping by name (``ru-card``; ``ru_card`` and ``ru-card.toml`` work too)."""
    stem = name.removesuffix(".toml").replace("_", "-")
    path = BUNDLED_DIR / f"{stem}.toml"
    if not path.is_file():
        raise KartotekaError("usage.mapping", f"no bundled mapping called {name!r}",
                             hint="bundled mappings: " + ", ".join(bundled_names()) + "; or give a TOML file path")
    return load_mapping_file(path, name=stem)


def load_mapping_file(path: Path, name: str | None = None) -> Mapping:
    """Read a mapping TOML file; errors name the file and say what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KartotekaError("usage.mapping", f"cannot read the mapping file: {exc}",
                             hint="a mapping is TOML with a [columns] table", file=str(path)) from exc
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns or not all(isinstance(v, str) for v in columns.values()):
        raise KartotekaError("usage.mapping", "the mapping file needs a [columns] table of \"header\" = \"column\"",
                             hint='e.g. [columns]\n  "Фамилия" = "surname"', file=str(path))
    options = data.get("options", {})
    return Mapping(
        name=name or str(path), columns=dict(columns), kind=options.get("kind"), encoding=options.get("encoding"),
        date_order=str(options.get("date_order", "DMY")).upper(),
        normalized={normalize_header(header): target.strip() for header, target in columns.items()},
    )


def resolve_mapping(spec: str, base_dir: Path | None = None) -> Mapping:
    """``--mapping`` as given: a TOML file (relative to ``base_dir`` if given) or a bundled mapping's name."""
    for candidate in ([base_dir / spec] if base_dir else []) + [Path(spec)]:
        if candidate.is_file():
            return load_mapping_file(candidate)
    return load_bundled(Path(spec).name if spec.endswith(".toml") else spec)


def detect_mapping(headers: list[str], kind: str, store_columns: set[str]) -> Mapping | None:
    """The bundled mapping that best matches ``headers``, or None when the store's own names match better."""
    own = sum(1 for header in headers if normalize_header(header).replace(" ", "_") in store_columns)
    best: tuple[float, Mapping] | None = None
    for name in bundled_names():
        mapping = load_bundled(name)
        overlap = mapping.overlap(headers)
        if overlap < MIN_AUTO_OVERLAP or overlap <= own:
            continue
        score = overlap + (0.5 if mapping.kind == kind else 0.0)
        if best is None or score > best[0]:
            best = (score, mapping)
    return best[1] if best else None
