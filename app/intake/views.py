"""How an application reads: the resident's view with its plain-words timeline, and the staff
queue's item."""

from __future__ import annotations

from datetime import datetime

from app.intake.schemas import (
    STATUS_TIMELINE_NOTES,
    ApplicationOut,
    CaseItem,
    HelpType,
    Relation,
    ReporterOut,
    StaffSubjectOut,
    Status,
    SubjectOut,
    TimelineEntry,
)
from app.models.application import Application


def reporter_out(application: Application) -> ReporterOut | None:
    if application.reporter_phone_masked is None and application.reporter_name is None:
        return None
    return ReporterOut(
        name=application.reporter_name, phone_masked=application.reporter_phone_masked
    )


def subject_out(application: Application) -> SubjectOut:
    return SubjectOut(
        name=application.subject_name,
        id_number_masked=application.subject_id_masked,
        phone_masked=application.subject_phone_masked,
        region_code=application.region_code,
        address=application.address,
        household_size=application.household_size,
    )


def timeline(application: Application) -> list[TimelineEntry]:
    """Status history with public notes only, as the applicant sees it; a status without a
    public note gets its plain-words line."""
    return [
        TimelineEntry(
            status=e.to_status,
            at=e.at,
            note=e.public_note or STATUS_TIMELINE_NOTES.get(e.to_status, ""),
        )
        for e in application.events
        if e.from_status != e.to_status
    ]


def resident_view(application: Application) -> ApplicationOut:
    return ApplicationOut(
        id=application.id,
        reference=application.reference,
        status=Status(application.status),
        channel=application.channel,
        relation=Relation(application.relation),
        subject=subject_out(application),
        reporter=reporter_out(application),
        help_types=[HelpType(h) for h in application.help_types],
        description=application.description,
        consent_version=application.consent_version,
        consent_withdrawn_at=application.consent_withdrawn_at,
        created_at=application.created_at,
        updated_at=application.updated_at,
        timeline=timeline(application),
    )


def is_overdue(application: Application, at: datetime) -> bool:
    due = application.due_at
    return application.status == Status.submitted.value and due is not None and due < at


# What staff read on a case whose acceptance deadline could not be computed.
DEADLINE_UNKNOWN = (
    "受理期限跨入尚未录入节假日安排的年份，系统不推算期限；管理员录入该年安排后自动计算，"
    "在此之前请按法定期限人工把握"
)


def case_item(application: Application, region_name: str, at: datetime) -> CaseItem:
    return CaseItem(
        id=application.id,
        reference=application.reference,
        status=Status(application.status),
        channel=application.channel,
        relation=Relation(application.relation),
        subject=StaffSubjectOut(**subject_out(application).model_dump(), region_name=region_name),
        reporter=reporter_out(application),
        help_types=[HelpType(h) for h in application.help_types],
        priority=application.priority,
        due_at=application.due_at,
        overdue=is_overdue(application, at),
        deadline_unknown=application.due_at is None,
        deadline_warning=DEADLINE_UNKNOWN if application.due_at is None else None,
        assignee_id=application.assignee_id,
        linked_to_id=application.linked_to_id,
        consent_version=application.consent_version,
        consent_withdrawn_at=application.consent_withdrawn_at,
        created_at=application.created_at,
        updated_at=application.updated_at,
    )
