"""Jobs: delivering a resident's message through WeChat, the overdue sweep, content checks.

Delivery is at least once and never twice after a success was recorded: the checks before the
call commit in a short transaction of their own (nothing is held while WeChat answers, and
SQLite's one write lock stays free for the shared token), and the outcome commits with the
job's done mark; a retry reads the recorded status first. A message is sent only while the
resident holds an unused one-time subscription to its template: one is taken before the call
and given back if the call fails. The window that remains is a worker killed after WeChat
accepted a message and before the record committed: that message goes again (WeChat has no
idempotency key); the fault test shows it is at most the jobs the killed worker held.
"""

from __future__ import annotations

from typing import Any

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import WeChatMode, get_settings
from app.db.session import session_scope
from app.jobs import ParkJob
from app.kit.timeutil import now
from app.models.account import Resident
from app.notifications import repository, service
from app.notifications.templates import page_for, render, templates
from app.notifications.wechat import (
    NO_SUBSCRIPTION,
    TOKEN_REJECTED,
    WeChatApi,
    WeChatDown,
    WeChatRefused,
)

log = structlog.get_logger()

# One client per process: connections to WeChat are kept alive between messages.
_http: httpx.AsyncClient | None = None


def api() -> WeChatApi:
    global _http
    if _http is None:
        _http = httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=20))
    return WeChatApi(get_settings(), _http)


async def close_http() -> None:
    global _http
    if _http is not None:
        await _http.aclose()
    _http = None


async def send(session: AsyncSession, payload: dict[str, Any]) -> None:
    """``notifications:send``: deliver one outbox message (``{"id"}``)."""
    notification_id = int(payload["id"])
    settings = get_settings()
    async with session_scope() as step:
        notification = await repository.get_for_update(step, notification_id)
        if notification is None:
            raise ParkJob("消息记录不存在")
        if notification.status != "pending":
            return  # sent or settled before: never twice
        template = templates(settings).get(notification.event)
        if template is None:
            await repository.mark(step, notification_id, status="skipped", last_error="未配置模板")
            return
        openid = await step.scalar(
            select(Resident.openid).where(Resident.id == notification.recipient_id)
        )
        if openid is None:
            await repository.mark(step, notification_id, status="skipped", last_error="用户不存在")
            return
        if not await repository.take_subscription(
            step, notification.recipient_id, template.template_id
        ):
            await repository.mark(
                step, notification_id, status="skipped", last_error="用户未订阅此消息"
            )
            return
        notification.attempts += 1
        message = {
            "touser": openid,
            "template_id": template.template_id,
            "page": page_for(template, notification.record_id),
            "data": render(template, notification.data),
            "miniprogram_state": settings.wechat_miniprogram_state,
            "lang": "zh_CN",
        }
        resident_id = notification.recipient_id
    try:
        if settings.wechat_mode == WeChatMode.fake:
            outcome = "fake"
        else:
            outcome = await _deliver(message)
    except BaseException:
        async with session_scope() as step:
            await repository.give_back_subscription(step, resident_id, template.template_id)
        raise
    # The outcome commits with the job's done mark, atomically: a retry reads it first.
    if outcome == "unsubscribed":
        # 43101: WeChat says the user holds no subscription; no retry would change that.
        await repository.clear_subscription(session, resident_id, template.template_id)
        await repository.mark(
            session, notification_id, status="skipped", last_error="微信：用户未订阅（43101）"
        )
        return
    if outcome == "fake":
        await repository.record_fake(
            session,
            {
                "openid": message["touser"],
                "template_id": message["template_id"],
                "page": message["page"],
                "data": message["data"],
                "sent_at": now(),
            },
        )
    await repository.mark(session, notification_id, status="sent", sent_at=now(), last_error=None)


async def _deliver(message: dict[str, Any]) -> str:
    """Send through WeChat: "sent", or "unsubscribed" (43101). A rejected access token is
    refreshed once and the send tried again; other errors raise for the job's retry."""
    wechat = api()
    token = await wechat.access_token()
    for attempt in (1, 2):
        try:
            await wechat.send_subscribe(token, message)
            return "sent"
        except WeChatRefused as exc:
            if exc.errcode == NO_SUBSCRIPTION:
                return "unsubscribed"
            if exc.errcode in TOKEN_REJECTED and attempt == 1:
                log.warning("wechat_token_rejected", errcode=exc.errcode)
                token = await wechat.access_token(rejected=token)
                continue
            raise
    raise WeChatDown("unreachable")  # pragma: no cover - the loop returns or raises


async def overdue(session: AsyncSession, payload: dict[str, Any]) -> None:
    """``notifications:overdue`` (periodic): inbox messages for items past their time limit."""
    log.info("overdue_notified", rows=await service.overdue(session))


# -- content checks -------------------------------------------------------------------------


async def content_check(session: AsyncSession, payload: dict[str, Any]) -> None:
    """``notifications:content-check``: WeChat's content check (msgSecCheck v2) of a text the
    public wrote, recorded as ``pass``, or ``risky``/``review``, which hold the text for staff
    review. Never rejects anything; WeChat down raises and the job retries later."""
    check_id = int(payload["id"])
    if session.get_bind().dialect.name == "sqlite":
        # Read in a short transaction of its own, the job's session is written last: the
        # token below may take SQLite's one write lock meanwhile.
        async with session_scope() as step:
            check = await repository.check_with_text(step, check_id)  # one statement
    else:
        # PostgreSQL locks rows, not the database, and a read takes none: the job's own
        # transaction reads too (two round trips fewer than a transaction of its own).
        check = await repository.check_with_text(session, check_id)
    if check is None:
        raise ParkJob("内容审核记录不存在")
    status, found = check
    if status != "pending":
        return
    if found is None:
        raise ParkJob("待审核的记录不存在")
    content, openid = found
    if not content.strip() or get_settings().wechat_mode == WeChatMode.fake or not openid:
        # Fake mode checks nothing; a text with no WeChat user behind it (an agency's, a
        # worker's) is not WeChat's to check and staff read it anyway.
        verdict, label, trace_id = "pass", None, None
    else:
        wechat = api()
        token = await wechat.access_token()
        try:
            result = await wechat.msg_sec_check(token, openid=openid, content=content[:2500])
        except WeChatRefused as exc:
            if exc.errcode not in TOKEN_REJECTED:
                raise
            token = await wechat.access_token(rejected=token)
            result = await wechat.msg_sec_check(token, openid=openid, content=content[:2500])
        verdict, label, trace_id = result.suggest, result.label, result.trace_id
    await repository.record_check(
        session, check_id, status=verdict, label=label, trace_id=trace_id, checked_at=now()
    )
