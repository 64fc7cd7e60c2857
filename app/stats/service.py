"""The bureau's figures for a region on a day or over a period: the jurisdiction check, the
periods, and the shapes the router and the workbooks share. Every figure is computed in the
database (``app/stats/repository.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid, NotFound, OutsideJurisdiction
from app.households.categories.vocabulary import Category
from app.households.schemas import CAUSE_BITS, LedgerKind
from app.kit.actor import Actor
from app.kit.inputs import EARLIEST
from app.kit.timeutil import local_today, local_zone
from app.models.region import Region
from app.regions.jurisdiction import covers, subtree_bounds
from app.stats import period as period_figures
from app.stats import repository
from app.stats.repository import NONE, Scope

CATEGORIES = [c.value for c in Category]
LEVELS = ("red", "orange", "yellow")
VISIT_HORIZON_DAYS = 30
# The applicant-facing limit the funnel measures decisions against (30 working days is about
# 42 calendar days).
DECISION_LIMIT_DAYS = 42
MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str
    scope: Scope


async def area_of(session: AsyncSession, actor: Actor, region_code: str | None) -> Area:
    """The region asked for (default: the caller's own), which must lie in the caller's
    jurisdiction."""
    assert actor.region_code is not None
    code = region_code or actor.region_code
    if not covers(actor.region_code, code):
        raise OutsideJurisdiction()
    region = await session.get(Region, code)
    if region is None:
        raise NotFound("行政区划不存在", code="region_not_found")
    return Area(code, region.name, region.level, Scope(*subtree_bounds(code)))


def check_day(on: date | None) -> date:
    today = local_today()
    on = on or today
    if not EARLIEST <= on <= today + timedelta(days=366):
        raise Invalid("统计日期超出可用范围", code="invalid_date")
    return on


def period(month: str | None, start: date | None, end: date | None) -> tuple[date, date]:
    """A month (``2026-11``) or ``from``..``to``; by default this month to today."""
    if month is not None:
        if start is not None or end is not None:
            raise Invalid("month 与 from/to 不能同时使用", code="invalid_period")
        year, number = (int(part) for part in month.split("-"))
        if not EARLIEST.year <= year <= local_today().year + 1:
            raise Invalid("统计月份超出可用范围", code="invalid_period")
        first = date(year, number, 1)
        following = date(year + number // 12, number % 12 + 1, 1)
        start, end = first, following - timedelta(days=1)
    today = local_today()
    end = end or today
    start = start or end.replace(day=1)
    latest = today + timedelta(days=366)
    if start > end or (end - start).days > MAX_PERIOD_DAYS or start < EARLIEST or end > latest:
        raise Invalid(
            "统计区间须 from ≤ to、不超过三年，且在 2000 年至明年之间", code="invalid_period"
        )
    return start, end


def day_start(day: date) -> datetime:
    """The first instant of a local day, in UTC."""
    return datetime.combine(day, time(), tzinfo=local_zone()).astimezone(UTC)


def _by_category(found: dict[str, tuple[int, int]], index: int) -> dict[str, int]:
    return {cat: found.get(cat, (0, 0))[index] for cat in [*CATEGORIES, NONE]}


def _permille(people: int, population: int | None) -> float | None:
    if not population:
        return None
    return round(people * 1000 / population, 2)


async def overview(
    session: AsyncSession, actor: Actor, on: date | None, region_code: str | None
) -> dict[str, Any]:
    """The figures of API.md's overview for a region on a day."""
    area = await area_of(session, actor, region_code)
    on = check_day(on)
    today = local_today()
    end = day_start(on + timedelta(days=1))
    found = await repository.registry(session, area.scope, on, end, today)
    households = {k: v for k, v in _by_category(found, 0).items() if k != NONE}
    people = _by_category(found, 1)
    population = await repository.population(session, area.scope, area.code)
    warnings = await repository.open_warnings(session, area.scope, end)
    due, overdue = await repository.visits_due(
        session, area.scope, on, on + timedelta(days=VISIT_HORIZON_DAYS)
    )
    return {
        "on": on,
        "region_code": area.code,
        "region_name": area.name,
        "households": households,
        "people": people,
        "population": population,
        "coverage_permille": _permille(sum(people.values()), population),
        "applications": await repository.applications_on(
            session, area.scope, end, today=on == today
        ),
        "warnings_open": {level: warnings.get(level, 0) for level in LEVELS},
        "visits": {"due": due, "overdue": overdue},
    }


def _urban_rural(region: Region) -> str:
    return "rural" if region.level == "village" else "urban"


def child_digits(level: str) -> int:
    return 12 if level in ("street", "town", "township", "community", "village") else 9


async def registry(
    session: AsyncSession,
    actor: Actor,
    on: date | None,
    region_code: str | None,
    start: date,
    end: date,
) -> dict[str, Any]:
    """Households and people by category per street (or per community, below a street), with
    urban and rural, coverage, decisions taking effect in the period and causes of hardship."""
    area = await area_of(session, actor, region_code)
    on = check_day(on)
    digits = child_digits(area.level)
    day_end = day_start(on + timedelta(days=1))
    by_area = await repository.registry_by_area(
        session, area.scope, on, day_end, local_today(), digits=digits
    )
    levels = ("community", "village") if digits == 12 else ("street", "town", "township")
    regions = await repository.areas(session, area.scope, levels)
    populations = await repository.leaf_populations(session, area.scope, digits)
    rows = []
    for region in regions:
        found = by_area.get(region.code, {})
        people = _by_category(found, 1)
        population = populations.get(region.code) or region.population
        rows.append(
            {
                "region_code": region.code,
                "name": region.name,
                "kind": ("rural" if region.level == "village" else "urban")
                if digits == 12
                else None,
                "households": {k: v for k, v in _by_category(found, 0).items() if k != NONE},
                "people": people,
                "population": population,
                "coverage_permille": _permille(sum(people.values()), population),
            }
        )
    changes = await repository.changes_in_period(session, area.scope, start, end)
    return {
        "on": on,
        "from": start,
        "to": end,
        "region_code": area.code,
        "region_name": area.name,
        "areas": rows,
        "entered": {c: changes.get(("enrol", c), 0) for c in CATEGORIES},
        "changed": {c: changes.get(("change", c), 0) for c in CATEGORIES},
        "exited": {c: changes.get(("exit", c), 0) for c in CATEGORIES},
        "causes": await repository.causes(
            session, area.scope, {c.value: bit for c, bit in CAUSE_BITS.items()}
        ),
    }


async def applications(
    session: AsyncSession, actor: Actor, region_code: str | None, start: date, end: date
) -> dict[str, Any]:
    """The funnel of applications submitted in the period and their processing times."""
    area = await area_of(session, actor, region_code)
    found = await period_figures.funnel(
        session,
        area.scope,
        day_start(start),
        day_start(end + timedelta(days=1)),
        DECISION_LIMIT_DAYS,
    )
    submitted = sum(found.by_status.values())
    return {
        "from": start,
        "to": end,
        "region_code": area.code,
        "region_name": area.name,
        "submitted": submitted,
        "accepted": found.accepted,
        "decided": found.decided,
        "approved": found.approved,
        "by_status": found.by_status,
        "average_hours_to_accept": found.hours_to_accept,
        "average_hours_to_decide": found.hours_to_decide,
        "decided_within_limit_share": (
            None if not found.decided else round(found.decided_in_time / found.decided, 3)
        ),
    }


async def warnings(
    session: AsyncSession, actor: Actor, region_code: str | None, start: date, end: date
) -> dict[str, Any]:
    """Warnings opened in the period by level, rule and route, and the time from the signal to
    the close."""
    area = await area_of(session, actor, region_code)
    groups, hours = await period_figures.warnings_opened(
        session, area.scope, day_start(start), day_start(end + timedelta(days=1))
    )
    by_level = dict.fromkeys(LEVELS, 0)
    by_rule: dict[str, int] = {}
    by_route: dict[str, int] = {}
    by_status: dict[str, int] = {}
    closed = 0
    for level, rule, route, status, n, n_closed in groups:
        by_level[level] = by_level.get(level, 0) + n
        by_rule[rule] = by_rule.get(rule, 0) + n
        if route is not None:
            by_route[route] = by_route.get(route, 0) + n
        by_status[status] = by_status.get(status, 0) + n
        closed += n_closed
    return {
        "from": start,
        "to": end,
        "region_code": area.code,
        "region_name": area.name,
        "opened": sum(by_level.values()),
        "closed": closed,
        "by_level": by_level,
        "by_rule": dict(sorted(by_rule.items())),
        "by_route": dict(sorted(by_route.items())),
        "by_status": dict(sorted(by_status.items())),
        "average_hours_signal_to_close": hours,
    }


async def payments(
    session: AsyncSession, actor: Actor, region_code: str | None, start: date, end: date
) -> dict[str, Any]:
    """What the ledger records as given in the period, by kind."""
    area = await area_of(session, actor, region_code)
    rows = await period_figures.payments(session, area.scope, start, end)
    found = {kind: (amount, n, h) for kind, amount, n, h in rows}
    kinds = [k.value for k in LedgerKind]
    return {
        "from": start,
        "to": end,
        "region_code": area.code,
        "region_name": area.name,
        "by_kind": [
            {
                "kind": kind,
                "amount": f"{found.get(kind, (0, 0, 0))[0]:.2f}",
                "entries": found.get(kind, (0, 0, 0))[1],
                "households": found.get(kind, (0, 0, 0))[2],
            }
            for kind in kinds
        ],
    }
