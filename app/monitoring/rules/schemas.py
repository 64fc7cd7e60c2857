"""Rule settings as district officers see and tune them."""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictBool

from app.kit.schemas import InputSchema, Schema
from app.monitoring.rules.base import Level, RuleClass


class RuleOut(Schema):
    code: str
    name: str
    class_: RuleClass = Field(serialization_alias="class")
    level: Level
    enabled: bool
    params: dict[str, Any]
    description: str


class RuleUpdate(InputSchema):
    """Any of the three; ``params`` are merged over the current ones and checked per rule."""

    enabled: StrictBool | None = None
    level: Level | None = None
    params: dict[str, Any] | None = Field(default=None, max_length=20)
