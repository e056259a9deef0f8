"""Build the bundled name data under src/kartoteka/names/data/ from real name sources.

Sources (build time only; kartoteka runs without jamdict-data):
  - JMnedict (EDRDG, CC BY-SA 4.0) from the SQLite file of the `jamdict-data` package: surname, given,
    masc, fem entries give kanji/reading pairs; `person` entries (real people, with "Surname Given" glosses)
    give evidence of which reading a surname or given name usually has.
  - japanese-personal-name-dataset (MIT): 1,999 surnames with estimated populations, male and female given
    names by reading with their kanji spellings, and a "popular" subset.
  - SudachiPy + sudachidict-core (Apache 2.0): person-name lexicon entries (名詞,固有名詞,人名,姓/名) with
    readings; the analyser's own choice of reading for "<name>さん" marks the reading it prefers.
  - KANJIDIC2 (EDRDG, CC BY-SA 4.0, in the same SQLite file): per-character on/kun/nanori readings.
  - kyujipy (MIT) and joyokanji (Apache 2.0): old (kyūjitai) -> new (shinjitai) kanji forms.

Run:  .venv/bin/python bench/build_name_data.py [--jamdict-db PATH]
Writes: surnames.tsv.gz, given_names.tsv.gz, surname_reading_prior.tsv.gz, given_reading_prior.tsv.gz,
        name_char_readings.tsv.gz, kanji_chars.tsv.gz, itaiji.tsv, kyujitai.tsv, heldout_persons.tsv.gz, BUILD.json
How the weights are derived is written in docs/how-to/rebuild-name-data.md and in BUILD.json.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import importlib.util
import itertools
import json
import math
import re
import sqlite3
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import name_data_chars

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "kartoteka" / "names" / "data"

# Pseudo-counts for the evidence that a kanji spelling is read a given way, per part (see the how-to page).
# Fitted with --tune: coordinate ascent on top-1 over the JMnedict people held out of the counts.
SOURCES = (
    "dataset_main",
    "dataset",
    "dataset_popular",
    "sudachi",
    "sudachi_top",
    "jmnedict",
    "person",
    "person_era",
)
# dataset_main: the reading the name dataset gives a top-1,999 surname; dataset: listed in the name dataset
# (given names); dataset_popular: its reading is in the dataset's "popular" subset; sudachi: a Sudachi
# person-name entry; sudachi_top: Sudachi's own choice for "<name>さん"; jmnedict: a JMnedict name entry;
# person: each real person in JMnedict who bears this part with this reading; person_era: more for each such
# person born 1880-1935, the internees' generation.
EVIDENCE = {
    "surname": {
        **dict.fromkeys(SOURCES, 0.0),
        **{
            "dataset_main": 1.0,
            "sudachi": 8.0,
            "sudachi_top": 0.25,
            "jmnedict": 4.0,
            "person": 3.0,
            "person_era": 6.0,
        },
    },
    "given": {
        **dict.fromkeys(SOURCES, 0.0),
        **{
            "dataset": 3.0,
            "sudachi": 2.0,
            "sudachi_top": 2.0,
            "jmnedict": 6.0,
            "person": 3.0,
            "person_era": 2.0,
        },
    },
}
# P(reading | spelling) is proportional to score ** SHARPNESS: fitted with --tune as the power that maximises the
# log-likelihood of the held-out people's readings (the scores above rank; this calibrates them).
SHARPNESS = {"surname": 2.0, "given": 2.0}
# P(given-name spelling) ∝ era people + GIVEN_MASS[0] × all people + GIVEN_MASS[1] × listing score ** GIVEN_MASS[2]
GIVEN_MASS = (0.3, 0.0001, 3.0)
ERA = (1880, 1935)
JAPAN_POPULATION = 125_000_000
HELDOUT_MODULUS = 5  # persons whose idseq hashes to 0 mod 5 are held out of the counts, for evaluation

NAME_CHARS = re.compile(
    r"^[\u3005\u3041-\u3096\u30a1-\u30fa\u30fc\u30f6\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]+$"
)
HAS_KANJI = re.compile(r"[\u3005\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")


def to_katakana(kana: str) -> str:
    """Hiragana to katakana (other characters unchanged)."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in kana)


def is_name_spelling(text: str) -> bool:
    """A written name worth keeping: kanji (and kana) only, at least one kanji."""
    return bool(NAME_CHARS.match(text)) and bool(HAS_KANJI.search(text)) and len(text) <= 8


def is_reading(kana: str) -> bool:
    return bool(re.fullmatch(r"[\u30a1-\u30fa\u30fc]+", kana))


def package_dir(name: str) -> Path:
    """Where an installed package's files are, without importing it (kyujipy imports cson, unneeded here)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{name} is not installed: pip install --no-deps {name.replace('_', '-')} (build time only)")
    return Path(next(iter(spec.submodule_search_locations)))


def default_jamdict_db() -> Path:
    return package_dir("jamdict_data") / "jamdict.db"


class Evidence:
    """Evidence per (kanji, katakana) for one part: how many times each source vouches for it, and sex."""

    def __init__(self, part: str) -> None:
        self.part = part
        self.weights = EVIDENCE[part]
        self.features: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.sex: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)

    def add(self, kanji: str, kana: str, source: str, sex: str | None = None) -> None:
        kanji = unicodedata.normalize("NFKC", kanji)
        kana = to_katakana(unicodedata.normalize("NFKC", kana))
        if not is_name_spelling(kanji) or not is_reading(kana):
            return
        key = (kanji, kana)
        if not source.startswith("person"):  # a listing counts once; every real person counts
            self.features[key][source] = 1
        else:
            self.features[key][source] += 1
        if sex:
            self.sex[key][sex] += 1

    def score(self, key: tuple[str, str], weights: dict[str, float] | None = None) -> float:
        weights = weights or self.weights
        return sum(weights[source] * n for source, n in self.features[key].items())

    def flags(self, key: tuple[str, str]) -> list[str]:
        return sorted(self.features[key])

    def spellings(self) -> dict[str, list[str]]:
        by_kanji: dict[str, list[str]] = defaultdict(list)
        for kanji, kana in self.features:
            by_kanji[kanji].append(kana)
        return by_kanji


# ---------------------------------------------------------------- sources


def read_dataset(surnames: Evidence, given: Evidence) -> dict[str, int]:
    """The name dataset: surname populations and main readings; given names by sex, popular flag."""
    from japanese_personal_name_dataset import load_dataset

    man, woman, last = load_dataset(include_last_names=True)
    man_popular, woman_popular = load_dataset(kind="opti")
    population: dict[str, int] = {}
    for kanji, entry in last.items():
        population[unicodedata.normalize("NFKC", kanji)] = int(entry["count"])
        surnames.add(kanji, entry["reading"], "dataset_main")
    for names, popular, sex in ((man, man_popular, "m"), (woman, woman_popular, "f")):
        for reading, entry in names.items():
            for kanji in entry["kanji"]:
                given.add(kanji, reading, "dataset", sex)
        for reading, entry in popular.items():
            for kanji in entry["kanji"]:
                given.add(kanji, reading, "dataset_popular", sex)
    return population


NE_QUERY = """
select k.idseq, k.text, n.text, group_concat(distinct tt.text)
from NEKanji k join NEKana n on n.idseq = k.idseq
join NETranslation t on t.idseq = k.idseq join NETransType tt on tt.tid = t.id
group by k.idseq, k.text, n.text
"""


def read_jmnedict_names(db: sqlite3.Connection, surnames: Evidence, given: Evidence) -> None:
    """JMnedict surname / given / masc / fem entries."""
    for _idseq, kanji, kana, types in db.execute(NE_QUERY):
        kinds = set(types.split(","))
        if "surname" in kinds:
            surnames.add(kanji, kana, "jmnedict")
        for kind, sex in (("given", None), ("masc", "m"), ("fem", "f")):
            if kind in kinds:
                given.add(kanji, kana, "jmnedict", sex)


PERSON_QUERY = """
select k.idseq, k.text, n.text, min(g.text)
from NEKanji k join NEKana n on n.idseq = k.idseq
join NETranslation t on t.idseq = k.idseq join NETransType tt on tt.tid = t.id
join NETransGloss g on g.tid = t.id
where tt.text = 'person'
group by k.idseq, k.text, n.text
"""


def read_jmnedict_persons(db: sqlite3.Connection) -> list[tuple[int, str, str, str]]:
    """Real people: (idseq, full kanji, full katakana, English gloss)."""
    rows = []
    for idseq, kanji, kana, gloss in db.execute(PERSON_QUERY):
        kanji = unicodedata.normalize("NFKC", kanji)
        kana = to_katakana(kana)
        if is_name_spelling(kanji) and is_reading(kana) and len(kanji) >= 2:
            rows.append((idseq, kanji, kana, gloss or ""))
    return rows


def is_heldout(idseq: int) -> bool:
    return int(hashlib.sha1(str(idseq).encode()).hexdigest(), 16) % HELDOUT_MODULUS == 0


def split_person(kanji: str, kana: str, surnames: dict[str, list[str]], given: dict[str, list[str]]):
    """The one (surname kanji, surname kana, given kanji, given kana) split both tables know, or None."""
    found = []
    for i in range(1, len(kanji)):
        sk, gk = kanji[:i], kanji[i:]
        for s_kana in surnames.get(sk, ()):
            if kana.startswith(s_kana) and kana[len(s_kana) :] in given.get(gk, ()):
                found.append((sk, s_kana, gk, kana[len(s_kana) :]))
    return found[0] if len(found) == 1 else None


def devset_full_names() -> set[str]:
    """Full kanji names of the development set: kept out of the evidence so that it measures fairly."""
    path = ROOT / "tests" / "data" / "names_dev.tsv"
    if not path.exists():
        return set()
    rows = csv.DictReader(path.open(encoding="utf-8"), delimiter="\t")
    return {unicodedata.normalize("NFKC", r["kanji_surname"] + r["kanji_given"]) for r in rows}


def count_person_evidence(persons, surnames: Evidence, given: Evidence) -> list[tuple]:
    """Count each real person for the surname and given readings they bear.

    Returns the held-out persons (not counted) with their split, for evaluation and tuning. People of the
    development set are neither counted nor held out."""
    s_spell, g_spell = surnames.spellings(), given.spellings()
    excluded = devset_full_names()
    heldout = []
    for idseq, kanji, kana, gloss in persons:
        split = split_person(kanji, kana, s_spell, g_spell)
        if split is None or kanji in excluded:
            continue
        if is_heldout(idseq):
            heldout.append((idseq, *split, birth_year(gloss)))
            continue
        surnames.add(split[0], split[1], "person")
        given.add(split[2], split[3], "person")
        year = birth_year(gloss)
        if year and ERA[0] <= int(year) <= ERA[1]:
            surnames.add(split[0], split[1], "person_era")
            given.add(split[2], split[3], "person_era")
    return heldout


def birth_year(gloss: str) -> str:
    match = re.search(r"\((\d{3,4})", gloss)
    return match.group(1) if match else ""


def read_sudachi(surnames: Evidence, given: Evidence) -> None:
    """Sudachi person-name lexicon entries, and Sudachi's preferred reading of each name."""
    from sudachipy import Dictionary

    dictionary = Dictionary(dict="core")
    for morpheme in dictionary.entries():
        pos = morpheme.part_of_speech()
        if pos[2] != "人名" or pos[3] not in ("姓", "名"):
            continue
        target = surnames if pos[3] == "姓" else given
        target.add(morpheme.surface(), morpheme.reading_form(), "sudachi")
    tokenizer = dictionary.tokenizer()
    for target, suffix in ((surnames, "さん"), (given, "さん")):
        for kanji, readings in target.spellings().items():
            if len(readings) < 2:
                continue
            first = tokenizer.tokenize(kanji + suffix)[0]
            if first.surface() == kanji and first.part_of_speech()[2] == "人名":
                target.add(kanji, first.reading_form(), "sudachi_top")


# ---------------------------------------------------------------- tuning


def tune(ev: Evidence, truth: list[tuple[str, str]], passes: int = 3) -> tuple[dict[str, float], float]:
    """Pseudo-counts that maximise top-1 on (kanji, true reading) pairs, by coordinate ascent on a grid."""
    by_kanji = ev.spellings()
    cases = []
    for kanji, kana in truth:
        readings = sorted(by_kanji.get(kanji, ()))
        if kana in readings and len(readings) > 1:
            feats = [tuple(ev.features[(kanji, r)][s] for s in SOURCES) for r in readings]
            cases.append((feats, readings.index(kana)))
    weights = dict(ev.weights)

    def accuracy(w: dict[str, float]) -> float:
        vec = [w[s] for s in SOURCES]
        hits = 0
        for feats, right in cases:
            scores = [sum(a * b for a, b in zip(f, vec, strict=True)) for f in feats]
            hits += scores.index(max(scores)) == right  # ties: the first in kana order, as at run time
        return hits / max(len(cases), 1)

    best = accuracy(weights)
    grid = (0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0)
    for _ in range(passes):
        for source in SOURCES:
            if source == "person":  # the unit of the scale
                continue
            for value in grid:
                trial = {**weights, source: value}
                acc = accuracy(trial)
                if acc > best:
                    best, weights = acc, trial
    return weights, best


def calibrate(ev: Evidence, truth: list[tuple[str, str]]) -> tuple[float, float]:
    """The power of the scores that maximises the mean log-likelihood of the true readings, and that value."""
    by_kanji = ev.spellings()
    cases = [
        ([max(ev.score((k, r)), 0.1) for r in by_kanji[k]], by_kanji[k].index(kana))
        for k, kana in truth
        if kana in by_kanji.get(k, ())
    ]

    def loglik(power: float) -> float:
        total = 0.0
        for scores, right in cases:
            powered = [x**power for x in scores]
            total += math.log(powered[right] / sum(powered))
        return total / max(len(cases), 1)

    return max(((p, loglik(p)) for p in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)), key=lambda t: t[1])


def ranking_ceiling(surnames: Evidence, given: Evidence, heldout: list[tuple]) -> dict[str, dict[str, float]]:
    """Top-1 over the held-out people: of the ranking as built, of the same ranking with the other held-out people
    counted too (what counting every JMnedict person would give), and of each spelling's commonest reading among
    all JMnedict people, these included (in-sample, so optimistic: a name only its bearer has is always right).
    How far the last is above the first bounds what any per-part ranking can gain from these sources."""
    evs = {"surname": surnames, "given": given}
    spellings = {part: ev.spellings() for part, ev in evs.items()}
    counted = {
        "surname": Counter((h[1], h[2]) for h in heldout),
        "given": Counter((h[3], h[4]) for h in heldout),
    }

    def credit(part: str, kanji: str, truth: str, method: str) -> float:
        ev, readings = evs[part], sorted(spellings[part].get(kanji, ()))
        if method == "majority_in_sample":
            scores = [ev.features[(kanji, r)]["person"] + counted[part][(kanji, r)] for r in readings]
        else:  # with_other_heldout: leave this person out, count the others
            extra = 0.0 if method == "as_built" else ev.weights["person"]
            scores = [
                ev.score((kanji, r)) + extra * (counted[part][(kanji, r)] - (r == truth)) for r in readings
            ]
        best = [r for r, s in zip(readings, scores, strict=True) if s == max(scores)]
        if method != "majority_in_sample":
            best = best[:1]  # ties in kana order, as at run time; the majority reader splits them fairly
        return (truth in best) / len(best) if best else 0.0

    subsets = {
        "all": heldout,
        "born 1880-1935": [h for h in heldout if h[5] and ERA[0] <= int(h[5]) <= ERA[1]],
    }
    out: dict[str, dict[str, float]] = {}
    for label, people in subsets.items():
        for method in ("as_built", "with_other_heldout", "majority_in_sample"):
            s = [credit("surname", h[1], h[2], method) for h in people]
            g = [credit("given", h[3], h[4], method) for h in people]
            n = max(len(people), 1)
            out[f"{label}: {method}"] = {
                "n": len(people),
                "surname": round(sum(s) / n, 4),
                "given": round(sum(g) / n, 4),
                "both": round(sum(a * b for a, b in zip(s, g, strict=True)) / n, 4),
            }
    return out


# ---------------------------------------------------------------- weights


def surname_weights(ev: Evidence, population: dict[str, int]) -> dict[tuple[str, str], float]:
    """P(kanji, reading) = P(kanji) * P(reading | kanji); P(kanji) from the dataset's populations, and for
    the long tail the remaining population shared in proportion to each spelling's evidence score."""
    by_kanji = ev.spellings()
    covered = sum(population.values())
    tail_mass = max(JAPAN_POPULATION - covered, 0)
    floor = min(population.values())
    tail_score = {k: sum(ev.score((k, r)) for r in rs) for k, rs in by_kanji.items() if k not in population}
    total_tail = sum(tail_score.values()) or 1.0
    people = {k: float(population[k]) for k in by_kanji if k in population}
    for k, s in tail_score.items():
        people[k] = min(tail_mass * s / total_tail, floor * 0.9)
    return share_by_reading(ev, by_kanji, people)


def given_weights(ev: Evidence, mass_params: tuple[float, float, float] | None = None):
    """P(spelling) of a given name: no published frequencies exist for it here, so it is estimated from the
    real people of the internees' generation who bore it (JMnedict, born 1880-1935), plus a little from all
    people and from the dictionary listings (GIVEN_MASS, fitted with --tune on the held-out people)."""
    by_kanji = ev.spellings()
    return share_by_reading(ev, by_kanji, given_spelling_mass(ev, by_kanji, mass_params or GIVEN_MASS))


def given_spelling_mass(ev: Evidence, by_kanji, params: tuple[float, float, float]) -> dict[str, float]:
    all_people, listing_factor, listing_power = params
    mass = {}
    for kanji, readings in by_kanji.items():
        features = [ev.features[(kanji, r)] for r in readings]
        era = sum(f["person_era"] for f in features)
        people = sum(f["person"] for f in features)
        listing = max(
            sum(ev.weights[s] * n for s, n in f.items() if not s.startswith("person")) for f in features
        )
        mass[kanji] = era + all_people * people + listing_factor * listing**listing_power
    return mass


def fit_given_mass(
    ev: Evidence, heldout_era_spellings: list[str]
) -> tuple[tuple[float, float, float], float]:
    """GIVEN_MASS parameters maximising the log-likelihood of the held-out era people's given-name spellings."""
    by_kanji = ev.spellings()
    best: tuple[tuple[float, float, float], float] = (GIVEN_MASS, -math.inf)
    for params in itertools.product((0.1, 0.3, 1.0), (0.0001, 0.001, 0.01), (1.0, 2.0, 3.0)):
        mass = given_spelling_mass(ev, by_kanji, params)
        total = sum(mass.values())
        loglik = sum(math.log(max(mass.get(k, 0.0), 1e-12) / total) for k in heldout_era_spellings)
        loglik /= max(len(heldout_era_spellings), 1)
        if loglik > best[1]:
            best = (params, loglik)
    return best


def share_by_reading(ev: Evidence, by_kanji, mass: dict[str, float]) -> dict[tuple[str, str], float]:
    total = sum(mass.values())
    weights = {}
    for kanji, readings in by_kanji.items():
        scores = {r: max(ev.score((kanji, r)), 0.1) ** SHARPNESS[ev.part] for r in readings}
        norm = sum(scores.values())
        for r, s in scores.items():
            weights[(kanji, r)] = mass[kanji] / total * s / norm
    return weights


# ---------------------------------------------------------------- per-character model


def char_model_rows(
    db: sqlite3.Connection, surnames: Evidence, given: Evidence, heldout: list[tuple]
) -> Iterator[tuple]:
    """(part, char, position, katakana piece, count): per-character readings learned from each table, without
    the spellings of the held-out people (so that reading them as if unknown measures fairly)."""
    readings: dict[str, list[str]] = {}
    for char, on, kun, nanori in name_data_chars.kanji_char_readings(db):
        readings[char] = list(dict.fromkeys((on + " " + kun + " " + nanori).split()))
    for ev, kept_out in ((surnames, {h[1] for h in heldout}), (given, {h[3] for h in heldout})):
        pairs = ((k, r, 1.0 + f["person"]) for (k, r), f in ev.features.items() if k not in kept_out)
        counts = name_data_chars.learn(pairs, readings)
        for (char, position, piece), count in sorted(counts.items()):
            # name-final rows: +1.3 points top-1 for held-out given names read as if unknown; no gain for surnames
            if count >= 0.5 and (position != "f" or ev.part == "given"):
                yield ev.part, char, position, piece, round(count, 1)


def name_chars(*tables: Evidence) -> set[str]:
    return {char for ev in tables for kanji, _kana in ev.features for char in kanji}


# ---------------------------------------------------------------- writing


def sex_of(ev: Evidence, key) -> str:
    """m or f when the sexed evidence leans at least 3:1 one way, else u (unknown or both)."""
    sexes = ev.sex.get(key, Counter())
    male, female = sexes["m"], sexes["f"]
    return "m" if male >= 3 * female and male else "f" if female >= 3 * male and female else "u"


def write_table(path: Path, ev: Evidence, weights, with_sex: bool) -> int:
    # sorted by spelling, then weight: the reader finds a spelling's rows as one contiguous range
    ranked = sorted(weights.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
    rows = [
        (
            kanji,
            kana,
            f"{w:.4g}",
            *([sex_of(ev, (kanji, kana))] if with_sex else []),
            ",".join(ev.flags((kanji, kana))),
        )
        for (kanji, kana), w in ranked
    ]
    header = "kanji\tkatakana\tweight\t" + ("sex\t" if with_sex else "") + "sources"
    return write_lines(path, header, rows)


def reading_prior_rows(weights: dict[tuple[str, str], float]) -> list[tuple[str, str]]:
    """(katakana, P(reading)) summed over spellings, most probable first."""
    totals: Counter[str] = Counter()
    for (_kanji, kana), w in weights.items():
        totals[kana] += w
    norm = sum(totals.values())
    return [(kana, f"{w / norm:.4g}") for kana, w in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]


def given_prior_rows(ev: Evidence, weights: dict[tuple[str, str], float]) -> list[tuple[str, str, str, str]]:
    """(katakana, P, P among men's and unknown-sex names, P among women's and unknown-sex names)."""
    by_sex = {sex: {k: w for k, w in weights.items() if sex_of(ev, k) in (sex, "u")} for sex in "mf"}
    overall = dict(reading_prior_rows(weights))
    male, female = dict(reading_prior_rows(by_sex["m"])), dict(reading_prior_rows(by_sex["f"]))
    return [(kana, p, male.get(kana, "0"), female.get(kana, "0")) for kana, p in overall.items()]


def write_lines(path: Path, header: str, rows: Iterable[tuple], compress: bool = True) -> int:
    """Write a TSV file; gzip without a timestamp, so that the same sources give byte-identical files."""
    lines = [header, *("\t".join(str(x) for x in row) for row in rows)]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0) if compress else data)
    return len(lines) - 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jamdict-db", type=Path, default=None)
    parser.add_argument("--tune", action="store_true", help="fit the pseudo-counts on the held-out people")
    args = parser.parse_args(argv)
    db = sqlite3.connect(args.jamdict_db or default_jamdict_db())
    surnames, given = Evidence("surname"), Evidence("given")
    population = read_dataset(surnames, given)
    read_jmnedict_names(db, surnames, given)
    read_sudachi(surnames, given)
    heldout = count_person_evidence(read_jmnedict_persons(db), surnames, given)
    if args.tune:
        for ev, pairs in (
            (surnames, [(h[1], h[2]) for h in heldout]),
            (given, [(h[3], h[4]) for h in heldout]),
        ):
            before = tune(ev, pairs, passes=0)[1]
            weights, after = tune(ev, pairs)
            print(f"{ev.part}: top-1 among ambiguous held-out {before:.3f} -> {after:.3f} with {weights}")
            print(
                f"{ev.part}: sharpness, mean log-likelihood with the current weights: {calibrate(ev, pairs)}"
            )
        era = [h[3] for h in heldout if h[5] and ERA[0] <= int(h[5]) <= ERA[1]]
        print(f"given: spelling mass (params, mean log-likelihood): {fit_given_mass(given, era)}")
        return
    OUT.mkdir(parents=True, exist_ok=True)
    s_weights, g_weights = surname_weights(surnames, population), given_weights(given)
    old_new = name_data_chars.kyujitai_pairs(package_dir("kyujipy"), package_dir("joyokanji"))
    stats = {
        "surnames": write_table(OUT / "surnames.tsv.gz", surnames, s_weights, False),
        "given_names": write_table(OUT / "given_names.tsv.gz", given, g_weights, True),
        "surname_reading_prior": write_lines(
            OUT / "surname_reading_prior.tsv.gz", "katakana\tprobability", reading_prior_rows(s_weights)
        ),
        "given_reading_prior": write_lines(
            OUT / "given_reading_prior.tsv.gz",
            "katakana\tprobability\tprobability_m\tprobability_f",
            given_prior_rows(given, g_weights),
        ),
        "name_char_readings": write_lines(
            OUT / "name_char_readings.tsv.gz",
            "part\tchar\tposition\tkatakana\tcount",
            char_model_rows(db, surnames, given, heldout),
        ),
        "kanji_chars": write_lines(
            OUT / "kanji_chars.tsv.gz", "char\ton\tkun\tnanori", name_data_chars.kanji_char_readings(db)
        ),
        "kyujitai": write_lines(OUT / "kyujitai.tsv", "old\tnew\tsource", old_new, compress=False),
        "itaiji": write_lines(
            OUT / "itaiji.tsv",
            "variant\tstandard\tsource",
            name_data_chars.itaiji_pairs(db, name_chars(surnames, given), old_new),
            compress=False,
        ),
        "heldout_persons": write_lines(
            OUT / "heldout_persons.tsv.gz",
            "idseq\tsurname\tsurname_katakana\tgiven\tgiven_katakana\tbirth_year",
            heldout,
        ),
        "evidence_pseudo_counts": EVIDENCE,
        "sharpness": SHARPNESS,
        "given_mass": GIVEN_MASS,
        "japan_population": JAPAN_POPULATION,
        "devset_names_kept_out_of_the_counts": len(devset_full_names()),
        "ranking_ceiling": ranking_ceiling(surnames, given, heldout),
        "jmnedict": dict(db.execute("select key, value from meta where key like 'jmnedict.%'")),
    }
    (OUT / "BUILD.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(stats, ensure_ascii=False))


if __name__ == "__main__":
    main()
