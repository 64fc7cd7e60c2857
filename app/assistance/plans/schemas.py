"""Service plans (一人一策): requests and responses."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from app.assistance.schemas import Id
from app.kit.schemas import InputSchema, LocalDateTime, Page, Schema

Goal = Annotated[str, Field(min_length=2, max_length=200)]


class PlanStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    closed = "closed"


class PlanContent(InputSchema):
    goals: list[Goal] = Field(min_length=1, max_length=20)
    need_ids: list[Id] = Field(default_factory=list, max_length=20)
    project_ids: list[Id] = Field(default_factory=list, max_length=20)
    responsible_id: Id
    review_on: date
    note: str = Field(default="", max_length=1000)


class PlanCreate(PlanContent):
    household_id: Id
    member_id: Id | None = None


class PlanRevise(PlanContent):
    version: int = Field(ge=1, description="上次读取的版本；不一致时 409")


class PlanApprove(InputSchema):
    version: int = Field(ge=1, description="批准的版本，须为当前版本")


class PlanVersionOut(Schema):
    version: int
    goals: list[str]
    need_ids: list[int]
    project_ids: list[int]
    responsible_id: int
    review_on: date
    note: str
    created_by_id: int | None
    created_at: LocalDateTime
    approved_by_id: int | None
    approved_at: LocalDateTime | None


class PlanOut(Schema):
    id: int
    household_id: int
    member_id: int | None
    region_code: str
    status: str
    version: int
    approved_version: int | None
    responsible_id: int
    review_on: date
    goals: list[str]
    need_ids: list[int]
    project_ids: list[int]
    note: str
    created_at: LocalDateTime
    updated_at: LocalDateTime


class PlanDetail(PlanOut):
    versions: list[PlanVersionOut]


PlanPage = Page[PlanOut]
