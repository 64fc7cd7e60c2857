"""Risk-based visits: the policy, worklists, assignment, visit records, and the pull-forward a
confirmed warning asks for."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden, NotFound
from app.households import service as households
from app.households.schemas import HouseholdUpdate, RiskLevel
from app.kit import audit
from app.kit.actor import Actor
from app.kit.crypto import get_cipher
from app.kit.timeutil import local_today, now, to_local
from app.models.visit import Visit, VisitNeed, VisitPhoto, VisitPolicy
from app.notifications import service as notifications
from app.regions.jurisdiction import covers
from app.regions.service import get_region
from app.schedules.policy import Entry, default_entries, region_columns
from app.schedules.recompute import recompute, recompute_household
from app.visits import repository, worklist_sql
from app.visits.errors import (
    AssigneeNotEligible,
    AssigneeOutOfJurisdiction,
    DuplicatePolicyEntry,
    HouseholdNotActive,
    PolicyInPast,
    VisitAlreadyRecorded,
    VisitBeforeHousehold,
    VisitInFuture,
)
from app.visits.schemas import NeedFollowUp, PolicyEntry, VisitCreate
from app.visits.worklist_sql import DueFilter

# A phone's clock may run a little fast; a visit later than this is refused.
CLOCK_SKEW = timedelta(minutes=10)
ASSIGNABLE_ROLES = frozenset({"community_worker", "social_worker"})


# ---- policy --------------------------------------------------------------------------------


async def policy(session: AsyncSession) -> list[Entry]:
    """The built-in defaults (district-wide, in force since 2000) and every stored entry."""
    stored = [repository.as_entry(row) for row in await repository.policy_entries(session)]
    return default_entries() + stored


async def replace_policy(
    session: AsyncSession, actor: Actor, entries: list[PolicyEntry]
) -> list[Entry]:
    """PUT the whole list. Entries from today on replace every pending entry; an entry dated
    before today may only repeat one already in force or past (history is never rewritten;
    leaving it out does not erase it: a newer entry supersedes it)."""
    today = local_today()
    wanted = [
        Entry(
            e.category.value,
            e.risk_level.value,
            e.region_code,
            e.cycle_days,
            e.effective_from,
        )
        for e in entries
    ]
    keys = [e.key for e in wanted]
    if len(set(keys)) != len(keys):
        raise DuplicatePolicyEntry()
    history = {e for e in await policy(session) if e.effective_from < today}
    past = [e for e in wanted if e.effective_from < today]
    if any(e not in history for e in past):
        raise PolicyInPast(extra={"today": today.isoformat()})
    pending = [e for e in wanted if e.effective_from >= today]
    for code in sorted({e.region_code for e in pending if e.region_code}):
        await get_region(session, code)
        if actor.region_code is None or not covers(actor.region_code, code):
            raise Forbidden("只能为本辖区设定走访周期", code="outside_jurisdiction")
    removed = await repository.delete_pending_policy(session, today)
    session.add_all(
        VisitPolicy(
            category=e.category,
            risk_level=e.risk_level,
            region_code=e.region_code,
            cycle_days=e.cycle_days,
            effective_from=e.effective_from,
            created_by_id=actor.id,
            **region_columns(e.region_code),
        )
        for e in pending
    )
    await session.flush()
    # Every due date follows in this transaction: one set-based statement (4-5 s for 300,000
    # households on PostgreSQL on a loaded 2-core machine, see bench/visits.py), so no job is
    # needed; entries that take effect on a later day are applied by the nightly recompute
    # (app/visits/tasks.py).
    moved = await recompute(session, today=today)
    await audit.record(
        session,
        actor,
        "visit_policy.replace",
        "visit_policy",
        None,
        {"pending": len(pending), "replaced": removed, "due_dates_moved": moved},
    )
    return await policy(session)


# ---- worklists -----------------------------------------------------------------------------


async def worklist(
    session: AsyncSession,
    actor: Actor,
    f: DueFilter,
    *,
    until: date | None,
    overdue_only: bool,
    after: tuple[date, int, int, int] | None,
    limit: int,
) -> tuple[dict[str, int], list[Any], date]:
    """Households due by ``until`` (default: 30 days on), most urgent first, and the counts."""
    today = local_today()
    until = until or today + timedelta(days=30)
    counts = await worklist_sql.worklist_counts(session, actor, f, today=today, until=until)
    rows = await worklist_sql.worklist(
        session,
        actor,
        f,
        today=today,
        until=until,
        overdue_only=overdue_only,
        after=after,
        limit=limit,
    )
    return counts, rows, today


# ---- assignment ----------------------------------------------------------------------------


async def _assignee(session: AsyncSession, assignee_id: int) -> Any:
    staff = await repository.staff_member(session, assignee_id)
    if staff is None or not staff.active or staff.role not in ASSIGNABLE_ROLES:
        raise AssigneeNotEligible(extra={"assignee_id": assignee_id})
    return staff


async def assign(
    session: AsyncSession, actor: Actor, household_ids: list[int], assignee_id: int | None
) -> int:
    """Assign households (in the actor's jurisdiction) to a worker, or unassign them."""
    ids = sorted(set(household_ids))
    found = await repository.readable_active_ids(session, actor, ids)
    missing = [hid for hid in ids if hid not in found]
    if missing:
        raise NotFound(
            "家庭不存在或不在本人辖区", code="household_not_found", extra={"missing": missing}
        )
    if assignee_id is not None:
        staff = await _assignee(session, assignee_id)
        if await repository.count_outside(session, actor, staff.region_code, ids=ids):
            raise AssigneeOutOfJurisdiction()
    await repository.assign(session, ids, assignee_id, now())
    await recompute(session, ids)  # rows made by the assignment get their due date
    await notifications.visits_assigned(session, ids, assignee_id)
    await audit.record(
        session,
        actor,
        "visit.assign",
        "staff",
        assignee_id,
        {"households": len(ids), "assignee_id": assignee_id},
    )
    return len(ids)


async def reassign(
    session: AsyncSession,
    actor: Actor,
    from_id: int,
    to_id: int | None,
    *,
    within: str | None,
) -> int:
    """Hand every household of a worker who leaves to another worker (or to nobody)."""
    if to_id is not None:
        staff = await _assignee(session, to_id)
        outside = await repository.count_outside(
            session, actor, staff.region_code, assignee_id=from_id, within=within
        )
        if outside:
            raise AssigneeOutOfJurisdiction(extra={"outside": outside})
    moved = await repository.reassign(session, actor, from_id, to_id, now(), within=within)
    await notifications.visits_assigned(session, moved, to_id)
    await audit.record(
        session,
        actor,
        "visit.reassign",
        "staff",
        from_id,
        {"from_id": from_id, "to_id": to_id, "households": len(moved), "region_code": within},
    )
    return len(moved)


# ---- visit records -------------------------------------------------------------------------


def _local(at: datetime) -> date:
    return to_local(at).date()


async def record_visit(
    session: AsyncSession, actor: Actor, household_id: int, body: VisitCreate
) -> Visit:
    """Record a home visit. A visit sent late keeps its real time; the household's risk level
    follows the visit unless something newer (a later visit or risk decision) already stands."""
    household = await households.readable(session, actor, household_id)
    if household.status != "active":
        raise HouseholdNotActive()
    if body.visited_at > now() + CLOCK_SKEW:
        raise VisitInFuture()
    if body.visited_at < household.created_at:
        raise VisitBeforeHousehold()
    assert actor.id is not None
    if await repository.find_visit(session, household.id, actor.id, body.visited_at):
        raise VisitAlreadyRecorded()
    due_on = await repository.next_due_of(session, household.id)
    if due_on is None:  # no schedule yet (registered outside the registry's service)
        await recompute_household(session, household.id)
        due_on = await repository.next_due_of(session, household.id)
    assert due_on is not None
    last_at = await repository.last_visit_at(session, household.id)
    visited_on = _local(body.visited_at)
    cipher = get_cipher()
    latest = (last_at is None or body.visited_at > last_at) and (
        household.risk_set_at is None or body.visited_at > household.risk_set_at
    )
    before = household.risk_level
    visit = Visit(
        household_id=household.id,
        staff_id=actor.id,
        region_code=household.region_code,
        visited_at=body.visited_at,
        visited_on=visited_on,
        latitude=body.latitude,
        longitude=body.longitude,
        met=list(body.met),
        checklist=body.checklist.model_dump(mode="json", exclude_none=True),
        need_type=body.need_type.value if body.need_type else None,
        needs_enc=cipher.encrypt(body.needs) if body.needs else None,
        notes_enc=cipher.encrypt(body.notes),
        risk_level_before=before,
        risk_level_after=body.risk_level_after.value,
        risk_applied=before == body.risk_level_after.value,
        due_on=due_on,
        on_time=visited_on <= due_on,
    )
    session.add(visit)
    try:
        await session.flush()
    except IntegrityError:
        # Two copies of one offline visit racing past the check above.
        raise VisitAlreadyRecorded() from None
    await repository.note_visit(session, visit)
    await recompute_household(session, household.id)
    if not visit.risk_applied and latest:
        change = HouseholdUpdate(
            risk_level=RiskLevel(body.risk_level_after),
            risk_reason=f"入户走访（走访记录 {visit.id}，{visited_on.isoformat()}）后调整",
        )
        await households.update_household(session, actor, household.id, change, None)
        visit.risk_applied = True
    await audit.record(
        session,
        actor,
        "visit.record",
        "household",
        household.id,
        {"visit_id": visit.id, "risk_level_after": visit.risk_level_after},
    )
    await session.flush()
    return visit


async def visits_of(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    *,
    before: tuple[datetime, int] | None,
    limit: int,
) -> list[Visit]:
    """A household's visits, latest first (404 outside the actor's jurisdiction)."""
    household = await households.readable(session, actor, household_id)
    return await repository.list_visits(session, household.id, before=before, limit=limit)


async def record_needs(
    session: AsyncSession, actor: Actor, visit: Visit, needs: list[NeedFollowUp]
) -> list[int]:
    """Needs for services the visit found (服务需求), open until planned; details encrypted."""
    cipher = get_cipher()
    rows = [
        VisitNeed(
            visit_id=visit.id,
            household_id=visit.household_id,
            region_code=visit.region_code,
            need_type=need.need_type.value,
            detail_enc=cipher.encrypt(need.detail),
            status="open",
            created_by_id=actor.id,
        )
        for need in needs
    ]
    session.add_all(rows)
    await session.flush()
    return [row.id for row in rows]


async def visits_out(session: AsyncSession, visits: list[Visit]) -> list[dict[str, Any]]:
    """Visits as staff read them, with their needs and photos (two queries for the page)."""
    ids = [v.id for v in visits]
    needs = await repository.need_ids_of(session, ids)
    photos = await repository.photos_of(session, ids)
    return [visit_out(v, needs[v.id], photos[v.id]) for v in visits]


def visit_out(visit: Visit, need_ids: list[int], photos: list[VisitPhoto]) -> dict[str, Any]:
    """A visit as staff read it: notes and needs decrypted."""
    cipher = get_cipher()
    return {
        "id": visit.id,
        "household_id": visit.household_id,
        "staff_id": visit.staff_id,
        "visited_at": visit.visited_at,
        "recorded_at": visit.created_at,
        "met": visit.met,
        "checklist": visit.checklist,
        "need_type": visit.need_type,
        "needs": cipher.decrypt(visit.needs_enc) if visit.needs_enc else None,
        "notes": cipher.decrypt(visit.notes_enc),
        "risk_level_before": visit.risk_level_before,
        "risk_level_after": visit.risk_level_after,
        "risk_applied": visit.risk_applied,
        "latitude": visit.latitude,
        "longitude": visit.longitude,
        "due_on": visit.due_on,
        "on_time": visit.on_time,
        "application_id": visit.application_id,
        "warning_id": visit.warning_id,
        "need_ids": need_ids,
        "photos": photos,
    }
