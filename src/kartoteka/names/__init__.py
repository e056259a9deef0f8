"""kartoteka.names: Japanese names across Cyrillic, katakana, romaji and kanji (pure functions)."""

from kartoteka.names.kana import kana_to_cyrillic, kana_to_romaji

__all__ = ["kana_to_cyrillic", "kana_to_romaji"]
