"""Staff login throttling: per (username, client address) pair with growing lockouts, a high
limit per address, the real user never locked out by someone elsewhere, lockouts audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, update

from app.kit.timeutil import now
from app.models.account import LoginFailure
from app.models.audit import AuditEvent
from tests.helpers import PASSWORD, create_staff

STREET = "510115001000"


@pytest.fixture
async def other_client() -> AsyncIterator[httpx.AsyncClient]:
    """The app seen from a second client address."""
    from app.main import create_app

    transport = httpx.ASGITransport(app=create_app(), client=("10.0.0.2", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as http:
        yield http


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/auth/staff/login", json={"username": username, "password": password})


async def _earlier(seconds: int) -> None:
    """Move every recorded failure ``seconds`` into the past, as if that time had gone by."""
    from app.db.session import session_scope

    async with session_scope() as session:
        rows = (await session.execute(select(LoginFailure.id, LoginFailure.at))).all()
        for row_id, at in rows:
            await session.execute(
                update(LoginFailure)
                .where(LoginFailure.id == row_id)
                .values(at=at - timedelta(seconds=seconds))
            )


async def _audit(action: str) -> list[AuditEvent]:
    from app.db.session import session_scope

    async with session_scope() as session:
        return list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def _retry_after(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "login_throttled"
    assert response.json()["message"]
    return int(response.headers["Retry-After"])


async def test_five_failures_lock_the_pair_not_the_user_everywhere(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    await create_staff("liucheng1", "street_officer", STREET)
    for _ in range(5):
        assert (await _login(client, "liucheng1", "wrong-password")).status_code == 401
    # From the guessing address even the right password waits about a minute...
    assert 55 <= _retry_after(await _login(client, "liucheng1", PASSWORD)) <= 60
    # ...while the real user at another address, with no failures there, logs in.
    assert (await _login(other_client, "liucheng1", PASSWORD)).status_code == 200
    # That success does not lift the lockout of the guessing address.
    assert _retry_after(await _login(client, "liucheng1", PASSWORD)) > 0
    # Other usernames from the guessing address are not affected.
    await create_staff("liucheng2", "street_officer", STREET)
    assert (await _login(client, "liucheng2", PASSWORD)).status_code == 200


async def test_lockouts_double_with_each_failure_up_to_fifteen_minutes(
    client: httpx.AsyncClient,
) -> None:
    await create_staff("liucheng1", "street_officer", STREET)
    for _ in range(5):
        assert (await _login(client, "liucheng1", "wrong-password")).status_code == 401
    for lockout in (60, 120, 240, 480, 900, 900):
        assert lockout - 5 <= _retry_after(await _login(client, "liucheng1", PASSWORD)) <= lockout
        await _earlier(lockout - 10)
        assert _retry_after(await _login(client, "liucheng1", "wrong-password")) <= 10
        await _earlier(11)
        # The lockout is over: the next guess is checked again, and fails again.
        assert (await _login(client, "liucheng1", "wrong-password")).status_code == 401
    await _earlier(901)
    assert (await _login(client, "liucheng1", PASSWORD)).status_code == 200
    # The success ended the streak: four failures again lock nothing.
    for _ in range(4):
        assert (await _login(client, "liucheng1", "wrong-password")).status_code == 401
    assert (await _login(client, "liucheng1", PASSWORD)).status_code == 200


async def test_an_office_behind_one_address_is_not_locked_out_by_twenty_failures(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    await create_staff("liucheng1", "street_officer", STREET)
    for index in range(20):
        # Colleagues mistyping, spread over usernames so no pair reaches its own limit.
        response = await _login(client, f"colleague{index % 5}-{index // 5}", "wrong-password")
        assert response.status_code == 401
    assert (await _login(client, "liucheng1", PASSWORD)).status_code == 200


async def test_two_hundred_failures_from_one_address_throttle_the_address(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    from app.db.session import session_scope

    await create_staff("liucheng1", "street_officer", STREET)
    at = now() - timedelta(minutes=5)
    async with session_scope() as session:
        await session.execute(
            insert(LoginFailure),
            [{"username": f"guess{n}", "client": "10.0.0.1", "at": at} for n in range(199)],
        )
    assert (await _login(client, "liucheng1", PASSWORD)).status_code == 200
    # The 200th failure within 15 minutes closes the address to every username.
    assert (await _login(client, "guess-last", "wrong-password")).status_code == 401
    wait = _retry_after(await _login(client, "liucheng1", PASSWORD))
    assert 590 <= wait <= 600  # until the oldest failure leaves the 15-minute window
    # A forged X-Forwarded-For does not get around it (no trusted proxy is configured).
    spoofed = await client.post(
        "/auth/staff/login",
        json={"username": "liucheng1", "password": PASSWORD},
        headers={"X-Forwarded-For": "192.0.2.77"},
    )
    assert spoofed.status_code == 429
    # Another address is not affected.
    assert (await _login(other_client, "liucheng1", PASSWORD)).status_code == 200
    # Once the failures are older than the window, the address may try again.
    await _earlier(601)
    assert (await _login(client, "liucheng1", PASSWORD)).status_code == 200
    locked = await _audit("staff.login_locked")
    assert [event.detail["scope"] for event in locked] == ["client"]
    assert locked[0].client == "10.0.0.1"
    assert locked[0].detail["failures"] == 200


async def test_each_lockout_is_audited(client: httpx.AsyncClient) -> None:
    staff_id = await create_staff("liucheng1", "street_officer", STREET)
    for _ in range(4):
        assert (await _login(client, "liucheng1", "wrong-password")).status_code == 401
    assert await _audit("staff.login_locked") == []
    assert (await _login(client, "liucheng1", "wrong-password")).status_code == 401
    await _login(client, "liucheng1", PASSWORD)  # refused, audited as throttled
    await _earlier(61)
    assert (await _login(client, "liucheng1", "not-it-either")).status_code == 401

    locked = await _audit("staff.login_locked")
    details: list[dict[str, Any]] = [event.detail for event in locked]
    assert details == [
        {"username": "liucheng1", "scope": "pair", "failures": 5, "seconds": 60},
        {"username": "liucheng1", "scope": "pair", "failures": 6, "seconds": 120},
    ]
    assert all(event.record_id == str(staff_id) for event in locked)
    assert all(event.client == "10.0.0.1" for event in locked)
    assert len(await _audit("staff.login_throttled")) == 1
    assert len(await _audit("staff.login_failed")) == 6
    assert PASSWORD not in str(details)
