"""Linkage on card files kartoteka did not make: `kartoteka link` beside plain Splink on cardgen's files.

    .venv/bin/python bench/bench_foreign_cards.py                         # 100,000 and 300,000 cards, seeds 7 8 9
    .venv/bin/python bench/bench_foreign_cards.py --sizes 20000 --seeds 7 --no-write   # a quick look

For each size, seed and column set: `python -m cardgen` writes a card file (SIMULATED; names from morae by
rules that share nothing with kartoteka.names or kartoteka.simulate) and its truth; `kartoteka import card
FILE --mapping ru-card` loads it into a fresh SQLite store; `kartoteka link` links it (a child process, timed:
wall clock and the CPU of the process and its workers); the persons are scored by pairwise precision, recall
and F1 against the truth. In the same run, plain Splink on DuckDB links the same CSV: Jaro-Winkler levels
(0.92, 0.8) with term-frequency adjustments on the raw surname, given name and father's name, exact birth
year, exact birthplace (and exact rank, unit, camp, death date where the file has them); the prior from a
deterministic rule, u by random sampling, m by EM on two blocking rules; predictions on the usual blocking
rules; clustered at its BEST threshold (every threshold of a grid is scored, the best F1 is kept, and Splink's
own clustering at that threshold is timed). Writes the "foreign-cards" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import median, write_section
from cardgen import ALL_COLUMNS, generate_file
from cardgen.writer import FIRST_CARD_LINE

PYTHON = sys.executable
# cardgen's headers -> plain Splink's column names
PLAIN_NAMES = dict(zip(ALL_COLUMNS, ("surname", "given_name", "patronymic", "birth_year", "birth_place", "rank",
                                     "unit", "camp", "death_date"), strict=True))
NAME_COLUMNS = ("surname", "given_name", "patronymic")
# Match weights whose thresholds the best-threshold scan tries (-6.5 to 20 in steps of 0.5).
SCAN_WEIGHTS = [w / 2 for w in range(-13, 41)]
PREDICT_THRESHOLD = 0.01  # pairs below this never link at any threshold of the scan


def run_kartoteka(*args: str) -> tuple[float, float, str]:
    """Run `kartoteka ARGS` in a child; return (wall seconds, CPU seconds of the child and its workers, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "-m", "kartoteka", *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"kartoteka {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    for line in done.stderr.splitlines():
        if "warning" in line.lower():
            print(f"    {line.strip()}", file=sys.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def pair_counts(frame: pd.DataFrame) -> tuple[int, int, int]:
    """(true positive pairs, predicted pairs, true pairs) of a frame with columns predicted, truth."""
    def pairs(sizes: pd.Series) -> int:
        return int((sizes * (sizes - 1) // 2).sum())
    return (pairs(frame.groupby(["predicted", "truth"]).size()), pairs(frame.groupby("predicted").size()),
            pairs(frame.groupby("truth").size()))


def scores(true_positives: int, predicted: int, actual: int) -> dict[str, float]:
    """Pairwise precision, recall and F1."""
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def read_truth(truth_path: Path) -> pd.Series:
    """record_ref -> person_id."""
    truth = pd.read_csv(truth_path, dtype=str)
    return truth.set_index("record_ref")["person_id"]


def kartoteka_figures(cards: Path, truth: pd.Series, workdir: Path) -> dict[str, Any]:
    """Import into a fresh SQLite store, link (timed), score the persons against the truth."""
    db = workdir / f"{cards.stem}.sqlite"
    db.unlink(missing_ok=True)
    import_wall, _, _ = run_kartoteka("-q", "-d", str(db), "import", "card", str(cards), "--mapping", "ru-card")
    # A runs directory of its own: each file is linked as a new user would, the readings cache cold.
    runs = workdir / f"{cards.stem}-runs"
    shutil.rmtree(runs, ignore_errors=True)
    wall, cpu, out = run_kartoteka("-q", "-d", str(db), "link", "--json", "--runs-dir", str(runs))
    summary = json.loads(out)
    with sqlite3.connect(db) as conn:
        assigned = pd.read_sql_query(
            "SELECT r.record_ref, pr.person_id FROM records r LEFT JOIN person_records pr ON pr.record_id = r.id",
            conn, dtype={"person_id": "string"})
    frame = pd.DataFrame({"record_ref": assigned["record_ref"],
                          "predicted": assigned["person_id"].fillna("single:" + assigned["record_ref"])})
    frame["truth"] = frame["record_ref"].map(truth)
    if frame["truth"].isna().any():
        raise SystemExit(f"{int(frame['truth'].isna().sum())} records of {cards} have no truth row")
    largest = frame.groupby("predicted").agg(records=("truth", "size"), men=("truth", "nunique"))
    biggest = largest.sort_values("records").iloc[-1]
    return {**scores(*pair_counts(frame)), "wall": wall, "cpu": cpu, "import_wall": import_wall,
            "persons": int(frame["predicted"].nunique()), "largest_records": int(biggest["records"]),
            "largest_men": int(biggest["men"]), "stages": summary.get("seconds")}


def read_plain_frame(cards: Path) -> pd.DataFrame:
    """The card file as plain Splink sees it: raw text, lower case, blanks as nulls; unique_id = row number."""
    frame = pd.read_csv(cards, dtype=str, keep_default_na=False, skiprows=1, encoding="utf-8")
    frame = frame.rename(columns=PLAIN_NAMES)[[PLAIN_NAMES[c] for c in frame.columns]]
    for column in frame.columns:
        text = frame[column].str.strip()
        if column in NAME_COLUMNS:
            text = text.str.lower()
        frame[column] = text.where(text != "", None)
    frame.insert(0, "unique_id", range(1, len(frame) + 1))
    return frame


def plain_settings(columns: list[str]) -> tuple[Any, list[Any]]:
    """A plain Splink set-up for the columns the file has, and its EM training blocks."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [cl.JaroWinklerAtThresholds(name, [0.92, 0.8]).configure(term_frequency_adjustments=True)
                   for name in NAME_COLUMNS if name in columns]
    comparisons += [cl.ExactMatch(name) for name in columns if name not in NAME_COLUMNS and name != "unique_id"]
    usable = [rule for rule in (("surname", "birth_year"), ("given_name", "birth_year"), ("surname", "given_name"),
                                ("surname", "patronymic")) if set(rule) <= set(columns)]
    settings = SettingsCreator(link_type="dedupe_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=[block_on(*rule) for rule in usable])
    training = [block_on(*rule) for rule in (("surname", "given_name"), ("patronymic", "birth_year"),
                                             ("given_name", "birth_year")) if set(rule) <= set(columns)][:2]
    return settings, training


def train_and_predict(frame: pd.DataFrame) -> tuple[Any, Any]:
    """Plain Splink on DuckDB: prior by a deterministic rule, u by sampling, m by EM; the scored pairs."""
    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    settings, training = plain_settings(list(frame.columns))
    connection = duckdb.connect(":memory:")
    connection.execute("SET enable_progress_bar = false")
    api = DuckDBAPI(connection=connection)
    linker = Linker(api.register(frame), settings, log_level=logging.ERROR)
    deterministic = [block_on(*rule) for rule in (("surname", "given_name", "birth_year"),)
                     if set(rule) <= set(frame.columns)] or [block_on("surname", "given_name")]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    for rule in training:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except Exception as exc:  # a plain set-up skips a block that trains nothing
            print(f"    plain Splink: EM on {rule} skipped ({exc})", file=sys.stderr)
    return linker, linker.inference.predict(threshold_match_probability=PREDICT_THRESHOLD)


def threshold_scan(pairs: pd.DataFrame, truth_ids: list[str]) -> list[tuple[float, dict[str, float]]]:
    """Pairwise scores of the connected components at every threshold of SCAN_WEIGHTS, in one pass.

    Pairs are merged in order of falling probability (union-find; each component keeps its count of records per
    true person, the smaller merged into the larger), and the counts are read off at each threshold."""
    parent = list(range(len(truth_ids)))
    members: list[dict[str, int] | None] = [{t: 1} for t in truth_ids]
    actual = int(sum(n * (n - 1) // 2 for n in pd.Series(truth_ids).value_counts()))
    ordered = pairs.sort_values("match_probability", ascending=False)
    left, right = ordered["unique_id_l"].to_numpy() - 1, ordered["unique_id_r"].to_numpy() - 1
    probability = ordered["match_probability"].to_numpy()
    thresholds = sorted((2**w / (1 + 2**w) for w in SCAN_WEIGHTS), reverse=True)
    true_positives = predicted = at = 0
    found: list[tuple[float, dict[str, float]]] = []

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for threshold in thresholds:
        while at < len(probability) and probability[at] >= threshold:
            a, b = find(int(left[at])), find(int(right[at]))
            at += 1
            if a == b:
                continue
            big, small = members[a], members[b]
            assert big is not None and small is not None
            if len(big) < len(small):
                a, b, big, small = b, a, small, big
            predicted += sum(big.values()) * sum(small.values())
            for person, count in small.items():
                true_positives += count * big.get(person, 0)
                big[person] = big.get(person, 0) + count
            parent[b], members[b] = a, None
        found.append((threshold, scores(true_positives, predicted, actual)))
    return found


def plain_figures(cards: Path, truth: pd.Series) -> dict[str, Any]:
    """Plain Splink on the card file, at its best threshold; time = read, train, predict, cluster once."""
    started, cpu_started = time.perf_counter(), time.process_time()
    frame = read_plain_frame(cards)
    linker, predictions = train_and_predict(frame)
    pairs = predictions.as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_probability"]]
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # The n-th card is on the editor's line n + 2 (after the SIMULATED line and the header): its record ref.
    truth_ids = truth.reindex([f"{cards.name}:{n + FIRST_CARD_LINE - 1}" for n in frame["unique_id"]]
                              ).astype(str).tolist()
    if truth.reindex([f"{cards.name}:{FIRST_CARD_LINE}"]).isna().any():
        raise SystemExit(f"{cards}: the truth's record refs are not the editor's lines; regenerate the file")
    best_threshold, best = max(threshold_scan(pairs, truth_ids), key=lambda item: item[1]["f1"])
    started, cpu_started = time.perf_counter(), time.process_time()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, best_threshold)
    clustered = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    wall += time.perf_counter() - started
    cpu += time.process_time() - cpu_started
    check = pd.DataFrame({"predicted": clustered["cluster_id"].astype(str),
                          "truth": [truth_ids[i - 1] for i in clustered["unique_id"]]})
    splink_f1 = scores(*pair_counts(check))["f1"]
    if abs(splink_f1 - best["f1"]) > 1e-6:  # the scan and Splink's own clustering must agree
        raise SystemExit(f"threshold scan F1 {best['f1']:.6f} but Splink's clusters give {splink_f1:.6f}")
    return {**best, "threshold": best_threshold, "wall": wall, "cpu": cpu, "pairs": len(pairs)}


def one_run(size: int, seed: int, columns: str, workdir: Path) -> dict[str, Any]:
    """Generate one file, link it both ways, score both."""
    cards = workdir / f"cards-{size}-{seed}-{columns}.csv"
    made = generate_file(cards, size, seed, columns)
    truth = read_truth(made.truth_path)
    print(f"{cards.name}: {made.cards:,} cards of {made.persons:,} persons", file=sys.stderr)
    ours = kartoteka_figures(cards, truth, workdir)
    print(f"  kartoteka link: F1 {ours['f1']:.4f} (P {ours['precision']:.4f} R {ours['recall']:.4f}) "
          f"{ours['wall']:.1f} s; largest person {ours['largest_records']} records of {ours['largest_men']} men",
          file=sys.stderr)
    plain = plain_figures(cards, truth)
    print(f"  plain Splink: best F1 {plain['f1']:.4f} (P {plain['precision']:.4f} R {plain['recall']:.4f}) at "
          f"{plain['threshold']:.4g}, {plain['wall']:.1f} s", file=sys.stderr)
    return {"size": size, "seed": seed, "columns": columns, "persons": made.persons, "ours": ours, "plain": plain}


TABLE_HEAD = ("| seed | persons | link F1 | P | R | link wall (CPU) s | plain best F1 | P | R | at p ≥ | "
              "plain wall (CPU) s | F1 gap | time ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
              "---:|---:|")


def _table_row(label: str, persons: float, ours: dict[str, float], plain: dict[str, float]) -> str:
    gap, ratio = ours["f1"] - plain["f1"], ours["wall"] / plain["wall"]
    return (f"| {label} | {persons:,.0f} | {ours['f1']:.4f} | {ours['precision']:.4f} | {ours['recall']:.4f} | "
            f"{ours['wall']:.1f} ({ours['cpu']:.1f}) | {plain['f1']:.4f} | {plain['precision']:.4f} | "
            f"{plain['recall']:.4f} | {plain['threshold']:.3g} | {plain['wall']:.1f} ({plain['cpu']:.1f}) | "
            f"{gap:+.4f} | {ratio:.2f} |")


def size_table(results: list[dict[str, Any]]) -> str:
    """One table: a row per seed and a row of medians."""
    lines = [TABLE_HEAD]
    for r in results:
        lines.append(_table_row(str(r["seed"]), r["persons"], r["ours"], r["plain"]))
    if len(results) > 1:
        med = {who: {key: median([r[who][key] for r in results]) for key in
                     ("f1", "precision", "recall", "wall", "cpu", *(("threshold",) if who == "plain" else ()))}
               for who in ("ours", "plain")}
        gap = median([r["ours"]["f1"] - r["plain"]["f1"] for r in results])
        ratio = median([r["ours"]["wall"] / r["plain"]["wall"] for r in results])
        row = _table_row("**median**", median([r["persons"] for r in results]), med["ours"], med["plain"])
        lines.append(row.rsplit("|", 3)[0] + f"| {gap:+.4f} | {ratio:.2f} |")
    return "\n".join(lines)


def report(results: list[dict[str, Any]], command: str) -> str:
    """The BENCHMARKS.md section body."""
    body = [
        "Card files from `cardgen` (SIMULATED; a second generator that shares nothing with kartoteka.simulate or "
        "kartoteka.names: names from morae by its own rules, its own Polivanov table, by-ear variants, typos, "
        "namesakes by a Zipf law, 1-4 cards a man; docs/explanation/second-card-generator.md), imported with "
        "`--mapping ru-card`, linked by `kartoteka link` (defaults) and by plain Splink on the same CSV "
        "(Jaro-Winkler 0.92/0.8 with term-frequency adjustments on the raw surname, given name and father's "
        "name, exact birth year and birthplace; prior by a deterministic rule, u by random sampling, m by EM; "
        "clustered at its best threshold, scanned). Pairwise precision (P), recall (R) and F1 of the persons. "
        "Times: wall clock (CPU seconds of all processes and threads); `link` is timed alone in its own "
        "process, a first run on the file (its own runs directory: the readings cache cold), plain Splink "
        "from reading the CSV to its clusters. Gap = link F1 - plain F1; ratio = link "
        "wall / plain wall. Targets (issue 14): link F1 ≥ 0.93, gap ≥ +0.05, ratio ≤ 3 (aim 2).",
    ]
    for size in sorted({r["size"] for r in results}):
        for columns in dict.fromkeys(r["columns"] for r in results):  # in the order asked
            chosen = [r for r in results if r["size"] == size and r["columns"] == columns]
            if chosen:
                body += ["", f"**{size:,} cards, {columns} columns:**", "", size_table(chosen)]
    body += ["", "Largest person of `link`: " + "; ".join(
        f"{r['size']:,}/{r['seed']}/{r['columns']}: {r['ours']['largest_records']} records of "
        f"{r['ours']['largest_men']} men" for r in results) + ".", "",
        f"Load average when the last run ended: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other jobs "
        "share this machine; wall times grow with it, CPU times much less).", "", f"Command: `{command}`."]
    return "\n".join(body)


def main() -> None:
    """Run the benchmark and write its section."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000], help="cards per file")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    parser.add_argument("--columns", nargs="+", choices=("five", "all", "random"), default=["five"],
                        help="column sets (five: surname, given name, father's name, birth year, birthplace)")
    parser.add_argument("--workdir", type=Path, help="where the files and stores go (default: a new temp dir)")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave BENCHMARKS.md alone")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-foreign-cards-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"work directory: {workdir}", file=sys.stderr)
    results = [one_run(size, seed, columns, workdir)
               for size in args.sizes for columns in args.columns for seed in args.seeds]
    (workdir / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    shown = " ".join(sys.argv[1:])
    body = report(results, f".venv/bin/python bench/bench_foreign_cards.py{' ' + shown if shown else ''}")
    if not args.no_write:
        write_section("foreign-cards", "Linkage on card files kartoteka did not make", body)
    print(body)


if __name__ == "__main__":
    main()
