"""Hardening: security headers on every answer, and rate limits per client address.

Headers: a Content-Security-Policy without inline script or style (the pages have none, and need no
JavaScript), frame-ancestors 'none' (and X-Frame-Options DENY for old browsers), X-Content-Type-Options nosniff,
Referrer-Policy same-origin, and Strict-Transport-Security when the request came over https (behind a TLS proxy,
run uvicorn with --proxy-headers so that the scheme is seen). The API's interactive documentation
(/api/v1/docs, FastAPI's Swagger UI, which loads its script from a CDN and starts it inline) gets a policy that
allows exactly that, and only on that address.

Rate limits: a sliding window per client address and per bucket (search: the search page and API, 120 a
minute; login: sign-in attempts, 10 a minute; the settings search_rate_limit and login_rate_limit), kept in the memory of each worker process: with N workers a client may make up to N
times the limit. Over the limit: 429 "web.rate_limited" with Retry-After.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response

from kartoteka.core.errors import KartotekaError
from kartoteka.web.auth import client_address, current_user, https
from kartoteka.web.errors import API_PREFIX, PageRenderer, answer_busy_store, json_error, status_for

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
DOCS_PATH = "/api/v1/docs"
HSTS = "max-age=31536000; includeSubDomains"


@dataclass
class RateLimit:
    """At most ``limit`` requests in ``window`` seconds per client address (one worker's memory)."""

    limit: int
    window: float = 60.0
    _seen: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, client: str, now: float | None = None) -> float:
        """0 when the request may go ahead (and it is counted); else the seconds until it may."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen.setdefault(client, deque())
            while seen and seen[0] <= moment - self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return max(0.001, seen[0] + self.window - moment)
            seen.append(moment)
            if len(self._seen) > 100_000:  # forget idle clients rather than grow without end
                for key in [k for k, v in self._seen.items() if not v][:50_000]:
                    del self._seen[key]
            return 0.0


def default_limits() -> dict[str, RateLimit]:
    """The limits of the settings search_rate_limit and login_rate_limit (a minute each; 0: no limit)."""
    from kartoteka.core.settings import load_settings

    settings = load_settings(None)
    return {"search": RateLimit(settings.search_rate_limit or 10**9, 60.0),
            "login": RateLimit(settings.login_rate_limit or 10**9, 60.0)}


def rate_limited(bucket: str) -> Callable[[Request], None]:
    """A dependency that counts the request in ``bucket`` and refuses it over the limit."""

    def dependency(request: Request) -> None:
        limits: dict[str, RateLimit] = request.app.state.rate_limits
        wait = limits[bucket].wait(client_address(request))
        if wait:
            raise KartotekaError("web.rate_limited", "Too many requests from your address; wait a moment.",
                                 hint=f"Try again in {math.ceil(wait)} seconds.",
                                 details={"bucket": bucket, "retry_after": math.ceil(wait)})

    return dependency


def install_security(app: FastAPI, render_page_error: PageRenderer) -> None:
    """The security headers on every answer, a bearer token checked on every request that sends one (401
    "auth.token" in the one error shape when it is not valid), and the rate limits' state."""
    app.state.rate_limits = default_limits()

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response
        try:
            if request.headers.get("authorization"):
                current_user(request)  # kept in request.state for the handler
            response = await call_next(request)
        except KartotekaError as exc:
            if exc.code != "auth.token":
                raise
            status = status_for(exc.code)
            response = json_error(exc, status) if request.url.path.startswith(API_PREFIX) else \
                render_page_error(request, exc, status)
        except Exception as exc:  # the token's check found the store too busy (the handlers' own are inside)
            busy = answer_busy_store(request, exc, render_page_error)
            if busy is None:
                raise
            response = busy
        headers = response.headers
        headers["Content-Security-Policy"] = DOCS_CSP if request.url.path == DOCS_PATH else CSP
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        if https(request):
            headers["Strict-Transport-Security"] = HSTS
        return response
