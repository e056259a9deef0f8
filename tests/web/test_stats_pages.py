"""The statistics page and /api/v1/stats on the linked simulated store of the portal's tests (SQLite): every figure
on the page equals the store's own count, computed here independently with SQL; each chart is an SVG in the page
with its source under it, and a PNG to export; the answer matches its schema; SIMULATED holds."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from kartoteka.core.dates import PartialDate
from kartoteka.gazetteer import service as gazetteer
from kartoteka.store import open_store

pytestmark = pytest.mark.xdist_group("web-portal")


class Figures(HTMLParser):
    """The tables of the page: name -> row key -> column -> value (from the data-* attributes), and the
    elements marked data-figure."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
        self.marked: dict[str, dict[str, str]] = {}
        self.table: str | None = None
        self.key: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "table" and "data-count" in found:
            self.table = found["data-count"]
        elif tag == "tr" and self.table and "data-key" in found:
            self.key = found["data-key"]
            self.tables[self.table][self.key] = {}
        elif tag == "td" and self.table and self.key is not None and "data-column" in found:
            self.tables[self.table][self.key][found["data-column"]] = found["data-value"]
        if "data-figure" in found:
            self.marked[found["data-figure"]] = found

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.table, self.key = None, None


@pytest.fixture(scope="module")
def page(portal) -> str:  # type: ignore[no-untyped-def]
    answer = portal.get("/stats?lang=en")
    assert answer.status_code == 200
    return str(answer.text)


@pytest.fixture(scope="module")
def figures(page: str) -> Figures:
    parsed = Figures()
    parsed.feed(page)
    return parsed


@pytest.fixture(scope="module")
def sql(portal_url: str) -> Any:
    engine = create_engine(portal_url)
    with engine.connect() as conn:
        yield lambda query: conn.execute(text(query)).fetchall()
    engine.dispose()


def ints(table: dict[str, dict[str, str]], column: str) -> dict[str, int]:
    return {key: int(cells[column]) for key, cells in table.items() if cells.get(column, "") != ""}


MONTH = ("CASE WHEN length({d}) = 7 THEN {d} WHEN length({d}) = 10 THEN substr({d}, 1, 7) "
         "WHEN instr({d}, '/') > 0 AND substr({d}, 1, 7) = substr({d}, 12, 7) THEN substr({d}, 1, 7) END")
YEAR = "CASE WHEN instr({d}, '/') = 0 OR substr({d}, 1, 4) = substr({d}, 12, 4) THEN substr({d}, 1, 4) END"


def test_the_number_of_persons_and_its_interval(figures, sql):  # type: ignore[no-untyped-def]
    persons = figures.marked["persons"]
    assert int(persons["data-point"]) == sql("SELECT count(*) FROM persons")[0][0]
    assert int(persons["data-low"]) <= int(persons["data-point"]) <= int(persons["data-high"])


def test_fates_and_prefectures_are_the_stores_counts(figures, sql):  # type: ignore[no-untyped-def]
    assert ints(figures.tables["fates"], "persons") == dict(sql("SELECT fate, count(*) FROM persons GROUP BY fate"))
    shown = figures.tables["by_prefecture"]
    for prefecture, persons, died, home in sql(
            "SELECT coalesce(prefecture, ''), count(*), sum(fate = 'died'), sum(fate = 'repatriated') "
            "FROM persons GROUP BY prefecture"):
        assert shown[prefecture] == {"persons": str(persons), "died": str(died), "repatriated": str(home)}
    assert len(shown) == sql("SELECT count(DISTINCT coalesce(prefecture, '')) FROM persons")[0][0]


def test_deaths_by_month_and_the_first_winter_are_the_stores_counts(figures, sql):  # type: ignore[no-untyped-def]
    month = MONTH.format(d="death_date")
    expected = dict(sql(f"SELECT {month}, count(*) FROM persons WHERE fate = 'died' AND {month} IS NOT NULL "
                        "GROUP BY 1"))
    assert ints(figures.tables["deaths_by_month"], "died") == expected
    assert any("1945-11" <= m <= "1946-03" for m in expected), "the simulated archive has first-winter deaths"
    winter = sum(n for m, n in expected.items() if "1945-11" <= m <= "1946-03")
    assert int(figures.marked["first_winter"]["data-died"]) >= winter
    assert int(figures.marked["deaths_totals"]["data-died"]) == sql(
        "SELECT count(*) FROM persons WHERE fate = 'died'")[0][0]


def test_years_and_repatriation_are_the_stores_counts(figures, sql):  # type: ignore[no-untyped-def]
    by_year = figures.tables["by_year"]
    died = dict(sql(f"SELECT {YEAR.format(d='death_date')}, count(*) FROM persons WHERE fate = 'died' "
                    "AND death_date IS NOT NULL GROUP BY 1"))
    died.pop(None, None)
    assert {k: v for k, v in ints(by_year, "died").items() if v} == died
    first = "min(r.event_date)"
    manifests = dict(sql(f"SELECT {YEAR.format(d='first')}, count(*) FROM (SELECT pr.person_id, {first} AS first "
                         "FROM person_records pr JOIN records r ON r.id = pr.record_id WHERE r.kind = 'manifest' "
                         "GROUP BY pr.person_id) GROUP BY 1"))
    manifests.pop(None, None)
    assert {k: v for k, v in ints(by_year, "repatriated").items() if v} == manifests
    shown = figures.tables["repatriation_by_year"]
    assert {k: v for k, v in ints(shown, "manifests").items() if v} == manifests
    assert ints(shown, "released")["1947"] == 166240  # beside it, the published number (reference file)
    held: dict[str, set[int]] = defaultdict(set)
    for person, date in sql("SELECT p.id, json_extract(j.value, '$.date') FROM persons p, json_each(p.camps_json) j "
                            "WHERE coalesce(json_extract(j.value, '$.camp'), '') != ''"):
        if date and PartialDate.from_iso(date).year is not None:
            held[date[:4]].add(person)
    assert {k: v for k, v in ints(by_year, "held").items() if v} == {y: len(p) for y, p in held.items()}


def test_camps_are_the_stores_counts_as_the_gazetteer_resolves_them(figures, sql, portal_url):  # type: ignore[no-untyped-def]
    store = open_store(portal_url, create=False)
    held: dict[str, set[int]] = defaultdict(set)
    try:
        for person, camp, date in sql("SELECT p.id, trim(json_extract(j.value, '$.camp')), "
                                      "json_extract(j.value, '$.date') FROM persons p, json_each(p.camps_json) j"):
            if not camp:
                continue
            on = PartialDate.from_iso(date).earliest.replace(day=1) if date else None  # the stay's month
            place = gazetteer.resolve(store, camp, on=on)
            resolved = place.camp_id is not None and place.confidence > 0
            held[(place.camp_name or place.name or camp) if resolved else camp].add(person)
    finally:
        store.close()
    shown = ints(figures.tables["by_camp"], "held")
    expected = Counter({camp: len(persons) for camp, persons in held.items()})
    assert shown.items() <= dict(expected).items()  # each camp shown with the store's count
    assert len(shown) == min(len(expected), 100)  # the page lists the first 100, the most held first
    assert min(shown.values()) >= max([n for camp, n in expected.items() if camp not in shown], default=0)


def test_each_chart_is_an_svg_in_the_page_with_its_source_and_a_png(portal, page):  # type: ignore[no-untyped-def]
    assert "SIMULATED" in page
    for name in ("deaths_by_month", "by_year", "repatriation_by_year", "by_camp"):
        start = page.index(f'<h2 id="{name}">')
        section = page[start:page.index("</section>", start)]
        assert '<svg role="img" aria-label=' in section, name
        caption = section[section.index("<figcaption>"):section.index("</figcaption>")]
        assert "Source: this store, run" in caption, name
        png = portal.get(f"/stats/charts/{name}.png")
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n", name
        assert "SIMULATED" in png.headers["content-disposition"]
    assert portal.get("/stats/charts/nothing.png").status_code == 404
    assert portal.get("/stats?lang=ja").text.count("模擬データ") >= 1


def test_the_api_answer_matches_its_schema_and_the_page(portal, figures):  # type: ignore[no-untyped-def]
    answer = portal.get("/api/v1/stats")
    assert answer.status_code == 200
    body = answer.json()
    assert body["simulated"] is True
    assert body["persons"]["point"] == int(figures.marked["persons"]["data-point"])
    for name, table in body["counts"].items():
        assert "this store, run " in table["source"], name
        assert set(table) == {"columns", "rows", "source", "note", "totals"}
    assert all(set(row) >= {"quantity", "value_low", "value_high", "as_of", "source", "source_url"}
               for row in body["estimates"])
    document = portal.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/stats"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/StatsAnswer")
    assert {"estimates", "counts", "persons"} <= set(document["components"]["schemas"]["StatsAnswer"]["properties"])
    json.dumps(body)  # plain JSON all through
