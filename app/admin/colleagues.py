"""``GET /staff/colleagues``: the active staff in the caller's jurisdiction, by name and role,
so a street or district officer can pick the worker a warning or a household goes to (and a
worker find their own list). No login data, no contact details: who they are and where."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from app.accounts.dependencies import RequireVisitsRead
from app.accounts.scopes import Role
from app.db.deps import Session
from app.errors import OutsideJurisdiction
from app.kit.params import RegionCodeQuery
from app.kit.schemas import Schema
from app.models.account import Staff
from app.regions.jurisdiction import covers, in_subtree

router = APIRouter(prefix="/staff", tags=["accounts"])
MAX_COLLEAGUES = 500
CASEWORK_ROLES = (
    Role.community_worker,
    Role.social_worker,
    Role.street_officer,
    Role.district_officer,
)


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
    assert actor.region_code is not None
    within = region_code or actor.region_code
    if not covers(actor.region_code, within):
        raise OutsideJurisdiction()
    stmt = (
        select(Staff)
        .where(
            Staff.active.is_(True),
            Staff.role.in_([r.value for r in CASEWORK_ROLES]),
            in_subtree(Staff.region_code, within),
        )
        .order_by(Staff.region_code, Staff.id)
        .limit(MAX_COLLEAGUES)
    )
    if role is not None:
        stmt = stmt.where(Staff.role == role.value)
    rows = await session.scalars(stmt)
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
