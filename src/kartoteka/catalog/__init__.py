"""kartoteka.catalog: what the portal, the API and exports read: persons, records, the memorial list, sources,
corrections. Every value it returns has passed the public-field policy (kartoteka.access.policy).

    store_info(store)                    -> StoreInfo        counts, SIMULATED flag, current run
    person(store, person_id)             -> PersonView | Moved   Moved: a merged or split person's records went there
    record(store, record_id)             -> RecordView
    memorial_rows(store)                 -> list[MemorialRow]    the dead by kana row (ア行 ...), with counts
    memorial(store, row=, prefecture=, limit=, offset=) -> MemorialPage
    sources(store)                       -> list[SourceView]
    add_correction(store, ...)           -> int   corrections(store) -> list[Correction]
    export_persons(store, out, fmt)      -> int   (CSV or JSON Lines, public fields only)

Errors: KartotekaError "catalog.not_found" (no such person or record), "catalog.row" (unknown memorial row),
"catalog.correction" (empty or too long a note).
"""
