"""The JSON API, /api/v1: each address calls one service function and answers its dataclasses as JSON.

Parameters are typed and bounded here (so that no client value can overflow a database integer); what a value
means (an empty query, an unknown prefecture) is the service's to judge, and its KartotekaError is answered in
the one error shape (kartoteka.web.errors)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from kartoteka.catalog import service as catalog
from kartoteka.catalog.types import Moved, PersonView, RecordView
from kartoteka.core.errors import KartotekaError
from kartoteka.search import service as search_service
from kartoteka.search.types import MAX_LIMIT, SearchQuery
from kartoteka.store.database import Store
from kartoteka.web.auth import audit_restricted_view, viewer
from kartoteka.web.errors import json_error
from kartoteka.web.models import ERRORS, ErrorAnswer, MemorialAnswer, SearchAnswer, SourcesAnswer
from kartoteka.web.security import rate_limited

MAX_ID = 2**31 - 1  # ids are database integers: a larger one is no id at all (400, not a 500 from the driver)
MAX_OFFSET = 1_000_000
YEAR = {"ge": 0, "le": 9999}

router = APIRouter(prefix="/api/v1", responses=ERRORS)


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def moved_answer(moved: Moved, base: str) -> Response:
    """A retired id whose records all went to one person (merged) answers with a redirect to it; a split or
    removed one with 410 "catalog.gone", listing where the records went."""
    if len(moved.now) == 1:
        return RedirectResponse(f"{base}/{moved.now[0]}", status_code=301)
    error = KartotekaError(
        "catalog.gone", f"Person {moved.person_id} no longer exists: its records were {moved.reason}.",
        hint="Follow details.now to the persons that hold its records now." if moved.now else "",
        details={"person_id": moved.person_id, "now": moved.now, "reason": moved.reason},
    )
    return json_error(error, 410)


@router.get("/search", response_model=SearchAnswer, summary="Persons whose name matches, in any script",
            dependencies=[Depends(rate_limited("search"))])
def search(
    request: Request,
    q: Annotated[str, Query(description="a name in kanji, kana, romaji or Cyrillic")],
    birth_year: Annotated[int | None, Query(**YEAR)] = None,
    birth_year_tolerance: Annotated[int, Query(ge=0, le=100)] = 2,
    prefecture: Annotated[str | None, Query(description="山形県, 山形, Yamagata or its JIS code")] = None,
    camp: Annotated[str | None, Query()] = None,
    fate: Annotated[str | None, Query(description="died | repatriated | unknown")] = None,
    death_year: Annotated[int | None, Query(**YEAR)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    query = SearchQuery(text=q, birth_year=birth_year, birth_year_tolerance=birth_year_tolerance,
                        prefecture=prefecture or None, camp=camp or None, fate=fate or None,
                        death_year=death_year, limit=limit, offset=offset)
    store = store_of(request)
    page = search_service.search(store, query)
    return {**page.to_dict(), "simulated": store.is_simulated()}


@router.get("/persons/{person_id}", response_model=PersonView, summary="A person with every source record",
            responses={301: {"description": "a merged person: its records are now the Location's"},
                       410: {"model": ErrorAnswer, "description": "a split person: details.now lists where"}})
def person(request: Request, person_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Any:
    found = catalog.person(store_of(request), person_id, viewer(request))
    if isinstance(found, Moved):
        return moved_answer(found, "/api/v1/persons")
    audit_restricted_view(request, f"person {person_id}", [r.id for r in found.records if r.access == "full"])
    return found


@router.get("/records/{record_id}", response_model=RecordView, summary="One source record, the fields the caller may see",
            responses={403: {"model": ErrorAnswer, "description": "a personal file, asked for without signing in"}})
def record(request: Request, record_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Any:
    shown = catalog.record(store_of(request), record_id, viewer(request))
    audit_restricted_view(request, f"record {record_id}", [shown.id] if shown.access == "full" else [])
    return shown


@router.get("/memorial", response_model=MemorialAnswer, summary="The dead in 五十音 order, by kana row or prefecture")
def memorial(
    request: Request,
    row: Annotated[str | None, Query(description="ア, カ, ... (or a, ka, ...); 他 for names without kana")] = None,
    prefecture: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    store = store_of(request)
    page = catalog.memorial(store, row=row or None, prefecture=prefecture or None, limit=limit, offset=offset)
    return {"rows": catalog.memorial_rows(store), "row": page.row, "prefecture": page.prefecture,
            "total": page.total, "entries": page.entries, "simulated": store.is_simulated()}


@router.get("/sources", response_model=SourcesAnswer, summary="The imported sources with their counts")
def sources(request: Request) -> dict[str, Any]:
    store = store_of(request)
    return {"sources": catalog.sources(store), "simulated": store.is_simulated()}

