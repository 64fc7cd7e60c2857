"""SQL for procedures. Every read of a case goes through :func:`readable_statement`
(jurisdiction of the application, as intake applies it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Integer, Select, String, and_, cast, extract, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.intake import repository as intake_repository
from app.kit.actor import Actor
from app.kit.rotation import EncryptedField
from app.models.account import Staff
from app.models.application import Application, ApplicationEvent
from app.models.household import CategoryChange, HouseholdMember
from app.models.procedure import Procedure, ProcedureDocument, ProcedureObjection, ProcedureStep
from app.models.region import Region
from app.procedures.spec import NO_TIME_LIMIT, STEPS
from app.regions.jurisdiction import in_subtree


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
    EncryptedField(
        "procedure_document.content", ProcedureDocument.id, ProcedureDocument.content_enc
    ),
]


# Supervision (督办): set-based, over the procedures the actor may read.


PERIODS = sorted({s.code for steps in STEPS.values() for s in steps if s.period})


def _days_between(session: AsyncSession, later: date, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return cast(literal(later) - earlier, Integer)
    return cast(func.julianday(literal(later.isoformat())) - func.julianday(earlier), Integer)


def _scoped(actor: Actor, region_code: str | None) -> Any:
    stmt = readable_statement(actor)
    if region_code:
        stmt = stmt.where(in_subtree(Procedure.region_code, region_code))
    return stmt.subquery()


async def overdue_steps(
    session: AsyncSession, actor: Actor, region_code: str | None, today: date, limit: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Pending steps past their due date: counts per street, and the steps themselves (most
    overdue first, at most ``limit``). Two statements whatever their number."""
    scoped = _scoped(actor, region_code)
    street = func.substr(scoped.c.region_code, 1, 9, type_=String) + "000"
    days = _days_between(session, today, ProcedureStep.due_on)
    base = (
        select(
            ProcedureStep.step,
            ProcedureStep.due_on,
            scoped.c.application_id,
            scoped.c.category,
            scoped.c.region_code,
            street.label("street_code"),
            days.label("days_over"),
        )
        .join(scoped, scoped.c.id == ProcedureStep.procedure_id)
        .where(
            ProcedureStep.status == "pending",
            ProcedureStep.due_on < today,
            # A period that ran out (公示期满) is no time limit missed.
            ProcedureStep.step.not_in(PERIODS),
        )
        .subquery()
    )
    streets = (
        select(
            base.c.street_code,
            func.coalesce(Region.name, "").label("street_name"),
            func.count().label("steps"),
            func.max(base.c.days_over).label("max_days_over"),
        )
        .outerjoin(Region, Region.code == base.c.street_code)
        .group_by(base.c.street_code, Region.name)
        .order_by(func.count().desc(), base.c.street_code)
    )
    items = (
        select(
            base.c.application_id,
            Application.reference,
            base.c.category,
            base.c.step,
            base.c.region_code,
            base.c.street_code,
            func.coalesce(Region.name, "").label("street_name"),
            base.c.due_on,
            base.c.days_over,
        )
        .join(Application, Application.id == base.c.application_id)
        .outerjoin(Region, Region.code == base.c.street_code)
        .order_by(base.c.days_over.desc(), base.c.application_id, base.c.step)
        .limit(limit)
    )
    return (
        [dict(r._mapping) for r in await session.execute(streets)],
        [dict(r._mapping) for r in await session.execute(items)],
    )


async def decided_per_month(
    session: AsyncSession, actor: Actor, region_code: str | None, year: int
) -> list[Any]:
    """Per month of ``year``: procedures decided, and how many within their limit (the overall
    limit where set, else the decision step's due date; a category with neither, as
    :data:`~app.procedures.spec.NO_TIME_LIMIT` derives it, is never late)."""
    scoped = _scoped(actor, region_code)
    decision = aliased(ProcedureStep)
    limit_on = func.coalesce(scoped.c.limit_on, decision.due_on)
    month = extract("month", scoped.c.decided_on)
    stmt = (
        select(
            month.label("month"),
            func.count().label("decided"),
            func.count()
            .filter(
                or_(
                    scoped.c.decided_on <= limit_on,
                    # a category with no time limit on its decision: never late
                    and_(limit_on.is_(None), scoped.c.category.in_(sorted(NO_TIME_LIMIT))),
                )
            )
            .label("within_limit"),
        )
        .select_from(scoped)
        .outerjoin(
            decision,
            and_(decision.procedure_id == scoped.c.id, decision.step == "confirm"),
        )
        .where(scoped.c.decided_on.between(date(year, 1, 1), date(year, 12, 31)))
        .group_by(month)
        .order_by(month)
    )
    return list(await session.execute(stmt))


async def region_name(session: AsyncSession, code: str) -> str | None:
    return await session.scalar(select(Region.name).where(Region.code == code))


# Due dates left unknown (deadlines.py) and re-checks (rechecks.py).


async def pending_steps_with_unknown_due(
    session: AsyncSession,
) -> list[tuple[ProcedureStep, Procedure]]:
    """Every pending step whose due date is unknown, with its procedure."""
    rows = await session.execute(
        select(ProcedureStep, Procedure)
        .join(Procedure, Procedure.id == ProcedureStep.procedure_id)
        .where(ProcedureStep.status == "pending", ProcedureStep.deadline_unknown.is_(True))
    )
    return [(step, procedure) for step, procedure in rows]


async def procedures_with_unknown_limit(session: AsyncSession) -> list[Procedure]:
    """Procedures with an overall limit in days whose end date is unknown (undecided, or
    decided and waiting on the date to count against)."""
    rows = await session.scalars(
        select(Procedure).where(
            Procedure.limit_days.is_not(None),
            Procedure.limit_on.is_(None),
            or_(Procedure.outcome.is_(None), Procedure.decided_on.is_not(None)),
        )
    )
    return list(rows)


async def has_member_able_to_work(session: AsyncSession, household_id: int) -> bool:
    """An active member of the household is able to work (full work capacity)."""
    able = await session.scalar(
        select(
            select(HouseholdMember.id)
            .where(
                HouseholdMember.household_id == household_id,
                HouseholdMember.active.is_(True),
                HouseholdMember.work_capacity == "full",
            )
            .exists()
        )
    )
    return bool(able)


# Advances paid before the person had a household (先行救助, ``ledger_pending``).


async def advances_of(session: AsyncSession, actor: Actor, id_hashes: Sequence[str]) -> list[int]:
    """The applications, among those the actor may read, whose subject is one of these
    people and whose procedure paid an advance (whether it still waits is in its step)."""
    if not id_hashes:
        return []
    stmt = (
        readable_statement(actor)
        .with_only_columns(Procedure.application_id)
        .join(Application, Application.id == Procedure.application_id)
        .join(
            ProcedureStep,
            and_(
                ProcedureStep.procedure_id == Procedure.id,
                ProcedureStep.step == "advance",
                ProcedureStep.status == "done",
            ),
        )
        .where(
            Application.subject_id_hash.in_(id_hashes),
            Procedure.advance_amount.is_not(None),
        )
        .order_by(Procedure.application_id)
    )
    return list(await session.scalars(stmt))
