"""CLI commands of kartoteka.linkage: link, evaluate, review (thin: parse, call one service function, print)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

_err = Console(stderr=True)


def _store() -> Any:
    """The configured store, named on stderr; refused if it does not exist (these commands need records)."""
    from kartoteka.cli.store_commands import opened_store

    return opened_store(create=False)


def _with_store(value: Any) -> dict[str, Any]:
    """A --json answer with the store it came from ("store": path or URL without password)."""
    from kartoteka.cli.store_commands import store_name

    return {"store": store_name(), **(value if isinstance(value, dict) else {"items": value})}


def _quiet() -> bool:
    from kartoteka.cli import State

    return State.settings.quiet


def link_command(
    backend: Annotated[str, typer.Option("--backend", help="duckdb (in-process) or spark (needs pyspark)")] = "duckdb",
    model: Annotated[Path | None, typer.Option("--model", help="Score with this trained model.json (no training)")]
    = None,
    runs_dir: Annotated[Path | None, typer.Option("--runs-dir", help="Where to save each run's model.json")] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Match probability that links two records")] = 0.5,
    one_per_person: Annotated[str, typer.Option(
        "--one-per-person", help="Kinds a person has at most one record of (comma-separated, or 'none')")]
    = "personal-file,manifest,burial",
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON")] = False,
) -> None:
    """Link all records into persons (replaces the current persons in one transaction)."""
    from kartoteka.audit.service import record_cli
    from kartoteka.core.model import normalize_kind
    from kartoteka.linkage.service import link
    from kartoteka.search.service import index_writer

    once = () if one_per_person.strip().lower() == "none" else tuple(
        normalize_kind(kind) for kind in one_per_person.split(",") if kind.strip())

    def progress(stage: str) -> None:
        if not _quiet() and not as_json:
            _err.print(f"[dim]link:[/dim] {stage}")

    with _store() as store:
        summary = link(store, backend=backend, model_path=model, runs_dir=runs_dir, threshold=threshold,
                       progress=progress, one_per_person=once, also_write=index_writer)
        record_cli(store, "link", f"run {summary.run_id}", records=summary.records, persons=summary.persons)
    for warning in summary.warnings:
        _err.print(f"[yellow]warning:[/yellow] {warning}")
    if as_json:
        print(json.dumps(_with_store(summary.to_dict()), ensure_ascii=False, indent=2))
        return
    print(f"run {summary.run_id}: {summary.records:,} records -> {summary.persons:,} persons "
          f"({summary.pairs:,} scored pairs kept, {summary.review_pairs:,} to review, "
          f"{summary.refused_links:,} links refused by constraints or decisions)")
    print(f"model: {summary.model_path}")
    for line in summary.training:
        print(f"  {line}")


def evaluate_command(
    truth: Annotated[Path, typer.Argument(help="truth.csv of a simulated archive (record_ref,person_id,kind)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
) -> None:
    """Score the current persons against the truth of a simulated archive."""
    from kartoteka.linkage.service import evaluate

    with _store() as store:
        figures = evaluate(store, truth)
    if as_json:
        print(json.dumps(_with_store(figures), indent=2))
        return
    table = Table("what", "precision", "recall", "F1", "true pairs",
                  title="Linkage against the truth (SIMULATED archive)")
    for name, scores in [("pairs", figures["pairs"]), ("clusters", figures["clusters"]),
                         *figures["tasks"].items()]:
        table.add_row(name, *(_figure(scores[key]) for key in ("precision", "recall", "f1")),
                      f"{scores['actual']:,}")
    Console().print(table)
    print(f"identification recall@5: {_figure(figures['identification_recall_at_5'])}")
    if any(scores["f1"] is None for scores in figures["tasks"].values()):
        print("n/a: nothing to score (no true pairs of those kinds in the store, or no predicted ones)")


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _show_item(console: Console, number: int, item: Any) -> None:
    table = Table(title=f"#{number}  records {item.record_id_l} / {item.record_id_r}  "
                        f"p={item.match_probability:.3f}  weight={item.match_weight:+.2f}  "
                        f"priority={item.priority:.2f}", title_justify="left")
    table.add_column("field")
    table.add_column(f"record {item.record_id_l}")
    table.add_column(f"record {item.record_id_r}")
    for name in item.left:
        left, right = item.left.get(name), item.right.get(name)
        if left is None and right is None:
            continue
        table.add_row(name, "" if left is None else str(left), "" if right is None else str(right))
    console.print(table)
    weights = "  ".join(f"{name} {value:+.2f}" for name, value in item.weights.items())
    console.print(f"  match weight by comparison: {weights}")


def review_command(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many pairs to show")] = 10,
    same: Annotated[tuple[int, int] | None, typer.Option("--same", help="Decide: records A B are the same")] = None,
    not_same: Annotated[tuple[int, int] | None, typer.Option("--not-same", help="Decide: A B are not the same")]
    = None,
    undo: Annotated[bool, typer.Option("--undo", help="Undo the latest decision (or --decision-id)")] = False,
    decision_id: Annotated[int | None, typer.Option("--decision-id", help="The decision to undo")] = None,
    decisions: Annotated[bool, typer.Option("--decisions", help="List the decisions")] = False,
    flagged: Annotated[bool, typer.Option("--flagged", help="List persons whose records broke a constraint")]
    = False,
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="Who decides (kept with the decision)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """The review queue: uncertain pairs side by side; decide same / not-same, or undo. Applied on next link."""
    from dataclasses import asdict

    from kartoteka.audit.service import record_cli
    from kartoteka.linkage import review

    console = Console()
    with _store() as store:
        if same or not_same:
            pair, verdict = (same, "same") if same else (not_same, "not_same")
            assert pair is not None
            new_id = review.decide(store, pair[0], pair[1], verdict, reviewer=reviewer)
            record_cli(store, "decision", f"records {pair[0]} {pair[1]}", decision=new_id, verdict=verdict,
                       reviewer=reviewer)
            print(f"decision {new_id}: records {pair[0]} and {pair[1]} are {verdict.replace('_', ' ')} "
                  "(applied by the next `kartoteka link`)")
            return
        if undo:
            undone = review.undo(store, decision_id)
            record_cli(store, "decision", f"decision {undone}", undone=True)
            print(f"decision {undone} undone (the next `kartoteka link` no longer applies it)")
            return
        if decisions:
            rows = review.list_decisions(store)
            if as_json:
                print(json.dumps(_with_store(rows), default=str, indent=2))
                return
            if not rows:
                print("no decisions yet")
                print("decide a pair of records with `kartoteka review --same A B` or `--not-same A B` "
                      "(record ids; `kartoteka review` lists the pairs to decide)")
            for row in rows:
                state = "active" if row["active"] else "undone"
                print(f"{row['id']}: {row['record_id_l']} {row['decision']} {row['record_id_r']} ({state})")
            return
        if flagged:
            people = review.flagged_persons(store, limit)
            if as_json:
                print(json.dumps(_with_store(people), default=str, ensure_ascii=False, indent=2))
                return
            if not people:
                print("no flagged persons: no person of the latest `kartoteka link` broke a constraint "
                      "(or no link has run)")
            for person in people:
                print(f"person {person['id']} ({person['name_cyrillic'] or person['name_kanji']}, "
                      f"{person['birth_year']}): {person['flags']}; records {person['record_ids']}")
            return
        items = review.review_queue(store, limit)
    if as_json:
        print(json.dumps(_with_store([asdict(item) for item in items]), default=str, ensure_ascii=False, indent=2))
        return
    if not items:
        print("the review queue is empty")
    for number, item in enumerate(items, 1):
        _show_item(console, number, item)
    if items:
        console.print("decide with: kartoteka review --same A B   or   kartoteka review --not-same A B")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.command("link")(link_command)
    app.command("evaluate")(evaluate_command)
    app.command("review")(review_command)
