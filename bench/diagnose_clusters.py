"""Why persons come out wrong: the cluster errors of one linkage against a simulated archive's truth.

    .venv/bin/python bench/diagnose_clusters.py STORE.sqlite ARCHIVE_DIR [--workdir DIR]

Runs the stages of `kartoteka link` as a library on the store (features, train and score, cluster; nothing is
written to the store), scores every blocked pair once more without a floor, and sorts the errors:

- every true pair of records the persons keep apart (a missed pair) is one of: never a candidate (no blocking
  rule pairs them), scored below the link threshold (the model), or linked at the threshold through a chain of
  links but refused by clustering (a chain of namesakes scored apart, one of a kind a person has once, a life
  that contradicts itself);
- every false pair put in one person (a false merge) by the kinds of its records;
- the blank fields of the records cut off from their person, by kind;
- cluster F1 with each of clustering's refusals switched off (what each costs or saves).

All data is SIMULATED. Prints a plain-text report (and --json for the numbers).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from kartoteka.linkage import runs, scoring
from kartoteka.linkage.clustering import ONE_PER_PERSON, cluster
from kartoteka.linkage.evaluation import cluster_scores, pairwise_scores
from kartoteka.linkage.features import build_features
from kartoteka.linkage.reading_cache import ReadingCache
from kartoteka.linkage.service import DEFAULT_THRESHOLD, _life_facts, read_truth
from kartoteka.store import open_store

FIELDS = ("surname", "given_name", "patronymic", "birth_year", "birth_place", "prefecture", "rank", "unit", "camp",
          "death_date", "event_date")


def _all_pairs(features: pd.DataFrame, model: dict) -> pd.DataFrame:
    """Every pair the blocking rules make, scored by the trained model (no floor)."""
    from splink import Linker

    with scoring.closing_duckdb_api() as api:
        table = api.register(features, dataset_display_name="records")
        linker = Linker(table, model, log_level=None)
        predictions = linker.inference.predict(warning_mode="never")
        frame = linker.misc.query_sql(
            f"SELECT unique_id_l, unique_id_r, match_probability, match_key FROM {predictions.physical_name}",
            output_type="pandas")
    frame["unique_id_l"] = frame["unique_id_l"].astype("int64")
    frame["unique_id_r"] = frame["unique_id_r"].astype("int64")
    return frame


def _key(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    low, high = np.minimum(left, right), np.maximum(left, right)
    return low.astype(np.int64) * (1 << 32) + high.astype(np.int64)


def _true_pairs(person_of: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    groups = pd.DataFrame({"rid": person_of.index.to_numpy(), "person": person_of.to_numpy()})
    merged = groups.merge(groups, on="person")
    merged = merged[merged["rid_x"] < merged["rid_y"]]
    return merged["rid_x"].to_numpy(np.int64), merged["rid_y"].to_numpy(np.int64)


def _figures(records: pd.DataFrame, truth_of: pd.Series, cluster_of: pd.Series) -> dict:
    frame = pd.DataFrame({"record_id": records["id"], "record_ref": records["record_ref"], "kind": records["kind"],
                          "truth": records["id"].map(truth_of), "predicted": records["id"].map(cluster_of)})
    return {"cluster_f1": cluster_scores(frame)["f1"],
            "card_dedupe_f1": pairwise_scores(frame, ("card", "personal_file"))["f1"],
            "card_death_roster_f1": pairwise_scores(frame, ("card", "personal_file"), ("death_roster",))["f1"]}


def diagnose(store_path: Path, archive: Path, workdir: Path, threshold: float = DEFAULT_THRESHOLD,
             reuse: bool = False) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    with open_store(f"sqlite:///{store_path}") as store:
        records = runs.load_records(store)
        search = runs.needs_name_search(store)
    saved = workdir / "scored.pickle"
    if reuse and saved.exists():  # the same store scored before (--reuse): only the analysis runs again
        features, result, everything = pd.read_pickle(saved)
    else:
        cache = ReadingCache.in_folder(workdir, search)
        try:
            features = build_features(records, cache)
            cache.save()
        finally:
            cache.close()
        result = scoring.train_and_score(features, scoring.duckdb_api(), "duckdb", threshold=threshold)
        everything = _all_pairs(features, result.model)
        pd.to_pickle((features, result, everything), saved)
    life = _life_facts(features)
    kinds = pd.Series(features["kind"].to_numpy(), index=features["unique_id"].to_numpy())
    apart = [] if result.apart is None else list(result.apart.itertuples(index=False, name=None))
    ids = features["unique_id"].tolist()

    def run(**changes) -> pd.Series:  # type: ignore[no-untyped-def]
        arguments = {"facts": life, "kinds": kinds, "one_per_person": ONE_PER_PERSON, "apart": apart} | changes
        return cluster(ids, result.pairs, threshold, **arguments).cluster_of

    cluster_of = run()
    truth, _ = read_truth(archive / "truth.csv")
    truth_of = records["record_ref"].astype(object).map(dict(zip(truth["record_ref"], truth["person_id"], strict=True)))
    truth_of = pd.Series(truth_of.to_numpy(), index=records["id"].to_numpy()).dropna()
    if truth_of.empty:
        raise SystemExit(f"no record of {store_path} is in {archive / 'truth.csv'}")
    kind_of = pd.Series(records["kind"].to_numpy(), index=records["id"].to_numpy())
    report: dict = {"records": len(records), "persons_true": int(truth_of.nunique()),
                    "figures": _figures(records, truth_of, cluster_of)}

    # What each refusal of clustering does to the figures
    report["ablation"] = {
        "no scored-apart refusal": _figures(records, truth_of, run(apart=[])),
        "no one-per-person refusal": _figures(records, truth_of, run(one_per_person=())),
        "no life refusals": _figures(records, truth_of, run(facts=None)),
        "no refusals at all": _figures(records, truth_of, run(apart=[], one_per_person=(), facts=None)),
    }

    # Missed true pairs: never a candidate, scored low, or refused
    left, right = _true_pairs(truth_of)
    together = cluster_of.reindex(left).to_numpy() == cluster_of.reindex(right).to_numpy()
    missed_l, missed_r = left[~together], right[~together]
    scored = pd.Series(everything["match_probability"].to_numpy(),
                       index=_key(everything["unique_id_l"].to_numpy(), everything["unique_id_r"].to_numpy()))
    scored = scored[~scored.index.duplicated()]
    probability = scored.reindex(_key(missed_l, missed_r)).to_numpy()
    free = run(apart=[], one_per_person=(), facts=None)  # the components at the threshold, nothing refused
    chained = free.reindex(missed_l).to_numpy() == free.reindex(missed_r).to_numpy()
    cause = np.where(chained, "linked through a chain, refused by clustering",
                     np.where(np.isnan(probability), "never a candidate (blocking)",
                              "scored below the threshold (model)"))
    kinds_pair = [" - ".join(sorted(p)) for p in zip(kind_of.reindex(missed_l), kind_of.reindex(missed_r),
                                                     strict=True)]
    missed = pd.DataFrame({"l": missed_l, "r": missed_r, "cause": cause, "kinds": kinds_pair,
                           "probability": probability})
    report["true_pairs"] = len(left)
    report["missed_pairs"] = len(missed)
    report["missed_by_cause"] = missed["cause"].value_counts().to_dict()
    report["missed_by_kinds_and_cause"] = {
        f"{k} | {c}": int(n) for (k, c), n in missed.groupby(["kinds", "cause"]).size()
        .sort_values(ascending=False).head(25).items()}
    low = missed.loc[missed["cause"] == "scored below the threshold (model)", "probability"]
    report["missed_scored_low_probability_bands"] = pd.cut(
        low, [0, 1e-4, 1e-2, 0.1, 0.5], include_lowest=True).value_counts().sort_index().astype(int).rename(
        str).to_dict()

    # Blank fields of the records on each side of a missed pair (which record of the two lacks what)
    blank = {name: (records[name].isna() | (records[name].astype(str).str.strip() == "")).to_numpy()
             for name in FIELDS if name in records.columns}
    row_of = pd.Series(np.arange(len(records)), index=records["id"].to_numpy())
    for cause_name in missed["cause"].unique():
        part = missed[missed["cause"] == cause_name]
        rows_l, rows_r = row_of.reindex(part["l"]).to_numpy(), row_of.reindex(part["r"]).to_numpy()
        report.setdefault("missed_blank_share", {})[cause_name] = {
            name: round(float(np.mean(flags[rows_l] | flags[rows_r])), 3) for name, flags in blank.items()}
    report["blank_share_all_true_pairs"] = {
        name: round(float(np.mean(flags[row_of.reindex(left).to_numpy()] | flags[row_of.reindex(right).to_numpy()])),
                    3) for name, flags in blank.items()}

    # False merges: pairs in one person that are two
    pl, pr = _true_pairs(cluster_of)
    false = truth_of.reindex(pl).to_numpy() != truth_of.reindex(pr).to_numpy()
    report["predicted_pairs"] = len(pl)
    report["false_pairs"] = int(false.sum())
    report["false_pairs_by_kinds"] = dict(Counter(
        " - ".join(sorted(p)) for p in zip(kind_of.reindex(pl[false]), kind_of.reindex(pr[false]), strict=True)
    ).most_common(12))

    # Persons: exact, split, merged, both
    by_truth = pd.DataFrame({"truth": truth_of, "predicted": cluster_of.reindex(truth_of.index)})
    parts = by_truth.groupby("truth")["predicted"].nunique()
    pure = by_truth.groupby("predicted")["truth"].nunique()
    merged_truth = set(by_truth.loc[by_truth["predicted"].map(pure) > 1, "truth"])
    split, merged = parts > 1, parts.index.isin(list(merged_truth))
    report["persons"] = {"exact": int((~split & ~merged).sum()), "split only": int((split & ~merged).sum()),
                         "merged only": int((~split & merged).sum()), "split and merged": int((split & merged).sum())}
    # The records cut off from their person: those not in the true person's largest part
    largest = by_truth.groupby(["truth", "predicted"]).size().reset_index(name="n") \
        .sort_values("n", ascending=False).drop_duplicates("truth").set_index("truth")["predicted"]
    off = by_truth.index[by_truth["predicted"].to_numpy() != by_truth["truth"].map(largest).to_numpy()]
    report["records_cut_off"] = len(off)
    report["records_cut_off_by_kind"] = kind_of.reindex(off).value_counts().to_dict()
    report["records_by_kind"] = kind_of.value_counts().to_dict()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", type=Path)
    parser.add_argument("archive", type=Path)
    parser.add_argument("--workdir", type=Path, default=None, help="readings cache (default: beside the store)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="reuse the scored pairs of an earlier diagnosis")
    args = parser.parse_args()
    workdir = args.workdir or args.store.with_name(args.store.stem + "-diagnosis")
    report = diagnose(args.store, args.archive, workdir, args.threshold, args.reuse)
    if args.json:
        json.dump(report, sys.stdout, indent=1, default=str)
        return
    for key, value in report.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for name, figure in value.items():
                print(f"  {name}: {figure}")
        else:
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
