"""Writes the append-only audit log inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import utcnow
from app.kit.actor import Actor
from app.models.audit import AuditEvent


def entry(
    actor: Actor,
    action: str,
    record_type: str,
    record_id: object | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """One audit event, not yet written (:func:`record` writes it; a hot path may insert it
    in a statement of its own)."""
    return AuditEvent(
        at=utcnow(),
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_role=actor.role,
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        client=actor.client[:64],
        detail=detail or {},
    )


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    record_type: str,
    record_id: object | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit event; it commits or rolls back with the change it describes."""
    session.add(entry(actor, action, record_type, record_id, detail))
