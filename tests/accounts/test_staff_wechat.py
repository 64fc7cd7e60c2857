"""Staff bind their WeChat to their account once, then sign in to the mini program with
``wx.login``; residents exchange a ``getPhoneNumber`` code for their phone number."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx
from sqlalchemy import select

from app.config import WeChatMode, get_settings
from app.models.account import Staff
from app.models.audit import AuditEvent
from tests.helpers import PASSWORD, create_staff, login_resident, login_staff

WECHAT = "https://api.weixin.qq.com"


async def _audit(action: str) -> list[AuditEvent]:
    from app.db.session import session_scope

    async with session_scope() as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return list(rows)


async def _staff(staff_id: int) -> Staff:
    from app.db.session import session_scope

    async with session_scope() as session:
        staff = await session.get(Staff, staff_id)
        assert staff is not None
        return staff


async def _bind(
    client: httpx.AsyncClient, username: str, code: str, password: str = PASSWORD
) -> httpx.Response:
    return await client.post(
        "/auth/staff/wechat/bind", json={"username": username, "password": password, "code": code}
    )


async def test_bind_then_sign_in_with_wechat_alone(client: httpx.AsyncClient) -> None:
    staff_id = await create_staff("wxbind1", "community_worker", "510115001001")
    before = await client.post("/auth/staff/wechat/login", json={"code": "phone-a"})
    assert before.status_code == 401
    assert before.json()["code"] == "wechat_not_bound"
    assert "绑定" in before.json()["message"]

    bound = await _bind(client, "wxbind1", "phone-a")
    assert bound.status_code == 200, bound.text
    assert bound.json()["user"] == {"id": staff_id, "role": "community_worker"}
    assert (await _staff(staff_id)).wechat_openid == "fake-phone-a"
    events = await _audit("staff.wechat_bound")
    assert [(e.actor_id, e.record_id) for e in events] == [(staff_id, str(staff_id))]

    # Later launches: a fresh wx.login code of the same WeChat user (same openid) suffices.
    login = await client.post("/auth/staff/wechat/login", json={"code": "phone-a"})
    assert login.status_code == 200, login.text
    assert login.json()["user"] == {"id": staff_id, "role": "community_worker"}
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = await client.get("/me", headers=headers)
    assert me.json()["kind"] == "staff"
    assert me.json()["region_code"] == "510115001001"
    # The same WeChat used as a resident stays a separate resident account.
    resident = await client.post("/auth/wechat/login", json={"code": "phone-a"})
    assert resident.json()["user"]["role"] == "resident"


async def test_bind_needs_the_right_password_and_counts_failures(
    client: httpx.AsyncClient,
) -> None:
    staff_id = await create_staff("wxbind2", "street_officer", "510115001000")
    wrong = await _bind(client, "wxbind2", "phone-b", password="not-the-password")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_credentials"
    assert (await _staff(staff_id)).wechat_openid is None
    assert len(await _audit("staff.login_failed")) == 1
    assert await _audit("staff.wechat_bound") == []


async def test_one_wechat_binds_one_account(client: httpx.AsyncClient) -> None:
    first = await create_staff("wxbind3", "community_worker", "510115001001")
    await create_staff("wxbind4", "community_worker", "510115001001")
    assert (await _bind(client, "wxbind3", "phone-c")).status_code == 200
    taken = await _bind(client, "wxbind4", "phone-c")
    assert taken.status_code == 409
    assert taken.json()["code"] == "wechat_already_bound"
    login = await client.post("/auth/staff/wechat/login", json={"code": "phone-c"})
    assert login.json()["user"]["id"] == first

    # Binding again with another WeChat moves the account's binding.
    assert (await _bind(client, "wxbind3", "phone-d")).status_code == 200
    old = await client.post("/auth/staff/wechat/login", json={"code": "phone-c"})
    assert old.json()["code"] == "wechat_not_bound"
    # And unbinding (signed in) frees it.
    token = (await client.post("/auth/staff/wechat/login", json={"code": "phone-d"})).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert (await client.delete("/auth/staff/wechat", headers=headers)).status_code == 204
    assert (await _staff(first)).wechat_openid is None
    assert len(await _audit("staff.wechat_unbound")) == 1
    assert (await _bind(client, "wxbind4", "phone-d")).status_code == 200


async def test_a_disabled_account_cannot_sign_in_with_wechat(client: httpx.AsyncClient) -> None:
    from app.db.session import session_scope

    staff_id = await create_staff("wxbind5", "community_worker", "510115001001")
    assert (await _bind(client, "wxbind5", "phone-e")).status_code == 200
    async with session_scope() as session:
        staff = await session.get(Staff, staff_id)
        assert staff is not None
        staff.active = False
    login = await client.post("/auth/staff/wechat/login", json={"code": "phone-e"})
    assert login.status_code == 403
    assert login.json()["code"] == "account_disabled"


async def test_phone_number_in_fake_mode_is_fixed_per_code(client: httpx.AsyncClient) -> None:
    headers = await login_resident(client, "phone-owner")
    first = await client.post("/me/phone", json={"code": "p1"}, headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["phone"].startswith("139") and len(body["phone"]) == 11
    assert body["masked"] == body["phone"][:3] + "****" + body["phone"][-4:]
    again = await client.post("/me/phone", json={"code": "p1"}, headers=headers)
    assert again.json() == body
    # Residents only; bad input is a 422.
    staff = await login_staff(client, "wxphone1", "community_worker", "510115001001")
    assert (await client.post("/me/phone", json={"code": "p1"}, headers=staff)).status_code == 403
    assert (await client.post("/me/phone", json={"code": ""}, headers=headers)).status_code == 422
    assert (await client.post("/me/phone", json={"code": "p1"})).status_code == 401


@pytest.fixture
def live_wechat(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    from app.notifications.wechat import forget_token

    settings = get_settings()
    monkeypatch.setattr(settings, "wechat_mode", WeChatMode.live)
    monkeypatch.setattr(settings, "wechat_appid", "wx-test-appid")
    monkeypatch.setattr(settings, "wechat_secret", "wx-test-secret")
    monkeypatch.setattr(settings, "wechat_api_base", WECHAT)
    forget_token()
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{WECHAT}/cgi-bin/stable_token").respond(
            json={"access_token": "server-token", "expires_in": 7200}
        )
        router.get(f"{WECHAT}/sns/jscode2session").respond(
            json={"openid": "o-resident", "session_key": "k"}
        )
        yield router
    forget_token()


async def test_phone_number_live_calls_get_phone_number(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    headers = await login_resident(client, "live-code")
    route = live_wechat.post(f"{WECHAT}/wxa/business/getuserphonenumber").mock(
        side_effect=[
            httpx.Response(
                200,
                json={
                    "errcode": 0,
                    "phone_info": {"purePhoneNumber": "13912345678", "countryCode": "86"},
                },
            ),
            httpx.Response(200, json={"errcode": 40029, "errmsg": "invalid code"}),
        ]
    )
    ok = await client.post("/me/phone", json={"code": "btn-1"}, headers=headers)
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"phone": "13912345678", "masked": "139****5678"}
    sent = route.calls.last.request
    assert sent.url.params["access_token"] == "server-token"
    assert b'"code":"btn-1"' in sent.content.replace(b" ", b"")
    spent = await client.post("/me/phone", json={"code": "btn-1"}, headers=headers)
    assert spent.status_code == 400
    assert spent.json()["code"] == "phone_code_invalid"


async def test_phone_number_live_refreshes_a_rejected_token_and_reports_an_outage(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    headers = await login_resident(client, "live-code-2")
    live_wechat.post(f"{WECHAT}/wxa/business/getuserphonenumber").mock(
        side_effect=[
            httpx.Response(200, json={"errcode": 40001, "errmsg": "invalid credential"}),
            httpx.Response(
                200, json={"errcode": 0, "phone_info": {"purePhoneNumber": "13700000001"}}
            ),
            httpx.Response(502),
            httpx.Response(200, json={"errcode": -1, "errmsg": "busy"}),
        ]
    )
    ok = await client.post("/me/phone", json={"code": "btn-2"}, headers=headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["phone"] == "13700000001"
    down = await client.post("/me/phone", json={"code": "btn-3"}, headers=headers)
    assert down.status_code == 503
    assert down.json()["code"] == "wechat_unavailable"
