"""Resolving a place or camp text as written to a place and a camp of the gazetteer.

A text may name a place in any script and spelling ("Тайшет", "タイシェト", "Taishet", "Voroshilov"), a camp by
the adjective of its town ("Тайшетский лагерь"), a camp number with the word that says what it counts ("лагерь
№ 7", "第7収容所", "第7地区", a bare "7" of a Soviet card), or several of these. A number can mean several camps:
the Soviet camp 7 (Taishet) and the Japanese 1947 district 7 (Posyet) share it. The candidates are the camps that
bore the number in a system the text allows, on the date when one is given (a number out of use that day drops
out); a place named beside the number decides between them. When two candidates remain equally likely the camp
is left unresolved and both are named: a resolution is never a guess.

``Index`` holds everything in memory (a few thousand names), built once per store and generation."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from kartoteka.core.errors import KartotekaError
from kartoteka.gazetteer.match import (
    ADJECTIVE_ENDINGS,
    MIN_STEM,
    kana_latin_key,
    name_key,
    numbers_in,
    ru_stem,
    russian_to_latin,
    script_of,
    words_of,
)
from kartoteka.gazetteer.tables import (
    gazetteer_camp_numbers,
    gazetteer_camp_places,
    gazetteer_camps,
    gazetteer_fixes,
    gazetteer_names,
    gazetteer_places,
)
from kartoteka.gazetteer.types import Coordinate, PlaceResolution

CAMP_SYSTEMS = {"camp": ("soviet",), "transit": ("soviet",), "district": ("soviet", "japanese_1947"),
                "unknown": ("soviet",), "hospital": ("hospital", "soviet"),
                "otdelenie": ("otdelenie",)}
BURIAL_WORDS = ("кладбищ", "могил", "захорон", "墓地", "墓", "cemetery", "grave", "burial")
SYSTEM_LABEL = {"soviet": "Soviet camp", "japanese_1947": "Japanese 1947 district", "otdelenie": "lagotdelenie",
                "hospital": "special hospital", "burial_site": "burial site"}
MARGIN = 0.15  # a camp is chosen only when it leads the next candidate by this much


@dataclass
class Place:
    id: int
    key: str
    name_en: str
    region: str
    coordinate: Coordinate | None


@dataclass
class CampNumber:
    camp_id: int
    system: str
    number: str
    valid_from: str | None
    valid_to: str | None
    basis: str


@dataclass
class CampPlace:
    place_id: int
    role: str
    valid_from: str | None
    valid_to: str | None


@dataclass
class Camp:
    id: int
    key: str
    kind: str
    name: str
    region: str | None = None
    places: list[CampPlace] = field(default_factory=list)
    numbers: list[CampNumber] = field(default_factory=list)


def _bound(text: str | None, end: bool) -> dt.date | None:
    """A valid_from / valid_to as a date: a year or a month stands for its first (from) or last (to) day."""
    if not text:
        return None
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        year, month = parts
        if not end:
            return dt.date(year, month, 1)
        return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(parts[0], 12, 31) if end else dt.date(parts[0], 1, 1)


def in_use(valid_from: str | None, valid_to: str | None, on: dt.date | None) -> bool:
    """Whether a dated fact holds on ``on`` (an unknown bound, or no date, excludes nothing)."""
    if on is None:
        return True
    start, end = _bound(valid_from, False), _bound(valid_to, True)
    return (start is None or start <= on) and (end is None or on <= end)


class Index:
    """The gazetteer of one store in memory: places, camps, numbers, and every name's key."""

    def __init__(self, conn: Any) -> None:
        fixes = {r.place_key: r for r in conn.execute(select(gazetteer_fixes))}
        self.places: dict[int, Place] = {}
        for row in conn.execute(select(gazetteer_places)):
            fix = fixes.get(row.key)
            coordinate = (Coordinate(fix.lat, fix.lon, f"curator:{fix.source}; {fix.note}", 1.0) if fix else
                          Coordinate(row.lat, row.lon, row.coordinate_source, row.confidence)
                          if row.coordinate_source else None)
            self.places[row.id] = Place(row.id, row.key, row.name_en, row.region, coordinate)
        self.camps: dict[int, Camp] = {
            row.id: Camp(row.id, row.key, row.kind, row.name_en or row.name_ru or row.name_ja or row.key, row.region)
            for row in conn.execute(select(gazetteer_camps))}
        for row in conn.execute(select(gazetteer_camp_places)):
            self.camps[row.camp_id].places.append(CampPlace(row.place_id, row.role, row.valid_from, row.valid_to))
        self.by_number: dict[str, list[CampNumber]] = defaultdict(list)
        for row in conn.execute(select(gazetteer_camp_numbers).order_by(gazetteer_camp_numbers.c.id)):
            number = CampNumber(row.camp_id, row.system, row.number, row.valid_from, row.valid_to, row.basis)
            self.camps[row.camp_id].numbers.append(number)
            self.by_number[row.number].append(number)
        self.exact: dict[str, set[tuple[str, int]]] = defaultdict(set)  # name key -> {("place"|"camp", id)}
        self.stems: dict[str, set[tuple[str, int]]] = defaultdict(set)  # Russian stem -> ...
        self.cjk: list[tuple[str, tuple[str, int]]] = []  # kana/kanji keys, searched inside a text
        self.latin: list[tuple[str, tuple[str, int]]] = []  # Latin and Cyrillic keys, searched as whole words
        for row in conn.execute(select(gazetteer_names)):
            target = ("place", row.place_id) if row.place_id is not None else ("camp", row.camp_id)
            self.exact[row.name_key].add(target)
            if row.script in ("kana", "kanji"):
                if len(row.name_key) >= 2:
                    self.cjk.append((row.name_key, target))
                if row.script == "kana" and target[0] == "place":
                    self.latin.append((kana_latin_key(row.name), target))
            elif target[0] == "place":
                self.latin.append((row.name_key, target))
            if row.script == "cyrillic":
                # a camp by the adjective of its town that opens its name ("Елабужский лагерь"), never by a
                # common word ("Лагерь № 5", "кладбище Яккасарай")
                words = words_of(row.name_key)
                if target[0] == "camp":
                    words = [w for w in words[:1] if w.endswith(ADJECTIVE_ENDINGS)]
                for word in words:
                    stem = ru_stem(word)
                    if len(stem) >= MIN_STEM:
                        self.stems[stem].add(target)
        self.cjk.sort(key=lambda item: -len(item[0]))
        self.latin_keys: dict[str, set[tuple[str, int]]] = defaultdict(set)
        for alias, target in self.latin:
            self.latin_keys[alias].add(target)
        self.boundaries = self._boundaries()
        # a text's names do not depend on the date: found once per text (ingest resolves a text once per span)
        self._mentioned: dict[str, tuple[dict[tuple[str, int], tuple[float, str]], list[str]]] = {}

    def _boundaries(self) -> list[dt.date]:
        """The days on which some dated fact of the gazetteer begins to hold or stops holding (the day after its
        last): between two of them every number and every camp's place is in use or out of use alike."""
        days: set[dt.date] = set()
        dated = [(n.valid_from, n.valid_to) for numbers in self.by_number.values() for n in numbers]
        dated += [(p.valid_from, p.valid_to) for camp in self.camps.values() for p in camp.places]
        for valid_from, valid_to in dated:
            start, end = _bound(valid_from, False), _bound(valid_to, True)
            if start is not None:
                days.add(start)
            if end is not None:
                days.add(end + dt.timedelta(days=1))
        return sorted(days)

    def period(self, on: dt.date | None) -> int:
        """Which span between the gazetteer's ``boundaries`` the day falls in (-1: no day). Two days of one span
        resolve every text alike (only ``on`` differs): a text is resolved once per span, not once per day."""
        return -1 if on is None else bisect.bisect_right(self.boundaries, on)

    # -- the parts of a text ---------------------------------------------------------------------------------

    def mentions(self, key: str) -> tuple[dict[tuple[str, int], tuple[float, str]], list[str]]:
        """The places and camps a text's key names, each with how sure and by which name."""
        found: dict[tuple[str, int], tuple[float, str]] = {}

        def note(target: tuple[str, int], confidence: float, how: str) -> None:
            if confidence > found.get(target, (0.0, ""))[0]:
                found[target] = (confidence, how)

        for target in self.exact.get(key, ()):
            note(target, 0.95, f"the name {key!r}")
        script = script_of(key)
        if script in ("kana", "kanji"):
            rest = key
            for alias, target in self.cjk:
                if alias in rest:
                    note(target, 0.9, f"the name {alias!r} in the text")
                    rest = rest.replace(alias, " ")
            for run in re.findall(r"[ァ-ヺ]{3,}", rest):
                read = kana_latin_key(run)
                for target in self.latin_keys.get(read, ()):
                    note(target, 0.75, f"{run!r} read as {read!r}")
        else:
            padded = f" {key} "
            for alias, target in self.latin:
                if len(alias) >= 3 and f" {alias} " in padded:
                    note(target, 0.9, f"the name {alias!r} in the text")
            if script == "cyrillic":  # a place GeoNames has no Russian name for: "Красная Заря" = Krasnaya Zarya
                latin = f" {name_key(russian_to_latin(key))} "
                for alias, target in self.latin:
                    if target not in found and len(alias) >= 4 and f" {alias} " in latin:
                        note(target, 0.8, f"{key!r} read in Latin letters as {alias!r}")
            for word in words_of(key):
                stem = ru_stem(word)
                for target in self.stems.get(stem, ()) if len(stem) >= MIN_STEM else ():
                    note(target, 0.85, f"{word!r} shares the stem {stem!r}")
        burial = [w for w in BURIAL_WORDS if w in key]
        return found, burial

    def camp_candidates(self, text: str, on: dt.date | None,
                        reasons: list[str]) -> dict[int, tuple[float, CampNumber]]:
        """The camps a text's numbers can mean on ``on``, each with a first score."""
        candidates: dict[int, tuple[float, CampNumber]] = {}
        out_of_use: dict[int, str] = {}
        for mention in numbers_in(text):
            if mention.counts == "burial":
                reasons.append(f"number {mention.number}: a cemetery, site or grave number, not a camp")
                continue
            systems = CAMP_SYSTEMS[mention.counts]
            for number in self.by_number.get(mention.number, ()):
                if number.system not in systems:
                    continue
                if not in_use(number.valid_from, number.valid_to, on):
                    out_of_use[number.camp_id] = (f"{SYSTEM_LABEL[number.system]} {number.number} "
                                                  f"({self.camps[number.camp_id].name}) was not in use on {on} "
                                                  f"({number.basis})")
                    continue
                score = 0.6 + (0.1 if number.system == systems[0] else 0.0) + (0.1 if on else 0.0)
                if score > candidates.get(number.camp_id, (0.0, number))[0]:
                    candidates[number.camp_id] = (score, number)
            if not self.by_number.get(mention.number):
                reasons.append(f"no camp of the gazetteer bore the number {mention.number}")
        reasons.extend(why for camp_id, why in out_of_use.items() if camp_id not in candidates)
        return candidates

    def camp_place(self, camp: Camp, on: dt.date | None) -> Place | None:
        """Where the camp was on ``on``: its headquarters, else its one site in use that day."""
        here = [p for p in camp.places if in_use(p.valid_from, p.valid_to, on)]
        for role in ("hq", "site"):
            chosen = [p for p in here if p.role == role]
            if chosen:
                return self.places[chosen[0].place_id]
        return self.places[here[0].place_id] if here else None

    def camps_at(self, place_id: int, on: dt.date | None, burial: bool) -> list[Camp]:
        """The camps whose headquarters or site is the place on ``on``: for a burial text its burial sites first;
        then camps, transit camps and hospitals; then sub-camps; then regional totals."""

        def there(kinds: tuple[str, ...]) -> list[Camp]:
            return [c for c in self.camps.values() if c.kind in kinds and any(
                p.place_id == place_id and p.role in ("hq", "site") and in_use(p.valid_from, p.valid_to, on)
                for p in c.places)]

        found = ((burial and there(("burial_site",))) or there(("camp", "transit", "hospital"))
                 or there(("subcamp",)) or there(("area",)))
        hq = [c for c in found if any(p.place_id == place_id and p.role == "hq" for p in c.places)]
        return hq if len(hq) == 1 else found

    # -- resolution ------------------------------------------------------------------------------------------

    def resolve(self, text: str, on: dt.date | None = None) -> PlaceResolution:
        """What ``text`` names on ``on`` (see the module's docstring)."""
        key = name_key(text)
        reasons: list[str] = []
        if not key:
            return PlaceResolution(text=text, place_id=None, camp_id=None, name=None, coordinate=None,
                                   confidence=0.0, reasons=["no letters or digits"], on=on)
        known = self._mentioned.get(key)
        if known is None:
            if len(self._mentioned) > 100_000:
                self._mentioned.clear()
            known = self._mentioned[key] = self.mentions(key)
        found, burial = known
        places = {tid: v for (kind, tid), v in found.items() if kind == "place"}
        named_camps = {tid: v for (kind, tid), v in found.items() if kind == "camp"}
        candidates = self.camp_candidates(text, on, reasons)
        scored = self._score(candidates, places, named_camps, on)
        camp_id, confidence, ambiguous = self._choose(scored, reasons)
        place_id, place_confidence = self._place(places, camp_id, on, reasons)
        if camp_id is None and not ambiguous and place_id is not None and not candidates:
            at = self.camps_at(place_id, on, bool(burial))
            if len(at) == 1:
                camp_id = at[0].id
                reasons.append(f"the only {at[0].kind.replace('_', ' ')} at {self.places[place_id].name_en}: "
                               f"{at[0].name}")
            elif at:
                reasons.append(f"{len(at)} camps at {self.places[place_id].name_en}: "
                               + "; ".join(c.name for c in at))
        method = self._method(camp_id, place_id, ambiguous, candidates, named_camps, places, on)
        if camp_id is not None and place_id is None:
            place = self.camp_place(self.camps[camp_id], on)
            place_id, place_confidence = (place.id, confidence) if place else (None, 0.0)
        if camp_id is not None:
            reasons.insert(0, f"camp: {self.camps[camp_id].name}")
        place = self.places.get(place_id) if place_id is not None else None
        overall = max(confidence, place_confidence) if camp_id is not None else place_confidence
        return PlaceResolution(
            text=text, place_id=place_id, camp_id=camp_id, name=place.name_en if place else None,
            coordinate=place.coordinate if place else None, confidence=round(overall, 2), reasons=reasons, on=on,
            place_key=place.key if place else None, camp_key=self.camps[camp_id].key if camp_id else None,
            camp_name=self.camps[camp_id].name if camp_id else None, candidates=ambiguous, method=method)

    def _method(self, camp_id: int | None, place_id: int | None, ambiguous: list[int],
                candidates: dict[int, tuple[float, CampNumber]], named_camps: dict[int, tuple[float, str]],
                places: dict[int, tuple[float, str]], on: dt.date | None) -> str:
        """How the text was resolved, in a word (PlaceResolution.method)."""
        if camp_id is None:
            return "ambiguous" if ambiguous else "place" if place_id is not None else "unresolved"
        if camp_id in candidates:
            own = {p.place_id for p in self.camps[camp_id].places if in_use(p.valid_from, p.valid_to, on)}
            return "number+name" if camp_id in named_camps or own & set(places) else "number"
        return "name" if camp_id in named_camps else "only camp"

    def _score(self, candidates: dict[int, tuple[float, CampNumber]], places: dict[int, tuple[float, str]],
               named_camps: dict[int, tuple[float, str]], on: dt.date | None) -> dict[int, float]:
        scored = {}
        for camp_id, (score, _number) in candidates.items():
            camp_places = {p.place_id for p in self.camps[camp_id].places if in_use(p.valid_from, p.valid_to, on)}
            if places:
                score += 0.3 if camp_places & set(places) else -0.3
            if named_camps:
                score += 0.3 if camp_id in named_camps else -0.1
            scored[camp_id] = score
        if not candidates:
            scored = {camp_id: confidence for camp_id, (confidence, _how) in named_camps.items()}
        return scored

    def _choose(self, scored: dict[int, float], reasons: list[str]) -> tuple[int | None, float, list[int]]:
        ranked = sorted(scored.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] <= 0.3:
            return None, 0.0, []
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MARGIN:
            tied = [camp_id for camp_id, score in ranked if ranked[0][1] - score < MARGIN]
            reasons.append("ambiguous: " + "; ".join(self.describe(camp_id) for camp_id in tied)
                           + " (a place or a date in the text would decide)")
            return None, 0.0, tied
        camp_id, score = ranked[0]
        return camp_id, min(score, 0.99), []

    def _place(self, places: dict[int, tuple[float, str]], camp_id: int | None, on: dt.date | None,
               reasons: list[str]) -> tuple[int | None, float]:
        if not places:
            return None, 0.0
        if camp_id is not None:  # the place of the chosen camp, among those named
            own = {p.place_id for p in self.camps[camp_id].places}
            places = {pid: v for pid, v in places.items() if pid in own} or places
        ranked = sorted(places.items(), key=lambda item: -item[1][0])
        place_id, (confidence, how) = ranked[0]
        reasons.append(f"place: {self.places[place_id].name_en} by {how}")
        if len(ranked) > 1 and ranked[1][1][0] == confidence:
            others = ", ".join(self.places[pid].name_en for pid, _v in ranked[1:])
            reasons.append(f"also named: {others}")
        return place_id, confidence

    def describe(self, camp_id: int) -> str:
        """A camp as a reason names it: "Soviet camp 7 (Taishet GUPVI camp No.7)"."""
        camp = self.camps[camp_id]
        numbers = ", ".join(f"{SYSTEM_LABEL.get(n.system, n.system)} {n.number}" for n in camp.numbers[:2])
        return f"{numbers} ({camp.name})" if numbers else camp.name


def parse_on(value: str | None) -> dt.date | None:
    """A --date or ?date= value: YYYY-MM-DD, YYYY-MM (read as its 15th) or YYYY (read as 1 July): the middle of
    the span, so that a number in use for part of it is not ruled out by its first or last day."""
    if value is None or not value.strip():
        return None
    try:
        numbers = [int(p) for p in value.strip().split("-")]
        if len(numbers) == 1:
            return dt.date(numbers[0], 7, 1)
        if len(numbers) == 2:
            return dt.date(numbers[0], numbers[1], 15)
        return dt.date(*numbers)
    except (TypeError, ValueError) as exc:
        raise KartotekaError("gazetteer.date", f"{value!r} is not a date", hint="give YYYY-MM-DD, YYYY-MM or YYYY",
                             details={"parameter": "date"}) from exc
