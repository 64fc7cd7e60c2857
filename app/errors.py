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


# Pydantic's error types, in Chinese, with their context ({max_length}, {expected}, ...). The
# machine type stays in ``errors[].type``; the person reads ``errors[].message``.
FIELD_MESSAGES: dict[str, str] = {
    "missing": "必填",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "不是有效的 JSON",
    "json_type": "应为 JSON 文本",
    "string_type": "应为文本",
    "string_too_short": "至少需要 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_unicode": "应为有效的 Unicode 文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能有小数",
    "int_parsing_size": "数值太大",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_type": '应为数字（如 "870.00"）',
    "decimal_parsing": '应为数字（如 "870.00"）',
    "decimal_max_digits": "最多 {max_digits} 位数字",
    "decimal_max_places": "最多 {decimal_places} 位小数",
    "decimal_whole_digits": "整数部分最多 {whole_digits} 位",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "multiple_of": "应为 {multiple_of} 的整数倍",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "set_type": "应为列表",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dataclass_type": "应为对象",
    "date_type": "应为日期（如 2026-12-01）",
    "date_parsing": "应为日期（如 2026-12-01）",
    "date_from_datetime_parsing": "应为日期（如 2026-12-01）",
    "date_from_datetime_inexact": "应为日期，不带时间",
    "date_past": "应为过去的日期",
    "date_future": "应为将来的日期",
    "datetime_type": "应为时间（如 2026-11-29T10:00:00+08:00）",
    "datetime_parsing": "应为时间（如 2026-11-29T10:00:00+08:00）",
    "datetime_from_date_parsing": "应为时间（如 2026-11-29T10:00:00+08:00）",
    "datetime_object_invalid": "时间无效",
    "timezone_aware": "时间须带时区（如 +08:00）",
    "timezone_naive": "时间不能带时区",
    "time_type": "应为时刻（如 10:00:00）",
    "time_parsing": "应为时刻（如 10:00:00）",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "url_type": "应为网址",
    "url_parsing": "应为网址",
    "bytes_type": "应为字节串",
    "bytes_too_short": "至少需要 {min_length} 个字节",
    "bytes_too_long": "最多 {max_length} 个字节",
    "union_tag_invalid": "类型标记无效",
    "union_tag_not_found": "缺少类型标记",
    "frozen_field": "不能修改",
    "frozen_instance": "不能修改",
    "no_such_attribute": "不允许的字段",
    "is_instance_of": "类型不正确",
    "callable_type": "类型不正确",
    "none_required": "应为空（null）",
    "recursion_loop": "数据嵌套过深",
    "recursion_depth_exceeded": "数据嵌套过深",
    "string_not_ascii": "只能包含英文字母、数字和符号",
    "bytes_invalid_encoding": "编码无效",
    "datetime_past": "应为过去的时间",
    "datetime_future": "应为将来的时间",
    "timezone_offset": "时区不正确",
    "time_delta_type": "应为时长",
    "time_delta_parsing": "应为时长",
    "url_scheme": "网址协议不正确",
    "url_syntax_violation": "网址格式不正确",
    "url_too_long": "网址太长",
    "uuid_version": "UUID 版本不正确",
    "complex_type": "应为复数",
    "complex_str_parsing": "应为复数",
    "fraction_type": "应为分数",
    "fraction_parsing": "应为分数",
    "iterable_type": "应为列表",
    "iteration_error": "列表读取出错",
    "deque_type": "应为列表",
    "frozen_set_type": "应为列表",
    "set_item_not_hashable": "列表中有无法比较的项",
    "counter_type": "应为对象",
    "mapping_type": "应为对象",
    "ordered_dict_type": "应为对象",
    "frozen_dict_type": "应为对象",
    "named_tuple_type": "应为列表",
    "invalid_key": "键无效",
    "get_attribute_error": "读取属性出错",
    "dataclass_exact_type": "类型不正确",
    "is_subclass_of": "类型不正确",
    "needs_python_object": "类型不正确",
    "arguments_type": "参数类型不正确",
    "missing_argument": "缺少参数",
    "missing_keyword_only_argument": "缺少参数",
    "missing_positional_only_argument": "缺少参数",
    "multiple_argument_values": "参数重复",
    "unexpected_keyword_argument": "不允许的参数",
    "unexpected_positional_argument": "不允许的参数",
    "default_factory_not_called": "缺少默认值",
    "missing_sentinel_error": "缺少值",
    "ellipsis_error": "格式不正确",
}
GENERIC_FIELD_MESSAGE = "格式不正确"


def field_message(error_type: str, context: dict[str, Any] | None, fallback: str = "") -> str:
    """The Chinese message for one Pydantic error; our own validators' messages (``value_error``,
    ``assertion_error``) are Chinese already and are passed through."""
    if error_type in {"value_error", "assertion_error"}:
        error = (context or {}).get("error")
        text = str(error) if error is not None else fallback
        return text.removeprefix("Value error, ").removeprefix("Assertion failed, ") or (
            GENERIC_FIELD_MESSAGE
        )
    template = FIELD_MESSAGES.get(error_type, GENERIC_FIELD_MESSAGE)
    try:
        return template.format(**{k: _plain(v) for k, v in (context or {}).items()})
    except (KeyError, IndexError, ValueError):
        return template.split("{")[0].rstrip("：: ") or GENERIC_FIELD_MESSAGE


def _plain(value: Any) -> str:
    # Pydantic's expected values read "'a', 'b' or 'c'": keep the codes, lose the English "or".
    return str(value).replace("' or '", "', '")


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        error_type = str(err.get("type", ""))
        errors.append(
            {
                "field": ".".join(
                    loc[1:] if loc and loc[0] in {"body", "query", "path", "header"} else loc
                ),
                "location": loc[0] if loc else "",
                "type": error_type,
                "message": field_message(error_type, err.get("ctx"), str(err.get("msg", ""))),
            }
        )
    return errors


def _summary(errors: list[dict[str, Any]]) -> str:
    """``提交的数据无效：subject.name 必填（另有 2 处）``: the first problem, in words."""
    if not errors:
        return "提交的数据无效"
    first = errors[0]
    where = f"{first['field']} " if first["field"] else ""
    more = f"（另有 {len(errors) - 1} 处）" if len(errors) > 1 else ""
    return f"提交的数据无效：{where}{first['message']}{more}"


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
            {"code": code, "message": _summary(errors), "errors": errors}, status_code=422
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
