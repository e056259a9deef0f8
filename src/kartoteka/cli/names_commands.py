"""CLI commands of kartoteka.names: `kartoteka names read TEXT` and `kartoteka names compare A B`.

Thin: parse the arguments, call kartoteka.names, print a Rich table or JSON.

JSON of `names read TEXT --json`:
    {"text": "Тодзио Хидеки", "script": "cyrillic", "normalized": "Тодзио Хидеки",
     "readings": [{"kana": "トウジョウ ヒデキ", "romaji": "Tōjō Hideki", "cyrillic": "Тодзё Хидэки",
                   "probability": 0.95}, ...],
     "keys": ["c:tshtk", "f:tozyo hideki", "k:トウジョウ ヒデキ", "v:tosyo hiteki", ...],
     "key_levels": {"k": "strict: ...", "f": ..., "v": ..., "c": ...}}

JSON of `names compare A B --json` (``kartoteka.names.explain``, plus "similarity_is" and "met"):
    {"similarity": 1.0, "similarity_is": "how alike ... not a probability",
     "met": {"a": {"rank": 1, "kana": "ヤマダ オトゾウ", "probability": 0.98} | null, "b": {...} | null},
     "order": "aligned"|"swapped"|"single"|"part"|"same"|"empty",
     "a": {"text", "normalized", "readings": [...], "clerk_patterns": [[...], [...]] (Cyrillic only)}, "b": {...},
     "parts": [{"a_form": "tozyo", "b_form": "tozyo", "similarity": 1.0, "edits": []}, ...]}
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

names_app = typer.Typer(help="Japanese names across Cyrillic, kana, kanji and romaji.", no_args_is_help=True)

# The key levels of kartoteka.names.phonetic, strictest first: a short label for the table, the meaning for --json.
KEY_LEVELS = {
    "k": ("katakana as read", "strict: a katakana reading as it is"),
    "f": ("spelling folded", "folded: long vowels, doubled consonants and clerks' spelling variants "
                             "(ш/с, дз/з, е/э) made one"),
    "v": ("f, voiced = voiceless", "voicing-tolerant: f with voiced = voiceless (g/k, z/s, d/t, b/p)"),
    "c": ("consonants of v", "consonant skeleton: v without its vowels (kept only from 3 consonants)"),
}
KEYS_MEAN = "two spellings that share a key may be one name"
SIMILARITY_IS = ("how alike the two names sound at their best-matching readings, part by part, from 0 to 1 "
                 "(a less likely reading counts 0.8 to 1 of its match); not a probability: how likely each "
                 "reading is, is its probability (see met)")


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
    """The likeliest katakana readings of a name, with romaji, Polivanov Cyrillic and probabilities.

    Then the name's phonetic keys, strictest first; two spellings that share a key may be one name.
    k: a katakana reading as it is; f: folded (long vowels, doubled consonants and clerks' spelling
    variants made one); v: f with voiced = voiceless; c: the consonant skeleton of v.
    """
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
        "key_levels": {level: meaning for level, (_, meaning) in KEY_LEVELS.items()},
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
    _print_keys(console, payload["keys"])


def _print_keys(console: Any, keys: list[str]) -> None:
    """The keys by level, strictest first, each with what it folds."""
    console.print(f"keys ({KEYS_MEAN}):", highlight=False)
    width = max(len(label) for label, _ in KEY_LEVELS.values())
    for level, (label, _) in KEY_LEVELS.items():
        shown = "  ".join(key[2:] for key in keys if key.startswith(level + ":")) or "-"
        console.print(f"  {level}: {label:<{width}}  {shown}", highlight=False)


def _met(report: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    """Per side, the likeliest reading in its table whose parts are the forms that met (None when the forms
    came from the letters as written, or from readings of single parts that no full reading in the table
    combines)."""
    from kartoteka.names.phonetic import kana_folded

    parts = report["parts"]
    if report["order"] == "part" and parts:
        parts = [max(parts, key=lambda part: part["similarity"])]  # the score took the better part
    met: dict[str, dict[str, Any] | None] = {}
    for side in ("a", "b"):
        wanted = {part[f"{side}_form"] for part in parts}
        met[side] = None
        for rank, reading in enumerate(report[side].get("readings", []), start=1):
            if wanted and wanted <= {kana_folded(word) for word in reading["kana"].split(" ")}:
                met[side] = {"rank": rank, "kana": reading["kana"], "probability": reading["probability"]}
                break
    return met


def _met_text(side: str, met: dict[str, Any] | None) -> str:
    if met is None:
        return f"{side} (not a reading in its table: its letters as written, or a part read alone)"
    return f"{side} {met['kana']} (its reading {met['rank']}, probability {met['probability']:.3f})"


@names_app.command("compare")
def compare(
    a: Annotated[str, typer.Argument(help="A name in any script")],
    b: Annotated[str, typer.Argument(help="Another name in any script")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
) -> None:
    """How alike two names sound (0 to 1), the readings that met and the edits between them.

    The similarity is how alike the names sound at their best-matching readings, part by part (a less likely
    reading counts 0.8 to 1 of its match); it is not a probability. The line "met:" names the readings that
    gave it and how likely each is; the tables list each name's likeliest readings.
    """
    from kartoteka import names

    report = names.explain(a, b)
    report = {"similarity": report["similarity"], "similarity_is": SIMILARITY_IS, "met": _met(report),
              **{key: value for key, value in report.items() if key != "similarity"}}
    if as_json:
        _print_json(report)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"similarity [bold]{report['similarity']:.3f}[/bold]  (parts {report['order']})")
    if report["order"] == "empty":
        console.print("  = a name without letters is like no other", highlight=False)
    else:
        console.print("  = how alike the names sound at the readings that met; not a probability", highlight=False)
        console.print(f"  met: {_met_text('a', report['met']['a'])}", highlight=False)
        console.print(f"       {_met_text('b', report['met']['b'])}", highlight=False)
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
