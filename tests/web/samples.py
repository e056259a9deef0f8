"""Small hand-built instances of the services' dataclasses, for rendering the templates as pure functions.

They are data, not stand-ins: the pages' tests against a real store are in test_pages.py and test_api.py."""

from __future__ import annotations

from kartoteka.catalog.types import (
    Citation,
    Grouping,
    MemorialEntry,
    MemorialPage,
    MemorialRow,
    Moved,
    NameForm,
    PersonView,
    RecordView,
    SourceView,
    StoreInfo,
    TimelineEvent,
)
from kartoteka.search.types import SearchHit, SearchPage, SearchQuery

HOSTILE = "<script>alert(1)</script>"
RTL = "Ямада\u202eовтсечто"
LONG = "ア" * 10_000


def info(simulated: bool = True) -> StoreInfo:
    return StoreInfo(simulated=simulated, records=12345, persons=4000, dead=900, sources=6, run_id=3,
                     run_finished_at="1946-03-01T10:00:00", model_version="m1")


def hit(kanji: str = "山田乙三", cyrillic: str = "Ямада Отозоо") -> SearchHit:
    return SearchHit(person_id=7, record_id=None, score=0.93,
                     names={"kanji": kanji, "kana": "ヤマダ オトゾウ", "romaji": "Yamada Otozō", "cyrillic": cyrillic},
                     birth_year=1920, prefecture="山形県", fate="died", death_date="1946-03-01", record_count=3,
                     sources={"card": 2, "death_roster": 1}, record_refs=["c-1", "c-2", "dr-9"],
                     reasons=["ямада ~ yamada (0.98)"])


def search_page(hits: list[SearchHit] | None = None, text: str = "Ямада") -> SearchPage:
    found = [hit()] if hits is None else hits
    return SearchPage(query=SearchQuery(text=text, birth_year=1920), total=len(found), hits=found,
                      readings=["yamada"], looser=None if found else SearchQuery(text=text))


def citation(record_id: int = 1) -> Citation:
    return Citation(source_id=1, source_name="cards", file_name="cards.csv", line=12, record_ref=f"c-{record_id}",
                    archive_ref="РГВА 1/2/3", scan_ref="javascript:alert(1)" if record_id == 1 else "https://example.org/s.jpg",
                    text=f"Soviet registration card, cards.csv line 12, ref РГВА 1/2/3; kartoteka record {record_id}")


def record_view(record_id: int = 1, surname: str = "Ямада") -> RecordView:
    return RecordView(id=record_id, kind="card",
                      fields={"surname": surname, "given_name": "Отозоо", "birth_year": 1920,
                              "death_date": "1946-03-01", "camp": "7", "script": "cyrillic", "record_ref": "c-1"},
                      citation=citation(record_id), person_id=7, simulated=True)


def person_view(kanji: str = "山田乙三", cyrillic: str = "Ямада Отозоо") -> PersonView:
    return PersonView(
        id=7, names={"kanji": kanji, "kana": "ヤマダ オトゾウ", "romaji": "Yamada Otozō", "cyrillic": cyrillic},
        name_forms=[NameForm("cyrillic", cyrillic, ["yamada otozoo"], [1, 2]), NameForm("kanji", kanji, [], [3])],
        birth_year=1920, prefecture="山形県", unit="107 師団", rank="上等兵", fate="died", death_date="1946-03-01",
        death_place="Тайшет", burial_site="Тайшет, кладбище 2",
        timeline=[TimelineEvent("1945-08", "capture", "Мукден", None, [1]),
                  TimelineEvent("1946-03-01", "death", "Тайшет", "лагерь 7", [1, 2])],
        records=[record_view(1, cyrillic), record_view(2)],
        grouping=Grouping("model", "m1", 3, 0.871, 0, []), citation="Kartoteka, person 7 (SIMULATED)",
        simulated=True)


def memorial_rows() -> list[MemorialRow]:
    return [MemorialRow("ア", "ア行", 10), MemorialRow("カ", "カ行", 5), MemorialRow("他", "他", 1)]


def memorial_page(kana: str = "ヤマダ オトゾウ") -> MemorialPage:
    return MemorialPage(row="ヤ", prefecture=None, total=1, entries=[MemorialEntry(
        7, kana, "山田乙三", "Ямада Отозоо", 1920, "山形県", "1946-03-01", "Тайшет", "Тайшет, кладбище 2")])


def sources() -> list[SourceView]:
    return [SourceView(1, "cards", "card", "cards.csv", "2026-01-02T03:04:05", 100, 2, True)]


def moved() -> Moved:
    return Moved(person_id=5, now=[7, 8], reason="split")


def admin():  # type: ignore[no-untyped-def]
    from kartoteka.accounts.types import Role, User

    return User(id=1, name="root", role=Role.ADMIN)


def audit_entries():  # type: ignore[no-untyped-def]
    from kartoteka.audit.service import AuditEntry

    return [AuditEntry(id=2, at="2026-12-07T10:00:00+00:00", who="ana", user_id=2, action="view",
                       target="person 7", client="127.0.0.1", outcome="ok", detail={"records": [1, 2]}),
            AuditEntry(id=1, at="2026-12-07T09:00:00+00:00", who="os:root", user_id=None, action="user_add",
                       target="user ana", client="cli", outcome="ok", detail={})]


def access_requests():  # type: ignore[no-untyped-def]
    from kartoteka.accounts.requests import AccessRequest

    return [AccessRequest(id=3, user_name="ana", person_id=7, requester="Test Hanako", relationship="daughter",
                          proof_name="koseki.pdf", proof_type="application/pdf", proof_size=2048, status="requested",
                          reason=None, requested_at="2026-12-07T10:00+00:00", decided_at=None, decided_by=None),
            AccessRequest(id=2, user_name="ana", person_id=8, requester="Test Hanako", relationship="daughter",
                          proof_name="k.png", proof_type="image/png", proof_size=100, status="refused",
                          reason="<b>no</b> match", requested_at="2026-12-06T10:00+00:00",
                          decided_at="2026-12-06T12:00+00:00", decided_by="rev")]
