"""Request and response shapes of the monitoring registry (监测对象家庭)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field, StrictBool, model_validator

from app.households.categories.vocabulary import CareArrangement, Category
from app.kit.inputs import Code, IdNumber, LedgerDate, Phone, RegionCode
from app.kit.schemas import InputSchema, LocalDateTime, Money, Page, Schema

__all__ = ["Category"]

MoneyIn = Annotated[Decimal, Field(ge=0, le=Decimal("10000000"), decimal_places=2)]
"""Yuan, from zero to ten million (so sums over sources and members still fit the columns),
at most two decimal places; a JSON string (``"600.00"``) or number."""


class Relation(StrEnum):
    """Relation to the head of household (与户主关系)."""

    head = "head"
    spouse = "spouse"
    child = "child"
    parent = "parent"
    grandchild = "grandchild"
    sibling = "sibling"
    other = "other"


class WorkCapacity(StrEnum):
    full = "full"  # 有劳动能力
    partial = "partial"  # 部分丧失
    none = "none"  # 无劳动能力


class IncomeSource(StrEnum):
    wage = "wage"  # 工资性收入
    business = "business"  # 经营净收入
    property = "property"  # 财产净收入
    transfer = "transfer"  # 转移净收入 (subsidies, support from relatives)
    pension = "pension"  # 养老金
    other = "other"


class Cause(StrEnum):
    """Causes of hardship (致困原因); the order fixes the bits of ``cause_mask``."""

    illness = "illness"
    disability = "disability"
    education = "education"
    unemployment = "unemployment"
    lack_of_labour = "lack_of_labour"
    accident = "accident"
    old_age = "old_age"
    other = "other"


CAUSE_BITS = {cause: 1 << index for index, cause in enumerate(Cause)}


def cause_mask(causes: list[Cause] | list[str]) -> int:
    return sum(CAUSE_BITS[Cause(c)] for c in set(causes))


class RiskLevel(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class HouseholdStatus(StrEnum):
    active = "active"  # 在册
    exited = "exited"  # 已退出监测


class LedgerKind(StrEnum):
    dibao_payment = "dibao_payment"  # 低保金
    temporary_aid = "temporary_aid"  # 临时救助
    medical_aid = "medical_aid"  # 医疗救助
    in_kind = "in_kind"  # 实物
    service = "service"  # 服务


MONEY_KINDS = frozenset(
    {LedgerKind.dibao_payment, LedgerKind.temporary_aid, LedgerKind.medical_aid}
)


def _unique(values: list[Cause]) -> list[Cause]:
    return list(dict.fromkeys(values))


Causes = Annotated[list[Cause], Field(max_length=len(Cause)), AfterValidator(_unique)]


class PatchSchema(InputSchema):
    """A partial update: absent fields stay as they are; ``null`` only where it means
    "none" (listed in ``NULLABLE``)."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null(self) -> PatchSchema:
        for name in self.model_fields_set:
            if getattr(self, name) is None and name not in self.NULLABLE:
                raise ValueError(f"{name} 不能为 null")
        return self


class MemberIn(InputSchema):
    name: str = Field(min_length=1, max_length=50)
    id_number: IdNumber
    relation: Relation
    disability_type: str | None = Field(default=None, max_length=20)
    disability_grade: int | None = Field(default=None, ge=1, le=4)
    severe_illness: StrictBool = False
    chronic_illness: StrictBool = False
    work_capacity: WorkCapacity = WorkCapacity.full
    employment: str = Field(default="", max_length=20)
    monthly_income: MoneyIn | None = None
    income_sources: dict[IncomeSource, MoneyIn] | None = None

    @model_validator(mode="after")
    def _income_adds_up(self) -> MemberIn:
        check_income(self.monthly_income, self.income_sources)
        return self


def check_income(total: Decimal | None, sources: dict[IncomeSource, Decimal] | None) -> None:
    if total is not None and sources and sum(sources.values()) != total:
        raise ValueError("monthly_income 须等于 income_sources 各项之和")


class MemberUpdate(PatchSchema):
    NULLABLE = frozenset({"disability_type", "disability_grade"})

    name: str | None = Field(default=None, min_length=1, max_length=50)
    id_number: IdNumber | None = None
    relation: Relation | None = None
    disability_type: str | None = Field(default=None, max_length=20)
    disability_grade: int | None = Field(default=None, ge=1, le=4)
    severe_illness: StrictBool | None = None
    chronic_illness: StrictBool | None = None
    work_capacity: WorkCapacity | None = None
    employment: str | None = Field(default=None, max_length=20)
    monthly_income: MoneyIn | None = None
    income_sources: dict[IncomeSource, MoneyIn] | None = None

    @model_validator(mode="after")
    def _income_adds_up(self) -> MemberUpdate:
        check_income(self.monthly_income, self.income_sources)
        return self


class MemberRemove(InputSchema):
    reason: str = Field(min_length=2, max_length=500)


class RigidSpending(InputSchema):
    """Rigid monthly spending (刚性支出)."""

    medical: MoneyIn = Decimal("0.00")
    education: MoneyIn = Decimal("0.00")


class RigidSpendingUpdate(PatchSchema):
    medical: MoneyIn | None = None
    education: MoneyIn | None = None


DeclaredSize = Annotated[int, Field(ge=1, le=30, description="申报的家庭人口数")]


class HouseholdCreate(InputSchema):
    region_code: RegionCode
    address: str = Field(default="", max_length=200)
    phone: Phone | None = Field(default=None, description="联系电话")
    declared_size: DeclaredSize | None = None
    members: list[MemberIn] = Field(min_length=1, max_length=30)
    monthly_rigid_spending: RigidSpending = Field(default_factory=RigidSpending)
    causes: Causes = Field(default_factory=list)
    risk_level: RiskLevel = RiskLevel.low
    risk_reason: str = Field(default="", max_length=500)


class HouseholdUpdate(PatchSchema):
    NULLABLE = frozenset({"care_arrangement"})

    region_code: RegionCode | None = None
    address: str | None = Field(default=None, max_length=200)
    phone: Phone | None = Field(default=None, description="联系电话")
    declared_size: DeclaredSize | None = None
    causes: Causes | None = None
    risk_level: RiskLevel | None = None
    risk_reason: str | None = Field(default=None, min_length=1, max_length=500)
    monthly_rigid_spending: RigidSpendingUpdate | None = None
    # Tekun households only (422 care_arrangement_not_tekun otherwise); null clears it.
    care_arrangement: CareArrangement | None = Field(
        default=None, description="特困供养方式：dispersed 分散供养，centralized 集中供养"
    )

    @model_validator(mode="after")
    def _risk_with_reason(self) -> HouseholdUpdate:
        if ("risk_level" in self.model_fields_set) != ("risk_reason" in self.model_fields_set):
            raise ValueError("调整风险等级须同时给出 risk_level 与 risk_reason")
        return self


class LedgerIn(InputSchema):
    kind: LedgerKind
    date: LedgerDate
    amount: MoneyIn | None = None
    quantity: MoneyIn | None = None
    giver: str = Field(min_length=1, max_length=100)
    note: str = Field(default="", max_length=500)
    decision_ref: Code | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _measure(self) -> LedgerIn:
        if self.kind in MONEY_KINDS and self.amount is None:
            raise ValueError(f"{self.kind.value} 须填写 amount")
        if self.amount is None and self.quantity is None:
            raise ValueError("实物或服务须填写 quantity 或 amount")
        return self


# ---- responses ----

Quantity = Money
"""A quantity (items, hours) as a decimal string with two places, like money."""


class Head(Schema):
    name: str
    id_number_masked: str | None


class HouseholdItem(Schema):
    """A line of the registry list."""

    id: int
    reference: str
    region_code: str
    region_name: str
    address: str
    category: Category | None
    category_since: dt.date | None
    care_arrangement: CareArrangement | None = None  # tekun: 分散供养 / 集中供养
    risk_level: RiskLevel
    causes: list[Cause]
    members_count: int
    declared_size: int | None
    phone_masked: str | None
    monthly_income_total: Money
    head: Head
    status: HouseholdStatus
    version: int
    updated_at: LocalDateTime


HouseholdPage = Page[HouseholdItem]


class MemberOut(Schema):
    """A member as staff see them: the ID number masked, age and sex derived from it."""

    id: int
    name: str
    id_number_masked: str
    relation: Relation
    sex: str
    age: int
    disability_type: str | None
    disability_grade: int | None
    severe_illness: bool
    chronic_illness: bool
    work_capacity: WorkCapacity
    employment: str
    monthly_income: Money
    income_sources: dict[str, Money]
    active: bool


class FormerMemberOut(MemberOut):
    removed_at: LocalDateTime
    removed_reason: str


class RigidSpendingOut(Schema):
    medical: Money
    education: Money


class ScheduledChangeOut(Schema):
    """A category decision recorded now that takes effect on ``effective_date`` (until then
    ``category`` and ``status`` show what is in force today)."""

    id: int
    action: str  # enrol | change | exit
    category: str | None
    effective_date: dt.date
    reason: str
    monthly_amount: Money | None
    created_at: LocalDateTime


class HouseholdDetail(HouseholdItem):
    """The whole household: members, category, the standard in force, risk and spending."""

    members: list[MemberOut]
    former_members: list[FormerMemberOut]
    standard_in_force: Money | None
    monthly_rigid_spending: RigidSpendingOut
    has_severe_member: bool
    risk_reason: str
    risk_set_by_id: int | None
    risk_set_at: LocalDateTime | None
    application_id: int | None
    created_at: LocalDateTime
    scheduled_change: ScheduledChangeOut | None = None


class ChangeOut(Schema):
    id: int
    version: int
    at: LocalDateTime
    actor_id: int | None
    action: str
    member_id: int | None
    field: str
    old_value: Any
    new_value: Any


ChangePage = Page[ChangeOut]


class LedgerEntryOut(Schema):
    id: int
    kind: LedgerKind
    date: LedgerDate
    amount: Money | None
    quantity: Quantity | None
    giver: str
    note: str
    decision_ref: str | None
    created_by_id: int | None
    created_at: LocalDateTime


LedgerPage = Page[LedgerEntryOut]


class RevealedMember(Schema):
    id_number: str


class RevealedContact(Schema):
    phone: str | None
