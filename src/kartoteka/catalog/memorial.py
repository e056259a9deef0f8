"""The memorial list: the dead in 五十音 order, as the ministry publishes it, paged by kana row, or by prefecture.

The key of the order is the name in katakana (the person's kana name, or the kana of its romaji reading when
no record spells it in kana). Voiced and small kana sort with their plain kana (ガ beside カ, ッ as ツ), as in
a printed list; a name with no kana at all goes to the row 他 ("other").
"""

from __future__ import annotations

import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from kartoteka.catalog.types import MemorialEntry, MemorialPage, MemorialRow
from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.tables import link_runs, persons
from kartoteka.linkage.vocabulary import PREFECTURES, prefecture_code
from kartoteka.names import romaji_to_kana
from kartoteka.store import Store

ROWS: tuple[str, ...] = ("ア", "カ", "サ", "タ", "ナ", "ハ", "マ", "ヤ", "ラ", "ワ", "他")
OTHER = "他"
_ROW_ROMAJI = {"a": "ア", "ka": "カ", "sa": "サ", "ta": "タ", "na": "ナ", "ha": "ハ", "ma": "マ", "ya": "ヤ",
               "ra": "ラ", "wa": "ワ", "other": OTHER}
# The plain katakana of each row, in order: a kana (folded) belongs to the row of the last start before it.
_ROW_KANA = {"ア": "アイウエオ", "カ": "カキクケコ", "サ": "サシスセソ", "タ": "タチツテト", "ナ": "ナニヌネノ",
             "ハ": "ハヒフヘホ", "マ": "マミムメモ", "ヤ": "ヤユヨ", "ラ": "ラリルレロ", "ワ": "ワヰヱヲン"}
_ROW_OF = {kana: row for row, letters in _ROW_KANA.items() for kana in letters}
_SMALL = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_PREFECTURE_NAMES = {code: kanji for code, kanji, _ in PREFECTURES}
_MAX_LIMIT = 1000
_COLUMNS = ("id", "name_kana", "name_kanji", "name_cyrillic", "name_romaji", "birth_year", "prefecture",
            "death_date", "death_place", "burial_site")


def fold_kana(text: str) -> str:
    """Katakana with voiced marks and small kana folded to the plain kana (the 50-on order's first key)."""
    kata = "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in text)
    kata = kata.replace("ヴ", "ウ")
    plain = "".join(ch for ch in unicodedata.normalize("NFD", kata) if ch not in "\u3099\u309a")
    return unicodedata.normalize("NFC", plain).translate(_SMALL)


def kana_row(kana: str | None) -> str:
    """The row (ア カ ... ワ, or 他) of a name in kana."""
    folded = fold_kana((kana or "").strip())
    return _ROW_OF.get(folded[:1], OTHER)


def normalize_row(text: str) -> str:
    """ア from "ア", "あ", "ア行", "ガ" or "a"; raises catalog.row for anything else, listing the rows."""
    value = unicodedata.normalize("NFKC", text or "").strip().removesuffix("行").removesuffix("ぎょう")
    if value.lower() in _ROW_ROMAJI:
        return _ROW_ROMAJI[value.lower()]
    if value.lower().removesuffix("-gyo").removesuffix("gyo").rstrip("- ") in _ROW_ROMAJI:
        return _ROW_ROMAJI[value.lower().removesuffix("-gyo").removesuffix("gyo").rstrip("- ")]
    if value == OTHER:
        return OTHER
    if len(value) == 1 and kana_row(value) != OTHER:
        return kana_row(value)
    raise KartotekaError(
        "catalog.row", f"unknown row {text!r} of the memorial list; the rows are {' '.join(ROWS)}",
        hint="give a row's first kana (カ), its name (カ行) or its romaji (ka); 他 holds the names without kana",
        details={"value": text, "known": list(ROWS)})


def normalize_prefecture(text: str) -> str:
    """The prefecture's name as the persons hold it (山形) from 山形県, Yamagata or Ямагата; raises for others."""
    code = prefecture_code(text)
    if code is None:
        raise KartotekaError(
            "catalog.prefecture", f"unknown prefecture {text!r}",
            hint="give a prefecture in kanji (山形県), romaji (Yamagata) or Cyrillic (Ямагата)",
            details={"value": text, "known": [kanji for _, kanji, _ in PREFECTURES]})
    return _PREFECTURE_NAMES[code]


@dataclass(frozen=True)
class _Dead:
    key: str  # the folded kana, then the kana itself: the 50-on order
    row: str
    entry: MemorialEntry


_cache: dict[tuple[str, str | None], list[_Dead]] = {}
_cache_lock = threading.Lock()


def _kana(name_kana: str | None, name_romaji: str | None) -> str | None:
    if name_kana:
        return str(name_kana)
    if name_romaji:
        kana = romaji_to_kana(str(name_romaji)).strip()
        return kana or None
    return None


def _load(conn: Any) -> list[_Dead]:
    dead = []
    query = select(*[persons.c[name] for name in _COLUMNS]).where(persons.c.fate == "died")
    for row in conn.execute(query):
        kana = _kana(row.name_kana, row.name_romaji)
        entry = MemorialEntry(person_id=int(row.id), kana=kana, kanji=row.name_kanji, cyrillic=row.name_cyrillic,
                              birth_year=row.birth_year, prefecture=row.prefecture, death_date=row.death_date,
                              death_place=row.death_place, burial_site=row.burial_site)
        key = f"{fold_kana(kana)}\x00{kana}\x00{row.id:012d}" if kana else f"\uffff{row.id:012d}"
        dead.append(_Dead(key=key, row=kana_row(kana), entry=entry))
    dead.sort(key=lambda d: d.key)
    return dead


def _the_dead(store: Store) -> list[_Dead]:
    """Every dead person of the current run in 50-on order (kept per run: the kana keys are computed once; the
    persons change only when a run finishes)."""
    with store.engine.connect() as conn:
        run = conn.execute(select(link_runs.c.id, link_runs.c.finished_at).where(link_runs.c.status == "done")
                           .order_by(link_runs.c.id.desc()).limit(1)).first()
        key = (str(store.engine.url), None if run is None else f"{run.id} {run.finished_at}")
        with _cache_lock:
            if key in _cache:
                return _cache[key]
        dead = _load(conn)
    with _cache_lock:
        for old in [k for k in _cache if k[0] == key[0]]:
            del _cache[old]
        _cache[key] = dead
    return dead


def memorial_rows(store: Store) -> list[MemorialRow]:
    """The kana rows with how many of the dead each holds (every row listed, empty ones with 0)."""
    counts = Counter(d.row for d in _the_dead(store))
    return [MemorialRow(row=row, label=row if row == OTHER else f"{row}行", count=counts.get(row, 0)) for row in ROWS]


def memorial_prefectures(store: Store) -> list[MemorialRow]:
    """The prefectures (本籍) with how many of the dead each holds, north to south; 他 for none known."""
    counts = Counter(d.entry.prefecture or OTHER for d in _the_dead(store))
    order = [kanji for _, kanji, _ in PREFECTURES] + [OTHER]
    return [MemorialRow(row=name, label=name, count=counts[name]) for name in order if counts.get(name)]


def memorial(store: Store, row: str | None = None, prefecture: str | None = None, limit: int = 100,
             offset: int = 0) -> MemorialPage:
    """One page of the dead in 50-on order, of one kana row and/or one prefecture."""
    if not 1 <= limit <= _MAX_LIMIT or offset < 0:
        raise KartotekaError("catalog.paging", f"limit must be 1 to {_MAX_LIMIT} and offset 0 or more "
                             f"(got limit={limit}, offset={offset})", details={"limit": limit, "offset": offset})
    wanted_row = normalize_row(row) if row else None
    wanted_prefecture = None
    if prefecture:
        wanted_prefecture = OTHER if prefecture.strip() == OTHER else normalize_prefecture(prefecture)
    chosen = [d for d in _the_dead(store)
              if (wanted_row is None or d.row == wanted_row)
              and (wanted_prefecture is None or (d.entry.prefecture or OTHER) == wanted_prefecture)]
    return MemorialPage(row=wanted_row, prefecture=wanted_prefecture, total=len(chosen),
                        entries=[d.entry for d in chosen[offset:offset + limit]])
