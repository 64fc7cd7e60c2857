"""One-click help: a new application, its deadline, de-duplication against an open case about
the same person, its first event and audit. :mod:`app.intake.submission` builds the same rows
in two statements on PostgreSQL from these functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from app.calendar import service as calendar_service
from app.calendar.clock import CalendarOutOfRange, WorkingCalendar
from app.config import get_settings
from app.errors import OutsideJurisdiction
from app.intake import privacy, repository
from app.intake.schemas import (
    HELP_BITS,
    ApplicationCreate,
    HelpType,
    Relation,
    Status,
)
from app.kit import audit
from app.kit.actor import Actor
from app.kit.crypto import get_cipher, mask_id_number, mask_phone
from app.kit.timeutil import now, to_local
from app.models.application import Application, ApplicationEvent
from app.notifications import service as notifications
from app.regions.jurisdiction import covers
from app.regions.service import require_leaf_region

EMERGENCY_HOURS = 24
ORDINARY_WORKING_DAYS = 3


CHANNEL_BY_KIND = {"agency": "agency", "staff": "staff"}


def due_at_for(
    help_types: list[HelpType], submitted: datetime, calendar: WorkingCalendar
) -> datetime | None:
    """Emergencies must be accepted within 24 hours, others within 3 working days over the
    holiday calendar, at the local time of submission; None (the deadline is unknown, never
    guessed) when those days run into a year whose holiday schedule is not recorded."""
    if HelpType.emergency in help_types:
        return submitted + timedelta(hours=EMERGENCY_HOURS)
    local = to_local(submitted)
    try:
        due = calendar.add_working_days(local.date(), ORDINARY_WORKING_DAYS)
    except CalendarOutOfRange:
        return None
    return local.replace(year=due.year, month=due.month, day=due.day).astimezone(UTC)


def _channel(actor: Actor, relation: Relation) -> str:
    if actor.kind in CHANNEL_BY_KIND:
        return CHANNEL_BY_KIND[actor.kind]
    return "mini_program" if relation == Relation.self else "mini_program_report"


@dataclass(frozen=True)
class OpenCase:
    """An open application about the same person, which a new one is linked to."""

    id: int
    linked_to_id: int | None
    reference: str


def new_application(
    actor: Actor,
    body: ApplicationCreate,
    *,
    submitted: datetime,
    number: int,
    open_case: OpenCase | None,
    calendar: WorkingCalendar,
) -> Application:
    """The application a submission makes (not yet added to a session): personal data sealed,
    reference ``WJ2026-000123`` from ``number``, linked to ``open_case`` if any."""
    cipher = get_cipher()
    subject = body.subject
    return Application(
        reference=f"{get_settings().reference_prefix}{to_local(submitted).year}-{number:06d}",
        status=Status.submitted.value,
        channel=_channel(actor, body.relation),
        relation=body.relation.value,
        resident_id=actor.id if actor.kind == "resident" else None,
        agency_id=actor.id if actor.kind == "agency" else None,
        entered_by_id=actor.id if actor.kind == "staff" else None,
        subject_name=subject.name,
        subject_id_enc=cipher.encrypt(subject.id_number) if subject.id_number else None,
        subject_id_hash=cipher.keyed_hash(subject.id_number) if subject.id_number else None,
        subject_id_masked=mask_id_number(subject.id_number) if subject.id_number else None,
        subject_phone_enc=cipher.encrypt(subject.phone) if subject.phone else None,
        subject_phone_hash=cipher.keyed_hash(subject.phone) if subject.phone else None,
        subject_phone_masked=mask_phone(subject.phone) if subject.phone else None,
        region_code=subject.region_code,
        address=subject.address,
        household_size=subject.household_size,
        **_reporter_columns(body),
        help_types=[h.value for h in body.help_types],
        help_mask=sum(HELP_BITS[h] for h in body.help_types),
        description=body.description,
        consent_at=submitted,
        consent_version=body.consent_version or privacy.current_version(),
        priority="urgent" if HelpType.emergency in body.help_types else "normal",
        due_at=due_at_for(body.help_types, submitted, calendar),
        linked_to_id=(open_case.linked_to_id or open_case.id) if open_case else None,
        created_at=submitted,
        updated_at=submitted,
    )


def first_event(
    actor: Actor, application: Application, open_case: OpenCase | None
) -> ApplicationEvent:
    """The ``submit`` event that opens an application's history."""
    return ApplicationEvent(
        application_id=application.id,
        at=application.created_at,
        action="submit",
        from_status=None,
        to_status=Status.submitted.value,
        actor_kind=actor.kind,
        actor_id=actor.id,
        public_note="已提交，等待受理",
        note=f"与 {open_case.reference} 关联（同一对象已有在办申请）" if open_case else "",
    )


def submit_audit_detail(application: Application) -> dict[str, object]:
    """What the ``application.submit`` audit entry records."""
    return {
        "channel": application.channel,
        "linked_to_id": application.linked_to_id,
        "consent_version": application.consent_version,
    }


def subject_hashes(body: ApplicationCreate) -> tuple[str | None, str | None]:
    """The keyed hashes of the subject's ID number and phone, which find an open case."""
    cipher = get_cipher()
    subject = body.subject
    return (
        cipher.keyed_hash(subject.id_number) if subject.id_number else None,
        cipher.keyed_hash(subject.phone) if subject.phone else None,
    )


async def check_submission(session: AsyncSession, actor: Actor, body: ApplicationCreate) -> None:
    """What a submission must satisfy before anything is written: a community or village
    (known ones are remembered in-process), within a staff member's jurisdiction."""
    await require_leaf_region(session, body.subject.region_code, "subject.region_code")
    if actor.kind == "staff" and not covers(actor.region_code or "", body.subject.region_code):
        raise OutsideJurisdiction("该社区不在您的辖区内")


async def submit(session: AsyncSession, actor: Actor, body: ApplicationCreate) -> Application:
    """Create an application (one-click help) in one transaction, with its first event, through
    the unit of work (every backend; :mod:`app.intake.submission` has PostgreSQL's fast path)."""
    await check_submission(session, actor, body)
    await privacy.require_consent(session, actor)
    id_hash, phone_hash = subject_hashes(body)
    submitted = now()
    found = await repository.find_open_case(
        session, id_hash=id_hash, phone_hash=phone_hash, name=body.subject.name
    )
    open_case = OpenCase(found.id, found.linked_to_id, found.reference) if found else None
    number = await repository.next_reference_number(session)
    calendar = await calendar_service.current(session)
    application = new_application(
        actor, body, submitted=submitted, number=number, open_case=open_case, calendar=calendar
    )
    session.add(application)
    await session.flush()
    event = first_event(actor, application, open_case)
    session.add(event)
    await audit.record(
        session,
        actor,
        "application.submit",
        "application",
        application.id,
        submit_audit_detail(application),
    )
    await session.flush()  # the event and its audit entry in one go
    set_committed_value(application, "events", [event])
    await notifications.check_application_text(session, application)
    return application


def _reporter_columns(body: ApplicationCreate) -> dict[str, str | None]:
    reporter = body.reporter
    if reporter is None:
        return {}
    cipher = get_cipher()
    return {
        "reporter_name": reporter.name,
        "reporter_phone_enc": cipher.encrypt(reporter.phone),
        "reporter_phone_hash": cipher.keyed_hash(reporter.phone),
        "reporter_phone_masked": mask_phone(reporter.phone),
    }
