"""The index: written by link with the persons, stale after a link without it (detected and rebuilt), built by
the first search right after an import; and every error a query can meet, with its message."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.tables import person_records
from kartoteka.search import service
from kartoteka.search.query import read_query
from kartoteka.search.service import index_state, search
from kartoteka.search.tables import search_index
from kartoteka.search.types import MAX_QUERY_LENGTH, SearchQuery
from kartoteka.store import open_store

from .conftest import cli, new_url


def test_link_writes_the_index_with_the_persons(linked_url):
    with open_store(linked_url, create=False) as store:
        state = index_state(store)
        assert state.fresh and state.index_run == str(state.last_run)
        with store.engine.connect() as conn:
            indexed = dict(conn.execute(select(search_index.c.record_id, search_index.c.person_id)).all())
            members = dict(conn.execute(select(person_records.c.record_id, person_records.c.person_id)).all())
        assert indexed == members  # every record, under the person the same transaction wrote


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_search_works_right_after_an_import_and_a_stale_index_is_detected(backend, archive, databases, tmp_path,
                                                                         monkeypatch):
    url = new_url(backend, tmp_path, databases)
    assert cli("-d", url, "-q", "import", str(archive)).returncode == 0
    with open_store(url, create=False) as store:
        assert index_state(store).index_run is None
        page = search(store, SearchQuery(text="Сато", limit=5))  # builds the index first: a small store just works
        assert page.candidates == "records" and page.total >= 1
        assert all(hit.person_id is None and hit.record_count == 1 for hit in page.hits)
        assert index_state(store).fresh and index_state(store).index_run == "none"

        from kartoteka.linkage.service import link

        link(store, runs_dir=tmp_path / "runs")  # a library link without the index writer
        state = index_state(store)
        assert not state.fresh and "run" in state.why_stale()
        monkeypatch.setattr(service, "AUTO_REINDEX_RECORDS", 10)
        with pytest.raises(KartotekaError) as raised:
            search(store, SearchQuery(text="Сато"))
        assert raised.value.code == "search.stale_index" and "--reindex" in raised.value.hint
    done = cli("-d", url, "search", "--reindex", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["run_id"] is not None and summary["entries"] > summary["persons"] > 0
    with open_store(url, create=False) as store:
        assert index_state(store).fresh
        assert search(store, SearchQuery(text="Сато")).candidates == "persons"
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).where(search_index.c.person_id.is_(None))).scalar() == 0


@pytest.mark.parametrize(("query", "code", "message"), [
    (SearchQuery(text=""), "search.empty_query", "the search is empty"),
    (SearchQuery(text="   "), "search.empty_query", "the search is empty"),
    (SearchQuery(text="x" * (MAX_QUERY_LENGTH + 1)), "search.too_long",
     f"a search of {MAX_QUERY_LENGTH + 1:,} characters is too long for a name (at most {MAX_QUERY_LENGTH})"),
    (SearchQuery(text="?!... 123"), "search.no_letters", "no letters to search for in '?!... 123'"),
    (SearchQuery(text="Сато", prefecture="Yamagatashire"), "search.prefecture",
     "unknown prefecture 'Yamagatashire'"),
    (SearchQuery(text="Сато", fate="lost"), "search.fate", "unknown fate 'lost'"),
    (SearchQuery(text="Сато", limit=-1), "search.parameter", "limit must be a whole number of at least 1, not -1"),
    (SearchQuery(text="Сато", offset=-5), "search.parameter", "offset must be a whole number of at least 0"),
    (SearchQuery(text="Сато", limit=1000), "search.parameter", "limit 1000 is more than 100 results a page"),
    (SearchQuery(text="Сато", birth_year=19200), "search.parameter", "birth_year 19200 is not a year"),
    (SearchQuery(text="Сато", camp="Тайшет"), "search.parameter", "no camp number in 'Тайшет'"),
])
def test_every_bad_query_is_refused_with_a_message_and_a_hint(query, code, message):
    with pytest.raises(KartotekaError) as raised:
        read_query(query)
    assert raised.value.code == code
    assert raised.value.message.startswith(message)
    assert raised.value.hint


def test_an_unknown_prefecture_names_the_close_ones():
    with pytest.raises(KartotekaError) as raised:
        read_query(SearchQuery(text="Сато", prefecture="Yamagatashire"))
    assert "Yamagata" in raised.value.details["close"]
    assert "did you mean" in raised.value.hint


@pytest.mark.parametrize("prefecture", ["山形県", "山形", "Yamagata", "6", "Ямагата"])
def test_a_prefecture_is_read_in_any_form(prefecture):
    assert read_query(SearchQuery(text="Сато", prefecture=prefecture)).prefecture == 6


def test_the_cli_names_the_store_says_simulated_and_refuses_bad_input(linked_url):
    done = cli("-d", linked_url, "search", "Сато", "--limit", "3")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("store: ")
    assert "SIMULATED" in done.stdout and "score" in done.stdout
    nothing = cli("-d", linked_url, "search", "Сато", "--birth-year", "1851")
    assert "nothing found for 'Сато' (born 1851 ± 2)" in nothing.stdout
    assert "a looser search finds candidates: kartoteka search" in nothing.stdout
    bad = cli("-d", linked_url, "search", "!!!")
    assert bad.returncode != 0 and "error [search.no_letters]" in bad.stderr
    as_json = json.loads(cli("-d", linked_url, "search", "Сато", "--json", "--limit", "2").stdout)
    assert as_json["simulated"] is True and len(as_json["results"]) <= 2 and as_json["store"]


@pytest.mark.parametrize("arrow", [False, True], ids=["python lists", "arrow lists"])
def test_joined_readings_add_the_literal_once_and_leave_none_for_nothing(arrow: bool) -> None:
    """The index's reading words: the set's readings in order, then the literal reading unless already there;
    None (not '') where there is no word at all."""
    import pandas as pd
    import pyarrow as pa

    from kartoteka.search.index import _joined

    sets = pd.Series([["sato", "satoo"], ["sato", "satoo"], [], [], ["ito"], ["kato"]], dtype=object)
    literal = pd.Series(["satoo", "satou", "", "abe", None, "kato"], dtype=object)
    if arrow:
        sets = sets.astype(pd.ArrowDtype(pa.list_(pa.string())))
        literal = literal.astype("string[pyarrow]")
    assert list(_joined(sets, literal)) == ["sato satoo", "sato satoo satou", None, "abe", "ito", "kato"]
