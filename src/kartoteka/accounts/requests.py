"""Access requests: a family member asks for a person's file, with who they are, their relationship and a proof
document; a reviewer grants or refuses it with a reason; a granted request opens that person's file to the
requester and nobody else (access.policy.Viewer.granted). Every step is dated and audited.

    submit(store, user, person_id, requester=, relationship=, proof_name=, proof=, client=) -> int
    decide(store, request_id, grant=, reason=, by=, client=) -> AccessRequest
    requests_of(store, user_id) -> list[AccessRequest]          the requester's own page
    listed(store, status=None) -> list[AccessRequest]           the reviewers' list (open ones first)
    proof_of(store, request_id) -> (name, type, bytes)

The proof is checked by its content, not by the name or type the browser claims: a PDF, JPEG or PNG of at most
MAX_PROOF_BYTES. Errors: "requests.invalid", "requests.proof", "requests.not_found", "requests.decided".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, update

from kartoteka.accounts.service import aware, now
from kartoteka.accounts.tables import access_requests, users
from kartoteka.accounts.types import Role, User
from kartoteka.audit import service as audit
from kartoteka.core.errors import KartotekaError
from kartoteka.store.database import Store

MAX_PROOF_BYTES = 5 * 1024 * 1024
MAX_TEXT = 500
PROOF_TYPES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


@dataclass(frozen=True)
class AccessRequest:
    id: int
    user_name: str
    person_id: int
    requester: str
    relationship: str
    proof_name: str | None
    proof_type: str | None
    proof_size: int | None
    status: str  # requested | granted | refused
    reason: str | None
    requested_at: str
    decided_at: str | None
    decided_by: str | None


def proof_type(content: bytes) -> str:
    """The proof's type from its first bytes; refuses anything but a PDF, JPEG or PNG, empty or too large."""
    if not content:
        raise KartotekaError("requests.proof", "the proof file is empty",
                             hint="attach a scan or photo of a document that shows the relationship")
    if len(content) > MAX_PROOF_BYTES:
        raise KartotekaError("requests.proof", f"the proof file is larger than {MAX_PROOF_BYTES // 1024 // 1024} MB",
                             hint="attach a smaller scan (a PDF, JPEG or PNG)", details={"size": len(content)})
    for magic, kind in PROOF_TYPES.items():
        if content.startswith(magic):
            return kind
    raise KartotekaError("requests.proof", "the proof file is not a PDF, JPEG or PNG",
                         hint="attach a scan or photo as a PDF, JPEG or PNG")


def _text(name: str, value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise KartotekaError("requests.invalid", f"say {name} (at most {MAX_TEXT} characters)",
                             hint="fill in every field of the request", details={"field": name})
    return cleaned


def submit(store: Store, user: User, person_id: int, *, requester: str, relationship: str, proof_name: str,
           proof: bytes, client: str | None) -> int:
    """A new request for ``person_id``'s file by ``user`` (an account below reviewer)."""
    if user.role >= Role.REVIEWER:
        raise KartotekaError("requests.invalid", "reviewers and admins see every file already")
    values = {"requester": _text("who you are", requester), "relationship": _text("your relationship", relationship)}
    kind = proof_type(proof)
    with store.engine.begin() as conn:
        request_id = int(conn.execute(insert(access_requests).values(
            user_id=user.id, person_id=person_id, **values, proof_name=(proof_name or "proof")[:200],
            proof_type=kind, proof_size=len(proof), proof=proof, status="requested",
            requested_at=now())).inserted_primary_key[0])  # type: ignore[index]
    audit.record(store, "request", who=user.name, user_id=user.id, target=f"person {person_id}", client=client,
                 detail={"request": request_id, "proof_type": kind, "proof_size": len(proof)})
    return request_id


def decide(store: Store, request_id: int, *, grant: bool, reason: str, by: User, client: str | None) -> AccessRequest:
    """Grant or refuse an open request, with a reason (both are dated and audited)."""
    why = _text("the reason", reason)
    with store.engine.begin() as conn:
        done = conn.execute(update(access_requests).where(
            access_requests.c.id == request_id, access_requests.c.status == "requested").values(
            status="granted" if grant else "refused", reason=why, decided_at=now(), decided_by=by.name))
        if done.rowcount != 1:
            exists = conn.execute(select(access_requests.c.status).where(access_requests.c.id == request_id)).first()
            if exists is None:
                raise KartotekaError("requests.not_found", f"no request {request_id}")
            raise KartotekaError("requests.decided", f"request {request_id} was already {exists[0]}",
                                 hint="a decided request stays as it was; the requester may ask again")
    found = _read(store, access_requests.c.id == request_id)[0]
    audit.record(store, "grant", who=by.name, user_id=by.id, target=f"person {found.person_id}", client=client,
                 outcome=found.status, detail={"request": request_id, "user": found.user_name, "reason": why})
    return found


def requests_of(store: Store, user_id: int) -> list[AccessRequest]:
    return _read(store, access_requests.c.user_id == user_id)


def listed(store: Store, status: str | None = None) -> list[AccessRequest]:
    """Every request (or those of one status), the open ones first, newest first within."""
    found = _read(store, access_requests.c.status == status if status else None)
    return sorted(found, key=lambda r: (r.status != "requested", -r.id))


def proof_of(store: Store, request_id: int) -> tuple[str, str, bytes]:
    query = select(access_requests.c.proof_name, access_requests.c.proof_type, access_requests.c.proof).where(
        access_requests.c.id == request_id, access_requests.c.proof.is_not(None))
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise KartotekaError("requests.not_found", f"no request {request_id} with a proof file")
    return str(row.proof_name), str(row.proof_type), bytes(row.proof)


def _read(store: Store, condition: object) -> list[AccessRequest]:
    query = (select(*[c for c in access_requests.c if c.name != "proof"], users.c.name.label("user_name"))
             .join(users, users.c.id == access_requests.c.user_id).order_by(access_requests.c.id.desc()))
    if condition is not None:
        query = query.where(condition)  # type: ignore[arg-type]
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [AccessRequest(id=int(r.id), user_name=r.user_name, person_id=int(r.person_id), requester=r.requester or "",
                          relationship=r.relationship or "", proof_name=r.proof_name, proof_type=r.proof_type,
                          proof_size=r.proof_size, status=r.status, reason=r.reason, requested_at=_iso(r.requested_at),
                          decided_at=_iso(r.decided_at) or None, decided_by=r.decided_by) for r in rows]


def _iso(moment: object) -> str:
    value = aware(moment)  # type: ignore[arg-type]
    return "" if value is None else value.isoformat(timespec="minutes")
