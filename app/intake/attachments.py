"""Attachments: an application's photos and scans, received by :mod:`app.kit.uploads`
(streamed to disk with the size cap enforced as bytes arrive, typed by content).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import Scope, has_scope
from app.errors import AppError, Forbidden, NotFound
from app.intake import repository
from app.intake.errors import InvalidTransition, application_not_found
from app.kit import audit
from app.kit.actor import Actor
from app.kit.uploads import ReceivedFile, keep, receive_file, stored_path
from app.models.application import Attachment

MAX_PER_APPLICATION = 9


class TooManyAttachments(AppError):
    status = 409
    code = "attachment_limit_reached"
    message = f"每份申请最多 {MAX_PER_APPLICATION} 个附件"


__all__ = ["MAX_PER_APPLICATION", "ReceivedFile", "receive_file", "stored_path"]

ATTACHABLE = frozenset({"submitted", "accepted", "investigating", "reviewing"})


async def check_attachable(session: AsyncSession, actor: Actor, application_id: int) -> None:
    """Before the body streams in: the caller may attach to this case and it has room."""
    application = await repository.get_readable(session, actor, application_id)
    if application is None:
        raise application_not_found()
    if actor.kind == "staff" and not has_scope(actor.role, Scope.cases_create):
        raise Forbidden("当前角色不能上传附件", code="action_not_allowed")
    if application.status not in ATTACHABLE:
        raise InvalidTransition("申请已办结，不能再上传附件", code="application_closed")
    if await repository.count_attachments(session, application_id) >= MAX_PER_APPLICATION:
        raise TooManyAttachments()


async def attach(
    session: AsyncSession, actor: Actor, application_id: int, received: ReceivedFile
) -> Attachment:
    """Record a received file against the case (cap re-checked under the case's lock)."""
    await repository.lock_application(session, application_id)
    await check_attachable(session, actor, application_id)
    assert received.content_type is not None
    attachment = Attachment(
        application_id=application_id,
        storage_name=keep(received),
        content_type=received.content_type,
        size=received.size,
        sha256=received.sha256,
        uploaded_by_kind=actor.kind,
        uploaded_by_id=actor.id,
    )
    session.add(attachment)
    await session.flush()
    await audit.record(
        session,
        actor,
        "attachment.upload",
        "application",
        application_id,
        {
            "attachment_id": attachment.id,
            "content_type": attachment.content_type,
            "size": attachment.size,
        },
    )
    return attachment


async def own_attachments(
    session: AsyncSession, actor: Actor, application_id: int
) -> list[Attachment]:
    """A resident's own application's attachments; 404 unless they submitted it."""
    application = await repository.get_readable(
        session, actor, application_id, with_attachments=True
    )
    if application is None:
        raise application_not_found()
    return sorted(application.attachments, key=lambda a: a.id)


async def readable_attachment(
    session: AsyncSession, actor: Actor, application_id: int, attachment_id: int
) -> Attachment:
    """An attachment for its case's submitter or staff in scope; 404 for anyone else. Staff
    who may not reveal personal data (auditors) read cases but not their documents (ID card
    scans): 403. Every download is audited."""
    if actor.kind == "staff" and not has_scope(actor.role, Scope.cases_read):
        raise NotFound("附件不存在", code="attachment_not_found")
    if actor.kind == "staff" and not has_scope(actor.role, Scope.personal_reveal):
        raise Forbidden(
            "当前角色不能查看申请附件（证件等材料含个人敏感信息）",
            code="attachment_reveal_forbidden",
        )
    application = await repository.get_readable(session, actor, application_id)
    attachment = (
        await repository.get_attachment(session, application_id, attachment_id)
        if application
        else None
    )
    if attachment is None:
        raise NotFound("附件不存在", code="attachment_not_found")
    await audit.record(
        session,
        actor,
        "attachment.view",
        "application",
        application_id,
        {"attachment_id": attachment_id},
    )
    return attachment
