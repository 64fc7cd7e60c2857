"""Writing notifications in the caller's transaction (the outbox), and what residents and staff
do with them: subscriptions, the staff inbox.

Every ``notify_*`` function flushes rows in the session it is given and writes the delivery job
there too: a change rolled back leaves no message, a committed one always has its message. No
function here is called at import time or through a hook: each flow calls the one it means.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CTE
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.errors import Conflict, Invalid, NotFound
from app.jobs import enqueue, enqueue_for_each, wake_after_commit
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import now
from app.models.application import Application
from app.models.notification import ContentCheck, Notification
from app.models.warning import EarlyWarning
from app.notifications import fanout, fanout_repository, repository
from app.notifications.templates import RESIDENT_EVENTS, STAFF_EVENTS, STATUS_WORDS, templates
from app.regions.jurisdiction import covers, subtree_bounds

SEND_JOB = "notifications:send"
OVERDUE_JOB = "notifications:overdue"
CONTENT_CHECK_JOB = "notifications:content-check"
# Resident-facing events by the application status a transition reaches.
STATUS_EVENTS = {
    "accepted": "application_accepted",
    "rejected": "application_rejected",
    "investigating": "application_investigating",
    "approved": "application_approved",
    "denied": "application_denied",
    "referred": "application_referred",
    "withdrawn": "application_withdrawn",
}
# Who hears of a red warning or an overdue application in their area.
DISPATCH_ROLES = ("street_officer", "district_officer")
TRIAGE_ROLES = ("community_worker", "social_worker", "street_officer")


async def notify(
    session: AsyncSession,
    event: str,
    *,
    recipient_kind: str,
    recipient_id: int,
    record_type: str,
    record_id: int,
    data: dict[str, Any] | None = None,
    key: str,
) -> int | None:
    """Write one message in the session's transaction: a resident's is delivered by a
    ``notifications:send`` job (WeChat), a staff member's is in their inbox at once. Returns
    its id, or None when a message with ``key`` exists already (notify twice, sent once)."""
    if recipient_kind == "resident":
        title = RESIDENT_EVENTS[event]
        status = "pending"
    elif recipient_kind == "staff":
        title = STAFF_EVENTS[event]
        status = "inbox"
    else:
        raise ValueError(f"unknown recipient kind {recipient_kind}")
    at = now()
    notification_id = await repository.insert_notification(
        session,
        {
            "recipient_kind": recipient_kind,
            "recipient_id": recipient_id,
            "event": event,
            "title": title,
            "record_type": record_type,
            "record_id": record_id,
            "data": data or {},
            "key": key[:255],
            "status": status,
            "attempts": 0,
            "created_at": at,
            "updated_at": at,
        },
    )
    if notification_id is not None and status == "pending":
        await enqueue(
            session,
            SEND_JOB,
            {"id": notification_id},
            key=f"{SEND_JOB}:{notification_id}",
            max_attempts=get_settings().notify_max_attempts,
        )
    return notification_id


async def application_status(
    session: AsyncSession, application: Application, public_note: str = ""
) -> int | None:
    """Tell the resident who asked for help that her application reached its current status
    (nothing for applications an agency or a worker entered, or for statuses not told)."""
    event = STATUS_EVENTS.get(application.status)
    if event is None or application.resident_id is None:
        return None
    return await notify(
        session,
        event,
        recipient_kind="resident",
        recipient_id=application.resident_id,
        record_type="application",
        record_id=application.id,
        data={
            "reference": application.reference,
            "status": STATUS_WORDS[event],
            "note": public_note or RESIDENT_EVENTS[event],
            "at": now().isoformat(),
        },
        key=f"{event}:application:{application.id}",
    )


async def case_assigned(session: AsyncSession, application: Application) -> int | None:
    """Tell the new assignee a case landed on them."""
    if application.assignee_id is None:
        return None
    return await _to_staff(
        session, "case_assigned", application.assignee_id, "application", application.id
    )


async def warning_assigned(session: AsyncSession, warning: EarlyWarning) -> int | None:
    """Tell the worker a warning was dispatched to them for verification."""
    if warning.assignee_id is None:
        return None
    return await _to_staff(session, "warning_assigned", warning.assignee_id, "warning", warning.id)


async def visits_assigned(
    session: AsyncSession, household_ids: list[int], assignee_id: int | None
) -> int:
    """Tell the worker which households they now visit: one inbox message per household, in
    one statement."""
    if assignee_id is None or not household_ids:
        return 0
    at = now()
    await repository.insert_inbox_rows(
        session,
        [
            {
                "recipient_kind": "staff",
                "recipient_id": assignee_id,
                "event": "visit_assigned",
                "title": STAFF_EVENTS["visit_assigned"],
                "record_type": "household",
                "record_id": household_id,
                "data": {},
                "key": f"visit_assigned:household:{household_id}:{assignee_id}:{at.isoformat()}",
                "status": "inbox",
                "attempts": 0,
                "created_at": at,
                "updated_at": at,
            }
            for household_id in household_ids
        ],
    )
    return len(household_ids)


async def red_warnings_of_scan(session: AsyncSession, scan_id: int) -> int:
    """Tell the street and district officers covering each red warning a scan opened."""
    return await fanout_repository.inbox_for_red_warnings_of_scan(
        session, scan_id=scan_id, title=STAFF_EVENTS["red_warning"], roles=DISPATCH_ROLES, at=now()
    )


async def red_warning(session: AsyncSession, warning: EarlyWarning) -> int:
    """Tell every street and district officer covering a red warning's region that it opened."""
    if warning.level != "red":
        return 0
    return await fanout_repository.inbox_for_covering_staff(
        session,
        event="red_warning",
        title=STAFF_EVENTS["red_warning"],
        record_type="warning",
        record_id=warning.id,
        region_code=warning.region_code,
        roles=DISPATCH_ROLES,
        at=now(),
    )


async def overdue(session: AsyncSession, at: datetime | None = None) -> int:
    """Inbox messages for items whose time limit is about to pass or has passed, once each
    (the periodic job)."""
    return await fanout.notify_overdue(
        session,
        at=at or now(),
        due_soon=timedelta(hours=get_settings().notify_due_soon_hours),
        triage_roles=TRIAGE_ROLES,
        titles=STAFF_EVENTS,
    )


async def _to_staff(
    session: AsyncSession, event: str, staff_id: int, record_type: str, record_id: int
) -> int | None:
    # The time keeps a second assignment of the same record to the same worker its own message.
    return await notify(
        session,
        event,
        recipient_kind="staff",
        recipient_id=staff_id,
        record_type=record_type,
        record_id=record_id,
        key=f"{event}:{record_type}:{record_id}:{staff_id}:{now().isoformat()}",
    )


CONTENT_CHECK_ATTEMPTS = 6
# The bind parameters of content_check_ctes.
_CHECK_PREFIX = "cc_"


async def check_content(
    session: AsyncSession, record_type: str, record_id: int, field: str, region_code: str
) -> None:
    """Queue WeChat's content check of a public text (after the submission, never blocking it):
    until it passes, staff see the text flagged for review."""
    check_id = await repository.insert_content_check(
        session,
        {
            "record_type": record_type,
            "record_id": record_id,
            "field": field,
            "region_code": region_code,
            "status": "pending",
            "created_at": now(),
            "updated_at": now(),
        },
    )
    if check_id is not None:
        await enqueue(
            session,
            CONTENT_CHECK_JOB,
            {"id": check_id},
            key=f"{CONTENT_CHECK_JOB}:{check_id}",
            max_attempts=CONTENT_CHECK_ATTEMPTS,
        )


async def check_application_text(session: AsyncSession, application: Application) -> None:
    """Queue the content check of an application's description (a job after the submission)."""
    if application_text_needs_check(application.description):
        await check_content(
            session, "application", application.id, "description", application.region_code
        )


def content_check_ctes() -> list[CTE]:
    """:func:`check_content` as two data-modifying CTEs for a hot path to add to its own
    statement (PostgreSQL): the ``content_checks`` row and its job (same key, same attempts).
    Their parameters come from :func:`content_check_params`; after running the statement, call
    :func:`content_check_queued`."""
    check = repository.content_check_insert(_CHECK_PREFIX).cte("new_content_check")
    job = enqueue_for_each(
        check,
        CONTENT_CHECK_JOB,
        max_attempts=CONTENT_CHECK_ATTEMPTS,
        at_param=f"{_CHECK_PREFIX}at",
    ).cte("new_content_check_job")
    return [check, job]


def content_check_params(
    record_type: str, record_id: int, field: str, region_code: str, at: datetime
) -> dict[str, Any]:
    """The parameters of :func:`content_check_ctes` for one text."""
    return {
        f"{_CHECK_PREFIX}record_type": record_type,
        f"{_CHECK_PREFIX}record_id": record_id,
        f"{_CHECK_PREFIX}field": field,
        f"{_CHECK_PREFIX}region_code": region_code,
        f"{_CHECK_PREFIX}status": "pending",
        f"{_CHECK_PREFIX}at": at,
    }


def application_text_needs_check(description: str) -> bool:
    """Whether an application's description gets a content check (as
    :func:`check_application_text` decides)."""
    return bool(description.strip())


def content_check_queued(session: AsyncSession) -> None:
    """After a statement with :func:`content_check_ctes` ran in the session: the job runner
    starts the check as soon as the transaction commits."""
    wake_after_commit(session)


async def content_status(session: AsyncSession, record_type: str, record_id: int) -> str | None:
    """The content check's verdict on a record's public text, None when none was made."""
    checks = await repository.content_checks_of(session, record_type, [record_id])
    check = checks.get(record_id)
    return None if check is None else check.status


async def held_texts(
    session: AsyncSession, actor: Actor, before_id: int | None, limit: int
) -> list[ContentCheck]:
    """Texts held for review in the actor's jurisdiction, newest first."""
    assert actor.region_code is not None
    low, high = subtree_bounds(actor.region_code)
    return list(await session.scalars(repository.held_checks(low, high, before_id, limit)))


async def clear_held_text(
    session: AsyncSession, actor: Actor, check_id: int, note: str
) -> ContentCheck:
    """A reviewer has read a held text and finds nothing wrong: it is shown as any other from
    now on. Audited with the reviewer's note."""
    assert actor.id is not None and actor.region_code is not None
    check = await repository.content_check(session, check_id)
    if check is None or not covers(actor.region_code, check.region_code):
        raise NotFound("待审核内容不存在或不在本人辖区", code="content_hold_not_found")
    cleared = await repository.clear_check(session, check_id, actor.id, now())
    if cleared is None:
        raise Conflict("该内容不在待审核状态", code="content_not_held")
    await audit.record(
        session,
        actor,
        "content.cleared",
        check.record_type,
        check.record_id,
        {"check_id": check_id, "field": check.field, "note": note},
    )
    return cleared


# -- residents' subscriptions ---------------------------------------------------------------


def subscription_templates() -> list[dict[str, str]]:
    """The templates the mini program asks residents to accept (``wx.requestSubscribeMessage``)."""
    return [
        {"event": t.event, "template_id": t.template_id, "title": t.title}
        for t in templates(get_settings()).values()
    ]


async def accept_subscriptions(session: AsyncSession, actor: Actor, accepted: list[str]) -> None:
    """Record one-time subscriptions the resident accepted: one message each."""
    assert actor.id is not None
    known = {t.template_id for t in templates(get_settings()).values()}
    unknown = sorted(set(accepted) - known)
    if unknown:
        raise Invalid("未知的订阅消息模板", code="unknown_template", extra={"unknown": unknown})
    await repository.add_subscriptions(session, actor.id, Counter(accepted))


# -- the staff inbox ----------------------------------------------------------------------------


async def inbox_page(
    session: AsyncSession, actor: Actor, *, unread: bool, before_id: int | None, limit: int
) -> tuple[list[Notification], int]:
    assert actor.id is not None
    rows = await repository.inbox(
        session, actor.id, unread=unread, before_id=before_id, limit=limit + 1
    )
    return rows, await repository.unread_count(session, actor.id)


async def mark_read(session: AsyncSession, actor: Actor, notification_id: int) -> None:
    assert actor.id is not None
    if not await repository.mark_read(session, actor.id, notification_id, now()):
        raise NotFound("消息不存在", code="notification_not_found")


async def mark_all_read(session: AsyncSession, actor: Actor) -> int:
    assert actor.id is not None
    return await repository.mark_all_read(session, actor.id, now())
