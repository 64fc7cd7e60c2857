"""SQL for notifications: the outbox rows, subscriptions, the staff inbox, content checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from app.models.account import Resident, Staff
from app.models.application import Application, open_text
from app.models.notification import (
    ContentCheck,
    FakeWeChatMessage,
    Notification,
)
from app.models.notification import WeChatSubscription as Subscription


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def insert_notification(session: AsyncSession, values: Mapping[str, Any]) -> int | None:
    """One outbox row; None when its key was already written."""
    stmt = (
        _insert(session)(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Notification.id)
    )
    return await session.scalar(stmt)


async def insert_from_select(session: AsyncSession, select_stmt: Any, columns: list[str]) -> int:
    """Many inbox rows from one SELECT (fan-out to staff), skipping keys already written."""
    stmt = (
        _insert(session)(Notification)
        .from_select(columns, select_stmt)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


def covering_staff(region_column: Any) -> Any:
    """SQL: an active staff member whose jurisdiction covers ``region_column`` (district,
    street or community codes: a district's subtree shares 6 digits, a street's 9)."""
    return and_(
        Staff.active.is_(True),
        or_(
            and_(
                func.substr(Staff.region_code, 7, 6) == "000000",
                func.substr(region_column, 1, 6) == func.substr(Staff.region_code, 1, 6),
            ),
            and_(
                func.substr(Staff.region_code, 10, 3) == "000",
                func.substr(Staff.region_code, 7, 6) != "000000",
                func.substr(region_column, 1, 9) == func.substr(Staff.region_code, 1, 9),
            ),
            region_column == Staff.region_code,
        ),
    )


async def get_for_update(session: AsyncSession, notification_id: int) -> Notification | None:
    return await session.scalar(
        select(Notification).where(Notification.id == notification_id).with_for_update()
    )


async def mark(session: AsyncSession, notification_id: int, **values: Any) -> bool:
    """Set a pending notification's outcome; False when it was no longer pending."""
    result = await session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status == "pending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def take_subscription(session: AsyncSession, resident_id: int, template_id: str) -> bool:
    """Use one of the resident's one-time subscriptions to the template, if any is left."""
    result = await session.execute(
        update(Subscription)
        .where(
            Subscription.resident_id == resident_id,
            Subscription.template_id == template_id,
            Subscription.remaining > 0,
        )
        .values(remaining=Subscription.remaining - 1)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def give_back_subscription(session: AsyncSession, resident_id: int, template_id: str) -> None:
    await add_subscriptions(session, resident_id, {template_id: 1})


async def clear_subscription(session: AsyncSession, resident_id: int, template_id: str) -> None:
    await session.execute(
        update(Subscription)
        .where(Subscription.resident_id == resident_id, Subscription.template_id == template_id)
        .values(remaining=0)
        .execution_options(synchronize_session=False)
    )


async def add_subscriptions(
    session: AsyncSession, resident_id: int, counts: Mapping[str, int]
) -> None:
    insert_ = _insert(session)
    for template_id, count in counts.items():
        stmt = insert_(Subscription).values(
            resident_id=resident_id, template_id=template_id, remaining=count
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["resident_id", "template_id"],
            set_={"remaining": Subscription.remaining + count},
        )
        await session.execute(stmt)


async def subscriptions(session: AsyncSession, resident_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Subscription.template_id, Subscription.remaining).where(
            Subscription.resident_id == resident_id
        )
    )
    return {template_id: remaining for template_id, remaining in rows.all()}


async def record_fake(session: AsyncSession, values: Mapping[str, Any]) -> None:
    session.add(FakeWeChatMessage(**values))
    await session.flush()


async def fake_messages(
    session: AsyncSession, *, openid: str | None, before_id: int | None, limit: int
) -> list[FakeWeChatMessage]:
    stmt = select(FakeWeChatMessage).order_by(FakeWeChatMessage.id.desc()).limit(limit)
    if openid is not None:
        stmt = stmt.where(FakeWeChatMessage.openid == openid)
    if before_id is not None:
        stmt = stmt.where(FakeWeChatMessage.id < before_id)
    return list(await session.scalars(stmt))


# -- the staff inbox: only the caller's own rows ----------------------------------------------


def _inbox(staff_id: int) -> Any:
    return and_(Notification.recipient_kind == "staff", Notification.recipient_id == staff_id)


async def inbox(
    session: AsyncSession, staff_id: int, *, unread: bool, before_id: int | None, limit: int
) -> list[Notification]:
    stmt = select(Notification).where(_inbox(staff_id)).order_by(Notification.id.desc())
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before_id is not None:
        stmt = stmt.where(Notification.id < before_id)
    return list(await session.scalars(stmt.limit(limit)))


async def unread_count(session: AsyncSession, staff_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(_inbox(staff_id), Notification.read_at.is_(None))
    )
    return int(count or 0)


async def mark_read(
    session: AsyncSession, staff_id: int, notification_id: int, at: datetime
) -> bool:
    """Mark the caller's notification read (kept as first read); False when not theirs."""
    found = await session.scalar(
        select(Notification.id).where(_inbox(staff_id), Notification.id == notification_id)
    )
    if found is None:
        return False
    await session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.read_at.is_(None))
        .values(read_at=at)
        .execution_options(synchronize_session=False)
    )
    return True


async def mark_all_read(session: AsyncSession, staff_id: int, at: datetime) -> int:
    result = await session.execute(
        update(Notification)
        .where(_inbox(staff_id), Notification.read_at.is_(None))
        .values(read_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# -- content checks ---------------------------------------------------------------------------


async def insert_content_check(session: AsyncSession, values: Mapping[str, Any]) -> int | None:
    stmt = (
        _insert(session)(ContentCheck)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["record_type", "record_id", "field"])
        .returning(ContentCheck.id)
    )
    return await session.scalar(stmt)


def content_check_insert(prefix: str) -> Any:
    """PostgreSQL: :func:`insert_content_check` as a statement to fold into another (a
    data-modifying CTE): its values are the bind parameters ``{prefix}<column>``."""
    columns = ("record_type", "record_id", "field", "region_code", "status")
    values: dict[str, BindParameter[Any]] = {name: bindparam(f"{prefix}{name}") for name in columns}
    values["created_at"] = values["updated_at"] = bindparam(f"{prefix}at")
    return (
        pg_insert(ContentCheck)
        .values(values)
        .on_conflict_do_nothing(index_elements=["record_type", "record_id", "field"])
        .returning(ContentCheck.id)
    )


async def content_check(session: AsyncSession, check_id: int) -> ContentCheck | None:
    return await session.get(ContentCheck, check_id)


async def content_checks_of(
    session: AsyncSession, record_type: str, record_ids: list[int]
) -> dict[int, ContentCheck]:
    if not record_ids:
        return {}
    rows = await session.scalars(
        select(ContentCheck).where(
            ContentCheck.record_type == record_type, ContentCheck.record_id.in_(record_ids)
        )
    )
    return {row.record_id: row for row in rows}


async def check_with_text(
    session: AsyncSession, check_id: int
) -> tuple[str, tuple[str, str | None] | None] | None:
    """A content check's status, with the text under check and the openid of the resident who
    wrote it (None for others), in one statement; None when the check does not exist, no text
    when its record does not."""
    row = (
        await session.execute(
            select(
                ContentCheck.status,
                Application.id,
                Application.description_enc,
                Resident.openid,
            )
            .select_from(ContentCheck)
            .outerjoin(
                Application,
                and_(
                    ContentCheck.record_type == "application",
                    Application.id == ContentCheck.record_id,
                ),
            )
            .outerjoin(Resident, Resident.id == Application.resident_id)
            .where(ContentCheck.id == check_id)
        )
    ).first()
    if row is None:
        return None
    status, record_id, sealed, openid = row
    return status, None if record_id is None else (open_text(sealed), openid)


async def record_check(session: AsyncSession, check_id: int, **values: Any) -> None:
    await session.execute(
        update(ContentCheck)
        .where(ContentCheck.id == check_id, ContentCheck.status == "pending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )


# What WeChat's verdict holds for a person's review.
HELD = ("risky", "review")


def held_checks(region_low: str, region_high: str, before_id: int | None, limit: int) -> Any:
    """Texts waiting for staff review in a region range, newest first."""
    stmt = (
        select(ContentCheck)
        .where(
            ContentCheck.status.in_(HELD),
            ContentCheck.region_code.between(region_low, region_high),
        )
        .order_by(ContentCheck.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        stmt = stmt.where(ContentCheck.id < before_id)
    return stmt


async def clear_check(
    session: AsyncSession, check_id: int, staff_id: int, at: datetime
) -> ContentCheck | None:
    """Mark a held text cleared by a reviewer; None when it was not (or no longer) held."""
    result = await session.scalars(
        update(ContentCheck)
        .where(ContentCheck.id == check_id, ContentCheck.status.in_(HELD))
        .values(status="cleared", reviewed_by_id=staff_id, reviewed_at=at, updated_at=at)
        .returning(ContentCheck)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return result.first()


# -- fan-out to staff, set-based ----------------------------------------------------------------


async def insert_inbox_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Many inbox rows in one statement."""
    if rows:
        await session.execute(
            _insert(session)(Notification)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["key"])
        )
