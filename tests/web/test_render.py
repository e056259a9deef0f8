"""The templates as pure functions of the services' dataclasses: escaping, the SIMULATED banner, languages,
and the accessibility rules every page keeps (one h1, headings in order, a label for every input)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from tests.web import samples

from kartoteka.linkage.vocabulary import PREFECTURES
from kartoteka.web import render

BASE = {"params": {}, "prefectures": PREFECTURES}


def pages(simulated: bool = True) -> dict[str, tuple[str, dict]]:
    """Every template with a context as its route gives it."""
    return {
        "home": ("home.html", {"info": samples.info(simulated), "form": {}}),
        "results": ("results.html", {"form": {"q": "Ямада"}, "result": samples.search_page(), "error": None,
                                     "looser": None, "page_no": 1, "pages": 3}),
        "nothing": ("results.html", {"form": {"q": "Ямада"}, "result": samples.search_page([]), "error": None,
                                     "looser": "q=%D0%AF", "page_no": 1, "pages": 1}),
        "person": ("person.html", {"person": samples.person_view()}),
        "record": ("record.html", {"record": samples.record_view()}),
        "memorial": ("memorial.html", {"rows": samples.memorial_rows(), "total": 16}),
        "memorial_row": ("memorial_list.html", {"page": samples.memorial_page(), "heading": "ヤ行", "page_no": 1,
                                                "pages": 2}),
        "sources": ("sources.html", {"sources": samples.sources()}),
        "moved": ("moved.html", {"moved": samples.moved()}),
        "thanks": ("thanks.html", {"correction_id": 3, "person_id": 7}),
        "error": ("error.html", {"title": "Not found", "message": "m", "hint": "h", "code": "web.not_found"}),
        "login": ("login.html", {"error": None, "name": "", "next_page": "/"}),
        "request": ("request_form.html", {"person": samples.person_view(), "error": None, "form": {}, "max_mb": 5}),
        "account": ("account.html", {"requests": samples.access_requests()}),
        "requests": ("requests.html", {"requests": samples.access_requests(), "user": samples.admin()}),
        "audit": ("audit.html", {"entries": samples.audit_entries(), "who": "", "since": "", "action": "",
                                 "user": samples.admin()}),
    }


class Outline(HTMLParser):
    """The headings, the form controls and their labels, and the lang attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.controls: list[str] = []
        self.labels: set[str] = set()
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("input", "select", "textarea") and attributes.get("type") not in ("hidden", "submit"):
            self.controls.append(attributes.get("id") or "")
        if tag == "label" and attributes.get("for"):
            self.labels.add(attributes["for"] or "")


@pytest.mark.parametrize("language", ["ja", "en", "ru"])
@pytest.mark.parametrize("name", list(pages()))
def test_every_page_keeps_the_accessibility_rules(name, language):
    template, context = pages()[name]
    html = render(template, language, simulated=True, **BASE, **context)
    outline = Outline()
    outline.feed(html)
    assert outline.html_lang == language
    assert outline.headings.count(1) == 1, f"{name}: one h1, got {outline.headings}"
    assert outline.headings[0] == 1
    for before, after in zip(outline.headings, outline.headings[1:], strict=False):
        assert after <= before + 1, f"{name}: heading h{after} after h{before} skips a level"
    unlabelled = [control for control in outline.controls if control not in outline.labels]
    assert not unlabelled, f"{name}: inputs without a label: {unlabelled}"
    assert 'href="#main"' in html and 'id="main"' in html, "a skip link to the content"


@pytest.mark.parametrize("name", list(pages()))
def test_a_simulated_store_says_so_on_every_page_and_a_real_one_does_not(name):
    template, context = pages()[name]
    assert "SIMULATED" in render(template, "ja", simulated=True, **BASE, **context)
    _, real_context = pages(simulated=False)[name]
    if name not in ("person", "record", "sources"):  # these carry their own records' flag
        assert "SIMULATED" not in render(template, "en", simulated=False, **BASE, **real_context)


@pytest.mark.parametrize("hostile", [samples.HOSTILE, '"><img src=x onerror=alert(1)>'])
def test_hostile_names_render_as_text(hostile):
    person = samples.person_view(kanji=hostile, cyrillic=hostile)
    for template, context in [("person.html", {"person": person}),
                              ("results.html", {"form": {"q": hostile}, "result": samples.search_page(
                                  [samples.hit(kanji=hostile, cyrillic=hostile)], text=hostile), "error": None,
                                  "looser": None, "page_no": 1, "pages": 1})]:
        html = render(template, "en", simulated=True, **BASE, **context)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&#34;&gt;&lt;img src=x" in html


def test_a_right_to_left_override_stays_inside_its_name():
    person = samples.person_view(cyrillic=samples.RTL)
    html = render("person.html", "en", simulated=True, **BASE, person=person)
    assert f'<bdi class="name" lang="ru">{samples.RTL}</bdi>' in html
    # every occurrence of the override is inside a bdi, which isolates it from the text around it
    for match in re.finditer("\u202e", html):
        opened = html.rfind("<bdi", 0, match.start())
        assert opened > html.rfind("</bdi>", 0, match.start())


def test_a_ten_thousand_character_name_is_shown_whole_in_a_wrapping_element():
    person = samples.person_view(kanji=samples.LONG)
    html = render("person.html", "ja", simulated=True, **BASE, person=person)
    assert f'<bdi class="name" lang="ja">{samples.LONG}</bdi>' in html
    from kartoteka.web.app import STATIC

    css = (STATIC / "portal.css").read_text(encoding="utf-8")
    assert "overflow-wrap: anywhere" in css


def test_a_scan_link_is_only_ever_http():
    html = render("record.html", "en", simulated=True, **BASE, record=samples.record_view(1))
    assert "<bdi>javascript:alert(1)</bdi>" in html  # shown as the record writes it, as text
    assert 'href="javascript' not in html
    linked = render("record.html", "en", simulated=True, **BASE, record=samples.record_view(2))
    assert '<a href="https://example.org/s.jpg" rel="nofollow noopener">' in linked


def test_a_records_fields_are_labelled_and_its_citation_fields_not_repeated():
    html = render("record.html", "ja", simulated=True, **BASE, record=samples.record_view())
    fields = html.split('id="fields"')[1].split("</section>")[0]
    assert "<dt>姓</dt>" in fields and "キリル文字" in fields
    assert "record_ref" not in fields and "c-1" not in fields


def test_names_carry_the_language_of_their_script():
    html = render("person.html", "en", simulated=True, **BASE, person=samples.person_view())
    assert '<bdi class="name" lang="ja">山田乙三</bdi>' in html
    assert '<bdi class="name" lang="ru">Ямада Отозоо</bdi>' in html
    assert '<bdi class="name" lang="ja-Latn">Yamada Otozō</bdi>' in html


@pytest.mark.parametrize(("language", "death", "heading"), [
    ("ja", "昭和21年（1946年）3月1日", "経過"),
    ("en", "March 1, 1946", "Timeline"),
    ("ru", "1 марта 1946", "Хронология"),
])
def test_the_person_page_in_each_language(language, death, heading):
    html = render("person.html", language, simulated=True, **BASE, person=samples.person_view())
    assert death in html and heading in html


def test_nothing_found_says_what_was_looked_for_and_offers_the_looser_query():
    template, context = pages()["nothing"]
    html = render(template, "en", simulated=False, **BASE, **context)
    assert "Nothing found" in html and "Ямада" in html
    assert 'href="/search?q=%D0%AF"' in html


def test_results_link_each_person_and_the_downloads():
    template, context = pages()["results"]
    html = render(template, "en", simulated=False, **{**BASE, "params": {"q": "Ямада"}}, **context)
    assert 'href="/persons/7"' in html
    assert "format=csv" in html and "format=json" in html
    assert "Page 1 of 3" in html and 'rel="next"' in html


def test_hostile_text_in_the_account_pages_renders_as_text():
    """A requester's words, a reviewer's reason and an audit entry's target are text, never markup."""
    import dataclasses

    hostile = '<script>alert(1)</script>\u202e"><img src=x onerror=alert(1)>'
    asked = [dataclasses.replace(r, requester=hostile, reason=hostile) for r in samples.access_requests()]
    entries = [dataclasses.replace(e, who=hostile, target=hostile, detail={"x": hostile})
               for e in samples.audit_entries()]
    for template, context in (("requests.html", {"requests": asked, "user": samples.admin()}),
                              ("account.html", {"requests": asked}),
                              ("audit.html", {"entries": entries, "who": hostile, "since": "", "action": "",
                                              "user": samples.admin()})):
        html = render(template, "en", simulated=True, **BASE, **context)
        assert "<script>alert" not in html and "<img src=x" not in html, template
