"""The index built fast: link's rows (through the run's staging file) and a reindex's (only the columns the index
needs) are the same rows; the reading cache keeps the literal readings; warm_up loads what the first search
would, and the linkage's readings of the store's Cyrillic spellings answer a query at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from kartoteka.linkage.reading_cache import LITERAL, ReadingCache
from kartoteka.names import literal_reading
from kartoteka.search import query as query_module
from kartoteka.search.index import rebuild
from kartoteka.search.query import read_query, remember_readings
from kartoteka.search.service import search, warm_up
from kartoteka.search.tables import search_index
from kartoteka.search.types import SearchQuery
from kartoteka.store import open_store


def _rows(url: str) -> list[tuple]:
    with open_store(url, create=False) as store, store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(search_index).order_by(search_index.c.record_id))]


def test_a_reindex_writes_the_rows_link_wrote(linked_url, tmp_path):
    if not linked_url.startswith("sqlite"):
        pytest.skip("the copy is of a SQLite file (PostgreSQL's reindex is run by the CLI test)")
    copy = tmp_path / "copy.sqlite"
    shutil.copy(linked_url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    with open_store(url, create=False) as store:
        summary = rebuild(store)
    linked, rebuilt = _rows(linked_url), _rows(url)
    assert summary.entries == len(linked) and summary.run_id is not None
    assert rebuilt == linked  # keys, readings, facts and persons, row for row
    assert all(row[1] is not None for row in rebuilt)  # each took its person from person_records
    assert list((tmp_path / "copy-runs").glob(".*staging*")) == [] and not list(tmp_path.glob(".*staging*"))


def test_the_reading_cache_keeps_literal_readings(tmp_path):
    cache = ReadingCache(tmp_path / "cache.json", search=False)
    assert cache.literal("Кирибаси") == literal_reading("Кирибаси") == "kiribashi"
    assert cache.literal("山田") is None  # kanji have no literal reading, and that too is kept
    cache.prefetch([("Ямада", LITERAL)])
    cache.save()
    again = ReadingCache(tmp_path / "cache.json", search=False)
    assert again.entries[("Кирибаси", LITERAL)] == ["kiribashi"] and again.entries[("山田", LITERAL)] == []
    assert again.entries[("Ямада", LITERAL)] == ["yamada"]


def test_warm_up_reads_a_query_in_every_script_and_loads_the_store_readings(linked_url, tmp_path):
    clock = warm_up()
    assert set(clock) == {"names"} and clock["names"] >= 0
    assert query_module._text_reading.cache_info().currsize >= 7  # the warm-up queries are read and kept
    with open_store(linked_url, create=False) as store:
        # The fixture linked with --runs-dir (not the default folder): warm_up finds it beside the latest run's
        # model, and keeps the link's readings of the Cyrillic spellings.
        assert warm_up(store)["known_readings"] > 0
        assert warm_up(store, tmp_path / "nowhere")["known_readings"] == 0  # a folder given
        remember_readings({})  # the other tests read queries with the names engine alone
        assert search(store, SearchQuery(text="Сато", limit=3)).total >= 1


def test_the_store_readings_answer_a_cyrillic_query(monkeypatch):
    monkeypatch.setattr(query_module, "_KNOWN", {})
    text = "Кирибасиэ"
    query_module._text_reading.cache_clear()
    assert "kiriama" not in [r.surname for r in read_query(SearchQuery(text=text)).readings]
    # what the linkage read this spelling as (here made up, to tell it from the decoder's answer) is taken as is
    kept = remember_readings({(text, "surname"): ["Kiriyama", "Kiribashie"], ("山田", "surname"): ["Yamada"],
                              (text, LITERAL): ["kiribashie"]})
    assert kept == 1  # Cyrillic surnames and given names only
    query_module._text_reading.cache_clear()
    read = read_query(SearchQuery(text=text))
    assert [r.surname for r in read.readings][:2] == ["kiriama", "kiribasie"]  # folded
    assert read.readings[0].probability > read.readings[1].probability
    remember_readings({})
    query_module._text_reading.cache_clear()


def test_the_staging_leaves_nothing_beside_the_store(linked_url):
    if not linked_url.startswith("sqlite"):
        pytest.skip("staging is for SQLite files")
    folder = Path(linked_url.removeprefix("sqlite:///")).parent
    assert not list(folder.glob(".*staging*"))


def test_the_other_order_reads_a_known_spelling_by_its_other_role(monkeypatch):
    """Two words may be given name first: each is then read in the other role too. A spelling the store holds
    only as a given name (here "Кирибасиэ", made up) is read as a surname by the store's readings of it, not by
    the decoder's search (which took up to 100 ms a word)."""
    monkeypatch.setattr(query_module, "_KNOWN", {})
    remember_readings({("Кирибасиэ", "given"): ["Kiriyama"], ("Ямада", "surname"): ["Yamada"]})
    query_module._text_reading.cache_clear()
    try:
        read = read_query(SearchQuery(text="Ямада Кирибасиэ"))
        turned = [r for r in read.readings if r.turned]
        assert turned and (turned[0].surname, turned[0].given) == ("kiriama", "iamada")  # folded
        assert not any(r.surname == "kiriama" for r in read.readings if not r.turned)  # as written: Ямада first
    finally:
        remember_readings({})
        query_module._text_reading.cache_clear()
