"""The map: /map (camps and burial sites, a year filter, and the same camps as a table that needs no script). The
page's script draws the markers from the gazetteer's /api/v1/camps?year= (kartoteka.web.camps_api); a person's
route is kartoteka.web.person_route's.

Everything the map shows is served from the package (static/vendor: Leaflet, leaflet.markercluster and a Natural
Earth basemap); nothing is fetched from another host. The counts and places come from the gazetteer
(``camp_markers``, ``resolve``); a camp without a coordinate is listed in the table, never drawn at a guess."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kartoteka.core.errors import KartotekaError
from kartoteka.gazetteer import service as gazetteer
from kartoteka.gazetteer.types import CampMarker
from kartoteka.web.api import store_of
from kartoteka.web.pages import _int, page
from kartoteka.web.render import N_

FIRST_YEAR, LAST_YEAR = 1945, 1956  # the first captures to the last repatriation ship

MARKER_KINDS = {"camp": N_("camp"), "subcamp": N_("sub-camp"), "hospital": N_("special hospital"),
                "transit": N_("transit camp"), "burial_site": N_("burial site"),
                "area": N_("region (several camps)")}
NUMBER_SYSTEMS = {"soviet": N_("Soviet camp number"), "japanese_1947": N_("Japanese district number of 1947")}

router = APIRouter(include_in_schema=False)


def _year(value: str | None) -> int | None:
    """The year filter: blank is every year; a number outside the years of the internment is a usage error."""
    year = _int("year", value)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise KartotekaError("usage.parameter", f"{year} is not a year of the internment ({FIRST_YEAR}-{LAST_YEAR}).",
                             hint=f"Choose a year from {FIRST_YEAR} to {LAST_YEAR}.",
                             details={"parameter": "year", "value": str(year)})
    return year


@router.get("/map")
def map_page(request: Request) -> HTMLResponse:
    year = _year(request.query_params.get("year"))
    markers = gazetteer.camp_markers(store_of(request), year)
    return page(request, "map.html", markers=marker_rows(markers), year=year,
                years=range(FIRST_YEAR, LAST_YEAR + 1), marker_kinds=MARKER_KINDS, number_systems=NUMBER_SYSTEMS,
                placed=sum(1 for m in markers if m.coordinate is not None),
                held=sum(m.held for m in markers), died=sum(m.died for m in markers))


def marker_rows(markers: list[CampMarker]) -> list[CampMarker]:
    """The table's order: the most people first, then by name."""
    return sorted(markers, key=lambda m: (-max(m.held, m.died), m.names.get("en") or m.names.get("ru") or ""))
