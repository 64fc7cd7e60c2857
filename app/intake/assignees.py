"""``GET /staff/applications/{id}/assignees``: whom a case may be assigned to (the assign
screen's list), by the same rule as ``POST .../assign``: active staff whose jurisdiction covers
the case and whose role works cases. One query over the case region's ancestors."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field
from sqlalchemy import select

from app.accounts.dependencies import RequireCasesAssign
from app.accounts.scopes import ROLE_SCOPES, Scope
from app.db.deps import Session
from app.intake import repository
from app.intake.errors import application_not_found
from app.kit.params import RecordId
from app.kit.schemas import Schema
from app.models.account import Staff
from app.regions.jurisdiction import ancestors

router = APIRouter(prefix="/staff", tags=["staff triage"])

# Roles that may be given a case: the assignee investigates (cases:work).
WORKING_ROLES = sorted(
    role.value for role, scopes in ROLE_SCOPES.items() if Scope.cases_work in scopes
)


class Assignee(Schema):
    id: int
    display_name: str = Field(description="The name staff see; the username when none is set")
    role: str
    region_code: str


@router.get("/applications/{application_id}/assignees", response_model=list[Assignee])
async def assignees(
    application_id: RecordId, session: Session, actor: RequireCasesAssign
) -> list[Assignee]:
    """Staff the case may be assigned to, nearest to the case's community first."""
    application = await repository.get_readable(session, actor, application_id)
    if application is None:
        raise application_not_found()
    chain = ancestors(application.region_code)
    rows = await session.scalars(
        select(Staff)
        .where(
            Staff.active.is_(True),
            Staff.role.in_(WORKING_ROLES),
            Staff.region_code.in_(chain),
        )
        .order_by(Staff.region_code.desc(), Staff.display_name, Staff.id)
        .limit(200)
    )
    return [
        Assignee(
            id=s.id,
            display_name=s.display_name or s.username,
            role=s.role,
            region_code=s.region_code,
        )
        for s in rows
    ]
