"""Who is asking: the roles and the signed-in user (session 10's contract).

Roles are ordered: each may do what the ones before it may (a reviewer may do what a researcher may), except
that ``family`` sees the files of the persons a granted request names and nothing more than a researcher
otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from kartoteka.core.roles import Role

__all__ = ["Role", "User"]


@dataclass(frozen=True)
class User:
    """A signed-in account (or an API token's account, with the token's role)."""

    id: int
    name: str
    role: Role
