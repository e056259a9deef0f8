"""Training on small hand-made archives through the real Splink and DuckDB: what EM gets wrong is caught."""

from __future__ import annotations

import pandas as pd
import pytest
from splink import Linker

from kartoteka.linkage import runs, scoring
from kartoteka.linkage.checks import check_trained_model
from kartoteka.linkage.features import build_features
from kartoteka.linkage.model import settings_dict


def _features(store, write_archive, plain_reader):  # type: ignore[no-untyped-def]
    write_archive(store, persons=200)
    return build_features(runs.load_records(store), plain_reader)


def _m_values(model, name):  # type: ignore[no-untyped-def]
    comparison = next(c for c in model["comparisons"] if c["output_column_name"] == name)
    return [level.get("m_probability") for level in comparison["comparison_levels"]]


def test_two_cards_of_one_man_are_not_compared_on_their_camps(store, write_archive, plain_reader):
    # Each card of the hand-made archive names a camp at random, as a card written at each arrival would.
    features = _features(store, write_archive, plain_reader)
    result = scoring.train_and_score(features, scoring.duckdb_api("1GB"), "duckdb")
    assert _m_values(result.model, "camp") == _m_values(settings_dict("duckdb"), "camp")  # nothing to train on
    # every kept pair's weights (the run keeps them for the review band's pairs only)
    api = scoring.duckdb_api("1GB")
    linker = Linker(api.register(features), result.model, log_level=None)
    weights = scoring.pair_terms(linker, api, result.pairs)["mw_camp"].dropna()
    assert len(weights) > 20 and (weights == 0).all()
    assert result.warnings == []


def test_a_comparison_em_gets_backwards_scores_on_its_priors_and_says_so(store, write_archive, plain_reader):
    features = _features(store, write_archive, plain_reader)
    # The second record of each man becomes a personal file from a camp none of his cards names: between
    # records of one man "same camp" never happens, so EM learns that it is no evidence for him and that
    # another camp is.
    person = features["unique_id"].map(dict(runs.load_records(store)[["id", "record_ref"]].values)).str[5:9]
    second = person.duplicated() & ~person.duplicated(keep="last")
    camps = ["7", "9", "16", "21", "33"]
    for row in features.index[second]:
        taken = set(features.loc[person == person[row], "camp"])
        features.loc[row, ["kind", "camp"]] = ["personal_file", next(c for c in camps if c not in taken)]
    result = scoring.train_and_score(features, scoring.duckdb_api("1GB"), "duckdb")
    fate = next(c for c in result.training["comparisons"] if c["name"] == "camp")
    assert fate["fate"] == "prior" and "implausible" in fate["why"], fate
    assert any(line.startswith("camp: prior m values") for line in result.report.lines())
    prior = _m_values(settings_dict("duckdb"), "camp")
    assert _m_values(result.model, "camp") == pytest.approx(prior)
    assert check_trained_model(result.model, {}) == []


def test_two_records_that_share_only_a_runner_up_reading_of_a_name_are_compared(store, write_archive,
                                                                                plain_reader):
    # 清光 read Kiyomitsu on a roster and Seikō by ear on a card: one surname, one birth year, nothing else
    # in common (another prefecture, another division). Only the rule on the exploded reading sets pairs them.
    from sqlalchemy import insert

    from kartoteka.store import records

    write_archive(store, persons=200)
    with store.engine.begin() as conn:
        conn.execute(insert(records), [
            dict(source_id=1, kind="card", record_ref=ref, file_name="cards.csv", row_number=9000 + i,
                 row_sha256=ref, raw_json="{}", surname="Тэнкава", given_name=given, birth_year=1921,
                 script="cyrillic", prefecture=prefecture, unit=unit)
            for i, (ref, given, prefecture, unit) in enumerate(
                [("card-x-1", "Киёмицу", "Токио", "12"), ("card-x-2", "Сэйкоо", "Осака", "30")])])

    def reader(text: str, part: str) -> list[str]:
        # Each record's first two readings differ from the other's: only the third of one meets the other.
        found = {"Киёмицу": ["kiyomitsu", "kiyoteru", "seikō"], "Сэйкоо": ["seikō", "shōkō"]}.get(text)
        return found or plain_reader(text, part)

    loaded = runs.load_records(store)
    features = build_features(loaded, reader)
    ids = dict(loaded[["record_ref", "id"]].values)
    result = scoring.train_and_score(features, scoring.duckdb_api("1GB"), "duckdb")
    pairs = set(zip(result.pairs["unique_id_l"], result.pairs["unique_id_r"], strict=True))
    assert (ids["card-x-1"], ids["card-x-2"]) in pairs
    assert len(pairs) == len(result.pairs)  # a pair two rules find is scored once


def test_pairs_inside_a_chain_of_links_are_scored_and_the_plainly_different_kept_apart(store, write_archive,
                                                                                      plain_reader):
    features = _features(store, write_archive, plain_reader)
    result = scoring.train_and_score(features, scoring.duckdb_api("1GB"), "duckdb", threshold=0.5)
    assert result.apart is not None and result.apart.empty  # one man's cards, no chains through other men
    # Three men chained by two links above the threshold (a card of each): every pair of their records is scored
    # by the model, and the pairs of two different men, plainly different, come back; no pair of one man does,
    # nor any pair outside the chain.
    ids = features.drop_duplicates("sn_r1")["unique_id"].head(3).tolist()
    chained = pd.DataFrame({"unique_id_l": ids[:2], "unique_id_r": ids[1:], "match_probability": [0.9, 0.9]})
    api = scoring.duckdb_api("1GB")
    linker = Linker(api.register(features), result.model, log_level=None)
    apart = scoring._scored_apart(linker, api, features, pd.concat([result.pairs, chained]), 0.5)
    man = features.set_index("unique_id")["sn_r1"]
    members = features.loc[features["sn_r1"].isin(man[ids]), "unique_id"].tolist()
    expected = {(a, b) for a in members for b in members if a < b and man[a] != man[b]}
    # ... except the two links themselves: a pair the blocked pairs scored (here said to be 0.9) is not scored again
    expected -= {(min(a, b), max(a, b)) for a, b in ((ids[0], ids[1]), (ids[1], ids[2]))}
    assert expected and set(map(tuple, apart.to_numpy().tolist())) == expected


def test_the_pairs_inside_chains_are_scored_on_the_records_already_registered(store, write_archive, plain_reader):
    # Men with three cards make groups of three linked records: the pairs inside them are scored a second time,
    # by the linker that scored the blocked pairs, from the table of records it already holds. A second
    # registration of the records (and a second count of their term frequencies) cost a copy of two million
    # records at full scale.
    features = _features(store, write_archive, plain_reader)
    api = scoring.duckdb_api("1GB")
    registered: list[pd.DataFrame] = []
    register = api.register

    def spying(table, **kwargs):  # type: ignore[no-untyped-def]
        registered.append(table)
        return register(table, **kwargs)

    api.register = spying
    result = scoring.train_and_score(features, api, "duckdb", threshold=0.5)
    group = scoring.chains(features, result.pairs, 0.5)
    sizes = group.value_counts()
    assert (sizes >= 3).any()  # the archive has chains, so the second prediction ran
    frames = [table for table in registered if isinstance(table, pd.DataFrame)]  # Splink registers lists too
    records = [table for table in frames if "unique_id" in table.columns]
    assert len(records) == 1 and records[0] is features
    blocked = [table for table in frames if "join_key_l" in table.columns]
    # every pair inside a chain, less those the blocked pairs scored already (at 0.01 or more: never apart)
    ids = features["unique_id"].to_numpy()
    members = [ids[group.eq(label).fillna(False).to_numpy(dtype=bool)] for label in sizes[sizes >= 3].index]
    inside = {(int(min(a, b)), int(max(a, b))) for group_ids in members for a in group_ids for b in group_ids
              if a != b}
    scored = set(zip(result.pairs["unique_id_l"].tolist(), result.pairs["unique_id_r"].tolist(), strict=True))
    assert len(inside) == int((sizes[sizes >= 3] * (sizes[sizes >= 3] - 1) // 2).sum())
    fresh = inside - scored
    assert [len(table) for table in blocked] == ([len(fresh)] if fresh else [])
    if fresh:
        assert set(zip(blocked[0]["join_key_l"].tolist(), blocked[0]["join_key_r"].tolist(), strict=True)) == fresh
