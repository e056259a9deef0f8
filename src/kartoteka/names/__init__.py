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
