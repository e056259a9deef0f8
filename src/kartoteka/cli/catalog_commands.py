"""CLI commands of kartoteka.catalog: `export persons OUT` (through `export`) and `corrections` (thin: parse,
call one service, print)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

SIMULATED_BANNER = "*** SIMULATED DATA: generated names, not real people ***"


def export_persons_command(out: Path, fmt: str | None) -> None:
    """`kartoteka export persons OUT`: one row per person, public fields only (called by `export`)."""
    from kartoteka.audit import service as audit
    from kartoteka.catalog.service import export_persons
    from kartoteka.cli.store_commands import opened_store

    with opened_store() as store:
        count = export_persons(store, out, fmt)
        simulated = store.is_simulated()
        audit.record_cli(store, "export", str(out), kind="persons", persons=count)
    if simulated:
        typer.echo(SIMULATED_BANNER)
    typer.echo(f"exported {count:,} persons to {out} (public fields only)")


def corrections_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """List the corrections readers sent from the person and record pages (with their contacts: for the
    editors only)."""
    from kartoteka.catalog.service import corrections
    from kartoteka.cli.store_commands import opened_store, store_name

    with opened_store() as store:
        found = corrections(store)
    if as_json:
        typer.echo(json.dumps({"store": store_name(), "corrections": [asdict(c) for c in found]},
                              ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("no corrections yet (readers send them from the person and record pages of `kartoteka serve`)")
        return
    for item in found:
        about = " ".join(part for part in (f"person {item.person_id}" if item.person_id is not None else "",
                                           f"record {item.record_id}" if item.record_id is not None else "") if part)
        contact = f"  contact: {item.contact}" if item.contact else ""
        typer.echo(f"#{item.id} {item.created_at[:19]} [{item.status}] {about}{contact}")
        for line in item.text.splitlines() or [""]:
            typer.echo(f"    {line}")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app (`export persons` goes through ingest's `export`)."""
    app.command("corrections")(corrections_command)
