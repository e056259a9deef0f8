"""Accounts: users and their roles, API tokens, and the persons a granted request opens to a family member.

    add_user(store, name, role, password, by=) -> User         the first account must be an admin (CLI only)
    users(store) -> list[Account]
    grant_role(store, name, role, by=) -> User                 revoke_user(store, name, by=) -> Account
    grant_person(store, name, person_id, by=, reason=) -> int  an access request granted (family access)
    make_token(store, name, role=None, label=, days=, by=) -> (id, token)   the token is shown once, stored hashed
    revoke_token(store, token_id, by=)
    token_user(store, token) -> User | None                    a bearer token's account, with the token's role
    granted_persons(store, user_id) -> frozenset[int]          viewer_for(store, user) -> access.policy.Viewer

Every change is written to the audit log. Errors: "accounts.name", "accounts.exists", "accounts.unknown",
"accounts.role", "accounts.password", "accounts.first_admin", "accounts.token".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from kartoteka.access.policy import Viewer
from kartoteka.accounts.secrets import TOKEN_PREFIX, digest, hash_password, new_secret
from kartoteka.accounts.tables import access_requests, api_tokens, sessions, users
from kartoteka.accounts.types import Role, User
from kartoteka.audit import service as audit
from kartoteka.core.errors import KartotekaError
from kartoteka.store.database import Store

_NAME = re.compile(r"^[\w.@+-]{2,64}$")
ACCOUNT_ROLES = (Role.FAMILY, Role.RESEARCHER, Role.REVIEWER, Role.ADMIN)


@dataclass(frozen=True)
class Account:
    """An account as `kartoteka user list` shows it."""

    id: int
    name: str
    role: str
    created_at: str
    created_by: str
    disabled: bool
    locked_until: str | None
    last_login_at: str | None
    tokens: int  # active API tokens


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """A stored time as UTC (SQLite gives it back without its zone)."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def account_role(name: str) -> Role:
    """An account's role from its name (public is no account's role)."""
    try:
        role = Role.named(name)
    except KeyError:
        role = Role.PUBLIC
    if role not in ACCOUNT_ROLES:
        raise KartotekaError("accounts.role", f"unknown role {name!r}",
                             hint="one of: " + ", ".join(r.label for r in ACCOUNT_ROLES))
    return role


def _row(conn: Any, name: str) -> Any:
    found = conn.execute(select(users).where(users.c.name == name)).first()
    if found is None:
        raise KartotekaError("accounts.unknown", f"no account named {name!r}", hint="kartoteka user list")
    return found


def add_user(store: Store, name: str, role: Role | str, password: str | None, *, by: str) -> User:
    """A new account. The store's first account must be an admin, and is made only here (from the CLI)."""
    role = account_role(role.label if isinstance(role, Role) else role)
    if not _NAME.match(name):
        raise KartotekaError("accounts.name", f"{name!r} cannot be an account name",
                             hint="2 to 64 letters, digits or . _ @ + -")
    hashed = hash_password(password) if password is not None else None
    with store.engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(users)).scalar_one() == 0 and role != Role.ADMIN:
            raise KartotekaError("accounts.first_admin", "the first account of a store must be an admin",
                                 hint=f"kartoteka user add NAME --role admin (then add {name!r})")
        if conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None:
            raise KartotekaError("accounts.exists", f"an account named {name!r} exists",
                                 hint="kartoteka user grant NAME ROLE changes its role")
        user_id = int(conn.execute(insert(users).values(
            name=name, password_hash=hashed, role=role.label, created_at=now(), created_by=by,
            failed_logins=0)).inserted_primary_key[0])  # type: ignore[index]
    audit.record(store, "user_add", who=by, target=f"user {name}", client=_client(by),
                 detail={"role": role.label, "password": hashed is not None})
    return User(id=user_id, name=name, role=role)


def _client(by: str) -> str | None:
    return audit.CLI_CLIENT if by.startswith("os:") else None


def users_list(store: Store) -> list[Account]:
    active = (select(api_tokens.c.user_id, func.count().label("n")).where(api_tokens.c.revoked_at.is_(None))
              .group_by(api_tokens.c.user_id).subquery())
    query = (select(users, func.coalesce(active.c.n, 0).label("tokens"))
             .outerjoin(active, active.c.user_id == users.c.id).order_by(users.c.name))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [Account(id=int(r.id), name=r.name, role=r.role, created_at=_iso(r.created_at), created_by=r.created_by,
                    disabled=r.disabled_at is not None, locked_until=_iso(r.locked_until) if _locked(r) else None,
                    last_login_at=_iso(r.last_login_at), tokens=int(r.tokens)) for r in rows]


def _locked(row: Any) -> bool:
    until = aware(row.locked_until)
    return until is not None and until > now()


def _iso(moment: datetime | None) -> str:
    value = aware(moment)
    return "" if value is None else value.isoformat(timespec="seconds")


def grant_role(store: Store, name: str, role: Role | str, *, by: str) -> User:
    """Give an account another role (and re-enable it, and lift a lockout)."""
    role = account_role(role.label if isinstance(role, Role) else role)
    with store.engine.begin() as conn:
        row = _row(conn, name)
        conn.execute(update(users).where(users.c.id == row.id).values(
            role=role.label, disabled_at=None, locked_until=None, failed_logins=0))
    audit.record(store, "grant", who=by, target=f"user {name}", client=_client(by),
                 detail={"role": role.label, "was": row.role})
    return User(id=int(row.id), name=name, role=role)


def revoke_user(store: Store, name: str, *, by: str) -> None:
    """Disable an account: no login, its sessions end, its tokens are revoked."""
    moment = now()
    with store.engine.begin() as conn:
        row = _row(conn, name)
        uid = row.id
        conn.execute(update(users).where(users.c.id == uid).values(disabled_at=moment))
        conn.execute(update(sessions).where(sessions.c.user_id == uid, sessions.c.ended_at.is_(None))
                     .values(ended_at=moment))
        conn.execute(update(api_tokens).where(api_tokens.c.user_id == uid, api_tokens.c.revoked_at.is_(None))
                     .values(revoked_at=moment))
    audit.record(store, "revoke", who=by, target=f"user {name}", client=_client(by))


def grant_person(store: Store, name: str, person_id: int, *, by: str, reason: str = "") -> int:
    """Record a granted request: the account may see person ``person_id``'s restricted fields."""
    with store.engine.begin() as conn:
        row = _row(conn, name)
        request_id = int(conn.execute(insert(access_requests).values(
            user_id=row.id, person_id=person_id, status="granted", reason=reason or None,
            requested_at=now(), decided_at=now(), decided_by=by)).inserted_primary_key[0])  # type: ignore[index]
    audit.record(store, "grant", who=by, target=f"person {person_id}", client=_client(by),
                 detail={"user": name, "request": request_id, "reason": reason})
    return request_id


def granted_persons(store: Store, user_id: int) -> frozenset[int]:
    """The persons whose files a granted request opens to this account."""
    query = select(access_requests.c.person_id).where(access_requests.c.user_id == user_id,
                                                      access_requests.c.status == "granted")
    with store.engine.connect() as conn:
        return frozenset(int(r[0]) for r in conn.execute(query))


def viewer_for(store: Store, user: User | None) -> Viewer:
    """What the access policy needs to know of who is asking."""
    if user is None:
        return Viewer()
    # A granted request opens a person to its requester whatever their role (a researcher may be family too);
    # reviewers and admins see every file anyway.
    granted = granted_persons(store, user.id) if user.role < Role.REVIEWER else frozenset()
    return Viewer(role=user.role, granted=granted, user_id=user.id, name=user.name)


def make_token(store: Store, name: str, *, role: Role | str | None = None, label: str = "", days: int | None = None,
               by: str) -> tuple[int, str]:
    """A new API token for the account, scoped to ``role`` (at most the account's own); returns its id and the
    token, which is shown once and stored only as its SHA-256."""
    with store.engine.begin() as conn:
        row = _row(conn, name)
        own = Role.named(row.role)
        scoped = own if role is None else account_role(role.label if isinstance(role, Role) else role)
        if scoped > own:
            raise KartotekaError("accounts.role", f"a token of {name!r} cannot have the role {scoped.label}",
                                 hint=f"the account's role is {own.label}; a token may have that role or a lower one")
        if row.disabled_at is not None:
            raise KartotekaError("accounts.disabled", f"the account {name!r} is revoked",
                                 hint="kartoteka user grant NAME ROLE enables it again")
        token = new_secret(TOKEN_PREFIX)
        expires = now() + timedelta(days=days) if days else None
        token_id = int(conn.execute(insert(api_tokens).values(
            user_id=row.id, token_hash=digest(token), role=scoped.label,
            label=label or f"token for {name}", created_at=now(), expires_at=expires)).inserted_primary_key[0])  # type: ignore[index]
    audit.record(store, "token", who=by, target=f"user {name}", client=_client(by),
                 detail={"token": token_id, "role": scoped.label, "days": days})
    return token_id, token


def revoke_token(store: Store, token_id: int, *, by: str) -> None:
    with store.engine.begin() as conn:
        done = conn.execute(update(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                            .values(revoked_at=now()))
    if done.rowcount != 1:
        raise KartotekaError("accounts.token", f"no active token with the id {token_id}",
                             hint="kartoteka user list shows each account's active tokens")
    audit.record(store, "revoke", who=by, target=f"token {token_id}", client=_client(by))


def token_user(store: Store, token: str) -> User | None:
    """The account of a bearer token with the token's role; None for an unknown, revoked or expired token."""
    query = (select(api_tokens.c.id, api_tokens.c.role, api_tokens.c.expires_at, users.c.id.label("user_id"),
                    users.c.name, users.c.disabled_at)
             .join(users, users.c.id == api_tokens.c.user_id)
             .where(api_tokens.c.token_hash == digest(token), api_tokens.c.revoked_at.is_(None)))
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.disabled_at is not None:
        return None
    expires = aware(row.expires_at)
    if expires is not None and expires <= now():
        return None
    return User(id=int(row.user_id), name=row.name, role=Role.named(row.role))
