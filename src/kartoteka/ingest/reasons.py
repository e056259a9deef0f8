"""The stable codes of quarantine entries: what `kartoteka quarantine --reason CODE` filters on.

A code never changes meaning (scripts and corrected files depend on it); the message beside it may be
reworded. "error" codes keep a row out of the store; "warning" codes flag a record that was imported.
"""

from __future__ import annotations

#: code -> what it means (docs/how-to/add-a-source.md lists the codes).
ERRORS: dict[str, str] = {
    "parse.stray_quote": "a quoted field runs across line breaks into a column that cannot hold one (a name, a "
                         "year, a date): a stray quote; the line is quarantined and the lines it swallowed are "
                         "read again on their own",
    "parse.delimiter": "the line's values are separated by another delimiter than the header's (, ; TAB |)",
    "parse.json": "the line is not valid JSON",
    "parse.not_object": "the JSON value of the row is not an object",
    "row.header_repeated": "the header line again inside the data (two files joined into one)",
    "row.no_name": "surname, given_name and name_original are all blank",
    "row.name_letters": "the name has no letters (or only initials)",
    "row.name_symbols": "the name holds characters no name has (; | @ # = ...)",
    "row.mojibake": "a name that is UTF-8 text once decoded as CP1251 (\"РЎР°С‚Рѕ\" for \"Сато\")",
    "row.date": "a date that cannot be read",
    "row.birth_year": "a birth year that is not a year",
    "row.birth_year_range": "a birth year outside 1860-1945",
    "row.extra_values": "values past the last column of the header",
    "row.duplicate_ref": "a record_ref that an earlier row of the same file has",
    "row.nul": "a NUL character (not text)",
    "row.extra_json": "an extra_json value that is not a JSON object",
    "row.merged_cell": "a workbook cell inside a merged range, whose value shows only in the range's first cell",
    "row.formula": "a workbook cell with a formula that was never calculated (no stored value)",
    "row.date_number": "a plain number in a workbook's date column that is not a year (a date serial?)",
    "row.follow_up": "a row of a corrected file that names no quarantined row of the source it follows up",
}

WARNINGS: dict[str, str] = {
    "warn.name_script": "a name in a script its source kind does not use (Latin on a Russian card, Cyrillic "
                        "on a Japanese roster)",
    "warn.name_digits": "digits in a name",
}

CODES: dict[str, str] = {**ERRORS, **WARNINGS}


def severity(code: str) -> str:
    """"error" or "warning" for a known code."""
    return "warning" if code in WARNINGS else "error"
