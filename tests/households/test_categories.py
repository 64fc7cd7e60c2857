"""Categories: enrol, change, exit, re-enrol; the append-only history; approval through the
intake flow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from app.kit.timeutil import local_today
from app.models.household import CategoryChange, Household, Standard
from tests.helpers import application_body, id_number, login_resident, login_staff, staff_id
from tests.households.helpers import (
    NANJIANG,
    audit_actions,
    count_rows,
    create_household,
    district,
    household_body,
    member,
    street,
)


async def decide(
    client: httpx.AsyncClient, headers: dict[str, str], hid: int, **body: Any
) -> httpx.Response:
    body.setdefault("effective_date", "2026-12-01")
    body.setdefault("reason", "入户调查核实")
    return await client.post(f"/staff/households/{hid}/category", json=body, headers=headers)


async def history(client: httpx.AsyncClient, headers: dict[str, str], hid: int) -> list[Any]:
    response = await client.get(f"/staff/households/{hid}/category-history", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def add_standard(region: str, kind: str, value: str, since: date) -> None:
    from app.db.session import session_scope

    async with session_scope() as session:
        session.add(
            Standard(region_code=region, kind=kind, value=Decimal(value), effective_from=since)
        )


async def test_enrol_change_exit_and_history(client: httpx.AsyncClient) -> None:
    await add_standard("510115000000", "dibao", "870", date(2022, 7, 1))
    await add_standard("510115000000", "dibao", "900", date(2027, 1, 1))
    await add_standard("510115000000", "tekun", "1131", date(2022, 7, 1))
    worker = await street(client)
    officer = await district(client)
    officer_id = await staff_id(client, officer)
    household = await create_household(client, worker)
    hid = household["id"]

    enrolled = await decide(
        client, officer, hid, action="enrol", category="dibao", monthly_amount="270.00"
    )
    assert enrolled.status_code == 200, enrolled.text
    assert enrolled.json()["category"] == "dibao"
    assert enrolled.json()["category_since"] == "2026-12-01"
    assert enrolled.json()["version"] == 2

    twice = await decide(client, officer, hid, action="enrol", category="tekun")
    assert (twice.status_code, twice.json()["code"]) == (409, "invalid_category_action")
    same = await decide(client, officer, hid, action="change", category="dibao")
    assert (same.status_code, same.json()["code"]) == (409, "invalid_category_action")

    changed = await decide(
        client, officer, hid, action="change", category="tekun", effective_date="2026-12-02"
    )
    assert changed.status_code == 200
    assert changed.json()["category"] == "tekun"

    exited = await decide(client, officer, hid, action="exit", reason="收入超过标准")
    assert exited.status_code == 200
    body = exited.json()
    assert (body["category"], body["category_since"], body["status"]) == (None, None, "exited")
    assert all(m["active"] is False for m in body["members"])
    assert body["members_count"] == 2

    rows = await history(client, worker, hid)
    assert [(r["action"], r["category"], r["previous_category"]) for r in rows] == [
        ("exit", None, "tekun"),
        ("change", "tekun", "dibao"),
        ("enrol", "dibao", None),
    ]
    enrol_row = rows[-1]
    assert enrol_row["approved_by_id"] == officer_id
    assert enrol_row["standard_value"] == "870.00"
    assert enrol_row["monthly_amount"] == "270.00"
    assert enrol_row["effective_date"] == "2026-12-01"
    assert rows[1]["standard_value"] == "1131.00"
    assert rows[0]["reason"] == "收入超过标准"

    changes = (await client.get(f"/staff/households/{hid}/changes", headers=worker)).json()
    fields = {(c["version"], c["field"]): c for c in changes["items"]}
    assert fields[(2, "category")]["new_value"] == "dibao"
    assert fields[(4, "status")]["new_value"] == "exited"
    assert {
        "household.category_enrol",
        "household.category_change",
        "household.category_exit",
    } <= set(await audit_actions(hid))
    assert (await client.get("/staff/households?status=exited", headers=worker)).json()["items"]


async def test_exit_frees_members_and_re_enrol_respects_the_rule(client: httpx.AsyncClient) -> None:
    worker = await street(client)
    officer = await district(client)
    person = id_number()
    household = await create_household(
        client, worker, members=[member(), member(id_number=person, relation="child")]
    )
    hid = household["id"]
    assert (await decide(client, officer, hid, action="exit", reason="搬离")).status_code == 200
    again = await decide(client, officer, hid, action="exit", reason="搬离")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_category_action")
    change = await decide(client, officer, hid, action="change", category="dibao")
    assert change.json()["code"] == "invalid_category_action"

    # The child now founds a household of their own.
    other = await create_household(
        client, worker, region_code=NANJIANG, members=[member(id_number=person)]
    )
    refused = await decide(client, officer, hid, action="enrol", category="dibao")
    assert (refused.status_code, refused.json()["code"]) == (409, "person_in_active_household")
    still = (await client.get(f"/staff/households/{hid}", headers=worker)).json()
    assert still["status"] == "exited" and still["version"] == 2
    assert [r["action"] for r in await history(client, worker, hid)] == ["exit"]

    await decide(client, officer, other["id"], action="exit", reason="并回原户")
    back = await decide(client, officer, hid, action="enrol", category="dibao_edge")
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "active"
    assert all(m["active"] for m in back.json()["members"])


async def test_only_district_officers_decide_and_bad_bodies(client: httpx.AsyncClient) -> None:
    worker = await street(client)
    officer = await district(client)
    household = await create_household(client, worker)
    hid = household["id"]
    for role in ("street_officer", "community_worker", "auditor", "admin"):
        headers = await login_staff(client, f"x-{role}", role, "510115001000")
        response = await decide(client, headers, hid, action="enrol", category="dibao")
        assert response.status_code == 403, role
    for body in [
        {"action": "enrol"},
        {"action": "enrol", "category": "rich"},
        {"action": "promote", "category": "dibao"},
        {"action": "exit", "category": "dibao"},
        {"action": "exit", "monthly_amount": "1.00"},
        {"action": "enrol", "category": "dibao", "effective_date": "2026-13-01"},
        {"action": "enrol", "category": "dibao", "monthly_amount": "-5"},
        {"action": "enrol", "category": "dibao", "reason": ""},
        {"action": "enrol", "category": "dibao", "approved_by_id": 1},
    ]:
        response = await decide(client, officer, hid, **body)
        assert response.status_code == 422, body
    missing = await decide(client, officer, 999999, action="enrol", category="dibao")
    assert missing.status_code == 404
    assert await count_rows(CategoryChange) == 0
    detail = (await client.get(f"/staff/households/{hid}", headers=worker)).json()
    assert detail["category"] is None and detail["version"] == 1


async def test_decision_is_idempotent_with_a_key(client: httpx.AsyncClient) -> None:
    worker = await street(client)
    officer = await district(client)
    household = await create_household(client, worker)
    keyed = {**officer, "Idempotency-Key": "enrol-1"}
    body = {
        "action": "enrol",
        "category": "dibao",
        "effective_date": "2026-12-01",
        "reason": "审批",
    }
    path = f"/staff/households/{household['id']}/category"
    first = await client.post(path, json=body, headers=keyed)
    second = await client.post(path, json=body, headers=keyed)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert await count_rows(CategoryChange) == 1


async def approve(
    client: httpx.AsyncClient, application_id: int, decision: dict[str, Any]
) -> dict[str, Any]:
    """Drive an application through accept, investigation and review to approval."""
    worker = await login_staff(client, f"w{application_id}", "street_officer", "510115001000")
    officer = await login_staff(client, f"d{application_id}", "district_officer", "510115000000")
    path = f"/staff/applications/{application_id}/transitions"
    for action in ("accept", "start_investigation", "submit_review"):
        response = await client.post(path, json={"action": action}, headers=worker)
        assert response.status_code == 200, response.text
    approved = await client.post(
        path, json={"action": "approve", "note": "同意", "decision": decision}, headers=officer
    )
    assert approved.status_code == 200, approved.text
    return dict(approved.json())


async def test_approval_creates_the_household_and_its_history(client: httpx.AsyncClient) -> None:
    resident = await login_resident(client, "applicant")
    person = id_number()
    submitted = await client.post(
        "/applications",
        json=application_body(
            subject={"name": "钱八", "id_number": person, "address": "凤溪路3号"}
        ),
        headers=resident,
    )
    application = submitted.json()
    case = await approve(
        client, application["id"], {"category": "dibao", "monthly_amount": "300.00"}
    )
    assert case["status"] == "approved"
    notes = [e["note"] for e in case["events"] if e["action"] == "approve"]
    assert len(notes) == 1 and "已纳入监测家庭" in notes[0]

    worker = await street(client, "reader")
    found = (await client.get("/staff/households", params={"q": person}, headers=worker)).json()
    assert len(found["items"]) == 1
    item = found["items"][0]
    assert item["category"] == "dibao" and item["head"]["name"] == "钱八"
    assert item["category_since"] == local_today().isoformat()
    detail = (await client.get(f"/staff/households/{item['id']}", headers=worker)).json()
    assert detail["application_id"] == application["id"]
    assert detail["address"] == "凤溪路3号" and detail["members_count"] == 1
    rows = await history(client, worker, item["id"])
    assert len(rows) == 1
    assert rows[0]["application_id"] == application["id"]
    assert rows[0]["action"] == "enrol" and rows[0]["monthly_amount"] == "300.00"
    assert rows[0]["approved_by_id"] is not None


async def test_approval_changes_the_category_of_an_existing_household(
    client: httpx.AsyncClient,
) -> None:
    worker = await street(client)
    officer = await district(client)
    person = id_number()
    household = await create_household(
        client, worker, members=[member(), member(id_number=person, relation="spouse")]
    )
    await decide(client, officer, household["id"], action="enrol", category="dibao_edge")
    resident = await login_resident(client, "spouse")
    submitted = await client.post(
        "/applications",
        json=application_body(subject={"name": "李小花", "id_number": person}),
        headers=resident,
    )
    await approve(client, submitted.json()["id"], {"category": "dibao", "monthly_amount": "200.00"})
    assert await count_rows(Household) == 1
    rows = await history(client, worker, household["id"])
    assert [(r["action"], r["category"], r["previous_category"]) for r in rows] == [
        ("change", "dibao", "dibao_edge"),
        ("enrol", "dibao_edge", None),
    ]
    assert rows[0]["application_id"] == submitted.json()["id"]
    detail = (await client.get(f"/staff/households/{household['id']}", headers=worker)).json()
    assert detail["category"] == "dibao" and detail["application_id"] == submitted.json()["id"]


async def test_approval_without_an_id_number_notes_it_and_still_approves(
    client: httpx.AsyncClient,
) -> None:
    resident = await login_resident(client, "neighbour")
    submitted = await client.post(
        "/applications",
        json=application_body(relation="neighbor", subject={"id_number": None}),
        headers=resident,
    )
    assert submitted.status_code == 201, submitted.text
    case = await approve(client, submitted.json()["id"], {"category": "tekun"})
    assert case["status"] == "approved"
    notes = [e["note"] for e in case["events"] if e["action"] == "approve"]
    assert len(notes) == 1 and "身份证号" in notes[0]
    assert await count_rows(Household) == 0
    timeline = (
        await client.get(f"/applications/{submitted.json()['id']}", headers=resident)
    ).json()
    assert all("身份证号" not in t["note"] for t in timeline["timeline"])


async def test_registry_rows_are_linked_to_the_application(client: httpx.AsyncClient) -> None:
    from app.db.session import session_scope

    resident = await login_resident(client, "linker")
    submitted = await client.post("/applications", json=application_body(), headers=resident)
    await approve(client, submitted.json()["id"], {"category": "other_special"})
    async with session_scope() as session:
        change = await session.scalar(select(CategoryChange))
        household = await session.scalar(select(Household))
    assert change is not None and household is not None
    assert change.application_id == household.application_id == submitted.json()["id"]
    assert household.category == "other_special"
    assert household_body()["region_code"] == household.region_code
