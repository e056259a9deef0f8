"""One error shape for every error of the portal and the API, and the status of each kind of error.

Every error is a KartotekaError by the time it is answered: the services raise them; FastAPI's validation
errors become "usage.parameter" (naming the parameter), an unknown address "web.not_found", a wrong method
"web.method", a store too busy to answer now "store.overloaded" (its connection pool exhausted) or "store.busy"
(SQLite locked by another writer), each logged in one line and answered 503 with Retry-After, and anything
unexpected "web.internal" (logged with its traceback). The API answers ``KartotekaError.to_dict()`` as JSON; a page
answers the same message, in the page's language, as HTML.

    status by code:  *.not_found 404 · *.gone 410 · *.conflict 409 · web.method 405 · auth.required,
                     auth.token, auth.failed 401 · auth.forbidden, auth.locked, web.csrf 403 · web.rate_limited 429 · store.* and
                     search.stale_index 503 · web.internal 500 · everything else (a query, a parameter, a form a
                     client got wrong) 400
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kartoteka.core.errors import KartotekaError
from kartoteka.store.faults import server_busy

log = logging.getLogger("kartoteka.web")

API_PREFIX = "/api/"


def status_for(code: str) -> int:
    """The HTTP status of an error code (see the module docstring)."""
    if code.endswith("not_found"):
        return 404
    if code.endswith(".gone"):
        return 410
    if code.endswith(".conflict"):
        return 409
    if code == "web.method":
        return 405
    if code in ("auth.required", "auth.token", "auth.failed"):
        return 401
    if code in ("auth.forbidden", "auth.locked", "web.csrf"):
        return 403
    if code == "web.rate_limited":
        return 429
    if code.startswith("store.") or code == "search.stale_index":  # the server's state, not the client's request
        return 503
    if code == "web.internal":
        return 500
    return 400


def validation_error(exc: RequestValidationError) -> KartotekaError:
    """FastAPI's 422 as the one shape: "usage.parameter", naming each bad parameter and what was wrong."""
    problems = []
    for item in exc.errors():
        location = [str(part) for part in item.get("loc", ())]
        where = location[0] if location else "request"
        name = location[-1] if len(location) > 1 else where
        problems.append({"parameter": name, "in": where, "problem": str(item.get("msg", "invalid")),
                         "value": _short(item.get("input"))})
    first = problems[0] if problems else {"parameter": "request", "problem": "invalid"}
    return KartotekaError(
        "usage.parameter",
        f"Bad value for the parameter '{first['parameter']}': {first['problem']}.",
        hint="See the parameters of this address in /api/v1/openapi.json.",
        details={"parameter": first["parameter"], "problems": problems},
    )


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 80:
        return value[:80] + "…"
    return value if isinstance(value, str | int | float | bool | type(None)) else repr(value)[:80]


def http_error(status: int, path: str) -> KartotekaError:
    """Starlette's own errors (no such address, wrong method) as KartotekaErrors."""
    if status == 404:
        return KartotekaError("web.not_found", f"There is no page or API address {path}.",
                              hint="Start from / (the search) or see /api/v1/openapi.json.",
                              details={"path": path})
    if status == 405:
        return KartotekaError("web.method", f"{path} does not take this method.",
                              hint="The API is read with GET; a correction is sent with POST.",
                              details={"path": path})
    return KartotekaError("web.http", f"The request could not be answered ({status}).", details={"status": status})


def json_error(exc: KartotekaError, status: int | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(exc.to_dict(), status_code=status or status_for(exc.code), headers=headers)


PageRenderer = Callable[[Request, KartotekaError, int], HTMLResponse]


def answer_error(request: Request, exc: KartotekaError, status: int, render_page_error: PageRenderer,
                 headers: dict[str, str] | None = None) -> Response:
    """The error in the one shape: JSON under /api/, a page in the reader's language elsewhere."""
    if request.url.path.startswith(API_PREFIX):
        return json_error(exc, status, headers)
    response = render_page_error(request, exc, status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def retry_after(exc: KartotekaError, status: int) -> dict[str, str] | None:
    """The Retry-After header of a 429 or 503 whose error says when to try again."""
    seconds = exc.details.get("retry_after") if status in (429, 503) else None
    return {"Retry-After": str(seconds)} if seconds else None


def answer_busy_store(request: Request, exc: Exception, render_page_error: PageRenderer) -> Response | None:
    """A request the store was too busy for (kartoteka.store.faults.server_busy): one log line, no traceback
    (a busy hour would fill the log with them), and 503 with Retry-After; None for any other exception."""
    busy = server_busy(exc)
    if busy is None:
        return None
    log.warning("%s %s answered 503 %s: %s", request.method, request.url.path, busy.code,
                str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
    return answer_error(request, busy, 503, render_page_error, retry_after(busy, 503))


def install_error_handlers(app: FastAPI, render_page_error: PageRenderer) -> None:
    """Answer every error in the one shape: JSON under /api/, a page in the reader's language elsewhere."""

    def answer(request: Request, exc: KartotekaError, status: int, headers: dict[str, str] | None = None) -> Response:
        return answer_error(request, exc, status, render_page_error, headers)

    async def on_kartoteka_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, KartotekaError)
        status = status_for(exc.code)
        return answer(request, exc, status, retry_after(exc, status))

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return answer(request, validation_error(exc), 400)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers) if exc.headers else None
        return answer(request, http_error(exc.status_code, request.url.path), exc.status_code, headers)

    async def answer_unexpected(request: Request, call_next: Any) -> Response:
        """Anything the handlers above do not know: a busy store 503, anything else logged once, answered 500,
        both in the one shape."""
        try:
            response: Response = await call_next(request)
            return response
        except Exception as exc:
            busy = answer_busy_store(request, exc, render_page_error)
            if busy is not None:
                return busy
            log.exception("unexpected error answering %s %s", request.method, request.url.path)
            error = KartotekaError("web.internal", "Something went wrong on the server; the error has been logged.",
                                   hint="Try again later; if it keeps happening, tell the site's keepers.")
            return answer(request, error, 500)

    app.add_exception_handler(KartotekaError, on_kartoteka_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.middleware("http")(answer_unexpected)
