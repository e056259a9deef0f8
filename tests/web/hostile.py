"""Hostile text for the escaping tests, and the check an HTML answer must pass (test code only).

``hostile(tag)`` is one string with every kind of trouble a name or a note can bring: a script element, a
right-to-left override (U+202E), quotes that would close an attribute, an element with an event handler, and
text that looks like a Jinja expression and statement. The ``tag`` names the field it was put in, so a page that
shows it can be told to have shown that field (``shown``), escaped.

``problems(html)`` lists what would let the text act on the page: an inline script (every script of the site is
a static file), an event-handler attribute, a link or form to a ``javascript:``/``vbscript:``/``data:`` address,
a right-to-left override that is not isolated (in ``<bdi>`` or an element with ``dir``), and a Jinja expression
that was evaluated.

``make_store_hostile(url)`` rewrites every shown text field of a store's records, persons, sources and camps so
(import refuses such names: a store restored from elsewhere, or written by another tool, could hold them)."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from sqlalchemy import select, update

from kartoteka.gazetteer.loading import ensure_loaded
from kartoteka.gazetteer.tables import gazetteer_camp_numbers, gazetteer_camps, record_places
from kartoteka.linkage.tables import persons
from kartoteka.store import open_store
from kartoteka.store.schema import records, sources

RLO = "\u202e"
LONG = "Ж" * 10_000
JINJA_RESULT = "7777777"  # what {{ 7*'7' }} would render to
LINK = "javascript:alert(document.domain)"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# elements whose text a browser shows as plain text, where an override cannot reach beyond the element
PLAIN_TEXT = {"title", "textarea", "option"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


def hostile(tag: str) -> str:
    """The hostile text for one field, named by ``tag`` (letters, digits, dots and underscores only)."""
    return (f"<script>alert('{tag}')</script>{RLO}\"'><img src=x onerror=alert('{tag}')>"
            f"{{{{7*'7'}}}}{{% if 1 %}}{tag}{{% endif %}}")


RECORD_TEXT = ("surname", "given_name", "patronymic", "name_original", "birth_place", "prefecture", "occupation",
               "rank", "unit", "camp", "lagpunkt", "capture_place", "death_place", "burial_place", "burial_site",
               "grave_number", "ship", "departure_port", "arrival_port", "archive_ref", "record_ref", "file_name")
PERSON_TEXT = ("name_cyrillic", "name_kana", "name_kanji", "name_romaji", "prefecture", "unit", "rank",
               "death_place", "burial_site", "flags")
CAMP_TEXT = ("name_ru", "name_ja", "name_en", "published", "died_published")
LONG_FIELD = "records.unit"  # the field that also carries LONG


def _value(tag: str, before: str | None = None) -> str:
    """The hostile text of a field, after its own value (a name keeps its first kana: the memorial rows)."""
    text = (before or "") + hostile(tag)
    return text + LONG if tag == LONG_FIELD else text


def make_store_hostile(url: str) -> None:
    """Every shown text field of the store's records, persons, sources and camps made hostile."""
    with open_store(url, create=False) as store:
        ensure_loaded(store)  # the bundled gazetteer, loaded before its camps are made hostile
    with open_store(url, create=False) as store, store.engine.begin() as conn:
        for row in conn.execute(select(records.c.id, *[records.c[name] for name in RECORD_TEXT])).mappings().all():
            values = {name: _value(f"records.{name}", row[name]) for name in RECORD_TEXT if row[name]}
            values["scan_ref"] = LINK
            conn.execute(update(records).where(records.c.id == row["id"]).values(**values))
        for row in conn.execute(select(persons.c.id, persons.c.camps_json, *[persons.c[n] for n in PERSON_TEXT])
                                ).mappings().all():
            values = {name: _value(f"persons.{name}", row[name]) for name in PERSON_TEXT if row[name]}
            stays = json.loads(row["camps_json"] or "[]")  # [{"camp": ..., "date": ...}]
            values["camps_json"] = json.dumps([{**stay, "camp": _value("persons.camps", stay.get("camp"))}
                                               for stay in stays], ensure_ascii=False)
            conn.execute(update(persons).where(persons.c.id == row["id"]).values(**values))
        for row in conn.execute(select(sources.c.id, sources.c.name, sources.c.file_name)).mappings().all():
            conn.execute(update(sources).where(sources.c.id == row["id"]).values(
                name=_value("sources.name", row["name"]), file_name=_value("sources.file_name", row["file_name"])))
        for row in conn.execute(select(gazetteer_camps.c.id, *[gazetteer_camps.c[n] for n in CAMP_TEXT])
                                ).mappings().all():
            values = {name: _value(f"camps.{name}", row[name]) for name in CAMP_TEXT}
            conn.execute(update(gazetteer_camps).where(gazetteer_camps.c.id == row["id"]).values(
                source_url=LINK, **values))
        conn.execute(update(gazetteer_camp_numbers).values(number=gazetteer_camp_numbers.c.number +
                                                           hostile("camps.number")))
        # the place texts as the importer kept them beside their resolution (the statistics count by them)
        conn.execute(update(record_places).values(text=record_places.c.text + hostile("record_places.text")))


def shown(html: str, tags: list[str]) -> set[str]:
    """The tags whose hostile text is on the page, escaped as text (by Jinja, or as JSON by its tojson)."""
    return {tag for tag in tags if f"alert(&#39;{tag}&#39;)" in html or f"alert(\\u0027{tag}\\u0027)" in html}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.found: list[str] = []

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> dict[str, str | None]:
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>: an event-handler attribute")
            if name in URL_ATTRIBUTES and value:
                address = "".join(value.split()).lower()
                if address.startswith(("javascript:", "vbscript:")) or (
                        address.startswith("data:") and not address.startswith("data:image/")):
                    self.found.append(f"<{tag} {name}={value[:60]!r}>: a script address")
        if tag == "script" and not named.get("src"):
            self.found.append("<script> without src: inline script")
        return named

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = self._attributes(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, named))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == "script" and data.strip():
            self.found.append(f"script content: {data.strip()[:60]!r}")
        if RLO in data and not any(tag == "bdi" or tag in PLAIN_TEXT or "dir" in attrs for tag, attrs in self.stack):
            path = " > ".join(tag for tag, _ in self.stack[-4:])
            self.found.append(f"a right-to-left override outside <bdi> ({path}): {data.strip()[:40]!r}")


def problems(html: str) -> list[str]:
    """What in this HTML (or SVG) would let hostile text act: empty when it is all inert text."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    found = checker.found
    if JINJA_RESULT in html:
        found.append("a Jinja expression from the data was evaluated")
    return found
