"""Password hashing (argon2), JWT access tokens (HS256 pinned) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from calendar import timegm
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from jose import JWTError, jwt

from app.config import get_settings
from app.errors import Unauthorized
from app.kit.timeutil import now

ALGORITHM = "HS256"
_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("jiuzhu-timing-equaliser")
# A token that never expires is refused, not trusted forever.
_REQUIRED_CLAIMS = {"require_exp": True, "require_iat": True}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def create_access_token(subject_kind: str, subject_id: int, role: str) -> tuple[str, int]:
    settings = get_settings()
    lifetime = settings.access_token_minutes * 60
    issued = now()
    claims = {
        "sub": f"{subject_kind}:{subject_id}",
        "role": role,
        "typ": "access",
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=lifetime)).timestamp()),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM), lifetime


# Tokens whose signature and claims were verified, with the times that still decide: the
# signature (an HMAC, most of a decode's cost) and the claims never change, so a token seen
# again is only checked against the clock, as jose checks it (whole seconds, no leeway).
# Keyed by the secret too, so that a new secret verifies everything afresh.
_VERIFIED: dict[tuple[str, str], tuple[tuple[str, int, str], int, int | None]] = {}
_VERIFIED_MAX = 4096


def _clock() -> int:
    return timegm(datetime.now(UTC).utctimetuple())


def decode_access_token(token: str) -> tuple[str, int, str]:
    """``(kind, id, role)``; anything forged, expired, not HS256, without ``exp`` or ``iat``,
    or not typed as an access token is a 401."""
    secret = get_settings().secret_key
    seen = _VERIFIED.get((secret, token))
    if seen is not None:
        identity, exp, nbf = seen
        clock = _clock()
        if exp >= clock and (nbf is None or nbf <= clock):
            return identity
        _VERIFIED.pop((secret, token), None)
    identity, exp, nbf = _verify(token, secret)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.pop(next(iter(_VERIFIED)))  # the oldest
    _VERIFIED[(secret, token)] = (identity, exp, nbf)
    return identity


def _verify(token: str, secret: str) -> tuple[tuple[str, int, str], int, int | None]:
    """The full check of :func:`decode_access_token`: the identity, ``exp`` and ``nbf``."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options=dict(_REQUIRED_CLAIMS)
        )
    except (JWTError, TypeError, ValueError) as exc:
        # TypeError: jose checks `int(claims["exp"])` and lets a null or a list through as one.
        raise Unauthorized("登录已失效，请重新登录", code="invalid_token") from exc
    sub = claims.get("sub")
    role = claims.get("role")
    if claims.get("typ") != "access" or not isinstance(sub, str) or not isinstance(role, str):
        raise Unauthorized("登录已失效，请重新登录", code="invalid_token")
    kind, _, raw_id = sub.partition(":")
    if kind not in {"staff", "resident"} or not raw_id.isdigit():
        raise Unauthorized("登录已失效，请重新登录", code="invalid_token")
    nbf = claims.get("nbf")
    # jose checked that exp (required) and any nbf are integers (int() of them did not fail).
    return (kind, int(raw_id), role), int(claims["exp"]), None if nbf is None else int(nbf)


def new_opaque_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(token: str) -> str:
    """SHA-256 of a high-entropy random token (refresh tokens, API keys)."""
    return hashlib.sha256(token.encode()).hexdigest()
