"""SQL for eligibility: one household with its active members, and the mismatch worklist.

The worklist is one statement. A subquery resolves, for every region in the caller's
jurisdiction, the dibao standard and edge multiplier in force on the date (correlated look-ups
on the small standards table, kept below the join by ``OFFSET 0`` so they run once per region,
not once per household); households hash-join it on ``region_code``, and boolean expressions
over the summary columns (``members_count``, ``monthly_income_total``, rigid spending,
``has_severe_member``) apply the rules of :mod:`~app.households.eligibility.rules`. Two rules need
the members: the single-person rule (only where ``has_severe_member``) and tekun (only where
there is no income) count them with an indexed sub-select behind those guards.

Money is compared in integer cents so SQLite (which stores NUMERIC as REAL) and PostgreSQL agree
with the Python rules to the cent: "income / n rounded half-up is below S" is exactly
``2·T < (2·S − 1)·n`` with ``T`` and ``S`` in cents.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden
from app.households.categories.vocabulary import Category
from app.households.eligibility.rules import EXIT
from app.households.repository import readable_statement
from app.kit.actor import Actor
from app.models.household import Household, HouseholdMember
from app.models.region import Region
from app.regions.jurisdiction import in_subtree
from app.standards.repository import StandardKind, in_force_statement

DEFAULT_MULTIPLIER_BP = 15000  # 1.5 in ten-thousandths


async def get_readable(session: AsyncSession, actor: Actor, household_id: int) -> Household | None:
    return await session.scalar(readable_statement(actor).where(Household.id == household_id))


async def active_members(session: AsyncSession, household_id: int) -> list[HouseholdMember]:
    stmt = (
        select(HouseholdMember)
        .where(HouseholdMember.household_id == household_id, HouseholdMember.removed_at.is_(None))
        .order_by(HouseholdMember.id)
    )
    return list(await session.scalars(stmt))


def cents(expr: Any) -> ColumnElement[int]:
    """Yuan to integer cents, exact for two-decimal values on both backends."""
    return cast(func.round(expr * 100), BigInteger)


def years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year that has none
        return on.replace(year=on.year - years, day=28)


def region_standards(scope_code: str, on: date) -> Any:
    """Each region under ``scope_code`` with its dibao standard (cents) and edge threshold
    (cents, half-up) in force on ``on``: a few dozen rows, resolved once."""
    dibao = cents(in_force_statement(Region.code, StandardKind.dibao, on).scalar_subquery())
    multiplier = func.coalesce(
        cast(
            func.round(
                in_force_statement(Region.code, StandardKind.edge_multiplier, on).scalar_subquery()
                * 10000
            ),
            BigInteger,
        ),
        DEFAULT_MULTIPLIER_BP,
    )
    # OFFSET 0: evaluated per region, before the join, not pulled up into it (where the
    # look-ups would run again for every household).
    inner = (
        select(Region.code.label("code"), dibao.label("s"), multiplier.label("m"))
        .where(in_subtree(Region.code, scope_code))
        .offset(0)
        .subquery("region_in_force")
    )
    return select(
        inner.c.code,
        inner.c.s,
        ((inner.c.s * inner.c.m + 5000) // 10000).label("e"),
    ).subquery("region_standards")


def _below(amount_cents: Any, threshold_cents: Any, n: Any) -> ColumnElement[bool]:
    """``round_half_up(amount / n, 2) < threshold``, in integers."""
    return 2 * amount_cents < (2 * threshold_cents - 1) * n


def mismatch_statement(
    actor: Actor,
    *,
    on: date,
    region_code: str | None,
    suggested: str | None,
    before_id: int | None,
    limit: int | None,
) -> Select[Any]:
    """Households whose category no longer matches their data, or with none that now
    qualify, newest first. One statement; see the module docstring."""
    if actor.kind != "staff" or not actor.region_code:
        raise Forbidden("仅限辖区工作人员", code="staff_only")
    standards = region_standards(actor.region_code, on)
    s, e = standards.c.s, standards.c.e
    n = Household.members_count
    total = cents(Household.monthly_income_total)
    after = total - cents(Household.medical_spending) - cents(Household.education_spending)

    income_dibao = and_(n > 0, _below(total, s, n))
    member = HouseholdMember
    # Member look-ups as counts, each behind a cheap guard, so they run per household only
    # where needed (an EXISTS would be turned into a hash over every member).
    severe_alone = and_(
        Household.has_severe_member,
        select(func.count())
        .where(
            member.household_id == Household.id,
            member.removed_at.is_(None),
            or_(member.disability_grade.in_((1, 2)), member.severe_illness),
            cents(member.monthly_income) < s,
        )
        .scalar_subquery()
        > 0,
    )
    tekun = and_(
        n > 0,
        total == 0,
        select(func.count())
        .where(
            member.household_id == Household.id,
            member.removed_at.is_(None),
            not_(
                and_(
                    member.work_capacity == "none",
                    cents(member.monthly_income) == 0,
                    or_(
                        member.birth_date <= years_before(on, 60),
                        member.birth_date > years_before(on, 16),
                        member.disability_grade.in_((1, 2)),
                    ),
                )
            ),
        )
        .scalar_subquery()
        == 0,
    )
    assessed = (
        readable_statement(actor)
        .with_only_columns(
            Household.id,
            Household.reference,
            Household.region_code,
            Household.address,
            Household.category,
            Household.category_since,
            Household.risk_level,
            Household.causes,
            Household.members_count,
            Household.declared_size,
            Household.phone_masked,
            Household.monthly_income_total,
            Household.medical_spending,
            Household.education_spending,
            Household.head_name,
            Household.head_id_masked,
            Household.status,
            Household.version,
            Household.updated_at,
            s.label("standard_cents"),
            e.label("edge_cents"),
            cast(income_dibao, Boolean).label("q_income"),
            cast(or_(income_dibao, severe_alone), Boolean).label("q_dibao"),
            cast(severe_alone, Boolean).label("q_other"),
            cast(and_(n > 0, not_(income_dibao), _below(after, s, n)), Boolean).label("q_exp"),
            cast(and_(n > 0, not_(income_dibao), _below(total, e, n)), Boolean).label("q_edge"),
            cast(tekun, Boolean).label("q_tekun"),
        )
        # An outer join keeps households the driving side, read in id order.
        .outerjoin(standards, standards.c.code == Household.region_code)
        .where(Household.status == "active")
    )
    if region_code:
        assessed = assessed.where(in_subtree(Household.region_code, region_code))
    if before_id is not None:
        assessed = assessed.where(Household.id < before_id)
    a = assessed.subquery("assessed")

    best = case(
        (a.c.q_tekun, literal(Category.tekun.value)),
        (a.c.q_dibao, literal(Category.dibao.value)),
        (a.c.q_exp, literal(Category.expenditure_hardship.value)),
        (a.c.q_edge, literal(Category.dibao_edge.value)),
        else_=null(),
    )
    no_longer = or_(
        and_(a.c.category.is_(None), or_(a.c.q_tekun, a.c.q_dibao, a.c.q_exp, a.c.q_edge)),
        and_(a.c.category == Category.dibao.value, not_(a.c.q_dibao)),
        and_(a.c.category == Category.tekun.value, not_(a.c.q_tekun)),
        and_(a.c.category == Category.dibao_edge.value, not_(a.c.q_edge)),
        and_(a.c.category == Category.expenditure_hardship.value, not_(a.c.q_exp)),
        and_(a.c.category == Category.other_special.value, not_(a.c.q_other)),
    )
    suggestion = func.coalesce(best, literal(EXIT, String)).label("suggested")
    # Only what the service reads: a flag left out is not computed (its member look-up with it).
    shown = [c for c in a.c if not c.key.startswith("q_") or c.key == "q_income"]
    stmt = (
        select(*shown, suggestion)
        .where(a.c.standard_cents.is_not(None), no_longer)
        .order_by(a.c.id.desc())
    )
    if suggested is not None:
        stmt = stmt.where(best.is_(None) if suggested == EXIT else best == suggested)
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


async def list_mismatches(
    session: AsyncSession,
    actor: Actor,
    *,
    on: date,
    region_code: str | None,
    suggested: str | None,
    before_id: int | None,
    limit: int | None,
) -> list[dict[str, Any]]:
    """The worklist rows, one dict each (see :func:`mismatch_statement`)."""
    stmt = mismatch_statement(
        actor,
        on=on,
        region_code=region_code,
        suggested=suggested,
        before_id=before_id,
        limit=limit,
    )
    if session.get_bind().dialect.name == "postgresql":
        # The statement is cheap per row but its cost estimate is high over a whole district:
        # JIT compilation would take longer (most of a second) than the query itself.
        await session.execute(text("SET LOCAL jit = off"))
    result = await session.execute(stmt)
    keys = list(result.keys())
    # Plain dicts: a result row's attribute (or mapping) access costs more, per field, than
    # everything the service then does with it.
    return [dict(zip(keys, row, strict=True)) for row in result.all()]
