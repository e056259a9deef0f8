import json

from kartoteka.linkage.reading_cache import ReadingCache


def test_readings_are_kept_between_runs_and_a_damaged_cache_is_ignored(tmp_path):
    path = tmp_path / "readings-cache.json"
    cache = ReadingCache(path)
    first = cache("Ямамото", "surname")
    assert first and first[0].lower().startswith("yamamoto")
    cache.save()
    again = ReadingCache(path)
    assert again.entries[("Ямамото", "surname")] == first
    assert again.added == 0
    stored = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**stored, "key": "another-names-engine"}), encoding="utf-8")
    assert ReadingCache(path).entries == {}  # readings of another engine are not reused
    path.write_text("{broken", encoding="utf-8")
    assert ReadingCache(path).entries == {}
