"""Hostile text for the escaping tests, and the check an HTML answer must pass (test code only).

``hostile(tag)`` is one string with every kind of trouble a name or a note can bring: a script element, a
right-to-left override (U+202E), quotes that would close an attribute, an element with an event handler, and
text that looks like a Jinja expression and statement. The ``tag`` names the field it was put in, so a page that
shows it can be told to have shown that field (``shown``), escaped.

``problems(html)`` lists what would let the text act on the page: an inline script (every script of the site is
a static file), an event-handler attribute, a link or form to a ``javascript:``/``vbscript:``/``data:`` address,
a right-to-left override that is not isolated (in ``<bdi>`` or an element with ``dir``), and a Jinja expression
that was evaluated."""

from __future__ import annotations

from html.parser import HTMLParser

RLO = "\u202e"
LONG = "Ж" * 10_000
JINJA_RESULT = "7777777"  # what {{ 7*'7' }} would render to
LINK = "javascript:alert(document.domain)"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# elements whose text a browser shows as plain text, where an override cannot reach beyond the element
PLAIN_TEXT = {"title", "textarea", "option"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


def hostile(tag: str) -> str:
    """The hostile text for one field, named by ``tag`` (letters, digits, dots and underscores only)."""
    return (f"<script>alert('{tag}')</script>{RLO}\"'><img src=x onerror=alert('{tag}')>"
            f"{{{{7*'7'}}}}{{% if 1 %}}{tag}{{% endif %}}")


def shown(html: str, tags: list[str]) -> set[str]:
    """The tags whose hostile text is on the page, escaped as text (by Jinja, or as JSON by its tojson)."""
    return {tag for tag in tags if f"alert(&#39;{tag}&#39;)" in html or f"alert(\\u0027{tag}\\u0027)" in html}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.found: list[str] = []

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> dict[str, str | None]:
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>: an event-handler attribute")
            if name in URL_ATTRIBUTES and value:
                address = "".join(value.split()).lower()
                if address.startswith(("javascript:", "vbscript:")) or (
                        address.startswith("data:") and not address.startswith("data:image/")):
                    self.found.append(f"<{tag} {name}={value[:60]!r}>: a script address")
        if tag == "script" and not named.get("src"):
            self.found.append("<script> without src: inline script")
        return named

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = self._attributes(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, named))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == "script" and data.strip():
            self.found.append(f"script content: {data.strip()[:60]!r}")
        if RLO in data and not any(tag == "bdi" or tag in PLAIN_TEXT or "dir" in attrs for tag, attrs in self.stack):
            path = " > ".join(tag for tag, _ in self.stack[-4:])
            self.found.append(f"a right-to-left override outside <bdi> ({path}): {data.strip()[:40]!r}")


def problems(html: str) -> list[str]:
    """What in this HTML (or SVG) would let hostile text act: empty when it is all inert text."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    found = checker.found
    if JINJA_RESULT in html:
        found.append("a Jinja expression from the data was evaluated")
    return found
