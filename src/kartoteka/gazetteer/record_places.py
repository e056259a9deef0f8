"""Each record's camp, death place and burial texts resolved once and kept (the table ``record_places``).

The importer resolves the records it writes, inside its own transaction (``resolve_source``); ``bring_up_to_date``
resolves what is missing or stale: every record when the bundled data or the resolution changed (the store's
meta key ``record_places`` names the version the rows were made with), else the records added by other means
since the last check. The readers (the camps' counts, the person's route, the statistics) read the rows.

Fast because nothing is resolved per row: each distinct (text, date) of the records is read once in SQL, each
distinct text is resolved once per span of days in which the gazetteer's dated facts do not change
(``Index.period``), and one INSERT ... SELECT per field joins those resolutions back to the records.

The date that decides which camp a number meant, per field (the earliest day of the record's partial date):

    camp          event_date (a card's date at its camp), else capture_date, else death_date
    death_place   death_date
    burial        death_date (the text: burial_site and burial_place, as written, joined with ", ")
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    MetaData,
    String,
    Table,
    Text,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    true,
)

from kartoteka.core.dates import PartialDate
from kartoteka.core.errors import KartotekaError
from kartoteka.gazetteer.data_files import data_version
from kartoteka.gazetteer.resolver import Index
from kartoteka.gazetteer.tables import _Id, record_places
from kartoteka.store import Store, records
from kartoteka.store.database import set_meta_in
from kartoteka.store.schema import meta

FIELDS = ("camp", "death_place", "burial")
META_KEY = "record_places"  # "<version> <highest record id checked>"
LOCK_KEY = 0x706C6163  # "plac": PostgreSQL advisory lock held while the records are resolved again
METHODS = ("number", "number+name", "name", "only camp", "place", "ambiguous", "unresolved")
_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def resolution_version() -> str:
    """The version of the stored resolutions: the bundled data's, and the code that resolves (12 hex digits)."""
    digest = hashlib.sha256(data_version().encode())
    for name in ("resolver.py", "record_places.py"):
        digest.update((_HERE / name).read_bytes())
    return digest.hexdigest()[:12]


def _field_sql(field: str) -> tuple[Any, Any]:
    """(the text, the date text) of ``field`` as SQL expressions over ``records``. Plain on purpose (no trim, no
    nullif): the importer stores a blank as NULL, and these run over every record of an import twice; a text of
    blanks written by other means gets no row (``_resolutions`` skips it)."""
    c = records.c
    if field == "camp":
        return c.camp, func.coalesce(c.event_date, c.capture_date, c.death_date)
    if field == "death_place":
        return c.death_place, c.death_date
    joined = case((c.burial_site.is_not(None) & c.burial_place.is_not(None),
                   c.burial_site + literal(", ") + c.burial_place), else_=func.coalesce(c.burial_site, c.burial_place))
    return joined, c.death_date


@lru_cache(maxsize=65_536)
def day_of(date_text: str) -> dt.date | None:
    """The earliest day of a stored (ISO partial) date; None for no date or one that does not parse."""
    if not date_text:
        return None
    try:
        return PartialDate.from_iso(date_text).earliest
    except KartotekaError:
        return None


class TextCollector:
    """The distinct (field, text, date text) of the records an import writes, gathered from its row tuples batch
    by batch (a set update per field, in C), so that ``resolve_source`` needs no pass over the records to find
    them. The same rules as ``_field_sql``, in Python; a field the file does not map is None."""

    def __init__(self, columns: Sequence[str]) -> None:
        where = {name: position for position, name in enumerate(columns)}

        def getter(name: str) -> Callable[[tuple[Any, ...]], Any]:
            position = where.get(name)
            return (lambda row: None) if position is None else itemgetter(position)

        self._get = {name: getter(name) for name in ("camp", "event_date", "capture_date", "death_date",
                                                     "death_place", "burial_site", "burial_place")}
        self.texts: set[tuple[str, str, str]] = set()

    def add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Gather the place texts of these record tuples (in the importer's column order)."""
        get = self._get
        camp, event, capture, died = get["camp"], get["event_date"], get["capture_date"], get["death_date"]
        site, place, death_place = get["burial_site"], get["burial_place"], get["death_place"]
        self.texts.update(("camp", camp(row), _first(event(row), capture(row), died(row))) for row in rows
                          if camp(row) is not None)
        self.texts.update(("death_place", death_place(row), died(row) or "") for row in rows
                          if death_place(row) is not None)
        self.texts.update(("burial", _burial(site(row), place(row)), died(row) or "") for row in rows
                          if site(row) is not None or place(row) is not None)


def _first(*dates: str | None) -> str:
    """The first date that is not NULL, else "" (SQL's coalesce, as ``_field_sql`` writes it)."""
    for date in dates:
        if date is not None:
            return date
    return ""


def _burial(site: str | None, place: str | None) -> str:
    """The burial text, as ``_field_sql`` joins it."""
    if site is not None and place is not None:
        return f"{site}, {place}"
    return site if site is not None else place or ""


def resolve_source(conn: Any, index: Index, source_id: int, texts: TextCollector | None = None) -> int:
    """Resolve the records of one source (the importer's, in its transaction; ``texts``: their distinct texts,
    gathered as they were written, else read here); how many rows were written. The store's version mark moves
    on when it was current, or when these are the store's first records."""
    own = records.c.source_id == source_id
    first, top = conn.execute(select(func.min(records.c.id), func.max(records.c.id)).where(own)).one()
    if top is None:
        return 0
    # rows left by records deleted by other means whose ids were given again (nothing in kartoteka deletes
    # records; SQLite reuses the highest ids): a range seek, free when there are none
    p = record_places.c
    conn.execute(delete(record_places).where(p.record_id >= first, p.record_id <= top,
                                             p.record_id.in_(select(records.c.id).where(own))))
    written = _resolve_into(conn, index, lambda _field: own, sorted(texts.texts) if texts is not None else None)
    version, last = _marker(conn)
    others = records.c.source_id != source_id
    if version == resolution_version():
        # the mark moves past these records only when no record of another source lies between it and them (one
        # written by other means since the last check keeps it back, for the next check to find)
        between = select(records.c.id).where(others, records.c.id > last, records.c.id < first).limit(1)
        if conn.execute(between).first() is None:
            _set_marker(conn, version, max(last, int(top)))
    elif conn.execute(select(records.c.id).where(others).limit(1)).first() is None:
        _set_marker(conn, resolution_version(), int(top))
    return written


def bring_up_to_date(store: Store, index: Index, force: bool = False) -> dict[str, Any]:
    """Resolve every record again when the version changed (or ``force``), else the records added since the
    last check that have no rows; a summary (``records``: how many rows were written, ``all``: whether every
    record was resolved again)."""
    # the write lock first (SQLite: Store.writing; PostgreSQL: an advisory lock): a second process waits here for
    # the first, then finds the work done
    with store.writing() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        version, last = _marker(conn)
        top = int(conn.execute(select(func.max(records.c.id))).scalar() or 0)
        full = force or version != resolution_version()
        if full:
            conn.execute(delete(record_places))
            written = _resolve_into(conn, index, lambda _field: true())
        elif top > last:
            written = _resolve_into(conn, index, lambda field: (records.c.id > last) & ~exists().where(
                record_places.c.record_id == records.c.id, record_places.c.field == field))
        else:
            return {"records": 0, "all": False, "version": version}
        _set_marker(conn, resolution_version(), top)
    return {"records": written, "all": full, "version": resolution_version()}


def is_current(store: Store) -> bool:
    """Whether the stored rows are of this version and every record has been checked (two small reads)."""
    with store.engine.connect() as conn:
        version, last = _marker(conn)
        top = int(conn.execute(select(func.max(records.c.id))).scalar() or 0)
    return version == resolution_version() and top <= last


def marker(store: Store) -> str | None:
    """The store's mark of the stored rows (changes whenever they are written again), for caches."""
    return store.get_meta(META_KEY)


def _marker(conn: Any) -> tuple[str | None, int]:
    value = conn.execute(select(meta.c.value).where(meta.c.key == META_KEY)).scalar_one_or_none()
    if not value:
        return None, 0
    version, _, last = value.partition(" ")
    return version, int(last or 0)


def _set_marker(conn: Any, version: str, last: int) -> None:
    set_meta_in(conn, META_KEY, f"{version} {last}")


def _resolve_into(conn: Any, index: Index, where: Callable[[str], Any],
                  texts: list[tuple[str, str, str]] | None = None) -> int:
    """Resolve into ``record_places`` the records ``where(field)`` selects for each field (records without a row
    for that field); ``texts``: their distinct (field, text, date text), when the caller has them."""
    if texts is None:
        texts = []
        for field in FIELDS:
            text_sql, date_sql = _field_sql(field)
            query = (select(text_sql, func.coalesce(date_sql, "")).where(where(field), text_sql.is_not(None))
                     .distinct())
            texts.extend((field, found, when) for found, when in conn.execute(query).all())
    if not texts:
        return 0
    temporary = _temporary_table()
    temporary.create(conn)
    try:
        conn.execute(insert(temporary), _resolutions(index, texts))
        written = 0
        for field in FIELDS:
            text_sql, date_sql = _field_sql(field)
            t = temporary.c
            joined = (select(records.c.id, t.field, t.text, t.on_date, t.place_id, t.camp_id, t.confidence, t.method)
                      .select_from(records.join(temporary, (t.field == field) & (t.text == text_sql)
                                                & (t.d == func.coalesce(date_sql, ""))))
                      .where(where(field), text_sql.is_not(None)))
            statement = insert(record_places).from_select(
                ["record_id", "field", "text", "on_date", "place_id", "camp_id", "confidence", "method"], joined)
            # the driver's count of an INSERT ... SELECT (SQLAlchemy keeps it only when asked to)
            written += conn.execute(statement.execution_options(preserve_rowcount=True)).rowcount
    finally:
        temporary.drop(conn)
    return written


def _resolutions(index: Index, texts: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """One row per distinct (field, text, date text); each text resolved once per span of days."""
    resolved: dict[tuple[str, int], Any] = {}
    rows = []
    for field, found, when in texts:
        if not found.strip():
            continue
        on = day_of(when)
        key = (found, index.period(on))
        resolution = resolved.get(key)
        if resolution is None:
            resolution = resolved[key] = index.resolve(found, on)
        rows.append({"field": field, "text": found, "d": when, "on_date": on.isoformat() if on else None,
                     "place_id": resolution.place_id, "camp_id": resolution.camp_id,
                     "confidence": resolution.confidence, "method": resolution.method})
    return rows


def _temporary_table() -> Table:
    return Table("kartoteka_place_texts", MetaData(),
                 Column("field", String, primary_key=True), Column("text", Text, primary_key=True),
                 Column("d", Text, primary_key=True), Column("on_date", Text), Column("place_id", _Id),
                 Column("camp_id", _Id), Column("confidence", Float), Column("method", Text),
                 prefixes=["TEMPORARY"], sqlite_with_rowid=False)  # one B-tree: one search per record joined
