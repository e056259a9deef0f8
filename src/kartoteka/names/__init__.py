"""kartoteka.names: Japanese names across Cyrillic, katakana, romaji and kanji (pure functions).

    detect_script(text)        cyrillic | katakana | hiragana | kanji | latin | mixed
    normalize(text)            canonical form (idempotent), surname first
    readings(text, limit, part)  n-best katakana readings with probabilities (Reading)
    literal_reading(text)      the name read letter by letter, without the name tables (romaji)
    keys(text)                 phonetic blocking keys (levels k, f, v, c)
    similarity(a, b)           cross-script similarity in [0, 1]
    explain(a, b)              why: the readings that met and the edits between them
    kana_to_romaji, kana_to_cyrillic, romaji_to_kana

The clerk-error channel shared with the simulator is ``kartoteka.names.channel``; kanji readings and the
real-name priors are ``kartoteka.names.kanji``. Errors: KartotekaError with codes "names.empty",
"names.too_long", "names.part", "names.type".
"""

from kartoteka.names.kana import kana_to_cyrillic, kana_to_romaji, romaji_to_kana
from kartoteka.names.readings import Reading, literal_reading, normalize, readings
from kartoteka.names.script import detect_script
from kartoteka.names.similarity import explain, keys, similarity


def _one_thread_at_a_time_in_sudachi() -> None:
    """Sudachi's tokenizer refuses a second thread ("Tokenizer is already in use"), and the web server reads
    names on a pool of threads: every concurrent kanji search answered 500. Each use goes through one lock.

    Installed here, not in kanji.py, because kanji.py is an input of the shipped spelling table's digest
    (names.spellings): a change to it retires the table until bench/build_spellings.py rebuilds it (a long run).
    At the next rebuild this lock belongs in kanji._sudachi_name_readings itself."""
    import threading

    from kartoteka.names import kanji

    unlocked = kanji._sudachi_name_readings
    if getattr(unlocked, "locked", False):
        return
    lock = threading.Lock()

    def locked(text: str, part: kanji.Part) -> list[tuple[str, float]]:
        with lock:
            return unlocked(text, part)

    locked.locked = True  # type: ignore[attr-defined]
    kanji._sudachi_name_readings = locked


_one_thread_at_a_time_in_sudachi()

__all__ = [
    "Reading",
    "detect_script",
    "explain",
    "kana_to_cyrillic",
    "kana_to_romaji",
    "keys",
    "literal_reading",
    "normalize",
    "readings",
    "romaji_to_kana",
    "similarity",
]
