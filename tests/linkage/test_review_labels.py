"""The reviewers' decisions teach the next run (issue 18, 4): labels move the m values, and the run measures the
model on the reviewed pairs. Real Splink and DuckDB, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.ingest.test_cli import run

from kartoteka.linkage import review, review_labels, runs
from kartoteka.linkage.review_stats import review_stats
from kartoteka.linkage.service import link
from kartoteka.linkage.tables import link_runs
from kartoteka.store import records


def _records(store) -> dict[int, dict]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        rows = conn.execute(select(records.c.id, records.c.record_ref, records.c.birth_year)).mappings()
        return {row["id"]: {"person": row["record_ref"][5:9], "year": row["birth_year"]} for row in rows}


def _weight(model_path: str, comparison: str, label: str) -> float:
    model = json.loads(Path(model_path).read_text(encoding="utf-8"))
    found = next(c for c in model["comparisons"] if c["output_column_name"] == comparison)
    level = next(lv for lv in found["comparison_levels"] if lv.get("label_for_charts") == label)
    return math.log2(level["m_probability"] / level["u_probability"])


def _partition(store) -> set[frozenset[int]]:  # type: ignore[no-untyped-def]
    assigned = runs.current_assignment(store)
    return {frozenset(group) for group in assigned.groupby("person_id")["record_id"].apply(list)}


def test_same_pairs_that_contradict_em_move_its_weights_and_the_figures_on_them_are_right(
        store, tmp_path, write_archive, plain_reader):
    write_archive(store, persons=200)
    first = link(store, reader=plain_reader, runs_dir=tmp_path)
    by_id = _records(store)
    pairs = runs.current_pairs(store)
    probability = {(int(a), int(b)): float(p) for a, b, p in
                   pairs[["record_id_l", "record_id_r", "match_probability"]].itertuples(index=False)}
    ids = sorted(by_id)
    # Reviewers say "same" of 40 pairs of two men born years apart (EM: an entirely different birth year is strong
    # evidence of two men): the model scores none of them as one (they share no name either)...
    apart = [(a, b) for a, b in zip(ids, ids[7:], strict=False)
             if by_id[a]["person"] != by_id[b]["person"] and abs(by_id[a]["year"] - by_id[b]["year"]) > 2][:40]
    # ... and of 20 true pairs the model links for sure; "not the same" of 10 true pairs it links and of 10 pairs
    # of two men it never scored.
    linked = sorted(key for key, p in probability.items()
                    if p > 0.99 and by_id[key[0]]["person"] == by_id[key[1]]["person"])
    two_men = [(a, b) for a, b in zip(ids, ids[11:], strict=False)
               if by_id[a]["person"] != by_id[b]["person"] and (a, b) not in probability][-10:]
    assert len(apart) == 40 and len(linked) >= 30 and len(two_men) == 10
    for a, b in apart + linked[:20]:
        review.decide(store, a, b, "same", reviewer="aiko")
    for a, b in linked[20:30] + two_men:
        review.decide(store, a, b, "not_same", reviewer="aiko")

    second = link(store, reader=plain_reader, runs_dir=tmp_path)

    assert second.labels is not None and second.labels["used"]
    assert (second.labels["same_pairs"], second.labels["not_same_pairs"]) == (60, 20)
    before = _weight(first.model_path, "birth_year", "else")
    after = _weight(second.model_path, "birth_year", "else")
    assert before < after < 0, (before, after)  # toward the labels, still evidence against a match
    assert any(line.startswith("labels: 60 reviewed 'same' pairs") for line in second.training)
    # By hand: the 20 sure links said same (TP); the 10 true pairs called "not the same" said same (FP); the 40
    # pairs of men years apart never scored (FN); the 10 never-scored pairs called "not the same" (TN).
    assert (second.reviewed["true_positives"], second.reviewed["false_positives"],
            second.reviewed["false_negatives"], second.reviewed["true_negatives"]) == (20, 10, 40, 10)
    assert second.reviewed["precision"] == round(20 / 30, 4) and second.reviewed["recall"] == round(20 / 60, 4)
    with store.engine.connect() as conn:
        saved = json.loads(conn.execute(select(link_runs.c.summary_json).where(
            link_runs.c.id == second.run_id)).scalar_one())
    assert saved["reviewed"] == second.reviewed and saved["training"]["labels"] == second.labels
    # The statistics page reads the same figures from the run's stored pairs.
    stats = review_stats(store)
    assert stats["model"]["precision"] == second.reviewed["precision"]
    assert stats["model"]["recall"] == second.reviewed["recall"]
    assert stats["last_run"]["run_id"] == second.run_id and stats["last_run"]["labels"]["same_pairs"] == 60


def test_without_decisions_the_run_is_as_before_and_a_handful_of_labels_changes_nothing(
        store, tmp_path, write_archive, plain_reader):
    write_archive(store, persons=120)
    taught = link(store, reader=plain_reader, runs_dir=tmp_path / "a")
    persons = _partition(store)
    untaught = link(store, reader=plain_reader, runs_dir=tmp_path / "b", learn_from_decisions=False)
    assert _partition(store) == persons
    assert Path(taught.model_path).read_text() == Path(untaught.model_path).read_text()
    assert taught.labels is not None and not taught.labels["used"]
    assert taught.reviewed["precision"] is None and taught.reviewed["recall"] is None  # n/a
    # Fewer "same" pairs than MIN_LABEL_PAIRS: they link, they do not teach.
    group = next(sorted(g) for g in persons if len(g) >= 2)
    loner = next(min(g) for g in persons if group[0] not in g)
    review.decide(store, group[0], loner, "same")
    few = link(store, reader=plain_reader, runs_dir=tmp_path / "c")
    assert not few.labels["used"] and "fewer than" in few.labels["why"]
    assert Path(few.model_path).read_text() == Path(taught.model_path).read_text()


def test_the_figures_say_n_a_when_no_pair_was_reviewed():
    figures = review_labels.model_on_reviewed_pairs({}, {(1, 2): 0.9}, 0.5)
    assert figures["reviewed_pairs"] == 0
    assert (figures["precision"], figures["recall"], figures["f1"]) == (None, None, None)
    # Only "not the same" answers the model got right: no link said, none true: both n/a, not 0 or 1.
    only_apart = review_labels.model_on_reviewed_pairs({(1, 2): "not_same"}, {(1, 2): 0.1}, 0.5)
    assert (only_apart["precision"], only_apart["recall"], only_apart["true_negatives"]) == (None, None, 1)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # the service's own tests cover both backends
def test_link_prints_and_saves_n_a_without_reviewed_pairs(store, capsys, write_archive):
    write_archive(store, persons=20)
    database = str(store.engine.url.render_as_string(hide_password=False))
    code, out, err = run(capsys, "--database", database, "link")
    assert code == 0, err
    assert "the model on reviewed pairs: precision n/a, recall n/a (no reviewed pairs)" in out
    assert "  labels: no reviewed pairs: EM's m values stand" in out
    code, out, err = run(capsys, "--database", database, "link", "--json", "--no-labels")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["reviewed"]["precision"] is None and summary["reviewed"]["reviewed_pairs"] == 0
    assert "labels: not used (link --no-labels): EM's m values stand" in summary["training"]
    code, out, err = run(capsys, "--database", database, "runs")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("run 2 done ") and lines[0].endswith("; learned from no reviewed pairs")
    assert lines[1] == "  the model on reviewed pairs: precision n/a, recall n/a (no reviewed pairs)"
    assert lines[2].startswith("run 1 done ") and len(lines) == 4
    code, out, err = run(capsys, "--database", database, "runs", "--json", "--limit", "1")
    listed = json.loads(out)["items"]
    assert [(r["id"], r["status"], r["reviewed"]["reviewed_pairs"]) for r in listed] == [(2, "done", 0)]
