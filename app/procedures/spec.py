"""The procedures as the national rules fix them: per category the ordered steps, each with
its clock (working or calendar days from which step), who may act and what the applicant sees.

- Dibao (最低生活保障审核确认办法, 民发〔2021〕57号): acceptance; home survey by at least two
  staff started within 3 working days; the economic check (核对) within 3 working days of the
  request; public notice for 7 calendar days; objections recorded and, only when there is one,
  a democratic review (民主评议); county confirmation within 10 working days; a written refusal
  with reasons within 3 working days; 30 working days overall (45 with a recorded special
  reason).
- Tekun (特困人员认定办法, 民发〔2021〕43号): first review within 15 working days, 7-day notice,
  county spot-check (at least 30% of cases), decision within 15 working days, refusal within 3;
  the care arrangement (分散供养 / 集中供养) on the decision; termination after a 7-day notice.
- Rigid-spending hardship (2025): decision within 30 working days (45), valid at most 12 months.
- Temporary and emergency aid: paid first (先行救助) on a worker's word, the paperwork after on
  its own clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.accounts.scopes import Scope
from app.calendar.clock import Basis


class Category(StrEnum):
    dibao = "dibao"
    tekun = "tekun"
    rigid_spending = "rigid_spending"
    temporary_aid = "temporary_aid"


CATEGORY_LABELS = {
    "dibao": "最低生活保障",
    "tekun": "特困人员救助供养",
    "rigid_spending": "刚性支出困难家庭救助",
    "temporary_aid": "临时救助",
}
# The registry category an approval enrols the household in.
REGISTRY_CATEGORY = {
    "dibao": "dibao",
    "tekun": "tekun",
    "rigid_spending": "expenditure_hardship",
    "temporary_aid": None,
}
# Overall limits in working days from acceptance, and with a recorded special reason.
OVERALL_LIMIT = {"dibao": (30, 45), "rigid_spending": (30, 45)}
CARE_LABELS = {"dispersed": "分散供养", "centralized": "集中供养"}


class When(StrEnum):
    """When a step belongs to the procedure at all."""

    always = "always"
    objection = "objection"  # democratic review: only when the notice drew an objection
    refused = "refused"  # the written refusal
    approved = "approved"  # after an approval (tekun termination)
    advance = "advance"  # temporary aid paid first: its paperwork
    optional = "optional"  # taken when the case calls for it (spot-check, advance payment)


@dataclass(frozen=True)
class Clock:
    days: int
    basis: Basis
    # The step whose day the clock starts from (that day not counted).
    after: str


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    # What the applicant reads while the step is pending, and once done.
    pending_text: str
    done_text: str
    scope: Scope
    # Steps that must be done first (409 otherwise).
    requires: tuple[str, ...] = ()
    clock: Clock | None = None
    when: When = When.always
    # A period that runs out rather than a deadline to meet: done only once due (公示期满).
    period: bool = False
    # The decision step: approve or refuse.
    decision: bool = False


def _wd(days: int, after: str) -> Clock:
    return Clock(days, Basis.working_days, after)


def _cd(days: int, after: str) -> Clock:
    return Clock(days, Basis.calendar_days, after)


ACCEPTANCE = Step("acceptance", "受理", "申请已受理", "申请已受理", Scope.cases_triage)
SURVEY = Step(
    "survey",
    "入户调查",
    "工作人员将上门入户调查",
    "已完成入户调查",
    Scope.cases_work,
    requires=("acceptance",),
    clock=_wd(3, "acceptance"),
)
NOTICE = Step(
    "notice",
    "张榜公示",
    "调查结果将在社区公示",
    "已在社区公示",
    Scope.cases_work,
)
NOTICE_END = Step(
    "notice_end",
    "公示期满",
    "正在公示，公示期 7 天",
    "公示期满",
    Scope.cases_work,
    requires=("notice",),
    clock=_cd(7, "notice"),
    period=True,
)
REVIEW = Step(
    "review",
    "民主评议",
    "公示有异议，将组织民主评议",
    "已完成民主评议",
    Scope.cases_work,
    requires=("notice_end",),
    when=When.objection,
)
REFUSAL = Step(
    "refusal_notice",
    "书面告知不予批准",
    "将书面告知不予批准的理由",
    "已书面告知不予批准的理由",
    Scope.cases_decide,
    requires=("confirm",),
    clock=_wd(3, "confirm"),
    when=When.refused,
)

DIBAO: tuple[Step, ...] = (
    ACCEPTANCE,
    SURVEY,
    Step(
        "check_request",
        "提请家庭经济状况核对",
        "正在核对家庭经济状况",
        "已提请家庭经济状况核对",
        Scope.cases_work,
        requires=("survey",),
    ),
    Step(
        "check",
        "家庭经济状况核对",
        "正在核对家庭经济状况",
        "家庭经济状况核对完成",
        Scope.cases_work,
        requires=("check_request",),
        clock=_wd(3, "check_request"),
    ),
    Step("notice", NOTICE.label, NOTICE.pending_text, NOTICE.done_text, NOTICE.scope, ("check",)),
    NOTICE_END,
    REVIEW,
    Step(
        "confirm",
        "县级民政部门确认",
        "区民政局审核确认中",
        "区民政局已作出决定",
        Scope.cases_decide,
        requires=("notice_end",),
        clock=_wd(10, "notice_end"),
        decision=True,
    ),
    REFUSAL,
)

TEKUN: tuple[Step, ...] = (
    ACCEPTANCE,
    Step(
        "first_review",
        "乡镇（街道）初审",
        "街道正在初审",
        "街道初审完成",
        Scope.cases_assign,
        requires=("acceptance",),
        clock=_wd(15, "acceptance"),
    ),
    Step(
        "notice",
        NOTICE.label,
        NOTICE.pending_text,
        NOTICE.done_text,
        NOTICE.scope,
        ("first_review",),
    ),
    NOTICE_END,
    REVIEW,
    Step(
        "spot_check",
        "县级抽查",
        "区民政局抽查核实中",
        "区民政局已抽查核实",
        Scope.cases_decide,
        requires=("notice_end",),
        when=When.optional,
    ),
    Step(
        "confirm",
        "县级民政部门认定",
        "区民政局审核认定中",
        "区民政局已作出决定",
        Scope.cases_decide,
        requires=("notice_end",),
        clock=_wd(15, "notice_end"),
        decision=True,
    ),
    REFUSAL,
    Step(
        "termination_notice",
        "终止供养告知公示",
        "终止救助供养告知公示中",
        "已告知并公示终止救助供养",
        Scope.cases_decide,
        requires=("confirm",),
        when=When.optional,
    ),
    Step(
        "termination",
        "终止救助供养",
        "公示期满后终止救助供养",
        "已终止救助供养",
        Scope.cases_decide,
        requires=("termination_notice",),
        clock=_cd(7, "termination_notice"),
        period=True,
        when=When.approved,
    ),
)

RIGID: tuple[Step, ...] = (
    ACCEPTANCE,
    Step(
        "survey",
        "入户调查",
        "工作人员将上门入户调查",
        "已完成入户调查",
        Scope.cases_work,
        requires=("acceptance",),
    ),
    Step(
        "confirm",
        "县级民政部门认定",
        "区民政局审核认定中",
        "区民政局已作出决定",
        Scope.cases_decide,
        requires=("survey",),
        decision=True,
    ),
    REFUSAL,
)

TEMPORARY: tuple[Step, ...] = (
    ACCEPTANCE,
    Step(
        "advance",
        "先行救助",
        "情况紧急的，可先行救助",
        "已先行救助",
        Scope.cases_work,
        requires=("acceptance",),
        when=When.optional,
    ),
    Step(
        "paperwork",
        "补办审核审批手续",
        "正在补办审核审批手续",
        "已补办审核审批手续",
        Scope.cases_work,
        requires=("advance",),
        when=When.advance,
    ),
    Step(
        "confirm",
        "审批决定",
        "正在审批",
        "已作出审批决定",
        Scope.cases_decide,
        requires=("acceptance",),
        decision=True,
    ),
    REFUSAL,
)

STEPS: dict[str, tuple[Step, ...]] = {
    "dibao": DIBAO,
    "tekun": TEKUN,
    "rigid_spending": RIGID,
    "temporary_aid": TEMPORARY,
}


# Categories whose decision has no time limit at all (no overall limit, no clock on the
# decision step): a decision in them is never late.
NO_TIME_LIMIT = frozenset(
    category
    for category, steps in STEPS.items()
    if category not in OVERALL_LIMIT and not any(s.decision and s.clock for s in steps)
)


def step_of(category: str, code: str) -> Step | None:
    """The step ``code`` of ``category``'s procedure, or None."""
    return next((s for s in STEPS[category] if s.code == code), None)
