from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import BigId, IdMixin, Model, TimestampMixin, utcnow

# pending: waiting for its delivery job; sent: WeChat took it (or fake mode recorded it);
# skipped: not sent and never will be (no subscription, no template, 43101); inbox: a staff
# notification, delivered by being written.
NOTIFICATION_STATUSES = ("pending", "sent", "skipped", "inbox")


class Notification(IdMixin, TimestampMixin, Model):
    """A message to a resident (WeChat subscribe message) or a staff member (inbox), written in
    the transaction of the change it tells about: the outbox (消息发件箱)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("key"),
        CheckConstraint("status IN ('pending', 'sent', 'skipped', 'inbox')", name="status_known"),
        CheckConstraint("recipient_kind IN ('resident', 'staff')", name="recipient_known"),
        Index("ix_notifications_recipient", "recipient_kind", "recipient_id", "id"),
    )

    recipient_kind: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[int] = mapped_column(BigId)
    event: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    record_type: Mapped[str] = mapped_column(String(24))
    record_id: Mapped[int] = mapped_column(BigId)
    # The template's values by name (reference, status, note, at): ids and words, never an ID
    # number, a phone or a name.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # One message per cause: a second notify with the same key is a no-op.
    key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    read_at: Mapped[datetime | None]


class WeChatSubscription(Model):
    """One-time subscriptions a resident accepted in the mini program, per template: each
    accepted prompt allows one message; a send uses one up."""

    __tablename__ = "wechat_subscriptions"

    resident_id: Mapped[int] = mapped_column(BigId, ForeignKey("residents.id"), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    remaining: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WeChatAccessToken(Model):
    """The one access token every process shares, per app id, refreshed under a row lock."""

    __tablename__ = "wechat_access_tokens"

    appid: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Encrypted like personal data: it lets anyone act as the mini program for two hours.
    token_enc: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    refreshed_at: Mapped[datetime | None]
    refreshes: Mapped[int] = mapped_column(default=0)


class FakeWeChatMessage(IdMixin, Model):
    """What fake mode (dev and test only) would have sent to WeChat."""

    __tablename__ = "wechat_fake_messages"

    openid: Mapped[str] = mapped_column(String(128))
    template_id: Mapped[str] = mapped_column(String(64))
    page: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


CONTENT_CHECK_STATUSES = ("pending", "pass", "risky", "review", "cleared")


class ContentCheck(IdMixin, TimestampMixin, Model):
    """WeChat's content check (msgSecCheck v2) of a text the public wrote: run as a job after
    the submission, never blocking it; a ``risky`` text waits for staff review and is never
    rejected."""

    __tablename__ = "content_checks"
    __table_args__ = (
        UniqueConstraint("record_type", "record_id", "field"),
        CheckConstraint(
            "status IN ('pending', 'pass', 'risky', 'review', 'cleared')", name="status_known"
        ),
        Index("ix_content_checks_status", "status", "id"),
    )

    record_type: Mapped[str] = mapped_column(String(24))
    record_id: Mapped[int] = mapped_column(BigId)
    field: Mapped[str] = mapped_column(String(24))
    region_code: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    label: Mapped[int | None]
    trace_id: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime | None]
