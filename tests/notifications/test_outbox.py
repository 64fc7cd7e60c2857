"""The outbox: a message is written in the transaction of its cause and delivered by the job
runner through WeChat (faked at its HTTP boundary by respx, through live mode's code), once."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
import pytest
import respx
from sqlalchemy import func, select

from app.db.session import session_scope
from app.models import FakeWeChatMessage, Job, WeChatAccessToken, WeChatSubscription
from app.notifications import service
from app.notifications.templates import fit
from tests.jobs.support import Clock
from tests.notifications.support import (
    SEND,
    TOKEN,
    application,
    jobs_of,
    live_wechat,
    notifications,
    resident_with_application,
    runner,
    sent_bodies,
)

__all__ = ["live_wechat"]
SEND_JOB = service.SEND_JOB


async def _accept(client: httpx.AsyncClient, headers: dict[str, str], *events: str) -> None:
    templates = (await client.get("/me/subscription-templates", headers=headers)).json()
    ids = {t["event"]: t["template_id"] for t in templates}
    response = await client.post(
        "/me/subscriptions", json={"accepted": [ids[e] for e in events]}, headers=headers
    )
    assert response.status_code == 204, response.text


async def _status(application_id: int, status: str, note: str = "") -> None:
    async with session_scope() as session:
        found = await application(application_id)
        found.status = status
        assert await service.application_status(session, found, note) is not None


async def test_a_rolled_back_change_leaves_no_message(client: httpx.AsyncClient) -> None:
    _headers, application_id = await resident_with_application(client)
    found = await application(application_id)
    with pytest.raises(RuntimeError):
        async with session_scope() as session:
            found.status = "accepted"
            assert await service.application_status(session, found) is not None
            raise RuntimeError("the transition failed after notify")
    assert await notifications() == []
    assert await jobs_of(SEND_JOB) == []

    async with session_scope() as session:
        await service.application_status(session, found)
        # The same cause told twice is one message.
        assert await service.application_status(session, found) is None
    assert [n.event for n in await notifications()] == ["application_accepted"]
    assert len(await jobs_of(SEND_JOB)) == 1


async def test_fake_mode_records_what_would_be_sent_while_subscribed(
    client: httpx.AsyncClient,
) -> None:
    headers, application_id = await resident_with_application(client)
    await _accept(client, headers, "application_accepted")
    await _status(application_id, "accepted", "工作人员将在三个工作日内与您联系并上门了解具体情况")
    await _status(application_id, "investigating")  # no subscription to this one
    await runner().run_due()

    sent = (await client.get("/dev/wechat/sent")).json()["items"]
    assert len(sent) == 1
    assert sent[0]["openid"] == "fake-alice"
    assert sent[0]["template_id"] == "dev-application_accepted"
    data = sent[0]["data"]
    assert data["phrase2"] == {"value": "已受理"}
    assert data["character_string1"]["value"].startswith("WJ")
    # thing fields hold at most 20 characters.
    assert len(data["thing3"]["value"]) == 20 and data["thing3"]["value"].endswith("…")
    assert {n.event: n.status for n in await notifications()} == {
        "application_accepted": "sent",
        "application_investigating": "skipped",
    }
    async with session_scope() as session:
        left = await session.scalar(select(func.sum(WeChatSubscription.remaining)))
    assert left == 0
    assert {j.status for j in await jobs_of(SEND_JOB)} == {"done"}


async def test_unknown_template_ids_are_refused(client: httpx.AsyncClient) -> None:
    headers, _ = await resident_with_application(client)
    response = await client.post(
        "/me/subscriptions", json={"accepted": ["not-ours"]}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_template"


def test_values_fit_wechat_field_limits() -> None:
    assert fit("thing", "一" * 30) == "一" * 19 + "…"
    assert fit("phrase", "未获批准的申请") == "未获批准的"
    assert fit("character_string", "WJ2026-000123中") == "WJ2026-000123"
    assert fit("time", "2026-11-30T02:00:00+00:00") == "2026-11-30 10:00"


async def test_wechat_down_then_back_delivers_every_message_once(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    live_wechat.post(TOKEN).respond(json={"access_token": "tok-1", "expires_in": 7200})
    send = live_wechat.post(SEND)
    send.side_effect = httpx.ConnectError("down")
    ids = []
    for code in ("a", "b", "c"):
        headers, application_id = await resident_with_application(client, code)
        await _accept(client, headers, "application_accepted")
        await _status(application_id, "accepted")
        ids.append(application_id)
    clock = Clock()
    worker = runner(clock)
    await worker.run_due()
    assert [j.status for j in await jobs_of(SEND_JOB)] == ["queued"] * 3
    assert {n.status for n in await notifications()} == {"pending"}

    send.side_effect = None
    send.respond(json={"errcode": 0, "errmsg": "ok"})
    clock.advance(timedelta(hours=1))
    await worker.run_due()
    clock.advance(timedelta(hours=2))
    assert await worker.run_due() == 0  # nothing left to try
    assert {j.status for j in await jobs_of(service.CONTENT_CHECK_JOB)} == {"done"}

    delivered = [(b["touser"], b["page"]) for b in sent_bodies(send)[-3:]]
    assert sorted(delivered) == sorted(
        (f"o-{c}", f"pages/applications/detail?id={i}") for c, i in zip("abc", ids, strict=True)
    )
    assert send.call_count == 6  # three refused while down, three delivered
    assert {n.status for n in await notifications()} == {"sent"}
    assert {(j.status, j.attempts) for j in await jobs_of(SEND_JOB)} == {("done", 2)}
    # The subscription given back after each failed try was used by the delivery.
    async with session_scope() as session:
        assert await session.scalar(select(func.sum(WeChatSubscription.remaining))) == 0


async def test_43101_ends_the_attempt_without_retry(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    live_wechat.post(TOKEN).respond(json={"access_token": "tok-1", "expires_in": 7200})
    send = live_wechat.post(SEND).respond(json={"errcode": 43101, "errmsg": "user refuse"})
    headers, application_id = await resident_with_application(client)
    await _accept(client, headers, "application_accepted", "application_accepted")
    await _status(application_id, "accepted")
    clock = Clock()
    await runner(clock).run_due()
    clock.advance(timedelta(hours=3))
    await runner(clock).run_due()
    assert send.call_count == 1
    [message] = await notifications()
    assert message.status == "skipped" and "43101" in (message.last_error or "")
    assert [j.status for j in await jobs_of(SEND_JOB)] == ["done"]
    async with session_scope() as session:
        # WeChat knows better: the count kept here is cleared.
        assert await session.scalar(select(WeChatSubscription.remaining)) == 0


async def test_three_deliveries_seeing_40001_refresh_the_token_once(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    token = live_wechat.post(TOKEN)
    token.side_effect = [
        httpx.Response(200, json={"access_token": "old", "expires_in": 7200}),
        httpx.Response(200, json={"access_token": "new", "expires_in": 7200}),
    ]
    seen: list[str] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        used = request.url.params["access_token"]
        seen.append(used)
        await asyncio.sleep(0.05)  # all three hold the old token before any learns it is bad
        if used == "old":
            return httpx.Response(200, json={"errcode": 40001, "errmsg": "invalid credential"})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    send = live_wechat.post(SEND).mock(side_effect=answer)
    for code in ("a", "b", "c"):
        headers, application_id = await resident_with_application(client, code)
        await _accept(client, headers, "application_accepted")
        await _status(application_id, "accepted")
    from app.notifications import tasks

    # Fetch the first token, then three deliveries at once.
    assert await tasks.api().access_token() == "old"
    ids = [n.id for n in await notifications()]

    async def deliver(notification_id: int) -> None:
        async with session_scope() as session:  # each as its own worker's job
            await tasks.send(session, {"id": notification_id})

    await asyncio.gather(*(deliver(i) for i in ids))

    assert token.call_count == 2  # the first fetch, and one refresh
    assert json.loads(token.calls[1].request.content)["force_refresh"] is True
    assert sorted(seen) == ["new"] * 3 + ["old"] * 3
    assert send.call_count == 6
    assert {n.status for n in await notifications()} == {"sent"}
    async with session_scope() as session:
        row = await session.scalar(select(WeChatAccessToken))
        assert row is not None and row.refreshes == 2
        assert row.token_enc and "new" not in row.token_enc  # encrypted at rest


async def test_a_sent_message_is_never_sent_again(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    live_wechat.post(TOKEN).respond(json={"access_token": "tok-1", "expires_in": 7200})
    send = live_wechat.post(SEND).respond(json={"errcode": 0, "errmsg": "ok"})
    headers, application_id = await resident_with_application(client)
    await _accept(client, headers, "application_accepted", "application_accepted")
    await _status(application_id, "accepted")
    await runner().run_due()
    [message] = await notifications()
    # A retry of the job (an admin's, or a lease taken over) reads the record first.
    async with session_scope() as session:
        await __import__("app.notifications.tasks", fromlist=["send"]).send(
            session, {"id": message.id}
        )
    assert send.call_count == 1
    async with session_scope() as session:
        assert await session.scalar(select(func.count()).select_from(FakeWeChatMessage)) == 0
        assert await session.scalar(select(Job.status).where(Job.kind == SEND_JOB)) == "done"


async def test_the_record_of_fake_messages_is_absent_in_live_mode(
    client: httpx.AsyncClient, live_wechat: respx.MockRouter
) -> None:
    response = await client.get("/dev/wechat/sent")
    assert response.status_code == 404
