"""One exception type for every domain error, rendered as ``{"code", "message"}``."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger()


class AppError(Exception):
    """A domain error with a stable machine code, a readable message and an HTTP status."""

    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.headers = headers
        self.extra = extra or {}
        super().__init__(self.message)


class NotFound(AppError):
    status = 404
    code = "not_found"
    message = "记录不存在"


class Conflict(AppError):
    status = 409
    code = "conflict"
    message = "与当前状态冲突"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    message = "无权执行此操作"


class OutsideJurisdiction(Forbidden):
    """A region named in a request that the caller may not act in. A record that exists but
    lies outside the caller's jurisdiction is a plain 404 (``*_not_found``): its existence is
    not the caller's to learn."""

    code = "outside_jurisdiction"
    message = "该地区不在您的辖区内"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    message = "未登录或凭证无效"

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message, code=code, headers={"WWW-Authenticate": "Bearer"})


class Invalid(AppError):
    """A payload that parses but breaks a rule only the server can check."""

    status = 422
    code = "validation_error"
    message = "提交的数据无效"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        errors.append(
            {
                "field": ".".join(
                    loc[1:] if loc and loc[0] in {"body", "query", "path", "header"} else loc
                ),
                "location": loc[0] if loc else "",
                "type": err.get("type", ""),
                "message": str(err.get("msg", "")),
            }
        )
    return errors


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        body = {"code": exc.code, "message": exc.message, **exc.extra}
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        code = "validation_error"
        if any(e["type"] == "json_invalid" for e in errors):
            code = "malformed_json"
        return JSONResponse(
            {"code": code, "message": "提交的数据无效", "errors": errors}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's only 400: a body it cannot decode at all (e.g. not UTF-8). That is
            # malformed JSON to the caller, and the contract makes bad input a 422.
            return JSONResponse(
                {"code": "malformed_json", "message": "请求体不是有效的 JSON"}, status_code=422
            )
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code
        return JSONResponse(
            {"code": code, "message": message},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled_error", path=request.url.path, error_type=type(exc).__name__)
        return JSONResponse(
            {"code": "internal_error", "message": "服务器内部错误"}, status_code=500
        )
