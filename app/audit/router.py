from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from app.accounts.dependencies import RequireAuditRead
from app.audit import service
from app.audit.service import AuditFilter
from app.db.deps import Session
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit
from app.kit.params import MAX_ID
from app.kit.schemas import LocalDateTime, Page, Schema, UtcDateTime

router = APIRouter(prefix="/staff", tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: LocalDateTime
    actor_kind: str
    actor_id: int | None
    actor_role: str
    action: str
    record_type: str
    record_id: str | None
    client: str
    detail: dict[str, Any]


AuditPage = Page[AuditEventOut]


@router.get("/audit", response_model=AuditPage)
async def list_audit(
    session: Session,
    actor: RequireAuditRead,
    record_type: Annotated[str | None, Query(max_length=32, pattern=r"^[^\x00]*$")] = None,
    record_id: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$")] = None,
    actor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    actor_kind: Annotated[
        Literal["staff", "resident", "agency", "system", "anonymous"] | None,
        Query(description="与 actor_id 一起使用时默认为 staff（工作人员与群众各自编号）"),
    ] = None,
    since: UtcDateTime | None = None,
    until: UtcDateTime | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AuditPage:
    """The audit log, newest first (auditors and district officers)."""
    filters = AuditFilter(record_type, record_id, actor_id, actor_kind, since, until)
    events, next_cursor = await service.page(session, filters, limit, cursor)
    return AuditPage(
        items=[AuditEventOut.model_validate(e) for e in events],
        next_cursor=next_cursor,
    )
