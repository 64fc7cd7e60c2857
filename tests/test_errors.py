"""Every message a person reads is Chinese: field errors are translated per Pydantic error type
with their context; the machine codes stay in ``code`` and ``errors[].type``."""

from __future__ import annotations

import re
from typing import Any, get_args

import httpx
from pydantic_core.core_schema import ErrorType

from app.errors import FIELD_MESSAGES, field_message
from tests.helpers import application_body, login_resident

CJK = re.compile(r"[\u4e00-\u9fff]")
# English words a message may hold: the codes it names (enum values, field names).
ENGLISH_WORD = re.compile(r"[A-Za-z_]{3,}")


def _readable(message: str, allowed: set[str]) -> bool:
    words = {w for w in ENGLISH_WORD.findall(message) if w not in allowed}
    return bool(CJK.search(message)) and not words


async def _errors(client: httpx.AsyncClient, body: Any, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post("/applications", json=body, headers=headers)
    assert response.status_code == 422, response.text
    return response.json()


async def test_field_errors_read_in_chinese_with_their_limits(client: httpx.AsyncClient) -> None:
    resident = await login_resident(client, "errors-1")
    body = application_body(subject={"name": "张" * 51, "household_size": 0})
    body.pop("consent")
    body["relation"] = "cousin"
    body["help_types"] = ["basic_living", 3]
    body["extra"] = True
    answer = await _errors(client, body, resident)
    by_field = {e["field"]: e for e in answer["errors"]}
    assert by_field["consent"]["type"] == "missing"
    assert by_field["consent"]["message"] == "必填"
    assert by_field["subject.name"]["type"] == "string_too_long"
    assert by_field["subject.name"]["message"] == "最多 50 个字符"
    assert by_field["subject.household_size"]["message"] == "不能小于 1"
    assert by_field["relation"]["type"] == "enum"
    assert by_field["relation"]["message"].startswith("应为以下之一：")
    assert "'self'" in by_field["relation"]["message"] and " or " not in answer["message"]
    assert by_field["extra"]["message"] == "不允许的字段"
    codes = {"self", "family", "neighbor", "grid_worker", "volunteer", "agency", "other"}
    codes |= {"basic_living", "medical", "education", "housing", "employment", "emergency"}
    codes |= {"care", "subject", "name", "household_size", "consent", "relation", "help_types"}
    codes |= {"extra"}
    for error in answer["errors"]:
        assert _readable(error["message"], codes), error
    assert answer["code"] == "validation_error"
    assert answer["message"].startswith("提交的数据无效：")
    assert _readable(answer["message"], codes), answer["message"]


async def test_our_own_rules_and_malformed_json_read_in_chinese(client: httpx.AsyncClient) -> None:
    resident = await login_resident(client, "errors-2")
    answer = await _errors(client, application_body(consent=False), resident)
    (error,) = answer["errors"]
    assert error["type"] == "value_error"
    assert error["message"] == "需同意个人信息处理（consent 必须为 true）"
    bad_id = application_body(subject={"id_number": "510115197001011234"})
    answer = await _errors(client, bad_id, resident)
    assert not answer["errors"][0]["message"].startswith("Value error")
    assert CJK.search(answer["errors"][0]["message"])
    broken = await client.post(
        "/applications",
        content=b'{"relation": ',
        headers={**resident, "Content-Type": "application/json"},
    )
    assert broken.json()["code"] == "malformed_json"
    assert CJK.search(broken.json()["message"])


def test_every_pydantic_error_type_has_a_chinese_message() -> None:
    """No type falls back to Pydantic's English; the context fills in without an error."""
    context = {
        "min_length": 1, "max_length": 9, "max_digits": 10, "decimal_places": 2,
        "whole_digits": 8, "gt": 0, "ge": 0, "lt": 9, "le": 9, "multiple_of": 2,
        "expected": "'a' or 'b'", "error": "值不对",
    }  # fmt: skip
    for error_type in get_args(ErrorType):
        message = field_message(error_type, context, "English fallback")
        assert CJK.search(message), error_type
        assert "{" not in message and "English" not in message, error_type
    own_words = {"value_error", "assertion_error"}  # our validators' messages, passed through
    assert set(get_args(ErrorType)) - own_words <= set(FIELD_MESSAGES)
    # A message whose context is missing still reads, without a placeholder.
    assert field_message("string_too_long", None) == "最多"
