"""Warnings through HTTP: the queue by jurisdiction, the life cycle with its roles, disposal by
each route, discovery routed to a community, and the rules as district officers tune them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from app.db.session import session_scope
from app.kit.timeutil import local_today
from app.monitoring.warnings.scans import full_scan
from tests.helpers import id_number, login_staff, staff_id
from tests.households.builders import Person
from tests.households.builders import insert_household as create_household
from tests.monitoring.signals import add_signal

WENJIANG = "510115000000"
LIUCHENG = "510115001000"
GUANGHUA = "510115001001"
GONGPING = "510115002000"
GONGPING_COMMUNITY = "510115002001"


async def scan() -> int:
    async with session_scope() as session:
        return (await full_scan(session)).warnings_opened


async def warnings(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await client.get("/staff/warnings", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _unemployed_household(region: str = GUANGHUA) -> tuple[int, str]:
    number = id_number(date(1985, 3, 1))
    household = await create_household(
        region, [Person("王五", date(1985, 3, 1), "0.00", id_number=number)], category="dibao"
    )
    await add_signal("unemployment", number, local_today() - timedelta(days=5), name="王五")
    return household, number


async def test_life_cycle_with_roles_and_jurisdiction(client: httpx.AsyncClient) -> None:
    household, _ = await _unemployed_household()
    assert await scan() == 1
    assert await scan() == 0  # never opened twice

    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    other_street = await login_staff(client, "gongping1", "street_officer", GONGPING)
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    outsider = await login_staff(client, "gongping_worker", "community_worker", GONGPING_COMMUNITY)
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    auditor = await login_staff(client, "auditor1", "auditor", WENJIANG)
    admin = await login_staff(client, "admin1", "admin", WENJIANG)

    [item] = await warnings(client, street)
    assert item["rule"] == "need_unemployment" and item["level"] == "yellow"
    assert item["status"] == "open" and item["household_id"] == household
    assert item["person"]["name"] == "王五"
    assert item["person"]["id_number_masked"].count("*") == 8
    assert item["region_code"] == GUANGHUA and item["due_at"] is None
    assert await warnings(client, other_street) == []
    assert (await client.get("/staff/warnings", headers=admin)).status_code == 403
    assert len(await warnings(client, auditor)) == 1
    warning_id = item["id"]
    url = f"/staff/warnings/{warning_id}"
    assert (await client.get(url, headers=other_street)).status_code == 404

    detail = (await client.get(url, headers=street)).json()
    [evidence] = detail["evidence"]
    assert evidence["source"] == "unemployment" and evidence["field"] == "registered_on"
    assert evidence["threshold"] == "90天内" and evidence["import_id"] is not None
    assert [h["action"] for h in detail["history"]] == ["open"]

    worker_id = await staff_id(client, worker)
    outsider_id = await staff_id(client, outsider)
    # Verifying before dispatch, and resolving before verification, are out of order.
    early = await client.post(
        f"{url}/verify", json={"outcome": "confirmed", "findings": "x"}, headers=worker
    )
    assert early.status_code == 409 and early.json()["code"] == "invalid_transition"
    # A worker cannot dispatch; an assignee outside the warning's area is refused.
    denied = await client.post(f"{url}/dispatch", json={"assignee_id": worker_id}, headers=worker)
    assert denied.status_code == 403
    wrong = await client.post(f"{url}/dispatch", json={"assignee_id": outsider_id}, headers=street)
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid_assignee"
    sent = await client.post(
        f"{url}/dispatch", json={"assignee_id": worker_id, "note": "请入户核实"}, headers=street
    )
    assert sent.status_code == 200, sent.text
    body = sent.json()
    assert body["status"] == "dispatched" and body["assignee_id"] == worker_id
    assert body["due_at"] is not None and body["overdue"] is False

    # Only the assignee verifies.
    other_worker = await login_staff(client, "guanghua2", "community_worker", GUANGHUA)
    not_mine = await client.post(
        f"{url}/verify", json={"outcome": "confirmed", "findings": "x"}, headers=other_worker
    )
    assert not_mine.status_code == 403 and not_mine.json()["code"] == "not_assignee"
    verified = await client.post(
        f"{url}/verify",
        json={"outcome": "confirmed", "findings": "入户核实：确已失业三个月"},
        headers=worker,
    )
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    # Confirmed: the household's next visit comes forward (yellow: within 14 days).
    soon = (local_today() + timedelta(days=14)).isoformat()
    due = await client.get("/staff/visits/due", params={"until": soon}, headers=street)
    assert due.status_code == 200, due.text
    assert household in [v["household_id"] for v in due.json()["items"]]

    # Street officers do not decide the disposal; district officers do.
    refused = await client.post(
        f"{url}/resolve", json={"route": "close", "note": "x"}, headers=street
    )
    assert refused.status_code == 403
    missing = await client.post(
        f"{url}/resolve", json={"route": "push_department", "note": "已转"}, headers=district
    )
    assert missing.status_code == 422
    resolved = await client.post(
        f"{url}/resolve",
        json={"route": "push_department", "department": "区人社局", "note": "已转就业援助"},
        headers=district,
    )
    assert resolved.status_code == 200, resolved.text
    done = resolved.json()
    assert done["status"] == "resolved" and done["route"] == "push_department"
    assert done["resolution"] == {"department": "区人社局"}
    assert [h["action"] for h in done["history"]] == ["open", "dispatch", "verify", "resolve"]
    again = await client.post(
        f"{url}/resolve", json={"route": "close", "note": "x"}, headers=district
    )
    assert again.status_code == 409

    audit = await client.get(
        "/staff/audit",
        params={"record_type": "warning", "record_id": str(warning_id)},
        headers=district,
    )
    actions = sorted(e["action"] for e in audit.json()["items"])
    assert actions == ["warning.dispatch", "warning.resolve", "warning.verify"]
    # Resolved on the same evidence: a new scan does not open it again.
    assert await scan() == 0


async def test_false_alarm_closes_and_only_new_evidence_reopens(client: httpx.AsyncClient) -> None:
    _, number = await _unemployed_household()
    await scan()
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    [item] = await warnings(client, street)
    url = f"/staff/warnings/{item['id']}"
    me = await staff_id(client, street)
    await client.post(f"{url}/dispatch", json={"assignee_id": me}, headers=street)
    closed = await client.post(
        f"{url}/verify", json={"outcome": "false_alarm", "findings": "已再就业"}, headers=street
    )
    assert closed.json()["status"] == "closed" and closed.json()["outcome"] == "false_alarm"
    assert await scan() == 0
    await add_signal("unemployment", number, local_today() - timedelta(days=1))
    assert await scan() == 1
    statuses = sorted(w["status"] for w in await warnings(client, street))
    assert statuses == ["closed", "open"]
    assert [w["status"] for w in await warnings(client, street, status="open")] == ["open"]


async def test_discovery_routed_to_the_community_of_the_address(
    client: httpx.AsyncClient,
) -> None:
    today = local_today()
    number = id_number(date(1970, 1, 1))
    await add_signal(
        "medical",
        number,
        today - timedelta(days=10),
        amount="9000.00",
        name="赵六",
        region_code=GONGPING_COMMUNITY,
    )
    await add_signal(
        "medical",
        number,
        today - timedelta(days=40),
        amount="6000.01",
        name="赵六",
        region_code=GONGPING_COMMUNITY,
    )
    no_address = id_number(date(1971, 1, 1))
    await add_signal("disability", no_address, today - timedelta(days=3), quantity=1, name="钱七")
    await scan()
    community = await login_staff(client, "gongping_worker", "community_worker", GONGPING_COMMUNITY)
    [found] = await warnings(client, community)
    assert found["rule"] == "discovery_large_medical" and found["household_id"] is None
    assert found["region_code"] == GONGPING_COMMUNITY and found["person"]["name"] == "赵六"
    assert "15000.01" in found["summary"]
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    assert await warnings(client, street) == []
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    routed = {w["rule"]: w["region_code"] for w in await warnings(client, district)}
    assert routed == {
        "discovery_large_medical": GONGPING_COMMUNITY,
        "discovery_severe_disability": WENJIANG,
    }


async def _verified(client: httpx.AsyncClient, district: dict[str, str]) -> str:
    [item] = await warnings(client, district)
    url = f"/staff/warnings/{item['id']}"
    me = await staff_id(client, district)
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    worker_id = await staff_id(client, worker)
    assert (
        await client.post(f"{url}/dispatch", json={"assignee_id": worker_id}, headers=district)
    ).status_code == 200
    ok = await client.post(
        f"{url}/verify", json={"outcome": "confirmed", "findings": "属实"}, headers=worker
    )
    assert ok.status_code == 200 and me
    return url


async def test_deliver_policy_opens_an_application_or_pays_emergency_aid(
    client: httpx.AsyncClient,
) -> None:
    household, _ = await _unemployed_household()
    await scan()
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    url = await _verified(client, district)
    no_consent = await client.post(
        f"{url}/resolve",
        json={
            "route": "deliver_policy",
            "delivery": "application",
            "note": "代为申请",
            "help_types": ["employment"],
        },
        headers=district,
    )
    assert no_consent.status_code == 422
    body = {
        "route": "deliver_policy",
        "delivery": "application",
        "note": "代为申请就业救助",
        "help_types": ["employment", "basic_living"],
        "consent": True,
    }
    headers = {**district, "Idempotency-Key": "resolve-1"}
    first = await client.post(f"{url}/resolve", json=body, headers=headers)
    assert first.status_code == 200, first.text
    application_id = first.json()["resolution"]["application_id"]
    replay = await client.post(f"{url}/resolve", json=body, headers=headers)
    assert replay.json()["resolution"]["application_id"] == application_id
    case = (await client.get(f"/staff/applications/{application_id}", headers=district)).json()
    assert case["status"] == "submitted" and case["subject"]["name"] == "王五"
    assert case["subject"]["region_code"] == GUANGHUA

    # Another warning, settled by emergency aid paid first, lands in the ledger.
    number = id_number(date(1960, 1, 1))
    other = await create_household(
        GUANGHUA, [Person("孙八", date(1960, 1, 1), "0.00", id_number=number)], category="dibao"
    )
    await add_signal("housing_safety", number, local_today() - timedelta(days=2), flag="D")
    await scan()
    [item] = await warnings(client, district, status="open", household_id=other)
    url = f"/staff/warnings/{item['id']}"
    worker = await login_staff(client, "guanghua3", "community_worker", GUANGHUA)
    await client.post(
        f"{url}/dispatch", json={"assignee_id": await staff_id(client, worker)}, headers=district
    )
    await client.post(
        f"{url}/verify", json={"outcome": "confirmed", "findings": "危房"}, headers=worker
    )
    paid = await client.post(
        f"{url}/resolve",
        json={
            "route": "deliver_policy",
            "delivery": "emergency_aid",
            "amount": "2000.00",
            "note": "临时安置",
        },
        headers=district,
    )
    assert paid.status_code == 200, paid.text
    ledger = (await client.get(f"/staff/households/{other}/ledger", headers=district)).json()
    [entry] = ledger["items"]
    assert entry["kind"] == "temporary_aid" and entry["amount"] == "2000.00"
    assert entry["decision_ref"] == f"W{item['id']}"
    assert household != other

    summary = (await client.get("/staff/warnings/summary", headers=district)).json()
    assert summary["by_status"] == {"resolved": 2}
    assert summary["resolved"] == 2 and summary["hours_signal_to_resolution"] is not None


async def test_rules_listed_tuned_and_disabled(client: httpx.AsyncClient) -> None:
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    rules = (await client.get("/staff/warning-rules", headers=district)).json()
    assert len(rules) >= 15
    assert {r["class"] for r in rules} == {"discovery", "need", "exit", "policy"}
    medical = next(r for r in rules if r["code"] == "need_medical_spending")
    assert medical["params"]["dibao_amount"] == "5000.00" and medical["enabled"] is True

    url = "/staff/warning-rules/need_medical_spending"
    assert (await client.patch(url, json={"enabled": False}, headers=street)).status_code == 403
    unknown = await client.patch(url, json={"params": {"nonsense": 1}}, headers=district)
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid_rule_params"
    ill_typed = await client.patch(url, json={"params": {"months": "twelve"}}, headers=district)
    assert ill_typed.status_code == 422
    too_big = await client.patch(url, json={"params": {"months": 99}}, headers=district)
    assert too_big.status_code == 422
    missing = await client.patch("/staff/warning-rules/nope", json={}, headers=district)
    assert missing.status_code == 404

    number = id_number(date(1975, 1, 1))
    await create_household(
        GUANGHUA,
        [Person("周九", date(1975, 1, 1), "1000.00", id_number=number)],
        category="dibao",
    )
    await add_signal("medical", number, local_today() - timedelta(days=20), amount="4000.00")
    for rule in rules:  # only this rule runs
        if rule["code"] != "need_medical_spending":
            await client.patch(
                f"/staff/warning-rules/{rule['code']}", json={"enabled": False}, headers=district
            )
    await client.patch(url, json={"params": {"income_share": None}}, headers=district)
    assert await scan() == 0  # 4,000 is under the dibao amount of 5,000
    tuned = await client.patch(
        url, json={"params": {"dibao_amount": "3500.00"}, "level": "red"}, headers=district
    )
    assert tuned.status_code == 200, tuned.text
    assert tuned.json()["params"]["dibao_amount"] == "3500.00"
    assert tuned.json()["params"]["months"] == 12 and tuned.json()["level"] == "red"
    await client.patch(url, json={"enabled": False}, headers=district)
    assert await scan() == 0  # disabled: nothing
    await client.patch(url, json={"enabled": True}, headers=district)
    assert await scan() == 1
    [item] = await warnings(client, district)
    assert item["level"] == "red"
    audit = await client.get(
        "/staff/audit",
        params={"record_type": "warning_rule", "record_id": "need_medical_spending"},
        headers=district,
    )
    assert len(audit.json()["items"]) == 4


async def test_overdue_verification_stands_out(client: httpx.AsyncClient) -> None:
    from sqlalchemy import update

    from app.kit.timeutil import now
    from app.models.warning import EarlyWarning

    await _unemployed_household()
    number = id_number(date(1950, 1, 1))
    await create_household(
        GUANGHUA, [Person("冯二", date(1950, 1, 1), id_number=number)], category="tekun"
    )
    await add_signal("housing_safety", number, local_today() - timedelta(days=2), flag="C")
    await scan()
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    me = await staff_id(client, street)
    items = await warnings(client, street)
    due = {}
    for item in items:
        sent = await client.post(
            f"/staff/warnings/{item['id']}/dispatch", json={"assignee_id": me}, headers=street
        )
        due[item["level"]] = sent.json()
    # Due by level: orange 3 days, yellow 7 days from dispatch.
    for level, hours in (("orange", 72), ("yellow", 168)):
        body = due[level]
        from datetime import datetime

        gap = datetime.fromisoformat(body["due_at"]) - datetime.fromisoformat(
            body["history"][-1]["at"]
        )
        assert abs(gap.total_seconds() - hours * 3600) < 5, (level, gap)
    late = due["orange"]["id"]
    async with session_scope() as session:
        await session.execute(
            update(EarlyWarning)
            .where(EarlyWarning.id == late)
            .values(due_at=now() - timedelta(hours=1))
        )
    overdue = await warnings(client, street, overdue="true")
    assert [w["id"] for w in overdue] == [late] and overdue[0]["overdue"] is True
    summary = (await client.get("/staff/warnings/summary", headers=street)).json()
    assert summary["overdue"] == 1
    assert summary["open_by_level"] == {"orange": 1, "yellow": 1}
    assert summary["open_by_rule"] == {"need_housing_unsafe": 1, "need_unemployment": 1}
    assert summary["open_by_region"] == {GUANGHUA: 2}


async def test_a_scan_requested_over_http_runs_as_a_job(client: httpx.AsyncClient) -> None:
    from app.jobs.runner import Runner
    from app.tasks import HANDLERS

    await _unemployed_household()
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    assert (await client.post("/staff/scans", headers=street)).status_code == 403
    headers = {**district, "Idempotency-Key": "scan-1"}
    queued = await client.post("/staff/scans", headers=headers)
    assert queued.status_code == 202, queued.text
    scan_id = queued.json()["id"]
    again = await client.post("/staff/scans", headers=headers)
    assert again.status_code == 202 and again.json()["id"] == scan_id
    before = (await client.get(f"/staff/scans/{scan_id}", headers=district)).json()
    assert before["status"] == "queued" and before["warnings_opened"] == 0
    assert await warnings(client, district) == []

    assert await Runner(HANDLERS).run_due() == 1
    done = (await client.get(f"/staff/scans/{scan_id}", headers=district)).json()
    assert done["status"] == "done" and done["warnings_opened"] == 1
    assert done["opened_by_rule"] == {"need_unemployment": 1}
    assert [w["rule"] for w in await warnings(client, district)] == ["need_unemployment"]
    missing = await client.get("/staff/scans/999999", headers=district)
    assert missing.status_code == 404
