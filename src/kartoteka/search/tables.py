"""The search index (migration 0121): one row per record, with the name keys a query seeks on.

Written by `kartoteka link` in the same transaction as the persons, or alone by `kartoteka search --reindex`.
The keys come from kartoteka.linkage.features (the readings the linkage compares): ``*_key`` the coarse key of the
best reading, ``*_key2`` of the runner-up, ``*_lkey`` of the literal reading, ``sn_fold`` the folded best surname
reading; ``sn_set``/``gn_set`` every folded reading (space-separated) for the ranking.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, Table, Text

from kartoteka.store.schema import NAMING_CONVENTION

search_metadata = MetaData(naming_convention=NAMING_CONVENTION)
_Id = BigInteger().with_variant(Integer(), "sqlite")

#: The meta key naming the run the index belongs to ("none" before any link) and the last record it holds.
META_RUN = "search_index_run"
META_LAST_RECORD = "search_index_last_record"

search_index = Table(
    "search_index", search_metadata,
    Column("record_id", _Id, primary_key=True),
    Column("person_id", _Id),  # NULL before any link: the record is its own candidate
    Column("run_id", _Id),
    Column("kind", Text, nullable=False),
    Column("sn_key", Text), Column("gn_key", Text),
    Column("sn_key2", Text), Column("gn_key2", Text),
    Column("sn_lkey", Text), Column("gn_lkey", Text),
    Column("sn_fold", Text),
    Column("sn_set", Text), Column("gn_set", Text),
    Column("birth_year", Integer),
    Column("pref", Integer),
    Column("camp", Text),
    Column("fate", Text, nullable=False),  # what this record says: died | repatriated | unknown
    Column("death_year", Integer),
    Index("ix_search_index_name", "sn_key", "gn_key"),
    Index("ix_search_index_name2", "sn_key2", "gn_key2"),
    Index("ix_search_index_literal", "sn_lkey", "gn_lkey"),
    Index("ix_search_index_surname", "sn_fold"),
    Index("ix_search_index_person", "person_id"),
)

#: Indexes dropped before a bulk write and built again after it (faster than keeping them up to date).
SECONDARY_INDEXES = tuple(search_index.indexes)
