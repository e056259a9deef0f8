"""CLI commands of kartoteka.accounts and kartoteka.audit: `user add|list|grant|revoke|token|prune-sessions`
and `audit` (thin: parse, call one service, print). The first account of a store, an admin, is made here and
only here. Each change is audited with the operating-system user as "who" (os:NAME)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from typing import Annotated

import typer

from kartoteka.core.errors import KartotekaError

user_app = typer.Typer(help="Accounts: add, list, grant a role or a person's file, revoke, make API tokens.",
                       no_args_is_help=True)
PASSWORD_ENV = "KARTOTEKA_PASSWORD"


def _read_password(from_stdin: bool) -> str:
    """The new password: from stdin (--password-stdin), from KARTOTEKA_PASSWORD, or asked twice at a terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise KartotekaError("usage.password", "no password given",
                             hint=f"pipe it with --password-stdin, set {PASSWORD_ENV}, or run at a terminal")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="The account's name (2-64 letters, digits, . _ @ + -)")],
    role: Annotated[str, typer.Option("--role", help="family | researcher | reviewer | admin")] = "family",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin")] = False,
    no_password: Annotated[bool, typer.Option("--no-password", help="An account for API tokens only")] = False,
) -> None:
    """Add an account. A store's first account must be an admin (there is no default password)."""
    from kartoteka.accounts.service import add_user
    from kartoteka.audit.service import os_user
    from kartoteka.cli.store_commands import opened_store

    password = None if no_password else _read_password(password_stdin)
    with opened_store() as store:
        user = add_user(store, name, role, password, by=os_user())
    typer.echo(f"added {user.name} ({user.role.label}), id {user.id}")


@user_app.command("list")
def list_command(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False) -> None:
    """List the accounts with their roles, locks and active tokens."""
    from kartoteka.accounts.service import users_list
    from kartoteka.cli.store_commands import opened_store

    with opened_store() as store:
        found = users_list(store)
    if as_json:
        typer.echo(json.dumps({"users": [asdict(a) for a in found]}, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("no accounts yet: kartoteka user add NAME --role admin makes the first")
    for account in found:
        state = "revoked" if account.disabled else (f"locked until {account.locked_until}"
                                                    if account.locked_until else "active")
        typer.echo(f"{account.name:24} {account.role:11} {state:10} tokens {account.tokens}  "
                   f"last login {account.last_login_at or '-'}  (made {account.created_at[:10]} by "
                   f"{account.created_by})")


@user_app.command("grant")
def grant_command(
    name: Annotated[str, typer.Argument(help="The account")],
    role: Annotated[str | None, typer.Argument(help="The new role: family | researcher | reviewer | admin")] = None,
    person: Annotated[int | None, typer.Option("--person", help="Grant a family member this person's file")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (for the audit log)")] = "",
) -> None:
    """Give an account a role (also re-enables it and lifts a lock), or open one person's file to it."""
    from kartoteka.accounts.service import grant_person, grant_role
    from kartoteka.audit.service import os_user
    from kartoteka.cli.store_commands import opened_store

    if (role is None) == (person is None):
        raise KartotekaError("usage", "give either a ROLE or --person ID",
                             hint="kartoteka user grant ana reviewer, or kartoteka user grant ana --person 42")
    with opened_store() as store:
        if person is not None:
            request_id = grant_person(store, name, person, by=os_user(), reason=reason)
            typer.echo(f"granted {name} the file of person {person} (request {request_id})")
            return
        user = grant_role(store, name, str(role), by=os_user())
    typer.echo(f"{user.name} is now {user.role.label}")


@user_app.command("revoke")
def revoke_command(
    name: Annotated[str | None, typer.Argument(help="The account to disable")] = None,
    token: Annotated[int | None, typer.Option("--token", help="Revoke only this API token (its id)")] = None,
) -> None:
    """Disable an account (its sessions end and its tokens are revoked), or revoke one API token."""
    from kartoteka.accounts.service import revoke_token, revoke_user
    from kartoteka.audit.service import os_user
    from kartoteka.cli.store_commands import opened_store

    if (name is None) == (token is None):
        raise KartotekaError("usage", "give either an account NAME or --token ID")
    with opened_store() as store:
        if token is not None:
            revoke_token(store, token, by=os_user())
            typer.echo(f"revoked token {token}")
            return
        revoke_user(store, str(name), by=os_user())
    typer.echo(f"revoked {name}: no login, its sessions ended, its tokens revoked")


@user_app.command("token")
def token_command(
    name: Annotated[str, typer.Argument(help="The account the token acts for")],
    role: Annotated[str | None, typer.Option("--role", help="The token's role (at most the account's)")] = None,
    label: Annotated[str, typer.Option("--label", help="What the token is for")] = "",
    days: Annotated[int | None, typer.Option("--days", min=1, max=3650, help="Expires after this many days")] = None,
) -> None:
    """Make an API token (sent as 'Authorization: Bearer TOKEN'); it is printed once and stored hashed."""
    from kartoteka.accounts.service import make_token
    from kartoteka.audit.service import os_user
    from kartoteka.cli.store_commands import opened_store

    with opened_store() as store:
        token_id, token = make_token(store, name, role=role, label=label, days=days, by=os_user())
    typer.echo(f"token {token_id} for {name} (shown once; keep it secret):", err=True)
    typer.echo(token)


@user_app.command("prune-sessions")
def prune_sessions_command() -> None:
    """Remove the sessions that ended or expired (they sign nobody in already); run it daily on a server."""
    from kartoteka.accounts.sessions import prune_sessions
    from kartoteka.cli.store_commands import opened_store

    with opened_store() as store:
        removed = prune_sessions(store)
    typer.echo(f"removed {removed} ended or expired session{'s' if removed != 1 else ''}")


def audit_command(
    user: Annotated[str | None, typer.Option("--user", help="Only this account (or os:NAME for the CLI)")] = None,
    since: Annotated[str | None, typer.Option("--since", help="A date (2026-12-01) or a span (24h, 7d)")] = None,
    action: Annotated[str | None, typer.Option("--action", help="Only this action (view, login, export, ...)")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000, help="At most this many, newest first")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """The audit log, newest first: who saw restricted data or changed something, when and from where."""
    from kartoteka.audit.service import entries, parse_since
    from kartoteka.cli.store_commands import opened_store

    moment = parse_since(since) if since else None
    with opened_store() as store:
        found = entries(store, who=user, since=moment, action=action, limit=limit)
    if as_json:
        typer.echo(json.dumps({"entries": [e.to_dict() for e in found]}, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("no entries")
    for entry in found:
        detail = f"  {json.dumps(entry.detail, ensure_ascii=False)}" if entry.detail else ""
        typer.echo(f"{entry.at}  {entry.who:20} {entry.action:12} {entry.outcome:8} {entry.target or '-'}  "
                   f"from {entry.client or '-'}{detail}")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.command("audit")(audit_command)
