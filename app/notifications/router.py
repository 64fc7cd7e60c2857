"""Residents' subscriptions, the staff inbox, fake mode's record of WeChat messages, and the
texts held for review after WeChat's content check."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from app.accounts.dependencies import (
    CurrentResident,
    CurrentStaff,
    RequireCasesRead,
    RequireCasesTriage,
)
from app.config import WeChatMode, get_settings
from app.db.deps import Session
from app.errors import NotFound
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit, after_id, split_page
from app.kit.params import RecordId
from app.kit.schemas import Page
from app.notifications import repository, service
from app.notifications.schemas import (
    ClearHoldIn,
    ContentHold,
    FakeSent,
    Inbox,
    StaffNotification,
    SubscriptionsIn,
    SubscriptionTemplate,
)

router = APIRouter(tags=["notifications"])


@router.get("/me/subscription-templates", response_model=list[SubscriptionTemplate])
async def subscription_templates(actor: CurrentResident) -> list[SubscriptionTemplate]:
    """The subscribe message templates to ask the resident to accept, one per event."""
    return [SubscriptionTemplate(**t) for t in service.subscription_templates()]


@router.post("/me/subscriptions", status_code=204, response_class=Response)
async def accept_subscriptions(
    body: SubscriptionsIn, actor: CurrentResident, session: Session
) -> Response:
    """Record the one-time subscriptions the resident accepted (one message each)."""
    await service.accept_subscriptions(session, actor, body.accepted)
    return Response(status_code=204)


@router.get("/staff/notifications", response_model=Inbox)
async def inbox(
    actor: CurrentStaff,
    session: Session,
    unread: bool = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Inbox:
    """The caller's inbox, newest first, with the unread count."""
    rows, unread_count = await service.inbox_page(
        session, actor, unread=unread, before_id=after_id(cursor), limit=limit
    )
    page, next_cursor = split_page(rows, limit)
    return Inbox(
        items=[StaffNotification.model_validate(row) for row in page],
        next_cursor=next_cursor,
        unread=unread_count,
    )


@router.post(
    "/staff/notifications/{notification_id}/read", status_code=204, response_class=Response
)
async def mark_read(notification_id: RecordId, actor: CurrentStaff, session: Session) -> Response:
    """Mark one of the caller's notifications read."""
    await service.mark_read(session, actor, notification_id)
    return Response(status_code=204)


@router.post("/staff/notifications/read-all", status_code=204, response_class=Response)
async def mark_all_read(actor: CurrentStaff, session: Session) -> Response:
    """Mark every notification of the caller read."""
    await service.mark_all_read(session, actor)
    return Response(status_code=204)


@router.get("/staff/content-holds", response_model=Page[ContentHold])
async def content_holds(
    actor: RequireCasesRead, session: Session, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[ContentHold]:
    """Public texts WeChat's content check held for review (``risky`` or ``review``), in the
    caller's jurisdiction; the applications themselves go on as usual."""
    rows = await service.held_texts(session, actor, after_id(cursor), limit + 1)
    page, next_cursor = split_page(rows, limit)
    return Page[ContentHold](
        items=[ContentHold.model_validate(r) for r in page], next_cursor=next_cursor
    )


@router.post("/staff/content-holds/{check_id}/clear", response_model=ContentHold)
async def clear_content_hold(
    check_id: RecordId, body: ClearHoldIn, actor: RequireCasesTriage, session: Session
) -> ContentHold:
    """A reviewer clears a held text (nothing wrong in it): it leaves the review list and the
    case shows it as checked. Audited with the note."""
    return ContentHold.model_validate(
        await service.clear_held_text(session, actor, check_id, body.note)
    )


@router.get("/dev/wechat/sent", response_model=Page[FakeSent])
async def fake_sent(
    session: Session,
    openid: str | None = Query(default=None, max_length=128),
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[FakeSent]:
    """Fake mode only (never in production): the subscribe messages that would have gone to
    WeChat, newest first."""
    if get_settings().wechat_mode != WeChatMode.fake:
        raise NotFound("仅在微信模拟模式下可用", code="not_found")
    rows = await repository.fake_messages(
        session, openid=openid, before_id=after_id(cursor), limit=limit + 1
    )
    page, next_cursor = split_page(rows, limit)
    return Page[FakeSent](items=[FakeSent.model_validate(r) for r in page], next_cursor=next_cursor)
