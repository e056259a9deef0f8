"""A person's timeline from the public fields of their records: birth, capture, each camp with its dates,
death, burial, repatriation with ship and port. Dates are ISO text, possibly partial ("1946-03"), as stored."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from kartoteka.catalog.types import RecordView, TimelineEvent
from kartoteka.linkage.vocabulary import first_number

_ORDER = {"birth": 0, "capture": 1, "camp": 2, "transfer": 2, "death": 3, "burial": 4, "repatriation": 5}
# The date a card was written at its camp; a personal file's event date is its repatriation date.
_CAMP_DATED_KINDS = ("card",)


def _mode(values: Iterable[Any]) -> Any:
    counted = Counter(v for v in values if v not in (None, ""))
    return counted.most_common(1)[0][0] if counted else None


def _earliest(values: Iterable[Any]) -> str | None:
    dated = sorted(str(v) for v in values if v not in (None, ""))
    return dated[0] if dated else None


def _with(views: list[RecordView], *names: str) -> list[RecordView]:
    return [v for v in views if any(v.fields.get(name) not in (None, "") for name in names)]


def _capture(views: list[RecordView]) -> list[TimelineEvent]:
    found = _with(views, "capture_date", "capture_place")
    if not found:
        return []
    return [TimelineEvent(date=_earliest(v.fields.get("capture_date") for v in found), kind="capture",
                          place=_mode(v.fields.get("capture_place") for v in found), detail=None,
                          record_ids=[v.id for v in found])]


def _camps(views: list[RecordView]) -> list[TimelineEvent]:
    stays: dict[tuple[str, str], list[RecordView]] = {}
    for view in _with(views, "camp"):
        camp = str(view.fields["camp"])  # "лагерь № 11" and "№ 11" are one camp
        key = (first_number(camp) or camp, str(view.fields.get("lagpunkt") or ""))
        stays.setdefault(key, []).append(view)
    events = []
    for (_, lagpunkt), found in stays.items():
        camp = _mode(v.fields["camp"] for v in found)
        dates = sorted(str(v.fields["event_date"]) for v in found
                       if v.kind in _CAMP_DATED_KINDS and v.fields.get("event_date"))
        detail = [f"lagpunkt {lagpunkt}"] if lagpunkt else []
        if len(dates) > 1 and dates[-1] != dates[0]:
            detail.append(f"until {dates[-1]}")
        events.append(TimelineEvent(date=dates[0] if dates else None, kind="camp", place=camp,
                                    detail="; ".join(detail) or None, record_ids=[v.id for v in found]))
    return sorted(events, key=lambda e: (e.date is None, e.date or ""))


def _death(views: list[RecordView]) -> list[TimelineEvent]:
    found = _with(views, "death_date", "death_place")
    if not found:
        return []
    return [TimelineEvent(date=_earliest(v.fields.get("death_date") for v in found), kind="death",
                          place=_mode(v.fields.get("death_place") for v in found), detail=None,
                          record_ids=[v.id for v in found])]


def _burial(views: list[RecordView]) -> list[TimelineEvent]:
    found = _with(views, "burial_site", "burial_place", "grave_number")
    if not found:
        return []
    site = _mode(v.fields.get("burial_site") for v in found) or _mode(v.fields.get("burial_place") for v in found)
    detail = []
    place = _mode(v.fields.get("burial_place") for v in found)
    if place and place != site:
        detail.append(str(place))
    for name, label in (("plot_number", "plot"), ("grave_number", "grave")):
        value = _mode(v.fields.get(name) for v in found)
        if value:
            detail.append(f"{label} {value}")
    recovered = _mode(v.fields.get("remains_recovered") for v in found)
    if recovered:
        detail.append(f"remains recovered: {recovered}")
    return [TimelineEvent(date=None, kind="burial", place=site, detail="; ".join(detail) or None,
                          record_ids=[v.id for v in found])]


def _repatriation(views: list[RecordView]) -> list[TimelineEvent]:
    manifests = [v for v in views if v.kind == "manifest"]
    files = [v for v in views if v.kind == "personal_file" and v.fields.get("event_date")
             and not v.fields.get("death_date")]
    found = manifests + files
    if not found:
        return []
    date = _earliest(v.fields.get("event_date") for v in manifests) or _earliest(
        v.fields.get("event_date") for v in files)
    detail = []
    ship = _mode(v.fields.get("ship") for v in manifests)
    if ship:
        detail.append(f"ship {ship}")
    departure = _mode(v.fields.get("departure_port") for v in manifests)
    if departure:
        detail.append(f"from {departure}")
    return [TimelineEvent(date=date, kind="repatriation", place=_mode(v.fields.get("arrival_port") for v in manifests),
                          detail=", ".join(detail) or None, record_ids=[v.id for v in found])]


def build_timeline(birth_year: int | None, views: list[RecordView]) -> list[TimelineEvent]:
    """The events in date order; an undated event keeps its place after the events before it (a burial after
    the death, a camp without a dated card after the capture)."""
    events: list[TimelineEvent] = []
    if birth_year is not None:
        events.append(TimelineEvent(date=str(birth_year), kind="birth", place=None, detail=None,
                                    record_ids=[v.id for v in views if v.fields.get("birth_year") == birth_year]))
    for part in (_capture, _camps, _death, _burial, _repatriation):
        events.extend(part(views))
    keyed, last = [], ""
    for position, event in enumerate(events):
        last = max(last, event.date or "")
        keyed.append(((event.date or last), _ORDER[event.kind], position, event))
    return [event for *_, event in sorted(keyed, key=lambda item: item[:3])]
