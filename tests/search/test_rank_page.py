"""A page ranked reading the spellings of the candidates that can reach it only is the page ranked reading them all."""

from __future__ import annotations

import numpy as np
import pytest

from kartoteka.search.query import read_query
from kartoteka.search.rank import _reaching, candidates, rank
from kartoteka.search.types import SearchQuery
from kartoteka.store import open_store

# Common names in every script (many candidates, many spelled exactly as asked), alone and with filters.
_QUERIES = [SearchQuery(text=text) for text in ("佐藤", "佐藤 清", "サトウ キヨシ", "Sato", "Сато", "Ямада Таро",
                                                "田中 一郎", "Suzuki Ichiro", "高橋")]
_QUERIES += [SearchQuery(text="佐藤", birth_year=1920, birth_year_tolerance=5), SearchQuery(text="Сато", fate="died"),
             SearchQuery(text="Sato", birth_year=1915, prefecture="6"),
             SearchQuery(text="Сато", birth_year=1850, birth_year_tolerance=100)]  # far: factors below 0, scores 0


@pytest.fixture(scope="module")
def store(linked_url):
    opened = open_store(linked_url, create=False)
    yield opened
    opened.close()


def _shown(entries):
    return [(e.person_id, e.record_id, e.score, e.name_score, e.exact, e.reading, e.notes) for e in entries]


def _spelled_in_store(store, count: int) -> list[SearchQuery]:
    """The names of the first ``count`` records of each script as written (a clerk's spelling is asked as such)."""
    out = []
    with store.engine.connect() as conn:
        for script in ("cyrillic", "katakana", "kanji"):
            found = conn.exec_driver_sql("SELECT surname, given_name FROM records WHERE script = '" + script
                                         + f"' AND surname IS NOT NULL ORDER BY id LIMIT {count}").all()
            out += [SearchQuery(text=f"{surname} {given or ''}".strip()) for surname, given in found]
    return out


def _check_pages(conn, query: SearchQuery) -> None:
    read = read_query(query)
    rows = candidates(conn, read)
    everything = rank(conn, read, rows)
    assert everything.total == len(everything.entries)
    for top in (1, 3, 5, 20):
        ranked = rank(conn, read, rows, top=top)
        assert _shown(ranked.entries) == _shown(everything.entries[:top]), (query, top)
        assert ranked.total == everything.total  # the total does not depend on the page
    assert rank(conn, read, rows, top=0).total == everything.total  # a looser query's count only


@pytest.mark.parametrize("query", _QUERIES, ids=lambda q: f"{q.text}-{q.birth_year}-{q.fate}-{q.prefecture}")
def test_the_first_entries_are_those_of_the_full_ranking(store, query):
    with store.engine.connect() as conn:
        _check_pages(conn, query)


def test_so_are_they_for_names_spelled_as_the_records_spell_them(store):
    with store.engine.connect() as conn:
        for query in _spelled_in_store(store, 40):
            _check_pages(conn, query)


def test_the_exact_spelling_still_counts(store):
    """Without the bonus, the records spelled as asked would not be told from the rest: some are, on top."""
    read = read_query(SearchQuery(text="佐藤"))
    with store.engine.connect() as conn:
        ranked = rank(conn, read, candidates(conn, read), top=5).entries
    assert ranked[0].exact and ranked[0].score == 1.0


def test_the_spellings_read_are_those_of_candidates_the_bonus_could_lift_onto_the_page():
    lower = np.array([0.90, 0.85, 0.70, 0.776, 0.80, -1.0])  # the last: left out by the filters
    upper = np.array([1.00, 0.95, 0.80, 0.856, 0.90, -1.0])
    assert np.flatnonzero(_reaching(lower, upper, top=1)).tolist() == [0, 1, 4]  # 0.90 tied by 4's: read it too
    assert np.flatnonzero(_reaching(lower, upper, top=2)).tolist() == [0, 1, 3, 4]  # 2nd: 0.85; 3 can reach 0.856
    assert np.flatnonzero(_reaching(lower, upper, top=5)).tolist() == [0, 1, 2, 3, 4]
    assert np.flatnonzero(_reaching(lower, upper, top=9)).tolist() == [0, 1, 2, 3, 4]
    assert not _reaching(lower, upper, top=0).any()
    assert np.flatnonzero(_reaching(lower, upper, top=None)).tolist() == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("text", ["佐藤", "Сато", "サトウ", "Suzuki"])
def test_a_surname_alone_is_ranked_in_full_and_read_in_batches(store, monkeypatch, text):
    """Every record of the surname is a candidate (no cap: the old 20,000 read an arbitrary part of the commonest
    surnames at full scale, so that the total and the page followed the storage order), and the names as written
    read a few candidates at a time give the page of the full ranking."""
    import kartoteka.search.rank as ranking

    read = read_query(SearchQuery(text=text))
    folds = sorted({r.surname for r in ranking._sought(read)})
    marks = ", ".join(["%s" if "postgresql" in str(store.engine.url) else "?"] * len(folds))
    with store.engine.connect() as conn:
        records, persons = conn.exec_driver_sql(
            f"SELECT count(*), count(DISTINCT coalesce(person_id, -record_id)) FROM search_index "
            f"WHERE sn_fold IN ({marks})", tuple(folds)).one()
        assert persons > 3, (text, persons)  # more persons of the surname than the batch lowered below
        # The cap the old code had (MAX_CANDIDATES, 20,000) lowered below the surname's records: it must not exist.
        monkeypatch.setattr(ranking, "MAX_CANDIDATES", 3, raising=False)
        rows = candidates(conn, read)
        assert len(rows) == records
        everything = rank(conn, read, rows)
        assert everything.total == persons  # every record met scores 1 on the surname: none is left out
        monkeypatch.setattr(ranking, "_SPELL_BATCH", 1)
        for top in (1, 2, 3, 10):
            paged = rank(conn, read, rows, top=top)
            assert paged.total == persons
            assert _shown(paged.entries) == _shown(everything.entries[:top]), (text, top)
