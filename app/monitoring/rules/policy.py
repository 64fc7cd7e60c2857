"""Policy rules (政策落实): a benefit a monitored household should have and does not."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    not_,
    null,
    or_,
    select,
)

from app.households.eligibility.repository import region_standards
from app.models.household import Household, HouseholdMember
from app.models.monitoring import Signal
from app.monitoring.rules.base import (
    AgeYears,
    Days,
    Grade,
    Level,
    Rule,
    RuleClass,
    RuleParams,
    ScanContext,
    cents,
    days_before,
    hit,
    household_subject,
    in_window,
    registry_evidence,
    years_before,
)
from app.monitoring.rules.exit import Category, _categories
from app.monitoring.rules.twin import (
    Evidence,
    HouseholdFacts,
)

Qualifying = Literal["tekun", "dibao", "expenditure_hardship", "dibao_edge"]
PREFERENCE: tuple[Qualifying, ...] = ("tekun", "dibao", "expenditure_hardship", "dibao_edge")


def _members() -> Select[Any]:
    return (
        select()
        .select_from(HouseholdMember)
        .join(
            Household,
            and_(Household.id == HouseholdMember.household_id, Household.status == "active"),
        )
        .where(HouseholdMember.active)
    )


def _no_recent(source: str, start: date, on: date, *extra: Any) -> ColumnElement[bool]:
    return ~exists().where(
        Signal.person_hash == HouseholdMember.id_hash,
        Signal.source == source,
        Signal.occurred_on > start,
        Signal.occurred_on <= on,
        *extra,
    )


class SchoolAidMissing(Rule):
    """A child of school age (``min_age`` to ``max_age`` inclusive) in a household of one of
    ``categories`` with no school aid record (教育资助) in the last ``days`` days."""

    code = "policy_school_aid"
    name = "适龄儿童未享受教育资助"
    rule_class = RuleClass.policy
    default_level = Level.yellow

    class Params(RuleParams):
        min_age: AgeYears = 6
        max_age: AgeYears = 17
        categories: list[Category] = _categories("dibao", "tekun", "dibao_edge")
        days: Days = 365

    def check(self, p: Params, facts: Any, on: date) -> list[Evidence]:
        if not isinstance(facts, HouseholdFacts) or facts.category not in p.categories:
            return []
        start = days_before(on, p.days)
        aided = {
            s.person_hash
            for s in facts.signals
            if s.source == "school_aid" and in_window(s, start, on)
        }
        return [
            Evidence("registry", None, None, "school_aid_records", "0", f"{p.days}天内≥1")
            for m in facts.members
            if p.min_age <= m.age(on) <= p.max_age and m.id_hash not in aided
        ]

    def hits(self, p: Params, ctx: ScanContext) -> Select[Any]:
        start = days_before(ctx.on, p.days)
        return (
            _members()
            .add_columns(
                *hit(
                    **household_subject(Household, HouseholdMember),
                    **registry_evidence(),
                    field="school_aid_records",
                    value=literal("0", String),
                    threshold=literal(f"{p.days}天内≥1", String),
                    summary=literal("适龄儿童未享受教育资助", String),
                )
            )
            .where(
                Household.category.in_(list(p.categories)),
                HouseholdMember.birth_date <= years_before(ctx.on, p.min_age),
                HouseholdMember.birth_date > years_before(ctx.on, p.max_age + 1),
                ctx.touched_households(Household.id),
                _no_recent("school_aid", start, ctx.on),
            )
        )


class DisabilityAllowanceMissing(Rule):
    """A member of a monitored household disabled at grade ``max_grade`` or more severe with
    no disability allowance (残疾人两项补贴: an income record flagged with one of
    ``allowance_flags``) in the last ``days`` days."""

    code = "policy_disability_allowance"
    name = "重度残疾人未享受两项补贴"
    rule_class = RuleClass.policy
    default_level = Level.yellow
    # The income file's kinds are pension, wage and other today: enable once allowances come
    # in it (or tune ``allowance_flags`` to the kind they arrive as).
    default_enabled = False

    class Params(RuleParams):
        max_grade: Grade = 2
        days: Days = 365
        allowance_flags: list[str] = Field(
            default_factory=lambda: ["disability_allowance"], min_length=1, max_length=10
        )

    def check(self, p: Params, facts: Any, on: date) -> list[Evidence]:
        if not isinstance(facts, HouseholdFacts):
            return []
        start = days_before(on, p.days)
        paid = {
            s.person_hash
            for s in facts.signals
            if s.source == "income" and s.flag in p.allowance_flags and in_window(s, start, on)
        }
        return [
            Evidence("registry", None, None, "disability_allowance_records", "0", f"{p.days}天内≥1")
            for m in facts.members
            if m.disability_grade is not None
            and m.disability_grade <= p.max_grade
            and m.id_hash not in paid
        ]

    def hits(self, p: Params, ctx: ScanContext) -> Select[Any]:
        start = days_before(ctx.on, p.days)
        return (
            _members()
            .add_columns(
                *hit(
                    **household_subject(Household, HouseholdMember),
                    **registry_evidence(),
                    field="disability_allowance_records",
                    value=literal("0", String),
                    threshold=literal(f"{p.days}天内≥1", String),
                    summary=literal("重度残疾人未享受残疾人两项补贴", String),
                )
            )
            .where(
                HouseholdMember.disability_grade <= p.max_grade,
                ctx.touched_households(Household.id),
                _no_recent("income", start, ctx.on, Signal.flag.in_(list(p.allowance_flags))),
            )
        )


def _below(amount_cents: Any, threshold_cents: Any, n: Any) -> ColumnElement[bool]:
    """``round_half_up(amount / n, 2) < threshold``, in integers (as the eligibility rules)."""
    return 2 * amount_cents < (2 * threshold_cents - 1) * n


class EligibleNotEnrolled(Rule):
    """A monitored household with no category that qualifies for one of ``categories`` by the
    registry's own eligibility rules (``app/households/eligibility``): the best of them, in the
    order tekun, dibao, expenditure hardship, dibao edge, is suggested."""

    code = "policy_eligible_not_enrolled"
    name = "符合条件未纳入保障"
    rule_class = RuleClass.policy
    default_level = Level.yellow

    class Params(RuleParams):
        categories: list[Qualifying] = Field(default=list(PREFERENCE), min_length=1, max_length=4)

    def check(self, p: Params, facts: Any, on: date) -> list[Evidence]:
        if not isinstance(facts, HouseholdFacts) or facts.category is not None:
            return []
        best = next((c for c in PREFERENCE if c in facts.qualifies and c in p.categories), None)
        if best is None:
            return []
        return [Evidence("registry", None, None, "qualifies", best, "未认定类别")]

    def hits(self, p: Params, ctx: ScanContext) -> Select[Any]:
        standards = region_standards(ctx.district_code, ctx.on)
        s, e = standards.c.s, standards.c.e
        n = Household.members_count
        total = cents(Household.monthly_income_total)
        after = total - cents(Household.medical_spending) - cents(Household.education_spending)
        member = HouseholdMember.__table__.alias("assessed_member")
        income_dibao = and_(n > 0, _below(total, s, n))
        severe_alone = and_(
            Household.has_severe_member,
            select(func.count())
            .where(
                member.c.household_id == Household.id,
                member.c.removed_at.is_(None),
                or_(member.c.disability_grade.in_((1, 2)), member.c.severe_illness),
                cents(member.c.monthly_income) < s,
            )
            .scalar_subquery()
            > 0,
        )
        tekun = and_(
            n > 0,
            total == 0,
            select(func.count())
            .where(
                member.c.household_id == Household.id,
                member.c.removed_at.is_(None),
                not_(
                    and_(
                        member.c.work_capacity == "none",
                        cents(member.c.monthly_income) == 0,
                        or_(
                            member.c.birth_date <= years_before(ctx.on, 60),
                            member.c.birth_date > years_before(ctx.on, 16),
                            member.c.disability_grade.in_((1, 2)),
                        ),
                    )
                ),
            )
            .scalar_subquery()
            == 0,
        )
        tests = {
            "tekun": tekun,
            "dibao": or_(income_dibao, severe_alone),
            "expenditure_hardship": and_(n > 0, not_(income_dibao), _below(after, s, n)),
            "dibao_edge": and_(n > 0, not_(income_dibao), _below(total, e, n)),
        }
        whens = [(tests[c], literal(c, String)) for c in PREFERENCE if c in p.categories]
        best = case(*whens, else_=null())
        assessed = (
            select(
                Household.id.label("id"),
                Household.region_code.label("region_code"),
                Household.head_name.label("name"),
                Household.head_id_masked.label("id_masked"),
                best.label("best"),
            )
            .join(standards, standards.c.code == Household.region_code)
            .where(
                Household.status == "active",
                Household.category.is_(None),
                s.is_not(None),
                ctx.touched_households(Household.id),
            )
            .subquery("assessed")
        )
        return select(
            *hit(
                subject_key=literal("h:", String) + assessed.c.id.cast(String),
                household_id=assessed.c.id.cast(BigInteger),
                person_hash=null(),
                person_name=assessed.c.name,
                person_id_masked=assessed.c.id_masked,
                region_code=assessed.c.region_code,
                **registry_evidence(),
                field="qualifies",
                value=assessed.c.best,
                threshold=literal("未认定类别", String),
                summary=literal("按家庭在册数据测算符合保障条件，尚未认定类别", String),
            )
        ).where(assessed.c.best.is_not(None))
