"""``/staff/stats/…``: the bureau's figures for the caller's jurisdiction, each as JSON and as
an XLSX workbook in the layout of a monthly report (the same path with ``.xlsx``)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from app.accounts.dependencies import RequireStatsRead
from app.db.deps import Session
from app.kit.params import RegionCodeQuery
from app.stats import referrals, service, tekun, workbook
from app.stats.schemas import (
    ApplicationFigures,
    Overview,
    PaymentFigures,
    ReferralFigures,
    RegistryFigures,
    TekunFigures,
    WarningFigures,
)

router = APIRouter(prefix="/staff/stats", tags=["statistics"])

On = Annotated[dt.date | None, Query(description="统计日期，默认今天")]
Month = Annotated[
    str | None, Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="统计月份，如 2026-11")
]
Start = Annotated[dt.date | None, Query(alias="from", description="起始日期（含）")]
End = Annotated[dt.date | None, Query(alias="to", description="截止日期（含），默认今天")]


def _json(model: type[BaseModel], figures: dict[str, Any]) -> JSONResponse:
    return JSONResponse(model.model_validate(figures).model_dump(mode="json", by_alias=True))


async def _xlsx(
    name: str, figures: dict[str, Any], build: Callable[[dict[str, Any]], bytes]
) -> Response:
    content = await asyncio.to_thread(build, figures)
    filename = f"{name}-{figures['region_code']}-{figures.get('on') or figures.get('to')}.xlsx"
    return Response(
        content,
        media_type=workbook.XLSX_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


Figures = Callable[..., Awaitable[dict[str, Any]]]


@router.get("/overview", response_model=Overview)
async def overview(
    session: Session, actor: RequireStatsRead, on: On = None, region_code: RegionCodeQuery = None
) -> JSONResponse:
    """Households and people by category, coverage of the resident population, applications by
    status, open warnings by level, and visits due and overdue, for a region on a day."""
    return _json(Overview, await service.overview(session, actor, on, region_code))


@router.get("/overview.xlsx", response_class=Response)
async def overview_xlsx(
    session: Session, actor: RequireStatsRead, on: On = None, region_code: RegionCodeQuery = None
) -> Response:
    """The overview as a workbook."""
    figures = await service.overview(session, actor, on, region_code)
    return await _xlsx("overview", figures, workbook.overview)


@router.get("/tekun", response_model=TekunFigures)
async def tekun_figures(
    session: Session, actor: RequireStatsRead, on: On = None, region_code: RegionCodeQuery = None
) -> JSONResponse:
    """Tekun households and people by care arrangement (分散供养, 集中供养, 未登记) on a day,
    per street (or per community below a street)."""
    return _json(TekunFigures, await tekun.tekun(session, actor, on, region_code))


@router.get("/tekun.xlsx", response_class=Response)
async def tekun_xlsx(
    session: Session, actor: RequireStatsRead, on: On = None, region_code: RegionCodeQuery = None
) -> Response:
    """Tekun by care arrangement as a workbook."""
    figures = await tekun.tekun(session, actor, on, region_code)
    return await _xlsx("tekun", figures, workbook.tekun)


@router.get("/registry", response_model=RegistryFigures)
async def registry(
    session: Session,
    actor: RequireStatsRead,
    on: On = None,
    region_code: RegionCodeQuery = None,
    month: Month = None,
    start: Start = None,
    end: End = None,
) -> JSONResponse:
    """Per street (or per community below a street): households and people by category, urban
    or rural, coverage; decisions taking effect in the period; causes of hardship."""
    first, last = service.period(month, start, end)
    figures = await service.registry(session, actor, on, region_code, first, last)
    return _json(RegistryFigures, figures)


@router.get("/registry.xlsx", response_class=Response)
async def registry_xlsx(
    session: Session,
    actor: RequireStatsRead,
    on: On = None,
    region_code: RegionCodeQuery = None,
    month: Month = None,
    start: Start = None,
    end: End = None,
) -> Response:
    """The registry figures as a workbook."""
    first, last = service.period(month, start, end)
    figures = await service.registry(session, actor, on, region_code, first, last)
    return await _xlsx("registry", figures, workbook.registry)


def _period_routes(
    path: str, figures: Figures, model: type[BaseModel], build: Callable[[dict[str, Any]], bytes]
) -> None:
    """``GET /staff/stats/<path>`` and its ``.xlsx`` twin for a figure over a period."""

    async def as_json(
        session: Session,
        actor: RequireStatsRead,
        region_code: RegionCodeQuery = None,
        month: Month = None,
        start: Start = None,
        end: End = None,
    ) -> JSONResponse:
        first, last = service.period(month, start, end)
        return _json(model, await figures(session, actor, region_code, first, last))

    async def as_xlsx(
        session: Session,
        actor: RequireStatsRead,
        region_code: RegionCodeQuery = None,
        month: Month = None,
        start: Start = None,
        end: End = None,
    ) -> Response:
        first, last = service.period(month, start, end)
        return await _xlsx(path, await figures(session, actor, region_code, first, last), build)

    summary = (figures.__doc__ or "").strip().split("\n")[0]
    router.add_api_route(
        f"/{path}", as_json, methods=["GET"], response_model=model, description=summary
    )
    router.add_api_route(
        f"/{path}.xlsx",
        as_xlsx,
        methods=["GET"],
        response_class=Response,
        description=f"{summary} (XLSX)",
    )


# Applications submitted in the period: the funnel and the processing times.
_period_routes("applications", service.applications, ApplicationFigures, workbook.applications)
# Warnings opened in the period by level, rule, route and status; signal to close.
_period_routes("warnings", service.warnings, WarningFigures, workbook.warnings)
# Money, goods and services the ledger records as given in the period, by kind.
_period_routes("payments", service.payments, PaymentFigures, workbook.payments)
# Referrals made in the period by status, and services delivered in it, by organization.
_period_routes("referrals", referrals.referrals, ReferralFigures, workbook.referrals)
