"""The gazetteer's tables (migration 0130): places with their coordinates and names in every script, camps with
their numbers and dates, where each camp was, and the curators' fixes (kept when the bundled data is reloaded);
and (migration 0160) what each record's camp, death place and burial texts resolve to (``record_places``).

Everything but ``gazetteer_fixes`` is the bundled data (kartoteka/gazetteer/data), reloaded whole when its version
changes; ids are the rows' order in the bundled files, so they last across reloads."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Float, Index, Integer, MetaData, Table, Text

from kartoteka.store.schema import NAMING_CONVENTION

gazetteer_metadata = MetaData(naming_convention=NAMING_CONVENTION)
_Id = BigInteger().with_variant(Integer(), "sqlite")

gazetteer_places = Table(
    "gazetteer_places", gazetteer_metadata,
    Column("id", _Id, primary_key=True, autoincrement=False),
    Column("key", Text, nullable=False, unique=True),
    Column("region", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("name_ru", Text),
    Column("name_ja", Text),
    Column("historic", Text),  # former names as the reference gives them, ";"-separated
    Column("geonames_id", _Id),
    Column("lat", Float),
    Column("lon", Float),
    Column("coordinate_source", Text),  # "geonames:<id>"; NULL: unresolved (a curator's fix is in gazetteer_fixes)
    Column("confidence", Float),
    Column("match_note", Text, nullable=False),  # how the GeoNames match was made, or why there is none
    Column("note", Text),
)

gazetteer_camps = Table(
    "gazetteer_camps", gazetteer_metadata,
    Column("id", _Id, primary_key=True, autoincrement=False),
    Column("key", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),  # camp | subcamp | hospital | transit | burial_site | area
    Column("parent_id", _Id),
    Column("region", Text, nullable=False),
    Column("name_ru", Text),
    Column("name_ja", Text),
    Column("name_en", Text),
    Column("published", Text),  # the published figure as the source states it
    Column("died_published", Text),
    Column("years_from", Integer),
    Column("years_to", Integer),
    Column("years_basis", Text),
    Column("source_url", Text),
    Column("reference_row", Integer, nullable=False),  # data row of camps_sources.tsv
    Column("reference_json", Text, nullable=False),  # that row, every column, as JSON
)

gazetteer_camp_numbers = Table(
    "gazetteer_camp_numbers", gazetteer_metadata,
    Column("id", _Id, primary_key=True, autoincrement=False),
    Column("camp_id", _Id, nullable=False),
    Column("system", Text, nullable=False),  # soviet | japanese_1947 | otdelenie | hospital | burial_site
    Column("number", Text, nullable=False),
    Column("valid_from", Text),  # ISO date or year or year-month; NULL: not known
    Column("valid_to", Text),
    Column("basis", Text, nullable=False),
    Index(None, "number"),
)

gazetteer_camp_places = Table(
    "gazetteer_camp_places", gazetteer_metadata,
    Column("camp_id", _Id, primary_key=True),
    Column("place_id", _Id, primary_key=True),
    Column("role", Text, primary_key=True),  # hq | otdelenie | mine | cemetery | site
    Column("valid_from", Text),
    Column("valid_to", Text),
)

gazetteer_names = Table(
    "gazetteer_names", gazetteer_metadata,
    Column("id", _Id, primary_key=True, autoincrement=False),
    Column("place_id", _Id),
    Column("camp_id", _Id),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False),  # kartoteka.gazetteer.match.name_key
    Column("script", Text, nullable=False),
    Column("kind", Text, nullable=False),  # current | historic | alternate | camp
    Column("source", Text, nullable=False),  # "reference:camps_sources.tsv" | "geonames:<id>"
    Index(None, "name_key"),
)

# A curator's coordinate for a place (`kartoteka gazetteer fix`): outranks the bundled one, survives reloads.
gazetteer_fixes = Table(
    "gazetteer_fixes", gazetteer_metadata,
    Column("place_key", Text, primary_key=True),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("source", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("fixed_at", DateTime(timezone=True), nullable=False),
)

TABLES = (gazetteer_places, gazetteer_camps, gazetteer_camp_numbers, gazetteer_camp_places, gazetteer_names)

# What a record's place field resolved to (migration 0160; kartoteka.gazetteer.record_places): one row per record and
# field that holds a text. The text as written stays in `records`; it is copied here beside its resolution (for the
# burial, the record's burial_site and burial_place joined with ", "). A text that names no place and no camp is kept
# with both ids NULL and confidence 0 (never guessed). No foreign keys: records are only ever added, and a reload of
# the bundled data keeps the ids (the rows are resolved again when the data or the resolution changes).
record_places = Table(
    "record_places", gazetteer_metadata,
    Column("record_id", _Id, primary_key=True),
    Column("field", Text, primary_key=True),  # camp | death_place | burial
    Column("text", Text, nullable=False),  # as written
    Column("on_date", Text),  # the day (ISO) that decided which camp a number meant; NULL: the record gives none
    Column("place_id", _Id),  # gazetteer_places.id
    Column("camp_id", _Id),  # gazetteer_camps.id (a camp, sub-camp, hospital, transit camp or burial site)
    Column("confidence", Float, nullable=False),  # the resolver's, in [0, 1]; 0: nothing resolved
    Column("method", Text, nullable=False),  # how: see record_places.METHODS
    sqlite_with_rowid=False,  # on SQLite the rows live in their key's B-tree (one write per row, not two)
)
