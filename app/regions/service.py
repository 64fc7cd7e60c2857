"""Region tree: CSV import, look-ups for pickers and validation."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid, NotFound
from app.models.region import Region
from app.regions import repository
from app.regions.jurisdiction import significant_prefix

LEVELS = {
    "province": 2,
    "city": 4,
    "district": 6,
    "county": 6,
    "street": 9,
    "town": 9,
    "township": 9,
    "community": 12,
    "village": 12,
}
LEAF_LEVELS = {"community", "village"}
BUILTIN_CSV = Path(__file__).with_name("regions-wenjiang.csv")
# Communities and villages known to exist, per database. Regions are only ever added or
# renamed (never deleted; a code's level is fixed by its digits), so a code found once stays
# valid, and every submission is spared a query for it.
_known_leaves: dict[str, set[str]] = {}


class RegionImportError(ValueError):
    """A line of a region CSV that cannot be loaded."""


def _population(raw: str | None, line: int) -> int | None:
    text = (raw or "").strip().replace(",", "")
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise RegionImportError(f"line {line}: population must be a whole number")
    return int(text)


def parse_regions_csv(path: Path) -> list[dict[str, str | int | None]]:
    """Rows ``code,name,level,parent_code[,population]``, checked for shape and parent order."""
    rows: list[dict[str, str | int | None]] = []
    seen: set[str] = set()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"code", "name", "level", "parent_code"} - set(reader.fieldnames or [])
        if missing:
            raise RegionImportError(f"missing columns: {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            code = (row["code"] or "").strip()
            name = (row["name"] or "").strip()
            level = (row["level"] or "").strip()
            parent = (row["parent_code"] or "").strip() or None
            if len(code) != 12 or not code.isdigit():
                raise RegionImportError(f"line {line}: code must be 12 digits")
            if level not in LEVELS:
                raise RegionImportError(f"line {line}: unknown level {level!r}")
            if len(significant_prefix(code)) != LEVELS[level]:
                raise RegionImportError(f"line {line}: code {code} does not fit level {level}")
            if not name or len(name) > 100:
                raise RegionImportError(f"line {line}: name is empty or too long")
            if parent is not None and parent not in seen:
                raise RegionImportError(f"line {line}: parent {parent} not defined above")
            seen.add(code)
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "level": level,
                    "parent_code": parent,
                    "population": _population(row.get("population"), line),
                }
            )
    return rows


async def import_regions(session: AsyncSession, rows: list[dict[str, str | int | None]]) -> int:
    """Insert or update regions; safe to run twice."""
    existing = await repository.by_codes(session, [str(r["code"]) for r in rows])
    for row in rows:
        code = str(row["code"])
        region = existing.get(code)
        if region is None:
            session.add(Region(**row))
            await session.flush()
        else:
            region.name = str(row["name"])
            region.level = str(row["level"])
            region.parent_code = None if row["parent_code"] is None else str(row["parent_code"])
            if row.get("population") is not None:
                region.population = int(row["population"] or 0)
    await session.flush()
    return len(rows)


async def list_children(session: AsyncSession, parent_code: str | None) -> list[Region]:
    return await repository.children(session, parent_code)


async def get_region(session: AsyncSession, code: str) -> Region:
    region = await session.get(Region, code)
    if region is None:
        raise NotFound("行政区划不存在", code="region_not_found")
    return region


async def require_leaf_region(session: AsyncSession, code: str, field: str = "region_code") -> None:
    """A community or village, as applications and households must name."""
    known = _known_leaves.setdefault(str(session.get_bind().engine.url), set())
    if code in known:
        return
    level = await repository.level_of(session, code)
    if level is None:
        raise Invalid(
            "行政区划代码不存在",
            code="invalid_region",
            extra={"errors": [{"field": field, "message": "unknown region code"}]},
        )
    if level not in LEAF_LEVELS:
        raise Invalid(
            "请选择到社区或村",
            code="region_not_community",
            extra={"errors": [{"field": field, "message": "must be a community or village"}]},
        )
    known.add(code)


async def region_names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return await repository.names(session, codes)
