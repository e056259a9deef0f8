"""The audit log: who saw or changed what, when and from where. Append-only: this module only inserts and
reads, and the table refuses UPDATE and DELETE (triggers of migration 0140).

    record(store, action, who=, ...) -> int      one entry (its id)
    record_cli(store, action, target, **detail)  one entry for a command (who: the OS user, from: "cli")
    entries(store, who=, since=, action=, limit=) -> list[AuditEntry], newest first
    parse_since("2026-12-01" | "24h" | "7d" | "30m") -> datetime
    os_user() -> "os:NAME"                        "who" for the command line

Actions (ACTIONS): view (restricted data shown), login, login_failed, lockout, logout, decision, merge, split
(a reviewer's on persons), link (a run of `kartoteka link`), import, export, grant, revoke, token, user_add,
request.
"""

from __future__ import annotations

import getpass
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from kartoteka.audit.tables import audit_log
from kartoteka.core.errors import KartotekaError
from kartoteka.store.database import Store

ACTIONS = ("view", "login", "login_failed", "lockout", "logout", "decision", "merge", "split", "link", "import",
           "export", "grant", "revoke", "token", "user_add", "request")
CLI_CLIENT = "cli"
_SPAN = re.compile(r"^(\d{1,6})\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str  # ISO 8601, UTC
    who: str
    user_id: int | None
    action: str
    target: str | None
    client: str | None
    outcome: str
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def os_user() -> str:
    """The operating-system user running a command: the "who" of the CLI's entries."""
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (a container's numeric user)
        return "os:unknown"


def record(store: Store, action: str, *, who: str, user_id: int | None = None, target: str | None = None,
           client: str | None = None, outcome: str = "ok", detail: dict[str, Any] | None = None) -> int:
    """Append one entry; returns its id."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")  # a programming error, not a user's
    values = {"at": datetime.now(UTC), "who": who or "anonymous", "user_id": user_id, "action": action,
              "target": target, "client": client, "outcome": outcome,
              "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None}
    with store.engine.begin() as conn:
        return int(conn.execute(insert(audit_log).values(**values)).inserted_primary_key[0])  # type: ignore[index]


def record_cli(store: Store, action: str, target: str | None = None, **detail: Any) -> int:
    """An entry for a command-line action: the OS user as "who", "cli" as where from."""
    return record(store, action, who=os_user(), target=target, client=CLI_CLIENT, detail=detail or None)


def parse_since(text: str) -> datetime:
    """A moment from "2026-12-01" (or any ISO date-time, UTC if no zone) or a span back from now ("24h", "7d")."""
    value = text.strip()
    span = _SPAN.match(value)
    if span:
        return datetime.now(UTC) - timedelta(**{_UNITS[span.group(2)]: int(span.group(1))})
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise KartotekaError("usage.since", f"cannot read {value!r} as a date or a span",
                             hint="write a date (2026-12-01), a date and time (2026-12-01T09:00) or a span "
                                  "back from now (30m, 24h, 7d)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def entries(store: Store, *, who: str | None = None, since: datetime | None = None, action: str | None = None,
            limit: int = 1000) -> list[AuditEntry]:
    """The log's entries, newest first, filtered by who, since when and which action."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(max(1, min(limit, 100_000)))
    if who:
        query = query.where(audit_log.c.who == who)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if action:
        query = query.where(audit_log.c.action == action)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [AuditEntry(id=int(r.id), at=_iso(r.at), who=r.who, user_id=r.user_id, action=r.action, target=r.target,
                       client=r.client, outcome=r.outcome, detail=json.loads(r.detail) if r.detail else {})
            for r in rows]


def _iso(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")
