"""The one access policy: which fields of each record kind and of a person may leave the server, to whom.

Every page, API answer, search result and export asks this module (through kartoteka.catalog and
kartoteka.search); nothing else decides. Four levels of access to a record (``Access``):

- ``public``: the public fields below, for anyone. What the Japanese ministry publishes for the dead, and what a
  family needs to recognise their own: the name as each record spells it, the birth year, the home prefecture
  (本籍), unit and rank, the camps and their dates, capture, death date and place, burial site and grave number,
  the fate, and for each record its kind, source, file, line, archive reference, scan reference and dates (ship
  and ports for the repatriation manifests).
- ``list``: the public-list fields only (the name in every spelling, the birth year, the prefecture, the fate,
  and the record's provenance without its archive and scan references). This is all that roles below reviewer
  see of a **possibly living** person: no death record (no death roster or burial entry, no death date, fate
  not "died") and born after 1920 (LIVING_BORN_AFTER) or of unknown birth year (unknown is treated as possibly
  living: deny by default), unless a granted request names that person.
- ``withheld``: the record is listed by id, kind and source, and nothing of its content. A personal file is
  withheld from the public (anonymous readers): the file goes only to the internee, the bereaved family or
  someone they authorise. Signed-in roles see its public fields; its restricted fields, as below.
- ``full``: every field the record holds (its restricted fields too; never ``raw_json`` or ``row_sha256``): for
  reviewers and admins, and for a family member with a granted request for that person. Each such view is
  written to the audit log by the web layer.

By role (kartoteka.core.roles.Role): public -> public fields, personal files withheld, the possibly living as a
list; family and researcher -> public fields of every kind, the possibly living as a list; an account with a
granted request (a family member) -> full for that person only; reviewer and admin -> full.

Never public, and why:

- ``raw_json`` (the row as read, every column) and ``row_sha256`` (a hash of it: it would confirm a guess of a
  restricted value): they hold everything below.
- Everything a personal file's questionnaire holds beyond the card's facts: relatives with their names and
  addresses, the address before call-up, education, nationality and citizenship, height and build, the
  circumstances of capture, the medical chart and the cause of death. The ministry gives the file only to the
  internee, the bereaved family or someone they authorise, after identity checks; the relatives named there
  and their children may be alive. A personal file's extra fields are therefore all restricted, whatever
  their name.
- ``birth_date`` (the full date): it is what the ministry asks of a requester to prove identity with, and
  some internees are alive. The birth year is public.
- ``birth_place``: a village or street, the family's home; the prefecture (本籍) says enough to recognise a
  person. (A person's prefecture may be derived from a birth place, at prefecture level only.)
- ``occupation``: a questionnaire item, not in the published lists, and of no use for finding a person.
- ``cause_of_death``: medical.
- ``note`` (備考 / Примечание): a clerk's free text may say anything, including the above.
- ``reported_by`` (a Japanese roster's 届出者): a living relative's name.
- any field or record kind not named here: deny by default, so a new column never leaks until someone decides.

The father's name (``patronymic``) is public: it is part of the name as a Soviet clerk wrote it (a card's
"ФИО" holds it in ``name_original`` too), families use it to confirm a match, and the fathers of men born
before 1928 are long dead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kartoteka.core.model import RECORD_KINDS
from kartoteka.core.roles import Role

_ALL = frozenset(RECORD_KINDS)
_SOVIET = frozenset({"card", "personal_file", "burial"})


@dataclass(frozen=True)
class Rule:
    """Where a field is public (the record kinds), and why it is or is not."""

    public_in: frozenset[str]
    reason: str


def _public(reason: str, kinds: frozenset[str] = _ALL) -> Rule:
    return Rule(kinds, reason)


def _restricted(reason: str) -> Rule:
    return Rule(frozenset(), reason)


_NAME = "the name as the record spells it: what the published lists show"
_DATES = "a date of the internment: the timeline of a person page"

#: The record's provenance: always public (where it comes from is what makes it citable).
PROVENANCE_FIELDS: tuple[str, ...] = ("id", "kind", "source_id", "record_ref", "file_name", "row_number")

#: Every column of the records table (store.schema.RECORD_FIELDS plus the row's own), decided.
COLUMN_RULES: dict[str, Rule] = {
    "surname": _public(_NAME),
    "given_name": _public(_NAME),
    "patronymic": _public("part of the name as a Soviet clerk wrote it; the fathers are long dead", _SOVIET),
    "name_original": _public(_NAME),
    "script": _public("which script the name is written in"),
    "birth_date": _restricted("the full birth date proves identity to the ministry; some internees are alive"),
    "birth_year": _public("the published lists give the birth year"),
    "birth_place": _restricted("a village or street, the family's home; the prefecture is public"),
    "prefecture": _public("本籍 by prefecture, as the ministry lists it"),
    "occupation": _restricted("a questionnaire item, not in the published lists"),
    "rank": _public("the published death list gives the rank"),
    "unit": _public("the unit: how rosters and associations know a man"),
    "camp": _public("the camp: what a family asks first"),
    "lagpunkt": _public("the sub-camp, part of the camp"),
    "capture_date": _public(_DATES),
    "capture_place": _public("where the unit was captured: a military fact"),
    "death_date": _public("published for the dead"),
    "death_place": _public("published for the dead"),
    "burial_place": _public("published for the dead (the burial site)"),
    "burial_site": _public("published for the dead"),
    "grave_number": _public("lets a family find the grave"),
    "ship": _public("the repatriation ship", frozenset({"manifest", "personal_file", "jp_roster"})),
    "departure_port": _public("the repatriation port", frozenset({"manifest", "personal_file", "jp_roster"})),
    "arrival_port": _public("the repatriation port", frozenset({"manifest", "personal_file", "jp_roster"})),
    "event_date": _public(_DATES),
    "archive_ref": _public("the archive's reference: how to ask for the original"),
    "scan_ref": _public("the scan's reference: how to see the original"),
    "raw_json": _restricted("the row as read: every column, restricted ones included"),
    "row_sha256": _restricted("a hash of the whole row: it would confirm a guess of a restricted value"),
    "extra_json": _restricted("stored whole it is never shown; its keys are decided one by one (EXTRA_RULES)"),
}

#: The keys of extra_json that the bundled mappings write, decided; any other key is restricted.
#: A personal file's extra fields are all restricted (see the module docstring), whatever the rule says.
EXTRA_RULES: dict[str, Rule] = {
    "name_cyrillic": _public(_NAME, frozenset({"death_roster"})),
    "name_kanji": _public(_NAME, frozenset({"death_roster"})),
    "name_reading": _public(_NAME, frozenset({"jp_roster"})),
    "roster_number": _public("the published death list's entry number", frozenset({"death_roster"})),
    "card_number": _public("the card's number: a reference to the original", frozenset({"card"})),
    "plot_number": _public("lets a family find the grave", frozenset({"burial"})),
    "remains_recovered": _public("whether the remains came home: what a family asks", frozenset({"burial"})),
    "identification": _public("whether the grave is identified", frozenset({"burial"})),
    "arrived_from": _public("a camp transfer: part of the camp timeline", frozenset({"card"})),
    "departed_to": _public("a camp transfer: part of the camp timeline", frozenset({"card"})),
    "status": _public("the fate as the roster states it (died, demobilised)", frozenset({"jp_roster"})),
    "address_before_callup": _restricted("the family's home address"),
    "relatives": _restricted("relatives' names and addresses: the living"),
    "reported_by": _restricted("a living relative's name"),
    "education": _restricted("a questionnaire item of the personal file"),
    "nationality": _restricted("a questionnaire item; origin (Korean, Taiwanese) can harm the living"),
    "citizenship": _restricted("a questionnaire item; origin (Korean, Taiwanese) can harm the living"),
    "height": _restricted("physical description"),
    "build": _restricted("physical description"),
    "capture_circumstances": _restricted("the interrogation's account, part of the personal file"),
    "cause_of_death": _restricted("medical"),
    "file_number": _restricted("the personal file's number: the file itself is restricted"),
    "note": _restricted("a clerk's free text may say anything"),
}

#: Restricted fields by kind, with a value planted in tests to prove it never leaves the server.
RESTRICTED_EXAMPLES: dict[str, dict[str, str]] = {
    "personal_file": {"relatives": "жена Ханако, г. Сэндай, ул. Тестовая 7", "address_before_callup":
                      "Мияги, Сэндай, Тестовая 7", "height": "163-TEST-см", "education": "средняя школа-TEST",
                      "birth_date": "1921-04-17", "birth_place": "деревня Тестовая-Мура", "occupation":
                      "рыбак-TEST", "cause_of_death": "дистрофия-TEST", "note": "примечание-TEST",
                      "file_number": "ДЕЛО-99999"},
    "card": {"birth_place": "деревня Тестовая-Кард", "occupation": "столяр-TEST", "cause_of_death": "пеллагра-TEST",
             "note": "карта-примечание-TEST"},
    "jp_roster": {"reported_by": "山田花子TEST", "birth_place": "宮城県仙台市テスト町7", "note": "備考TEST"},
    "death_roster": {"note": "死亡名簿備考TEST", "birth_date": "1919-02-03"},
    "manifest": {"note": "名簿備考TEST"},
    "burial": {"note": "墓地備考TEST"},
}

#: A person's own fields (the persons table and its derived views): all from public record fields.
PUBLIC_PERSON_FIELDS: tuple[str, ...] = (
    "id", "name_cyrillic", "name_kana", "name_kanji", "name_romaji", "birth_year", "prefecture", "unit", "rank",
    "fate", "death_date", "death_place", "burial_site", "camps_json", "record_count", "flags",
)


def is_public(kind: str, field: str) -> bool:
    """Whether ``field`` (a records column or an extra_json key) of a record of ``kind`` may be shown."""
    if kind not in _ALL:
        return False
    if field in PROVENANCE_FIELDS:
        return True
    if field in COLUMN_RULES:
        return kind in COLUMN_RULES[field].public_in
    if kind == "personal_file":
        return False
    rule = EXTRA_RULES.get(field)
    return rule is not None and kind in rule.public_in


def public_record_fields(kind: str) -> tuple[str, ...]:
    """The records columns of ``kind`` that may be shown (provenance first); () for an unknown kind."""
    if kind not in _ALL:
        return ()
    return PROVENANCE_FIELDS + tuple(name for name, rule in COLUMN_RULES.items() if kind in rule.public_in)


def public_extra_fields(kind: str) -> tuple[str, ...]:
    """The extra_json keys of ``kind`` that may be shown (none for a personal file)."""
    return tuple(name for name in EXTRA_RULES if is_public(kind, name))


def public_record(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The public fields of one record row (a mapping of records columns): its public columns, then its public
    extra fields (from extra_json, flattened), blanks left out. Nothing else of the row is copied."""
    fields: dict[str, Any] = {}
    for name in public_record_fields(kind):
        value = row.get(name)
        if value is not None and value != "":
            fields[name] = value
    extras = _extras(row.get("extra_json"))
    for name in public_extra_fields(kind):
        value = extras.get(name)
        if value is not None and value != "" and name not in fields:
            fields[name] = value if isinstance(value, (str, int, float)) else str(value)
    return fields


def _extras(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


# --- by role: the possibly living, the personal files, the granted requests --------------------------------

LIVING_BORN_AFTER = 1920
DEATH_KINDS = frozenset({"death_roster", "burial"})
_LIST_COLUMNS = ("surname", "given_name", "patronymic", "name_original", "script", "birth_year", "prefecture")
_LIST_EXTRAS = ("name_cyrillic", "name_kanji", "name_reading")
#: A person's fields that the public list shows (search results, the head of a person page).
LIST_PERSON_FIELDS: tuple[str, ...] = ("id", "name_cyrillic", "name_kana", "name_kanji", "name_romaji",
                                       "birth_year", "prefecture", "fate", "record_count")
_NEVER = frozenset({"raw_json", "row_sha256", "extra_json", "source_name"})


class Access(StrEnum):
    FULL = "full"
    PUBLIC = "public"
    LIST = "list"
    WITHHELD = "withheld"


@dataclass(frozen=True)
class Viewer:
    """Who is asking, as the policy needs to know: the role and the persons a granted request names."""

    role: Role = Role.PUBLIC
    granted: frozenset[int] = frozenset()
    user_id: int | None = None
    name: str = "anonymous"

    def opens(self, person_id: int | None) -> bool:
        """Whether this viewer sees ``person_id``'s restricted fields."""
        if self.role >= Role.REVIEWER:
            return True
        return person_id is not None and self.role >= Role.FAMILY and person_id in self.granted


PUBLIC_VIEWER = Viewer()


def possibly_living(birth_year: int | None, died: bool) -> bool:
    """No death record, and born after 1920 or of unknown birth year."""
    return not died and (birth_year is None or birth_year > LIVING_BORN_AFTER)


def record_died(kind: str, row: Mapping[str, Any]) -> bool:
    """Whether a record itself says its person died (a death roster or burial entry, a death date)."""
    return kind in DEATH_KINDS or bool(row.get("death_date"))


def record_access(viewer: Viewer, kind: str, person_id: int | None, living: bool) -> Access:
    """How much of a record of ``kind`` (of person ``person_id``, possibly living or not) this viewer sees."""
    if kind not in _ALL:
        return Access.WITHHELD
    if viewer.opens(person_id):
        return Access.FULL
    if kind == "personal_file" and viewer.role == Role.PUBLIC:
        return Access.WITHHELD
    return Access.LIST if living else Access.PUBLIC


def person_access(viewer: Viewer, person_id: int | None, living: bool) -> Access:
    """How much of a person's own fields (names, facts, timeline) this viewer sees."""
    if viewer.opens(person_id):
        return Access.FULL
    return Access.LIST if living else Access.PUBLIC


def list_record_fields(kind: str) -> tuple[str, ...]:
    """The fields of ``kind`` that a list shows (for the possibly living)."""
    return tuple(name for name in PROVENANCE_FIELDS + _LIST_COLUMNS + _LIST_EXTRAS if is_public(kind, name))


def visible_fields(kind: str, access: Access) -> frozenset[str] | None:
    """The fields of ``kind`` shown at ``access`` (None: every field the record holds, ``full``)."""
    if access == Access.FULL:
        return None
    if access == Access.WITHHELD:
        return frozenset()
    if access == Access.LIST:
        return frozenset(list_record_fields(kind))
    return frozenset(public_record_fields(kind) + public_extra_fields(kind))


def visible_record(kind: str, row: Mapping[str, Any], access: Access) -> dict[str, Any]:
    """The fields of one record row that ``access`` shows, blanks left out."""
    if access == Access.FULL:
        return full_record(row)
    if access == Access.WITHHELD:
        return {}
    fields = public_record(kind, row)
    if access == Access.LIST:
        allowed = set(list_record_fields(kind))
        fields = {name: value for name, value in fields.items() if name in allowed}
    return fields


def full_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """Every field a record holds (its extra fields flattened), for ``full`` access; never the raw row."""
    fields = {name: value for name, value in row.items()
              if name not in _NEVER and value is not None and value != ""}
    for name, value in _extras(row.get("extra_json")).items():
        if value is not None and value != "" and name not in fields and name not in _NEVER:
            fields[name] = value if isinstance(value, (str, int, float)) else str(value)
    return fields
