"""The gazetteer's API: the camps and burial sites with their counts in the store, one camp, and the resolution
of a place text (each address calls one service function of kartoteka.gazetteer)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from kartoteka.gazetteer import service
from kartoteka.gazetteer.resolver import parse_on
from kartoteka.gazetteer.types import CampMarker, PlaceResolution
from kartoteka.store.database import Store
from kartoteka.web.models import ERRORS

MAX_ID = 2**31 - 1
router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["gazetteer"])


class CampsAnswer(BaseModel):
    camps: list[CampMarker]
    year: int | None
    simulated: bool = Field(description="the counts held and died come from a SIMULATED store")
    counts: str = Field(description="what held and died count")


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


COUNTS = ("held: persons in this store recorded at the camp; died: persons who died there (for a burial site: "
          "who lie there); published: the figure the source states, with source_url")


@router.get("/camps", response_model=CampsAnswer, summary="Camps and burial sites with their counts in the store")
def camps(request: Request,
          year: Annotated[int | None, Query(ge=1900, le=2100, description="only those in use that year")] = None,
          kind: Annotated[str | None, Query(description="camp, subcamp, hospital, transit, burial_site, area")] = None,
          ) -> dict[str, Any]:
    store = _store(request)
    markers = service.camp_markers(store, year=year)
    if kind:
        markers = [m for m in markers if m.kind == kind]
    return {"camps": markers, "year": year, "simulated": store.is_simulated(), "counts": COUNTS}


@router.get("/camps/{camp_id}", response_model=CampMarker, summary="One camp or burial site")
def camp(request: Request, camp_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> CampMarker:
    return service.camp_marker(_store(request), camp_id)


@router.get("/gazetteer/resolve", response_model=PlaceResolution,
            summary="The place and camp a text names (any script), the date deciding what a number meant")
def resolve(request: Request,
            q: Annotated[str, Query(min_length=1, max_length=500, description="Тайшет, タイシェト, 第7地区, лагерь № 7")],
            date: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD, YYYY-MM or YYYY")] = None,
            ) -> PlaceResolution:
    return service.resolve(_store(request), q, parse_on(date))
