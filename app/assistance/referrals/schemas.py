"""Referrals (转介) and services delivered: requests and responses, for staff and agencies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from app.assistance.schemas import Id
from app.kit.schemas import InputSchema, LocalDateTime, Money, Page, Schema

Hours = Annotated[Decimal, Field(gt=0, le=24, max_digits=4, decimal_places=2)]


class ReferralStatus(StrEnum):
    sent = "sent"
    accepted = "accepted"
    declined = "declined"
    completed = "completed"
    cancelled = "cancelled"


class Outcome(StrEnum):
    resolved = "resolved"  # 需求已解决
    improved = "improved"  # 有所改善
    unchanged = "unchanged"  # 无明显变化
    ended = "ended"  # 服务中止（迁出、拒绝继续等）


class ReferralCreate(InputSchema):
    household_id: Id
    project_id: Id
    need_id: Id | None = None
    plan_id: Id | None = None
    note: str = Field(default="", max_length=500)


class ReferralCancel(InputSchema):
    reason: str = Field(min_length=2, max_length=500)


class AcceptIn(InputSchema):
    note: str = Field(default="", max_length=500)


class DeclineIn(InputSchema):
    reason: str = Field(min_length=2, max_length=500)


class VolunteerHours(InputSchema):
    name: str = Field(min_length=1, max_length=50)
    hours: Hours


class ServiceIn(InputSchema):
    date: date
    hours: Hours
    what: str = Field(min_length=2, max_length=500)
    volunteers: list[VolunteerHours] = Field(
        default_factory=list, max_length=20, description="时间银行：为志愿者记入的服务时长"
    )


class CompleteIn(InputSchema):
    outcome: Outcome
    note: str = Field(default="", max_length=1000)


class ServiceOut(Schema):
    id: int
    referral_id: int
    project_id: int
    date: date
    hours: Money
    what: str
    ledger_entry_id: int | None
    created_at: LocalDateTime


class HouseholdBrief(Schema):
    reference: str
    region_code: str
    head_name: str


class ReferralOut(Schema):
    id: int
    household_id: int
    need_id: int | None
    plan_id: int | None
    project_id: int
    organization_id: int
    status: str
    service_type: str | None
    urgency: str | None
    note: str
    responsible_id: int | None
    sent_at: LocalDateTime
    responded_at: LocalDateTime | None
    decline_reason: str
    first_service_on: date | None
    hours_total: Money
    outcome: str | None
    outcome_note: str
    completed_at: LocalDateTime | None


class ReferralDetail(ReferralOut):
    services: list[ServiceOut]


class AgencyReferral(Schema):
    """What the organization sees: the household by reference, area and head's name."""

    id: int
    project_id: int
    status: str
    service_type: str | None
    urgency: str | None
    note: str
    household: HouseholdBrief
    sent_at: LocalDateTime
    responded_at: LocalDateTime | None
    decline_reason: str
    first_service_on: date | None
    hours_total: Money
    outcome: str | None
    completed_at: LocalDateTime | None


class AgencyReferralDetail(AgencyReferral):
    services: list[ServiceOut]


class VolunteerTotal(Schema):
    volunteer: str
    hours: Money
    services: int


ReferralPage = Page[ReferralOut]
AgencyReferralPage = Page[AgencyReferral]
