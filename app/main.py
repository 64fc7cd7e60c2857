"""The FastAPI application."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import structlog
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts.router import router as accounts_router
from app.admin.colleagues import router as colleagues_router
from app.admin.router import router as admin_router
from app.assistance.plans.router import router as plans_router
from app.assistance.referrals.router import router as referrals_router
from app.assistance.router import router as assistance_router
from app.assistance.stats.router import router as assistance_stats_router
from app.audit.router import router as audit_router
from app.calendar.router import router as calendar_router
from app.config import get_settings
from app.console import router as console_router
from app.db.session import dispose_engine, get_engine
from app.errors import install_error_handlers
from app.households.categories.router import router as categories_router
from app.households.eligibility.router import router as eligibility_router
from app.households.router import router as households_router
from app.intake.assignees import router as assignees_router
from app.intake.phone import router as phone_router
from app.intake.router import router as intake_router
from app.intake.staff_router import router as staff_intake_router
from app.jobs.router import router as jobs_router
from app.kit.headers import SecurityHeaders, request_id
from app.kit.limits import BodySizeLimit
from app.kit.schemas import ErrorBody
from app.logging import configure_logging
from app.monitoring.router import router as monitoring_router
from app.monitoring.rules.router import router as warning_rules_router
from app.monitoring.warnings.router import router as warnings_router
from app.notifications.router import router as notifications_router
from app.notifications.tasks import close_http as close_wechat_http
from app.procedures.router import router as procedures_router
from app.procedures.supervision import router as supervision_router
from app.regions.router import router as regions_router
from app.standards.router import router as standards_router
from app.stats.router import router as stats_router
from app.visits.router import router as visits_router

API_PREFIX = "/api/v1"
DOCS_STATIC = "/docs/static"
HEALTH_DB_TIMEOUT_SECONDS = 3.0
# Multipart uploads that count their own bytes as they arrive (larger limits of their own).
UPLOAD_PATHS = (
    rf"{API_PREFIX}/applications/[^/]+/attachments",
    rf"{API_PREFIX}/staff/imports",
    rf"{API_PREFIX}/staff/visits/[^/]+/photos",
)
log = structlog.get_logger()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    configure_logging(settings.log_level)
    get_engine()
    stop = asyncio.Event()
    runner = None
    if settings.run_worker:
        # The embedded job runner; separate `python -m app worker` processes replace it.
        from app.jobs.runner import Runner
        from app.tasks import HANDLERS, PERIODIC

        runner = asyncio.create_task(Runner.from_settings(HANDLERS, PERIODIC).run(stop))
    try:
        async with httpx.AsyncClient() as http:
            app.state.http = http
            yield
    finally:
        stop.set()
        if runner is not None:
            await runner
        await close_wechat_http()
        await dispose_engine()


class RequestLog:
    """Logs each request with its status and duration and echoes ``X-Request-ID``. Plain ASGI:
    ``BaseHTTPMiddleware`` (``@app.middleware``) costs a task and memory streams per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(Headers(scope=scope).get("x-request-id"))
        structlog.contextvars.bind_contextvars(request_id=rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        await self.app(scope, receive, send_with_id)
        log.info(
            "request",
            method=scope["method"],
            path=scope.get("root_path", "") + scope["path"],
            status=status,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        structlog.contextvars.clear_contextvars()


def _application(serves_docs: bool, **kwargs: Any) -> FastAPI:
    """The FastAPI object; with documentation, Swagger UI and ReDoc load their scripts and
    styles from this server (``fastapi-offline`` ships them), never from a CDN: a CDN is
    slow or blocked on many networks in China and absent offline."""
    if not serves_docs:
        return FastAPI(docs_url=None, redoc_url=None, openapi_url=None, **kwargs)
    return FastAPIOffline(docs_url="/docs", redoc_url="/redoc", static_url=DOCS_STATIC, **kwargs)


def create_app() -> FastAPI:
    settings = get_settings()  # refuse to start on unsafe configuration
    app = _application(
        settings.serves_docs,
        title="Jiuzhu 救助 API",
        version="1.0",
        description="低收入人口动态监测与一键求助平台 API",
        lifespan=lifespan,
        responses={
            401: {"model": ErrorBody, "description": "未登录或凭证无效"},
            403: {"model": ErrorBody, "description": "无权执行"},
            422: {"model": ErrorBody, "description": "提交的数据无效"},
        },
    )
    install_error_handlers(app)

    # Added last = outermost: the log sees every answer, the 413 too, and every answer
    # carries the security headers.
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_json_body_kb * 1024,
        streaming_paths=UPLOAD_PATHS,
    )
    app.add_middleware(SecurityHeaders, no_store_prefix=API_PREFIX)
    app.add_middleware(RequestLog)

    api = APIRouter(prefix=API_PREFIX)
    api.include_router(accounts_router)
    api.include_router(admin_router)
    api.include_router(colleagues_router)
    api.include_router(regions_router)
    api.include_router(intake_router)
    api.include_router(phone_router)
    api.include_router(assignees_router)
    api.include_router(staff_intake_router)
    api.include_router(audit_router)
    api.include_router(households_router)
    api.include_router(categories_router)
    api.include_router(standards_router)
    api.include_router(eligibility_router)
    api.include_router(jobs_router)
    api.include_router(visits_router)
    api.include_router(monitoring_router)
    api.include_router(warning_rules_router)
    api.include_router(warnings_router)
    api.include_router(notifications_router)
    api.include_router(stats_router)
    api.include_router(assistance_router)
    api.include_router(plans_router)
    api.include_router(referrals_router)
    api.include_router(assistance_stats_router)
    api.include_router(calendar_router)
    api.include_router(procedures_router)
    api.include_router(supervision_router)
    app.include_router(api)
    app.include_router(console_router)

    @app.get("/healthz", include_in_schema=False, response_model=None)
    async def healthz() -> dict[str, str] | JSONResponse:
        """Liveness and readiness: the process answers and the database takes a query."""
        try:
            async with asyncio.timeout(HEALTH_DB_TIMEOUT_SECONDS):
                async with get_engine().connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            log.warning("healthz_database_unavailable", error_type=type(exc).__name__)
            return JSONResponse(
                {"code": "database_unavailable", "message": "数据库不可用"}, status_code=503
            )
        return {"status": "ok"}

    return app
