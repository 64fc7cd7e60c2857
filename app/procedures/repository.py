"""SQL for procedures. Every read of a case goes through :func:`readable_statement`
(jurisdiction of the application, as intake applies it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.intake import repository as intake_repository
from app.kit.actor import Actor
from app.kit.rotation import EncryptedField
from app.models.account import Staff
from app.models.application import Application, ApplicationEvent
from app.models.household import CategoryChange
from app.models.procedure import Procedure, ProcedureDocument, ProcedureObjection, ProcedureStep


def readable_statement(actor: Actor) -> Select[Procedure]:
    """Procedures of the applications the actor may see."""
    visible = intake_repository.readable_statement(actor).with_only_columns(Application.id)
    return select(Procedure).where(Procedure.application_id.in_(visible.scalar_subquery()))


async def for_application(
    session: AsyncSession, actor: Actor, application_id: int, *, for_update: bool = False
) -> Procedure | None:
    stmt = readable_statement(actor).where(Procedure.application_id == application_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def steps(session: AsyncSession, procedure_id: int) -> list[ProcedureStep]:
    rows = await session.scalars(
        select(ProcedureStep)
        .where(ProcedureStep.procedure_id == procedure_id)
        .order_by(ProcedureStep.id)
    )
    return list(rows)


async def documents(
    session: AsyncSession, procedure_id: int, *, applicant_only: bool = False
) -> Sequence[ProcedureDocument]:
    stmt = (
        select(ProcedureDocument)
        .where(ProcedureDocument.procedure_id == procedure_id)
        .order_by(ProcedureDocument.id)
        .execution_options(populate_existing=False)
    )
    if applicant_only:
        stmt = stmt.where(ProcedureDocument.applicant_copy.is_(True))
    return list(await session.scalars(stmt))


async def objections(session: AsyncSession, procedure_id: int) -> list[ProcedureObjection]:
    rows = await session.scalars(
        select(ProcedureObjection)
        .where(ProcedureObjection.procedure_id == procedure_id)
        .order_by(ProcedureObjection.id)
    )
    return list(rows)


async def document(
    session: AsyncSession, application_id: int, document_id: int
) -> ProcedureDocument | None:
    return await session.scalar(
        select(ProcedureDocument).where(
            ProcedureDocument.id == document_id,
            ProcedureDocument.application_id == application_id,
        )
    )


async def acceptance(session: AsyncSession, application_id: int) -> ApplicationEvent | None:
    """The application's acceptance (受理) event, if any."""
    return await session.scalar(
        select(ApplicationEvent)
        .where(
            ApplicationEvent.application_id == application_id,
            ApplicationEvent.action == "accept",
        )
        .order_by(ApplicationEvent.id)
        .limit(1)
    )


async def staff_members(session: AsyncSession, ids: Sequence[int]) -> list[Staff]:
    return list(await session.scalars(select(Staff).where(Staff.id.in_(ids))))


async def household_of(session: AsyncSession, application_id: int) -> int | None:
    """The household an approval of the application enrolled (or changed)."""
    return await session.scalar(
        select(CategoryChange.household_id)
        .where(CategoryChange.application_id == application_id)
        .order_by(CategoryChange.id.desc())
        .limit(1)
    )


async def tekun_spot_check_share(
    session: AsyncSession, region_prefix: str, year: int
) -> tuple[int, int]:
    """Tekun cases decided in ``year`` under the county and how many were spot-checked."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(Procedure.spot_checked.is_(True)),
            ).where(
                Procedure.category == "tekun",
                Procedure.decided_on.between(start, end),
                Procedure.region_code.startswith(region_prefix, autoescape=True),
            )
        )
    ).one()
    return int(row[0]), int(row[1])


SEALED_COLUMNS = [
    EncryptedField("procedure_step.findings", ProcedureStep.id, ProcedureStep.findings_enc),
    EncryptedField("procedure_objection.text", ProcedureObjection.id, ProcedureObjection.text_enc),
]
