"""Any CSV that csv.writer can write reads back exactly, every row once (a property test).

The corpus of bad files, each with its pinned message and accounting, is in test_bad_corpus.py.
"""

from __future__ import annotations

import csv
import io
import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
