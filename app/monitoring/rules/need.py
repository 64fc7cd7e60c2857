"""Need rules (困难加深): a monitored household's living conditions turned worse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Select, String, and_, case, exists, func, literal, select

from app.models.household import Household, HouseholdMember
from app.models.monitoring import Signal
from app.monitoring.rules.base import (
    AgeYears,
    Amount,
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
    days_before,
    hit,
    household_key,
    household_subject,
    in_window,
    member_signals,
    money_text,
    months_before,
    not_open,
    signal_evidence,
    signal_window,
    to_cents,
    years_before,
)
from app.monitoring.rules.recent import RecentSignalRule
from app.monitoring.rules.twin import (
    Evidence,
    HouseholdFacts,
)


class MedicalSpending(Rule):
    """Out-of-pocket medical costs of a monitored household's members over the last ``months``
    months add up to more than the amount for its category (one published scale: ¥1,000 a year
    for tekun, ¥5,000 dibao, ¥10,000 dibao edge, ¥15,000 otherwise), or to more than
    ``income_share`` of the household's income over the same months (when it has income)."""

    code = "need_medical_spending"
    triggers = frozenset({"medical"})
    name = "医疗自付支出过大"
    rule_class = RuleClass.need
    default_level = Level.orange

    class Params(RuleParams):
        months: Months = 12
        tekun_amount: Amount = Decimal("1000.00")
        dibao_amount: Amount = Decimal("5000.00")
        edge_amount: Amount = Decimal("10000.00")
        other_amount: Amount = Decimal("15000.00")
        income_share: Multiple | None = Decimal("0.5")

    @staticmethod
    def amount_for(p: Params, category: str | None) -> Decimal:
        return {
            "tekun": p.tekun_amount,
            "dibao": p.dibao_amount,
            "dibao_edge": p.edge_amount,
        }.get(category or "", p.other_amount)

    def check(self, p: Params, facts: Any, on: date) -> list[Evidence]:
        if not isinstance(facts, HouseholdFacts):
            return []
        start = months_before(on, p.months)
        bills = [
            s
            for s in facts.signals
            if s.source == "medical" and s.amount is not None and in_window(s, start, on)
        ]
        total = to_cents(sum((s.amount for s in bills if s.amount is not None), Decimal(0)))
        amount = self.amount_for(p, facts.category)
        income = to_cents(facts.monthly_income_total)
        over_amount = total > to_cents(amount)
        over_share = (
            p.income_share is not None
            and income > 0
            and total * 10000 > basis_points(p.income_share) * income * p.months
        )
        if not (over_amount or over_share):
            return []
        return [
            Evidence(
                "medical",
                s.import_id,
                s.row,
                "out_of_pocket",
                money_text(s.amount or Decimal(0)),
                money_text(amount),
            )
            for s in bills
        ]

    def hits(self, p: Params, ctx: ScanContext) -> Select[Any]:
        # One pass over the bills: each carries its household's total (a window sum), and the
        # outer query keeps the households over a limit (no second join for the totals).
        window = [*signal_window("medical", months_before(ctx.on, p.months), ctx.on)]
        window.append(Signal.amount.is_not(None))
        category_amount = case(
            (Household.category == "tekun", to_cents(p.tekun_amount)),
            (Household.category == "dibao", to_cents(p.dibao_amount)),
            (Household.category == "dibao_edge", to_cents(p.edge_amount)),
            else_=to_cents(p.other_amount),
        )
        threshold = case(
            (Household.category == "tekun", money_text(p.tekun_amount)),
            (Household.category == "dibao", money_text(p.dibao_amount)),
            (Household.category == "dibao_edge", money_text(p.edge_amount)),
            else_=money_text(p.other_amount),
        )
        bills = (
            member_signals(
                *hit(
                    **household_subject(Household, HouseholdMember),
                    **signal_evidence(Signal),
                    field="out_of_pocket",
                    value=ctx.money(Signal.amount),
                    threshold=threshold,
                    summary=literal("", String),
                ),
                func.sum(Signal.amount).over(partition_by=Household.id).label("total"),
                category_amount.label("limit_cents"),
                cents(Household.monthly_income_total).label("income_cents"),
            )
            .where(*window, ctx.touched_households(Household.id))
            .where(not_open(self.code, household_key(Household.id)))
            .subquery("medical_bills")
        )
        over = cents(bills.c.total) > bills.c.limit_cents
        if p.income_share is not None:
            over = over | and_(
                bills.c.income_cents > 0,
                cents(bills.c.total) * 10000
                > bills.c.income_cents * (basis_points(p.income_share) * p.months),
            )
        summary = (
            literal(f"近 {p.months} 个月家庭医疗自付合计 ", String)
            + ctx.money(bills.c.total)
            + literal(" 元", String)
        )
        columns = [c for c in bills.c if c.name not in ("total", "limit_cents", "income_cents")]
        return select(
            *(summary.label("summary") if c.name == "summary" else c for c in columns)
        ).where(over)


class InpatientOnlyEarner(Rule):
    """The only member of a monitored household with income was in hospital (an inpatient
    medical record) in the last ``days`` days."""

    code = "need_inpatient_only_earner"
    triggers = frozenset({"medical"})
    name = "唯一劳动力住院"
    rule_class = RuleClass.need
    default_level = Level.red

    class Params(RuleParams):
        days: Days = 30

    def check(self, p: Params, facts: Any, on: date) -> list[Evidence]:
        if not isinstance(facts, HouseholdFacts):
            return []
        earners = [m for m in facts.members if to_cents(m.monthly_income) > 0]
        if len(earners) != 1:
            return []
        start = days_before(on, p.days)
        return [
            Evidence(
                "medical",
                s.import_id,
                s.row,
                "inpatient",
                s.occurred_on.isoformat(),
                f"{p.days}天内",
            )
            for s in facts.signals
            if s.source == "medical"
            and s.flag == "inpatient"
            and s.person_hash == earners[0].id_hash
            and in_window(s, start, on)
        ]

    def hits(self, p: Params, ctx: ScanContext) -> Select[Any]:
        other = HouseholdMember.__table__.alias("other_earner")
        return member_signals(
            *hit(
                **household_subject(Household, HouseholdMember),
                **signal_evidence(Signal),
                field="inpatient",
                value=ctx.text(Signal.occurred_on),
                threshold=literal(f"{p.days}天内", String),
                summary=literal("家庭唯一有收入的成员住院", String),
            )
        ).where(
            *signal_window("medical", days_before(ctx.on, p.days), ctx.on),
            Signal.flag == "inpatient",
            cents(HouseholdMember.monthly_income) > 0,
            ctx.touched_households(Household.id),
            ~exists().where(
                other.c.household_id == Household.id,
                other.c.active,
                other.c.id != HouseholdMember.id,
                cents(other.c.monthly_income) > 0,
            ),
        )


class DeathInHousehold(RecentSignalRule):
    """A member of a monitored household of two or more died in the last ``days`` days."""

    code = "need_death_in_household"
    name = "家庭成员死亡"
    rule_class = RuleClass.need
    default_level = Level.orange
    source = "death"
    field_name = "date_of_death"
    summary_text = "家庭成员死亡，家庭收入和照料可能发生变化"

    class Params(RuleParams):
        days: Days = 90

    def member_matches(self, p: Any, facts: HouseholdFacts, person_hash: str, on: date) -> bool:
        return len(facts.members) > 1

    def sql_where(self, p: Any, ctx: ScanContext) -> list[Any]:
        return [Household.members_count > 1]


class Unemployment(RecentSignalRule):
    """A member of working age (``min_age`` to ``max_age`` inclusive) of a monitored household
    registered as unemployed in the last ``days`` days."""

    code = "need_unemployment"
    name = "劳动年龄成员失业"
    rule_class = RuleClass.need
    default_level = Level.yellow
    source = "unemployment"
    field_name = "registered_on"
    summary_text = "劳动年龄家庭成员登记失业"

    class Params(RuleParams):
        days: Days = 90
        min_age: AgeYears = 16
        max_age: AgeYears = 59

    def member_matches(self, p: Any, facts: HouseholdFacts, person_hash: str, on: date) -> bool:
        member = facts.member(person_hash)
        return member is not None and p.min_age <= member.age(on) <= p.max_age

    def sql_where(self, p: Any, ctx: ScanContext) -> list[Any]:
        return [
            HouseholdMember.birth_date <= years_before(ctx.on, p.min_age),
            HouseholdMember.birth_date > years_before(ctx.on, p.max_age + 1),
        ]


class UtilityArrears(RecentSignalRule):
    """A monitored household's member is ``months`` or more months behind on utility bills
    (water, power, gas), by a record of the last ``days`` days."""

    code = "need_utility_arrears"
    name = "水电气欠费"
    rule_class = RuleClass.need
    default_level = Level.yellow
    source = "utility_arrears"
    field_name = "months_in_arrears"
    summary_text = "连续欠缴水电气费用"

    class Params(RuleParams):
        months: Months = 3
        days: Days = 90

    def signal_matches(self, p: Any, signal: Any) -> bool:
        return signal.quantity is not None and signal.quantity >= p.months

    def value(self, p: Any, signal: Any) -> str:
        return str(signal.quantity)

    def threshold(self, p: Any) -> str:
        return str(p.months)

    def sql_value(self, p: Any, ctx: ScanContext) -> Any:
        return ctx.text(Signal.quantity)

    def sql_where(self, p: Any, ctx: ScanContext) -> list[Any]:
        return [Signal.quantity >= p.months]


class HousingUnsafe(RecentSignalRule):
    """A monitored household's home was rated unsafe (rating in ``ratings``, C or D by
    default) in the last ``days`` days."""

    code = "need_housing_unsafe"
    name = "住房安全鉴定为C/D级"
    rule_class = RuleClass.need
    default_level = Level.orange
    source = "housing_safety"
    field_name = "rating"
    summary_text = "住房安全等级鉴定为危房"

    class Params(RuleParams):
        ratings: list[Literal["A", "B", "C", "D"]] = Field(
            default=["C", "D"], min_length=1, max_length=4
        )
        days: Days = 365

    def signal_matches(self, p: Any, signal: Any) -> bool:
        return signal.flag in p.ratings

    def value(self, p: Any, signal: Any) -> str:
        return str(signal.flag)

    def threshold(self, p: Any) -> str:
        return ",".join(sorted(p.ratings))

    def sql_value(self, p: Any, ctx: ScanContext) -> Any:
        return Signal.flag

    def sql_where(self, p: Any, ctx: ScanContext) -> list[Any]:
        return [Signal.flag.in_(list(p.ratings))]


__all__ = [
    "DeathInHousehold",
    "HousingUnsafe",
    "InpatientOnlyEarner",
    "MedicalSpending",
    "Unemployment",
    "UtilityArrears",
    "select",
]
