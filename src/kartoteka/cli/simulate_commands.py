"""CLI commands of kartoteka.simulate: `kartoteka simulate OUT_DIR` (thin: parse, call the service, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

SIMULATED_BANNER = "*** SIMULATED DATA: generated names, not real people ***"


def simulate(
    out_dir: Annotated[Path, typer.Argument(help="Directory to write the simulated archive into")],
    persons: Annotated[int, typer.Option("--persons", "-n", help="How many internees to simulate")] = 575_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed and profile: identical files)")] = 1,
    profile: Annotated[str, typer.Option("--profile", help="Noise profile: clean, realistic or harsh")] = "realistic",
    workers: Annotated[int | None, typer.Option("--workers", help="Processes to write with (default: CPU count)")]
    = None,
) -> None:
    """Write a SIMULATED archive (source files, truth.csv, persons.csv, manifest.json) into OUT_DIR."""
    from kartoteka.simulate import simulate_archive

    summary = simulate_archive(out_dir, persons=persons, seed=seed, profile=profile, workers=workers)
    typer.echo(SIMULATED_BANNER)
    typer.echo(f"{summary.persons:,} simulated persons (seed {summary.seed}, profile {summary.profile}) -> {out_dir}")
    for entry in summary.files:
        typer.echo(f"  {entry['path']:<26} {entry['kind']:<14} {entry['encoding']:<7} {entry['rows']:>9,} rows")
    typer.echo("  truth.csv, persons.csv, manifest.json")
    typer.echo(f"load it with: kartoteka import {out_dir}")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.command("simulate")(simulate)
