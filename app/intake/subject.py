"""Staff add or correct an application's subject (补录): the ID number a report came without,
a phone, a name, an address, the household size. Audited with its reason; a newly known ID
number links the case to an open case about the same person, as a submission would."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import Scope, has_scope
from app.errors import Forbidden
from app.intake import repository
from app.intake.errors import InvalidTransition
from app.intake.schemas import STATUS_LABELS, SubjectCorrection
from app.intake.service import _load_for_change, _record_step
from app.kit.actor import Actor
from app.kit.crypto import get_cipher, mask_id_number, mask_phone
from app.models.application import OPEN_STATUSES, Application

FIELD_NAMES = {
    "name": "姓名",
    "id_number": "身份证号",
    "phone": "电话",
    "address": "地址",
    "household_size": "家庭人口",
}


def _shown(application: Application, field: str) -> Any:
    """A field's value as the audit log and the case history may show it (masked)."""
    return {
        "name": application.subject_name,
        "id_number": application.subject_id_masked,
        "phone": application.subject_phone_masked,
        "address": application.address,
        "household_size": application.household_size,
    }[field]


def _apply(application: Application, field: str, value: Any) -> None:
    cipher = get_cipher()
    if field == "name":
        application.subject_name = value
    elif field == "id_number":
        application.subject_id_enc = cipher.encrypt(value)
        application.subject_id_hash = cipher.keyed_hash(value)
        application.subject_id_masked = mask_id_number(value)
    elif field == "phone":
        application.subject_phone_enc = cipher.encrypt(value)
        application.subject_phone_hash = cipher.keyed_hash(value)
        application.subject_phone_masked = mask_phone(value)
    elif field == "address":
        application.address = value
    else:
        application.household_size = value


async def _link(session: AsyncSession, application: Application) -> str | None:
    """Link the case to an open case about the same person (by ID number), as a new report
    would be; the reference linked to, or None."""
    if application.linked_to_id is not None or application.subject_id_hash is None:
        return None
    other = await repository.other_open_case(session, application.id, application.subject_id_hash)
    if other is None or await repository.has_linked(session, application.id):
        return None
    application.linked_to_id = other.linked_to_id or other.id
    return other.reference


async def correct_subject(
    session: AsyncSession, actor: Actor, application_id: int, body: SubjectCorrection
) -> Application:
    """Add or correct the subject's details on an open case (staff who enter cases)."""
    if not has_scope(actor.role, Scope.cases_create):
        raise Forbidden("当前角色不能补录申请对象信息", code="action_not_allowed")
    application = await _load_for_change(session, actor, application_id)
    if application.status not in OPEN_STATUSES:
        raise InvalidTransition(
            f"申请当前为“{STATUS_LABELS[application.status]}”，不能再补录申请对象信息",
            extra={"status": application.status},
        )
    changes = {n: getattr(body, n) for n in body.model_fields_set - {"reason"}}
    before = {n: _shown(application, n) for n in changes}
    changed = [n for n, value in changes.items() if not _same(application, n, value)]
    for field in changed:
        _apply(application, field, changes[field])
    if not changed:
        return application
    linked = await _link(session, application) if "id_number" in changed else None
    words = "、".join(FIELD_NAMES[n] for n in changed)
    note = f"补录/更正申请对象信息：{words}（原因：{body.reason}）"
    if linked:
        note += f"；与 {linked} 关联（同一对象已有在办申请）"
    await _record_step(
        session,
        actor,
        application,
        "subject_correct",
        application.status,
        note,
        detail={
            "reason": body.reason,
            "before": {n: before[n] for n in changed},
            "after": {n: _shown(application, n) for n in changed},
            "linked_to_id": application.linked_to_id if linked else None,
        },
    )
    return application


def _same(application: Application, field: str, value: Any) -> bool:
    """Whether the case already says this (ID number and phone compared by keyed hash)."""
    if field == "id_number":
        return application.subject_id_hash == get_cipher().keyed_hash(value)
    if field == "phone":
        return application.subject_phone_hash == get_cipher().keyed_hash(value)
    return bool(_shown(application, field) == value)
