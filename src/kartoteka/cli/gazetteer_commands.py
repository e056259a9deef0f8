"""CLI commands of kartoteka.gazetteer: `gazetteer load|list|show|resolve|unresolved|fix` and `export geojson|lpf|
camps` (through `export`). Thin: parse, call one service, print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

gazetteer_app = typer.Typer(
    name="gazetteer", no_args_is_help=True,
    help="Camps, places and burial sites: names in every script, numbers with their dates, coordinates with "
         "their source.")

JSON = Annotated[bool, typer.Option("--json", help="Machine-readable output")]


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _coordinate(coordinate: Any) -> str:
    if coordinate is None:
        return "no coordinate (unresolved)"
    c = coordinate if isinstance(coordinate, dict) else coordinate.__dict__
    return f"{c['lat']:.5f}, {c['lon']:.5f}  ({c['source']}, confidence {c['confidence']})"


@gazetteer_app.command("load")
def load_command(
    force: Annotated[bool, typer.Option("--force", help="Reload even when the store holds this version, and "
                                        "resolve every record's place texts again")] = False,
    as_json: JSON = False,
) -> None:
    """Load the bundled gazetteer (camps, numbers, places, names) into the store; the curators' fixes stay.
    Every gazetteer command does this by itself when the store holds no or an older version.

    Then the records' camp, death-place and burial texts are resolved where their stored resolutions are missing
    or stale (a store imported before the gazetteer, or with another version of it); with --force, all again."""
    from kartoteka.cli.store_commands import opened_store
    from kartoteka.gazetteer import service

    with opened_store() as store:
        summary = service.load(store, force=force)
    if as_json:
        _echo_json(summary)
        return
    typer.echo(f"gazetteer data {summary['version']}: {summary['camps']} camps and burial sites, "
               f"{summary['numbers']} camp numbers, {summary['places']} places, {summary['names']} names")
    which = "of every record" if summary["all_records"] else "of the records added since the last check"
    typer.echo(f"place texts {which} resolved: {summary['records_resolved']:,} "
               "(`kartoteka gazetteer unresolved --texts` lists those that name no camp)")


@gazetteer_app.command("list")
def list_command(
    show_places: Annotated[bool, typer.Option("--places", help="List the places instead of the camps")] = False,
    year: Annotated[int | None, typer.Option("--year", help="Only the camps in use that year")] = None,
    as_json: JSON = False,
) -> None:
    """The camps and burial sites with their numbers, place and counts in the store (or --places)."""
    from kartoteka.cli.store_commands import opened_store
    from kartoteka.gazetteer import service

    with opened_store() as store:
        if show_places:
            found = service.places(store)
            if as_json:
                _echo_json({"places": found})
                return
            for place in found:
                names = " / ".join(n for n in place["names"].values() if n)
                typer.echo(f"{place['key']:<18} {names:<48} {_coordinate(place['coordinate'])}")
            return
        markers = service.camp_markers(store, year=year)
        simulated = store.is_simulated()
    if as_json:
        _echo_json({"camps": [m.to_dict() for m in markers], "simulated": simulated})
        return
    for m in markers:
        numbers = ", ".join(f"{n['system']} {n['number']}" for n in m.numbers) or "-"
        where = m.place_key or "-"
        typer.echo(f"#{m.id:<3} {m.kind:<12} {(m.names.get('en') or m.key)[:48]:<48} {numbers[:34]:<34} {where:<14} "
                   f"held {m.held:>6,}  died {m.died:>5,}")
    if simulated:
        typer.echo("counts: SIMULATED data")


@gazetteer_app.command("show")
def show_command(key: Annotated[str, typer.Argument(help="A camp key or id (taishet_7, 4) or a place key")],
                 as_json: JSON = False) -> None:
    """Everything the gazetteer holds on one camp or place, with its sources."""
    from kartoteka.cli.store_commands import opened_store
    from kartoteka.gazetteer import service

    with opened_store() as store:
        found = service.show(store, key)
    if as_json:
        _echo_json(found)
        return
    if "camp" in found:
        camp = found["camp"]
        typer.echo(f"#{camp['id']} {camp['key']} ({camp['kind']})")
        for lang, name in camp["names"].items():
            if name:
                typer.echo(f"  {lang}: {name}")
        for n in camp["numbers"]:
            typer.echo(f"  number: {n['system']} {n['number']} from {n['from'] or '?'} to {n['to'] or '?'}"
                       f"  ({n['basis']})")
        for p in found["places"]:
            typer.echo(f"  place: {p['place']} ({p['role']}){' from ' + p['from'] if p['from'] else ''}"
                       f"{' to ' + p['to'] if p['to'] else ''}")
        typer.echo(f"  coordinate: {_coordinate(camp['coordinate'])}")
        typer.echo(f"  published: {camp['published'] or '-'}; died: {camp['died_published'] or '-'}")
        typer.echo(f"  in this store: held {camp['held']:,}, died {camp['died']:,}")
        typer.echo(f"  source: {camp['source_url'] or '-'} (camps_sources.tsv row {camp['reference_row']})")
        return
    place = found["place"]
    typer.echo(f"{place['key']} ({place['region']}): {_coordinate(place['coordinate'])}")
    typer.echo(f"  match: {place['match']}")
    for name in found["names"]:
        typer.echo(f"  {name['kind']:<9} {name['script']:<8} {name['name']}  [{name['source']}]")
    typer.echo(f"  camps: {', '.join(found['camps']) or '-'}")
    if found["fix"]:
        typer.echo(f"  curator's fix: {found['fix']['lat']}, {found['fix']['lon']} ({found['fix']['source']}; "
                   f"{found['fix']['note']}; {found['fix']['fixed_at'][:19]})")


@gazetteer_app.command("resolve")
def resolve_command(
    text: Annotated[str, typer.Argument(help="A place or camp as written: Тайшет, タイシェト, 第7地区, лагерь № 7")],
    date: Annotated[str | None, typer.Option("--date", help="When (YYYY-MM-DD, YYYY-MM or YYYY): decides "
                                             "which camp a number meant")] = None,
    as_json: JSON = False,
) -> None:
    """The place and camp a text names, how sure, and why (nothing resolved is said so, never guessed)."""
    from kartoteka.cli.store_commands import opened_store
    from kartoteka.gazetteer import service
    from kartoteka.gazetteer.resolver import parse_on

    on = parse_on(date)
    with opened_store() as store:
        found = service.resolve(store, text, on)
    if as_json:
        _echo_json(found.to_dict())
        return
    typer.echo(f"{text!r}{' on ' + on.isoformat() if on else ''}: "
               f"place {found.place_key or '-'}, camp {found.camp_key or '-'}, confidence {found.confidence}")
    if found.place_key:
        typer.echo(f"  coordinate: {_coordinate(found.coordinate)}")
    for reason in found.reasons:
        typer.echo(f"  {reason}")


@gazetteer_app.command("unresolved")
def unresolved_command(
    texts: Annotated[bool, typer.Option("--texts", help="Instead: the record texts (camp, death place, burial) "
                                        "that name no camp, most frequent first")] = False,
    limit: Annotated[int, typer.Option("--limit", help="With --texts: how many")] = 50,
    as_json: JSON = False,
) -> None:
    """The places without a coordinate: no GeoNames match in their region, and no curator's fix yet."""
    from kartoteka.cli.store_commands import opened_store
    from kartoteka.gazetteer import service

    with opened_store() as store:
        if texts:
            rows = service.unresolved_in_store(store, limit)
            if as_json:
                _echo_json({"unresolved_texts": rows})
                return
            for row in rows:
                why = "; ".join(row["reasons"]) or "no name or number of the gazetteer in it"
                typer.echo(f"{row['records']:>7,}  {row['field']:<12} {row['text'][:60]!r}  ({why})")
            typer.echo(f"{len(rows)} texts shown (the text as written stays in each record)")
            return
        found = service.unresolved(store)
    if as_json:
        _echo_json({"unresolved": found})
        return
    for place in found:
        typer.echo(f"{place['key']:<18} {place['names']['en']:<20} camps: {', '.join(place['camps']) or '-'}")
        typer.echo(f"    {place['match']}")
    typer.echo(f"{len(found)} places unresolved (fix one: kartoteka gazetteer fix PLACE --lat --lon --source --note)")


@gazetteer_app.command("fix")
def fix_command(
    place: Annotated[str, typer.Argument(help="The place key (see `gazetteer unresolved`)")],
    lat: Annotated[float, typer.Option("--lat", help="Latitude, decimal degrees (WGS 84)")],
    lon: Annotated[float, typer.Option("--lon", help="Longitude, decimal degrees (WGS 84)")],
    source: Annotated[str, typer.Option("--source", help="Where the coordinate comes from")],
    note: Annotated[str, typer.Option("--note", help="Why, and who")],
    as_json: JSON = False,
) -> None:
    """A curator's coordinate for a place, with its source and note: outranks GeoNames, kept on reloads."""
    from kartoteka.cli.store_commands import opened_store
    from kartoteka.gazetteer import service

    with opened_store() as store:
        row = service.fix(store, place, lat, lon, source, note)
    if as_json:
        _echo_json(row)
        return
    typer.echo(f"{place}: {row['lat']}, {row['lon']} (curator: {row['source']}; {row['note']})")


def export_gazetteer_command(kind: str, out: Path) -> None:
    """`kartoteka export geojson|lpf|camps OUT` (called by `export`)."""
    from kartoteka.cli.store_commands import opened_store
    from kartoteka.gazetteer.export import export

    fmt = {"geojson": "geojson", "lpf": "lpf", "camps": "csv"}[kind]
    with opened_store() as store:
        count = export(store, fmt, out)
        simulated = store.is_simulated()
    if simulated:
        typer.echo("*** SIMULATED DATA: generated names, not real people ***")
    typer.echo(f"exported {count} camps and burial sites to {out} ({fmt})")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the main app (`export geojson|lpf|camps` go through `export`)."""
    app.add_typer(gazetteer_app)
