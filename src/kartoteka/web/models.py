"""The API's answers as pydantic models, for the OpenAPI document (and schemathesis, which checks every answer
against it). They mirror the services' dataclasses, which FastAPI reads as they are: no field is copied by hand."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from kartoteka.catalog.types import MemorialEntry, MemorialRow, SourceView
from kartoteka.search.types import SearchHit, SearchQuery


class ErrorBody(BaseModel):
    code: str = Field(description="stable code, e.g. search.empty_query, usage.parameter, catalog.not_found")
    message: str
    hint: str = ""
    file: str | None = None
    line: int | None = None
    column: str | None = None
    details: dict[str, Any] | None = None


class ErrorAnswer(BaseModel):
    """The one error shape of every address (and of the CLI's --json)."""

    error: ErrorBody


class SearchAnswer(BaseModel):
    query: SearchQuery
    total: int
    results: list[SearchHit]
    readings: list[str]
    looser: SearchQuery | None
    candidates: str = Field(description='"persons" (of the current run) or "records" (no link has run yet)')
    simulated: bool


class MemorialAnswer(BaseModel):
    rows: list[MemorialRow] = Field(description="every kana row with its count of the dead")
    row: str | None
    prefecture: str | None
    total: int = Field(description="entries in the chosen row or prefecture (all the dead when neither is chosen)")
    entries: list[MemorialEntry]
    simulated: bool


class SourcesAnswer(BaseModel):
    sources: list[SourceView]
    simulated: bool


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorAnswer, "description": "a parameter or query the client got wrong"},
    401: {"model": ErrorAnswer, "description": "an API token that is unknown, revoked or expired (auth.token)"},
    404: {"model": ErrorAnswer, "description": "no such address, person or record"},
    429: {"model": ErrorAnswer, "description": "too many requests from this address (web.rate_limited)"},
    500: {"model": ErrorAnswer, "description": "the server failed (logged); never for anything a client sends"},
    503: {"model": ErrorAnswer, "description": "the store is not reachable"},
}
