from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field, StrictBool, field_validator, model_validator

from app.households.categories.vocabulary import Category
from app.intake.notices import is_known_version
from app.kit.inputs import OptionalIdNumber, Phone, RegionCode
from app.kit.params import MAX_ID
from app.kit.schemas import InputSchema, LocalDateTime, Money, Page, Schema


class Relation(StrEnum):
    self = "self"
    family = "family"
    neighbor = "neighbor"
    grid_worker = "grid_worker"
    volunteer = "volunteer"
    agency = "agency"
    other = "other"


class HelpType(StrEnum):
    basic_living = "basic_living"  # 基本生活
    medical = "medical"  # 医疗
    education = "education"  # 教育
    housing = "housing"  # 住房
    employment = "employment"  # 就业
    emergency = "emergency"  # 临时/急难
    care = "care"  # 照料服务
    other = "other"


HELP_BITS = {help_type: 1 << index for index, help_type in enumerate(HelpType)}


class Action(StrEnum):
    accept = "accept"
    reject = "reject"
    start_investigation = "start_investigation"
    submit_review = "submit_review"
    approve = "approve"
    deny = "deny"
    refer = "refer"
    close = "close"


class Status(StrEnum):
    submitted = "submitted"
    accepted = "accepted"
    investigating = "investigating"
    reviewing = "reviewing"
    approved = "approved"
    denied = "denied"
    rejected = "rejected"
    referred = "referred"
    closed = "closed"
    withdrawn = "withdrawn"


# What a person reads for each status and action (codes stay in ``status`` and ``action``).
STATUS_LABELS: dict[str, str] = {
    "submitted": "已提交",
    "accepted": "已受理",
    "investigating": "调查中",
    "reviewing": "审核中",
    "approved": "审批通过",
    "denied": "审批未通过",
    "rejected": "不予受理",
    "referred": "已转介",
    "closed": "已办结",
    "withdrawn": "已撤回",
}
ACTION_LABELS: dict[str, str] = {
    "accept": "受理",
    "reject": "不予受理",
    "start_investigation": "开始调查",
    "submit_review": "提交审核",
    "approve": "审批通过",
    "deny": "审批不通过",
    "refer": "转介",
    "close": "办结",
    "withdraw": "撤回",
    "assign": "分派",
}
# The applicant's timeline line for a status when staff wrote no public note.
STATUS_TIMELINE_NOTES: dict[str, str] = {
    "submitted": "已提交，等待受理",
    "accepted": "已受理，工作人员会尽快与您联系",
    "investigating": "工作人员正在调查核实您的情况，可能会入户走访",
    "reviewing": "调查已完成，正在审核",
    "approved": "审批通过，救助将按决定落实",
    "denied": "经审核，暂不符合本项救助条件；如有疑问可联系社区或街道",
    "rejected": "申请未予受理；如有疑问可联系社区或街道",
    "referred": "已转介给相关部门或服务机构继续办理",
    "closed": "已办结",
    "withdrawn": "申请已撤回",
}


class SubjectIn(InputSchema):
    name: str = Field(min_length=1, max_length=50)
    id_number: OptionalIdNumber = None
    phone: Phone | None = None
    region_code: RegionCode
    address: str = Field(default="", max_length=200)
    household_size: int | None = Field(default=None, ge=1, le=30)


class ReporterIn(InputSchema):
    """Who reports someone else's hardship: a phone to call back, and a name if they give it."""

    name: str | None = Field(default=None, min_length=1, max_length=50)
    phone: Phone


class ApplicationCreate(InputSchema):
    relation: Relation
    subject: SubjectIn
    reporter: ReporterIn | None = None
    help_types: list[HelpType] = Field(min_length=1, max_length=len(HelpType))
    description: str = Field(default="", max_length=2000)
    # The JSON value true itself: "true", 1 and the like are refused.
    consent: StrictBool
    # The privacy notice agreed to (GET /privacy-notice); the one in force when left out.
    consent_version: str | None = Field(default=None, min_length=1, max_length=20)

    @field_validator("help_types")
    @classmethod
    def _unique(cls, value: list[HelpType]) -> list[HelpType]:
        return list(dict.fromkeys(value))

    @field_validator("consent")
    @classmethod
    def _consented(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("需同意个人信息处理（consent 必须为 true）")
        return value

    @field_validator("consent_version")
    @classmethod
    def _known_notice(cls, value: str | None) -> str | None:
        return _known_notice_version(value)

    @model_validator(mode="after")
    def _self_needs_id(self) -> ApplicationCreate:
        if self.relation == Relation.self and not self.subject.id_number:
            raise ValueError("本人申请须填写身份证号（subject.id_number）")
        if self.relation == Relation.self and self.reporter is not None:
            raise ValueError("本人申请无需填写报告人（reporter）")
        return self


def _known_notice_version(value: str | None) -> str | None:
    if value is not None and not is_known_version(value):
        raise ValueError("未知的隐私告知版本（consent_version）")
    return value


class ConsentIn(InputSchema):
    """Consent given again after a withdrawal."""

    consent: StrictBool
    consent_version: str | None = Field(default=None, min_length=1, max_length=20)

    @field_validator("consent")
    @classmethod
    def _consented(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("需同意个人信息处理（consent 必须为 true）")
        return value

    @field_validator("consent_version")
    @classmethod
    def _known_notice(cls, value: str | None) -> str | None:
        return _known_notice_version(value)


class ConsentStatus(Schema):
    """Whether the resident's consent to new processing is in force."""

    consent: bool
    withdrawn_at: LocalDateTime | None
    consent_version: str | None = None


class PrivacyNotice(Schema):
    version: str
    text: str


class SubjectOut(Schema):
    name: str
    id_number_masked: str | None
    phone_masked: str | None
    region_code: str
    address: str
    household_size: int | None


class ReporterOut(Schema):
    name: str | None
    phone_masked: str | None


class StaffSubjectOut(SubjectOut):
    region_name: str


class TimelineEntry(Schema):
    status: str
    at: LocalDateTime
    note: str


class ApplicationOut(Schema):
    """An application as its submitter sees it."""

    id: int
    reference: str
    status: Status
    channel: str
    relation: Relation
    subject: SubjectOut
    reporter: ReporterOut | None = None
    help_types: list[HelpType]
    description: str
    consent_version: str | None = None
    consent_withdrawn_at: LocalDateTime | None = None
    created_at: LocalDateTime
    updated_at: LocalDateTime
    timeline: list[TimelineEntry]


ApplicationPage = Page[ApplicationOut]


class Withdraw(InputSchema):
    note: str = Field(default="", max_length=500)


class AttachmentOut(Schema):
    id: int
    content_type: str
    size: int


class StaffAttachmentOut(AttachmentOut):
    created_at: LocalDateTime
    uploaded_by_kind: str


class CaseItem(Schema):
    """A line of the staff queue."""

    id: int
    reference: str
    status: Status
    channel: str
    relation: Relation
    subject: StaffSubjectOut
    reporter: ReporterOut | None = None
    help_types: list[HelpType]
    priority: str
    # None while the deadline crosses into a year with no holiday schedule: never guessed.
    due_at: LocalDateTime | None
    overdue: bool
    deadline_unknown: bool = False
    deadline_warning: str | None = None
    assignee_id: int | None
    linked_to_id: int | None
    consent_version: str | None = None
    consent_withdrawn_at: LocalDateTime | None = None
    created_at: LocalDateTime
    updated_at: LocalDateTime


CasePage = Page[CaseItem]


class CaseEvent(Schema):
    id: int
    at: LocalDateTime
    action: str
    from_status: str | None
    to_status: str
    actor_kind: str
    actor_id: int | None
    note: str
    public_note: str


class Decision(Schema):
    category: Category
    monthly_amount: Money | None
    decided_by_id: int | None
    decided_at: LocalDateTime | None


class CaseDetail(CaseItem):
    """The whole case for staff in scope, with internal notes and attachments."""

    description: str
    events: list[CaseEvent]
    attachments: list[StaffAttachmentOut]
    linked_application_ids: list[int]
    decision: Decision | None
    timeline: list[TimelineEntry]
    # WeChat's content check of the description: pending, pass, or risky/review (held for staff
    # review; the case goes on as usual); null when none was made.
    content_check: str | None = None


class DecisionIn(InputSchema):
    category: Category
    monthly_amount: Decimal | None = Field(
        default=None, ge=0, le=100000, max_digits=10, decimal_places=2
    )
    # Required when the amount is above the standard in force times the household's people.
    amount_reason: str | None = Field(default=None, min_length=2, max_length=200)


class TransitionIn(InputSchema):
    action: Action
    note: str = Field(default="", max_length=2000)
    public_note: str = Field(default="", max_length=500)
    decision: DecisionIn | None = None

    @model_validator(mode="after")
    def _decision_only_on_approve(self) -> TransitionIn:
        if self.action == Action.approve and self.decision is None:
            raise ValueError("审批通过须给出 decision（category 与 monthly_amount）")
        if self.action != Action.approve and self.decision is not None:
            raise ValueError("只有 approve 可以带 decision")
        return self


class AssignIn(InputSchema):
    assignee_id: int = Field(ge=1, le=MAX_ID)
    note: str = Field(default="", max_length=500)


class NoteIn(InputSchema):
    note: str = Field(min_length=1, max_length=2000)


class SubjectCorrection(InputSchema):
    """Staff add or correct what an application says about its subject, giving a reason."""

    name: str | None = Field(default=None, min_length=1, max_length=50)
    id_number: OptionalIdNumber = None
    phone: Phone | None = None
    address: str | None = Field(default=None, max_length=200)
    household_size: int | None = Field(default=None, ge=1, le=30)
    reason: str = Field(min_length=2, max_length=200)

    @model_validator(mode="after")
    def _something(self) -> SubjectCorrection:
        changed = self.model_fields_set - {"reason"}
        if not changed:
            raise ValueError("至少需要补录或更正一项")
        for name in changed:
            if getattr(self, name) is None:
                raise ValueError(f"{name} 不能为空")
        return self


class Revealed(Schema):
    id_number: str | None
    phone: str | None
    reporter_phone: str | None = None


def dump(model: Schema) -> dict[str, Any]:
    return model.model_dump(mode="json")
