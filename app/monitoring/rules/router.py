"""Warning rules for district officers: list, enable, disable, tune."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.accounts.dependencies import RequireRulesManage, RequireWarningsRead
from app.db.deps import Session
from app.monitoring.rules import service
from app.monitoring.rules.schemas import RuleOut, RuleUpdate

router = APIRouter(prefix="/staff", tags=["warnings"])

RuleCode = Annotated[str, Path(max_length=48, pattern=r"^[a-z_]+$")]


@router.get("/warning-rules", response_model=list[RuleOut], response_model_by_alias=True)
async def list_rules(session: Session, actor: RequireWarningsRead) -> list[RuleOut]:
    """Every warning rule with its class, level, whether it runs, and its params."""
    return await service.list_rules(session)


@router.patch("/warning-rules/{code}", response_model=RuleOut, response_model_by_alias=True)
async def update_rule(
    session: Session,
    actor: RequireRulesManage,
    code: RuleCode,
    body: RuleUpdate,
) -> RuleOut:
    """Enable or disable a rule, set its level, or tune its params (checked per rule: 422)."""
    return await service.update_rule(session, actor, code, body)
