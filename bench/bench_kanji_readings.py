"""Kanji → katakana top-1 on real names, and the cost of loading the bundled name data.

Measures, for `kartoteka.names.kanji`:
  - top-1 and top-5 of `kanji_readings` on the development set tests/data/names_dev.tsv (one row per distinct
    person), per part and for the full name (both parts right);
  - top-1 of `full_name_readings` on the same names written without a separator (split + reading);
  - the same on the real people held out of the table weights (names/data/heldout_persons.tsv.gz, from JMnedict),
    all of them and those born 1880-1935;
  - the time to load the bundle in a fresh interpreter (median of several runs).

Run:  .venv/bin/python bench/bench_kanji_readings.py [--runs 5] [--no-write]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import median, write_section
from kartoteka.names import kanji as K

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "data" / "names_dev.tsv"
LOAD_SNIPPET = (
    "import time; t = time.perf_counter(); c = time.process_time(); from kartoteka.names import kanji as K; "
    "K.kanji_readings('東海林', 'surname'); K.kanji_readings('五十六', 'given'); "
    "K.surname_prior(); K.given_prior(); K.name_tables(); "
    "print(time.perf_counter() - t, time.process_time() - c)"
)


def devset_people() -> list[tuple[str, str, str, str]]:
    """Distinct (kanji surname, kanji given, kana surname, kana given) of the development set."""
    with DEVSET.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        people = {(r["kanji_surname"], r["kanji_given"], r["kana_surname"], r["kana_given"]) for r in rows}
    return sorted(p for p in people if all(p))


def heldout_people(era_only: bool) -> list[tuple[str, str, str, str]]:
    path = resources.files("kartoteka.names") / "data" / "heldout_persons.tsv.gz"
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()[1:]
    out = []
    for line in lines:
        _idseq, s, s_kana, g, g_kana, year = line.split("\t")
        if era_only and not (year.isdigit() and 1880 <= int(year) <= 1935):
            continue
        out.append((s, g, s_kana, g_kana))
    return out


def score(people: list[tuple[str, str, str, str]]) -> dict[str, float]:
    """Top-1 / top-5 rates per part, both parts, and the unseparated full name."""
    hits = dict.fromkeys(("surname1", "surname5", "given1", "given5", "both1", "full1"), 0)
    for s, g, s_kana, g_kana in people:
        s_read = [k for k, _ in K.kanji_readings(s, "surname")]
        g_read = [k for k, _ in K.kanji_readings(g, "given")]
        hits["surname1"] += s_read[:1] == [s_kana]
        hits["surname5"] += s_kana in s_read
        hits["given1"] += g_read[:1] == [g_kana]
        hits["given5"] += g_kana in g_read
        hits["both1"] += s_read[:1] == [s_kana] and g_read[:1] == [g_kana]
        best = K.full_name_readings(s + g)[:1]
        hits["full1"] += bool(best) and (best[0].surname_kana, best[0].given_kana) == (s_kana, g_kana)
    return {k: v / max(len(people), 1) for k, v in hits.items()}


def unknown_score(people: list[tuple[str, str, str, str]]) -> dict[str, float]:
    """Top-1 / top-5 when each multi-character part is read as if the tables did not know its spelling."""
    hits: dict[str, list[int]] = {"surname": [0, 0, 0], "given": [0, 0, 0]}
    for s, g, s_kana, g_kana in people:
        for part, text, kana in (("surname", s, s_kana), ("given", g, g_kana)):
            if len(text) < 2:
                continue
            readings = [k for k, _ in K._segmented_readings(text, part, 5, whole=False)][:5]
            hits[part][0] += 1
            hits[part][1] += readings[:1] == [kana]
            hits[part][2] += kana in readings
    return {f"{p}{k}": h[i] / max(h[0], 1) for p, h in hits.items() for i, k in ((1, "1"), (2, "5"))}


def ceiling_lines() -> list[str]:
    """The build's ranking ceiling (names/data/BUILD.json): how far any per-part ranking of these sources can get."""
    build = json.loads(
        (resources.files("kartoteka.names") / "data" / "BUILD.json").read_text(encoding="utf-8")
    )
    labels = {
        "as_built": "the ranking as built",
        "with_other_heldout": "the same, with the other held-out people counted too",
        "majority_in_sample": "each spelling's commonest reading among all JMnedict people, these included (in-sample)",
    }
    lines = [
        "| JMnedict people held out of the weights: top-1 of | n | surname | given | both |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, r in build.get("ranking_ceiling", {}).items():
        subset, method = key.split(": ")
        lines.append(
            f"| {labels[method]} ({subset}) | {r['n']} | {r['surname']:.1%} | {r['given']:.1%} | {r['both']:.1%} |"
        )
    return lines if len(lines) > 2 else []


def load_seconds(runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds to load everything (tables, priors, first readings) afresh."""
    wall, cpu = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", LOAD_SNIPPET], capture_output=True, text=True, check=True)
        w, c = out.stdout.split()
        wall.append(float(w))
        cpu.append(float(c))
    return median(wall), median(cpu)


def misses(people, limit: int = 15) -> list[str]:
    out = []
    for s, g, s_kana, g_kana in people:
        got_s = K.kanji_readings(s, "surname")[:1]
        got_g = K.kanji_readings(g, "given")[:1]
        if [k for k, _ in got_s] != [s_kana] or [k for k, _ in got_g] != [g_kana]:
            out.append(f"{s} {g}: expected {s_kana} {g_kana}, got {got_s[:1]} {got_g[:1]}")
    return out[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    sets = {
        "development set (tests/data/names_dev.tsv)": devset_people(),
        "JMnedict people held out of the weights, born 1880-1935": heldout_people(era_only=True),
        "JMnedict people held out of the weights, all": heldout_people(era_only=False),
    }
    lines = [
        "| names | n | surname top-1 | surname top-5 | given top-1 | given top-5 | both top-1 | unseparated full name top-1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, people in sets.items():
        r = score(people)
        lines.append(
            f"| {label} | {len(people)} | {r['surname1']:.1%} | {r['surname5']:.1%} | {r['given1']:.1%} | "
            f"{r['given5']:.1%} | {r['both1']:.1%} | {r['full1']:.1%} |"
        )
        if args.show_misses:
            print(label, *misses(people), sep="\n  ")
    for label, people in (
        ("born 1880-1935", heldout_people(era_only=True)),
        ("all", heldout_people(era_only=False)),
    ):
        r = unknown_score(people)
        lines.append(
            f"| same people ({label}), each spelling read as if unknown (segmentation + reading prior) | "
            f"{len(people)} | {r['surname1']:.1%} | {r['surname5']:.1%} | {r['given1']:.1%} | {r['given5']:.1%} | | |"
        )
    wall, cpu = load_seconds(args.runs)
    ceiling = ceiling_lines()
    if ceiling:
        lines += [
            "",
            "Ceiling (computed by `bench/build_name_data.py` from the JMnedict counts, in BUILD.json). The last row of "
            "each group knows how often each spelling is read each way among all JMnedict people, the held-out ones "
            "themselves included, so it bounds what any ranking of per-part reading frequencies can reach; it still "
            "misses the people who bear a minority reading (知子 サトコ, 哲夫 アキオ, 寛 カン). Counting the other "
            "held-out people (each left out in turn) gains nothing: about an unseen person, the ranking as built "
            "already gets what these sources can tell.",
            "",
            *ceiling,
        ]
    body = "\n".join(lines) + (
        f"\n\nLoading the whole bundle (tables, priors, first readings) in a fresh interpreter: {wall:.2f} s wall, "
        f"{cpu:.2f} s CPU (medians of {args.runs}; the wall time grows with the machine's load).\n"
        "Top-1: the first reading of `kanji_readings(kanji, part)` equals the real reading (kana as written in "
        "kana: トウジョウ, オオノ). The JMnedict rows are real people whose readings were kept out of the weights "
        "(1 in 5 by a hash), but their spellings remain in the tables, so they test ranking, not coverage; the per-character model that reads them as if unknown is learned without their spellings.\n"
        "Command: `.venv/bin/python bench/bench_kanji_readings.py`"
    )
    print(body)
    if not args.no_write:
        write_section("kanji-readings", "Kanji → kana readings (kartoteka.names.kanji)", body)


if __name__ == "__main__":
    main()
