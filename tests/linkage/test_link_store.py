import csv
import gc
import json

import pytest
from sqlalchemy import func, select

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import review
from kartoteka.linkage.service import evaluate, link
from kartoteka.linkage.tables import link_runs, person_records, persons


def _person_count(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(persons)).scalar_one()


def _same_person(store, a: int, b: int) -> bool:
    with store.engine.connect() as conn:
        rows = dict(conn.execute(select(person_records.c.record_id, person_records.c.person_id)).all())
    return rows[a] == rows[b]


def test_link_writes_persons_with_their_records_and_saves_the_model(store, tmp_path, write_archive, plain_reader):
    truth = write_archive(store)
    summary = link(store, reader=plain_reader, runs_dir=tmp_path)
    assert summary.records == len(truth)
    assert 40 <= summary.persons <= len(truth)
    model = json.loads((tmp_path / f"run-{summary.run_id}-model.json").read_text())
    assert model["kartoteka_model_version"].startswith("kartoteka-linkage")
    with store.engine.connect() as conn:
        linked = conn.execute(select(func.count()).select_from(person_records)).scalar_one()
        status = conn.execute(select(link_runs.c.status)).scalar_one()
    assert linked == len(truth) and status == "done"
    if store.backend == "postgresql":  # the planner knows the new tables at once, autovacuum or not
        with store.engine.connect() as conn:
            analyzed = set(conn.exec_driver_sql("SELECT DISTINCT tablename FROM pg_stats "
                                                "WHERE schemaname = current_schema()").scalars())
        assert {"persons", "person_records", "match_pairs"} <= analyzed
    truth_csv = tmp_path / "truth.csv"
    with truth_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_ref", "person_id", "kind"])
        writer.writerows((ref, person, "card") for ref, person in truth.items())
    figures = evaluate(store, truth_csv)
    assert figures["pairs"]["f1"] > 0.9
    assert figures["tasks"]["card_dedupe"]["f1"] == figures["pairs"]["f1"]


def test_an_interrupted_link_leaves_the_previous_persons(store, tmp_path, write_archive, plain_reader):
    write_archive(store)
    link(store, reader=plain_reader, runs_dir=tmp_path)
    before = _person_count(store)

    def broken_reader(text, part):
        raise KeyboardInterrupt  # the user presses Ctrl-C while features are built

    with pytest.raises(KeyboardInterrupt):
        link(store, reader=lambda t, p: broken_reader(t, p), runs_dir=tmp_path)
    assert _person_count(store) == before
    assert gc.isenabled()  # the collector, paused for the run, is back
    with store.engine.connect() as conn:
        statuses = [s for (s,) in conn.execute(select(link_runs.c.status).order_by(link_runs.c.id))]
    assert statuses == ["done", "interrupted"]


def test_decisions_outrank_the_model_on_every_rerun_and_can_be_undone(store, tmp_path, write_archive, plain_reader):
    write_archive(store)
    link(store, reader=plain_reader, runs_dir=tmp_path)
    with store.engine.connect() as conn:
        pairs = conn.execute(select(person_records.c.record_id, person_records.c.person_id)).all()
    by_person: dict[int, list[int]] = {}
    for record_id, person_id in pairs:
        by_person.setdefault(person_id, []).append(record_id)
    a, b = next(ids for ids in by_person.values() if len(ids) >= 2)[:2]
    loner = next(ids[0] for ids in by_person.values() if a not in ids)
    review.decide(store, a, b, "not_same")
    review.decide(store, a, loner, "same")
    link(store, reader=plain_reader, runs_dir=tmp_path)
    assert not _same_person(store, a, b)
    assert _same_person(store, a, loner)
    review.undo(store)  # undoes "same"
    link(store, reader=plain_reader, runs_dir=tmp_path)
    assert not _same_person(store, a, loner)
    assert not _same_person(store, a, b)


def test_a_model_from_another_version_is_refused_before_any_work(store, tmp_path, write_archive, plain_reader):
    write_archive(store, persons=10)
    model = tmp_path / "old.json"
    model.write_text(json.dumps({"link_type": "dedupe_only", "kartoteka_model_version": "kartoteka-linkage-1"}))
    with pytest.raises(KartotekaError) as caught:
        link(store, model_path=model, reader=plain_reader, runs_dir=tmp_path)
    assert caught.value.code == "model.version"
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(link_runs)).scalar_one() == 0


def test_a_saved_model_scores_a_new_run_without_training(store, tmp_path, write_archive, plain_reader):
    write_archive(store)
    first = link(store, reader=plain_reader, runs_dir=tmp_path)
    second = link(store, model_path=first.model_path, reader=plain_reader, runs_dir=tmp_path)
    assert second.persons == first.persons


def test_sources_without_names_or_birth_years_still_link(store, tmp_path, write_archive, plain_reader):
    from sqlalchemy import update

    from kartoteka.store import records

    write_archive(store, persons=40)
    with store.engine.begin() as conn:
        conn.execute(update(records).where(records.c.id % 3 == 0).values(surname=None, given_name=None))
        conn.execute(update(records).where(records.c.id % 3 == 1).values(birth_year=None))
    summary = link(store, reader=plain_reader, runs_dir=tmp_path)
    with store.engine.connect() as conn:
        linked = conn.execute(select(func.count()).select_from(person_records)).scalar_one()
    assert linked == summary.records  # every record belongs to a person, named or not
    assert summary.persons < summary.records  # and records still joined on what they have


def test_the_names_read_ahead_chunk_by_chunk_are_those_the_features_read(store, write_archive, monkeypatch):
    # What `link` hands the reading workers while the records load: every surname and given name, stripped,
    # as build_features will ask for them (blank names are not read, a name in one field only is split).
    from sqlalchemy import insert, update

    from kartoteka.linkage import runs
    from kartoteka.linkage.features import build_features, name_items
    from kartoteka.linkage.reading_cache import LITERAL
    from kartoteka.store import records

    write_archive(store, persons=30)
    with store.engine.begin() as conn:
        conn.execute(update(records).where(records.c.id == 1).values(surname="  Ито ", given_name=""))
        conn.execute(insert(records), [dict(source_id=1, kind="card", record_ref=ref, file_name="cards.csv",
                                            row_number=999 + i, row_sha256=ref, raw_json="{}", surname=None,
                                            given_name=given, name_original=original)
                                       for i, (ref, given, original) in enumerate(
                                           [("blank", "   ", None), ("whole", None, "Сато Хироси")])])
    monkeypatch.setattr(runs, "_READ_BATCH", 7)  # several chunks
    chunks: list[set[tuple[str, str]]] = []
    loaded = runs.load_records(store, on_chunk=lambda chunk: chunks.append(name_items(chunk)))
    assert len(chunks) > 3 and sum(map(len, chunks)) >= len(set().union(*chunks))
    asked: set[tuple[str, str]] = set()
    build_features(loaded, lambda text, part: asked.add((text, part)) or [])
    # and the literal reading of every spelling, which the workers read too
    literal = {(text, LITERAL) for text, _ in asked}
    assert set().union(*chunks) == asked | literal == name_items(loaded)
    assert {("Ито", "surname"), ("Сато", "surname"), ("Хироси", "given")} <= asked
    assert not any(text.strip() != text or not text for text, _ in asked)


def test_records_load_alike_whatever_the_first_rows_leave_blank(store, write_archive, monkeypatch):
    # The SQLite path reads through Arrow, which guesses a column's type from the first batch: a column blank
    # all through it, then written, must come back as text; blanks as missing; every record once, in id order.
    from sqlalchemy import update

    from kartoteka.linkage import runs
    from kartoteka.store import records

    write_archive(store, persons=30)
    with store.engine.begin() as conn:
        conn.execute(update(records).values(lagpunkt=None, death_place=None, birth_year=None))
        conn.execute(update(records).where(records.c.id >= 25).values(lagpunkt="7", death_place="Тайшет",
                                                                     birth_year=1921))
        total = conn.execute(select(func.count()).select_from(records)).scalar_one()
    monkeypatch.setattr(runs, "_READ_BATCH", 10)
    loaded = runs.load_records(store)
    assert loaded["id"].tolist() == list(range(1, total + 1))
    late = loaded["id"] >= 25
    assert loaded.loc[late, "lagpunkt"].eq("7").all() and loaded.loc[late, "death_place"].eq("Тайшет").all()
    assert loaded.loc[~late, ["lagpunkt", "death_place", "birth_year"]].isna().all().all()
    assert loaded["birth_year"].dtype == "Int64" and loaded.loc[late, "birth_year"].eq(1921).all()
    assert str(loaded["lagpunkt"].dtype) == "str"


def test_a_write_that_fails_midway_leaves_the_previous_persons_and_no_staging_file(store, tmp_path, write_archive,
                                                                                   plain_reader, monkeypatch):
    from kartoteka.linkage import runs
    from kartoteka.store import bulk

    write_archive(store)
    link(store, reader=plain_reader, runs_dir=tmp_path)
    with store.engine.connect() as conn:
        before = sorted(conn.execute(select(person_records.c.record_id, person_records.c.person_id)).all())

    def fail(*_args: object) -> None:
        raise OSError("disk full")  # after the new rows were copied in, before the commit

    monkeypatch.setattr(runs, "_without_indexes", lambda conn, tables: [type("Index", (), {"create": fail})()])
    with pytest.raises(OSError, match="disk full"):
        link(store, reader=plain_reader, runs_dir=tmp_path)
    with store.engine.connect() as conn:
        after = sorted(conn.execute(select(person_records.c.record_id, person_records.c.person_id)).all())
        statuses = [s for (s,) in conn.execute(select(link_runs.c.status).order_by(link_runs.c.id))]
    assert after == before and statuses == ["done", "failed"]
    path = bulk.sqlite_file(store)
    if path is not None:
        assert not list(path.parent.glob("*staging*"))
    monkeypatch.undo()
    link(store, reader=plain_reader, runs_dir=tmp_path)  # the staging schema was detached: a new run works
    assert _person_count(store) > 0


def test_the_review_queue_is_read_through_its_index(store, tmp_path, write_archive, plain_reader):
    # Half a million pairs in review at full scale: the queue must not sort them for every page.
    from kartoteka.linkage.review import queue_query, review_queue

    write_archive(store)
    link(store, reader=plain_reader, runs_dir=tmp_path)
    assert review_queue(store, limit=3) is not None
    with store.engine.connect() as conn:
        sql = str(queue_query(20).compile(conn, compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")  # a test-sized table would be scanned anyway
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(explain + sql))
    assert "ix_match_pairs_review" in plan
    # read in the index's own order (migration 0170): nothing sorted, neither all of it nor the ties
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def test_the_same_records_give_the_same_persons_on_every_run(store, tmp_path, write_archive, plain_reader):
    write_archive(store, persons=150)

    def membership() -> set[frozenset[int]]:
        with store.engine.connect() as conn:
            rows = conn.execute(select(person_records.c.person_id, person_records.c.record_id)).all()
        groups: dict[int, set[int]] = {}
        for person, record in rows:
            groups.setdefault(person, set()).add(record)
        return {frozenset(group) for group in groups.values()}

    runs = [link(store, reader=plain_reader, runs_dir=tmp_path) for _ in range(2)]
    first = membership()
    runs.append(link(store, reader=plain_reader, runs_dir=tmp_path))
    assert membership() == first
    models = [json.loads((tmp_path / f"run-{run.run_id}-model.json").read_text()) for run in runs]
    assert models[0] == models[1] == models[2]  # the same model, to the last digit
    assert runs[0].training == runs[2].training and runs[0].training[0].startswith("prior: ")


def test_a_stop_that_a_library_turned_into_its_own_error_is_still_a_stop(store, tmp_path, write_archive,
                                                                         plain_reader, monkeypatch):
    """Ctrl-C inside a DuckDB query comes back as Splink's "Query interrupted" error, not KeyboardInterrupt: the
    run was marked failed and the CLI printed Splink's error. The signal handler notes the signal; link stops."""
    import signal

    from kartoteka.core import processes
    from kartoteka.linkage.tables import link_runs

    write_archive(store, persons=10)

    def interrupted_inside_a_library(text: str, part: str) -> list[str]:
        monkeypatch.setattr(processes, "stopped_by", signal.SIGINT)  # what the handler notes before it raises
        raise RuntimeError("Query interrupted")  # what DuckDB raises in its place

    with pytest.raises(KeyboardInterrupt) as stopped:
        link(store, reader=interrupted_inside_a_library, runs_dir=tmp_path)
    assert isinstance(stopped.value.__cause__, RuntimeError)
    with store.engine.connect() as conn:
        assert conn.execute(select(link_runs.c.status)).scalars().all() == ["interrupted"]
