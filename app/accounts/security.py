"""Password hashing (argon2), JWT access tokens (HS256 pinned) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
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


def decode_access_token(token: str) -> tuple[str, int, str]:
    """``(kind, id, role)``; anything forged, expired, not HS256, without ``exp`` or ``iat``,
    or not typed as an access token is a 401."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token, get_settings().secret_key, algorithms=[ALGORITHM], options=_REQUIRED_CLAIMS
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
    return kind, int(raw_id), role


def new_opaque_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(token: str) -> str:
    """SHA-256 of a high-entropy random token (refresh tokens, API keys)."""
    return hashlib.sha256(token.encode()).hexdigest()
