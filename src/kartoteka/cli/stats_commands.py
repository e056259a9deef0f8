"""CLI command of kartoteka.stats: `stats [--json] [--charts DIR]` (thin: open the store, call one service,
print)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

SIMULATED_BANNER = "*** SIMULATED DATA: generated names, not real people ***"
SHOWN_ROWS = 12


def _figure(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else ("" if value is None
                                                                                        else str(value))


def _print_text(figures: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=True)
    if figures.simulated:
        console.print(SIMULATED_BANNER)
    if figures.persons is not None:
        p = figures.persons
        console.print(f"distinct persons: {p.point:,} (interval {p.low:,} to {p.high:,} at {p.confidence:.0%}; "
                      f"expected {p.expected:,.1f}; {p.open_review_pairs:,} review pairs open)")
        console.print(f"  source: {figures.persons_source}")
    else:
        console.print(f"no counts: {figures.source}")
    for table in figures.counts.values():
        shown = Table(*table.columns, title=f"{table.name} ({len(table.rows):,} rows)", title_justify="left")
        for row in table.rows[:SHOWN_ROWS]:
            shown.add_row(*(_figure(row.get(column)) for column in table.columns))
        console.print(shown)
        console.print(f"  source: {table.source}")
    published = Table("quantity", "low", "high", "as of", "source", title="published estimates", title_justify="left")
    for estimate in figures.estimates:
        published.add_row(estimate.quantity, _figure(estimate.value_low), _figure(estimate.value_high),
                          estimate.as_of or "", estimate.source or "")
    console.print(published)
    console.print(f"  source: {figures.estimates_source} (`--json` has each row's source_url and note)")


def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    charts: Annotated[Path | None, typer.Option("--charts", help="Also write each chart as PNG and SVG into this "
                                                                 "folder")] = None,
) -> None:
    """Counts of the linked persons by camp, region, prefecture, month and year, the number of distinct persons
    with its interval, and every published estimate beside them, each with its source."""
    from kartoteka.cli.store_commands import opened_store, store_name
    from kartoteka.stats import charts as chart_service
    from kartoteka.stats import service

    with opened_store() as store:
        figures = service.statistics(store)
    if charts is not None:
        charts.mkdir(parents=True, exist_ok=True)
        for name in chart_service.CHARTS:
            for fmt in chart_service.FORMATS:
                drawn = chart_service.render(figures, name, fmt, "en", lambda word: word)
                if drawn is not None:
                    (charts / f"{name}.{fmt}").write_bytes(drawn)
    if as_json:
        typer.echo(json.dumps({"store": store_name(), **figures.to_dict()}, ensure_ascii=False, indent=1))
        return
    _print_text(figures)
    if charts is not None:
        typer.echo(f"charts: {charts}/ (PNG and SVG)")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.command("stats")(stats_command)
