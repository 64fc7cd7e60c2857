"""SQL for visits. Every read of households goes through :func:`readable_statement`; due dates
are read from ``visit_schedules.next_due_on``, which :mod:`app.schedules.recompute` keeps in
step (set-based), so a worklist is an index range, never a computation over every household."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    Subquery,
    bindparam,
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
from app.models.warning import OPEN_WARNING_STATUSES, EarlyWarning
from app.regions.jurisdiction import in_subtree, subtree_bounds
from app.schedules.policy import Entry

RISK_RANK = case(
    (Household.risk_level == "high", 0), (Household.risk_level == "medium", 1), else_=2
)


@dataclass(frozen=True)
class DueFilter:
    region_code: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    category: str | None = None
    risk_level: str | None = None
    household_id: int | None = None


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


def open_warnings_sql() -> ColumnElement[int]:
    """Warnings about the household still being worked on (one index probe per row)."""
    return (
        select(func.count())
        .select_from(EarlyWarning)
        .where(
            EarlyWarning.household_id == Household.id,
            EarlyWarning.status.in_(OPEN_WARNING_STATUSES),
        )
        .correlate(Household)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class _Shape:
    """Which filters a worklist query has: one built statement per shape, reused with new
    parameters (building and keying a statement costs more than the indexed query itself)."""

    region: bool
    assignee: bool
    unassigned: bool
    category: str | None  # None (no filter), "none" (no category yet) or "value"
    risk: bool
    household: bool
    overdue: bool = False
    after: bool = False


def _shape(f: DueFilter, *, overdue: bool = False, after: bool = False) -> _Shape:
    return _Shape(
        region=bool(f.region_code),
        assignee=f.assignee_id is not None,
        unassigned=f.unassigned,
        category=None if not f.category else ("none" if f.category == "none" else "value"),
        risk=bool(f.risk_level),
        household=f.household_id is not None,
        overdue=overdue,
        after=after,
    )


def _params(actor: Actor, f: DueFilter, today: date, until: date) -> dict[str, Any]:
    """The values for a shape's statement; the jurisdiction first (staff only)."""
    if actor.kind != "staff" or not actor.region_code:
        raise Forbidden("仅限辖区工作人员", code="staff_only")
    scope_low, scope_high = subtree_bounds(actor.region_code)
    params: dict[str, Any] = {
        "scope_low": scope_low,
        "scope_high": scope_high,
        "today": today,
        "until": until,
    }
    if f.region_code:
        params["region_low"], params["region_high"] = subtree_bounds(f.region_code)
    if f.assignee_id is not None:
        params["assignee_id"] = f.assignee_id
    if f.category and f.category != "none":
        params["category"] = f.category
    if f.risk_level:
        params["risk_level"] = f.risk_level
    if f.household_id is not None:
        params["household_id"] = f.household_id
    return params


def _due_rows(shape: _Shape) -> Subquery:
    """Active households in the jurisdiction (``scope_low``..``scope_high``, the same rule as
    :func:`readable_statement`) with their stored next due date, risk rank and open warnings."""
    stmt = (
        select(
            Household.id.label("household_id"),
            Household.reference,
            Household.region_code,
            Household.category,
            Household.risk_level,
            VisitSchedule.last_visit_at,
            VisitSchedule.next_due_on,
            open_warnings_sql().label("open_warnings"),
            VisitSchedule.assignee_id,
            RISK_RANK.label("risk_rank"),
        )
        .select_from(Household)
        .join(VisitSchedule, VisitSchedule.household_id == Household.id)
        .where(
            Household.region_code.between(
                bindparam("scope_low", type_=String()), bindparam("scope_high", type_=String())
            ),
            Household.status == "active",
            VisitSchedule.next_due_on <= bindparam("until", type_=Date()),
        )
    )
    if shape.region:
        stmt = stmt.where(
            Household.region_code.between(
                bindparam("region_low", type_=String()),
                bindparam("region_high", type_=String()),
            )
        )
    if shape.assignee:
        stmt = stmt.where(VisitSchedule.assignee_id == bindparam("assignee_id", type_=Integer()))
    if shape.unassigned:
        stmt = stmt.where(VisitSchedule.assignee_id.is_(None))
    if shape.category == "none":
        stmt = stmt.where(Household.category.is_(None))
    elif shape.category:
        stmt = stmt.where(Household.category == bindparam("category", type_=String()))
    if shape.risk:
        stmt = stmt.where(Household.risk_level == bindparam("risk_level", type_=String()))
    if shape.household:
        stmt = stmt.where(Household.id == bindparam("household_id", type_=Integer()))
    return stmt.subquery("due")


def _urgency(due: Subquery) -> tuple[Any, ...]:
    """Most urgent first: earliest due (most overdue), highest risk, most open warnings."""
    return (due.c.next_due_on, due.c.risk_rank, -due.c.open_warnings, due.c.household_id)


@functools.lru_cache(maxsize=256)
def page_statement(shape: _Shape) -> Select[Any]:
    due = _due_rows(shape)
    stmt = select(due)
    if shape.overdue:
        stmt = stmt.where(due.c.next_due_on < bindparam("today", type_=Date()))
    if shape.after:
        stmt = stmt.where(
            tuple_(*_urgency(due))
            > tuple_(
                bindparam("after_day", type_=Date()),
                bindparam("after_rank", type_=Integer()),
                bindparam("after_warnings", type_=Integer()),
                bindparam("after_id", type_=Integer()),
            )
        )
    return stmt.order_by(*_urgency(due)).limit(bindparam("limit", type_=Integer()))


@functools.lru_cache(maxsize=256)
def counts_statement(shape: _Shape) -> Select[Any]:
    due = _due_rows(shape)
    today = bindparam("today", type_=Date())

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return select(
        func.count(),
        count_if(due.c.next_due_on < today),
        count_if(due.c.next_due_on == today),
        count_if(due.c.assignee_id.is_(None)),
    )


def worklist_query(
    actor: Actor,
    f: DueFilter,
    *,
    today: date,
    until: date,
    overdue_only: bool = False,
    after: tuple[date, int, int, int] | None = None,
    limit: int = 21,
) -> tuple[Select[Any], dict[str, Any]]:
    """The page statement for these filters and its parameters (for the benchmark's plan)."""
    params = _params(actor, f, today, until) | {"limit": limit}
    if after is not None:
        day, rank, warnings, household_id = after
        params |= {
            "after_day": day,
            "after_rank": rank,
            "after_warnings": -warnings,
            "after_id": household_id,
        }
    return page_statement(_shape(f, overdue=overdue_only, after=after is not None)), params


async def worklist(
    session: AsyncSession,
    actor: Actor,
    f: DueFilter,
    *,
    today: date,
    until: date,
    overdue_only: bool,
    after: tuple[date, int, int, int] | None,
    limit: int,
) -> list[Any]:
    stmt, params = worklist_query(
        actor, f, today=today, until=until, overdue_only=overdue_only, after=after, limit=limit
    )
    return list((await session.execute(stmt, params)).all())


async def worklist_counts(
    session: AsyncSession, actor: Actor, f: DueFilter, *, today: date, until: date
) -> dict[str, int]:
    params = _params(actor, f, today, until)
    row = (await session.execute(counts_statement(_shape(f)), params)).one()
    total, overdue, due_today, unassigned = (int(v or 0) for v in row)
    return {"total": total, "overdue": overdue, "due_today": due_today, "unassigned": unassigned}


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
) -> int:
    """Move every household of one assignee (in the actor's jurisdiction) to another."""
    chosen = _selection(
        readable_statement(actor, Household.id), ids=None, assignee_id=from_id, within=within
    )
    result = await session.execute(
        update(VisitSchedule)
        .where(VisitSchedule.assignee_id == from_id, VisitSchedule.household_id.in_(chosen))
        .values(assignee_id=to_id, assigned_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


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
