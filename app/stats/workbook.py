"""Each figure as an XLSX workbook in the layout of a monthly report (报表): a title row, the
area and the day or period, a header row, the rows, and a total where a total means something.
Everything a person reads is Chinese; codes stay beside their names where a person looks them
up."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.households.categories.vocabulary import CARE_NAMES, CATEGORY_NAMES
from app.households.export import CAUSE_NAMES
from app.intake.schemas import STATUS_LABELS
from app.monitoring.rules.catalog import BY_CODE
from app.stats.repository import NONE

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CATEGORIES = {**CATEGORY_NAMES, NONE: "未纳入类别"}
LEVEL_NAMES = {"red": "红色", "orange": "橙色", "yellow": "黄色"}
ROUTE_NAMES = {
    "deliver_policy": "政策落实",
    "push_department": "转办相关部门",
    "case_conference": "一事一议",
    "close": "核实后办结",
}
WARNING_STATUS = {
    "open": "待派发",
    "dispatched": "核查中",
    "verified": "已核实",
    "resolved": "已处置",
    "closed": "已关闭",
}
LEDGER_NAMES = {
    "dibao_payment": "低保金",
    "temporary_aid": "临时救助",
    "medical_aid": "医疗救助",
    "in_kind": "实物",
    "service": "服务",
}
THIN = Side(style="thin", color="999999")
EDGE = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


class Report:
    """One workbook, one sheet per table."""

    def __init__(self, title: str, subtitle: str) -> None:
        self.book = Workbook()
        self.title = title
        self.subtitle = subtitle
        self._first = True

    def table(
        self,
        name: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        total: bool = False,
    ) -> None:
        sheet: Worksheet
        if self._first:
            sheet = self.book.active
            sheet.title = name
            self._first = False
        else:
            sheet = self.book.create_sheet(name)
        width = len(headers)
        sheet.append([f"{self.title}（{name}）"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A1"].alignment = Alignment(horizontal="center")
        sheet.append([self.subtitle])
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        sheet.append(list(headers))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
            cell.border = EDGE
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for row in rows:
            sheet.append(list(row))
        if total and rows:
            sums: list[Any] = ["合计"]
            for column in range(1, width):
                values = [r[column] for r in rows]
                numeric = all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in values
                )
                sums.append(sum(values) if numeric else "")
            sheet.append(sums)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        for line in sheet.iter_rows(min_row=4, max_row=sheet.max_row):
            for cell in line:
                cell.border = EDGE
        for index, header in enumerate(headers, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(header) + 4)
        sheet.freeze_panes = "A4"

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _amount(text: str) -> float:
    return float(text)


def overview(figures: dict[str, Any]) -> bytes:
    report = Report(
        f"{figures['region_name']}低收入人口统计报表",
        f"统计区域：{figures['region_name']}（{figures['region_code']}）"
        f"　统计日期：{figures['on']}",
    )
    households, people = figures["households"], figures["people"]
    report.table(
        "类别",
        ("类别", "户数", "人数"),
        [(CATEGORIES[c], households.get(c, 0), n) for c, n in people.items()],
        total=True,
    )
    coverage = figures["coverage_permille"]
    report.table(
        "覆盖",
        ("项目", "数值"),
        [
            ("常住人口", figures["population"] if figures["population"] is not None else "未登记"),
            ("监测人数", sum(people.values())),
            ("覆盖率（‰）", coverage if coverage is not None else "无法计算"),
            ("参考覆盖率（‰）", 15),
        ],
    )
    report.table(
        "申请",
        ("状态", "件数"),
        [(STATUS_LABELS.get(s, s), n) for s, n in sorted(figures["applications"].items())],
        total=True,
    )
    warnings = figures["warnings_open"]
    report.table(
        "预警",
        ("等级", "未办结预警"),
        [(LEVEL_NAMES[level], warnings[level]) for level in LEVEL_NAMES],
        total=True,
    )
    visits = figures["visits"]
    report.table(
        "走访",
        ("项目", "户数"),
        [("30日内应走访", visits["due"]), ("已逾期", visits["overdue"])],
    )
    return report.bytes()


def _period(figures: dict[str, Any]) -> str:
    return (
        f"统计区域：{figures['region_name']}（{figures['region_code']}）"
        f"　统计期间：{figures['from']} 至 {figures['to']}"
    )


def registry(figures: dict[str, Any]) -> bytes:
    report = Report(f"{figures['region_name']}低收入人口分区域统计表", _period(figures))
    headers = ["区域", "代码", "城乡"]
    for code, name in CATEGORIES.items():
        if code != NONE:
            headers.append(f"{name}（户）")
        headers.append(f"{name}（人）")
    headers += ["常住人口", "覆盖率（‰）"]
    rows = []
    for area in figures["areas"]:
        row: list[Any] = [
            area["name"],
            area["region_code"],
            {"urban": "城镇", "rural": "农村"}.get(area["kind"] or "", ""),
        ]
        for code in CATEGORIES:
            if code != NONE:
                row.append(area["households"].get(code, 0))
            row.append(area["people"].get(code, 0))
        row += [area["population"] or 0, area["coverage_permille"] or 0.0]
        rows.append(row)
    report.table(f"{figures['on']}在册", headers, rows, total=True)
    report.table(
        "进退",
        ("类别", "新纳入（户）", "类别变更（户）", "退出（户）"),
        [
            (
                CATEGORIES[c],
                figures["entered"].get(c, 0),
                figures["changed"].get(c, 0),
                figures["exited"].get(c, 0),
            )
            for c in figures["entered"]
        ],
        total=True,
    )
    report.table(
        "致困原因",
        ("致困原因", "户数"),
        [(CAUSE_NAMES.get(c, c), n) for c, n in figures["causes"].items()],
    )
    return report.bytes()


CARE = {**CARE_NAMES, "unknown": "未登记"}


def tekun(figures: dict[str, Any]) -> bytes:
    subtitle = (
        f"统计区域：{figures['region_name']}（{figures['region_code']}）　统计日期：{figures['on']}"
    )
    report = Report(f"{figures['region_name']}特困人员供养方式统计表", subtitle)
    headers = ["区域", "代码"]
    for name in CARE.values():
        headers += [f"{name}（户）", f"{name}（人）"]
    rows = []
    for area in figures["areas"]:
        row: list[Any] = [area["name"], area["region_code"]]
        for code in CARE:
            row += [area["households"][code], area["people"][code]]
        rows.append(row)
    report.table(f"{figures['on']}在册", headers, rows, total=True)
    return report.bytes()


def applications(figures: dict[str, Any]) -> bytes:
    report = Report(f"{figures['region_name']}救助申请办理统计表", _period(figures))
    share = figures["decided_within_limit_share"]
    report.table(
        "办理",
        ("项目", "数值"),
        [
            ("提交申请（件）", figures["submitted"]),
            ("已受理（件）", figures["accepted"]),
            ("已作出决定（件）", figures["decided"]),
            ("审批通过（件）", figures["approved"]),
            ("平均受理用时（小时）", figures["average_hours_to_accept"] or "—"),
            ("平均决定用时（小时）", figures["average_hours_to_decide"] or "—"),
            ("时限内决定占比", "—" if share is None else f"{share:.1%}"),
        ],
    )
    report.table(
        "当前状态",
        ("状态", "件数"),
        [(STATUS_LABELS.get(s, s), n) for s, n in sorted(figures["by_status"].items())],
        total=True,
    )
    return report.bytes()


def warnings(figures: dict[str, Any]) -> bytes:
    report = Report(f"{figures['region_name']}监测预警处置统计表", _period(figures))
    hours = figures["average_hours_signal_to_close"]
    report.table(
        "概况",
        ("项目", "数值"),
        [
            ("新发预警（条）", figures["opened"]),
            ("已办结（条）", figures["closed"]),
            ("平均处置用时（小时，信号至办结）", "—" if hours is None else hours),
        ],
    )
    report.table(
        "按等级",
        ("等级", "条数"),
        [(LEVEL_NAMES.get(k, k), n) for k, n in figures["by_level"].items()],
        total=True,
    )
    report.table(
        "按规则",
        ("规则", "代码", "条数"),
        [(BY_CODE[k].name if k in BY_CODE else k, k, n) for k, n in figures["by_rule"].items()],
        total=True,
    )
    report.table(
        "按处置方式",
        ("处置方式", "条数"),
        [(ROUTE_NAMES.get(k, k), n) for k, n in figures["by_route"].items()],
        total=True,
    )
    report.table(
        "按状态",
        ("状态", "条数"),
        [(WARNING_STATUS.get(k, k), n) for k, n in figures["by_status"].items()],
        total=True,
    )
    return report.bytes()


def payments(figures: dict[str, Any]) -> bytes:
    report = Report(f"{figures['region_name']}救助资金物资发放统计表", _period(figures))
    report.table(
        "按类型",
        ("类型", "金额（元）", "笔数", "户数"),
        [
            (
                LEDGER_NAMES.get(k["kind"], k["kind"]),
                _amount(k["amount"]),
                k["entries"],
                k["households"],
            )
            for k in figures["by_kind"]
        ],
        total=True,
    )
    return report.bytes()


REFERRAL_STATUS = {
    "sent": "已发出待接收",
    "accepted": "已接收服务中",
    "declined": "已拒绝",
    "completed": "已结案",
    "cancelled": "已撤回",
}


def referrals(figures: dict[str, Any]) -> bytes:
    report = Report(f"{figures['region_name']}转介与服务统计表", _period(figures))
    report.table(
        "按服务组织",
        ("服务组织", "发出转介（件）", "服务（次）", "服务时长（小时）", "服务户数"),
        [
            (
                o["name"],
                o["referrals_made"],
                o["services"],
                _amount(o["hours"]),
                o["households_served"],
            )
            for o in figures["by_organization"]
        ],
        total=True,
    )
    report.table(
        "转介状态",
        ("状态", "件数"),
        [(REFERRAL_STATUS.get(s, s), n) for s, n in figures["by_status"].items()],
        total=True,
    )
    report.table(
        "服务合计",
        ("项目", "数值"),
        [
            ("服务次数", figures["services"]),
            ("服务时长（小时）", _amount(figures["hours"])),
            ("服务户数（去重）", figures["households_served"]),
            ("得到服务的转介", figures["referrals_served"]),
        ],
    )
    return report.bytes()
