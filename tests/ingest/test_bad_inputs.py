"""Bad input: each case pins what the user sees, and that every physical line is accounted for (no row lost).

Files are made in tmp_path (the big ones too: a 10 MB field, 10,000 columns), so the repository stays small.
"""

from __future__ import annotations

import csv
import io
import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kartoteka.core.errors import KartotekaError
from kartoteka.ingest import import_file
from kartoteka.store import open_store

HEADER = "Фамилия,Имя,Отчество,Год рождения\n"


def physical_lines(data: bytes, encoding: str = "utf-8") -> int:
    """Lines as the importer counts them (\\n, \\r\\n and \\r end a line), independently of it."""
    return len(io.StringIO(data.decode(encoding), newline="").readlines())


def assert_accounted(result, data: bytes) -> None:
    assert result.lines == physical_lines(data)
    assert result.lines == (result.header_lines + result.blank_lines + result.record_lines
                            + result.quarantined_lines)


CASES = {
    "stray_quote.csv": (HEADER + 'Сато,"Итиро,Ивао,1920\nИванов,Таро,Ивао,1919\nКато,Дзиро,Кэндзи,1920\n',
                        2, 1, "parse.stray_quote"),
    "stray_quote_in_note.csv": ("Фамилия,Имя,Год рождения,Примечание\nСато,Итиро,1920,\"нет\nИванов,Таро,1919,x\n"
                                "Като,Дзиро,1920,y\n", 2, 1, "parse.stray_quote"),
    "doubled_quotes.csv": (HEADER + 'Сато,"Ит""иро",Ивао,1920\nИванов,Таро,Ивао,1919\n', 1, 1, "row.name_symbols"),
    "mixed_line_endings.csv": (HEADER.replace("\n", "\r\n") + "Сато,Итиро,Ивао,1920\rИванов,Таро,Ивао,1919\r\n"
                               "Като,Дзиро,Кэндзи,1920\n", 3, 0, None),
    "nul_byte.csv": (HEADER + "Сато,Ит\x00иро,Ивао,1920\nИванов,Таро,Ивао,1919\n", 1, 1, "row.nul"),
    "bom_in_the_middle.csv": (HEADER + "\ufeffСато,Итиро,Ивао,1920\nИванов,Таро,Ивао,1919\n", 1, 1,
                              "row.name_symbols"),
    "header_again.csv": (HEADER + "Сато,Итиро,Ивао,1920\n" + HEADER + "Иванов,Таро,Ивао,1919\n", 2, 1,
                         "row.header_repeated"),
    "blank_lines.csv": (HEADER + "\n\nСато,Итиро,Ивао,1920\n  \n", 1, 0, None),
    "too_many_values.csv": (HEADER + "Сато,Итиро,Ивао,1920,x,y\n", 0, 1, "row.extra_values"),
    "asdf_surname.csv": (HEADER + "asdf;;;;,Таро,,1920\nИванов,Таро,Ивао,1919\n", 1, 1, "row.name_symbols"),
    "broken_line.jsonl": ('{"surname": "Сато", "given_name": "Итиро"}\n{"surname": \n\n'
                          '{"surname": "Като"}\n[1]\n', 2, 2, "parse.json"),
    "pretty.json": ('[\n {"surname": "Сато",\n  "given_name": "Итиро"},\n 7,\n {"surname": "Като"}\n]\n', 2, 1,
                    "parse.not_object"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_quarantined_with_its_code_and_every_line_accounted(tmp_path, name):
    text, imported, quarantined, code = CASES[name]
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    store = open_store(f"sqlite:///{tmp_path / 'k.sqlite'}")
    try:
        result = import_file(store, "card", path)
        codes = [line.rsplit("[", 1)[1].rstrip("]") for line in result.quarantine_sample]
    finally:
        store.close()
    assert (result.rows_imported, result.rows_quarantined) == (imported, quarantined)
    assert code is None or code in codes
    assert_accounted(result, path.read_bytes())


@pytest.mark.parametrize("name,text,code,message", [
    ("header_only.csv", HEADER, "input.empty", "the file has a header but no data rows"),
    ("not_a_list.json", '{"surname": "Сато"}', "input.json", "a .json file must hold one array of objects"),
    ("duplicate_headers.csv", "Фамилия,Фамилия,Имя\nСато,Сато,Итиро\n", "input.columns",
     "the header repeats column(s) Фамилия"),
    ("wrong_delimiter.csv", "Фамилия:Имя:Год\nСато:Итиро:1920\n", "input.columns", "missing required columns"),
])
def test_files_that_cannot_be_read_say_why(tmp_path, name, text, code, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'k.sqlite'}")
    try:
        with pytest.raises(KartotekaError) as info:
            import_file(store, "card", path)
    finally:
        store.close()
    assert info.value.code == code and message in info.value.message


def test_a_10_mb_note_and_10000_columns_are_read_whole(tmp_path):
    path = tmp_path / "wide.csv"
    header = ["Фамилия", "Имя", *[f"c{n}" for n in range(9998)]]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(["Сато", "Итиро", "строка\n" * (10 * 1024 * 1024 // 14), *["x"] * 9997])
        writer.writerow(["Като", "Дзиро", *[""] * 9998])
    store = open_store(f"sqlite:///{tmp_path / 'k.sqlite'}")
    try:
        result = import_file(store, "card", path)
    finally:
        store.close()
    assert (result.rows_imported, result.rows_quarantined) == (2, 0)
    assert_accounted(result, path.read_bytes())


NAMES = st.sampled_from(["Сато", "Иванов", "Ёсида", "Кобаяси-Ито", "О'Хара", "Пётр"])
# No lone "\r": csv.writer with lineterminator "\n" leaves it unquoted, a real line break in the file it writes.
NOTES = st.text(alphabet=string.ascii_letters + "абвгд漢字カナ ,;\"'\n\t|", max_size=20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(NAMES, NAMES, st.integers(1880, 1945), NOTES), min_size=1, max_size=15),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
       delimiter=st.sampled_from([",", ";", "\t", "|"]), terminator=st.sampled_from(["\n", "\r\n"]))
def test_any_csv_writer_output_reads_back_exactly_with_no_row_lost(tmp_path_factory, rows, quoting, delimiter,
                                                                    terminator):
    work = tmp_path_factory.mktemp("prop")
    path = work / "cards.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, quoting=quoting, lineterminator=terminator)
        writer.writerow(["surname", "given_name", "birth_year", "note"])
        for row in rows:
            writer.writerow(row)
    store = open_store(f"sqlite:///{work / 'k.sqlite'}")
    try:
        result = import_file(store, "card", path)
        with store.engine.connect() as conn:
            got = conn.exec_driver_sql("SELECT surname, given_name, birth_year, extra_json FROM records "
                                       "ORDER BY row_number").all()
    finally:
        store.close()
    assert result.rows_imported + result.rows_quarantined == len(rows)
    assert result.rows_quarantined == 0
    assert_accounted(result, path.read_bytes())
    for (surname, given_name, year, extra), (s, g, y, note) in zip(got, rows, strict=True):
        assert (surname, given_name, year) == (s, g, y)
        assert (json.loads(extra).get("note") if extra else None) == (note.strip() or None)
