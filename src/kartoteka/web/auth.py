"""Who is asking, for the pages and the API (session 10's contract: the signatures are fixed; the accounts change
fills the bodies with sessions and tokens; until then everyone is anonymous and every role check refuses).

    current_user(request) -> User | None       a FastAPI dependency: the signed-in user, or None (public)
    require_role(Role.REVIEWER)               a dependency factory: the user, or 401 auth.required / 403
                                              auth.forbidden in the one error shape
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from kartoteka.accounts.types import Role, User
from kartoteka.core.errors import KartotekaError


def current_user(request: Request) -> User | None:
    """The user of this request's session cookie or bearer token; None when nobody signed in."""
    del request
    return None


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
