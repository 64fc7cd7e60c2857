"""SQL for visits: policy, records, photos, needs and assignment. Every read of households goes
through :func:`readable_statement`; the worklist's SQL is in :mod:`app.visits.worklist_sql`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Select,
    case,
    delete,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden
from app.kit.actor import Actor
from app.kit.rotation import EncryptedField
from app.models.account import Staff
from app.models.household import Household, HouseholdMember
from app.models.visit import Visit, VisitNeed, VisitPhoto, VisitPolicy, VisitSchedule
from app.regions.jurisdiction import in_subtree
from app.schedules.policy import Entry


def readable_statement(actor: Actor, *columns: Any) -> Select[Any]:
    """Households the actor may see, outer-joined to their visit schedule: staff their
    jurisdiction; nobody else any."""
    if actor.kind == "staff" and actor.region_code:
        return (
            select(*columns)
            .select_from(Household)
            .outerjoin(VisitSchedule, VisitSchedule.household_id == Household.id)
            .where(in_subtree(Household.region_code, actor.region_code))
        )
    raise Forbidden("仅限辖区工作人员", code="staff_only")


async def next_due_of(session: AsyncSession, household_id: int) -> date | None:
    return await session.scalar(
        select(VisitSchedule.next_due_on).where(VisitSchedule.household_id == household_id)
    )


# ---- policy --------------------------------------------------------------------------------


async def policy_entries(session: AsyncSession) -> list[VisitPolicy]:
    return list(
        await session.scalars(
            select(VisitPolicy).order_by(
                VisitPolicy.category,
                VisitPolicy.risk_level,
                VisitPolicy.depth,
                VisitPolicy.region_low,
                VisitPolicy.effective_from,
            )
        )
    )


async def delete_pending_policy(session: AsyncSession, today: date) -> int:
    result = await session.execute(delete(VisitPolicy).where(VisitPolicy.effective_from >= today))
    return int(getattr(result, "rowcount", 0) or 0)


def as_entry(row: VisitPolicy) -> Entry:
    return Entry(row.category, row.risk_level, row.region_code, row.cycle_days, row.effective_from)


# ---- visit state ---------------------------------------------------------------------------


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def note_visit(session: AsyncSession, visit: Visit) -> None:
    """The household's last visit becomes this one unless a later one is already known; a
    pulled-forward visit is done once a visit is made after the pull."""
    insert = _insert(session)
    stmt = insert(VisitSchedule).values(
        household_id=visit.household_id,
        last_visit_id=visit.id,
        last_visit_at=visit.visited_at,
        last_visit_on=visit.visited_on,
    )
    current = VisitSchedule.__table__.c
    newer = (current.last_visit_at.is_(None)) | (
        stmt.excluded.last_visit_at > current.last_visit_at
    )
    pull_done = current.pulled_at.is_not(None) & (stmt.excluded.last_visit_at >= current.pulled_at)
    stmt = stmt.on_conflict_do_update(
        index_elements=["household_id"],
        set_={
            "last_visit_id": case(
                (newer, stmt.excluded.last_visit_id), else_=current.last_visit_id
            ),
            "last_visit_at": case(
                (newer, stmt.excluded.last_visit_at), else_=current.last_visit_at
            ),
            "last_visit_on": case(
                (newer, stmt.excluded.last_visit_on), else_=current.last_visit_on
            ),
            "pulled_forward_on": case((pull_done, None), else_=current.pulled_forward_on),
            "pull_reason": case((pull_done, None), else_=current.pull_reason),
            "pulled_at": case((pull_done, None), else_=current.pulled_at),
        },
    )
    await session.execute(stmt)


async def last_visit_at(session: AsyncSession, household_id: int) -> datetime | None:
    return await session.scalar(
        select(VisitSchedule.last_visit_at).where(VisitSchedule.household_id == household_id)
    )


async def household_exists(session: AsyncSession, household_id: int) -> Household | None:
    return await session.get(Household, household_id)


# ---- visits --------------------------------------------------------------------------------


async def find_visit(
    session: AsyncSession, household_id: int, staff_id: int, visited_at: datetime
) -> Visit | None:
    return await session.scalar(
        select(Visit).where(
            Visit.household_id == household_id,
            Visit.staff_id == staff_id,
            Visit.visited_at == visited_at,
        )
    )


async def list_visits(
    session: AsyncSession,
    household_id: int,
    *,
    before: tuple[datetime, int] | None,
    limit: int,
) -> list[Visit]:
    stmt = (
        select(Visit)
        .where(Visit.household_id == household_id)
        .order_by(Visit.visited_at.desc(), Visit.id.desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(tuple_(Visit.visited_at, Visit.id) < before)
    return list(await session.scalars(stmt))


# ---- assignment ----------------------------------------------------------------------------


async def staff_member(session: AsyncSession, staff_id: int) -> Staff | None:
    return await session.get(Staff, staff_id)


async def readable_active_ids(
    session: AsyncSession, actor: Actor, household_ids: list[int]
) -> set[int]:
    stmt = readable_statement(actor, Household.id).where(
        Household.id.in_(household_ids), Household.status == "active"
    )
    return set(await session.scalars(stmt))


async def count_outside(
    session: AsyncSession,
    actor: Actor,
    region_code: str,
    *,
    ids: list[int] | None = None,
    assignee_id: int | None = None,
    within: str | None = None,
) -> int:
    """How many of the selected households lie outside ``region_code``'s subtree."""
    stmt = readable_statement(actor, func.count()).where(
        ~in_subtree(Household.region_code, region_code)
    )
    stmt = _selection(stmt, ids=ids, assignee_id=assignee_id, within=within)
    return int(await session.scalar(stmt) or 0)


def _selection(
    stmt: Select[Any], *, ids: list[int] | None, assignee_id: int | None, within: str | None
) -> Select[Any]:
    if ids is not None:
        stmt = stmt.where(Household.id.in_(ids))
    if assignee_id is not None:
        stmt = stmt.where(VisitSchedule.assignee_id == assignee_id)
    if within is not None:
        stmt = stmt.where(in_subtree(Household.region_code, within))
    return stmt


async def assign(
    session: AsyncSession, household_ids: list[int], assignee_id: int | None, at: datetime
) -> None:
    """One statement: every listed household's assignee (a schedule row made where missing)."""
    insert = _insert(session)
    stmt = insert(VisitSchedule).values(
        [
            {"household_id": hid, "assignee_id": assignee_id, "assigned_at": at}
            for hid in household_ids
        ]
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["household_id"],
        set_={"assignee_id": stmt.excluded.assignee_id, "assigned_at": stmt.excluded.assigned_at},
    )
    await session.execute(stmt)


async def reassign(
    session: AsyncSession,
    actor: Actor,
    from_id: int,
    to_id: int | None,
    at: datetime,
    *,
    within: str | None,
) -> list[int]:
    """Move every household of one assignee (in the actor's jurisdiction) to another; the
    households moved."""
    chosen = _selection(
        readable_statement(actor, Household.id), ids=None, assignee_id=from_id, within=within
    )
    result = await session.scalars(
        update(VisitSchedule)
        .where(VisitSchedule.assignee_id == from_id, VisitSchedule.household_id.in_(chosen))
        .values(assignee_id=to_id, assigned_at=at)
        .returning(VisitSchedule.household_id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result)


# ---- needs and photos ----------------------------------------------------------------------


async def need_ids_of(session: AsyncSession, visit_ids: list[int]) -> dict[int, list[int]]:
    """The needs each visit recorded, in one query for a page of visits."""
    found: dict[int, list[int]] = {vid: [] for vid in visit_ids}
    if visit_ids:
        rows = await session.execute(
            select(VisitNeed.visit_id, VisitNeed.id)
            .where(VisitNeed.visit_id.in_(visit_ids))
            .order_by(VisitNeed.id)
        )
        for visit_id, need_id in rows:
            found[visit_id].append(need_id)
    return found


async def photos_of(session: AsyncSession, visit_ids: list[int]) -> dict[int, list[VisitPhoto]]:
    found: dict[int, list[VisitPhoto]] = {vid: [] for vid in visit_ids}
    if visit_ids:
        rows = await session.scalars(
            select(VisitPhoto).where(VisitPhoto.visit_id.in_(visit_ids)).order_by(VisitPhoto.id)
        )
        for photo in rows:
            found[photo.visit_id].append(photo)
    return found


async def count_photos(session: AsyncSession, visit_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(VisitPhoto).where(VisitPhoto.visit_id == visit_id)
        )
        or 0
    )


async def get_visit(
    session: AsyncSession, visit_id: int, *, for_update: bool = False
) -> Visit | None:
    stmt = select(Visit).where(Visit.id == visit_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def get_photo(session: AsyncSession, visit_id: int, photo_id: int) -> VisitPhoto | None:
    return await session.scalar(
        select(VisitPhoto).where(VisitPhoto.visit_id == visit_id, VisitPhoto.id == photo_id)
    )


async def head_of(session: AsyncSession, household_id: int) -> tuple[str, str] | None:
    """The household's head (or first active member): name and encrypted ID number."""
    row = (
        await session.execute(
            select(HouseholdMember.name, HouseholdMember.id_enc)
            .where(HouseholdMember.household_id == household_id, HouseholdMember.active)
            .order_by(HouseholdMember.relation != "head", HouseholdMember.id)
            .limit(1)
        )
    ).first()
    return None if row is None else (row[0], row[1])


SEALED_COLUMNS = [
    EncryptedField("visit.notes", Visit.id, Visit.notes_enc),
    EncryptedField("visit.needs", Visit.id, Visit.needs_enc),
    EncryptedField("visit_need.detail", VisitNeed.id, VisitNeed.detail_enc),
]
"""Personal fields under the data key, for its rotation (:mod:`app.kit.rotation`)."""
