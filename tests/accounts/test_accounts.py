"""Accounts on both backends: argon2 hashes, the first admin, roles, API tokens hashed at rest and revocable,
sessions kept server-side, the lockout after repeated wrong passwords, and the append-only audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from kartoteka.accounts import service as accounts
from kartoteka.accounts.secrets import digest
from kartoteka.accounts.sessions import MAX_FAILED_LOGINS, session_of, sign_in, sign_out
from kartoteka.accounts.tables import api_tokens, sessions, users
from kartoteka.accounts.types import Role
from kartoteka.audit import service as audit
from kartoteka.core.errors import KartotekaError

PASSWORD = "correct horse battery staple"
BY = "os:tester"


def _admin(store):  # type: ignore[no-untyped-def]
    return accounts.add_user(store, "root", "admin", PASSWORD, by=BY)


def test_the_first_account_must_be_an_admin_and_passwords_are_argon2_hashes(store):
    with pytest.raises(KartotekaError) as refused:
        accounts.add_user(store, "ana", "family", PASSWORD, by=BY)
    assert refused.value.code == "accounts.first_admin"
    admin = _admin(store)
    assert admin.role == Role.ADMIN
    with pytest.raises(KartotekaError) as short:
        accounts.add_user(store, "ana", "family", "short", by=BY)
    assert short.value.code == "accounts.password"
    with pytest.raises(KartotekaError) as twice:
        accounts.add_user(store, "root", "reviewer", PASSWORD, by=BY)
    assert twice.value.code == "accounts.exists"
    with pytest.raises(KartotekaError) as role:
        accounts.add_user(store, "ana", "public", PASSWORD, by=BY)
    assert role.value.code == "accounts.role"
    with store.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.name == "root")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_token_is_hashed_at_rest_scoped_to_a_role_and_revocable(store):
    _admin(store)
    accounts.add_user(store, "rev", "reviewer", PASSWORD, by=BY)
    token_id, token = accounts.make_token(store, "rev", role="researcher", by=BY)
    with store.engine.connect() as conn:
        kept = conn.execute(select(api_tokens.c.token_hash)).scalars().all()
    assert token not in kept and digest(token) in kept
    user = accounts.token_user(store, token)
    assert user is not None and user.name == "rev" and user.role == Role.RESEARCHER
    assert accounts.token_user(store, token + "x") is None
    with pytest.raises(KartotekaError) as wider:
        accounts.make_token(store, "rev", role="admin", by=BY)
    assert wider.value.code == "accounts.role"
    accounts.revoke_token(store, token_id, by=BY)
    assert accounts.token_user(store, token) is None
    _, expiring = accounts.make_token(store, "rev", days=1, by=BY)
    with store.engine.begin() as conn:
        conn.execute(update(api_tokens).where(api_tokens.c.token_hash == digest(expiring))
                     .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert accounts.token_user(store, expiring) is None


def test_a_session_is_kept_server_side_hashed_and_ends(store):
    _admin(store)
    signed = sign_in(store, "root", PASSWORD, client="10.0.0.1")
    with store.engine.connect() as conn:
        kept = conn.execute(select(sessions.c.id_hash, sessions.c.client)).all()
    assert [(digest(signed.session_id), "10.0.0.1")] == [tuple(r) for r in kept]
    found = session_of(store, signed.session_id)
    assert found is not None and found.user.role == Role.ADMIN and found.csrf_token == signed.session.csrf_token
    sign_out(store, signed.session_id, client="10.0.0.1")
    assert session_of(store, signed.session_id) is None


def _expire(store, session_id: str) -> None:  # type: ignore[no-untyped-def]
    with store.engine.begin() as conn:
        conn.execute(update(sessions).where(sessions.c.id_hash == digest(session_id))
                     .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))


def _kept_sessions(store) -> set[str]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return set(conn.execute(select(sessions.c.id_hash)).scalars())


def test_ended_and_expired_sessions_are_refused_then_removed_at_sign_in_and_by_the_command(store, store_url,
                                                                                           capsys):
    from tests.ingest.test_cli import run

    _admin(store)
    accounts.add_user(store, "ana", "family", PASSWORD, by=BY)
    ended, expired = sign_in(store, "root", PASSWORD, client=None), sign_in(store, "root", PASSWORD, client=None)
    theirs, their_expired = sign_in(store, "ana", PASSWORD, client=None), sign_in(store, "ana", PASSWORD, client=None)
    sign_out(store, ended.session_id, client=None)
    _expire(store, expired.session_id)
    _expire(store, their_expired.session_id)
    assert session_of(store, expired.session_id) is None and session_of(store, ended.session_id) is None
    assert session_of(store, theirs.session_id) is not None
    assert len(_kept_sessions(store)) == 4  # refused, but still there
    again = sign_in(store, "root", PASSWORD, client=None)  # root's dead sessions go; ana's stay for now
    assert _kept_sessions(store) == {digest(again.session_id), digest(theirs.session_id),
                                     digest(their_expired.session_id)}
    code, out, _ = run(capsys, "--database", store_url, "user", "prune-sessions")
    assert code == 0 and out.strip() == "removed 1 ended or expired session"
    assert _kept_sessions(store) == {digest(again.session_id), digest(theirs.session_id)}
    assert session_of(store, again.session_id) is not None and session_of(store, theirs.session_id) is not None
    code, out, _ = run(capsys, "--database", store_url, "user", "prune-sessions")
    assert code == 0 and out.strip() == "removed 0 ended or expired sessions"


def test_repeated_wrong_passwords_lock_the_account_until_an_admin_lifts_it(store):
    _admin(store)
    accounts.add_user(store, "ana", "family", PASSWORD, by=BY)
    with pytest.raises(KartotekaError) as unknown:
        sign_in(store, "nobody", PASSWORD, client="10.0.0.2")
    assert unknown.value.code == "auth.failed"
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(KartotekaError) as wrong:
            sign_in(store, "ana", "not the password at all", client="10.0.0.2")
        assert wrong.value.code == "auth.failed"
    with pytest.raises(KartotekaError) as locked:
        sign_in(store, "ana", PASSWORD, client="10.0.0.2")  # the right password, but locked
    assert locked.value.code == "auth.locked"
    assert [a.locked_until is not None for a in accounts.users_list(store) if a.name == "ana"] == [True]
    accounts.grant_role(store, "ana", "family", by=BY)
    assert sign_in(store, "ana", PASSWORD, client="10.0.0.2").session.user.name == "ana"
    actions = [e.action for e in audit.entries(store, who="ana")]
    assert actions.count("login_failed") == MAX_FAILED_LOGINS + 1 and "lockout" in actions and "login" in actions
    assert all(e.client == "10.0.0.2" for e in audit.entries(store, who="ana"))


def test_a_revoked_account_loses_its_sessions_and_tokens(store):
    _admin(store)
    accounts.add_user(store, "res", "researcher", PASSWORD, by=BY)
    signed = sign_in(store, "res", PASSWORD, client=None)
    _, token = accounts.make_token(store, "res", by=BY)
    accounts.revoke_user(store, "res", by=BY)
    assert session_of(store, signed.session_id) is None and accounts.token_user(store, token) is None
    with pytest.raises(KartotekaError):
        sign_in(store, "res", PASSWORD, client=None)


def test_a_granted_request_opens_one_person_to_a_family_member(store):
    _admin(store)
    family = accounts.add_user(store, "ana", "family", PASSWORD, by=BY)
    accounts.grant_person(store, "ana", 42, by=BY, reason="daughter; koseki seen")
    viewer = accounts.viewer_for(store, family)
    assert viewer.opens(42) and not viewer.opens(43)
    assert not accounts.viewer_for(store, None).opens(42)
    grants = audit.entries(store, action="grant")
    assert grants[0].target == "person 42" and grants[0].who == BY and grants[0].detail["user"] == "ana"


def test_the_audit_log_is_append_only_in_the_database(store):
    entry = audit.record(store, "export", who=BY, target="persons.csv", client=audit.CLI_CLIENT)
    for statement in ("UPDATE audit_log SET who = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(Exception) as refused, store.engine.begin() as conn:
            conn.execute(text(statement))
        assert "append-only" in str(refused.value)
    if store.backend == "postgresql":
        with pytest.raises(Exception) as truncated, store.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
        assert "append-only" in str(truncated.value)
    assert [e.id for e in audit.entries(store)] == [entry]
    assert audit.entries(store)[0].who == BY


def test_since_reads_dates_and_spans():
    assert audit.parse_since("2026-12-01") == datetime(2026, 12, 1, tzinfo=UTC)
    assert datetime.now(UTC) - audit.parse_since("24h") - timedelta(hours=24) < timedelta(seconds=5)
    with pytest.raises(KartotekaError) as bad:
        audit.parse_since("last tuesday")
    assert bad.value.code == "usage.since"


def test_a_request_is_checked_dated_decided_once_and_opens_only_its_person(store):
    from kartoteka.accounts import requests

    _admin(store)
    family = accounts.add_user(store, "ana", "family", None, by=BY)
    reviewer = accounts.add_user(store, "rev", "reviewer", None, by=BY)
    pdf = b"%PDF-1.7\n" + b"x" * 100
    for proof, problem in ((b"", "empty"), (b"GIF89a", "not a PDF"),
                           (b"%PDF-" + b"x" * requests.MAX_PROOF_BYTES, "larger than")):
        with pytest.raises(KartotekaError) as bad:
            requests.submit(store, family, 7, requester="Ana", relationship="daughter", proof_name="p",
                            proof=proof, client=None)
        assert bad.value.code == "requests.proof" and problem in bad.value.message
    with pytest.raises(KartotekaError) as blank:
        requests.submit(store, family, 7, requester=" ", relationship="daughter", proof_name="p", proof=pdf,
                        client=None)
    assert blank.value.code == "requests.invalid"
    asked = requests.submit(store, family, 7, requester="Ana", relationship="daughter", proof_name="k.pdf",
                            proof=pdf, client="10.0.0.3")
    assert not accounts.viewer_for(store, family).opens(7)
    with pytest.raises(KartotekaError):
        requests.decide(store, asked, grant=False, reason="", by=reviewer, client=None)  # a reason is needed
    decided = requests.decide(store, asked, grant=True, reason="register matches", by=reviewer, client=None)
    assert decided.status == "granted" and decided.decided_at and decided.requested_at
    with pytest.raises(KartotekaError) as twice:
        requests.decide(store, asked, grant=False, reason="no", by=reviewer, client=None)
    assert twice.value.code == "requests.decided"
    viewer = accounts.viewer_for(store, family)
    assert viewer.opens(7) and not viewer.opens(8)
    assert requests.proof_of(store, asked) == ("k.pdf", "application/pdf", pdf)
    assert [r.status for r in requests.requests_of(store, family.id)] == ["granted"]
