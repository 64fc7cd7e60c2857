"""The warning life cycle (快速处置): open → dispatched (an offline verification task for a
worker in the warning's jurisdiction, due by level) → verified (confirmed) or closed (false
alarm) → resolved by one of the four routes. A rule only suggests: every step here is a
person's decision, recorded with who, when and why, and audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import repository as accounts
from app.accounts.scopes import Scope, has_scope
from app.config import get_settings
from app.errors import AppError, Forbidden, Invalid, NotFound
from app.kit import audit
from app.kit.actor import Actor
from app.kit.pagination import split_page
from app.kit.timeutil import now
from app.models.warning import EarlyWarning, WarningEvent
from app.monitoring.rules.catalog import BY_CODE
from app.monitoring.warnings import repository
from app.monitoring.warnings.repository import WarningFilter
from app.monitoring.warnings.schemas import (
    DispatchIn,
    EventOut,
    EvidenceOut,
    Outcome,
    Person,
    VerifyIn,
    WarningDetail,
    WarningItem,
    WarningPage,
)
from app.notifications import service as notifications
from app.regions.jurisdiction import covers


class InvalidTransition(AppError):
    status = 409
    code = "invalid_transition"
    message = "当前状态不允许此操作"


# Warnings a person raises, not a rule: their code and name (rules' names come from the catalog).
RAISED_BY_STAFF = {"visit_concern": "入户走访发现异常"}


def warning_not_found() -> NotFound:
    return NotFound("预警不存在", code="warning_not_found")


def due_hours(level: str) -> int:
    settings = get_settings()
    return {
        "red": settings.warning_due_hours_red,
        "orange": settings.warning_due_hours_orange,
    }.get(level, settings.warning_due_hours_yellow)


def is_overdue(warning: EarlyWarning, at: datetime) -> bool:
    return warning.status == "dispatched" and warning.due_at is not None and warning.due_at < at


def item(warning: EarlyWarning, at: datetime) -> WarningItem:
    rule = BY_CODE.get(warning.rule_code)
    return WarningItem(
        id=warning.id,
        rule=warning.rule_code,
        rule_name=rule.name if rule else RAISED_BY_STAFF.get(warning.rule_code, warning.rule_code),
        rule_class=warning.rule_class,
        level=warning.level,
        status=warning.status,
        household_id=warning.household_id,
        person=Person(name=warning.person_name, id_number_masked=warning.person_id_masked),
        region_code=warning.region_code,
        opened_at=warning.opened_at,
        due_at=warning.due_at,
        overdue=is_overdue(warning, at),
        assignee_id=warning.assignee_id,
        summary=warning.summary,
    )


async def list_page(
    session: AsyncSession, actor: Actor, f: WarningFilter, *, before_id: int | None, limit: int
) -> WarningPage:
    """The caller's warnings queue, newest first."""
    rows = await repository.list_warnings(session, actor, f, before_id=before_id, limit=limit + 1)
    page, cursor = split_page(rows, limit)
    at = now()
    return WarningPage(items=[item(w, at) for w in page], next_cursor=cursor)


async def readable(
    session: AsyncSession, actor: Actor, warning_id: int, *, for_update: bool = False
) -> EarlyWarning:
    warning = await repository.get_readable(session, actor, warning_id, for_update=for_update)
    if warning is None:
        raise warning_not_found()
    return warning


async def detail(session: AsyncSession, actor: Actor, warning_id: int) -> WarningDetail:
    """One warning with its evidence and history."""
    warning = await readable(session, actor, warning_id)
    return await detail_of(session, warning)


async def detail_of(session: AsyncSession, warning: EarlyWarning) -> WarningDetail:
    events = await repository.history(session, warning.id)
    evidence = sorted(
        warning.evidence or [],
        key=lambda e: (str(e.get("source")), e.get("import_id") or 0, e.get("row") or 0),
    )
    return WarningDetail(
        **item(warning, now()).model_dump(),
        evidence=[EvidenceOut.model_validate(e) for e in evidence],
        outcome=warning.outcome,
        findings=warning.findings,
        route=warning.route,
        resolution=warning.resolution or {},
        dispatched_at=warning.dispatched_at,
        verified_at=warning.verified_at,
        closed_at=warning.closed_at,
        history=[EventOut.model_validate(e) for e in events],
    )


async def record_step(
    session: AsyncSession,
    actor: Actor,
    warning: EarlyWarning,
    action: str,
    to_status: str,
    note: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Move the warning to ``to_status``, append the step to its history and the audit log."""
    from_status = warning.status
    warning.status = to_status
    session.add(
        WarningEvent(
            warning_id=warning.id,
            at=now(),
            actor_id=actor.id,
            actor_role=actor.role,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
            detail=detail or {},
        )
    )
    await audit.record(
        session,
        actor,
        f"warning.{action}",
        "warning",
        warning.id,
        {"from": from_status, "to": to_status, **(detail or {})},
    )
    await session.flush()


async def raise_warning(
    session: AsyncSession,
    actor: Actor,
    *,
    rule_code: str,
    household_id: int,
    region_code: str,
    person_name: str,
    level: str,
    summary: str,
    evidence: list[dict[str, Any]],
) -> EarlyWarning:
    """A warning a worker raises about a household (e.g. from a visit) for the district to see,
    entering the same queue and life cycle as the rules' warnings. While one of the same kind
    is still open for the household, the new evidence joins it (one open warning per rule and
    subject) and the more urgent level wins."""
    assert rule_code in RAISED_BY_STAFF
    subject_key = f"h:{household_id}"
    warning = await repository.open_warning(session, rule_code, subject_key)
    if warning is None:
        warning = EarlyWarning(
            rule_code=rule_code,
            rule_class="need",
            level=level,
            status="open",
            subject_key=subject_key,
            household_id=household_id,
            person_name=person_name,
            region_code=region_code,
            summary=summary[:500],
            evidence=evidence,
            opened_at=now(),
        )
        session.add(warning)
        await session.flush()
        action, from_status = "open", None
    else:
        rank = {"red": 0, "orange": 1, "yellow": 2}
        if rank.get(level, 2) < rank.get(warning.level, 2):
            warning.level = level
        warning.evidence = [*(warning.evidence or []), *evidence]
        warning.summary = summary[:500]
        action, from_status = "add_evidence", warning.status
    session.add(
        WarningEvent(
            warning_id=warning.id,
            at=now(),
            actor_id=actor.id,
            actor_role=actor.role,
            action=action,
            from_status=from_status,
            to_status=warning.status,
            note=summary[:500],
            detail={"evidence": len(evidence)},
        )
    )
    await audit.record(
        session,
        actor,
        f"warning.{action}",
        "warning",
        warning.id,
        {"rule": rule_code, "household_id": household_id, "level": warning.level},
    )
    await session.flush()
    return warning


def _require(warning: EarlyWarning, *statuses: str) -> None:
    if warning.status not in statuses:
        raise InvalidTransition(f"预警当前状态为 {warning.status}，不能执行此操作")


async def dispatch(
    session: AsyncSession, actor: Actor, warning_id: int, body: DispatchIn
) -> WarningDetail:
    """Send the warning out for verification on site (open, or re-dispatch a dispatched one
    to someone else); due by level."""
    warning = await readable(session, actor, warning_id, for_update=True)
    _require(warning, "open", "dispatched")
    assignee = await accounts.staff_by_id(session, body.assignee_id)
    if (
        assignee is None
        or not assignee.active
        or not has_scope(assignee.role, Scope.warnings_verify)
        or not covers(assignee.region_code, warning.region_code)
    ):
        raise Invalid("核实人须为该预警所在辖区的在职工作人员", code="invalid_assignee")
    at = now()
    warning.assignee_id = assignee.id
    warning.dispatched_at = at
    warning.due_at = at + timedelta(hours=due_hours(warning.level))
    await record_step(
        session,
        actor,
        warning,
        "dispatch",
        "dispatched",
        body.note,
        {"assignee_id": assignee.id, "due_at": warning.due_at.isoformat()},
    )
    await notifications.warning_assigned(session, warning)
    return await detail_of(session, warning)


async def verify(
    session: AsyncSession, actor: Actor, warning_id: int, body: VerifyIn
) -> WarningDetail:
    """The assignee's findings: confirmed (awaits disposal) or a false alarm (closed)."""
    warning = await readable(session, actor, warning_id, for_update=True)
    _require(warning, "dispatched")
    if warning.assignee_id != actor.id:
        raise Forbidden("只有被派发的核实人可以提交核实结果", code="not_assignee")
    at = now()
    warning.verified_at = at
    warning.outcome = body.outcome.value
    warning.findings = body.findings
    if body.outcome == Outcome.false_alarm:
        warning.closed_at = at
        await record_step(
            session,
            actor,
            warning,
            "verify",
            "closed",
            body.findings,
            {"outcome": body.outcome.value},
        )
    else:
        await record_step(
            session,
            actor,
            warning,
            "verify",
            "verified",
            body.findings,
            {"outcome": body.outcome.value},
        )
    return await detail_of(session, warning)


async def for_resolution(session: AsyncSession, actor: Actor, warning_id: int) -> EarlyWarning:
    """The warning, locked, when it may be resolved now."""
    warning = await readable(session, actor, warning_id, for_update=True)
    _require(warning, "verified")
    return warning


async def resolve(
    session: AsyncSession,
    actor: Actor,
    warning: EarlyWarning,
    *,
    route: str,
    note: str,
    resolution: dict[str, Any],
) -> WarningDetail:
    """Record what was done (the route and its particulars) and close the warning."""
    warning.route = route
    warning.resolution = resolution
    warning.resolved_by_id = actor.id
    warning.closed_at = now()
    await record_step(
        session, actor, warning, "resolve", "resolved", note, {"route": route, **resolution}
    )
    return await detail_of(session, warning)


async def summary(session: AsyncSession, actor: Actor, filters: WarningFilter) -> dict[str, Any]:
    """Counts by status and of open warnings by level, rule and area, as of now."""
    return await repository.summary(session, actor, filters, at=now())
