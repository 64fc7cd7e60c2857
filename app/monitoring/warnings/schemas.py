"""Warnings as staff read them, and the bodies of each step of their life cycle."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, StrictBool, model_validator

from app.households.categories.vocabulary import Category
from app.intake.schemas import HelpType
from app.kit.inputs import LedgerDate, RegionCode
from app.kit.schemas import InputSchema, LocalDateTime, Money, Schema
from app.monitoring.rules.base import Level, RuleClass


class WarningStatus(StrEnum):
    open = "open"  # 待派发
    dispatched = "dispatched"  # 已派发核实
    verified = "verified"  # 核实属实，待处置
    resolved = "resolved"  # 已处置
    closed = "closed"  # 核实为误报，已关闭


class Outcome(StrEnum):
    confirmed = "confirmed"
    false_alarm = "false_alarm"


class Route(StrEnum):
    """The four routes of rapid disposal (国办发〔2023〕39号)."""

    deliver_policy = "deliver_policy"  # 政策落实
    push_department = "push_department"  # 转办相关部门
    case_conference = "case_conference"  # 一事一议
    close = "close"  # 核实后办结


class Delivery(StrEnum):
    application = "application"  # 代为提出救助申请
    category_proposal = "category_proposal"  # 提出类别调整建议，由区民政局决定
    emergency_aid = "emergency_aid"  # 先行救助，已发放


class Person(Schema):
    name: str
    id_number_masked: str | None


class WarningItem(Schema):
    id: int
    rule: str
    rule_name: str
    rule_class: RuleClass
    level: Level
    status: WarningStatus
    household_id: int | None
    person: Person
    region_code: str
    opened_at: LocalDateTime
    due_at: LocalDateTime | None
    overdue: bool
    assignee_id: int | None
    summary: str


class WarningPage(Schema):
    items: list[WarningItem]
    next_cursor: str | None = None


class EvidenceOut(Schema):
    source: str
    import_id: int | None
    row: int | None
    field: str
    value: str | None
    threshold: str | None


class EventOut(Schema):
    at: LocalDateTime
    actor_id: int | None
    actor_role: str
    action: str
    from_status: str | None
    to_status: str
    note: str


class WarningDetail(WarningItem):
    evidence: list[EvidenceOut]
    outcome: Outcome | None
    findings: str | None
    route: Route | None
    resolution: dict[str, Any]
    dispatched_at: LocalDateTime | None
    verified_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    history: list[EventOut]


class DispatchIn(InputSchema):
    assignee_id: int = Field(ge=1, le=2**63 - 1)
    note: str = Field(default="", max_length=1000)


class VerifyIn(InputSchema):
    outcome: Outcome
    findings: str = Field(min_length=1, max_length=4000)


class ResolveIn(InputSchema):
    """``deliver_policy`` names what was delivered (``delivery``): an application opened on
    the person's behalf (or ``application_id`` of one already made), a category change
    proposal (``category``) for a district officer to decide, or emergency aid paid first
    (``amount``, recorded in the household's ledger). ``push_department`` names the
    ``department`` and, in ``note``, what was sent. ``close`` gives the reason in ``note``."""

    route: Route
    note: str = Field(min_length=1, max_length=2000)
    department: str | None = Field(default=None, min_length=1, max_length=100)
    application_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    delivery: Delivery | None = None
    help_types: list[HelpType] | None = Field(default=None, min_length=1, max_length=8)
    # The person agreed, when met, to an application made on their behalf (PIPL art. 13).
    consent: StrictBool = False
    category: Category | None = None
    # Where to file an application for a person not monitored whose warning sits at a street
    # or the district: the community of their address.
    region_code: RegionCode | None = None
    amount: Money | None = Field(default=None, gt=0, le=1_000_000, decimal_places=2)
    paid_on: LedgerDate | None = None

    @model_validator(mode="after")
    def _route_fields(self) -> ResolveIn:
        if self.route == Route.push_department and not self.department:
            raise ValueError("转办须填写 department")
        if self.route == Route.deliver_policy:
            if self.delivery is None and self.application_id is None:
                raise ValueError("政策落实须填写 delivery 或 application_id")
            if self.delivery == Delivery.application and not (self.help_types and self.consent):
                raise ValueError("代为申请须填写 help_types，且 consent 为 true（已征得本人同意）")
            if self.delivery == Delivery.category_proposal and not self.category:
                raise ValueError("类别调整建议须填写 category")
            if self.delivery == Delivery.emergency_aid and self.amount is None:
                raise ValueError("先行救助须填写 amount")
        return self


class ScanOut(Schema):
    id: int
    kind: str
    status: str
    import_id: int | None
    warnings_opened: int
    opened_by_rule: dict[str, int]
    created_at: LocalDateTime
    started_at: LocalDateTime | None
    finished_at: LocalDateTime | None


class ScanQueued(Schema):
    id: int


class SummaryOut(Schema):
    by_status: dict[str, int]
    open_by_level: dict[str, int]
    open_by_rule: dict[str, int]
    open_by_region: dict[str, int]
    overdue: int
    resolved: int
    hours_signal_to_resolution: float | None
