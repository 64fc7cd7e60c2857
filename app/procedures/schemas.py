"""Procedure inputs and views."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from app.households.categories.vocabulary import CareArrangement
from app.kit.inputs import EffectiveDate
from app.kit.params import MAX_ID
from app.kit.schemas import InputSchema, LocalDateTime, Money, Schema
from app.procedures.spec import Category


def _bounded(value: dt.date | None) -> dt.date | None:
    if value is not None and not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
        raise ValueError("日期须在 2000-01-01 到 2100-12-31 之间")
    return value


class StartIn(InputSchema):
    category: Category
    # A special reason recorded at the start allows 45 working days instead of 30.
    special_reason: str | None = Field(default=None, min_length=2, max_length=200)


class Outcome(StrEnum):
    approve = "approve"
    refuse = "refuse"


class StepIn(InputSchema):
    """One step's record; which fields a step needs is checked by the step (422 with Chinese
    messages)."""

    on: dt.date | None = None  # the day the step was taken (default today; never in the future)
    note: str = Field(default="", max_length=2000)
    # Home survey: the staff who went (at least two).
    surveyors: list[int] = Field(default_factory=list, max_length=10)
    findings: str = Field(default="", max_length=2000)
    # The decision step.
    outcome: Outcome | None = None
    reasons: str = Field(default="", max_length=1000)
    monthly_amount: Decimal | None = Field(
        default=None, ge=0, le=100000, max_digits=10, decimal_places=2
    )
    amount_reason: str | None = Field(default=None, min_length=2, max_length=200)
    care_arrangement: CareArrangement | None = None
    valid_months: int | None = Field(default=None, ge=1, le=12)
    # Re-checks: half-yearly when income is unstable (or a member is able to work), else yearly.
    income_stable: bool | None = None
    # Temporary aid paid first.
    amount: Decimal | None = Field(
        default=None, gt=0, le=1_000_000, max_digits=10, decimal_places=2
    )
    # Democratic review: the outcome of the vote, in words.
    result: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _dates(self) -> StepIn:
        _bounded(self.on)
        if len(set(self.surveyors)) != len(self.surveyors):
            raise ValueError("surveyors 中有重复的工作人员")
        if any(not 1 <= s <= MAX_ID for s in self.surveyors):
            raise ValueError("surveyors 须为工作人员 id")
        return self


class ObjectionIn(InputSchema):
    on: dt.date | None = None
    text: str = Field(min_length=2, max_length=1000)

    @model_validator(mode="after")
    def _dates(self) -> ObjectionIn:
        _bounded(self.on)
        return self


class ReasonIn(InputSchema):
    reason: str = Field(min_length=2, max_length=200)


class StopAction(StrEnum):
    reduce = "reduce"  # 减发
    stop = "stop"  # 停发


class StopIn(InputSchema):
    """Reduce or stop the assistance of an approved case, with reasons and a written notice;
    no public notice. An effective date after today waits for its date."""

    action: StopAction
    # As the registry's category decisions take it: 2000-01-01 to a year ahead.
    effective_date: EffectiveDate
    reasons: str = Field(min_length=2, max_length=1000)
    monthly_amount: Decimal | None = Field(
        default=None, ge=0, le=100000, max_digits=10, decimal_places=2
    )

    @model_validator(mode="after")
    def _fields(self) -> StopIn:
        if self.action == StopAction.reduce and self.monthly_amount is None:
            raise ValueError("减发须给出新的 monthly_amount")
        if self.action == StopAction.stop and self.monthly_amount is not None:
            raise ValueError("停发不带 monthly_amount")
        return self


class RecheckIn(InputSchema):
    """A re-check (复核) that found the household still eligible."""

    income_stable: bool | None = None
    note: str = Field(default="", max_length=500)


class StepView(Schema):
    code: str
    label: str
    # done | pending | not_reached | not_needed | optional
    status: str
    who_may_act: list[str]
    clock: str | None
    started_on: dt.date | None
    due_on: dt.date | None
    deadline_unknown: bool
    deadline_warning: str | None
    overdue_days: int
    done_on: dt.date | None
    actor_id: int | None
    actor_ids: list[int]
    findings: str
    detail: dict[str, object]


class ObjectionView(Schema):
    raised_on: dt.date
    text: str
    recorded_by_id: int | None


class DocumentView(Schema):
    id: int
    kind: str
    title: str
    applicant_copy: bool
    created_at: LocalDateTime


class ProcedureView(Schema):
    id: int
    application_id: int
    category: Category
    category_label: str
    started_on: dt.date
    limit_days: int | None
    limit_on: dt.date | None
    special_reason: str | None
    outcome: str | None
    decided_on: dt.date | None
    within_limit: bool | None
    care_arrangement: str | None
    monthly_amount: Money | None
    valid_until: dt.date | None
    recheck_on: dt.date | None
    stopped_on: dt.date | None
    advance_amount: Money | None
    objections: int
    objection_records: list[ObjectionView]
    spot_checked: bool
    paused_since: dt.date | None
    pauses: list[list[str]]
    steps: list[StepView]
    documents: list[DocumentView]


class PublicStep(Schema):
    label: str
    status: str
    text: str
    due_on: dt.date | None
    done_on: dt.date | None


class PublicProcedure(Schema):
    """What the applicant sees: each step in plain Chinese, and the documents given to them."""

    category_label: str
    status_text: str
    steps: list[PublicStep]
    documents: list[DocumentView]
