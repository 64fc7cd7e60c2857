"""Shapes of the statistics endpoints (the overview's is fixed in API.md, "Statistics")."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from app.kit.schemas import Schema


class WarningsOpen(Schema):
    red: int
    orange: int
    yellow: int


class VisitsDue(Schema):
    due: int  # next visit due within 30 days from the day
    overdue: int  # next visit due before the day


class Overview(Schema):
    on: date
    region_code: str
    region_name: str
    households: dict[str, int]
    people: dict[str, int]
    population: int | None
    coverage_permille: float | None
    applications: dict[str, int]
    warnings_open: WarningsOpen
    visits: VisitsDue


class AreaFigures(Schema):
    region_code: str
    name: str
    kind: str | None  # urban (社区) | rural (村), for communities and villages
    households: dict[str, int]
    people: dict[str, int]
    population: int | None
    coverage_permille: float | None


class Period(Schema):
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    region_code: str
    region_name: str


class RegistryFigures(Period):
    on: date
    areas: list[AreaFigures]
    entered: dict[str, int]
    changed: dict[str, int]
    exited: dict[str, int]
    causes: dict[str, int]


class ApplicationFigures(Period):
    submitted: int
    accepted: int
    decided: int
    approved: int
    by_status: dict[str, int]
    average_hours_to_accept: float | None
    average_hours_to_decide: float | None
    decided_within_limit_share: float | None


class WarningFigures(Period):
    opened: int
    closed: int
    by_level: dict[str, int]
    by_rule: dict[str, int]
    by_route: dict[str, int]
    by_status: dict[str, int]
    average_hours_signal_to_close: float | None


class KindFigures(Schema):
    kind: str
    amount: str
    entries: int
    households: int


class PaymentFigures(Period):
    by_kind: list[KindFigures]


class OrganizationFigures(Schema):
    organization_id: int
    name: str
    referrals_made: int
    services: int
    hours: str
    households_served: int


class ReferralFigures(Period):
    referrals_made: int = Field(description="区间内发出的转介")
    by_status: dict[str, int] = Field(description="区间内发出的转介的当前状态")
    services: int = Field(description="服务日期在区间内的服务次数")
    hours: str
    households_served: int
    referrals_served: int
    by_organization: list[OrganizationFigures]


class CareFigures(Schema):
    """Tekun by care arrangement: ``dispersed`` 分散供养, ``centralized`` 集中供养, ``unknown``
    未登记."""

    dispersed: int
    centralized: int
    unknown: int


class TekunAreaFigures(Schema):
    region_code: str
    name: str
    households: CareFigures
    people: CareFigures


class TekunFigures(Schema):
    on: date
    region_code: str
    region_name: str
    households: CareFigures
    people: CareFigures
    areas: list[TekunAreaFigures]
