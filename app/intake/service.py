"""The case life cycle: detail, transitions with their rules, withdrawal, assignment, notes and
reveal. New applications are made in :mod:`app.intake.creation`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.scopes import Scope, has_scope
from app.errors import Forbidden, Invalid
from app.intake import repository
from app.intake.decision import check_amount
from app.intake.errors import InvalidTransition, application_not_found
from app.intake.schemas import (
    ACTION_LABELS,
    STATUS_LABELS,
    Action,
    AssignIn,
    CaseDetail,
    CaseEvent,
    Decision,
    DecisionIn,
    Revealed,
    StaffAttachmentOut,
    Status,
    TransitionIn,
)
from app.intake.views import case_item, timeline
from app.kit import audit
from app.kit.actor import Actor
from app.kit.crypto import get_cipher
from app.kit.timeutil import now
from app.models.application import Application, ApplicationEvent
from app.notifications import service as notifications
from app.regions.jurisdiction import covers
from app.regions.service import region_names


@dataclass(frozen=True)
class Rule:
    """Which statuses an action leaves from, where it goes, and who may take it."""

    sources: frozenset[str]
    target: str
    scope: Scope
    assignee_only: bool = False


RULES: dict[Action, Rule] = {
    Action.accept: Rule(frozenset({"submitted"}), "accepted", Scope.cases_triage),
    Action.reject: Rule(frozenset({"submitted"}), "rejected", Scope.cases_triage),
    Action.start_investigation: Rule(
        frozenset({"accepted"}), "investigating", Scope.cases_work, assignee_only=True
    ),
    Action.submit_review: Rule(
        frozenset({"investigating"}), "reviewing", Scope.cases_work, assignee_only=True
    ),
    Action.approve: Rule(frozenset({"reviewing"}), "approved", Scope.cases_decide),
    Action.deny: Rule(frozenset({"reviewing"}), "denied", Scope.cases_decide),
    Action.refer: Rule(frozenset({"accepted", "investigating"}), "referred", Scope.cases_triage),
    Action.close: Rule(frozenset({"approved"}), "closed", Scope.cases_close),
}
WITHDRAWABLE = frozenset({"submitted", "accepted", "investigating"})
ASSIGNABLE = frozenset({"submitted", "accepted", "investigating"})


async def case_detail(session: AsyncSession, actor: Actor, application_id: int) -> CaseDetail:
    """The whole case, with internal notes, for staff whose jurisdiction covers it."""
    application = await repository.get_readable(
        session, actor, application_id, with_events=True, with_attachments=True
    )
    if application is None:
        raise application_not_found()
    names = await region_names(session, {application.region_code})
    item = case_item(application, names.get(application.region_code, ""), now())
    decision = None
    if application.decision_category:
        decision = Decision(
            category=application.decision_category,
            monthly_amount=application.decision_amount,
            decided_by_id=application.decided_by_id,
            decided_at=application.decided_at,
        )
    return CaseDetail(
        **item.model_dump(),
        description=application.description,
        events=[CaseEvent.model_validate(e) for e in application.events],
        attachments=[StaffAttachmentOut.model_validate(a) for a in application.attachments],
        linked_application_ids=await repository.linked_ids(session, application),
        decision=decision,
        timeline=timeline(application),
        content_check=await notifications.content_status(session, "application", application.id),
    )


async def view_case(session: AsyncSession, actor: Actor, application_id: int) -> CaseDetail:
    """The case as :func:`case_detail` gives it; who looked is audited (``application.view``)."""
    detail = await case_detail(session, actor, application_id)
    await audit.record(session, actor, "application.view", "application", application_id)
    return detail


async def _load_for_change(session: AsyncSession, actor: Actor, application_id: int) -> Application:
    application = await repository.get_readable(
        session, actor, application_id, for_update=True, with_events=True
    )
    if application is None:
        raise application_not_found()
    return application


async def _record_step(
    session: AsyncSession,
    actor: Actor,
    application: Application,
    action: str,
    target: str,
    note: str = "",
    public_note: str = "",
    detail: dict[str, object] | None = None,
) -> None:
    at = now()
    event = ApplicationEvent(
        application_id=application.id,
        at=at,
        action=action,
        from_status=application.status,
        to_status=target,
        actor_kind=actor.kind,
        actor_id=actor.id,
        note=note,
        public_note=public_note,
    )
    await repository.add_event(session, event)
    await audit.record(
        session,
        actor,
        f"application.{action}",
        "application",
        application.id,
        {"from": application.status, "to": target, **(detail or {})},
    )
    application.status = target
    application.updated_at = at
    set_committed_value(application, "events", [*application.events, event])
    await session.flush()


async def transition(
    session: AsyncSession, actor: Actor, application_id: int, body: TransitionIn
) -> Application:
    """Move a case along its life cycle; 403 for a role that may not, 409 for a wrong status."""
    application = await _load_for_change(session, actor, application_id)
    return await _move(
        session, actor, application, body.action, body.note, body.public_note, body.decision
    )


async def approve_without_enrolment(
    session: AsyncSession, actor: Actor, application_id: int, note: str, public_note: str
) -> Application:
    """Approve a case whose aid is given once (临时救助): the registry keeps no such category,
    so the case carries no registry decision."""
    application = await _load_for_change(session, actor, application_id)
    return await _move(session, actor, application, Action.approve, note, public_note, None)


async def _move(
    session: AsyncSession,
    actor: Actor,
    application: Application,
    action: Action,
    note: str,
    public_note: str,
    decision: DecisionIn | None,
) -> Application:
    """The step ``action`` under its rule; ``decision`` is what an approval decides for the
    registry (None for aid the registry does not keep)."""
    rule = RULES[action]
    if not has_scope(actor.role, rule.scope):
        raise Forbidden(
            f"当前角色不能执行“{ACTION_LABELS[action.value]}”", code="action_not_allowed"
        )
    if application.status not in rule.sources:
        raise InvalidTransition(
            f"申请当前为“{STATUS_LABELS[application.status]}”，"
            f"不能执行“{ACTION_LABELS[action.value]}”",
            extra={"status": application.status},
        )
    # After the status: a case nobody has accepted has no assignee, and the answer to
    # investigating it is "not in this status" (409), not "not yours" (403).
    if rule.assignee_only and application.assignee_id != actor.id:
        raise Forbidden("只有承办人可以执行此操作", code="not_assignee")
    detail: dict[str, object] = {}
    if action == Action.accept and application.assignee_id is None:
        application.assignee_id = actor.id
        detail["assignee_id"] = actor.id
    if decision is not None:
        checked = await check_amount(session, application, decision)
        if checked is not None:
            detail.update(checked.detail)
            note = "\n".join(n for n in (note, checked.note) if n)
        application.decision_category = decision.category.value
        application.decision_amount = decision.monthly_amount
        application.decided_by_id = actor.id
        application.decided_at = now()
        detail["category"] = decision.category.value
        detail["monthly_amount"] = (
            str(decision.monthly_amount) if decision.monthly_amount is not None else None
        )
    if action == Action.deny or (action == Action.approve and decision is None):
        # A refusal, and an approval of aid given once, decide the case with no registry
        # decision: who decided and when still count (the figures' decided cases and days).
        application.decided_by_id = actor.id
        application.decided_at = now()
    await _record_step(
        session, actor, application, action.value, rule.target, note, public_note, detail
    )
    await notifications.application_status(session, application, public_note)
    return application


async def note_on_approval(session: AsyncSession, application: Application, note: str) -> None:
    """Add to the approval event's internal note (staff see it; the applicant's timeline shows
    public notes only): what the approval led to in other domains."""
    approval = next(e for e in reversed(application.events) if e.action == Action.approve)
    approval.note = f"{approval.note}\n{note}" if approval.note else note
    await session.flush()


async def withdraw(
    session: AsyncSession, actor: Actor, application_id: int, note: str
) -> Application:
    """The applicant withdraws; not once a decision is under way or made."""
    application = await _load_for_change(session, actor, application_id)
    if application.status not in WITHDRAWABLE:
        raise InvalidTransition(
            "申请已进入审核或已有结论，不能撤回", extra={"status": application.status}
        )
    await _record_step(
        session,
        actor,
        application,
        "withdraw",
        Status.withdrawn.value,
        note,
        note,
    )
    await notifications.application_status(session, application)
    return application


async def assign(
    session: AsyncSession, actor: Actor, application_id: int, body: AssignIn
) -> Application:
    """Give the case to a staff member whose jurisdiction covers it."""
    if not has_scope(actor.role, Scope.cases_assign):
        raise Forbidden("当前角色不能分派案件", code="action_not_allowed")
    application = await _load_for_change(session, actor, application_id)
    if application.status not in ASSIGNABLE:
        raise InvalidTransition(
            f"申请当前为“{STATUS_LABELS[application.status]}”，不能分派",
            extra={"status": application.status},
        )
    assignee = await repository.staff_member(session, body.assignee_id)
    if (
        assignee is None
        or not assignee.active
        or not covers(assignee.region_code, application.region_code)
        or not has_scope(assignee.role, Scope.cases_work)
    ):
        raise Invalid(
            "承办人须为辖区覆盖该案件的在岗工作人员",
            code="invalid_assignee",
            extra={"errors": [{"field": "assignee_id", "message": "not eligible"}]},
        )
    previous = application.assignee_id
    application.assignee_id = assignee.id
    await _record_step(
        session,
        actor,
        application,
        "assign",
        application.status,
        body.note,
        detail={"assignee_id": assignee.id, "previous_assignee_id": previous},
    )
    await notifications.case_assigned(session, application)
    return application


async def add_note(session: AsyncSession, actor: Actor, application_id: int, note: str) -> None:
    """An internal note on the case (staff only)."""
    application = await _load_for_change(session, actor, application_id)
    await _record_step(session, actor, application, "note", application.status, note)


async def reveal(session: AsyncSession, actor: Actor, application_id: int, reason: str) -> Revealed:
    """The subject's ID number and phone in clear, for a stated reason; audited."""
    if not has_scope(actor.role, Scope.personal_reveal):
        raise Forbidden("当前角色不能查看个人敏感信息", code="action_not_allowed")
    application = await repository.get_readable(session, actor, application_id)
    if application is None:
        raise application_not_found()
    cipher = get_cipher()
    fields = ["id_number", "phone"]
    if application.reporter_phone_enc:
        fields.append("reporter_phone")
    await audit.record(
        session,
        actor,
        "application.reveal",
        "application",
        application.id,
        {"reason": reason, "fields": fields},
    )
    return Revealed(
        id_number=cipher.decrypt(application.subject_id_enc)
        if application.subject_id_enc
        else None,
        phone=cipher.decrypt(application.subject_phone_enc)
        if application.subject_phone_enc
        else None,
        reporter_phone=cipher.decrypt(application.reporter_phone_enc)
        if application.reporter_phone_enc
        else None,
    )
