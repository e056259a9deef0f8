"""Train the model with EM and score the blocked pairs (Splink on DuckDB, or on Spark).

The only module, with `spark.py`, that imports Splink.
"""

from __future__ import annotations

import contextlib
import logging
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import training as model_training
from kartoteka.linkage.checks import check_trained_model
from kartoteka.linkage.model import in_dialect, settings_dict

# Pairs below this probability are not scored out of the backend: they are neither links nor review
# candidates nor plausible identifications, and at full scale they are most of the blocked pairs.
KEEP_PROBABILITY = 0.01
# Of the rest, keep every pair from the floor of the review band up, plus each record's best few partners.
REVIEW_FLOOR = 0.2
# Pairs in this band of match probability go to the review queue (service.REVIEW_BAND); only they keep each
# comparison's weight (ScoringResult.terms, then match_pairs.weights_json).
REVIEW_BAND = (REVIEW_FLOOR, 0.98)
TOP_CANDIDATES = 5
# DuckDB's memory for scoring (the setting link_memory). At full scale the process holds about 2 GB of its own
# then (records, features). With 2 GB the scoring stage peaked at 4.4 GiB and took no longer than with 3 GB
# (148-152 s against 143-163 s, 2,275,499 SIMULATED records); with 6 GB predict was 10 % faster, but the peak
# went past 6 GB.
SCORING_MEMORY = "2GB"
COMPARISON_NAMES = ("sn", "gn", "fn", "birth_year", "pref", "place", "unit", "rank", "camp", "death_date")
# Two records the model scores below this are plainly two men: clustering keeps them apart even when a chain of
# likely links runs between them (namesakes: Sato Hiroshi of 1920 the card, a roster entry, Sato Hiroshi of 1920
# another division). On 250,000 SIMULATED persons without personal files and manifests (seed 2026), card dedupe
# precision went from 0.959 to 0.988 with 1e-4, recall 0.994 held; 1e-3 and 1e-2 gained a little more precision
# there but split true persons of the harsh profile at 10,000 (docs/explanation/linkage-model.md, Clustering).
SCORED_APART = 1e-4
# Only records in a group of at least this many linked records can be joined through a chain.
CHAIN_SIZE = 3


@dataclass
class ScoringResult:
    """The scored pairs, the trained model (Splink's JSON dict) and what the checks found."""

    pairs: pd.DataFrame
    model: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    training: dict[str, Any] = field(default_factory=dict)
    report: model_training.TrainingReport | None = None
    apart: pd.DataFrame | None = None  # pairs inside a chain of links scored below SCORED_APART (ids l, r)
    # the pairs in REVIEW_BAND with each comparison's weight (mw_NAME) and term-frequency adjustment (tf_NAME),
    # ids unique_id_l, unique_id_r; `pairs` holds only ids, match weight and probability
    terms: pd.DataFrame | None = None


def _quiet_splink() -> None:
    # Splink logs every untrainable level at WARNING; the checks in checks.py report what matters.
    logging.getLogger("splink").setLevel(logging.ERROR)


_MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", re.IGNORECASE)


def memory_limit_of(text: str) -> str:
    """A memory size as DuckDB takes it ("3GB", "1500 MB", "2GiB"), or a KartotekaError that says what is wanted."""
    found = _MEMORY.fullmatch(text or "")
    if not found or float(found.group(1)) <= 0:
        raise KartotekaError("usage.setting", f"link_memory is {text!r}, not a size of memory",
                             hint="give a number and a unit, e.g. link_memory = \"2GB\" or KARTOTEKA_LINK_MEMORY=1500MB")
    return f"{found.group(1)}{found.group(2)}"


def duckdb_api(memory_limit: str = SCORING_MEMORY, connection: Any = None) -> Any:
    """A Splink DuckDB API on an in-memory DuckDB using every core, within `memory_limit` (or on `connection`)."""
    import duckdb
    from splink import DuckDBAPI

    connection = connection or duckdb.connect(":memory:")
    # Bounded memory: DuckDB spills to a temporary folder instead of growing to most of the machine's RAM.
    connection.execute(f"SET memory_limit = '{memory_limit_of(memory_limit)}'")
    connection.execute("SET preserve_insertion_order = false")
    connection.execute("SET enable_progress_bar = false")  # it writes to stdout, which --json owns
    return DuckDBAPI(connection=connection)


@contextlib.contextmanager
def closing_duckdb_api(memory_limit: str = SCORING_MEMORY) -> Iterator[Any]:
    """`duckdb_api` whose database is closed on exit, so its memory is back before clustering begins."""
    import duckdb

    # DuckDB spills an in-memory database to ".tmp" in the working directory: a link run from a user's home
    # left gigabytes there (and all of it after a kill -9). The spill goes to a temporary folder of its own.
    with tempfile.TemporaryDirectory(prefix="kartoteka-duckdb-") as spill, duckdb.connect(":memory:") as connection:
        connection.execute(f"SET temp_directory = '{spill}'")
        yield duckdb_api(memory_limit, connection)


def train_and_score(features: pd.DataFrame, db_api: Any, dialect: str, model: dict[str, Any] | None = None,
                    seed: int = 1945, prepare: Callable[[pd.DataFrame], Any] | None = None,
                    threshold: float | None = None, reviewed: Sequence[tuple[int, int, str]] | None = ()
                    ) -> ScoringResult:
    """Train (unless `model` is given) and predict; return the pairs above KEEP_PROBABILITY with weights.

    `reviewed` (record id, record id, "same" or "not_same") are the reviewers' standing decisions: their "same"
    pairs teach the m values in training (review_labels; None: asked not to).
    With a `threshold`, also score every pair of records that links at it would put into one group of
    CHAIN_SIZE or more, and return those below SCORED_APART (`apart`), for clustering to keep apart.
    `prepare` turns the features into the backend's own table type (Spark needs an explicit schema)."""
    from splink import Linker

    _quiet_splink()
    table = db_api.register(prepare(features) if prepare else features, dataset_display_name="records")
    given = model is not None
    if model is None:
        model, report = model_training.train(features, table, settings_dict(dialect), seed, reviewed)
    else:
        model, report = model_training.with_prior_for(in_dialect(model, dialect), features)
    warnings = check_trained_model(model, {})
    # Splink's validation of the settings (a parse of every level's SQL) only logs; the trained model's settings
    # were validated when training began.
    linker = Linker(table, model, log_level=None, validate_settings=given)
    # Every blocked pair is scored without its per-comparison weights (the table of the ten million pairs above
    # KEEP_PROBABILITY at full scale is 7 columns instead of 29); the review band's pairs, the only ones that
    # keep them, are scored again with them (Splink itself flips this setting for one predict in
    # compare_two_records).
    linker._settings_obj._retain_intermediate_calculation_columns = False
    predictions = linker.inference.predict(threshold_match_probability=KEEP_PROBABILITY, warning_mode="never")
    pairs = _kept_pairs(linker, predictions.physical_name)
    predictions.drop_table_from_database_and_remove_from_cache()
    apart = None
    if threshold is not None:
        apart = _scored_apart(linker, db_api, features, pairs, threshold)
    low, high = REVIEW_BAND
    terms = pair_terms(linker, db_api, pairs[(pairs["match_probability"] >= low) & (pairs["match_probability"] < high)])
    return ScoringResult(pairs=pairs, model=model, warnings=warnings, training=report.to_dict(),
                         report=report, apart=apart, terms=terms)


def chains(features: pd.DataFrame, pairs: pd.DataFrame, threshold: float) -> pd.Series:
    """The group (connected component at `threshold`) of every record in a group of CHAIN_SIZE or more records;
    the others null."""
    from kartoteka.linkage.clustering import _components

    ids = features["unique_id"].to_numpy(dtype=np.int64)
    position = pd.Series(np.arange(len(ids)), index=ids)
    strong = pairs[pairs["match_probability"] >= threshold]
    label = _components(len(ids), position.reindex(strong["unique_id_l"]).to_numpy(),
                        position.reindex(strong["unique_id_r"]).to_numpy())
    sizes = np.bincount(label, minlength=len(ids))
    return pd.Series(label, dtype="Int64").where(sizes[label] >= CHAIN_SIZE)


def chain_pairs(features: pd.DataFrame, group: pd.Series) -> pd.DataFrame:
    """Every pair of records (unique_id_l < unique_id_r) in one group of `group` (chains), as Splink's blocked
    pairs (match_key, join_key_l, join_key_r)."""
    members = pd.DataFrame({"id": features["unique_id"].to_numpy(dtype=np.int64),
                            "chain": group.to_numpy()})[group.notna().to_numpy()]
    both = members.merge(members, on="chain", suffixes=("_l", "_r"))
    both = both[both["id_l"] < both["id_r"]]
    return pd.DataFrame({"match_key": "0", "join_key_l": both["id_l"].to_numpy(),
                         "join_key_r": both["id_r"].to_numpy()})


def unscored(blocked: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The chain pairs (chain_pairs) that are not among the scored `pairs`: those were scored by the same linker at
    KEEP_PROBABILITY or more, far above SCORED_APART, so scoring them again could not put them apart. Most pairs
    inside a chain are links already (at 395,592 SIMULATED records, most of the chains' pairs)."""
    if blocked.empty or pairs.empty:
        return blocked
    left, right = blocked["join_key_l"].to_numpy(dtype=np.int64), blocked["join_key_r"].to_numpy(dtype=np.int64)
    known_l = pairs["unique_id_l"].to_numpy(dtype=np.int64)
    known_r = pairs["unique_id_r"].to_numpy(dtype=np.int64)
    # one int64 key per pair (record ids are far below 2**31; both sides are written smaller id first)
    width = int(max(right.max(), known_l.max(), known_r.max())) + 1
    scored = np.isin(left * width + right, np.minimum(known_l, known_r) * width + np.maximum(known_l, known_r))
    return blocked[~scored].reset_index(drop=True)


def _scored_apart(linker: Any, db_api: Any, features: pd.DataFrame, pairs: pd.DataFrame,
                  threshold: float) -> pd.DataFrame:
    """Every pair inside a chain, scored by the linker that scored the blocked pairs, and kept when below
    SCORED_APART.

    The pairs are handed to that linker as its blocked pairs (Splink's register_blocked_pairs_for_predict):
    it reads only the records in the pairs, from the table it already has, with the term frequencies it already
    counted over the whole table. (A second linker registered the features again with a chain column, counted
    the term frequencies again and blocked over every record.)"""
    empty = pd.DataFrame({"unique_id_l": pd.Series(dtype="int64"), "unique_id_r": pd.Series(dtype="int64")})
    blocked = unscored(chain_pairs(features, chains(features, pairs, threshold)), pairs)
    if blocked.empty:
        return empty
    registered = linker.table_management.register_blocked_pairs_for_predict(db_api.register(blocked))
    predictions = linker.inference.predict(warning_mode="never")
    found = linker.misc.query_sql(
        f"SELECT unique_id_l, unique_id_r FROM {predictions.physical_name} "
        f"WHERE match_probability < {SCORED_APART} ORDER BY unique_id_l, unique_id_r", output_type="pandas")
    predictions.drop_table_from_database_and_remove_from_cache()
    registered.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
    return found.astype("int64") if len(found) else empty


def _kept_pairs(linker: Any, table: str) -> pd.DataFrame:
    """The pairs worth keeping, selected in the backend (at full scale there are ten million above 0.01):
    every pair from REVIEW_FLOOR up, and each record's TOP_CANDIDATES best partners (for identification).
    Ids, match weight and probability only: the review band's terms come apart (pair_terms)."""
    pair = "unique_id_l, unique_id_r, match_weight, match_probability"
    # Ties in weight are broken by the partner's id, so every run keeps the same pairs.
    ranked = (f"SELECT {pair}, "
              f"row_number() OVER (PARTITION BY unique_id_l ORDER BY match_weight DESC, unique_id_r) AS rank_l, "
              f"row_number() OVER (PARTITION BY unique_id_r ORDER BY match_weight DESC, unique_id_l) AS rank_r "
              f"FROM {table}")
    sql = (f"SELECT {pair} FROM {table} WHERE match_probability >= {REVIEW_FLOOR} "
           f"UNION ALL "
           f"SELECT {pair} FROM ({ranked}) AS ranked WHERE match_probability < {REVIEW_FLOOR} "
           f"AND (rank_l <= {TOP_CANDIDATES} OR rank_r <= {TOP_CANDIDATES})")
    return _with_int_ids(linker.misc.query_sql(sql, output_type="pandas"))


def pair_terms(linker: Any, db_api: Any, pairs: pd.DataFrame) -> pd.DataFrame:
    """`pairs` (unique_id_l < unique_id_r) scored again by `linker` with every comparison's weight (as its
    blocked pairs, like _scored_apart): their terms (_terms). The linker is left retaining Splink's intermediate
    columns."""
    blocked = pd.DataFrame({"match_key": "0", "join_key_l": pairs["unique_id_l"].to_numpy(),
                            "join_key_r": pairs["unique_id_r"].to_numpy()})
    if blocked.empty:
        return pd.DataFrame({"unique_id_l": pd.Series(dtype="int64"), "unique_id_r": pd.Series(dtype="int64")}
                            | {f"mw_{name}": pd.Series(dtype="float32") for name in COMPARISON_NAMES})
    linker._settings_obj._retain_intermediate_calculation_columns = True
    registered = linker.table_management.register_blocked_pairs_for_predict(db_api.register(blocked))
    predictions = linker.inference.predict(warning_mode="never")
    terms = _terms(linker, predictions.physical_name)
    predictions.drop_table_from_database_and_remove_from_cache()
    registered.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
    return terms


def _terms(linker: Any, table: str) -> pd.DataFrame:
    """The pairs of the predictions `table` with each comparison's weight (mw_NAME, null for a comparison Splink
    could not evaluate) and each term-frequency adjustment (tf_NAME), as float32 to 3 places."""
    present = set(linker.misc.query_sql(f"SELECT * FROM {table} LIMIT 1", output_type="pandas").columns)

    def weight(name: str) -> str:
        # A comparison Splink could not evaluate (a column blank in every record) has no weight column.
        if f"mw_{name}" not in present:
            return f"CAST(NULL AS DOUBLE) AS mw_{name}"
        return f"mw_{name}"

    # Term-frequency adjustments are terms of their own in Splink's sum (kept apart, for the review's lines).
    adjusted = [name for name in COMPARISON_NAMES if f"mw_tf_adj_{name}" in present]
    weights = ", ".join([weight(name) for name in COMPARISON_NAMES]
                        + [f"mw_tf_adj_{name} AS tf_{name}" for name in adjusted])
    terms = _with_int_ids(linker.misc.query_sql(f"SELECT unique_id_l, unique_id_r, {weights} FROM {table}",
                                                output_type="pandas"))
    for column in [f"mw_{name}" for name in COMPARISON_NAMES] + [f"tf_{name}" for name in adjusted]:
        terms[column] = pd.to_numeric(terms[column], errors="coerce").astype("float32").round(3)
    return terms


def _with_int_ids(pairs: pd.DataFrame) -> pd.DataFrame:
    pairs["unique_id_l"] = pairs["unique_id_l"].astype("int64")
    pairs["unique_id_r"] = pairs["unique_id_r"].astype("int64")
    return pairs
