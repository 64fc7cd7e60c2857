"""Reading applications: a resident's own, and the staff queue. Each list is one keyset query in
the caller's jurisdiction (:func:`app.intake.repository.readable_statement`); a search by a full
ID number is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.intake import repository, views
from app.intake.errors import application_not_found
from app.intake.schemas import (
    HELP_BITS,
    ApplicationOut,
    ApplicationPage,
    CasePage,
    HelpType,
    Status,
)
from app.kit import audit
from app.kit.actor import Actor
from app.kit.pagination import after_id, split_page
from app.kit.search import parse_query
from app.kit.timeutil import now
from app.regions.service import region_names


@dataclass(frozen=True)
class QueueFilter:
    statuses: list[Status] | None = None
    help_type: HelpType | None = None
    region_code: str | None = None
    assignee_id: int | None = None
    overdue: bool = False
    q: str | None = None


async def mine(
    session: AsyncSession, actor: Actor, limit: int, cursor: str | None
) -> ApplicationPage:
    """One page of the caller's own applications, newest first."""
    rows = await repository.list_mine(session, actor, before_id=after_id(cursor), limit=limit + 1)
    rows, next_cursor = split_page(rows, limit)
    return ApplicationPage(items=[views.resident_view(a) for a in rows], next_cursor=next_cursor)


async def own(session: AsyncSession, actor: Actor, application_id: int) -> ApplicationOut:
    """One of the caller's applications with its public timeline; 404 for anyone else's."""
    application = await repository.get_readable(session, actor, application_id, with_events=True)
    if application is None:
        raise application_not_found()
    return views.resident_view(application)


async def queue(
    session: AsyncSession, actor: Actor, f: QueueFilter, limit: int, cursor: str | None
) -> CasePage:
    """One page of the triage queue in the caller's jurisdiction, newest first."""
    at = now()
    search = parse_query(f.q) if f.q else {}
    rows = await repository.list_queue(
        session,
        actor,
        statuses=[s.value for s in f.statuses] if f.statuses else None,
        help_bit=HELP_BITS[f.help_type] if f.help_type else None,
        region_code=f.region_code,
        assignee_id=f.assignee_id,
        overdue_at=at if f.overdue else None,
        reference=search.get("reference"),
        id_hash=search.get("id_hash"),
        name_prefix=search.get("name_prefix"),
        before_id=after_id(cursor),
        limit=limit + 1,
    )
    rows, next_cursor = split_page(rows, limit)
    if search.get("id_hash"):
        # A search by a full ID number tells who was looked for: audited, masked.
        await audit.record(
            session,
            actor,
            "application.search_id_number",
            "application",
            None,
            {"q": search.get("shown"), "results": len(rows)},
        )
    names = await region_names(session, {a.region_code for a in rows})
    return CasePage(
        items=[views.case_item(a, names.get(a.region_code, ""), at) for a in rows],
        next_cursor=next_cursor,
    )
