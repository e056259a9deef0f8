"""The public-field policy: which fields of each record kind and of a person may leave the server.

Until access tiers exist every page, API answer, search result and export shows only what the ministry
publishes for the dead. Stub of the contract (issue 16): public_record_fields(kind) -> tuple of field names.
"""

from __future__ import annotations


def public_record_fields(kind: str) -> tuple[str, ...]:
    raise NotImplementedError
