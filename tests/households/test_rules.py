"""The eligibility rules as a pure function (``assess``), without a database or HTTP: each
threshold from both sides, and what the steps tell the family."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.households.eligibility.rules import MemberFacts, assess
from app.standards.repository import StandardsInForce

ON = date(2026, 12, 1)
STANDARDS = StandardsInForce(
    on=ON, dibao=Decimal("870.00"), edge_multiplier=Decimal("1.5"), tekun=Decimal("1131.00")
)


def adult(
    income: str,
    *,
    relation: str = "head",
    age: int = 45,
    work_capacity: str = "full",
    disability_grade: int | None = None,
    severe_illness: bool = False,
) -> MemberFacts:
    return MemberFacts(
        name="成员",
        relation=relation,
        age=age,
        work_capacity=work_capacity,
        monthly_income=Decimal(income),
        disability_grade=disability_grade,
        severe_illness=severe_illness,
    )


def qualifies(
    members: list[MemberFacts],
    medical: str = "0.00",
    education: str = "0.00",
    standards: StandardsInForce = STANDARDS,
) -> list[str]:
    result = assess(
        members,
        medical_spending=Decimal(medical),
        education_spending=Decimal(education),
        standards=standards,
    )
    return [str(c) for c in result.qualifies]


def test_dibao_is_strictly_below_the_standard() -> None:
    assert qualifies([adult("869.99")]) == ["dibao"]
    assert qualifies([adult("870.00")]) == ["dibao_edge"]
    # 1,739.99 / 2 = 869.995 rounds half-up to 870.00: the rounded figure decides.
    assert qualifies([adult("1739.99"), adult("0.00", relation="spouse")]) == ["dibao_edge"]


def test_the_edge_line_is_standard_times_multiplier() -> None:
    assert qualifies([adult("1304.99")]) == ["dibao_edge"]
    assert qualifies([adult("1305.00")]) == []
    higher = StandardsInForce(
        on=ON, dibao=Decimal("870.00"), edge_multiplier=Decimal("2"), tekun=None
    )
    assert qualifies([adult("1305.00")], standards=higher) == ["dibao_edge"]


def test_rigid_spending_counts_medical_and_education() -> None:
    family = [adult("1000.00"), adult("0.00", relation="spouse")]  # 500.00 a head: dibao
    assert qualifies(family) == ["dibao"]
    earning = [adult("2000.00"), adult("0.00", relation="spouse")]  # 1,000.00 a head
    assert qualifies(earning) == ["dibao_edge"]
    # (2,000.00 - 200.00 - 60.02) / 2 = 869.99: below the standard after rigid spending.
    assert qualifies(earning, medical="200.00", education="60.02") == [
        "expenditure_hardship",
        "dibao_edge",
    ]
    assert qualifies(earning, medical="200.00", education="60.00") == ["dibao_edge"]
    assert qualifies(earning, education="260.02") == ["expenditure_hardship", "dibao_edge"]


def test_tekun_needs_every_member_unable_to_work_without_income() -> None:
    old = adult("0.00", age=72, work_capacity="none")
    child = adult("0.00", relation="grandchild", age=9, work_capacity="none")
    assert qualifies([old, child])[0] == "tekun"
    assert "tekun" not in qualifies([old, adult("0.00", relation="child", work_capacity="full")])
    assert "tekun" not in qualifies([adult("10.00", age=72, work_capacity="none")])
    result = assess(
        [old], medical_spending=Decimal(0), education_spending=Decimal(0), standards=STANDARDS
    )
    assert "符合特困人员条件" in result.steps[-2]


def test_a_severely_disabled_member_may_be_enrolled_alone() -> None:
    family = [adult("3000.00"), adult("500.00", relation="child", disability_grade=1)]
    assert qualifies(family) == ["dibao", "other_special"]
    grade_three = [adult("3000.00"), adult("500.00", relation="child", disability_grade=3)]
    assert qualifies(grade_three) == []
    earning_alone = [adult("3000.00"), adult("870.00", relation="child", severe_illness=True)]
    assert qualifies(earning_alone) == []


def test_steps_end_with_the_conclusion() -> None:
    result = assess(
        [adult("600.00")],
        medical_spending=Decimal(0),
        education_spending=Decimal(0),
        standards=STANDARDS,
    )
    assert result.income_per_head == Decimal("600.00")
    assert result.edge_threshold == Decimal("1305.00")
    assert result.steps[-1] == "结论：符合 低保 条件。"
