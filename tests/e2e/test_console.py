"""The staff console in headless Chromium (Debian's ``chromium``, driven by Playwright) against
the real server: per role, log in, see the jurisdiction and the dashboard's charts drawn, filter
the queue, open a case and accept it, see the timeline change, export the registry as XLSX and
open it. Screenshots are kept under ``var/test-artifacts/console/``.

The console must be built first (``make console``; ``make test`` does it). With ``CI=true`` a
missing build or a missing Chromium is a failure, not a skip."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from app.kit.timeutil import local_today
from tests.conftest import _empty_tables
from tests.e2e.conftest import ROOT, Server, cli
from tests.helpers import PASSWORD, application_body, id_number

GUANGHUA = "510115001001"
DISTRICT = "510115000000"
DIST = ROOT / "console" / "dist"
ARTIFACTS = ROOT / "var" / "test-artifacts" / "console"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None or not DIST.joinpath("index.html").is_file():
        missing = "Chromium (apt-get install chromium)" if found is None else "make console"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests need {missing}")
        pytest.skip(f"browser tests need {missing}")
    return found


async def staff(username: str, role: str, region: str) -> None:
    out = await cli(
        "create-staff",
        "--username",
        username,
        "--password",
        PASSWORD,
        "--role",
        role,
        "--region",
        region,
        "--display-name",
        username,
    )
    assert f"staff {username} created" in out


async def two_applications(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.api_url) as http:
        login = await http.post("/auth/wechat/login", json={"code": "console-resident"})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        for n in range(2):
            body = application_body(subject={"name": f"王{n}", "id_number": id_number()})
            response = await http.post("/applications", json=body, headers=headers)
            assert response.status_code == 201, response.text


@pytest.fixture(autouse=True)
async def clean_database() -> AsyncIterator[None]:
    """As the suite's clean-up, but the module's server keeps running between tests, its job
    runner too: on PostgreSQL the TRUNCATE can deadlock with the runner's writes, and is then
    simply tried again."""
    from sqlalchemy.exc import DBAPIError

    for attempt in range(5):
        try:
            await _empty_tables()
            break
        except DBAPIError as exc:
            if "deadlock" not in str(exc) or attempt == 4:
                raise
            await asyncio.sleep(0.2)
    yield


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """One server for the module (each test still starts from an empty database)."""
    instance = Server()
    instance.start()
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    """One Chromium for the module; each login is a fresh context."""
    from playwright.async_api import async_playwright

    executable = chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield instance
        finally:
            await instance.close()


async def log_in(browser: Any, server: Server, username: str) -> Any:
    context = await browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True
    )
    page = await context.new_page()
    await page.goto(f"{server.base_url}/console/queue")
    await page.wait_for_url("**/console/login**")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.keyboard.press("Enter")  # usable by keyboard
    await page.wait_for_url("**/console/queue")
    return page


async def test_a_community_worker_triages_a_case(browser: Any, server: Server) -> None:
    from playwright.async_api import expect

    await staff("console_worker", "community_worker", GUANGHUA)
    await two_applications(server)
    page = await log_in(browser, server, "console_worker")
    await page.get_by_text("辖区：光华社区").wait_for()
    menu = await page.get_by_role("menubar").inner_text()
    assert "求助受理" in menu and "监测对象" in menu

    rows = page.locator("[data-test=queue-table] .el-table__body tr")
    await expect(rows).to_have_count(2)
    await page.locator("[data-test=status-counts]", has_text="已提交 2").wait_for()
    await page.screenshot(path=ARTIFACTS / "queue-worker.png")

    await rows.first.click()
    await page.wait_for_url("**/console/cases/*")
    await page.locator("[data-test=case-status]", has_text="已提交").wait_for()
    await page.locator("[data-test=action-accept]").click()
    await page.get_by_placeholder("告知申请人的说明（可不填）").fill("已受理，请保持电话畅通")
    await page.get_by_role("button", name="确定").click()
    await page.locator("[data-test=case-status]", has_text="已受理").wait_for()
    timeline = await page.locator("[data-test=timeline]").inner_text()
    assert "受理 → 已受理" in timeline and "告知申请人：已受理，请保持电话畅通" in timeline
    await page.screenshot(path=ARTIFACTS / "case-accepted.png")

    # Back in the queue, filtered to what is still waiting: one case.
    await page.get_by_role("menuitem", name="求助受理").click()
    await page.locator("[data-test=filter-status]").click()
    await page.get_by_role("option", name="已提交").click()
    await page.locator("[data-test=filter-go]").click()
    await page.locator("[data-test=status-counts]", has_text="已受理 1").wait_for()
    await expect(rows).to_have_count(1)
    assert "王" in await rows.first.inner_text()


async def test_a_district_officer_sees_the_dashboard_and_exports(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    await staff("console_district", "district_officer", DISTRICT)
    await two_applications(server)
    async with httpx.AsyncClient(base_url=server.api_url) as http:
        login = await http.post(
            "/auth/staff/login", json={"username": "console_district", "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        body = {
            "region_code": GUANGHUA,
            "address": "光华大道8号",
            "members": [
                {
                    "name": "赵大爷",
                    "id_number": id_number(),
                    "relation": "head",
                    "disability_grade": None,
                    "severe_illness": False,
                    "work_capacity": "none",
                    "monthly_income": "300.00",
                }
            ],
            "monthly_rigid_spending": {"medical": "100.00", "education": "0.00"},
            "causes": ["old_age"],
            "risk_level": "high",
        }
        created = await http.post("/staff/households", json=body, headers=headers)
        assert created.status_code == 201, created.text
        # 特困人员 in a care home (集中供养): the dashboard's care-arrangement table counts him.
        enrolled = await http.post(
            f"/staff/households/{created.json()['id']}/category",
            json={
                "action": "enrol",
                "category": "tekun",
                "effective_date": local_today().isoformat(),
                "reason": "入户调查核实",
                "care_arrangement": "centralized",
            },
            headers=headers,
        )
        assert enrolled.status_code == 200, enrolled.text

    page = await log_in(browser, server, "console_district")
    await page.get_by_role("menuitem", name="数据总览").click()
    await page.get_by_text("辖区：温江区").wait_for()
    for chart in ("chart-streets", "chart-map", "chart-categories", "chart-funnel"):
        canvas = page.locator(f"[data-test={chart}] canvas").first
        await canvas.wait_for()
        box = await canvas.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100, chart
    assert "示意图（非真实边界）" in await page.content()
    care = page.locator("[data-test=tekun-care] tr", has_text="柳城街道")
    await care.wait_for()
    cells = await care.locator("td").all_inner_texts()
    assert [c.strip() for c in cells] == ["柳城街道", "0 户 / 0 人", "1 户 / 1 人", "0 户 / 0 人"]
    await page.screenshot(path=ARTIFACTS / "dashboard-district.png", full_page=True)

    await page.get_by_role("menuitem", name="监测对象").click()
    await page.locator("[data-test=registry-table]", has_text="赵大爷").wait_for()
    async with page.expect_download() as waiting:
        await page.locator("[data-test=export]").click()
    download = await waiting.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "户编号" and any("赵大爷" in str(cell) for cell in rows[1])
    await page.screenshot(path=ARTIFACTS / "registry-district.png")


async def test_deep_links_and_api_paths(server: Server) -> None:
    chromium()  # the build must exist
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        page = await http.get("/console/cases/12345")
        assert page.status_code == 200 and '<div id="app">' in page.text
        missing_asset = await http.get("/console/assets/nothing-here.js")
        assert missing_asset.status_code == 404
        api = await http.get("/api/v1/no-such-thing")
        assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")
