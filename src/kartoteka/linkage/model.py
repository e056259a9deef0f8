"""The Splink model: comparisons, blocking rules and the model file.

Names are compared on precomputed readings (romanized katakana from `kartoteka.names.readings`), so the
cross-script work happens once per distinct spelling in Python and the pairwise work is plain SQL that DuckDB
and Spark both run fast. The feature columns are built by `kartoteka.linkage.features`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.checks import MAX_BLOCK_MATCH_SHARE

# Bump when the feature columns or the comparisons change: a model file from another version is refused.
MODEL_VERSION = "kartoteka-linkage-9"
MODEL_VERSION_KEY = "kartoteka_model_version"

_JW = {"duckdb": "jaro_winkler_similarity", "spark": "jaro_winkler"}
_OVERLAP = {"duckdb": "list_has_any({a}, {b})", "spark": "arrays_overlap({a}, {b})"}
_DAYS = {"duckdb": "date_diff('day', CAST({a} AS DATE), CAST({b} AS DATE))",
         "spark": "datediff(CAST({a} AS DATE), CAST({b} AS DATE))"}


def _null(col: str) -> dict[str, Any]:
    return {"sql_condition": f'{col}_l IS NULL OR {col}_r IS NULL', "label_for_charts": "null",
            "is_null_level": True}


def _else(m: float = 0.1) -> dict[str, Any]:
    # Every level carries a prior m, so a source too thin to train a comparison still links sensibly.
    return {"sql_condition": "ELSE", "label_for_charts": "else", "m_probability": m}


NAME_DESCRIPTIONS = {"sn": "surname", "gn": "given name", "fn": "father's name"}


def name_comparison(part: str, dialect: str) -> dict[str, Any]:
    """Levels for one name part: the same first reading, the same literal reading, the same folded reading, one
    of the readings agrees, then Jaro-Winkler similarity bands, else.

    The same first reading carries a term-frequency adjustment: Sato agreeing counts for less than a rare name.
    (The literal and folded levels do not: each adjustment costs a term-frequency table joined to every scored
    pair.) The similarity bands compare the literal readings (letter by letter, no tables), or the folded
    dictionary reading of a record that has none (kanji), so two spellings of a name no table knows are as alike
    as their letters, whichever known name each is nearest to."""
    jw = _JW[dialect]
    r1, fold, folded_set, lit = f"{part}_r1", f"{part}_fold", f"{part}_set", f"{part}_lit"
    alt = _OVERLAP[dialect].format(a=f"{folded_set}_l", b=f"{folded_set}_r")
    similar = f"{jw}(coalesce({lit}_l, {fold}_l), coalesce({lit}_r, {fold}_r))"

    def band(threshold: float, m: float) -> dict[str, Any]:
        return {"sql_condition": f"{similar} >= {threshold}", "label_for_charts": f"similarity >= {threshold}",
                "m_probability": m}

    return {
        "output_column_name": part,
        "comparison_description": f"{NAME_DESCRIPTIONS[part]} readings (romanized kana)",
        "comparison_levels": [
            _null(r1),
            {"sql_condition": f'{r1}_l = {r1}_r', "label_for_charts": "same reading",
             "tf_adjustment_column": r1, "tf_adjustment_weight": 1.0, "m_probability": 0.6},
            {"sql_condition": f'{lit}_l = {lit}_r', "label_for_charts": "same literal reading",
             "m_probability": 0.08},
            {"sql_condition": f'{fold}_l = {fold}_r', "label_for_charts": "same folded reading",
             "m_probability": 0.1},
            {"sql_condition": alt, "label_for_charts": "one of the readings agrees (folded)", "m_probability": 0.08},
            band(0.92, 0.06),
            band(0.82, 0.04),
            band(0.7, 0.02),
            _else(0.02),
        ],
    }


def place_comparison(dialect: str) -> dict[str, Any]:
    """The birthplace beyond its prefecture (district, village, town): the same, alike, else."""
    jw = _JW[dialect]
    return {
        "output_column_name": "place",
        "comparison_levels": [
            _null("place"),
            {"sql_condition": "place_l = place_r", "label_for_charts": "same place",
             "tf_adjustment_column": "place", "tf_adjustment_weight": 1.0, "m_probability": 0.7},
            {"sql_condition": f"{jw}(place_l, place_r) >= 0.88", "label_for_charts": "similar place",
             "m_probability": 0.15},
            _else(0.15),
        ],
    }


def year_comparison(col: str = "birth_year") -> dict[str, Any]:
    """Birth year exact, within one year, within two years, else."""
    return {
        "output_column_name": col,
        "comparison_levels": [
            _null(col),
            {"sql_condition": f'{col}_l = {col}_r', "label_for_charts": "same year", "m_probability": 0.7},
            {"sql_condition": f'abs({col}_l - {col}_r) <= 1', "label_for_charts": "within 1 year",
             "m_probability": 0.15},
            {"sql_condition": f'abs({col}_l - {col}_r) <= 2', "label_for_charts": "within 2 years",
             "m_probability": 0.07},
            _else(0.08),
        ],
    }


def unit_comparison() -> dict[str, Any]:
    """Same division and regiment, same division, else."""
    return {
        "output_column_name": "unit",
        "comparison_levels": [
            _null("unit"),
            {"sql_condition": "unit_l = unit_r AND regiment_l = regiment_r", "label_for_charts": "same regiment",
             "m_probability": 0.6},
            {"sql_condition": "unit_l = unit_r", "label_for_charts": "same division", "m_probability": 0.3},
            _else(),
        ],
    }


def exact_comparison(col: str, tf: bool = False) -> dict[str, Any]:
    """Exact match or not (with an optional term-frequency adjustment)."""
    exact: dict[str, Any] = {"sql_condition": f'{col}_l = {col}_r', "label_for_charts": "same",
                             "m_probability": 0.9}
    if tf:
        exact |= {"tf_adjustment_column": col, "tf_adjustment_weight": 1.0}
    return {"output_column_name": col, "comparison_levels": [_null(col), exact, _else()]}


def rank_comparison() -> dict[str, Any]:
    """Same rank, same rank class (soldier, NCO, officer, general, civilian), else."""
    return {
        "output_column_name": "rank",
        "comparison_levels": [
            _null("rank_class"),
            {"sql_condition": 'rank_ord_l = rank_ord_r', "label_for_charts": "same rank", "m_probability": 0.7},
            {"sql_condition": 'rank_class_l = rank_class_r', "label_for_charts": "same rank class",
             "m_probability": 0.2},
            _else(),
        ],
    }


def camp_comparison() -> dict[str, Any]:
    """Same camp, else; never between two cards.

    A card was written at each arrival in a camp, so two cards of one man name two different camps: between
    cards, "same camp" is no evidence for him and "another camp" none against. Compared there, the camp level
    trained on card pairs alone (an archive without personal files) comes out m ~ u, and on a mixed archive it
    charges every true card pair the penalty of a different camp.
    """
    return {
        "output_column_name": "camp",
        "comparison_levels": [
            {"sql_condition": "camp_l IS NULL OR camp_r IS NULL OR (kind_l = 'card' AND kind_r = 'card')",
             "label_for_charts": "null, or two cards", "is_null_level": True},
            {"sql_condition": "camp_l = camp_r", "label_for_charts": "same camp", "m_probability": 0.9},
            _else(),
        ],
    }


def death_date_comparison(dialect: str) -> dict[str, Any]:
    """Death dates: the same day, within a month (clerks' day/month slips and late entries), else."""
    days = _DAYS[dialect].format(a='death_date_l', b='death_date_r')
    return {
        "output_column_name": "death_date",
        "comparison_levels": [
            _null("death_date"),
            {"sql_condition": 'death_date_l = death_date_r', "label_for_charts": "same day",
             "m_probability": 0.7},
            {"sql_condition": f"abs({days}) <= 31", "label_for_charts": "within 31 days", "m_probability": 0.2},
            _else(),
        ],
    }


# No rule pairs two records whose birth years are further apart than this (unless one is blank): a misread last
# digit moves a year by at most 9 (1921 read as 1927), and a clerk's slip of a year or two (an age given instead
# of a year) crosses a decade only by those years. At full scale the window took 3.4 M pairs from the first rule
# and lost 2 of the true links it found; it also dropped 839 false links (docs/explanation/linkage-model.md).
YEAR_WINDOW = 9
# Names garbled beyond recognition still sound somewhat alike: the last rule keeps a pair only when one of the
# names has at least this Jaro-Winkler similarity (folded readings). At full scale the rule then made 1.3 M pairs
# instead of 6.0 M; of the 1,276 true links among the 5.1 M pairs no other rule found, about 250 were lost.
GARBLED_NAME_SIMILARITY = 0.75


def _within_years(window: int = YEAR_WINDOW) -> str:
    return (f"(l.birth_year IS NULL OR r.birth_year IS NULL "
            f"OR abs(l.birth_year - r.birth_year) <= {window})")


def _prefix(side: str, part: str, letters: int = 3) -> str:
    return f"substr({side}.{part}_lit, 1, {letters})"


def prediction_blocking_rules(dialect: str = "duckdb") -> list[dict[str, Any]]:
    """Compound blocking rules: each pairs names with another field, so no block is hot.

    At full scale (2.3 million records) a single name key with the birth year makes blocks of thousands
    (Sato born 1920) and a billion pairs; every rule here keeps the largest block to a few hundred records.
    The equal keys make the join; the conditions after them (a birth-year window, a name similarity) only
    drop pairs from it before they are scored.
    """
    jw = _JW[dialect]
    similar_name = (f"(coalesce({jw}(l.sn_fold, r.sn_fold), 0) >= {GARBLED_NAME_SIMILARITY} "
                    f"OR coalesce({jw}(l.gn_fold, r.gn_fold), 0) >= {GARBLED_NAME_SIMILARITY})")
    rules: list[dict[str, Any]] = [{"blocking_rule": rule} for rule in (
        # Both names agree once voicing and long vowels are ignored (birth years within the window: clerks slip).
        f"l.sn_vkey = r.sn_vkey AND l.gn_vkey = r.gn_vkey AND {_within_years()}",
        # Both names roughly agree (consonant frames) through runner-up readings, and the birth year too; or
        # through the first readings and the prefecture. (The same with the first readings and the birth
        # year found 2.1 M pairs no other rule found, and 88 true links among them: it is gone.)
        "l.sn_key2 = r.sn_key2 AND l.gn_key2 = r.gn_key2 AND l.birth_year = r.birth_year",
        "l.sn_key = r.sn_key AND l.gn_key = r.gn_key AND l.pref = r.pref",
        # One name agrees and the man served in the same division from the same prefecture.
        f"l.sn_vkey = r.sn_vkey AND l.pref = r.pref AND l.unit = r.unit AND {_within_years()}",
        f"l.gn_vkey = r.gn_vkey AND l.pref = r.pref AND l.unit = r.unit AND {_within_years()}",
        # The same death, registered twice (death roster duplicates, burial registers).
        "l.sn_key = r.sn_key AND l.camp = r.camp AND l.death_date = r.death_date",
        "l.sn_vkey = r.sn_vkey AND l.death_date = r.death_date",
        "l.gn_vkey = r.gn_vkey AND l.death_date = r.death_date",
        # ... where one of them gives only the month of the death, or the death roster no birth year, and the other
        # name still begins alike. (Without that letter the two rules made 6.4 M of the 36 M pairs at full scale,
        # for 1,126 true pairs no other rule found: the deaths crowd into the first winter.)
        "l.sn_vkey = r.sn_vkey AND l.death_month = r.death_month AND substr(l.gn_fold, 1, 1) = substr(r.gn_fold, 1, 1)",
        "l.gn_vkey = r.gn_vkey AND l.death_month = r.death_month AND substr(l.sn_fold, 1, 1) = substr(r.sn_fold, 1, 1)",
        # Names garbled beyond recognition: the same regiment, prefecture, birth year and rank, and one name
        # still somewhat alike. (With the rank class instead of the rank this rule made 16.5 M of the 72 M
        # pairs at full scale; with the rank, 6.0 M; with the name similarity, about 1 M.)
        "l.birth_year = r.birth_year AND l.unit = r.unit AND l.regiment = r.regiment AND l.pref = r.pref "
        f"AND l.rank_ord = r.rank_ord AND {similar_name}",
        # The literal readings (letter by letter, no name tables): two misspellings of a name no table knows
        # may be read as two different known names, but their letters still agree.
        f"l.sn_lkey = r.sn_lkey AND l.gn_lkey = r.gn_lkey AND {_within_years()}",
        # The father's name, on every Soviet card and personal file, with one of the other two.
        f"l.sn_lkey = r.sn_lkey AND l.fn_lkey = r.fn_lkey AND {_within_years()}",
        f"l.gn_lkey = r.gn_lkey AND l.fn_lkey = r.fn_lkey AND {_within_years()}",
        f"l.sn_vkey = r.sn_vkey AND l.fn_vkey = r.fn_vkey AND {_within_years()}",
        f"l.gn_vkey = r.gn_vkey AND l.fn_vkey = r.fn_vkey AND {_within_years()}",
        # A typo late in a name: the first letters of two names and the birth year (four of the surname and the
        # given name: with three, that rule made 5.4 M pairs at full scale for 348 true pairs no other found).
        *(f"{_prefix('l', a, n)} = {_prefix('r', a, n)} AND {_prefix('l', b, n)} = {_prefix('r', b, n)} "
          "AND l.birth_year = r.birth_year" for a, b, n in (("sn", "gn", 4), ("sn", "fn", 3), ("gn", "fn", 3))),
    )]
    # One name and the birth year agree, and the other name through any of its readings: a kanji given name
    # read the family's way on one record and the dictionary's way on the other (清光 Kiyomitsu and Сэйкоо
    # Seikō). The sets are exploded, one row per reading, so the join stays on equal keys: 0.75 M pairs at
    # full scale (575,000 SIMULATED persons). They replace four rules (one name, the birth year and the
    # prefecture or the division) that made 26 M pairs for the same purpose; without those, 3,048 of the
    # 3.57 M true pairs lose their only connection (docs/explanation/linkage-model.md, Blocking).
    exploded = [
        {"blocking_rule": f"l.{key} = r.{key} AND l.birth_year = r.birth_year AND l.{readings} = r.{readings}",
         "arrays_to_explode": [readings]}
        for key, readings in (("sn_vkey", "gn_set"), ("gn_vkey", "sn_set"))
    ]
    # Both names through any of their readings, and birth years a year apart at most (or one blank): a kanji
    # roster or manifest whose surname and given name are both read another way than the clerk heard them (山内
    # Yamauchi and Яманоти, 尚仁 Naohito and Наото), with a birth year blank or a year off. On the harsh profile
    # (10,000 SIMULATED persons, tuning seed 11) 327 of the 451 records cut off from their person had no candidate
    # pair with the rest of him; this rule pairs 178 of them, for 3,676 new pairs (6% more) of which 1,462 true.
    exploded.append({"blocking_rule": f"l.sn_set = r.sn_set AND l.gn_set = r.gn_set AND {_within_years(1)}",
                     "arrays_to_explode": ["sn_set", "gn_set"]})
    # The exploded rules go first. Splink builds each one's pairs apart, less the pairs of every rule before it,
    # and here that test ran on every exploded row; the rules after an exploded one cannot leave its pairs out
    # (Splink de-duplicates them at the end either way). The pairs are the same in any order; at full scale
    # Splink's blocking took 15 s first against 27 s last (one profiled run each).
    return exploded + rules


# The feature columns each comparison reads, the one that must be held first.
_COMPARISON_COLUMNS: dict[str, tuple[str, ...]] = {
    **{part: (f"{part}_r1", f"{part}_fold", f"{part}_set", f"{part}_lit") for part in NAME_DESCRIPTIONS},
    "birth_year": ("birth_year",), "pref": ("pref",), "place": ("place",), "unit": ("unit", "regiment"),
    "rank": ("rank_class", "rank_ord"), "camp": ("camp", "kind"), "death_date": ("death_date",),
}


def comparison_columns(name: str) -> tuple[str, ...]:
    """The feature columns a comparison reads; a record holds the comparison when it holds the first."""
    return _COMPARISON_COLUMNS[name]


@dataclass(frozen=True)
class TrainingBlock:
    """An EM training block: pairs equal on `columns`. The comparisons it `fixes` cannot be trained on it;
    `trains` (when given) limits the ones it may train."""

    label: str
    columns: tuple[str, ...]
    fixes: tuple[str, ...]
    trains: tuple[str, ...] | None = None
    prior_check: bool = False
    max_share: float = MAX_BLOCK_MATCH_SHARE  # EM's share of matches above which it found no real split

    @property
    def sql(self) -> str:
        """The blocking rule as Splink SQL."""
        return " AND ".join(f"l.{column} = r.{column}" for column in self.columns)


# EM blocks in groups: in each group the first block with pairs and a real split between matches and non-matches
# trains every comparison not yet trained that it does not fix. The first group fixes the birth year and a field
# a man shares with few namesakes (division, prefecture, birthplace, camp) and so teaches EM what names look like
# between records of one man; the second fixes the names and teaches the rest. (A block fixing the names alone
# holds, at full scale, so many namesakes that EM found no split there: it called 99.999% of the pairs matches;
# it is the last choice.) The third trains what the first two both fixed, except the division: between
# namesakes born the same year it learned that another division is little evidence against a match.
TRAINING_BLOCKS: tuple[tuple[TrainingBlock, ...], ...] = (
    (TrainingBlock("birth year, prefecture and division", ("birth_year", "pref", "unit"),
                   ("birth_year", "pref", "unit"), prior_check=True),
     TrainingBlock("birth year and division", ("birth_year", "unit"), ("birth_year", "unit"), prior_check=True),
     TrainingBlock("birth year and prefecture", ("birth_year", "pref"), ("birth_year", "pref"), prior_check=True),
     TrainingBlock("birth year and birthplace", ("birth_year", "place"), ("birth_year", "place"),
                   prior_check=True),
     TrainingBlock("birth year and camp", ("birth_year", "camp"), ("birth_year", "camp")),
     # A card file with no unit and a birthplace too common to split on: the father's name, on every card.
     TrainingBlock("birth year and father's name", ("birth_year", "fn_r1"), ("birth_year", "fn"),
                   prior_check=True)),
    # In a small archive nearly every pair with the same names is one man (99% in 3,000 SIMULATED persons): EM's
    # m values there are those of the matches, which is what they should be.
    (TrainingBlock("surname, given name and division", ("sn_r1", "gn_r1", "unit"), ("sn", "gn", "unit"),
                   max_share=0.995),
     TrainingBlock("surname, given name and father's name", ("sn_r1", "gn_r1", "fn_r1"), ("sn", "gn", "fn"),
                   max_share=0.995),
     TrainingBlock("surname and given name", ("sn_r1", "gn_r1"), ("sn", "gn"), max_share=0.995)),
    (TrainingBlock("surname, given name and birth year", ("sn_r1", "gn_r1", "birth_year"),
                   ("sn", "gn", "birth_year"), trains=("fn", "pref", "place", "rank", "camp", "death_date"),
                   max_share=0.995),),
    # The division, when the second group fixed it (its first block, in a large archive): between records with
    # the same names, birth year and prefecture few are namesakes, so EM sees how often one man's records give
    # two divisions. Left to the fourth group's blocks (one name and the other's consonants, where namesakes
    # crowd), on 250,000 SIMULATED persons without personal files EM called 76% of the pairs matches and put
    # "another division" in 70% of them: two namesakes of different divisions scored as one man.
    (TrainingBlock("surname, given name, birth year and prefecture", ("sn_r1", "gn_r1", "birth_year", "pref"),
                   ("sn", "gn", "birth_year", "pref"), trains=("unit",), max_share=0.9999),),
    # A file with names and little else (no birth year, no birthplace): one name fixed and the other's coarse
    # key (its consonants), which the name's own levels do not read, so EM still sees it vary.
    (TrainingBlock("given name and the surname's consonants", ("gn_r1", "sn_key"), ("gn",), max_share=0.999),),
    (TrainingBlock("surname and the given name's consonants", ("sn_r1", "gn_key"), ("sn",), max_share=0.999),),
)


def settings_dict(dialect: str = "duckdb") -> dict[str, Any]:
    """The Splink settings of the kartoteka model for a SQL dialect ("duckdb" or "spark")."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-6,
        "comparisons": [
            name_comparison("sn", dialect),
            name_comparison("gn", dialect),
            name_comparison("fn", dialect),
            year_comparison(),
            exact_comparison("pref"),
            place_comparison(dialect),
            unit_comparison(),
            rank_comparison(),
            camp_comparison(),
            death_date_comparison(dialect),
        ],
        "blocking_rules_to_generate_predictions": prediction_blocking_rules(dialect),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": ["kind"],
        "max_iterations": 20,
        "em_convergence": 0.001,
    }


def in_dialect(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A trained model (Splink's JSON) for another SQL dialect: a model trained on DuckDB, scored on Spark.

    The comparisons' SQL and the blocking rules come from `settings_dict(dialect)`; the trained parameters (each
    level's m and u, the term-frequency settings, the prior) from the model. A model of another shape (another
    model version's comparisons) is refused."""
    if model.get("sql_dialect", dialect) == dialect:
        return model
    template = settings_dict(dialect)
    levels_of = {c["output_column_name"]: c["comparison_levels"] for c in template["comparisons"]}
    translated = copy.deepcopy(model)
    for comparison in translated.get("comparisons", []):
        wanted = levels_of.get(comparison.get("output_column_name"))
        if wanted is None or len(wanted) != len(comparison.get("comparison_levels", [])):
            raise KartotekaError("model.version",
                                 f"the model's comparison {comparison.get('output_column_name')!r} is not this "
                                 f"model's: it cannot be scored on {dialect}",
                                 hint="re-train: run `kartoteka link` without --model")
        for level, template_level in zip(comparison["comparison_levels"], wanted, strict=True):
            level["sql_condition"] = template_level["sql_condition"]
    translated["blocking_rules_to_generate_predictions"] = template["blocking_rules_to_generate_predictions"]
    translated["sql_dialect"] = dialect
    return translated


def save_model(model: dict[str, Any], path: Path) -> None:
    """Write a trained model (Splink's JSON) with the kartoteka model version stamped in it."""
    stamped = dict(model)
    stamped.pop("linker_uid", None)  # a random id Splink gives each linker: two runs of one input save one file
    stamped[MODEL_VERSION_KEY] = MODEL_VERSION
    path.write_text(json.dumps(stamped, indent=2, ensure_ascii=False), encoding="utf-8")


def load_model(path: Path) -> dict[str, Any]:
    """Read a model file, refusing one written by another version of the model or not a model at all."""
    try:
        model = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KartotekaError("model.missing", f"no model file at {path}",
                             hint="run `kartoteka link` once without --model to train one") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise KartotekaError("model.corrupt", f"{path} is not a JSON model file: {exc}",
                             hint="use a model.json written by `kartoteka link`", file=str(path)) from exc
    if not isinstance(model, dict):
        raise KartotekaError("model.corrupt", f"{path} is not a model file", file=str(path))
    found = model.get(MODEL_VERSION_KEY)
    if found != MODEL_VERSION:
        raise KartotekaError(
            "model.version",
            f"{path} was written by model version {found or 'unknown (not a kartoteka model)'}, "
            f"this kartoteka uses {MODEL_VERSION}",
            hint="re-train: run `kartoteka link` without --model (its features and comparisons differ)",
            file=str(path),
        )
    model.pop(MODEL_VERSION_KEY)
    return model
