"""A visit and what it sets going (follow-ups), in the visit's transaction: a warning for the
district's queue (monitoring), needs for services, an application on the household's behalf
(intake, channel ``staff``). Visits sit above monitoring and intake in the import layers, so
this flow calls their services directly."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import Scope, has_scope
from app.errors import Forbidden, Invalid
from app.intake import creation as intake
from app.intake.schemas import ApplicationCreate, Relation, SubjectIn
from app.kit.actor import Actor
from app.kit.crypto import get_cipher
from app.models.household import Household
from app.models.visit import Visit
from app.monitoring.warnings import service as warnings
from app.visits import repository, service
from app.visits.schemas import ApplicationFollowUp, VisitCreate, WarningFollowUp

VISIT_CONCERN = "visit_concern"


async def record_visit(
    session: AsyncSession, actor: Actor, household_id: int, body: VisitCreate
) -> Visit:
    """Record the visit, then its follow-ups; any failure rolls the whole visit back."""
    follow_ups = body.follow_ups
    if (
        follow_ups is not None
        and follow_ups.application is not None
        and not has_scope(actor.role, Scope.cases_create)
    ):
        raise Forbidden("当前角色不能代为申请", code="action_not_allowed")
    visit = await service.record_visit(session, actor, household_id, body)
    if follow_ups is None:
        return visit
    household = await session.get(Household, visit.household_id)
    assert household is not None
    if follow_ups.warning is not None:
        visit.warning_id = await _raise_warning(
            session, actor, visit, household, follow_ups.warning
        )
    if follow_ups.needs:
        await service.record_needs(session, actor, visit, follow_ups.needs)
    if follow_ups.application is not None:
        visit.application_id = await _open_application(
            session, actor, visit, household, follow_ups.application
        )
    await session.flush()
    return visit


async def _raise_warning(
    session: AsyncSession, actor: Actor, visit: Visit, household: Household, w: WarningFollowUp
) -> int:
    concerns = sorted(k for k, v in visit.checklist.items() if v in ("concern", "urgent"))
    evidence: list[dict[str, Any]] = [
        {
            "source": "visit",
            "import_id": None,
            "row": visit.id,
            "field": "checklist",
            "value": ",".join(concerns) or None,
            "threshold": None,
        }
    ]
    warning = await warnings.raise_warning(
        session,
        actor,
        rule_code=VISIT_CONCERN,
        household_id=household.id,
        region_code=household.region_code,
        person_name=household.head_name,
        level=w.level.value,
        summary=f"走访记录 {visit.id}（{visit.visited_on.isoformat()}）：{w.summary}",
        evidence=evidence,
    )
    return warning.id


async def _open_application(
    session: AsyncSession,
    actor: Actor,
    visit: Visit,
    household: Household,
    a: ApplicationFollowUp,
) -> int:
    head = await repository.head_of(session, household.id)
    if head is None:
        raise Invalid("该家庭没有在册成员，无法代为申请", code="no_subject")
    name, id_enc = head
    application = await intake.submit(
        session,
        actor,
        ApplicationCreate(
            relation=Relation.other,
            subject=SubjectIn(
                name=name,
                id_number=get_cipher().decrypt(id_enc),
                region_code=household.region_code,
                address=household.address,
            ),
            help_types=a.help_types,
            description=f"入户走访（走访记录 {visit.id}）代为申请：{a.description}"[:2000],
            consent=a.consent,
        ),
    )
    return application.id
