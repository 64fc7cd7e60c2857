"""What the console reads to build its menu and its pickers: the role's scopes in /me, and the
active case-working staff of the caller's jurisdiction."""

from __future__ import annotations

import httpx

from app.accounts.scopes import ROLE_SCOPES, Role
from tests.helpers import login_resident, login_staff, staff_id

DISTRICT = "510115000000"
LIUCHENG = "510115001000"
GUANGHUA = "510115001001"
NANJIANG = "510115001002"
GONGPING = "510115002001"


async def test_me_lists_the_roles_scopes(client: httpx.AsyncClient) -> None:
    worker = await login_staff(client, "w_me", "community_worker", GUANGHUA)
    me = (await client.get("/me", headers=worker)).json()
    assert me["scopes"] == sorted(s.value for s in ROLE_SCOPES[Role.community_worker])
    assert "warnings:verify" in me["scopes"] and "warnings:dispatch" not in me["scopes"]
    admin = await login_staff(client, "a_me", "admin", DISTRICT)
    assert "accounts:admin" in (await client.get("/me", headers=admin)).json()["scopes"]
    resident = await login_resident(client, "me-resident")
    assert (await client.get("/me", headers=resident)).json()["scopes"] == []


async def test_colleagues_in_the_jurisdiction(client: httpx.AsyncClient) -> None:
    street = await login_staff(client, "street_c", "street_officer", LIUCHENG)
    guanghua = await login_staff(client, "gh_c", "community_worker", GUANGHUA)
    await login_staff(client, "nj_c", "community_worker", NANJIANG)
    await login_staff(client, "gp_c", "community_worker", GONGPING)
    await login_staff(client, "admin_c", "admin", LIUCHENG)
    disabled = await login_staff(client, "gone_c", "community_worker", GUANGHUA)
    gone_id = await staff_id(client, disabled)
    admin = await login_staff(client, "district_admin_c", "admin", DISTRICT)
    off = await client.patch(f"/admin/staff/{gone_id}", json={"active": False}, headers=admin)
    assert off.status_code == 200, off.text

    seen = (await client.get("/staff/colleagues", headers=street)).json()["items"]
    # Active case-working staff of 柳城 only: no admin, nobody disabled, nobody of 公平.
    assert [(c["display_name"], c["region_code"]) for c in seen] == [
        ("street_c", LIUCHENG),
        ("gh_c", GUANGHUA),
        ("nj_c", NANJIANG),
    ]
    workers = await client.get(
        "/staff/colleagues",
        params={"role": "community_worker", "region_code": GUANGHUA},
        headers=street,
    )
    assert [c["display_name"] for c in workers.json()["items"]] == ["gh_c"]
    assert set(workers.json()["items"][0]) == {"id", "display_name", "role", "region_code"}

    own = (await client.get("/staff/colleagues", headers=guanghua)).json()["items"]
    assert [c["id"] for c in own] == [await staff_id(client, guanghua)]
    beyond = await client.get(
        "/staff/colleagues", params={"region_code": GONGPING}, headers=guanghua
    )
    assert beyond.status_code == 403 and beyond.json()["code"] == "outside_jurisdiction"
    # A street officer naming a community of another street: refused, not answered empty.
    other = await client.get("/staff/colleagues", params={"region_code": GONGPING}, headers=street)
    assert other.status_code == 403 and other.json()["code"] == "outside_jurisdiction"
    assert (await client.get("/staff/colleagues", headers=admin)).status_code == 403
    bad = await client.get("/staff/colleagues", params={"role": "boss"}, headers=street)
    assert bad.status_code == 422
