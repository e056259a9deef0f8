"""Importing files into the store, on SQLite and PostgreSQL: good rows in, bad rows quarantined with their
reason, nothing lost or half-written, and the same file twice adds nothing."""

from __future__ import annotations

import json

import openpyxl
import pytest
from sqlalchemy import select

from kartoteka.core.errors import KartotekaError
from kartoteka.ingest import ImportOptions, import_directory, import_file, load_bundled
from kartoteka.store import quarantine, records, sources

from .conftest import RU_HEADER, RU_ROWS, counts, write_csv


def _records(store, *columns):
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*[records.c[c] for c in columns]).order_by(records.c.id))]


def test_good_rows_are_imported_with_provenance(store, ru_cards):
    result = import_file(store, "card", ru_cards)
    assert (result.rows_imported, result.rows_quarantined, result.mapping) == (3, 0, "ru-card")
    got = _records(store, "record_ref", "file_name", "row_number", "surname", "given_name", "patronymic",
                   "name_original", "script", "birth_year", "camp", "death_date")
    assert got[0] == ("cards.csv:2", "cards.csv", 2,  # editor lines: the header is line 1
                      "Иванов", "Пётр", "Сергеевич", "Иванов Пётр Сергеевич",
                      "cyrillic", 1920, "7", "1946-01-20")
    assert got[2][-1] == "1946-01-21/1946-01-31"
    raw, sha = _records(store, "raw_json", "row_sha256")[0]
    assert json.loads(raw)["Фамилия"] == "Иванов" and len(sha) == 64


def test_importing_the_same_file_twice_adds_nothing(store, ru_cards):
    first = import_file(store, "card", ru_cards)
    before = counts(store)
    again = import_file(store, "card", ru_cards)
    assert again.already_imported and again.source_id == first.source_id
    assert counts(store) == before == {"records": 3, "quarantine": 0, "sources": 1}


BAD_ROWS = [
    (["Сидоров", "", "", "1850", "", ""], "birth_year", "1850", "implausible"),
    (["", "", "", "1920", "7", ""], "surname", None, "no name"),
    (["Ямада", "Таро", "", "1918", "", "31.02.1946"], "death_date", "31.02.1946", "does not exist"),
    (["Като", "", "", "тысяча", "", ""], "birth_year", "тысяча", "not a year"),
    (["Ито", "", "", "1920", "", "", "лишнее"], "(column 7)", "лишнее", "past the last column"),
]


@pytest.mark.parametrize("bad_row,column,value,reason", BAD_ROWS, ids=[b[3] for b in BAD_ROWS])
def test_a_bad_row_is_quarantined_with_its_reason_and_the_rest_imported(store, tmp_path, bad_row, column, value,
                                                                        reason):
    path = write_csv(tmp_path / "mixed.csv", RU_HEADER, [*RU_ROWS[:2], bad_row, RU_ROWS[2]])
    result = import_file(store, "card", path)
    assert (result.rows_imported, result.rows_quarantined) == (3, 1)
    assert counts(store) == {"records": 3, "quarantine": 1, "sources": 1}  # 4 input rows, none lost
    with store.engine.connect() as conn:
        entry = conn.execute(select(quarantine)).mappings().one()
    assert (entry["file_name"], entry["row_number"], entry["column_name"], entry["value"]) == (
        "mixed.csv", 4, column, value)  # the header is line 1
    assert reason in entry["reason"]
    assert json.loads(entry["raw_json"])["Фамилия"] == bad_row[0]


def test_nul_characters_are_quarantined_on_every_backend(store, tmp_path):
    path = write_csv(tmp_path / "nul.csv", ["surname", "birth_place"], [["Иванов", "Хаба\x00ровск"], ["Петров", ""]])
    result = import_file(store, "card", path)
    assert (result.rows_imported, result.rows_quarantined) == (1, 1)
    with store.engine.connect() as conn:
        entry = conn.execute(select(quarantine)).mappings().one()
    assert entry["column_name"] == "birth_place" and "NUL" in entry["reason"]
    assert entry["value"] == "Хаба\\x00ровск"


def test_duplicate_record_ref_in_one_file_is_quarantined(store, tmp_path):
    path = write_csv(tmp_path / "dup.csv", ["record_ref", "surname"], [["c1", "Иванов"], ["c2", "Петров"],
                                                                       ["c1", "Сидоров"]])
    result = import_file(store, "card", path)
    assert (result.rows_imported, result.rows_quarantined) == (2, 1)
    assert _records(store, "record_ref") == [("c1",), ("c2",)]
    assert "duplicate record_ref 'c1'" in result.quarantine_sample[0]


def test_strict_rejects_the_whole_file_and_writes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "mixed.csv", RU_HEADER, [*RU_ROWS, BAD_ROWS[0][0]])
    with pytest.raises(KartotekaError) as info:
        import_file(store, "card", path, ImportOptions(strict=True))
    assert info.value.code == "input.strict"
    assert "1 of 4 rows are bad" in info.value.message and "line 5" in info.value.message
    assert counts(store) == {"records": 0, "quarantine": 0, "sources": 0}
    assert import_file(store, "card", path).rows_imported == 3  # without --strict the good rows go in


def test_missing_required_columns_are_named_and_point_to_mapping(store, tmp_path):
    path = write_csv(tmp_path / "odd.csv", ["Nom", "Prénom"], [["Dupont", "Jean"]])
    with pytest.raises(KartotekaError) as info:
        import_file(store, "card", path)
    error = info.value
    assert error.code == "input.columns"
    assert "surname, given_name, name_original" in error.message and "Nom, Prénom" in error.message
    assert "--mapping" in error.hint
    assert counts(store) == {"records": 0, "quarantine": 0, "sources": 0}


def test_unknown_kind_lists_the_known_kinds(store, ru_cards):
    with pytest.raises(KartotekaError) as info:
        import_file(store, "cards", ru_cards)
    assert "did you mean 'card'" in info.value.message
    assert "personal-file, death-roster, jp-roster, manifest, burial" in info.value.hint
    assert counts(store)["sources"] == 0


@pytest.mark.parametrize("content", [b"", "Фамилия,Имя\n".encode()], ids=["zero-bytes", "header-only"])
def test_an_empty_file_says_so_and_writes_nothing(store, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(KartotekaError) as info:
        import_file(store, "card", path)
    assert info.value.code == "input.empty" and "nothing to import" in info.value.message
    assert counts(store) == {"records": 0, "quarantine": 0, "sources": 0}


def test_undecodable_file_names_the_encodings_tried_and_writes_nothing(store, tmp_path):
    path = tmp_path / "noise.csv"
    path.write_bytes(b"surname\n" + bytes(range(128, 256)) * 40)
    with pytest.raises(KartotekaError) as info:
        import_file(store, "card", path)
    assert "cp1251" in info.value.message and "koi8_r" in info.value.message
    assert "--encoding" in info.value.hint
    assert counts(store)["sources"] == 0


def test_a_decode_error_mid_file_rolls_back_everything(store, tmp_path):
    path = tmp_path / "mixed.csv"
    good = "surname\n" + "".join(f"Иванов{n}\n" for n in range(20000))
    path.write_bytes(good.encode("utf-8") + "Петров\n".encode("cp1251"))
    with pytest.raises(KartotekaError) as info:
        import_file(store, "card", path, ImportOptions(encoding="utf-8", batch_size=1000))
    assert info.value.line == 20002
    assert counts(store) == {"records": 0, "quarantine": 0, "sources": 0}


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r"])
def test_legacy_cyrillic_files_are_read_right(store, tmp_path, encoding):
    path = write_csv(tmp_path / "ru.csv", RU_HEADER, RU_ROWS, encoding=encoding)
    result = import_file(store, "card", path)
    assert result.encoding == encoding
    assert _records(store, "surname") == [("Иванов",), ("Танака",), ("Ямада",)]


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp"])
def test_japanese_roster_headers_are_mapped_and_full_names_split(store, tmp_path, encoding):
    path = write_csv(tmp_path / "roster.csv", ["氏名", "生年月日", "本籍", "部隊", "階級"],
                     [["山田 太郎", "大正9年3月1日", "新潟県", "歩兵第25連隊", "上等兵"],
                      ["ヤマダ・タロウ", "1920", "東京都", "", ""]], encoding=encoding)
    result = import_file(store, "jp-roster", path)
    assert (result.mapping, result.encoding) == ("ja-roster", encoding)
    got = _records(store, "kind", "surname", "given_name", "script", "birth_date", "birth_year", "prefecture", "unit")
    assert got == [("jp_roster", "山田", "太郎", "kanji", "1920-03-01", 1920, "新潟県", "歩兵第25連隊"),
                   ("jp_roster", "ヤマダ", "タロウ", "katakana", "1920", 1920, "東京都", None)]


def test_a_mapping_file_maps_a_users_own_headers(store, tmp_path):
    mapping = tmp_path / "mine.toml"
    mapping.write_text('[columns]\n"Nom" = "surname"\n"Né en" = "birth_year"\n"Remarque" = "remark"\n'
                       '[options]\ndate_order = "DMY"\n', encoding="utf-8")
    path = write_csv(tmp_path / "odd.csv", ["Nom", "Né en", "Remarque"], [["Dupont", "1910", "vu"]])
    import_file(store, "card", path, ImportOptions(mapping=str(mapping)))
    assert _records(store, "surname", "birth_year", "extra_json") == [("Dupont", 1910, '{"remark": "vu"}')]


def test_bundled_mappings_give_their_canonical_headers():
    mapping = load_bundled("ru-card")
    assert mapping.header_for("surname") == "Фамилия" and mapping.header_for("rank") == "Звание"
    assert load_bundled("ja_death_roster").header_for("death_date") == "死亡年月日"
    with pytest.raises(KartotekaError) as info:
        load_bundled("xx-nothing")
    assert "ru-card" in info.value.hint


def test_xlsx_and_json_files_import_like_csv(store, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(RU_HEADER)
    for row in RU_ROWS:
        book.active.append(row)
    book.save(tmp_path / "cards.xlsx")
    (tmp_path / "files.json").write_text(json.dumps(
        [{"surname": "Иванов", "birth_year": 1920, "record_ref": "pf-1"}], ensure_ascii=False), encoding="utf-8")
    assert import_file(store, "card", tmp_path / "cards.xlsx").rows_imported == 3
    assert import_file(store, "personal-file", tmp_path / "files.json").rows_imported == 1
    assert _records(store, "kind", "record_ref")[-1] == ("personal_file", "pf-1")


def test_a_manifest_directory_imports_every_file_and_marks_it_simulated(store, tmp_path):
    write_csv(tmp_path / "cards.csv", RU_HEADER, RU_ROWS, encoding="cp1251")
    write_csv(tmp_path / "roster.csv", ["氏名", "生年"], [["ヤマダ タロウ", "1918"]], encoding="cp932")
    (tmp_path / "manifest.json").write_text(json.dumps({"simulated": True, "files": [
        {"path": "cards.csv", "kind": "card", "encoding": "cp1251", "mapping": "ru-card"},
        {"path": "roster.csv", "kind": "death-roster"}]}), encoding="utf-8")
    results = import_directory(store, tmp_path)
    assert [(r.kind, r.rows_imported, r.simulated) for r in results] == [("card", 3, True), ("death_roster", 1, True)]
    assert store.is_simulated()
    with store.engine.connect() as conn:
        assert conn.execute(select(sources.c.simulated)).scalars().all() == [True, True]
    assert [r.already_imported for r in import_directory(store, tmp_path)] == [True, True]


def test_a_directory_without_manifest_is_a_clear_error(store, tmp_path):
    with pytest.raises(KartotekaError) as info:
        import_directory(store, tmp_path)
    assert "manifest.json" in info.value.message and "kartoteka import KIND FILE" in info.value.hint


def test_a_file_name_with_quotes_is_stored_as_is(store, tmp_path):
    path = write_csv(tmp_path / "d'Arc \"1946\".csv", RU_HEADER, RU_ROWS)
    assert import_file(store, "card", path).rows_imported == 3
    assert {name for (name,) in _records(store, "file_name")} == {"d'Arc \"1946\".csv"}
