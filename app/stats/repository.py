"""The bureau's figures, each one set-based statement over a region's subtree (a code range an
index serves). Nothing here loops over households: each function groups in the database and
returns a handful of rows.

Categories on a day come from their history (``category_changes``: the last decision in effect
that day). Only households a decision moved between that day and today need it: the others are
read from the registry's own columns, which the decisions keep in step (a test holds the two
readings equal near every change). Membership is the household's current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, exists, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.application import Application, ApplicationEvent
from app.models.household import CategoryChange, Household
from app.models.region import Region
from app.models.visit import VisitSchedule
from app.models.warning import EarlyWarning

LEAF_LEVELS = ("community", "village")
NONE = "none"  # monitored, in no category
OPEN_WARNING = ("open", "dispatched", "verified")


@dataclass(frozen=True)
class Scope:
    """A region's subtree as the code range ``low``..``high``."""

    low: str
    high: str

    def holds(self, column: Any) -> Any:
        return column.between(self.low, self.high)


def category_on(on: date, among: Any = None) -> Any:
    """Per household (of the ``among`` ids, if given), its category in force on ``on``
    (``exited`` after an exit, NULL before any decision): the latest decision effective that
    day, ties to the later one."""
    ranked = (
        select(
            CategoryChange.household_id.label("household_id"),
            case(
                (CategoryChange.action == "exit", literal("exited")),
                else_=CategoryChange.category,
            ).label("category"),
            func.row_number()
            .over(
                partition_by=CategoryChange.household_id,
                order_by=(CategoryChange.effective_date.desc(), CategoryChange.id.desc()),
            )
            .label("rank"),
        )
        .where(CategoryChange.effective_date <= on)
        .where(true() if among is None else CategoryChange.household_id.in_(among))
        .subquery("ranked")
    )
    return (
        select(ranked.c.household_id, ranked.c.category).where(ranked.c.rank == 1).subquery("now")
    )


def _moved(on: date, today: date) -> Any:
    """The households with a decision taking effect between ``on`` and today (either way
    round): the only ones whose category on ``on`` differs from the registry's columns."""
    low, high = min(on, today), max(on, today)
    return select(CategoryChange.household_id).where(
        CategoryChange.effective_date > low, CategoryChange.effective_date <= high
    )


def _not_moved(on: date, today: date) -> Any:
    """SQL: no decision moved the household between ``on`` and today, as NOT EXISTS (an
    anti-join PostgreSQL hashes whatever its estimates; NOT IN once planned a plain subplan)."""
    low, high = min(on, today), max(on, today)
    return ~exists().where(
        CategoryChange.household_id == Household.id,
        CategoryChange.effective_date > low,
        CategoryChange.effective_date <= high,
    )


def _from_columns(scope: Scope, day_end: datetime, extra: list[Any]) -> Select[Any]:
    category = func.coalesce(Household.category, literal(NONE)).label("category")
    return (
        select(*extra, category, func.count(), func.sum(Household.members_count))
        .where(
            scope.holds(Household.region_code),
            Household.status == "active",
            Household.created_at < day_end,
        )
        .group_by(*extra, category)
    )


def _from_history(
    scope: Scope, on: date, day_end: datetime, extra: list[Any], among: Any = None
) -> Select[Any]:
    decided = category_on(on, among)
    category = func.coalesce(decided.c.category, literal(NONE)).label("category")
    stmt = (
        select(*extra, category, func.count(), func.sum(Household.members_count))
        .select_from(Household)
        .outerjoin(decided, decided.c.household_id == Household.id)
        .where(
            scope.holds(Household.region_code),
            Household.created_at < day_end,
            or_(decided.c.category.is_(None), decided.c.category != "exited"),
        )
        .group_by(*extra, category)
    )
    return stmt if among is None else stmt.where(Household.id.in_(among))


def registry_statements(
    scope: Scope,
    on: date,
    day_end: datetime,
    today: date,
    *,
    group: Any = None,
    also: tuple[Any, ...] = (),
) -> list[Select[Any]]:
    """Households and people by category on ``on`` (``none`` for those in none), optionally
    grouped further by a region column: the registry's own columns for every household no
    decision moved between that day and today, the history for the few it did. Their rows add
    up to :func:`history_statement`'s (a test holds them equal). ``also``: more household
    columns to group by, before the category (the tekun figure's care arrangement)."""
    extra = [*([] if group is None else [group(Household.region_code).label("grp")]), *also]
    columns = _from_columns(scope, day_end, extra)
    if on == today:
        return [columns]
    history = _from_history(scope, on, day_end, extra, among=_moved(on, today))
    return [columns.where(_not_moved(on, today)), history]


def history_statement(
    scope: Scope, on: date, day_end: datetime, *, group: Any = None
) -> Select[Any]:
    """The same figures from the decisions' history alone: the readable definition."""
    extra = [] if group is None else [group(Household.region_code).label("grp")]
    return _from_history(scope, on, day_end, extra)


async def _sum_rows(
    session: AsyncSession, statements: list[Select[Any]], grouped: bool
) -> dict[str, dict[str, tuple[int, int]]]:
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for stmt in statements:
        for row in await session.execute(stmt):
            key, cat, n, people = (str(row[0]), *row[1:]) if grouped else ("", *row)
            before = found.setdefault(key, {}).get(str(cat), (0, 0))
            found[key][str(cat)] = (before[0] + int(n), before[1] + int(people or 0))
    return found


async def registry(
    session: AsyncSession,
    scope: Scope,
    on: date,
    day_end: datetime,
    today: date,
    *,
    history: bool = False,
) -> dict[str, tuple[int, int]]:
    """``{category: (households, people)}`` on ``on``; ``history=True`` reads the history
    alone (the reference the fast reading is checked against)."""
    statements = (
        [history_statement(scope, on, day_end)]
        if history
        else registry_statements(scope, on, day_end, today)
    )
    return (await _sum_rows(session, statements, grouped=False)).get("", {})


async def registry_by_area(
    session: AsyncSession,
    scope: Scope,
    on: date,
    day_end: datetime,
    today: date,
    *,
    digits: int,
    history: bool = False,
) -> dict[str, dict[str, tuple[int, int]]]:
    """``{area code: {category: (households, people)}}``, areas cut at ``digits`` of the code
    (9: streets and towns, 12: communities and villages)."""
    pad = "0" * (12 - digits)

    def area(column: Any) -> Any:
        return func.substr(column, 1, digits) + literal(pad)

    statements = (
        [history_statement(scope, on, day_end, group=area)]
        if history
        else registry_statements(scope, on, day_end, today, group=area)
    )
    return await _sum_rows(session, statements, grouped=True)


async def population(session: AsyncSession, scope: Scope, code: str) -> int | None:
    """The resident population of a region: the sum of its communities' and villages' figures,
    or its own figure when none of them has one."""
    leaves = await session.scalar(
        select(func.sum(Region.population)).where(
            scope.holds(Region.code), Region.level.in_(LEAF_LEVELS)
        )
    )
    if leaves:
        return int(leaves)
    own = await session.scalar(select(Region.population).where(Region.code == code))
    return None if own is None else int(own)


async def areas(session: AsyncSession, scope: Scope, levels: tuple[str, ...]) -> list[Region]:
    return list(
        await session.scalars(
            select(Region)
            .where(scope.holds(Region.code), Region.level.in_(levels))
            .order_by(Region.code)
        )
    )


async def leaf_populations(session: AsyncSession, scope: Scope, digits: int) -> dict[str, int]:
    """Population per area cut at ``digits`` of the code, summed over its leaves."""
    pad = "0" * (12 - digits)
    area = (func.substr(Region.code, 1, digits) + literal(pad)).label("area")
    rows = await session.execute(
        select(area, func.sum(Region.population))
        .where(scope.holds(Region.code), Region.level.in_(LEAF_LEVELS))
        .group_by(area)
    )
    return {str(code): int(total or 0) for code, total in rows}


async def changes_in_period(
    session: AsyncSession, scope: Scope, start: date, end: date
) -> dict[tuple[str, str], int]:
    """Decisions taking effect in the period: ``{(action, category): households}``."""
    rows = await session.execute(
        select(
            CategoryChange.action,
            func.coalesce(CategoryChange.category, CategoryChange.previous_category, literal(NONE)),
            func.count(func.distinct(CategoryChange.household_id)),
        )
        .join(Household, Household.id == CategoryChange.household_id)
        .where(
            scope.holds(Household.region_code),
            CategoryChange.effective_date.between(start, end),
        )
        .group_by(CategoryChange.action, CategoryChange.category, CategoryChange.previous_category)
    )
    found: dict[tuple[str, str], int] = {}
    for action, cat, n in rows:
        found[(str(action), str(cat))] = found.get((str(action), str(cat)), 0) + int(n)
    return found


async def causes(session: AsyncSession, scope: Scope, bits: dict[str, int]) -> dict[str, int]:
    """Households in the registry by cause of hardship (a household may have several)."""
    columns = [
        func.sum(case((Household.cause_mask.op("&")(bit) != 0, 1), else_=0)).label(name)
        for name, bit in bits.items()
    ]
    row = (
        await session.execute(
            select(*columns).where(scope.holds(Household.region_code), Household.status == "active")
        )
    ).one()
    return {name: int(row[i] or 0) for i, name in enumerate(bits)}


async def applications_on(
    session: AsyncSession, scope: Scope, day_end: datetime, *, today: bool
) -> dict[str, int]:
    """Applications by the status they had at the end of the day."""
    if today:
        stmt = (
            select(Application.status, func.count())
            .where(scope.holds(Application.region_code))
            .group_by(Application.status)
        )
    else:
        ranked = (
            select(
                ApplicationEvent.to_status.label("status"),
                func.row_number()
                .over(
                    partition_by=ApplicationEvent.application_id,
                    order_by=(ApplicationEvent.at.desc(), ApplicationEvent.id.desc()),
                )
                .label("rank"),
            )
            .join(Application, Application.id == ApplicationEvent.application_id)
            .where(scope.holds(Application.region_code), ApplicationEvent.at < day_end)
            .subquery()
        )
        stmt = (
            select(ranked.c.status, func.count())
            .where(ranked.c.rank == 1)
            .group_by(ranked.c.status)
        )
    return {str(status): int(n) for status, n in await session.execute(stmt)}


async def open_warnings(session: AsyncSession, scope: Scope, day_end: datetime) -> dict[str, int]:
    """Warnings open at the end of the day, by level."""
    rows = await session.execute(
        select(EarlyWarning.level, func.count())
        .where(
            scope.holds(EarlyWarning.region_code),
            EarlyWarning.opened_at < day_end,
            or_(EarlyWarning.closed_at.is_(None), EarlyWarning.closed_at >= day_end),
            or_(EarlyWarning.closed_at.is_not(None), EarlyWarning.status.in_(OPEN_WARNING)),
        )
        .group_by(EarlyWarning.level)
    )
    return {str(level): int(n) for level, n in rows}


async def visits_due(session: AsyncSession, scope: Scope, on: date, until: date) -> tuple[int, int]:
    """Households in the registry whose next visit is due between ``on`` and ``until``, and
    those whose visit was due before ``on`` (overdue), by the current schedule."""
    due = func.sum(case((VisitSchedule.next_due_on.between(on, until), 1), else_=0))
    overdue = func.sum(case((VisitSchedule.next_due_on < on, 1), else_=0))
    row = (
        await session.execute(
            select(due, overdue)
            .join(Household, Household.id == VisitSchedule.household_id)
            .where(scope.holds(Household.region_code), Household.status == "active")
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)
