from __future__ import annotations

from app.kit.schemas import Schema


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class RegionList(Schema):
    items: list[RegionOut]
