"""Helpers for the notification tests: a resident with an application, WeChat in live mode
answered by respx, the runner over the real job handlers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from sqlalchemy import select

from app.config import WeChatMode, get_settings
from app.db.session import session_scope
from app.jobs.runner import Runner
from app.models import Application, Job, Notification
from app.notifications.wechat import forget_token
from app.tasks import HANDLERS
from tests.helpers import application_body, login_resident
from tests.jobs.support import Clock

WECHAT = "https://api.weixin.qq.com"
SEND = f"{WECHAT}/cgi-bin/message/subscribe/send"
TOKEN = f"{WECHAT}/cgi-bin/stable_token"
CHECK = f"{WECHAT}/wxa/msg_sec_check"


@pytest.fixture
def live_wechat(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    settings = get_settings()
    monkeypatch.setattr(settings, "wechat_mode", WeChatMode.live)
    monkeypatch.setattr(settings, "wechat_appid", "wx-test-appid")
    monkeypatch.setattr(settings, "wechat_secret", "wx-test-secret")
    monkeypatch.setattr(settings, "wechat_api_base", WECHAT)
    forget_token()
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{WECHAT}/sns/jscode2session").mock(side_effect=_session)
        # Submissions queue a content check of their description: it passes unless a test
        # answers otherwise.
        router.post(CHECK).respond(json={"errcode": 0, "result": {"suggest": "pass"}})
        yield router


def _session(request: httpx.Request) -> httpx.Response:
    code = request.url.params["js_code"]
    return httpx.Response(200, json={"openid": f"o-{code}", "session_key": "a2V5a2V5a2V5"})


def runner(clock: Clock | None = None, concurrency: int = 1) -> Runner:
    return Runner(HANDLERS, clock=clock or Clock(), concurrency=concurrency)


async def resident_with_application(
    client: httpx.AsyncClient, code: str = "alice"
) -> tuple[dict[str, str], int]:
    """A resident (openid ``fake-<code>``, logged in through fake mode) and her application."""
    headers = await login_resident(client, code)
    response = await client.post("/applications", json=application_body(), headers=headers)
    assert response.status_code == 201, response.text
    return headers, int(response.json()["id"])


async def application(application_id: int) -> Application:
    async with session_scope() as session:
        found = await session.get(Application, application_id)
        assert found is not None
        return found


async def notifications() -> list[Notification]:
    async with session_scope() as session:
        return list(await session.scalars(select(Notification).order_by(Notification.id)))


async def jobs_of(kind: str) -> list[Job]:
    async with session_scope() as session:
        return list(await session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))


def sent_bodies(route: respx.Route) -> list[dict[str, Any]]:
    import json

    return [json.loads(call.request.content) for call in route.calls]
