"""Request and response shapes of the notifications endpoints."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.kit.schemas import InputSchema, LocalDateTime, Page, Schema


class SubscriptionTemplate(Schema):
    event: str
    template_id: str
    title: str


class SubscriptionsIn(InputSchema):
    """Template ids the resident accepted in ``wx.requestSubscribeMessage`` (one message each)."""

    accepted: list[str] = Field(max_length=20)


class StaffNotification(Schema):
    id: int
    kind: str = Field(validation_alias="event")
    title: str
    record_type: str
    record_id: int
    read_at: LocalDateTime | None
    created_at: LocalDateTime


class Inbox(Page[StaffNotification]):
    unread: int


class FakeSent(Schema):
    openid: str
    template_id: str
    page: str
    data: dict[str, Any]
    sent_at: LocalDateTime


class ClearHoldIn(InputSchema):
    # Why the reviewer finds nothing wrong (kept in the audit log).
    note: str = Field(min_length=2, max_length=500)


class ContentHold(Schema):
    id: int
    record_type: str
    record_id: int
    field: str
    status: str
    label: int | None
    checked_at: LocalDateTime | None
    reviewed_by_id: int | None = None
    reviewed_at: LocalDateTime | None = None
