"""Speed of kartoteka.names: dictionary load, readings (cold and cached), similarity with cached readings.

    .venv/bin/python bench/bench_names.py [--names 1000] [--calls 100000] [--runs 5] [--no-write]

Names are drawn from the real-name tables and spelt through the clerk channel (profile "realistic"), so the
Cyrillic is the kind the linkage sees (SIMULATED spellings). Writes the section "names-speed" of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import median, write_section  # noqa: E402

LOAD_SNIPPET = (
    "import time; t = time.perf_counter(); from kartoteka import names; "
    "names.readings('Ямамото', part='surname'); names.readings('Исороку', part='given'); "
    "names.readings('山本五十六'); print(time.perf_counter() - t)"
)


def load_seconds(runs: int) -> float:
    """Fresh interpreter: import, load the name tables, build both tries, first readings in three scripts."""
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", LOAD_SNIPPET], capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return median(times)


def sample_names(count: int, seed: int = 3) -> tuple[list[str], list[str], list[str]]:
    """(clerk Cyrillic full names, kanji full names, katakana full names) of real names (SIMULATED spellings)."""
    from kartoteka.names.channel import PROFILES, write_cyrillic_by_ear
    from kartoteka.names.kanji import name_tables

    tables = name_tables()
    rng = random.Random(seed)
    s_idx = rng.choices(range(len(tables.surnames)), weights=tables.surnames.weight, k=count)
    g_idx = rng.choices(range(len(tables.given)), weights=tables.given.weight, k=count)
    cyrillic, kanji_names, kana = [], [], []
    for s, g in zip(s_idx, g_idx, strict=True):
        kana_name = f"{tables.surnames.katakana[s]} {tables.given.katakana[g]}"
        cyrillic.append(write_cyrillic_by_ear(kana_name, rng, PROFILES["realistic"]))
        kanji_names.append(f"{tables.surnames.kanji[s]} {tables.given.kanji[g]}")
        kana.append(kana_name)
    return cyrillic, kanji_names, kana


def _clear_caches() -> None:
    import importlib

    decode = importlib.import_module("kartoteka.names.decode")
    readings = importlib.import_module("kartoteka.names.readings")
    similarity = importlib.import_module("kartoteka.names.similarity")
    for fn in (
        readings._readings_cached,
        readings.word_readings,
        readings.word_log_scores,
        readings.ordered_words,
        decode.decoded_word,
        similarity.forms,
        similarity._keys_cached,
    ):
        fn.cache_clear()


def readings_rate(texts: list[str], part: str | None = None) -> float:
    from kartoteka.names import readings

    start = time.perf_counter()
    for text in texts:
        readings(text, part=part)
    return len(texts) / (time.perf_counter() - start)


def _split_by_table(words: list[str], part: str) -> tuple[list[str], list[str]]:
    """The words whose cleaned spelling the table of decoded spellings holds as ``part``, and the others."""
    from kartoteka.names import spellings
    from kartoteka.names.decode import clean_cyrillic_word

    held = [spellings.lookup(clean_cyrillic_word(word), part) is not None for word in words]
    return ([w for w, h in zip(words, held, strict=True) if h], [w for w, h in zip(words, held, strict=True) if not h])


def devset_table_share() -> tuple[int, int]:
    """(words in the table, words) over the development set's real Cyrillic surnames and given names."""
    import csv

    rows = list(csv.DictReader((ROOT / "tests" / "data" / "names_dev.tsv").open(encoding="utf-8"), delimiter="\t"))
    hits = total = 0
    for row in rows:
        found = row["cyrillic"].split()
        if len(found) != 2:
            continue
        surname, given = (found[::-1] if row["cyrillic_order"] == "given-first" else found)
        for word, part in ((surname, "surname"), (given, "given")):
            in_table, _ = _split_by_table([word], part)
            hits += len(in_table)
            total += 1
    return hits, total


def similarity_rate(left: list[str], right: list[str], calls: int) -> float:
    from kartoteka.names import similarity

    rng = random.Random(5)
    pairs = [(rng.choice(left), rng.choice(right)) for _ in range(calls)]
    for a, b in pairs[:2000]:  # fill the caches (readings of every name are cached from here on)
        similarity(a, b)
    for text in left + right:
        similarity(text, text + " ")
    start = time.perf_counter()
    for a, b in pairs:
        similarity(a, b)
    return calls / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    busy_before = os.getloadavg()[0]
    load = load_seconds(max(3, args.runs // 2))
    warm_cyrillic, _, _ = sample_names(args.names, seed=99)
    readings_rate(warm_cyrillic)  # the decoder's per-node caches fill on first use: measure steady state
    cyrillic, kanji_names, kana = sample_names(args.names)
    surnames = [name.split(" ")[0] for name in cyrillic]
    in_table, not_in_table = _split_by_table(surnames, "surname")
    cold_full, cold_part, cold_hit, cold_miss, cached, sims = [], [], [], [], [], []
    for _ in range(args.runs):
        _clear_caches()
        cold_part.append(readings_rate(surnames, part="surname"))
        _clear_caches()
        cold_hit.append(readings_rate(in_table, part="surname"))
        _clear_caches()
        cold_miss.append(readings_rate(not_in_table, part="surname"))
        _clear_caches()
        cold_full.append(readings_rate(cyrillic))
        cached.append(readings_rate(cyrillic * 20))
        sims.append(similarity_rate(cyrillic, kanji_names + kana, args.calls))
    busy = max(busy_before, os.getloadavg()[0])
    dev_hits, dev_words = devset_table_share()
    share = len(in_table) / len(surnames)
    lines = [
        f"Names: {args.names} real names spelt by the clerk channel (profile realistic, SIMULATED spellings); "
        f"medians of {args.runs} runs. 'New' names are not in the readings caches; the decoder's own per-node "
        "caches are warmed first by as many other names (steady state of a long run such as a linkage). "
        "Spellings that the table of decoded spellings (data/decoded_spellings.tsv.gz, the decoder's own "
        "answers for the likeliest clerk spellings, built by bench/build_spellings.py) holds are answered "
        "from it; the rest are decoded. "
        f"Load average (1 min) up to {busy:.1f} on the machine's {os.cpu_count()} cores during the run: "
        "other work on the machine slows every figure.",
        "",
        "| measure | figure | target |",
        "|---|---|---|",
        f"| dictionaries loaded (fresh process: name tables, both tries, the table of decoded spellings, first "
        f"reading in 3 scripts) | {load:.2f} s | < 2 s |",
        f"| `readings`, new Cyrillic surname, `part='surname'`, the clerks' mix ({share:.1%} of these spellings "
        f"are in the table) | {median(cold_part):,.0f} /s | ≥ 20,000 /s |",
        f"| `readings`, new Cyrillic surname in the table | {median(cold_hit):,.0f} /s | |",
        f"| `readings`, new Cyrillic surname not in the table (the decoder runs) | {median(cold_miss):,.0f} /s | |",
        f"| `readings`, new Cyrillic full name, no part (both orders weighed: 4 words) | {median(cold_full):,.0f} /s "
        "| |",
        f"| `readings`, cached (the same names again) | {median(cached):,.0f} /s | |",
        f"| `similarity`, Cyrillic vs kanji/katakana, readings cached | {median(sims):,.0f} /s | ≥ 50,000 /s |",
        "",
        f"Real spellings: of the {dev_words} Cyrillic words (surname or given name) of the development set "
        f"(tests/data/names_dev.tsv, Russian-language sources), {dev_hits} ({dev_hits / dev_words:.1%}) are in "
        "the table as that part; the others are decoded.",
        "",
        "Command: `.venv/bin/python bench/bench_names.py "
        f"--names {args.names} --calls {args.calls} --runs {args.runs}`. Uses rapidfuzz for the edit distance.",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("names-speed", "Names: speed", body)


if __name__ == "__main__":
    main()
