"""Errors of risk-based visits, each with a stable code."""

from __future__ import annotations

from app.errors import Conflict, Invalid, NotFound


class VisitInFuture(Invalid):
    code = "visit_in_future"
    message = "走访时间晚于当前时间，请核对手机时间"


class VisitBeforeHousehold(Invalid):
    code = "visit_before_household"
    message = "走访时间早于该户建档时间"


class HouseholdNotActive(Conflict):
    code = "household_not_active"
    message = "该户已退出监测，不再安排走访"


class VisitAlreadyRecorded(Conflict):
    code = "visit_already_recorded"
    message = "同一走访已经记录（同一工作人员、同一户、同一时间）"


class PolicyInPast(Invalid):
    code = "effective_from_in_past"
    message = "走访周期只能从今天或以后生效；已生效的条目不能修改"


class DuplicatePolicyEntry(Invalid):
    code = "duplicate_policy_entry"
    message = "同一类别、风险等级、区域和生效日期只能有一条"


class AssigneeNotEligible(Invalid):
    code = "assignee_not_eligible"
    message = "只能分派给在职的社区工作人员或社工站人员"


class AssigneeOutOfJurisdiction(Invalid):
    code = "assignee_out_of_jurisdiction"
    message = "被分派人的辖区不包含这些家庭"


def visit_not_found() -> NotFound:
    return NotFound("走访记录不存在", code="visit_not_found")
