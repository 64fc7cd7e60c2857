from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import BigId, IdMixin, Model, TimestampMixin


class Staff(IdMixin, TimestampMixin, Model):
    """A staff account: community, station, street, district, auditor or admin."""

    __tablename__ = "staff"
    __table_args__ = (Index("ix_staff_wechat_openid", "wechat_openid", unique=True),)

    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("regions.code"), index=True)
    display_name: Mapped[str] = mapped_column(String(50), default="")
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # The mini program openid the staff member bound with username and password: signs them
    # in with ``wx.login`` afterwards (``POST /auth/staff/wechat/login``).
    wechat_openid: Mapped[str | None] = mapped_column(String(128))


class Resident(IdMixin, TimestampMixin, Model):
    """A mini program user, created on first WeChat login."""

    __tablename__ = "residents"

    openid: Mapped[str] = mapped_column(String(128), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(128), index=True)
    # The WeChat session key, encrypted; it never leaves the server.
    session_key_enc: Mapped[str | None] = mapped_column(Text)
    last_login_at: Mapped[datetime | None]


class Agency(IdMixin, TimestampMixin, Model):
    """A third-party service agency or social organisation calling with an API key."""

    __tablename__ = "agencies"

    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("regions.code"))
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(default=True)
    key_issued_at: Mapped[datetime | None]
    # A revoked key stays on record (its hash) so a call with it is a plain 401.
    key_revoked_at: Mapped[datetime | None]


class RefreshToken(IdMixin, Model):
    """A refresh token, stored hashed; rotated on use, its family revoked on reuse."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_subject", "subject_kind", "subject_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(BigId)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # When it was rotated, and the pair it was rotated into, encrypted under the data key:
    # presented again within the grace period it answers that same pair (a retried request
    # whose answer was lost). Cleared once the grace period is over.
    used_at: Mapped[datetime | None]
    replaced_pair_enc: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None]


class LoginFailure(IdMixin, Model):
    """A failed staff login, counted per (username, client address) pair and per client
    address for throttling."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_client_at", "username", "client", "at"),
        Index("ix_login_failures_client_at", "client", "at"),
    )

    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
