"""Setting and listing standards: district officers set them within their jurisdiction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, Invalid, NotFound, OutsideJurisdiction
from app.kit import audit
from app.kit.actor import Actor
from app.kit.money import money
from app.kit.pagination import after_date_id, after_id, split_page
from app.kit.timeutil import local_today, now
from app.models.household import Standard
from app.models.region import Region
from app.regions.jurisdiction import covers
from app.regions.service import region_names
from app.standards import recalculation, repository
from app.standards.repository import StandardKind
from app.standards.schemas import (
    Recalculation,
    RecalculationConfirmed,
    RecalculationItem,
    StandardIn,
    StandardOut,
    StandardPage,
)


class StandardExists(Conflict):
    code = "standard_exists"
    message = "该地区同类标准在该生效日期已存在"


def format_value(kind: str, value: Decimal) -> str:
    """Money with two places; a multiplier with as many as it needs, at least two."""
    if kind != StandardKind.edge_multiplier:
        return f"{money(value):.2f}"
    text = f"{value.normalize():f}"
    whole, _, places = text.partition(".")
    return f"{whole}.{places.ljust(2, '0')}"


def _out(standard: Standard, names: dict[str, str], in_force_ids: set[int]) -> StandardOut:
    return StandardOut(
        id=standard.id,
        region_code=standard.region_code,
        region_name=names.get(standard.region_code, ""),
        kind=StandardKind(standard.kind),
        value=format_value(standard.kind, standard.value),
        effective_from=standard.effective_from,
        in_force=standard.id in in_force_ids,
        created_by_id=standard.created_by_id,
        created_at=standard.created_at,
    )


async def _in_force_ids(session: AsyncSession, region_code: str, on: date) -> set[int]:
    ids = set()
    for kind in StandardKind:
        standard = await repository.standard_in_force(session, region_code, kind, on)
        if standard is not None:
            ids.add(standard.id)
    return ids


async def list_standards(
    session: AsyncSession,
    actor: Actor,
    region_code: str | None,
    *,
    kind: StandardKind | None,
    cursor: str | None,
    limit: int,
) -> StandardPage:
    """Standards set for a region, the regions above it and those below it, newest first.

    Standards are published policy, not personal data, so any staff member with read access
    may look up any region's (a street worker compares with the neighbouring county). Without
    ``region_code``, the caller's own region."""
    region_code = region_code or actor.region_code
    if region_code is None:
        raise Invalid("请指定 region_code", code="region_required")
    if await session.get(Region, region_code) is None:
        raise NotFound("行政区划不存在", code="region_not_found")
    rows = await repository.list_standards(
        session,
        region_code,
        kind=kind.value if kind else None,
        after=after_date_id(cursor),
        limit=limit + 1,
    )
    rows, next_cursor = split_page(
        rows,
        limit,
        lambda row: (row.effective_from, row.id),
    )
    names = await region_names(session, {s.region_code for s in rows})
    in_force = await _in_force_ids(session, region_code, local_today())
    return StandardPage(
        items=[_out(s, names, in_force) for s in rows],
        next_cursor=next_cursor,
    )


async def create_standard(session: AsyncSession, actor: Actor, body: StandardIn) -> StandardOut:
    """Set a standard from a date on, for a region in the caller's jurisdiction; audited."""
    region = await session.get(Region, body.region_code)
    if region is None:
        raise Invalid(
            "行政区划代码不存在",
            code="invalid_region",
            extra={"errors": [{"field": "region_code", "message": "unknown region code"}]},
        )
    if not actor.region_code or not covers(actor.region_code, body.region_code):
        raise OutsideJurisdiction("只能为本辖区设定标准")
    kind = body.kind.value
    if await repository.find_standard(session, body.region_code, kind, body.effective_from):
        raise StandardExists()
    value = money(body.value) if body.kind != StandardKind.edge_multiplier else body.value
    standard = Standard(
        region_code=body.region_code,
        kind=kind,
        value=value,
        effective_from=body.effective_from,
        created_by_id=actor.id,
    )
    if not await repository.insert_standard(session, standard):
        raise StandardExists()
    await audit.record(
        session,
        actor,
        "standard.create",
        "standard",
        standard.id,
        {
            "region_code": standard.region_code,
            "kind": kind,
            "value": format_value(kind, value),
            "effective_from": standard.effective_from.isoformat(),
        },
    )
    in_force = await _in_force_ids(session, body.region_code, local_today())
    return _out(standard, {region.code: region.name}, in_force)


async def _governing(session: AsyncSession, actor: Actor, standard_id: int) -> Standard:
    standard = await session.get(Standard, standard_id)
    if (
        standard is None
        or not actor.region_code
        or not covers(actor.region_code, standard.region_code)
    ):
        raise NotFound("标准不存在", code="standard_not_found")
    return standard


async def list_recalculation(
    session: AsyncSession, actor: Actor, standard_id: int, *, cursor: str | None, limit: int
) -> Recalculation:
    """The households a standard governs in the caller's jurisdiction, each with its amount now
    and under the standard, and whether that was confirmed (a page by household id)."""
    standard = await _governing(session, actor, standard_id)
    rows = await recalculation.page(
        session, actor, standard, after_id=after_id(cursor), limit=limit + 1
    )
    rows, next_cursor = split_page(rows, limit, lambda row: (row.household_id,))
    names = await region_names(session, {standard.region_code})
    in_force = await _in_force_ids(session, standard.region_code, local_today())
    return Recalculation(
        standard=_out(standard, names, in_force),
        items=[RecalculationItem.model_validate(row._mapping) for row in rows],
        next_cursor=next_cursor,
    )


async def confirm_recalculation(
    session: AsyncSession, actor: Actor, standard_id: int
) -> RecalculationConfirmed:
    """Record the new amount of every household the standard governs in the caller's
    jurisdiction and not yet confirmed; audited with the count."""
    standard = await _governing(session, actor, standard_id)
    count = await recalculation.confirm(session, actor, standard, now())
    await audit.record(
        session,
        actor,
        "standard.recalculation_confirm",
        "standard",
        standard.id,
        {"households": count, "effective_from": standard.effective_from.isoformat()},
    )
    return RecalculationConfirmed(standard_id=standard.id, confirmed=count)
