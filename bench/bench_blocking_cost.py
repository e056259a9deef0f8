"""What the blocking rules of issue 14 cost in candidate pairs: each rule's marginal pairs, at full scale.

    .venv/bin/python bench/bench_blocking_cost.py --db STORE.sqlite --runs-dir RUNS [--truth truth.csv]

The rules are counted in the order `link` runs them, but with the rules added for issue 14 (the literal readings,
the father's name, the month of death) after the others, so their marginal pairs are the pairs only they make:
the price of names off the dictionary. With --truth, the true pairs among each rule's marginal pairs are
counted too (what the price buys). Splink counts the pairs it would score (`count_comparisons_from_blocking_rules`,
exact). Writes the "blocking-cost" section of BENCHMARKS.md. All data is SIMULATED.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _report import write_section

NEW_MARKERS = ("_lkey", "fn_", "_lit", "death_month", "l.sn_set = r.sn_set AND l.gn_set")


def is_new(rule: str) -> bool:
    """Whether a blocking rule is one of those issue 14 added."""
    return any(marker in rule for marker in NEW_MARKERS)


def _true_pairs(features, rules, truth_path: Path, api) -> list[int]:  # type: ignore[no-untyped-def]
    """For each rule in order, the true pairs it finds that no rule before it found."""
    import pandas as pd

    truth = pd.read_csv(truth_path, dtype=str, usecols=["record_ref", "person_id"])
    person = features[["unique_id", "record_ref"]].merge(truth, on="record_ref")[["unique_id", "person_id"]]
    connection = api._con  # the DuckDB connection Splink runs on
    connection.register("person", person)
    connection.register("features", features)
    seen = "CREATE OR REPLACE TABLE seen (l BIGINT, r BIGINT)"
    connection.execute(seen)
    found = []
    for rule in rules:
        sql = rule["blocking_rule"]
        explode = rule.get("arrays_to_explode")
        source = "features"
        for column in explode or ():  # several sets: every combination of their readings, as Splink does
            source = f"(SELECT * REPLACE (unnest({column}) AS {column}) FROM {source})"
        pairs = (f"SELECT DISTINCT l.unique_id AS l, r.unique_id AS r FROM {source} l JOIN {source} r "
                 f"ON l.unique_id < r.unique_id AND {sql}")
        connection.execute(f"CREATE OR REPLACE TABLE these AS {pairs}")
        count = connection.execute(
            "SELECT count(*) FROM these t JOIN person a ON a.unique_id = t.l JOIN person b ON b.unique_id = t.r "
            "WHERE a.person_id = b.person_id AND NOT EXISTS (SELECT 1 FROM seen s WHERE s.l = t.l AND s.r = t.r)"
        ).fetchone()[0]
        connection.execute("INSERT INTO seen SELECT * FROM these EXCEPT SELECT * FROM seen")
        found.append(int(count))
    return found


def main() -> None:
    """Count and write the section."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs-dir", type=Path, required=True, help="the runs folder whose readings cache to use")
    parser.add_argument("--truth", type=Path)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from kartoteka.linkage import runs, scoring
    from kartoteka.linkage.features import build_features
    from kartoteka.linkage.model import prediction_blocking_rules
    from kartoteka.linkage.reading_cache import ReadingCache
    from kartoteka.store import open_store

    started = time.perf_counter()
    with open_store(f"sqlite:///{args.db}") as store:
        records = runs.load_records(store)
        search = runs.needs_name_search(store)
    cache = ReadingCache.in_folder(args.runs_dir, search)
    features = build_features(records, cache)
    cache.close()
    features["record_ref"] = records["record_ref"].astype(str).to_numpy()
    rules = prediction_blocking_rules("duckdb")
    ordered = [r for r in rules if not is_new(r["blocking_rule"])] + [r for r in rules if is_new(r["blocking_rule"])]
    with scoring.closing_duckdb_api("6GB") as api:
        table = api.register(features.drop(columns=["record_ref"]))
        counted = count_comparisons_from_blocking_rules(
            table, blocking_rules=[r["blocking_rule"] if not r.get("arrays_to_explode") else r for r in ordered],
            link_type="dedupe_only", record_sample_proportion=1.0)
        true_found = _true_pairs(features, ordered, args.truth, api) if args.truth else None
    lines = [f"{len(features):,} records of `{args.db.name}` (SIMULATED); rules in `link`'s order, those of issue 14 "
             "last, so their pairs are the pairs only they make.", "",
             "| rule | new in issue 14 | marginal pairs | cumulative pairs |" + (" true pairs it adds |" if true_found
                                                                                   else ""),
             "|---|---|---:|---:|" + ("---:|" if true_found else "")]
    new_pairs = 0
    for index, (rule, record) in enumerate(zip(ordered, counted, strict=True)):
        new = is_new(rule["blocking_rule"])
        new_pairs += record['marginal_comparison_count'] if new else 0
        extra = f" {true_found[index]:,} |" if true_found else ""
        lines.append(f"| `{rule['blocking_rule'][:90]}` | {'yes' if new else ''} | "
                     f"{record['marginal_comparison_count']:,} | {record['cumulative_comparison_count']:,} |{extra}")
    total = counted[-1]["cumulative_comparison_count"]
    lines += ["", f"The rules of issue 14 add {new_pairs:,} candidate pairs to {total - new_pairs:,} "
              f"({new_pairs / max(total - new_pairs, 1):.1%} more)"
              + (f", and {sum(t for r, t in zip(ordered, true_found, strict=True) if is_new(r['blocking_rule'])):,} "
                 "true pairs no other rule finds" if true_found else "") + f". {time.perf_counter() - started:.0f} s.",
              "", f"Command: `.venv/bin/python bench/bench_blocking_cost.py {' '.join(sys.argv[1:])}`."]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("blocking-cost", "Blocking: what the rules of issue 14 cost in candidate pairs", body)


if __name__ == "__main__":
    main()
