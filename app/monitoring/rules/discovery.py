"""Discovery rules (主动发现): people not yet monitored, or left without anyone to care for them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, String, and_, exists, func, literal, not_, select

from app.models.household import Household, HouseholdMember
from app.models.monitoring import Signal
from app.monitoring.rules.base import (
    AgeYears,
    Amount,
    Days,
    Grade,
    Level,
    Months,
    Rule,
    RuleClass,
    RuleParams,
    ScanContext,
    SubjectKind,
    cents,
    days_before,
    hit,
    household_subject,
    in_window,
    money_text,
    monitored,
    months_before,
    not_open,
    person_key,
    signal_evidence,
    signal_window,
    to_cents,
    years_before,
)
from app.monitoring.rules.twin import (
    Evidence,
    HouseholdFacts,
    PersonFacts,
)


def _person_subject() -> dict[str, Any]:
    return {
        "subject_key": person_key(Signal.person_hash),
        "household_id": None,
        "person_hash": Signal.person_hash,
        "person_name": Signal.person_name,
        "person_id_masked": Signal.person_id_masked,
        "region_code": Signal.region_code,
    }


class LargeMedicalBill(Rule):
    """A person in no monitored household whose out-of-pocket medical costs over the last
    ``months`` months add up to more than ``amount`` yuan (the published scale: ¥15,000 for
    people not monitored)."""

    code = "discovery_large_medical"
    triggers = frozenset({"medical"})
    name = "未纳入监测人员大额医疗自付"
    rule_class = RuleClass.discovery
    default_level = Level.orange
    subject = SubjectKind.person

    class Params(RuleParams):
        months: Months = 12
        amount: Amount = Decimal("15000.00")

    def check(self, p: Params, facts: Any, on: date) -> list[Evidence]:
        if not isinstance(facts, PersonFacts):
            return []
        start = months_before(on, p.months)
        bills = [
            s
            for s in facts.signals
            if s.source == "medical" and s.amount is not None and in_window(s, start, on)
        ]
        total = sum((s.amount for s in bills if s.amount is not None), Decimal(0))
        if to_cents(total) <= to_cents(p.amount):
            return []
        return [
            Evidence(
                "medical",
                s.import_id,
                s.row,
                "out_of_pocket",
                money_text(s.amount or Decimal(0)),
                money_text(p.amount),
            )
            for s in bills
        ]

    def hits(self, p: Params, ctx: ScanContext) -> Select[Any]:
        # One pass over the bills: each carries its person's total (a window sum), and the
        # outer query keeps the people over the amount (no second read of their bills).
        where = [*signal_window("medical", months_before(ctx.on, p.months), ctx.on)]
        where.append(Signal.amount.is_not(None))
        bills = (
            select(
                *hit(
                    **_person_subject(),
                    **signal_evidence(Signal),
                    field="out_of_pocket",
                    value=ctx.money(Signal.amount),
                    threshold=literal(money_text(p.amount), String),
                    summary=literal("", String),
                ),
                func.sum(Signal.amount).over(partition_by=Signal.person_hash).label("total"),
            )
            .where(*where, not_(monitored(Signal.person_hash)))
            .where(ctx.touched_persons(Signal.person_hash))
            .where(not_open(self.code, person_key(Signal.person_hash)))
            .subquery("medical_bills")
        )
        summary = (
            literal(f"未纳入监测人员近 {p.months} 个月医疗自付合计 ", String)
            + ctx.money(bills.c.total)
            + literal(f" 元，超过 {money_text(p.amount)} 元", String)
        )
        return select(
            *(
                summary.label("summary") if c.name == "summary" else c
                for c in bills.c
                if c.name != "total"
            )
        ).where(cents(bills.c.total) > to_cents(p.amount))


class NewSevereDisability(Rule):
    """A person in no monitored household issued a disability certificate of grade
    ``max_grade`` or more severe (grade 1 is the most severe) in the last ``days`` days."""

    code = "discovery_severe_disability"
    triggers = frozenset({"disability"})
    name = "未纳入监测人员新增重度残疾"
    rule_class = RuleClass.discovery
    default_level = Level.orange
    subject = SubjectKind.person

    class Params(RuleParams):
        max_grade: Grade = 2
        days: Days = 365

    def check(self, p: Params, facts: Any, on: date) -> list[Evidence]:
        if not isinstance(facts, PersonFacts):
            return []
        start = days_before(on, p.days)
        return [
            Evidence(
                "disability",
                s.import_id,
                s.row,
                "disability_grade",
                str(s.quantity),
                str(p.max_grade),
            )
            for s in facts.signals
            if s.source == "disability"
            and s.quantity is not None
            and s.quantity <= p.max_grade
            and in_window(s, start, on)
        ]

    def hits(self, p: Params, ctx: ScanContext) -> Select[Any]:
        return select(
            *hit(
                **_person_subject(),
                **signal_evidence(Signal),
                field="disability_grade",
                value=ctx.text(Signal.quantity),
                threshold=literal(str(p.max_grade), String),
                summary=literal(f"未纳入监测人员新办 {p.max_grade} 级及以上残疾证", String),
            )
        ).where(
            *signal_window("disability", days_before(ctx.on, p.days), ctx.on),
            Signal.quantity <= p.max_grade,
            not_(monitored(Signal.person_hash)),
            ctx.touched_persons(Signal.person_hash),
        )


class DeathLeavesDependants(Rule):
    """A member of a monitored household died in the last ``days`` days and everyone left in
    the household (members with no death record) is under ``child_age`` or aged
    ``elderly_age`` or over: a child or an old person now without anyone to care for them."""

    code = "discovery_death_leaves_dependants"
    triggers = frozenset({"death"})
    name = "死亡致老幼无人照料"
    rule_class = RuleClass.discovery
    default_level = Level.red

    class Params(RuleParams):
        days: Days = 90
        child_age: AgeYears = 18
        elderly_age: AgeYears = 60

    def check(self, p: Params, facts: Any, on: date) -> list[Evidence]:
        if not isinstance(facts, HouseholdFacts):
            return []
        dead = {s.person_hash for s in facts.signals if s.source == "death"}
        left = [m for m in facts.members if m.id_hash not in dead]
        if not left or any(p.child_age <= m.age(on) < p.elderly_age for m in left):
            return []
        start = days_before(on, p.days)
        return [
            Evidence(
                "death",
                s.import_id,
                s.row,
                "date_of_death",
                s.occurred_on.isoformat(),
                f"{p.days}天内",
            )
            for s in facts.signals
            if s.source == "death" and in_window(s, start, on)
        ]

    def hits(self, p: Params, ctx: ScanContext) -> Select[Any]:
        other = HouseholdMember.__table__.alias("left_member")
        death = Signal.__table__.alias("other_death")
        left = and_(
            other.c.household_id == Household.id,
            other.c.active,
            ~exists().where(death.c.person_hash == other.c.id_hash, death.c.source == "death"),
        )
        working_age = and_(
            other.c.birth_date <= years_before(ctx.on, p.child_age),
            other.c.birth_date > years_before(ctx.on, p.elderly_age),
        )
        return (
            select(
                *hit(
                    **household_subject(Household, HouseholdMember),
                    **signal_evidence(Signal),
                    field="date_of_death",
                    value=ctx.text(Signal.occurred_on),
                    threshold=literal(f"{p.days}天内", String),
                    summary=literal(
                        f"家庭成员死亡，留下的成员均未满 {p.child_age} 岁或已满 "
                        f"{p.elderly_age} 岁，可能无人照料",
                        String,
                    ),
                )
            )
            .select_from(Signal)
            .join(
                HouseholdMember,
                and_(HouseholdMember.id_hash == Signal.person_hash, HouseholdMember.active),
            )
            .join(
                Household,
                and_(Household.id == HouseholdMember.household_id, Household.status == "active"),
            )
            .where(
                *signal_window("death", days_before(ctx.on, p.days), ctx.on),
                ctx.touched_households(Household.id),
                exists().where(left),
                ~exists().where(left, working_age),
            )
        )
