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
    no_labels: Annotated[bool, typer.Option(
        "--no-labels", help="Do not learn the m values from the reviewers' 'same' pairs (they still link)")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON")] = False,
) -> None:
    """Link all records into persons (replaces the current persons in one transaction). The reviewers'
    decisions are applied, and their 'same' pairs teach the model (from 30 of them)."""
    from kartoteka.audit.service import record_cli
    from kartoteka.cli import State
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
                       progress=progress, one_per_person=once, also_write=index_writer,
                       learn_from_decisions=not no_labels, memory=State.settings.link_memory)
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
    print(reviewed_line(summary.reviewed))


def reviewed_line(figures: dict[str, Any]) -> str:
    """The model's precision and recall on the reviewed pairs, as `link` and `runs` print them."""
    if not figures.get("reviewed_pairs"):
        return "the model on reviewed pairs: precision n/a, recall n/a (no reviewed pairs)"
    return (f"the model on the {figures['reviewed_pairs']:,} reviewed pairs at threshold {figures['threshold']}: "
            f"precision {_figure(figures['precision'])}, recall {_figure(figures['recall'])} (TP "
            f"{figures['true_positives']}, FP {figures['false_positives']}, FN {figures['false_negatives']}, "
            f"TN {figures['true_negatives']}; the persons follow the decisions)")


def runs_command(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs, newest first")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """The latest link runs: persons, the reviewed pairs each learned from, and the model's precision and recall
    on the reviewed pairs."""
    from kartoteka.linkage.runs import list_runs

    with _store() as store:
        listed = list_runs(store, limit)
    if as_json:
        print(json.dumps(_with_store(listed), ensure_ascii=False, indent=2, default=str))
        return
    if not listed:
        print("no link runs yet: run `kartoteka link`")
    for run in listed:
        persons = f"{run['record_count'] or 0:,} records -> {run['person_count'] or 0:,} persons" \
            if run["status"] == "done" else "no persons written"
        labels = run["labels"] or {}
        taught = f"learned from {labels['same_pairs']:,} reviewed 'same' pairs" if labels.get("used") else \
            "learned from no reviewed pairs"
        print(f"run {run['id']} {run['status']} {run['finished_at'] or run['started_at']}: {persons}; {taught}")
        if run["reviewed"] is not None:
            print(f"  {reviewed_line(run['reviewed'])}")


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
    from kartoteka.linkage.review import term_label

    table = Table(title=f"#{number}  records {item.record_id_l} / {item.record_id_r}  "
                        f"p={item.match_probability:.3f}  weight={item.match_weight:+.2f}  "
                        f"priority={item.priority:.3f}", title_justify="left")
    table.add_column("field")
    table.add_column(f"record {item.record_id_l}")
    table.add_column(f"record {item.record_id_r}")
    for name in item.left:
        left, right = item.left.get(name), item.right.get(name)
        if left is None and right is None:
            continue
        table.add_row(name, "" if left is None else str(left), "" if right is None else str(right))
    console.print(table)
    if item.returned is not None:
        console.print(f"  [yellow]back in the queue:[/yellow] decision {item.returned.id} "
                      f"({item.returned.decision.replace('_', ' ')}, {item.returned.reviewer or 'unnamed'}) was taken "
                      "before these records changed")
    for answer in item.answers:
        console.print(f"  {answer.reviewer or 'unnamed'} answered {answer.decision}"
                      + (f": {answer.note}" if answer.note else ""))
    shown = [(name, value) for name, value in item.terms if value != 0.0 or name in ("prior", "remainder")]
    silent = [term_label(name) for name, value in item.terms if value == 0.0 and name not in ("prior", "remainder")]
    terms = "  ".join(f"{term_label(name)} {value:+.2f}" for name, value in shown)
    console.print(f"  the weight's terms: {terms}  = {sum(v for _, v in item.terms):+.2f}"
                  + (f"  (0 from: {', '.join(silent)})" if silent else ""))


Pair = tuple[int, int] | None


def _answer(same: Pair, not_same: Pair, unsure: Pair, skip: Pair) -> tuple[tuple[int, int], str] | None:
    for pair, answer in ((same, "same"), (not_same, "not_same"), (unsure, "unsure"), (skip, "skip")):
        if pair:
            return pair, answer
    return None


def _print_json(value: Any) -> None:
    print(json.dumps(_with_store(value), default=str, ensure_ascii=False, indent=2))


def review_command(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many pairs (or persons) to show")] = 10,
    same: Annotated[Pair, typer.Option("--same", help="Decide: records A B are the same")] = None,
    not_same: Annotated[Pair, typer.Option("--not-same", help="Decide: A B are not the same")] = None,
    unsure: Annotated[Pair, typer.Option("--unsure", help="Answer: cannot tell whether A B are the same")] = None,
    skip: Annotated[Pair, typer.Option("--skip", help="Leave A B for later (out of your queue)")] = None,
    pair: Annotated[Pair, typer.Option("--pair", help="Show records A B side by side, with every answer on them")]
    = None,
    note: Annotated[str | None, typer.Option("--note", help="A note kept with the answer")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Undo the latest act (or --decision-id; --steps N)")] = False,
    steps: Annotated[int, typer.Option("--steps", help="With --undo: how many acts to undo")] = 1,
    decision_id: Annotated[int | None, typer.Option("--decision-id", help="The decision to undo")] = None,
    decisions: Annotated[bool, typer.Option("--decisions", help="List the decisions")] = False,
    flagged: Annotated[bool, typer.Option("--flagged", help="List persons whose records broke a constraint")]
    = False,
    persons: Annotated[bool, typer.Option("--persons", help="Persons to review whole, most weakly held first")]
    = False,
    merge: Annotated[Pair, typer.Option("--merge", help="Decide: persons P Q are one man")] = None,
    split: Annotated[int | None, typer.Option("--split", help="Split person P: --records go apart")] = None,
    split_records: Annotated[str | None, typer.Option("--records", help="With --split: record ids, comma-separated")]
    = None,
    stats: Annotated[bool, typer.Option("--stats", help="Decisions so far, and the model's precision and recall "
                                                        "on the reviewed pairs")] = False,
    export: Annotated[Path | None, typer.Option("--export", help="Write the decisions to a .csv or .jsonl file")]
    = None,
    load: Annotated[Path | None, typer.Option("--import", help="Load decisions from a .csv or .jsonl file")] = None,
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="Who decides (kept with the decision)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """The review queue: uncertain pairs side by side; answer same / not-same / unsure / skip, undo; whole persons
    split or merged; decisions exported and imported. Applied on next link."""
    from dataclasses import asdict

    from kartoteka.audit.service import record_cli
    from kartoteka.linkage import review, review_files, review_persons, review_stats

    console = Console()
    with _store() as store:
        answered = _answer(same, not_same, unsure, skip)
        if answered:
            pair, verdict = answered
            new_id = review.decide(store, pair[0], pair[1], verdict, reviewer=reviewer, note=note)
            record_cli(store, "decision", f"records {pair[0]} {pair[1]}", decision=new_id, verdict=verdict,
                       reviewer=reviewer)
            print(f"decision {new_id}: records {pair[0]} and {pair[1]}: {verdict.replace('_', ' ')} "
                  "(applied by the next `kartoteka link`)")
            return
        if undo:
            done = [review.undo(store, decision_id, reviewer)] if decision_id else \
                review.undo_steps(store, steps, reviewer)
            for undone in done:
                record_cli(store, "decision", f"decision {undone}", undone=True)
                print(f"decision {undone} undone (the next `kartoteka link` no longer applies it)")
            return
        if merge or split is not None:
            if merge:
                made = review_persons.merge_persons(store, merge[0], merge[1], reviewer, note)
            else:
                ids = [int(part) for part in (split_records or "").replace(" ", "").split(",") if part]
                made = review_persons.split_person(store, split or 0, ids, reviewer, note)
            target = f"persons {merge[0]} {merge[1]}" if merge else f"person {split}"
            record_cli(store, "merge" if merge else "split", target, decisions=made, reviewer=reviewer)
            print(f"{len(made)} decision(s) {made[0]}..{made[-1]} (one act; applied by the next `kartoteka link`)")
            return
        if export is not None:
            count = review_files.export_decisions(store, export)
            record_cli(store, "export", f"decisions to {export}", rows=count)
            print(f"{count} decision(s) written to {export}")
            return
        if load is not None:
            result = review_files.import_decisions(store, load, reviewer)
            record_cli(store, "decision", f"decisions from {load}", loaded=result.loaded, act=result.act,
                       reviewer=reviewer)
            print(f"{result.loaded} decision(s) loaded from {load} (act {result.act}; undo them with "
                  "`kartoteka review --undo`)")
            for line, why in result.refused:
                _err.print(f"[yellow]not loaded:[/yellow] line {line}: {why}")
            return
        if stats:
            figures = review_stats.review_stats(store)
            if as_json:
                _print_json(figures)
                return
            print("decisions: " + (", ".join(f"{k} {v}" for k, v in sorted(figures["decisions"].items())) or "none"))
            print("by reviewer: " + (", ".join(f"{k} {v}" for k, v in sorted(figures["reviewers"].items()))
                                     or "none"))
            model = figures["model"]
            print(f"the model on {figures['labelled_pairs']} reviewed pair(s) at threshold {figures['threshold']}: "
                  f"precision {_figure(model['precision'])}, recall {_figure(model['recall'])}, F1 "
                  f"{_figure(model['f1'])} (TP {model['true_positives']}, FP {model['false_positives']}, "
                  f"FN {model['false_negatives']}, TN {model['true_negatives']})")
            return
        if decisions:
            rows = review.list_decisions(store)
            if as_json:
                _print_json(rows)
                return
            if not rows:
                print("no decisions yet")
                print("decide a pair of records with `kartoteka review --same A B` or `--not-same A B` "
                      "(record ids; `kartoteka review` lists the pairs to decide)")
            for row in rows:
                state = "undone" if not row["active"] else "stale: records changed" if row["stale"] else "active"
                print(f"{row['id']}: {row['record_id_l']} {row['decision']} {row['record_id_r']} ({state})"
                      + (f" by {row['reviewer']}" if row["reviewer"] else ""))
            return
        if flagged or persons:
            people = review.flagged_persons(store, limit) if flagged else review_persons.weak_persons(store, limit)
            if as_json:
                _print_json(people)
                return
            if not people:
                print("no flagged persons: no person of the latest `kartoteka link` broke a constraint "
                      "(or no link has run)" if flagged else "no person of several records (or no link has run)")
            for person in people:
                ids = person.get("record_ids") or [r["record_id"] for r in person["records"]]
                why = person["flags"] if flagged else f"weakest link p={_figure(person['weakest'])}"
                print(f"person {person['id']} ({person['name_cyrillic'] or person['name_kanji']}, "
                      f"{person['birth_year']}): {why}; records {ids}")
            return
        items = [review.pair_item(store, *pair)] if pair else review.review_queue(store, limit, reviewer)
    if as_json:
        _print_json([asdict(item) for item in items])
        return
    if not items:
        print("the review queue is empty")
    for number, item in enumerate(items, 1):
        _show_item(console, number, item)
    if items:
        console.print("answer with: kartoteka review --same A B | --not-same A B | --unsure A B | --skip A B "
                      "[--note TEXT] [--reviewer NAME]")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.command("link")(link_command)
    app.command("evaluate")(evaluate_command)
    app.command("runs")(runs_command)
    app.command("review")(review_command)
