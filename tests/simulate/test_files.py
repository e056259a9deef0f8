"""The files of a simulated archive: marked SIMULATED, complete truth, the ingest mappings' headers, importable."""

from __future__ import annotations

import csv

import pytest

from kartoteka.ingest import import_directory
from kartoteka.ingest.mappings import load_bundled
from kartoteka.simulate.sources import SOURCE_FILES
from kartoteka.store import open_store

pytestmark = pytest.mark.xdist_group("simulate")


def test_every_file_and_row_says_simulated(small_archives):
    archive = small_archives["realistic"]
    assert archive.manifest["simulated"] is True
    assert "SIMULATED" in archive.manifest["notice"]
    for entry in archive.manifest["files"]:
        rows = archive.file_rows(entry["path"], entry["encoding"])  # asserts the '# SIMULATED' line
        assert rows and {row["simulated"] for row in rows} == {"SIMULATED"}
        assert entry["simulated"] is True
    assert {p["simulated"] for p in archive.persons.values()} == {"SIMULATED"}
    assert {t["simulated"] for t in archive.truth.values()} == {"SIMULATED"}
    assert all(ref.startswith("SIM-") for ref in archive.truth)
    assert all(pid.startswith("SIM-P") for pid in archive.persons)


def test_truth_names_every_row_once_with_its_kind(small_archives):
    archive = small_archives["realistic"]
    seen: dict[str, str] = {}
    for entry in archive.manifest["files"]:
        rows = archive.file_rows(entry["path"], entry["encoding"])
        assert len(rows) == entry["rows"]
        for row in rows:
            assert row["record_ref"] not in seen
            seen[row["record_ref"]] = entry["kind"]
    assert seen == {ref: t["kind"] for ref, t in archive.truth.items()}
    assert {t["person_id"] for t in archive.truth.values()} <= set(archive.persons)
    counts = archive.manifest["counts"]
    for kind in ("card", "personal_file", "death_roster", "jp_roster", "manifest", "burial"):
        assert counts[kind] == sum(1 for k in seen.values() if k == kind) > 0


def test_headers_are_the_bundled_mappings_and_map_to_the_intended_columns(small_archives):
    archive = small_archives["realistic"]
    for spec in SOURCE_FILES:
        mapping = load_bundled(spec.mapping)
        with open(archive.dir / spec.path, encoding=spec.encoding, newline="") as handle:
            handle.readline()
            header = next(csv.reader(handle))
        assert header[0] == "record_ref" and header[-1] == "simulated"
        assert [mapping.target_of(h) for h in header[1:-1]] == list(spec.columns), spec.path


def test_some_russian_files_are_cp1251_and_do_not_decode_as_utf8(small_archives):
    archive = small_archives["realistic"]
    cp1251 = [e for e in archive.manifest["files"] if e["encoding"] == "cp1251"]
    assert {e["kind"] for e in cp1251} == {"card", "personal_file"}
    raw = (archive.dir / cp1251[0]["path"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Фамилия" in raw.decode("cp1251")


@pytest.mark.parametrize("profile", ["realistic", "harsh"])
def test_the_archive_imports_without_quarantine_and_marks_the_store(small_archives, tmp_path, profile):
    archive = small_archives[profile]
    store = open_store(f"sqlite:///{tmp_path / 'sim.sqlite'}")
    try:
        results = import_directory(store, archive.dir)
        assert store.is_simulated()
    finally:
        store.close()
    by_file = {r.file.split("/")[-1]: r for r in results}
    for entry in archive.manifest["files"]:
        result = by_file[entry["path"]]
        assert result.rows_quarantined == 0, (entry["path"], result.quarantine_sample)
        assert result.rows_imported == entry["rows"]
        assert result.simulated
