from __future__ import annotations

import httpx

from tests.assistance.support import (
    GONGPING_COMMUNITY,
    GUANGHUA,
    LIUCHENG,
    district,
    household,
    matches,
    need,
    organization,
    project,
    station,
)
from tests.helpers import login_staff, staff_id


async def test_from_need_to_services_in_the_ledger(client: httpx.AsyncClient) -> None:
    officer = await district(client)
    org = await organization(client, officer)
    agency = {"X-API-Key": org["api_key"]}
    other_org = await organization(client, officer, name="另一家社会组织")
    other = {"X-API-Key": other_org["api_key"]}
    care = await project(client, officer, org["id"], name="儿童关爱", capacity=2)
    await project(
        client,
        officer,
        other_org["id"],
        name="另一项目",
        region_code=LIUCHENG,
        service_types=["legal_aid"],
    )

    worker = await login_staff(client, "gh_worker", "community_worker", GUANGHUA)
    worker_id = await staff_id(client, worker)
    home = await household()
    made = await need(client, worker, home)
    found = await matches(client, worker, home)
    assert found[0]["project_id"] == care["id"] and found[0]["need_id"] == made["id"]

    plan_body = {
        "household_id": home,
        "goals": ["孩子课后有人照看", "学业跟上"],
        "need_ids": [made["id"]],
        "project_ids": [care["id"]],
        "responsible_id": worker_id,
        "review_on": "2099-01-01",
    }
    too_far = await client.post("/staff/service-plans", json=plan_body, headers=worker)
    assert too_far.status_code == 422 and too_far.json()["code"] == "invalid_review_date"
    from app.kit.timeutil import local_today

    review = local_today().replace(day=1).isoformat()[:8] + "28"
    plan_body["review_on"] = (
        review if review >= local_today().isoformat() else local_today().isoformat()
    )
    headers = {**worker, "Idempotency-Key": "plan-1"}
    created = await client.post("/staff/service-plans", json=plan_body, headers=headers)
    assert created.status_code == 201, created.text
    replay = await client.post("/staff/service-plans", json=plan_body, headers=headers)
    assert replay.json()["id"] == created.json()["id"]
    plan = created.json()
    assert plan["status"] == "draft" and plan["version"] == 1 and len(plan["versions"]) == 1
    # A community worker may not approve; the station may.
    denied = await client.post(
        f"/staff/service-plans/{plan['id']}/approve", json={"version": 1}, headers=worker
    )
    assert denied.status_code == 403
    revised = await client.put(
        f"/staff/service-plans/{plan['id']}",
        json={
            **{k: v for k, v in plan_body.items() if k != "household_id"},
            "goals": ["孩子课后有人照看"],
            "version": 1,
        },
        headers=worker,
    )
    assert revised.status_code == 200 and revised.json()["version"] == 2
    assert [v["version"] for v in revised.json()["versions"]] == [2, 1]
    liucheng = await station(client)
    stale = await client.post(
        f"/staff/service-plans/{plan['id']}/approve", json={"version": 1}, headers=liucheng
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    approved = await client.post(
        f"/staff/service-plans/{plan['id']}/approve", json={"version": 2}, headers=liucheng
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["versions"][0]["approved_by_id"] is not None

    sent = await client.post(
        "/staff/referrals",
        json={
            "household_id": home,
            "project_id": care["id"],
            "need_id": made["id"],
            "plan_id": plan["id"],
            "note": "请尽快联系",
        },
        headers={**worker, "Idempotency-Key": "ref-1"},
    )
    assert sent.status_code == 201, sent.text
    referral = sent.json()
    assert referral["status"] == "sent" and referral["responsible_id"] == worker_id

    # Only the organization the project belongs to sees the referral.
    assert (await client.get("/agency/referrals", headers=other)).json()["items"] == []
    hidden = await client.get(f"/agency/referrals/{referral['id']}", headers=other)
    assert hidden.status_code == 404 and hidden.json()["code"] == "referral_not_found"
    stolen = await client.post(f"/agency/referrals/{referral['id']}/accept", headers=other)
    assert stolen.status_code == 404
    assert (await client.get("/agency/referrals")).status_code == 401
    bad_key = await client.get("/agency/referrals", headers={"X-API-Key": "jzk_nope"})
    assert bad_key.status_code == 401
    mine = (await client.get("/agency/referrals", headers=agency)).json()["items"]
    assert [r["id"] for r in mine] == [referral["id"]]
    assert mine[0]["household"]["region_code"] == GUANGHUA
    assert mine[0]["service_type"] == "child_care" and "id_number" not in str(mine[0])

    accepted = await client.post(f"/agency/referrals/{referral['id']}/accept", headers=agency)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = await client.post(f"/agency/referrals/{referral['id']}/accept", headers=agency)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    in_use = await client.get(f"/staff/projects/{care['id']}", headers=officer)
    assert in_use.json()["in_use"] == 1
    inbox = await client.get("/staff/notifications", headers=worker)
    assert "转介已被服务组织接收" in [n["title"] for n in inbox.json()["items"]]

    today = local_today().isoformat()
    service_body = {
        "date": today,
        "hours": "2.5",
        "what": "课后陪伴与作业辅导",
        "volunteers": [{"name": "志愿者甲", "hours": "2.5"}],
    }
    key = {**agency, "Idempotency-Key": "svc-1"}
    first = await client.post(
        f"/agency/referrals/{referral['id']}/services", json=service_body, headers=key
    )
    assert first.status_code == 201, first.text
    replayed = await client.post(
        f"/agency/referrals/{referral['id']}/services", json=service_body, headers=key
    )
    assert replayed.json()["id"] == first.json()["id"]
    future = await client.post(
        f"/agency/referrals/{referral['id']}/services",
        json={**service_body, "date": "2099-01-01"},
        headers=agency,
    )
    assert future.status_code == 422 and future.json()["code"] == "service_before_referral"
    for bad in ({"hours": "0"}, {"hours": "25"}, {"what": ""}, {"extra": 1}):
        response = await client.post(
            f"/agency/referrals/{referral['id']}/services",
            json={**service_body, **bad},
            headers=agency,
        )
        assert response.status_code == 422, bad

    ledger = await client.get(f"/staff/households/{home}/ledger", headers=worker)
    entries = ledger.json()["items"]
    assert len(entries) == 1
    assert entries[0]["kind"] == "service" and entries[0]["giver"] == org["name"]
    assert entries[0]["quantity"] == "2.50" and "课后陪伴" in entries[0]["note"]
    bank = await client.get(f"/staff/projects/{care['id']}/time-bank", headers=officer)
    assert bank.json() == [{"volunteer": "志愿者甲", "hours": "2.50", "services": 1}]

    done = await client.post(
        f"/agency/referrals/{referral['id']}/complete",
        json={"outcome": "resolved", "note": "已安排固定志愿者"},
        headers=agency,
    )
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert done.json()["first_service_on"] == today and done.json()["hours_total"] == "2.50"
    needs = await client.get(f"/staff/households/{home}/needs", headers=worker)
    assert needs.json()["items"][0]["status"] == "met"
    assert (await client.get(f"/staff/projects/{care['id']}", headers=officer)).json()[
        "in_use"
    ] == 0
    staff_view = await client.get(f"/staff/referrals/{referral['id']}", headers=worker)
    assert staff_view.status_code == 200 and len(staff_view.json()["services"]) == 1

    stats = await client.get("/staff/assistance/stats", headers=officer)
    assert stats.status_code == 200, stats.text
    figures = stats.json()
    assert figures["needs"] == {"open": 0, "met": 1, "closed": 0}
    assert figures["referrals"]["completed"] == 1 and figures["acceptance_rate"] == 1.0
    assert figures["median_days_to_first_service"] == 0
    assert figures["hours_by_project"][0]["hours"] == "2.50"

    # Staff of another street: the same 404 as everywhere.
    far = await login_staff(client, "gp_worker", "community_worker", GONGPING_COMMUNITY)
    assert (await client.get(f"/staff/referrals/{referral['id']}", headers=far)).status_code == 404
    assert (await client.get(f"/staff/service-plans/{plan['id']}", headers=far)).status_code == 404
    assert (await client.get("/staff/referrals", headers=far)).json()["items"] == []
    far_stats = (await client.get("/staff/assistance/stats", headers=far)).json()
    assert far_stats["needs"] == {"open": 0, "met": 0, "closed": 0}
    sneaky = await client.post(
        "/staff/referrals", json={"household_id": home, "project_id": care["id"]}, headers=far
    )
    assert sneaky.status_code == 404 and sneaky.json()["code"] == "household_not_found"


async def test_full_project_declines_and_refusals(client: httpx.AsyncClient) -> None:
    officer = await district(client)
    org = await organization(client, officer)
    agency = {"X-API-Key": org["api_key"]}
    one = await project(client, officer, org["id"], name="仅一个名额", capacity=1)
    legal = await project(client, officer, org["id"], name="法律援助", service_types=["legal_aid"])
    first, second = await household(), await household()
    need1 = await need(client, officer, first)
    need2 = await need(client, officer, second)
    refs = []
    for home, made in ((first, need1), (second, need2)):
        response = await client.post(
            "/staff/referrals",
            json={"household_id": home, "project_id": one["id"], "need_id": made["id"]},
            headers=officer,
        )
        assert response.status_code == 201
        refs.append(response.json()["id"])
    mismatch = await client.post(
        "/staff/referrals",
        json={"household_id": first, "project_id": legal["id"], "need_id": need1["id"]},
        headers=officer,
    )
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "service_type_mismatch"
    assert (
        await client.post(f"/agency/referrals/{refs[0]}/accept", headers=agency)
    ).status_code == 200
    full = await client.post(f"/agency/referrals/{refs[1]}/accept", headers=agency)
    assert full.status_code == 409 and full.json()["code"] == "project_full"
    # The full project is never proposed, and a new referral to it is refused.
    assert one["id"] not in {m["project_id"] for m in await matches(client, officer, second)}
    refused = await client.post(
        "/staff/referrals", json={"household_id": second, "project_id": one["id"]}, headers=officer
    )
    assert refused.status_code == 409 and refused.json()["code"] == "project_full"
    no_reason = await client.post(f"/agency/referrals/{refs[1]}/decline", json={}, headers=agency)
    assert no_reason.status_code == 422
    declined = await client.post(
        f"/agency/referrals/{refs[1]}/decline",
        json={"reason": "名额已满，建议转其他项目"},
        headers=agency,
    )
    assert declined.status_code == 200 and declined.json()["decline_reason"]
    stats = (await client.get("/staff/assistance/stats", headers=officer)).json()
    assert stats["referrals"]["declined"] == 1 and stats["acceptance_rate"] == 0.5
    assert stats["needs"]["open"] == 2
