"""Statutory procedures over HTTP: staff start a case's procedure, record its steps and read
its clocks and documents; the applicant reads their own procedure and their copies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.accounts.dependencies import CurrentResident, RequireCasesRead, RequireCasesWork
from app.db.deps import Session
from app.kit import audit
from app.kit.actor import Actor
from app.kit.idempotency import IdempotencyKey, run_once
from app.kit.params import RecordId
from app.models.procedure import Procedure
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


async def _view(session: Session, change: Awaitable[Procedure]) -> ProcedureView:
    """The staff view of the procedure a change returns (the change audits itself)."""
    return await views.staff_view(session, await change)


async def _once(
    session: Session,
    actor: Actor,
    application_id: int,
    key: str | None,
    request: Mapping[str, object],
    change: Callable[[], Awaitable[Procedure]],
    status: int = 200,
) -> JSONResponse:
    """A change under ``Idempotency-Key``: the same key and ``request`` (models as their JSON,
    with the case's id) replay the first view instead of changing the case again."""
    fingerprint = {
        name: value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        for name, value in request.items()
    }

    async def create() -> tuple[int, object]:
        view = await _view(session, change())
        return status, view.model_dump(mode="json")

    code, payload = await run_once(
        session, actor, key, {**fingerprint, "application_id": application_id}, create
    )
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
    change = partial(service.start, session, actor, application_id, body)
    request = {"start": body}
    return await _once(session, actor, application_id, idempotency_key, request, change, 201)


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
    change = partial(service.act, session, actor, application_id, step, body)
    request = {"step": step, "body": body}
    return await _once(session, actor, application_id, idempotency_key, request, change)


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
    change = partial(service.objection, session, actor, application_id, body)
    request = {"objection": body}
    return await _once(session, actor, application_id, idempotency_key, request, change, 201)


@router.post(BASE + "/pause", response_model=ProcedureView)
async def pause(
    application_id: RecordId, body: ReasonIn, session: Session, actor: RequireCasesWork
) -> ProcedureView:
    """The case waits on the applicant: the clocks stand still until resumed."""
    return await _view(session, service.pause(session, actor, application_id, body.reason))


@router.post(BASE + "/resume", response_model=ProcedureView)
async def resume(
    application_id: RecordId, session: Session, actor: RequireCasesWork
) -> ProcedureView:
    """The applicant's materials came in: the clocks run again, the days waited not counted."""
    return await _view(session, service.resume(session, actor, application_id))


@router.post(BASE + "/extend", response_model=ProcedureView)
async def extend(
    application_id: RecordId, body: ReasonIn, session: Session, actor: RequireCasesRead
) -> ProcedureView:
    """Record a special reason: 45 working days overall instead of 30 (district officers)."""
    return await _view(session, service.extend(session, actor, application_id, body.reason))


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
    change = partial(rechecks.stop, session, actor, application_id, body)
    request = {"stop": body}
    return await _once(session, actor, application_id, idempotency_key, request, change)


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
    change = partial(rechecks.record, session, actor, application_id, body)
    request = {"recheck": body}
    return await _once(session, actor, application_id, idempotency_key, request, change)


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
