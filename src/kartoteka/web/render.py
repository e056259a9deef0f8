"""Pages as text: ``render(template, language, **context)`` fills a Jinja2 template in one language.

Autoescaping is on for every template: a name is text, never markup, whatever it holds. The labels of the
records' words (fates, record kinds, field names, timeline events) live here, translated by the catalogs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape

from kartoteka.web.i18n import LANGUAGE_NAMES, format_number, format_partial_date, translations


def N_(message: str) -> str:
    """Mark a message for the catalogs; it is translated where it is shown."""
    return message


FATES = {"died": N_("died"), "repatriated": N_("repatriated"), "remained": N_("remained in the USSR"),
         "transferred": N_("transferred to China"), "unknown": N_("fate unknown")}
KINDS = {"card": N_("Soviet registration card"), "personal_file": N_("Soviet personal file"),
         "death_roster": N_("death roster"), "jp_roster": N_("Japanese roster"),
         "manifest": N_("repatriation manifest"), "burial": N_("burial register")}
EVENTS = {"birth": N_("born"), "capture": N_("captured"), "camp": N_("in camp"), "transfer": N_("transferred"),
          "death": N_("died"), "burial": N_("buried"), "repatriation": N_("repatriated")}
SCRIPTS = {"kanji": N_("kanji"), "kana": N_("katakana"), "katakana": N_("katakana"), "hiragana": N_("hiragana"),
           "romaji": N_("romaji"), "latin": N_("Latin letters"), "cyrillic": N_("Cyrillic"), "mixed": N_("mixed")}
FIELDS = {
    "surname": N_("surname"), "given_name": N_("given name"), "patronymic": N_("father's name"),
    "name_original": N_("name as written"), "script": N_("script"), "birth_date": N_("birth date"),
    "birth_year": N_("birth year"), "birth_place": N_("birthplace"), "prefecture": N_("prefecture (本籍)"),
    "occupation": N_("occupation"), "rank": N_("rank"), "unit": N_("unit"), "camp": N_("camp"),
    "lagpunkt": N_("sub-camp (lagpunkt)"), "capture_date": N_("capture date"), "capture_place": N_("capture place"),
    "death_date": N_("death date"), "death_place": N_("death place"), "burial_place": N_("burial place"),
    "burial_site": N_("burial site"), "grave_number": N_("grave number"), "ship": N_("ship"),
    "departure_port": N_("port of departure"), "arrival_port": N_("port of arrival"), "event_date": N_("date"),
    "archive_ref": N_("archive reference"), "scan_ref": N_("scan"),
}
MADE_BY = {"model": N_("the linkage model"), "reviewer": N_("a reviewer's decision"),
           "single record": N_("a single record (nothing to group)")}
# The language a name in each script is written in, for the lang attribute (screen readers, fonts).
SCRIPT_LANG = {"kanji": "ja", "kana": "ja", "katakana": "ja", "hiragana": "ja", "romaji": "ja-Latn",
               "latin": "ja-Latn", "cyrillic": "ru"}
NAME_ORDER = ("kanji", "kana", "romaji", "cyrillic")
# A record's fields that its citation already shows (or that only the store needs): not listed twice.
CITATION_FIELDS = frozenset({"id", "kind", "source_id", "record_ref", "file_name", "row_number", "archive_ref",
                             "scan_ref"})


@pass_context
def _label(context: Any, value: Any, table: str) -> str:
    """A word of the records in the page's language (the value itself when it has no label)."""
    labels = {"fate": FATES, "kind": KINDS, "event": EVENTS, "script": SCRIPTS, "field": FIELDS,
              "made_by": MADE_BY}[table]
    if value is None:
        return ""
    message = labels.get(str(value))
    return context["gettext"](message) if message else str(value)


@pass_context
def _date(context: Any, value: Any) -> str:
    return format_partial_date(None if value is None else str(value), context["lang"])


@pass_context
def _number(context: Any, value: int) -> str:
    return format_number(value, context["lang"])


def web_address(value: Any) -> str | None:
    """A link's address when it is a web address (http or https), else None: text from the data never becomes
    a javascript:, data: or other address, whatever a source file or a store holds."""
    text = "" if value is None else str(value).strip()
    return text if text.lower().startswith(("http://", "https://")) else None


def _query(params: dict[str, Any], **changes: Any) -> str:
    """A query string from parameters, with some changed (None drops one)."""
    merged = {**params, **changes}
    return urlencode({key: value for key, value in merged.items() if value not in (None, "")})


ENV = Environment(
    loader=PackageLoader("kartoteka.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    extensions=["jinja2.ext.i18n", "jinja2.ext.loopcontrols"],
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # the templates ship with the package: no stat of each file on every render
)
ENV.install_null_translations()  # type: ignore[attr-defined]  # each render passes its language's gettext
ENV.filters.update(label=_label, date=_date, number=_number, web_address=web_address)
def _no_csrf() -> str:
    """A page rendered outside a request (tests, an error before the session is known) carries no token."""
    return ""


ENV.globals.update(csrf=_no_csrf, user=None, query=_query, script_lang=SCRIPT_LANG, name_order=NAME_ORDER, languages=LANGUAGE_NAMES,
                   citation_fields=CITATION_FIELDS)


def render(template: str, language: str, **context: Any) -> str:
    """The template filled in the given language (ja, en, ru); ``context`` holds the page's data."""
    catalog = translations(language)
    return ENV.get_template(template).render(lang=language, gettext=catalog.gettext, ngettext=catalog.ngettext,
                                             **context)
