"""Who is asking: the roles and the signed-in user (session 10's contract).

Roles are ordered: each may do what the ones before it may (a reviewer may do what a researcher may), except
that ``family`` sees the files of the persons a granted request names and nothing more than a researcher
otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Role(IntEnum):
    PUBLIC = 0  # no login
    FAMILY = 1
    RESEARCHER = 2
    REVIEWER = 3
    ADMIN = 4

    @classmethod
    def named(cls, name: str) -> Role:
        return cls[name.strip().upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class User:
    """A signed-in account (or an API token's account, with the token's role)."""

    id: int
    name: str
    role: Role
