"""Search: the query parsed and read (kartoteka.names), candidates from the index, ranked, explained."""

from __future__ import annotations

from collections.abc import Callable

from kartoteka.search.types import IndexSummary, SearchPage, SearchQuery
from kartoteka.store.database import Store


def search(store: Store, query: SearchQuery) -> SearchPage:
    """Persons ranked for the query. Raises KartotekaError "search.*" for a query that cannot be searched
    (empty, too long, no letters, unknown prefecture or fate, bad year)."""
    raise NotImplementedError("issue 16: search")


def reindex(store: Store, progress: Callable[[str], None] | None = None) -> IndexSummary:
    """Rebuild the search index from the records and the current persons (one transaction)."""
    raise NotImplementedError("issue 16: search --reindex")
