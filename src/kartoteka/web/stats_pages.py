"""The statistics page (/stats), its charts (/stats/charts/NAME.svg|png) and /api/v1/stats: each calls
``kartoteka.stats.service.statistics`` (figures kept per run and review state) and shows it as it is.

Every figure on the page is a count of the store's current run or a row of a bundled reference file, and says
which (the page's sources are written in the reader's language; the API's and the CLI's in English)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from kartoteka.core.errors import KartotekaError
from kartoteka.stats import charts, service
from kartoteka.stats.interval import PersonsInterval
from kartoteka.stats.reference import ESTIMATES_FILE, REPATRIATION_FILE, Estimate
from kartoteka.stats.types import RunInfo, Statistics
from kartoteka.web.api import store_of
from kartoteka.web.auth import current_user
from kartoteka.web.i18n import translations
from kartoteka.web.models import ERRORS
from kartoteka.web.pages import page, request_language
from kartoteka.web.render import N_

router = APIRouter()
FRESH_SECONDS = 1.0  # a new run or review decision shows on the page within a second
MAX_TABLE_ROWS = 100  # rows of one table shown on the page (the API and the CLI's --json hold them all)
# The page as rendered, per figures and language: the same figures give the same page (a page is 100-200 KB of
# tables and charts; rendering it for every reader would cost more than reading the figures).
_pages: dict[tuple[str, str], bytes] = {}
_answers: dict[str, bytes] = {}  # /api/v1/stats's JSON, per figures

TITLES = {"deaths_by_month": N_("Deaths by month"), "by_year": N_("Held, died and repatriated by year"),
          "repatriation_by_year": N_("Repatriation by year, beside the published numbers"),
          "by_camp": N_("Persons by camp"), "by_region": N_("Persons by camp region"),
          "by_prefecture": N_("Persons by prefecture (本籍)"), "fates": N_("Persons by fate")}
COLUMNS = {"camp": N_("camp"), "camp_id": N_("camp id"), "resolved": N_("resolved"), "held": N_("held"),
           "died": N_("died"), "region": N_("region"), "prefecture": N_("prefecture"), "persons": N_("persons"),
           "repatriated": N_("repatriated"), "month": N_("month"), "year": N_("year"), "fate": N_("fate"),
           "manifests": N_("this store (manifests)"), "released": N_("published (released)"), "note": N_("note"),
           "source": N_("source")}
CHART_WORDS = {"deaths": N_("deaths"), "first winter": N_("first winter"), "held": N_("held"), "died": N_("died"),
               "repatriated": N_("repatriated"), "persons": N_("persons"),
               "this store (manifests)": N_("this store (manifests)"),
               "published (released)": N_("published (released)"),
               "share of all repatriated (%)": N_("share of all repatriated (%)")}
ORDER = ("deaths_by_month", "by_year", "repatriation_by_year", "by_camp", "by_region", "by_prefecture", "fates")


class CountTableAnswer(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]]
    source: str = Field(description='"this store, run N, <date>", or a reference file')
    note: str
    totals: dict[str, Any]


class StatsAnswer(BaseModel):
    simulated: bool
    run: RunInfo | None = Field(description="the linkage run whose persons are counted (null before the first)")
    source: str
    persons: dict[str, Any] | None = Field(
        description="the number of distinct persons: point, low, high (its interval), expected, how it is "
                    "computed (method) and its source")
    counts: dict[str, CountTableAnswer] = Field(
        description="fates, by_camp, by_region, by_prefecture, deaths_by_month, by_year, repatriation_by_year")
    first_winter: dict[str, Any]
    estimates: list[Estimate] = Field(description="every published estimate of estimates.tsv, with its source")
    estimates_source: str


def _say(language: str) -> Callable[[str], str]:
    """A chart's words in the reader's language."""
    gettext = translations(language).gettext

    def say(word: str) -> str:
        return gettext(CHART_WORDS.get(word) or word)

    return say


@router.get("/api/v1/stats", response_model=StatsAnswer, responses=ERRORS,
            summary="Counts of the linked persons beside the published estimates, each with its source")
def stats_api(request: Request) -> Response:
    figures = service.statistics(store_of(request), max_age=FRESH_SECONDS)
    body = _answers.get(figures.key)
    if body is None:  # the same figures give the same answer: made once, not per request
        body = json.dumps(figures.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        _answers.clear()
        _answers[figures.key] = body
    return Response(body, media_type="application/json")


@router.get("/stats", include_in_schema=False)
def stats_page(request: Request) -> HTMLResponse:
    figures = service.statistics(store_of(request), max_age=FRESH_SECONDS)
    language = request_language(request)
    # other parameters change the language links; a signed-in reader's page holds their name and their session's
    # CSRF token in its header: only the pages of readers who are not signed in are kept and shared
    plain = all(key == "lang" for key in request.query_params) and current_user(request) is None
    kept = _pages.get((figures.key, language)) if plain else None
    if kept is not None:
        return HTMLResponse(kept)
    answer = _render_page(request, figures, language)
    if plain:
        if len(_pages) > 64:
            _pages.clear()
        _pages[(figures.key, language)] = bytes(answer.body)
    return answer


def _render_page(request: Request, figures: Statistics, language: str) -> HTMLResponse:
    say = _say(language)
    drawn = {}
    for name in charts.CHARTS:
        svg = charts.render(figures, name, "svg", language, say)
        if svg is not None:
            drawn[name] = charts.inline_svg(svg, name, translations(language).gettext(TITLES[name]))
    tables = [figures.counts[name] for name in ORDER if name in figures.counts]
    return page(request, "stats.html", figures=figures, tables=tables, charts=drawn, titles=TITLES,
                columns=COLUMNS, max_rows=MAX_TABLE_ROWS, estimates_file=ESTIMATES_FILE,
                repatriation_file=REPATRIATION_FILE, interval=_interval(figures.persons))


def _interval(persons: PersonsInterval | None) -> dict[str, Any] | None:
    return None if persons is None else {"point": persons.point, "low": persons.low, "high": persons.high,
                                         "expected": persons.expected, "confidence": round(persons.confidence * 100),
                                         "open": persons.open_review_pairs, "refused": persons.refused_links}


@router.get("/stats/charts/{name}.{fmt}", include_in_schema=False)
def stats_chart(request: Request, name: Annotated[str, Path(max_length=40)],
                fmt: Literal["svg", "png"]) -> Response:
    language = request_language(request)
    figures = service.statistics(store_of(request), max_age=FRESH_SECONDS)
    drawn = charts.render(figures, name, fmt, language, _say(language)) if name in charts.CHARTS else None
    if drawn is None:
        raise KartotekaError("web.not_found", f"No chart {name!r}.",
                             hint=f"The charts are {', '.join(charts.CHARTS)}, as .svg or .png.")
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    run = figures.run.id if figures.run else 0
    marked = "-SIMULATED" if figures.simulated else ""
    headers = {"Content-Disposition": f'inline; filename="kartoteka-{name}-run{run}{marked}.{fmt}"'}
    return Response(drawn, media_type=media, headers=headers)
