"""`kartoteka backup OUT` and `kartoteka restore IN`: a whole store into one file and back (kartoteka.store.backup)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer


def _say(quiet: bool) -> Callable[[str], None]:
    return (lambda message: None) if quiet else (lambda message: print(f"  {message}", file=sys.stderr, flush=True))


def backup_command(
    out: Annotated[Path, typer.Argument(help="The backup file to write (a new file, e.g. kartoteka-2026-12-07.zip)")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Write the whole store (every table, from one consistent snapshot, and the run files it points to) into one
    file; safe while the server runs."""
    from kartoteka.cli import State
    from kartoteka.store.backup import backup
    from kartoteka.store.database import store_label

    url = State.settings.database_url
    print(f"store: {store_label(url)}", file=sys.stderr, flush=True)
    summary = backup(url, out, progress=_say(State.settings.quiet or as_json))
    if as_json:
        typer.echo(json.dumps(summary.__dict__, ensure_ascii=False))
        return
    rows = sum(summary.tables.values())
    typer.echo(f"backup written: {summary.path} ({summary.bytes / 2**20:,.1f} MiB, {rows:,} rows in "
               f"{len(summary.tables)} tables, {summary.files} run files, schema {summary.revision}, "
               f"{summary.seconds:.1f} s)")
    for missing in summary.missing_files:
        typer.echo(f"warning: run file not found, not in the backup: {missing}", err=True)


def restore_command(
    backup_file: Annotated[Path, typer.Argument(metavar="IN", help="A file written by `kartoteka backup`")],
    database: Annotated[str | None, typer.Option(
        "--database", "-d", help="The store to restore into: a new SQLite path or an empty postgresql:// database "
                                 "[default: the configured store]")] = None,
    runs_dir: Annotated[Path | None, typer.Option(
        "--runs-dir", help="Where the run files (models) go [default: the store's run folder, as `link` uses]")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Restore a backup into a new or empty store (SQLite or PostgreSQL, either way), in one transaction: the
    counts and checksums are checked, and a store that holds anything is refused."""
    from sqlalchemy import create_engine

    from kartoteka.cli import State
    from kartoteka.core.settings import database_url
    from kartoteka.linkage.service import default_runs_dir
    from kartoteka.store import Store
    from kartoteka.store.database import store_label
    from kartoteka.store.restore import restore

    url = database_url(database) if database else State.settings.database_url
    print(f"store: {store_label(url)}", file=sys.stderr, flush=True)
    if runs_dir is None:
        where = Store(create_engine(url))  # only its URL is read: no connection is made
        runs_dir = default_runs_dir(where)
        where.close()
    summary = restore(url, backup_file, runs_dir=runs_dir, progress=_say(State.settings.quiet or as_json))
    if as_json:
        typer.echo(json.dumps(summary.__dict__, ensure_ascii=False))
        return
    typer.echo(f"restored {sum(summary.tables.values()):,} rows in {len(summary.tables)} tables and "
               f"{len(summary.files)} run files into {summary.store} ({summary.backend}; backup from "
               f"{summary.backup_backend}, schema {summary.backup_revision} -> {summary.revision}, "
               f"{summary.seconds:.1f} s)")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
