"""Consent and retention (个人信息保护法): the privacy notice a person agrees to, a resident's
withdrawal of consent to new processing, and the anonymisation of finished applications once
their retention period has run out."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.errors import AppError, Forbidden
from app.intake import repository
from app.intake.attachments import stored_path
from app.intake.notices import NOTICES
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import now
from app.models.application import ConsentWithdrawal

log = structlog.get_logger()

CLEARED = "已按保存期限清除"


class PrivacyNoticeUnavailable(AppError):
    status = 503
    code = "privacy_notice_unavailable"
    message = "隐私告知文本暂不可用，请联系管理员"


def current_version() -> str:
    """The version of the notice in force (``JIUZHU_PRIVACY_NOTICE_VERSION``)."""
    version = get_settings().privacy_notice_version
    if version not in NOTICES:
        raise PrivacyNoticeUnavailable()
    return version


async def consent_status(session: AsyncSession, actor: Actor) -> ConsentWithdrawal | None:
    """The resident's withdrawal in force, or None while their consent stands."""
    assert actor.id is not None
    return await repository.active_withdrawal(session, actor.id)


async def require_consent(session: AsyncSession, actor: Actor) -> None:
    """A resident who withdrew consent may not start new processing until consenting again."""
    if actor.kind != "resident" or actor.id is None:
        return
    if await repository.active_withdrawal(session, actor.id) is not None:
        raise consent_withdrawn()


def consent_withdrawn() -> Forbidden:
    """The answer to a submission from a resident whose withdrawal of consent is in force."""
    return Forbidden(
        "您已撤回个人信息处理同意，请先重新同意隐私告知（POST /me/consent）再提交申请",
        code="consent_withdrawn",
    )


async def withdraw_consent(session: AsyncSession, actor: Actor) -> ConsentWithdrawal:
    """Record the withdrawal (once; a repeat returns it) and mark the resident's open
    applications; nothing is deleted."""
    assert actor.id is not None
    withdrawal = await repository.active_withdrawal(session, actor.id, for_update=True)
    if withdrawal is not None:
        return withdrawal
    at = now()
    withdrawal = ConsentWithdrawal(resident_id=actor.id, withdrawn_at=at)
    session.add(withdrawal)
    marked = await repository.mark_consent_withdrawn(session, actor.id, at)
    await audit.record(
        session,
        actor,
        "consent.withdraw",
        "resident",
        actor.id,
        {"open_applications_marked": marked},
    )
    await session.flush()
    return withdrawal


async def grant_consent(session: AsyncSession, actor: Actor, version: str) -> None:
    """Consent given again: new applications are taken, open ones lose their mark."""
    assert actor.id is not None
    withdrawal = await repository.active_withdrawal(session, actor.id, for_update=True)
    if withdrawal is None:
        return
    withdrawal.regranted_at = now()
    withdrawal.regranted_version = version
    unmarked = await repository.mark_consent_withdrawn(session, actor.id, None)
    await audit.record(
        session,
        actor,
        "consent.grant",
        "resident",
        actor.id,
        {"consent_version": version, "open_applications_unmarked": unmarked},
    )
    await session.flush()


async def anonymise_expired(session: AsyncSession, at: datetime | None = None) -> int:
    """Clear the free text and identifiers of applications finished longer ago than the
    retention period, delete their attachments (rows and files) and audit each one; set-based.
    Safe to run twice: anonymised applications are left out."""
    at = at or now()
    days = get_settings().retention_days
    cutoff = at - timedelta(days=days)
    count, storage_names = await repository.anonymise_finished(
        session, cutoff=cutoff, at=at, retention_days=days, cleared=CLEARED
    )
    for name in storage_names:
        # After the rows are gone: should the commit fail, a later run deletes the rows again
        # and finds their files already gone.
        stored_path(name).unlink(missing_ok=True)
    log.info("anonymised", what="applications", rows=count, attachments=len(storage_names))
    return count
