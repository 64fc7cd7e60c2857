"""Exit rules (可能不再符合): a monitored household may no longer qualify. Only a suggestion: a
person checks, and a category change is a district officer's recorded decision."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Select, String, cast, func, literal, select

from app.households.eligibility.repository import region_standards
from app.models.household import Household, HouseholdMember
from app.models.monitoring import Signal
from app.monitoring.rules.base import (
    Days,
    Level,
    Months,
    Multiple,
    Rule,
    RuleClass,
    RuleParams,
    ScanContext,
    basis_points,
    cents,
    hit,
    household_subject,
    in_window,
    member_signals,
    money_text,
    months_before,
    signal_evidence,
    signal_window,
    to_cents,
)
from app.monitoring.rules.recent import RecentSignalRule
from app.monitoring.rules.twin import (
    Evidence,
    HouseholdFacts,
)

Category = Literal["dibao", "tekun", "dibao_edge", "expenditure_hardship", "other_special"]


def _categories(*default: str) -> Any:
    return Field(default_factory=lambda: list(default), min_length=1, max_length=5)


class _CategorySignalRule(RecentSignalRule):
    def member_matches(self, p: Any, facts: HouseholdFacts, person_hash: str, on: date) -> bool:
        return facts.category in p.categories

    def sql_where(self, p: Any, ctx: ScanContext) -> list[Any]:
        return [Household.category.in_(list(p.categories))]


class VehicleOwned(_CategorySignalRule):
    """A vehicle was registered in the last ``days`` days to a member of a household in one of
    ``categories`` (dibao by default)."""

    code = "exit_vehicle"
    name = "低保家庭成员名下登记车辆"
    rule_class = RuleClass.exit
    default_level = Level.yellow
    source = "vehicle"
    field_name = "vehicle"
    summary_text = "家庭成员名下登记有机动车，请核实是否仍符合条件"

    class Params(RuleParams):
        categories: list[Category] = _categories("dibao")
        days: Days = 365


class BusinessRegistered(_CategorySignalRule):
    """A business was registered in the last ``days`` days to a member of a household in one of
    ``categories`` (dibao by default)."""

    code = "exit_business"
    name = "低保家庭成员登记经营主体"
    rule_class = RuleClass.exit
    default_level = Level.yellow
    source = "business"
    field_name = "business"
    summary_text = "家庭成员登记有工商经营主体，请核实是否仍符合条件"

    class Params(RuleParams):
        categories: list[Category] = _categories("dibao")
        days: Days = 365


class OnlyMemberDied(RecentSignalRule):
    """The only member of a monitored household died in the last ``days`` days: the household
    should leave the registry."""

    code = "exit_only_member_died"
    name = "单人户成员死亡"
    rule_class = RuleClass.exit
    default_level = Level.orange
    source = "death"
    field_name = "date_of_death"
    summary_text = "单人户唯一成员死亡，应办理退出"

    class Params(RuleParams):
        days: Days = 365

    def member_matches(self, p: Any, facts: HouseholdFacts, person_hash: str, on: date) -> bool:
        return len(facts.members) == 1

    def sql_where(self, p: Any, ctx: ScanContext) -> list[Any]:
        return [Household.members_count == 1]


class IncomeOverStandard(Rule):
    """A household in one of ``categories`` whose members' recorded income (income records
    from other agencies, summed per calendar month) per head was above ``multiple`` times the
    dibao standard in force for it in at least ``months`` calendar months of the last
    ``months`` months."""

    code = "exit_income_over_standard"
    triggers = frozenset({"income"})
    name = "收入连续超过标准"
    rule_class = RuleClass.exit
    default_level = Level.orange

    class Params(RuleParams):
        multiple: Multiple = Decimal("1.5")
        months: Months = 3
        categories: list[Category] = _categories("dibao", "dibao_edge")

    @staticmethod
    def threshold_cents(p: Params, standard_cents: int, members: int) -> int:
        return (basis_points(p.multiple) * standard_cents * members + 5000) // 10000

    def check(self, p: Params, facts: Any, on: date) -> list[Evidence]:
        if not isinstance(facts, HouseholdFacts) or facts.category not in p.categories:
            return []
        if facts.dibao_standard is None or not facts.members:
            return []
        start = months_before(on, p.months)
        standard, n = to_cents(facts.dibao_standard), len(facts.members)
        by_month: dict[str, list[Any]] = defaultdict(list)
        for s in facts.signals:
            if s.source == "income" and s.amount is not None and in_window(s, start, on):
                by_month[s.occurred_on.isoformat()[:7]].append(s)
        over = {
            month: signals
            for month, signals in by_month.items()
            if to_cents(sum((s.amount for s in signals), Decimal(0))) * 10000
            > basis_points(p.multiple) * standard * n
        }
        if len(over) < p.months:
            return []
        threshold = money_text(Decimal(self.threshold_cents(p, standard, n)) / 100)
        return [
            Evidence(
                "income",
                s.import_id,
                s.row,
                "monthly_income",
                money_text(s.amount or Decimal(0)),
                threshold,
            )
            for signals in over.values()
            for s in signals
        ]

    def hits(self, p: Params, ctx: ScanContext) -> Select[Any]:
        standards = region_standards(ctx.district_code, ctx.on)
        month = func.substr(cast(Signal.occurred_on, String), 1, 7)
        window = [*signal_window("income", months_before(ctx.on, p.months), ctx.on)]
        window.append(Signal.amount.is_not(None))
        bp = basis_points(p.multiple)
        # Income per household and month first (from the few income signals), the standards
        # joined to that small result after, so the signals drive the plan.
        totals = (
            member_signals(
                Household.id.label("household_id"),
                Household.region_code.label("region_code"),
                month.label("month"),
                func.max(Household.members_count).label("n"),
                func.sum(Signal.amount).label("total"),
            )
            .where(
                *window,
                Household.category.in_(list(p.categories)),
                Household.members_count > 0,
                ctx.touched_households(Household.id),
            )
            .group_by(Household.id, Household.region_code, month)
            .subquery("monthly_income")
        )
        monthly = (
            select(totals.c.household_id, totals.c.month, standards.c.s, totals.c.n)
            .join(standards, standards.c.code == totals.c.region_code)
            .where(
                standards.c.s.is_not(None),
                cents(totals.c.total) * 10000 > standards.c.s * totals.c.n * bp,
            )
            .cte("months_over")
        )
        qualifying = (
            select(monthly.c.household_id)
            .group_by(monthly.c.household_id)
            .having(func.count() >= p.months)
            .subquery("households_over")
        )
        threshold_cents = (monthly.c.s * monthly.c.n * bp + 5000) // 10000
        return (
            member_signals(
                *hit(
                    **household_subject(Household, HouseholdMember),
                    **signal_evidence(Signal),
                    field="monthly_income",
                    value=ctx.money(Signal.amount),
                    threshold=ctx.money(threshold_cents / 100.0),
                    summary=literal(
                        f"家庭人均收入连续 {p.months} 个月超过低保标准的 {p.multiple} 倍", String
                    ),
                )
            )
            .join(qualifying, qualifying.c.household_id == Household.id)
            .join(
                monthly,
                (monthly.c.household_id == Household.id) & (monthly.c.month == month),
            )
            .where(*window)
        )
