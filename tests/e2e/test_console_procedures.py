"""The statutory procedure in the console, in headless Chromium against the real server (one
server and one browser for the module): a community worker accepts a case, starts its dibao
procedure on the case page and advances it step by step (the survey by two colleagues picked in
the form, the check, the public notice), sees the steps table change and a refused step's
Chinese message, downloads the public notice PDF and records an objection. A district officer
opens the 督办 page: a step past its due date is listed under its street with its days over,
the on-time chart is drawn, and the case opened from there shows the step highlighted.
Screenshots in ``var/test-artifacts/console/``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from pypdf import PdfReader
from sqlalchemy import update

from app.db.session import session_scope
from app.kit.timeutil import local_today
from app.models.procedure import Procedure, ProcedureStep
from tests.e2e.conftest import Server
from tests.e2e.test_console import ARTIFACTS, DISTRICT, GUANGHUA, staff
from tests.e2e.test_console import browser as browser  # one Chromium for the module
from tests.e2e.test_console import clean_database as clean_database  # retried on deadlock
from tests.e2e.test_console import server as server  # one server for the module
from tests.e2e.test_console_work import api, log_in
from tests.helpers import application_body, id_number


async def application(server: Server, name: str) -> int:
    """A resident's application for ``name`` in 光华社区; its id."""
    async with httpx.AsyncClient(base_url=server.api_url) as http:
        login = await http.post("/auth/wechat/login", json={"code": f"proc-{name}"})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        body = application_body(subject={"name": name, "id_number": id_number()})
        response = await http.post("/applications", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])


async def pick(page: Any, select: str, *options: str) -> None:
    await page.locator(f"[data-test={select}]").click()
    for option in options:
        await page.get_by_role("option", name=option, exact=True).click()
    await page.keyboard.press("Escape")


async def act(page: Any, label: str) -> None:
    """Submit the step form and wait for the server's confirmation."""
    await page.locator("[data-test=step-go]").click()
    await page.get_by_text(f"已办理：{label}").last.wait_for()


async def test_a_worker_runs_a_dibao_procedure_and_the_district_supervises(
    browser: Any, server: Server
) -> None:
    from playwright.async_api import expect

    await staff("proc_worker", "community_worker", GUANGHUA)
    await staff("proc_colleague", "community_worker", GUANGHUA)
    await staff("proc_district", "district_officer", DISTRICT)
    case_id = await application(server, "李秀兰")
    late_id = await application(server, "周国强")
    urgent_id = await application(server, "吴桂芳")

    # The worker accepts the case on its page; the procedure panel offers to start one.
    worker = await log_in(browser, server, "proc_worker", f"/cases/{case_id}")
    await worker.locator("[data-test=case-status]", has_text="已提交").wait_for()
    assert await worker.locator("[data-test=procedure]").count() == 0
    await worker.locator("[data-test=action-accept]").click()
    await worker.get_by_role("button", name="确定").click()
    await worker.locator("[data-test=case-status]", has_text="已受理").wait_for()
    panel = worker.locator("[data-test=procedure]")
    await panel.locator("[data-test=proc-start]").wait_for()
    await pick(worker, "proc-category", "最低生活保障")
    await panel.locator("[data-test=proc-start]").click()
    steps = panel.locator("[data-test=proc-steps]")
    await expect(steps.locator("[data-test=step-acceptance]")).to_have_text("已完成")
    await expect(steps.locator("[data-test=step-survey]")).to_have_text("待办理")
    summary = await panel.locator("[data-test=proc-summary]").inner_text()
    assert "最低生活保障" in summary and "30 个工作日" in summary

    # One surveyor is refused with the server's Chinese message; two go through.
    await pick(worker, "step-surveyors", "proc_worker（社区/村工作人员）")
    await panel.locator("[data-test=step-go]").click()
    await worker.get_by_text("入户调查须由至少两名工作人员进行").wait_for()
    await expect(steps.locator("[data-test=step-survey]")).to_have_text("待办理")
    await pick(worker, "step-surveyors", "proc_colleague（社区/村工作人员）")
    await panel.locator("[data-test=step-findings]").fill("家中无固定收入，患慢性病")
    await act(worker, "入户调查")
    await expect(steps.locator("[data-test=step-survey]")).to_have_text("已完成")
    survey_row = steps.locator(".el-table__body tr", has_text="入户调查")
    await expect(survey_row).to_contain_text("proc_worker")
    await expect(survey_row).to_contain_text("proc_colleague")
    await expect(survey_row).to_contain_text("家中无固定收入")
    # The next step is chosen by itself: the check request, then the check.
    await act(worker, "提请家庭经济状况核对")
    await expect(steps.locator("[data-test=step-check]")).to_have_text("待办理")
    await act(worker, "家庭经济状况核对")
    await panel.locator("[data-test=step-monthly]").fill("650.00")
    await act(worker, "张榜公示")
    await expect(steps.locator("[data-test=step-notice]")).to_have_text("已完成")
    await expect(steps.locator("[data-test=step-notice_end]")).to_have_text("待办理")
    # The notice period is not over: the server says so in Chinese.
    await panel.locator("[data-test=step-go]").click()
    await worker.locator(".el-message--error", has_text="届满前不能办理").wait_for()

    # The public notice, downloaded through the token, is a PDF in Chinese.
    async with worker.expect_download() as info:
        await panel.locator("[data-test=doc-notice]").click()
    download = await info.value
    path = await download.path()
    content = path.read_bytes()
    assert content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(path).pages)
    assert "公示" in text and "650" in text, text

    # An objection during the notice.
    await panel.locator("[data-test=proc-objection]").click()
    await worker.get_by_role("dialog").locator("input").fill("邻居反映其子女有经营收入")
    await worker.get_by_role("button", name="确定").click()
    await worker.get_by_text("异议已记录").wait_for()
    await expect(panel.locator("[data-test=proc-summary]")).to_contain_text("1 件")
    await expect(panel).to_contain_text("邻居反映其子女有经营收入")
    await worker.screenshot(path=ARTIFACTS / "procedure-notice.png", full_page=True)

    # A second case whose survey is four days past its due date.
    async with await api(server, "proc_worker") as worker_api:
        accepted = await worker_api.post(
            f"/staff/applications/{late_id}/transitions", json={"action": "accept"}
        )
        assert accepted.status_code == 200, accepted.text
        started = await worker_api.post(
            f"/staff/applications/{late_id}/procedure", json={"category": "dibao"}
        )
        assert started.status_code == 201, started.text
        # A rigid-spending case, surveyed, waiting for the district's decision.
        surveyors = []
        for username in ("proc_worker", "proc_colleague"):
            async with await api(server, username) as colleague:
                surveyors.append(int((await colleague.get("/me")).json()["id"]))
        for action in ("accept", "start_investigation"):
            moved = await worker_api.post(
                f"/staff/applications/{urgent_id}/transitions", json={"action": action}
            )
            assert moved.status_code == 200, moved.text
        started = await worker_api.post(
            f"/staff/applications/{urgent_id}/procedure", json={"category": "rigid_spending"}
        )
        assert started.status_code == 201, started.text
        surveyed = await worker_api.post(
            f"/staff/applications/{urgent_id}/procedure/steps/survey",
            json={"surveyors": surveyors, "findings": "子女大学学费负担重"},
        )
        assert surveyed.status_code == 200, surveyed.text
        moved = await worker_api.post(
            f"/staff/applications/{urgent_id}/transitions", json={"action": "submit_review"}
        )
        assert moved.status_code == 200, moved.text
    async with session_scope() as session:
        await session.execute(
            update(ProcedureStep)
            .where(
                ProcedureStep.step == "survey",
                ProcedureStep.procedure_id.in_(
                    Procedure.__table__.select()
                    .with_only_columns(Procedure.id)
                    .where(Procedure.application_id == late_id)
                    .scalar_subquery()
                ),
            )
            .values(due_on=local_today() - timedelta(days=4))
        )

    # The district officer decides the rigid-spending case on its page.
    officer = await log_in(browser, server, "proc_district", f"/cases/{urgent_id}")
    await officer.locator("[data-test=case-status]", has_text="审核中").wait_for()
    decided = officer.locator("[data-test=procedure]")
    await expect(decided.locator("[data-test=step-confirm]")).to_have_text("待办理")
    await officer.get_by_text("批准", exact=True).click()
    await decided.locator("[data-test=step-monthly]").fill("300.00")
    await decided.locator("[data-test=step-findings]").fill("教育支出超过家庭收入的一半")
    await act(officer, "县级民政部门认定")
    await expect(decided.locator("[data-test=proc-outcome]")).to_have_text("已批准")
    await expect(decided.locator("[data-test=step-confirm]")).to_have_text("已完成")
    confirm_row = decided.locator("[data-test=proc-steps] .el-table__body tr", has_text="县级")
    await expect(confirm_row).to_contain_text("proc_district")
    await expect(confirm_row).to_contain_text("月保障金额：300.00")
    await officer.locator("[data-test=case-status]", has_text="审批通过").wait_for()

    # The 督办 page: the late step under its street, the month's decision in the chart.
    await officer.get_by_role("menuitem", name="督办").click()
    menu = await officer.get_by_role("menubar").inner_text()
    assert "督办" in menu
    await expect(officer.locator("[data-test=sup-total]")).to_contain_text("超期步骤 1 个")
    streets = officer.locator("[data-test=sup-streets] .el-table__body tr")
    await expect(streets).to_have_count(1)
    await expect(streets.first).to_contain_text("柳城街道")
    await expect(streets.first).to_contain_text("4 天")
    items = officer.locator("[data-test=sup-items] .el-table__body tr")
    await expect(items).to_have_count(1)
    await expect(items.first).to_contain_text("入户调查")
    await expect(items.first).to_contain_text("超期 4 天")
    await officer.locator("[data-test=chart-on-time] canvas").wait_for()
    await expect(officer.locator("[data-test=sup-year-total]")).to_have_text(
        f"{local_today().year} 年作出决定 1 件，在时限内 1 件，按时率 100%"
    )
    await officer.screenshot(path=ARTIFACTS / "supervision.png")

    # Opened from there: the case page shows the step overdue, highlighted.
    await items.first.get_by_role("button", name="打开").click()
    await officer.wait_for_url(f"**/console/cases/{late_id}")
    late_row = officer.locator("[data-test=proc-steps] .el-table__body tr.overdue")
    await expect(late_row).to_have_count(1)
    await expect(late_row).to_contain_text("入户调查")
    await expect(late_row).to_contain_text("超期 4 天")
    await officer.screenshot(path=ARTIFACTS / "procedure-overdue.png", full_page=True)
    for page in (worker, officer):
        await page.context.close()
