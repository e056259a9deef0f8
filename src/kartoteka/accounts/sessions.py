"""Signing in and out: a password checked (with a lockout after repeated failures), a session kept server-side.

    sign_in(store, name, password, client=) -> SignedIn      raises "auth.failed" or "auth.locked"
    session_of(store, session_id) -> Session | None          the cookie's session, if it is live
    sign_out(store, session_id, client=)
    prune_sessions(store, user_id=None) -> int              removes the ended and expired sessions

The cookie carries the session id; the store keeps its SHA-256, the session's CSRF token, when it expires
(SESSION_HOURS after sign-in) and from where it was made. Failed logins and lockouts are audited. A session past
its expiry or signed out is refused at once and its row removed later: the user's own on their next sign-in,
everyone's by `kartoteka user prune-sessions` (a daily cron job on a server).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, or_, select, update

from kartoteka.accounts.secrets import digest, hash_password, needs_rehash, new_secret, verify_password
from kartoteka.accounts.service import aware, now
from kartoteka.accounts.tables import sessions, users
from kartoteka.accounts.types import Role, User
from kartoteka.audit import service as audit
from kartoteka.core.errors import KartotekaError
from kartoteka.store.database import Store

SESSION_HOURS = 12
MAX_FAILED_LOGINS = 5  # in a row: then the account is locked for LOCK_MINUTES
LOCK_MINUTES = 15


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str


@dataclass(frozen=True)
class SignedIn:
    session_id: str  # the cookie's value (never stored)
    session: Session


def _failed(name: str) -> KartotekaError:
    return KartotekaError("auth.failed", "The name or the password is wrong.",
                          hint=f"After {MAX_FAILED_LOGINS} wrong passwords in a row the account is locked for "
                               f"{LOCK_MINUTES} minutes.", details={"name": name[:64]})


def sign_in(store: Store, name: str, password: str, *, client: str | None) -> SignedIn:
    """Check a password and open a session; every attempt is audited."""
    with store.engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).first()
    if row is None or row.disabled_at is not None or row.password_hash is None:
        verify_password(None, password)  # as long as a real check: a wrong name is not told apart
        audit.record(store, "login_failed", who=name[:64] or "anonymous", client=client, outcome="refused",
                     detail={"why": "no such account" if row is None else "account revoked or token-only"})
        raise _failed(name)
    locked = aware(row.locked_until)
    if locked is not None and locked > now():
        audit.record(store, "login_failed", who=name, user_id=int(row.id), client=client, outcome="locked")
        raise KartotekaError("auth.locked", "This account is locked after repeated wrong passwords.",
                             hint=f"Try again after {locked.isoformat(timespec='minutes')} (UTC), or ask an "
                                  "administrator (kartoteka user grant NAME ROLE lifts the lock).")
    if not verify_password(row.password_hash, password):
        _count_failure(store, row, client)
        raise _failed(name)
    return _open_session(store, row, password, client)


def _count_failure(store: Store, row: Any, client: str | None) -> None:
    failures = int(row.failed_logins or 0) + 1
    values: dict[str, object] = {"failed_logins": failures}
    if failures >= MAX_FAILED_LOGINS:
        values = {"failed_logins": 0, "locked_until": now() + timedelta(minutes=LOCK_MINUTES)}
    with store.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == row.id).values(**values))
    audit.record(store, "login_failed", who=row.name, user_id=int(row.id), client=client,
                 outcome="refused", detail={"failures": failures})
    if failures >= MAX_FAILED_LOGINS:
        audit.record(store, "lockout", who=row.name, user_id=int(row.id), client=client,
                     detail={"minutes": LOCK_MINUTES})


def _open_session(store: Store, row: Any, password: str, client: str | None) -> SignedIn:
    session_id, csrf = new_secret(), new_secret()
    user = User(id=int(row.id), name=row.name, role=Role.named(row.role))
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_login_at": now()}
    if needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password)
    with store.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(**values))
        conn.execute(_dead_sessions(user.id))
        conn.execute(insert(sessions).values(id_hash=digest(session_id), user_id=user.id, csrf_token=csrf,
                                             created_at=now(), expires_at=now() + timedelta(hours=SESSION_HOURS),
                                             client=client))
    audit.record(store, "login", who=user.name, user_id=user.id, client=client, detail={"role": user.role.label})
    return SignedIn(session_id=session_id, session=Session(user=user, csrf_token=csrf))


def session_of(store: Store, session_id: str) -> Session | None:
    """The live session of a cookie value (not ended, not expired, its account not revoked)."""
    if not session_id or len(session_id) > 200:
        return None
    query = (select(sessions.c.csrf_token, sessions.c.expires_at, users.c.id, users.c.name, users.c.role,
                    users.c.disabled_at)
             .join(users, users.c.id == sessions.c.user_id)
             .where(sessions.c.id_hash == digest(session_id), sessions.c.ended_at.is_(None)))
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.disabled_at is not None:
        return None
    expires = aware(row.expires_at)
    if expires is None or expires <= now():
        return None
    return Session(user=User(id=int(row.id), name=row.name, role=Role.named(row.role)), csrf_token=row.csrf_token)


def _dead_sessions(user_id: int | None) -> Any:
    """DELETE the sessions that can no longer sign anyone in (ended or expired), of one user or of all."""
    statement = delete(sessions).where(or_(sessions.c.ended_at.is_not(None), sessions.c.expires_at <= now()))
    return statement if user_id is None else statement.where(sessions.c.user_id == user_id)


def prune_sessions(store: Store, user_id: int | None = None) -> int:
    """Remove the ended and expired sessions (of one user, or of everyone); returns how many were removed."""
    with store.engine.begin() as conn:
        return int(conn.execute(_dead_sessions(user_id)).rowcount or 0)


def sign_out(store: Store, session_id: str, *, client: str | None) -> None:
    session = session_of(store, session_id)
    with store.engine.begin() as conn:
        conn.execute(update(sessions).where(sessions.c.id_hash == digest(session_id)).values(ended_at=now()))
    if session is not None:
        audit.record(store, "logout", who=session.user.name, user_id=session.user.id, client=client)
