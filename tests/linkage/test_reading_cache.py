import json

import pytest

from kartoteka.linkage.reading_cache import LITERAL, ReadingCache


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


@pytest.mark.parametrize("search", [True, False])
def test_reading_started_in_workers_gives_the_same_answers_as_reading_in_process(tmp_path, monkeypatch, search):
    # Without the decoder's search (a file of Cyrillic cards only) the readings go to the workers too, with the
    # literal readings; "Кирибаши" is read Kiribuchi with the search and Kiribashi without: a worker reads the way
    # the cache was asked to.
    import kartoteka.linkage.reading_cache as reading_cache

    items = [("Ямамото", "surname"), ("Сато", "surname"), ("山田", "surname"), ("Таро", "given"),
             ("イチロウ", "given"), ("Шимидзу", "surname"), ("Шимидзу", LITERAL), ("Кирибаши", "surname")]
    in_process = ReadingCache(search=search)
    in_process.prefetch(items)
    monkeypatch.setattr(reading_cache, "_PARALLEL_FROM", 2)
    monkeypatch.setattr(reading_cache, "_CHUNK", 2)
    background = ReadingCache(tmp_path / "cache.json", search=search)
    background.start(items[:4])
    assert background._pool is not None and background.entries == {}  # started, nothing collected yet
    background.prefetch(items)  # collects the started ones, reads the rest
    assert background._pool is None
    assert background.entries == in_process.entries
    assert background.added == len(items)


def test_closing_a_started_cache_drops_what_was_not_collected(monkeypatch):
    import kartoteka.linkage.reading_cache as reading_cache

    cache = ReadingCache()
    monkeypatch.setattr(reading_cache, "_PARALLEL_FROM", 1)
    cache.start([("Ито", "surname"), ("Кано", "surname")])
    cache.close()
    assert cache._pool is None and cache.entries == {} and cache.added == 0
    assert cache("Ито", "surname")  # still usable: read on demand


def test_a_released_cache_holds_nothing_and_its_saved_readings_stay_on_disk(tmp_path):
    path = tmp_path / "readings-cache.json"
    cache = ReadingCache(path)
    first = cache("Ямамото", "surname")
    cache.save()
    cache.release()
    assert cache.entries == {} and cache.added == 0
    cache.save()  # nothing new: the file on disk keeps what was saved, not the emptied dict
    assert ReadingCache(path).entries[("Ямамото", "surname")] == first
    assert cache("Ямамото", "surname") == first  # asked again, read anew
