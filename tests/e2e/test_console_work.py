"""The console's working pages in headless Chromium against the real server (one server and one
browser for the module): a district officer imports an agency's file (GBK) and sees its
rejected rows and the encoding, dispatches the warning the import opened to a community worker,
who verifies it on site in her own session, and the officer resolves it; the officer assigns the
household's visits and the worker records one from her worklist; a need is matched to a project
and referred; a monthly report is exported and opened. An admin sees only the admin pages,
creates and disables an account and registers an agency. Screenshots in
``var/test-artifacts/console/``."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from openpyxl import load_workbook

from app.kit.timeutil import local_today
from tests.e2e.conftest import Server
from tests.e2e.test_console import ARTIFACTS, DISTRICT, GUANGHUA, staff
from tests.e2e.test_console import browser as browser  # one Chromium for the module
from tests.e2e.test_console import clean_database as clean_database  # retried on deadlock
from tests.e2e.test_console import server as server  # one server for the module
from tests.helpers import PASSWORD, id_number


async def log_in(browser: Any, server: Server, username: str, start: str) -> Any:
    """A fresh context (its own session storage) logged in by keyboard, on ``start``."""
    context = await browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True
    )
    page = await context.new_page()
    await page.goto(f"{server.base_url}/console{start}")
    await page.wait_for_url("**/console/login**")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/console{start}")
    return page


async def api(server: Server, username: str) -> httpx.AsyncClient:
    """A client logged in as ``username`` (not yet opened: use it with ``async with``)."""
    async with httpx.AsyncClient(base_url=server.api_url) as http:
        login = await http.post(
            "/auth/staff/login", json={"username": username, "password": PASSWORD}
        )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    return httpx.AsyncClient(base_url=server.api_url, headers={"Authorization": f"Bearer {token}"})


async def choose(page: Any, select: str, option: str) -> None:
    await page.locator(f"[data-test={select}]").click()
    await page.get_by_role("option", name=option, exact=True).click()


def unemployment_file(tmp_path: Path, member_id: str) -> Path:
    """Four rows in GBK: one matching the household's head, one for a person not monitored,
    a bad date (row 3) and a formula (row 5), which are rejected."""
    registered = (local_today() - timedelta(days=10)).isoformat()
    lines = [
        "id_number,name,registered_on",
        f"{member_id},赵建国,{registered}",
        f"{member_id},赵建国,2026-13-45",
        f"{id_number(date(1990, 2, 2))},钱多多,{registered}",
        f"{id_number(date(1991, 3, 3))},孙小小,=1+1",
    ]
    path = tmp_path / "失业登记.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


async def test_imports_warnings_visits_and_assistance(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    await staff("work_district", "district_officer", DISTRICT)
    await staff("work_gh", "community_worker", GUANGHUA)
    head_id = id_number(date(1986, 5, 1))
    async with await api(server, "work_district") as officer_api:
        body = {
            "region_code": GUANGHUA,
            "address": "光华大道9号",
            "members": [
                {
                    "name": "赵建国",
                    "id_number": head_id,
                    "relation": "head",
                    "disability_grade": None,
                    "severe_illness": False,
                    "work_capacity": "full",
                    "monthly_income": "2600.00",
                }
            ],
            "monthly_rigid_spending": {"medical": "0.00", "education": "0.00"},
            "causes": ["unemployment"],
            "risk_level": "high",
        }
        created = await officer_api.post("/staff/households", json=body)
        assert created.status_code == 201, created.text
        org = await officer_api.post(
            "/staff/organizations",
            json={
                "name": "温江区就业服务社",
                "kind": "social_organization",
                "region_code": DISTRICT,
            },
        )
        assert org.status_code == 201, org.text
        project = await officer_api.post(
            "/staff/projects",
            json={
                "organization_id": org.json()["id"],
                "name": "再就业帮扶计划",
                "service_types": ["job_help"],
                "target_categories": [],
                "target_groups": [],
                "region_code": DISTRICT,
                "capacity": 5,
                "starts_on": (local_today() - timedelta(days=30)).isoformat(),
            },
        )
        assert project.status_code == 201, project.text

    # The district officer: the menu of the role, the import and its rejected rows.
    officer = await log_in(browser, server, "work_district", "/imports")
    await officer.get_by_text("辖区：温江区").wait_for()
    menu = await officer.get_by_role("menubar").inner_text()
    for entry in ("数据总览", "数据导入", "预警处置", "走访任务", "精准救助"):
        assert entry in menu, entry
    assert "账号管理" not in menu
    await choose(officer, "import-source", "失业登记（人社）")
    await officer.locator("[data-test=import-file]").set_input_files(
        unemployment_file(tmp_path, head_id)
    )
    await officer.locator("[data-test=import-go]").click()
    detail = officer.locator("[data-test=import-detail]")
    await detail.locator("[data-test=import-status]", has_text="已完成").wait_for(timeout=30_000)
    await expect(detail.locator("[data-test=import-encoding]")).to_have_text("GBK（GB18030）")
    errors = detail.locator("[data-test=import-errors] .el-table__body tr")
    await expect(errors).to_have_count(2)
    first, second = await errors.nth(0).inner_text(), await errors.nth(1).inner_text()
    assert first.startswith("3") and "registered_on" in first
    assert second.startswith("5") and "单元格含公式" in second
    await officer.screenshot(path=ARTIFACTS / "import-rejected-rows.png")
    await officer.keyboard.press("Escape")
    # The list follows the import while it runs, until it is done.
    listed = officer.locator(
        "[data-test=imports-table] .el-table__body tr", has_text="失业登记.csv"
    )
    await expect(listed).to_contain_text("已完成")

    # The warning the import opened: dispatched to the community worker (yellow: 7 days).
    await officer.get_by_role("menuitem", name="预警处置").click()
    row = officer.locator(
        "[data-test=warnings-table] .el-table__body tr", has_text="劳动年龄成员失业"
    )
    await row.click()
    drawer = officer.locator("[data-test=warning-detail]")
    await drawer.locator("[data-test=warning-status]", has_text="待派发").wait_for()
    assert "7 天内核实" in await drawer.inner_text()
    evidence = await drawer.locator("[data-test=warning-evidence]").inner_text()
    assert "失业登记（人社）" in evidence and "第 2 行" in evidence
    await choose(officer, "dispatch-assignee", "work_gh（社区/村工作人员）")
    await drawer.locator("[data-test=dispatch-go]").click()
    await drawer.locator("[data-test=warning-status]", has_text="核实中").wait_for()
    await officer.screenshot(path=ARTIFACTS / "warning-dispatched.png")

    # The community worker, in her own session: her menu, then the verification on site.
    worker = await log_in(browser, server, "work_gh", "/warnings")
    await worker.get_by_text("辖区：光华社区").wait_for()
    worker_menu = await worker.get_by_role("menubar").inner_text()
    assert "预警处置" in worker_menu and "数据导入" not in worker_menu
    await worker.locator(
        "[data-test=warnings-table] .el-table__body tr", has_text="劳动年龄成员失业"
    ).click()
    mine = worker.locator("[data-test=warning-detail]")
    await mine.locator("[data-test=verify-confirmed]").click()
    await mine.locator("[data-test=verify-findings]").fill("入户核实：本人10月失业，家庭收入下降")
    await mine.locator("[data-test=verify-go]").click()
    await mine.locator("[data-test=warning-status]", has_text="已核实待处置").wait_for()
    history = await mine.locator("[data-test=warning-history]").inner_text()
    assert "派发核实" in history and "核实 → 已核实待处置" in history
    await worker.screenshot(path=ARTIFACTS / "warning-verified.png")
    await worker.keyboard.press("Escape")

    # Back to the officer: resolved by a case conference.
    await officer.reload()
    await officer.locator(
        "[data-test=warnings-table] .el-table__body tr", has_text="劳动年龄成员失业"
    ).click()
    await drawer.locator("[data-test=warning-status]", has_text="已核实待处置").wait_for()
    await choose(officer, "resolve-route", "一事一议")
    await drawer.locator("[data-test=resolve-note]").fill("提交街道一事一议")
    await drawer.locator("[data-test=resolve-go]").click()
    await drawer.locator("[data-test=warning-status]", has_text="已处置").wait_for()
    await officer.keyboard.press("Escape")

    # Visits: the officer assigns the household to the worker; she records a visit.
    await officer.get_by_role("menuitem", name="走访任务").click()
    visits = officer.locator("[data-test=visits-table] .el-table__body tr")
    await expect(visits).to_have_count(1)
    await visits.first.locator(".el-checkbox").click()
    await choose(officer, "assign-to", "work_gh（社区/村工作人员）")
    await officer.locator("[data-test=assign-go]").click()
    await expect(visits.first).to_contain_text("work_gh")
    await officer.screenshot(path=ARTIFACTS / "visits-district.png")

    await worker.get_by_role("menuitem", name="走访任务").click()
    await choose(worker, "visits-who", "我的走访")
    await worker.locator("[data-test=visits-go]").click()
    own = worker.locator("[data-test=visits-table] .el-table__body tr")
    await expect(own).to_have_count(1)
    await expect(own.first).to_contain_text("从未走访")
    await own.first.locator("[data-test=record-visit]").click()
    await worker.locator("[data-test=visit-met]").fill("赵建国")
    await worker.locator("[data-test=visit-save]").click()
    await worker.get_by_text("走访已记录").wait_for()
    await expect(own.first).not_to_contain_text("从未走访")
    await worker.screenshot(path=ARTIFACTS / "visits-worker.png")
    await worker.get_by_role("tab", name="完成情况").click()
    figures = worker.locator("[data-test=visit-figures] .el-table__body tr")
    await expect(figures.last).to_contain_text("合计")

    # Assistance: a need found on the visit, matched to the project and referred.
    await worker.get_by_role("menuitem", name="精准救助").click()
    await worker.locator("[data-test=projects-table]", has_text="再就业帮扶计划").wait_for()
    await worker.get_by_role("tab", name="需求与匹配").click()
    await worker.locator("[data-test=household-lookup]").fill("赵建国")
    await worker.locator("[data-test=household-find]").click()
    await choose(worker, "need-type", "就业帮扶")
    await worker.get_by_role("button", name="登记").click()
    match = worker.locator(
        "[data-test=matches-table] .el-table__body tr", has_text="再就业帮扶计划"
    )
    await match.wait_for()
    await match.get_by_role("button", name="转介").click()
    await worker.get_by_role("dialog").get_by_role("button", name="转介").click()
    await worker.get_by_text("已转介，等待服务组织接收").wait_for()
    await worker.locator("[data-test=plan-goals]").fill("三个月内实现再就业")
    review = worker.get_by_role("combobox", name="复评日期")
    await review.fill((local_today() + timedelta(days=90)).isoformat())
    await review.press("Enter")
    await worker.locator("[data-test=plan-save]").click()
    await worker.get_by_text("服务计划已保存，待审批").wait_for()
    await worker.get_by_role("tab", name="转介").click()
    await worker.locator("[data-test=referrals-table]", has_text="已发出待接收").wait_for()
    await worker.screenshot(path=ARTIFACTS / "assistance-referral.png")

    # The district officer approves the plan.
    await officer.get_by_role("menuitem", name="精准救助").click()
    await officer.get_by_role("tab", name="服务计划").click()
    plan = officer.locator(
        "[data-test=plans-table] .el-table__body tr", has_text="三个月内实现再就业"
    )
    await expect(plan).to_contain_text("草稿待审批")
    await plan.get_by_role("button", name="审批").click()
    await expect(plan).to_contain_text("已审批")

    # The month's report of referrals and services, downloaded and opened.
    await officer.get_by_role("menuitem", name="数据总览").click()
    async with officer.expect_download() as waiting:
        await officer.locator("[data-test=report-export]").click()
    download = await waiting.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    book = load_workbook(io.BytesIO(saved.read_bytes()))
    sheet = book["按服务组织"]
    assert sheet["A1"].value == "温江区转介与服务统计表（按服务组织）"
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[0][:2] == ("温江区就业服务社", 1) and rows[-1][0] == "合计"
    await officer.context.close()
    await worker.context.close()


async def test_an_admin_manages_accounts_and_agencies(browser: Any, server: Server) -> None:
    from playwright.async_api import expect

    await staff("work_admin", "admin", DISTRICT)
    await staff("work_someone", "community_worker", GUANGHUA)
    page = await log_in(browser, server, "work_admin", "/admin/staff")
    await page.get_by_text("辖区：温江区").wait_for()
    menu = await page.get_by_role("menubar").inner_text()
    assert "账号管理" in menu and "接入机构" in menu
    assert "数据总览" not in menu and "求助受理" not in menu

    await page.locator("[data-test=account-new]").click()
    await page.locator("[data-test=new-username]").fill("work_new")
    await page.locator("[data-test=new-display-name]").fill("新同事")
    await page.locator("[data-test=new-password]").fill("Xin-tong-shi-2026!")
    await choose(page, "new-role", "社工站")
    await page.locator("[data-test=new-region]").fill("510115001000")
    await page.locator("[data-test=new-save]").click()
    accounts = page.locator("[data-test=accounts-table] .el-table__body tr")
    await expect(accounts.filter(has_text="work_new")).to_contain_text("新同事")
    someone = accounts.filter(has_text="work_someone")
    await page.locator("[data-test=toggle-work_someone]").click()
    await page.get_by_role("button", name="停用", exact=True).last.click()
    await expect(someone).to_contain_text("已停用")
    await page.screenshot(path=ARTIFACTS / "admin-accounts.png")
    async with httpx.AsyncClient(base_url=server.api_url) as http:
        refused = await http.post(
            "/auth/staff/login", json={"username": "work_someone", "password": PASSWORD}
        )
        assert refused.status_code == 403 and refused.json()["code"] == "account_disabled"

    await page.get_by_role("menuitem", name="接入机构").click()
    await page.locator("[data-test=agency-name]").fill("温江区医保局")
    await page.locator("[data-test=agency-region]").fill(DISTRICT)
    await page.locator("[data-test=agency-go]").click()
    key = (await page.locator("[data-test=agency-key]").inner_text()).strip()
    assert len(key) > 20
    await page.locator("[data-test=agencies-table]", has_text="温江区医保局").wait_for()
    await page.screenshot(path=ARTIFACTS / "admin-agencies.png")
    await page.context.close()
