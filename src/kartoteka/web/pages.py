"""The portal's pages: each calls the same service function as its API address and renders it on the server.

Form and query values arrive as text; a number that is not one is a "usage.parameter" error shown in the
page's language. No page needs JavaScript."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kartoteka.catalog import service as catalog
from kartoteka.catalog.types import Moved
from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.vocabulary import PREFECTURES
from kartoteka.search import service as search_service
from kartoteka.search.types import SearchHit, SearchPage, SearchQuery
from kartoteka.web.api import MAX_ID, store_of
from kartoteka.web.auth import (
    audit_restricted_view,
    check_csrf,
    csrf_token,
    current_user,
    remember_csrf_cookie,
    viewer,
)
from kartoteka.web.i18n import COOKIE, choose_language, translations
from kartoteka.web.messages import page_error
from kartoteka.web.person_route import person_route
from kartoteka.web.render import render
from kartoteka.web.security import rate_limited

PAGE_SIZE = 20
MEMORIAL_PAGE_SIZE = 100
SEARCH_FIELDS = ("q", "birth_year", "birth_year_tolerance", "prefecture", "camp", "fate", "death_year")

router = APIRouter(include_in_schema=False)


def request_language(request: Request) -> str:
    return choose_language(request.query_params.get("lang"), request.cookies.get(COOKIE),
                           request.headers.get("accept-language"))


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the reader's language, with the SIMULATED banner when the store is simulated."""
    store = store_of(request)
    params = {key: value for key, value in request.query_params.items() if key != "lang"}
    html = render(template, request_language(request), simulated=store.is_simulated(), params=params,
                  prefectures=PREFECTURES, user=current_user(request), csrf=lambda: csrf_token(request), **context)
    response = HTMLResponse(html, status_code=status)
    remember_csrf_cookie(request, response)
    return response


def error_page(request: Request, exc: KartotekaError, status: int) -> HTMLResponse:
    """An error as a page: the message by its code, in the reader's language (kartoteka.web.errors calls it)."""
    language = request_language(request)
    shown = page_error(exc, status, translations(language).gettext)
    simulated = False
    # The store itself may be what failed; the error page must still answer, and must not wait another
    # pool_timeout for a connection of a pool that is exhausted (it renders on the event loop).
    if not exc.code.startswith("store."):
        try:
            simulated = store_of(request).is_simulated()
        except Exception:
            simulated = False
    params = {key: value for key, value in request.query_params.items() if key != "lang"}
    html = render("error.html", language, simulated=simulated, params=params, title=shown.title,
                  message=shown.message, hint=shown.hint, code=shown.code)
    return HTMLResponse(html, status_code=status)


def _int(name: str, value: str | None) -> int | None:
    """A number from a form field; blank is none; anything else is "usage.parameter" naming the field."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 6:
        raise KartotekaError("usage.parameter", f"'{text[:40]}' is not a number ({name}).",
                             hint="Write a number such as 1920.", details={"parameter": name, "value": text[:40]})
    return int(text)


@router.get("/")
def home(request: Request) -> HTMLResponse:
    return page(request, "home.html", info=catalog.store_info(store_of(request)), form={})


def _search_query(form: dict[str, str], page_no: int) -> SearchQuery:
    tolerance = _int("birth_year_tolerance", form.get("birth_year_tolerance"))
    return SearchQuery(
        text=form.get("q", ""), birth_year=_int("birth_year", form.get("birth_year")),
        birth_year_tolerance=2 if tolerance is None else tolerance,
        prefecture=form.get("prefecture") or None, camp=form.get("camp") or None, fate=form.get("fate") or None,
        death_year=_int("death_year", form.get("death_year")), limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE,
    )


@router.get("/search", dependencies=[Depends(rate_limited("search"))])
def search(request: Request) -> Response:
    form = {key: request.query_params.get(key, "") for key in SEARCH_FIELDS}
    if "q" not in request.query_params:
        return page(request, "results.html", form=form, result=None, error=None)
    try:
        page_no = max(1, min(_int("page", request.query_params.get("page")) or 1, 50_000))
        result = search_service.search(store_of(request), _search_query(form, page_no))
    except KartotekaError as exc:
        if not exc.code.startswith(("search.", "usage.")):
            raise
        shown = page_error(exc, 400, translations(request_language(request)).gettext)
        return page(request, "results.html", status=400, form=form, result=None, error=shown)
    download = request.query_params.get("format")
    if download in ("csv", "json"):
        return _download(result, download, store_of(request).is_simulated())
    looser = urlencode(_query_params(result.looser)) if result.looser else None
    return page(request, "results.html", form=form, result=result, error=None, looser=looser, page_no=page_no,
                pages=max(1, math.ceil(result.total / PAGE_SIZE)))


def _query_params(query: SearchQuery) -> dict[str, Any]:
    """A SearchQuery as the results page's address parameters."""
    values = {"q": query.text, "birth_year": query.birth_year, "prefecture": query.prefecture, "camp": query.camp,
              "fate": query.fate, "death_year": query.death_year}
    if query.birth_year is not None:
        values["birth_year_tolerance"] = query.birth_year_tolerance
    return {key: value for key, value in values.items() if value not in (None, "")}


CSV_COLUMNS = ("person_id", "record_id", "score", "kanji", "kana", "romaji", "cyrillic", "birth_year", "prefecture",
               "fate", "death_date", "record_count", "sources", "record_refs", "reasons", "simulated")


def _csv_row(hit: SearchHit, simulated: bool) -> list[Any]:
    return [hit.person_id, hit.record_id, f"{hit.score:.4f}", hit.names.get("kanji"), hit.names.get("kana"),
            hit.names.get("romaji"), hit.names.get("cyrillic"), hit.birth_year, hit.prefecture, hit.fate,
            hit.death_date, hit.record_count, json.dumps(hit.sources, ensure_ascii=False),
            " ".join(hit.record_refs), " | ".join(hit.reasons), "SIMULATED" if simulated else ""]


def _download(result: SearchPage, fmt: str, simulated: bool) -> Response:
    """One page of results as a file (CSV or JSON); a simulated store's rows say SIMULATED."""
    name = f"kartoteka-search-{result.query.offset // PAGE_SIZE + 1}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "json":
        body = json.dumps({**result.to_dict(), "simulated": simulated}, ensure_ascii=False, indent=1)
        return Response(body, media_type="application/json; charset=utf-8", headers=headers)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(hit, simulated) for hit in result.hits)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/persons/{person_id}")
def person(request: Request, person_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    found = catalog.person(store_of(request), person_id, viewer(request))
    if isinstance(found, Moved):
        if len(found.now) == 1:
            return RedirectResponse(f"/persons/{found.now[0]}", status_code=303)
        return page(request, "moved.html", status=410, moved=found)
    audit_restricted_view(request, f"person {person_id}", [r.id for r in found.records if r.access == "full"])
    return page(request, "person.html", person=found, route=person_route(store_of(request), found))


def _same_origin(request: Request) -> bool:
    """A form post from this site: its Origin (or, without one, its Referer) names this host. Browsers send
    Origin with every cross-site POST, so a form on another site cannot post here; a client with neither
    header (curl, a script) is no cross-site forgery."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return True
    if claimed == "null":  # an opaque origin (a sandboxed frame, a data: page): not this site
        return False
    return urlsplit(claimed).netloc.lower() == (request.headers.get("host") or "").lower()


@router.post("/persons/{person_id}/corrections")
def correction(request: Request, person_id: Annotated[int, Path(ge=1, le=MAX_ID)],
               text: Annotated[str, Form(max_length=20_000)] = "",
               contact: Annotated[str, Form(max_length=2_000)] = "",
               csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_csrf(request, csrf_token)
    if not _same_origin(request):
        raise KartotekaError("web.origin", "The form was sent from another site.",
                             hint="Send the correction from the person's page on this site.")
    correction_id = catalog.add_correction(store_of(request), text, person_id=person_id,
                                           contact=contact.strip() or None, language=request_language(request))
    return page(request, "thanks.html", correction_id=correction_id, person_id=person_id)


@router.get("/records/{record_id}")
def record(request: Request, record_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> HTMLResponse:
    shown = catalog.record(store_of(request), record_id, viewer(request))
    audit_restricted_view(request, f"record {record_id}", [shown.id] if shown.access == "full" else [])
    return page(request, "record.html", record=shown)


@router.get("/memorial")
def memorial(request: Request) -> HTMLResponse:
    store = store_of(request)
    row = request.query_params.get("row") or None
    prefecture = request.query_params.get("prefecture") or None
    if row is None and prefecture is None:
        rows = catalog.memorial_rows(store)
        return page(request, "memorial.html", rows=rows, total=sum(r.count for r in rows))
    page_no = max(1, min(_int("page", request.query_params.get("page")) or 1, 50_000))
    listed = catalog.memorial(store, row=row, prefecture=prefecture, limit=MEMORIAL_PAGE_SIZE,
                              offset=(page_no - 1) * MEMORIAL_PAGE_SIZE)
    labels = {r.row: r.label for r in catalog.memorial_rows(store)} if row else {}
    heading = labels.get(listed.row or "", listed.row or "") if row else (listed.prefecture or prefecture or "")
    return page(request, "memorial_list.html", page=listed, heading=heading, page_no=page_no,
                pages=max(1, math.ceil(listed.total / MEMORIAL_PAGE_SIZE)))


@router.get("/sources")
def sources(request: Request) -> HTMLResponse:
    return page(request, "sources.html", sources=catalog.sources(store_of(request)))
