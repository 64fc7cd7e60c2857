"""Staff login, throttling, access tokens, refresh rotation and GET /me."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from datetime import timedelta
from typing import Any

import httpx
from jose import jws, jwt
from sqlalchemy import update

from app.kit.timeutil import now
from tests.helpers import PASSWORD, application_body, create_staff, login_resident, login_staff


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _claims(sub: str, role: str, **overrides: Any) -> dict[str, Any]:
    issued = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "role": role,
        "typ": "access",
        "iat": issued,
        "exp": issued + 600,
        "jti": "test",
    }
    claims.update(overrides)
    return claims


def _secret() -> str:
    from app.config import get_settings

    return get_settings().secret_key


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/auth/staff/login", json={"username": username, "password": password})


async def test_staff_login_returns_tokens_and_me_describes_the_user(
    client: httpx.AsyncClient,
) -> None:
    staff_id = await create_staff("liucheng1", "street_officer", "510115001000")
    response = await _login(client, "liucheng1", PASSWORD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user"] == {"id": staff_id, "role": "street_officer"}
    assert body["expires_in"] > 0
    assert body["access_token"] and body["refresh_token"]
    assert body["access_token"] != body["refresh_token"]

    me = await client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == staff_id
    assert me.json()["role"] == "street_officer"
    assert me.json()["region_code"] == "510115001000"


async def test_me_for_a_resident(client: httpx.AsyncClient) -> None:
    headers = await login_resident(client, "me-resident")
    me = await client.get("/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["role"] == "resident"
    assert me.json()["region_code"] is None


async def test_me_without_credentials_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/me")
    assert response.status_code == 401
    assert response.json()["code"]


async def test_wrong_password_and_unknown_user_give_the_same_401(
    client: httpx.AsyncClient,
) -> None:
    await create_staff("liucheng1", "street_officer", "510115001000")
    wrong_password = await _login(client, "liucheng1", "not-the-password")
    unknown_user = await _login(client, "nobody-here", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()
    assert wrong_password.json()["code"] == "invalid_credentials"


async def test_login_body_is_validated(client: httpx.AsyncClient) -> None:
    for body in ({}, {"username": "a"}, {"username": "", "password": "x"}, {"username": 1}):
        response = await client.post("/auth/staff/login", json=body)
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_error"


async def test_four_failures_then_success_resets_the_count(client: httpx.AsyncClient) -> None:
    await create_staff("liucheng1", "street_officer", "510115001000")
    for _ in range(4):
        assert (await _login(client, "liucheng1", "wrong-password")).status_code == 401
    assert (await _login(client, "liucheng1", PASSWORD)).status_code == 200
    for _ in range(4):
        assert (await _login(client, "liucheng1", "wrong-password")).status_code == 401
    assert (await _login(client, "liucheng1", PASSWORD)).status_code == 200


async def test_inactive_staff_cannot_log_in(client: httpx.AsyncClient) -> None:
    from app.db.session import session_scope
    from app.models.account import Staff

    staff_id = await create_staff("retired1", "street_officer", "510115001000")
    headers = await client.post(
        "/auth/staff/login", json={"username": "retired1", "password": PASSWORD}
    )
    token = headers.json()["access_token"]
    async with session_scope() as session:
        await session.execute(update(Staff).where(Staff.id == staff_id).values(active=False))
    # The right password learns that the account is disabled (API contract: 403); a wrong one
    # learns nothing.
    response = await _login(client, "retired1", PASSWORD)
    assert response.status_code == 403
    assert response.json()["code"] == "account_disabled"
    wrong = await _login(client, "retired1", "not-the-password")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_credentials")
    # A token issued before the account was disabled stops working too.
    me = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


def _bad_tokens(staff_id: int) -> dict[str, str]:
    secret = _secret()
    good = jwt.encode(_claims(f"staff:{staff_id}", "district_officer"), secret, algorithm="HS256")
    header, payload, signature = good.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    past = int(time.time()) - 3600
    return {
        "forged signature": f"{header}.{payload}.{flipped}",
        "forged payload": (
            f"{header}.{_b64(_claims(f'staff:{staff_id + 1}', 'district_officer'))}.{signature}"
        ),
        "expired": jwt.encode(
            _claims(f"staff:{staff_id}", "district_officer", iat=past - 600, exp=past),
            secret,
            algorithm="HS256",
        ),
        "alg none": (
            f"{_b64({'alg': 'none', 'typ': 'JWT'})}."
            f"{_b64(_claims(f'staff:{staff_id}', 'district_officer'))}."
        ),
        "alg none with signature": (
            f"{_b64({'alg': 'none', 'typ': 'JWT'})}."
            f"{_b64(_claims(f'staff:{staff_id}', 'district_officer'))}.{signature}"
        ),
        "HS512 same key": jwt.encode(
            _claims(f"staff:{staff_id}", "district_officer"), secret, algorithm="HS512"
        ),
        "HS256 other key": jwt.encode(
            _claims(f"staff:{staff_id}", "district_officer"),
            "another-secret-key-" + "y" * 32,
            algorithm="HS256",
        ),
        "not an access token": jwt.encode(
            _claims(f"staff:{staff_id}", "district_officer", typ="refresh"),
            secret,
            algorithm="HS256",
        ),
        "unknown subject kind": jwt.encode(
            _claims(f"agency:{staff_id}", "agency"), secret, algorithm="HS256"
        ),
        "subject without id": jwt.encode(
            _claims("staff:abc", "district_officer"), secret, algorithm="HS256"
        ),
        "staff that does not exist": jwt.encode(
            _claims(f"staff:{staff_id + 1000}", "district_officer"), secret, algorithm="HS256"
        ),
        "signed payload not an object": jws.sign(b"[1, 2]", secret, algorithm="HS256"),
        "exp not a number": jwt.encode(
            _claims(f"staff:{staff_id}", "district_officer", exp="tomorrow"),
            secret,
            algorithm="HS256",
        ),
        "sub not a string": jwt.encode(
            {**_claims("", "district_officer"), "sub": staff_id},
            secret,
            algorithm="HS256",
        ),
        "broken base64 payload": f"{header}.{payload[:-3]}!!.{signature}",
        "garbage": "garbage",
        "three dots of garbage": "a.b.c",
        "empty segments": "..",
        "random base64": base64.urlsafe_b64encode(b"\x00" * 48).decode(),
    }


async def test_bad_tokens_are_401_with_a_code_never_500(client: httpx.AsyncClient) -> None:
    staff_id = await create_staff("district1", "district_officer", "510115000000")
    for name, token in _bad_tokens(staff_id).items():
        for path in ("/me", "/staff/applications"):
            response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, (name, path, response.text)
            assert response.json()["code"], name
            assert response.headers.get("WWW-Authenticate") == "Bearer", name


async def test_tokens_without_exp_iat_or_the_access_type_are_refused(
    client: httpx.AsyncClient,
) -> None:
    """Properly signed, but a token that never expires, has no issue time or is not typed
    as an access token is not trusted."""
    staff_id = await create_staff("district1", "district_officer", "510115000000")
    good = _claims(f"staff:{staff_id}", "district_officer")

    def without(*names: str) -> dict[str, Any]:
        return {key: value for key, value in good.items() if key not in names}

    variants = {
        "no exp": without("exp"),
        "no iat": without("iat"),
        "neither exp nor iat": without("exp", "iat"),
        "no typ": without("typ"),
        "typ refresh": {**good, "typ": "refresh"},
        "typ in capitals": {**good, "typ": "ACCESS"},
        "exp null": {**good, "exp": None},
        "iat null": {**good, "iat": None},
        "iat not a number": {**good, "iat": "yesterday"},
    }
    for name, claims in variants.items():
        token = jwt.encode(claims, _secret(), algorithm="HS256")
        response = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (name, response.text)
        assert response.json()["code"] == "invalid_token", name
    # The same claims with all three present pass (the control).
    token = jwt.encode(good, _secret(), algorithm="HS256")
    assert (await client.get("/me", headers={"Authorization": f"Bearer {token}"})).is_success


async def test_a_hand_made_token_with_the_right_key_works(client: httpx.AsyncClient) -> None:
    """The positive control for the bad-token test: the same claims, properly signed."""
    staff_id = await create_staff("district1", "district_officer", "510115000000")
    token = jwt.encode(
        _claims(f"staff:{staff_id}", "district_officer"), _secret(), algorithm="HS256"
    )
    response = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["id"] == staff_id


async def test_other_authorization_schemes_are_401(client: httpx.AsyncClient) -> None:
    for value in ("Basic dXNlcjpwYXNz", "Bearer", "Token abc", ""):
        response = await client.get("/me", headers={"Authorization": value})
        assert response.status_code == 401, value
        assert response.json()["code"]


async def test_resident_token_on_staff_routes_is_403(client: httpx.AsyncClient) -> None:
    resident = await login_resident(client, "curious")
    for path in ("/staff/applications", "/staff/audit"):
        response = await client.get(path, headers=resident)
        assert response.status_code == 403, path
        assert response.json()["code"]


async def test_staff_token_cannot_submit_as_a_resident(client: httpx.AsyncClient) -> None:
    street = await login_staff(client, "liucheng1", "street_officer", "510115001000")
    response = await client.post("/applications", json=application_body(), headers=street)
    assert response.status_code == 403
    assert response.json()["code"]
    mine = await client.get("/applications/mine", headers=street)
    assert mine.status_code == 403


async def _tokens(client: httpx.AsyncClient) -> dict[str, Any]:
    await create_staff("liucheng1", "street_officer", "510115001000")
    response = await _login(client, "liucheng1", PASSWORD)
    assert response.status_code == 200
    return dict(response.json())


async def _refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/auth/refresh", json={"refresh_token": token})


async def _past_grace() -> None:
    """Every rotation so far happened longer ago than the refresh grace period."""
    from app.config import get_settings
    from app.db.session import session_scope
    from app.models.account import RefreshToken

    long_ago = now() - timedelta(seconds=get_settings().refresh_grace_seconds + 1)
    async with session_scope() as session:
        await session.execute(
            update(RefreshToken).where(RefreshToken.used_at.is_not(None)).values(used_at=long_ago)
        )


async def test_refresh_rotates_and_a_used_token_is_refused(client: httpx.AsyncClient) -> None:
    first = await _tokens(client)
    second = await _refresh(client, first["refresh_token"])
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["refresh_token"] != first["refresh_token"]
    assert body["user"] == first["user"]
    me = await client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["role"] == "street_officer"

    await _past_grace()
    again = await _refresh(client, first["refresh_token"])
    assert again.status_code == 401
    assert again.json()["code"] == "invalid_refresh_token"


async def test_reusing_a_refresh_token_revokes_the_whole_family(
    client: httpx.AsyncClient,
) -> None:
    first = await _tokens(client)
    second = (await _refresh(client, first["refresh_token"])).json()
    third = (await _refresh(client, second["refresh_token"])).json()
    await _past_grace()
    # The first token is replayed (stolen): the newest one stops working as well.
    assert (await _refresh(client, first["refresh_token"])).status_code == 401
    newest = await _refresh(client, third["refresh_token"])
    assert newest.status_code == 401
    assert newest.json()["code"] == "invalid_refresh_token"


async def test_a_new_login_starts_a_family_not_touched_by_another_family_reuse(
    client: httpx.AsyncClient,
) -> None:
    first = await _tokens(client)
    other = (await _login(client, "liucheng1", PASSWORD)).json()
    await _refresh(client, first["refresh_token"])
    await _past_grace()
    assert (await _refresh(client, first["refresh_token"])).status_code == 401
    assert (await _refresh(client, other["refresh_token"])).status_code == 200


async def test_resident_refresh_keeps_the_resident_role(client: httpx.AsyncClient) -> None:
    login = await client.post("/auth/wechat/login", json={"code": "refresh-me"})
    refreshed = await _refresh(client, login.json()["refresh_token"])
    assert refreshed.status_code == 200
    assert refreshed.json()["user"] == login.json()["user"]
    assert refreshed.json()["user"]["role"] == "resident"


async def test_expired_and_unknown_refresh_tokens_are_401(client: httpx.AsyncClient) -> None:
    from app.db.session import session_scope
    from app.models.account import RefreshToken

    first = await _tokens(client)
    async with session_scope() as session:
        await session.execute(update(RefreshToken).values(expires_at=now() - timedelta(seconds=1)))
    expired = await _refresh(client, first["refresh_token"])
    assert expired.status_code == 401
    assert expired.json()["code"] == "invalid_refresh_token"

    for token in ("rt_unknown", "x" * 256, first["access_token"][:256]):
        response = await _refresh(client, token)
        assert response.status_code == 401, token
        assert response.json()["code"] == "invalid_refresh_token"
    assert (await client.post("/auth/refresh", json={})).status_code == 422


async def test_refresh_token_is_not_an_access_token(client: httpx.AsyncClient) -> None:
    first = await _tokens(client)
    response = await client.get(
        "/me", headers={"Authorization": f"Bearer {first['refresh_token']}"}
    )
    assert response.status_code == 401


async def test_login_and_refresh_bodies_with_nul_characters_are_422(
    client: httpx.AsyncClient,
) -> None:
    for path, body in (
        ("/auth/staff/login", {"username": "a\u0000b", "password": "x"}),
        ("/auth/refresh", {"refresh_token": "rt_\u0000"}),
        ("/auth/wechat/login", {"code": "abc\u0000"}),
    ):
        response = await client.post(path, json=body)
        assert response.status_code == 422, (path, response.text)


async def test_a_burst_of_parallel_guesses_gets_no_more_than_five_tries(
    client: httpx.AsyncClient,
) -> None:
    """The limit holds for guesses sent all at once, not only one after another."""
    await create_staff("liucheng1", "street_officer", "510115001000")
    responses = await asyncio.gather(
        *(_login(client, "liucheng1", f"guess-{n}") for n in range(20))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(401) <= 5, statuses
    assert set(statuses) <= {401, 429}
    assert (await _login(client, "liucheng1", PASSWORD)).status_code == 429
