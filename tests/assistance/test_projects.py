from __future__ import annotations

import httpx

from tests.assistance.support import (
    DISTRICT,
    GONGPING,
    GUANGHUA,
    LIUCHENG,
    district,
    organization,
    project,
    station,
)
from tests.helpers import login_staff


async def test_organizations_and_projects(client: httpx.AsyncClient) -> None:
    officer = await district(client)
    org = await organization(client, officer)
    assert org["api_key"] and org["agency_id"]
    again = await client.get(f"/staff/organizations/{org['id']}", headers=officer)
    assert again.status_code == 200 and "api_key" not in again.json()
    made = await project(client, officer, org["id"], target_categories=["dibao", "tekun"])
    assert set(made) >= {
        "id",
        "name",
        "organization_id",
        "service_types",
        "target_categories",
        "target_groups",
        "region_code",
        "capacity",
        "in_use",
        "starts_on",
        "ends_on",
    }
    assert made["service_types"] == ["child_care", "tutoring"]
    assert made["target_categories"] == ["dibao", "tekun"]
    assert made["in_use"] == 0 and made["ends_on"] is None

    listed = await client.get(
        "/staff/projects", params={"service_type": "tutoring"}, headers=officer
    )
    assert [p["id"] for p in listed.json()["items"]] == [made["id"]]
    none = await client.get(
        "/staff/projects", params={"service_type": "legal_aid"}, headers=officer
    )
    assert none.json()["items"] == []

    changed = await client.patch(
        f"/staff/projects/{made['id']}", json={"capacity": 3, "version": 1}, headers=officer
    )
    assert changed.status_code == 200 and changed.json()["capacity"] == 3
    stale = await client.patch(
        f"/staff/projects/{made['id']}", json={"capacity": 4, "version": 1}, headers=officer
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"

    # A street's station sees the district's projects (they serve its area) and makes its own.
    liucheng = await station(client)
    seen = await client.get(f"/staff/projects/{made['id']}", headers=liucheng)
    assert seen.status_code == 200
    own_org = await organization(
        client,
        liucheng,
        name="柳城社工站",
        region_code=LIUCHENG,
        kind="social_work_station",
        issue_key=False,
    )
    assert own_org["api_key"] is None
    own = await project(client, liucheng, own_org["id"], region_code=GUANGHUA)
    # ... which another street does not see, nor may write in.
    gongping = await login_staff(client, "gp_station", "social_worker", GONGPING)
    hidden = await client.get(f"/staff/projects/{own['id']}", headers=gongping)
    assert hidden.status_code == 404 and hidden.json()["code"] == "project_not_found"
    outside = await client.post(
        "/staff/projects",
        json={
            "organization_id": org["id"],
            "name": "越界项目",
            "service_types": ["legal_aid"],
            "region_code": GUANGHUA,
            "capacity": 1,
            "starts_on": "2026-01-01",
        },
        headers=gongping,
    )
    assert outside.status_code == 403 and outside.json()["code"] == "outside_jurisdiction"
    worker = await login_staff(client, "gh_worker", "community_worker", GUANGHUA)
    denied = await client.post(
        "/staff/organizations",
        json={"name": "某组织", "kind": "other", "region_code": GUANGHUA},
        headers=worker,
    )
    assert denied.status_code == 403 and denied.json()["code"] == "scope_denied"
    assert DISTRICT


async def test_bad_input_and_idempotency(client: httpx.AsyncClient) -> None:
    officer = await district(client)
    org = await organization(client, officer, issue_key=False)
    base = {
        "organization_id": org["id"],
        "name": "法律援助进社区",
        "service_types": ["legal_aid"],
        "region_code": DISTRICT,
        "capacity": 5,
        "starts_on": "2026-01-01",
    }
    for bad in (
        {"service_types": ["astrology"]},
        {"capacity": 0},
        {"ends_on": "2025-01-01"},
        {"status": "open"},
        {"target_groups": ["vip"]},
        {"region_code": "12"},
    ):
        response = await client.post("/staff/projects", json={**base, **bad}, headers=officer)
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["code"]
    missing = await client.post(
        "/staff/projects", json={**base, "organization_id": 99999}, headers=officer
    )
    assert missing.status_code == 404 and missing.json()["code"] == "organization_not_found"
    headers = {**officer, "Idempotency-Key": "p-1"}
    first = await client.post("/staff/projects", json=base, headers=headers)
    second = await client.post("/staff/projects", json=base, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    other = await client.post("/staff/projects", json={**base, "capacity": 6}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_mismatch"
    listed = await client.get("/staff/projects", headers=officer)
    assert len(listed.json()["items"]) == 1


async def test_organization_keys(client: httpx.AsyncClient) -> None:
    """A plain agency is no organization (403); a new key for an organization ends the old."""
    from app.accounts.service import create_agency
    from app.db.session import session_scope

    async with session_scope() as session:
        agency, plain_key = await create_agency(session, name="数据报送机构", region_code=DISTRICT)
    plain = await client.get("/agency/referrals", headers={"X-API-Key": plain_key})
    assert plain.status_code == 403 and plain.json()["code"] == "not_an_organization"
    officer = await district(client)
    linked = await organization(client, officer, agency_id=agency.id, issue_key=False)
    assert linked["agency_id"] == agency.id and linked["api_key"] is None
    now_ok = await client.get("/agency/referrals", headers={"X-API-Key": plain_key})
    assert now_ok.status_code == 200
    taken = await client.post(
        "/staff/organizations",
        json={"name": "重复关联", "kind": "other", "region_code": DISTRICT, "agency_id": agency.id},
        headers=officer,
    )
    assert taken.status_code == 409 and taken.json()["code"] == "agency_already_linked"
    issued = await client.post(f"/staff/organizations/{linked['id']}/key", headers=officer)
    assert issued.status_code == 200 and issued.json()["agency_id"] == agency.id
    old = await client.get("/agency/referrals", headers={"X-API-Key": plain_key})
    assert old.status_code == 401
    new = await client.get("/agency/referrals", headers={"X-API-Key": issued.json()["api_key"]})
    assert new.status_code == 200
    audit = await client.get(
        "/staff/audit", params={"record_type": "organization"}, headers=officer
    )
    assert {"organization.created", "organization.key_issued"} <= {
        e["action"] for e in audit.json()["items"]
    }
