"""``GET /staff/colleagues``: the active staff in the caller's jurisdiction, by name and role,
so a street or district officer can pick the worker a warning or a household goes to (and a
worker find their own list). No login data, no contact details: who they are and where."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.dependencies import RequireVisitsRead
from app.accounts.scopes import Role
from app.admin import service
from app.db.deps import Session
from app.kit.params import RegionCodeQuery
from app.kit.schemas import Schema

router = APIRouter(prefix="/staff", tags=["accounts"])


class Colleague(Schema):
    id: int
    display_name: str
    role: str
    region_code: str


class Colleagues(Schema):
    items: list[Colleague]


@router.get("/colleagues", response_model=Colleagues)
async def colleagues(
    session: Session,
    actor: RequireVisitsRead,
    role: Annotated[Role | None, Query(description="只看某一角色")] = None,
    region_code: RegionCodeQuery = None,
) -> Colleagues:
    """Active case-working staff in the caller's jurisdiction (or a region inside it), by
    region then id, at most 500."""
    rows = await service.colleagues(session, actor, role=role, region_code=region_code)
    return Colleagues(
        items=[
            Colleague(
                id=s.id,
                display_name=s.display_name or s.username,
                role=s.role,
                region_code=s.region_code,
            )
            for s in rows
        ]
    )
