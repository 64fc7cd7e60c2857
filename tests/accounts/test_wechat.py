"""WeChat mini program login in ``live`` mode, with WeChat faked at its HTTP boundary (respx)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest
import respx
import structlog
from sqlalchemy import select

from app.config import WeChatMode, get_settings
from app.models.account import Resident

WECHAT = "https://api.weixin.qq.com"
SESSION_KEY = "tiihtNczf5v6AKRyjwEUhQ=="


@pytest.fixture
def live_wechat(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    """Settings in live mode with test credentials; WeChat answered by respx."""
    settings = get_settings()
    monkeypatch.setattr(settings, "wechat_mode", WeChatMode.live)
    monkeypatch.setattr(settings, "wechat_appid", "wx-test-appid")
    monkeypatch.setattr(settings, "wechat_secret", "wx-test-secret")
    monkeypatch.setattr(settings, "wechat_api_base", WECHAT)
    with respx.mock(assert_all_called=False) as router:
        yield router


def _route(router: respx.MockRouter) -> respx.Route:
    return router.get(f"{WECHAT}/sns/jscode2session")


async def _login(client: httpx.AsyncClient, code: str) -> httpx.Response:
    return await client.post("/auth/wechat/login", json={"code": code})


async def _residents() -> list[Resident]:
    from app.db.session import session_scope

    async with session_scope() as session:
        return list(await session.scalars(select(Resident).order_by(Resident.id)))


async def test_first_login_creates_a_resident_and_the_second_finds_it(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    route = _route(live_wechat).respond(
        json={"openid": "o-abc123", "session_key": SESSION_KEY, "unionid": "u-union-1"}
    )
    first = await _login(client, "code-1")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["role"] == "resident"
    assert body["expires_in"] > 0

    # What was sent to WeChat: our credentials and the code, by GET.
    sent = route.calls.last.request
    assert sent.url.params["appid"] == "wx-test-appid"
    assert sent.url.params["secret"] == "wx-test-secret"
    assert sent.url.params["js_code"] == "code-1"
    assert sent.url.params["grant_type"] == "authorization_code"

    second = await _login(client, "code-2")
    assert second.status_code == 200
    assert second.json()["user"]["id"] == body["user"]["id"]
    assert route.call_count == 2

    residents = await _residents()
    assert len(residents) == 1
    assert residents[0].openid == "o-abc123"
    assert residents[0].unionid == "u-union-1"
    # The session key is kept encrypted, never in clear.
    assert residents[0].session_key_enc
    assert SESSION_KEY not in residents[0].session_key_enc

    me = await client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]
    for response in (first, second, me):
        assert SESSION_KEY not in response.text
        assert "session_key" not in response.text


async def test_different_openids_are_different_residents(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    _route(live_wechat).mock(
        side_effect=[
            httpx.Response(200, json={"openid": "o-one", "session_key": SESSION_KEY}),
            httpx.Response(200, json={"openid": "o-two", "session_key": SESSION_KEY}),
        ]
    )
    one = await _login(client, "a")
    two = await _login(client, "b")
    assert one.json()["user"]["id"] != two.json()["user"]["id"]
    residents = await _residents()
    assert [r.openid for r in residents] == ["o-one", "o-two"]
    assert residents[0].unionid is None


async def test_invalid_code_is_401(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    route = _route(live_wechat).respond(json={"errcode": 40029, "errmsg": "invalid code"})
    response = await _login(client, "used-code")
    assert response.status_code == 401
    assert response.json()["code"] == "wechat_code_invalid"
    assert route.call_count == 1  # a bad code is not retried
    assert await _residents() == []


async def test_rate_limited_by_wechat_is_429(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    _route(live_wechat).respond(json={"errcode": 45011, "errmsg": "api minute-quota reach limit"})
    response = await _login(client, "busy")
    assert response.status_code == 429
    assert response.json()["code"]
    assert int(response.headers["Retry-After"]) > 0
    assert await _residents() == []


async def test_wechat_busy_is_retried_then_503(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    route = _route(live_wechat).respond(json={"errcode": -1, "errmsg": "system error"})
    response = await _login(client, "busy")
    assert response.status_code == 503
    assert response.json()["code"] == "wechat_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert route.call_count == 2
    assert await _residents() == []


async def test_wechat_timeout_is_retried_then_503(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    route = _route(live_wechat).mock(side_effect=httpx.ReadTimeout("timed out"))
    response = await _login(client, "slow")
    assert response.status_code == 503
    assert response.json()["code"] == "wechat_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert route.call_count == 2


async def test_a_timeout_then_success_logs_in(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    route = _route(live_wechat).mock(
        side_effect=[
            httpx.ConnectTimeout("connect timed out"),
            httpx.Response(200, json={"openid": "o-retry", "session_key": SESSION_KEY}),
        ]
    )
    response = await _login(client, "retry")
    assert response.status_code == 200
    assert route.call_count == 2
    assert [r.openid for r in await _residents()] == ["o-retry"]


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(502, text="Bad Gateway"),
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"session_key": SESSION_KEY}),  # no openid
        httpx.Response(404, text="Not Found"),
    ],
    ids=["502", "html", "json-list", "no-openid", "404"],
)
async def test_broken_wechat_answers_are_503_not_500(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter, answer: httpx.Response
) -> None:
    _route(live_wechat).mock(return_value=answer)
    response = await _login(client, "broken")
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "wechat_unavailable"
    assert await _residents() == []


async def test_login_code_is_required(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    route = _route(live_wechat).respond(json={"openid": "o-x", "session_key": SESSION_KEY})
    for body in ({}, {"code": ""}, {"code": "x" * 129}, {"code": 123}, {"code": "a", "extra": 1}):
        response = await client.post("/auth/wechat/login", json=body)
        assert response.status_code == 422, body
    assert route.call_count == 0


@pytest.fixture
def keep_library_log_levels() -> Iterator[None]:
    names = ("httpx", "httpcore", "aiosqlite", "asyncpg")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


async def test_wechat_secret_and_login_code_stay_out_of_the_logs(
    client: httpx.AsyncClient,
    live_wechat: respx.MockRouter,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    keep_library_log_levels: None,
) -> None:
    """jscode2session takes the app secret and the code in its URL; an HTTP client that logs
    the URLs it fetches must not do so in the app's logs."""
    from app.logging import configure_logging

    # The app's start-up logging, without replacing the tests' structlog set-up.
    monkeypatch.setattr(structlog, "configure", lambda **_: None)
    configure_logging("INFO")
    caplog.set_level(logging.INFO)
    _route(live_wechat).respond(json={"openid": "o-logs", "session_key": SESSION_KEY})
    response = await _login(client, "code-that-must-not-be-logged")
    assert response.status_code == 200
    logged = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    assert "wx-test-secret" not in logged
    assert "code-that-must-not-be-logged" not in logged
    assert SESSION_KEY not in logged


async def test_parallel_first_logins_of_one_user_make_one_resident(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    """A mini program often calls wx.login from two places at start-up: both logins of a
    first-time user must succeed as the same resident."""
    _route(live_wechat).respond(json={"openid": "o-twice", "session_key": SESSION_KEY})
    responses = await asyncio.gather(*(_login(client, f"code-{n}") for n in range(5)))
    assert [r.status_code for r in responses] == [200] * 5, [r.text for r in responses]
    assert len({r.json()["user"]["id"] for r in responses}) == 1
    assert [r.openid for r in await _residents()] == ["o-twice"]
