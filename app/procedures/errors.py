"""Procedure errors: 404 for what is not there (or not yours), 409 for a step out of order."""

from __future__ import annotations

from app.errors import Conflict, Invalid, NotFound


class ProcedureNotFound(NotFound):
    code = "procedure_not_found"
    message = "该申请尚未启动法定程序"


class StepNotFound(NotFound):
    code = "step_not_found"
    message = "该程序没有这个步骤"


class DocumentNotFound(NotFound):
    code = "document_not_found"
    message = "文书不存在"


class StepOutOfOrder(Conflict):
    code = "step_out_of_order"
    message = "程序步骤顺序不符"


class StepDone(Conflict):
    code = "step_already_done"
    message = "该步骤已完成"


class ProcedureExists(Conflict):
    code = "procedure_exists"
    message = "该申请已启动法定程序"


class NotStartable(Conflict):
    code = "procedure_not_startable"
    message = "申请尚未受理或已办结，不能启动法定程序"


class Paused(Conflict):
    code = "procedure_paused"
    message = "程序正在等待申请人补正材料，期限暂停；请先恢复计时"


class PeriodRunning(Conflict):
    code = "period_not_over"
    message = "公示期未满"


class ReviewNotNeeded(Conflict):
    code = "review_not_needed"
    message = "公示期内无异议，不需要民主评议"


class SpotCheckRequired(Conflict):
    code = "spot_check_required"
    message = "本年度特困人员认定抽查比例不足 30%，本案须先抽查"


class StepInvalid(Invalid):
    code = "step_invalid"
    message = "步骤信息不完整"
