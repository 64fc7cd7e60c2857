"""Administration: staff accounts (list, create, disable, enable, reset password, change role or
region) and agencies (create, rotate or revoke a key), within the admin's region, audited."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from app.models.account import Agency, RefreshToken
from app.models.audit import AuditEvent
from tests.helpers import PASSWORD, application_body, create_staff, login_staff

DISTRICT = "510115000000"
LIUCHENG = "510115001000"
GONGPING = "510115002000"


async def _login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    return await client.post("/auth/staff/login", json={"username": username, "password": password})


def _bearer(response: httpx.Response) -> dict[str, str]:
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _audit(action: str) -> list[AuditEvent]:
    from app.db.session import session_scope

    async with session_scope() as session:
        return list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


async def test_only_the_admin_role_reaches_admin_endpoints(client: httpx.AsyncClient) -> None:
    officer = await login_staff(client, "district1", "district_officer", DISTRICT)
    for method, path in (
        ("GET", "/admin/staff"),
        ("GET", "/admin/agencies"),
        ("POST", "/admin/agencies/1/key"),
        ("DELETE", "/admin/agencies/1/key"),
    ):
        response = await client.request(method, path, headers=officer)
        assert response.status_code == 403, (path, response.text)
        assert response.json()["code"] == "scope_denied"
    assert (await client.get("/admin/staff")).status_code == 401


async def test_admin_lists_staff_of_its_region_with_filters_and_last_login(
    client: httpx.AsyncClient,
) -> None:
    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    await create_staff("liucheng1", "street_officer", LIUCHENG)
    await create_staff("guanghua1", "community_worker", "510115001001")
    await create_staff("gongping1", "street_officer", GONGPING)
    await _login(client, "liucheng1")

    everyone = (await client.get("/admin/staff", headers=admin)).json()["items"]
    assert [s["username"] for s in everyone] == ["admin1", "liucheng1", "guanghua1", "gongping1"]
    liucheng = everyone[1]
    assert set(liucheng) >= {
        "id",
        "username",
        "display_name",
        "role",
        "region_code",
        "active",
        "last_login_at",
    }
    assert "password_hash" not in liucheng and "password" not in str(everyone)
    assert liucheng["last_login_at"] is not None and liucheng["last_login_at"].endswith("+08:00")
    assert everyone[2]["last_login_at"] is None

    in_street = await client.get("/admin/staff", params={"region_code": LIUCHENG}, headers=admin)
    assert [s["username"] for s in in_street.json()["items"]] == ["liucheng1", "guanghua1"]
    officers = await client.get("/admin/staff", params={"role": "street_officer"}, headers=admin)
    assert [s["username"] for s in officers.json()["items"]] == ["liucheng1", "gongping1"]
    paged = await client.get("/admin/staff", params={"limit": 3}, headers=admin)
    following = await client.get(
        "/admin/staff", params={"limit": 3, "cursor": paged.json()["next_cursor"]}, headers=admin
    )
    assert [s["username"] for s in following.json()["items"]] == ["gongping1"]

    # A street's admin sees its street only.
    street_admin = await login_staff(client, "admin-liucheng", "admin", LIUCHENG)
    seen = (await client.get("/admin/staff", headers=street_admin)).json()["items"]
    assert {s["username"] for s in seen} == {"liucheng1", "guanghua1", "admin-liucheng"}


async def test_disabling_ends_sessions_at_once_and_login_says_account_disabled(
    client: httpx.AsyncClient,
) -> None:
    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    worker_id = await create_staff("worker1", "community_worker", "510115001001")
    session = await _login(client, "worker1")
    worker = _bearer(session)
    assert (await client.get("/me", headers=worker)).status_code == 200

    disabled = await client.patch(
        f"/admin/staff/{worker_id}", json={"active": False}, headers=admin
    )
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["active"] is False

    # The live access token stops working on the next request; the refresh token is revoked.
    assert (await client.get("/me", headers=worker)).status_code == 401
    refreshed = await client.post(
        "/auth/refresh", json={"refresh_token": session.json()["refresh_token"]}
    )
    assert refreshed.status_code == 401
    again = await _login(client, "worker1")
    assert again.status_code == 403
    assert again.json()["code"] == "account_disabled"
    # A wrong password learns nothing about the account's state.
    wrong = await _login(client, "worker1", "not-the-password")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_credentials")

    (event,) = await _audit("staff.disabled")
    assert event.record_id == str(worker_id)
    assert event.detail["sessions_ended"] == 1
    assert event.actor_role == "admin"

    enabled = await client.patch(f"/admin/staff/{worker_id}", json={"active": True}, headers=admin)
    assert enabled.json()["active"] is True
    assert (await _login(client, "worker1")).status_code == 200
    assert len(await _audit("staff.enabled")) == 1


async def test_role_region_and_name_changes_take_effect_and_are_audited(
    client: httpx.AsyncClient,
) -> None:
    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    staff_id = await create_staff("mover", "community_worker", "510115001001")
    mover = _bearer(await _login(client, "mover"))
    changed = await client.patch(
        f"/admin/staff/{staff_id}",
        json={"role": "street_officer", "region_code": GONGPING, "display_name": "公平街道 新主任"},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    me = (await client.get("/me", headers=mover)).json()
    assert (me["role"], me["region_code"], me["display_name"]) == (
        "street_officer",
        GONGPING,
        "公平街道 新主任",
    )
    (event,) = await _audit("staff.updated")
    assert event.detail["before"]["role"] == "community_worker"
    assert event.detail["after"]["region_code"] == GONGPING

    for bad in ({}, {"role": None}, {"role": "superuser"}, {"region_code": "5101"}, {"x": 1}):
        response = await client.patch(f"/admin/staff/{staff_id}", json=bad, headers=admin)
        assert response.status_code == 422, bad
    unknown = await client.patch(
        f"/admin/staff/{staff_id}", json={"region_code": "510115099000"}, headers=admin
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "region_not_found")


async def test_an_admin_acts_only_within_its_region(client: httpx.AsyncClient) -> None:
    street_admin = await login_staff(client, "admin-liucheng", "admin", LIUCHENG)
    await create_staff("admin-district", "admin", DISTRICT)
    outsider = await create_staff("gongping1", "street_officer", GONGPING)
    insider = await create_staff("liucheng1", "street_officer", LIUCHENG)

    for request in (
        client.patch(f"/admin/staff/{outsider}", json={"active": False}, headers=street_admin),
        client.post(
            f"/admin/staff/{outsider}/password", json={"password": "x" * 20}, headers=street_admin
        ),
    ):
        response = await request
        assert (response.status_code, response.json()["code"]) == (404, "staff_not_found")
    moved = await client.patch(
        f"/admin/staff/{insider}", json={"region_code": GONGPING}, headers=street_admin
    )
    assert (moved.status_code, moved.json()["code"]) == (403, "outside_jurisdiction")
    created = await client.post(
        "/admin/staff",
        json={
            "username": "newbie",
            "password": "a long enough password",
            "role": "community_worker",
            "region_code": "510115002001",
        },
        headers=street_admin,
    )
    assert (created.status_code, created.json()["code"]) == (403, "outside_jurisdiction")
    agency = await client.post(
        "/admin/agencies", json={"name": "外区机构", "region_code": DISTRICT}, headers=street_admin
    )
    assert (agency.status_code, agency.json()["code"]) == (403, "outside_jurisdiction")
    assert (await _login(client, "gongping1")).status_code == 200


async def test_the_last_active_admin_cannot_be_locked_out(client: httpx.AsyncClient) -> None:
    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    admin_id = (await client.get("/me", headers=admin)).json()["id"]
    for change in ({"active": False}, {"role": "auditor"}):
        refused = await client.patch(f"/admin/staff/{admin_id}", json=change, headers=admin)
        assert (refused.status_code, refused.json()["code"]) == (409, "last_admin"), change

    # A disabled admin does not count; a second active one does.
    spare = await create_staff("admin2", "admin", DISTRICT)
    await client.patch(f"/admin/staff/{spare}", json={"active": False}, headers=admin)
    refused = await client.patch(f"/admin/staff/{admin_id}", json={"active": False}, headers=admin)
    assert refused.status_code == 409
    await client.patch(f"/admin/staff/{spare}", json={"active": True}, headers=admin)
    demoted = await client.patch(
        f"/admin/staff/{admin_id}", json={"role": "auditor"}, headers=admin
    )
    assert demoted.status_code == 200, demoted.text
    # Demoted, the former admin reaches no admin endpoint any more.
    assert (await client.get("/admin/staff", headers=admin)).status_code == 403


async def test_creating_staff_applies_the_password_policy_and_is_audited(
    client: httpx.AsyncClient,
) -> None:
    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    body = {
        "username": "zhangsan",
        "password": "a long enough password",
        "role": "community_worker",
        "region_code": "510115001001",
        "display_name": "光华社区 张三",
    }
    for password, reason in (
        ("short-pw", "12"),
        ("my-Zhangsan-password", "用户名"),
    ):
        weak = await client.post("/admin/staff", json={**body, "password": password}, headers=admin)
        assert (weak.status_code, weak.json()["code"]) == (422, "weak_password")
        assert reason in weak.json()["message"]

    headers = {**admin, "Idempotency-Key": "create-zhangsan"}
    created = await client.post("/admin/staff", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["username"] == "zhangsan"
    replay = await client.post("/admin/staff", json=body, headers=headers)
    assert (replay.status_code, replay.json()["id"]) == (201, created.json()["id"])
    other = await client.post(
        "/admin/staff", json={**body, "password": "another long password"}, headers=headers
    )
    assert other.json()["code"] == "idempotency_key_mismatch"
    taken = await client.post("/admin/staff", json=body, headers=admin)
    assert (taken.status_code, taken.json()["code"]) == (409, "username_taken")
    assert (await _login(client, "zhangsan", body["password"])).status_code == 200

    (event,) = await _audit("staff.created")
    assert event.detail == {
        "username": "zhangsan",
        "role": "community_worker",
        "region_code": "510115001001",
    }


async def test_the_demo_password_is_refused_in_production(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.accounts import passwords
    from app.accounts.passwords import DEMO_PASSWORD
    from app.config import Environment, get_settings

    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    staff_id = await create_staff("worker1", "community_worker", "510115001001")
    url = f"/admin/staff/{staff_id}/password"
    # In dev the demo password is allowed (seed-demo uses it).
    assert (
        await client.post(url, json={"password": DEMO_PASSWORD}, headers=admin)
    ).status_code == 200
    production = get_settings().model_copy(update={"env": Environment.production})
    monkeypatch.setattr(passwords, "get_settings", lambda: production)
    refused = await client.post(url, json={"password": DEMO_PASSWORD}, headers=admin)
    assert (refused.status_code, refused.json()["code"]) == (422, "weak_password")


async def test_resetting_a_password_ends_sessions_and_is_audited_without_the_password(
    client: httpx.AsyncClient,
) -> None:
    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    staff_id = await create_staff("worker1", "community_worker", "510115001001")
    session = await _login(client, "worker1")
    new_password = "a brand new passphrase"
    reset = await client.post(
        f"/admin/staff/{staff_id}/password", json={"password": new_password}, headers=admin
    )
    assert reset.status_code == 200, reset.text
    assert (await _login(client, "worker1")).status_code == 401
    assert (await _login(client, "worker1", new_password)).status_code == 200
    refreshed = await client.post(
        "/auth/refresh", json={"refresh_token": session.json()["refresh_token"]}
    )
    assert refreshed.status_code == 401
    (event,) = await _audit("staff.password_reset")
    assert new_password not in str(event.detail)
    assert event.detail["sessions_ended"] == 1


async def _agency_call(client: httpx.AsyncClient, key: str) -> int:
    response = await client.get("/applications/mine", headers={"X-API-Key": key})
    return response.status_code


async def test_agency_keys_are_issued_once_rotated_and_revoked(client: httpx.AsyncClient) -> None:
    from app.db.session import session_scope

    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    headers = {**admin, "Idempotency-Key": "agency-1"}
    body = {"name": "阳光社工服务中心", "region_code": LIUCHENG}
    created = await client.post("/admin/agencies", json=body, headers=headers)
    assert created.status_code == 201, created.text
    agency = created.json()
    key = agency["api_key"]
    assert key and key.startswith(agency["key_prefix"])
    assert await _agency_call(client, key) == 200
    # A replay is the same agency, but the key is not kept anywhere to show again.
    replay = await client.post("/admin/agencies", json=body, headers=headers)
    assert replay.json()["id"] == agency["id"] and replay.json()["api_key"] is None
    listed = (await client.get("/admin/agencies", headers=admin)).json()["items"]
    assert [a["id"] for a in listed] == [agency["id"]]
    assert "api_key" not in listed[0] and key not in str(listed)

    rotated = await client.post(f"/admin/agencies/{agency['id']}/key", headers=admin)
    assert rotated.status_code == 200, rotated.text
    new_key = rotated.json()["api_key"]
    assert new_key != key
    assert await _agency_call(client, key) == 401
    assert await _agency_call(client, new_key) == 200
    submitted = await client.post(
        "/applications", json=application_body(relation="agency"), headers={"X-API-Key": new_key}
    )
    assert submitted.status_code == 201

    revoked = await client.delete(f"/admin/agencies/{agency['id']}/key", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["key_revoked_at"] is not None
    assert await _agency_call(client, new_key) == 401

    async with session_scope() as session:
        stored = await session.get(Agency, agency["id"])
        assert stored is not None
        row = " ".join(str(getattr(stored, c.key)) for c in Agency.__table__.columns)
    assert key not in row and new_key not in row
    actions = [e.action for e in await _audit_for("agency", agency["id"])]
    assert actions == ["agency.created", "agency.key_rotated", "agency.key_revoked"]

    street_admin = await login_staff(client, "admin-gongping", "admin", GONGPING)
    other = await client.post(f"/admin/agencies/{agency['id']}/key", headers=street_admin)
    assert (other.status_code, other.json()["code"]) == (404, "agency_not_found")


async def _audit_for(record_type: str, record_id: int) -> list[AuditEvent]:
    from app.db.session import session_scope

    async with session_scope() as session:
        return list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.record_type == record_type)
                .where(AuditEvent.record_id == str(record_id))
                .order_by(AuditEvent.id)
            )
        )


async def test_disabling_revokes_every_refresh_token_of_the_account_only(
    client: httpx.AsyncClient,
) -> None:
    from app.db.session import session_scope

    admin = await login_staff(client, "admin1", "admin", DISTRICT)
    worker_id = await create_staff("worker1", "community_worker", "510115001001")
    await create_staff("worker2", "community_worker", "510115001001")
    for _ in range(3):
        await _login(client, "worker1")
    kept = await _login(client, "worker2")
    await client.patch(f"/admin/staff/{worker_id}", json={"active": False}, headers=admin)
    async with session_scope() as session:
        tokens = list(await session.scalars(select(RefreshToken)))
    revoked = {(t.subject_id, t.revoked_at is not None) for t in tokens}
    assert (worker_id, False) not in revoked
    refreshed = await client.post(
        "/auth/refresh", json={"refresh_token": kept.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200
