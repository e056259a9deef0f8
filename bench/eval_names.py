"""Evaluate kartoteka.names on the real-name development set and on simulated clerk spellings.

    .venv/bin/python bench/eval_names.py [--candidates 5000] [--pairs 2000] [--no-write]

On tests/data/names_dev.tsv (real Cyrillic spellings from Russian sources):
- Cyrillic -> kana top-1 and top-5, strict and with long vowels folded;
- kanji -> kana top-1 (full names, with and without a space between surname and given name);
- retrieval: each Cyrillic spelling ranks N real kanji full names (the set's persons plus distractors
  combined from the real surname and given-name tables) by ``similarity``; top-1 and top-5.
Every figure is given for the whole set and for its held-out part (persons whose hash puts them outside
the part used while tuning), so overfitting shows.

On simulated pairs (names drawn from the real-name tables, spelt through ``kartoteka.names.channel``,
profile "realistic" and "harsh"): how often a true pair (kanji vs the clerk's Cyrillic, and vs the
ministry's katakana) shares a blocking key at each level, how often two different names do, and the
similarity of true and false pairs. Writes the section "names-eval" of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import write_section  # noqa: E402
from kartoteka.names import keys, readings, similarity  # noqa: E402
from kartoteka.names.channel import PROFILES, ministry_katakana_from_cyrillic, write_cyrillic_by_ear  # noqa: E402
from kartoteka.names.kana import fold_long_vowels  # noqa: E402
from kartoteka.names.kanji import name_tables  # noqa: E402

DEVSET = ROOT / "tests" / "data" / "names_dev.tsv"


def is_holdout(row: dict[str, str]) -> bool:
    """A fixed third of the persons, by a hash of the kanji name: never looked at while tuning."""
    digest = hashlib.sha256((row["kanji_surname"] + row["kanji_given"]).encode()).digest()
    return digest[0] % 3 == 0


def load_devset() -> list[dict[str, str]]:
    with DEVSET.open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["cyrillic"].strip()]


def _pct(hits: int, total: int) -> str:
    return f"{100 * hits / total:.1f}% ({hits}/{total})" if total else "n/a"


def _merge_dz(kana: str) -> str:
    """ぢ/づ as じ/ず: Polivanov writes both дзи/дзу, so no reading of Cyrillic can tell them apart."""
    return kana.translate(str.maketrans("ヂヅ", "ジズ"))


def cyrillic_to_kana(rows: list[dict[str, str]]) -> dict[str, dict[str, int]]:
    """Counts of top-1/top-5 hits, strict and folded, over rows."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        truth = f"{row['kana_surname']} {row['kana_given']}"
        found = [r.kana for r in readings(row["cyrillic"], limit=5)]
        fold = [fold_long_vowels(k) for k in found]
        counts["n"] += 1
        counts["strict1"] += bool(found[:1] == [truth])
        counts["strict5"] += truth in found
        counts["fold1"] += bool(fold[:1] == [fold_long_vowels(truth)])
        counts["fold5"] += fold_long_vowels(truth) in fold
        merged = [_merge_dz(k) for k in fold]
        counts["merged1"] += bool(merged[:1] == [_merge_dz(fold_long_vowels(truth))])
        counts["merged5"] += _merge_dz(fold_long_vowels(truth)) in merged
    return counts


def kanji_to_kana(rows: list[dict[str, str]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    seen = set()
    for row in rows:
        key = (row["kanji_surname"], row["kanji_given"])
        if key in seen:
            continue
        seen.add(key)
        truth = f"{row['kana_surname']} {row['kana_given']}"
        counts["n"] += 1
        spaced = readings(f"{key[0]} {key[1]}", limit=1)
        joined = readings(key[0] + key[1], limit=1)
        counts["spaced"] += bool(spaced and spaced[0].kana == truth)
        counts["joined"] += bool(joined and joined[0].kana == truth)
    return counts


def devset_keys(rows: list[dict[str, str]]) -> dict[str, int]:
    """Does a Cyrillic spelling share a key with its person's kanji (per level), and with other persons'?"""
    counts: dict[str, int] = defaultdict(int)
    persons = list(dict.fromkeys(f"{r['kanji_surname']} {r['kanji_given']}" for r in rows))
    person_keys = {p: keys(p) for p in persons}
    for row in rows:
        mine = f"{row['kanji_surname']} {row['kanji_given']}"
        cyr = keys(row["cyrillic"])
        counts["n"] += 1
        for level in "kfvc":
            counts[f"true_{level}"] += any(k[0] == level for k in cyr & person_keys[mine])
        counts["true_any"] += bool(cyr & person_keys[mine])
        for other in persons:
            if other != mine:
                counts["pairs"] += 1
                counts["false_any"] += bool(cyr & person_keys[other])
    return counts


def candidates(rows: list[dict[str, str]], total: int, seed: int = 1) -> list[str]:
    """The set's kanji full names plus distractors from the real tables (whose best reading differs)."""
    persons = list(dict.fromkeys(f"{r['kanji_surname']} {r['kanji_given']}" for r in rows))
    taken = {f"{r['kana_surname']} {r['kana_given']}" for r in rows}
    tables = name_tables()
    rng = random.Random(seed)
    surnames = rng.choices(range(len(tables.surnames)), weights=tables.surnames.weight, k=total * 2)
    given = rng.choices(range(len(tables.given)), weights=tables.given.weight, k=total * 2)
    out = list(persons)
    for s, g in zip(surnames, given, strict=True):
        if len(out) >= total:
            break
        name = f"{tables.surnames.kanji[s]} {tables.given.kanji[g]}"
        reading = f"{tables.surnames.katakana[s]} {tables.given.katakana[g]}"
        if reading not in taken and name not in out:
            taken.add(reading)
            out.append(name)
    return out


def retrieval(rows: list[dict[str, str]], pool: list[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        truth = f"{row['kanji_surname']} {row['kanji_given']}"
        scored = sorted(((similarity(row["cyrillic"], name), name) for name in pool), key=lambda t: -t[0])
        truth_score = next(score for score, name in scored if name == truth)
        better = sum(1 for score, _ in scored if score > truth_score)
        counts["n"] += 1
        counts["top1"] += better == 0
        counts["top5"] += better < 5
    return counts


def simulated(pairs: int, profile: str, seed: int = 7) -> dict[str, float]:
    """Key sharing and similarity of simulated true pairs (kanji vs clerk Cyrillic / ministry katakana)."""
    tables = name_tables()
    rng = random.Random(seed)
    s_idx = rng.choices(range(len(tables.surnames)), weights=tables.surnames.weight, k=pairs)
    g_idx = rng.choices(range(len(tables.given)), weights=tables.given.weight, k=pairs)
    rates = PROFILES[profile]
    stats: dict[str, float] = defaultdict(float)
    names = []
    hard = []  # same surname, another given name: the negatives a linkage meets inside a block
    for i, (s, g) in enumerate(zip(s_idx, g_idx, strict=True)):
        kanji_name = f"{tables.surnames.kanji[s]} {tables.given.kanji[g]}"
        kana = f"{tables.surnames.katakana[s]} {tables.given.katakana[g]}"
        cyr = write_cyrillic_by_ear(kana, rng, rates)
        ministry = ministry_katakana_from_cyrillic(cyr, rng, rates)
        names.append((kanji_name, cyr, ministry))
        other_given = tables.given.katakana[g_idx[(i + 1) % len(g_idx)]]
        if other_given != tables.given.katakana[g]:
            hard.append(
                (
                    kanji_name,
                    write_cyrillic_by_ear(f"{tables.surnames.katakana[s]} {other_given}", rng, rates),
                )
            )
    for kanji_name, cyr, ministry in names:
        k_keys, c_keys, m_keys = keys(kanji_name), keys(cyr), keys(ministry)
        surname_keys = keys(kanji_name.split(" ")[0])
        stats["sur_cyr_f"] += any(k[0] == "f" for k in surname_keys & keys(cyr.split(" ")[0]))
        stats["sur_min_f"] += any(k[0] == "f" for k in surname_keys & keys(ministry.split("・")[0]))
        for level in "kfvc":
            stats[f"cyr_{level}"] += bool({k for k in k_keys & c_keys if k[0] == level})
            stats[f"min_{level}"] += bool({k for k in k_keys & m_keys if k[0] == level})
        stats["cyr_any"] += bool(k_keys & c_keys)
        stats["min_any"] += bool(k_keys & m_keys)
        stats["sim_cyr"] += similarity(kanji_name, cyr)
        stats["sim_min"] += similarity(kanji_name, ministry)
        stats["cyr_90"] += similarity(kanji_name, cyr) >= 0.9
        stats["min_90"] += similarity(kanji_name, ministry) >= 0.9
    for i, (kanji_name, _, _) in enumerate(names):
        other = names[(i + 1) % len(names)][1]
        shared = keys(kanji_name) & keys(other)
        other_surname = keys(other.split(" ")[0])
        stats["sur_false_f"] += any(k[0] == "f" for k in keys(kanji_name.split(" ")[0]) & other_surname)
        for level in "kfvc":
            stats[f"false_{level}"] += bool({k for k in shared if k[0] == level})
        stats["false_any"] += bool(shared)
        stats["sim_false"] += similarity(kanji_name, other)
    out = {k: v / len(names) for k, v in stats.items()}
    out["sim_hard"] = sum(similarity(k, c) for k, c in hard) / len(hard)
    out["hard_90"] = sum(similarity(k, c) >= 0.9 for k, c in hard) / len(hard)
    return out


def _table(title: str, all_rows: dict, held: dict, lines: list[tuple[str, str]]) -> str:
    body = [f"| {title} | all | held-out |", "|---|---|---|"]
    for label, key in lines:
        body.append(f"| {label} | {_pct(all_rows[key], all_rows['n'])} | {_pct(held[key], held['n'])} |")
    return "\n".join(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = load_devset()
    held = [r for r in rows if is_holdout(r)]
    start = time.perf_counter()
    c_all, c_held = cyrillic_to_kana(rows), cyrillic_to_kana(held)
    k_all, k_held = kanji_to_kana(rows), kanji_to_kana(held)
    pool = candidates(rows, args.candidates)
    r_all = retrieval(rows, pool)
    r_held = retrieval(held, pool)
    keys_all = devset_keys(rows)
    sims = {profile: simulated(args.pairs, profile) for profile in ("realistic", "harsh")}
    elapsed = time.perf_counter() - start
    sections = [
        f"Development set: {len(rows)} real Cyrillic spellings of "
        f"{len({(r['kanji_surname'], r['kanji_given']) for r in rows})} persons (tests/data/names_dev.tsv); "
        f"held-out third: {len(held)} spellings. Retrieval pool: {len(pool)} real kanji full names.",
        _table(
            "Cyrillic -> kana",
            c_all,
            c_held,
            [
                ("top-1, long vowels folded", "fold1"),
                ("top-5, long vowels folded", "fold5"),
                ("top-1, long vowels folded, ぢ/づ = じ/ず", "merged1"),
                ("top-5, long vowels folded, ぢ/づ = じ/ず", "merged5"),
                ("top-1, strict", "strict1"),
                ("top-5, strict", "strict5"),
            ],
        ),
        _table(
            "kanji -> kana (full name)",
            k_all,
            k_held,
            [("top-1, surname and given name spaced", "spaced"), ("top-1, written together", "joined")],
        ),
        _table(
            f"retrieval among {len(pool)}",
            r_all,
            r_held,
            [("top-1", "top1"), ("top-5", "top5")],
        ),
        _keys_table(keys_all),
        _simulated_table(sims, args.pairs),
        f"Command: `.venv/bin/python bench/eval_names.py --candidates {args.candidates} --pairs {args.pairs}` "
        f"({elapsed:.0f} s).",
    ]
    body = "\n\n".join(sections)
    print(body)
    if not args.no_write:
        write_section("names-eval", "Names: accuracy on real spellings and simulated clerk errors", body)


def _keys_table(counts: dict[str, int]) -> str:
    lines = ["| keys on the development set (full-name keys) | share |", "|---|---|"]
    for level in "kfvc":
        lines.append(
            f"| Cyrillic spelling shares a level-{level} key with its kanji | {_pct(counts[f'true_{level}'], counts['n'])} |"
        )
    lines.append(f"| ... shares any key | {_pct(counts['true_any'], counts['n'])} |")
    lines.append(
        f"| shares any key with another person's kanji (all pairs) | {_pct(counts['false_any'], counts['pairs'])} |"
    )
    return "\n".join(lines)


def _simulated_table(sims: dict[str, dict[str, float]], pairs: int) -> str:
    lines = [
        f"Simulated pairs ({pairs} names from the real tables per profile, SIMULATED spellings): share of "
        "true pairs that share a key at each level, share of different-name pairs that do, mean similarity.",
        "",
        "| measure | " + " | ".join(sims) + " |",
        "|---|" + "---|" * len(sims),
    ]
    rows = [("kanji vs clerk Cyrillic: shares a key of level " + lv, f"cyr_{lv}") for lv in "kfvc"]
    rows += [("kanji vs clerk Cyrillic: shares any key", "cyr_any")]
    rows += [("kanji vs ministry katakana: shares a key of level " + lv, f"min_{lv}") for lv in "kfvc"]
    rows += [("kanji vs ministry katakana: shares any key", "min_any")]
    rows += [("different names: share a key of level " + lv, f"false_{lv}") for lv in "kfvc"]
    rows += [("different names: share any key", "false_any")]
    rows += [
        ("surname alone: kanji vs clerk Cyrillic share a level-f key", "sur_cyr_f"),
        ("surname alone: kanji vs ministry katakana share a level-f key", "sur_min_f"),
        ("surname alone: different persons share a level-f key", "sur_false_f"),
    ]
    rows += [
        ("mean similarity, kanji vs clerk Cyrillic", "sim_cyr"),
        ("mean similarity, kanji vs ministry", "sim_min"),
    ]
    rows += [("mean similarity, different names", "sim_false")]
    rows += [
        ("mean similarity, same surname but another given name (kanji vs clerk Cyrillic)", "sim_hard"),
        ("similarity >= 0.9: kanji vs clerk Cyrillic of the same person", "cyr_90"),
        ("similarity >= 0.9: kanji vs ministry katakana of the same person", "min_90"),
        ("similarity >= 0.9: same surname, another given name", "hard_90"),
    ]
    for label, key in rows:
        values = " | ".join(
            f"{sims[p][key]:.3f}" if key.startswith("sim") else f"{100 * sims[p][key]:.1f}%" for p in sims
        )
        lines.append(f"| {label} | {values} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
