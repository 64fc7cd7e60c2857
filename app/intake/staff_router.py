"""Staff triage: the queue, case detail, life-cycle transitions, assignment, reveal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from app.accounts.dependencies import RequireCasesCreate, RequireCasesRead, RequireCasesWork
from app.db.deps import Session
from app.intake import creation, flows, queries, service, subject
from app.intake.queries import QueueFilter
from app.intake.schemas import (
    ApplicationCreate,
    AssignIn,
    CaseDetail,
    CasePage,
    HelpType,
    NoteIn,
    Revealed,
    Status,
    SubjectCorrection,
    TransitionIn,
)
from app.kit.idempotency import IdempotencyKey, run_once
from app.kit.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
)
from app.kit.params import MAX_ID, RecordId, RegionCodeQuery
from app.kit.schemas import RevealIn

router = APIRouter(prefix="/staff", tags=["staff triage"])

Reader = RequireCasesRead


@router.get("/applications", response_model=CasePage)
async def queue(
    session: Session,
    actor: Reader,
    status: Annotated[list[Status] | None, Query()] = None,
    help_type: HelpType | None = None,
    region_code: RegionCodeQuery = None,
    assignee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    overdue: bool = False,
    q: Annotated[str | None, Query(min_length=1, max_length=50, pattern=r"^[^\x00]+$")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> CasePage:
    """The triage queue for the caller's jurisdiction, newest first."""
    filters = QueueFilter(status, help_type, region_code, assignee_id, overdue, q)
    return await queries.queue(session, actor, filters, limit, cursor)


@router.post("/applications", status_code=201, response_model=CaseDetail)
async def enter_application(
    body: ApplicationCreate,
    session: Session,
    actor: RequireCasesCreate,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Enter an application taken at a counter or on a home visit (channel ``staff``)."""

    async def create() -> tuple[int, object]:
        application = await creation.submit(session, actor, body)
        detail = await service.case_detail(session, actor, application.id)
        return 201, detail.model_dump(mode="json")

    status, payload = await run_once(session, actor, idempotency_key, body, create)
    return JSONResponse(payload, status_code=status)


@router.get("/applications/{application_id}", response_model=CaseDetail)
async def case(application_id: RecordId, session: Session, actor: Reader) -> CaseDetail:
    """The whole case with internal notes and attachments; every view is audited."""
    return await service.view_case(session, actor, application_id)


@router.post("/applications/{application_id}/transitions", response_model=CaseDetail)
async def transition(
    application_id: RecordId,
    body: TransitionIn,
    session: Session,
    actor: Reader,
) -> CaseDetail:
    """Accept, reject, investigate, submit for review, approve, deny, refer or close."""
    await flows.transition(session, actor, application_id, body)
    return await service.case_detail(session, actor, application_id)


@router.post("/applications/{application_id}/assign", response_model=CaseDetail)
async def assign(
    application_id: RecordId,
    body: AssignIn,
    session: Session,
    actor: Reader,
) -> CaseDetail:
    """Assign the case to a staff member whose jurisdiction covers it."""
    await service.assign(session, actor, application_id, body)
    return await service.case_detail(session, actor, application_id)


@router.patch("/applications/{application_id}/subject", response_model=CaseDetail)
async def correct_subject(
    application_id: RecordId,
    body: SubjectCorrection,
    session: Session,
    actor: Reader,
) -> CaseDetail:
    """Add or correct the subject (补录: e.g. the ID number a report came without), with a
    reason; audited, and a new ID number links the case to an open case about the person."""
    await subject.correct_subject(session, actor, application_id, body)
    return await service.case_detail(session, actor, application_id)


@router.post("/applications/{application_id}/notes", response_model=CaseDetail)
async def add_note(
    application_id: RecordId,
    body: NoteIn,
    session: Session,
    actor: RequireCasesWork,
) -> CaseDetail:
    """Add an internal note (never shown to the applicant)."""
    await service.add_note(session, actor, application_id, body.note)
    return await service.case_detail(session, actor, application_id)


@router.post("/applications/{application_id}/reveal", response_model=Revealed)
async def reveal(
    application_id: RecordId,
    body: RevealIn,
    session: Session,
    actor: Reader,
) -> Revealed:
    """The subject's ID number and phone in clear, with a reason; every reveal is audited."""
    return await service.reveal(session, actor, application_id, body.reason)
