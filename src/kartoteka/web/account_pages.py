"""Signing in and out (/login, /logout) and the administrators' audit log page (/admin/audit).

Each form carries the CSRF token (kartoteka.web.auth); sign-in attempts are rate-limited per client address
and an account is locked after repeated wrong passwords (kartoteka.accounts.sessions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from kartoteka.accounts.sessions import sign_in, sign_out
from kartoteka.accounts.types import Role, User
from kartoteka.audit import service as audit
from kartoteka.core.errors import KartotekaError
from kartoteka.web.api import store_of
from kartoteka.web.auth import (
    SESSION_COOKIE,
    check_csrf,
    clear_session_cookie,
    client_address,
    current_user,
    require_role,
    set_session_cookie,
)
from kartoteka.web.errors import status_for
from kartoteka.web.i18n import translations
from kartoteka.web.messages import page_error
from kartoteka.web.pages import page, request_language
from kartoteka.web.security import rate_limited

router = APIRouter(include_in_schema=False)


def _local(target: str) -> str:
    """Where to go after signing in: a path on this site only (never //host or a scheme)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and len(target) < 2000:
        return target
    return "/"


@router.get("/login")
def login_form(request: Request) -> Response:
    return page(request, "login.html", error=None, name="", next_page=_local(request.query_params.get("next", "/")))


@router.post("/login", dependencies=[Depends(rate_limited("login"))])
def login(request: Request, name: Annotated[str, Form(max_length=64)] = "",
          password: Annotated[str, Form(max_length=1024)] = "",
          csrf_token: Annotated[str, Form(max_length=200)] = "",
          next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    check_csrf(request, csrf_token)
    try:
        signed = sign_in(store_of(request), name.strip(), password, client=client_address(request))
    except KartotekaError as exc:
        if not exc.code.startswith("auth."):
            raise
        status = status_for(exc.code)
        shown = page_error(exc, status, translations(request_language(request)).gettext)
        return page(request, "login.html", status=status, error=shown, name=name.strip()[:64],
                    next_page=_local(next))
    response = RedirectResponse(_local(next), status_code=303)
    set_session_cookie(request, response, signed.session_id)
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_csrf(request, csrf_token)
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        sign_out(store_of(request), session_id, client=client_address(request))
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(request, response)
    return response


@router.get("/admin/audit")
def audit_page(request: Request, user: Annotated[User, Depends(require_role(Role.ADMIN))]) -> Response:
    who = (request.query_params.get("who") or "").strip()[:100]
    since = (request.query_params.get("since") or "").strip()[:40]
    action = (request.query_params.get("action") or "").strip()[:40]
    found = audit.entries(store_of(request), who=who or None, since=audit.parse_since(since) if since else None,
                          action=action or None, limit=500)
    del user
    return page(request, "audit.html", entries=found, who=who, since=since, action=action)


__all__ = ["current_user", "router"]
