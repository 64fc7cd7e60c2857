"""Statutory procedures over HTTP: staff start a case's procedure, record its steps and read
its clocks and documents; the applicant reads their own procedure and their copies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse

from app.accounts.dependencies import CurrentResident, RequireCasesRead, RequireCasesWork
from app.db.deps import Session
from app.kit import audit
from app.kit.actor import Actor
from app.kit.idempotency import IdempotencyKey, run_once
from app.kit.params import RecordId
from app.procedures import rechecks, repository, service, views
from app.procedures.errors import DocumentNotFound
from app.procedures.schemas import (
    ObjectionIn,
    ProcedureView,
    PublicProcedure,
    ReasonIn,
    RecheckIn,
    StartIn,
    StepIn,
    StopIn,
)

router = APIRouter(tags=["statutory procedures"])
StepCode = Annotated[str, Path(pattern=r"^[a-z_]{2,24}$", description="步骤代码")]
BASE = "/staff/applications/{application_id}/procedure"


async def _once(
    session: Session,
    actor: Actor,
    key: str | None,
    body: object,
    status: int,
    change: Callable[[], Awaitable[object]],
    application_id: int,
) -> JSONResponse:
    async def create() -> tuple[int, object]:
        await change()
        procedure, _ = await service.load(session, actor, application_id)
        view = await views.staff_view(session, procedure)
        return status, view.model_dump(mode="json")

    code, payload = await run_once(session, actor, key, body, create)
    return JSONResponse(payload, status_code=code)


@router.post(BASE, status_code=201, response_model=ProcedureView)
async def start(
    application_id: RecordId,
    body: StartIn,
    session: Session,
    actor: RequireCasesWork,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Start the statutory procedure of an accepted application (its clock runs from the
    acceptance)."""
    return await _once(
        session,
        actor,
        idempotency_key,
        {"start": body.model_dump(mode="json"), "application_id": application_id},
        201,
        lambda: service.start(session, actor, application_id, body),
        application_id,
    )


@router.get(BASE, response_model=ProcedureView)
async def procedure(
    application_id: RecordId, session: Session, actor: RequireCasesRead
) -> ProcedureView:
    """Every step with its clock, due date, who acted and the days over, what was found, the
    objections and the documents; every view is audited (``procedure.view``)."""
    found, _ = await service.load(session, actor, application_id)
    await audit.record(session, actor, "procedure.view", "application", application_id)
    return await views.staff_view(session, found)


@router.post(BASE + "/steps/{step}", response_model=ProcedureView)
async def step(
    application_id: RecordId,
    step: StepCode,
    body: StepIn,
    session: Session,
    actor: RequireCasesRead,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record a step (the role the step needs; 409 with the reason when out of order)."""
    return await _once(
        session,
        actor,
        idempotency_key,
        {"step": step, "body": body.model_dump(mode="json"), "application_id": application_id},
        200,
        lambda: service.act(session, actor, application_id, step, body),
        application_id,
    )


@router.post(BASE + "/objections", status_code=201, response_model=ProcedureView)
async def objection(
    application_id: RecordId,
    body: ObjectionIn,
    session: Session,
    actor: RequireCasesWork,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record an objection to the public notice while it runs (it calls for a democratic
    review)."""
    return await _once(
        session,
        actor,
        idempotency_key,
        {"objection": body.model_dump(mode="json"), "application_id": application_id},
        201,
        lambda: service.objection(session, actor, application_id, body),
        application_id,
    )


@router.post(BASE + "/pause", response_model=ProcedureView)
async def pause(
    application_id: RecordId, body: ReasonIn, session: Session, actor: RequireCasesWork
) -> ProcedureView:
    """The case waits on the applicant: the clocks stand still until resumed."""
    found = await service.pause(session, actor, application_id, body.reason)
    return await views.staff_view(session, found)


@router.post(BASE + "/resume", response_model=ProcedureView)
async def resume(
    application_id: RecordId, session: Session, actor: RequireCasesWork
) -> ProcedureView:
    """The applicant's materials came in: the clocks run again, the days waited not counted."""
    found = await service.resume(session, actor, application_id)
    return await views.staff_view(session, found)


@router.post(BASE + "/extend", response_model=ProcedureView)
async def extend(
    application_id: RecordId, body: ReasonIn, session: Session, actor: RequireCasesRead
) -> ProcedureView:
    """Record a special reason: 45 working days overall instead of 30 (district officers)."""
    found = await service.extend(session, actor, application_id, body.reason)
    return await views.staff_view(session, found)


@router.post(BASE + "/stop", response_model=ProcedureView)
async def stop(
    application_id: RecordId,
    body: StopIn,
    session: Session,
    actor: RequireCasesRead,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Reduce or stop an approved case's assistance with a written notice and reasons (no
    public notice); a date after today takes effect on that date."""
    return await _once(
        session,
        actor,
        idempotency_key,
        {"stop": body.model_dump(mode="json"), "application_id": application_id},
        200,
        lambda: rechecks.stop(session, actor, application_id, body),
        application_id,
    )


@router.post(BASE + "/recheck", response_model=ProcedureView)
async def recheck(
    application_id: RecordId,
    body: RecheckIn,
    session: Session,
    actor: RequireCasesWork,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record a re-check that found the household still eligible; the next one is placed in
    the visit worklists."""
    return await _once(
        session,
        actor,
        idempotency_key,
        {"recheck": body.model_dump(mode="json"), "application_id": application_id},
        200,
        lambda: rechecks.record(session, actor, application_id, body),
        application_id,
    )


def _pdf(content: bytes, document_id: int) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="document-{document_id}.pdf"'},
    )


@router.get(BASE + "/documents/{document_id}", response_class=Response)
async def staff_document(
    application_id: RecordId, document_id: RecordId, session: Session, actor: RequireCasesRead
) -> Response:
    """A document of the case as PDF; every download is audited."""
    found, _ = await service.load(session, actor, application_id)
    document = await repository.document(session, found.application_id, document_id)
    if document is None:
        raise DocumentNotFound()
    await audit.record(
        session,
        actor,
        "procedure.document_download",
        "application",
        application_id,
        {"document_id": document_id, "kind": document.kind},
    )
    return _pdf(document.content, document.id)


@router.get("/applications/{application_id}/procedure", response_model=PublicProcedure)
async def my_procedure(
    application_id: RecordId, session: Session, actor: CurrentResident
) -> PublicProcedure:
    """The applicant's own procedure, step by step in plain words, and their copies."""
    found, _ = await service.load(session, actor, application_id)
    return await views.public_view(session, found)


@router.get("/applications/{application_id}/documents/{document_id}", response_class=Response)
async def my_document(
    application_id: RecordId, document_id: RecordId, session: Session, actor: CurrentResident
) -> Response:
    """The applicant's copy of a decision or notice addressed to them, as PDF."""
    found, _ = await service.load(session, actor, application_id)
    document = await repository.document(session, found.application_id, document_id)
    if document is None or not document.applicant_copy:
        raise DocumentNotFound()
    return _pdf(document.content, document.id)
