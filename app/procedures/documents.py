"""The procedure's documents: the public notice (names partly masked, no ID numbers), the
written decision, and the refusal, termination, reduction and stop notices with reasons; each
rendered to PDF and kept with the case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.kit.actor import Actor
from app.models.application import Application
from app.models.procedure import Procedure, ProcedureDocument
from app.procedures.pdf import Template, cn_date, mask_name, render
from app.procedures.spec import CARE_LABELS, CATEGORY_LABELS
from app.regions.service import region_names

APPEAL = (
    "如对本决定不服，可以自收到本告知书之日起六十日内向区人民政府申请行政复议，"
    "或者自收到之日起六个月内依法向人民法院提起行政诉讼。"
)
TITLES = {
    "notice": "{label}审核公示",
    "decision": "{label}审核确认决定书",
    "refusal": "{label}不予批准告知书",
    "termination_notice": "终止特困人员救助供养告知书",
    "reduction_notice": "{label}减发告知书",
    "stop_notice": "{label}停发告知书",
}
# The applicant's own copy: the decision and every notice addressed to them.
APPLICANT_COPY = {"decision", "refusal", "termination_notice", "reduction_notice", "stop_notice"}


def _yuan(amount: Decimal | None) -> str:
    return "—" if amount is None else f"{amount:.2f} 元"


def _period(on: date, end: date | None) -> str:
    if end is None:  # past the calendar's data: the end is not guessed
        return f"自{cn_date(on)}起 7 天"
    return f"{cn_date(on)}至{cn_date(end)}（7 天，最后一日为节假日的顺延至节后第一个工作日）"


async def _places(session: AsyncSession, application: Application) -> tuple[str, str]:
    district = get_settings().district_code
    names = await region_names(session, {application.region_code, district})
    return names.get(application.region_code, ""), f"{names.get(district, '')}民政局"


async def produce(
    session: AsyncSession,
    actor: Actor,
    kind: str,
    procedure: Procedure,
    application: Application,
    *,
    on: date,
    reasons: str = "",
    period_end: date | None = None,
    effective_date: date | None = None,
    amount: Decimal | None = None,
) -> ProcedureDocument:
    """Render the document ``kind`` and store it with the case."""
    label = CATEGORY_LABELS[procedure.category]
    place, issuer = await _places(session, application)
    name = application.subject_name
    size = f"{application.household_size} 人" if application.household_size else "—"
    paragraphs: list[str]
    if kind == "notice":
        paragraphs = [
            f"经入户调查和家庭经济状况核对，下列申请人拟纳入{label}，现予公示：",
            f"申请人：{mask_name(name)}　　所在社区：{place}　　家庭人口：{size}",
            f"拟保障金额：{_yuan(amount)}/月",
            f"公示期：{_period(on, period_end)}。",
            "对公示对象有异议的，请在公示期内向社区居（村）民委员会或街道（镇）社会救助经办窗口"
            "反映，我们将依法核实处理，并为反映人保密。",
        ]

    elif kind == "decision":
        lines = [
            f"{name}（申请编号 {application.reference}）：",
            f"你（家庭）提出的{label}申请，经审核确认，决定予以批准。",
            f"保障金额：{_yuan(procedure.monthly_amount)}/月，自{cn_date(on)}起执行。",
        ]
        if procedure.care_arrangement:
            lines.append(f"供养方式：{CARE_LABELS[procedure.care_arrangement]}。")
        if procedure.valid_until:
            lines.append(f"本决定有效期至{cn_date(procedure.valid_until)}，期满前将进行复核。")
        lines.append("家庭人口、收入、财产状况发生变化的，请及时告知社区或街道。")
        paragraphs = lines

    elif kind == "refusal":
        paragraphs = [
            f"{name}（申请编号 {application.reference}）：",
            f"你（家庭）提出的{label}申请，经审核，决定不予批准。",
            f"理由：{reasons}",
            APPEAL,
        ]

    elif kind == "termination_notice":
        paragraphs = [
            f"{mask_name(name)}（所在社区：{place}）：",
            "经审核，你已不再符合特困人员救助供养条件，拟终止救助供养。",
            f"理由：{reasons}",
            f"告知公示期：{_period(on, period_end)}，期满无异议的，自期满之日起终止救助供养。",
            APPEAL,
        ]

    else:  # reduction_notice | stop_notice: addressed to the household, no public notice
        assert effective_date is not None
        what = f"减发，调整后保障金额 {_yuan(amount)}/月" if kind == "reduction_notice" else "停发"
        paragraphs = [
            f"{name}（申请编号 {application.reference}）：",
            f"经复核，决定对你（家庭）的{label}{what}，自{cn_date(effective_date)}起执行。",
            f"理由：{reasons}",
            APPEAL,
        ]

    title = TITLES[kind].format(label=label)
    content = render(
        Template(
            title=title,
            paragraphs=paragraphs,
            issuer=issuer,
            issued_on=on,
            reference=f"编号：{application.reference}-{kind.split('_')[0].upper()}",
        )
    )
    document = ProcedureDocument(
        procedure_id=procedure.id,
        application_id=application.id,
        kind=kind,
        title=title,
        applicant_copy=kind in APPLICANT_COPY,
        **ProcedureDocument.seal(content),
        created_by_id=actor.id if actor.kind == "staff" else None,
    )
    session.add(document)
    await session.flush()
    return document
