"""CLI commands of kartoteka.names: `kartoteka names read TEXT` and `kartoteka names compare A B`.

Thin: parse the arguments, call kartoteka.names, print a Rich table or JSON.

JSON of `names read TEXT --json`:
    {"text": "Тодзио Хидеки", "script": "cyrillic", "normalized": "Тодзио Хидеки",
     "readings": [{"kana": "トウジョウ ヒデキ", "romaji": "Tōjō Hideki", "cyrillic": "Тодзё Хидэки",
                   "probability": 0.95}, ...],
     "keys": ["c:tshtk", "f:tozyo hideki", "k:トウジョウ ヒデキ", "v:tosyo hiteki", ...]}

JSON of `names compare A B --json` (``kartoteka.names.explain``):
    {"similarity": 1.0, "order": "aligned"|"swapped"|"single"|"part"|"same"|"empty",
     "a": {"text", "normalized", "readings": [...], "clerk_patterns": [[...], [...]] (Cyrillic only)}, "b": {...},
     "parts": [{"a_form": "tozyo", "b_form": "tozyo", "similarity": 1.0, "edits": []}, ...]}
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

names_app = typer.Typer(help="Japanese names across Cyrillic, kana, kanji and romaji.", no_args_is_help=True)


def _print_json(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))


@names_app.command("read")
def read(
    text: Annotated[str, typer.Argument(help="A name in any script, e.g. 'Тодзио Хидеки' or 東條英機")],
    part: Annotated[
        str | None, typer.Option("--part", help="surname, given or full (default: guess)")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many readings")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
) -> None:
    """The likeliest katakana readings of a name, with romaji, Polivanov Cyrillic and probabilities."""
    from kartoteka import names

    found = names.readings(text, limit=limit, part=part)
    payload: dict[str, Any] = {
        "text": text,
        "script": names.detect_script(text),
        "normalized": names.normalize(text),
        "readings": [
            {
                "kana": r.kana,
                "romaji": r.romaji,
                "cyrillic": r.cyrillic,
                "probability": round(r.probability, 4),
            }
            for r in found
        ],
        "keys": sorted(names.keys(text)),
    }
    if as_json:
        _print_json(payload)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{payload['normalized']}  ({payload['script']})")
    for column in ("kana", "romaji", "cyrillic", "probability"):
        table.add_column(column, justify="right" if column == "probability" else "left")
    for row in payload["readings"]:
        table.add_row(row["kana"], row["romaji"], row["cyrillic"], f"{row['probability']:.3f}")
    console = Console()
    console.print(table)
    console.print("keys: " + "  ".join(payload["keys"]))


@names_app.command("compare")
def compare(
    a: Annotated[str, typer.Argument(help="A name in any script")],
    b: Annotated[str, typer.Argument(help="Another name in any script")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
) -> None:
    """How alike two names sound (0 to 1), the readings that met and the edits between them."""
    from kartoteka import names

    report = names.explain(a, b)
    if as_json:
        _print_json(report)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"similarity [bold]{report['similarity']:.3f}[/bold]  (parts {report['order']})")
    for side in ("a", "b"):
        info = report[side]
        table = Table(title=f"{side}: {info.get('normalized', info['text'])}")
        for column in ("kana", "romaji", "cyrillic", "probability"):
            table.add_column(column)
        for row in info.get("readings", []):
            table.add_row(row["kana"], row["romaji"], row["cyrillic"], f"{row['probability']:.3f}")
        console.print(table)
        for word_patterns in info.get("clerk_patterns") or []:
            shown = (
                "standard spelling" if word_patterns == [] else ", ".join(word_patterns or ["not explained"])
            )
            console.print(f"  clerk: {shown}")
    for part in report["parts"]:
        edits = ", ".join(part["edits"]) or "none"
        console.print(f"{part['a_form']} ~ {part['b_form']}: {part['similarity']:.3f} (edits: {edits})")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.add_typer(names_app, name="names")
