"""The baseline the benchmark compares against: plain Splink without kartoteka.names.

Jaro-Winkler on the raw names, Cyrillic transliterated letter by letter into Latin (what a plain setup does),
katakana and kanji left as written; birth year, prefecture and unit compared as raw text; Splink's own
connected-components clustering. It shows what the reading-based features buy.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kartoteka.linkage.scoring import _quiet_splink, duckdb_api

# A plain letter-by-letter transliteration (BGN/PCGN-like), no knowledge of Japanese.
_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}


def transliterate(text: Any) -> str | None:
    """Cyrillic letters to Latin one by one; other scripts unchanged; blank -> None."""
    if not isinstance(text, str) or not text.strip():
        return None
    return "".join(_LATIN.get(ch, ch) for ch in text.strip().lower())


def baseline_features(records: pd.DataFrame) -> pd.DataFrame:
    """The plain input table: raw names, birth year, raw prefecture and unit."""
    prefecture = records["prefecture"].where(records["prefecture"].notna(), records["birth_place"])
    frame = pd.DataFrame({
        "unique_id": records["id"].astype("int64"),
        "surname": records["surname"].map(transliterate),
        "given_name": records["given_name"].map(transliterate),
        "birth_year": pd.to_numeric(records["birth_year"], errors="coerce").astype("Int64"),
        "prefecture": prefecture.astype(object),
        "unit": records["unit"].astype(object),
    })
    for name in ("surname", "given_name", "prefecture", "unit"):
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame


def baseline_link(records: pd.DataFrame, threshold: float = 0.8) -> tuple[dict[int, int], pd.DataFrame]:
    """Plain Splink on DuckDB: returns record id -> cluster id, and the scored pairs."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    _quiet_splink()
    features = baseline_features(records)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("given_name", [0.92, 0.8]),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("prefecture"),
            cl.ExactMatch("unit"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname", "birth_year"), block_on("given_name", "birth_year"),
            block_on("surname", "given_name"),
        ],
        probability_two_random_records_match=1.5 / max(len(features), 2),
    )
    linker = Linker(duckdb_api().register(features), settings, log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=min(5e6, len(features) * 20), seed=1)
    for rule in (block_on("surname", "given_name"), block_on("birth_year", "unit")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except Exception:  # a plain setup just skips a block that yields nothing
            continue
    predictions = linker.inference.predict(threshold_match_probability=0.01, warning_mode="never")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    frame = clusters.as_pandas_dataframe()
    pairs = predictions.as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_weight", "match_probability"]]
    cluster_of = dict(zip(frame["unique_id"].astype(int), frame["cluster_id"].astype(str), strict=True))
    return cluster_of, pairs
