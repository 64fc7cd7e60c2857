"""Listing and tuning the warning rules (district officers). A change takes effect at the next
scan; warnings already open keep the level they were opened with."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid, NotFound
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import now
from app.models.warning import WarningRule
from app.monitoring.rules import repository
from app.monitoring.rules.base import Rule
from app.monitoring.rules.catalog import BY_CODE, RULES
from app.monitoring.rules.schemas import RuleOut, RuleUpdate


def rule_out(rule: Rule, row: WarningRule) -> RuleOut:
    return RuleOut(
        code=rule.code,
        name=rule.name,
        class_=rule.rule_class,
        level=row.level,
        enabled=row.enabled,
        params=repository.params_of(rule, row.params).as_json(),
        description=rule.description(),
    )


async def list_rules(session: AsyncSession) -> list[RuleOut]:
    """Every rule with its current settings, in the order scans run them."""
    rows = await repository.load_all(session)
    return [rule_out(rule, rows[rule.code]) for rule in RULES]


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": "params." + ".".join(str(p) for p in err["loc"]),
            "type": err["type"],
            "message": err["msg"],
        }
        for err in exc.errors()
    ]


async def update_rule(session: AsyncSession, actor: Actor, code: str, body: RuleUpdate) -> RuleOut:
    """Enable, disable, set the level or tune params; audited with the old and new settings."""
    rule = BY_CODE.get(code)
    row = await repository.get_for_update(session, code) if rule else None
    if rule is None or row is None:
        raise NotFound("预警规则不存在", code="warning_rule_not_found")
    before = {"enabled": row.enabled, "level": row.level, "params": row.params}
    if body.params is not None:
        current = repository.params_of(rule, row.params).as_json()
        try:
            params = rule.Params.model_validate({**current, **body.params})
        except ValidationError as exc:
            raise Invalid(
                "规则参数无效", code="invalid_rule_params", extra={"errors": _errors(exc)}
            ) from exc
        row.params = params.as_json()
    if body.enabled is not None:
        row.enabled = body.enabled
    if body.level is not None:
        row.level = body.level.value
    row.updated_by_id = actor.id
    row.updated_at = now()
    await session.flush()
    after = {"enabled": row.enabled, "level": row.level, "params": row.params}
    await audit.record(
        session,
        actor,
        "warning_rule.update",
        "warning_rule",
        code,
        {"before": before, "after": after},
    )
    return rule_out(rule, row)
