"""Passwords (argon2id), and the random secrets of sessions and tokens (stored as their SHA-256 only)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kartoteka.core.errors import KartotekaError

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
TOKEN_PREFIX = "kt_"
# argon2id at OWASP's recommended minimum (t=2, m=19 MiB, p=1): about 50 ms on one idle core, so that a
# worker answers many logins a second; a stored hash made with other parameters is re-hashed at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the account does not exist, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("kartoteka: no such account")


def check_password_rules(password: str) -> None:
    """Refuse a password too short or too long for an account (raises "accounts.password")."""
    if len(password) < MIN_PASSWORD:
        raise KartotekaError("accounts.password", f"a password needs at least {MIN_PASSWORD} characters",
                             hint="use a passphrase of several words")
    if len(password) > MAX_PASSWORD:
        raise KartotekaError("accounts.password", f"a password may have at most {MAX_PASSWORD} characters")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored argon2 hash (None: no password; compared against a dummy)."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password[:MAX_PASSWORD]) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def new_secret(prefix: str = "") -> str:
    """A random secret (256 bits, URL-safe): a session id, a CSRF token, an API token."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the store keeps of a session id or a token: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return bool(a) and bool(b) and hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
