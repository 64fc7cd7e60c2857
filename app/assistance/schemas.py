"""Requests and responses of organizations, projects, groups, needs and matches."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from app.assistance.vocabulary import Group, ServiceType
from app.households.categories.vocabulary import Category
from app.kit.inputs import Phone, RegionCode
from app.kit.params import MAX_ID
from app.kit.schemas import InputSchema, LocalDateTime, Page, Schema

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ProjectDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]


class OrganizationKind(StrEnum):
    social_organization = "social_organization"  # 社会组织
    social_work_station = "social_work_station"  # 社工站
    volunteer_team = "volunteer_team"  # 志愿服务队
    enterprise = "enterprise"  # 爱心企业
    other = "other"


class Urgency(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class NeedSource(StrEnum):
    assessment = "assessment"
    visit = "visit"
    application = "application"
    warning = "warning"


class NeedStatus(StrEnum):
    open = "open"
    met = "met"
    closed = "closed"


# ---- organizations ----


class OrganizationCreate(InputSchema):
    name: str = Field(min_length=2, max_length=100)
    kind: OrganizationKind
    region_code: RegionCode
    contact_name: str = Field(default="", max_length=50)
    contact_phone: Phone | None = None
    agency_id: Id | None = Field(
        default=None, description="关联已登记的机构（其 API key 即本组织的 API key）"
    )
    issue_key: bool = Field(
        default=False, description="为本组织登记机构并签发 API key（仅返回一次）"
    )


class OrganizationUpdate(InputSchema):
    name: str | None = Field(default=None, min_length=2, max_length=100)
    kind: OrganizationKind | None = None
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: Phone | None = None
    agency_id: Id | None = None


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str
    contact_name: str
    contact_phone: str
    agency_id: int | None
    created_at: LocalDateTime
    updated_at: LocalDateTime


class OrganizationCreated(OrganizationOut):
    api_key: str | None = Field(default=None, description="仅此一次返回；只保存其哈希")


class OrganizationKey(Schema):
    organization_id: int
    agency_id: int
    key_prefix: str
    api_key: str


OrganizationPage = Page[OrganizationOut]


# ---- projects ----


class ProjectCreate(InputSchema):
    organization_id: Id
    name: str = Field(min_length=2, max_length=100)
    description: str = Field(default="", max_length=1000)
    service_types: list[ServiceType] = Field(min_length=1, max_length=10)
    target_categories: list[Category] = Field(default_factory=list, max_length=5)
    target_groups: list[Group] = Field(default_factory=list, max_length=10)
    region_code: RegionCode
    capacity: int = Field(ge=1, le=100_000)
    starts_on: ProjectDate
    ends_on: ProjectDate | None = None
    contact_name: str = Field(default="", max_length=50)
    contact_phone: Phone | None = None

    @model_validator(mode="after")
    def _period(self) -> ProjectCreate:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("结束日期不能早于开始日期")
        return self


class ProjectUpdate(InputSchema):
    name: str | None = Field(default=None, min_length=2, max_length=100)
    description: str | None = Field(default=None, max_length=1000)
    service_types: list[ServiceType] | None = Field(default=None, min_length=1, max_length=10)
    target_categories: list[Category] | None = Field(default=None, max_length=5)
    target_groups: list[Group] | None = Field(default=None, max_length=10)
    region_code: RegionCode | None = None
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    starts_on: ProjectDate | None = None
    ends_on: ProjectDate | None = None
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: Phone | None = None
    version: int | None = Field(default=None, ge=1, description="上次读取的版本；不一致时 409")


class ProjectOut(Schema):
    id: int
    name: str
    organization_id: int
    description: str
    service_types: list[str]
    target_categories: list[str]
    target_groups: list[str]
    region_code: str
    capacity: int
    in_use: int
    starts_on: date
    ends_on: date | None
    contact_name: str
    contact_phone: str
    version: int


ProjectPage = Page[ProjectOut]


# ---- groups and key people ----


class TagIn(InputSchema):
    tag: Group


class KeyTargetIn(InputSchema):
    key_target: bool
    reason: str = Field(default="", max_length=200)


class MemberGroups(Schema):
    member_id: int
    name: str
    tags: list[str]


class HouseholdGroups(Schema):
    household_id: int
    key_target: bool
    key_reason: str
    groups: list[str]
    members: list[MemberGroups]


class GroupCount(Schema):
    tag: str
    label: str
    members: int
    households: int
    key_targets: int


class GroupSummary(Schema):
    items: list[GroupCount]
    key_target_households: int


class GroupMember(Schema):
    household_id: int
    member_id: int
    name: str
    region_code: str
    tag: str
    key_target: bool


GroupMemberPage = Page[GroupMember]


# ---- needs ----


class NeedCreate(InputSchema):
    service_type: ServiceType
    urgency: Urgency
    member_id: Id | None = None
    note: str | None = Field(default=None, max_length=1000)
    source: NeedSource = NeedSource.assessment
    source_id: Id | None = None


class NeedClose(InputSchema):
    outcome: NeedStatus = Field(description="met（已满足）或 closed（不再需要）")
    reason: str = Field(min_length=2, max_length=500)


class NeedOut(Schema):
    id: int
    household_id: int
    member_id: int | None
    service_type: str
    urgency: str
    source: str
    source_id: int | None
    note: str | None
    status: str
    closed_reason: str
    created_at: LocalDateTime
    closed_at: LocalDateTime | None


NeedPage = Page[NeedOut]


class MatchOut(Schema):
    need_id: int
    project_id: int
    score: int
    reasons: list[str]
    project_name: str
    remaining: int


class MatchPage(Schema):
    items: list[MatchOut]
    next_cursor: str | None = None
    on: date
