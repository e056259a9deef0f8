"""What the browser tests share: finding a person through the API, reading a page's text, screenshots."""

from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

from .conftest import REPO, Server

HIRAGANA = re.compile(r"[\u3041-\u309f]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
A_ROW = frozenset("アイウエオヴァィゥェォ")  # ア行 of the memorial list


def search_api(server: Server, query: str, **filters: Any) -> dict[str, Any]:
    params = {"q": query, "limit": 20, **filters}
    return server.get_json("/api/v1/search?" + urllib.parse.urlencode(params))  # type: ignore[no-any-return]


def person_holding(server: Server, query: str, refs: list[str]) -> int:
    """The id of the result (first page of the query) that holds one of `refs`; fails naming what was found."""
    answer = search_api(server, query)
    for hit in answer["results"]:
        if set(hit["record_refs"]) & set(refs):
            assert hit["person_id"] is not None, f"{query!r}: results are records, the store was linked"
            return int(hit["person_id"])
    found = [(hit["person_id"], hit["names"], hit["record_refs"][:3]) for hit in answer["results"][:5]]
    raise AssertionError(f"no result of {query!r} holds any of {refs}; the first five: {found}")


def main_text(page: Any) -> str:
    """The visible text of the page's main region, spaces folded."""
    return " ".join(page.inner_text("main").split())


def search_from_the_box(page: Any, server: Server, query: str) -> None:
    """Type a query into the home page's search box and submit it as a user would (Enter)."""
    page.goto(server.url + "/")
    page.fill("input[name=q]", query)
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert "/search" in page.url


def screenshot(page: Any, name: str, tmp: Path) -> Path:
    """Save a screenshot as portal-NAME.png: into KARTOTEKA_SCREENSHOTS (`make screenshots` sets docs/img),
    else into the test's temporary folder (the docs' images change only when asked for)."""
    folder = os.environ.get("KARTOTEKA_SCREENSHOTS")
    target = REPO / folder if folder else tmp  # an absolute folder stays itself (Path's "/" keeps it)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"portal-{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 1000
    return path
