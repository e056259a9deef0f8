"""Who is asking, for the pages and the API (session 10's contract: the signatures are fixed).

    current_user(request) -> User | None       a FastAPI dependency: the signed-in user, or None (public)
    require_role(Role.REVIEWER)               a dependency factory: the user, or 401 auth.required / 403
                                              auth.forbidden in the one error shape
    viewer(request) -> access.policy.Viewer   what the access policy needs: the role and the granted persons
    csrf_token(request) -> str                the token every form carries (the session's, or an anonymous
                                              visitor's double-submit cookie); check_csrf(request, sent)

A request is signed in by an ``Authorization: Bearer TOKEN`` header (an API token: its account with the token's
role) or by the session cookie (SESSION_COOKIE, HttpOnly, SameSite=Lax, Secure over https). A bearer token
that is unknown, revoked or expired answers 401 "auth.token" rather than falling back to anonymous.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request, Response

from kartoteka.access.policy import Viewer
from kartoteka.accounts import service as accounts
from kartoteka.accounts.secrets import new_secret, same
from kartoteka.accounts.sessions import SESSION_HOURS, Session, session_of
from kartoteka.accounts.types import Role, User
from kartoteka.audit import service as audit
from kartoteka.core.errors import KartotekaError
from kartoteka.store.database import Store

SESSION_COOKIE = "kt_session"
CSRF_COOKIE = "kt_csrf"
CSRF_FIELD = "csrf_token"
_UNSET = object()


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def client_address(request: Request) -> str:
    """The client's address (behind a proxy: what uvicorn's --proxy-headers made of X-Forwarded-For)."""
    return request.client.host if request.client else "unknown"


def _session(request: Request) -> Session | None:
    cached = getattr(request.state, "session", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    cookie = request.cookies.get(SESSION_COOKIE)
    found = session_of(_store(request), cookie) if cookie else None
    request.state.session = found
    return found


def current_user(request: Request) -> User | None:
    """The user of this request's session cookie or bearer token; None when nobody signed in."""
    cached = getattr(request.state, "user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = accounts.token_user(_store(request), token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise KartotekaError("auth.token", "The API token is not valid (unknown, revoked or expired).",
                                 hint="Send 'Authorization: Bearer TOKEN' with a token from `kartoteka user token`.")
    else:
        session = _session(request)
        user = session.user if session else None
    request.state.user = user
    return user


def require_role(minimum: Role) -> Callable[[Request], User]:
    """A dependency that answers the user when their role is at least ``minimum``, else refuses."""

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            raise KartotekaError("auth.required", "Sign in to see this page.",
                                 hint="Sign in at /login with an account a kartoteka administrator made.")
        if user.role < minimum:
            raise KartotekaError("auth.forbidden", f"This needs the role '{minimum.label}' or higher.",
                                 hint="Ask an administrator to grant it (kartoteka user grant).")
        return user

    return dependency


def viewer(request: Request) -> Viewer:
    """The access policy's view of who is asking (the role and, for family, the granted persons)."""
    cached = getattr(request.state, "viewer", None)
    if cached is None:
        cached = accounts.viewer_for(_store(request), current_user(request))
        request.state.viewer = cached
    return cached


def csrf_token(request: Request) -> str:
    """The token a form must send back: the session's, or (not signed in) the visitor's CSRF cookie, made now if
    missing (remember_csrf_cookie sets it on the answer)."""
    session = _session(request)
    if session is not None:
        return session.csrf_token
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token or len(token) > 200:
        token = new_secret()
        request.state.new_csrf = token
    return token


def check_csrf(request: Request, sent: str) -> None:
    """Refuse a form post whose token is not this session's (or this visitor's cookie's): "web.csrf", 403."""
    session = _session(request)
    expected = session.csrf_token if session is not None else request.cookies.get(CSRF_COOKIE, "")
    if not same(expected, sent or ""):
        raise KartotekaError("web.csrf", "The form has expired or was sent from another site.",
                             hint="Reload the page and send the form again.")


def https(request: Request) -> bool:
    return request.url.scheme == "https"


def remember_csrf_cookie(request: Request, response: Response) -> None:
    """Set the anonymous visitor's CSRF cookie when this request made one."""
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=https(request), path="/")


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    response.set_cookie(SESSION_COOKIE, session_id, max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax",
                        secure=https(request), path="/")


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=https(request))


def audit_restricted_view(request: Request, target: str, record_ids: list[int]) -> None:
    """Write a "view" entry when restricted fields of these records were shown (none: nothing to write)."""
    if not record_ids:
        return
    user = current_user(request)
    audit.record(_store(request), "view", who=user.name if user else "anonymous", user_id=user.id if user else None,
                 target=target, client=client_address(request),
                 detail={"records": record_ids, "path": request.url.path})
