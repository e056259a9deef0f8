"""kartoteka.search: one query box for any script, ranked persons with the reason for each.

    search(store, SearchQuery) -> SearchPage      persons (or, before any link, records) ranked by name and filters
    reindex(store, progress)   -> IndexSummary    rebuild the index alone (`kartoteka search --reindex`)

The index (table ``search_index``, one row per record) is written by `kartoteka link` in the same transaction as
the persons; before any link each record is its own candidate. Errors: KartotekaError with codes "search.*".
"""

from kartoteka.search.types import IndexSummary, SearchHit, SearchPage, SearchQuery

__all__ = ["IndexSummary", "SearchHit", "SearchPage", "SearchQuery"]
