"""Errors of precision assistance, each with a stable code."""

from __future__ import annotations

from app.errors import Conflict, Invalid, NotFound


def organization_not_found() -> NotFound:
    return NotFound("服务组织不存在", code="organization_not_found")


def project_not_found() -> NotFound:
    return NotFound("服务项目不存在", code="project_not_found")


def need_not_found() -> NotFound:
    return NotFound("服务需求不存在", code="need_not_found")


def plan_not_found() -> NotFound:
    return NotFound("服务方案不存在", code="service_plan_not_found")


def referral_not_found() -> NotFound:
    return NotFound("转介记录不存在", code="referral_not_found")


def member_not_found() -> NotFound:
    return NotFound("家庭成员不存在", code="member_not_found")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = "当前状态下不能执行此操作"


class ProjectFull(Conflict):
    code = "project_full"
    message = "该服务项目名额已满"


class ProjectNotRunning(Conflict):
    code = "project_not_running"
    message = "该服务项目不在服务期内"


class StaleVersion(Conflict):
    code = "stale_version"
    message = "记录已被他人修改，请刷新后重试"


class AgencyTaken(Conflict):
    code = "agency_already_linked"
    message = "该机构已关联其他服务组织"


class BadPeriod(Invalid):
    code = "invalid_period"
    message = "结束日期不能早于开始日期"


class CapacityBelowUse(Invalid):
    code = "capacity_below_in_use"
    message = "名额不能少于正在服务的人数"


class ProjectOutsideArea(Invalid):
    code = "project_outside_area"
    message = "该项目的服务区域不包含这户家庭"


class ServiceTypeMismatch(Invalid):
    code = "service_type_mismatch"
    message = "该项目不提供此类服务"


class ResponsibleNotEligible(Invalid):
    code = "responsible_not_eligible"
    message = "责任人须为辖区内在职的工作人员"


class NeedsOfOtherHousehold(Invalid):
    code = "need_of_other_household"
    message = "只能列入本户的服务需求"


class ServiceBeforeReferral(Invalid):
    code = "service_before_referral"
    message = "服务日期不能早于转介日期，也不能晚于今天"
