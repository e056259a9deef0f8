"""From a source row to a store record: column mapping, name splitting, date parsing, validation.

A ``RowNormalizer`` is built once per file (it resolves each header to its target column and checks that
the file has a name column at all), then turns each row into either a record tuple (``insert_columns``
order) or a quarantine entry saying what is wrong. The per-row path is the import's hot loop: keep it lean.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kartoteka.core.dates import parse_partial_date
from kartoteka.core.errors import KartotekaError
from kartoteka.ingest.mappings import Mapping, normalize_header
from kartoteka.ingest.name_checks import KIND_SCRIPTS, odd_character, script_warning
from kartoteka.store.schema import RECORD_FIELDS

# The same for every row of a file: the writer adds them, so the per-row tuples stay short.
FILE_COLUMNS: tuple[str, ...] = ("source_id", "kind", "file_name")
ROW_PREFIX_COLUMNS: tuple[str, ...] = ("record_ref", "row_number", "row_sha256", "raw_json")
INSERT_COLUMNS: tuple[str, ...] = (*FILE_COLUMNS, *ROW_PREFIX_COLUMNS, *RECORD_FIELDS, "extra_json")
# Fields the importer may fill whatever the headers are (names are split or joined; birth_year is derived).
DERIVED_FIELDS = frozenset({"surname", "given_name", "patronymic", "name_original", "script", "birth_year"})
NAME_FIELDS = ("surname", "given_name", "name_original")
DATE_FIELDS = ("birth_date", "capture_date", "death_date", "event_date")
# Columns the importer computes itself; a file's own value for them is ignored (kept in raw_json).
COMPUTED_FIELDS = ("script",)
# The columns `kartoteka quarantine --csv` adds to a file of rows to correct (read by the import, not stored).
FOLLOW_UP_COLUMNS = ("kartoteka_quarantine_id", "kartoteka_source", "kartoteka_line", "kartoteka_reason")
IGNORED = "(ignored)"
# Fields whose value is one line: a line break in one is a parse fault (a stray quote), not data.
SINGLE_LINE_FIELDS = frozenset({"surname", "given_name", "patronymic", "name_original", "birth_date", "birth_year",
                                "capture_date", "death_date", "event_date"})
NAME_COLUMNS = ("surname", "given_name", "patronymic", "name_original")
#: (column, value, reason code, message)
Problem = tuple[str | None, str | None, str, str]
ID_HEADERS = ("record_ref", "id")
BIRTH_YEARS = range(1860, 1946)
DATE_CACHE = 65536  # date texts of a file kept parsed (real files repeat their dates a lot)
_NAME_SPLIT = re.compile(r"[\s\u3000・･]+")
_FIELD_SET = frozenset(RECORD_FIELDS)
# Where a header's values go, decided once per header (``RowNormalizer._plan_of``).
_TO_FIELD, _TO_REF, _TO_EXTRA_JSON, _PAST_END, _TO_EXTRA, _SKIPPED = range(6)
#: (header, target, one of the codes above)
PlanEntry = tuple[str, str, int]
# Keys of a row's values on the comprehension path that are not fields: its record_ref, and nothing.
_REF_KEY, _SKIP_KEY = " record_ref", " skipped"


def _raw_json_encoder() -> Callable[[dict[str, str]], str]:
    """A JSON encoder for flat dicts of text, built once (the hot loop calls it for every row).

    CPython's C encoder called directly skips the per-call set-up of ``JSONEncoder.encode`` (about a third
    of its time); the public encoder is the fallback where the C one is missing.
    """
    encoder = json.JSONEncoder(ensure_ascii=False)
    try:
        from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
    except ImportError:
        return encoder.encode
    if c_make_encoder is None:
        return encoder.encode
    chunks = c_make_encoder(None, encoder.default, encode_basestring, None, ": ", ", ", False, False, True)
    return lambda row: "".join(chunks(row, 0))


RAW_JSON = _raw_json_encoder()
# What the JSON encoder escapes in a text (ensure_ascii=False): control characters, the backslash and the quote.
_JSON_ESCAPED = re.compile(r'[\x00-\x1f"\\]')


def _fixed_row_template(headers: list[str]) -> str:
    """A %-template of RAW_JSON for a row whose keys are ``headers`` in their order: the keys are encoded once
    per file, and a row whose values need no escape is one string format (RAW_JSON gives the same text)."""
    from json.encoder import encode_basestring

    return "{" + ", ".join(encode_basestring(header).replace("%", "%%") + ': "%s"' for header in headers) + "}"


@dataclass(frozen=True)
class QuarantineEntry:
    """A rejected row (or, with severity "warning", a kept record's flag): where it is, the first bad column
    and value, the code of the first reason, and every reason."""

    row_number: int
    column: str | None
    value: str | None
    reason: str
    raw_json: str
    code: str = "row.invalid"
    severity: str = "error"
    line_count: int = 1
    raw_text: str | None = None
    record_ref: str | None = None


@lru_cache(maxsize=65536)
def _parse_date_cached(text: str, order: str) -> tuple[str | None, int | None, str | None]:
    """(iso, year, error) for a date text; cached because real files repeat their dates a lot."""
    try:
        parsed = parse_partial_date(text, order=order)
    except KartotekaError as exc:
        return None, None, exc.message
    if parsed is None:
        return None, None, None
    return parsed.iso(), parsed.year, None


#: (script, or None with the reason the text is no name; the first character no name has, or None; the
#: warning for letters in a script the kind's sources do not use, or None)
NameFacts = tuple[str | None, str | None, str | None, str | None]


def _name_checker(kind: str) -> Callable[[str], NameFacts]:
    """The script of a name, its first odd character and a script warning, in one call cached per name text:
    real files repeat their names a lot, so most rows cost one cache look-up, not character scans and a regex."""
    scripts = KIND_SCRIPTS.get(kind, frozenset())
    try:
        from kartoteka.names import detect_script
    except ImportError:  # until names lands
        detect_script = _simple_script

    @lru_cache(maxsize=65536)
    def facts(text: str) -> NameFacts:
        try:
            script, error = detect_script(text), None
        except KartotekaError as exc:  # digits or symbols alone ("?", "0") are not a name
            return None, exc.message, None, None
        foreign = script_warning(kind, text) if scripts and script not in scripts else None
        return script, error, odd_character(text), foreign

    return facts


def _simple_script(text: str) -> str:
    found = set()
    for ch in text:
        code = ord(ch)
        if 0x0400 <= code <= 0x04FF:
            found.add("cyrillic")
        elif 0x30A0 <= code <= 0x30FF or 0xFF66 <= code <= 0xFF9F:
            found.add("katakana")
        elif 0x3040 <= code <= 0x309F:
            found.add("hiragana")
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            found.add("kanji")
        elif ch.isalpha():
            found.add("latin")
    return found.pop() if len(found) == 1 else "mixed"


class RowNormalizer:
    """Turns the rows of one file into record tuples (``insert_columns`` order) or quarantine entries."""

    def __init__(self, kind: str, file_name: str, headers: list[str], mapping: Mapping | None,
                 path: str | None = None, fixed_headers: bool = True) -> None:
        self.kind = kind
        self.file_name = file_name
        self.path = path or file_name
        self.mapping = mapping
        self.date_order = mapping.date_order if mapping else "DMY"
        self._targets: dict[str, str] = {}
        self._plans: dict[str, PlanEntry] = {}
        self._seen_refs: set[str] = set()
        self._name_facts = _name_checker(kind)
        self.check_headers(headers)
        # A fixed header (CSV, XLSX) makes every row a dict of exactly these keys in this order, but for a row
        # with values past the header's last column or a follow-up row (fewer keys): those take the general path.
        self._fixed_plan = [self._plan_of(h) for h in headers] if fixed_headers else None
        self._fixed_json = _fixed_row_template(headers) if fixed_headers and headers else None
        self._fixed_keys = _comprehension_keys(self._fixed_plan)
        # With a fixed header (CSV, XLSX) only the fields it can fill are written: fewer parameters per row.
        # JSON objects may bring new keys on any row, so they write every field.
        fillable = DERIVED_FIELDS | {self.target(h) for h in headers} if fixed_headers else _FIELD_SET
        self.fields_out: tuple[str, ...] = tuple(f for f in RECORD_FIELDS if f in fillable)
        self._date_fields = tuple(name for name in DATE_FIELDS if name in self.fields_out)
        self._dates: dict[str, tuple[str | None, int | None, str | None]] = {}  # this file's date texts, parsed
        #: The columns of each record tuple (the writer adds FILE_COLUMNS).
        self.insert_columns: tuple[str, ...] = (*ROW_PREFIX_COLUMNS, *self.fields_out, "extra_json")

    def target(self, header: str) -> str:
        """Where a header's values go: a store column, "record_ref", "extra_json", or an extra field name."""
        found = self._targets.get(header)
        if found is None:
            if header in FOLLOW_UP_COLUMNS:
                found = IGNORED
            else:
                found = (self.mapping.target_of(header) if self.mapping else None) or _own_name(header) or header
            self._targets[header] = found
        return found

    def _plan_of(self, header: str) -> PlanEntry:
        """(header, target, where its values go): the branches of ``normalize``, decided once per header."""
        found = self._plans.get(header)
        if found is None:
            target = self.target(header)
            if target in _FIELD_SET:
                code = _TO_FIELD
            elif target in ID_HEADERS:
                code = _TO_REF
            elif target == "extra_json":
                code = _TO_EXTRA_JSON
            elif header.startswith("(column "):
                code = _PAST_END
            elif target not in COMPUTED_FIELDS and target != IGNORED:
                code = _TO_EXTRA
            else:
                code = _SKIPPED
            found = self._plans[header] = (header, target, code)
        return found

    def check_headers(self, headers: list[str]) -> None:
        """Raise a clear error when no header maps to a name column, or a header repeats."""
        repeated = sorted({h for h in headers if headers.count(h) > 1 and h})
        if repeated:
            raise KartotekaError("input.columns", "the header repeats column(s) " + ", ".join(repeated),
                                 hint="rename the repeated columns so that each is unique", file=self.path)
        if not any(self.target(header) in NAME_FIELDS for header in headers):
            mapping = f" (with mapping {self.mapping.name!r})" if self.mapping else ""
            raise KartotekaError(
                "input.columns",
                f"missing required columns{mapping}: a {self.kind} needs one of "
                + ", ".join(NAME_FIELDS) + "; the file's columns are: " + ", ".join(headers[:30])
                + (" (one column: are its values separated by something other than , ; TAB or |?)"
                   if len(headers) == 1 else ""),
                hint="map your headers to ours with --mapping FILE (a TOML [columns] table) or a bundled "
                     "mapping such as --mapping ru-card; see docs/reference/columns.md",
                file=self.path, details={"missing": list(NAME_FIELDS), "headers": headers},
            )

    def line_break_column(self, row: dict[str, str]) -> str | None:
        """The first column of ``row`` whose value has a line break but whose target holds one line, or None."""
        for header, value in row.items():
            if ("\n" in value or "\r" in value) and value.strip() and self.target(header) in SINGLE_LINE_FIELDS:
                return header
        return None

    def normalize(self, number: int, row: dict[str, str]) -> tuple[tuple[Any, ...] | None, QuarantineEntry | None]:
        """One row -> (record tuple in ``insert_columns`` order, None or a warning) or (None, quarantine entry)."""
        problems: list[Problem] = []
        extra: dict[str, Any] = {}
        plan = self._fixed_plan
        if plan is not None and len(row) == len(plan):  # the keys are the header's, in its order
            values = tuple(row.values())
            everything = "".join(values)
            if _JSON_ESCAPED.search(everything) is None:
                raw_json = self._fixed_json % values  # type: ignore[operator]
            else:
                raw_json = RAW_JSON(row)
            keys = self._fixed_keys
            if keys is not None and "\x00" not in everything:
                # Every column a field of its own, the record_ref or nothing: one comprehension, no branches.
                fields = {key: value for key, value in zip(keys, map(str.strip, values), strict=True) if value}
                ref = fields.pop(_REF_KEY, None)
                fields.pop(_SKIP_KEY, None)
            else:
                fields, ref = self._place(zip(plan, values, strict=True), "\x00" in everything, row, extra, problems)
        else:
            raw_json = RAW_JSON(row)
            plans, plan_of = self._plans, self._plan_of
            # JSON writes NUL as \u0000: one search of the whole row instead of one per value.
            fields, ref = self._place([(plans.get(header) or plan_of(header), value) for header, value in row.items()],
                                      "\\u0000" in raw_json, row, extra, problems)
        warning = self._complete_names(fields, problems)
        self._parse_dates(fields, problems)
        if ref is None:
            ref = f"{self.file_name}:{number}"
        elif ref in self._seen_refs:
            problems.append(("record_ref", ref, "row.duplicate_ref", f"duplicate record_ref {ref!r} in this file"))
        if problems:
            column, bad_value, code, _ = problems[0]
            return None, QuarantineEntry(number, column, bad_value, join_reasons(p[3] for p in problems), raw_json,
                                         code)
        self._seen_refs.add(ref)
        flag = None
        if warning is not None:
            flag = QuarantineEntry(number, warning[0], warning[1], warning[3], raw_json, warning[2], "warning",
                                   record_ref=ref)
        return (
            ref, number,
            hashlib.sha256(raw_json.encode("utf-8")).hexdigest(), raw_json,
            *map(fields.get, self.fields_out),
            json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None,
        ), flag

    @staticmethod
    def _place(pairs: Iterable[tuple[PlanEntry, str]], check_nul: bool, row: dict[str, str], extra: dict[str, Any],
               problems: list[Problem]) -> tuple[dict[str, Any], str | None]:
        """Each value where its header's plan says (fields, the record_ref, ``extra``); returns (fields, ref)."""
        fields: dict[str, Any] = {}
        ref = None
        past_end: list[str] | None = None  # headers of values past the header's last column (rare)
        for (header, target, goes), value in pairs:
            if not value:
                continue
            value = value.strip()
            if not value:
                continue
            if check_nul and "\x00" in value:
                problems.append((header, value.replace("\x00", "\\x00"), "row.nul",
                                 "contains a NUL character (not text; PostgreSQL cannot store it)"))
                continue
            if goes == _TO_FIELD:
                if target not in fields:
                    fields[target] = value
            elif goes == _TO_REF:
                ref = ref or value
            elif goes == _TO_EXTRA_JSON:
                extra.update(_extra_from_json(value, problems))
            elif goes == _PAST_END:
                past_end = [*(past_end or ()), header]
            elif goes == _TO_EXTRA:
                extra.setdefault(target, value)
        if past_end:
            problems.append(_past_end_problem(past_end, row))
        return fields, ref

    def _complete_names(self, fields: dict[str, Any], problems: list[Problem]) -> Problem | None:
        """Fill name_original, surname/given_name and script; check the name; return a warning, if any."""
        original = fields.get("name_original")
        own_surname = False  # a surname of the file's beside its name_original: checked on its own
        if original is None:
            if "surname" not in fields and "given_name" not in fields:
                problems.append(("surname", None, "row.no_name",
                                 "no name: surname, given_name and name_original are all blank"))
                return None
            parts = [fields[k] for k in ("surname", "given_name", "patronymic") if k in fields]
            original = fields["name_original"] = " ".join(parts)
        elif "surname" not in fields and "given_name" not in fields:
            _split_full_name(original, fields)
        else:
            own_surname = "surname" in fields
        script, error, odd, foreign = self._name_facts(original)
        if error is not None:
            problems.append(("name_original", original, "row.name_letters", error))
            return None
        fields["script"] = script
        if odd is None and own_surname:  # else the surname is a part of name_original
            odd = odd_character(fields["surname"])
        if odd is not None:
            return _odd_character_problem(fields, odd, problems)
        if foreign is not None:
            return "name_original", original, "warn.name_script", foreign
        return None

    def _parse_dates(self, fields: dict[str, Any], problems: list[Problem]) -> None:
        birth_year = None
        dates = self._dates
        for name in self._date_fields:
            text = fields.get(name)
            if text is None:
                continue
            parsed = dates.get(text)
            if parsed is None:
                parsed = _parse_date_cached(text, self.date_order)
                if len(dates) < DATE_CACHE:
                    dates[text] = parsed
            iso, year, error = parsed
            if error:
                problems.append((name, text, "row.date", f"{name}: {error}"))
            fields[name] = iso
            if name == "birth_date":
                birth_year = year
        year_text = fields.get("birth_year")
        if year_text is not None:
            birth_year = _year_of(year_text, self.date_order)
            if birth_year is None:
                problems.append(("birth_year", year_text, "row.birth_year", f"birth_year: {year_text!r} is not a year"))
                return
        if birth_year is not None and birth_year not in BIRTH_YEARS:
            problems.append(("birth_year", str(birth_year), "row.birth_year_range",
                             f"birth_year {birth_year} is implausible (expected {BIRTH_YEARS[0]}-{BIRTH_YEARS[-1]})"))
        fields["birth_year"] = birth_year


def _comprehension_keys(plan: list[PlanEntry] | None) -> tuple[str, ...] | None:
    """The key of each column's value when every column goes to a field of its own, to the (one) record_ref or
    nowhere: then a row's fields are one dict comprehension, as ``_place`` would fill them. Else None."""
    if plan is None:
        return None
    keys: list[str] = []
    for _, target, goes in plan:
        if goes == _TO_FIELD and target not in keys:
            keys.append(target)
        elif goes == _TO_REF and _REF_KEY not in keys:
            keys.append(_REF_KEY)
        elif goes == _SKIPPED:
            keys.append(_SKIP_KEY)
        else:
            return None
    return tuple(keys)


def _own_name(header: str) -> str | None:
    """A header that already is a store column name ("Given name" counts as given_name)."""
    name = normalize_header(header).replace(" ", "_")
    return name if name in _FIELD_SET or name in ID_HEADERS or name == "extra_json" else None


def _year_of(text: str, order: str) -> int | None:
    if text.isdigit():
        return int(text)
    _, year, error = _parse_date_cached(text, order)
    return None if error else year


def _split_full_name(original: str, fields: dict[str, Any]) -> None:
    """A full name in one column: surname, given name (and a Russian patronymic) split on spaces or "・"."""
    parts = [p for p in _NAME_SPLIT.split(original) if p]
    if len(parts) >= 2:
        fields["surname"], fields["given_name"] = parts[0], parts[1]
        if len(parts) == 3 and parts[2][-3:].lower() in ("вич", "вна", "чна"):
            fields["patronymic"] = parts[2]


def join_reasons(messages: Any) -> str:
    """Several reasons as one text, without a sentence's full stop before each "; "."""
    return "; ".join(message.rstrip(".") for message in messages)


def _past_end_problem(headers: list[str], row: dict[str, str]) -> Problem:
    """One problem for every value past the header's last column (not one per value)."""
    columns = [h.removeprefix("(column ").rstrip(")") for h in headers]
    where = f"column {columns[0]}" if len(columns) == 1 else f"columns {', '.join(columns)}"
    return (headers[0], row[headers[0]], "row.extra_values",
            f"{len(headers)} value(s) past the last column of the header ({where})")


def _odd_character_problem(fields: dict[str, Any], odd: str, problems: list[Problem]) -> Problem | None:
    """A symbol no name has quarantines the row; digits only warn. Blames the first name column holding it."""
    column = next((c for c in NAME_COLUMNS if odd in (fields.get(c) or "")), "name_original")
    value = fields[column]
    if odd.isdigit():
        return column, value, "warn.name_digits", f"{column}: digits in the name {value!r}"
    readable = mojibake_reading(value)
    if readable is not None:
        problems.append((column, value, "row.mojibake", f"{column}: {value!r} is UTF-8 text once read as CP1251 "
                         f"(it was {readable!r}): undo that conversion (iconv -f utf-8 -t cp1251 FILE > FIXED) and import it again"))
    else:
        problems.append((column, value, "row.name_symbols", f"{column}: {value!r} holds {odd!r}, which no name has"))
    return None


def mojibake_reading(text: str) -> str | None:
    """What ``text`` was before UTF-8 bytes were decoded as CP1251 ("РЎР°С‚Рѕ" -> "Сато"), or None when it
    is not such text. Real Russian text almost never survives the round trip: its CP1251 bytes are not UTF-8."""
    try:
        original = text.encode("cp1251").decode("utf-8")
    except UnicodeError:
        return None
    return original if original != text and not original.isascii() else None


def _extra_from_json(text: str, problems: list[Problem]) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        problems.append(("extra_json", text, "row.extra_json", "extra_json must be a JSON object"))
        return {}
    return value
