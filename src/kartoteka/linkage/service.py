"""`link` and `evaluate`: the linkage as the CLI and the web see it.

    link(store) -> LinkSummary     records -> features -> Splink (train, score) -> clusters -> persons
    evaluate(store, truth.csv)     the figures of issue 5 against a simulated archive's truth
"""

from __future__ import annotations

import datetime as dt
import json
import signal
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kartoteka.core import processes
from kartoteka.core.bulk_work import collector_paused
from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import runs
from kartoteka.linkage.clustering import ONE_PER_PERSON, Clustering, cluster
from kartoteka.linkage.evaluation import evaluate_frame
from kartoteka.linkage.features import Reader, build_features, name_items
from kartoteka.linkage.json_text import json_texts
from kartoteka.linkage.model import MODEL_VERSION, load_model, save_model
from kartoteka.linkage.persons import build_persons
from kartoteka.linkage.priority import review_priority
from kartoteka.linkage.reading_cache import ReadingCache
from kartoteka.linkage.review_labels import model_on_reviewed_pairs
from kartoteka.linkage.scoring import REVIEW_BAND  # the pairs that go to the review queue
from kartoteka.store import Store
from kartoteka.store.locks import store_lock

# A link needs the model to find the two records more likely the same person than not. Lower thresholds
# (with the one-per-person constraints doing the refusing) measured better still; see docs/how-to/tune-linkage.md.
DEFAULT_THRESHOLD = 0.5
Progress = Callable[[str], None]
#: Given a run's features and its clusters (record id -> cluster label), a writer to call inside the run's write
#: transaction with (connection, cluster label -> person id).
RunWriter = Callable[[pd.DataFrame, pd.Series], Callable[[Any, dict[int, int]], None]]


@dataclass
class LinkSummary:
    """What a run did: counts, where its model is, and the warnings of the model checks."""

    run_id: int
    backend: str
    records: int
    persons: int
    pairs: int
    review_pairs: int
    refused_links: int
    model_path: str
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    training: list[str] = field(default_factory=list)  # the training report as lines (TrainingReport.lines)
    labels: dict[str, Any] | None = None  # what the reviewed pairs taught the model (review_labels.LabelReport)
    # the model against the reviewers: precision and recall on the reviewed pairs (review_labels)
    reviewed: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def default_runs_dir(store: Store) -> Path:
    """Models are saved beside the SQLite file, or in ./kartoteka-runs/HOST-PORT-DBNAME for a server database:
    never in a folder another store's runs use (run 3 of one database would overwrite run 3 of another's)."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        return path.parent / f"{path.stem}-runs"
    if url.get_backend_name() == "sqlite":
        return Path("kartoteka-runs") / "memory"
    return Path("kartoteka-runs") / f"{url.host or 'localhost'}-{url.port or 5432}-{url.database}"


def _life_facts(features: pd.DataFrame) -> pd.DataFrame:
    """What each record says about the life (clustering.LIFE_COLUMNS), built column-wise for millions of records.

    A manifest shows the person alive on its date; a card or personal file written in a camp shows the person
    alive there on that day.
    """
    kind, camp = features["kind"], features["camp"]
    death = pd.to_datetime(features["death_date"], format="ISO8601", errors="coerce")
    event = pd.to_datetime(features["event_date"], format="ISO8601", errors="coerce")
    in_camp = kind.isin(["card", "personal_file"]) & camp.notna() & event.notna()
    alive = event.where(kind.eq("manifest") | in_camp)
    keep = (death.notna() | alive.notna()).to_numpy()
    return pd.DataFrame({"record_id": features["unique_id"].to_numpy()[keep].astype("int64"),
                         "death": death[keep].to_numpy(), "alive": alive[keep].to_numpy(),
                         "day": event.where(in_camp)[keep].to_numpy(),
                         "camp": camp.where(in_camp, None)[keep].to_numpy()})


def _pairs_for_store(pairs: pd.DataFrame, clustering: Clustering, prior: float | None = None,
                     terms: pd.DataFrame | None = None) -> pd.DataFrame:
    """The scored pairs as match_pairs rows; those in review keep their terms (weights_json): each comparison's
    weight, each term-frequency adjustment (tf_NAME) and the prior, which add up to the match weight.
    `terms` holds those weights (mw_NAME, tf_NAME) by pair (scoring.ScoringResult.terms); without it, `pairs`
    carries them."""
    low, high = REVIEW_BAND
    in_review = (pairs["match_probability"] >= low) & (pairs["match_probability"] < high)
    out = pd.DataFrame({
        "record_id_l": pairs["unique_id_l"], "record_id_r": pairs["unique_id_r"],
        "match_weight": pairs["match_weight"].astype(float), "match_probability": pairs["match_probability"],
        "in_review": in_review.astype(int),
    })
    out["review_priority"] = review_priority(pairs, clustering.cluster_of).where(in_review)
    # Per-comparison weights are kept for the pairs a reviewer may look at; the rest can be re-scored.
    out["weights_json"] = None
    ids = ["unique_id_l", "unique_id_r"]
    source = pairs.loc[in_review] if terms is None else pairs.loc[in_review, ids].merge(terms, on=ids, how="left")
    weights = [c for c in source.columns if c.startswith("mw_")]
    adjustments = [c for c in source.columns if c.startswith("tf_")]
    terms = (source[weights + adjustments].astype("float64").round(3)
             .rename(columns=lambda c: c[3:] if c in weights else c))
    if prior is not None:
        terms["prior"] = round(prior, 4)
    out.loc[in_review, "weights_json"] = _weights_json(terms)
    return out


def prior_weight(model: dict[str, Any]) -> float | None:
    """The model's prior as Splink adds it to every pair's weight: log2(λ / (1 - λ))."""
    share = model.get("probability_two_random_records_match")
    if share is None or not 0 < float(share) < 1:
        return None
    return float(np.log2(float(share) / (1 - float(share))))


def _weights_json(weights: pd.DataFrame) -> list[str]:
    """Each row's weights as the JSON object `json.dumps` writes for it (the same text), from one template."""
    template = "{" + ", ".join(json.dumps(name).replace("%", "%%") + ": %s" for name in weights.columns) + "}"
    columns = [json_texts(weights[name].to_numpy(dtype=np.float64)).tolist() for name in weights.columns]
    return [template % row for row in zip(*columns, strict=True)]


def _members(clustering: Clustering, pairs: pd.DataFrame) -> pd.DataFrame:
    members = pd.DataFrame({"record_id": clustering.cluster_of.index.to_numpy(),
                            "cluster": clustering.cluster_of.to_numpy()})
    same = pairs[pairs["unique_id_l"].map(clustering.cluster_of) == pairs["unique_id_r"].map(clustering.cluster_of)]
    best = pd.concat([same[["unique_id_l", "match_probability"]].rename(columns={"unique_id_l": "record_id"}),
                      same[["unique_id_r", "match_probability"]].rename(columns={"unique_id_r": "record_id"})])
    best = best.groupby("record_id")["match_probability"].max()
    members["match_probability"] = members["record_id"].map(best)
    return members


def score(features: pd.DataFrame, backend: str, model: dict[str, Any] | None,
          threshold: float | None = None, reviewed: Sequence[tuple[int, int, str]] | None = (),
          memory: str | None = None) -> Any:
    """Train and score on the chosen backend (duckdb in-process, or spark); with a `threshold`, also the pairs
    inside chains of links that the model scores as two men (scoring.train_and_score). The `reviewed` pairs'
    "same" answers teach the m values (review_labels; None: asked not to). `memory`: DuckDB's (the setting
    link_memory; scoring.SCORING_MEMORY when None)."""
    from kartoteka.linkage import scoring

    if backend == "duckdb":
        with scoring.closing_duckdb_api(memory or scoring.SCORING_MEMORY) as api:
            return scoring.train_and_score(features, api, "duckdb", model, threshold=threshold, reviewed=reviewed)
    if backend == "spark":
        from kartoteka.linkage import spark

        with spark.spark_api() as api:
            return scoring.train_and_score(features, api, "spark", model,
                                           prepare=lambda frame: spark.to_spark_frame(api, frame),
                                           threshold=threshold, reviewed=reviewed)
    raise KartotekaError("usage.backend", f"unknown backend {backend!r}", hint="use --backend duckdb or spark")


@collector_paused()  # millions of objects: collections would walk them all again and again
def link(store: Store, backend: str = "duckdb", model_path: Path | None = None, runs_dir: Path | None = None,
         threshold: float = DEFAULT_THRESHOLD, reader: Reader | None = None,
         progress: Progress | None = None, one_per_person: tuple[str, ...] = ONE_PER_PERSON,
         also_write: RunWriter | None = None, learn_from_decisions: bool = True,
         memory: str | None = None) -> LinkSummary:
    """Link every record in the store into persons and replace the current persons (one transaction).

    The reviewers' standing decisions are hard rules in clustering, and (unless ``learn_from_decisions`` is
    False) their "same" pairs teach the m values too (review_labels); the run measures the model on them.

    ``also_write(features, cluster_of)`` is called once the clusters are known and gives a writer that runs inside
    the write's transaction (see runs.write_run): `kartoteka link` passes the search index's, so linkage never
    imports search.

    One link at a time per store: a second one is refused while the first runs (it would mark the first's
    run interrupted and race it to the write)."""
    with store_lock(store.engine, "link") as held:
        if not held:
            raise KartotekaError("store.busy", f"another `kartoteka link` is running on the store {store.label}",
                                 hint="wait for it to finish (`kartoteka status` shows it running), then run "
                                      "link again")
        runs.remove_leftovers(store)  # a killed run's staging file: no live run holds it now
        return _link(store, backend, model_path, runs_dir, threshold, reader, progress, one_per_person,
                     also_write, learn_from_decisions, memory)


def _link(store: Store, backend: str, model_path: Path | None, runs_dir: Path | None, threshold: float,
          reader: Reader | None, progress: Progress | None, one_per_person: tuple[str, ...],
          also_write: RunWriter | None, learn_from_decisions: bool = True, memory: str | None = None
          ) -> LinkSummary:
    say = progress or (lambda _stage: None)
    if memory is not None and backend == "duckdb":
        from kartoteka.linkage.scoring import memory_limit_of

        memory = memory_limit_of(memory)  # a bad size is refused before any work
    model = load_model(model_path) if model_path else None  # refuse a bad model before doing any work
    clock: dict[str, float] = {}
    started = dt.datetime.now()

    def lap(name: str) -> None:
        clock[name] = round((dt.datetime.now() - started).total_seconds() - sum(clock.values()), 2)

    directory = runs_dir or default_runs_dir(store)
    cache = ReadingCache.in_folder(directory, runs.needs_name_search(store)) if reader is None else None
    run_id: int | None = None  # logged once the records are read: a store without records logs no run
    try:
        say("reading records")
        # New spellings are read in worker processes while the rest of the records load.
        read_ahead = None if cache is None else (lambda chunk: cache.start(name_items(chunk)))
        if cache is not None:
            cache.warm_up(runs.record_count_estimate(store))
        records = runs.load_records(store, on_chunk=read_ahead)
        if records.empty:
            raise KartotekaError("linkage.empty", "the store holds no records to link",
                                 hint="import sources first: kartoteka import DIR")
        run_id = runs.start_run(store, backend)
        lap("read")
        say(f"building features for {len(records):,} records")
        features = build_features(records, reader or cache)
        if cache is not None:
            cache.save()
            cache.release()  # its memory is wanted for scoring (the readings are in the features now)
        lap("features")
        decided = runs.active_decisions(store)
        say("training and scoring" if model is None else "scoring with the given model")
        result = score(features, backend, model, threshold, decided if learn_from_decisions else None, memory)
        reviewed = reviewed_figures(decided, result.pairs, threshold)
        lap("score")
        say(f"clustering {len(result.pairs):,} scored pairs")
        clustering = cluster(features["unique_id"].tolist(), result.pairs, threshold,
                             _life_facts(features), decided,
                             kinds=pd.Series(features["kind"].to_numpy(), index=features["unique_id"].to_numpy()),
                             one_per_person=one_per_person,
                             apart=() if result.apart is None else result.apart.itertuples(index=False, name=None))
        person_frame = build_persons(records, features, clustering.cluster_of, clustering.flags)
        record_count = len(records)
        del records  # about a gigabyte at full scale: gone before the search index's rows are built
        write_more = also_write(features, clustering.cluster_of) if also_write is not None else None
        del features  # gigabytes at full scale, not needed for the write
        members = _members(clustering, result.pairs)
        pairs = _pairs_for_store(result.pairs, clustering, prior_weight(result.model), result.terms)
        result.pairs = result.terms = pairs.iloc[:0]  # the scored frames are no longer needed
        lap("cluster")
        directory.mkdir(parents=True, exist_ok=True)
        model_file = directory / f"run-{run_id}-model.json"
        save_model(result.model, model_file)
        say(f"writing {len(person_frame):,} persons")
        runs.write_run(store, run_id, person_frame, members, pairs, {
            "model_path": str(model_file), "model_version": MODEL_VERSION, "record_count": record_count,
            "person_count": len(person_frame), "pair_count": len(pairs), "threshold": threshold,
            "warnings_json": json.dumps(result.warnings, ensure_ascii=False),
            "summary_json": json.dumps({"training": result.training, "seconds": clock, "reviewed": reviewed},
                                       default=str),
        }, also_write=write_more)
        lap("write")
    except BaseException as exc:
        # DuckDB turns a Ctrl-C that lands inside one of its queries into its own error ("Query interrupted"),
        # which Splink wraps again: the signal handler has noted the signal, so it is a stop all the same.
        stopped = isinstance(exc, KeyboardInterrupt) or processes.stopped_by is not None
        if run_id is not None:
            runs.fail_run(store, run_id, f"{type(exc).__name__}: {exc}",
                          status="interrupted" if stopped else "failed")
        if stopped and not isinstance(exc, KeyboardInterrupt):
            raise (processes.Terminated() if processes.stopped_by == signal.SIGTERM else KeyboardInterrupt()) from exc
        raise
    finally:
        if cache is not None:
            cache.close()
    return LinkSummary(run_id=run_id, backend=backend, records=record_count, persons=len(person_frame),
                       pairs=len(pairs), review_pairs=int(pairs["in_review"].sum()),
                       refused_links=clustering.refused, model_path=str(model_file), seconds=clock,
                       warnings=result.warnings, training=result.report.lines() if result.report else [],
                       labels=result.report.labels if result.report else None, reviewed=reviewed)


def reviewed_figures(decided: Sequence[tuple[int, int, str]], pairs: pd.DataFrame, threshold: float
                     ) -> dict[str, Any]:
    """The model's precision and recall on the reviewed pairs (review_labels.model_on_reviewed_pairs), its
    answers read from this run's scored pairs."""
    labels = {(min(a, b), max(a, b)): answer for a, b, answer in decided}
    wanted = pd.DataFrame(list(labels), columns=["unique_id_l", "unique_id_r"], dtype="int64")
    found = wanted.merge(pairs[["unique_id_l", "unique_id_r", "match_probability"]],
                         on=["unique_id_l", "unique_id_r"], how="inner")
    scored = {(int(a), int(b)): float(p) for a, b, p in found.itertuples(index=False, name=None)}
    return model_on_reviewed_pairs(labels, scored, threshold)


def read_truth(truth_path: Path) -> tuple[pd.DataFrame, set[str]]:
    """truth.csv (record_ref, person_id, kind) and the ids of persons who died (from persons.csv beside it)."""
    try:
        truth = pd.read_csv(truth_path, dtype=str)
    except FileNotFoundError as exc:
        raise KartotekaError("usage.truth", f"no truth file at {truth_path}",
                             hint="give the truth.csv written by `kartoteka simulate`") from exc
    missing = {"record_ref", "person_id"} - set(truth.columns)
    if missing:
        raise KartotekaError("input.truth", f"{truth_path} lacks the column(s) {', '.join(sorted(missing))}",
                             hint="truth.csv has the columns record_ref,person_id,kind", file=str(truth_path))
    died: set[str] = set()
    persons_csv = Path(truth_path).with_name("persons.csv")
    if persons_csv.exists():
        people = pd.read_csv(persons_csv, dtype=str, usecols=["person_id", "fate"])
        died = set(people.loc[people["fate"] == "died", "person_id"])
    return truth, died


def evaluate(store: Store, truth_path: Path) -> dict[str, Any]:
    """Score the current persons against a simulated archive's truth (shape of issue 5, plus counts)."""
    truth, died = read_truth(truth_path)
    assigned = runs.current_assignment(store)
    if assigned.empty:
        raise KartotekaError("linkage.no_persons", "the store has no persons yet", hint="run `kartoteka link` first")
    frame = assigned.merge(truth[["record_ref", "person_id"]].rename(columns={"person_id": "truth"}),
                           on="record_ref", how="inner").rename(columns={"person_id": "predicted"})
    if frame.empty:
        raise KartotekaError("input.truth", f"no record_ref of {truth_path} is in the store",
                             hint="evaluate against the truth.csv of the archive you imported")
    pairs = runs.current_pairs(store)
    return evaluate_frame(frame, pairs, died)
