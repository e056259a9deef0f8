"""Units, occupations and the way each side wrote them (Japanese roster, Russian card).

Division numbers are those of the Kwantung Army and the forces in Korea, South Sakhalin and the Kurils in
August 1945 as far as the authors know them (not checked against a source); regiment numbers are SYNTHETIC
(derived from the division number), so a simulated unit is not a real unit's roll.
"""

from __future__ import annotations

DIVISIONS: tuple[int, ...] = (
    39, 59, 63, 79, 88, 91, 107, 108, 112, 117, 119, 121, 122, 123, 124, 125, 126, 127, 128, 134, 135, 136,
    137, 138, 139, 148, 149,
)

# (Japanese branch, Russian abbreviation, weight): what kind of regiment or battalion a man served in.
BRANCHES: tuple[tuple[str, str, float], ...] = (
    ("歩兵第{n}聯隊", "{n} пп", 0.60),
    ("野砲兵第{n}聯隊", "{n} ап", 0.14),
    ("工兵第{n}聯隊", "{n} сапёрный полк", 0.07),
    ("輜重兵第{n}聯隊", "{n} транспортный полк", 0.07),
    ("通信隊第{n}大隊", "{n} батальон связи", 0.05),
    ("第{n}野戦病院", "{n} полевой госпиталь", 0.04),
    ("独立守備歩兵第{n}大隊", "{n} отд. батальон", 0.03),
)

# (Russian, Japanese, weight for men, weight for women): occupation before call-up.
OCCUPATIONS: tuple[tuple[str, str, float, float], ...] = (
    ("крестьянин", "農業", 0.45, 0.10),
    ("рабочий", "工員", 0.15, 0.05),
    ("служащий", "会社員", 0.10, 0.15),
    ("рыбак", "漁業", 0.05, 0.0),
    ("торговец", "商業", 0.08, 0.05),
    ("учитель", "教員", 0.03, 0.10),
    ("студент", "学生", 0.05, 0.05),
    ("ремесленник", "職人", 0.06, 0.0),
    ("шофёр", "運転手", 0.03, 0.0),
    ("медсестра", "看護婦", 0.0, 0.50),
)

CIVILIAN_RANK_RU = "гражданский"
CIVILIAN_RANK_JA = "軍属"
CIVILIAN_UNIT_JA = "満洲国在留邦人"  # a civilian has no unit; the roster says where he lived


def regiment_number(division: int, branch: int) -> int:
    """The (synthetic) number of a division's regiment of a given branch."""
    return (division * 7 + branch * 13) % 290 + 1


def unit_japanese(division: int, branch: int) -> str:
    """A unit as a Japanese roster writes it: 第107師団 歩兵第31聯隊."""
    return f"第{division}師団 " + BRANCHES[branch][0].format(n=regiment_number(division, branch))


def unit_russian(division: int, branch: int, short: bool) -> str:
    """A unit as a Soviet card writes it: '107 пд, 31 пп' or just '107 пд'."""
    head = f"{division} пд"
    return head if short else f"{head}, " + BRANCHES[branch][1].format(n=regiment_number(division, branch))
