"""Access requests in the browser: a family member asks for a person's file (/persons/{id}/request) and follows
it on their own page (/account); reviewers grant or refuse each with a reason (/requests) and open its proof.
Every form carries the CSRF token; every step is audited by kartoteka.accounts.requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from kartoteka.accounts import requests as access_requests
from kartoteka.accounts.types import Role, User
from kartoteka.audit import service as audit
from kartoteka.catalog import service as catalog
from kartoteka.catalog.types import Moved, PersonView
from kartoteka.core.errors import KartotekaError
from kartoteka.web.api import MAX_ID, store_of
from kartoteka.web.auth import check_csrf, client_address, require_role, viewer
from kartoteka.web.i18n import translations
from kartoteka.web.messages import page_error
from kartoteka.web.pages import page, request_language

router = APIRouter(include_in_schema=False)
Family = Annotated[User, Depends(require_role(Role.FAMILY))]
Reviewer = Annotated[User, Depends(require_role(Role.REVIEWER))]


def _person_or_404(request: Request, person_id: int) -> PersonView:
    found = catalog.person(store_of(request), person_id, viewer(request))
    if isinstance(found, Moved):
        raise KartotekaError("catalog.not_found", f"person {person_id} was regrouped",
                             hint="ask from the page of the person that holds the records now")
    return found


@router.get("/persons/{person_id}/request")
def request_form(request: Request, person_id: Annotated[int, Path(ge=1, le=MAX_ID)], user: Family) -> Response:
    return page(request, "request_form.html", person=_person_or_404(request, person_id), error=None, form={},
                max_mb=access_requests.MAX_PROOF_BYTES // 1024 // 1024)


@router.post("/persons/{person_id}/request")
async def request_submit(request: Request, person_id: Annotated[int, Path(ge=1, le=MAX_ID)], user: Family,
                         requester: Annotated[str, Form(max_length=2000)] = "",
                         relationship: Annotated[str, Form(max_length=2000)] = "",
                         csrf_token: Annotated[str, Form(max_length=200)] = "",
                         proof: Annotated[UploadFile | None, File()] = None) -> Response:
    check_csrf(request, csrf_token)
    person = _person_or_404(request, person_id)
    content = await proof.read(access_requests.MAX_PROOF_BYTES + 1) if proof is not None else b""
    try:
        access_requests.submit(store_of(request), user, person_id, requester=requester, relationship=relationship,
                               proof_name=proof.filename or "" if proof is not None else "", proof=content,
                               client=client_address(request))
    except KartotekaError as exc:
        if not exc.code.startswith("requests."):
            raise
        shown = page_error(exc, 400, translations(request_language(request)).gettext)
        return page(request, "request_form.html", status=400, person=person, error=shown,
                    form={"requester": requester, "relationship": relationship},
                    max_mb=access_requests.MAX_PROOF_BYTES // 1024 // 1024)
    return RedirectResponse("/account", status_code=303)


@router.get("/account")
def account(request: Request, user: Family) -> Response:
    """The signed-in user's own page: their requests, each with its dates, status and reason."""
    return page(request, "account.html", requests=access_requests.requests_of(store_of(request), user.id))


@router.get("/requests")
def requests_list(request: Request, user: Reviewer) -> Response:
    return page(request, "requests.html", requests=access_requests.listed(store_of(request)))


@router.post("/requests/{request_id}/decision")
def request_decision(request: Request, request_id: Annotated[int, Path(ge=1, le=MAX_ID)], user: Reviewer,
                     decision: Annotated[str, Form(max_length=10)] = "",
                     reason: Annotated[str, Form(max_length=2000)] = "",
                     csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_csrf(request, csrf_token)
    if decision not in ("grant", "refuse"):
        raise KartotekaError("requests.invalid", "choose grant or refuse", details={"field": "decision"})
    access_requests.decide(store_of(request), request_id, grant=decision == "grant", reason=reason, by=user,
                           client=client_address(request))
    return RedirectResponse("/requests", status_code=303)


@router.get("/requests/{request_id}/proof")
def request_proof(request: Request, request_id: Annotated[int, Path(ge=1, le=MAX_ID)], user: Reviewer) -> Response:
    name, kind, content = access_requests.proof_of(store_of(request), request_id)
    audit.record(store_of(request), "view", who=user.name, user_id=user.id, target=f"request {request_id} proof",
                 client=client_address(request), detail={"proof_type": kind, "size": len(content)})
    safe = "".join(c for c in name if c.isalnum() or c in "._-")[:80] or "proof"
    return Response(content, media_type=kind, headers={"Content-Disposition": f'attachment; filename="{safe}"'})
