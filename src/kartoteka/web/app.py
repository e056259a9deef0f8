"""The web application: ``create_app(store_url)`` opens one Store for the process and serves the pages, the
API (/api/v1, OpenAPI at /api/v1/openapi.json) and the stylesheet.

``kartoteka serve`` runs it on uvicorn; with several workers each process builds its own app through
``app_from_environment`` (the store named by KARTOTEKA_DATABASE, as the CLI's --database sets it)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from kartoteka.search.service import warm_up
from kartoteka.store import ConnectionPool, open_store
from kartoteka.web import (
    account_pages,
    api,
    camps_api,
    map_pages,
    pages,
    request_pages,
    review_pages,
    stats_pages,
)
from kartoteka.web.errors import install_error_handlers
from kartoteka.web.i18n import COOKIE, LANGUAGES
from kartoteka.web.security import install_security

STATIC = Path(__file__).resolve().parent / "static"
ONE_YEAR = 365 * 24 * 3600


def create_app(store_url: str, pool: ConnectionPool | None = None) -> FastAPI:
    """The portal of the store at ``store_url`` (SQLite path URL or postgresql:// URL); the store must exist.
    On PostgreSQL the process keeps its connections in ``pool`` (by default the settings' pool_size,
    pool_overflow and pool_timeout), every request taking its connections from it."""
    store = open_store(store_url, create=False, pool=pool or pool_of_settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Each worker loads the names tables and the store's known readings before it answers (the first search
        # would otherwise wait seconds for them).
        warm_up(store)
        # What the warm-up loaded lives as long as the worker: out of the garbage collector's sight. A full
        # collection walks every object it tracks, and the names tables' and readings' big dicts made each one
        # stop the worker for about 0.9 s at full scale (the slowest 1 % of every kind of request under load).
        gc.collect()
        gc.freeze()
        yield
        store.close()

    app = FastAPI(
        title="Kartoteka API",
        version="1",
        summary="Search and read the records of the Japanese internees in the Soviet Union and Mongolia.",
        description="Anonymous callers get the public fields; an API token (`Authorization: Bearer TOKEN`, from "
                    "`kartoteka user token`) gets its role's fields (kartoteka.access.policy). Every error has one shape: {\"error\": {\"code\", \"message\", \"hint\", "
                    "\"details\"}}; a client's mistake is a 4xx, never a 5xx.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    app.include_router(api.router)
    app.include_router(camps_api.router)
    app.include_router(pages.router)
    app.include_router(stats_pages.router)
    app.include_router(account_pages.router)
    app.include_router(request_pages.router)
    app.include_router(map_pages.router)
    app.include_router(review_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_handlers(app, pages.error_page)
    install_security(app, pages.error_page)

    @app.middleware("http")
    async def remember_language(request: Request, call_next: Any) -> Response:
        """?lang= switches the language and a cookie remembers it; a page says which language it is in."""
        response: Response = await call_next(request)
        asked = (request.query_params.get("lang") or "").lower()
        if asked in LANGUAGES:
            response.set_cookie(COOKIE, asked, max_age=ONE_YEAR, samesite="lax", httponly=True)
        if not request.url.path.startswith("/api/"):
            response.headers["Content-Language"] = pages.request_language(request)
            response.headers["Vary"] = "Accept-Language, Cookie"
        return response

    return app


def pool_of_settings() -> ConnectionPool:
    """The connection pool of one server process, as the settings (KARTOTEKA_POOL_*) size it."""
    from kartoteka.core.settings import load_settings

    settings = load_settings(None)
    return ConnectionPool(settings.pool_size, settings.pool_overflow, settings.pool_timeout)


def app_from_environment() -> FastAPI:
    """The app of the store named by the settings (KARTOTEKA_DATABASE): uvicorn's factory for each worker."""
    from kartoteka.core.settings import load_settings

    return create_app(load_settings(None).database_url)
