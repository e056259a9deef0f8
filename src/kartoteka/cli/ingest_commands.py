"""CLI commands of kartoteka.ingest: import, status, export (thin: parse, call one service, print)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from kartoteka.core.errors import KartotekaError
from kartoteka.core.settings import Settings
from kartoteka.ingest import (
    CLI_KINDS,
    ImportOptions,
    ImportResult,
    export_records,
    import_directory,
    import_file,
    store_status,
)
from kartoteka.ingest.service import ProgressCallback
from kartoteka.store import Store

SIMULATED_BANNER = "*** SIMULATED DATA: generated names, not real people ***"


def _settings() -> Settings:
    from kartoteka.cli import State

    return State.settings


@contextmanager
def _store(create: bool = False) -> Iterator[Store]:
    """The configured store, named on stderr; only `import` (create=True) makes one that is not there."""
    from kartoteka.cli.store_commands import opened_store

    with opened_store(create=create) as store:
        yield store


@contextmanager
def _progress(quiet: bool) -> Iterator[object]:
    """A Rich progress bar on stderr when it is a terminal and not --quiet; else a function that does nothing."""
    if quiet or _settings().quiet or not sys.stderr.isatty():
        yield lambda path: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TextColumn("{task.fields[rows]:,} rows"),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:

        def for_file(path: Path) -> ProgressCallback:
            task = bar.add_task(path.name, total=path.stat().st_size if path.exists() else None, rows=0)
            return lambda rows, done, total: bar.update(task, completed=done, total=total, rows=rows)

        yield for_file


def _describe(result: ImportResult) -> str:
    name = Path(result.file).name
    if result.already_imported:
        return (f"{name}: already imported as source #{result.source_id} ({result.rows_imported:,} records): "
                "nothing added")
    how = ", ".join(part for part in (f"encoding {result.encoding}" if result.encoding else "",
                                      f"mapping {result.mapping}" if result.mapping else "") if part)
    text = (f"{name}: imported {result.rows_imported:,} {result.kind} records as source #{result.source_id}"
            + (f" ({how})" if how else ""))
    text += (f"\n  {result.lines:,} lines: {result.header_lines:,} header/comment, {result.blank_lines:,} blank, "
             f"{result.record_lines:,} in {result.rows_imported:,} records, {result.quarantined_lines:,} in "
             f"{result.rows_quarantined:,} quarantined rows; {result.warnings:,} records with warnings")
    if result.follow_up_of is not None:
        text += f"\n  follow-up to source #{result.follow_up_of}: {result.resolved:,} quarantined rows resolved"
    if result.rows_quarantined:
        text += (f"\n  quarantined (first {len(result.quarantine_sample)}; all: kartoteka quarantine --source "
                 f"{result.source_id}):\n    " + "\n    ".join(result.quarantine_sample))
    if result.warnings:
        text += (f"\n  warnings (first {len(result.warning_sample)}; all: kartoteka quarantine --source "
                 f"{result.source_id}):\n    " + "\n    ".join(result.warning_sample))
    if result.simulated:
        text += "  [SIMULATED]"
    return text


def import_command(
    target: Annotated[str, typer.Argument(help="KIND (" + ", ".join(CLI_KINDS) + "), or a directory with manifest.json")],
    path: Annotated[Path | None, typer.Argument(help="The file to import (CSV, TSV, XLSX, JSON, JSONL)")] = None,
    mapping: Annotated[str | None, typer.Option("--mapping", "-m", help="A TOML mapping file or a bundled mapping name (ru-card, ja-roster, ...)")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", "-e", help="The file's encoding (default: detected)")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Reject the whole file if any row is bad")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
) -> None:
    """Import a source file of KIND, or every file listed in DIR/manifest.json."""
    options = ImportOptions(mapping=mapping, encoding=encoding, strict=strict, batch_size=_settings().batch_size)
    with _store(create=True) as store, _progress(quiet) as progress_for:
        if path is None:
            directory = Path(target)
            if not directory.is_dir():
                raise KartotekaError("usage", f"{target!r} is not a directory; to import a file give KIND and PATH",
                                     hint="kartoteka import card cards.csv   or   kartoteka import DIR")
            results = import_directory(store, directory, options, progress_for)  # type: ignore[arg-type]
        else:
            if path.is_dir():
                raise KartotekaError("usage", "this is a directory, not a file; to import a file give its path",
                                     hint=f"kartoteka import {path}   (a directory with manifest.json)   or   "
                                          f"kartoteka import {target} {path}/FILE.csv", file=str(path))
            results = [import_file(store, target, path, options, progress_for(path))]  # type: ignore[operator]
        simulated = store.is_simulated()
    if simulated:
        typer.echo(SIMULATED_BANNER)
    for result in results:
        typer.echo(_describe(result))


def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Counts of records by kind and by source, and quarantined rows."""
    from kartoteka.cli.store_commands import store_name
    from kartoteka.linkage.runs import running_runs

    with _store() as store:
        status = {"store": store_name(), **store_status(store), "running_links": running_runs(store)}
    if as_json:
        typer.echo(json.dumps(status, ensure_ascii=False, indent=2))
        return
    if status["simulated"]:
        typer.echo(SIMULATED_BANNER)
    typer.echo(f"{status['records']:,} records, {status['quarantined']:,} quarantined rows ({status['backend']})")
    for kind, count in status["by_kind"].items():
        typer.echo(f"  {kind.replace('_', '-'):<14} {count:>10,}")
    if status["sources"]:
        typer.echo("sources:")
    for source in status["sources"]:
        mark = "  [SIMULATED]" if source["simulated"] else ""
        typer.echo(f"  #{source['id']:<4} {source['kind'].replace('_', '-'):<14} {source['records']:>10,} records "
                   f"{source['quarantined']:>7,} quarantined  {source['name']}{mark}")
    for run in status["running_links"]:
        typer.echo(f"link run {run['run_id']} running since {run['started_at']} ({run['backend']}; if no link "
                   "runs now, it was killed: the next link marks it interrupted)")


def export_command(
    kind: Annotated[str, typer.Argument(help="KIND (" + ", ".join(CLI_KINDS) + "), or persons, or geojson, lpf, "
                                              "camps (the gazetteer)")],
    out: Annotated[Path, typer.Argument(help="The file to write")],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="csv or jsonl [default: from OUT's suffix, "
                                            ".jsonl for JSON Lines, else csv]")] = None,
) -> None:
    """Export the records of KIND (`kartoteka import` reads the file back to the same records), or the persons
    of the last link (`export persons OUT`: one row per person, public fields only), or the camps and burial
    sites of the gazetteer (`export geojson OUT`, `export lpf OUT` for Linked Places, `export camps OUT` as CSV)."""
    if kind.strip().lower() in ("geojson", "lpf", "camps"):
        from kartoteka.cli.gazetteer_commands import export_gazetteer_command

        export_gazetteer_command(kind.strip().lower(), out)
        return
    if kind.strip().lower() == "persons":
        from kartoteka.cli.catalog_commands import export_persons_command

        export_persons_command(out, fmt)
        return
    with _store() as store:
        count = export_records(store, kind, fmt or ("jsonl" if out.suffix.lower() in (".jsonl", ".ndjson") else "csv"),
                               out)
        simulated = store.is_simulated()
    if simulated:
        typer.echo(SIMULATED_BANNER)
    typer.echo(f"exported {count:,} {kind} records to {out}")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.command("import")(import_command)
    app.command("status")(status_command)
    app.command("export")(export_command)
