"""The linkage's tables (SQLAlchemy Core): persons, person_records, link_runs, match_pairs, decisions.

Created by the migrations versions/0100_linkage_tables.py, 0101_review_queue_index.py,
0102_drop_pairs_by_right_record_index.py and 0150_review_work.py; this module is what the code queries with.
Persons are rebuilt by every run (in one transaction, so an interrupted run leaves the previous persons
in place); decisions are kept forever and applied to every run.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Float, Index, Integer, MetaData, Table, Text, text

from kartoteka.store.schema import NAMING_CONVENTION

linkage_metadata = MetaData(naming_convention=NAMING_CONVENTION)
_Id = BigInteger().with_variant(Integer(), "sqlite")

link_runs = Table(
    "link_runs", linkage_metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", Text, nullable=False),  # running | done | failed | interrupted
    Column("backend", Text, nullable=False),
    Column("model_path", Text),
    Column("model_version", Text),
    Column("record_count", Integer),
    Column("person_count", Integer),
    Column("pair_count", Integer),
    Column("threshold", Float),
    Column("warnings_json", Text),
    Column("summary_json", Text),
)

persons = Table(
    "persons", linkage_metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("run_id", _Id, nullable=False),
    Column("name_cyrillic", Text),
    Column("name_kana", Text),
    Column("name_kanji", Text),
    Column("name_romaji", Text),
    Column("birth_year", Integer),
    Column("prefecture", Text),
    Column("unit", Text),
    Column("rank", Text),
    Column("fate", Text, nullable=False),
    Column("death_date", Text),
    Column("death_place", Text),
    Column("burial_site", Text),
    Column("camps_json", Text),
    Column("record_count", Integer, nullable=False),
    Column("flags", Text),  # constraint problems found in the cluster, "; "-separated
    Index(None, "run_id"),
)

person_records = Table(
    "person_records", linkage_metadata,
    Column("person_id", _Id, primary_key=True),
    Column("record_id", _Id, primary_key=True),
    Column("run_id", _Id, nullable=False),
    Column("match_probability", Float),  # the best link that brought the record into the person
    Index(None, "record_id"),
)

match_pairs = Table(
    "match_pairs", linkage_metadata,
    Column("run_id", _Id, nullable=False),
    Column("record_id_l", _Id, nullable=False),
    Column("record_id_r", _Id, nullable=False),
    Column("match_weight", Float, nullable=False),
    Column("match_probability", Float, nullable=False),
    Column("weights_json", Text),  # each comparison's match weight, for the review and explanations
    Column("in_review", Integer, nullable=False, default=0),
    Column("review_priority", Float),
    # by the left-hand record (the pairs among one person's records); none by the right-hand one (migration 0102)
    Index(None, "run_id", "record_id_l"),
)
# the review queue (migrations 0101, 0170): the pairs in review, in the queue's own order (review.queue_query)
Index("ix_match_pairs_review", match_pairs.c.review_priority.desc(), match_pairs.c.record_id_l,
      match_pairs.c.record_id_r, sqlite_where=text("in_review = 1"), postgresql_where=text("in_review = 1"))

decisions = Table(
    "decisions", linkage_metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("record_id_l", _Id, nullable=False),
    Column("record_id_r", _Id, nullable=False),
    Column("decision", Text, nullable=False),  # same | not_same | unsure | skip (only the first two link)
    Column("reviewer", Text),
    Column("note", Text),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("undone_at", DateTime(timezone=True)),
    # migration 0150: the two records as they were when decided (review_store.fingerprint): a decision whose
    # records changed since no longer stands and its pair comes back to the queue
    Column("fingerprint", Text),
    # the decisions of one act share it (a person split or merged, a file imported): undone together
    Column("action", Text),
    Column("undone_by", Text),
    Index(None, "record_id_l", "record_id_r"),
)
