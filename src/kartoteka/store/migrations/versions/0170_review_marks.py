"""The review queue at full scale: its index in the queue's own order, and change marks for what the review pages keep between requests (kartoteka.linkage.review_state).

- `ix_match_pairs_review` is rebuilt as (review_priority DESC, record_id_l, record_id_r) over the pairs in review:
  the queue is read in exactly that order, so the first page is the first rows of the index (the old index,
  priority ascending then record_id_l ascending, could not give "priority descending, then record ids ascending"
  without sorting every pair in review: seconds at full scale).
- Triggers count the changes of `records` (update, delete) and of `decisions` (insert; update, delete) in the
  `meta` table, under `records_changed`, `decisions_added` and `decisions_changed`. A server process keeps the
  decisions' fingerprints (review_store) while `records_changed` stands, and reads only the new decisions while
  only `decisions_added` moved, instead of reading every decided record on every page.

Revision ID: 0170
Revises: 0160
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0170"
down_revision = "0160"
branch_labels = None
depends_on = None

MARKS = {"records_changed": ("records", ("UPDATE", "DELETE")),
         "decisions_added": ("decisions", ("INSERT",)),
         "decisions_changed": ("decisions", ("UPDATE", "DELETE"))}


def _bump_sqlite(key: str) -> str:
    return (f"INSERT INTO meta (key, value) VALUES ('{key}', '1') ON CONFLICT (key) DO UPDATE "
            f"SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)")


def upgrade() -> None:
    op.drop_index("ix_match_pairs_review", table_name="match_pairs")
    op.create_index("ix_match_pairs_review", "match_pairs",
                    [sa.text("review_priority DESC"), "record_id_l", "record_id_r"],
                    sqlite_where=sa.text("in_review = 1"), postgresql_where=sa.text("in_review = 1"))
    if op.get_bind().dialect.name == "sqlite":
        for key, (table, events) in MARKS.items():
            for event in events:  # SQLite triggers fire for each row
                op.execute(f"CREATE TRIGGER {key}_{event.lower()} AFTER {event} ON {table} "
                           f"BEGIN {_bump_sqlite(key)}; END")
        return
    for key, (table, events) in MARKS.items():  # one bump per statement on PostgreSQL
        op.execute(f"CREATE FUNCTION bump_{key}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"INSERT INTO meta (key, value) VALUES ('{key}', '1') ON CONFLICT (key) DO UPDATE "
                   f"SET value = (meta.value::bigint + 1)::text; RETURN NULL; END $$")
        op.execute(f"CREATE TRIGGER {key} AFTER {' OR '.join(events)} ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION bump_{key}()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for key, (_table, events) in MARKS.items():
            for event in events:
                op.execute(f"DROP TRIGGER {key}_{event.lower()}")
    else:
        for key, (table, _events) in MARKS.items():
            op.execute(f"DROP TRIGGER {key} ON {table}")
            op.execute(f"DROP FUNCTION bump_{key}()")
    op.drop_index("ix_match_pairs_review", table_name="match_pairs")
    op.create_index("ix_match_pairs_review", "match_pairs", ["review_priority", "record_id_l"],
                    sqlite_where=sa.text("in_review = 1"), postgresql_where=sa.text("in_review = 1"))
