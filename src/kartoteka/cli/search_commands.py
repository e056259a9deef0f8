"""CLI command of kartoteka.search: `kartoteka search TEXT` and `kartoteka search --reindex` (thin: parse, call
one service function, print)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

_err = Console(stderr=True)
_out = Console()


def _filters(page: Any) -> str:
    query = page.query
    shown = [f"born {query.birth_year} ± {query.birth_year_tolerance}" if query.birth_year is not None else None,
             f"prefecture {query.prefecture}" if query.prefecture else None,
             f"camp {query.camp}" if query.camp else None, f"fate {query.fate}" if query.fate else None,
             f"died {query.death_year}" if query.death_year is not None else None]
    return ", ".join(s for s in shown if s)


def _looser_text(looser: Any) -> str:
    parts = [f"kartoteka search {json.dumps(looser.text, ensure_ascii=False)}"]
    if looser.birth_year is not None:
        parts.append(f"--birth-year {looser.birth_year} --tolerance {looser.birth_year_tolerance}")
    return " ".join(parts)


def _print_page(page: Any, simulated: bool) -> None:
    what = f"{page.query.text!r}" + (f" ({_filters(page)})" if _filters(page) else "")
    read = f"; read as {', '.join(page.readings[:3])}" if page.readings else ""
    if not page.hits:
        print(f"nothing found for {what}{read}")
        if page.looser is not None:
            print(f"a looser search finds candidates: {_looser_text(page.looser)}")
        return
    unit = "persons" if page.candidates == "persons" else "records (no link has run: each record stands alone)"
    title = (f"{page.total:,} {unit} for {what}" + (" [SIMULATED data]" if simulated else ""))
    table = Table("#", "score", "names", "born", "prefecture", "fate", "records", "id", title=title)
    for number, hit in enumerate(page.hits, start=page.query.offset + 1):
        ident = f"person {hit.person_id}" if hit.person_id is not None else f"record {hit.record_id}"
        names = "\n".join(dict.fromkeys(hit.names[k] for k in ("kanji", "kana", "cyrillic", "romaji")
                                         if hit.names.get(k)))
        table.add_row(str(number), f"{hit.score:.3f}", names, str(hit.birth_year or ""), hit.prefecture or "",
                      hit.fate, "\n".join(f"{kind} {n}" for kind, n in sorted(hit.sources.items())), ident)
    _out.print(table)
    if page.readings:
        print(f"the name was read as {', '.join(page.readings[:3])}")
    shown = page.query.offset + len(page.hits)
    if shown < page.total:
        print(f"showing {page.query.offset + 1}-{shown} of {page.total:,}: --offset {shown} for more")
    if simulated:
        print("SIMULATED: these are generated names, not real people")


def search_command(
    text: Annotated[str | None, typer.Argument(help="A name in kanji, kana, romaji or Cyrillic (surname alone, "
                                                    "or surname and given name in either order)")] = None,
    birth_year: Annotated[int | None, typer.Option("--birth-year", help="Born in this year (± --tolerance)")]
    = None,
    tolerance: Annotated[int, typer.Option("--tolerance", help="Years either side of --birth-year")] = 2,
    prefecture: Annotated[str | None, typer.Option(
        "--prefecture", help="Registered domicile (本籍): kanji, romaji or JIS code")] = None,
    camp: Annotated[str | None, typer.Option("--camp", help="A camp number, e.g. 7")] = None,
    fate: Annotated[str | None, typer.Option("--fate", help="died, repatriated or unknown")] = None,
    death_year: Annotated[int | None, typer.Option("--death-year", help="Died in this year")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Results a page (at most 100)")] = 20,
    offset: Annotated[int, typer.Option("--offset", help="Results to skip (paging)")] = 0,
    reindex: Annotated[bool, typer.Option("--reindex", help="Rebuild the search index from the records and the "
                                                            "current persons, then stop")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the page as JSON")] = False,
) -> None:
    """Find a person by name in any script, with optional filters; or rebuild the index (--reindex)."""
    from kartoteka.cli.linkage_commands import _quiet, _store, _with_store
    from kartoteka.core.errors import KartotekaError
    from kartoteka.search.service import reindex as rebuild
    from kartoteka.search.service import search
    from kartoteka.search.types import SearchQuery

    if reindex:
        with _store() as store:
            summary = rebuild(store, None if _quiet() or as_json else
                              (lambda stage: _err.print(f"[dim]search:[/dim] {stage}")))
        if as_json:
            print(json.dumps(_with_store(summary.__dict__), ensure_ascii=False, indent=2))
            return
        owner = f"the persons of run {summary.run_id}" if summary.run_id is not None else "no link yet"
        print(f"search index: {summary.entries:,} records, {summary.persons:,} candidates ({owner}), "
              f"built in {summary.seconds:.1f} s")
        return
    if text is None:
        raise KartotekaError("search.empty_query", "the search is empty: give a name to look for",
                             hint="kartoteka search 山田太郎 (or --reindex to rebuild the index)")
    query = SearchQuery(text=text, birth_year=birth_year, birth_year_tolerance=tolerance, prefecture=prefecture,
                        camp=camp, fate=fate, death_year=death_year, limit=limit, offset=offset)
    with _store() as store:
        page = search(store, query)
        simulated = store.is_simulated()
    if as_json:
        print(json.dumps(_with_store({**page.to_dict(), "simulated": simulated}), ensure_ascii=False, indent=2))
        return
    _print_page(page, simulated)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app."""
    app.command("search")(search_command)
