"""One-click help for residents (mini program) and agencies (API key)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse

from app.accounts.dependencies import (
    AnyCaller,
    AnyCallerStandalone,
    CurrentResident,
    CurrentSubmitter,
    TokenSubmitter,
)
from app.db.deps import Session
from app.db.session import session_scope
from app.intake import attachments, privacy, queries, service, submission, views
from app.intake.attachments import receive_file, stored_path
from app.intake.notices import NOTICES
from app.intake.schemas import (
    ApplicationCreate,
    ApplicationOut,
    ApplicationPage,
    AttachmentOut,
    ConsentIn,
    ConsentStatus,
    PrivacyNotice,
    Withdraw,
)
from app.kit.idempotency import IdempotencyKey, request_fingerprint, run_once
from app.kit.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
)
from app.kit.params import RecordId

router = APIRouter(tags=["applications"])

MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post("/applications", status_code=201, response_model=ApplicationOut)
async def submit_application(
    body: ApplicationCreate,
    actor: TokenSubmitter,
    session: Session,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """One-click help (一键求助): for oneself, on someone's behalf, or from an agency."""
    status, payload = await submission.submit(session, actor, idempotency_key, body)
    return JSONResponse(payload, status_code=status)


@router.get("/applications/mine", response_model=ApplicationPage)
async def my_applications(
    actor: CurrentSubmitter,
    session: Session,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ApplicationPage:
    """The caller's applications, newest first."""
    return await queries.mine(session, actor, limit, cursor)


@router.get("/applications/{application_id}", response_model=ApplicationOut)
async def get_application(
    application_id: RecordId, actor: CurrentSubmitter, session: Session
) -> ApplicationOut:
    """One of the caller's applications, with its public status history."""
    return await queries.own(session, actor, application_id)


@router.post("/applications/{application_id}/withdraw", response_model=ApplicationOut)
async def withdraw_application(
    application_id: RecordId, body: Withdraw, actor: CurrentSubmitter, session: Session
) -> ApplicationOut:
    """Withdraw an application before a decision is under way."""
    application = await service.withdraw(session, actor, application_id, body.note)
    return views.resident_view(application)


@router.post(
    "/applications/{application_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    openapi_extra=MULTIPART_BODY,
    responses={413: {"description": "超过 10 MB"}, 415: {"description": "不是 JPEG/PNG/PDF"}},
)
async def upload_attachment(
    application_id: RecordId,
    request: Request,
    actor: AnyCallerStandalone,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Attach a photo or scan (JPEG, PNG or PDF, at most 10 MB, 9 per application)."""
    async with session_scope() as session:
        await attachments.check_attachable(session, actor, application_id)
    received = await receive_file(request)
    try:
        async with session_scope() as session:

            async def create() -> tuple[int, object]:
                attachment = await attachments.attach(session, actor, application_id, received)
                return 201, AttachmentOut.model_validate(attachment).model_dump(mode="json")

            fingerprint = {"application_id": application_id, "sha256": received.sha256}
            status, payload = await run_once(
                session, actor, idempotency_key, request_fingerprint(fingerprint), create
            )
    finally:
        received.discard()  # a no-op once the file was kept under its final name
    return JSONResponse(payload, status_code=status)


@router.get("/applications/{application_id}/attachments", response_model=list[AttachmentOut])
async def my_attachments(
    application_id: RecordId, actor: CurrentResident, session: Session
) -> list[AttachmentOut]:
    """The photos and files a resident attached to their own application, oldest first (each
    one downloads from the path below); 404 for anyone else's."""
    return [
        AttachmentOut.model_validate(a)
        for a in await attachments.own_attachments(session, actor, application_id)
    ]


@router.get(
    "/applications/{application_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "application/pdf": {}}}},
)
async def download_attachment(
    application_id: RecordId, attachment_id: RecordId, actor: AnyCaller, session: Session
) -> FileResponse:
    """An attachment, for its case's submitter and staff in scope."""
    attachment = await attachments.readable_attachment(
        session, actor, application_id, attachment_id
    )
    return FileResponse(
        stored_path(attachment.storage_name),
        media_type=attachment.content_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


@router.get("/privacy-notice", response_model=PrivacyNotice, tags=["privacy"])
async def privacy_notice() -> PrivacyNotice:
    """The privacy notice in force (public): what a consent agrees to, and its version."""
    version = privacy.current_version()
    return PrivacyNotice(version=version, text=NOTICES[version])


@router.get("/me/consent", response_model=ConsentStatus, tags=["privacy"])
async def my_consent(actor: CurrentResident, session: Session) -> ConsentStatus:
    """Whether the resident's consent to new processing is in force."""
    withdrawal = await privacy.consent_status(session, actor)
    return ConsentStatus(
        consent=withdrawal is None,
        withdrawn_at=withdrawal.withdrawn_at if withdrawal else None,
    )


@router.post("/me/consent/withdraw", response_model=ConsentStatus, tags=["privacy"])
async def withdraw_consent(actor: CurrentResident, session: Session) -> ConsentStatus:
    """Withdraw consent to new processing (audited): new applications are refused until consent
    is given again; open applications are marked, not deleted."""
    withdrawal = await privacy.withdraw_consent(session, actor)
    return ConsentStatus(consent=False, withdrawn_at=withdrawal.withdrawn_at)


@router.post("/me/consent", response_model=ConsentStatus, tags=["privacy"])
async def grant_consent(body: ConsentIn, actor: CurrentResident, session: Session) -> ConsentStatus:
    """Give consent again after a withdrawal (audited), to a known notice version."""
    version = body.consent_version or privacy.current_version()
    await privacy.grant_consent(session, actor, version)
    return ConsentStatus(consent=True, withdrawn_at=None, consent_version=version)
