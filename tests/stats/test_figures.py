"""The bureau's figures through HTTP against counts worked out by hand on a small known district:
five households in three streets (one exited, one in no category), two applications, three
warnings, two ledger entries, visits due and overdue."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from app.db.session import session_scope
from app.kit.timeutil import local_today, now
from app.models import EarlyWarning
from app.models.household import Household
from app.models.visit import VisitSchedule
from app.stats import repository
from app.stats.repository import Scope
from app.stats.service import day_start
from tests.helpers import application_body, id_number, login_resident, login_staff
from tests.households.helpers import (
    DISTRICT,
    GONGPING_COMMUNITY,
    GUANGHUA,
    LIUCHENG,
    NANJIANG,
    create_household,
    member,
)
from tests.intake.support import act

YOUQING = "510115007002"  # 友庆村, a village under 和盛镇
HESHENG = "510115007000"
# The built-in region tree's communities and villages add up to this resident population.
POPULATION = 870_740
TODAY = local_today()


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


async def decide(client: httpx.AsyncClient, headers: dict[str, str], hid: int, **body: Any) -> None:
    body.setdefault("reason", "入户调查核实")
    response = await client.post(f"/staff/households/{hid}/category", json=body, headers=headers)
    assert response.status_code == 200, response.text


def people(n: int, born: int) -> list[dict[str, Any]]:
    relations = ["head", "spouse", "child"]
    return [
        member(
            name=f"成员{born}{i}",
            id_number=id_number(date(born + i, 1, 1 + i)),
            relation=relations[i],
        )
        for i in range(n)
    ]


async def district_with_households(client: httpx.AsyncClient) -> dict[str, Any]:
    """H1 dibao (2 people), H2 tekun (1), H3 dibao then dibao_edge 10 days ago (3), all in
    柳城街道; H4 dibao then exited 5 days ago (2) in 公平街道; H5 in no category (1) in 友庆村.
    Every household is registered 90 days ago, enrolled 60 days ago."""
    officer = await login_staff(client, "district", "district_officer", DISTRICT)
    made = {}
    for name, region, n, born in (
        ("h1", GUANGHUA, 2, 1950),
        ("h2", GUANGHUA, 1, 1940),
        ("h3", NANJIANG, 3, 1960),
        ("h4", GONGPING_COMMUNITY, 2, 1970),
        ("h5", YOUQING, 1, 1980),
    ):
        made[name] = (
            await create_household(client, officer, region_code=region, members=people(n, born))
        )["id"]
    for name, category in (("h1", "dibao"), ("h2", "tekun"), ("h3", "dibao"), ("h4", "dibao")):
        await decide(
            client, officer, made[name], action="enrol", category=category, effective_date=ago(60)
        )
    await decide(
        client, officer, made["h3"], action="change", category="dibao_edge", effective_date=ago(10)
    )
    await decide(client, officer, made["h4"], action="exit", effective_date=ago(5))
    async with session_scope() as session:
        await session.execute(update(Household).values(created_at=now() - timedelta(days=90)))
        # Visits: H1 overdue, H2 due within 30 days, H3 due later, H5 never scheduled.
        for name, due in (("h1", -3), ("h2", 10), ("h3", 60), ("h5", None)):
            await session.execute(
                update(VisitSchedule)
                .where(VisitSchedule.household_id == made[name])
                .values(next_due_on=None if due is None else TODAY + timedelta(days=due))
            )
    return {"officer": officer, **made}


async def get(
    client: httpx.AsyncClient, headers: dict[str, str], path: str, **params: Any
) -> dict[str, Any]:
    response = await client.get(f"/staff/stats/{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_overview_counts_by_hand_today_and_on_an_earlier_day(
    client: httpx.AsyncClient,
) -> None:
    made = await district_with_households(client)
    officer = made["officer"]
    figures = await get(client, officer, "overview")
    assert figures["on"] == TODAY.isoformat() and figures["region_code"] == DISTRICT
    assert figures["households"] == {
        "dibao": 1,
        "tekun": 1,
        "dibao_edge": 1,
        "expenditure_hardship": 0,
        "other_special": 0,
    }
    assert figures["people"] == {
        "dibao": 2,
        "tekun": 1,
        "dibao_edge": 3,
        "expenditure_hardship": 0,
        "other_special": 0,
        "none": 1,
    }
    assert figures["population"] == POPULATION
    assert figures["coverage_permille"] == round(7 * 1000 / POPULATION, 2)
    assert figures["visits"] == {"due": 1, "overdue": 1}
    assert figures["warnings_open"] == {"red": 0, "orange": 0, "yellow": 0}

    # Twenty days ago H3 was still dibao and H4 had not exited; 70 days ago no one was enrolled.
    earlier = await get(client, officer, "overview", on=ago(20))
    assert earlier["households"]["dibao"] == 3 and earlier["households"]["dibao_edge"] == 0
    assert earlier["people"]["dibao"] == 7 and earlier["people"]["none"] == 1
    before = await get(client, officer, "overview", on=ago(70))
    assert sum(before["households"].values()) == 0 and before["people"]["none"] == 9
    # 100 days ago none of them was registered.
    assert sum((await get(client, officer, "overview", on=ago(100)))["people"].values()) == 0

    # A street sees its own subtree; its population is its communities'.
    street = await login_staff(client, "liucheng", "street_officer", LIUCHENG)
    mine = await get(client, street, "overview")
    assert mine["region_code"] == LIUCHENG
    assert mine["people"] == {**figures["people"], "none": 0}
    assert 0 < mine["population"] < POPULATION


async def test_the_fast_reading_agrees_with_the_history_near_every_change(
    client: httpx.AsyncClient,
) -> None:
    """Households no decision moved since the day are read from the registry's columns, the
    others from the history: the sum is what the history alone gives, on the days around each
    decision (enrolments 60 days ago, a change 10, an exit 5) and on the days of registration."""
    await district_with_households(client)
    scope = Scope("510115000000", "510115999999")
    for days in (100, 91, 90, 89, 61, 60, 59, 11, 10, 9, 6, 5, 4, 1, 0):
        on = TODAY - timedelta(days=days)
        end = day_start(on + timedelta(days=1))
        async with session_scope() as session:
            fast = await repository.registry(session, scope, on, end, TODAY)
            history = await repository.registry(session, scope, on, end, TODAY, history=True)
            areas = await repository.registry_by_area(session, scope, on, end, TODAY, digits=9)
            areas_history = await repository.registry_by_area(
                session, scope, on, end, TODAY, digits=9, history=True
            )
        assert fast == history, days
        assert areas == areas_history, days
    assert sum(n for n, _ in fast.values()) == 4


async def test_registry_by_street_community_and_village(client: httpx.AsyncClient) -> None:
    made = await district_with_households(client)
    officer = made["officer"]
    figures = await get(client, officer, "registry", **{"from": ago(90), "to": ago(0)})
    streets = {a["name"]: a for a in figures["areas"]}
    assert len(streets) == 9 and streets["柳城街道"]["kind"] is None
    assert streets["柳城街道"]["households"]["dibao"] == 1
    assert streets["柳城街道"]["people"]["dibao_edge"] == 3
    assert sum(streets["公平街道"]["people"].values()) == 0  # exited
    assert streets["和盛镇"]["people"]["none"] == 1
    assert sum(a["population"] for a in figures["areas"]) == POPULATION
    assert figures["entered"] == {
        "dibao": 3,
        "tekun": 1,
        "dibao_edge": 0,
        "expenditure_hardship": 0,
        "other_special": 0,
    }
    assert figures["changed"]["dibao_edge"] == 1
    assert figures["exited"]["dibao"] == 1
    assert figures["causes"]["illness"] == 4  # every household but the exited one

    villages = await get(client, officer, "registry", region_code=HESHENG)
    kinds = {a["name"]: a["kind"] for a in villages["areas"]}
    assert kinds == {"和盛社区": "urban", "友庆村": "rural", "东岳村": "rural"}
    assert {a["name"]: a["people"]["none"] for a in villages["areas"]}["友庆村"] == 1
    # Only decisions in the period count.
    recent = await get(client, officer, "registry", **{"from": ago(7), "to": ago(0)})
    assert sum(recent["entered"].values()) == 0 and recent["exited"]["dibao"] == 1


async def test_applications_warnings_and_payments(client: httpx.AsyncClient) -> None:
    made = await district_with_households(client)
    officer = made["officer"]
    resident = await login_resident(client, "alice")
    ids = []
    for n in range(2):
        body = application_body(subject={"id_number": id_number(date(1990, 1, 1 + n))})
        response = await client.post("/applications", json=body, headers=resident)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    worker = await login_staff(client, "guanghua", "community_worker", GUANGHUA)
    accepted = await act(client, worker, ids[0], "accept")
    assert accepted.status_code == 200, accepted.text

    overview = await get(client, officer, "overview")
    assert overview["applications"] == {"submitted": 1, "accepted": 1}
    funnel = await get(client, officer, "applications")
    assert (funnel["submitted"], funnel["accepted"], funnel["decided"]) == (2, 1, 0)
    assert funnel["by_status"] == {"submitted": 1, "accepted": 1}
    assert funnel["average_hours_to_accept"] is not None
    assert funnel["decided_within_limit_share"] is None

    at = now()
    async with session_scope() as session:
        for number, (level, status, route, closed_hours) in enumerate(
            [
                ("red", "open", None, None),
                ("orange", "resolved", "deliver_policy", 48),
                ("orange", "closed", None, 24),
            ],
            start=1,
        ):
            session.add(
                EarlyWarning(
                    id=700 + number,
                    rule_code="need_unemployment",
                    rule_class="need",
                    level=level,
                    status=status,
                    route=route,
                    subject_key=f"p:{number}",
                    region_code=GUANGHUA,
                    opened_at=at - timedelta(hours=72),
                    last_signal_at=at - timedelta(hours=72),
                    closed_at=None
                    if closed_hours is None
                    else at - timedelta(hours=72 - closed_hours),
                )
            )
    overview = await get(client, officer, "overview")
    assert overview["warnings_open"] == {"red": 1, "orange": 0, "yellow": 0}
    three_days_ago = await get(client, officer, "overview", on=ago(2))
    assert three_days_ago["warnings_open"]["orange"] == 1  # closed 2 days ago, resolved later
    warnings = await get(client, officer, "warnings", **{"from": ago(10), "to": ago(0)})
    assert (warnings["opened"], warnings["closed"]) == (3, 2)
    assert warnings["by_level"] == {"red": 1, "orange": 2, "yellow": 0}
    assert warnings["by_route"] == {"deliver_policy": 1}
    assert warnings["average_hours_signal_to_close"] == 36.0

    for kind, amount, day in (("dibao_payment", "870.00", 3), ("medical_aid", "1234.56", 40)):
        response = await client.post(
            f"/staff/households/{made['h1']}/ledger",
            json={
                "kind": kind,
                "date": ago(day),
                "amount": amount,
                "giver": "温江区民政局",
                "note": "发放",
                "decision_ref": None,
            },
            headers=officer,
        )
        assert response.status_code == 201, response.text
    paid = await get(client, officer, "payments", **{"from": ago(30), "to": ago(0)})
    by_kind = {k["kind"]: k for k in paid["by_kind"]}
    assert by_kind["dibao_payment"] == {
        "kind": "dibao_payment",
        "amount": "870.00",
        "entries": 1,
        "households": 1,
    }
    assert by_kind["medical_aid"]["amount"] == "0.00"


async def test_workbooks_in_the_layout_of_a_monthly_report(client: httpx.AsyncClient) -> None:
    made = await district_with_households(client)
    response = await client.get("/staff/stats/overview.xlsx", headers=made["officer"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["类别"]
    assert sheet["A1"].value == "温江区低收入人口统计报表（类别）"
    assert f"统计日期：{TODAY}" in sheet["A2"].value
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0] == ("类别", "户数", "人数")
    assert ("低保", 1, 2) in rows and ("低保边缘家庭", 1, 3) in rows
    assert rows[-1] == ("合计", 3, 7)
    coverage = dict(book["覆盖"].iter_rows(min_row=4, values_only=True))
    assert coverage["常住人口"] == POPULATION and coverage["监测人数"] == 7

    response = await client.get(
        "/staff/stats/registry.xlsx",
        params={"month": TODAY.strftime("%Y-%m")},
        headers=made["officer"],
    )
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    streets = list(book.worksheets[0].iter_rows(min_row=4, values_only=True))
    assert streets[-1][0] == "合计" and streets[0][0] == "柳城街道"
    for path in ("applications.xlsx", "warnings.xlsx", "payments.xlsx"):
        response = await client.get(f"/staff/stats/{path}", headers=made["officer"])
        assert response.status_code == 200, (path, response.text)
        assert load_workbook(io.BytesIO(response.content)).worksheets


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"region_code": "510115002000"}, 403, "outside_jurisdiction"),
        ({"region_code": "510115001099"}, 404, "region_not_found"),
        ({"on": "1999-12-31"}, 422, "invalid_date"),
        ({"on": "2026-02-30"}, 422, None),
        ({"region_code": "51011500100"}, 422, None),
    ],
)
async def test_bad_requests_get_a_clear_4xx(
    client: httpx.AsyncClient, params: dict[str, str], status: int, code: str | None
) -> None:
    street = await login_staff(client, "liucheng", "street_officer", LIUCHENG)
    response = await client.get("/staff/stats/overview", params=params, headers=street)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code


async def test_periods_and_roles(client: httpx.AsyncClient) -> None:
    street = await login_staff(client, "liucheng", "street_officer", LIUCHENG)
    for params in (
        {"month": "2026-13"},
        {"month": "2026-11", "from": "2026-11-01"},
        {"from": "2026-11-30", "to": "2026-11-01"},
        {"from": "9999-12-01", "to": "9999-12-31"},
        {"to": "9999-12-31"},
        {"month": "9999-12"},
        {"month": "0001-01"},
    ):
        response = await client.get("/staff/stats/applications", params=params, headers=street)
        assert response.status_code == 422, (params, response.text)
    month = await get(client, street, "applications", month="2026-02")
    assert (month["from"], month["to"]) == ("2026-02-01", "2026-02-28")
    admin = await login_staff(client, "admin", "admin", DISTRICT)
    assert (await client.get("/staff/stats/overview", headers=admin)).status_code == 403
    assert (await client.get("/staff/stats/overview")).status_code == 401
    auditor = await login_staff(client, "auditor", "auditor", DISTRICT)
    assert (await client.get("/staff/stats/overview", headers=auditor)).status_code == 200
