"""Category decisions dated in the future (an exit from the 1st of next month, a change from the
date a notice runs out): recorded at once, in force on their date and not before. The
household shows what is in force today and what is scheduled; the nightly
``households:apply-scheduled`` job brings every household whose date has come in line with its
decision, in a fixed number of statements whatever their number.

One decision may wait per household; another decision (or an approval's enrolment) while one
waits is refused until it is withdrawn (``DELETE .../category/scheduled``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound
from app.households.changelog import plain
from app.kit import audit
from app.kit.actor import SYSTEM, Actor
from app.models.household import CategoryChange, Household, HouseholdChange, HouseholdMember
from app.schedules import recompute as schedules

APPLY_JOB = "households:apply-scheduled"


class ChangeScheduled(Conflict):
    code = "category_change_scheduled"
    message = "该户已有一项尚未生效的类别决定，请先撤销"


def _pending() -> Any:
    return (CategoryChange.applied_at.is_(None), CategoryChange.cancelled_at.is_(None))


async def pending_for(session: AsyncSession, household_id: int) -> CategoryChange | None:
    """The decision waiting for its date, if any."""
    stmt = select(CategoryChange).where(CategoryChange.household_id == household_id, *_pending())
    return (await session.scalars(stmt)).first()


async def refuse_if_pending(session: AsyncSession, household_id: int) -> None:
    waiting = await pending_for(session, household_id)
    if waiting is not None:
        raise ChangeScheduled(
            f"该户已有 {waiting.effective_date} 生效的类别决定（{waiting.action}），请先撤销",
            extra={"scheduled_effective_date": waiting.effective_date.isoformat()},
        )


async def cancel(session: AsyncSession, actor: Actor, household: Household, at: datetime) -> None:
    """Withdraw the decision waiting for its date; audited."""
    waiting = await pending_for(session, household.id)
    if waiting is None:
        raise NotFound("该户没有尚未生效的类别决定", code="scheduled_change_not_found")
    waiting.cancelled_at = at
    await audit.record(
        session,
        actor,
        "household.category_cancelled",
        "household",
        household.id,
        {"change_id": waiting.id, "effective_date": waiting.effective_date.isoformat()},
    )
    await session.flush()


async def apply_due(session: AsyncSession, today: date, at: datetime) -> int:
    """Bring every household whose scheduled decision's date has come (``effective_date`` on
    or before ``today``) in line with it: category, since when, status (an exit makes the
    household ``exited`` and its members inactive), a new version with its field history, an
    audit entry each, and their visit schedules. Returns how many were applied."""
    rows = (
        await session.execute(
            select(
                CategoryChange.id,
                CategoryChange.household_id,
                CategoryChange.action,
                CategoryChange.category,
                CategoryChange.effective_date,
                Household.category.label("old_category"),
                Household.category_since.label("old_since"),
                Household.status.label("old_status"),
                Household.care_arrangement.label("old_care"),
                Household.version,
            )
            .join(Household, Household.id == CategoryChange.household_id)
            .where(*_pending(), CategoryChange.effective_date <= today)
            .order_by(CategoryChange.id)
        )
    ).all()
    if not rows:
        return 0
    households: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    entries = []
    for r in rows:  # parameters for the statements below; no SQL in this loop
        leaving = r.action == "exit"
        # A new amount in the same category (a reduction) leaves the category's start alone.
        since = r.old_since if r.action == "adjust" else r.effective_date
        new = {
            "category": None if leaving else r.category,
            "category_since": None if leaving else since,
            "status": "exited" if leaving else r.old_status,
            # A household leaving tekun leaves its care arrangement behind.
            "care_arrangement": r.old_care if r.category == "tekun" and not leaving else None,
        }
        old = {
            "category": r.old_category,
            "category_since": r.old_since,
            "status": r.old_status,
            "care_arrangement": r.old_care,
        }
        version = r.version + 1
        households.append(
            {"b_id": r.household_id, "b_version": version, **{f"b_{k}": v for k, v in new.items()}}
        )
        history.extend(
            {
                "household_id": r.household_id,
                "member_id": None,
                "version": version,
                "at": at,
                "actor_id": None,
                "action": f"category_{r.action}",
                "field": field,
                "old_value": plain(old[field]),
                "new_value": plain(new[field]),
            }
            for field in new
            if plain(old[field]) != plain(new[field])
        )
        entries.append(
            audit.entry(
                SYSTEM,
                "household.category_applied",
                "household",
                r.household_id,
                {
                    "version": version,
                    "change_id": r.id,
                    "action": r.action,
                    "category": r.category,
                    "previous_category": r.old_category,
                    "effective_date": r.effective_date.isoformat(),
                },
            )
        )
    conn = await session.connection()
    await conn.execute(
        update(Household)
        .where(Household.id == bindparam("b_id"))
        .values(
            category=bindparam("b_category"),
            category_since=bindparam("b_category_since"),
            status=bindparam("b_status"),
            care_arrangement=bindparam("b_care_arrangement"),
            version=bindparam("b_version"),
            updated_at=at,
        ),
        households,
    )
    if history:
        await conn.execute(insert(HouseholdChange), history)
    leaving_ids = [r.household_id for r in rows if r.action == "exit"]
    if leaving_ids:
        await conn.execute(
            update(HouseholdMember)
            .where(
                HouseholdMember.household_id.in_(leaving_ids), HouseholdMember.removed_at.is_(None)
            )
            .values(active=False)
        )
    await conn.execute(
        update(CategoryChange)
        .where(CategoryChange.id.in_([r.id for r in rows]))
        .values(applied_at=at)
    )
    session.add_all(entries)
    await session.flush()
    await schedules.recompute(session, [r.household_id for r in rows], today=today)
    return len(rows)
