"""SQL for applications. Every read goes through :func:`readable_statement`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Select,
    String,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.db.base import UTCDateTime
from app.errors import AppError
from app.kit.actor import Actor
from app.kit.rotation import EncryptedField
from app.kit.sequence import next_number
from app.models.account import Staff
from app.models.application import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    Attachment,
    ConsentWithdrawal,
)
from app.models.audit import AuditEvent
from app.models.procedure import Procedure
from app.regions.jurisdiction import in_subtree

REFERENCE_SEQUENCE = "application_reference_seq"


def readable_statement(actor: Actor) -> Select[Application]:
    """Applications the actor may see: staff their jurisdiction, others their own."""
    stmt = select(Application)
    if actor.kind == "staff" and actor.region_code:
        return stmt.where(in_subtree(Application.region_code, actor.region_code))
    if actor.kind == "resident":
        return stmt.where(Application.resident_id == actor.id)
    if actor.kind == "agency":
        return stmt.where(Application.agency_id == actor.id)
    raise AppError("no readable scope", status=403, code="forbidden")


async def next_reference_number(session: AsyncSession) -> int:
    return await next_number(session, REFERENCE_SEQUENCE)


async def get_readable(
    session: AsyncSession,
    actor: Actor,
    application_id: int,
    *,
    for_update: bool = False,
    with_events: bool = False,
    with_attachments: bool = False,
) -> Application | None:
    stmt = readable_statement(actor).where(Application.id == application_id)
    if for_update:
        stmt = stmt.with_for_update()
    if with_events:
        stmt = stmt.options(selectinload(Application.events))
    if with_attachments:
        stmt = stmt.options(selectinload(Application.attachments))
    return await session.scalar(stmt)


# Built once: the submit path runs these on every request, and building a statement costs more
# than executing a cached one.
_OPEN_CASE_BY_ID = (
    select(Application)
    .where(Application.subject_id_hash == bindparam("id_hash"))
    .where(Application.status.in_(OPEN_STATUSES))
    .order_by(Application.id)
    .limit(1)
)
_OPEN_CASE_BY_PHONE = (
    select(Application)
    .where(Application.subject_phone_hash == bindparam("phone_hash"))
    .where(Application.subject_name == bindparam("name"))
    .where(Application.status.in_(OPEN_STATUSES))
    .order_by(Application.id)
    .limit(1)
)


async def find_open_case(
    session: AsyncSession, *, id_hash: str | None, phone_hash: str | None, name: str
) -> Application | None:
    """The earliest open application about the same person, to link a repeat report to."""
    if id_hash:
        return await session.scalar(_OPEN_CASE_BY_ID, {"id_hash": id_hash})
    if phone_hash:
        return await session.scalar(_OPEN_CASE_BY_PHONE, {"phone_hash": phone_hash, "name": name})
    return None


async def other_open_case(
    session: AsyncSession, application_id: int, id_hash: str
) -> Application | None:
    """The earliest other open application about the person with this ID number."""
    return await session.scalar(
        select(Application)
        .where(Application.subject_id_hash == id_hash)
        .where(Application.status.in_(OPEN_STATUSES))
        .where(Application.id != application_id)
        .order_by(Application.id)
        .limit(1)
    )


async def has_linked(session: AsyncSession, application_id: int) -> bool:
    """Whether other applications are linked to this one (it is the root of a group)."""
    found = await session.scalar(
        select(Application.id).where(Application.linked_to_id == application_id).limit(1)
    )
    return found is not None


async def list_mine(
    session: AsyncSession, actor: Actor, *, before_id: int | None, limit: int
) -> list[Application]:
    stmt = (
        readable_statement(actor)
        .options(selectinload(Application.events))
        .order_by(Application.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        stmt = stmt.where(Application.id < before_id)
    return list(await session.scalars(stmt))


async def list_queue(
    session: AsyncSession,
    actor: Actor,
    *,
    statuses: list[str] | None,
    help_bit: int | None,
    region_code: str | None,
    assignee_id: int | None,
    overdue_at: datetime | None,
    reference: str | None,
    id_hash: str | None,
    name_prefix: str | None,
    before_id: int | None,
    limit: int,
) -> list[Application]:
    """The staff queue, newest first, keyset-paged by id."""
    stmt = readable_statement(actor).order_by(Application.id.desc()).limit(limit)
    if statuses:
        stmt = stmt.where(Application.status.in_(statuses))
    if help_bit is not None:
        stmt = stmt.where(Application.help_mask.op("&")(help_bit) != 0)
    if region_code:
        stmt = stmt.where(in_subtree(Application.region_code, region_code))
    if assignee_id is not None:
        stmt = stmt.where(Application.assignee_id == assignee_id)
    if overdue_at is not None:
        stmt = stmt.where(Application.status == "submitted", Application.due_at < overdue_at)
    if reference or id_hash or name_prefix:
        clauses = []
        if reference:
            clauses.append(Application.reference == reference)
        if id_hash:
            clauses.append(Application.subject_id_hash == id_hash)
        if name_prefix:
            escaped = name_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append(Application.subject_name.like(escaped + "%", escape="\\"))
        stmt = stmt.where(or_(*clauses))
    if before_id is not None:
        stmt = stmt.where(Application.id < before_id)
    return list(await session.scalars(stmt))


async def linked_ids(session: AsyncSession, application: Application) -> list[int]:
    """Applications linked to this one, in either direction."""
    root = application.linked_to_id or application.id
    stmt = (
        select(Application.id)
        .where(or_(Application.id == root, Application.linked_to_id == root))
        .where(Application.id != application.id)
        .order_by(Application.id)
    )
    return list(await session.scalars(stmt))


async def add_event(session: AsyncSession, event: ApplicationEvent) -> None:
    session.add(event)
    await session.flush()


async def count_attachments(session: AsyncSession, application_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Attachment)
        .where(Attachment.application_id == application_id)
    )
    return int(await session.scalar(stmt) or 0)


async def get_attachment(
    session: AsyncSession, application_id: int, attachment_id: int
) -> Attachment | None:
    return await session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.application_id == application_id
        )
    )


async def lock_application(session: AsyncSession, application_id: int) -> None:
    """Serialise attachment uploads per application (the 9-file cap) on PostgreSQL."""
    await session.execute(
        select(Application.id).where(Application.id == application_id).with_for_update()
    )


async def staff_member(session: AsyncSession, staff_id: int) -> Staff | None:
    return await session.get(Staff, staff_id)


async def active_withdrawal(
    session: AsyncSession, resident_id: int, *, for_update: bool = False
) -> ConsentWithdrawal | None:
    """The resident's withdrawal of consent still in force, if any."""
    stmt = (
        select(ConsentWithdrawal)
        .where(ConsentWithdrawal.resident_id == resident_id)
        .where(ConsentWithdrawal.regranted_at.is_(None))
        .order_by(ConsentWithdrawal.id.desc())
        .limit(1)
    )
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def mark_consent_withdrawn(
    session: AsyncSession, resident_id: int, at: datetime | None
) -> int:
    """Mark (``at``) or unmark (None) the resident's open applications; how many changed."""
    result = await session.execute(
        update(Application)
        .where(Application.resident_id == resident_id)
        .where(Application.status.in_(OPEN_STATUSES))
        .where(
            Application.consent_withdrawn_at.is_(None)
            if at is not None
            else Application.consent_withdrawn_at.is_not(None)
        )
        .values(consent_withdrawn_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def anonymise_finished(
    session: AsyncSession,
    *,
    cutoff: datetime,
    at: datetime,
    retention_days: int,
    cleared: str,
) -> tuple[int, list[str]]:
    """Anonymise, in a few set-based statements, every finished application last changed
    before ``cutoff``: one audit event each, attachments deleted (their storage names are
    returned for the files), event notes and the application's text and identifiers cleared.
    Returns (applications anonymised, storage names)."""
    expired = (
        select(Application.id)
        .where(Application.status.in_(FINISHED_STATUSES))
        .where(Application.updated_at < cutoff)
        .where(Application.anonymised_at.is_(None))
        # Not correlated with the UPDATE's own applications table.
        .correlate(None)
    )
    await session.execute(
        insert(AuditEvent).from_select(
            [
                "at",
                "actor_kind",
                "actor_role",
                "action",
                "record_type",
                "record_id",
                "client",
                "detail",
            ],
            select(
                literal(at, UTCDateTime()),
                literal("system"),
                literal("system"),
                literal("application.anonymise"),
                literal("application"),
                cast(Application.id, String),
                literal("retention"),
                literal({"retention_days": retention_days}, JSON()),
            ).where(Application.id.in_(expired)),
        )
    )
    storage_names = list(
        await session.scalars(
            select(Attachment.storage_name).where(Attachment.application_id.in_(expired))
        )
    )
    await session.execute(
        delete(Attachment)
        .where(Attachment.application_id.in_(expired))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(ApplicationEvent)
        .where(ApplicationEvent.application_id.in_(expired))
        .values(note_enc=None, public_note_enc=None)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(
        update(Application)
        .where(Application.id.in_(expired))
        .values(
            subject_name=cleared,
            subject_id_enc=None,
            subject_id_hash=None,
            subject_id_masked=None,
            subject_phone_enc=None,
            subject_phone_hash=None,
            subject_phone_masked=None,
            address=cleared,
            household_size=None,
            reporter_name_enc=None,
            reporter_phone_enc=None,
            reporter_phone_hash=None,
            reporter_phone_masked=None,
            description_enc=None,
            anonymised_at=at,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0), storage_names


SEALED_COLUMNS = [
    EncryptedField(
        "application.subject_id",
        Application.id,
        Application.subject_id_enc,
        Application.subject_id_hash,
    ),
    EncryptedField(
        "application.subject_phone",
        Application.id,
        Application.subject_phone_enc,
        Application.subject_phone_hash,
    ),
    EncryptedField(
        "application.reporter_phone",
        Application.id,
        Application.reporter_phone_enc,
        Application.reporter_phone_hash,
    ),
    EncryptedField("application.reporter_name", Application.id, Application.reporter_name_enc),
    EncryptedField("application.description", Application.id, Application.description_enc),
    EncryptedField("application_event.note", ApplicationEvent.id, ApplicationEvent.note_enc),
    EncryptedField(
        "application_event.public_note", ApplicationEvent.id, ApplicationEvent.public_note_enc
    ),
]
"""Personal fields under the data key, for its rotation (:mod:`app.kit.rotation`)."""


async def has_procedure(session: AsyncSession, application_id: int) -> bool:
    """Whether the application follows a statutory procedure (app/procedures)."""
    found = await session.scalar(
        select(Procedure.id).where(Procedure.application_id == application_id)
    )
    return found is not None
