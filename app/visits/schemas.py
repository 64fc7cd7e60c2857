"""Request and response shapes of risk-based visits (入户走访)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from app.households.categories.vocabulary import Category
from app.households.schemas import RiskLevel
from app.intake.schemas import HelpType
from app.kit.inputs import EffectiveDate, RegionCode
from app.kit.schemas import InputSchema, LocalDateTime, Page, Schema, UtcDateTime

__all__ = ["Category", "RiskLevel"]

MAX_CYCLE_DAYS = 730
MAX_POLICY_ENTRIES = 600


class PolicyCategory(StrEnum):
    """A category, or ``none`` for an active household not yet in one (待定类别)."""

    dibao = "dibao"
    tekun = "tekun"
    dibao_edge = "dibao_edge"
    expenditure_hardship = "expenditure_hardship"
    other_special = "other_special"
    none = "none"


class CheckValue(StrEnum):
    ok = "ok"  # 正常
    concern = "concern"  # 需关注
    urgent = "urgent"  # 紧急
    not_applicable = "n/a"


class NeedType(StrEnum):
    """The kind of service a visit found the household needs (typed, for matching)."""

    basic_living = "basic_living"
    medical = "medical"
    education = "education"
    housing = "housing"
    employment = "employment"
    emergency = "emergency"
    care = "care"
    other = "other"


class PolicyEntry(InputSchema):
    category: PolicyCategory
    risk_level: RiskLevel
    region_code: RegionCode | None = None
    cycle_days: int = Field(ge=1, le=MAX_CYCLE_DAYS)
    effective_from: EffectiveDate


class PolicyEntryOut(Schema):
    category: PolicyCategory
    risk_level: RiskLevel
    region_code: str | None
    cycle_days: int
    effective_from: dt.date


class Checklist(InputSchema):
    """The living-conditions checklist (生活状况清单); every key optional, no other key."""

    housing: CheckValue | None = None  # 住房
    food: CheckValue | None = None  # 吃饭
    heating_cooling: CheckValue | None = None  # 取暖降温
    health: CheckValue | None = None  # 健康
    care: CheckValue | None = None  # 照料
    schooling: CheckValue | None = None  # 上学
    income_change: CheckValue | None = None  # 收入变化
    urgent_needs: CheckValue | None = None  # 急难需求


Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6)]


class WarningLevel(StrEnum):
    red = "red"
    orange = "orange"
    yellow = "yellow"


class WarningFollowUp(InputSchema):
    """Raise a warning (rule ``visit_concern``) for the district's warnings queue."""

    level: WarningLevel = WarningLevel.yellow
    summary: str = Field(min_length=1, max_length=500)


class NeedFollowUp(InputSchema):
    """A need for services (服务需求) to plan or refer."""

    need_type: NeedType
    detail: str = Field(min_length=1, max_length=2000)


class ApplicationFollowUp(InputSchema):
    """Open an application (一键求助, channel ``staff``) on the household's behalf, for its head,
    with the household's consent."""

    help_types: list[HelpType] = Field(min_length=1, max_length=len(HelpType))
    description: str = Field(default="", max_length=2000)
    consent: bool

    @model_validator(mode="after")
    def _consented(self) -> ApplicationFollowUp:
        if self.consent is not True:
            raise ValueError("需经本人同意（consent 必须为 true）")
        return self


class FollowUps(InputSchema):
    """What the visit sets going, in the visit's transaction (all or nothing)."""

    warning: WarningFollowUp | None = None
    needs: list[NeedFollowUp] = Field(default_factory=list, max_length=8)
    application: ApplicationFollowUp | None = None


class VisitCreate(InputSchema):
    visited_at: UtcDateTime
    met: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(max_length=20)
    checklist: Checklist
    need_type: NeedType | None = None
    needs: str | None = Field(default=None, min_length=1, max_length=2000)
    notes: str = Field(default="", max_length=5000)
    risk_level_after: RiskLevel
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    follow_ups: FollowUps | None = None

    @model_validator(mode="after")
    def _coordinates_together(self) -> VisitCreate:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude 与 longitude 须同时给出")
        if self.need_type is not None and self.needs is None:
            raise ValueError("给出 need_type 时须写明 needs")
        return self


class PhotoOut(Schema):
    id: int
    content_type: str
    size: int
    sha256: str
    created_at: LocalDateTime


class VisitOut(Schema):
    id: int
    household_id: int
    staff_id: int
    visited_at: LocalDateTime
    recorded_at: LocalDateTime
    met: list[str]
    checklist: dict[str, str]
    need_type: NeedType | None
    needs: str | None
    notes: str
    risk_level_before: RiskLevel
    risk_level_after: RiskLevel
    risk_applied: bool
    latitude: Decimal | None
    longitude: Decimal | None
    due_on: dt.date
    on_time: bool
    application_id: int | None
    warning_id: int | None
    need_ids: list[int]
    photos: list[PhotoOut]


VisitPage = Page[VisitOut]


class DueItem(Schema):
    household_id: int
    reference: str
    region_code: str
    category: Category | None
    risk_level: RiskLevel
    last_visit_at: LocalDateTime | None
    next_due_on: dt.date
    overdue_days: int
    open_warnings: int
    assignee_id: int | None


class DueCounts(Schema):
    """Over every household the filters select (not only this page)."""

    total: int
    overdue: int
    due_today: int
    unassigned: int


class DuePage(Schema):
    counts: DueCounts
    items: list[DueItem]
    next_cursor: str | None
