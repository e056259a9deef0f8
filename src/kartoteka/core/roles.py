"""The roles, ordered (public < family < researcher < reviewer < admin). Here, in core, so that the one access
policy (kartoteka.access, which may import only core) states its rules by role; kartoteka.accounts.types
re-exports it."""

from __future__ import annotations

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
