"""The gazetteer's service functions (session 10's contract: the signatures are fixed, the bodies are the
gazetteer change's to fill; until then they resolve nothing and list no camps)."""

from __future__ import annotations

import datetime as dt

from kartoteka.gazetteer.types import CampMarker, PlaceResolution
from kartoteka.store import Store


def resolve(store: Store, text: str, on: dt.date | None = None) -> PlaceResolution:
    """The place and camp ``text`` names (any script, with or without a camp number), ``on`` deciding which camp a
    number meant at that date. Nothing resolved is a resolution with confidence 0, never an error."""
    del store
    return PlaceResolution(text=text, place_id=None, camp_id=None, name=None, coordinate=None, confidence=0.0,
                           on=on)


def camp_markers(store: Store, year: int | None = None) -> list[CampMarker]:
    """Every camp and burial site with its counts in the store; ``year``: only those in use that year."""
    del store, year
    return []
