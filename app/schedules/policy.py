"""Visit policy (走访周期): days between visits per category and risk level, optionally per region
subtree, effective-dated; and the rule that turns it into a household's next due date, once in
SQL over any number of households (:mod:`app.schedules.recompute` stores it) and once in Python
(the readable twin the tests compare).

Resolution: among the entries for the household's category (``none`` when it has none yet) and
risk level that are in force on the day and cover its region, the most specific region wins,
then the latest ``effective_from``. No entry: the built-in default below, which counts as a
district-wide entry in force since :data:`DEFAULTS_SINCE`.

Next due date: the last visit's local date (or, never visited, the day the household was
registered) plus the cycle; a visit pulled forward by a confirmed warning, if earlier, wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select

from app.models.assistance import HouseholdProfile, MemberTag
from app.models.household import Household
from app.models.visit import VisitPolicy
from app.regions.jurisdiction import CODE_LENGTH, covers, significant_prefix, subtree_bounds

DEFAULTS_SINCE = date(2000, 1, 1)
EVERYWHERE = ("0" * CODE_LENGTH, "9" * CODE_LENGTH)

# Days between visits. Key targets (all high risk, every tekun household, and the other special
# hardship households at medium risk) monthly; the rest of the fragile every 45 days or
# quarterly; stable edge households twice a year. On the demo population this comes to about
# 50,000 household visits a year (README, "Visits"), Wenjiang's 2022 volume.
DEFAULT_CYCLES: dict[tuple[str, str], int] = {
    ("tekun", "high"): 30,
    ("tekun", "medium"): 30,
    ("tekun", "low"): 30,
    ("other_special", "high"): 30,
    ("other_special", "medium"): 30,
    ("other_special", "low"): 90,
    ("dibao", "high"): 30,
    ("dibao", "medium"): 45,
    ("dibao", "low"): 90,
    ("expenditure_hardship", "high"): 30,
    ("expenditure_hardship", "medium"): 45,
    ("expenditure_hardship", "low"): 90,
    ("dibao_edge", "high"): 30,
    ("dibao_edge", "medium"): 45,
    ("dibao_edge", "low"): 180,
    ("none", "high"): 30,
    ("none", "medium"): 60,
    ("none", "low"): 90,
}
FALLBACK_CYCLE = 30  # a risk level or category the table above does not know: visit soon
# Key targets (重点对象) and households with a member in one of these groups (the tags of
# ``app.assistance``: 困境儿童, 留守儿童, 独居老人, 失能老人, 重度残疾, 孤儿, 精神障碍) are visited
# on the high-risk cycle whatever their recorded risk level.
CLOSE_WATCH_GROUPS = (
    "children_in_difficulty",
    "left_behind_child",
    "elderly_alone",
    "disabled_elderly",
    "severe_disability",
    "orphan",
    "mental_illness",
)


@dataclass(frozen=True)
class Entry:
    category: str
    risk_level: str
    region_code: str | None
    cycle_days: int
    effective_from: date

    @property
    def key(self) -> tuple[str, str, str | None, date]:
        return (self.category, self.risk_level, self.region_code, self.effective_from)


def region_columns(region_code: str | None) -> dict[str, Any]:
    """The code range and depth stored beside an entry's region."""
    if region_code is None:
        low, high = EVERYWHERE
        return {"region_low": low, "region_high": high, "depth": 0}
    low, high = subtree_bounds(region_code)
    return {"region_low": low, "region_high": high, "depth": len(significant_prefix(region_code))}


def default_entries() -> list[Entry]:
    return [
        Entry(category, risk, None, days, DEFAULTS_SINCE)
        for (category, risk), days in DEFAULT_CYCLES.items()
    ]


# ---- Python twin ---------------------------------------------------------------------------


def visit_risk(risk_level: str, *, key_target: bool, groups: Iterable[str]) -> str:
    """The risk level a household's visits follow: ``high`` for a key target or a household
    with a member in a close-watch group, else its own."""
    if key_target or any(g in CLOSE_WATCH_GROUPS for g in groups):
        return "high"
    return risk_level


def cycle_for(
    entries: Iterable[Entry], category: str | None, risk_level: str, region_code: str, on: date
) -> int:
    """The cycle in force for one household on ``on``."""
    wanted = category or "none"
    best: tuple[int, date, int] | None = None
    for e in entries:
        if e.category != wanted or e.risk_level != risk_level or e.effective_from > on:
            continue
        if e.region_code is not None and not covers(e.region_code, region_code):
            continue
        depth = len(significant_prefix(e.region_code)) if e.region_code else 0
        rank = (depth, e.effective_from, e.cycle_days)
        if best is None or rank[:2] > best[:2]:
            best = rank
    if best is not None:
        return best[2]
    return DEFAULT_CYCLES.get((wanted, risk_level), FALLBACK_CYCLE)


def next_due_on(
    entries: Iterable[Entry],
    *,
    category: str | None,
    risk_level: str,
    region_code: str,
    registered_on: date,
    last_visit_on: date | None,
    pulled_forward_on: date | None,
    today: date,
) -> date:
    """A household's next due date, as :func:`app.schedules.recompute.recompute` stores it."""
    cycle = cycle_for(entries, category, risk_level, region_code, today)
    regular = (last_visit_on or registered_on) + timedelta(days=cycle)
    if pulled_forward_on is not None and pulled_forward_on < regular:
        return pulled_forward_on
    return regular


# ---- SQL -----------------------------------------------------------------------------------


def _default_cycle(category: ColumnElement[str], risk: ColumnElement[str]) -> ColumnElement[int]:
    return case(
        *(
            (and_(category == cat, risk == level), days)
            for (cat, level), days in DEFAULT_CYCLES.items()
        ),
        else_=FALLBACK_CYCLE,
    )


def visit_risk_sql() -> ColumnElement[str]:
    """SQL twin of :func:`visit_risk` for the ``households`` row at hand."""
    watched = or_(
        exists().where(
            HouseholdProfile.household_id == Household.id, HouseholdProfile.key_target.is_(True)
        ),
        exists().where(
            MemberTag.household_id == Household.id, MemberTag.tag.in_(CLOSE_WATCH_GROUPS)
        ),
    )
    return case((watched, literal("high")), else_=Household.risk_level)


def cycle_sql(category: Any, risk_level: Any, region_code: Any, today: date) -> ColumnElement[int]:
    """The cycle in force for each row: one indexed lookup in the (small) policy table,
    falling back to the built-in default."""
    wanted = func.coalesce(category, "none")
    stored = (
        select(VisitPolicy.cycle_days)
        .where(
            VisitPolicy.category == wanted,
            VisitPolicy.risk_level == risk_level,
            VisitPolicy.effective_from <= today,
            region_code.between(VisitPolicy.region_low, VisitPolicy.region_high),
        )
        .order_by(VisitPolicy.depth.desc(), VisitPolicy.effective_from.desc())
        .limit(1)
        .correlate_except(VisitPolicy)
        .scalar_subquery()
    )
    return func.coalesce(stored, _default_cycle(wanted, risk_level))
