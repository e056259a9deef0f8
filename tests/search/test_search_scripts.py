"""A person found from any script on a small simulated linked store, on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kartoteka.names import kana_to_romaji
from kartoteka.names.kanji import new_to_old_variants
from kartoteka.search.service import search
from kartoteka.search.types import SearchQuery
from kartoteka.store import open_store, records


@pytest.fixture(scope="module")
def store(linked_url):
    opened = open_store(linked_url, create=False)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def rows(store, archive) -> pd.DataFrame:
    from sqlalchemy import select

    with store.engine.connect() as conn:
        found = pd.DataFrame(conn.execute(select(records.c.record_ref, records.c.kind, records.c.surname,
                                                 records.c.given_name, records.c.script)).all(),
                             columns=["record_ref", "kind", "surname", "given_name", "script"])
    truth = pd.read_csv(archive / "truth.csv", dtype=str)
    return found.merge(truth[["record_ref", "person_id"]], on="record_ref")


@pytest.fixture(scope="module")
def person(rows, people) -> dict[str, str]:
    """A person with a kanji roster record, a card and a death-roster record, whose kanji has an old form."""
    for person_id, group in rows.groupby("person_id"):
        kanji = group[(group["kind"] == "jp_roster") & (group["script"] == "kanji")]
        cards = group[(group["kind"] == "card") & (group["script"] == "cyrillic")]
        kana = group[(group["kind"] == "death_roster") & (group["script"] == "katakana")]
        if kanji.empty or cards.empty or kana.empty:
            continue
        surname, given = kanji.iloc[0]["surname"], kanji.iloc[0]["given_name"]
        if len(new_to_old_variants(surname + given)) < 2:
            continue
        facts = people.loc[person_id]
        return {"id": person_id, "surname": surname, "given": given,
                "card": f"{cards.iloc[0]['surname']} {cards.iloc[0]['given_name']}",
                "kana": f"{kana.iloc[0]['surname']} {kana.iloc[0]['given_name']}",
                "kana_true": f"{facts['kana_surname']} {facts['kana_given']}",
                "birth_year": facts["birth_date"][:4], "prefecture": facts["prefecture"]}
    pytest.fail("the simulated archive has no person with a kanji roster, a card and a death-roster record")


def _half_width(katakana: str) -> str:
    """Katakana as half-width kana (the reverse of NFKC), with voiced marks as separate characters."""
    table = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}
    out = []
    for ch in unicodedata.normalize("NFD", katakana):
        out.append({"\u3099": "ﾞ", "\u309a": "ﾟ"}.get(ch, table.get(ch, ch)))
    return "".join(out)


def _found(store, truth, person_id: str, text: str, **filters) -> int | None:
    """The rank (1-based) of the true person among the first five hits, or None."""
    page = search(store, SearchQuery(text=text, limit=5, **filters))
    assert page.candidates == "persons"
    for rank, hit in enumerate(page.hits, start=1):
        if set(hit.record_refs) & truth[person_id]:
            return rank
    return None


def _romaji(kana: str, macrons: bool) -> str:
    text = " ".join(kana_to_romaji(word).title() for word in kana.split())
    return text if macrons else unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@pytest.mark.parametrize("way", ["kanji", "kanji without space", "old kanji form", "katakana of the roster",
                                 "true katakana", "half-width kana", "romaji with macrons", "romaji without macrons",
                                 "clerk's Cyrillic", "given name first"])
def test_a_person_is_found_from_any_script(store, truth, person, way):
    text = {
        "kanji": f"{person['surname']} {person['given']}",
        "kanji without space": person["surname"] + person["given"],
        "old kanji form": new_to_old_variants(person["surname"] + person["given"])[1],
        "katakana of the roster": person["kana"],
        "true katakana": person["kana_true"],
        "half-width kana": _half_width(person["kana_true"]),
        "romaji with macrons": _romaji(person["kana_true"], macrons=True),
        "romaji without macrons": _romaji(person["kana_true"], macrons=False),
        "clerk's Cyrillic": person["card"],
        "given name first": " ".join(reversed(_romaji(person["kana_true"], macrons=False).split())),
    }[way]
    assert _found(store, truth, person["id"], text) is not None, text
    assert _found(store, truth, person["id"], text, birth_year=int(person["birth_year"])) == 1, text


def test_a_surname_alone_finds_every_person_of_that_surname(store, truth, person):
    page = search(store, SearchQuery(text=person["surname"], limit=100))
    assert any(set(hit.record_refs) & truth[person["id"]] for hit in page.hits)
    assert all(hit.score >= 0.6 for hit in page.hits)


def test_filters_narrow_and_each_hit_carries_its_facts(store, truth, person):
    text = f"{person['surname']} {person['given']}"
    wide = search(store, SearchQuery(text=text, limit=100))
    narrow = search(store, SearchQuery(text=text, birth_year=int(person["birth_year"]), birth_year_tolerance=0,
                                       prefecture=person["prefecture"], limit=100))
    assert 1 <= narrow.total <= wide.total
    hit = narrow.hits[0]
    assert set(hit.record_refs) & truth[person["id"]]
    assert hit.birth_year == int(person["birth_year"])
    assert hit.record_count == len(hit.record_refs) == sum(hit.sources.values())
    assert set(hit.names) == {"cyrillic", "kana", "kanji", "romaji"}
    assert hit.reasons and "met" in hit.reasons[0]
    wrong_year = search(store, SearchQuery(text=text, birth_year=int(person["birth_year"]) + 30, limit=100))
    assert not any(set(h.record_refs) & truth[person["id"]] for h in wrong_year.hits)


def test_nothing_found_offers_a_looser_query(store, person):
    page = search(store, SearchQuery(text=f"{person['surname']} {person['given']}", birth_year=1850))
    assert page.total == 0 and page.hits == []
    assert page.looser is not None and page.looser.birth_year != 1850


def test_pages_follow_each_other(store):
    first = search(store, SearchQuery(text="Sato", limit=3))
    second = search(store, SearchQuery(text="Sato", limit=3, offset=3))
    everything = search(store, SearchQuery(text="Sato", limit=100))
    assert first.total == second.total == everything.total
    key = [(h.person_id, h.record_id) for h in everything.hits]
    assert [(h.person_id, h.record_id) for h in first.hits + second.hits] == key[:len(first.hits) + len(second.hits)]


_NAMES = st.sampled_from(["Сато Киёси", "Ямада Таро", "佐藤 清", "タナカ イチロウ", "Suzuki Ichiro", "高橋"])


@settings(max_examples=15, deadline=None)
@given(name=_NAMES, spaces=st.sampled_from([" ", "  ", "\u3000", " \t "]), wide=st.booleans())
def test_the_results_never_depend_on_spacing_or_width(store, name, spaces, wide):
    text = name.replace(" ", spaces)
    if wide:  # full-width Latin letters (NFKC folds them back)
        text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    asked, plain = search(store, SearchQuery(text=f" {text} ", limit=50)), search(store, SearchQuery(name, limit=50))
    assert [(h.person_id, h.score) for h in asked.hits] == [(h.person_id, h.score) for h in plain.hits]
    scores = [h.score for h in asked.hits]
    assert all(0.0 <= s <= 1.0 for s in scores) and scores == sorted(scores, reverse=True)
