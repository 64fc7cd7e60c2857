"""Errors of the monitoring registry, each with a stable code."""

from __future__ import annotations

from app.errors import AppError, Conflict, Invalid, NotFound


def household_not_found() -> NotFound:
    return NotFound("家庭不存在", code="household_not_found")


def member_not_found() -> NotFound:
    return NotFound("家庭成员不存在", code="member_not_found")


class PersonInActiveHousehold(Conflict):
    code = "person_in_active_household"
    message = "此人已在另一户在册家庭中，一人只能在一户在册家庭"


class StaleVersion(Conflict):
    code = "stale_version"
    message = "记录已被他人修改，请刷新后重试"


class VersionRequired(AppError):
    status = 428
    code = "if_match_required"
    message = "修改须带上 If-Match（上次读取到的版本号），以免覆盖他人的修改"


class HeadRequired(Conflict):
    code = "head_required"
    message = "家庭须有且只有一位户主；请先指定新户主"


class MemberRemoved(Conflict):
    code = "member_removed"
    message = "该成员已移出家庭"


class InvalidCategoryAction(Conflict):
    code = "invalid_category_action"
    message = "当前类别状态不允许此操作"


class DuplicateMember(Invalid):
    code = "duplicate_member"
    message = "同一人在提交内容中出现了多次"


class ExactlyOneHead(Invalid):
    code = "exactly_one_head"
    message = "家庭成员中须有且只有一位户主（relation 为 head）"


class InvalidIfMatch(Invalid):
    code = "invalid_if_match"
    message = "If-Match 须为记录的版本号"


def field_errors(field: str, message: str) -> dict[str, list[dict[str, str]]]:
    """The ``errors`` list a 422 carries, for rules checked after parsing."""
    return {"errors": [{"field": field, "message": message}]}
