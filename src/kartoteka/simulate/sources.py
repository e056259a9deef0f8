"""The source files of a simulated archive: names, kinds, encodings, mappings and columns.

Cards are filed by the region of the camp (as archives hold them), the Far East and Central Asia in CP1251,
Siberia in UTF-8; personal files are split in two (one CP1251); the Japanese files are UTF-8.
"""

from __future__ import annotations

from kartoteka.simulate.files import FileSpec

_CARD_COLUMNS = (
    "surname", "given_name", "patronymic", "birth_year", "birth_place", "occupation", "rank", "unit",
    "capture_date", "capture_place", "camp", "lagpunkt", "arrived_from", "departed_to", "event_date",
    "death_date", "burial_place", "archive_ref", "scan_ref",
)
_PERSONAL_FILE_COLUMNS = (
    "file_number", "surname", "given_name", "patronymic", "birth_year", "birth_place", "address_before_callup",
    "education", "occupation", "unit", "rank", "capture_date", "capture_place", "camp", "lagpunkt",
    "relatives", "height", "build", "death_date", "burial_place", "event_date", "archive_ref", "scan_ref",
)
_DEATH_ROSTER_COLUMNS = (
    "name_original", "birth_year", "death_date", "death_place", "burial_place", "rank", "name_kanji", "prefecture",
)
_JP_ROSTER_COLUMNS = (
    "name_original", "name_reading", "birth_date", "prefecture", "occupation", "unit", "rank", "status",
    "event_date", "reported_by",
)
_MANIFEST_COLUMNS = (
    "ship", "departure_port", "arrival_port", "event_date", "name_original", "birth_year", "prefecture", "unit",
    "rank",
)
_BURIAL_COLUMNS = (
    "name_original", "death_date", "camp", "burial_place", "burial_site", "plot_number", "grave_number",
    "remains_recovered", "archive_ref",
)

# Region of a camp -> the card file it is filed in.
CARD_FILE_OF_REGION = {
    "primorsky": "cards_01.csv", "khabarovsk": "cards_01.csv", "sakhalin": "cards_01.csv",
    "magadan": "cards_01.csv", "chita": "cards_02.csv", "buryat": "cards_02.csv", "irkutsk": "cards_02.csv",
    "krasnoyarsk": "cards_02.csv", "mongolia": "cards_02.csv", "kazakh": "cards_03.csv", "uzbek": "cards_03.csv",
    "tatar": "cards_03.csv", "ivanovo": "cards_03.csv",
}

SOURCE_FILES: tuple[FileSpec, ...] = (
    FileSpec("cards_01.csv", "card", "ru-card", "cp1251", _CARD_COLUMNS, "SIM-C1-"),
    FileSpec("cards_02.csv", "card", "ru-card", "utf-8", _CARD_COLUMNS, "SIM-C2-"),
    FileSpec("cards_03.csv", "card", "ru-card", "cp1251", _CARD_COLUMNS, "SIM-C3-"),
    FileSpec("personal_files_01.csv", "personal_file", "ru-personal-file", "utf-8", _PERSONAL_FILE_COLUMNS,
             "SIM-F1-"),
    FileSpec("personal_files_02.csv", "personal_file", "ru-personal-file", "cp1251", _PERSONAL_FILE_COLUMNS,
             "SIM-F2-"),
    FileSpec("death_roster.csv", "death_roster", "ja-death-roster", "utf-8", _DEATH_ROSTER_COLUMNS, "SIM-D-",
             headers={"name_original": "カナ氏名"}),
    FileSpec("jp_unit_rosters.csv", "jp_roster", "ja-roster", "utf-8", _JP_ROSTER_COLUMNS, "SIM-J1-"),
    FileSpec("jp_family_reports.csv", "jp_roster", "ja-roster", "utf-8", _JP_ROSTER_COLUMNS, "SIM-J2-"),
    FileSpec("manifests_1946-1948.csv", "manifest", "ja-manifest", "utf-8", _MANIFEST_COLUMNS, "SIM-M1-",
             headers={"event_date": "入港年月日"}),
    FileSpec("manifests_1949-1956.csv", "manifest", "ja-manifest", "utf-8", _MANIFEST_COLUMNS, "SIM-M2-",
             headers={"event_date": "入港年月日"}),
    FileSpec("burial_registers.csv", "burial", "ru-burial", "utf-8", _BURIAL_COLUMNS, "SIM-B-",
             headers={"name_original": "Надпись на знаке"}),
)


def card_file_of_region(region: str) -> str:
    """The card file a camp's region is filed in."""
    return CARD_FILE_OF_REGION[region]


def manifest_file_of_year(year: int) -> str:
    """The manifest file of a repatriation year."""
    return "manifests_1946-1948.csv" if year <= 1948 else "manifests_1949-1956.csv"
