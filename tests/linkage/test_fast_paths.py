"""The column-wise shortcuts of the full-scale run give what the plain per-row code gave.

The review weights and the camps are JSON text that the web and the review read back; the kept pairs are
chosen in DuckDB. Each shortcut is checked against the straightforward version on awkward values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import scoring
from kartoteka.linkage.clustering import Clustering
from kartoteka.linkage.json_text import json_texts
from kartoteka.linkage.persons import _camps
from kartoteka.linkage.service import _pairs_for_store, _weights_json


def test_weights_json_is_the_text_json_dumps_writes() -> None:
    rng = np.random.default_rng(5)
    values = rng.choice(np.array([8.616, -2.557, 0.0, -0.0, np.nan, 4.572, 1e-5, -8.405], dtype="float32"),
                        size=(500, 3))
    weights = pd.DataFrame(values, columns=["sn", "birth_year", "death_date"], index=np.arange(500) * 7)
    expected = [json.dumps(row) for row in weights.to_dict("records")]
    assert _weights_json(weights) == expected
    assert any('"birth_year": -0.0' in text for text in expected)  # the case a float key would merge with 0.0
    assert any("NaN" in text for text in expected)


@given(st.lists(st.floats(width=32) | st.sampled_from([0.0, -0.0, float("nan")]), max_size=40))
def test_json_texts_of_floats_are_what_json_dumps_writes(values: list[float]) -> None:
    array = np.array(values, dtype="float32")
    assert json_texts(array).tolist() == [json.dumps(float(v)) for v in array]


@given(st.lists(st.none() | st.sampled_from(["", "Тайшет", 'Лагерь "7"', "\\", "ё"]) | st.text(max_size=6),
                max_size=40), st.booleans())
def test_json_texts_of_text_are_what_json_dumps_writes(values: list[str | None], blank_as_null: bool) -> None:
    expected = [json.dumps(None if blank_as_null and v == "" else v, ensure_ascii=False) for v in values]
    assert json_texts(np.array(values, dtype=object), blank_as_null=blank_as_null).tolist() == expected


def test_camps_json_is_the_text_json_dumps_writes() -> None:
    frame = pd.DataFrame({
        "cluster": [1, 1, 1, 2, 3, 3],
        "kind": ["card", "personal_file", "card", "card", "card", "burial"],
        "camp": ['Лагерь "7"', "Тайшет", 'Лагерь "7"', "Тайшет\\", "Камп ё", "Тайшет"],
        "lagpunkt": ["3", None, "", "12", None, None],
        "event_date": ["1946-05-01", None, "1945-12-01", None, "1947-01-02", "1947-01-03"],
        "capture_date": [None, "1945-09-01", None, None, None, None],
    })
    expected = {
        1: [{"camp": "Тайшет", "lagpunkt": None, "date": "1945-09-01"},
            {"camp": 'Лагерь "7"', "lagpunkt": None, "date": "1945-12-01"},
            {"camp": 'Лагерь "7"', "lagpunkt": "3", "date": "1946-05-01"}],
        2: [{"camp": "Тайшет\\", "lagpunkt": "12", "date": None}],
        3: [{"camp": "Камп ё", "lagpunkt": None, "date": "1947-01-02"}],
    }
    written = _camps(frame)
    assert written.to_dict() == {c: json.dumps(stays, ensure_ascii=False) for c, stays in expected.items()}


class _Misc:
    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection

    def query_sql(self, sql: str, output_type: str = "pandas") -> pd.DataFrame:
        return self.connection.execute(sql).df()


class _Linker:
    """What _kept_pairs uses of a Splink linker (misc.query_sql), over a real DuckDB connection."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.misc = _Misc(connection)


def test_kept_pairs_keeps_the_review_band_and_each_records_best_partners_the_same_every_time() -> None:
    # Record 1 has one partner in the review band and eight below it, all with the same weight; each of
    # those eight has five better partners of its own, so only record 1's ranking can keep them. Record 2 has a
    # partner above the review band.
    rows = [(1, 30, 5.0, 0.97, 2.0), (2, 31, 9.0, 0.99, 3.0)]
    rows += [(1, partner, -3.0, 0.1, 1.0) for partner in range(10, 18)]
    rows += [(100 + 10 * partner + k, partner, -1.0, 0.15, 1.0) for partner in range(10, 18) for k in range(5)]
    predictions = pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_weight", "match_probability",
                                              "mw_sn"])
    predictions["mw_tf_adj_sn"] = 0.5
    connection = duckdb.connect()
    connection.register("predictions", predictions)
    for _ in range(3):
        kept = scoring._kept_pairs(_Linker(connection), "predictions")
        of_one = sorted(kept.loc[kept["unique_id_l"] == 1, "unique_id_r"].tolist())
        # the pair above the floor, then the four lowest partner ids among the tied ones
        assert of_one == [10, 11, 12, 13, 30]
    assert len(kept) == 1 + 5 + 40
    # the kept pairs carry no weights: only the review band's pairs keep them (apart, by pair)
    assert list(kept.columns) == ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    terms = scoring._terms(_Linker(connection), "predictions")
    assert len(terms) == len(predictions)
    # the comparison's weight and its term-frequency adjustment, each its own term of the pair's weight (the
    # review shows them as lines that add up)
    sure = terms[terms["unique_id_r"] == 30]
    assert sure["mw_sn"].tolist() == [2.0] and sure["tf_sn"].tolist() == [0.5]
    assert terms["mw_gn"].isna().all()  # a comparison without a weight column


def test_chain_pairs_already_scored_are_not_scored_again() -> None:
    """Only the chain pairs that the blocked pairs did not score go to the second prediction: a scored pair (kept
    at 0.01 or more) can never fall below SCORED_APART."""
    features = pd.DataFrame({"unique_id": np.array([3, 5, 8, 13, 21], dtype=np.int64)})
    # one group of four linked records (3-5-8-13), and a pair of records that links two only (21 and nothing)
    pairs = pd.DataFrame({"unique_id_l": np.array([3, 5, 8, 3], dtype=np.int64),
                          "unique_id_r": np.array([5, 8, 13, 21], dtype=np.int64),
                          "match_probability": [0.9, 0.8, 0.7, 0.05]})
    blocked = scoring.chain_pairs(features, scoring.chains(features, pairs, 0.5))
    assert sorted(zip(blocked["join_key_l"], blocked["join_key_r"], strict=True)) == [
        (3, 5), (3, 8), (3, 13), (5, 8), (5, 13), (8, 13)]
    left = scoring.unscored(blocked, pairs)
    assert sorted(zip(left["join_key_l"], left["join_key_r"], strict=True)) == [(3, 8), (3, 13), (5, 13)]
    assert list(left.columns) == ["match_key", "join_key_l", "join_key_r"]
    assert len(scoring.unscored(blocked, pairs.iloc[:0])) == 6
    assert scoring.unscored(blocked.iloc[:0], pairs).empty


def test_the_review_bands_pairs_get_their_own_terms_from_the_terms_frame() -> None:
    # The kept pairs carry no weights; the terms come by pair, in another order, for the review band only.
    pairs = pd.DataFrame({"unique_id_l": [1, 2, 3, 4], "unique_id_r": [5, 6, 7, 8],
                          "match_weight": [1.0, 2.0, -4.0, 9.0], "match_probability": [0.3, 0.6, 0.05, 0.99]})
    terms = pd.DataFrame({"unique_id_l": [2, 1], "unique_id_r": [6, 5], "mw_sn": [1.25, -0.5],
                          "tf_sn": [0.75, 0.25]}).astype({"mw_sn": "float32", "tf_sn": "float32"})
    clustering = Clustering(cluster_of=pd.Series(range(1, 9), index=range(1, 9)), flags={}, refused=0)
    rows = _pairs_for_store(pairs, clustering, prior=-10.0, terms=terms)
    assert rows["in_review"].tolist() == [1, 1, 0, 0]
    assert json.loads(rows["weights_json"][0]) == {"sn": -0.5, "tf_sn": 0.25, "prior": -10.0}
    assert json.loads(rows["weights_json"][1]) == {"sn": 1.25, "tf_sn": 0.75, "prior": -10.0}
    assert rows["weights_json"][2:].isna().all()


def test_scoring_spills_to_a_folder_of_its_own_and_removes_it(tmp_path, monkeypatch) -> None:
    """DuckDB's default spill folder for an in-memory database is ".tmp" in the working directory: a link run
    from a user's home left gigabytes there."""
    monkeypatch.chdir(tmp_path)
    with scoring.closing_duckdb_api("64MB") as api:
        spill = Path(api._con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
        assert spill.is_dir() and spill.name.startswith("kartoteka-duckdb-") and tmp_path not in spill.parents
    assert not spill.exists()
    assert not (tmp_path / ".tmp").exists()


def test_the_scoring_memory_is_a_size_or_a_clear_error() -> None:
    assert scoring.memory_limit_of("1500 MB") == "1500MB"
    assert scoring.memory_limit_of("2GiB") == "2GiB"
    for bad in ("lots", "0GB", "2", "-1GB", ""):
        with pytest.raises(KartotekaError) as caught:
            scoring.memory_limit_of(bad)
        assert caught.value.code == "usage.setting" and "link_memory" in caught.value.message


def test_link_refuses_a_bad_link_memory_before_any_work(tmp_path) -> None:
    store = tmp_path / "s.sqlite"
    env = {**os.environ, "KARTOTEKA_LINK_MEMORY": "lots"}
    run = [sys.executable, "-m", "kartoteka", "-d", str(store)]
    assert subprocess.run([*run, "init"], capture_output=True, env=env).returncode == 0
    done = subprocess.run([*run, "link", "--runs-dir", str(tmp_path / "runs")], capture_output=True, text=True,
                          env=env)
    assert done.returncode != 0
    assert "link_memory is 'lots'" in done.stderr and "KARTOTEKA_LINK_MEMORY" in done.stderr
    assert not (tmp_path / "runs").exists()
