"""SQL for the rules' settings (``warning_rules``): the defaults are inserted the first time
anyone reads them, so a new rule in the code appears without a data migration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.warning import WarningRule
from app.monitoring.rules.base import Rule, RuleParams
from app.monitoring.rules.catalog import RULES

_INSERT: dict[str, Any] = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def defaults() -> list[dict[str, Any]]:
    return [
        {
            "code": rule.code,
            "enabled": rule.default_enabled,
            "level": rule.default_level.value,
            "params": rule.Params().as_json(),
        }
        for rule in RULES
    ]


async def ensure_defaults(session: AsyncSession) -> None:
    """Insert the rules not yet stored, with their default settings; leaves tuned ones."""
    insert = _INSERT[session.get_bind().dialect.name]
    await session.execute(insert(WarningRule).values(defaults()).on_conflict_do_nothing())


async def load_all(session: AsyncSession) -> dict[str, WarningRule]:
    await ensure_defaults(session)
    rows = await session.scalars(select(WarningRule))
    return {row.code: row for row in rows}


async def get_for_update(session: AsyncSession, code: str) -> WarningRule | None:
    await ensure_defaults(session)
    return await session.scalar(
        select(WarningRule).where(WarningRule.code == code).with_for_update()
    )


def params_of(rule: Rule, stored: dict[str, Any]) -> RuleParams:
    """The stored params over the rule's defaults (a param added to the code since takes its
    default; one since removed is dropped)."""
    fields = rule.Params.model_fields
    merged = {**rule.Params().as_json(), **{k: v for k, v in stored.items() if k in fields}}
    return rule.Params.model_validate(merged)
