"""Imports of other agencies' data files: upload, progress and report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from app.accounts.dependencies import AnyCallerStandalone, RequireMonitoringRead
from app.db.deps import Session
from app.db.session import session_scope
from app.kit.idempotency import IdempotencyKey, request_fingerprint, run_once
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit
from app.kit.params import RecordId
from app.monitoring import service
from app.monitoring.schemas import ImportOut, ImportPage
from app.monitoring.upload import receive_import

router = APIRouter(prefix="/staff", tags=["monitoring"])

MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["source", "file"],
                    "properties": {
                        "source": {"type": "string", "description": "数据来源，如 medical"},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/imports",
    status_code=202,
    response_model=ImportOut,
    openapi_extra=MULTIPART_BODY,
    responses={
        200: {"description": "同一文件已导入过：返回原导入", "model": ImportOut},
        413: {"description": "文件过大"},
        415: {"description": "不是 CSV 或 XLSX"},
        422: {"description": "表头不符、空文件、XLSX 不安全"},
    },
)
async def upload_import(
    request: Request, actor: AnyCallerStandalone, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Upload an agency's file (CSV in UTF-8 or GBK, or XLSX) for a source; it runs as a job."""
    service.check_importer(actor)
    received = await receive_import(request)
    try:
        info = await service.inspect(received)
        async with session_scope() as session:

            async def create() -> tuple[int, object]:
                status, record = await service.submit(session, actor, received, info)
                if status == 200:
                    received.discard()
                return status, ImportOut.model_validate(record).model_dump(mode="json")

            fingerprint = {"source": received.source, "sha256": received.sha256}
            status, payload = await run_once(
                session, actor, idempotency_key, request_fingerprint(fingerprint), create
            )
    except BaseException:
        received.discard()
        raise
    return JSONResponse(payload, status_code=status)


@router.get("/imports", response_model=ImportPage)
async def list_imports(
    session: Session,
    actor: RequireMonitoringRead,
    source: Annotated[str | None, Query(max_length=24)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ImportPage:
    """Imports, newest first (district officers and auditors)."""
    page, next_cursor = await service.page(session, actor, source, limit, cursor)
    return ImportPage(items=[ImportOut.model_validate(r) for r in page], next_cursor=next_cursor)


@router.get("/imports/{import_id}", response_model=ImportOut)
async def get_import(
    session: Session, actor: RequireMonitoringRead, import_id: RecordId
) -> ImportOut:
    """An import's progress while it runs, and its report: counts and rejected rows."""
    return ImportOut.model_validate(await service.readable(session, actor, import_id))
