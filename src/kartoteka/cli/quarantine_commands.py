"""CLI command `kartoteka quarantine`: list every quarantined row and warning, or write them to correct."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kartoteka.cli.store_commands import opened_store, store_name
from kartoteka.ingest.quarantine_list import list_quarantine, write_correction_csv


def quarantine_command(
    source: Annotated[int | None, typer.Option("--source", help="Only the rows of source N (see `kartoteka status`)")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Only one reason code (e.g. parse.stray_quote) or family (parse, row, warn)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output: every entry with its values")] = False,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the open rows to OUT.csv to correct and import again (a follow-up to their source)")] = None,
) -> None:
    """List every quarantined row and warning: file, editor line, raw text, reason code, status."""
    with opened_store() as store:  # names the store; refuses one that is not there
        entries = list_quarantine(store, source, reason)
    if as_json:
        typer.echo(json.dumps({"store": store_name(), "entries": entries}, ensure_ascii=False, indent=2))
        return
    if csv_out is not None:
        count = write_correction_csv(entries, csv_out)
        typer.echo(f"wrote {count:,} open rows to {csv_out}; correct them and import the file with "
                   "`kartoteka import KIND FILE` (it follows up their source)")
        return
    if any(e["simulated"] for e in entries):
        typer.echo("*** SIMULATED DATA: generated names, not real people ***")
    for e in entries:
        raw = (e["raw_text"] or json.dumps(e["values"], ensure_ascii=False)).rstrip("\r\n")
        typer.echo(f"#{e['source']} {e['file']}:{e['line']}  {e['status']:<8} [{e['code']}] {e['reason']}")
        typer.echo(f"    {raw[:200]}{'…' if len(raw) > 200 else ''}")
    counts = {s: sum(1 for e in entries if e["status"] == s) for s in ("open", "resolved", "replaced", "warning")}
    typer.echo(f"{len(entries):,} entries: " + ", ".join(f"{n:,} {s}" for s, n in counts.items()))


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.command("quarantine")(quarantine_command)
