"""Reading the audit log: who did what to which record, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import repository
from app.kit.pagination import after_id, split_page
from app.models.audit import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    record_type: str | None = None
    record_id: str | None = None
    actor_id: int | None = None
    actor_kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def resolved(self) -> AuditFilter:
        """Staff, residents and agencies are numbered separately: an actor id alone is staff."""
        if self.actor_id is not None and self.actor_kind is None:
            return AuditFilter(**{**self.__dict__, "actor_kind": "staff"})
        return self


async def page(
    session: AsyncSession, filters: AuditFilter, limit: int, cursor: str | None
) -> tuple[list[AuditEvent], str | None]:
    """One page of audit events and the next page's cursor."""
    f = filters.resolved()
    events = await repository.list_events(
        session,
        record_type=f.record_type,
        record_id=f.record_id,
        actor_id=f.actor_id,
        actor_kind=f.actor_kind,
        since=f.since,
        until=f.until,
        before_id=after_id(cursor),
        limit=limit + 1,
    )
    return split_page(events, limit)
