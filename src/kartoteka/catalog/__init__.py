"""kartoteka.catalog: what the portal, the API and exports read: persons, records, the memorial list, sources,
corrections. Every value it returns has passed the public-field policy (kartoteka.access.policy).

    store_info(store)                    -> StoreInfo        counts, SIMULATED flag, current run
    person(store, person_id)             -> PersonView | Moved   Moved: a merged or split person's records went there
    record(store, record_id)             -> RecordView
    memorial_rows(store)                 -> list[MemorialRow]    the dead by kana row (ア行 ...), with counts
    memorial_prefectures(store)          -> list[MemorialRow]    the dead by prefecture (本籍), with counts
    memorial(store, row=, prefecture=, limit=, offset=) -> MemorialPage   row: カ, か, カ行, ガ or ka
    sources(store)                       -> list[SourceView]
    add_correction(store, ...)           -> int   corrections(store) -> list[Correction]
    export_persons(store, out, fmt)      -> int   (CSV or JSON Lines, public fields only; fmt None: OUT's suffix)

Modules: persons.py (+ timeline.py), records.py, memorial.py, corrections.py, export.py, common.py (the record
rows through the policy, citations); service.py gathers them.

Errors: KartotekaError "catalog.not_found" (no such person or record; before any link, the hint says so),
"catalog.row" (unknown memorial row, the rows listed), "catalog.prefecture" (unknown prefecture),
"catalog.paging" (limit not 1..1000 or a negative offset), "catalog.correction" (empty, over 5,000 characters,
no person or record named, unknown language), "catalog.no_persons" (export before any link), "usage.format".
"""
