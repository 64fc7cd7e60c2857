"""Eligibility (资格测算): which categories a household's data qualifies for on a date, with the
reasoning spelled out in sentences a case worker can read to the family.

The rules (a simplification of Chengdu practice that the registry applies everywhere):

1. Only active members count: those not removed from the household (an exited household's
   members count as they were when it left, so a return can be assessed). ``n`` is the number
   of members counted, ``income`` the sum of their monthly incomes, ``spending`` the
   household's rigid monthly spending (medical plus education). Money is ``Decimal`` and
   rounded half-up to the cent.
2. ``S`` is the dibao standard in force for the household's region on the date asked about
   (the latest one effective by then, set for the region or the nearest region above it);
   ``E = S × edge multiplier`` (default 1.5), rounded half-up. Every comparison uses the
   rounded per-head figure that the steps show.
3. dibao (低保): income per head = income / n strictly below ``S``. Exactly ``S`` does not
   qualify.
4. dibao_edge (低保边缘): not dibao by income, and income per head below ``E``.
5. expenditure_hardship (支出型困难): not dibao by income, and income per head after rigid
   spending, (income − spending) / n, below ``S``.
6. tekun (特困): every active member has no capacity to work (``work_capacity`` none), no
   income, and is aged 60 or over, under 16, or disabled grade 1-2. That nobody in the household
   can work stands in for "no legally obliged supporter able to support them".
7. Single-person household (重残重病单人户): a member disabled grade 1-2 or severely ill whose own
   income is below ``S`` may be enrolled alone in dibao even when the family's income per head
   is above the line; such a household qualifies for dibao and for other_special.

``qualifies`` lists categories in order of preference: tekun, dibao, expenditure_hardship,
dibao_edge, other_special. The members are the household as recorded now; only the standard and
the ages follow the date asked about. The mismatch worklist applies the same rules in SQL
(:mod:`app.households.eligibility.repository`), in integer cents so both agree to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.households.categories.vocabulary import CATEGORY_NAMES, PREFERENCE, Category
from app.kit.money import money
from app.standards.repository import StandardsInForce

EXIT = "exit"  # a worklist suggestion, not a category

RELATION_NAMES = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "sibling": "兄弟姐妹",
    "other": "其他",
}
ELDERLY_AGE = 60
MINOR_AGE = 16
SEVERE_GRADES = frozenset({1, 2})
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class MemberFacts:
    """What the rules need to know about one active member."""

    name: str
    relation: str
    age: int
    work_capacity: str
    monthly_income: Decimal
    disability_grade: int | None = None
    severe_illness: bool = False

    @property
    def severe(self) -> bool:
        """Disabled grade 1-2 or severely ill (重残重病)."""
        return self.disability_grade in SEVERE_GRADES or self.severe_illness

    @property
    def tekun_person(self) -> bool:
        """No capacity to work, no income, and old, young or severely disabled."""
        return (
            self.work_capacity == "none"
            and self.monthly_income == 0
            and (
                self.age >= ELDERLY_AGE
                or self.age < MINOR_AGE
                or self.disability_grade in SEVERE_GRADES
            )
        )


@dataclass
class Assessment:
    on: date
    standard: Decimal
    edge_multiplier: Decimal
    edge_threshold: Decimal
    tekun_standard: Decimal | None
    members_counted: int
    income_total: Decimal
    income_per_head: Decimal
    income_per_head_after_rigid_spending: Decimal
    qualifies: list[Category] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)


def yuan(value: Decimal) -> str:
    """``1,305.00 元``."""
    return f"{value:,.2f} 元"


def _multiplier(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if "." in text else text + ".0"


def per_head(total: Decimal, members: int) -> Decimal:
    return money(total / members) if members else ZERO


def assess(
    members: Sequence[MemberFacts],
    *,
    medical_spending: Decimal,
    education_spending: Decimal,
    standards: StandardsInForce,
) -> Assessment:
    """Apply the rules above; ``standards.dibao`` must be set."""
    assert standards.dibao is not None
    s = standards.dibao
    edge = money(s * standards.edge_multiplier)
    n = len(members)
    total = money(sum((m.monthly_income for m in members), ZERO))
    spending = money(medical_spending + education_spending)
    head = per_head(total, n)
    after = per_head(total - spending, n)
    steps: list[str] = []
    qualifies: set[Category] = set()

    if n == 0:
        steps.append("家庭没有在册成员，无法测算。")
        return Assessment(
            standards.on, s, standards.edge_multiplier, edge, standards.tekun, 0, total,
            head, after, [], steps,
        )  # fmt: skip

    listed = "、".join(
        f"{m.name}（{RELATION_NAMES.get(m.relation, m.relation)}，{m.age} 岁）" for m in members
    )
    steps.append(f"第一步：计入家庭成员 {n} 人（只计在册成员）：{listed}。")
    by_member = "；".join(f"{m.name} {yuan(m.monthly_income)}" for m in members)
    steps.append(f"第二步：家庭月收入合计 {yuan(total)}，其中 {by_member}。")
    steps.append(f"第三步：人均月收入 = {yuan(total)} ÷ {n} 人 = {yuan(head)}（四舍五入到分）。")

    standard_note = f"{standards.on:%Y年%m月%d日}执行的低保标准为每人每月 {yuan(s)}"
    below = head < s
    if below:
        qualifies.add(Category.dibao)
        steps.append(f"第四步：{standard_note}；人均 {yuan(head)} 低于标准，符合低保条件。")
    else:
        relation = "等于" if head == s else "高于"
        steps.append(
            f"第四步：{standard_note}；人均 {yuan(head)} {relation}标准，"
            "不符合低保收入条件（须严格低于标准）。"
        )

    steps.append(
        f"第五步：刚性支出每月 {yuan(spending)}（医疗 {yuan(money(medical_spending))}，"
        f"教育 {yuan(money(education_spending))}），人均 {yuan(per_head(spending, n))}；"
        f"扣除后人均月收入 = ({yuan(total)} − {yuan(spending)}) ÷ {n} 人 = {yuan(after)}。"
    )
    if below:
        steps.append("第六步：已按收入符合低保，不再认定刚性支出困难家庭。")
    elif after < s:
        qualifies.add(Category.expenditure_hardship)
        steps.append(
            f"第六步：扣除刚性支出后人均 {yuan(after)} 低于低保标准 {yuan(s)}，"
            "符合刚性支出困难家庭条件。"
        )
    else:
        steps.append(
            f"第六步：扣除刚性支出后人均 {yuan(after)} 不低于低保标准 {yuan(s)}，"
            "不符合刚性支出困难家庭条件。"
        )

    multiplier_note = "（未设定，按默认）" if standards.default_multiplier else ""
    threshold = (
        f"第七步：低保边缘线 = 低保标准 {yuan(s)} × {_multiplier(standards.edge_multiplier)}"
        f"{multiplier_note} = {yuan(edge)}"
    )
    if below:
        steps.append(f"{threshold}；已符合低保，不再认定低保边缘家庭。")
    elif head < edge:
        qualifies.add(Category.dibao_edge)
        steps.append(f"{threshold}；人均 {yuan(head)} 低于边缘线，符合低保边缘家庭条件。")
    else:
        steps.append(f"{threshold}；人均 {yuan(head)} 不低于边缘线，不符合低保边缘家庭条件。")

    severe = [m for m in members if m.severe]
    eligible_alone = [m for m in severe if m.monthly_income < s]
    if not severe:
        steps.append("第八步（重残重病单人户）：家庭中没有一、二级残疾或重病成员，不适用。")
    elif eligible_alone:
        qualifies.update({Category.dibao, Category.other_special})
        names = "、".join(
            f"{m.name}（本人月收入 {yuan(m.monthly_income)}）" for m in eligible_alone
        )
        steps.append(
            f"第八步（重残重病单人户）：{names} 属一、二级残疾或重病，本人收入低于低保标准，"
            "可按单人户单独纳入低保（亦属其他特殊困难），不论家庭人均收入是否超过标准。"
        )
    else:
        names = "、".join(m.name for m in severe)
        steps.append(
            f"第八步（重残重病单人户）：{names} 属一、二级残疾或重病，但本人收入不低于低保标准，"
            "不能按单人户纳入。"
        )

    tekun_note = f"（特困人员基本生活标准 {yuan(standards.tekun)}）" if standards.tekun else ""
    if all(m.tekun_person for m in members):
        qualifies.add(Category.tekun)
        steps.append(
            "第九步（特困）：在册成员均无劳动能力、无收入，且为 60 岁以上老人、16 岁以下未成年人"
            f"或一、二级残疾人，家中没有有劳动能力的赡养、抚养、扶养人，符合特困人员条件{tekun_note}。"
        )
    else:
        missing = [m for m in members if not m.tekun_person]
        names = "、".join(m.name for m in missing)
        steps.append(
            f"第九步（特困）：{names} 有劳动能力、有收入或不属于老年、未成年、重度残疾人员，"
            "不符合特困人员条件。"
        )

    ordered = [c for c in PREFERENCE if c in qualifies]
    if ordered:
        names = "、".join(CATEGORY_NAMES[c] for c in ordered)
        steps.append(f"结论：符合 {names} 条件。")
    else:
        steps.append("结论：不符合任何监测类别的条件。")
    return Assessment(
        standards.on, s, standards.edge_multiplier, edge, standards.tekun, n, total, head,
        after, ordered, steps,
    )  # fmt: skip
