"""Importing a directory described by its manifest.json (as written by ``kartoteka simulate``)::

    {"simulated": true, "files": [{"path": "cards_01.csv", "kind": "card", "encoding": "cp1251",
                                   "mapping": "mappings/card_ru.toml"}, ...]}

Each listed file is imported on its own (one transaction each), with its kind, encoding and mapping (a path
relative to the directory, or a bundled mapping's name). ``"simulated": true`` marks every source and the
store itself as simulated.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from kartoteka.core.errors import KartotekaError
from kartoteka.ingest.service import ImportOptions, ImportResult, ProgressCallback, import_file
from kartoteka.store import Store

MANIFEST = "manifest.json"


def read_manifest(directory: Path) -> dict[str, Any]:
    """The parsed manifest.json of ``directory``, checked for a list of files with a path and a kind."""
    path = directory / MANIFEST
    if not path.is_file():
        raise KartotekaError("input.manifest", f"{directory} has no {MANIFEST}",
                             hint="import files one by one with `kartoteka import KIND FILE`, or add a manifest.json "
                                  'like {"files": [{"path": "cards.csv", "kind": "card"}]}', file=str(directory))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KartotekaError("input.manifest", f"manifest.json is not valid JSON: {exc}", file=str(path)) from exc
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list) or not files:
        raise KartotekaError("input.manifest", 'manifest.json needs a non-empty "files" list',
                             hint='e.g. {"files": [{"path": "cards.csv", "kind": "card"}]}', file=str(path))
    for index, entry in enumerate(files):
        if not isinstance(entry, dict) or not entry.get("path") or not entry.get("kind"):
            raise KartotekaError("input.manifest", f'files[{index}] needs a "path" and a "kind"',
                                 hint='e.g. {"path": "cards.csv", "kind": "card"}', file=str(path))
    return manifest


def import_directory(store: Store, directory: Path, options: ImportOptions | None = None,
                     progress_for: Callable[[Path], ProgressCallback | None] | None = None) -> list[ImportResult]:
    """Import every file listed in ``directory``/manifest.json; returns one result per file."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    base = options or ImportOptions()
    simulated = base.simulated or bool(manifest.get("simulated"))
    if simulated:
        store.set_meta("simulated", "true")
    results = []
    for entry in manifest["files"]:
        path = directory / entry["path"]
        file_options = replace(
            base, simulated=simulated, base_dir=directory,
            encoding=base.encoding or entry.get("encoding"), mapping=base.mapping or entry.get("mapping"),
        )
        progress = progress_for(path) if progress_for else None
        results.append(import_file(store, entry["kind"], path, file_options, progress))
    return results
