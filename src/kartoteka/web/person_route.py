"""A person's route from camp to camp, dated: the timeline's events that put them somewhere, each place as the
store keeps it resolved (the camp, death place and burial texts of the event's records, resolved at each record's
date by the importer or `kartoteka gazetteer load`); the capture and repatriation places, which the store does not
keep resolved, by the gazetteer at the event's date. The person page lists the stops (no script needed) and its map
script draws those with a coordinate, joined in order."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kartoteka.catalog.types import PersonView
from kartoteka.gazetteer import service as gazetteer
from kartoteka.gazetteer.types import Coordinate
from kartoteka.store import Store

# The timeline events that put a person somewhere: the route's stops, in the timeline's (date) order, from the
# place of capture through the camps to the death and burial, or to the port of repatriation.
ROUTE_EVENTS = ("capture", "camp", "transfer", "death", "burial", "repatriation")
# The record field whose stored resolution places each kind of event.
STORED_FIELD = {"camp": "camp", "transfer": "camp", "death": "death_place", "burial": "burial"}
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


@dataclass(frozen=True)
class RouteStop:
    """One place on a person's route: the timeline event as written, and what the gazetteer made of its place."""

    date: str | None  # ISO, possibly partial, as the timeline has it
    kind: str  # one of ROUTE_EVENTS
    place: str  # as the records write it
    detail: str | None
    resolved: str | None  # the gazetteer's name of the place (English), None when it resolved nothing
    coordinate: Coordinate | None
    confidence: float
    record_ids: list[int]


def _day(date: str | None) -> dt.date | None:
    """The first day of a partial ISO date ("1946-03" -> 1946-03-01): the day that decides which camp a number
    meant; None for no date or text that is not one."""
    match = _PARTIAL_DATE.match(date or "")
    if not match:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, 1, 1)


def person_route(store: Store, person: PersonView) -> list[RouteStop]:
    """The person's places from camp to camp, dated: each as the store resolved it for the event's records."""
    events = [(event, event.place) for event in person.timeline if event.kind in ROUTE_EVENTS and event.place]
    stored = iter(gazetteer.stored_resolutions(store, [(STORED_FIELD[event.kind], place, list(event.record_ids))
                                                       for event, place in events if event.kind in STORED_FIELD]))
    stops = []
    for event, place in events:
        found = next(stored) if event.kind in STORED_FIELD else None
        if found is None:  # a capture or a repatriation, or a record resolved by nothing yet
            found = gazetteer.resolve(store, place, on=_day(event.date))
        resolved = found.name if found.confidence > 0 else None
        stops.append(RouteStop(date=event.date, kind=event.kind, place=place, detail=event.detail,
                               resolved=resolved, coordinate=found.coordinate if resolved else None,
                               confidence=found.confidence, record_ids=list(event.record_ids)))
    return stops
