"""The review in the browser, for reviewers (issue 18, 4): the queue by priority, a pair's records side by side
with the terms of its weight, answers (same / not the same / unsure / skip) with a note, undo; what was reviewed
and by whom; whole persons (weakest first, split, merge); the families' corrections.

Every page needs the reviewer role (web.auth.require_role): the signed-in user is the reviewer, never a field of
a form. Every action is a plain form POST carrying the CSRF token (web.auth.check_csrf), answered with a redirect
(303), so the review works without JavaScript; /static/review.js only adds keyboard shortcuts. Each action is
written to the audit log (decision, split, merge; an undo is a "decision" entry with "undone") with the reviewer
and the client's address. The decisions are those `kartoteka review` records (kartoteka.linkage.review), applied
by every later run; another reviewer's standing answer on a pair is never overwritten (409, shown in the page).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from kartoteka.accounts.types import Role, User
from kartoteka.audit import service as audit
from kartoteka.catalog import service as catalog
from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import review, review_persons, review_stats
from kartoteka.web.api import MAX_ID, store_of
from kartoteka.web.auth import audit_restricted_view, check_csrf, client_address, require_role
from kartoteka.web.i18n import translations
from kartoteka.web.messages import page_error
from kartoteka.web.pages import _same_origin, page, request_language
from kartoteka.web.render import N_

QUEUE_PAGE = 25
LIST_PAGE = 100
ANSWERS = {"same": N_("Same person"), "not_same": N_("Not the same"), "unsure": N_("Unsure"), "skip": N_("Skip")}
KEYS = {"same": "s", "not_same": "n", "unsure": "u", "skip": "k"}
TERMS = {"prior": N_("prior (log2 odds that two records are one person)"), "sn": N_("surname"),
         "gn": N_("given name"), "fn": N_("full name"), "birth_year": N_("birth year"), "pref": N_("prefecture (本籍)"),
         "place": N_("birthplace"), "unit": N_("unit"), "rank": N_("rank"), "camp": N_("camp"),
         "death_date": N_("death date"), "remainder": N_("prior and adjustments (not kept by this run)")}
TERM_FREQUENCY = N_("term frequency: %(name)s")

Reviewer = Annotated[User, Depends(require_role(Role.REVIEWER))]
CsrfToken = Annotated[str, Form(max_length=200)]
router = APIRouter(include_in_schema=False, prefix="/review")


def _page_no(request: Request) -> int:
    text = request.query_params.get("page", "1")
    return max(1, min(int(text), 10_000)) if text.isascii() and text.isdigit() else 1


def _term_rows(item: review.ReviewItem, gettext: Any) -> list[tuple[str, float]]:
    rows = []
    for name, value in item.terms:
        if name.startswith(review.TF_PREFIX):
            inner = name[len(review.TF_PREFIX):]
            label = gettext(TERM_FREQUENCY) % {"name": gettext(TERMS.get(inner, inner))}
        else:
            label = gettext(TERMS[name]) if name in TERMS else name
        rows.append((label, value))
    return rows


def _view(request: Request, template: str, user: User, status: int = 200, **context: Any) -> Response:
    return page(request, template, status=status, reviewer=user, answers=ANSWERS, keys=KEYS, **context)


def _checked_form(request: Request, csrf_token: str) -> None:
    """The form's CSRF token is this session's, and it came from this site (before anything is changed)."""
    check_csrf(request, csrf_token)
    if not _same_origin(request):
        raise KartotekaError("web.origin", "The form was sent from another site.",
                             hint="Answer from the review pages of this site.")


@router.get("")
def queue(request: Request, user: Reviewer) -> Response:
    store = store_of(request)
    page_no = _page_no(request)
    items = review.review_queue(store, QUEUE_PAGE, reviewer=user.name, offset=(page_no - 1) * QUEUE_PAGE)
    return _view(request, "review_queue.html", user, items=items, page_no=page_no,
                 more=len(items) == QUEUE_PAGE, stats=review_stats.review_stats(store))


@router.get("/pairs/{left}/{right}")
def pair(request: Request, user: Reviewer, left: Annotated[int, Path(ge=1, le=MAX_ID)],
         right: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    shown = _pair_page(request, user, left, right)
    # the two records' every field, personal files and the possibly living included: a view of restricted data
    audit_restricted_view(request, f"records {min(left, right)} {max(left, right)}", sorted({left, right}))
    return shown


def _pair_page(request: Request, user: Reviewer, left: int, right: int, error: Any = None, status: int = 200,
               note: str = "") -> Response:
    item = review.pair_item(store_of(request), left, right)
    gettext = translations(request_language(request)).gettext
    fields = [name for name in review.SHOWN_FIELDS if item.left.get(name) is not None
              or item.right.get(name) is not None]
    return _view(request, "review_pair.html", user, status=status, item=item, fields=fields,
                 terms=_term_rows(item, gettext), total=sum(value for _, value in item.terms), error=error,
                 note=note)


@router.post("/decide")
def decide(request: Request, user: Reviewer, left: Annotated[int, Form(ge=1, le=MAX_ID)],
           right: Annotated[int, Form(ge=1, le=MAX_ID)], answer: Annotated[str, Form(max_length=20)],
           note: Annotated[str, Form(max_length=4_000)] = "", csrf_token: CsrfToken = "") -> Response:
    _checked_form(request, csrf_token)
    store = store_of(request)
    try:
        made = review.decide(store, left, right, answer, reviewer=user.name, note=note)
    except KartotekaError as exc:
        if exc.code != "review.conflict":
            raise
        _audit(request, user, "decision", f"records {min(left, right)} {max(left, right)}", outcome="refused",
               verdict=answer, conflict=exc.details.get("decision_id"))
        return _pair_page(request, user, left, right, error=_conflict(request, exc), status=409, note=note)
    _audit(request, user, "decision", f"records {min(left, right)} {max(left, right)}", decision=made,
           verdict=answer)
    following = review.review_queue(store, 1, reviewer=user.name)
    if not following:
        return RedirectResponse("/review", status_code=303)
    return RedirectResponse(f"/review/pairs/{following[0].record_id_l}/{following[0].record_id_r}", status_code=303)


def _conflict(request: Request, exc: KartotekaError) -> Any:
    """Another reviewer's standing answer, in the reader's language (their answer's name translated too)."""
    gettext = translations(request_language(request)).gettext
    theirs = str(exc.details.get("decision", ""))
    details = {**exc.details, "answer": gettext(ANSWERS[theirs]) if theirs in ANSWERS else theirs,
               "reviewer": exc.details.get("reviewer") or "—"}
    return page_error(KartotekaError(exc.code, exc.message, hint=exc.hint, details=details), 409, gettext)


def _audit(request: Request, user: User, action: str, target: str, outcome: str = "ok", **detail: Any) -> None:
    audit.record(store_of(request), action, who=user.name, user_id=user.id, target=target,
                 client=client_address(request), outcome=outcome, detail=detail)


@router.post("/undo")
def undo(request: Request, user: Reviewer, csrf_token: CsrfToken = "") -> Response:
    _checked_form(request, csrf_token)
    store = store_of(request)
    undone = review.undo(store, reviewer=user.name)
    _audit(request, user, "decision", f"decision {undone}", undone=True)
    found = [d for d in review.list_decisions(store) if d["id"] == undone]
    if found:
        return RedirectResponse(f"/review/pairs/{found[0]['record_id_l']}/{found[0]['record_id_r']}",
                                status_code=303)
    return RedirectResponse("/review", status_code=303)


@router.get("/decisions")
def decisions(request: Request, user: Reviewer) -> Response:
    store = store_of(request)
    page_no = _page_no(request)
    every = review.list_decisions(store)
    shown = every[(page_no - 1) * LIST_PAGE:page_no * LIST_PAGE]
    return _view(request, "review_decisions.html", user, decisions=shown, page_no=page_no,
                 pages=max(1, math.ceil(len(every) / LIST_PAGE)), stats=review_stats.review_stats(store))


@router.get("/persons")
def persons(request: Request, user: Reviewer) -> Response:
    page_no = _page_no(request)
    people = review_persons.weak_persons(store_of(request), QUEUE_PAGE, offset=(page_no - 1) * QUEUE_PAGE)
    audit_restricted_view(request, f"review persons page {page_no}",
                          [r["record_id"] for person in people for r in person["records"]])
    return _view(request, "review_persons.html", user, people=people, page_no=page_no,
                 more=len(people) == QUEUE_PAGE)


@router.post("/persons/split")
async def split(request: Request, user: Reviewer, person: Annotated[int, Form(ge=1, le=MAX_ID)],
                note: Annotated[str, Form(max_length=4_000)] = "", csrf_token: CsrfToken = "") -> Response:
    _checked_form(request, csrf_token)
    form = await request.form()
    chosen = [int(value) for value in form.getlist("record") if isinstance(value, str) and value.isdigit()]
    made = review_persons.split_person(store_of(request), person, chosen, reviewer=user.name, note=note)
    _audit(request, user, "split", f"person {person}", records=chosen, decisions=made)
    return RedirectResponse("/review/decisions", status_code=303)


@router.post("/persons/merge")
def merge(request: Request, user: Reviewer, person: Annotated[int, Form(ge=1, le=MAX_ID)],
          other: Annotated[int, Form(ge=1, le=MAX_ID)], note: Annotated[str, Form(max_length=4_000)] = "",
          csrf_token: CsrfToken = "") -> Response:
    _checked_form(request, csrf_token)
    made = review_persons.merge_persons(store_of(request), person, other, reviewer=user.name, note=note)
    _audit(request, user, "merge", f"persons {person} {other}", decisions=made)
    return RedirectResponse("/review/decisions", status_code=303)


@router.get("/corrections")
def corrections(request: Request, user: Reviewer) -> Response:
    return _view(request, "review_corrections.html", user,
                 corrections=list(reversed(catalog.corrections(store_of(request)))))
